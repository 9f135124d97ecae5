//! `/v2/parcels/*` (ecgrid-docs `rest-api/parcels/`), and the migration table's paths for
//! the same operations. Each handler is one call of the core's parcel services, which read
//! the envelopes, route, and decide who may do what; these files only translate the wire.
//! This one holds what the parcel files share, some of it with the interchanges routes: the
//! error mapping, ids in paths and bodies, a body's mailbox, and a parcel list's answer.

mod lifecycle;
mod lists;
mod record;
mod shapes;
mod uploads;

// The route table names each handler as `parcels_routes::<handler>`, and `routes!` also
// names the OpenAPI item `utoipa` generates beside it (`__path_<handler>`): the globs
// carry both.
pub use lifecycle::*;
pub use lists::*;
pub use record::*;
pub use shapes::*;
pub use uploads::*;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use edigrid_core::Caller;
use edigrid_core::parcels::model::Parcel;
use edigrid_domain::{MailboxId, NetworkId};

use crate::RestState;
use crate::envelope::{ApiError, Data, from_core};
use crate::wire::filter_id;

/// Core parameter names as the parcel bodies call them.
pub(crate) const RENAMES: &[(&str, &str)] = &[
    ("ECGridIDFrom", "ecGridIdFrom"),
    ("ECGridIDTo", "ecGridIdTo"),
    ("ContentBase64", "content"),
];

/// A core error as the parcel routes answer it.
pub(crate) fn rest_error(e: edigrid_domain::Error) -> ApiError {
    from_core(e, RENAMES)
}

fn parcels(items: Vec<Parcel>) -> Data<Vec<ParcelIdInfo>> {
    Data(items.into_iter().map(ParcelIdInfo::from).collect())
}

/// The `{id}` of a parcel or interchange path: a whole number from 1 (a long), else `400`
/// naming `id`.
pub(crate) struct LongIdPath(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for LongIdPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::invalid(format!("invalid field id: {e}")))?;
        raw.trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .map(LongIdPath)
            .ok_or_else(|| ApiError::invalid("invalid field id: must be a whole number from 1"))
    }
}

/// A required long id of a body: at least 1.
pub(crate) fn positive_long(field: &str, value: i64) -> Result<i64, ApiError> {
    if value > 0 {
        Ok(value)
    } else {
        Err(ApiError::invalid(format!(
            "invalid field {field}: must be a whole number from 1"
        )))
    }
}

/// The network of a mailbox named by a body, read with the caller's authority (outside it,
/// a mailbox that exists and one that does not get the same refusal).
pub(crate) async fn mailbox_scope(
    state: &RestState,
    caller: &Caller,
    mailbox: Option<i32>,
) -> Result<(Option<NetworkId>, Option<MailboxId>), ApiError> {
    match filter_id("mailboxId", mailbox)? {
        None => Ok((None, None)),
        Some(id) => {
            let mailbox = state.core.mailbox_info(caller, MailboxId(id)).await?;
            Ok((Some(mailbox.network_id), Some(mailbox.id)))
        }
    }
}

fn non_empty<'a>(field: &str, text: &'a str) -> Result<&'a str, ApiError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        Err(ApiError::invalid(format!(
            "invalid field {field}: must not be empty"
        )))
    } else {
        Ok(trimmed)
    }
}

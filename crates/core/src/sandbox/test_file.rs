//! Test files (`ParcelTest`, REST `send-test-file`): a valid interchange of a standard
//! between two IDs, sent like an upload from the sender's mailbox.

use edigrid_domain::{EcGridId, Error, ParamProblem, UserStatus};
use edigrid_edi::ack::{TestStandard, test_interchange};

use super::answer::stamp;
use super::envelope_number;
use crate::directory::access::Act;
use crate::directory::model::TradingPartner;
use crate::parcels::{UploadOutcome, UploadRequest};
use crate::service::{Core, internal};
use crate::sessions::Caller;

/// What a test file is: its standard, and who sends it to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestFileRequest {
    pub from: EcGridId,
    pub to: EcGridId,
    pub standard: TestStandard,
}

/// The standard a front end names (`DocumentType`, REST `documentType`, any case) as a test
/// file's: X12 and EDIFACT have test files (also named by their documents, `850` and
/// `ORDERS`); the other standards of `EDIStandard` are refused
/// naming `item`.
pub fn test_standard(name: &str, item: &str) -> Result<TestStandard, Error> {
    match name.trim().to_ascii_uppercase().as_str() {
        "X12" | "850" => Ok(TestStandard::X12),
        "EDIFACT" | "ORDERS" => Ok(TestStandard::Edifact),
        _ => Err(Error::invalid(
            item,
            ParamProblem::Value,
            format!("{name:?} has no test file; X12 and EDIFACT do"),
        )),
    }
}

/// An ID that can take part in a test file: it exists and is active.
fn active(
    found: Option<TradingPartner>,
    item: &str,
    id: EcGridId,
) -> Result<TradingPartner, Error> {
    let partner = found.ok_or_else(|| Error::not_found(item))?;
    if partner.status != UserStatus::Active {
        return Err(Error::invalid(
            item,
            ParamProblem::Value,
            format!(
                "ECGridID {id} is {}: it may not exchange parcels",
                partner.status.as_str().to_ascii_lowercase()
            ),
        ));
    }
    Ok(partner)
}

impl Core {
    /// Makes a valid test interchange of `request.standard` from one ID to another and
    /// uploads it from the sender's mailbox, as the caller (who needs authority over that
    /// mailbox, as for any upload from it). Its control number comes from the sender's own
    /// sequence, so that test files never look like duplicates of each other.
    pub async fn send_test_file(
        &self,
        caller: &Caller,
        request: TestFileRequest,
    ) -> Result<UploadOutcome, Error> {
        let actor = self.actor(caller).await?;
        let from = self.partner_for(&actor, request.from, Act::Read).await;
        let from = match from {
            Err(Error::NotFound { .. }) => return Err(Error::not_found("ECGridIDFrom")),
            other => active(Some(other?), "ECGridIDFrom", request.from)?,
        };
        let to = self
            .inner
            .store
            .partner(request.to)
            .await
            .map_err(internal)?;
        let to = active(to, "ECGridIDTo", request.to)?;
        let number = self
            .inner
            .store
            .take_control_numbers(from.ecgrid_id, 1)
            .await
            .map_err(internal)?;
        let content = test_interchange(
            request.standard,
            (&from.qualifier, &from.id),
            (&to.qualifier, &to.id),
            envelope_number(number),
            stamp(self.now()),
        );
        let extension = match request.standard {
            TestStandard::X12 => "x12",
            TestStandard::Edifact => "edi",
        };
        let upload = UploadRequest {
            network: Some(from.network_id),
            mailbox: Some(from.mailbox_id),
            file_name: format!("test-{}.{extension}", envelope_number(number)),
            content,
            ..UploadRequest::default()
        };
        self.parcel_upload(caller, upload).await
    }
}

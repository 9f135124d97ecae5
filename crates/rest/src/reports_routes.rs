//! `/v2/reports/*` (ecgrid-docs `rest-api/reports/`): traffic, mailbox, interchange, monthly and instant statistics.

use utoipa_axum::router::OpenApiRouter;

use crate::RestState;

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api
}

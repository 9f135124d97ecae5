//! `/v2/partners/*` (ecgrid-docs `rest-api/partners/`): interconnects between trading partners.

use utoipa_axum::router::OpenApiRouter;

use crate::RestState;

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api
}

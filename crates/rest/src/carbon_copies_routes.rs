//! `/v2/carboncopies/*` (ecgrid-docs `rest-api/carbon-copies/`): carbon-copy rules.

use utoipa_axum::router::OpenApiRouter;

use crate::RestState;

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api
}

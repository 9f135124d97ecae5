//! `/v2/keys/*` (ecgrid-docs `rest-api/keys/`) and `/v2/status-lists/*` (`rest-api/status-lists/`).

use utoipa_axum::router::OpenApiRouter;

use crate::RestState;

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api
}

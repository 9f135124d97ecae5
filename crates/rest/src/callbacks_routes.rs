//! `/v2/callbacks/*` (ecgrid-docs `rest-api/callbacks/`): callback registrations and their queue.

use utoipa_axum::router::OpenApiRouter;

use crate::RestState;

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api
}

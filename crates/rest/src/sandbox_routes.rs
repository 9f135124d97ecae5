//! `/v2/sandbox/*` (SPEC-VAN 21, our own `Sandbox` tag) and `/v2/parcels/send-test-file`: simulated partners and test files.

use utoipa_axum::router::OpenApiRouter;

use crate::RestState;

/// This area's routes, added to the API's one list.
pub(crate) fn add(api: OpenApiRouter<RestState>) -> OpenApiRouter<RestState> {
    api
}

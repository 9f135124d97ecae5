//! edigrid's REST v2 front end. It translates JSON requests to calls of `edigrid_core::Core`
//! and results and errors back to the `{success, data, errorCode, message}` envelope. The
//! routes and the OpenAPI document come from the same annotated handlers.

mod auth;
mod auth_routes;
mod callbacks_routes;
mod carbon_copies_routes;
pub mod catalogue;
mod envelope;
mod ids_routes;
mod interchanges_routes;
mod json;
mod keys_routes;
mod mailboxes_routes;
mod networks_routes;
mod parcels_routes;
mod partners_routes;
mod reports_routes;
mod sandbox_routes;
mod time_format;
mod tokens;
mod twin_routes;
mod user_routes;
mod wire;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use edigrid_core::Core;
use ipnet::IpNet;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use utoipa_swagger_ui::SwaggerUi;

/// Public only for the fuzz targets: the request bodies and how the server decodes them.
#[doc(hidden)]
pub use auth_routes::{LoginBody, PasswordBody, RefreshBody};
pub use callbacks_routes::callback_payload;
pub use envelope::ApiError;
use envelope::{DoneBody, ErrorBody};
#[doc(hidden)]
pub use json::decode_json;
pub use tokens::TokenSigner;

/// Where the OpenAPI document is served.
pub const OPENAPI_PATH: &str = "/swagger/v2/swagger.json";

/// The upload route: its body may be as large as a parcel allows (JSON with base64 content,
/// or `multipart/form-data`); every other route keeps the small limit.
pub const UPLOAD_PATH: &str = "/v2/parcels/upload";

/// Whether a request goes to the upload route.
pub fn is_upload(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST && path == UPLOAD_PATH
}

#[derive(Clone)]
pub struct RestState {
    pub core: Core,
    pub signer: Arc<TokenSigner>,
    pub trusted_proxies: Arc<[IpNet]>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "ECGrid REST API (edigrid)", version = "2.6",
        description = "The ECGrid REST v2 API as served by edigrid: every endpoint page of the upstream documentation, and the migration table's paths where they differ. Endpoints edigrid refuses on purpose answer 501 with errorCode NotImplemented and say why."),
    modifiers(&SecuritySchemes),
    components(schemas(ErrorBody, DoneBody)),
    tags((name = "auth"), (name = "users"), (name = "networks"), (name = "mailboxes"),
        (name = "ids"), (name = "parcels"), (name = "interchanges"), (name = "partners"),
        (name = "callbacks"), (name = "carbon-copies"), (name = "keys"), (name = "reports"),
        (name = "status-lists"), (name = "certificates"), (name = "comms"), (name = "portals"),
        (name = "Sandbox", description = "edigrid's own: simulated trading partners (SPEC-VAN 21)"))
)]
struct ApiDoc;

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-API-Key"))),
        );
    }
}

/// Every REST route with its OpenAPI description: the one list both come from. The
/// catalogue's refused entries come last, from `catalogue`.
fn api() -> OpenApiRouter<RestState> {
    use ids_routes as ids;
    use interchanges_routes as interchanges;
    use mailboxes_routes as mailboxes;
    use networks_routes as networks;
    use parcels_routes as parcels;
    use user_routes as users;
    let mut api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth_routes::login))
        .routes(routes!(auth_routes::refresh))
        .routes(routes!(auth_routes::logout))
        .routes(routes!(auth_routes::session))
        .routes(routes!(auth_routes::version))
        .routes(routes!(auth_routes::password))
        .routes(routes!(users::me))
        .routes(routes!(
            users::get_user,
            users::terminate_user,
            users::update_user_by_id
        ))
        .routes(routes!(
            users::create_user,
            users::update_user,
            users::list_users_query
        ))
        .routes(routes!(users::list_users))
        .routes(routes!(users::by_name))
        .routes(routes!(users::role))
        .routes(routes!(users::role_by_id))
        .routes(routes!(users::set_network_mailbox))
        .routes(routes!(users::set_password))
        .routes(routes!(users::update_config))
        .routes(routes!(users::generate_password_route))
        .routes(routes!(users::reset))
        .routes(routes!(users::key))
        .routes(routes!(users::api_key))
        .routes(routes!(users::key_generate))
        .routes(routes!(users::generate_api_key))
        .routes(routes!(
            networks::get_network,
            networks::update_network_by_id
        ))
        .routes(routes!(
            networks::list_networks_query,
            networks::update_network,
            networks::create_network
        ))
        .routes(routes!(networks::list_networks))
        .routes(routes!(networks::get_contact))
        .routes(routes!(networks::update_config))
        .routes(routes!(networks::x12_delimiters))
        .routes(routes!(mailboxes::get_mailbox, mailboxes::delete_mailbox))
        .routes(routes!(
            mailboxes::list_mailboxes_query,
            mailboxes::create_mailbox_alias
        ))
        .routes(routes!(mailboxes::list_mailboxes))
        .routes(routes!(mailboxes::create_mailbox))
        .routes(routes!(mailboxes::update_mailbox))
        .routes(routes!(mailboxes::update_config))
        .routes(routes!(mailboxes::x12_delimiters))
        .routes(routes!(ids::get_id, ids::update_id, ids::delete_id))
        .routes(routes!(ids::create_id, ids::list_ids_query))
        .routes(routes!(ids::find_id, ids::find_id_query))
        .routes(routes!(ids::list_ids))
        .routes(routes!(ids::move_tp))
        .routes(routes!(ids::move_tp_by_id))
        .routes(routes!(ids::add_van))
        .routes(routes!(ids::get_mailbox_default))
        .routes(routes!(ids::update_config))
        .routes(routes!(ids::update_data_email))
        .routes(routes!(ids::update_description))
        .routes(routes!(ids::x12_delimiters))
        .routes(routes!(parcels::get_parcel))
        .routes(routes!(parcels::inbox_list))
        .routes(routes!(parcels::outbox_list))
        .routes(routes!(parcels::pending_inbox_list))
        .routes(routes!(parcels::upload))
        .routes(routes!(parcels::download))
        .routes(routes!(parcels::confirm))
        .routes(routes!(parcels::reset_to_inbox))
        .routes(routes!(parcels::reset_to_inbox_alias))
        .routes(routes!(parcels::cancel_parcel))
        .routes(routes!(parcels::cancel_parcel_alias))
        .routes(routes!(parcels::manifest))
        .routes(routes!(parcels::acknowledgment_note))
        .routes(routes!(parcels::update))
        .routes(routes!(parcels::set_mailbag_control_id))
        .routes(routes!(parcels::find_mailbag_control_id))
        .routes(routes!(interchanges::get_interchange))
        .routes(routes!(interchanges::inbox_list))
        .routes(routes!(interchanges::outbox_list))
        .routes(routes!(interchanges::get_manifest))
        .routes(routes!(interchanges::cancel_interchange))
        .routes(routes!(interchanges::cancel_interchange_alias))
        .routes(routes!(interchanges::resend_interchange))
        .routes(routes!(interchanges::resend_interchange_alias))
        .routes(routes!(interchanges::get_header))
        .routes(routes!(interchanges::get_date));
    // The areas after parcels each add their own routes.
    api = callbacks_routes::add(api);
    api = carbon_copies_routes::add(api);
    api = partners_routes::add(api);
    api = reports_routes::add(api);
    api = keys_routes::add(api);
    api = sandbox_routes::add(api);
    for (path, refused) in catalogue::refused_routes() {
        api = api.route(path, refused);
    }
    catalogue::document_refusals(api.get_openapi_mut());
    api
}

/// The REST routes, the OpenAPI document at [`OPENAPI_PATH`] and the docs UI at
/// `/swagger/index.html` (its assets are compiled in: no request leaves the server).
/// Bodies are held to `max_body_bytes`, the upload route's to `max_upload_body_bytes`.
pub fn router(state: RestState, max_body_bytes: usize, max_upload_body_bytes: usize) -> Router {
    let (api, doc) = api().split_for_parts();
    let api = api
        .fallback(|| async {
            ApiError::new(StatusCode::NOT_FOUND, "ObjectNotFound", "no such endpoint")
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "InvalidParameter",
                "this endpoint does not take that HTTP method",
            )
        })
        // The extractors' own bound; `read_whole_body` has applied each route's before.
        .layer(DefaultBodyLimit::max(
            max_upload_body_bytes.max(max_body_bytes),
        ))
        .layer(axum::middleware::from_fn(move |request, next| {
            read_whole_body(request, next, max_body_bytes, max_upload_body_bytes)
        }))
        .with_state(state);
    Router::new().merge(api).merge(
        SwaggerUi::new("/swagger")
            .url(OPENAPI_PATH, doc)
            // The bundle would otherwise ask validator.swagger.io for a badge.
            .config(utoipa_swagger_ui::Config::new([OPENAPI_PATH]).validator_url("none")),
    )
}

/// Reads every request body before the handler runs, also for endpoints that ignore it
/// (clients send bodies to `/v2/auth/session` and `/v2/auth/logout`). A body left unread
/// makes hyper close the keep-alive connection after answering, and a client that reuses
/// that connection sees it dropped without a response. (The server reads every body within
/// the same limits before this runs, and drains what a refused client still sends; this
/// bounds the router used on its own.)
async fn read_whole_body(
    request: axum::extract::Request,
    next: axum::middleware::Next,
    max_body_bytes: usize,
    max_upload_body_bytes: usize,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let limit = if is_upload(request.method(), request.uri().path()) {
        max_upload_body_bytes
    } else {
        max_body_bytes
    };
    let (parts, body) = request.into_parts();
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => {
            next.run(axum::extract::Request::from_parts(
                parts,
                axum::body::Body::from(bytes),
            ))
            .await
        }
        Err(_) => ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "InvalidParameter",
            "the request body is too large or could not be read",
        )
        .into_response(),
    }
}

/// The OpenAPI document, for tools and tests.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().split_for_parts().1
}

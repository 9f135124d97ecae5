//! A list served at two routes: `POST` with its filters in a JSON body (the endpoint page's)
//! and `GET` with the same filters in the query string (the migration table's).

/// Declares both handlers of such a list, each with its own doc comment (its summary in the
/// OpenAPI document). Both call `serve(&state, &caller, filters)`, so the routes answer
/// alike; only the `POST` reads a body, so only it may answer `413`.
macro_rules! body_and_query_routes {
    (
        tag = $tag:literal, filters = $filters:ident, answer = $answer:ty, serve = $serve:ident;
        $(#[doc = $post_doc:literal])+
        post $post_path:literal => $post:ident;
        $(#[doc = $get_doc:literal])+
        get $get_path:literal => $get:ident;
    ) => {
        $(#[doc = $post_doc])+
        #[utoipa::path(post, path = $post_path, tag = $tag, request_body = $filters,
            security(("bearer" = []), ("apiKey" = [])),
            responses(
                (status = 200, body = $crate::envelope::ApiResponse<$answer>),
                $crate::envelope::BodyErrors))]
        pub async fn $post(
            axum::extract::State(state): axum::extract::State<$crate::RestState>,
            $crate::auth::Authenticated(caller): $crate::auth::Authenticated,
            $crate::json::JsonBody(filters): $crate::json::JsonBody<$filters>,
        ) -> Result<$crate::envelope::Data<$answer>, $crate::envelope::ApiError> {
            $serve(&state, &caller, filters).await
        }

        $(#[doc = $get_doc])+
        #[utoipa::path(get, path = $get_path, tag = $tag, params($filters),
            security(("bearer" = []), ("apiKey" = [])),
            responses(
                (status = 200, body = $crate::envelope::ApiResponse<$answer>),
                $crate::envelope::StandardErrors))]
        pub async fn $get(
            axum::extract::State(state): axum::extract::State<$crate::RestState>,
            $crate::auth::Authenticated(caller): $crate::auth::Authenticated,
            $crate::json::QueryParams(filters): $crate::json::QueryParams<$filters>,
        ) -> Result<$crate::envelope::Data<$answer>, $crate::envelope::ApiError> {
            $serve(&state, &caller, filters).await
        }
    };
}

pub(crate) use body_and_query_routes;

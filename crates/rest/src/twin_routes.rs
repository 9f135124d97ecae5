//! Operations served at two routes, the endpoint page's and the migration table's: a list
//! whose filters come in a JSON body or in the query string, and a change whose object is
//! named in the body or in the path.

/// Declares both handlers of a list: `POST` with its filters in a JSON body (the endpoint
/// page's) and `GET` with the same filters in the query string (the migration table's),
/// each with its own doc comment (its summary in the OpenAPI document). Both call
/// `serve(&state, &caller, filters)`, so the routes answer alike; only the `POST` reads a
/// body, so only it may answer `413`.
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

/// Declares a body twice: `$body` with the object's number as `$id` (the endpoint page's
/// route) and `$fields` without it (the migration table's, where the number is the path's),
/// so that the two cannot drift apart. The doc comment is `$fields`'s (its description in
/// the OpenAPI document); `$body::split` parts the number from the fields.
macro_rules! body_with_and_without_id {
    (
        $(#[doc = $doc:literal])*
        $body:ident { $id:ident }, $fields:ident {
            $( $(#[$attr:meta])* $field:ident: $ty:ty, )+
        }
    ) => {
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $body {
            #[schema(minimum = 1)]
            pub $id: i32,
            $( $(#[$attr])* pub $field: $ty, )+
        }

        $(#[doc = $doc])*
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $fields {
            $( $(#[$attr])* pub $field: $ty, )+
        }

        impl $body {
            /// The object's number, and the fields as the by-number route takes them.
            pub fn split(self) -> (i32, $fields) {
                (self.$id, $fields { $($field: self.$field),+ })
            }
        }
    };
}

pub(crate) use {body_and_query_routes, body_with_and_without_id};

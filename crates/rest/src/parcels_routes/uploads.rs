//! Sending a file: `POST /v2/parcels/upload` takes it as JSON (`content` in base64) or as
//! `multipart/form-data` (a `file` part) on the same path; both are read into one input
//! and checked the same way before the core routes it.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::header::CONTENT_TYPE;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use edigrid_core::UploadRequest;
use edigrid_domain::EcGridId;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{mailbox_scope, rest_error};
use crate::RestState;
use crate::auth::Authenticated;
use crate::envelope::{ApiError, ApiResponse, BodyErrors, Data, ErrorBody};
use crate::json::JsonBody;
use crate::wire::filter_id;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UploadBody {
    #[schema(min_length = 1)]
    pub file_name: String,
    /// The file, base64-encoded (line breaks allowed).
    #[schema(min_length = 1)]
    pub content: String,
    /// The file's size; when given (not 0), it must be the decoded content's.
    #[schema(minimum = 0)]
    pub bytes: Option<i64>,
    /// With `ecGridIdTo`: route the file between these two IDs (a file without envelope
    /// needs both); 0 or absent: from its envelopes.
    #[schema(minimum = 0)]
    pub ec_grid_id_from: Option<i32>,
    #[schema(minimum = 0)]
    pub ec_grid_id_to: Option<i32>,
    /// The sending mailbox; 0 or absent: the caller's own.
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
}

/// The same upload as a form: the file's bytes as the `file` part.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct UploadForm {
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Absent: the `file` part's file name.
    pub file_name: Option<String>,
    #[schema(minimum = 0)]
    pub bytes: Option<i64>,
    #[schema(minimum = 0)]
    pub ec_grid_id_from: Option<i32>,
    #[schema(minimum = 0)]
    pub ec_grid_id_to: Option<i32>,
    #[schema(minimum = 0)]
    pub mailbox_id: Option<i32>,
}

/// An upload as read from either form, before it is checked.
#[derive(Debug, Default)]
pub struct UploadInput {
    file_name: Option<String>,
    content: Vec<u8>,
    /// The field the content came in (`content` or `file`), for messages.
    content_field: &'static str,
    bytes: Option<i64>,
    from: Option<i32>,
    to: Option<i32>,
    mailbox: Option<i32>,
}

impl<S: Send + Sync> FromRequest<S> for UploadInput {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_form = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.trim_start()
                    .to_ascii_lowercase()
                    .starts_with("multipart/form-data")
            });
        if is_form {
            let form = Multipart::from_request(req, state)
                .await
                .map_err(|e| ApiError::invalid(format!("the form could not be read: {e}")))?;
            read_form(form).await
        } else {
            let JsonBody(b) = JsonBody::<UploadBody>::from_request(req, state).await?;
            let content = decode_base64(&b.content)?;
            Ok(UploadInput {
                file_name: Some(b.file_name),
                content,
                content_field: "content",
                bytes: b.bytes,
                from: b.ec_grid_id_from,
                to: b.ec_grid_id_to,
                mailbox: b.mailbox_id,
            })
        }
    }
}

/// Base64 as clients send it: whitespace between the characters is allowed.
fn decode_base64(text: &str) -> Result<Vec<u8>, ApiError> {
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    BASE64
        .decode(compact)
        .map_err(|e| ApiError::invalid(format!("invalid field content: not base64 ({e})")))
}

/// A number of a form field.
fn form_number<T: std::str::FromStr>(field: &str, text: &str) -> Result<T, ApiError> {
    text.trim().parse().map_err(|_| {
        ApiError::invalid(format!(
            "invalid field {field}: {text:?} is not a whole number"
        ))
    })
}

/// The `file` part and the fields of a `multipart/form-data` upload; field names are
/// matched case-insensitively, unknown ones ignored.
async fn read_form(mut form: Multipart) -> Result<UploadInput, ApiError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(
            e.status(),
            "InvalidParameter",
            format!("the form could not be read: {}", e.body_text()),
        )
    };
    let mut input = UploadInput {
        content_field: "file",
        ..UploadInput::default()
    };
    let mut file: Option<(Option<String>, Vec<u8>)> = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_ascii_lowercase();
        if name == "file" {
            if file.is_some() {
                return Err(ApiError::invalid(
                    "invalid field file: given more than once",
                ));
            }
            let part_name = field.file_name().map(str::to_string);
            let bytes = field.bytes().await.map_err(unreadable)?;
            file = Some((part_name, bytes.to_vec()));
            continue;
        }
        let known = [
            "filename",
            "bytes",
            "ecgrididfrom",
            "ecgrididto",
            "mailboxid",
        ];
        if !known.contains(&name.as_str()) {
            continue;
        }
        let text = field.text().await.map_err(unreadable)?;
        match name.as_str() {
            "filename" => input.file_name = Some(text),
            "bytes" => input.bytes = Some(form_number("bytes", &text)?),
            "ecgrididfrom" => input.from = Some(form_number("ecGridIdFrom", &text)?),
            "ecgrididto" => input.to = Some(form_number("ecGridIdTo", &text)?),
            _ => input.mailbox = Some(form_number("mailboxId", &text)?),
        }
    }
    let Some((part_name, content)) = file else {
        return Err(ApiError::invalid(
            "invalid field file: a multipart upload needs the file as a part named file",
        ));
    };
    input.content = content;
    if input
        .file_name
        .as_deref()
        .is_none_or(|n| n.trim().is_empty())
    {
        input.file_name = part_name;
    }
    Ok(input)
}

/// The checks of an upload that are the wire's: a file name, some content, the declared
/// size, both IDs or neither.
fn upload_request(input: UploadInput) -> Result<UploadRequest, ApiError> {
    let file_name = input
        .file_name
        .filter(|n| !n.trim().is_empty())
        .ok_or_else(|| ApiError::invalid("invalid field fileName: the file needs a name"))?;
    if input.content.is_empty() {
        return Err(ApiError::invalid(format!(
            "invalid field {}: the file is empty (0 bytes)",
            input.content_field
        )));
    }
    let actual = i64::try_from(input.content.len()).unwrap_or(i64::MAX);
    let declared = match input.bytes {
        None | Some(0) => None,
        Some(n) if n == actual => Some(n),
        Some(n) => {
            return Err(ApiError::invalid(format!(
                "invalid field bytes: says {n}, but the {} has {actual} bytes",
                input.content_field
            )));
        }
    };
    let from = filter_id("ecGridIdFrom", input.from)?;
    let to = filter_id("ecGridIdTo", input.to)?;
    let explicit = match (from, to) {
        (Some(f), Some(t)) => Some((EcGridId(f), EcGridId(t))),
        (None, None) => None,
        (Some(_), None) | (None, Some(_)) => {
            return Err(ApiError::invalid(
                "invalid field ecGridIdTo: give both ecGridIdFrom and ecGridIdTo, or neither",
            ));
        }
    };
    Ok(UploadRequest {
        network: None,
        mailbox: None,
        file_name,
        content: input.content,
        declared_bytes: declared,
        explicit,
    })
}

/// Sends a file: its interchanges are routed by their envelopes (or between the two IDs
/// given). Answers the outbound parcel's ParcelID. JSON with `content` in base64, or a
/// `multipart/form-data` form with the file as its `file` part.
#[utoipa::path(post, path = "/v2/parcels/upload", tag = "parcels",
    request_body(content(
        (UploadBody = "application/json"),
        (UploadForm = "multipart/form-data"))),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, body = ApiResponse<i64>, description = "data is the outbound parcel's ParcelID"),
        BodyErrors,
        (status = 503, body = ErrorBody, description = "too many uploads in flight; retry after Retry-After seconds")))]
pub async fn upload(
    State(state): State<RestState>,
    Authenticated(caller): Authenticated,
    input: UploadInput,
) -> Result<Data<i64>, ApiError> {
    let mailbox = input.mailbox;
    let mut request = upload_request(input)?;
    (request.network, request.mailbox) = mailbox_scope(&state, &caller, mailbox).await?;
    let receipt = state
        .core
        .parcel_upload_receipt(&caller, request)
        .await
        .map_err(rest_error)?;
    Ok(Data(receipt.parcel.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_upload_declares_its_size_and_both_ids_or_none() {
        let input = |bytes, from, to| UploadInput {
            file_name: Some("a.edi".into()),
            content: b"ISA".to_vec(),
            content_field: "content",
            bytes,
            from,
            to,
            mailbox: None,
        };
        assert!(upload_request(input(Some(3), None, None)).is_ok());
        assert!(upload_request(input(Some(0), Some(0), None)).is_ok());
        let wrong = upload_request(input(Some(4), None, None)).unwrap_err();
        assert!(wrong.message.contains("bytes"), "{}", wrong.message);
        let half = upload_request(input(None, Some(5), None)).unwrap_err();
        assert!(half.message.contains("ecGridIdTo"), "{}", half.message);
        let both = upload_request(input(None, Some(5), Some(6))).unwrap();
        assert_eq!(both.explicit, Some((EcGridId(5), EcGridId(6))));
        let empty = UploadInput {
            content: Vec::new(),
            ..input(None, None, None)
        };
        assert!(upload_request(empty).unwrap_err().message.contains("empty"));
        assert!(decode_base64("SVNB\n KiAw").is_ok());
        assert!(decode_base64("not base64!").is_err());
    }
}

//! Request bodies and query strings whose failures are the API's own `400 InvalidParameter`
//! naming the field (`serde_path_to_error`), instead of axum's plain-text rejections.
//!
//! Property names are matched case-insensitively (upstream's samples send `parcelID` where
//! the pages say `parcelId`): a name that differs from a field of the target type only in
//! case is read as that field. Names of no field are ignored.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Query, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::value::{Error as PlainError, MapDeserializer, StringDeserializer};
use serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use crate::envelope::ApiError;

pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "InvalidParameter",
                    "the request body is too large",
                )
            } else {
                ApiError::invalid("the request body could not be read")
            }
        })?;
        // No body at all is an empty object: upstream's samples post lists without one.
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return decode_json(b"{}").map(JsonBody);
        }
        decode_json(&bytes).map(JsonBody)
    }
}

/// Decodes a whole request body as one JSON value of type `T`, or says which field is wrong.
pub fn decode_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = Value::deserialize(&mut de)
        .map_err(|e| ApiError::invalid(format!("the body is not valid JSON: {e}")))?;
    de.end()
        .map_err(|_| ApiError::invalid("the body has trailing characters after the JSON value"))?;
    let value = match value {
        Value::Object(map) => Value::Object(canonical_keys(map, field_names::<T>())?),
        other => other,
    };
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::invalid(format!("invalid body: {inner}"))
        } else {
            ApiError::invalid(format!("invalid field {path}: {inner}"))
        }
    })
}

/// The query string read as `T`, with the same naming rules as bodies.
pub struct QueryParams<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for QueryParams<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let Query(pairs) = Query::<Vec<(String, String)>>::try_from_uri(&parts.uri)
            .map_err(|e| ApiError::invalid(format!("the query string is malformed: {e}")))?;
        decode_query(pairs).map(QueryParams)
    }
}

fn decode_query<T: DeserializeOwned>(pairs: Vec<(String, String)>) -> Result<T, ApiError> {
    let fields = field_names::<T>();
    let mut seen: Vec<String> = Vec::new();
    let mut named = Vec::with_capacity(pairs.len());
    for (key, value) in pairs {
        let key = canonical(&key, fields);
        if seen.contains(&key) {
            return Err(ApiError::invalid(format!(
                "invalid field {key}: given more than once"
            )));
        }
        seen.push(key.clone());
        named.push((key, QueryValue(value)));
    }
    let de = MapDeserializer::<_, PlainError>::new(named.into_iter());
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            ApiError::invalid(format!("invalid query: {inner}"))
        } else {
            ApiError::invalid(format!("invalid field {path}: {inner}"))
        }
    })
}

/// `name` as the field of `fields` it matches case-insensitively, else as given.
fn canonical(name: &str, fields: &[&str]) -> String {
    if fields.contains(&name) {
        return name.to_string();
    }
    fields
        .iter()
        .find(|f| f.eq_ignore_ascii_case(name))
        .map_or_else(|| name.to_string(), |f| (*f).to_string())
}

/// An object's keys renamed to the fields they match; two keys for one field are refused.
fn canonical_keys(
    map: Map<String, Value>,
    fields: &[&str],
) -> Result<Map<String, Value>, ApiError> {
    let mut out = Map::with_capacity(map.len());
    for (key, value) in map {
        let key = canonical(&key, fields);
        if out.contains_key(&key) {
            return Err(ApiError::invalid(format!(
                "invalid field {key}: given more than once"
            )));
        }
        out.insert(key, value);
    }
    Ok(out)
}

/// The field names a type's `Deserialize` asks for, if it is a struct (empty otherwise):
/// a deserializer that records what `deserialize_struct` is given and stops there.
fn field_names<T: DeserializeOwned>() -> &'static [&'static str] {
    struct Probe<'a>(&'a mut &'static [&'static str]);

    impl<'de> Deserializer<'de> for Probe<'_> {
        type Error = PlainError;

        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, PlainError> {
            Err(de::Error::custom("not a struct"))
        }

        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _: &'static str,
            fields: &'static [&'static str],
            _: V,
        ) -> Result<V::Value, PlainError> {
            *self.0 = fields;
            Err(de::Error::custom("probed"))
        }

        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
            byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
            identifier ignored_any
        }
    }

    let mut fields: &'static [&'static str] = &[];
    let _ = T::deserialize(Probe(&mut fields));
    fields
}

/// One value of a query string: text that numbers, booleans and enumerations are read from
/// on demand.
struct QueryValue(String);

impl<'de> IntoDeserializer<'de, PlainError> for QueryValue {
    type Deserializer = Self;

    fn into_deserializer(self) -> Self {
        self
    }
}

macro_rules! parse_as {
    ($($method:ident => $visit:ident: $ty:ty),* $(,)?) => {
        $(
            fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
                let parsed: $ty = self.0.trim().parse().map_err(|e| {
                    de::Error::custom(format!("{:?} is not a valid {}: {e}", self.0, stringify!($ty)))
                })?;
                visitor.$visit(parsed)
            }
        )*
    };
}

impl<'de> Deserializer<'de> for QueryValue {
    type Error = PlainError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_string(self.0)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, PlainError> {
        visitor.visit_some(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, PlainError> {
        StringDeserializer::<PlainError>::new(self.0).deserialize_enum(name, variants, visitor)
    }

    parse_as! {
        deserialize_bool => visit_bool: bool,
        deserialize_i16 => visit_i16: i16,
        deserialize_i32 => visit_i32: i32,
        deserialize_i64 => visit_i64: i64,
        deserialize_u16 => visit_u16: u16,
        deserialize_u32 => visit_u32: u32,
        deserialize_u64 => visit_u64: u64,
    }

    serde::forward_to_deserialize_any! {
        i8 i128 u8 u128 f32 f64 char str string bytes byte_buf unit unit_struct
        newtype_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "camelCase")]
    struct Body {
        parcel_id: i64,
        page_no: Option<i32>,
        name: Option<String>,
    }

    #[test]
    fn names_match_whatever_their_case() {
        let body: Body = decode_json(br#"{"parcelID": 5, "PAGENO": 2, "other": 1}"#).unwrap();
        assert_eq!(
            body,
            Body {
                parcel_id: 5,
                page_no: Some(2),
                name: None
            }
        );
        let twice = decode_json::<Body>(br#"{"parcelId": 5, "parcelID": 6}"#).unwrap_err();
        assert!(twice.message.contains("parcelId"), "{}", twice.message);
        let wrong = decode_json::<Body>(br#"{"parcelId": "x"}"#).unwrap_err();
        assert!(wrong.message.contains("parcelId"), "{}", wrong.message);
        let missing = decode_json::<Body>(b"{}").unwrap_err();
        assert!(missing.message.contains("parcelId"), "{}", missing.message);
    }

    #[test]
    fn query_values_are_read_as_the_field_wants() {
        let pairs = |p: &[(&str, &str)]| {
            p.iter()
                .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
                .collect::<Vec<_>>()
        };
        let body: Body =
            decode_query(pairs(&[("parcelid", "7"), ("name", "0012"), ("x", "y")])).unwrap();
        assert_eq!(
            body,
            Body {
                parcel_id: 7,
                page_no: None,
                name: Some("0012".into())
            }
        );
        let bad = decode_query::<Body>(pairs(&[("parcelId", "1"), ("pageNo", "two")])).unwrap_err();
        assert!(bad.message.contains("pageNo"), "{}", bad.message);
        let twice =
            decode_query::<Body>(pairs(&[("parcelId", "1"), ("PARCELID", "2")])).unwrap_err();
        assert!(twice.message.contains("parcelId"), "{}", twice.message);
    }
}

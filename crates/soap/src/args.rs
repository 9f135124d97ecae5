//! Turns an operation's child elements into typed arguments, or the fault the caller earned.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, NaiveDateTime, Utc};
use edigrid_domain::{Error, MAX_TEXT_LEN, ParamProblem};

use crate::envelope::Param;
use crate::schema::{Field, XsdType};

/// String parameters that carry a parcel's content as base64 text.
pub const BASE64_STRING_PARAMS: &[&str] = &["ContentBase64"];

/// An operation's arguments by parameter name. Absent strings read as empty, as ASP.NET
/// hands `null` to its methods.
#[derive(Debug, Default)]
pub struct Args(Vec<(&'static str, Arg)>);

#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Str(String),
    Int(i32),
    Short(i16),
    Long(i64),
    UnsignedByte(u8),
    Float(f32),
    Bool(bool),
    DateTime(DateTime<Utc>),
    Bytes(Vec<u8>),
    Enum(String),
}

impl Args {
    fn get(&self, name: &str) -> Option<&Arg> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, a)| a)
    }

    pub fn str(&self, name: &str) -> &str {
        match self.get(name) {
            Some(Arg::Str(s)) => s,
            _ => "",
        }
    }

    pub fn datetime(&self, name: &str) -> Option<DateTime<Utc>> {
        match self.get(name) {
            Some(Arg::DateTime(t)) => Some(*t),
            _ => None,
        }
    }

    pub fn int(&self, name: &str) -> i32 {
        match self.get(name) {
            Some(Arg::Int(n)) => *n,
            Some(Arg::Short(n)) => i32::from(*n),
            Some(Arg::UnsignedByte(n)) => i32::from(*n),
            _ => 0,
        }
    }

    pub fn long(&self, name: &str) -> i64 {
        match self.get(name) {
            Some(Arg::Long(n)) => *n,
            _ => i64::from(self.int(name)),
        }
    }

    pub fn unsigned_byte(&self, name: &str) -> u8 {
        match self.get(name) {
            Some(Arg::UnsignedByte(n)) => *n,
            _ => 0,
        }
    }

    pub fn float(&self, name: &str) -> f32 {
        match self.get(name) {
            Some(Arg::Float(x)) => *x,
            _ => 0.0,
        }
    }

    pub fn boolean(&self, name: &str) -> bool {
        matches!(self.get(name), Some(Arg::Bool(true)))
    }

    /// The enumeration value given, one of the type's values; empty when absent.
    pub fn enumeration(&self, name: &str) -> &str {
        match self.get(name) {
            Some(Arg::Enum(v)) => v,
            _ => "",
        }
    }

    /// Decoded `base64Binary` content; empty when absent.
    pub fn bytes(&self, name: &str) -> &[u8] {
        match self.get(name) {
            Some(Arg::Bytes(b)) => b,
            _ => &[],
        }
    }

    /// A string parameter holding base64 text (`ContentBase64`), decoded; whitespace
    /// between the characters is allowed, as in `base64Binary`. Empty when absent.
    pub fn base64_text(&self, name: &'static str) -> Result<Vec<u8>, Error> {
        decode_base64(self.str(name))
            .map_err(|_| Error::invalid(name, ParamProblem::Type, "must be base64"))
    }

    /// Decoded `base64Binary` content moved out of the arguments (empty when absent or
    /// taken already): a parcel's content is handed on without a copy.
    pub fn take_bytes(&mut self, name: &str) -> Vec<u8> {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some((_, Arg::Bytes(b))) => std::mem::take(b),
            _ => Vec::new(),
        }
    }

    /// Whether the parameter was sent.
    pub fn has(&self, name: &str) -> bool {
        self.get(name).is_some()
    }
}

/// Reads every declared parameter. Elements in other namespaces than the operation's (or
/// unqualified) and undeclared elements are ignored.
pub fn parse_args(fields: &'static [Field], ns: &str, params: &[Param]) -> Result<Args, Error> {
    let mut args = Args::default();
    for field in fields {
        let found = params.iter().find(|p| {
            (p.ns.is_none() || p.ns.as_deref() == Some(ns))
                && (p.name == field.name || field.aliases.contains(&p.name.as_str()))
        });
        match found {
            Some(p) => args.0.push((field.name, parse_one(field, p)?)),
            None if field.min_occurs() == 1 => {
                return Err(Error::invalid(
                    field.name,
                    ParamProblem::Value,
                    "is missing",
                ));
            }
            None => {}
        }
    }
    Ok(args)
}

fn parse_one(field: &Field, p: &Param) -> Result<Arg, Error> {
    let bad_type = |what: &str| Error::invalid(field.name, ParamProblem::Type, what.to_string());
    if p.has_children {
        return Err(bad_type("must be a simple value, not elements"));
    }
    let text = p.text.trim();
    match field.ty {
        XsdType::String => {
            // Parcel content sent as a base64 string (the `A` forms) is bounded by the body
            // limit of the upload, not by the text limit.
            let bounded_by_body = BASE64_STRING_PARAMS.contains(&field.name);
            if !bounded_by_body && p.text.chars().count() > MAX_TEXT_LEN {
                return Err(Error::invalid(
                    field.name,
                    ParamProblem::Length,
                    format!("longer than {MAX_TEXT_LEN} characters"),
                ));
            }
            Ok(Arg::Str(p.text.clone()))
        }
        XsdType::Int => parse_integer(field.name, text, i32::MIN.into(), i32::MAX.into())
            .map(|n| Arg::Int(n as i32)),
        XsdType::Short => parse_integer(field.name, text, i16::MIN.into(), i16::MAX.into())
            .map(|n| Arg::Short(n as i16)),
        XsdType::Long => parse_integer(field.name, text, i64::MIN, i64::MAX).map(Arg::Long),
        XsdType::UnsignedByte => {
            parse_integer(field.name, text, 0, u8::MAX.into()).map(|n| Arg::UnsignedByte(n as u8))
        }
        XsdType::Base64Binary => decode_base64(text)
            .map(Arg::Bytes)
            .map_err(|_| bad_type("must be base64")),
        XsdType::Float => text
            .parse::<f32>()
            .ok()
            .filter(|x| x.is_finite())
            .map(Arg::Float)
            .ok_or_else(|| bad_type("must be a number")),
        XsdType::Boolean => match text {
            "true" | "1" => Ok(Arg::Bool(true)),
            "false" | "0" => Ok(Arg::Bool(false)),
            _ => Err(bad_type("must be true, false, 1 or 0")),
        },
        XsdType::DateTime => parse_datetime(text)
            .map(Arg::DateTime)
            .ok_or_else(|| bad_type("must be an XML Schema dateTime")),
        XsdType::Enum(e) => e
            .values
            .iter()
            .find(|v| **v == text)
            .map(|v| Arg::Enum((*v).to_string()))
            .ok_or_else(|| bad_type(&format!("must be one of {}", e.values.join(", ")))),
        XsdType::Complex(_) | XsdType::Array(_) | XsdType::SimpleArray(_) | XsdType::DataSet => {
            Err(bad_type("is not accepted as input"))
        }
    }
}

fn parse_integer(item: &str, text: &str, min: i64, max: i64) -> Result<i64, Error> {
    if text.is_empty() {
        return Err(Error::invalid(item, ParamProblem::Value, "is empty"));
    }
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::invalid(
            item,
            ParamProblem::Type,
            "must be a whole number",
        ));
    }
    match text.parse::<i64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(Error::invalid(
            item,
            ParamProblem::Value,
            format!("must be between {min} and {max}"),
        )),
    }
}

/// Decodes base64 text in which line breaks and blanks may sit between the characters (as
/// `base64Binary` allows), without copying the text when it has none: a parcel's content
/// is the largest thing a request holds, and every copy of it counts against memory.
fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    if !text.bytes().any(|b| b.is_ascii_whitespace()) {
        return BASE64.decode(text);
    }
    let compact: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    BASE64.decode(compact)
}

/// Any offset or fraction; without an offset the time is taken as UTC.
pub fn parse_datetime(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .ok()
        .or_else(|| {
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|t| t.and_utc())
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use edigrid_domain::LegacyCode;

    static FIELDS: [Field; 3] = [
        Field::new("SessionID", XsdType::String),
        Field::new("UserID", XsdType::Int),
        Field::new("MaxRecords", XsdType::Short),
    ];

    fn param(name: &str, text: &str) -> Param {
        Param {
            ns: None,
            name: name.into(),
            text: text.into(),
            has_children: false,
        }
    }

    fn code(params: &[Param]) -> LegacyCode {
        parse_args(&FIELDS, "urn:x", params)
            .unwrap_err()
            .legacy_code()
    }

    #[test]
    fn integers_are_checked_for_type_and_range() {
        let ok = parse_args(
            &FIELDS,
            "urn:x",
            &[param("UserID", " 42 "), param("MaxRecords", "-3")],
        )
        .unwrap();
        assert_eq!(
            (ok.int("UserID"), ok.int("MaxRecords"), ok.str("SessionID")),
            (42, -3, "")
        );
        assert_eq!(
            code(&[param("UserID", "abc"), param("MaxRecords", "1")]),
            LegacyCode::InvalidDataType
        );
        assert_eq!(
            code(&[param("UserID", "2147483648"), param("MaxRecords", "1")]),
            LegacyCode::DataError
        );
        assert_eq!(
            code(&[param("UserID", "1"), param("MaxRecords", "40000")]),
            LegacyCode::DataError
        );
        assert_eq!(code(&[param("UserID", "1")]), LegacyCode::DataError);
        let long = "x".repeat(MAX_TEXT_LEN + 1);
        assert_eq!(
            code(&[
                param("SessionID", &long),
                param("UserID", "1"),
                param("MaxRecords", "1")
            ]),
            LegacyCode::InvalidDataLength
        );
    }

    #[test]
    fn content_as_base64_text_is_not_held_to_the_text_limit() {
        static UPLOAD: [Field; 2] = [
            Field::new("FileName", XsdType::String),
            Field::new("ContentBase64", XsdType::String),
        ];
        let content = vec![b'I'; 4 * MAX_TEXT_LEN];
        let text = BASE64.encode(&content);
        let wrapped = format!("{}\n{}", &text[..76], &text[76..]);
        let args = parse_args(
            &UPLOAD,
            "urn:x",
            &[param("FileName", "a.edi"), param("ContentBase64", &wrapped)],
        )
        .unwrap();
        assert_eq!(args.base64_text("ContentBase64").unwrap(), content);
        let bad = parse_args(&UPLOAD, "urn:x", &[param("ContentBase64", "not base64!")]).unwrap();
        let err = bad.base64_text("ContentBase64").unwrap_err();
        assert_eq!(err.legacy_code(), LegacyCode::InvalidDataType);
        let long_name = "x".repeat(MAX_TEXT_LEN + 1);
        let refused = parse_args(&UPLOAD, "urn:x", &[param("FileName", &long_name)]);
        assert!(refused.is_err(), "other strings keep their limit");
    }

    #[test]
    fn content_is_taken_out_once() {
        static UPLOAD: [Field; 1] = [Field::new("Content", XsdType::Base64Binary)];
        let mut args = parse_args(&UPLOAD, "urn:x", &[param("Content", "SVNB")]).unwrap();
        assert_eq!(args.take_bytes("Content"), b"ISA");
        assert!(args.take_bytes("Content").is_empty());
        assert!(args.take_bytes("Missing").is_empty());
    }

    #[test]
    fn datetimes_take_any_offset() {
        let a = parse_datetime("2026-05-07T12:00:00.123+02:00").unwrap();
        assert_eq!(a.to_rfc3339(), "2026-05-07T10:00:00.123+00:00");
        assert!(parse_datetime("2026-05-07T10:00:00").is_some());
        assert!(parse_datetime("yesterday").is_none());
    }
}

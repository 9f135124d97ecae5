//! Writes response and fault envelopes.

use std::fmt::Write as _;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{DateTime, Datelike, Timelike, Utc};
use edigrid_domain::Error;
use quick_xml::escape::escape;

use crate::envelope::SoapVersion;
use crate::schema::{ComplexType, UNSET_DATETIME, Value, XsdType, format_datetime};

fn open_envelope(out: &mut String, version: SoapVersion) -> &'static str {
    let prefix = match version {
        SoapVersion::Soap11 => "soap",
        SoapVersion::Soap12 => "soap12",
    };
    out.extend([
        r#"<?xml version="1.0" encoding="utf-8"?><"#,
        prefix,
        ":Envelope xmlns:",
        prefix,
        "=\"",
        version.envelope_ns(),
        r#"" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><"#,
        prefix,
        ":Body>",
    ]);
    prefix
}

fn close_envelope(out: &mut String, prefix: &str) {
    out.extend(["</", prefix, ":Body></", prefix, ":Envelope>"]);
}

fn open_tag(out: &mut String, name: &str) {
    out.extend(["<", name, ">"]);
}

fn close_tag(out: &mut String, name: &str) {
    out.extend(["</", name, ">"]);
}

/// `xsd:dateTime` in UTC to the second, written in place (this runs for every date of every
/// response; chrono's formatter costs several times more). Years outside 0000–9999 take the
/// general path.
fn push_datetime(out: &mut String, t: DateTime<Utc>) {
    let year = t.year();
    if !(0..=9999).contains(&year) {
        out.push_str(&format_datetime(t));
        return;
    }
    let mut digits = |n: u32, width: usize, then: char| {
        let mut buf = [b'0'; 4];
        let mut n = n;
        for slot in buf[..width].iter_mut().rev() {
            *slot = b'0' + (n % 10) as u8;
            n /= 10;
        }
        out.extend(buf[..width].iter().map(|b| char::from(*b)));
        out.push(then);
    };
    digits(year.unsigned_abs(), 4, '-');
    digits(t.month(), 2, '-');
    digits(t.day(), 2, 'T');
    digits(t.hour(), 2, ':');
    digits(t.minute(), 2, ':');
    digits(t.second(), 2, 'Z');
}

/// `<{op}Response xmlns="{ns}"><{op}Result>…</{op}Result></{op}Response>` in an envelope.
/// Fails only when a handler produced a value that does not fit its declared type.
pub fn response_envelope(
    version: SoapVersion,
    ns: &str,
    operation: &str,
    result: &XsdType,
    value: &Value,
) -> Result<String, Error> {
    let mut out = String::with_capacity(512);
    let prefix = open_envelope(&mut out, version);
    out.extend(["<", operation, "Response xmlns=\"", &escape(ns), "\">"]);
    write_element(&mut out, &format!("{operation}Result"), result, value)?;
    out.extend(["</", operation, "Response>"]);
    close_envelope(&mut out, prefix);
    Ok(out)
}

fn write_element(out: &mut String, name: &str, ty: &XsdType, value: &Value) -> Result<(), Error> {
    open_tag(out, name);
    match (ty, value) {
        // A raw carriage return would reach the client as a line feed (XML end-of-line
        // handling); as a character reference it arrives intact.
        (XsdType::String, Value::Str(s)) => {
            let escaped = escape(s.as_str());
            if escaped.contains('\r') {
                out.push_str(&escaped.replace('\r', "&#13;"));
            } else {
                out.push_str(&escaped);
            }
        }
        (XsdType::Int, Value::Int(n)) => {
            let _ = write!(out, "{n}");
        }
        (XsdType::Short, Value::Short(n)) => {
            let _ = write!(out, "{n}");
        }
        (XsdType::Long, Value::Long(n)) => {
            let _ = write!(out, "{n}");
        }
        (XsdType::UnsignedByte, Value::UnsignedByte(n)) => {
            let _ = write!(out, "{n}");
        }
        (XsdType::Base64Binary, Value::Bytes(b)) => BASE64.encode_string(b, out),
        (XsdType::DataSet, Value::DataSet(xml)) => out.push_str(xml),
        (XsdType::Boolean, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (XsdType::Float, Value::Float(x)) => {
            let _ = write!(out, "{x}");
        }
        (XsdType::DateTime, Value::DateTime(t)) => push_datetime(out, *t),
        (XsdType::DateTime, Value::UnsetDateTime) => out.push_str(UNSET_DATETIME),
        (XsdType::Enum(e), Value::Enum(v)) if e.values.contains(v) => out.push_str(v),
        (XsdType::Complex(c), Value::Record(fields)) => write_record(out, c, fields)?,
        (XsdType::Array(item), Value::List(items)) => {
            for v in items {
                write_element(out, item.name, &XsdType::Complex(item), v)?;
            }
        }
        (XsdType::SimpleArray(array), Value::List(items)) => {
            for v in items {
                write_element(out, array.item, &array.ty, v)?;
            }
        }
        _ => return Err(mismatch(name)),
    }
    close_tag(out, name);
    Ok(())
}

fn write_record(
    out: &mut String,
    ty: &ComplexType,
    fields: &[(&'static str, Value)],
) -> Result<(), Error> {
    let mut written = 0;
    for field in ty.fields {
        match fields.iter().find(|(n, _)| *n == field.name) {
            Some((_, v)) => {
                write_element(out, field.name, &field.ty, v)?;
                written += 1;
            }
            None if field.min_occurs() == 0 => {}
            None => return Err(mismatch(field.name)),
        }
    }
    // A field the type lacks (a misspelt name) would otherwise vanish from the response.
    if written != fields.len() {
        let stray = fields
            .iter()
            .find(|(n, _)| !ty.fields.iter().any(|f| f.name == *n))
            .map_or(ty.name, |(n, _)| *n);
        return Err(mismatch(stray));
    }
    Ok(())
}

fn mismatch(name: &str) -> Error {
    tracing::error!(
        element = name,
        "a handler's value does not fit its declared type"
    );
    Error::Internal
}

/// A fault in the caller's SOAP version, with the category and the four legacy elements.
pub fn fault_envelope(version: SoapVersion, error: &Error) -> String {
    let mut out = String::with_capacity(768);
    let prefix = open_envelope(&mut out, version);
    let text = escape(error.to_string()).into_owned();
    let legacy = error.legacy_code();
    let detail = format!(
        "<ECGridOSSOAPErrorCode>{}</ECGridOSSOAPErrorCode><ErrorCode>{}</ErrorCode><ErrorString>{}</ErrorString><ErrorItem>{}</ErrorItem><ErrorMessage>{text}</ErrorMessage>",
        error.category().as_str(),
        legacy.number(),
        legacy.as_str(),
        escape(error.item()),
    );
    match version {
        SoapVersion::Soap11 => {
            let code = if error.is_client_fault() {
                "Client"
            } else {
                "Server"
            };
            let _ = write!(
                out,
                "<soap:Fault><faultcode>soap:{code}</faultcode><faultstring>{text}</faultstring><detail>{detail}</detail></soap:Fault>"
            );
        }
        SoapVersion::Soap12 => {
            let code = if error.is_client_fault() {
                "Sender"
            } else {
                "Receiver"
            };
            let _ = write!(
                out,
                r#"<soap12:Fault><soap12:Code><soap12:Value>soap12:{code}</soap12:Value></soap12:Code><soap12:Reason><soap12:Text xml:lang="en">{text}</soap12:Text></soap12:Reason><soap12:Detail>{detail}</soap12:Detail></soap12:Fault>"#
            );
        }
    }
    close_envelope(&mut out, prefix);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn datetimes_are_written_as_the_general_formatter_writes_them() {
        let mut instants: Vec<DateTime<Utc>> = vec![
            Utc.with_ymd_and_hms(1, 1, 1, 0, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(9999, 12, 31, 23, 59, 59).unwrap(),
            Utc.with_ymd_and_hms(2024, 2, 29, 12, 5, 9).unwrap(),
            DateTime::<Utc>::MIN_UTC,
            DateTime::<Utc>::MAX_UTC,
            // Fractions are not written.
            Utc.timestamp_millis_opt(1_790_000_000_999).unwrap(),
        ];
        // A spread of instants over four centuries, every few hours and seconds.
        let mut t = Utc.with_ymd_and_hms(1900, 1, 1, 0, 0, 0).unwrap();
        while t.year() < 2300 {
            instants.push(t);
            t += chrono::Duration::seconds(7_777_777);
        }
        for t in instants {
            let mut out = String::new();
            push_datetime(&mut out, t);
            assert_eq!(out, format_datetime(t), "{t:?}");
        }
    }
}

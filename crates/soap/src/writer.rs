//! Writes response and fault envelopes.

use std::fmt::Write as _;

use edigrid_domain::Error;
use quick_xml::escape::escape;

use crate::envelope::SoapVersion;
use crate::schema::{ComplexType, UNSET_DATETIME, Value, XsdType, format_datetime};

fn open_envelope(out: &mut String, version: SoapVersion) -> &'static str {
    let prefix = match version {
        SoapVersion::Soap11 => "soap",
        SoapVersion::Soap12 => "soap12",
    };
    let _ = write!(
        out,
        r#"<?xml version="1.0" encoding="utf-8"?><{prefix}:Envelope xmlns:{prefix}="{}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><{prefix}:Body>"#,
        version.envelope_ns()
    );
    prefix
}

fn close_envelope(out: &mut String, prefix: &str) {
    let _ = write!(out, "</{prefix}:Body></{prefix}:Envelope>");
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
    let _ = write!(out, r#"<{operation}Response xmlns="{}">"#, escape(ns));
    write_element(&mut out, &format!("{operation}Result"), result, value)?;
    let _ = write!(out, "</{operation}Response>");
    close_envelope(&mut out, prefix);
    Ok(out)
}

fn write_element(out: &mut String, name: &str, ty: &XsdType, value: &Value) -> Result<(), Error> {
    let _ = write!(out, "<{name}>");
    match (ty, value) {
        // A raw carriage return would reach the client as a line feed (XML end-of-line
        // handling); as a character reference it arrives intact.
        (XsdType::String, Value::Str(s)) => {
            out.push_str(&escape(s.as_str()).replace('\r', "&#13;"))
        }
        (XsdType::Int, Value::Int(n)) => {
            let _ = write!(out, "{n}");
        }
        (XsdType::Short, Value::Short(n)) => {
            let _ = write!(out, "{n}");
        }
        (XsdType::Boolean, Value::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (XsdType::Float, Value::Float(x)) => {
            let _ = write!(out, "{x}");
        }
        (XsdType::DateTime, Value::DateTime(t)) => out.push_str(&format_datetime(*t)),
        (XsdType::DateTime, Value::UnsetDateTime) => out.push_str(UNSET_DATETIME),
        (XsdType::Enum(e), Value::Enum(v)) if e.values.contains(v) => out.push_str(v),
        (XsdType::Complex(c), Value::Record(fields)) => write_record(out, c, fields)?,
        (XsdType::Array(item), Value::List(items)) => {
            for v in items {
                write_element(out, item.name, &XsdType::Complex(item), v)?;
            }
        }
        _ => return Err(mismatch(name)),
    }
    let _ = write!(out, "</{name}>");
    Ok(())
}

fn write_record(
    out: &mut String,
    ty: &ComplexType,
    fields: &[(&'static str, Value)],
) -> Result<(), Error> {
    for field in ty.fields {
        match fields.iter().find(|(n, _)| *n == field.name) {
            Some((_, v)) => write_element(out, field.name, &field.ty, v)?,
            None if field.min_occurs() == 0 => {}
            None => return Err(mismatch(field.name)),
        }
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

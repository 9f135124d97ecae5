//! The ASP.NET-style help pages: the list of operations, and for one operation sample
//! SOAP 1.1 and 1.2 requests and responses, all derived from the operation table.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use crate::envelope::SoapVersion;
use crate::operations::{Dialect, Operation};
use crate::schema::{Field, XsdType};

const STYLE: &str = "body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}pre{background:#f4f4f4;padding:1em;overflow:auto}";

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{0}</title><style>{STYLE}</style></head><body><h1>{0}</h1>{body}</body></html>"#,
        escape(title)
    )
}

pub fn operation_list(dialect: &Dialect, path: &str) -> String {
    let mut body = format!(
        r#"<p>ECGridOS v4.1 web service served by edigrid. The service description is the <a href="{path}?WSDL">WSDL</a>.</p><p>Operations:</p><ul>"#
    );
    for op in dialect.operations {
        let _ = write!(
            body,
            r#"<li><a href="{path}?op={0}">{0}</a><br>{1}</li>"#,
            op.name,
            escape(op.doc)
        );
    }
    body.push_str("</ul>");
    page("ECGridOS", &body)
}

pub fn operation_page(dialect: &Dialect, op: &Operation, path: &str, host: &str) -> String {
    let mut body = format!(
        r#"<p><a href="{path}">All operations</a></p><p>{}</p>"#,
        escape(op.doc)
    );
    for version in [SoapVersion::Soap11, SoapVersion::Soap12] {
        let (label, headers) = match version {
            SoapVersion::Soap11 => (
                "SOAP 1.1",
                format!(
                    "Content-Type: text/xml; charset=utf-8\nContent-Length: length\nSOAPAction: \"{}{}\"",
                    dialect.ns, op.name
                ),
            ),
            SoapVersion::Soap12 => (
                "SOAP 1.2",
                "Content-Type: application/soap+xml; charset=utf-8\nContent-Length: length"
                    .to_string(),
            ),
        };
        let request = sample_envelope(version, &sample_element(op.name, dialect.ns, op.params));
        let result = [Field::new("", op.result)];
        let response = sample_envelope(
            version,
            &sample_element(&format!("{}Response", op.name), dialect.ns, &[]).replace(
                "/>",
                &format!(
                    ">\n      {}\n    </{}Response>",
                    sample_value(&format!("{}Result", op.name), &result[0].ty, 3),
                    op.name
                ),
            ),
        );
        let _ = write!(
            body,
            "<h2>{label}</h2><p>A sample request and response. Replace the placeholders with real values.</p><pre>{}</pre><pre>{}</pre>",
            escape(format!(
                "POST {path} HTTP/1.1\nHost: {host}\n{headers}\n\n{request}"
            )),
            escape(format!(
                "HTTP/1.1 200 OK\nContent-Type: {}\nContent-Length: length\n\n{response}",
                version.content_type()
            ))
        );
    }
    page(op.name, &body)
}

fn sample_envelope(version: SoapVersion, inner: &str) -> String {
    let prefix = match version {
        SoapVersion::Soap11 => "soap",
        SoapVersion::Soap12 => "soap12",
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<{prefix}:Envelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" xmlns:{prefix}=\"{}\">\n  <{prefix}:Body>\n    {inner}\n  </{prefix}:Body>\n</{prefix}:Envelope>",
        version.envelope_ns()
    )
}

fn sample_element(name: &str, ns: &str, fields: &[Field]) -> String {
    if fields.is_empty() {
        return format!("<{name} xmlns=\"{ns}\" />");
    }
    let mut out = format!("<{name} xmlns=\"{ns}\">");
    for f in fields {
        let _ = write!(out, "\n      {}", sample_value(f.name, &f.ty, 3));
    }
    let _ = write!(out, "\n    </{name}>");
    out
}

fn sample_value(name: &str, ty: &XsdType, depth: usize) -> String {
    let indent = "  ".repeat(depth + 1);
    let close = "  ".repeat(depth);
    match ty {
        XsdType::Complex(c) => {
            let inner: String = c
                .fields
                .iter()
                .map(|f| format!("\n{indent}{}", sample_value(f.name, &f.ty, depth + 1)))
                .collect();
            format!("<{name}>{inner}\n{close}</{name}>")
        }
        XsdType::Array(c) => {
            let item = sample_value(c.name, &XsdType::Complex(c), depth + 1);
            format!("<{name}>\n{indent}{item}\n{indent}{item}\n{close}</{name}>")
        }
        XsdType::SimpleArray(a) => {
            let item = sample_value(a.item, &a.ty, depth + 1);
            format!("<{name}>\n{indent}{item}\n{indent}{item}\n{close}</{name}>")
        }
        simple => format!("<{name}>{}</{name}>", simple.sample()),
    }
}

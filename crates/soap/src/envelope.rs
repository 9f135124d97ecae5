//! Reads a SOAP request envelope: which SOAP version, which operation, and the text of the
//! operation's child elements. Nothing else of the document is kept.

use edigrid_domain::{Error, ParamProblem};
use quick_xml::NsReader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;
use quick_xml::name::ResolveResult;

pub const SOAP11_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub const SOAP12_NS: &str = "http://www.w3.org/2003/05/soap-envelope";
/// Deepest element nesting accepted; deeper documents are refused before they cost more.
pub const MAX_DEPTH: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoapVersion {
    Soap11,
    Soap12,
}

impl SoapVersion {
    pub fn envelope_ns(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => SOAP11_NS,
            SoapVersion::Soap12 => SOAP12_NS,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            SoapVersion::Soap11 => "text/xml; charset=utf-8",
            SoapVersion::Soap12 => "application/soap+xml; charset=utf-8",
        }
    }
}

/// One child element of the operation element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Param {
    /// Its namespace, `None` when unqualified.
    pub ns: Option<String>,
    pub name: String,
    pub text: String,
    /// True when it held elements rather than text; simple parameters never do.
    pub has_children: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapRequest {
    pub version: SoapVersion,
    /// Namespace of the operation element (empty when unqualified).
    pub ns: String,
    pub operation: String,
    pub params: Vec<Param>,
}

fn malformed(detail: impl Into<String>) -> Error {
    Error::invalid("Envelope", ParamProblem::Value, detail)
}

/// What the reader learnt before it failed: the envelope's version if it got that far,
/// so the fault can be written in the caller's SOAP version.
#[derive(Debug)]
pub struct ReadFailure {
    pub version: Option<SoapVersion>,
    pub error: Error,
}

pub fn read_request(body: &[u8]) -> Result<SoapRequest, ReadFailure> {
    let fail = |version, error| ReadFailure { version, error };
    let text = std::str::from_utf8(body)
        .map_err(|_| fail(None, malformed("the request is not UTF-8 text")))?;
    // quick-xml does not check XML's character range, and names, namespaces and text of the
    // request can end up in a fault, which must stay well-formed.
    if let Some(c) = first_non_xml_char(text) {
        return Err(fail(
            None,
            malformed(format!(
                "the character U+{:04X} is not allowed in XML",
                u32::from(c)
            )),
        ));
    }
    let mut reader = NsReader::from_str(text);
    reader.config_mut().expand_empty_elements = true;

    let mut version = None;
    let mut depth = 0usize;
    let mut in_body = false;
    let mut seen_body = false;
    let mut operation: Option<(String, String)> = None;
    let mut params: Vec<Param> = Vec::new();
    // Depth of the envelope's Body element's children: Envelope=1, Body=2, operation=3.
    const OP_DEPTH: usize = 3;
    const PARAM_DEPTH: usize = 4;
    let mut in_operation = false;

    loop {
        let (ns, event) = reader.read_resolved_event().map_err(|e| {
            fail(
                version,
                malformed(format!("the XML is not well-formed: {e}")),
            )
        })?;
        match event {
            Event::DocType(_) => {
                return Err(fail(version, malformed("a DOCTYPE is not allowed")));
            }
            Event::Decl(decl) => {
                if let Some(Ok(enc)) = decl.encoding()
                    && !enc.eq_ignore_ascii_case("utf-8")
                {
                    return Err(fail(version, malformed("only UTF-8 is accepted")));
                }
            }
            Event::Start(start) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(fail(
                        version,
                        malformed(format!("elements are nested deeper than {MAX_DEPTH}")),
                    ));
                }
                let ns: Option<&str> = match ns {
                    ResolveResult::Bound(n) => Some(n.0),
                    ResolveResult::Unbound => None,
                    ResolveResult::Unknown(prefix) => {
                        return Err(fail(
                            version,
                            malformed(format!("the namespace prefix {prefix:?} is not declared")),
                        ));
                    }
                };
                let local_name = start.local_name();
                let local = local_name.as_ref();
                // A name or namespace is copied only when it is kept (the operation and its
                // parameters).
                let owned = str::to_string;
                match depth {
                    1 if version.is_some() => {
                        return Err(fail(
                            version,
                            malformed("the document has more than one root element"),
                        ));
                    }
                    1 => {
                        version = match (ns, local) {
                            (Some(SOAP11_NS), "Envelope") => Some(SoapVersion::Soap11),
                            (Some(SOAP12_NS), "Envelope") => Some(SoapVersion::Soap12),
                            _ => {
                                return Err(fail(
                                    None,
                                    malformed("the root element is not a SOAP 1.1 or 1.2 Envelope"),
                                ));
                            }
                        }
                    }
                    2 => {
                        let env_ns = version.map(SoapVersion::envelope_ns);
                        if local == "Body" && ns == env_ns {
                            if seen_body {
                                return Err(fail(
                                    version,
                                    malformed("the Envelope has two Body elements"),
                                ));
                            }
                            in_body = true;
                            seen_body = true;
                        }
                    }
                    // WS-I Basic Profile R9981: the Body holds one element, the operation.
                    // A second one is refused outright rather than ignored.
                    OP_DEPTH if in_body && operation.is_some() => {
                        return Err(fail(
                            version,
                            malformed(
                                "the Body must hold exactly one element, the operation; it holds more than one",
                            ),
                        ));
                    }
                    OP_DEPTH if in_body => {
                        operation = Some((ns.map(owned).unwrap_or_default(), owned(local)));
                        in_operation = true;
                    }
                    PARAM_DEPTH if in_operation => params.push(Param {
                        ns: ns.map(owned),
                        name: owned(local),
                        text: String::new(),
                        has_children: false,
                    }),
                    d if d > PARAM_DEPTH && in_operation => {
                        if let Some(p) = params.last_mut() {
                            p.has_children = true;
                        }
                    }
                    _ => {}
                }
            }
            Event::End(_) => {
                match depth {
                    2 => in_body = false,
                    OP_DEPTH => in_operation = false,
                    _ => {}
                }
                depth = depth.saturating_sub(1);
            }
            Event::Text(t) => {
                if let Some(p) = param_text(depth, in_operation, &mut params) {
                    p.push_str(&t.xml10_content());
                } else if depth <= 2 && !t.xml10_content().trim().is_empty() {
                    return Err(fail(
                        version,
                        malformed("text is not allowed outside elements"),
                    ));
                }
            }
            Event::CData(t) => {
                if let Some(p) = param_text(depth, in_operation, &mut params) {
                    p.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) if is_xml_char(c) => c.to_string(),
                    Ok(Some(_)) => {
                        return Err(fail(
                            version,
                            malformed("a character reference names a character XML does not allow"),
                        ));
                    }
                    Ok(None) => resolve_predefined_entity(&r.xml10_content())
                        .map(str::to_string)
                        .ok_or_else(|| {
                            fail(version, malformed("only the five XML entities are allowed"))
                        })?,
                    Err(_) => {
                        return Err(fail(
                            version,
                            malformed("a character reference is not valid"),
                        ));
                    }
                };
                if let Some(p) = param_text(depth, in_operation, &mut params) {
                    p.push_str(&resolved);
                }
            }
            Event::Eof if depth > 0 => {
                return Err(fail(
                    version,
                    malformed("the document ends before its elements are closed"),
                ));
            }
            Event::Eof => break,
            Event::Empty(_) | Event::Comment(_) | Event::PI(_) => {}
        }
    }

    let Some(version) = version else {
        return Err(fail(None, malformed("there is no SOAP Envelope")));
    };
    if !seen_body {
        return Err(fail(Some(version), malformed("the Envelope has no Body")));
    }
    let Some((ns, operation)) = operation else {
        return Err(fail(
            Some(version),
            malformed("the Body is empty: no operation was named"),
        ));
    };
    Ok(SoapRequest {
        version,
        ns,
        operation,
        params,
    })
}

/// The first character of `text` outside XML's range. Envelopes are nearly always ASCII, so
/// bytes are checked first and characters only decoded when a non-ASCII byte appears.
fn first_non_xml_char(text: &str) -> Option<char> {
    let ascii_ok = |b: &u8| *b >= 0x20 && *b < 0x80 || matches!(*b, b'\t' | b'\n' | b'\r');
    if text.as_bytes().iter().all(ascii_ok) {
        return None;
    }
    text.chars().find(|c| !is_xml_char(*c))
}

/// XML 1.0's `Char` production: tab, line feed, carriage return and everything from space
/// up, less the surrogates (which `char` cannot hold) and U+FFFE and U+FFFF.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// The text buffer of the parameter being read, if the reader is directly inside one.
fn param_text(depth: usize, in_operation: bool, params: &mut [Param]) -> Option<&mut String> {
    if in_operation && depth == 4 {
        params
            .last_mut()
            .filter(|p| !p.has_children)
            .map(|p| &mut p.text)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env11(body: &str) -> String {
        format!(
            r#"<?xml version="1.0" encoding="utf-8"?><s:Envelope xmlns:s="{SOAP11_NS}"><s:Body>{body}</s:Body></s:Envelope>"#
        )
    }

    #[test]
    fn reads_operation_and_params_with_any_prefix() {
        let xml = env11(
            r#"<e:SessionInfo xmlns:e="http://www.ecgridos.net/"><!-- c --> <e:SessionID> A&amp;B&#x41; </e:SessionID><Extra><x/></Extra></e:SessionInfo>"#,
        );
        let req = read_request(xml.as_bytes()).unwrap();
        assert_eq!(req.version, SoapVersion::Soap11);
        assert_eq!(
            (req.ns.as_str(), req.operation.as_str()),
            ("http://www.ecgridos.net/", "SessionInfo")
        );
        assert_eq!(req.params[0].text, " A&BA ");
        assert_eq!(
            req.params[0].ns.as_deref(),
            Some("http://www.ecgridos.net/")
        );
        assert!(req.params[1].has_children);
    }

    #[test]
    fn refuses_a_body_with_more_than_one_element() {
        let ns = "http://www.ecgridos.net/";
        for body in [
            format!("<Version xmlns='{ns}'/><Version xmlns='{ns}'/>"),
            format!("<Logout xmlns='{ns}'><SessionID>x</SessionID></Logout><!-- c --> <Other/>"),
            format!("<Version xmlns='{ns}'/><x:Extra xmlns:x='urn:x'><y/></x:Extra>"),
        ] {
            let failure = read_request(env11(&body).as_bytes()).unwrap_err();
            assert_eq!(failure.version, Some(SoapVersion::Soap11));
            assert_eq!(
                failure.error.legacy_code(),
                edigrid_domain::LegacyCode::DataError
            );
            assert!(failure.error.is_client_fault());
            assert!(
                failure.error.to_string().contains("exactly one element"),
                "{}",
                failure.error
            );
        }
        // Whitespace and comments beside the one element are fine.
        let one = format!(" <!-- c --> <Version xmlns='{ns}'/> \n ");
        assert_eq!(
            read_request(env11(&one).as_bytes()).unwrap().operation,
            "Version"
        );
    }

    #[test]
    fn refuses_doctype_depth_and_wrong_envelope() {
        let doctype = format!(
            "<!DOCTYPE x [<!ENTITY a 'b'>]>{}",
            env11("<Version xmlns='http://www.ecgridos.net/'/>")
        );
        assert!(read_request(doctype.as_bytes()).is_err());
        let deep = env11(&format!("{}{}", "<a>".repeat(70), "</a>".repeat(70)));
        assert!(read_request(deep.as_bytes()).is_err());
        let wrong = r#"<Envelope xmlns="urn:nope"><Body><Version/></Body></Envelope>"#;
        let failure = read_request(wrong.as_bytes()).unwrap_err();
        assert!(failure.version.is_none());
        assert!(read_request(env11("").as_bytes()).is_err());
        assert!(read_request(b"\xff\xfe<a/>").is_err());
        assert!(read_request(env11("<a>&custom;</a>").as_bytes()).is_err());
    }
}

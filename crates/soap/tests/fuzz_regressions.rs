//! Inputs the `soap_request` fuzz target found, kept so that they stay fixed. Each test
//! feeds the input to the reader as the endpoint does and checks what comes out.

use edigrid_domain::{Error, LegacyCode, ParamProblem};
use edigrid_soap::envelope::{SoapVersion, read_request};
use edigrid_soap::fault_envelope;

/// A Version call whose operation namespace holds a control character (U+0006). The reader
/// accepted it, and the endpoint's "not an operation" fault quoted the namespace verbatim,
/// so the fault itself was not well-formed XML that a client could read.
#[test]
fn control_character_in_namespace_is_refused() {
    let input = "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><Version xmlns=\"http://ww\u{6}.ecgridos.net/\"></Version></soap:Body></soap:Envelope>";
    let failure = read_request(input.as_bytes()).expect_err("U+0006 is not an XML character");
    assert_eq!(failure.error.legacy_code(), LegacyCode::DataError);
    assert_eq!(failure.error.item(), "Envelope");
    assert!(failure.error.to_string().contains("U+0006"));
    let fault = fault_envelope(
        failure.version.unwrap_or(SoapVersion::Soap11),
        &failure.error,
    );
    roxmltree::Document::parse(&fault).expect("the fault is well-formed");
}

/// What made the fault unreadable, shown directly: a fault quoting such text is not XML.
/// (This is why the reader must refuse it: the writer escapes markup, not control characters.)
#[test]
fn a_fault_quoting_a_control_character_would_be_malformed() {
    let error = Error::invalid("Version", ParamProblem::Value, "{urn:\u{6}}Version");
    let fault = fault_envelope(SoapVersion::Soap11, &error);
    assert!(roxmltree::Document::parse(&fault).is_err());
}

/// The same character written as a reference (`&#6;`) in a parameter is refused too, as is
/// any reference to a non-character such as U+FFFE; allowed references still read.
#[test]
fn references_to_non_xml_characters_are_refused() {
    let with = |value: &str| {
        format!(
            "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\"><s:Body><SessionInfo xmlns=\"http://www.ecgridos.net/\"><SessionID>{value}</SessionID></SessionInfo></s:Body></s:Envelope>"
        )
    };
    for bad in ["&#6;", "&#x1F;", "&#xFFFE;", "a&#x0B;b"] {
        let failure = read_request(with(bad).as_bytes()).expect_err(bad);
        assert_eq!(failure.version, Some(SoapVersion::Soap12), "{bad}");
        assert_eq!(failure.error.legacy_code(), LegacyCode::DataError, "{bad}");
    }
    let ok = read_request(with("&#9;&#x41;&#x1F600;").as_bytes()).expect("allowed references");
    assert_eq!(ok.params[0].text, "\tA\u{1F600}");
    let raw = read_request(with("x\u{1}y").as_bytes()).expect_err("raw U+0001");
    assert!(raw.error.to_string().contains("U+0001"));
}

/// Not a fuzzer finding but one made while reading its results: a second root element
/// after a complete envelope was read, and its namespace silently replaced the first
/// envelope's SOAP version. A document has exactly one root; this one is malformed.
#[test]
fn a_second_root_element_is_refused() {
    let input = "<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><Version xmlns=\"http://www.ecgridos.net/\"/></s:Body></s:Envelope><t:Envelope xmlns:t=\"http://www.w3.org/2003/05/soap-envelope\"></t:Envelope>";
    let failure = read_request(input.as_bytes()).expect_err("two roots");
    assert_eq!(failure.version, Some(SoapVersion::Soap11));
    assert_eq!(failure.error.legacy_code(), LegacyCode::DataError);
    assert!(failure.error.to_string().contains("root"));
    // Comments and whitespace after the root are still fine.
    let trailing = input.replace(
        "<t:Envelope xmlns:t=\"http://www.w3.org/2003/05/soap-envelope\"></t:Envelope>",
        "\n<!-- end -->\n",
    );
    assert_eq!(
        read_request(trailing.as_bytes()).expect("one root").version,
        SoapVersion::Soap11
    );
}

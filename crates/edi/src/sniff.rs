//! What a parcel without an envelope is.

use crate::DocumentKind;

/// Sniffs the kind of a document without envelope: `<?xml` or `<` → XML, `%PDF` → PDF,
/// printable text → TXT, anything else → Binary. Leading whitespace and a UTF-8 byte order
/// mark are skipped for the first two.
pub fn sniff(data: &[u8]) -> DocumentKind {
    let body = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
    let body = &body[crate::scan::skip_space(body, 0)..];
    if body.starts_with(b"<") {
        return DocumentKind::Xml;
    }
    if body.starts_with(b"%PDF") {
        return DocumentKind::Pdf;
    }
    let printable = |c: char| !c.is_control() || matches!(c, '\t' | '\n' | '\r' | '\x0C');
    match std::str::from_utf8(data) {
        Ok(text) if text.chars().all(printable) => DocumentKind::Txt,
        _ => DocumentKind::Binary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_four_kinds() {
        assert_eq!(sniff(b"<?xml version=\"1.0\"?><a/>"), DocumentKind::Xml);
        assert_eq!(sniff(b"\xEF\xBB\xBF  <Invoice/>"), DocumentKind::Xml);
        assert_eq!(sniff(b"%PDF-1.7\n\x00\xFF"), DocumentKind::Pdf);
        assert_eq!(
            sniff("Grüße,\r\n\tthe team\n".as_bytes()),
            DocumentKind::Txt
        );
        assert_eq!(sniff(b""), DocumentKind::Txt);
        assert_eq!(sniff(b"PK\x03\x04zip"), DocumentKind::Binary);
        assert_eq!(sniff(b"caf\xE9"), DocumentKind::Binary);
        assert_eq!(sniff(b"bell\x07"), DocumentKind::Binary);
    }
}

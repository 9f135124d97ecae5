//! SPEC-VAN 15, parcels: several interchanges of any standards, whitespace between them,
//! anything else invalid, and parcels without envelope.

use edigrid_edi::{DocumentKind, ParcelVerdict, Reason, Standard, Verdict, read_parcel};

use crate::support::{edifact, invalid_at, x12_850};

fn unexpected(offset: usize, place: &'static str) -> ParcelVerdict {
    ParcelVerdict::Invalid {
        offset,
        reason: Reason::UnexpectedBytes { place },
    }
}

#[test]
fn interchanges_of_both_standards_follow_each_other_with_or_without_whitespace() {
    let parts = [
        x12_850("000000001"),
        edifact("E1"),
        x12_850("000000002"),
        edifact("E2"),
    ];
    for gap in ["", "\n", "\r\n", " \t\r\n\x0b\x0c "] {
        let parcel = format!("{gap}{}{gap}", parts.join(gap));
        let reading = read_parcel(parcel.as_bytes());
        assert_eq!(reading.verdict, ParcelVerdict::Enveloped, "gap {gap:?}");
        let found: Vec<_> = reading
            .interchanges
            .iter()
            .map(|ic| (ic.standard, &parcel[ic.range.clone()]))
            .collect();
        let expected: Vec<_> = parts
            .iter()
            .zip([
                Standard::X12,
                Standard::Edifact,
                Standard::X12,
                Standard::Edifact,
            ])
            .map(|(p, s)| (s, p.as_str()))
            .collect();
        assert_eq!(found, expected, "gap {gap:?}");
        assert!(
            reading
                .interchanges
                .iter()
                .all(|ic| ic.verdict == Verdict::Valid)
        );
    }
}

#[test]
fn bytes_between_interchanges_make_the_parcel_invalid_but_all_are_still_read() {
    let first = x12_850("000000001");
    let parcel = format!("{first}\nX-GARBAGE\n{}", edifact("E1"));
    let reading = read_parcel(parcel.as_bytes());
    assert_eq!(
        reading.verdict,
        unexpected(first.len() + 1, "between interchanges")
    );
    assert_eq!(reading.interchanges.len(), 2);
    assert!(
        reading
            .interchanges
            .iter()
            .all(|ic| ic.verdict == Verdict::Valid)
    );
    let ParcelVerdict::Invalid { reason, .. } = reading.verdict else {
        unreachable!()
    };
    assert_eq!(reason.to_string(), "unexpected bytes between interchanges");
}

#[test]
fn bytes_before_the_first_interchange() {
    let parcel = format!("\u{feff}{}", x12_850("000000001"));
    let reading = read_parcel(parcel.as_bytes());
    assert_eq!(
        reading.verdict,
        unexpected(0, "before the first interchange")
    );
    assert_eq!(reading.interchanges.len(), 1);
    assert_eq!(reading.interchanges[0].range.start, 3);

    let parcel = format!("  Subject: orders\r\n{}", edifact("E1"));
    assert_eq!(
        read_parcel(parcel.as_bytes()).verdict,
        unexpected(2, "before the first interchange")
    );
}

#[test]
fn bytes_after_the_last_interchange() {
    let first = x12_850("000000001");
    for tail in ["\0", "\x1a", "END", "IS"] {
        let parcel = format!("{first}\r\n{tail}");
        let reading = read_parcel(parcel.as_bytes());
        assert_eq!(
            reading.verdict,
            unexpected(first.len() + 2, "after the last interchange"),
            "{tail:?}"
        );
        assert_eq!(reading.interchanges.len(), 1);
    }
}

#[test]
fn an_invalid_interchange_does_not_stop_the_others() {
    let broken = x12_850("000000001").replace("IEA*1*000000001", "IEA*1*000000002");
    let parcel = format!("{}{broken}{}", edifact("E1"), x12_850("000000003"));
    let reading = read_parcel(parcel.as_bytes());
    assert_eq!(reading.verdict, ParcelVerdict::Enveloped);
    let valid: Vec<_> = reading
        .interchanges
        .iter()
        .map(|ic| ic.is_valid())
        .collect();
    assert_eq!(valid, [true, false, true]);
}

#[test]
fn a_header_that_cannot_be_read_spans_to_the_next_interchange() {
    let unreadable = format!("ISA*00*{}\n", "x".repeat(80));
    let parcel = format!("{unreadable}{}", x12_850("000000002"));
    let reading = read_parcel(parcel.as_bytes());
    assert_eq!(reading.verdict, ParcelVerdict::Enveloped);
    let [bad, good] = &reading.interchanges[..] else {
        panic!("{reading:#?}")
    };
    assert_eq!(bad.range, 0..unreadable.len());
    invalid_at(bad, 7);
    assert!(good.is_valid());
}

#[test]
fn parcels_without_envelope_are_sniffed() {
    let cases: [(&[u8], DocumentKind); 7] = [
        (b"<?xml version=\"1.0\"?><Order/>", DocumentKind::Xml),
        (
            b"\n  <Order>ISA*00*          *00*</Order>",
            DocumentKind::Xml,
        ),
        (b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n", DocumentKind::Pdf),
        (
            b"Dear partner,\nplease find the order attached.\n",
            DocumentKind::Txt,
        ),
        (b"\x89PNG\r\n\x1a\n\0\0", DocumentKind::Binary),
        (b"", DocumentKind::Txt),
        (b" \r\n", DocumentKind::Txt),
    ];
    for (parcel, document) in cases {
        let reading = read_parcel(parcel);
        assert_eq!(
            reading.verdict,
            ParcelVerdict::NoEnvelope { document },
            "{parcel:?}"
        );
        assert!(reading.interchanges.is_empty());
    }
}

#[test]
fn text_that_mentions_segment_tags_is_no_interchange() {
    let document = DocumentKind::Txt;
    for text in [
        "The VISA*ISA segment",
        "UNB and UNA are EDIFACT",
        "ISA",
        "UNB",
    ] {
        let parcel = format!("Notes: {text}");
        let reading = read_parcel(parcel.as_bytes());
        assert_eq!(
            reading.verdict,
            ParcelVerdict::NoEnvelope { document },
            "{text}"
        );
    }
    // A tag followed by a letter or digit is a word, not a header.
    for text in ["UNAVAILABLE until Monday", "ISAAC wrote this", "UNBOUND"] {
        let reading = read_parcel(text.as_bytes());
        assert_eq!(
            reading.verdict,
            ParcelVerdict::NoEnvelope { document },
            "{text}"
        );
    }
}

//! Interchanges written by independent generators (node-x12, pydifact; see
//! `tests/data/README.md`): the reader agrees with what those tools were asked to write.

use edigrid_edi::{
    Delimiters, EdifactDelimiters, Interchange, LineEnd, ParcelVerdict, Standard, Verdict,
    X12Delimiters, read_parcel,
};

use crate::support::only;

const NODE_X12_4010: &[u8] = include_bytes!("../data/node-x12-850-855-00401.x12");
const NODE_X12_5010: &[u8] = include_bytes!("../data/node-x12-837-00501-pipes-crlf.x12");
const PYDIFACT_DEFAULT: &[u8] = include_bytes!("../data/pydifact-orders-default.edi");
const PYDIFACT_UNA_LINES: &[u8] = include_bytes!("../data/pydifact-orders-una-lines.edi");
const PYDIFACT_LATIN1: &[u8] = include_bytes!("../data/pydifact-orders-latin1.edi");

fn clean(ic: &Interchange) {
    assert_eq!(ic.verdict, Verdict::Valid);
    assert!(ic.findings.is_empty());
    for g in &ic.groups {
        assert!(g.findings.is_empty(), "{:?}", g.findings);
        assert!(g.transactions.iter().all(|t| t.findings.is_empty()));
    }
    assert!(
        ic.transactions.iter().all(|t| t.findings.is_empty()),
        "{:?}",
        ic.transactions
    );
}

/// Per group (functional ID, or empty for loose messages): type, control number, segments.
type Summary = Vec<(String, Vec<(String, String, u64)>)>;

fn summary(ic: &Interchange) -> Summary {
    let tx = |t: &edigrid_edi::Transaction| {
        (
            t.kind.to_string(),
            t.control_number.to_string(),
            t.segments.found,
        )
    };
    let mut out: Vec<_> = ic
        .groups
        .iter()
        .map(|g| {
            (
                g.functional_id.to_string(),
                g.transactions.iter().map(tx).collect(),
            )
        })
        .collect();
    if !ic.transactions.is_empty() {
        out.push((String::new(), ic.transactions.iter().map(tx).collect()));
    }
    out
}

#[test]
fn node_x12_two_groups_in_00401() {
    let ic = only(NODE_X12_4010);
    clean(&ic);
    assert_eq!(ic.range, 0..NODE_X12_4010.len());
    assert_eq!(
        (ic.sender.qualifier.to_string(), ic.sender.id.to_string()),
        ("ZZ".into(), "NODEX12SENDER  ".into())
    );
    assert_eq!(
        (ic.receiver.qualifier.to_string(), ic.receiver.id.trimmed()),
        ("01".into(), &b"123456789"[..])
    );
    assert_eq!(
        (ic.control_number.to_string(), ic.version.to_string()),
        ("000004711".into(), "00401".into())
    );
    assert_eq!(
        (
            ic.date.to_string(),
            ic.time.to_string(),
            ic.usage.to_string()
        ),
        ("240315".into(), "0930".into(), "P".into())
    );
    assert!(ic.wants_ack());
    let d = X12Delimiters {
        element: b'*',
        sub_element: b'>',
        repetition: None,
        segment: b'~',
        line_end: LineEnd::None,
    };
    assert_eq!(ic.delimiters, Some(Delimiters::X12(d)));
    assert_eq!(
        summary(&ic),
        [
            (
                "PO".into(),
                vec![
                    ("850".into(), "0001".into(), 5),
                    ("850".into(), "0002".into(), 3)
                ]
            ),
            ("PR".into(), vec![("855".into(), "0003".into(), 3)]),
        ]
    );
    assert_eq!(ic.groups[1].control_number, "4712");
}

#[test]
fn node_x12_00501_with_pipes_repetition_and_crlf() {
    let ic = only(NODE_X12_5010);
    clean(&ic);
    let d = X12Delimiters {
        element: b'|',
        sub_element: b':',
        repetition: Some(b'^'),
        segment: b'~',
        line_end: LineEnd::CrLf,
    };
    assert_eq!(ic.delimiters, Some(Delimiters::X12(d)));
    // node-x12 writes no line end after the last segment: the interchange ends at IEA's `~`.
    assert_eq!(ic.range, 0..NODE_X12_5010.len());
    assert_eq!(ic.groups[0].version, "005010X222A1");
    assert_eq!(ic.groups[0].transactions[0].version, "005010X222A1");
    assert_eq!(
        summary(&ic),
        [("HC".into(), vec![("837".into(), "0042".into(), 5)])]
    );
}

#[test]
fn pydifact_defaults_with_released_characters() {
    let ic = only(PYDIFACT_DEFAULT);
    clean(&ic);
    assert_eq!(ic.standard, Standard::Edifact);
    assert_eq!(
        ic.delimiters,
        Some(Delimiters::Edifact(EdifactDelimiters::LEVEL_A))
    );
    assert_eq!(
        (ic.sender.id.to_string(), ic.sender.qualifier.to_string()),
        ("PYDIFACTSENDER".into(), "14".into())
    );
    assert_eq!(
        (
            ic.receiver.id.to_string(),
            ic.receiver.qualifier.to_string()
        ),
        ("RECIPIENT".into(), "ZZ".into())
    );
    assert_eq!(ic.control_number, "REF+1", "pydifact released the +");
    assert_eq!(
        (ic.date.to_string(), ic.time.to_string()),
        ("240315".into(), "0930".into())
    );
    assert_eq!(
        summary(&ic),
        [(
            String::new(),
            vec![
                ("ORDERS".into(), "M1".into(), 6),
                ("ORDERS".into(), "M2".into(), 6)
            ]
        )]
    );
}

#[test]
fn pydifact_una_with_other_characters_one_segment_per_line() {
    let ic = only(PYDIFACT_UNA_LINES);
    clean(&ic);
    let Some(Delimiters::Edifact(d)) = ic.delimiters else {
        panic!("{:?}", ic.delimiters)
    };
    assert_eq!(d.service_string(), *b"|^.! ~");
    assert_eq!((d.line_end, d.una), (LineEnd::Lf, true));
    assert_eq!(ic.range, 0..PYDIFACT_UNA_LINES.len());
    assert_eq!(ic.control_number, "UNA^REF2");
    assert_eq!(ic.transactions[0].version, "D|96A|UN");
    assert_eq!(
        summary(&ic),
        [(String::new(), vec![("ORDERS".into(), "M3".into(), 6)])]
    );
}

#[test]
fn pydifact_latin1_bytes_are_kept() {
    let ic = only(PYDIFACT_LATIN1);
    clean(&ic);
    assert_eq!(ic.sender.id.as_bytes(), b"M\xDCLLERGMBH");
    assert_eq!(ic.sender.id.as_str(), None, "ISO 8859-1, not UTF-8");
    assert!(ic.wants_ack() && ic.is_test());
    let Some(Delimiters::Edifact(d)) = ic.delimiters else {
        panic!()
    };
    assert_eq!((d.decimal, d.una), (b',', true));
}

#[test]
fn all_samples_in_one_parcel() {
    let samples = [
        NODE_X12_4010,
        PYDIFACT_DEFAULT,
        NODE_X12_5010,
        PYDIFACT_UNA_LINES,
        PYDIFACT_LATIN1,
    ];
    let parcel = samples.join(&b"\r\n"[..]);
    let reading = read_parcel(&parcel);
    assert_eq!(reading.verdict, ParcelVerdict::Enveloped);
    let found: Vec<&[u8]> = reading
        .interchanges
        .iter()
        .map(|ic| &parcel[ic.range.clone()])
        .collect();
    // The CR LF after the 5010 sample's IEA is its declared line end, so it belongs to it.
    let with_line_end = [NODE_X12_5010, b"\r\n"].concat();
    let expected = [
        NODE_X12_4010,
        PYDIFACT_DEFAULT,
        &with_line_end,
        PYDIFACT_UNA_LINES,
        PYDIFACT_LATIN1,
    ];
    assert_eq!(found, expected);
    assert!(reading.interchanges.iter().all(Interchange::is_valid));
}

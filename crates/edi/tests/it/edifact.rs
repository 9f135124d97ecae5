//! SPEC-VAN 15, EDIFACT: UNA or defaults, UNB, optional UNG groups, UNH messages, UNZ, and
//! the release character.

use edigrid_edi::{
    Count, Delimiters, EdifactDelimiters, Field, Finding, LineEnd, Reason, Standard, Verdict,
    read_parcel,
};

use crate::support::{at, edifact, invalid_at, only};

fn edifact_delimiters(ic: &edigrid_edi::Interchange) -> EdifactDelimiters {
    match ic.delimiters {
        Some(Delimiters::Edifact(d)) => d,
        other => panic!("not EDIFACT delimiters: {other:?}"),
    }
}

#[test]
fn without_una_the_defaults_apply_and_every_field_is_read() {
    let parcel = edifact("REF1");
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.standard, Standard::Edifact);
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(ic.range, 0..parcel.len());
    assert_eq!(
        (ic.syntax.as_str(), ic.version.as_str()),
        (Some("UNOC"), Some("3"))
    );
    assert_eq!(
        (ic.sender.id.as_str(), ic.sender.qualifier.as_str()),
        (Some("SENDER"), Some("14"))
    );
    assert_eq!(
        (ic.receiver.id.as_str(), ic.receiver.qualifier.as_str()),
        (Some("RECEIVER"), Some("ZZ"))
    );
    assert_eq!(
        (ic.date.as_str(), ic.time.as_str()),
        (Some("240101"), Some("1200"))
    );
    assert_eq!(ic.control_number, "REF1");
    assert_eq!(ic.ack_requested, "1");
    assert_eq!(ic.usage, "1");
    assert!(ic.is_test() && ic.wants_ack());
    assert_eq!(edifact_delimiters(&ic), EdifactDelimiters::LEVEL_A);
    assert_eq!(
        ic.count,
        Count {
            declared: Some(Field::from("2")),
            found: 2
        }
    );
    assert!(ic.groups.is_empty());
    let kinds: Vec<_> = ic
        .transactions
        .iter()
        .map(|m| {
            (
                m.kind.to_string(),
                m.control_number.to_string(),
                m.version.to_string(),
                m.segments.found,
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("ORDERS".into(), "M1".into(), "D:96A:UN".into(), 3),
            ("INVOIC".into(), "M2".into(), "D:96A:UN".into(), 4)
        ]
    );
    assert!(ic.transactions.iter().all(|m| m.findings.is_empty()));
}

#[test]
fn a_una_declares_other_delimiters() {
    let parcel =
        "UNA|^,! ~UNB^UNOC|3^S|14^R|14^240101|1200^REF2~UNH^1^ORDERS|D|96A|UN~UNT^2^1~UNZ^1^REF2~";
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(
        ic.range,
        0..parcel.len(),
        "the UNA belongs to the interchange"
    );
    let d = edifact_delimiters(&ic);
    assert_eq!(d.service_string(), *b"|^,! ~");
    assert_eq!(
        (
            d.component,
            d.element,
            d.decimal,
            d.release,
            d.segment,
            d.una
        ),
        (b'|', b'^', b',', Some(b'!'), b'~', true)
    );
    assert_eq!(ic.sender.id, "S");
    assert_eq!(ic.transactions[0].version, "D|96A|UN");
}

#[test]
fn the_release_character_escapes_separators_and_terminators() {
    let parcel = "UNA:+.? 'UNB+UNOC:3+A?+B?:C:ZZ+R?'S:14+240101:1200+R??1'\
                  UNH+1+ORDERS:D:96A:UN'FTX+AAI+++It?'s 5?+5?: ok?''UNT+3+1'UNZ+1+R??1'";
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(ic.sender.id, "A+B:C");
    assert_eq!(ic.sender.qualifier, "ZZ");
    assert_eq!(ic.receiver.id, "R'S");
    assert_eq!(ic.control_number, "R?1");
    assert_eq!(
        ic.transactions[0].segments.found, 3,
        "a released ' ends no segment"
    );
}

#[test]
fn a_space_in_una4_means_no_release_character() {
    let parcel = "UNA:+.  'UNB+UNOC:3+A?B:1+R:1+240101:1200+9'UNZ+0+9'";
    let ic = only(parcel.as_bytes());
    assert_eq!(edifact_delimiters(&ic).release, None);
    assert_eq!(ic.sender.id, "A?B");
    assert_eq!(ic.verdict, Verdict::Valid);
}

#[test]
fn syntax_level_b_uses_information_separators() {
    let parcel = b"UNB\x1dUNOB\x1f3\x1dS\x1f14\x1dR\x1f14\x1d240101\x1f1200\x1dB1\x1c\
                   UNH\x1d1\x1dORDERS\x1fD\x1f96A\x1fUN\x1cUNT\x1d2\x1d1\x1cUNZ\x1d1\x1dB1\x1c";
    let ic = only(parcel);
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(edifact_delimiters(&ic), EdifactDelimiters::LEVEL_B);
    assert_eq!(ic.sender.id, "S");
    assert_eq!(ic.transactions[0].kind, "ORDERS");
}

#[test]
fn ung_groups_are_read_and_counted_by_unz() {
    let parcel = "UNB+UNOA:2+S:1+R:1+240101:1200+7'\
                  UNG+INVOIC+APPS:ZZ+APPR:ZZ+240101:1200+G1+UN+D:96A'\
                  UNH+1+INVOIC:D:96A:UN'BGM+380+1'UNT+3+1'UNH+2+INVOIC:D:96A:UN'UNT+2+2'UNE+2+G1'\
                  UNZ+1+7'";
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(
        ic.count,
        Count {
            declared: Some(Field::from("1")),
            found: 1
        }
    );
    let [group] = &ic.groups[..] else {
        panic!("{ic:#?}")
    };
    assert_eq!(group.functional_id, "INVOIC");
    assert_eq!(
        (group.app_sender.as_str(), group.app_receiver.as_str()),
        (Some("APPS"), Some("APPR"))
    );
    assert_eq!(group.control_number, "G1");
    assert_eq!(group.version, "D:96A");
    assert_eq!(
        group.count,
        Count {
            declared: Some(Field::from("2")),
            found: 2
        }
    );
    assert!(group.findings.is_empty() && ic.transactions.is_empty());
    assert_eq!(
        &parcel[group.range.clone()],
        &parcel[at(parcel.as_bytes(), "UNG", 0)..at(parcel.as_bytes(), "UNZ", 0)]
    );
}

#[test]
fn line_ends_after_terminators_belong_to_them() {
    let parcel = edifact("REF1").replace('\'', "'\r\n");
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(edifact_delimiters(&ic).line_end, LineEnd::CrLf);
    assert_eq!(ic.range, 0..parcel.len());
    assert_eq!(ic.transactions[1].segments.found, 4);
}

#[test]
fn a_missing_unz() {
    let full = edifact("REF1");
    let parcel = &full[..at(full.as_bytes(), "UNZ", 0)];
    let ic = only(parcel.as_bytes());
    assert_eq!(
        invalid_at(&ic, parcel.len()),
        Reason::TrailerMissing { trailer: "UNZ" }
    );
    assert_eq!(ic.transactions.len(), 2);
}

#[test]
fn unz_must_count_the_messages() {
    let parcel = edifact("REF1").replace("UNZ+2+", "UNZ+3+");
    let ic = only(parcel.as_bytes());
    let reason = invalid_at(&ic, at(parcel.as_bytes(), "UNZ", 0) + 4);
    assert_eq!(reason.to_string(), "UNZ 0036 declares 3 messages, 2 found");
}

#[test]
fn unz_must_repeat_the_control_reference() {
    let parcel = edifact("REF1").replace("UNZ+2+REF1", "UNZ+2+REF2");
    let ic = only(parcel.as_bytes());
    let reason = invalid_at(&ic, at(parcel.as_bytes(), "UNZ", 0) + 6);
    assert_eq!(
        reason.to_string(),
        "UNZ 0020 REF2 differs from UNB 0020 REF1"
    );
}

#[test]
fn message_and_group_trailers_are_findings() {
    let parcel = "UNB+UNOA:2+S:1+R:1+240101:1200+7'\
                  UNG+INVOIC+APPS+APPR+240101:1200+G1+UN+D:96A'\
                  UNH+1+INVOIC:D:96A:UN'BGM+380+1'UNT+4+2'UNE+3+G2'UNZ+1+7'";
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    let unt = at(parcel.as_bytes(), "UNT", 0);
    let une = at(parcel.as_bytes(), "UNE", 0);
    let texts = |findings: &[Finding]| {
        findings
            .iter()
            .map(|f| (f.offset, f.reason.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        texts(&ic.groups[0].transactions[0].findings),
        [
            (unt + 4, "UNT 0074 declares 4 segments, 3 found".into()),
            (unt + 6, "UNT 0062 2 differs from UNH 0062 1".into())
        ]
    );
    assert_eq!(
        texts(&ic.groups[0].findings),
        [
            (une + 4, "UNE 0060 declares 3 messages, 1 found".into()),
            (une + 6, "UNE 0048 G2 differs from UNG 0048 G1".into())
        ]
    );
}

#[test]
fn a_missing_unt_is_a_finding_at_the_next_envelope_segment() {
    let parcel = edifact("REF1").replace("UNT+3+M1'", "");
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    let second = at(parcel.as_bytes(), "UNH+M2", 0);
    let reason = Reason::TrailerMissing { trailer: "UNT" };
    assert_eq!(
        ic.transactions[0].findings,
        vec![Finding {
            offset: second,
            reason
        }]
    );
}

#[test]
fn broken_headers_make_the_interchange_invalid() {
    let cases: [(&str, usize, &str); 6] = [
        (
            "UNA:+.",
            6,
            "truncated UNA segment: the parcel ends before its terminator",
        ),
        (
            "UNA:+.? 'UN",
            11,
            "truncated UNB segment: the parcel ends before its terminator",
        ),
        ("UNA:+.? 'UNH+1'", 9, "UNA is not followed by UNB"),
        (
            "UNA:::? 'UNB+UNOA:1+S+R+1:1+1'UNZ+0+1'",
            3,
            "component separator (UNA1) and element separator (UNA2) are the same byte 0x3A",
        ),
        (
            "UNB*UNOA:1*S*R*1:1*1'UNZ*0*1'",
            3,
            "UNB uses element separator 0x2A but no UNA declares it",
        ),
        (
            "UNB+UNOA:1+S+R+240101:1200'UNZ+0+'",
            26,
            "UNB has no 0020 (interchange control reference)",
        ),
    ];
    for (parcel, offset, text) in cases {
        let reading = read_parcel(parcel.as_bytes());
        let ic = &reading.interchanges[0];
        assert_eq!(invalid_at(ic, offset).to_string(), text, "{parcel}");
        assert_eq!(ic.range.start, 0);
    }
}

#[test]
fn an_unterminated_unb_is_truncated() {
    let parcel = "UNB+UNOA:1+S+R+1:1+1";
    let ic = only(parcel.as_bytes());
    assert_eq!(
        invalid_at(&ic, parcel.len()),
        Reason::Truncated { segment: "UNB" }
    );
}

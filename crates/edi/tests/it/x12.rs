//! SPEC-VAN 15, X12: the ISA, its delimiters, the interchange envelope check, and the group
//! and transaction findings that do not stop delivery.

use edigrid_edi::{
    Count, Delimiters, Field, Finding, LineEnd, Reason, Standard, Verdict, X12Delimiters,
    read_parcel,
};

use crate::support::{GROUP_850, at, invalid_at, isa, only, with_delimiters, x12, x12_850};

fn x12_delimiters(interchange: &edigrid_edi::Interchange) -> X12Delimiters {
    match interchange.delimiters {
        Some(Delimiters::X12(d)) => d,
        other => panic!("not X12 delimiters: {other:?}"),
    }
}

#[test]
fn a_valid_interchange_yields_every_envelope_field() {
    let parcel = x12_850("000000001");
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.standard, Standard::X12);
    assert_eq!(ic.range, 0..parcel.len());
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(ic.sender.qualifier, "ZZ");
    assert_eq!(ic.sender.id, "SENDER         ");
    assert_eq!(ic.sender.id.trimmed(), b"SENDER");
    assert_eq!(ic.receiver.qualifier, "ZZ");
    assert_eq!(ic.receiver.id.trimmed(), b"RECEIVER");
    assert_eq!(ic.control_number, "000000001");
    assert_eq!(
        (ic.date.as_str(), ic.time.as_str()),
        (Some("240101"), Some("1200"))
    );
    assert_eq!(ic.usage, "T");
    assert!(ic.is_test());
    assert_eq!(ic.version, "00501");
    assert_eq!(ic.ack_requested, "1");
    assert!(ic.wants_ack());
    let d = x12_delimiters(&ic);
    assert_eq!(
        d,
        X12Delimiters {
            element: b'*',
            sub_element: b'>',
            repetition: Some(b'^'),
            segment: b'~',
            line_end: LineEnd::None,
        }
    );
    assert_eq!(
        ic.count,
        Count {
            declared: Some(Field::from("1")),
            found: 1
        }
    );
    assert_eq!(ic.trailer_control, Some(Field::from("000000001")));
    assert!(ic.findings.is_empty() && ic.transactions.is_empty());

    let [group] = &ic.groups[..] else {
        panic!("{:#?}", ic.groups)
    };
    assert_eq!(group.functional_id, "PO");
    assert_eq!(group.app_sender, "APPSENDER");
    assert_eq!(group.app_receiver, "APPRECEIVER");
    assert_eq!(group.control_number, "17");
    assert_eq!(group.version, "005010");
    assert_eq!(group.count.declared, Some(Field::from("1")));
    assert_eq!(group.count.found, 1);
    assert_eq!(group.trailer_control, Some(Field::from("17")));
    assert_eq!(&parcel[group.range.clone()], GROUP_850);
    assert!(group.findings.is_empty());

    let [tx] = &group.transactions[..] else {
        panic!("{:#?}", group.transactions)
    };
    assert_eq!(
        (tx.kind.as_str(), tx.control_number.as_str()),
        (Some("850"), Some("0001"))
    );
    assert_eq!(tx.segments.declared, Some(Field::from("4")));
    assert_eq!(tx.segments.found, 4);
    assert!(
        parcel[tx.range.clone()].starts_with("ST*850")
            && parcel[tx.range.clone()].ends_with("SE*4*0001~")
    );
    assert!(tx.findings.is_empty());
}

#[test]
fn cr_and_lf_after_the_terminator_belong_to_it() {
    for (terminator, line_end) in [
        (&b"~\r\n"[..], LineEnd::CrLf),
        (b"~\n", LineEnd::Lf),
        (b"~\r", LineEnd::Cr),
        (b"\r\n", LineEnd::Lf),
        (b"\n", LineEnd::None),
    ] {
        let parcel = with_delimiters(&x12_850("000000001"), b'*', b'>', b'^', terminator);
        let ic = only(&parcel);
        assert_eq!(ic.verdict, Verdict::Valid, "{terminator:?}");
        let d = x12_delimiters(&ic);
        assert_eq!(
            (d.segment, d.line_end),
            (terminator[0], line_end),
            "{terminator:?}"
        );
        assert_eq!(d.segment_terminator(), terminator);
        assert_eq!(
            ic.range,
            0..parcel.len(),
            "the last line end is the interchange's"
        );
        assert_eq!(ic.groups[0].transactions[0].segments.found, 4);
    }
}

#[test]
fn line_breaks_the_isa_does_not_declare_are_tolerated_between_segments() {
    let parcel = x12_850("000000001")
        .replace("~ST", "~\r\nST")
        .replace("~BEG", "~\nBEG");
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(x12_delimiters(&ic).line_end, LineEnd::None);
    assert_eq!(ic.groups[0].transactions[0].segments.found, 4);
}

#[test]
fn unusual_delimiters_are_read_from_the_isa() {
    for (element, sub, repetition, terminator) in [
        (b'|', b'^', b'!', &b"\x1c"[..]),
        (0x1D, 0x1F, 0x1E, b"\x1c"),
        (0x1D, 0x1F, 0x1E, b"\x1c\r\n"),
        (b'^', b'|', b'{', b"'"),
        (0x07, b':', b'`', b"\x85"),
    ] {
        let parcel = with_delimiters(&x12_850("000000001"), element, sub, repetition, terminator);
        let ic = only(&parcel);
        assert_eq!(ic.verdict, Verdict::Valid);
        let d = x12_delimiters(&ic);
        assert_eq!(
            (d.element, d.sub_element, d.repetition, d.segment),
            (element, sub, Some(repetition), terminator[0])
        );
        assert_eq!(ic.groups[0].transactions[0].kind, "850");
        assert_eq!(ic.count.found, 1);
    }
}

#[test]
fn isa11_is_a_repetition_separator_from_00501_on_only() {
    let v4010 = x12_850("000000001").replace("*^*00501*", "*U*00401*");
    assert_eq!(x12_delimiters(&only(v4010.as_bytes())).repetition, None);
    let habit = x12_850("000000001").replace("*^*00501*", "*U*00501*");
    assert_eq!(x12_delimiters(&only(habit.as_bytes())).repetition, None);
    let v6020 = x12_850("000000001").replace("*^*00501*", "*!*00602*");
    assert_eq!(
        x12_delimiters(&only(v6020.as_bytes())).repetition,
        Some(b'!')
    );
}

#[test]
fn a_ta1_interchange_without_groups_is_valid() {
    let parcel = x12("000000002", "TA1*000000001*240101*1200*A*000~", 0);
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    assert!(ic.groups.is_empty() && ic.findings.is_empty());
    assert_eq!(ic.count.found, 0);
}

#[test]
fn an_isa_cut_short_by_the_end_of_the_parcel_is_truncated() {
    let full = x12_850("000000001");
    for cut in [3, 4, 50, 104, 105] {
        let parcel = &full.as_bytes()[..cut];
        let reading = read_parcel(parcel);
        let ic = &reading.interchanges[0];
        assert_eq!(ic.range, 0..cut);
        assert_eq!(
            invalid_at(ic, cut),
            Reason::Truncated { segment: "ISA" },
            "cut at {cut}"
        );
    }
    let reason = invalid_at(&read_parcel(&full.as_bytes()[..60]).interchanges[0], 60);
    assert_eq!(
        reason.to_string(),
        "truncated ISA segment: the parcel ends before its terminator"
    );
}

#[test]
fn an_isa_shorter_than_106_bytes_is_invalid_at_the_short_element() {
    let parcel = x12_850("000000001").replace("*SENDER         *", "*SENDER        *");
    let ic = only(parcel.as_bytes());
    let reason = invalid_at(&ic, 35);
    assert_eq!(
        reason,
        Reason::IsaElementLength {
            element: "ISA06",
            length: 14,
            expected: 15
        }
    );
    assert_eq!(
        reason.to_string(),
        "ISA06 is 14 bytes, not 15: an ISA segment is exactly 106 bytes"
    );
    // What could be read still is, so that the sender's error report can say which one.
    assert_eq!(ic.range, 0..parcel.len());
    assert_eq!(ic.sender.id, "SENDER        ");
    assert_eq!(ic.groups.len(), 1);
}

#[test]
fn an_isa_element_without_end_is_no_isa() {
    let parcel = format!("ISA*00*{}", "x".repeat(100));
    let reading = read_parcel(parcel.as_bytes());
    let reason = invalid_at(&reading.interchanges[0], 7);
    assert_eq!(
        reason,
        Reason::IsaElementUnended {
            element: "ISA02",
            limit: 64
        }
    );
    assert_eq!(reading.interchanges[0].range, 0..parcel.len());
}

#[test]
fn equal_delimiters_make_the_interchange_unreadable() {
    let parcel = x12_850("000000001").replacen("*>~", "**~", 1);
    let ic = &read_parcel(parcel.as_bytes()).interchanges[0];
    let reason = invalid_at(ic, 104);
    assert_eq!(
        reason,
        Reason::DelimiterClash {
            first: "element separator",
            second: "sub-element separator (ISA16)",
            byte: b'*'
        }
    );
    assert_eq!(ic.delimiters, None);
}

#[test]
fn a_missing_iea_at_the_end_of_the_parcel() {
    let full = x12_850("000000001");
    let parcel = &full[..at(full.as_bytes(), "IEA", 0)];
    let ic = only(parcel.as_bytes());
    assert_eq!(
        invalid_at(&ic, parcel.len()),
        Reason::TrailerMissing { trailer: "IEA" }
    );
    assert_eq!(ic.range, 0..parcel.len());
    assert_eq!(ic.groups.len(), 1, "what was read is still reported");
}

#[test]
fn a_missing_iea_before_the_next_isa_ends_the_interchange_there() {
    let first = x12_850("000000001");
    let first = &first[..at(first.as_bytes(), "IEA", 0)];
    let second = x12_850("000000002");
    let parcel = format!("{first}{second}");
    let reading = read_parcel(parcel.as_bytes());
    let [a, b] = &reading.interchanges[..] else {
        panic!("{reading:#?}")
    };
    assert_eq!(
        invalid_at(a, first.len()),
        Reason::TrailerMissing { trailer: "IEA" }
    );
    assert_eq!(a.range, 0..first.len());
    assert_eq!(b.range, first.len()..parcel.len());
    assert_eq!(
        b.verdict,
        Verdict::Valid,
        "the next interchange still routes"
    );
}

#[test]
fn an_unterminated_iea_is_truncated() {
    let full = x12_850("000000001");
    let parcel = &full[..full.len() - 1];
    let ic = only(parcel.as_bytes());
    assert_eq!(
        invalid_at(&ic, parcel.len()),
        Reason::Truncated { segment: "IEA" }
    );
}

#[test]
fn iea01_must_count_the_groups() {
    let parcel = x12("000000001", &format!("{GROUP_850}{GROUP_850}"), 3);
    let ic = only(parcel.as_bytes());
    let reason = invalid_at(&ic, at(parcel.as_bytes(), "IEA", 0) + 4);
    assert_eq!(
        reason,
        Reason::CountMismatch {
            element: "IEA01",
            declared: Field::from("3"),
            counted: "groups",
            found: 2
        }
    );
    assert_eq!(reason.to_string(), "IEA01 declares 3 groups, 2 found");
    assert_eq!(
        ic.count,
        Count {
            declared: Some(Field::from("3")),
            found: 2
        }
    );
}

#[test]
fn iea02_must_equal_isa13() {
    let parcel = x12_850("000000001").replace("IEA*1*000000001", "IEA*1*000000009");
    let ic = only(parcel.as_bytes());
    let reason = invalid_at(&ic, at(parcel.as_bytes(), "IEA", 0) + 6);
    assert_eq!(
        reason.to_string(),
        "IEA02 000000009 differs from ISA13 000000001"
    );
    assert_eq!(ic.trailer_control, Some(Field::from("000000009")));
}

fn group_findings(parcel: &str) -> Vec<Finding> {
    let ic = only(parcel.as_bytes());
    assert_eq!(
        ic.verdict,
        Verdict::Valid,
        "group problems do not stop delivery"
    );
    ic.groups[0].findings.clone()
}

fn transaction_findings(parcel: &str) -> Vec<Finding> {
    let ic = only(parcel.as_bytes());
    assert_eq!(
        ic.verdict,
        Verdict::Valid,
        "transaction problems do not stop delivery"
    );
    assert!(ic.groups[0].findings.is_empty());
    ic.groups[0].transactions[0].findings.clone()
}

#[test]
fn ge01_must_count_the_transaction_sets() {
    let parcel = x12_850("000000001").replace("GE*1*17", "GE*2*17");
    let offset = at(parcel.as_bytes(), "GE*", 0) + 3;
    let reason = Reason::CountMismatch {
        element: "GE01",
        declared: Field::from("2"),
        counted: "transaction sets",
        found: 1,
    };
    assert_eq!(group_findings(&parcel), vec![Finding { offset, reason }]);
}

#[test]
fn ge02_must_equal_gs06() {
    let parcel = x12_850("000000001").replace("GE*1*17", "GE*1*18");
    let [finding] = &group_findings(&parcel)[..] else {
        panic!()
    };
    assert_eq!(finding.offset, at(parcel.as_bytes(), "GE*", 0) + 5);
    assert_eq!(finding.reason.to_string(), "GE02 18 differs from GS06 17");
}

#[test]
fn se01_must_count_the_segments() {
    let parcel = x12_850("000000001").replace("SE*4*", "SE*5*");
    let [finding] = &transaction_findings(&parcel)[..] else {
        panic!()
    };
    assert_eq!(finding.offset, at(parcel.as_bytes(), "SE*", 0) + 3);
    assert_eq!(
        finding.reason.to_string(),
        "SE01 declares 5 segments, 4 found"
    );
}

#[test]
fn se02_must_equal_st02() {
    let parcel = x12_850("000000001").replace("SE*4*0001", "SE*4*0002");
    let [finding] = &transaction_findings(&parcel)[..] else {
        panic!()
    };
    assert_eq!(finding.offset, at(parcel.as_bytes(), "SE*", 0) + 5);
    assert_eq!(
        finding.reason.to_string(),
        "SE02 0002 differs from ST02 0001"
    );
}

#[test]
fn missing_se_and_ge_are_findings_where_the_next_envelope_segment_stands() {
    let parcel = x12_850("000000001")
        .replace("SE*4*0001~", "")
        .replace("GE*1*17~", "");
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    let iea = at(parcel.as_bytes(), "IEA", 0);
    let group = &ic.groups[0];
    let reason = Reason::TrailerMissing { trailer: "GE" };
    assert_eq!(
        group.findings,
        vec![Finding {
            offset: iea,
            reason
        }]
    );
    let tx = &group.transactions[0];
    assert_eq!(
        tx.findings,
        vec![Finding {
            offset: iea,
            reason: Reason::TrailerMissing { trailer: "SE" }
        }]
    );
    assert_eq!(tx.range.end, iea);
    assert_eq!(tx.segments.declared, None);
    assert_eq!(group.count.declared, None);
}

#[test]
fn a_transaction_set_outside_a_group_is_a_finding() {
    let parcel = x12("000000001", "ST*997*0001~AK1*PO*17~SE*3*0001~", 0);
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(ic.transactions.len(), 1);
    assert_eq!(ic.transactions[0].segments.found, 3);
    let [finding] = &ic.findings[..] else {
        panic!("{:#?}", ic.findings)
    };
    assert_eq!(
        (finding.offset, finding.reason.to_string()),
        (106, "segment ST outside a functional group".into())
    );
}

#[test]
fn bytes_that_are_not_utf8_are_kept_as_written() {
    let mut parcel = x12_850("000000001").into_bytes();
    let id = at(&parcel, "SENDER ", 0);
    parcel[id + 6] = 0xE9;
    let po = at(&parcel, "PO-1", 0);
    parcel[po + 3] = 0xFF;
    let ic = only(&parcel);
    assert_eq!(ic.verdict, Verdict::Valid);
    assert_eq!(ic.sender.id.as_bytes(), b"SENDER\xE9        ");
    assert_eq!(ic.sender.id.as_str(), None);
    assert_eq!(ic.sender.id.to_string(), "SENDER\\xE9        ");
}

#[test]
fn a_second_group_is_counted_separately() {
    let second = GROUP_850
        .replace("*17*X", "*18*X")
        .replace("GE*1*17", "GE*1*18")
        .replace("ST*850", "ST*855");
    let parcel = x12("000000001", &format!("{GROUP_850}{second}"), 2);
    let ic = only(parcel.as_bytes());
    assert_eq!(ic.verdict, Verdict::Valid);
    let ids: Vec<_> = ic
        .groups
        .iter()
        .map(|g| {
            (
                g.control_number.to_string(),
                g.transactions[0].kind.to_string(),
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            ("17".to_string(), "850".to_string()),
            ("18".to_string(), "855".to_string())
        ]
    );
    assert_eq!(isa("000000001").len(), 106);
}

//! Properties over generated interchanges: the reader recovers exactly what was generated,
//! ranges tile the parcel, no truncation reads as valid, rewriting round-trips, and no input
//! makes the reader panic.

use edigrid_edi::{
    Delimiters, Field, Interchange, ParcelReading, ParcelVerdict, Standard, Verdict, X12Delimiters,
    read_parcel, rewrite_x12_delimiters,
};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::generate::{Gen, GenEdifact, GenX12, Grp, interchange, x12, x12_delimiters};

fn field(bytes: &[u8]) -> Field {
    Field::new(bytes)
}

fn check_groups(ic: &Interchange, groups: &[Grp], component: u8) {
    assert_eq!(ic.groups.len(), groups.len());
    let with = |text: &[u8]| {
        field(
            &text
                .iter()
                .map(|&b| if b == b':' { component } else { b })
                .collect::<Vec<_>>(),
        )
    };
    for (found, g) in ic.groups.iter().zip(groups) {
        assert_eq!(found.functional_id, field(&g.functional_id));
        assert_eq!(found.app_sender, field(&g.app_sender));
        assert_eq!(found.app_receiver, field(&g.app_receiver));
        assert_eq!(found.control_number, field(&g.control));
        assert_eq!(found.version, with(&g.version));
        assert_eq!(
            found.count.declared,
            Some(field(g.transactions.len().to_string().as_bytes()))
        );
        assert_eq!(found.count.found, g.transactions.len() as u64);
        assert!(found.findings.is_empty(), "{:?}", found.findings);
        check_transactions(&found.transactions, g, component);
    }
}

fn check_transactions(found: &[edigrid_edi::Transaction], g: &Grp, component: u8) {
    assert_eq!(found.len(), g.transactions.len());
    for (tx, t) in found.iter().zip(&g.transactions) {
        assert_eq!(tx.kind, field(&t.kind));
        assert_eq!(tx.control_number, field(&t.control));
        let version: Vec<u8> = t
            .version
            .iter()
            .map(|&b| if b == b':' { component } else { b })
            .collect();
        assert_eq!(tx.version, field(&version));
        assert_eq!(tx.segments.found, t.segments.len() as u64 + 2);
        assert_eq!(
            tx.segments.declared,
            Some(field((t.segments.len() + 2).to_string().as_bytes()))
        );
        assert!(tx.findings.is_empty(), "{:?}", tx.findings);
    }
}

fn check_x12(ic: &Interchange, g: &GenX12) {
    let h = &g.header;
    assert_eq!(ic.standard, Standard::X12);
    assert_eq!(ic.delimiters, Some(Delimiters::X12(g.delimiters)));
    assert_eq!(
        (&ic.sender.qualifier, &ic.sender.id),
        (&field(&h.sender.0), &field(&h.sender.1))
    );
    assert_eq!(
        (&ic.receiver.qualifier, &ic.receiver.id),
        (&field(&h.receiver.0), &field(&h.receiver.1))
    );
    assert_eq!((&ic.date, &ic.time), (&field(&h.date), &field(&h.time)));
    assert_eq!(ic.control_number, field(&h.control));
    assert_eq!(
        (&ic.ack_requested, &ic.usage),
        (&field(&h.ack), &field(&h.usage))
    );
    let version: &[u8] = if g.delimiters.repetition.is_some() {
        b"00501"
    } else {
        b"00401"
    };
    assert_eq!(ic.version, field(version));
    assert_eq!(ic.count.found, g.groups.len() as u64);
    assert!(ic.transactions.is_empty());
    check_groups(ic, &g.groups, b':');
}

fn check_edifact(ic: &Interchange, g: &GenEdifact) {
    let h = &g.header;
    let d = g.delimiters;
    assert_eq!(ic.standard, Standard::Edifact);
    assert_eq!(ic.delimiters, Some(Delimiters::Edifact(d)));
    assert_eq!(
        (&ic.sender.qualifier, &ic.sender.id),
        (&field(&h.sender.0), &field(&h.sender.1))
    );
    assert_eq!(
        (&ic.receiver.qualifier, &ic.receiver.id),
        (&field(&h.receiver.0), &field(&h.receiver.1))
    );
    assert_eq!((&ic.date, &ic.time), (&field(&h.date), &field(&h.time)));
    assert_eq!(ic.control_number, field(&h.control));
    assert_eq!(
        (&ic.ack_requested, &ic.usage),
        (&field(&h.ack), &field(&h.usage))
    );
    assert_eq!(
        (&ic.syntax, &ic.version),
        (&field(&g.syntax.0), &field(&g.syntax.1))
    );
    if g.grouped {
        assert_eq!(ic.count.found, g.groups.len() as u64);
        assert!(ic.transactions.is_empty());
        check_groups(ic, &g.groups, d.component);
    } else {
        assert!(ic.groups.is_empty());
        check_transactions(&ic.transactions, &g.groups[0], d.component);
    }
}

fn check(ic: &Interchange, g: &Gen) {
    assert_eq!(ic.verdict, Verdict::Valid);
    assert!(ic.findings.is_empty(), "{:?}", ic.findings);
    assert_eq!(
        ic.count.declared,
        Some(field(ic.count.found.to_string().as_bytes()))
    );
    assert_eq!(ic.trailer_control, Some(ic.control_number.clone()));
    match g {
        Gen::X12(g) => check_x12(ic, g),
        Gen::Edifact(g) => check_edifact(ic, g),
    }
}

/// Ranges are in order, inside the parcel, and groups and transactions inside their parent.
fn check_ranges(parcel: &[u8], reading: &ParcelReading) {
    let mut previous_end = 0;
    for ic in &reading.interchanges {
        assert!(
            previous_end <= ic.range.start
                && ic.range.start < ic.range.end
                && ic.range.end <= parcel.len()
        );
        previous_end = ic.range.end;
        let inner = ic
            .groups
            .iter()
            .map(|g| &g.range)
            .chain(ic.transactions.iter().map(|t| &t.range));
        let inner = inner.chain(
            ic.groups
                .iter()
                .flat_map(|g| g.transactions.iter().map(|t| &t.range)),
        );
        for r in inner {
            assert!(
                ic.range.start <= r.start && r.start <= r.end && r.end <= ic.range.end,
                "{r:?} in {:?}",
                ic.range
            );
        }
    }
    if let ParcelVerdict::Invalid { offset, .. } = reading.verdict {
        assert!(offset < parcel.len());
    }
}

const GAPS: [&[u8]; 5] = [b"", b" ", b"\n", b"\r\n", b"\t \n"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_reader_recovers_exactly_what_was_generated(
        parts in vec((interchange(), select(GAPS.to_vec())), 1..=4),
        lead in select(GAPS.to_vec()),
    ) {
        let mut parcel = lead.to_vec();
        let mut expected = Vec::new();
        for (g, gap) in &parts {
            let bytes = g.bytes();
            expected.push(parcel.len()..parcel.len() + bytes.len());
            parcel.extend_from_slice(&bytes);
            parcel.extend_from_slice(gap);
        }
        let reading = read_parcel(&parcel);
        prop_assert_eq!(&reading.verdict, &ParcelVerdict::Enveloped);
        let ranges: Vec<_> = reading.interchanges.iter().map(|ic| ic.range.clone()).collect();
        prop_assert_eq!(ranges, expected);
        for (ic, (g, _)) in reading.interchanges.iter().zip(&parts) {
            check(ic, g);
        }
        // What lies between the ranges is whitespace only: together they are the parcel.
        let mut rebuilt = Vec::new();
        let mut at = 0;
        for ic in &reading.interchanges {
            prop_assert!(parcel[at..ic.range.start].iter().all(u8::is_ascii_whitespace));
            rebuilt.extend_from_slice(&parcel[at..ic.range.end]);
            at = ic.range.end;
        }
        rebuilt.extend_from_slice(&parcel[at..]);
        prop_assert_eq!(rebuilt, parcel);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn no_truncation_of_an_interchange_reads_as_valid(g in interchange()) {
        let bytes = g.bytes();
        let last_terminator = bytes.len() - g.line_end().as_bytes().len() - 1;
        for cut in 0..=last_terminator {
            let reading = read_parcel(&bytes[..cut]);
            check_ranges(&bytes[..cut], &reading);
            let routable = reading.verdict == ParcelVerdict::Enveloped
                && !reading.interchanges.is_empty()
                && reading.interchanges.iter().all(Interchange::is_valid);
            prop_assert!(!routable, "a cut at {} of {} reads as valid: {:#?}", cut, bytes.len(), reading);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn delimiter_rewriting_round_trips(
        g in x12(),
        to in x12_delimiters(true),
    ) {
        let original = g.bytes();
        let from = g.delimiters;
        let rewritten = rewrite_x12_delimiters(&original, from, to).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let effective = X12Delimiters { repetition: from.repetition.map(|old| to.repetition.unwrap_or(old)), ..to };
        let reading = read_parcel(&rewritten);
        prop_assert_eq!(reading.interchanges.len(), 1);
        let rewritten_generated = GenX12 { delimiters: effective, ..g.clone() };
        check(&reading.interchanges[0], &Gen::X12(rewritten_generated));
        let back = rewrite_x12_delimiters(&rewritten, effective, from).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(back, original);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in vec(any::<u8>(), 0..1024)) {
        let reading = read_parcel(&bytes);
        check_ranges(&bytes, &reading);
    }

    #[test]
    fn damaged_interchanges_never_panic(
        g in interchange(),
        edits in vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let mut bytes = g.bytes();
        for (at, byte, kind) in edits {
            let i = at.index(bytes.len().max(1));
            match kind {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i.min(bytes.len()), byte),
                _ if i < bytes.len() => { bytes.remove(i); }
                _ => {}
            }
        }
        let reading = read_parcel(&bytes);
        check_ranges(&bytes, &reading);
        for ic in &reading.interchanges {
            if let Some(Delimiters::X12(d)) = ic.delimiters {
                let _ = rewrite_x12_delimiters(&bytes[ic.range.clone()], d, X12Delimiters { element: b'|', ..d });
            }
        }
    }
}

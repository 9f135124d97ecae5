//! Arbitrary bytes as an uploaded parcel, read by the EDI envelope reader (SPEC-VAN 15).
//! Nothing may panic; every range and offset lies inside the parcel, in order; the iterator
//! and `read_parcel` agree; and a valid X12 interchange rewritten to other delimiters (when
//! the rewrite does not refuse) reads back as the same envelope.
#![no_main]

use edigrid_edi::{
    Delimiters, Interchange, Interchanges, ParcelVerdict, Verdict, X12Delimiters, read_parcel,
    rewrite_x12_delimiters,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let reading = read_parcel(data);
    let mut previous_end = 0;
    for ic in &reading.interchanges {
        assert!(previous_end <= ic.range.start, "interchanges overlap");
        assert!(ic.range.start < ic.range.end && ic.range.end <= data.len());
        previous_end = ic.range.end;
        check_inside(ic);
        check_rewrite(data, ic);
    }
    match &reading.verdict {
        ParcelVerdict::Invalid { offset, .. } => assert!(*offset < data.len()),
        ParcelVerdict::NoEnvelope { .. } => assert!(reading.interchanges.is_empty()),
        ParcelVerdict::Enveloped => {}
    }
    let mut reader = Interchanges::new(data);
    assert!(reader.by_ref().eq(reading.interchanges.iter().cloned()));
    assert_eq!(reader.verdict(), &reading.verdict);
});

fn check_inside(ic: &Interchange) {
    let inside = |r: &std::ops::Range<usize>| {
        ic.range.start <= r.start && r.start <= r.end && r.end <= ic.range.end
    };
    if let Verdict::Invalid { offset, .. } = ic.verdict {
        assert!(
            ic.range.start <= offset && offset <= ic.range.end,
            "verdict offset outside its interchange"
        );
    }
    for group in &ic.groups {
        assert!(inside(&group.range));
        assert!(group.transactions.iter().all(|t| inside(&t.range)));
        assert_eq!(group.count.found, group.transactions.len() as u64);
    }
    assert!(ic.transactions.iter().all(|t| inside(&t.range)));
}

/// Information separators as new delimiters, the line end kept: the same envelope must
/// come back. (Lengths may grow: a terminator written without the declared line end, such as
/// a last IEA without CR LF, gets the line end like every other.)
fn check_rewrite(data: &[u8], ic: &Interchange) {
    let (Verdict::Valid, Some(Delimiters::X12(from))) = (&ic.verdict, ic.delimiters) else {
        return;
    };
    let to = X12Delimiters {
        element: 0x1D,
        sub_element: 0x1F,
        repetition: from.repetition.map(|_| 0x1E),
        segment: 0x1C,
        line_end: from.line_end,
    };
    let bytes = &data[ic.range.clone()];
    let Ok(rewritten) = rewrite_x12_delimiters(bytes, from, to) else {
        return;
    };
    let again = read_parcel(&rewritten);
    let [back] = &again.interchanges[..] else {
        panic!(
            "a rewritten interchange reads as {} interchanges",
            again.interchanges.len()
        );
    };
    assert_eq!(back.verdict, Verdict::Valid);
    assert_eq!(back.range, 0..rewritten.len());
    assert_eq!(back.delimiters, Some(Delimiters::X12(to)));
    assert_eq!(
        (&back.sender, &back.receiver, &back.control_number),
        (&ic.sender, &ic.receiver, &ic.control_number)
    );
    assert_eq!(back.groups.len(), ic.groups.len());
    assert_eq!(back.findings.len(), ic.findings.len());
}

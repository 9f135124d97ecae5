//! Test interchanges: a small purchase order in either standard, envelope counts right.

use super::Stamp;
use super::write::{EdifactWriter, X12Writer, control, fixed};
use crate::EdifactDelimiters;

/// An X12 850 (004010) in one PO group, marked as a test (ISA15 `T`).
pub(super) fn x12(
    sender: (&str, &str),
    receiver: (&str, &str),
    control_number: u64,
    at: Stamp,
) -> Vec<u8> {
    // IDs are echoed as they are, so the delimiters are chosen among bytes they do not hold.
    let ids = [sender.0, sender.1, receiver.0, receiver.1].concat();
    let free = |candidates: &[u8]| {
        let byte = candidates.iter().find(|&&b| !ids.as_bytes().contains(&b));
        byte.copied().unwrap_or(candidates[0])
    };
    let (element, sub_element, segment) = (free(b"*|^!"), free(b">:\\\x1f"), free(b"~'\x1c"));
    let mut w = X12Writer::new(element, vec![segment, b'\n']);
    let isa13 = control(control_number, 9);
    let gs06 = control(control_number, 1);
    let po = format!("TEST{isa13}");
    w.segment(
        "ISA",
        &[
            b"00",
            &[b' '; 10],
            b"00",
            &[b' '; 10],
            &fixed(sender.0.as_bytes(), 2),
            &fixed(sender.1.as_bytes(), 15),
            &fixed(receiver.0.as_bytes(), 2),
            &fixed(receiver.1.as_bytes(), 15),
            at.yymmdd().as_bytes(),
            at.hhmm().as_bytes(),
            b"U",
            b"00401",
            isa13.as_bytes(),
            b"0",
            b"T",
            &[sub_element],
        ],
    );
    let date = at.ccyymmdd();
    w.segment(
        "GS",
        &[
            b"PO",
            app_code(sender.1).as_bytes(),
            app_code(receiver.1).as_bytes(),
            date.as_bytes(),
            at.hhmm().as_bytes(),
            gs06.as_bytes(),
            b"X",
            b"004010",
        ],
    );
    w.take_count();
    w.segment("ST", &[b"850", b"0001"]);
    w.segment("BEG", &[b"00", b"SA", po.as_bytes(), b"", date.as_bytes()]);
    w.segment("REF", &[b"DP", b"001"]);
    w.segment("DTM", &[b"002", date.as_bytes()]);
    w.segment("N1", &[b"ST", b"EDIGRID TEST RECEIVING", b"92", b"0001"]);
    w.segment(
        "PO1",
        &[b"1", b"10", b"EA", b"9.95", b"", b"VP", b"TEST-SKU-1"],
    );
    w.segment("PID", &[b"F", b"", b"", b"", b"TEST ITEM"]);
    w.segment("CTT", &[b"1"]);
    let se01 = (w.take_count() + 1).to_string();
    w.segment("SE", &[se01.as_bytes(), b"0001"]);
    w.segment("GE", &[b"1", gs06.as_bytes()]);
    w.segment("IEA", &[b"1", isa13.as_bytes()]);
    w.bytes
}

/// GS02/GS03 are 2 to 15 characters: the interchange ID, trimmed, cut to 15, or a
/// placeholder when empty.
fn app_code(id: &str) -> String {
    let trimmed: String = id.trim().chars().take(15).collect();
    match trimmed.len() {
        0 => "TEST".to_owned(),
        1 => format!("{trimmed} "),
        _ => trimmed,
    }
}

/// An EDIFACT ORDERS (D:96A) with a UNA, syntax UNOC 3, marked as a test (UNB 0035 `1`).
pub(super) fn edifact(
    sender: (&str, &str),
    receiver: (&str, &str),
    control_number: u64,
    at: Stamp,
) -> Vec<u8> {
    let d = EdifactDelimiters {
        una: true,
        line_end: crate::LineEnd::Lf,
        ..EdifactDelimiters::LEVEL_A
    };
    let mut w = EdifactWriter::new(d);
    let reference = (control_number % 100_000_000_000_000).to_string();
    let document = format!("TEST{reference}");
    let date = at.ccyymmdd();
    let party = |p: (&str, &str)| [p.1.as_bytes().to_vec(), p.0.as_bytes().to_vec()];
    let (from, to) = (party(sender), party(receiver));
    w.segment(
        "UNB",
        &[
            &[b"UNOC", b"3"],
            &[&from[0], &from[1]],
            &[&to[0], &to[1]],
            &[at.yymmdd().as_bytes(), at.hhmm().as_bytes()],
            &[reference.as_bytes()],
            &[],
            &[],
            &[],
            &[],
            &[],
            &[b"1"],
        ],
    );
    w.take_count();
    w.segment("UNH", &[&[b"1"], &[b"ORDERS", b"D", b"96A", b"UN"]]);
    w.segment("BGM", &[&[b"220"], &[document.as_bytes()], &[b"9"]]);
    w.segment("DTM", &[&[b"137", date.as_bytes(), b"102"]]);
    w.segment("NAD", &[&[b"BY"], &[&from[0], b"", b"92"]]);
    w.segment("NAD", &[&[b"SU"], &[&to[0], b"", b"92"]]);
    w.segment("LIN", &[&[b"1"], &[], &[b"TEST-SKU-1", b"SA"]]);
    w.segment("QTY", &[&[b"21", b"10"]]);
    w.segment("UNS", &[&[b"S"]]);
    w.segment("CNT", &[&[b"2", b"1"]]);
    let unt = (w.take_count() + 1).to_string();
    w.segment("UNT", &[&[unt.as_bytes()], &[b"1"]]);
    w.segment("UNZ", &[&[b"1"], &[reference.as_bytes()]]);
    w.bytes
}

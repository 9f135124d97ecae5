//! One X12 interchange: the fixed-width ISA, then segments up to IEA.

use crate::nesting::{Located, Names, Nesting, check_control, check_count};
use crate::scan::{
    Split, clash, find_header, find_terminator, header_at, line_end_at, segment_end,
    skip_line_breaks,
};
use crate::{Delimiters, Field, Group, Interchange, Reason, Standard, Transaction, X12Delimiters};

/// Widths of ISA01 … ISA15; ISA16 is one byte, then the terminator: 106 bytes in all.
const WIDTHS: [usize; 15] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1];
const NAMES: [&str; 15] = [
    "ISA01", "ISA02", "ISA03", "ISA04", "ISA05", "ISA06", "ISA07", "ISA08", "ISA09", "ISA10",
    "ISA11", "ISA12", "ISA13", "ISA14", "ISA15",
];
/// How far to look for an ISA element's end before deciding this is no ISA at all.
const LOOKAHEAD: usize = 64;

static X12_NAMES: Names = Names {
    group_trailer: "GE",
    group_count: "GE01",
    group_control: "GE02",
    group_header_control: "GS06",
    transaction_trailer: "SE",
    transaction_count: "SE01",
    transaction_control: "SE02",
    transaction_header_control: "ST02",
    transactions: "transaction sets",
    transaction: "transaction set",
    loose_transactions: false,
};

/// Reads the interchange whose `ISA` begins at `start`.
pub(crate) fn read(data: &[u8], start: usize) -> Interchange {
    let mut interchange = Interchange::new(Standard::X12, start);
    if let Some((delimiters, body)) = read_isa(data, start, &mut interchange) {
        interchange.delimiters = Some(Delimiters::X12(delimiters));
        read_body(data, body, delimiters, &mut interchange);
    }
    interchange
}

/// Reads the ISA into `interchange`; returns the delimiters and where the next segment
/// begins, or None when no segment can be read (the range and verdict are then set).
fn read_isa(data: &[u8], start: usize, ic: &mut Interchange) -> Option<(X12Delimiters, usize)> {
    let truncated = |ic: &mut Interchange| {
        ic.range.end = data.len();
        ic.invalidate(data.len(), Reason::Truncated { segment: "ISA" });
    };
    let Some(&separator) = data.get(start + 3) else {
        truncated(ic);
        return None;
    };
    let mut elements: [&[u8]; 15] = [b""; 15];
    let mut wrong_width = None;
    let mut pos = start + 4;
    for (i, element) in elements.iter_mut().enumerate() {
        let window = &data[pos..data.len().min(pos + LOOKAHEAD)];
        let Some(length) = window.iter().position(|&b| b == separator) else {
            fill_header(ic, &elements[..i]);
            if pos + LOOKAHEAD >= data.len() {
                truncated(ic);
            } else {
                ic.range.end = find_header(data, pos).unwrap_or(data.len());
                let reason = Reason::IsaElementUnended {
                    element: NAMES[i],
                    limit: LOOKAHEAD,
                };
                ic.invalidate(pos, reason);
            }
            return None;
        };
        *element = &data[pos..pos + length];
        if length != WIDTHS[i] && wrong_width.is_none() {
            wrong_width = Some((pos, NAMES[i], length, WIDTHS[i]));
        }
        pos += length + 1;
    }
    fill_header(ic, &elements);
    let (Some(&sub_element), Some(&segment)) = (data.get(pos), data.get(pos + 1)) else {
        truncated(ic);
        return None;
    };
    if let Some((offset, element, length, expected)) = wrong_width {
        ic.invalidate(
            offset,
            Reason::IsaElementLength {
                element,
                length,
                expected,
            },
        );
    }
    // From 00501 on ISA11 is the repetition separator; a letter there is a standards
    // identifier written by habit, and rewriting it as a separator would corrupt the data.
    let repetition = Some(elements[10])
        .filter(|_| elements[11].len() == 5 && elements[11] >= &b"00501"[..])
        .and_then(|r| r.first().copied())
        .filter(|&r| r != b' ' && !r.is_ascii_alphanumeric());
    let mut named = vec![
        ("element separator", separator),
        ("sub-element separator (ISA16)", sub_element),
        ("segment terminator", segment),
    ];
    named.extend(repetition.map(|r| ("repetition separator (ISA11)", r)));
    if let Some((first, second, byte)) = clash(&named) {
        ic.range.end = find_header(data, pos + 2).unwrap_or(data.len());
        ic.invalidate(
            pos,
            Reason::DelimiterClash {
                first,
                second,
                byte,
            },
        );
        return None;
    }
    let separators: Vec<u8> = named.iter().map(|&(_, b)| b).collect();
    let line_end = line_end_at(data, pos + 2, segment, &separators);
    let delimiters = X12Delimiters {
        element: separator,
        sub_element,
        repetition,
        segment,
        line_end,
    };
    Some((delimiters, pos + 2 + line_end.as_bytes().len()))
}

fn fill_header(ic: &mut Interchange, elements: &[&[u8]]) {
    let get = |i: usize| Field::new(elements.get(i).copied().unwrap_or_default());
    ic.sender.qualifier = get(4);
    ic.sender.id = get(5);
    ic.receiver.qualifier = get(6);
    ic.receiver.id = get(7);
    ic.date = get(8);
    ic.time = get(9);
    ic.version = get(11);
    ic.control_number = get(12);
    ic.ack_requested = get(13);
    ic.usage = get(14);
}

/// Reads segments from `pos` up to and including IEA.
fn read_body(data: &[u8], mut pos: usize, d: X12Delimiters, ic: &mut Interchange) {
    let mut nesting = Nesting::new(&X12_NAMES);
    let separators = [
        d.element,
        d.sub_element,
        d.segment,
        d.repetition.unwrap_or(d.segment),
    ];
    let trailer = loop {
        pos = skip_line_breaks(data, pos, &separators);
        if pos >= data.len() {
            break Err((data.len(), Reason::TrailerMissing { trailer: "IEA" }));
        }
        if header_at(data, pos).is_some() {
            break Err((pos, Reason::TrailerMissing { trailer: "IEA" }));
        }
        let segment_start = pos;
        let terminator = find_terminator(data, pos, d.segment, None);
        let bytes = &data[pos..terminator.unwrap_or(data.len())];
        let tag = Split::new(bytes, d.element, None)
            .next()
            .map_or(&b""[..], |(_, t)| t);
        let Some(terminator) = terminator else {
            let reason = if tag == b"IEA" {
                Reason::Truncated { segment: "IEA" }
            } else {
                Reason::TrailerMissing { trailer: "IEA" }
            };
            break Err((data.len(), reason));
        };
        let end = segment_end(data, terminator, d.line_end);
        let element = |n: usize| located(bytes, segment_start, n, d.element);
        match tag {
            b"GS" => nesting.open_group(
                segment_start,
                Group {
                    functional_id: element(1).1,
                    app_sender: element(2).1,
                    app_receiver: element(3).1,
                    control_number: element(6).1,
                    version: element(8).1,
                    ..Group::default()
                },
            ),
            b"GE" => nesting.close_group(tag, segment_start, end, element(1), element(2)),
            b"ST" => nesting.open_transaction(
                tag,
                segment_start,
                Transaction {
                    kind: element(1).1,
                    control_number: element(2).1,
                    version: element(3).1,
                    ..Transaction::default()
                },
            ),
            b"SE" => nesting.close_transaction(tag, segment_start, end, element(1), element(2)),
            b"IEA" => break Ok((segment_start, end, element(1), element(2))),
            // A TA1 interchange acknowledgment stands in the interchange itself.
            b"TA1" if !nesting.in_group() => {}
            _ => nesting.segment(segment_start, tag),
        }
        pos = end;
    };
    match trailer {
        Ok((iea_start, end, count, control)) => {
            (ic.groups, ic.transactions, ic.findings) = nesting.finish(iea_start);
            ic.range.end = end;
            ic.count.found = ic.groups.len() as u64;
            let mut problems = Vec::new();
            check_count(&mut problems, &mut ic.count, "IEA01", "groups", count);
            ic.trailer_control = Some(control.1.clone());
            check_control(
                &mut problems,
                ("IEA02", control),
                ("ISA13", &ic.control_number),
            );
            if let Some(problem) = problems.into_iter().next() {
                ic.invalidate(problem.offset, problem.reason);
            }
        }
        Err((at, reason)) => {
            (ic.groups, ic.transactions, ic.findings) = nesting.finish(at);
            ic.range.end = at;
            ic.count.found = ic.groups.len() as u64;
            ic.invalidate(at, reason);
        }
    }
}

/// Element `n` of a segment (0 is the tag) with its offset in the parcel; an absent element
/// is empty, located at the segment's end.
fn located(segment: &[u8], segment_start: usize, n: usize, separator: u8) -> Located {
    match Split::new(segment, separator, None).nth(n) {
        Some((offset, value)) => (segment_start + offset, Field::new(value)),
        None => (segment_start + segment.len(), Field::default()),
    }
}

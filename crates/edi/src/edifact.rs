//! One EDIFACT interchange: optional UNA, UNB, segments up to UNZ.

use crate::nesting::{Located, Names, Nesting, check_control, check_count};
use crate::scan::{
    Split, clash, find_header, find_terminator, header_at, line_end_at, segment_end,
    skip_line_breaks, unescape,
};
use crate::{
    Delimiters, EdifactDelimiters, Field, Group, Interchange, Reason, Standard, Transaction,
};

static EDIFACT_NAMES: Names = Names {
    group_trailer: "UNE",
    group_count: "UNE 0060",
    group_control: "UNE 0048",
    group_header_control: "UNG 0048",
    transaction_trailer: "UNT",
    transaction_count: "UNT 0074",
    transaction_control: "UNT 0062",
    transaction_header_control: "UNH 0062",
    transactions: "messages",
    transaction: "message",
    loose_transactions: true,
};

/// The UNB elements an interchange envelope cannot do without, in order.
const UNB_REQUIRED: [&str; 5] = [
    "S001 (syntax identifier)",
    "S002 (interchange sender)",
    "S003 (interchange recipient)",
    "S004 (date and time of preparation)",
    "0020 (interchange control reference)",
];

/// Reads the interchange whose `UNA` or `UNB` begins at `start`.
pub(crate) fn read(data: &[u8], start: usize) -> Interchange {
    let mut interchange = Interchange::new(Standard::Edifact, start);
    if let Some((delimiters, unb)) = service_characters(data, start, &mut interchange) {
        read_from_unb(data, unb, delimiters, &mut interchange);
    }
    interchange
}

/// The delimiters and where UNB begins, or None when the interchange cannot be read (its
/// range and verdict are then set).
fn service_characters(
    data: &[u8],
    start: usize,
    ic: &mut Interchange,
) -> Option<(EdifactDelimiters, usize)> {
    let give_up = |ic: &mut Interchange, at: usize, resume: usize, reason: Reason| {
        ic.range.end = if resume >= data.len() {
            data.len()
        } else {
            find_header(data, resume).unwrap_or(data.len())
        };
        ic.invalidate(at, reason);
        None
    };
    if !data[start..].starts_with(b"UNA") {
        return match data.get(start + 3) {
            Some(b'+') => Some((EdifactDelimiters::LEVEL_A, start)),
            Some(0x1D) => Some((EdifactDelimiters::LEVEL_B, start)),
            None => give_up(
                ic,
                data.len(),
                data.len(),
                Reason::Truncated { segment: "UNB" },
            ),
            Some(&byte) => give_up(
                ic,
                start + 3,
                start + 3,
                Reason::UndeclaredSeparator { byte },
            ),
        };
    }
    let Some(&[component, element, decimal, release, reserved, segment]) =
        data.get(start + 3..start + 9)
    else {
        return give_up(
            ic,
            data.len(),
            data.len(),
            Reason::Truncated { segment: "UNA" },
        );
    };
    // A space is no release character: it would swallow the byte after every space.
    let release = Some(release).filter(|&r| r != b' ');
    let mut named = vec![
        ("component separator (UNA1)", component),
        ("element separator (UNA2)", element),
        ("segment terminator (UNA6)", segment),
    ];
    named.extend(release.map(|r| ("release character (UNA4)", r)));
    if reserved != b' ' {
        named.push(("repetition separator (UNA5)", reserved));
    }
    if let Some((first, second, byte)) = clash(&named) {
        return give_up(
            ic,
            start + 3,
            start + 9,
            Reason::DelimiterClash {
                first,
                second,
                byte,
            },
        );
    }
    let delimiters = EdifactDelimiters {
        component,
        element,
        decimal,
        release,
        reserved,
        segment,
        line_end: Default::default(),
        una: true,
    };
    let unb = skip_line_breaks(data, start + 9, &[component, element, segment]);
    let rest = &data[unb..];
    if rest.starts_with(b"UNB") {
        Some((delimiters, unb))
    } else if b"UNB".starts_with(rest) {
        give_up(
            ic,
            data.len(),
            data.len(),
            Reason::Truncated { segment: "UNB" },
        )
    } else {
        give_up(ic, unb, unb, Reason::UnaWithoutUnb)
    }
}

fn read_from_unb(data: &[u8], unb: usize, mut d: EdifactDelimiters, ic: &mut Interchange) {
    let separators = [
        d.component,
        d.element,
        d.segment,
        d.release.unwrap_or(d.segment),
    ];
    let Some(terminator) = find_terminator(data, unb, d.segment, d.release) else {
        ic.range.end = data.len();
        ic.invalidate(data.len(), Reason::Truncated { segment: "UNB" });
        return;
    };
    d.line_end = line_end_at(data, terminator + 1, d.segment, &separators);
    ic.delimiters = Some(Delimiters::Edifact(d));
    let bytes = &data[unb..terminator];
    let elements: Vec<(usize, &[u8])> = Split::new(bytes, d.element, d.release).collect();
    let component = |n: usize, c: usize| {
        let raw = elements.get(n).map_or(&b""[..], |&(_, e)| e);
        let part = Split::new(raw, d.component, d.release).nth(c);
        unescape(part.map_or(&b""[..], |(_, p)| p), d.release)
    };
    ic.syntax = component(1, 0);
    ic.version = component(1, 1);
    ic.sender.id = component(2, 0);
    ic.sender.qualifier = component(2, 1);
    ic.receiver.id = component(3, 0);
    ic.receiver.qualifier = component(3, 1);
    ic.date = component(4, 0);
    ic.time = component(4, 1);
    ic.control_number = component(5, 0);
    ic.ack_requested = component(9, 0);
    ic.usage = component(11, 0);
    if let Some(missing) = UNB_REQUIRED.get(elements.len().saturating_sub(1)) {
        ic.invalidate(
            terminator,
            Reason::MissingElement {
                segment: "UNB",
                element: missing,
            },
        );
    }
    read_body(data, segment_end(data, terminator, d.line_end), d, ic);
}

/// Reads segments from `pos` up to and including UNZ.
fn read_body(data: &[u8], mut pos: usize, d: EdifactDelimiters, ic: &mut Interchange) {
    let mut nesting = Nesting::new(&EDIFACT_NAMES);
    let separators = [
        d.component,
        d.element,
        d.segment,
        d.release.unwrap_or(d.segment),
    ];
    let trailer = loop {
        pos = skip_line_breaks(data, pos, &separators);
        if pos >= data.len() {
            break Err((data.len(), Reason::TrailerMissing { trailer: "UNZ" }));
        }
        if header_at(data, pos).is_some() {
            break Err((pos, Reason::TrailerMissing { trailer: "UNZ" }));
        }
        let segment_start = pos;
        let terminator = find_terminator(data, pos, d.segment, d.release);
        let bytes = &data[pos..terminator.unwrap_or(data.len())];
        let tag = Split::new(bytes, d.element, d.release)
            .next()
            .map_or(&b""[..], |(_, t)| t);
        let Some(terminator) = terminator else {
            let reason = if tag == b"UNZ" {
                Reason::Truncated { segment: "UNZ" }
            } else {
                Reason::TrailerMissing { trailer: "UNZ" }
            };
            break Err((data.len(), reason));
        };
        let end = segment_end(data, terminator, d.line_end);
        let element = |n: usize| located(bytes, segment_start, n, &d);
        let first = |n: usize| first_component(bytes, n, &d);
        match tag {
            b"UNG" => nesting.open_group(
                segment_start,
                Group {
                    functional_id: element(1).1,
                    app_sender: first(2),
                    app_receiver: first(3),
                    control_number: element(5).1,
                    version: raw(bytes, 7, &d),
                    ..Group::default()
                },
            ),
            b"UNE" => nesting.close_group(tag, segment_start, end, element(1), element(2)),
            b"UNH" => {
                let s009 = raw(bytes, 2, &d);
                let kind = Split::new(s009.as_bytes(), d.component, d.release).next();
                let kind_len = kind.map_or(0, |(_, k)| k.len());
                let version = s009.as_bytes().get(kind_len + 1..).unwrap_or_default();
                nesting.open_transaction(
                    tag,
                    segment_start,
                    Transaction {
                        kind: first(2),
                        control_number: element(1).1,
                        version: Field::new(version),
                        ..Transaction::default()
                    },
                )
            }
            b"UNT" => nesting.close_transaction(tag, segment_start, end, element(1), element(2)),
            b"UNZ" => break Ok((segment_start, end, element(1), element(2))),
            _ => nesting.segment(segment_start, tag),
        }
        pos = end;
    };
    match trailer {
        Ok((unz_start, end, count, control)) => {
            (ic.groups, ic.transactions, ic.findings) = nesting.finish(unz_start);
            ic.range.end = end;
            let (found, counted) = if ic.groups.is_empty() {
                (ic.transactions.len(), "messages")
            } else {
                (ic.groups.len(), "groups")
            };
            ic.count.found = found as u64;
            let mut problems = Vec::new();
            check_count(&mut problems, &mut ic.count, "UNZ 0036", counted, count);
            ic.trailer_control = Some(control.1.clone());
            check_control(
                &mut problems,
                ("UNZ 0020", control),
                ("UNB 0020", &ic.control_number),
            );
            if let Some(problem) = problems.into_iter().next() {
                ic.invalidate(problem.offset, problem.reason);
            }
        }
        Err((at, reason)) => {
            (ic.groups, ic.transactions, ic.findings) = nesting.finish(at);
            ic.range.end = at;
            ic.count.found = ic.groups.len().max(ic.transactions.len()) as u64;
            ic.invalidate(at, reason);
        }
    }
}

/// Element `n` (0 is the tag), unescaped, with its offset in the parcel; an absent element
/// is empty, located at the segment's end.
fn located(segment: &[u8], segment_start: usize, n: usize, d: &EdifactDelimiters) -> Located {
    match Split::new(segment, d.element, d.release).nth(n) {
        Some((offset, value)) => (segment_start + offset, unescape(value, d.release)),
        None => (segment_start + segment.len(), Field::default()),
    }
}

/// The first component of element `n`, unescaped.
fn first_component(segment: &[u8], n: usize, d: &EdifactDelimiters) -> Field {
    let element = raw(segment, n, d);
    let first = Split::new(element.as_bytes(), d.component, d.release).next();
    unescape(first.map_or(&b""[..], |(_, c)| c), d.release)
}

/// Element `n` as written, release characters and component separators included.
fn raw(segment: &[u8], n: usize, d: &EdifactDelimiters) -> Field {
    Field::new(
        Split::new(segment, d.element, d.release)
            .nth(n)
            .map_or(&b""[..], |(_, e)| e),
    )
}

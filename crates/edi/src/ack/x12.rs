//! X12 answers: a `TA1` for the interchange, a `997` (or `999`) per functional group.
//!
//! Codes are those of the X12 code lists: AK5/IK5 (718/618) for transaction sets, AK9 (715,
//! 716) for groups, TA1 (I17, I18) for the interchange.

use super::write::{X12Writer, control, fixed};
use super::{Acknowledgment, Stamp};
use crate::{Field, Group, Interchange, Reason, Transaction, Verdict, X12Delimiters};

/// What the answer says about one transaction set.
struct SetAnswer<'a> {
    set: &'a Transaction,
    /// AK501 / IK501.
    code: &'static str,
    /// AK502… / IK502…: at most five.
    errors: Vec<&'static str>,
}

/// What the answer says about one functional group (one 997 or 999).
pub(super) struct GroupAnswer<'a> {
    group: &'a Group,
    sets: Vec<SetAnswer<'a>>,
    /// AK901.
    pub(super) code: &'static str,
    /// AK902, AK903, AK904.
    counts: [u64; 3],
    /// AK905…: at most five.
    errors: Vec<&'static str>,
}

/// TA104 and TA105.
pub(super) struct Ta1 {
    pub(super) code: &'static str,
    pub(super) note: &'static str,
}

/// The GS08 of a 999: the only implementation guide of the 999 itself.
pub(super) const GS08_999: &str = "005010X231A1";

/// Groups whose GS08 names a 005010X implementation guide are answered with a 999.
pub(super) fn wants_999(group: &Group) -> bool {
    group.version.as_bytes().starts_with(b"005010X")
}

/// Whether a group is to be answered at all: functional acknowledgments are never
/// acknowledged, or two simulated partners would answer each other forever.
pub(super) fn answerable(group: &Group) -> bool {
    group.functional_id != "FA"
}

/// The TA1 an interchange gets: A/000 when sound, E/024 when segments stand outside any
/// group, R with the note of the first fatal problem.
pub(super) fn judge_interchange(interchange: &Interchange) -> Ta1 {
    match &interchange.verdict {
        Verdict::Invalid { reason, .. } => Ta1 {
            code: "R",
            note: interchange_note(reason),
        },
        Verdict::Valid if !interchange.findings.is_empty() => Ta1 {
            code: "E",
            note: "024",
        },
        Verdict::Valid => Ta1 {
            code: "A",
            note: "000",
        },
    }
}

/// TA105 (code list I18) for why an interchange was rejected.
fn interchange_note(reason: &Reason) -> &'static str {
    match reason {
        Reason::ControlMismatch { .. } => "001",
        Reason::CountMismatch { .. } => "021",
        Reason::IsaElementLength { element, .. } => match *element {
            "ISA01" => "010",
            "ISA02" => "011",
            "ISA03" => "012",
            "ISA04" => "013",
            "ISA05" => "005",
            "ISA06" => "006",
            "ISA07" => "007",
            "ISA08" => "008",
            "ISA09" => "014",
            "ISA10" => "015",
            "ISA11" => "016",
            "ISA12" => "017",
            "ISA13" => "018",
            "ISA14" => "019",
            _ => "020",
        },
        Reason::DelimiterClash { .. } => "026",
        Reason::Truncated { .. } | Reason::TrailerMissing { .. } => "023",
        _ => "022",
    }
}

/// Judges one group from the reader's findings.
pub(super) fn judge_group(group: &Group) -> GroupAnswer<'_> {
    let sets: Vec<SetAnswer<'_>> = group
        .transactions
        .iter()
        .enumerate()
        .map(|(i, set)| {
            let duplicate = group.transactions[..i]
                .iter()
                .any(|earlier| earlier.control_number == set.control_number);
            judge_set(set, duplicate)
        })
        .collect();
    let mut errors = Vec::new();
    let mut rejected = group.control_number.is_empty();
    if rejected {
        errors.push("6");
    }
    let mut noted = false;
    for finding in &group.findings {
        match &finding.reason {
            Reason::TrailerMissing { .. } => {
                errors.push("3");
                rejected = true;
            }
            Reason::ControlMismatch { .. } => {
                errors.push("4");
                rejected = true;
            }
            // The sets themselves arrived whole: the count is noted, not held against them.
            Reason::CountMismatch { .. } => errors.push("5"),
            _ => noted = true,
        }
    }
    errors.dedup();
    errors.truncate(5);
    let received = sets.len() as u64;
    let accepted = sets.iter().filter(|s| s.code != "R").count() as u64;
    let included = group
        .count
        .declared
        .as_ref()
        .and_then(Field::to_count)
        .unwrap_or(received);
    let code = if rejected || (received > 0 && accepted == 0) {
        "R"
    } else if accepted < received {
        "P"
    } else if !errors.is_empty() || noted || sets.iter().any(|s| s.code == "E") {
        "E"
    } else {
        "A"
    };
    GroupAnswer {
        group,
        sets,
        code,
        counts: [included, received, accepted],
        errors,
    }
}

fn judge_set(set: &Transaction, duplicate: bool) -> SetAnswer<'_> {
    let mut errors = Vec::new();
    if set.kind.is_empty() {
        errors.push("6");
    }
    if set.control_number.is_empty() {
        errors.push("7");
    } else if duplicate {
        errors.push("23");
    }
    for finding in &set.findings {
        errors.push(match &finding.reason {
            Reason::TrailerMissing { .. } => "2",
            Reason::ControlMismatch { .. } => "3",
            Reason::CountMismatch { .. } => "4",
            _ => "5",
        });
    }
    errors.dedup();
    errors.truncate(5);
    let code = if errors.is_empty() { "A" } else { "R" };
    SetAnswer { set, code, errors }
}

/// Writes the answer interchange: ISA, the TA1 if any, an FA group of 997s and one of 999s
/// (either may be empty and is then left out), IEA.
pub(super) fn write(
    interchange: &Interchange,
    d: &X12Delimiters,
    ta1: Option<&Ta1>,
    answers: &[GroupAnswer<'_>],
    control_number: u64,
    at: Stamp,
) -> Acknowledgment {
    let (answers999, answers997): (Vec<_>, Vec<_>) =
        answers.iter().partition(|a| wants_999(a.group));
    let version = if !answers999.is_empty() {
        "00501"
    } else if answers997.is_empty() {
        // A TA1 alone is answered in the version it was asked in.
        Some(interchange.version.as_bytes())
            .filter(|v| v.len() == 5 && v.iter().all(u8::is_ascii_digit))
            .and_then(|v| std::str::from_utf8(v).ok())
            .unwrap_or("00401")
    } else {
        "00401"
    };
    let mut w = X12Writer::new(d.element, d.segment_terminator());
    let isa13 = control(control_number, 9);
    let usage: &[u8] = if interchange.usage == "T" { b"T" } else { b"P" };
    let isa11 = if version >= "00501" {
        repetition(interchange, d)
    } else {
        b'U'
    };
    w.segment(
        "ISA",
        &[
            b"00",
            &[b' '; 10],
            b"00",
            &[b' '; 10],
            &fixed(interchange.receiver.qualifier.as_bytes(), 2),
            &fixed(interchange.receiver.id.as_bytes(), 15),
            &fixed(interchange.sender.qualifier.as_bytes(), 2),
            &fixed(interchange.sender.id.as_bytes(), 15),
            at.yymmdd().as_bytes(),
            at.hhmm().as_bytes(),
            &[isa11],
            version.as_bytes(),
            isa13.as_bytes(),
            b"0",
            usage,
            &[d.sub_element],
        ],
    );
    let mut summary = Vec::new();
    if let Some(ta1) = ta1 {
        w.segment(
            "TA1",
            &[
                interchange.control_number.as_bytes(),
                interchange.date.as_bytes(),
                interchange.time.as_bytes(),
                ta1.code.as_bytes(),
                ta1.note.as_bytes(),
            ],
        );
        summary.push(format!("TA1 {}", ta1.code));
    }
    let mut groups = 0;
    for (kind, gs08, answers) in [("997", "004010", answers997), ("999", GS08_999, answers999)] {
        if answers.is_empty() {
            continue;
        }
        let gs06 = control(control_number.wrapping_add(groups), 1);
        write_group(&mut w, interchange, (kind, gs08), &answers, &gs06, at);
        summary.extend(answers.iter().map(|a| format!("{kind} {}", a.code)));
        groups += 1;
    }
    w.segment("IEA", &[groups.to_string().as_bytes(), isa13.as_bytes()]);
    Acknowledgment {
        bytes: w.bytes,
        summary: summary.join("; "),
    }
}

/// ISA11 of a 00501 answer: the received repetition separator, or one that clashes with
/// no other delimiter and occurs in none of the values the answer echoes.
fn repetition(interchange: &Interchange, d: &X12Delimiters) -> u8 {
    if let Some(r) = d.repetition {
        return r;
    }
    let taken = |b: u8| {
        [d.element, d.sub_element, d.segment].contains(&b)
            || d.line_end.as_bytes().contains(&b)
            || interchange.groups.iter().any(|g| {
                [&g.app_sender, &g.app_receiver, &g.version, &g.functional_id]
                    .iter()
                    .any(|f| f.as_bytes().contains(&b))
            })
    };
    [b'^', b'{', b'|', b'!', b'`']
        .into_iter()
        .find(|&b| !taken(b))
        .unwrap_or(b'^')
}

/// One FA group of `kind` (997 or 999) sets, one set per answered group.
fn write_group(
    w: &mut X12Writer,
    interchange: &Interchange,
    (kind, gs08): (&str, &str),
    answers: &[&GroupAnswer<'_>],
    gs06: &str,
    at: Stamp,
) {
    // The answer's application codes are the first answered group's, swapped.
    let first = answers.first().map(|a| a.group);
    let app = |f: Option<&Field>, party: &Field| -> Vec<u8> {
        match f.filter(|f| !f.is_empty()) {
            Some(f) => f.as_bytes().to_vec(),
            None => party.trimmed().to_vec(),
        }
    };
    let gs02 = app(first.map(|g| &g.app_receiver), &interchange.receiver.id);
    let gs03 = app(first.map(|g| &g.app_sender), &interchange.sender.id);
    w.segment(
        "GS",
        &[
            b"FA",
            &gs02,
            &gs03,
            at.ccyymmdd().as_bytes(),
            at.hhmm().as_bytes(),
            gs06.as_bytes(),
            b"X",
            gs08.as_bytes(),
        ],
    );
    for (i, answer) in answers.iter().enumerate() {
        let st02 = control(i as u64 + 1, 4);
        write_set(w, kind, &st02, answer);
    }
    w.segment(
        "GE",
        &[answers.len().to_string().as_bytes(), gs06.as_bytes()],
    );
}

fn write_set(w: &mut X12Writer, kind: &str, st02: &str, answer: &GroupAnswer<'_>) {
    let is999 = kind == "999";
    let group = answer.group;
    w.take_count();
    let st03: &[u8] = if is999 { GS08_999.as_bytes() } else { b"" };
    w.segment("ST", &[kind.as_bytes(), st02.as_bytes(), st03]);
    let ak103: &[u8] = if is999 { group.version.as_bytes() } else { b"" };
    w.segment(
        "AK1",
        &[
            group.functional_id.as_bytes(),
            group.control_number.as_bytes(),
            ak103,
        ],
    );
    for set in &answer.sets {
        let ak203: &[u8] = if is999 {
            set.set.version.as_bytes()
        } else {
            b""
        };
        w.segment(
            "AK2",
            &[
                set.set.kind.as_bytes(),
                set.set.control_number.as_bytes(),
                ak203,
            ],
        );
        let mut ak5: Vec<&[u8]> = vec![set.code.as_bytes()];
        ak5.extend(set.errors.iter().map(|e| e.as_bytes()));
        w.segment(if is999 { "IK5" } else { "AK5" }, &ak5);
    }
    let counts = answer.counts.map(|n| n.to_string());
    let mut ak9: Vec<&[u8]> = vec![answer.code.as_bytes()];
    ak9.extend(counts.iter().map(String::as_bytes));
    ak9.extend(answer.errors.iter().map(|e| e.as_bytes()));
    w.segment("AK9", &ak9);
    let se01 = (w.take_count() + 1).to_string();
    w.segment("SE", &[se01.as_bytes(), st02.as_bytes()]);
}

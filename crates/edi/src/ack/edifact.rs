//! EDIFACT answers: one `CONTRL` (D:3) per interchange, in an interchange of its own.
//!
//! The CONTRL is message version D:3 whatever the received syntax version; its interchange
//! keeps the received syntax identifier, version and service characters (and so writes
//! `CCYYMMDD` dates for syntax version 4).
//!
//! Action codes (0083): `7` acknowledged, `4` rejected. Syntax error codes (0085): `13`
//! missing, `20` invalid service character, `28` references do not match, `29` control
//! count does not match, `33` invalid occurrence outside a message, `18` anything else.

use super::write::EdifactWriter;
use super::{Acknowledgment, Stamp};
use crate::{EdifactDelimiters, Finding, Group, Interchange, Reason, Transaction, Verdict};

/// What the CONTRL says about one level: action code, and the error and segment tag when
/// the level is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Action {
    pub(super) code: &'static str,
    pub(super) error: &'static str,
    pub(super) tag: &'static str,
}

const ACKNOWLEDGED: Action = Action {
    code: "7",
    error: "",
    tag: "",
};

fn rejected(reason: &Reason) -> Action {
    let (error, tag) = match reason {
        Reason::CountMismatch { element, .. } => ("29", trailer_tag(element)),
        Reason::ControlMismatch { element, .. } => ("28", trailer_tag(element)),
        Reason::TrailerMissing { trailer } => ("13", *trailer),
        Reason::MissingElement { segment, .. } | Reason::Truncated { segment } => ("13", *segment),
        Reason::UndeclaredSeparator { .. }
        | Reason::DelimiterClash { .. }
        | Reason::UnaWithoutUnb => ("20", "UNA"),
        Reason::Stray { .. } => ("33", ""),
        _ => ("18", ""),
    };
    Action {
        code: "4",
        error,
        tag,
    }
}

/// `UNT 0074` → `UNT`: the service segment a trailer element belongs to.
fn trailer_tag(element: &'static str) -> &'static str {
    element.get(..3).unwrap_or(element)
}

fn judge(findings: &[Finding]) -> Action {
    findings
        .first()
        .map_or(ACKNOWLEDGED, |f| rejected(&f.reason))
}

/// The UCI's action: the interchange's verdict, then problems outside its messages.
pub(super) fn judge_interchange(interchange: &Interchange) -> Action {
    match &interchange.verdict {
        Verdict::Invalid { reason, .. } => rejected(reason),
        Verdict::Valid => judge(&interchange.findings),
    }
}

/// Whether the interchange is to be answered: a CONTRL is never answered with a CONTRL.
pub(super) fn answerable(interchange: &Interchange) -> bool {
    let mut messages = interchange
        .transactions
        .iter()
        .chain(interchange.groups.iter().flat_map(|g| &g.transactions))
        .peekable();
    messages.peek().is_none() || messages.any(|m| m.kind != "CONTRL")
}

/// Writes the CONTRL interchange.
pub(super) fn write(
    interchange: &Interchange,
    d: &EdifactDelimiters,
    control_number: u64,
    at: Stamp,
) -> Acknowledgment {
    let uci = judge_interchange(interchange);
    let mut w = EdifactWriter::new(*d);
    let (syntax, version) = if interchange.syntax.is_empty() {
        (&b"UNOA"[..], &b"3"[..])
    } else {
        (
            interchange.syntax.as_bytes(),
            interchange.version.as_bytes(),
        )
    };
    let date = if version >= &b"4"[..] {
        at.ccyymmdd()
    } else {
        at.yymmdd()
    };
    // UNB 0020 holds up to 14 characters.
    let reference = (control_number % 100_000_000_000_000).to_string();
    let (sender, recipient) = (&interchange.sender, &interchange.receiver);
    let test: &[u8] = if interchange.is_test() { b"1" } else { b"" };
    w.segment(
        "UNB",
        &[
            &[syntax, version],
            &[recipient.id.as_bytes(), recipient.qualifier.as_bytes()],
            &[sender.id.as_bytes(), sender.qualifier.as_bytes()],
            &[date.as_bytes(), at.hhmm().as_bytes()],
            &[reference.as_bytes()],
            &[],
            &[],
            &[],
            &[],
            &[],
            &[test],
        ],
    );
    w.take_count();
    w.segment("UNH", &[&[b"1"], &[b"CONTRL", b"D", b"3", b"UN"]]);
    w.segment(
        "UCI",
        &[
            &[interchange.control_number.as_bytes()],
            &[sender.id.as_bytes(), sender.qualifier.as_bytes()],
            &[recipient.id.as_bytes(), recipient.qualifier.as_bytes()],
            &[uci.code.as_bytes()],
            &[uci.error.as_bytes()],
            &[uci.tag.as_bytes()],
        ],
    );
    let (mut rejected_groups, mut rejected_messages) = (0, 0);
    // Lower levels are reported only when something below the interchange is wrong: a UCI
    // 7 already acknowledges them all, and a UCI 4 rejects them all.
    if uci.code == "7" && lower_problems(interchange) {
        for message in &interchange.transactions {
            rejected_messages += write_ucm(&mut w, message);
        }
        for group in &interchange.groups {
            rejected_groups += write_ucf(&mut w, group);
            for message in &group.transactions {
                rejected_messages += write_ucm(&mut w, message);
            }
        }
    }
    let unt = (w.take_count() + 1).to_string();
    w.segment("UNT", &[&[unt.as_bytes()], &[b"1"]]);
    w.segment("UNZ", &[&[b"1"], &[reference.as_bytes()]]);
    let mut summary = format!("CONTRL {}", uci.code);
    let rejections = [("UCF", rejected_groups), ("UCM", rejected_messages)];
    let rejected: Vec<String> = rejections
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(tag, n)| format!("{tag} 4 x{n}"))
        .collect();
    if !rejected.is_empty() {
        summary.push_str(&format!(" ({})", rejected.join(", ")));
    }
    Acknowledgment {
        bytes: w.bytes,
        summary,
    }
}

fn lower_problems(interchange: &Interchange) -> bool {
    let messages = |m: &[Transaction]| m.iter().any(|m| !m.findings.is_empty());
    messages(&interchange.transactions)
        || interchange
            .groups
            .iter()
            .any(|g| !g.findings.is_empty() || messages(&g.transactions))
}

/// One UCF; returns 1 when it rejects the group.
fn write_ucf(w: &mut EdifactWriter, group: &Group) -> u32 {
    let action = judge(&group.findings);
    w.segment(
        "UCF",
        &[
            &[group.control_number.as_bytes()],
            &[group.app_sender.as_bytes()],
            &[group.app_receiver.as_bytes()],
            &[action.code.as_bytes()],
            &[action.error.as_bytes()],
            &[action.tag.as_bytes()],
        ],
    );
    u32::from(action.code == "4")
}

/// One UCM; returns 1 when it rejects the message.
fn write_ucm(w: &mut EdifactWriter, message: &Transaction) -> u32 {
    let action = judge(&message.findings);
    let mut s009 = vec![message.kind.as_bytes().to_vec()];
    s009.extend(w.components(message.version.as_bytes()));
    let s009: Vec<&[u8]> = s009.iter().map(Vec::as_slice).collect();
    w.segment(
        "UCM",
        &[
            &[message.control_number.as_bytes()],
            &s009,
            &[action.code.as_bytes()],
            &[action.error.as_bytes()],
            &[action.tag.as_bytes()],
        ],
    );
    u32::from(action.code == "4")
}

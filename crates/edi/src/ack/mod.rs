//! Acknowledgments and test interchanges (SPEC-VAN 21), written from what [`crate::read_parcel`]
//! found: a `997` per X12 functional group (a `999` for 005010X implementation guides), a `TA1`
//! when ISA14 asks for one, a `CONTRL` per EDIFACT interchange; and valid test interchanges of
//! a standard between two parties.

use crate::Interchange;

/// When an acknowledgment or a test interchange is written (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

/// One acknowledgment interchange, ready to send, and a short account of what it says
/// (`"997 A; 997 E"`, `"TA1 A"`, `"CONTRL 7"`), for manifests and lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgment {
    pub bytes: Vec<u8>,
    pub summary: String,
}

/// Answers one interchange as its receiver would, swapping sender and receiver, with
/// `control_number` as the answer's own interchange (and group) control number. `parcel` is
/// the content `interchange` was read from. `None` when nothing asks for an answer.
pub fn acknowledge(
    parcel: &[u8],
    interchange: &Interchange,
    control_number: u64,
    at: Stamp,
) -> Option<Acknowledgment> {
    let _ = (parcel, interchange, control_number, at);
    unimplemented!("acknowledgments are being written (issue 15)")
}

/// The standard of a test interchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStandard {
    /// An X12 850 (004010) in one functional group.
    X12,
    /// An EDIFACT ORDERS (D:96A) message.
    Edifact,
}

/// A valid test interchange of `standard` from `sender` to `receiver` (each `(qualifier,
/// id)`), with `control_number` as its interchange control number.
pub fn test_interchange(
    standard: TestStandard,
    sender: (&str, &str),
    receiver: (&str, &str),
    control_number: u64,
    at: Stamp,
) -> Vec<u8> {
    let _ = (standard, sender, receiver, control_number, at);
    unimplemented!("test interchanges are being written (issue 15)")
}

//! Acknowledgments and test interchanges (SPEC-VAN 21), written from what [`crate::read_parcel`]
//! found: a `997` per X12 functional group (a `999` for 005010X implementation guides), a `TA1`
//! when ISA14 asks for one, a `CONTRL` per EDIFACT interchange; and valid test interchanges of
//! a standard between two parties.
//!
//! The answer goes from the received interchange's receiver to its sender, with the
//! received delimiters (an X12 answer's ISA12 is `00401` for 997s and `00501` for 999s, so
//! ISA11 follows from it). Codes come only from the envelope checks of the reader: the
//! content of transaction sets and messages is not looked at.
//!
//! ```
//! use edigrid_edi::ack::{Stamp, acknowledge};
//! use edigrid_edi::read_parcel;
//!
//! let parcel = b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       \
//! *240101*1200*U*00401*000000001*0*P*>~GS*PO*SENDER*RECEIVER*20240101*1200*1*X*004010~\
//! ST*850*0001~BEG*00*SA*PO1**20240101~SE*3*0001~GE*1*1~IEA*1*000000001~";
//! let interchange = &read_parcel(parcel).interchanges[0];
//! let at = Stamp { year: 2024, month: 1, day: 2, hour: 8, minute: 30 };
//! let ack = acknowledge(parcel, interchange, 7, at).unwrap();
//! assert_eq!(ack.summary, "997 A");
//! assert!(ack.bytes.starts_with(b"ISA*00*          *00*          *ZZ*RECEIVER       "));
//! ```

mod edifact;
mod test_files;
mod write;
mod x12;

#[cfg(test)]
mod tests;

use crate::{Delimiters, Interchange};

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
/// (`"997 A; 997 E"`, `"TA1 A; 999 R"`, `"CONTRL 7"`, `"CONTRL 7 (UCF 4 x1, UCM 4 x2)"`), for
/// manifests and lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgment {
    pub bytes: Vec<u8>,
    pub summary: String,
}

/// Answers one interchange as its receiver would, swapping sender and receiver, with
/// `control_number` as the answer's own interchange control number (ISA13, UNB 0020) and
/// group control number (GS06; a second FA group, when 997s and 999s are both needed, gets
/// the next number). `parcel` is the content `interchange` was read from.
///
/// X12: a `997` or `999` per functional group (functional acknowledgments, GS01 `FA`, are
/// not answered), all in FA groups of one interchange, preceded by a `TA1` when ISA14 is
/// `1`. An interchange whose envelope is broken gets a `TA1` rejecting it (whatever ISA14
/// says) and nothing else. EDIFACT: a `CONTRL`, unless every message received is one.
///
/// X12 codes: a transaction set with an envelope problem is rejected (AK501/IK501 `R`; code
/// 2 SE missing, 3 SE02 differs from ST02, 4 SE01 count, 6/7 ST01/ST02 missing, 23 ST02
/// repeated). A group is `R` when its own control numbers or trailer are wrong (AK9 codes 4,
/// 3, 6) or when every set is rejected, `P` when some are, `E` when the sets arrived whole
/// but something is noted (code 5: GE01 disagrees with the sets found; AK902 is GE01 as
/// written, AK903 the sets found, AK904 those accepted), else `A`. EDIFACT: UCI action `4`
/// with the error (29 count, 28 reference, 13 missing) and trailer tag when the
/// interchange envelope is broken; otherwise `7`, followed by a UCF per group and a UCM per
/// message when any of them has a problem.
///
/// `None` when nothing asks for an answer: an X12 interchange without groups to answer and
/// with ISA14 `0`, a CONTRL interchange, or a header too broken to know the delimiters.
pub fn acknowledge(
    parcel: &[u8],
    interchange: &Interchange,
    control_number: u64,
    at: Stamp,
) -> Option<Acknowledgment> {
    // Everything an answer needs was read into `interchange`; the bytes stay the caller's
    // for answers that would quote content.
    let _ = parcel;
    match interchange.delimiters? {
        Delimiters::X12(d) => {
            let ta1 = x12::judge_interchange(interchange);
            if ta1.code == "R" {
                let ack = x12::write(interchange, &d, Some(&ta1), &[], control_number, at);
                return Some(ack);
            }
            let answers: Vec<_> = interchange
                .groups
                .iter()
                .filter(|g| x12::answerable(g))
                .map(x12::judge_group)
                .collect();
            let ta1 = Some(ta1).filter(|_| interchange.wants_ack());
            if ta1.is_none() && answers.is_empty() {
                return None;
            }
            let ack = x12::write(interchange, &d, ta1.as_ref(), &answers, control_number, at);
            Some(ack)
        }
        Delimiters::Edifact(d) => edifact::answerable(interchange)
            .then(|| edifact::write(interchange, &d, control_number, at)),
    }
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
/// id)`), with `control_number` as its interchange control number (and X12 group control
/// number), marked as a test (ISA15 `T`, UNB 0035 `1`).
///
/// X12 IDs are padded (or cut) to the 15 bytes of ISA06/ISA08, and the delimiters are
/// chosen among bytes the IDs do not hold; EDIFACT values are escaped with the release
/// character. Control numbers wrap at X12's nine digits and EDIFACT's fourteen.
pub fn test_interchange(
    standard: TestStandard,
    sender: (&str, &str),
    receiver: (&str, &str),
    control_number: u64,
    at: Stamp,
) -> Vec<u8> {
    match standard {
        TestStandard::X12 => test_files::x12(sender, receiver, control_number, at),
        TestStandard::Edifact => test_files::edifact(sender, receiver, control_number, at),
    }
}

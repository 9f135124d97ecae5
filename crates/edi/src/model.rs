//! What reading a parcel yields: interchanges, their groups and transactions, and verdicts.

use std::ops::Range;

use crate::Field;

/// The envelope standard of one interchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Standard {
    /// ASC X12: `ISA` … `IEA`.
    X12,
    /// UN/EDIFACT: optional `UNA`, `UNB` … `UNZ`.
    Edifact,
}

/// What a parcel without any envelope looks like, sniffed from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentKind {
    /// Begins with `<?xml` or `<`.
    Xml,
    /// Begins with `%PDF`.
    Pdf,
    /// Printable text (UTF-8 without control characters other than tab, CR, LF, FF); an
    /// empty parcel counts as text.
    Txt,
    /// Anything else.
    Binary,
}

/// A sender or receiver: X12 ISA05:ISA06 / ISA07:ISA08, EDIFACT S002 / S003 (ID, qualifier).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Party {
    /// ISA05 / ISA07; EDIFACT 0007 (the second component).
    pub qualifier: Field,
    /// ISA06 / ISA08 as written, padding included (see [`Field::trimmed`]); EDIFACT 0004 / 0010.
    pub id: Field,
}

/// CR and/or LF that follow a segment terminator and belong to it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum LineEnd {
    /// The terminator stands alone.
    #[default]
    None,
    /// `\r`.
    Cr,
    /// `\n`.
    Lf,
    /// `\r\n`.
    CrLf,
}

impl LineEnd {
    /// The bytes of this line end.
    pub fn as_bytes(self) -> &'static [u8] {
        match self {
            LineEnd::None => b"",
            LineEnd::Cr => b"\r",
            LineEnd::Lf => b"\n",
            LineEnd::CrLf => b"\r\n",
        }
    }
}

/// X12 delimiters, as the ISA segment declares them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct X12Delimiters {
    /// The byte after `ISA`.
    pub element: u8,
    /// ISA16.
    pub sub_element: u8,
    /// ISA11 from version 00501 on (before it, ISA11 is a standards identifier). An ISA11
    /// that is a letter, digit or space is not taken for a separator.
    pub repetition: Option<u8>,
    /// The ISA segment's last byte.
    pub segment: u8,
    /// CR and/or LF after the ISA's terminator, part of every segment terminator.
    pub line_end: LineEnd,
}

impl X12Delimiters {
    /// The whole segment terminator: its byte and the line end that belongs to it.
    pub fn segment_terminator(&self) -> Vec<u8> {
        let mut bytes = vec![self.segment];
        bytes.extend_from_slice(self.line_end.as_bytes());
        bytes
    }
}

/// EDIFACT service characters: from `UNA`, or the defaults of the syntax level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EdifactDelimiters {
    /// UNA1, default `:`.
    pub component: u8,
    /// UNA2, default `+`.
    pub element: u8,
    /// UNA3, default `.`.
    pub decimal: u8,
    /// UNA4, default `?`; none when UNA4 is a space or for syntax level B defaults.
    pub release: Option<u8>,
    /// UNA5: reserved (space) in syntax version 3, the repetition separator from version 4.
    pub reserved: u8,
    /// UNA6, default `'`.
    pub segment: u8,
    /// CR and/or LF after the UNB segment's terminator, part of every segment terminator.
    pub line_end: LineEnd,
    /// True when the interchange begins with `UNA`.
    pub una: bool,
}

impl EdifactDelimiters {
    /// Syntax level A defaults (`:+.? '`), as when no UNA is given.
    pub const LEVEL_A: Self = Self {
        component: b':',
        element: b'+',
        decimal: b'.',
        release: Some(b'?'),
        reserved: b' ',
        segment: b'\'',
        line_end: LineEnd::None,
        una: false,
    };

    /// Syntax level B defaults (ISO 9735: IS1 0x1F, IS3 0x1D, IS4 0x1C, no release character),
    /// recognised by a UNB whose element separator is 0x1D.
    pub const LEVEL_B: Self = Self {
        component: 0x1F,
        element: 0x1D,
        decimal: b'.',
        release: None,
        reserved: b' ',
        segment: 0x1C,
        line_end: LineEnd::None,
        una: false,
    };

    /// The six characters of a UNA segment that declares these delimiters.
    pub fn service_string(&self) -> [u8; 6] {
        [
            self.component,
            self.element,
            self.decimal,
            self.release.unwrap_or(b' '),
            self.reserved,
            self.segment,
        ]
    }
}

/// The delimiters of one interchange.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Delimiters {
    /// From the ISA segment.
    X12(X12Delimiters),
    /// From UNA or the defaults.
    Edifact(EdifactDelimiters),
}

/// A count as its trailer declares it and as the reader found it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Count {
    /// The trailer's count element as written; none when the trailer is missing.
    pub declared: Option<Field>,
    /// What the reader counted.
    pub found: u64,
}

/// One transaction set (X12 `ST`…`SE`) or message (EDIFACT `UNH`…`UNT`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Transaction {
    /// Bytes in the parcel, header segment to trailer terminator (or to where the trailer
    /// should have been).
    pub range: Range<usize>,
    /// ST01 (e.g. `850`); UNH S009 message type (e.g. `ORDERS`).
    pub kind: Field,
    /// ST02; UNH 0062.
    pub control_number: Field,
    /// ST03 (implementation convention, often empty); the rest of UNH S009 as written
    /// (e.g. `D:96A:UN`).
    pub version: Field,
    /// SE01 / UNT 0074 and the segments found, header and trailer included.
    pub segments: Count,
    /// SE02 / UNT 0062.
    pub trailer_control: Option<Field>,
    /// Envelope problems of this transaction: they do not stop delivery.
    pub findings: Vec<Finding>,
}

/// One functional group: X12 `GS`…`GE`, EDIFACT `UNG`…`UNE`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Group {
    /// Bytes in the parcel, header segment to trailer terminator.
    pub range: Range<usize>,
    /// GS01 (e.g. `PO`); UNG 0038.
    pub functional_id: Field,
    /// GS02; UNG S006 first component.
    pub app_sender: Field,
    /// GS03; UNG S007 first component.
    pub app_receiver: Field,
    /// GS06; UNG 0048.
    pub control_number: Field,
    /// GS08 (e.g. `005010X222A1`); UNG S008 as written.
    pub version: Field,
    /// The group's transactions, in order.
    pub transactions: Vec<Transaction>,
    /// GE01 / UNE 0060 and the transactions found.
    pub count: Count,
    /// GE02 / UNE 0048.
    pub trailer_control: Option<Field>,
    /// Envelope problems of this group (its own, not its transactions'): they do not stop
    /// delivery.
    pub findings: Vec<Finding>,
}

/// Whether an interchange envelope is sound, and if not the first problem found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The interchange envelope is sound; it can be routed.
    Valid,
    /// The interchange must not be delivered.
    Invalid {
        /// Byte offset in the parcel where the problem was found.
        offset: usize,
        /// What is wrong.
        reason: Reason,
    },
}

/// A problem that is recorded but does not stop delivery, with where it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Byte offset in the parcel.
    pub offset: usize,
    /// What is wrong.
    pub reason: Reason,
}

/// One interchange of a parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Interchange {
    /// X12 or EDIFACT.
    pub standard: Standard,
    /// Bytes in the parcel: from `ISA` / `UNA` / `UNB` to the end of the trailer's terminator,
    /// line end included. An interchange without a trailer runs to the next interchange or
    /// the end of the parcel.
    pub range: Range<usize>,
    /// ISA05:ISA06; UNB S002.
    pub sender: Party,
    /// ISA07:ISA08; UNB S003.
    pub receiver: Party,
    /// ISA13; UNB 0020.
    pub control_number: Field,
    /// ISA09 (YYMMDD); UNB S004 first component.
    pub date: Field,
    /// ISA10 (HHMM); UNB S004 second component.
    pub time: Field,
    /// ISA15 (`P`, `T`, `I`); UNB 0035 test indicator (`1` for a test, often empty).
    pub usage: Field,
    /// ISA12 (e.g. `00501`); UNB S001 syntax version number (e.g. `3`).
    pub version: Field,
    /// UNB S001 syntax identifier (e.g. `UNOC`); empty for X12.
    pub syntax: Field,
    /// ISA14 (`0`/`1`); UNB 0031 (`1`, often empty).
    pub ack_requested: Field,
    /// None only when the header could not be read far enough to know them, or declares
    /// delimiters that clash.
    pub delimiters: Option<Delimiters>,
    /// Functional groups, in order.
    pub groups: Vec<Group>,
    /// Transactions outside any group: EDIFACT messages without UNG, or stray X12 `ST`s.
    pub transactions: Vec<Transaction>,
    /// IEA01 / UNZ 0036, and the groups found (EDIFACT: groups if any, else messages).
    pub count: Count,
    /// IEA02 / UNZ 0020.
    pub trailer_control: Option<Field>,
    /// Whether the interchange envelope is sound.
    pub verdict: Verdict,
    /// Problems outside groups and transactions that do not stop delivery.
    pub findings: Vec<Finding>,
}

impl Interchange {
    pub(crate) fn new(standard: Standard, start: usize) -> Self {
        Self {
            standard,
            range: start..start,
            sender: Party::default(),
            receiver: Party::default(),
            control_number: Field::default(),
            date: Field::default(),
            time: Field::default(),
            usage: Field::default(),
            version: Field::default(),
            syntax: Field::default(),
            ack_requested: Field::default(),
            delimiters: None,
            groups: Vec::new(),
            transactions: Vec::new(),
            count: Count::default(),
            trailer_control: None,
            verdict: Verdict::Valid,
            findings: Vec::new(),
        }
    }

    /// True when the interchange envelope is sound.
    pub fn is_valid(&self) -> bool {
        self.verdict == Verdict::Valid
    }

    /// True when the sender marked the interchange as a test (ISA15 `T`, UNB 0035 `1`).
    pub fn is_test(&self) -> bool {
        match self.standard {
            Standard::X12 => self.usage == "T",
            Standard::Edifact => self.usage == "1",
        }
    }

    /// True when the sender asks for an interchange acknowledgment (ISA14 / UNB 0031 `1`).
    pub fn wants_ack(&self) -> bool {
        self.ack_requested == "1"
    }

    /// Records the first fatal problem; later ones add nothing a sender could act on.
    pub(crate) fn invalidate(&mut self, offset: usize, reason: Reason) {
        if self.verdict == Verdict::Valid {
            self.verdict = Verdict::Invalid { offset, reason };
        }
    }
}

/// Why an interchange or parcel is invalid, or what a finding is about. The text of each
/// is a sentence a sender can act on; the element names are those of the standard.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Reason {
    /// The parcel ends inside a header segment or an unterminated segment.
    #[error("truncated {segment} segment: the parcel ends before its terminator")]
    Truncated {
        /// `ISA`, `UNA`, `UNB`, `IEA`, …
        segment: &'static str,
    },
    /// An ISA element is not of its fixed width, so the ISA is not 106 bytes.
    #[error("{element} is {length} bytes, not {expected}: an ISA segment is exactly 106 bytes")]
    IsaElementLength {
        /// `ISA01` … `ISA15`.
        element: &'static str,
        /// Bytes found.
        length: usize,
        /// Fixed width.
        expected: usize,
    },
    /// An ISA element runs on with no separator in sight.
    #[error("{element} does not end within {limit} bytes: not an ISA segment")]
    IsaElementUnended {
        /// `ISA01` … `ISA15`.
        element: &'static str,
        /// Bytes looked at.
        limit: usize,
    },
    /// Two delimiters are the same byte, so the interchange cannot be read.
    #[error("{first} and {second} are the same byte 0x{byte:02X}")]
    DelimiterClash {
        /// One delimiter's name.
        first: &'static str,
        /// The other's.
        second: &'static str,
        /// The byte both use.
        byte: u8,
    },
    /// An EDIFACT UNB uses an element separator that neither a UNA nor the defaults declare.
    #[error("UNB uses element separator 0x{byte:02X} but no UNA declares it")]
    UndeclaredSeparator {
        /// The byte after `UNB`.
        byte: u8,
    },
    /// A UNA segment not followed by UNB.
    #[error("UNA is not followed by UNB")]
    UnaWithoutUnb,
    /// A header lacks an element the envelope needs.
    #[error("{segment} has no {element}")]
    MissingElement {
        /// `UNB`, `GS`, …
        segment: &'static str,
        /// The element's name.
        element: &'static str,
    },
    /// A trailer segment is missing.
    #[error("{trailer} missing")]
    TrailerMissing {
        /// `IEA`, `GE`, `SE`, `UNZ`, `UNE`, `UNT`.
        trailer: &'static str,
    },
    /// A trailer's count disagrees with what was found.
    #[error("{element} declares {declared} {counted}, {found} found")]
    CountMismatch {
        /// `IEA01`, `GE01`, `SE01`, `UNZ 0036`, …
        element: &'static str,
        /// As written.
        declared: Field,
        /// `groups`, `transaction sets`, `segments`, `messages`.
        counted: &'static str,
        /// Counted by the reader.
        found: u64,
    },
    /// A trailer's control number disagrees with its header's.
    #[error("{element} {value} differs from {header_element} {header}")]
    ControlMismatch {
        /// `IEA02`, `GE02`, `SE02`, `UNZ 0020`, …
        element: &'static str,
        /// The trailer's value.
        value: Field,
        /// `ISA13`, `GS06`, `ST02`, `UNB 0020`, …
        header_element: &'static str,
        /// The header's value.
        header: Field,
    },
    /// A segment where the envelope allows none.
    #[error("segment {segment} outside a {container}")]
    Stray {
        /// The segment's tag.
        segment: Field,
        /// `functional group`, `transaction set`, `message`.
        container: &'static str,
    },
    /// Bytes other than whitespace before, between or after the interchanges of a parcel.
    #[error("unexpected bytes {place}")]
    UnexpectedBytes {
        /// `before the first interchange`, `between interchanges`, `after the last interchange`.
        place: &'static str,
    },
}

/// Whether a parcel as a whole can be routed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParcelVerdict {
    /// Interchanges and whitespace only: each valid interchange can be routed.
    Enveloped,
    /// Bytes outside the interchanges: nothing of the parcel is routed.
    Invalid {
        /// Byte offset of the first unexpected byte.
        offset: usize,
        /// What is wrong.
        reason: Reason,
    },
    /// No envelope at all: one document, routable only when the upload names both parties.
    NoEnvelope {
        /// Sniffed from the content.
        document: DocumentKind,
    },
}

/// Everything read from one parcel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParcelReading {
    /// The interchanges found, in parcel order (valid and invalid).
    pub interchanges: Vec<Interchange>,
    /// The verdict on the parcel as a whole.
    pub verdict: ParcelVerdict,
}

//! A generator of random valid X12 and EDIFACT interchanges, with random delimiters and
//! contents (not always UTF-8), and what reading each must yield.

use edigrid_edi::{EdifactDelimiters, LineEnd, X12Delimiters};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

/// Data bytes: never a delimiter, some not UTF-8.
pub const DATA: &[u8] = b"ABCXYZabcxyz0189 -.,/()#@&%$\xC3\xA9\xE9\xFF\x80";
/// Delimiter candidates: no letter, digit, space, CR or LF, nothing of `DATA`.
pub const POOL: &[u8] = b"*|^~!:;{}[]`\\<=>+?'\"_\x1c\x1d\x1e\x1f\x07\x85\xA6";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const UPPER: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const DIGITS: &[u8] = b"0123456789";

fn text(alphabet: &'static [u8], len: std::ops::RangeInclusive<usize>) -> BoxedStrategy<Vec<u8>> {
    vec(select(alphabet), len).boxed()
}

/// A data segment: tag, then elements of parts; a part's flag asks for the repetition
/// separator before it instead of the sub-element / component separator.
pub type DataSegment = (&'static [u8], Vec<Vec<(bool, Vec<u8>)>>);

#[derive(Debug, Clone)]
pub struct Tx {
    pub kind: Vec<u8>,
    pub control: Vec<u8>,
    pub version: Vec<u8>,
    pub segments: Vec<DataSegment>,
}

#[derive(Debug, Clone)]
pub struct Grp {
    pub functional_id: Vec<u8>,
    pub app_sender: Vec<u8>,
    pub app_receiver: Vec<u8>,
    pub control: Vec<u8>,
    pub version: Vec<u8>,
    pub transactions: Vec<Tx>,
}

#[derive(Debug, Clone)]
pub struct Header {
    pub sender: (Vec<u8>, Vec<u8>),
    pub receiver: (Vec<u8>, Vec<u8>),
    pub date: Vec<u8>,
    pub time: Vec<u8>,
    pub control: Vec<u8>,
    pub ack: Vec<u8>,
    pub usage: Vec<u8>,
}

#[derive(Debug, Clone)]
pub struct GenX12 {
    pub delimiters: X12Delimiters,
    pub header: Header,
    pub groups: Vec<Grp>,
    pub ta1: bool,
}

#[derive(Debug, Clone)]
pub struct GenEdifact {
    pub delimiters: EdifactDelimiters,
    pub header: Header,
    pub syntax: (Vec<u8>, Vec<u8>),
    /// With UNG groups, or the messages of the single element stand loose.
    pub grouped: bool,
    pub groups: Vec<Grp>,
}

#[derive(Debug, Clone)]
pub enum Gen {
    X12(GenX12),
    Edifact(GenEdifact),
}

fn line_end_after(segment: u8) -> BoxedStrategy<LineEnd> {
    match segment {
        b'\n' => Just(LineEnd::None).boxed(),
        b'\r' => prop_oneof![Just(LineEnd::None), Just(LineEnd::Lf)].boxed(),
        _ => prop_oneof![
            Just(LineEnd::None),
            Just(LineEnd::Cr),
            Just(LineEnd::Lf),
            Just(LineEnd::CrLf)
        ]
        .boxed(),
    }
}

/// X12 delimiters; `v5010` decides whether ISA11 is a repetition separator.
pub fn x12_delimiters(v5010: bool) -> BoxedStrategy<X12Delimiters> {
    (
        subsequence(POOL, 4).prop_shuffle(),
        select(vec![0u8, 0, 0, b'\n', b'\r']),
    )
        .prop_flat_map(move |(bytes, line_byte)| {
            let segment = if line_byte == 0 { bytes[3] } else { line_byte };
            line_end_after(segment).prop_map(move |line_end| X12Delimiters {
                element: bytes[0],
                sub_element: bytes[1],
                repetition: v5010.then_some(bytes[2]),
                segment,
                line_end,
            })
        })
        .boxed()
}

fn edifact_delimiters() -> BoxedStrategy<EdifactDelimiters> {
    let una = (
        subsequence(POOL, 5).prop_shuffle(),
        any::<bool>(),
        select(vec![b'.', b',']),
    );
    prop_oneof![
        Just(EdifactDelimiters::LEVEL_A),
        una.prop_map(|(b, spaced, decimal)| EdifactDelimiters {
            component: b[0],
            element: b[1],
            decimal,
            release: Some(b[2]),
            reserved: if spaced { b' ' } else { b[3] },
            segment: b[4],
            line_end: LineEnd::None,
            una: true,
        }),
    ]
    .prop_flat_map(|d| {
        line_end_after(d.segment).prop_map(move |line_end| EdifactDelimiters { line_end, ..d })
    })
    .boxed()
}

fn data_segments(tags: &'static [&'static [u8]]) -> BoxedStrategy<Vec<DataSegment>> {
    let part = (any::<bool>(), text(DATA, 0..=6));
    let element = vec(part, 1..=3);
    vec((select(tags), vec(element, 1..=4)), 0..=4).boxed()
}

fn x12_transaction() -> BoxedStrategy<Tx> {
    let tags: &'static [&'static [u8]] = &[b"BEG", b"PO1", b"REF", b"DTM", b"N1", b"CTT", b"CLM"];
    (
        text(DIGITS, 3..=3),
        text(DIGITS, 4..=9),
        select(vec![&b""[..], b"005010X222A1"]),
        data_segments(tags),
    )
        .prop_map(|(kind, control, version, segments)| Tx {
            kind,
            control,
            version: version.to_vec(),
            segments,
        })
        .boxed()
}

fn x12_group() -> BoxedStrategy<Grp> {
    (
        text(UPPER, 2..=2),
        text(ALNUM, 2..=15),
        text(ALNUM, 2..=15),
        text(DIGITS, 1..=9),
        select(vec![&b"004010"[..], b"005010", b"005010X222A1"]),
        vec(x12_transaction(), 0..=3),
    )
        .prop_map(
            |(functional_id, app_sender, app_receiver, control, version, transactions)| Grp {
                functional_id,
                app_sender,
                app_receiver,
                control,
                version: version.to_vec(),
                transactions,
            },
        )
        .boxed()
}

fn x12_header() -> BoxedStrategy<Header> {
    let id = || {
        text(b"ABCXYZ0189-\xE9", 1..=15).prop_map(|mut id| {
            id.resize(15, b' ');
            id
        })
    };
    (
        (text(ALNUM, 2..=2), id(), text(ALNUM, 2..=2), id()),
        text(DIGITS, 6..=6),
        text(DIGITS, 4..=4),
        text(DIGITS, 9..=9),
        select(vec![b'0', b'1']),
        select(vec![b'P', b'T', b'I']),
    )
        .prop_map(
            |((sq, sid, rq, rid), date, time, control, ack, usage)| Header {
                sender: (sq, sid),
                receiver: (rq, rid),
                date,
                time,
                control,
                ack: vec![ack],
                usage: vec![usage],
            },
        )
        .boxed()
}

pub fn x12() -> BoxedStrategy<GenX12> {
    any::<bool>()
        .prop_flat_map(|v5010| {
            (
                x12_delimiters(v5010),
                x12_header(),
                vec(x12_group(), 0..=3),
                any::<bool>(),
            )
        })
        .prop_map(|(delimiters, header, groups, ta1)| GenX12 {
            delimiters,
            header,
            groups,
            ta1,
        })
        .boxed()
}

/// EDIFACT values may hold any delimiter: the writer releases them.
const EDI_VALUE: &[u8] = b"ABCXYZabc0189 -.,/\xE9\xFF*|^~!:;{}+?'\x1c\x1d\x1e\x1f";

fn edifact_message() -> BoxedStrategy<Tx> {
    let tags: &'static [&'static [u8]] = &[b"BGM", b"DTM", b"NAD", b"LIN", b"QTY", b"FTX", b"RFF"];
    (
        text(EDI_VALUE, 1..=14),
        select(vec![&b"ORDERS"[..], b"INVOIC", b"DESADV"]),
        data_segments(tags),
    )
        .prop_map(|(control, kind, segments)| Tx {
            kind: kind.to_vec(),
            control,
            version: b"D:96A:UN".to_vec(),
            segments,
        })
        .boxed()
}

fn edifact_group() -> BoxedStrategy<Grp> {
    (
        text(UPPER, 3..=6),
        text(EDI_VALUE, 1..=10),
        text(EDI_VALUE, 1..=10),
        text(EDI_VALUE, 1..=14),
        vec(edifact_message(), 0..=3),
    )
        .prop_map(
            |(functional_id, app_sender, app_receiver, control, transactions)| Grp {
                functional_id,
                app_sender,
                app_receiver,
                control,
                version: b"D:96A".to_vec(),
                transactions,
            },
        )
        .boxed()
}

pub fn edifact() -> BoxedStrategy<GenEdifact> {
    let header = (
        (
            text(EDI_VALUE, 1..=12),
            text(ALNUM, 1..=4),
            text(EDI_VALUE, 1..=12),
            text(ALNUM, 1..=4),
        ),
        text(DIGITS, 6..=6),
        text(DIGITS, 4..=4),
        text(EDI_VALUE, 1..=14),
        select(vec![&b""[..], b"1"]),
        select(vec![&b""[..], b"1"]),
    )
        .prop_map(
            |((sid, sq, rid, rq), date, time, control, ack, usage)| Header {
                sender: (sq, sid),
                receiver: (rq, rid),
                date,
                time,
                control,
                ack: ack.to_vec(),
                usage: usage.to_vec(),
            },
        );
    let syntax = (
        select(vec![&b"UNOA"[..], b"UNOB", b"UNOC", b"UNOY"]),
        select(vec![&b"2"[..], b"3", b"4"]),
    );
    (
        edifact_delimiters(),
        header,
        syntax,
        any::<bool>(),
        vec(edifact_group(), 1..=3),
    )
        .prop_map(|(delimiters, header, (id, version), grouped, mut groups)| {
            if !grouped {
                groups.truncate(1);
            }
            GenEdifact {
                delimiters,
                header,
                syntax: (id.to_vec(), version.to_vec()),
                grouped,
                groups,
            }
        })
        .boxed()
}

pub fn interchange() -> BoxedStrategy<Gen> {
    prop_oneof![x12().prop_map(Gen::X12), edifact().prop_map(Gen::Edifact)].boxed()
}

impl Gen {
    pub fn bytes(&self) -> Vec<u8> {
        match self {
            Gen::X12(g) => g.bytes(),
            Gen::Edifact(g) => g.bytes(),
        }
    }

    /// Bytes at the end that are the trailer terminator's line end.
    pub fn line_end(&self) -> LineEnd {
        match self {
            Gen::X12(g) => g.delimiters.line_end,
            Gen::Edifact(g) => g.delimiters.line_end,
        }
    }
}

impl GenX12 {
    pub fn bytes(&self) -> Vec<u8> {
        let d = self.delimiters;
        let h = &self.header;
        let mut out = Vec::new();
        let mut seg = |parts: &[&[u8]]| {
            out.extend_from_slice(&parts.join(&d.element));
            out.extend_from_slice(&d.segment_terminator());
        };
        let (isa11, version): (Vec<u8>, &[u8]) = match d.repetition {
            Some(r) => (vec![r], b"00501"),
            None => (b"U".to_vec(), b"00401"),
        };
        let (spaces, zeros) = (&b"          "[..], &b"00"[..]);
        #[rustfmt::skip]
        seg(&[b"ISA", zeros, spaces, zeros, spaces, &h.sender.0, &h.sender.1, &h.receiver.0, &h.receiver.1,
              &h.date, &h.time, &isa11, version, &h.control, &h.ack, &h.usage, &[d.sub_element]]);
        if self.groups.is_empty() && self.ta1 {
            seg(&[b"TA1", b"000000001", b"240101", b"1200", b"A", b"000"]);
        }
        for g in &self.groups {
            let count = g.transactions.len().to_string();
            seg(&[
                b"GS",
                &g.functional_id,
                &g.app_sender,
                &g.app_receiver,
                b"20240101",
                b"1200",
                &g.control,
                b"X",
                &g.version,
            ]);
            for t in &g.transactions {
                let mut st: Vec<&[u8]> = vec![b"ST", &t.kind, &t.control];
                if !t.version.is_empty() {
                    st.push(&t.version);
                }
                seg(&st);
                for (tag, elements) in &t.segments {
                    let mut parts: Vec<Vec<u8>> = vec![tag.to_vec()];
                    for element in elements {
                        parts.push(join_parts(element, d.sub_element, d.repetition));
                    }
                    let parts: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
                    seg(&parts);
                }
                seg(&[
                    b"SE",
                    (t.segments.len() + 2).to_string().as_bytes(),
                    &t.control,
                ]);
            }
            seg(&[b"GE", count.as_bytes(), &g.control]);
        }
        seg(&[b"IEA", self.groups.len().to_string().as_bytes(), &h.control]);
        out
    }
}

fn join_parts(parts: &[(bool, Vec<u8>)], separator: u8, repetition: Option<u8>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, (repeat, part)) in parts.iter().enumerate() {
        if i > 0 {
            out.push(repetition.filter(|_| *repeat).unwrap_or(separator));
        }
        out.extend_from_slice(part);
    }
    out
}

impl GenEdifact {
    pub fn bytes(&self) -> Vec<u8> {
        let d = self.delimiters;
        let h = &self.header;
        let release = d.release.unwrap_or(b'?');
        let specials: Vec<u8> = [d.component, d.element, d.segment, release, d.reserved]
            .into_iter()
            .filter(|&b| b != b' ')
            .collect();
        let esc = |value: &[u8]| -> Vec<u8> {
            let mut out = Vec::new();
            for &b in value {
                if specials.contains(&b) {
                    out.push(release);
                }
                out.push(b);
            }
            out
        };
        let composite = |parts: &[&[u8]]| parts.join(&d.component);
        let mut out = Vec::new();
        let mut terminator = vec![d.segment];
        terminator.extend_from_slice(d.line_end.as_bytes());
        if d.una {
            out.extend_from_slice(b"UNA");
            // The service string ends with the segment terminator itself.
            out.extend_from_slice(&d.service_string());
            out.extend_from_slice(d.line_end.as_bytes());
        }
        let mut seg = |parts: Vec<Vec<u8>>| {
            out.extend_from_slice(&parts.join(&d.element));
            out.extend_from_slice(&terminator);
        };
        let mut unb = vec![
            b"UNB".to_vec(),
            composite(&[&self.syntax.0, &self.syntax.1]),
            composite(&[&esc(&h.sender.1), &esc(&h.sender.0)]),
            composite(&[&esc(&h.receiver.1), &esc(&h.receiver.0)]),
            composite(&[&h.date, &h.time]),
            esc(&h.control),
        ];
        if !h.ack.is_empty() || !h.usage.is_empty() {
            unb.extend([
                vec![],
                b"APP".to_vec(),
                vec![],
                h.ack.clone(),
                vec![],
                h.usage.clone(),
            ]);
        }
        seg(unb);
        let message = |seg: &mut dyn FnMut(Vec<Vec<u8>>), t: &Tx| {
            let kind = composite(&[&t.kind, b"D", b"96A", b"UN"]);
            seg(vec![b"UNH".to_vec(), esc(&t.control), kind]);
            for (tag, elements) in &t.segments {
                let mut parts = vec![tag.to_vec()];
                for element in elements {
                    let escaped: Vec<(bool, Vec<u8>)> =
                        element.iter().map(|(r, p)| (*r, esc(p))).collect();
                    parts.push(join_parts(&escaped, d.component, None));
                }
                seg(parts);
            }
            seg(vec![
                b"UNT".to_vec(),
                (t.segments.len() + 2).to_string().into_bytes(),
                esc(&t.control),
            ]);
        };
        for g in &self.groups {
            if self.grouped {
                seg(vec![
                    b"UNG".to_vec(),
                    g.functional_id.clone(),
                    composite(&[&esc(&g.app_sender), b"ZZ"]),
                    composite(&[&esc(&g.app_receiver), b"ZZ"]),
                    composite(&[b"240101", b"1200"]),
                    esc(&g.control),
                    b"UN".to_vec(),
                    composite(&[b"D", b"96A"]),
                ]);
            }
            for t in &g.transactions {
                message(&mut seg, t);
            }
            if self.grouped {
                seg(vec![
                    b"UNE".to_vec(),
                    g.transactions.len().to_string().into_bytes(),
                    esc(&g.control),
                ]);
            }
        }
        let count = if self.grouped {
            self.groups.len()
        } else {
            self.groups.iter().map(|g| g.transactions.len()).sum()
        };
        seg(vec![
            b"UNZ".to_vec(),
            count.to_string().into_bytes(),
            esc(&h.control),
        ]);
        out
    }
}

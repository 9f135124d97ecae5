//! Byte-level helpers shared by the X12 and EDIFACT readers.

use crate::{Field, LineEnd, Standard};

/// Whitespace allowed between interchanges.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

pub(crate) fn skip_space(data: &[u8], mut pos: usize) -> usize {
    while data.get(pos).is_some_and(|&b| is_space(b)) {
        pos += 1;
    }
    pos
}

/// Whether an interchange header begins at `pos`, judged by its tag alone: `ISA`, `UNA` or
/// `UNB` followed by a separator (or the end of the parcel). Used where an interchange
/// may begin: at the start of the parcel, after whitespace between interchanges, and at a
/// segment start inside an interchange (where it means the trailer is missing).
pub(crate) fn header_at(data: &[u8], pos: usize) -> Option<Standard> {
    let rest = data.get(pos..)?;
    let tag_then_separator = |tag: &[u8]| {
        rest.starts_with(tag) && rest.get(3).is_none_or(|b| !b.is_ascii_alphanumeric())
    };
    if tag_then_separator(b"ISA") {
        Some(Standard::X12)
    } else if tag_then_separator(b"UNA") || tag_then_separator(b"UNB") {
        Some(Standard::Edifact)
    } else {
        None
    }
}

/// The next offset from `from` on where an interchange plausibly begins: used to resume
/// after bytes that belong to nothing, so it asks for more than [`header_at`] does (the
/// ISA's first separators at their fixed places; a UNA followed by UNB; a UNB followed by
/// a syntax identifier) and for no letter or digit just before the tag.
pub(crate) fn find_header(data: &[u8], from: usize) -> Option<usize> {
    (from..data.len()).find(|&i| {
        let boundary = i == 0 || !data[i - 1].is_ascii_alphanumeric();
        boundary && (plausible_isa(data, i) || plausible_edifact(data, i))
    })
}

fn plausible_isa(data: &[u8], i: usize) -> bool {
    match data.get(i..i + 18) {
        Some(h) => {
            h.starts_with(b"ISA") && !h[3].is_ascii_alphanumeric() && h[6] == h[3] && h[17] == h[3]
        }
        None => false,
    }
}

fn plausible_edifact(data: &[u8], i: usize) -> bool {
    let Some(rest) = data.get(i..) else {
        return false;
    };
    if rest.starts_with(b"UNA") && rest.len() >= 12 {
        let after = skip_line_breaks(data, i + 9, &[]);
        return data.get(after..).is_some_and(|r| r.starts_with(b"UNB"));
    }
    rest.starts_with(b"UNB")
        && rest.get(3).is_some_and(|&b| b == b'+' || b == 0x1D)
        && rest
            .get(4..8)
            .is_some_and(|id| id.iter().all(u8::is_ascii_alphanumeric))
}

/// Skips CR and LF bytes (that are not delimiters) at a segment start: line breaks after
/// segment terminators are common, and not always declared by the header.
pub(crate) fn skip_line_breaks(data: &[u8], mut pos: usize, delimiters: &[u8]) -> usize {
    while data
        .get(pos)
        .is_some_and(|&b| (b == b'\r' || b == b'\n') && !delimiters.contains(&b))
    {
        pos += 1;
    }
    pos
}

/// The CR and/or LF at `pos`, following a segment terminator `terminator`, that belong to
/// it. A CR or LF that is itself a delimiter never does.
pub(crate) fn line_end_at(data: &[u8], pos: usize, terminator: u8, delimiters: &[u8]) -> LineEnd {
    let usable = |b: u8| !delimiters.contains(&b) && b != terminator;
    let at = |i: usize, b: u8| data.get(i) == Some(&b) && usable(b);
    if at(pos, b'\r') {
        if at(pos + 1, b'\n') {
            LineEnd::CrLf
        } else {
            LineEnd::Cr
        }
    } else if at(pos, b'\n') {
        LineEnd::Lf
    } else {
        LineEnd::None
    }
}

/// Where a segment ends: after its terminator and, when present, the declared line end.
pub(crate) fn segment_end(data: &[u8], terminator_at: usize, line_end: LineEnd) -> usize {
    let end = terminator_at + 1;
    let tail = line_end.as_bytes();
    if !tail.is_empty() && data.get(end..).is_some_and(|r| r.starts_with(tail)) {
        end + tail.len()
    } else {
        end
    }
}

/// The offset of the next segment terminator from `from` on, skipping bytes escaped by the
/// release character.
pub(crate) fn find_terminator(
    data: &[u8],
    from: usize,
    terminator: u8,
    release: Option<u8>,
) -> Option<usize> {
    let rest = data.get(from..)?;
    let Some(release) = release else {
        return rest.iter().position(|&b| b == terminator).map(|i| from + i);
    };
    let mut i = 0;
    while i < rest.len() {
        let b = rest[i];
        if b == release {
            i += 2;
        } else if b == terminator {
            return Some(from + i);
        } else {
            i += 1;
        }
    }
    None
}

/// Splits segment or element bytes at a separator, leaving released separators alone. Yields
/// each part with its offset inside `bytes`.
pub(crate) struct Split<'a> {
    bytes: &'a [u8],
    pos: usize,
    separator: u8,
    release: Option<u8>,
    done: bool,
}

impl<'a> Split<'a> {
    pub(crate) fn new(bytes: &'a [u8], separator: u8, release: Option<u8>) -> Self {
        Self {
            bytes,
            pos: 0,
            separator,
            release,
            done: false,
        }
    }
}

impl<'a> Iterator for Split<'a> {
    type Item = (usize, &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let start = self.pos;
        let mut i = start;
        while i < self.bytes.len() {
            let b = self.bytes[i];
            if Some(b) == self.release {
                i += 2;
            } else if b == self.separator {
                self.pos = i + 1;
                return Some((start, &self.bytes[start..i]));
            } else {
                i += 1;
            }
        }
        self.done = true;
        Some((start, &self.bytes[start..]))
    }
}

/// The value with release characters removed (each one stands for the byte after it).
pub(crate) fn unescape(raw: &[u8], release: Option<u8>) -> Field {
    let Some(release) = release.filter(|r| raw.contains(r)) else {
        return Field::new(raw);
    };
    let mut out = Vec::with_capacity(raw.len());
    let mut bytes = raw.iter();
    while let Some(&b) = bytes.next() {
        if b == release {
            if let Some(&escaped) = bytes.next() {
                out.push(escaped);
            }
        } else {
            out.push(b);
        }
    }
    Field::new(&out)
}

/// The first pair of equal bytes among named delimiters.
pub(crate) fn clash(delimiters: &[(&'static str, u8)]) -> Option<(&'static str, &'static str, u8)> {
    delimiters.iter().enumerate().find_map(|(i, &(first, a))| {
        delimiters[i + 1..]
            .iter()
            .find(|&&(_, b)| a == b)
            .map(|&(second, _)| (first, second, a))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_honours_the_release_character() {
        let parts: Vec<_> = Split::new(b"A+B?+C+", b'+', Some(b'?')).collect();
        assert_eq!(
            parts,
            vec![(0, &b"A"[..]), (2, &b"B?+C"[..]), (7, &b""[..])]
        );
        assert_eq!(unescape(b"B?+C??", Some(b'?')), Field::from("B+C?"));
    }

    #[test]
    fn terminator_search_skips_released_terminators() {
        assert_eq!(find_terminator(b"A?'B'", 0, b'\'', Some(b'?')), Some(4));
        assert_eq!(find_terminator(b"A?'", 0, b'\'', Some(b'?')), None);
        assert_eq!(find_terminator(b"A~B~", 2, b'~', None), Some(3));
    }

    #[test]
    fn line_ends_that_are_delimiters_do_not_belong_to_the_terminator() {
        assert_eq!(line_end_at(b"~\r\nGS", 1, b'~', &[]), LineEnd::CrLf);
        assert_eq!(line_end_at(b"~\nGS", 1, b'~', &[]), LineEnd::Lf);
        assert_eq!(line_end_at(b"\r\nGS", 1, b'\r', &[]), LineEnd::Lf);
        assert_eq!(line_end_at(b"\n\nGS", 1, b'\n', &[]), LineEnd::None);
        assert_eq!(line_end_at(b"~\nGS", 1, b'~', b"\n"), LineEnd::None);
    }

    #[test]
    fn clash_names_the_first_equal_pair() {
        assert_eq!(clash(&[("a", 1), ("b", 2), ("c", 1)]), Some(("a", "c", 1)));
        assert_eq!(clash(&[("a", 1), ("b", 2)]), None);
    }
}

//! Rewriting one X12 interchange to the delimiters its receiver wants.

use crate::scan::clash;
use crate::{LineEnd, X12Delimiters};

/// Why an interchange cannot be rewritten to other delimiters; it then goes unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// The bytes do not begin with an ISA segment written with the old delimiters.
    #[error("the interchange does not begin with an ISA segment written with the old delimiters")]
    NotFromDelimiters,
    /// Two of the new delimiters are the same byte (or a line end repeats one).
    #[error("the new {first} and {second} are the same byte 0x{byte:02X}")]
    Clash {
        /// One delimiter's name.
        first: &'static str,
        /// The other's.
        second: &'static str,
        /// The byte both use.
        byte: u8,
    },
    /// A new delimiter would be a letter, digit or space, which ISA elements contain.
    #[error("the new {delimiter} 0x{byte:02X} is a letter, digit or space")]
    Unusable {
        /// The delimiter's name.
        delimiter: &'static str,
        /// Its byte.
        byte: u8,
    },
    /// A byte of the data is one of the new delimiters, so it would change meaning.
    #[error("byte 0x{byte:02X} at offset {offset} is data but would read as the new {delimiter}")]
    InData {
        /// Offset in the interchange bytes (not the parcel).
        offset: usize,
        /// The byte.
        byte: u8,
        /// Which new delimiter it equals.
        delimiter: &'static str,
    },
}

/// Rewrites the bytes of one X12 interchange (as [`crate::Interchange::range`] delimits
/// them) from the delimiters it was written with to others, keeping every other byte
/// identical: element, sub-element (ISA16 included) and repetition separators (ISA11
/// included) are replaced, and each segment terminator with its line end is replaced by the
/// new terminator and line end.
///
/// The repetition separator exists from 00501 on: when `from` has none, ISA11 stays as it
/// is whatever `to` says; when `to` has none, the old one is kept.
pub fn rewrite_x12_delimiters(
    interchange: &[u8],
    from: X12Delimiters,
    to: X12Delimiters,
) -> Result<Vec<u8>, Conflict> {
    let header_matches = interchange.len() >= 106
        && interchange.starts_with(b"ISA")
        && interchange[3] == from.element
        && interchange[104] == from.sub_element
        && interchange[105] == from.segment
        && from.repetition.is_none_or(|r| interchange[82] == r);
    if !header_matches {
        return Err(Conflict::NotFromDelimiters);
    }
    let repetition = from.repetition.map(|old| to.repetition.unwrap_or(old));
    let to = X12Delimiters { repetition, ..to };
    let new = named(&to);
    check_usable(&new, to.line_end)?;

    // What each byte of the old interchange becomes: a new delimiter, or itself (data).
    let mut map: [Option<u8>; 256] = [None; 256];
    map[usize::from(from.element)] = Some(to.element);
    map[usize::from(from.sub_element)] = Some(to.sub_element);
    if let (Some(old), Some(new)) = (from.repetition, to.repetition) {
        map[usize::from(old)] = Some(new);
    }
    let old_line_end = from.line_end.as_bytes();
    let mut out = Vec::with_capacity(interchange.len() + interchange.len() / 16);
    let mut i = 0;
    while i < interchange.len() {
        let byte = interchange[i];
        i += 1;
        if byte == from.segment {
            out.push(to.segment);
            out.extend_from_slice(to.line_end.as_bytes());
            if !old_line_end.is_empty() && interchange[i..].starts_with(old_line_end) {
                i += old_line_end.len();
            }
        } else if let Some(replacement) = map[usize::from(byte)] {
            out.push(replacement);
        } else if let Some(&(delimiter, _)) = new.iter().find(|&&(_, b)| b == byte) {
            return Err(Conflict::InData {
                offset: i - 1,
                byte,
                delimiter,
            });
        } else {
            out.push(byte);
        }
    }
    Ok(out)
}

fn named(d: &X12Delimiters) -> Vec<(&'static str, u8)> {
    let mut named = vec![
        ("element separator", d.element),
        ("sub-element separator", d.sub_element),
        ("segment terminator", d.segment),
    ];
    named.extend(d.repetition.map(|r| ("repetition separator", r)));
    named
}

fn check_usable(new: &[(&'static str, u8)], line_end: LineEnd) -> Result<(), Conflict> {
    if let Some(&(delimiter, byte)) = new
        .iter()
        .find(|&&(_, b)| b == b' ' || b.is_ascii_alphanumeric())
    {
        return Err(Conflict::Unusable { delimiter, byte });
    }
    if let Some((first, second, byte)) = clash(new) {
        return Err(Conflict::Clash {
            first,
            second,
            byte,
        });
    }
    // The line end must read back as a line end, so none of its bytes may be a delimiter
    // (a CR terminator followed by LF is fine: the line end is then LF alone).
    for &byte in line_end.as_bytes() {
        if let Some(&(first, _)) = new.iter().find(|&&(_, b)| b == byte) {
            return Err(Conflict::Clash {
                first,
                second: "line end",
                byte,
            });
        }
    }
    Ok(())
}

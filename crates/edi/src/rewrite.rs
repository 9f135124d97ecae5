//! Rewriting one X12 interchange to the delimiters its receiver wants.

use crate::scan::clash;
use crate::{LineEnd, X12Delimiters};

/// Where the element separator stands in the fixed-width ISA (ISA11 is at 82, ISA16 at 104,
/// the terminator at 105).
const ISA_SEPARATORS: [usize; 16] = [
    3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103,
];

/// Why an interchange cannot be rewritten to other delimiters; it then goes unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Conflict {
    /// The bytes do not begin with an ISA segment written with the old delimiters.
    #[error("the interchange does not begin with an ISA segment written with the old delimiters")]
    NotFromDelimiters,
    /// Two of the old or new delimiters are the same byte (or a new line end repeats one).
    #[error("the {which} {first} and {second} are the same byte 0x{byte:02X}")]
    Clash {
        /// `old` or `new`.
        which: &'static str,
        /// One delimiter's name.
        first: &'static str,
        /// The other's.
        second: &'static str,
        /// The byte both use.
        byte: u8,
    },
    /// An old or new delimiter is a letter, digit or space: ISA elements contain those, so
    /// data could not be told from delimiters.
    #[error("the {which} {delimiter} 0x{byte:02X} is a letter, digit or space")]
    Unusable {
        /// `old` or `new`.
        which: &'static str,
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
/// identical: in the fixed-width ISA, the delimiters at their positions (element separators,
/// ISA11 when it is the repetition separator, ISA16); after it, every byte equal to an old
/// separator; and each segment terminator, with its line end when present, becomes the new
/// terminator and line end. Refused when an old or new delimiter is a letter, digit or space,
/// when new delimiters clash, or when a data byte equals a new delimiter.
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
        && ISA_SEPARATORS
            .iter()
            .all(|&i| interchange[i] == from.element)
        && interchange[104] == from.sub_element
        && interchange[105] == from.segment
        && from.repetition.is_none_or(|r| interchange[82] == r);
    if !header_matches {
        return Err(Conflict::NotFromDelimiters);
    }
    check_usable("old", &named(&from), LineEnd::None)?;
    let repetition = from.repetition.map(|old| to.repetition.unwrap_or(old));
    let to = X12Delimiters { repetition, ..to };
    let new = named(&to);
    check_usable("new", &new, to.line_end)?;
    let data =
        |out: &mut Vec<u8>, offset: usize, byte: u8| match new.iter().find(|&&(_, b)| b == byte) {
            Some(&(delimiter, _)) => Err(Conflict::InData {
                offset,
                byte,
                delimiter,
            }),
            None => {
                out.push(byte);
                Ok(())
            }
        };
    let mut out = Vec::with_capacity(interchange.len() + interchange.len() / 16);

    // The ISA is read by position, so its delimiters are rewritten by position too: a byte
    // of an ISA element that looks like a delimiter (a `^` in ISA05, say) is data.
    for (i, &byte) in interchange[..105].iter().enumerate() {
        let delimiter = match i {
            _ if ISA_SEPARATORS.contains(&i) => Some(to.element),
            82 => to.repetition,
            104 => Some(to.sub_element),
            _ => None,
        };
        match delimiter {
            Some(delimiter) => out.push(delimiter),
            None => data(&mut out, i, byte)?,
        }
    }

    // After it, a byte equal to an old delimiter is that delimiter.
    let mut map: [Option<u8>; 256] = [None; 256];
    map[usize::from(from.element)] = Some(to.element);
    map[usize::from(from.sub_element)] = Some(to.sub_element);
    if let (Some(old), Some(new)) = (from.repetition, to.repetition) {
        map[usize::from(old)] = Some(new);
    }
    let old_line_end = from.line_end.as_bytes();
    let mut i = 105;
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
        } else {
            data(&mut out, i - 1, byte)?;
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

fn check_usable(
    which: &'static str,
    delimiters: &[(&'static str, u8)],
    line_end: LineEnd,
) -> Result<(), Conflict> {
    if let Some(&(delimiter, byte)) = delimiters
        .iter()
        .find(|&&(_, b)| b == b' ' || b.is_ascii_alphanumeric())
    {
        return Err(Conflict::Unusable {
            which,
            delimiter,
            byte,
        });
    }
    if let Some((first, second, byte)) = clash(delimiters) {
        return Err(Conflict::Clash {
            which,
            first,
            second,
            byte,
        });
    }
    // The line end must read back as a line end, so none of its bytes may be a delimiter
    // (a CR terminator followed by LF is fine: the line end is then LF alone).
    for &byte in line_end.as_bytes() {
        if let Some(&(first, _)) = delimiters.iter().find(|&&(_, b)| b == byte) {
            return Err(Conflict::Clash {
                which,
                first,
                second: "line end",
                byte,
            });
        }
    }
    Ok(())
}

//! One envelope value, kept as the bytes it was written with.

use std::fmt;

/// The bytes of one envelope value (an element or component), exactly as written, except that
/// EDIFACT release characters are removed. Envelopes are not always UTF-8, so nothing here
/// assumes text; [`Field::as_str`] answers when it is.
///
/// Envelope values are short (IDs of 15 to 35 bytes, control numbers of 9 to 14), so up to
/// 22 bytes are kept inline: reading an interchange then allocates nothing per field, and a
/// parcel's metadata stays small next to its bytes.
#[derive(Clone)]
pub struct Field(Repr);

const INLINE: usize = 22;

#[derive(Clone)]
enum Repr {
    Inline(u8, [u8; INLINE]),
    Heap(Box<[u8]>),
}

impl Field {
    /// A field holding these bytes.
    pub fn new(bytes: &[u8]) -> Self {
        match u8::try_from(bytes.len()) {
            Ok(len) if bytes.len() <= INLINE => {
                let mut inline = [0; INLINE];
                inline[..bytes.len()].copy_from_slice(bytes);
                Self(Repr::Inline(len, inline))
            }
            _ => Self(Repr::Heap(bytes.into())),
        }
    }

    /// The bytes as written.
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline(len, bytes) => &bytes[..usize::from(*len)],
            Repr::Heap(bytes) => bytes,
        }
    }

    /// The value as text, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(self.as_bytes()).ok()
    }

    /// The value without trailing spaces: X12 pads ISA06 and ISA08 to 15 bytes, and a
    /// directory looks IDs up without that padding.
    pub fn trimmed(&self) -> &[u8] {
        let bytes = self.as_bytes();
        let end = bytes.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
        &bytes[..end]
    }

    /// True when the field has no bytes.
    pub fn is_empty(&self) -> bool {
        self.as_bytes().is_empty()
    }

    /// The value as a count, when it is one to nineteen ASCII digits (leading zeros allowed).
    pub fn to_count(&self) -> Option<u64> {
        let digits = self.as_bytes();
        if digits.is_empty() || digits.len() > 19 || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            digits
                .iter()
                .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')),
        )
    }
}

impl Default for Field {
    fn default() -> Self {
        Self(Repr::Inline(0, [0; INLINE]))
    }
}

impl PartialEq for Field {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for Field {}

impl std::hash::Hash for Field {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialOrd for Field {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Field {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl From<&str> for Field {
    fn from(text: &str) -> Self {
        Self::new(text.as_bytes())
    }
}

impl PartialEq<str> for Field {
    fn eq(&self, other: &str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<&str> for Field {
    fn eq(&self, other: &&str) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl PartialEq<[u8]> for Field {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}

/// Printable ASCII as is, every other byte as `\xNN`: a reason quoting a field stays one
/// readable line whatever the bytes.
impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.as_bytes() {
            if b == b' ' || b.is_ascii_graphic() {
                write!(f, "{}", char::from(b))?;
            } else {
                write!(f, "\\x{b:02X}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{self}\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_values_compare_by_bytes() {
        let long = "A".repeat(INLINE + 1);
        assert_eq!(Field::from(long.as_str()).as_bytes(), long.as_bytes());
        assert_eq!(Field::from("AB"), Field::new(b"AB"));
        assert_ne!(Field::from("AB"), Field::from("AB "));
        let (short, long) = (Field::from("A"), Field::from(long.as_str()));
        assert_eq!(short.cmp(&long), std::cmp::Ordering::Less);
        assert!(Field::default().is_empty());
        assert_eq!(std::mem::size_of::<Field>(), 24);
    }

    #[test]
    fn trimmed_drops_only_trailing_spaces() {
        assert_eq!(Field::from(" AB  ").trimmed(), b" AB");
        assert_eq!(Field::from("   ").trimmed(), b"");
    }

    #[test]
    fn counts_are_digits_only() {
        assert_eq!(Field::from("0003").to_count(), Some(3));
        assert_eq!(Field::from("").to_count(), None);
        assert_eq!(Field::from("1 ").to_count(), None);
        assert_eq!(Field::from("-1").to_count(), None);
        assert_eq!(Field::from("99999999999999999999").to_count(), None);
    }

    #[test]
    fn display_escapes_non_printable_bytes() {
        assert_eq!(Field::new(b"A\x1d\xe9").to_string(), "A\\x1D\\xE9");
        assert_eq!(format!("{:?}", Field::from("ZZ")), "\"ZZ\"");
    }
}

//! One envelope value, kept as the bytes it was written with.

use std::fmt;

/// The bytes of one envelope value (an element or component), exactly as written, except that
/// EDIFACT release characters are removed. Envelopes are not always UTF-8, so nothing here
/// assumes text; [`Field::as_str`] answers when it is.
#[derive(Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Field(Box<[u8]>);

impl Field {
    /// A field holding these bytes.
    pub fn new(bytes: &[u8]) -> Self {
        Self(bytes.into())
    }

    /// The bytes as written.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The value as text, when it is UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.0).ok()
    }

    /// The value without trailing spaces: X12 pads ISA06 and ISA08 to 15 bytes, and a
    /// directory looks IDs up without that padding.
    pub fn trimmed(&self) -> &[u8] {
        let end = self.0.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
        &self.0[..end]
    }

    /// True when the field has no bytes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value as a count, when it is one to nineteen ASCII digits (leading zeros allowed).
    pub fn to_count(&self) -> Option<u64> {
        if self.0.is_empty() || self.0.len() > 19 || !self.0.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(
            self.0
                .iter()
                .fold(0u64, |n, &d| n * 10 + u64::from(d - b'0')),
        )
    }
}

impl From<&str> for Field {
    fn from(text: &str) -> Self {
        Self::new(text.as_bytes())
    }
}

impl PartialEq<str> for Field {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other.as_bytes()
    }
}

impl PartialEq<&str> for Field {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == *other.as_bytes()
    }
}

impl PartialEq<[u8]> for Field {
    fn eq(&self, other: &[u8]) -> bool {
        *self.0 == *other
    }
}

/// Printable ASCII as is, every other byte as `\xNN`: a reason quoting a field stays one
/// readable line whatever the bytes.
impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for &b in self.0.iter() {
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

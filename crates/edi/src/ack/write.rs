//! Segment writers for both standards: delimiters fixed once, segments counted, trailing
//! empty elements dropped (both standards forbid writing them).

use super::Stamp;
use crate::EdifactDelimiters;
use crate::scan::{Split, unescape};

/// X12 segments with one element separator and one terminator (line end included).
pub(super) struct X12Writer {
    pub(super) bytes: Vec<u8>,
    element: u8,
    terminator: Vec<u8>,
    count: u64,
}

impl X12Writer {
    pub(super) fn new(element: u8, terminator: Vec<u8>) -> Self {
        Self {
            bytes: Vec::with_capacity(512),
            element,
            terminator,
            count: 0,
        }
    }

    /// Writes one segment: the tag, then its elements up to the last non-empty one.
    pub(super) fn segment(&mut self, tag: &str, elements: &[&[u8]]) {
        self.bytes.extend_from_slice(tag.as_bytes());
        let used = elements
            .iter()
            .rposition(|e| !e.is_empty())
            .map_or(0, |i| i + 1);
        for element in &elements[..used] {
            self.bytes.push(self.element);
            self.bytes.extend_from_slice(element);
        }
        self.bytes.extend_from_slice(&self.terminator);
        self.count += 1;
    }

    /// Segments written since the last call: SE01 counts ST to SE, both included.
    pub(super) fn take_count(&mut self) -> u64 {
        std::mem::take(&mut self.count)
    }
}

/// EDIFACT segments with the service characters of `delimiters`; every value is escaped
/// with the release character where it holds a service character.
pub(super) struct EdifactWriter {
    pub(super) bytes: Vec<u8>,
    d: EdifactDelimiters,
    count: u64,
}

impl EdifactWriter {
    /// Starts with a UNA when `delimiters` says the interchange had one.
    pub(super) fn new(d: EdifactDelimiters) -> Self {
        let mut bytes = Vec::with_capacity(512);
        if d.una {
            bytes.extend_from_slice(b"UNA");
            bytes.extend_from_slice(&d.service_string());
            bytes.extend_from_slice(d.line_end.as_bytes());
        }
        Self { bytes, d, count: 0 }
    }

    /// Writes one segment of elements made of components, each an unescaped value.
    pub(super) fn segment(&mut self, tag: &str, elements: &[&[&[u8]]]) {
        self.bytes.extend_from_slice(tag.as_bytes());
        let filled = |e: &[&[u8]]| e.iter().any(|c| !c.is_empty());
        let used = elements
            .iter()
            .rposition(|e| filled(e))
            .map_or(0, |i| i + 1);
        for element in &elements[..used] {
            self.bytes.push(self.d.element);
            let parts = element
                .iter()
                .rposition(|c| !c.is_empty())
                .map_or(0, |i| i + 1);
            for (i, component) in element[..parts].iter().enumerate() {
                if i > 0 {
                    self.bytes.push(self.d.component);
                }
                self.escaped(component);
            }
        }
        self.bytes.push(self.d.segment);
        self.bytes.extend_from_slice(self.d.line_end.as_bytes());
        self.count += 1;
    }

    /// Segments written since the last call: UNT counts UNH to UNT, both included.
    pub(super) fn take_count(&mut self) -> u64 {
        std::mem::take(&mut self.count)
    }

    /// The components of a composite as the received interchange wrote it (same delimiters),
    /// unescaped: to be written again through [`EdifactWriter::segment`].
    pub(super) fn components(&self, raw: &[u8]) -> Vec<Vec<u8>> {
        Split::new(raw, self.d.component, self.d.release)
            .map(|(_, part)| unescape(part, self.d.release).as_bytes().to_vec())
            .collect()
    }

    fn escaped(&mut self, value: &[u8]) {
        let d = self.d;
        let Some(release) = d.release else {
            // Without a release character (syntax level B) nothing can be escaped; values
            // echoed from the received interchange cannot hold its separators anyway.
            self.bytes.extend_from_slice(value);
            return;
        };
        for &b in value {
            let repetition = d.reserved != b' ' && b == d.reserved;
            if b == d.component || b == d.element || b == d.segment || b == release || repetition {
                self.bytes.push(release);
            }
            self.bytes.push(b);
        }
    }
}

/// `value` cut or padded with spaces to `width` bytes: ISA elements are of fixed width.
pub(super) fn fixed(value: &[u8], width: usize) -> Vec<u8> {
    let mut out: Vec<u8> = value.iter().copied().take(width).collect();
    out.resize(width, b' ');
    out
}

/// A control number as at least `width` digits. X12 control numbers have at most nine
/// digits, so larger numbers wrap (a zero after wrapping is written as is).
pub(super) fn control(number: u64, width: usize) -> String {
    format!("{:0width$}", number % 1_000_000_000)
}

impl Stamp {
    /// `YYMMDD`.
    pub(super) fn yymmdd(&self) -> String {
        format!("{:02}{:02}{:02}", self.year % 100, self.month, self.day)
    }

    /// `CCYYMMDD`.
    pub(super) fn ccyymmdd(&self) -> String {
        format!("{:04}{:02}{:02}", self.year, self.month, self.day)
    }

    /// `HHMM`.
    pub(super) fn hhmm(&self) -> String {
        format!("{:02}{:02}", self.hour, self.minute)
    }
}

//! A parcel: interchanges one after another, with nothing but whitespace around them.

use crate::scan::{find_header, header_at, skip_space};
use crate::{
    DocumentKind, Interchange, ParcelReading, ParcelVerdict, Reason, Standard, edifact, sniff, x12,
};

/// Reads every interchange envelope of a parcel: [`Interchanges`] run to the end.
///
/// Interchanges of either standard may follow one another directly or with whitespace
/// between them; any other byte before, between or after them makes the parcel invalid as a
/// whole (reading goes on from the next interchange, so that all of them are reported). A
/// parcel in which no interchange begins is [`ParcelVerdict::NoEnvelope`], with its kind
/// sniffed; an XML or PDF document is that even if it quotes an interchange.
pub fn read_parcel(data: &[u8]) -> ParcelReading {
    let mut reader = Interchanges::new(data);
    let mut interchanges: Vec<Interchange> = reader.by_ref().collect();
    interchanges.shrink_to_fit();
    ParcelReading {
        interchanges,
        verdict: reader.verdict,
    }
}

/// The interchanges of a parcel one at a time, in one pass over the bytes and without
/// copying them, for a caller that wants to keep less than all of their metadata.
///
/// ```
/// use edigrid_edi::{Interchanges, ParcelVerdict};
///
/// let mut reader = Interchanges::new(b"UNB+UNOA:1+S+R+240101:1200+1'UNZ+0+1'\n");
/// let controls: Vec<_> = reader.by_ref().map(|ic| ic.control_number).collect();
/// assert_eq!(controls, ["1"]);
/// assert_eq!(reader.verdict(), &ParcelVerdict::Enveloped);
/// ```
#[derive(Debug, Clone)]
pub struct Interchanges<'a> {
    data: &'a [u8],
    pos: usize,
    started: bool,
    verdict: ParcelVerdict,
}

impl<'a> Interchanges<'a> {
    /// A reader at the start of the parcel.
    pub fn new(data: &'a [u8]) -> Self {
        Self {
            data,
            pos: 0,
            started: false,
            verdict: ParcelVerdict::Enveloped,
        }
    }

    /// The verdict on the parcel as a whole, final once the iterator has returned `None`;
    /// before that it reflects the bytes read so far.
    pub fn verdict(&self) -> &ParcelVerdict {
        &self.verdict
    }

    /// At the start: a parcel that does not begin with an interchange is a document without
    /// envelope, unless an interchange follows text or binary bytes.
    fn start(&mut self) {
        self.started = true;
        self.pos = skip_space(self.data, 0);
        if header_at(self.data, self.pos).is_some() {
            return;
        }
        let document = sniff(self.data);
        let quoting = matches!(document, DocumentKind::Xml | DocumentKind::Pdf);
        match find_header(self.data, self.pos).filter(|_| !quoting) {
            Some(first) => {
                self.unexpected(self.pos, "before the first interchange");
                self.pos = first;
            }
            None => {
                self.verdict = ParcelVerdict::NoEnvelope { document };
                self.pos = self.data.len();
            }
        }
    }

    fn unexpected(&mut self, offset: usize, place: &'static str) {
        if self.verdict == ParcelVerdict::Enveloped {
            let reason = Reason::UnexpectedBytes { place };
            self.verdict = ParcelVerdict::Invalid { offset, reason };
        }
    }
}

impl Iterator for Interchanges<'_> {
    type Item = Interchange;

    fn next(&mut self) -> Option<Interchange> {
        if !self.started {
            self.start();
        }
        loop {
            self.pos = skip_space(self.data, self.pos);
            if self.pos >= self.data.len() {
                return None;
            }
            if let Some(standard) = header_at(self.data, self.pos) {
                let interchange = match standard {
                    Standard::X12 => x12::read(self.data, self.pos),
                    Standard::Edifact => edifact::read(self.data, self.pos),
                };
                self.pos = interchange.range.end.max(self.pos + 1);
                return Some(interchange);
            }
            let next = find_header(self.data, self.pos + 1);
            let place = match next {
                Some(_) => "between interchanges",
                None => "after the last interchange",
            };
            self.unexpected(self.pos, place);
            self.pos = next.unwrap_or(self.data.len());
        }
    }
}

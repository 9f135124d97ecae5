//! A parcel: interchanges one after another, with nothing but whitespace around them.

use crate::scan::{find_header, header_at, skip_space};
use crate::{DocumentKind, ParcelReading, ParcelVerdict, Reason, Standard, edifact, sniff, x12};

/// Reads every interchange envelope of a parcel, in one pass over the bytes, without copying
/// them: only per-interchange metadata is kept.
///
/// Interchanges of either standard may follow one another directly or with whitespace
/// between them; any other byte before, between or after them makes the parcel invalid as a
/// whole (reading goes on from the next interchange, so that all of them are reported). A
/// parcel in which no interchange begins is [`ParcelVerdict::NoEnvelope`], with its kind
/// sniffed; an XML or PDF document is that even if it quotes an interchange.
pub fn read_parcel(data: &[u8]) -> ParcelReading {
    let mut interchanges = Vec::new();
    let mut verdict = ParcelVerdict::Enveloped;
    let mut pos = skip_space(data, 0);
    if header_at(data, pos).is_none() {
        let document = sniff(data);
        let quoted = !matches!(document, DocumentKind::Xml | DocumentKind::Pdf);
        match find_header(data, pos).filter(|_| quoted && pos < data.len()) {
            Some(first) => {
                let reason = Reason::UnexpectedBytes {
                    place: "before the first interchange",
                };
                verdict = ParcelVerdict::Invalid {
                    offset: pos,
                    reason,
                };
                pos = first;
            }
            None => {
                return ParcelReading {
                    interchanges,
                    verdict: ParcelVerdict::NoEnvelope { document },
                };
            }
        }
    }
    loop {
        pos = skip_space(data, pos);
        if pos >= data.len() {
            break;
        }
        if let Some(standard) = header_at(data, pos) {
            let interchange = match standard {
                Standard::X12 => x12::read(data, pos),
                Standard::Edifact => edifact::read(data, pos),
            };
            pos = interchange.range.end.max(pos + 1);
            interchanges.push(interchange);
            continue;
        }
        let next = find_header(data, pos + 1);
        if verdict == ParcelVerdict::Enveloped {
            let place = if next.is_some() {
                "between interchanges"
            } else {
                "after the last interchange"
            };
            verdict = ParcelVerdict::Invalid {
                offset: pos,
                reason: Reason::UnexpectedBytes { place },
            };
        }
        match next {
            Some(next) => pos = next,
            None => break,
        }
    }
    ParcelReading {
        interchanges,
        verdict,
    }
}

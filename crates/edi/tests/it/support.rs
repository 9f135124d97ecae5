//! Small builders for readable test interchanges.

use edigrid_edi::{Interchange, ParcelReading, ParcelVerdict, Reason, Verdict, read_parcel};

/// A 106-byte ISA with `*` `>` `^` `~`, version 00501, the given control number.
pub fn isa(control: &str) -> String {
    format!(
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       \
         *240101*1200*^*00501*{control}*1*T*>~"
    )
}

/// One group of one 850 with two data segments (ST + 2 + SE = 4 segments).
pub const GROUP_850: &str = "GS*PO*APPSENDER*APPRECEIVER*20240101*1200*17*X*005010~\
    ST*850*0001~BEG*00*SA*PO-1**20240101~PO1*1*10*EA*9.95**VP*A>B^C~SE*4*0001~GE*1*17~";

/// A valid X12 interchange holding `body`, whose IEA01 is `groups`.
pub fn x12(control: &str, body: &str, groups: usize) -> String {
    format!("{}{body}IEA*{groups}*{control}~", isa(control))
}

/// The standard test interchange: one group, one 850.
pub fn x12_850(control: &str) -> String {
    x12(control, GROUP_850, 1)
}

/// Replaces the test delimiters `*` `>` `^` `~` by others (`~` by `terminator`, which may
/// carry a line end), byte for byte.
pub fn with_delimiters(
    text: &str,
    element: u8,
    sub: u8,
    repetition: u8,
    terminator: &[u8],
) -> Vec<u8> {
    let mut out = Vec::new();
    for b in text.bytes() {
        match b {
            b'*' => out.push(element),
            b'>' => out.push(sub),
            b'^' => out.push(repetition),
            b'~' => out.extend_from_slice(terminator),
            other => out.push(other),
        }
    }
    out
}

/// A valid EDIFACT interchange with default delimiters and two loose messages.
pub fn edifact(reference: &str) -> String {
    format!(
        "UNB+UNOC:3+SENDER:14+RECEIVER:ZZ+240101:1200+{reference}++APP+A+1++1'\
         UNH+M1+ORDERS:D:96A:UN'BGM+220+PO-1+9'UNT+3+M1'\
         UNH+M2+INVOIC:D:96A:UN'BGM+380+IN-1+9'DTM+137:20240101:102'UNT+4+M2'\
         UNZ+2+{reference}'"
    )
}

/// Reads a parcel that must hold exactly one interchange and nothing else.
pub fn only(parcel: &[u8]) -> Interchange {
    let ParcelReading {
        mut interchanges,
        verdict,
    } = read_parcel(parcel);
    assert_eq!(verdict, ParcelVerdict::Enveloped);
    assert_eq!(interchanges.len(), 1, "{interchanges:#?}");
    interchanges.remove(0)
}

/// The reason of an invalid interchange, checking its offset.
pub fn invalid_at(interchange: &Interchange, offset: usize) -> Reason {
    match &interchange.verdict {
        Verdict::Invalid { offset: at, reason } => {
            assert_eq!(*at, offset, "offset of {reason}");
            reason.clone()
        }
        Verdict::Valid => panic!("valid: {interchange:#?}"),
    }
}

/// Offset of the first occurrence of `needle` in `haystack` (after `from`).
pub fn at(haystack: &[u8], needle: &str, from: usize) -> usize {
    haystack[from..]
        .windows(needle.len())
        .position(|w| w == needle.as_bytes())
        .map(|i| i + from)
        .unwrap_or_else(|| panic!("{needle} not found"))
}

//! EDI envelopes, read from bytes: X12 (`ISA`…`IEA`) and UN/EDIFACT (`UNA`/`UNB`…`UNZ`).
//!
//! Bytes in, interchanges out: [`read_parcel`] finds every interchange of an upload with its
//! byte range, parties, control numbers, delimiters, groups and transactions, checks the
//! interchange envelope (a [`Verdict`]) and records group and transaction envelope problems
//! as [`Finding`]s for acknowledgments. [`rewrite_x12_delimiters`] rewrites one X12
//! interchange to other delimiters, refusing when a new delimiter occurs in the data.
//!
//! No I/O, no text decoding (envelopes are not always UTF-8), nothing of the rest of
//! edigrid. The reader looks at each byte a bounded number of times and never copies the
//! parcel.
//!
//! ```
//! use edigrid_edi::{read_parcel, ParcelVerdict, Standard};
//!
//! let parcel = b"ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       \
//! *240101*1200*U*00401*000000001*0*P*>~GS*PO*SENDER*RECEIVER*20240101*1200*1*X*004010~\
//! ST*850*0001~BEG*00*SA*PO1**20240101~SE*3*0001~GE*1*1~IEA*1*000000001~";
//! let reading = read_parcel(parcel);
//! assert_eq!(reading.verdict, ParcelVerdict::Enveloped);
//! let interchange = &reading.interchanges[0];
//! assert_eq!(interchange.standard, Standard::X12);
//! assert!(interchange.is_valid());
//! assert_eq!(interchange.sender.id.trimmed(), b"SENDER");
//! assert_eq!(interchange.groups[0].transactions[0].kind, "850");
//! ```
#![forbid(unsafe_code)]

pub mod ack;
mod edifact;
mod field;
mod model;
mod nesting;
mod parcel;
mod rewrite;
mod scan;
mod sniff;
mod x12;

pub use field::Field;
pub use model::{
    Count, Delimiters, DocumentKind, EdifactDelimiters, Finding, Group, Interchange, LineEnd,
    ParcelReading, ParcelVerdict, Party, Reason, Standard, Transaction, Verdict, X12Delimiters,
};
pub use parcel::{Interchanges, read_parcel};
pub use rewrite::{Conflict, rewrite_x12_delimiters};
pub use sniff::sniff;

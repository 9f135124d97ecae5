//! Parcels and interchanges (SPEC-VAN 15–19): upload, envelope reading and routing,
//! inbox, download, confirm and the rest of their lifecycle. Every front end calls these
//! services; each checks the caller's authority here.

mod access;
mod api;
mod interchanges;
mod lifecycle;
mod lists;
pub mod model;
mod routing;
pub mod store;
mod upload;

pub use api::{
    DownloadMode, Downloaded, InterchangeQuery, ParcelDetail, ParcelQuery, ParcelView,
    UploadOutcome, UploadReceipt, UploadRequest,
};
pub use lifecycle::MAX_NOTE_LEN;

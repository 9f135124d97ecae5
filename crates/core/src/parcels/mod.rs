//! Parcels and interchanges (SPEC-VAN 15–19): upload, envelope reading and routing,
//! inbox, download, confirm and the rest of their lifecycle. Every front end calls these
//! services; each checks the caller's authority here.

mod api;
pub mod model;
pub mod store;

pub use api::{
    DownloadMode, Downloaded, InterchangeQuery, ParcelDetail, ParcelQuery, ParcelView,
    UploadOutcome, UploadRequest,
};

//! edigrid's SOAP front end. It translates envelopes to calls of `edigrid_core::Core` and
//! results and errors back to envelopes and faults; it holds no business rules.

/// Public only so that the fuzz targets can decode arguments as the endpoint does.
#[doc(hidden)]
pub mod args;
pub mod coverage;
pub mod dataset;
pub mod deployed_schema;
mod endpoint;
pub mod envelope;
mod help;
pub mod operations;
pub mod schema;
mod writer;
mod wsdl;

pub use endpoint::{
    DEPLOYED_WSDL_PATH, SOAP_PATH, SoapState, body_too_large, body_unreadable, names_upload,
    router, upload_busy,
};
pub use writer::{fault_envelope, response_envelope};
pub use wsdl::wsdl;

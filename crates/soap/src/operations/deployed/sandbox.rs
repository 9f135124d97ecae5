//! Sandbox operations (SPEC-VAN 21): `ParcelTest`, a valid test interchange between two IDs
//! sent like an upload from the sender's mailbox; its result is the new parcel's number.

use edigrid_core::sandbox::{TestFileRequest, test_standard};
use edigrid_domain::{EcGridId, Error};

use super::super::{Call, authenticate};
use super::Registration;
use super::parcels::int_of;
use crate::schema::Value;

pub(super) const OPERATIONS: &[Registration] = &[serve_directory!("ParcelTest", parcel_test)];

async fn parcel_test(call: Call) -> Result<Value, Error> {
    let standard = test_standard(call.args.enumeration("DocumentType"), "DocumentType")?;
    let request = TestFileRequest {
        from: EcGridId(call.args.int("ECGridIDFrom")),
        to: EcGridId(call.args.int("ECGridIDTo")),
        standard,
    };
    let caller = authenticate(&call).await?;
    let sent = call.core.send_test_file(&caller, request).await?;
    Ok(int_of(sent.parcel.id.0))
}

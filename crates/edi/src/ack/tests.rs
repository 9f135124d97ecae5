//! Exact bytes, counts and delimiters of acknowledgments and test interchanges.

use super::*;
use crate::{Interchange, read_parcel};

const AT: Stamp = Stamp {
    year: 2026,
    month: 12,
    day: 1,
    hour: 9,
    minute: 5,
};

const ISA_1: &str = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       \
*240101*1200*U*00401*000000001*0*P*>~";

fn one(parcel: &[u8]) -> Interchange {
    let mut reading = read_parcel(parcel);
    assert_eq!(reading.interchanges.len(), 1, "{reading:?}");
    reading.interchanges.remove(0)
}

fn ack(parcel: &str, control: u64) -> Option<Acknowledgment> {
    acknowledge(parcel.as_bytes(), &one(parcel.as_bytes()), control, AT)
}

fn text(ack: &Acknowledgment) -> &str {
    std::str::from_utf8(&ack.bytes).unwrap()
}

#[test]
fn a_997_golden() {
    let parcel = format!(
        "{ISA_1}GS*PO*SAPP*RAPP*20240101*1200*17*X*004010~ST*850*0001~BEG*00*SA*1**20240101~\
         SE*3*0001~ST*850*0002~SE*2*0002~GE*2*17~IEA*1*000000001~"
    );
    let ack = ack(&parcel, 42).unwrap();
    assert_eq!(
        text(&ack),
        "ISA*00*          *00*          *ZZ*RECEIVER       *ZZ*SENDER         *261201*0905*U*\
         00401*000000042*0*P*>~GS*FA*RAPP*SAPP*20261201*0905*42*X*004010~ST*997*0001~\
         AK1*PO*17~AK2*850*0001~AK5*A~AK2*850*0002~AK5*A~AK9*A*2*2*2~SE*8*0001~GE*1*42~\
         IEA*1*000000042~"
    );
    assert_eq!(ack.summary, "997 A");
}

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

/// Our own reader must find the answer sound: envelope counts and control numbers right,
/// nothing out of place.
fn reads_back_clean(ack: &Acknowledgment) -> Interchange {
    let back = one(&ack.bytes);
    assert!(back.is_valid(), "{back:?}\n{}", text(ack));
    assert!(back.findings.is_empty(), "{back:?}");
    for group in &back.groups {
        assert!(group.findings.is_empty(), "{group:?}");
        for set in &group.transactions {
            assert!(set.findings.is_empty(), "{set:?}");
        }
    }
    for message in &back.transactions {
        assert!(message.findings.is_empty(), "{message:?}");
    }
    back
}

#[test]
fn ta1_and_999_golden_in_the_received_delimiters() {
    let parcel = "ISA|00|          |00|          |ZZ|SENDER         |ZZ|RECEIVER       \
                  |240101|1200|^|00501|000000003|1|T|:~\r\nGS|HC|S|R|20240101|1200|5|X|\
                  005010X222A1~\r\nST|837|0001|005010X222A1~\r\nSE|2|0001~\r\nGE|1|5~\r\n\
                  IEA|1|000000003~\r\n";
    let ack = ack(parcel, 7).unwrap();
    assert_eq!(
        text(&ack),
        "ISA|00|          |00|          |ZZ|RECEIVER       |ZZ|SENDER         |261201|0905|^|\
         00501|000000007|0|T|:~\r\nTA1|000000003|240101|1200|A|000~\r\n\
         GS|FA|R|S|20261201|0905|7|X|005010X231A1~\r\nST|999|0001|005010X231A1~\r\n\
         AK1|HC|5|005010X222A1~\r\nAK2|837|0001|005010X222A1~\r\nIK5|A~\r\nAK9|A|1|1|1~\r\n\
         SE|6|0001~\r\nGE|1|7~\r\nIEA|1|000000007~\r\n"
    );
    assert_eq!(ack.summary, "TA1 A; 999 A");
    reads_back_clean(&ack);
}

#[test]
fn contrl_golden_with_una_line_ends_and_release_characters() {
    let parcel = "UNA:+.? '\nUNB+UNOC:3+S?+1:ZZ+R:14+240101:1200+A?'B'\nUNH+1+ORDERS:D:96A:UN'\n\
                  UNT+2+1'\nUNZ+1+A?'B'\n";
    let ack = ack(parcel, 12).unwrap();
    assert_eq!(
        text(&ack),
        "UNA:+.? '\nUNB+UNOC:3+R:14+S?+1:ZZ+261201:0905+12'\nUNH+1+CONTRL:D:3:UN'\n\
         UCI+A?'B+S?+1:ZZ+R:14+7'\nUNT+3+1'\nUNZ+1+12'\n"
    );
    assert_eq!(ack.summary, "CONTRL 7");
    let back = reads_back_clean(&ack);
    assert_eq!(back.receiver.id, "S+1");
}

#[test]
fn each_problem_gets_its_code_and_counts() {
    let parcel = format!(
        "{ISA_1}GS*PO*S*R*20240101*1200*1*X*004010~ST*850*0001~SE*9*0001~ST*850*0001~\
         SE*2*0001~ST*850*0003~SE*2*0004~ST*850*0005~GE*9*2~\
         GS*IN*S*R*20240101*1200*3*X*004010~ST*810*0001~SE*2*0001~IEA*2*000000001~"
    );
    let ack = ack(&parcel, 42).unwrap();
    assert_eq!(ack.summary, "997 R; 997 R");
    let body = text(&ack);
    assert!(
        body.contains(
            "AK1*PO*1~AK2*850*0001~AK5*R*4~AK2*850*0001~AK5*R*23~AK2*850*0003~AK5*R*3~\
             AK2*850*0005~AK5*R*2~AK9*R*9*4*0*5*4~"
        ),
        "{body}"
    );
    assert!(
        body.contains("AK1*IN*3~AK2*810*0001~AK5*A~AK9*R*1*1*1*3~"),
        "{body}"
    );
    let back = reads_back_clean(&ack);
    assert_eq!(back.groups[0].transactions.len(), 2);
}

#[test]
fn mixed_versions_get_two_fa_groups_with_consecutive_control_numbers() {
    let parcel = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       \
                  *240101*1200*U*00401*000000001*0*P*>~GS*PO*S*R*20240101*1200*1*X*004010~\
                  ST*850*0001~SE*2*0001~GE*1*1~GS*HC*S*R*20240101*1200*2*X*005010X222A1~\
                  ST*837*0001*005010X222A1~SE*2*0001~GE*1*2~IEA*2*000000001~";
    let ack = ack(parcel, 999_999_999).unwrap();
    assert_eq!(ack.summary, "997 A; 999 A");
    let back = reads_back_clean(&ack);
    assert_eq!(back.version, "00501");
    assert_eq!(back.control_number, "999999999");
    let controls: Vec<_> = back
        .groups
        .iter()
        .map(|g| g.control_number.clone())
        .collect();
    // The second group's number wraps with the first's nine digits.
    assert_eq!(controls, ["999999999", "0"]);
    // No repetition separator was received: one that clashes with nothing is chosen.
    assert!(text(&ack).contains("*^*00501*"), "{}", text(&ack));
}

#[test]
fn a_999_repetition_separator_avoids_the_received_delimiters() {
    let parcel = "ISA^00^          ^00^          ^ZZ^SENDER         ^ZZ^RECEIVER       \
                  ^240101^1200^U^00401^000000001^0^P^>~GS^HC^S^R^20240101^1200^2^X^\
                  005010X222A1~ST^837^0001~SE^2^0001~GE^1^2~IEA^1^000000001~";
    let ack = ack(parcel, 5).unwrap();
    assert!(text(&ack).contains("^{^00501^"), "{}", text(&ack));
    reads_back_clean(&ack);
}

#[test]
fn acknowledgments_are_not_acknowledged() {
    let fa = format!(
        "{ISA_1}GS*FA*S*R*20240101*1200*1*X*004010~ST*997*0001~AK1*PO*1~AK9*A*1*1*1~\
         SE*4*0001~GE*1*1~IEA*1*000000001~"
    );
    assert_eq!(ack(&fa, 1), None);
    let asks = fa.replacen("*0*P*>~", "*1*P*>~", 1);
    assert_eq!(ack(&asks, 1).unwrap().summary, "TA1 A");
    let contrl = "UNB+UNOA:3+S+R+240101:1200+9'UNH+1+CONTRL:D:3:UN'UCI+1+R+S+7'UNT+3+1'UNZ+1+9'";
    assert_eq!(ack(contrl, 1), None);
    let empty = "UNB+UNOA:3+S+R+240101:1200+9'UNZ+0+9'";
    assert_eq!(ack(empty, 1).unwrap().summary, "CONTRL 7");
}

#[test]
fn broken_envelopes_are_rejected_at_the_interchange() {
    let wrong_control = format!("{ISA_1}IEA*0*000000002~");
    let ack1 = ack(&wrong_control, 1).unwrap();
    assert!(
        text(&ack1).contains("TA1*000000001*240101*1200*R*001~"),
        "{}",
        text(&ack1)
    );
    assert_eq!(ack1.summary, "TA1 R");
    reads_back_clean(&ack1);
    let unreadable = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       \
                      *240101*1200*U*00401*000000001*0*P*~~";
    assert_eq!(ack(unreadable, 1), None);
    let edifact = "UNB+UNOA:3+S+R+240101:1200+9'UNH+1+X:D:96A:UN'UNT+2+1'";
    let contrl = ack(edifact, 1).unwrap();
    assert!(
        text(&contrl).contains("UCI+9+S+R+4+13+UNZ'"),
        "{}",
        text(&contrl)
    );
    reads_back_clean(&contrl);
}

#[test]
fn test_interchanges_read_back_sound_whatever_the_ids_hold() {
    let x12 = test_interchange(
        TestStandard::X12,
        ("ZZ", "A*B~C"),
        ("01", "R"),
        1_000_000_012,
        AT,
    );
    let back = one(&x12);
    assert!(back.is_valid() && back.findings.is_empty(), "{back:?}");
    assert_eq!(back.sender.id, "A*B~C          ");
    assert_eq!(back.control_number, "000000012");
    assert_eq!(back.usage, "T");
    let group = &back.groups[0];
    assert!(group.findings.is_empty() && group.transactions[0].findings.is_empty());
    assert_eq!(group.transactions[0].kind, "850");
    let edifact = test_interchange(TestStandard::Edifact, ("ZZ", "S'1"), ("14", "R:2"), 77, AT);
    let back = one(&edifact);
    assert!(back.is_valid() && back.findings.is_empty(), "{back:?}");
    assert_eq!(back.sender.id, "S'1");
    assert_eq!(back.receiver.id, "R:2");
    assert_eq!(back.control_number, "77");
    assert!(back.is_test());
    let message = &back.transactions[0];
    assert_eq!(
        (message.kind.as_str(), message.version.as_str()),
        (Some("ORDERS"), Some("D:96A:UN"))
    );
    assert!(message.findings.is_empty(), "{message:?}");
}

#[test]
fn edifact_groups_get_a_ucf_each_when_one_is_wrong() {
    let parcel = "UNB+UNOC:4+S+R+20240101:1200+5'UNG+ORDERS+GS+GR+240101:1200+1+UN+D:96A'\
                  UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNE+1+1'UNG+INVOIC+GS+GR+240101:1200+2+UN+D:96A'\
                  UNH+1+INVOIC:D:96A:UN'UNT+2+1'UNE+4+2'UNZ+2+5'";
    let ack = ack(parcel, 9).unwrap();
    assert_eq!(
        text(&ack),
        "UNB+UNOC:4+R+S+20261201:0905+9'UNH+1+CONTRL:D:3:UN'UCI+5+S+R+7'UCF+1+GS+GR+7'\
         UCM+1+ORDERS:D:96A:UN+7'UCF+2+GS+GR+4+29+UNE'UCM+1+INVOIC:D:96A:UN+7'UNT+7+1'UNZ+1+9'"
    );
    assert_eq!(ack.summary, "CONTRL 7 (UCF 4 x1)");
    reads_back_clean(&ack);
}

#[test]
fn syntax_level_b_answers_in_level_b() {
    let parcel = b"UNB\x1dUNOB\x1f3\x1dS\x1dR\x1d240101\x1f1200\x1d6\x1cUNH\x1d1\x1dORDERS\x1fD\
                   \x1f96A\x1fUN\x1cUNT\x1d2\x1d1\x1cUNZ\x1d1\x1d6\x1c";
    let interchange = one(parcel);
    let ack = acknowledge(parcel, &interchange, 3, AT).unwrap();
    assert_eq!(
        ack.bytes,
        b"UNB\x1dUNOB\x1f3\x1dR\x1dS\x1d261201\x1f0905\x1d3\x1cUNH\x1d1\x1dCONTRL\x1fD\x1f3\
          \x1fUN\x1cUCI\x1d6\x1dS\x1dR\x1d7\x1cUNT\x1d3\x1d1\x1cUNZ\x1d1\x1d3\x1c"
    );
    reads_back_clean(&ack);
}

//! Acknowledgments and test interchanges of `edigrid_edi::ack`, judged by tools that share no
//! code with edigrid: pyx12 validates every X12 answer (`tests/clients/python/x12_validate.py`,
//! its 997/999 maps), pydifact reads every CONTRL (`edifact_check.py`), and the codes and
//! counts they read back are compared with what was sent. Received interchanges come from
//! bytes written here and from node-x12's and pydifact's corpus generators.

use std::path::Path;

use edigrid_edi::ack::{Acknowledgment, Stamp, TestStandard, acknowledge, test_interchange};
use edigrid_edi::{
    Delimiters, Interchange, LineEnd, X12Delimiters, read_parcel, rewrite_x12_delimiters,
};
use serde_json::{Value, json};

use crate::support::python::{python, repo_root};

const AT: Stamp = Stamp {
    year: 2026,
    month: 12,
    day: 1,
    hour: 14,
    minute: 30,
};
const CONTROL: u64 = 901;

fn isa(version: &str, ack_requested: char) -> String {
    let isa11 = if version == "00501" { '^' } else { 'U' };
    format!(
        "ISA*00*          *00*          *ZZ*SENDER         *01*123456789      *240101*1200*\
         {isa11}*{version}*000000017*{ack_requested}*P*>~"
    )
}

fn po_group(control: u32, sets: &[(&str, &str)], ge01: usize) -> String {
    let mut group = format!("GS*PO*SAPP*RAPP*20240101*1200*{control}*X*004010~");
    for (st02, se01) in sets {
        group.push_str(&format!(
            "ST*850*{st02}~BEG*00*SA*PO{st02}**20240101~PO1*1*10*EA*9.95**VP*SKU~SE*{se01}*{st02}~"
        ));
    }
    group.push_str(&format!("GE*{ge01}*{control}~"));
    group
}

/// The one interchange of `parcel`, read.
fn one(parcel: &[u8]) -> Interchange {
    let reading = read_parcel(parcel);
    assert_eq!(reading.interchanges.len(), 1, "{reading:?}");
    reading.interchanges.into_iter().next().unwrap()
}

fn answer(parcel: &[u8]) -> Acknowledgment {
    acknowledge(parcel, &one(parcel), CONTROL, AT).expect("an acknowledgment")
}

/// Runs one of the checking scripts on `bytes`; its JSON, and whether it passed.
async fn run(script: &str, bytes: &[u8]) -> (bool, Value, String) {
    run_with(script, &[], bytes).await
}

async fn run_with(script: &str, options: &[&str], bytes: &[u8]) -> (bool, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("file.edi");
    std::fs::write(&file, bytes).unwrap();
    let script = repo_root().join("tests/clients/python").join(script);
    let mut args = vec![script.clone().into_os_string()];
    args.extend(options.iter().map(Into::into));
    args.push(file.into_os_string());
    let ran = python(&args).await;
    let json_text = ran.stdout.trim_end().trim_end_matches("pass");
    let value = serde_json::from_str(json_text).unwrap_or_else(|e| {
        panic!(
            "{script:?} printed no JSON ({e}):\n{}\n{}",
            ran.stdout, ran.stderr
        )
    });
    let passed = ran.success && ran.stdout.lines().any(|l| l == "pass");
    (passed, value, ran.stderr)
}

/// pyx12's verdict on an X12 file that must be valid.
async fn x12_valid(bytes: &[u8]) -> Value {
    let (passed, value, stderr) = run("x12_validate.py", bytes).await;
    assert!(
        passed,
        "pyx12 refused:\n{}\n{stderr}\n{value:#}",
        String::from_utf8_lossy(bytes)
    );
    value
}

/// pydifact's reading of an EDIFACT file that must be sound.
async fn edifact_valid(bytes: &[u8]) -> Value {
    let (passed, value, stderr) = run("edifact_check.py", bytes).await;
    assert!(
        passed,
        "edifact_check refused:\n{}\n{stderr}\n{value:#}",
        String::from_utf8_lossy(bytes)
    );
    value
}

/// The acknowledgment part of pyx12's reading: per FA group, per 997/999, AK1, AK5s, AK9.
fn acks(report: &Value) -> Vec<Value> {
    let groups = report["groups"].as_array().unwrap();
    groups
        .iter()
        .flat_map(|g| g["ack"].as_array().unwrap().clone())
        .collect()
}

fn ak5s(ack: &Value) -> Vec<Value> {
    let sets = ack["sets"].as_array().unwrap();
    sets.iter().map(|s| s["ak5"].clone()).collect()
}

#[tokio::test]
async fn two_valid_groups_get_a_997_each_that_pyx12_accepts() {
    let parcel = format!(
        "{}{}{}IEA*2*000000017~",
        isa("00401", '0'),
        po_group(101, &[("0001", "4"), ("0002", "4")], 2),
        po_group(102, &[("0001", "4")], 1)
    );
    let sent = x12_valid(parcel.as_bytes()).await;
    assert_eq!(sent["mode"], "envelope", "pyx12 has no 850 map");
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "997 A; 997 A");
    let report = x12_valid(&ack.bytes).await;
    assert_eq!(
        report["mode"], "map",
        "the 997 goes through pyx12's 997 map"
    );
    assert_eq!(
        report["isa"],
        json!({"sender": "01:123456789", "receiver": "ZZ:SENDER", "control": "000000901",
               "version": "00401", "ack_requested": "0", "usage": "P"})
    );
    let group = &report["groups"][0];
    assert_eq!(
        (&group["gs01"], &group["gs06"]),
        (&json!("FA"), &json!("901"))
    );
    assert_eq!(group["ge01"], "2");
    let acks = acks(&report);
    assert_eq!(acks.len(), 2);
    assert_eq!(acks[0]["ak1"], json!(["PO", "101"]));
    assert_eq!(ak5s(&acks[0]), vec![json!(["A"]), json!(["A"])]);
    assert_eq!(acks[0]["ak9"], json!(["A", "2", "2", "2"]));
    assert_eq!(acks[1]["ak1"], json!(["PO", "102"]));
    assert_eq!(acks[1]["ak9"], json!(["A", "1", "1", "1"]));
    assert!(report["ta1"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_wrong_ge01_is_answered_with_ak9_code_5_as_pyx12_reads_it() {
    let parcel = format!(
        "{}{}IEA*1*000000017~",
        isa("00401", '0'),
        po_group(7, &[("0001", "4")], 3)
    );
    let (passed, _, stderr) = run("x12_validate.py", parcel.as_bytes()).await;
    assert!(!passed && stderr.contains("gs 5"), "{stderr}");
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "997 E");
    let report = x12_valid(&ack.bytes).await;
    let acks = acks(&report);
    assert_eq!(acks[0]["ak1"], json!(["PO", "7"]));
    assert_eq!(ak5s(&acks[0]), vec![json!(["A"])]);
    // Included as GE01 says, received and accepted as found, and the error code.
    assert_eq!(acks[0]["ak9"], json!(["E", "3", "1", "1", "5"]));
}

#[tokio::test]
async fn a_wrong_se01_rejects_that_set_with_ak5_code_4() {
    let parcel = format!(
        "{}{}IEA*1*000000017~",
        isa("00401", '0'),
        po_group(8, &[("0001", "9"), ("0002", "4")], 2)
    );
    let (passed, _, stderr) = run("x12_validate.py", parcel.as_bytes()).await;
    assert!(!passed && stderr.contains("st 4"), "{stderr}");
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "997 P");
    let report = x12_valid(&ack.bytes).await;
    let acks = acks(&report);
    assert_eq!(ak5s(&acks[0]), vec![json!(["R", "4"]), json!(["A"])]);
    assert_eq!(acks[0]["ak9"], json!(["P", "2", "2", "1"]));
}

#[tokio::test]
async fn a_005010x222_group_gets_a_999_through_pyx12s_x231_map() {
    let parcel = format!(
        "{}GS*HC*SAPP*RAPP*20240101*1200*55*X*005010X222A1~ST*837*0001*005010X222A1~\
         BHT*0019*00*1*20240101*1200*CH~SE*3*0001~ST*837*0002*005010X222A1~SE*9*0002~GE*2*55~\
         IEA*1*000000017~",
        isa("00501", '0')
    );
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "999 P");
    let report = x12_valid(&ack.bytes).await;
    assert_eq!(report["mode"], "map");
    assert_eq!(report["isa"]["version"], "00501");
    let group = &report["groups"][0];
    assert_eq!(group["gs08"], "005010X231A1");
    assert_eq!(group["sets"][0]["st01"], "999");
    let acks = acks(&report);
    assert_eq!(acks[0]["ak1"], json!(["HC", "55", "005010X222A1"]));
    assert_eq!(
        acks[0]["sets"][0]["ak2"],
        json!(["837", "0001", "005010X222A1"])
    );
    assert_eq!(ak5s(&acks[0]), vec![json!(["A"]), json!(["R", "4"])]);
    assert_eq!(acks[0]["ak9"], json!(["P", "2", "2", "1"]));
}

#[tokio::test]
async fn isa14_1_adds_a_ta1_before_the_groups() {
    let parcel = format!(
        "{}{}IEA*1*000000017~",
        isa("00401", '1'),
        po_group(9, &[("0001", "4")], 1)
    );
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "TA1 A; 997 A");
    let report = x12_valid(&ack.bytes).await;
    assert_eq!(
        report["ta1"],
        json!([{"control": "000000017", "date": "240101", "time": "1200", "code": "A",
                "note": "000"}])
    );
    assert_eq!(acks(&report)[0]["ak9"], json!(["A", "1", "1", "1"]));
}

#[tokio::test]
async fn a_ta1_only_interchange_gets_a_lone_ta1_or_nothing() {
    let asks = format!(
        "{}TA1*000000003*240101*1200*A*000~IEA*0*000000017~",
        isa("00401", '1')
    );
    let ack = answer(asks.as_bytes());
    assert_eq!(ack.summary, "TA1 A");
    let report = x12_valid(&ack.bytes).await;
    assert!(report["groups"].as_array().unwrap().is_empty());
    assert_eq!(report["ta1"][0]["control"], "000000017");
    let silent = asks.replacen("*1*P*>~", "*0*P*>~", 1);
    assert_eq!(
        acknowledge(silent.as_bytes(), &one(silent.as_bytes()), 1, AT),
        None
    );
}

#[tokio::test]
async fn a_broken_interchange_envelope_is_rejected_by_ta1() {
    let parcel = format!(
        "{}{}IEA*2*000000017~",
        isa("00401", '0'),
        po_group(9, &[("0001", "4")], 1)
    );
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "TA1 R");
    let report = x12_valid(&ack.bytes).await;
    assert_eq!(report["ta1"][0]["code"], "R");
    assert_eq!(report["ta1"][0]["note"], "021", "IEA01 count");
    assert!(report["groups"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn the_validator_refuses_a_997_with_a_wrong_count() {
    let parcel = format!(
        "{}{}IEA*1*000000017~",
        isa("00401", '0'),
        po_group(9, &[("0001", "4")], 1)
    );
    let ack = String::from_utf8(answer(parcel.as_bytes()).bytes).unwrap();
    let broken = ack.replace("SE*6*0001", "SE*7*0001");
    assert_ne!(broken, ack);
    let (passed, _, stderr) = run("x12_validate.py", broken.as_bytes()).await;
    assert!(!passed && stderr.contains("SE count of 7"), "{stderr}");
    let code = ack.replace("AK5*A", "AK5*Q");
    assert_ne!(code, ack);
    let (passed, _, stderr) = run("x12_validate.py", code.as_bytes()).await;
    assert!(!passed, "an AK501 outside its code list passed: {stderr}");
}

#[tokio::test]
async fn edifact_with_una_and_release_characters_gets_a_contrl_naming_its_reference() {
    let parcel = "UNA:+.? '\nUNB+UNOC:3+SEND?+ER:ZZ+RECV?:1:14+240101:1200+REF?'1'\n\
                  UNH+1+ORDERS:D:96A:UN'\nBGM+220+A?:B?'C'\nUNT+3+1'\nUNZ+1+REF?'1'\n";
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "CONTRL 7");
    let report = edifact_valid(&ack.bytes).await;
    assert_eq!(report["una"], ":+.? '");
    assert_eq!(report["unb"][1], json!(["RECV:1", "14"]));
    assert_eq!(report["unb"][2], json!(["SEND+ER", "ZZ"]));
    assert_eq!(report["unb"][4], "901");
    assert_eq!(
        report["messages"][0]["unh"][1],
        json!(["CONTRL", "D", "3", "UN"])
    );
    assert_eq!(
        report["uci"],
        json!([["REF'1", ["SEND+ER", "ZZ"], ["RECV:1", "14"], "7"]])
    );
}

#[tokio::test]
async fn edifact_without_una_reports_a_wrong_unt_per_message() {
    let parcel = "UNB+UNOA:2+SENDER:ZZ+RECV:14+240101:1200+77'UNH+1+ORDERS:D:96A:UN'\
                  BGM+220+1'UNT+3+1'UNH+2+INVOIC:D:96A:UN'UNT+9+2'UNZ+2+77'";
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "CONTRL 7 (UCM 4 x1)");
    let report = edifact_valid(&ack.bytes).await;
    // The checker can refuse: a wrong UNZ reference, a wrong UNT count.
    let text = String::from_utf8(ack.bytes.clone()).unwrap();
    for (good, bad) in [("UNZ+1+901'", "UNZ+1+902'"), ("UNT+5+1'", "UNT+6+1'")] {
        let broken = text.replace(good, bad);
        assert_ne!(broken, text);
        let (passed, _, stderr) = run("edifact_check.py", broken.as_bytes()).await;
        assert!(!passed && stderr.contains(&bad[..3]), "{broken}: {stderr}");
    }
    assert_eq!(report["una"], Value::Null);
    assert_eq!(report["uci"][0][0], "77");
    assert_eq!(report["uci"][0][3], "7");
    assert_eq!(
        report["ucm"],
        json!([
            ["1", ["ORDERS", "D", "96A", "UN"], "7"],
            ["2", ["INVOIC", "D", "96A", "UN"], "4", "29", "UNT"]
        ])
    );
}

#[tokio::test]
async fn edifact_groups_with_a_wrong_une_get_a_rejecting_ucf() {
    let parcel = "UNB+UNOC:3+SENDER:ZZ+RECV:14+240101:1200+79'UNG+ORDERS+GS+GR+240101:1200+1+UN+\
                  D:96A'UNH+1+ORDERS:D:96A:UN'UNT+2+1'UNE+1+1'UNG+INVOIC+GS+GR+240101:1200+2+UN+\
                  D:96A'UNH+1+INVOIC:D:96A:UN'UNT+2+1'UNE+3+2'UNZ+2+79'";
    let sent = edifact_valid(parcel.as_bytes()).await;
    assert_eq!(sent["messages"].as_array().unwrap().len(), 2);
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "CONTRL 7 (UCF 4 x1)");
    let report = edifact_valid(&ack.bytes).await;
    assert_eq!(report["uci"][0][0], "79");
    assert_eq!(
        report["ucf"],
        json!([["1", "GS", "GR", "7"], ["2", "GS", "GR", "4", "29", "UNE"]])
    );
    assert_eq!(report["ucm"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn an_edifact_interchange_with_a_wrong_unz_count_is_rejected() {
    let parcel = "UNB+UNOA:2+SENDER:ZZ+RECV:14+240101:1200+78'UNH+1+ORDERS:D:96A:UN'\
                  UNT+2+1'UNZ+5+78'";
    let ack = answer(parcel.as_bytes());
    assert_eq!(ack.summary, "CONTRL 4");
    let report = edifact_valid(&ack.bytes).await;
    assert_eq!(
        report["uci"],
        json!([["78", ["SENDER", "ZZ"], ["RECV", "14"], "4", "29", "UNZ"]])
    );
    assert_eq!(report["ucm"], json!([]));
}

#[tokio::test]
async fn test_interchanges_pass_both_validators_and_are_acknowledged() {
    let x12 = test_interchange(
        TestStandard::X12,
        ("ZZ", "SANDBOXA"),
        ("01", "987654321"),
        33,
        AT,
    );
    let report = x12_valid(&x12).await;
    assert_eq!(report["isa"]["sender"], "ZZ:SANDBOXA");
    assert_eq!(report["isa"]["receiver"], "01:987654321");
    assert_eq!(report["isa"]["control"], "000000033");
    let set = &report["groups"][0]["sets"][0];
    assert_eq!(set["st01"], "850");
    assert_eq!(set["se01"], json!(set["segments"].to_string()));
    let ack = answer(&x12);
    assert_eq!(ack.summary, "997 A");
    let report = x12_valid(&ack.bytes).await;
    assert_eq!(acks(&report)[0]["ak1"], json!(["PO", "33"]));

    let edifact = test_interchange(
        TestStandard::Edifact,
        ("ZZ", "SAND'BOX"),
        ("14", "4000"),
        34,
        AT,
    );
    let report = edifact_valid(&edifact).await;
    assert_eq!(report["unb"][1], json!(["SAND'BOX", "ZZ"]));
    assert_eq!(
        report["messages"][0]["unh"][1],
        json!(["ORDERS", "D", "96A", "UN"])
    );
    let ack = answer(&edifact);
    assert_eq!(ack.summary, "CONTRL 7");
    let report = edifact_valid(&ack.bytes).await;
    assert_eq!(report["uci"][0][0], "34");
}

/// pyx12's verdict on an answer that must be valid. pyx12's maps refuse control characters
/// in ISA16, though X12 allows them as delimiters: an answer written with them is judged by
/// pyx12's envelope reader as it is, and by the maps with its delimiters rewritten.
async fn x12_judged(bytes: &[u8]) -> Value {
    let Some(Delimiters::X12(d)) = one(bytes).delimiters else {
        panic!("an X12 answer without delimiters");
    };
    if ![d.element, d.sub_element, d.segment]
        .iter()
        .any(u8::is_ascii_control)
    {
        return x12_valid(bytes).await;
    }
    let (passed, _, stderr) = run_with("x12_validate.py", &["--envelope"], bytes).await;
    assert!(passed, "pyx12's envelope reader refused: {stderr}");
    let printable = X12Delimiters {
        element: b'*',
        sub_element: b':',
        repetition: d.repetition.map(|_| b'^'),
        segment: b'~',
        line_end: LineEnd::None,
    };
    x12_valid(&rewrite_x12_delimiters(bytes, d, printable).unwrap()).await
}

/// The files of an independent generator's corpus, with their manifest.
async fn corpus(dir: &Path, generator: &str) -> Vec<(Vec<u8>, Value)> {
    let out = dir.join(generator);
    let manifest = if generator == "node" {
        let script = repo_root().join("tests/clients/node/x12_corpus.mjs");
        let ran = tokio::process::Command::new("node")
            .arg(&script)
            .args([
                "generate",
                out.to_str().unwrap(),
                "15",
                "ZZ:SENDER",
                "ZZ:RECV1,01:RECV2",
            ])
            .kill_on_drop(true)
            .output()
            .await
            .expect("node (scripts/install-test-clients.sh)");
        assert!(
            ran.status.success(),
            "{}",
            String::from_utf8_lossy(&ran.stderr)
        );
        String::from_utf8(ran.stdout).unwrap()
    } else {
        let script = repo_root().join("tests/clients/python/edifact_corpus.py");
        let args = [
            script.to_str().unwrap(),
            "generate",
            out.to_str().unwrap(),
            "15",
            "ZZ:SENDER",
            "ZZ:RECV1,14:RECV2",
        ];
        let ran = python(&args).await;
        ran.assert_success("edifact_corpus.py generate");
        ran.stdout
    };
    let manifest: Value = serde_json::from_str(&manifest).unwrap();
    manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let bytes = std::fs::read(out.join(f["name"].as_str().unwrap())).unwrap();
            (bytes, f.clone())
        })
        .collect()
}

#[tokio::test]
async fn node_x12_corpus_interchanges_get_acknowledgments_pyx12_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let mut answered = 0;
    for (bytes, file) in corpus(dir.path(), "node").await {
        let reading = read_parcel(&bytes);
        let sent = file["interchanges"].as_array().unwrap();
        assert_eq!(reading.interchanges.len(), sent.len(), "{}", file["name"]);
        for (n, interchange) in reading.interchanges.iter().enumerate() {
            let own = &bytes[interchange.range.clone()];
            // node-x12's 837s are made up around a sound envelope: pyx12 judges that only.
            let (passed, received, stderr) =
                run_with("x12_validate.py", &["--envelope"], own).await;
            assert!(passed, "{}: {stderr}", file["name"]);
            let ack = acknowledge(&bytes, interchange, CONTROL + n as u64, AT).unwrap();
            let report = x12_judged(&ack.bytes).await;
            let groups = received["groups"].as_array().unwrap();
            let acks = acks(&report);
            assert_eq!(
                acks.len(),
                groups.len(),
                "{}: {}",
                file["name"],
                ack.summary
            );
            for (group, ack) in groups.iter().zip(&acks) {
                assert_eq!(ack["ak1"][0], group["gs01"]);
                assert_eq!(ack["ak1"][1], group["gs06"]);
                let n = group["sets"].as_array().unwrap().len().to_string();
                assert_eq!(ack["ak9"], json!(["A", n, n, n]), "{}", file["name"]);
            }
            assert_eq!(report["isa"]["receiver"], received["isa"]["sender"]);
            answered += 1;
        }
    }
    assert!(answered >= 10, "only {answered} interchanges answered");
}

#[tokio::test]
async fn pydifact_corpus_interchanges_get_contrls_naming_their_references() {
    let dir = tempfile::tempdir().unwrap();
    let mut answered = 0;
    for (bytes, file) in corpus(dir.path(), "pydifact").await {
        let reading = read_parcel(&bytes);
        let sent = file["interchanges"].as_array().unwrap();
        assert_eq!(reading.interchanges.len(), sent.len(), "{}", file["name"]);
        for (n, (interchange, sent)) in reading.interchanges.iter().zip(sent).enumerate() {
            let ack = acknowledge(&bytes, interchange, CONTROL + n as u64, AT).unwrap();
            assert_eq!(ack.summary, "CONTRL 7", "{}", file["name"]);
            let report = edifact_valid(&ack.bytes).await;
            assert_eq!(report["uci"][0][0], sent["control"], "{}", file["name"]);
            assert_eq!(report["uci"][0][3], "7");
            answered += 1;
        }
    }
    assert!(answered >= 5, "only {answered} interchanges answered");
}

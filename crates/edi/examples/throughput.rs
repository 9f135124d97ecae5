//! How fast the envelope reader goes (SPEC-VAN 15: a 100 MiB parcel of 100,000 interchanges
//! in well under a CPU-second per 10 MiB). Run in release mode:
//!
//! ```sh
//! cargo run --release -p edigrid-edi --example throughput [MiB] [interchanges]
//! ```
//!
//! Builds the parcel in memory (X12 and EDIFACT alternating, a few line items each), reads
//! it a few times and prints the best time and the memory its metadata takes.

use std::time::Instant;

use edigrid_edi::{ParcelVerdict, read_parcel};

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().ok());
    let mib = args.next().flatten().unwrap_or(100);
    let count = args.next().flatten().unwrap_or(100_000);
    let target = mib << 20;
    let per = target / count;

    let mut parcel = Vec::with_capacity(target + 4096);
    for n in 0..count {
        let start = parcel.len();
        if n % 2 == 0 {
            x12(&mut parcel, n, per);
        } else {
            edifact(&mut parcel, n, per);
        }
        parcel.push(b'\n');
        debug_assert!(parcel.len() > start);
    }
    println!(
        "parcel: {:.1} MiB, {count} interchanges, {} bytes each on average",
        parcel.len() as f64 / (1 << 20) as f64,
        parcel.len() / count
    );

    let before = resident_kib();
    let reading = read_parcel(&parcel);
    let kept = resident_kib().saturating_sub(before);
    assert_eq!(reading.verdict, ParcelVerdict::Enveloped);
    assert_eq!(reading.interchanges.len(), count);
    assert!(reading.interchanges.iter().all(|ic| ic.is_valid()));
    println!(
        "metadata kept: {:.1} MiB ({} bytes per interchange, resident memory grown)",
        kept as f64 / 1024.0,
        kept * 1024 / count as u64
    );
    drop(reading);

    let mut best = f64::MAX;
    for _ in 0..5 {
        let started = Instant::now();
        let reading = read_parcel(&parcel);
        best = best.min(started.elapsed().as_secs_f64());
        drop(reading);
    }
    let per_10_mib = best / (parcel.len() as f64 / (10 << 20) as f64);
    println!(
        "read in {:.1} ms (best of 5, one thread): {:.0} MiB/s, {:.1} ms per 10 MiB",
        best * 1e3,
        parcel.len() as f64 / (1 << 20) as f64 / best,
        per_10_mib * 1e3
    );
}

/// Resident memory in KiB (Linux), 0 elsewhere.
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .unwrap_or_default();
    line.split_whitespace()
        .nth(1)
        .and_then(|kib| kib.parse().ok())
        .unwrap_or(0)
}

/// An X12 850 of about `size` bytes.
fn x12(out: &mut Vec<u8>, n: usize, size: usize) {
    let start = out.len();
    let control = format!("{:09}", n % 1_000_000_000);
    out.extend_from_slice(
        format!(
            "ISA*00*          *00*          *ZZ*SENDER{:<9}*ZZ*RECEIVER       *240101*1200*^*00501*{control}*0*P*>~\r\n\
             GS*PO*SENDER*RECEIVER*20240101*1200*{n}*X*005010~\r\nST*850*0001~\r\nBEG*00*SA*PO{n}**20240101~\r\n",
            n % 1000
        )
        .as_bytes(),
    );
    let mut lines = 0;
    while out.len() - start + 60 < size {
        lines += 1;
        out.extend_from_slice(
            format!("PO1*{lines}*10*EA*9.95**VP*ITEM-{lines:05}>X~\r\n").as_bytes(),
        );
    }
    out.extend_from_slice(
        format!(
            "SE*{}*0001~\r\nGE*1*{n}~\r\nIEA*1*{control}~\r\n",
            lines + 3
        )
        .as_bytes(),
    );
}

/// An EDIFACT ORDERS of about `size` bytes, with a UNA and released characters.
fn edifact(out: &mut Vec<u8>, n: usize, size: usize) {
    let start = out.len();
    out.extend_from_slice(
        format!(
            "UNA:+.? 'UNB+UNOC:3+SENDER{}:14+RECEIVER:14+240101:1200+R{n}'UNH+1+ORDERS:D:96A:UN'",
            n % 1000
        )
        .as_bytes(),
    );
    let mut lines = 0;
    while out.len() - start + 40 < size {
        lines += 1;
        out.extend_from_slice(format!("LIN+{lines}++ITEM?+{lines:05}:IN'QTY+21:10'").as_bytes());
    }
    out.extend_from_slice(format!("UNT+{}+1'UNZ+1+R{n}'", 2 * lines + 2).as_bytes());
}

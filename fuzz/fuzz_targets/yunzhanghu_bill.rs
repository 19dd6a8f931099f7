#![no_main]
//! The Yunzhanghu daily-file reader over arbitrary bytes, as CSV and as gz: every row is `Ok`
//! or `Err`, never a panic, and reading ends.
//!
//! Mode bit 0: read the bytes as they are (CSV, or gz when bit 1 is set, mostly rejected at the
//! header), or gz-compress them first so that the CSV behind a valid gz stream is reached.

use std::io::Write as _;

use libfuzzer_sys::fuzz_target;
use yunzhanghu::bill::{BillFileReader, OrderFileReader};

/// Reads every row; a reader must end within `bound` rows (each row takes at least one byte of
/// the decompressed input).
fn drain<I: Iterator<Item = Result<T, pay_core::Error>>, T: std::fmt::Debug>(
    rows: I,
    bound: usize,
) {
    let mut count = 0usize;
    for row in rows.take(bound.saturating_add(1)) {
        count += 1;
        if let Ok(r) = row {
            let _ = format!("{r:?}");
        }
    }
    assert!(count <= bound, "the reader did not end within {bound} rows");
}

fuzz_target!(|data: &[u8]| {
    let (mode, rest) = cnpay_fuzz::split_mode(data);
    let gz;
    let input: &[u8] = if mode & 1 == 0 {
        rest
    } else {
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        if enc.write_all(rest).is_err() {
            return;
        }
        let Ok(bytes) = enc.finish() else {
            return;
        };
        gz = bytes;
        &gz
    };
    // Raw gz can expand (a small bomb): bound it loosely; otherwise by the CSV's length.
    let bound = if mode & 3 == 2 {
        1 << 20
    } else {
        rest.len() + 1
    };
    if mode & 3 == 0 {
        drain(OrderFileReader::from_csv(input), bound);
        drain(BillFileReader::from_csv(input), bound);
    } else {
        drain(OrderFileReader::from_gz(input), bound);
        drain(BillFileReader::from_gz(input), bound);
    }
});

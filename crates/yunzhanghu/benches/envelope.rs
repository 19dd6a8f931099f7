//! The Yunzhanghu envelope next to the raw primitives (`des` + `cbc` + `base64` + `hmac` +
//! `sha2`) doing the same work. Groups hold `ours` and `baseline`; `cargo xtask bench` reads
//! them into BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use pay_core::SecretKey;
use sha2::Sha256;
use yunzhanghu::sign::{self, Envelope, Keys};

const DES3: &[u8; 24] = b"123456788765432112345678";
const APP_KEY: &str = "78f9b4fad3481fbce1df0b30eee58577";
const MESS: &str = "1f0c9a3e-5b7d-4e21-9c3a-7d2b6e8f4a10";
const TS: i64 = 1_700_000_000;

/// A bank-card payout's plaintext, padded with spaces to 472 bytes.
fn payload() -> String {
    let s = r#"{"order_id":"202009010016562012987","dealer_id":"27312345","broker_id":"27312345","real_name":"张三","card_no":"6228888888888888888","phone_no":"13488888888","id_card":"11010519491231002X","pay":"100.00","pay_remark":"报酬","notify_url":"https://www.example.com/notify","project_id":"p1","anchor_id":"a1","dealer_platform_name":"平台","dealer_user_nickname":"nick","dealer_user_id":"u-000001","extra":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
    let mut v = s.to_owned();
    while v.len() < 472 {
        v.push(' ');
    }
    assert_eq!(v.len(), 472);
    v
}

fn keys() -> Keys {
    Keys::new(APP_KEY, &SecretKey::new(std::str::from_utf8(DES3).unwrap())).unwrap()
}

fn hex_lower(d: &[u8]) -> String {
    const T: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(d.len() * 2);
    for &b in d {
        s.push(T[usize::from(b >> 4)] as char);
        s.push(T[usize::from(b & 15)] as char);
    }
    s
}

fn hex_decode(s: &str) -> Option<Vec<u8>> {
    fn nib(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    s.as_bytes()
        .chunks_exact(2)
        .map(|p| Some(nib(p[0])? << 4 | nib(p[1])?))
        .collect()
}

fn raw_mac(data: &str, mess: &str, ts: i64) -> Hmac<Sha256> {
    let mut m = Hmac::<Sha256>::new_from_slice(APP_KEY.as_bytes()).unwrap();
    m.update(b"data=");
    m.update(data.as_bytes());
    m.update(b"&mess=");
    m.update(mess.as_bytes());
    m.update(b"&timestamp=");
    m.update(ts.to_string().as_bytes());
    m.update(b"&key=");
    m.update(APP_KEY.as_bytes());
    m
}

/// The raw seal: encrypt, base64, HMAC, hex. Returns (data, sign).
fn raw_seal(pt: &str, mess: &str, ts: i64) -> (String, String) {
    let enc = cbc::Encryptor::<des::TdesEde3>::new(DES3.into(), DES3[..8].into());
    let data = STANDARD.encode(enc.encrypt_padded_vec_mut::<Pkcs7>(pt.as_bytes()));
    let sign = hex_lower(&raw_mac(&data, mess, ts).finalize().into_bytes());
    (data, sign)
}

/// The raw open: hex-decode the sign, verify the HMAC (constant time), base64-decode, decrypt,
/// check UTF-8.
fn raw_open(data: &str, mess: &str, ts: i64, sign: &str) -> Option<String> {
    let given = hex_decode(sign)?;
    raw_mac(data, mess, ts).verify_slice(&given).ok()?;
    let ct = STANDARD.decode(data).ok()?;
    let dec = cbc::Decryptor::<des::TdesEde3>::new(DES3.into(), DES3[..8].into());
    String::from_utf8(dec.decrypt_padded_vec_mut::<Pkcs7>(&ct).ok()?).ok()
}

fn seal(c: &mut Criterion) {
    let pt = payload();
    let k = keys();
    // Both sides produce the same bytes.
    let e = sign::seal(&pt, MESS, TS, &k);
    assert_eq!(raw_seal(&pt, MESS, TS), (e.data.clone(), e.sign.clone()));
    let mut g = c.benchmark_group(group("yunzhanghu-envelope-seal-472B"));
    g.bench_function("ours", |b| {
        b.iter(|| sign::seal(black_box(&pt), black_box(MESS), black_box(TS), &k))
    });
    g.bench_function("baseline", |b| {
        b.iter(|| raw_seal(black_box(&pt), black_box(MESS), black_box(TS)))
    });
    g.finish();
    pay_core::test_util::interleaved(
        &group("yunzhanghu-envelope-seal-472B"),
        || sign::seal(black_box(&pt), black_box(MESS), black_box(TS), &k),
        || raw_seal(black_box(&pt), black_box(MESS), black_box(TS)),
    );
}

fn open(c: &mut Criterion) {
    let pt = payload();
    let k = keys();
    let e: Envelope = sign::seal(&pt, MESS, TS, &k);
    assert_eq!(sign::open(&e, &k).unwrap(), pt);
    assert_eq!(
        raw_open(&e.data, &e.mess, e.timestamp, &e.sign).unwrap(),
        pt
    );
    let mut g = c.benchmark_group(group("yunzhanghu-envelope-open-472B"));
    g.bench_function("ours", |b| {
        b.iter(|| sign::open(black_box(&e), &k).unwrap())
    });
    g.bench_function("baseline", |b| {
        b.iter(|| raw_open(black_box(&e.data), &e.mess, e.timestamp, &e.sign).unwrap())
    });
    g.finish();
    pay_core::test_util::interleaved(
        &group("yunzhanghu-envelope-open-472B"),
        || sign::open(black_box(&e), &k).unwrap(),
        || raw_open(black_box(&e.data), &e.mess, e.timestamp, &e.sign).unwrap(),
    );
}

/// The group name, marked `-table-des` when the bench runs on that 3DES core.
fn group(name: &str) -> String {
    if cfg!(feature = "table-des") {
        format!("{name}-table-des")
    } else {
        name.to_owned()
    }
}

criterion_group!(benches, seal, open);
criterion_main!(benches);

//! 3DES next to the raw `des` + `cbc` + `base64` calls. Groups hold `ours` and `baseline`.
//!
//! `3des-*` measure `TripleDes` (whichever core the features select); `3des-table-*` and
//! `des-table-block` measure the table-driven core of `crypto_3des::table` directly, so they
//! do not depend on the `table-des` feature.
#![allow(missing_docs, clippy::unwrap_used)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cbc::cipher::block_padding::Pkcs7;
use cbc::cipher::{BlockDecryptMut, BlockEncrypt, BlockEncryptMut, KeyInit, KeyIvInit};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use crypto_3des::{TripleDes, table};

const KEY: &[u8; 24] = b"123456788765432112345678";

fn payload() -> Vec<u8> {
    let s = r#"{"order_id":"202009010016562012987","dealer_id":"27312345","broker_id":"27312345","real_name":"张三","card_no":"6228888888888888888","phone_no":"13488888888","id_card":"11010519491231002X","pay":"100.00","pay_remark":"报酬","notify_url":"https://www.example.com/notify","project_id":"p1","anchor_id":"a1","dealer_platform_name":"平台","dealer_user_nickname":"nick","dealer_user_id":"u-000001","extra":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}"#;
    let mut v = s.as_bytes().to_vec();
    v.resize(472, b' ');
    v
}

fn encrypt(c: &mut Criterion) {
    let pt = payload();
    let k = TripleDes::new(KEY).unwrap();
    let mut g = c.benchmark_group("3des-encrypt-base64-472B");
    g.bench_function("ours", |b| b.iter(|| k.encrypt_base64(black_box(&pt))));
    g.bench_function("baseline", |b| {
        b.iter(|| {
            let enc = cbc::Encryptor::<des::TdesEde3>::new(KEY.into(), KEY[..8].into());
            STANDARD.encode(enc.encrypt_padded_vec_mut::<Pkcs7>(black_box(&pt)))
        })
    });
    g.finish();
}

fn decrypt(c: &mut Criterion) {
    let k = TripleDes::new(KEY).unwrap();
    let data = k.encrypt_base64(&payload());
    let mut g = c.benchmark_group("3des-decrypt-base64-472B");
    g.bench_function("ours", |b| {
        b.iter(|| k.decrypt_base64(black_box(&data)).unwrap())
    });
    g.bench_function("baseline", |b| {
        b.iter(|| {
            let ct = STANDARD.decode(black_box(&data)).unwrap();
            let dec = cbc::Decryptor::<des::TdesEde3>::new(KEY.into(), KEY[..8].into());
            dec.decrypt_padded_vec_mut::<Pkcs7>(&ct).unwrap()
        })
    });
    g.finish();
}

fn table_encrypt(c: &mut Criterion) {
    let pt = payload();
    let mut g = c.benchmark_group("3des-table-encrypt-base64-472B");
    g.bench_function("ours", |b| {
        b.iter(|| {
            let enc = cbc::Encryptor::<table::TdesEde3>::new(KEY.into(), KEY[..8].into());
            STANDARD.encode(enc.encrypt_padded_vec_mut::<Pkcs7>(black_box(&pt)))
        })
    });
    g.bench_function("baseline", |b| {
        b.iter(|| {
            let enc = cbc::Encryptor::<des::TdesEde3>::new(KEY.into(), KEY[..8].into());
            STANDARD.encode(enc.encrypt_padded_vec_mut::<Pkcs7>(black_box(&pt)))
        })
    });
    g.finish();
}

fn table_decrypt(c: &mut Criterion) {
    let k = TripleDes::new(KEY).unwrap();
    let data = k.encrypt_base64(&payload());
    let mut g = c.benchmark_group("3des-table-decrypt-base64-472B");
    g.bench_function("ours", |b| {
        b.iter(|| {
            let ct = STANDARD.decode(black_box(&data)).unwrap();
            let dec = cbc::Decryptor::<table::TdesEde3>::new(KEY.into(), KEY[..8].into());
            dec.decrypt_padded_vec_mut::<Pkcs7>(&ct).unwrap()
        })
    });
    g.bench_function("baseline", |b| {
        b.iter(|| {
            let ct = STANDARD.decode(black_box(&data)).unwrap();
            let dec = cbc::Decryptor::<des::TdesEde3>::new(KEY.into(), KEY[..8].into());
            dec.decrypt_padded_vec_mut::<Pkcs7>(&ct).unwrap()
        })
    });
    g.finish();
}

/// One 3DES-EDE3 block with an expanded key: the core alone, without key schedule or mode.
fn table_block(c: &mut Criterion) {
    let ours = table::TdesEde3::new(KEY.into());
    let theirs = des::TdesEde3::new(KEY.into());
    let mut g = c.benchmark_group("des-table-block");
    g.bench_function("ours", |b| {
        let mut block = [0x5au8; 8].into();
        b.iter(|| {
            ours.encrypt_block(black_box(&mut block));
        })
    });
    g.bench_function("baseline", |b| {
        let mut block = [0x5au8; 8].into();
        b.iter(|| {
            theirs.encrypt_block(black_box(&mut block));
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    encrypt,
    decrypt,
    table_encrypt,
    table_decrypt,
    table_block
);
criterion_main!(benches);

#![no_main]
//! Yunzhanghu response decoding: every typed call over a transport answering with arbitrary
//! bytes returns `Ok` or `Err`, never panics.
//!
//! Mode bit 0 clear: the bytes are the body as received. Mode bit 0 set: the bytes are the
//! plaintext of an answer's `encry_data` (3DES with the config's key), so the decryption and
//! typed decoding of an encrypted answer are reached.

use libfuzzer_sys::fuzz_target;
use pay_core::{KeyRing, SecretKey};
use yunzhanghu::codes::DataType;
use yunzhanghu::query::{QueryAccounts, QueryOrder};
use yunzhanghu::{Client, Config, Keys};

fuzz_target!(|data: &[u8]| {
    let (mode, rest) = cnpay_fuzz::split_mode(data);
    let config = Config::builder(
        "dealer",
        "broker",
        KeyRing::new(SecretKey::new(cnpay_fuzz::YZH_APP_KEY)),
        SecretKey::new(cnpay_fuzz::YZH_DES3_KEY),
    )
    .base_url("http://127.0.0.1:1").build().unwrap();
    let body = if mode & 1 == 0 {
        bytes::Bytes::copy_from_slice(rest)
    } else {
        let Ok(keys) = Keys::new(
            KeyRing::new(SecretKey::new(cnpay_fuzz::YZH_APP_KEY)),
            &SecretKey::new(cnpay_fuzz::YZH_DES3_KEY),
        ) else {
            return;
        };
        let encry = keys.encrypt(rest);
        bytes::Bytes::from(
            serde_json::json!({
                "code": "0000",
                "message": "ok",
                "request_id": "r1",
                "data": {"encry_data": encry},
            })
            .to_string(),
        )
    };
    let client = Client::with_transport(
        config,
        cnpay_fuzz::answering(cnpay_fuzz::status_of(mode), body),
    ).unwrap();
    if mode & 2 == 0 {
        let query = QueryOrder {
            order_id: "202009010016562012987".to_owned(),
            data_type: (mode & 1 != 0).then_some(DataType::Encryption),
            ..QueryOrder::default()
        };
        let _ = cnpay_fuzz::block_on(client.query_realtime_order(&query));
    } else {
        let _ = cnpay_fuzz::block_on(client.query_accounts(&QueryAccounts::default()));
    }
});

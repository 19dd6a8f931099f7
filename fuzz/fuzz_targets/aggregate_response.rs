#![no_main]
//! Aggregate-pay response decoding: every typed call over a transport answering with arbitrary
//! bytes returns `Ok` or `Err`, never panics.
//!
//! Mode bit 0 clear: the bytes are the body as received (mostly rejected at the signature).
//! Mode bit 0 set: the bytes, when a JSON object, are correctly signed first, so the typed
//! decoding behind the signature check is reached.

use aggregate_pay::codes::{AccountType, BankCode, ProductId};
use aggregate_pay::{
    Client, Config, CreateOrderRequest, QueryOrderRequest, TransOrderRequest, TransQueryRequest,
};
use libfuzzer_sys::fuzz_target;
use pay_core::{KeyRing, Money, SecretKey};

fuzz_target!(|data: &[u8]| {
    let (mode, rest) = cnpay_fuzz::split_mode(data);
    let key = SecretKey::new(cnpay_fuzz::AGGREGATE_KEY);
    let body = if mode & 1 == 0 {
        bytes::Bytes::copy_from_slice(rest)
    } else {
        let Ok(fields) = serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(rest)
        else {
            return;
        };
        let Ok(signed) = aggregate_pay::test_util::signed_response_body(&fields, &key) else {
            return;
        };
        bytes::Bytes::from(signed)
    };
    let config = Config::builder(
        "20001222",
        "app",
        SecretKey::new("request-key"),
        KeyRing::new(key),
    )
    .base_url("http://127.0.0.1:1").build().unwrap();
    let client = Client::with_transport(
        config,
        cnpay_fuzz::answering(cnpay_fuzz::status_of(mode), body),
    )
    .unwrap();
    match (mode >> 1) & 3 {
        0 => {
            let _ = cnpay_fuzz::block_on(
                client.query_order(&QueryOrderRequest::by_mch_order_no("20160427210604000490")),
            );
        }
        1 => {
            let _ = cnpay_fuzz::block_on(client.trans_query_order(
                &TransQueryRequest::by_mch_trans_order_no("T20160427210604000491"),
            ));
        }
        2 => {
            let req = CreateOrderRequest::new(
                "20160427210604000490",
                ProductId::UnionPayQuick,
                Money::from_fen(100),
                "http://domain/notify.htm",
                "subject",
                "body",
            );
            let _ = cnpay_fuzz::block_on(client.create_order(&req));
        }
        _ => {
            let req = TransOrderRequest::new(
                "T20160427210604000491",
                Money::from_fen(12345),
                "http://domain/trans-notify",
                BankCode::ChinaMerchantsBank,
                "招商银行",
                AccountType::BankCard,
                "张三",
                "6225880137705555",
                "江苏",
                "南京",
            );
            let _ = cnpay_fuzz::block_on(client.trans_create_order(&req));
        }
    }
});

#![no_main]
//! Huifu response decoding: every typed call over a transport answering with arbitrary bytes
//! returns `Ok` or `Err`, never panics.

use huifu::codes::QueryTransType;
use huifu::trade::OrderQueryRequest;
use huifu::{Client, Config};
use libfuzzer_sys::fuzz_target;
use pay_core::SecretKey;

fuzz_target!(|data: &[u8]| {
    let (mode, rest) = cnpay_fuzz::split_mode(data);
    let config = Config::builder("6666000000000000", "client", SecretKey::new("secret"))
        .base_url("http://127.0.0.1:1").build().unwrap();
    let client = Client::with_transport(
        config,
        cnpay_fuzz::answering(
            cnpay_fuzz::status_of(mode),
            bytes::Bytes::copy_from_slice(rest),
        ),
    ).unwrap();
    let query = OrderQueryRequest {
        user_cust_id: "6666000000000001".to_owned(),
        order_id: "P2024010100001".to_owned(),
        order_date: "20240101".to_owned(),
        trans_type: QueryTransType::Pay,
        mer_priv: None,
        extra: Default::default(),
    };
    let _ = cnpay_fuzz::block_on(client.order_query(&query));
});

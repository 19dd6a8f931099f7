#![no_main]
//! Huifu callback handling over arbitrary requests: errors, never panics.
//!
//! The local decode path (`check_value` extraction and its unverified base64-JSON decoding)
//! runs on the bytes as a form body, as a JSON body and as the base64 of a `check_value`; the
//! confirming path (`unsgin` then `order_query` through the gateway) runs with a transport that
//! answers every call with the same bytes.

use base64::Engine as _;
use huifu::{Client, Config};
use libfuzzer_sys::fuzz_target;
use pay_core::{IncomingNotification, NotificationEvent, NotificationVerifier, SecretKey};

fuzz_target!(|data: &[u8]| {
    let (mode, rest) = cnpay_fuzz::split_mode(data);
    let body = bytes::Bytes::copy_from_slice(rest);
    let n = match mode & 3 {
        0 => IncomingNotification::post_form(body.clone()),
        1 => IncomingNotification::post_json(body.clone()),
        _ => {
            let cv = base64::engine::general_purpose::STANDARD.encode(rest);
            IncomingNotification::post_form(pay_core::form::encode([("check_value", cv.as_str())]))
        }
    };
    if let Ok(cv) = huifu::notify::check_value(&n)
        && let Ok(claimed) = huifu::notify::decode_check_value_unverified(&cv)
    {
        let _ = huifu::notify::infer_trans_type(&claimed);
    }
    let config = Config::builder("6666000000000000", "client", SecretKey::new("secret"))
        .base_url("http://127.0.0.1:1").build().unwrap();
    let client = Client::with_transport(
        config,
        cnpay_fuzz::answering(cnpay_fuzz::status_of(mode), body),
    ).unwrap();
    if mode & 4 != 0
        && let Ok(event) =
            cnpay_fuzz::block_on(NotificationVerifier::verify_notification(&client, &n))
    {
        let _ = (event.replay_key(), event.transition());
        let _ = format!("{event:?}");
    }
    if mode & 8 != 0 {
        let _ = cnpay_fuzz::block_on(client.verify_callback(&n, None));
    }
});

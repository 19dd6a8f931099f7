#![no_main]
//! Yunzhanghu notification parse-and-verify over arbitrary requests: errors, never panics.
//!
//! Mode bit 0 clear: the bytes are the body as received (form or JSON). Mode bit 0 set: the
//! bytes are the plaintext of a correctly sealed (encrypted and signed) envelope, so the
//! decryption and typed parsing behind the signature check are reached.

use libfuzzer_sys::fuzz_target;
use pay_core::{IncomingNotification, KeyRing, NotificationEvent, NotificationVerifier, SecretKey};
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
    let n = if mode & 1 == 0 {
        let body = bytes::Bytes::copy_from_slice(rest);
        if mode & 2 == 0 {
            IncomingNotification::post_form(body)
        } else {
            IncomingNotification::post_json(body)
        }
    } else {
        let Ok(keys) = Keys::new(
            KeyRing::new(SecretKey::new(cnpay_fuzz::YZH_APP_KEY)),
            &SecretKey::new(cnpay_fuzz::YZH_DES3_KEY),
        ) else {
            return;
        };
        let text = String::from_utf8_lossy(rest);
        let env = yunzhanghu::sign::seal(&text, "mess", 1_700_000_000, &keys);
        IncomingNotification::post_form(env.to_form())
    };
    let client = Client::with_transport(config, cnpay_fuzz::answering(200, bytes::Bytes::new())).unwrap();
    if let Ok(event) = client.verify_notify(&n) {
        let _ = event.replay_key();
        let _ = event.sent_at();
        let _ = event.transition();
        let _ = format!("{event:?}");
    }
    let _ = cnpay_fuzz::block_on(NotificationVerifier::verify_notification(&client, &n));
});

#![no_main]
//! Protocol-pay notification parse-and-verify over arbitrary requests: errors, never panics.
//!
//! Mode bit 0 clear: the bytes are the body as received (JSON envelope or form). Mode bit 0
//! set: the bytes are the `data` text of a correctly signed envelope, so the typed parsing
//! behind the signature check is reached.

use libfuzzer_sys::fuzz_target;
use pay_core::{IncomingNotification, KeyRing, NotificationEvent, NotificationVerifier, SecretKey};
use protocol_pay::{Client, Config, NotificationKind};

fuzz_target!(|data: &[u8]| {
    let (mode, rest) = cnpay_fuzz::split_mode(data);
    let config = Config::builder(
        cnpay_fuzz::PROTOCOL_APP_ID,
        KeyRing::new(SecretKey::new(cnpay_fuzz::PROTOCOL_KEY)),
    )
    .base_url("http://127.0.0.1:1")
    .build()
    .expect("the fuzz config is valid");
    let n = if mode & 1 == 0 {
        let body = bytes::Bytes::copy_from_slice(rest);
        if mode & 2 == 0 {
            IncomingNotification::post_json(body)
        } else {
            IncomingNotification::post_form(body)
        }
    } else {
        let text = String::from_utf8_lossy(rest);
        protocol_pay::test_util::signed_notification(&config, &text, "20201010123500000")
    };
    let client = Client::with_transport(config, cnpay_fuzz::answering(200, bytes::Bytes::new()))
        .expect("the fuzz config sets no timeout");
    for kind in [
        NotificationKind::PayResult,
        NotificationKind::FundsArrived,
        NotificationKind::PayoutArrived,
    ] {
        let _ = client.verify_notification_as(&n, kind);
    }
    let _ = client.notification_json(&n);
    if let Ok(event) = cnpay_fuzz::block_on(NotificationVerifier::verify_notification(&client, &n)) {
        let _ = (event.replay_key(), event.transition());
        let _ = event.sent_at();
        let _ = format!("{event:?}");
    }
});

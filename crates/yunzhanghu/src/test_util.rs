//! Builders of correctly signed and encrypted notifications and answers, so that a merchant's
//! handler (and the sandbox) can be tested offline (feature `test-util`).
//!
//! ```
//! use yunzhanghu::{Client, Config, test_util};
//! use yunzhanghu::notify::NotifyEvent;
//! use yunzhanghu::query::OrderDetail;
//! use yunzhanghu::codes::OrderStatus;
//!
//! let config = Config::new("dealer", "broker", "app-key", "123456788765432112345678")?;
//! let event = NotifyEvent {
//!     notify_id: "N1".into(),
//!     notify_time: "2017-05-25 11:49:34".into(),
//!     data: OrderDetail { order_id: "O1".into(), status: OrderStatus::Paid, ..Default::default() },
//!     ..Default::default()
//! };
//! let n = test_util::signed_notification(&config, &event, "mess", 1_495_684_174)?;
//! let client = Client::with_transport(config.clone(), std::sync::Arc::new(pay_core::test_util::RecordingTransport::new()))?;
//! assert_eq!(client.verify_notify(&n)?.data.order_id, "O1");
//! assert!(client.verify_notify(&test_util::tampered_notification(&config, &event, "mess", 1)?).is_err());
//! # Ok::<(), pay_core::Error>(())
//! ```

use pay_core::{Error, IncomingNotification};
use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Config;
use crate::notify::NotifyEvent;
use crate::sign;

fn plaintext(event: &NotifyEvent) -> Result<String, Error> {
    serde_json::to_string(event).map_err(|e| Error::invalid_input("event", e.to_string()))
}

/// A status notification as Yunzhanghu posts it: a form body of the sealed event, signed with
/// the config's current app key.
///
/// # Errors
/// [`Error::InvalidInput`] on `des3_key` when the key is not 24 bytes.
pub fn signed_notification(
    config: &Config,
    event: &NotifyEvent,
    mess: &str,
    timestamp: i64,
) -> Result<IncomingNotification, Error> {
    let envelope = sign::seal(&plaintext(event)?, mess, timestamp, config.keys());
    Ok(IncomingNotification::post_form(envelope.to_form()))
}

/// As [`signed_notification`], with the sign altered (one hex digit changed): verification
/// must reject it.
///
/// # Errors
/// As [`signed_notification`].
pub fn tampered_notification(
    config: &Config,
    event: &NotifyEvent,
    mess: &str,
    timestamp: i64,
) -> Result<IncomingNotification, Error> {
    let mut envelope = sign::seal(&plaintext(event)?, mess, timestamp, config.keys());
    let flipped: String = envelope
        .sign
        .char_indices()
        .map(|(i, c)| match (i, c) {
            (0, '0') => '1',
            (0, _) => '0',
            (_, c) => c,
        })
        .collect();
    envelope.sign = flipped;
    Ok(IncomingNotification::post_form(envelope.to_form()))
}

/// A success answer `{code: "0000", message, request_id, data}` carrying `data` in clear.
///
/// # Errors
/// [`Error::InvalidInput`] when `data` cannot be serialised.
pub fn response_body<T: Serialize>(data: &T, request_id: &str) -> Result<String, Error> {
    let data =
        serde_json::to_value(data).map_err(|e| Error::invalid_input("data", e.to_string()))?;
    Ok(
        json!({"code": "0000", "message": "操作成功", "request_id": request_id, "data": data})
            .to_string(),
    )
}

/// A success answer whose `data` is `{encry_data}`: `data` encrypted with the config's 3DES
/// key, as the order query answers with `data_type=encryption` (the provider does not sign
/// answers).
///
/// # Errors
/// [`Error::InvalidInput`] when `data` cannot be serialised or the 3DES key is not 24 bytes.
pub fn encrypted_response_body<T: Serialize>(
    config: &Config,
    data: &T,
    request_id: &str,
) -> Result<String, Error> {
    let text =
        serde_json::to_string(data).map_err(|e| Error::invalid_input("data", e.to_string()))?;
    let encry_data = config.keys().encrypt(text.as_bytes());
    Ok(json!({
        "code": "0000",
        "message": "操作成功",
        "request_id": request_id,
        "data": {"encry_data": encry_data},
    })
    .to_string())
}

/// An error answer `{code, message, request_id}`.
pub fn error_body(code: &str, message: &str, request_id: &str) -> String {
    json!({"code": code, "message": message, "request_id": request_id, "data": Value::Null})
        .to_string()
}

//! Builders of correctly signed notifications and responses, and tampered ones, for testing
//! merchants' handlers offline (feature `test-util`).
//!
//! ```
//! use pay_core::Money;
//! use protocol_pay::{Client, Config, NotificationKind, PayInOrder, PayStatus};
//! use protocol_pay::test_util::{pay_in_notification, tampered};
//!
//! let config = Config::builder("LFT1001", "key").base_url("https://pay.example.com").build()?;
//! let order: PayInOrder = serde_json::from_value(serde_json::json!({
//!     "outReqNo": "LFT1001202010100001", "payStatus": "SUCCESS", "amount": "1000.50"
//! }))?;
//! let n = pay_in_notification(&config, &order, "20201010123500000")?;
//! let client = Client::with_transport(config, std::sync::Arc::new(
//!     pay_core::transport::transport_fn(|_| async { unreachable!() })))?;
//! // The endpoint given as outSuccessNotifyUrl receives pay results (§9).
//! let event = client.verify_notification_as(&n, NotificationKind::PayResult)?;
//! assert_eq!(event.pay_status(), &PayStatus::Success);
//! assert!(client.verify_notification_as(&tampered(&n), NotificationKind::PayResult).is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use pay_core::{Error, IncomingNotification};
use serde::Serialize;

use crate::codes::CODE_RECEIVED;
use crate::config::Config;
use crate::pay::PayInOrder;
use crate::payout::PayOutOrder;
use crate::sign::Envelope;

fn data_text<T: Serialize>(value: &T) -> Result<String, Error> {
    serde_json::to_string(value).map_err(|e| Error::invalid_input("data", e.to_string()))
}

/// A notification POST whose body is the envelope of `data` (exact JSON text), signed with the
/// config's current key.
pub fn signed_notification(config: &Config, data: &str, timestamp: &str) -> IncomingNotification {
    let env = Envelope::sign(config.app_id(), config.keys().current(), data, timestamp);
    IncomingNotification::post_json(env.to_json())
}

/// A pay-result (9) or funds-arrived (10) notification carrying `order`.
///
/// # Errors
/// [`Error::InvalidInput`] when the order cannot be serialised.
pub fn pay_in_notification(
    config: &Config,
    order: &PayInOrder,
    timestamp: &str,
) -> Result<IncomingNotification, Error> {
    Ok(signed_notification(config, &data_text(order)?, timestamp))
}

/// A pay-out/refund (11) notification carrying `order`.
///
/// # Errors
/// [`Error::InvalidInput`] when the order cannot be serialised.
pub fn pay_out_notification(
    config: &Config,
    order: &PayOutOrder,
    timestamp: &str,
) -> Result<IncomingNotification, Error> {
    Ok(signed_notification(config, &data_text(order)?, timestamp))
}

/// The same notification with its `data` changed after signing, the way a forger would: a
/// `payStatus` of `FAILURE`/`UNPAID`/`PROCESSING` becomes `SUCCESS` (and `SUCCESS` becomes
/// `FAILURE`); a `data` without `payStatus` gets a trailing space. The sign is kept, so
/// verification must fail.
pub fn tampered(n: &IncomingNotification) -> IncomingNotification {
    let mut out = n.clone();
    let Ok(mut env) = serde_json::from_slice::<Envelope>(&n.body) else {
        let mut body = n.body.to_vec();
        body.push(b' ');
        out.body = body.into();
        return out;
    };
    let swapped = match serde_json::from_str::<serde_json::Value>(&env.data) {
        Ok(serde_json::Value::Object(mut m)) if m.contains_key("payStatus") => {
            let new = if m.get("payStatus").and_then(|s| s.as_str()) == Some("SUCCESS") {
                "FAILURE"
            } else {
                "SUCCESS"
            };
            m.insert("payStatus".into(), new.into());
            serde_json::Value::Object(m).to_string()
        }
        _ => format!("{} ", env.data),
    };
    env.data = swapped;
    out.body = env.to_json().into();
    out
}

/// A signed `PayCommonVo` response body (`code` `0000`, `msg` `SUCCESS`) carrying `data`.
///
/// # Errors
/// [`Error::InvalidInput`] when `data` cannot be serialised.
pub fn signed_response<T: Serialize>(
    config: &Config,
    data: &T,
    timestamp: &str,
) -> Result<String, Error> {
    Ok(signed_response_raw(
        config,
        CODE_RECEIVED,
        "SUCCESS",
        &data_text(data)?,
        timestamp,
    ))
}

/// A signed `PayCommonVo` response body with the given `code`, `msg` and exact `data` text.
pub fn signed_response_raw(
    config: &Config,
    code: &str,
    msg: &str,
    data: &str,
    timestamp: &str,
) -> String {
    let env = Envelope::sign(config.app_id(), config.keys().current(), data, timestamp);
    serde_json::json!({
        "code": code,
        "msg": msg,
        "data": env.data,
        "appId": env.app_id,
        "timestamp": env.timestamp,
        "sign": env.sign,
    })
    .to_string()
}

//! The order status callback (5 消息通知): a form POST of `data`, `mess`, `timestamp`, `sign`,
//! `sign_type` to the merchant's notify URL, whose plaintext is
//! `{notify_id, notify_time, data: {...order...}}`. Answer `success` (exactly those 7
//! characters); otherwise it is resent 8 times over about 25 hours.
//!
//! The sign is verified in constant time, under the current or the previous app key, before
//! anything is decrypted; a bad sign or an undecryptable body is an error, never an event.
//! A flat plaintext (the order's fields beside `notify_id`), a JSON body instead of a form, and
//! a `timestamp` sent as a string are accepted.

use pay_core::{
    Error, IncomingNotification, NotificationEvent, NotificationReply, NotificationVerifier,
    Timestamp,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::query::OrderDetail;
use crate::sign::{self, Envelope};

/// The reply Yunzhanghu expects.
pub const SUCCESS_REPLY: &str = "success";

/// A verified status notification.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotifyEvent {
    /// The notification's id (the replay key).
    pub notify_id: String,
    /// When it was sent (`yyyy-MM-dd HH:mm:ss`, Beijing time).
    pub notify_time: String,
    /// The order, as the order query describes it.
    pub data: OrderDetail,
    /// The envelope's `timestamp` (unix seconds).
    #[serde(default, skip_serializing)]
    pub timestamp: i64,
    /// Fields the provider may add beside `data`.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl NotificationEvent for NotifyEvent {
    fn replay_key(&self) -> String {
        if self.notify_id.is_empty() {
            format!("{}:{}", self.data.order_id, self.data.status)
        } else {
            self.notify_id.clone()
        }
    }

    fn sent_at(&self) -> Option<Timestamp> {
        (self.timestamp > 0).then(|| Timestamp::from_unix_seconds(self.timestamp))
    }
}

/// Reads the envelope from a form body or query string, or from a JSON body.
pub(crate) fn envelope_of(n: &IncomingNotification) -> Result<Envelope, Error> {
    let body = n.body.trim_ascii_start();
    if body.starts_with(b"{") {
        let map: Map<String, Value> = pay_core::decode::json(body)?;
        let params: Vec<(String, String)> = map
            .into_iter()
            .filter_map(|(k, v)| match v {
                Value::String(s) => Some((k, s)),
                Value::Number(n) => Some((k, n.to_string())),
                _ => None,
            })
            .collect();
        Envelope::from_params(&params)
    } else {
        Envelope::from_params(&n.params())
    }
}

/// Parses a verified plaintext into the event (nested or flat `data`).
pub(crate) fn parse_event(plain: &str, timestamp: i64) -> Result<NotifyEvent, Error> {
    let mut map: Map<String, Value> = pay_core::decode::json_str(plain)?;
    let text = |v: Option<Value>| match v {
        Some(Value::String(s)) => s,
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let notify_id = text(map.remove("notify_id"));
    let notify_time = text(map.remove("notify_time"));
    let (order, extra) = match map.remove("data") {
        Some(Value::Object(o)) => (o, map),
        Some(Value::String(s)) => (pay_core::decode::json_str(&s)?, map),
        None => (std::mem::take(&mut map), Map::new()),
        Some(other) => {
            return Err(Error::decode(
                plain,
                format!("`data` must be an object, got {other}"),
            ));
        }
    };
    let data: OrderDetail =
        serde_json::from_value(Value::Object(order)).map_err(|e| Error::decode(plain, e))?;
    Ok(NotifyEvent {
        notify_id,
        notify_time,
        data,
        timestamp,
        extra,
    })
}

impl Client {
    /// Verifies a status notification and parses it (sync).
    ///
    /// # Errors
    /// [`Error::Signature`] when unsigned or tampered (nothing is decrypted then),
    /// [`Error::Decrypt`] when the data cannot be decrypted, [`Error::Decode`] when the
    /// plaintext is not the expected shape, [`Error::InvalidInput`] on `des3_key`.
    pub fn verify_notify(&self, notification: &IncomingNotification) -> Result<NotifyEvent, Error> {
        let envelope = envelope_of(notification)?;
        let plain = sign::open(&envelope, self.keys()?)?;
        parse_event(&plain, envelope.timestamp)
    }
}

impl NotificationVerifier for Client {
    type Event = NotifyEvent;

    fn verify_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<NotifyEvent, Error> {
        self.verify_notify(notification)
    }

    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text(SUCCESS_REPLY)
    }
}

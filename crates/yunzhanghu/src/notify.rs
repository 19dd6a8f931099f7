//! The order status callback (5 消息通知): a form POST of `data`, `mess`, `timestamp`, `sign`,
//! `sign_type` to the merchant's notify URL, whose plaintext is
//! `{notify_id, notify_time, data: {...order...}}`. Answer `success` (exactly those 7
//! characters); otherwise it is resent 8 times over about 25 hours.
//!
//! The sign is verified in constant time, under the current or the previous app key, before
//! anything is decrypted; a bad sign or an undecryptable body is an error, never an event.
//! A flat plaintext (the order's fields beside `notify_id`), a JSON body instead of a form, and
//! a `timestamp` sent as a string are accepted.
//!
//! An event is the order's [`Transition`] (read through [`crate::lifecycle::PAYOUT`]), and its
//! replay key is the transition's dedup key (the order and the neutral status), never the
//! `notify_id`: a resend of the same transition under a new `notify_id` is a duplicate, a
//! return (9) after the payment (1) is a new event. A notification naming another `dealer_id`
//! than the client's is [`Error::Mismatch`]; check the rest (the amount, `broker_id`) with
//! [`Client::expect`] before acting on it.

use pay_core::{
    Error, ExpectedOrder, Extensions, IncomingNotification, NotificationEvent, NotificationReply,
    NotificationVerifier, Timestamp, Transition,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::query::OrderDetail;
use crate::sign::{self, Envelope};

/// The reply Yunzhanghu expects.
pub const SUCCESS_REPLY: &str = "success";

/// A verified status notification.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NotifyEvent {
    /// The notification's id: one per send, NOT the replay key (a transition can be sent again
    /// under a new id).
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
    pub extra: Extensions,
}

impl NotificationEvent for NotifyEvent {
    /// The transition's dedup key: `yunzhanghu:payout:{status}:{order_id}`.
    fn replay_key(&self) -> String {
        self.data.transition().dedup_key()
    }

    fn transition(&self) -> Option<Transition> {
        Some(self.data.transition())
    }

    fn sent_at(&self) -> Option<Timestamp> {
        (self.timestamp > 0).then(|| Timestamp::from_unix_seconds(self.timestamp))
    }
}

/// Reads the envelope from a form body or query string, or from a JSON body.
pub(crate) fn envelope_of(n: &IncomingNotification) -> Result<Envelope, Error> {
    let body = n.body.trim_ascii_start();
    if body.starts_with(b"{") {
        // A key repeated (or also in the query) is ambiguous: refused as malformed.
        let map: Map<String, Value> = n.json_object()?;
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
        // A parameter repeated (twice in one, or in the query and the body) is ambiguous.
        Envelope::from_params(&n.unique_params()?)
    }
}

/// The kind of a JSON value, for messages that must not quote it.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
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
                format!("`data` must be an object, got {}", json_kind(&other)),
            ));
        }
    };
    // Through pay_core::decode (the message never quotes a value), keeping the whole plaintext.
    let data: OrderDetail = pay_core::decode::json(Value::Object(order).to_string().as_bytes())
        .map_err(|e| match e {
            Error::Decode { source, .. } => Error::decode(plain, source),
            other => other,
        })?;
    if data.order_id.is_empty() {
        return Err(Error::decode(plain, "`data.order_id` is empty"));
    }
    Ok(NotifyEvent {
        notify_id,
        notify_time,
        data,
        timestamp,
        extra: extra.into(),
    })
}

impl Client {
    /// Verifies a status notification and parses it (sync; the signature and the 3DES
    /// envelope are all there is to verify).
    ///
    /// # Errors
    /// [`Error::Signature`] when unsigned or tampered (nothing is decrypted then),
    /// [`Error::Decrypt`] when the data cannot be decrypted, [`Error::Decode`] when the
    /// plaintext is not the expected shape, [`Error::Mismatch`] on `dealer_id` when it names
    /// another dealer than the client's, [`Error::InvalidInput`] on `des3_key`.
    pub fn verify_notify(&self, notification: &IncomingNotification) -> Result<NotifyEvent, Error> {
        let envelope = envelope_of(notification)?;
        let plain = sign::open(&envelope, self.keys())?;
        let event = parse_event(&plain, envelope.timestamp)?;
        let t = event.data.transition();
        ExpectedOrder::new(&t.order_id)
            .party("dealer_id", self.config().dealer_id())
            .check_stated(Some(&t.order_id), None, &t.parties)?;
        Ok(event)
    }
}

#[async_trait::async_trait]
impl NotificationVerifier for Client {
    type Event = NotifyEvent;

    async fn verify_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<NotifyEvent, Error> {
        self.verify_notify(notification)
    }

    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text(SUCCESS_REPLY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source_of(e: &Error) -> String {
        std::error::Error::source(e)
            .map(ToString::to_string)
            .unwrap_or_default()
    }

    #[test]
    fn bad_events_are_named_not_quoted() {
        let plain = r#"{"notify_id":"N1","data":["13812345678"]}"#;
        let e = parse_event(plain, 0).unwrap_err();
        assert_eq!(source_of(&e), "`data` must be an object, got an array");
        match &e {
            Error::Decode { body, .. } => assert_eq!(body.as_bytes(), plain.as_bytes()),
            other => panic!("{other:?}"),
        }
        let plain =
            r#"{"notify_id":"N1","data":{"order_id":"O1","status":"1","id_card":13812345678}}"#;
        let e = parse_event(plain, 0).unwrap_err();
        let source = source_of(&e);
        assert!(
            source.starts_with("at `id_card`: invalid type: integer `***`"),
            "{source}"
        );
        match &e {
            Error::Decode { body, .. } => assert_eq!(body.as_bytes(), plain.as_bytes()),
            other => panic!("{other:?}"),
        }
        let ok = parse_event(
            r#"{"notify_id":"N1","notify_time":"t","data":{"order_id":"O1","status":"1"},"mobile":"13812345678"}"#,
            7,
        )
        .unwrap();
        assert_eq!(ok.extra["mobile"], "13812345678");
        assert!(!format!("{ok:?}").contains("13812345678"));
    }
}

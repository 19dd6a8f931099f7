//! The three notifications: pay result (section 9), funds arrived (10) and pay-out/refund
//! arrived (11).
//!
//! Each is a POST of the signed envelope to the URL given in the request
//! (`outSuccessNotifyUrl`, `outArrivedNotifyUrl`, `outNotifyUrl`). The sign is verified over
//! the exact `data` text before `data` is parsed into the same typed order the matching query
//! returns. The payment system repeats a notification until it is answered with `SUCCESS`.
//!
//! The three look alike on the wire. Where one URL receives one kind, call
//! [`Client::verify_notification_as`] with that kind. The [`NotificationVerifier`] impl on
//! [`Client`] infers the kind: a `data` with `outType`, `bankAccNum` or `bankCnaps` is a
//! pay-out/refund (11); otherwise an `arrivedStatus` of `02` is funds arrived (10); otherwise it
//! is a pay result (9).

use pay_core::{
    Error, IncomingNotification, NotificationEvent, NotificationReply, NotificationVerifier,
    Timestamp,
};
use serde::Serialize;

use crate::client::Client;
use crate::codes::CODE_RECEIVED;
use crate::pay::PayInOrder;
use crate::payout::PayOutOrder;
use crate::sign::ReceivedEnvelope;

/// The reply the payment system waits for: the bare text `SUCCESS`.
pub const SUCCESS_REPLY: &str = "SUCCESS";

/// Which notification it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NotificationKind {
    /// Section 9: a pay-in succeeded or failed (to `outSuccessNotifyUrl`).
    PayResult,
    /// Section 10: the paid-in funds arrived (to `outArrivedNotifyUrl`).
    FundsArrived,
    /// Section 11: a pay-out or refund arrived (to `outNotifyUrl`).
    PayoutArrived,
}

impl NotificationKind {
    /// The kind as a short name (`pay-result`, `funds-arrived`, `payout-arrived`).
    pub fn as_str(self) -> &'static str {
        match self {
            NotificationKind::PayResult => "pay-result",
            NotificationKind::FundsArrived => "funds-arrived",
            NotificationKind::PayoutArrived => "payout-arrived",
        }
    }
}

/// The verified content of a notification.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum NotificationData {
    /// A pay-in (sections 9 and 10), as [`Client::inquery`] returns it.
    PayIn(PayInOrder),
    /// A pay-out or refund (section 11), as [`Client::outquery`] returns it.
    PayOut(PayOutOrder),
}

/// A verified notification.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Notification {
    /// Which notification.
    pub kind: NotificationKind,
    /// The envelope's `timestamp` (`yyyyMMddHHmmssSSS`), as sent.
    pub timestamp: Option<String>,
    /// The order.
    pub data: NotificationData,
}

impl Notification {
    /// The merchant's `outReqNo`.
    pub fn out_req_no(&self) -> &str {
        match &self.data {
            NotificationData::PayIn(o) => &o.out_req_no,
            NotificationData::PayOut(o) => &o.out_req_no,
        }
    }

    /// The `payStatus`: whether money moved.
    pub fn pay_status(&self) -> &crate::PayStatus {
        match &self.data {
            NotificationData::PayIn(o) => &o.pay_status,
            NotificationData::PayOut(o) => &o.pay_status,
        }
    }

    /// The pay-in, for kinds 9 and 10.
    pub fn pay_in(&self) -> Option<&PayInOrder> {
        match &self.data {
            NotificationData::PayIn(o) => Some(o),
            NotificationData::PayOut(_) => None,
        }
    }

    /// The pay-out or refund, for kind 11.
    pub fn pay_out(&self) -> Option<&PayOutOrder> {
        match &self.data {
            NotificationData::PayOut(o) => Some(o),
            NotificationData::PayIn(_) => None,
        }
    }
}

impl NotificationEvent for Notification {
    /// `protocol-pay:{kind}:{outReqNo}:{payStatus}`, plus `:{arrivedStatus}` for a pay-in.
    fn replay_key(&self) -> String {
        let mut key = format!(
            "protocol-pay:{}:{}:{}",
            self.kind.as_str(),
            self.out_req_no(),
            self.pay_status()
        );
        if let NotificationData::PayIn(o) = &self.data {
            key.push(':');
            key.push_str(o.arrived_status.as_ref().map_or("", |a| a.as_str()));
        }
        key
    }

    fn sent_at(&self) -> Option<Timestamp> {
        self.timestamp
            .as_deref()
            .and_then(Timestamp::parse_beijing_compact)
    }
}

fn received(n: &IncomingNotification) -> Result<ReceivedEnvelope, Error> {
    let body = n.body.as_ref();
    let trimmed = body.trim_ascii_start();
    // A key or parameter given twice (or in the query and the body) is ambiguous: refused
    // as malformed, as every provider's notification reader refuses it.
    if trimmed.starts_with(b"{") {
        n.json_object()?;
        ReceivedEnvelope::parse(body)
    } else {
        let params = n.unique_params()?;
        if params.is_empty() {
            Err(Error::signature(pay_core::SignatureErrorKind::Missing))
        } else {
            Ok(ReceivedEnvelope::from_params(&params))
        }
    }
}

fn infer_kind(data: &str) -> NotificationKind {
    let v: serde_json::Value = serde_json::from_str(data).unwrap_or_default();
    let has = |k: &str| v.get(k).is_some_and(|x| !x.is_null());
    if has("outType") || has("bankAccNum") || has("bankCnaps") {
        NotificationKind::PayoutArrived
    } else if v.get("arrivedStatus").and_then(|a| a.as_str()) == Some("02") {
        NotificationKind::FundsArrived
    } else {
        NotificationKind::PayResult
    }
}

impl Client {
    fn open_notification(
        &self,
        n: &IncomingNotification,
        kind: Option<NotificationKind>,
    ) -> Result<Notification, Error> {
        let env = received(n)?;
        env.verify(self.config.app_id(), self.config.keys())?;
        let data = env.data.unwrap_or_default();
        let kind = kind.unwrap_or_else(|| infer_kind(&data));
        let data = match kind {
            NotificationKind::PayResult | NotificationKind::FundsArrived => {
                NotificationData::PayIn(pay_core::decode::json_str(&data)?)
            }
            NotificationKind::PayoutArrived => {
                NotificationData::PayOut(pay_core::decode::json_str(&data)?)
            }
        };
        Ok(Notification {
            kind,
            timestamp: env.timestamp,
            data,
        })
    }

    /// Verifies a notification known to be of `kind` (the URL it arrived at says which) and
    /// parses its `data`.
    ///
    /// # Errors
    /// [`Error::Signature`] when unsigned or tampered; [`Error::Decode`] when the verified
    /// `data` is not the order of that kind.
    pub fn verify_notification_as(
        &self,
        notification: &IncomingNotification,
        kind: NotificationKind,
    ) -> Result<Notification, Error> {
        self.open_notification(notification, Some(kind))
    }

    /// The verified notification as JSON: `{"kind", "timestamp", "data"}` with `data` under its
    /// wire names (synchronous: nothing is sent).
    ///
    /// # Errors
    /// As [`NotificationVerifier::verify_notification`].
    pub fn notification_json(&self, n: &IncomingNotification) -> Result<serde_json::Value, Error> {
        let event = self.verify_notification(n)?;
        serde_json::to_value(&event).map_err(|e| Error::decode(n.body.clone(), e))
    }

    /// The bare `SUCCESS` reply (the same as [`NotificationVerifier::success_reply`]).
    pub fn notification_reply(&self) -> NotificationReply {
        NotificationReply::text(SUCCESS_REPLY)
    }

    /// The alternative reply: a signed `PayCommonVo` with `code` `0000` and `msg` `SUCCESS`,
    /// whose `data` is `{"outReqNo": …}` (the field the spec lists for the notifications' data).
    pub fn signed_notification_reply(&self, out_req_no: &str) -> NotificationReply {
        let data = serde_json::json!({ "outReqNo": out_req_no }).to_string();
        let env = self.envelope(data);
        let body = serde_json::json!({
            "code": CODE_RECEIVED,
            "msg": SUCCESS_REPLY,
            "data": env.data,
            "appId": env.app_id,
            "timestamp": env.timestamp,
            "sign": env.sign,
        });
        NotificationReply::json(body.to_string())
    }
}

impl NotificationVerifier for Client {
    type Event = Notification;

    fn verify_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Notification, Error> {
        self.open_notification(notification, None)
    }

    /// The bare text `SUCCESS`.
    fn success_reply(&self) -> NotificationReply {
        self.notification_reply()
    }
}

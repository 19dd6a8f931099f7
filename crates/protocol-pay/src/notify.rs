//! The three notifications: pay result (section 9), funds arrived (10) and pay-out/refund
//! arrived (11).
//!
//! Each is a POST of the signed envelope to the URL given in the request
//! (`outSuccessNotifyUrl`, `outArrivedNotifyUrl`, `outNotifyUrl`). The sign is verified over
//! the exact `data` text before `data` is parsed into the same typed order the matching query
//! returns. The payment system repeats a notification until it is answered with `SUCCESS`.
//!
//! The three look alike on the wire, and §11 lists no fields of its own: **declare which
//! notification an endpoint receives** (the spec gives each its own URL). Call
//! [`Client::verify_notification_as`] with that kind, or run the endpoint's inbox on
//! [`Client::notifications`]`(kind)`. A payload that contradicts the declared kind is refused
//! ([`Error::Decode`]): pay-out fields (`outType`, `bankAccNum`, `bankCnaps`, `bankAccName`,
//! `bankName`) at a pay-in endpoint, pay-in fields (`arrivedStatus`, `cashierType`, `posCode`,
//! …) at the pay-out endpoint, or a funds-arrived notification whose `arrivedStatus` is not
//! `02` (已到账).
//!
//! One shared endpoint (no declared kind: [`Client::verify_notification`] and the
//! [`NotificationVerifier`] impl on [`Client`]) is read only where the fields tell the kinds
//! apart: pay-out fields make it §11; pay-in fields with `arrivedStatus` `01` (or none) make it
//! §9. Everything else is refused as ambiguous, never defaulted to a pay-in: a payload with
//! neither (a bare §11), with both, or a pay-in whose funds arrived (`02`: §10, or a §9 resent
//! after it — the same data).
//!
//! Each kind reports its own [`Transition`] (see [`crate::lifecycle`]), keyed by `outReqNo`:
//! a §9 resent after §10 at the pay-result endpoint is the paid event again, a duplicate.

use std::str::FromStr;

use pay_core::lifecycle::{ExpectedOrder, Transition};
use pay_core::{
    Error, IncomingNotification, Money, NotificationEvent, NotificationReply, NotificationVerifier,
    Timestamp,
};
use serde::Serialize;
use serde_json::Value;

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

impl FromStr for NotificationKind {
    type Err = Error;

    /// `pay-result` (§9), `funds-arrived` (§10), `payout` or `payout-arrived` (§11).
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "pay-result" => Ok(NotificationKind::PayResult),
            "funds-arrived" => Ok(NotificationKind::FundsArrived),
            "payout" | "payout-arrived" => Ok(NotificationKind::PayoutArrived),
            _ => Err(Error::invalid_input(
                "kind",
                "must be pay-result (§9), funds-arrived (§10) or payout (§11)",
            )),
        }
    }
}

impl std::fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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

impl Notification {
    /// The business event the notification reports, read through [`crate::lifecycle`]: §9 the
    /// pay-in's `payStatus` ([`PAYMENT`](crate::lifecycle::PAYMENT)), §10 its `arrivedStatus`
    /// ([`FUNDS_ARRIVED`](crate::lifecycle::FUNDS_ARRIVED)), §11 the pay-out's `payStatus`
    /// ([`REFUND`](crate::lifecycle::REFUND) when `outType` is `REFUND`, otherwise
    /// [`PAYOUT`](crate::lifecycle::PAYOUT)). Keyed by `outReqNo`, with the amount,
    /// `payOrderNo` and `appId` as stated.
    pub fn to_transition(&self) -> Transition {
        match &self.data {
            NotificationData::PayIn(o) => {
                let t = if self.kind == NotificationKind::FundsArrived {
                    Transition::new(
                        &crate::lifecycle::FUNDS_ARRIVED,
                        &o.out_req_no,
                        o.arrived_status.as_ref().map_or("", |a| a.as_str()),
                    )
                } else {
                    Transition::new(
                        &crate::lifecycle::PAYMENT,
                        &o.out_req_no,
                        o.pay_status.as_str(),
                    )
                };
                t.amount(o.amount)
                    .provider_order_id(o.pay_order_no.as_deref())
                    .party("appId", o.app_id.as_deref())
                    .message(o.channel_return_msg.as_deref().filter(|m| !m.is_empty()))
            }
            NotificationData::PayOut(o) => crate::unified::payout_transition(o),
        }
    }
}

impl NotificationEvent for Notification {
    /// The transition's dedup key: `protocol-pay:{payment|funds_arrived|payout|refund}:
    /// {status}:{outReqNo}`.
    fn replay_key(&self) -> String {
        self.to_transition().dedup_key()
    }

    fn transition(&self) -> Option<Transition> {
        Some(self.to_transition())
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

/// Fields only a pay-out/refund answer has (§6, §7).
const PAYOUT_FIELDS: &[&str] = &[
    "outType",
    "bankAccNum",
    "bankCnaps",
    "bankAccName",
    "bankName",
];
/// Fields only a pay-in answer has (§3, §4).
const PAYIN_FIELDS: &[&str] = &[
    "arrivedStatus",
    "cashierType",
    "posCode",
    "cashierUrl",
    "cardNum",
    "issuingBank",
    "issuingBankZH",
    "qpUserName",
    "qpCertNumber",
    "payArriveTime",
];

/// What the verified `data` says about its kind.
struct Shape {
    payout_field: Option<&'static str>,
    payin_field: Option<&'static str>,
    arrived: Option<String>,
}

impl Shape {
    fn of(v: &Value) -> Shape {
        let present = |k: &&&str| v.get(**k).is_some_and(|x| !x.is_null());
        Shape {
            payout_field: PAYOUT_FIELDS.iter().find(present).copied(),
            payin_field: PAYIN_FIELDS.iter().find(present).copied(),
            arrived: v
                .get("arrivedStatus")
                .and_then(Value::as_str)
                .map(str::to_owned),
        }
    }

    /// Refuses a payload that contradicts the declared `kind`.
    fn check(&self, kind: NotificationKind) -> Result<(), String> {
        match kind {
            NotificationKind::PayResult | NotificationKind::FundsArrived => {
                if let Some(f) = self.payout_field {
                    return Err(format!(
                        "declared a {kind} notification, but it carries the pay-out field `{f}`"
                    ));
                }
                if kind == NotificationKind::FundsArrived && self.arrived.as_deref() != Some("02") {
                    return Err(format!(
                        "declared a funds-arrived notification, but its arrivedStatus is {} \
                         (02, 已到账, expected)",
                        self.arrived.as_deref().unwrap_or("absent")
                    ));
                }
                Ok(())
            }
            NotificationKind::PayoutArrived => match self.payin_field {
                Some(f) => Err(format!(
                    "declared a pay-out notification, but it carries the pay-in field `{f}`"
                )),
                None => Ok(()),
            },
        }
    }

    /// The kind a shared endpoint can tell from the fields, or why it cannot.
    fn infer(&self) -> Result<NotificationKind, String> {
        match (self.payout_field, self.payin_field) {
            (Some(out), Some(inn)) => Err(format!(
                "ambiguous: it carries both the pay-out field `{out}` and the pay-in field `{inn}`"
            )),
            (Some(_), None) => Ok(NotificationKind::PayoutArrived),
            (None, Some(_)) if self.arrived.as_deref() == Some("02") => Err(
                "ambiguous: a pay-in whose funds arrived (arrivedStatus 02) is a funds-arrived \
                 notification (§10) or a pay result (§9) resent after it; declare the kind of \
                 the endpoint"
                    .to_owned(),
            ),
            (None, Some(_)) => Ok(NotificationKind::PayResult),
            (None, None) => Err(
                "ambiguous: no field tells a pay-in (§9, §10) from a pay-out or refund (§11); \
                 declare the kind of the endpoint"
                    .to_owned(),
            ),
        }
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
        let value: Value = pay_core::decode::json_str(&data)?;
        let shape = Shape::of(&value);
        let kind = match kind {
            Some(k) => shape.check(k).map(|()| k),
            None => shape.infer(),
        }
        .map_err(|why| Error::decode(n.body.clone(), why))?;
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

    /// Verifies a notification at a shared endpoint (no declared kind): read only where the
    /// fields tell the kinds apart (see the module docs); an ambiguous payload is refused.
    ///
    /// # Errors
    /// [`Error::Signature`] when unsigned or tampered; [`Error::Decode`] when the verified
    /// `data` is ambiguous or not an order.
    pub fn verify_notification(&self, n: &IncomingNotification) -> Result<Notification, Error> {
        self.open_notification(n, None)
    }

    /// A [`NotificationVerifier`] for the endpoint that receives `kind` (the URL given as
    /// `outSuccessNotifyUrl`, `outArrivedNotifyUrl` or `outNotifyUrl`): run that endpoint's
    /// [`pay_core::NotificationInbox`] on it.
    pub fn notifications(&self, kind: NotificationKind) -> KindNotifications {
        KindNotifications {
            client: self.clone(),
            kind,
        }
    }

    /// What every answer and notification about pay-in `out_req_no` of `amount` must agree
    /// with: the order id, the amount and the configured `appId`.
    pub fn expect_payment(&self, out_req_no: &str, amount: Money) -> ExpectedOrder {
        ExpectedOrder::new(out_req_no)
            .amount(amount)
            .party("appId", self.config.app_id())
    }

    /// What every answer and notification about pay-out (or refund) `out_req_no` of `amount`
    /// must agree with: the order id, the amount and the configured `appId`.
    pub fn expect_payout(&self, out_req_no: &str, amount: Money) -> ExpectedOrder {
        self.expect_payment(out_req_no, amount)
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

    /// As [`Client::notification_json`], for an endpoint declared to receive `kind`.
    ///
    /// # Errors
    /// As [`Client::verify_notification_as`].
    pub fn notification_json_as(
        &self,
        n: &IncomingNotification,
        kind: NotificationKind,
    ) -> Result<serde_json::Value, Error> {
        let event = self.verify_notification_as(n, kind)?;
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

/// The [`NotificationVerifier`] of an endpoint declared to receive one kind (see
/// [`Client::notifications`]): a payload contradicting the kind is refused.
#[derive(Clone, Debug)]
pub struct KindNotifications {
    client: Client,
    kind: NotificationKind,
}

impl KindNotifications {
    /// The declared kind.
    pub fn kind(&self) -> NotificationKind {
        self.kind
    }
}

#[async_trait::async_trait]
impl NotificationVerifier for KindNotifications {
    type Event = Notification;

    async fn verify_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Notification, Error> {
        self.client.open_notification(notification, Some(self.kind))
    }

    /// The bare text `SUCCESS`.
    fn success_reply(&self) -> NotificationReply {
        self.client.notification_reply()
    }
}

/// A shared endpoint: the kind is read from the fields where they tell it, an ambiguous
/// payload is refused (see the module docs).
#[async_trait::async_trait]
impl NotificationVerifier for Client {
    type Event = Notification;

    async fn verify_notification(
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

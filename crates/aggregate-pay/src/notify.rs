//! Notifications: pay results (section 2.3, HTTP POST) and payout results (3.3, HTTP GET).
//!
//! The parameters are read from the query string and from a form body; they are verified over
//! their URL-decoded values with the response key (every field but `sign`, unknown ones
//! included) and answered with the text `success`. The gateway retries up to five times
//! (60, 120, … s), and resends on a query with `executeNotify`; a paid order is notified as `2`
//! (支付成功) and may be notified again as `3` (业务处理完成(支付成功)). Every notification is one
//! [`Transition`] read through [`crate::lifecycle`], whose dedup key names the merchant's order
//! and the business event (`aggregate-pay:payment:succeeded:{mchOrderNo}`), never the raw
//! status: run them through a [`pay_core::NotificationInbox`] and the payment is credited once.
//!
//! A notification without the merchant's order id (`mchOrderNo`, `mchTransOrderNo`) is refused
//! ([`Error::Decode`]): it cannot be matched to an order. One whose `appId` differs from the
//! configured one is refused ([`Error::Mismatch`] naming `appId`).
//!
//! The gateway signs every parameter it sends, and the merchant's endpoint receives them with
//! any parameters of its own `notifyUrl` mixed in: a `notifyUrl` with a query string could
//! never verify, so requests refuse one before sending ([`check_notify_url`]).

use pay_core::lifecycle::Transition;
use pay_core::{
    Error, Extensions, IncomingNotification, Money, NotificationEvent, NotificationReply,
    NotificationVerifier, SignatureErrorKind, Timestamp,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::Client;
use crate::codes::{BackType, PayStatus, ProductId, TransStatus};
use crate::pay::millis;
use crate::sign::check_sign;

/// A pay result notification (section 2.3.2).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayNotification {
    /// `payOrderId`: the gateway's order number.
    pub pay_order_id: String,
    /// `mchId`.
    pub mch_id: String,
    /// `appId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `productId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<ProductId>,
    /// `mchOrderNo`: the merchant's order number (required: a notification without it is
    /// refused).
    pub mch_order_no: String,
    /// `amount` in fen.
    #[serde(with = "pay_core::money::as_fen")]
    pub amount: Money,
    /// `status`.
    pub status: PayStatus,
    /// `channelOrderNo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_order_no: Option<String>,
    /// `channelAttach`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_attach: Option<String>,
    /// `param1`, as sent with the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param1: Option<String>,
    /// `param2`, as sent with the order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param2: Option<String>,
    /// `paySuccTime`: milliseconds since the epoch, as sent (see
    /// [`PayNotification::pay_succ_at`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_succ_time: Option<String>,
    /// `backType`: front-end (1) or back-end (2) notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_type: Option<BackType>,
    /// Every other parameter (`channelId`, `currency`, fields the gateway adds), as strings.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl std::fmt::Debug for PayNotification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PayNotification")
            .field("pay_order_id", &self.pay_order_id)
            .field("mch_id", &self.mch_id)
            .field("app_id", &self.app_id)
            .field("product_id", &self.product_id)
            .field("mch_order_no", &self.mch_order_no)
            .field("amount", &self.amount)
            .field("status", &self.status)
            .field("channel_order_no", &self.channel_order_no)
            .field("channel_attach", &self.channel_attach)
            .field("param1", &crate::pay::ShownParam(&self.param1))
            .field("param2", &crate::pay::ShownParam(&self.param2))
            .field("pay_succ_time", &self.pay_succ_time)
            .field("back_type", &self.back_type)
            .field("extra", &self.extra)
            .finish()
    }
}

impl PayNotification {
    /// A notification with the fields the gateway always sends; the optional ones are `None`
    /// (for tests and tools: the client reads notifications from the wire).
    pub fn new(
        pay_order_id: impl Into<String>,
        mch_id: impl Into<String>,
        mch_order_no: impl Into<String>,
        amount: Money,
        status: PayStatus,
    ) -> Self {
        PayNotification {
            pay_order_id: pay_order_id.into(),
            mch_id: mch_id.into(),
            app_id: None,
            product_id: None,
            mch_order_no: mch_order_no.into(),
            amount,
            status,
            channel_order_no: None,
            channel_attach: None,
            param1: None,
            param2: None,
            pay_succ_time: None,
            back_type: None,
            extra: Extensions::new(),
        }
    }

    /// `paySuccTime` as an instant, when it is a number of milliseconds.
    pub fn pay_succ_at(&self) -> Option<Timestamp> {
        millis(self.pay_succ_time.as_deref())
    }
}

impl PayNotification {
    /// The business event, read through [`crate::lifecycle::PAYMENT`]: keyed by `mchOrderNo`,
    /// with the amount, `payOrderId`, `mchId` and (where sent) `appId`.
    pub fn to_transition(&self) -> Transition {
        crate::lifecycle::payment(
            &self.mch_order_no,
            self.status.as_str(),
            Some(self.amount),
            &self.pay_order_id,
            Some(&self.mch_id),
        )
        .party("appId", self.app_id.as_deref())
    }
}

impl NotificationEvent for PayNotification {
    /// `aggregate-pay:payment:{status}:{mchOrderNo}`: statuses `2` and `3` are both
    /// `succeeded`, one event.
    fn replay_key(&self) -> String {
        self.to_transition().dedup_key()
    }

    fn transition(&self) -> Option<Transition> {
        Some(self.to_transition())
    }
}

/// A payout result notification (section 3.3.2).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TransNotification {
    /// `transOrderId`: the gateway's payout number.
    pub trans_order_id: String,
    /// `mchId`.
    pub mch_id: String,
    /// `mchTransOrderNo`: the merchant's payout number (the gateway sends it as `mchOrderNo`;
    /// required: a notification without it is refused).
    pub mch_trans_order_no: String,
    /// `amount` in fen.
    #[serde(with = "pay_core::money::as_fen")]
    pub amount: Money,
    /// `status`.
    pub status: TransStatus,
    /// `channelOrderNo`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel_order_no: Option<String>,
    /// `param1`, as sent with the payout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param1: Option<String>,
    /// `param2`, as sent with the payout.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param2: Option<String>,
    /// `transSuccTime`, kept as an opaque string (the gateway has been seen to send both
    /// milliseconds and `Tue Nov 28 10:00:00 CST 2017`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trans_succ_time: Option<String>,
    /// `backType`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub back_type: Option<BackType>,
    /// Every other parameter, as strings.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl std::fmt::Debug for TransNotification {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransNotification")
            .field("trans_order_id", &self.trans_order_id)
            .field("mch_id", &self.mch_id)
            .field("mch_trans_order_no", &self.mch_trans_order_no)
            .field("amount", &self.amount)
            .field("status", &self.status)
            .field("channel_order_no", &self.channel_order_no)
            .field("param1", &crate::pay::ShownParam(&self.param1))
            .field("param2", &crate::pay::ShownParam(&self.param2))
            .field("trans_succ_time", &self.trans_succ_time)
            .field("back_type", &self.back_type)
            .field("extra", &self.extra)
            .finish()
    }
}

impl TransNotification {
    /// A notification with the fields the gateway always sends; the optional ones are `None`
    /// (for tests and tools: the client reads notifications from the wire).
    pub fn new(
        trans_order_id: impl Into<String>,
        mch_id: impl Into<String>,
        mch_trans_order_no: impl Into<String>,
        amount: Money,
        status: TransStatus,
    ) -> Self {
        TransNotification {
            trans_order_id: trans_order_id.into(),
            mch_id: mch_id.into(),
            mch_trans_order_no: mch_trans_order_no.into(),
            amount,
            status,
            channel_order_no: None,
            param1: None,
            param2: None,
            trans_succ_time: None,
            back_type: None,
            extra: Extensions::new(),
        }
    }

    /// `transSuccTime` as an instant, when it is a number of milliseconds.
    pub fn trans_succ_at(&self) -> Option<Timestamp> {
        millis(self.trans_succ_time.as_deref())
    }
}

impl TransNotification {
    /// The business event, read through [`crate::lifecycle::PAYOUT`]: keyed by
    /// `mchTransOrderNo`, with the amount, `transOrderId` and `mchId`.
    pub fn to_transition(&self) -> Transition {
        crate::lifecycle::payout(
            &self.mch_trans_order_no,
            self.status.as_str(),
            Some(self.amount),
            &self.trans_order_id,
            Some(&self.mch_id),
        )
    }
}

impl NotificationEvent for TransNotification {
    /// `aggregate-pay:payout:{status}:{mchTransOrderNo}`.
    fn replay_key(&self) -> String {
        self.to_transition().dedup_key()
    }

    fn transition(&self) -> Option<Transition> {
        Some(self.to_transition())
    }
}

/// Either notification, told apart by `transOrderId` (payout) or `payOrderId` (payment).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Notification {
    /// A pay result.
    Pay(PayNotification),
    /// A payout result.
    Trans(TransNotification),
}

impl Notification {
    /// The business event the notification reports.
    pub fn to_transition(&self) -> Transition {
        match self {
            Notification::Pay(n) => n.to_transition(),
            Notification::Trans(n) => n.to_transition(),
        }
    }
}

impl NotificationEvent for Notification {
    fn replay_key(&self) -> String {
        self.to_transition().dedup_key()
    }

    fn transition(&self) -> Option<Transition> {
        Some(self.to_transition())
    }
}

/// Refuses a `notifyUrl` with a query string (or a bare `?`): the gateway signs only its own
/// parameters, the merchant's endpoint would receive the URL's parameters too, and every
/// received parameter enters the sign check, so no notification to it could ever verify (the
/// gateway would retry five times and give up, and nobody would be told).
///
/// # Errors
/// [`Error::InvalidInput`] naming `notifyUrl`.
pub fn check_notify_url(url: &str) -> Result<(), Error> {
    if url.contains('?') {
        return Err(Error::invalid_input(
            "notifyUrl",
            "must not carry a query string: every parameter the endpoint receives enters the \
             gateway's sign check, so a notification to it could never verify; put the \
             distinction in the path instead",
        ));
    }
    Ok(())
}

/// The bytes received, for a decode error.
fn received(n: &IncomingNotification) -> bytes::Bytes {
    if n.body.is_empty() {
        bytes::Bytes::copy_from_slice(n.query.as_bytes())
    } else {
        n.body.clone()
    }
}

/// Refuses a verified notification without the merchant's order id `field`.
fn require_order_id(
    map: &Map<String, Value>,
    field: &'static str,
    n: &IncomingNotification,
) -> Result<String, Error> {
    match map.get(field) {
        Some(Value::String(id)) if !id.is_empty() => Ok(id.clone()),
        _ => Err(Error::decode(
            received(n),
            format!(
                "the notification has no {field} (the merchant's order id): it cannot be \
                 matched to an order"
            ),
        )),
    }
}

/// The verified parameters of a notification, `sign` and empty values removed.
fn verified_params(client: &Client, n: &IncomingNotification) -> Result<Map<String, Value>, Error> {
    // A parameter in both the query and the body, or twice: which one was signed? Refused
    // (malformed), as every provider's notification reader refuses it.
    let params = n.unique_params()?;
    let mut map = Map::new();
    let mut sign = None;
    for (k, v) in &params {
        if k == "sign" {
            sign = Some(v.as_str());
        } else if !v.is_empty() {
            map.insert(k.clone(), Value::String(v.clone()));
        }
    }
    let sign = sign
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::signature(SignatureErrorKind::Missing))?;
    let pairs = params
        .iter()
        .filter(|(k, _)| k != "sign")
        .map(|(k, v)| (k.as_str(), v.as_str()));
    check_sign(pairs, sign, client.config.response_keys()).map_err(Error::signature)?;
    Ok(map)
}

fn decode<T: serde::de::DeserializeOwned>(map: Map<String, Value>) -> Result<T, Error> {
    let text = Value::Object(map).to_string();
    pay_core::decode::json(text.as_bytes())
}

impl Client {
    /// Verifies and parses a notification of either kind.
    ///
    /// # Errors
    /// [`Error::Signature`] when unsigned, tampered or ambiguous (a parameter sent twice);
    /// [`Error::Decode`] when the verified parameters are not a notification or name no
    /// merchant order id; [`Error::Mismatch`] when its `appId` is not the configured one.
    pub fn verify_notification(&self, n: &IncomingNotification) -> Result<Notification, Error> {
        let map = verified_params(self, n)?;
        if map.contains_key("transOrderId") {
            self.trans_from(map, n).map(Notification::Trans)
        } else {
            self.pay_from(map, n).map(Notification::Pay)
        }
    }

    /// Verifies and parses a pay result notification (section 2.3).
    ///
    /// # Errors
    /// As [`Client::verify_notification`]; a payout notification is [`Error::Decode`].
    pub fn verify_pay_notification(
        &self,
        n: &IncomingNotification,
    ) -> Result<PayNotification, Error> {
        let map = verified_params(self, n)?;
        if map.contains_key("transOrderId") {
            return Err(Error::decode(
                Value::Object(map).to_string().into_bytes(),
                "a payout notification, not a pay notification",
            ));
        }
        self.pay_from(map, n)
    }

    /// Verifies and parses a payout result notification (section 3.3).
    ///
    /// # Errors
    /// As [`Client::verify_notification`].
    pub fn verify_trans_notification(
        &self,
        n: &IncomingNotification,
    ) -> Result<TransNotification, Error> {
        self.trans_from(verified_params(self, n)?, n)
    }

    fn pay_from(
        &self,
        map: Map<String, Value>,
        n: &IncomingNotification,
    ) -> Result<PayNotification, Error> {
        let order_id = require_order_id(&map, "mchOrderNo", n)?;
        let pay: PayNotification = decode(map)?;
        self.check_app_id(pay.app_id.as_deref(), &order_id)?;
        Ok(pay)
    }

    fn trans_from(
        &self,
        mut map: Map<String, Value>,
        n: &IncomingNotification,
    ) -> Result<TransNotification, Error> {
        if !map.contains_key("mchTransOrderNo")
            && let Some(v) = map.remove("mchOrderNo")
        {
            map.insert("mchTransOrderNo".to_owned(), v);
        }
        let order_id = require_order_id(&map, "mchTransOrderNo", n)?;
        let app_id = map.get("appId").and_then(Value::as_str).map(str::to_owned);
        self.check_app_id(app_id.as_deref(), &order_id)?;
        decode(map)
    }

    /// Refuses an `appId` the gateway stated that is not the configured one.
    pub(crate) fn check_app_id(&self, got: Option<&str>, order_id: &str) -> Result<(), Error> {
        match got {
            Some(got) if got != self.config.app_id() => Err(Error::mismatch(
                "appId",
                self.config.app_id(),
                Some(got.to_owned()),
                order_id,
            )),
            _ => Ok(()),
        }
    }

    /// The verified notification as JSON with wire names, tagged `"type": "pay"` or
    /// `"type": "trans"` (for the CLI). Synchronous.
    ///
    /// # Errors
    /// As [`Client::verify_notification`].
    pub fn notification_json(&self, n: &IncomingNotification) -> Result<Value, Error> {
        let event = self.verify_notification(n)?;
        pay_core::decode::to_value(&event)
    }
}

#[async_trait::async_trait]
impl NotificationVerifier for Client {
    type Event = Notification;

    async fn verify_notification(&self, n: &IncomingNotification) -> Result<Notification, Error> {
        Client::verify_notification(self, n)
    }

    /// The text `success`.
    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text("success")
    }
}

//! Realtime payouts (2.1 打款接口): to a bank card, an Alipay account or a WeChat user.
//!
//! The provider pays an `order_id` once: after a timeout ([`pay_core::Error::UnknownOutcome`])
//! query the order ([`Client::query_realtime_order`]) or resubmit the same request with the same
//! `order_id`; never a new id. Error `2002` means the order already exists: query it.
//!
//! Limits (第一章): bank card 0.01 to 5,000,000 yuan per payout; Alipay 0.01 to 1,000,000 yuan;
//! WeChat red packets 1 to 200 yuan by default (up to 4,999 on request). The client refuses,
//! before sending, an amount that is not positive or above the channel's absolute ceiling
//! (5,000,000, 1,000,000 and 4,999 yuan; [`crate::validate::payout_amount`]); the daily limits
//! and a merchant's own WeChat ceiling are the provider's to enforce.

use pay_core::{CardNumber, Error, Extensions, IdNumber, Money, PersonName, PhoneNumber};
use serde::{Deserialize, Serialize};

use http::Method;
use pay_core::operation::FieldDoc;
use pay_core::{CallKind, Operation};

use crate::client::{Client, Endpoint, Response};
use crate::field_docs as docs;
use crate::validate;

fn opt_remark(r: &Option<String>) -> Result<(), Error> {
    match r {
        Some(r) => validate::pay_remark(r),
        None => Ok(()),
    }
}

fn opt_max(field: &'static str, v: &Option<String>, max: usize) -> Result<(), Error> {
    match v {
        Some(v) => pay_core::validate::max_chars(field, v, max),
        None => Ok(()),
    }
}

/// A bank-card payout (`POST /api/payment/v1/order-realtime`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BankCardOrder {
    /// The merchant's order id, unique per merchant (the idempotency key).
    pub order_id: String,
    /// The dealer id; the config's when `None` (it must equal the config's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_id: Option<String>,
    /// The broker id; the config's when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_id: Option<String>,
    /// The account holder's name.
    pub real_name: PersonName,
    /// The bank card number.
    pub card_no: CardNumber,
    /// The payee's (or a contact's) phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_no: Option<PhoneNumber>,
    /// The account holder's resident ID number (required: used for the payee's tax filing).
    pub id_card: IdNumber,
    /// The amount, sent as a yuan string (`"100.00"`).
    #[serde(with = "pay_core::money::as_yuan")]
    pub pay: Money,
    /// The merchant's id of the payee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor_id: Option<String>,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// A remark shown with the payment (see [`validate::pay_remark`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_remark: Option<String>,
    /// Extension fields by wire name (e.g. `project_id`).
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Operation for BankCardOrder {
    type Answer = OrderAccepted;
    const NAME: &'static str = "order-realtime";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/payment/v1/order-realtime";
    const FIELDS: &'static [FieldDoc] = &[
        docs::ORDER_ID,
        docs::BROKER_ID,
        docs::REAL_NAME,
        docs::BANK_CARD_NO,
        docs::PHONE_NO,
        docs::ID_CARD,
        docs::pay("yuan string, at most 2 decimals (\"100000.00\"), > 0, at most 5000000.00"),
        docs::ANCHOR_ID,
        docs::NOTES,
        docs::PAY_REMARK,
    ];
    const EXAMPLE: &'static str = r#"{"order_id":"202609010016562012987","real_name":"张三","card_no":"6228880199872220","phone_no":"13488795491","id_card":"11010519491231002X","pay":"100.00","pay_remark":"劳务费"}"#;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("order_id", &self.order_id, 64)?;
        validate::name("real_name", &self.real_name)?;
        validate::bank_card("card_no", &self.card_no)?;
        if let Some(p) = &self.phone_no {
            validate::phone("phone_no", p)?;
        }
        validate::id_card("id_card", &self.id_card)?;
        validate::payout_amount("pay", self.pay, validate::BANK_CARD_MAX)?;
        opt_max("anchor_id", &self.anchor_id, 64)?;
        opt_remark(&self.pay_remark)
    }
}

impl Endpoint for BankCardOrder {
    const DEALER_ID: bool = true;
    const BROKER_ID: bool = true;
    const FIELDS: &'static [&'static str] = &[
        "order_id",
        "dealer_id",
        "broker_id",
        "real_name",
        "card_no",
        "phone_no",
        "id_card",
        "pay",
        "anchor_id",
        "notes",
        "pay_remark",
    ];

    fn extra(&self) -> &Extensions {
        &self.extra
    }
}

/// An Alipay payout (`POST /api/payment/v1/order-alipay`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct AlipayOrder {
    /// The merchant's order id, unique per merchant (the idempotency key).
    pub order_id: String,
    /// The dealer id; the config's when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_id: Option<String>,
    /// The broker id; the config's when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_id: Option<String>,
    /// The payee's name.
    pub real_name: PersonName,
    /// The payee's resident ID number.
    pub id_card: IdNumber,
    /// The payee's Alipay account (login id such as a phone or e-mail, or user id).
    pub card_no: CardNumber,
    /// The amount in yuan.
    #[serde(with = "pay_core::money::as_yuan")]
    pub pay: Money,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// A remark shown with the payment (see [`validate::pay_remark`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_remark: Option<String>,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Operation for AlipayOrder {
    type Answer = OrderAccepted;
    const NAME: &'static str = "order-alipay";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/payment/v1/order-alipay";
    const FIELDS: &'static [FieldDoc] = &[
        docs::ORDER_ID,
        docs::BROKER_ID,
        docs::REAL_NAME,
        docs::ID_CARD,
        docs::ALIPAY_CARD_NO,
        docs::pay("yuan string, at most 2 decimals (\"1.00\"), > 0, at most 1000000.00"),
        docs::NOTES,
        docs::PAY_REMARK,
    ];
    const EXAMPLE: &'static str = r#"{"order_id":"202609010016562012988","real_name":"张三","id_card":"11010519491231002X","card_no":"123@sina.com","pay":"1.00","notes":"备注信息"}"#;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("order_id", &self.order_id, 64)?;
        validate::name("real_name", &self.real_name)?;
        validate::id_card("id_card", &self.id_card)?;
        pay_core::validate::required_max("card_no", self.card_no.expose(), 100)?;
        validate::payout_amount("pay", self.pay, validate::ALIPAY_MAX)?;
        opt_remark(&self.pay_remark)
    }
}

impl Endpoint for AlipayOrder {
    const DEALER_ID: bool = true;
    const BROKER_ID: bool = true;
    const FIELDS: &'static [&'static str] = &[
        "order_id",
        "dealer_id",
        "broker_id",
        "real_name",
        "id_card",
        "card_no",
        "pay",
        "notes",
        "pay_remark",
    ];

    fn extra(&self) -> &Extensions {
        &self.extra
    }
}

/// A WeChat payout (`POST /api/payment/v1/order-wxpay`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct WxpayOrder {
    /// The merchant's order id, unique per merchant (the idempotency key).
    pub order_id: String,
    /// The dealer id; the config's when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_id: Option<String>,
    /// The broker id; the config's when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_id: Option<String>,
    /// The payee's name.
    pub real_name: PersonName,
    /// The payee's resident ID number.
    pub id_card: IdNumber,
    /// The payee's openid under the merchant's app id.
    pub openid: String,
    /// The amount in yuan.
    #[serde(with = "pay_core::money::as_yuan")]
    pub pay: Money,
    /// Notes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// A remark shown with the payment (see [`validate::pay_remark`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_remark: Option<String>,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Operation for WxpayOrder {
    type Answer = OrderAccepted;
    const NAME: &'static str = "order-wxpay";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/payment/v1/order-wxpay";
    const FIELDS: &'static [FieldDoc] = &[
        docs::ORDER_ID,
        docs::BROKER_ID,
        docs::REAL_NAME,
        docs::ID_CARD,
        docs::OPENID,
        docs::pay(
            "yuan string, at most 2 decimals (\"1.00\"), > 0, at most 4999.00 (the provider enforces the merchant's own ceiling, 200.00 unless raised, and the 1.00 minimum)",
        ),
        docs::NOTES,
        docs::PAY_REMARK,
    ];
    const EXAMPLE: &'static str = r#"{"order_id":"202609010016562012989","real_name":"张三","id_card":"11010519491231002X","openid":"wx2319u9jk231bhbhbhwad21","pay":"1.00"}"#;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("order_id", &self.order_id, 64)?;
        validate::name("real_name", &self.real_name)?;
        validate::id_card("id_card", &self.id_card)?;
        pay_core::validate::required_max("openid", &self.openid, 128)?;
        validate::payout_amount("pay", self.pay, validate::WECHAT_MAX)?;
        opt_remark(&self.pay_remark)
    }
}

impl Endpoint for WxpayOrder {
    const DEALER_ID: bool = true;
    const BROKER_ID: bool = true;
    const FIELDS: &'static [&'static str] = &[
        "order_id",
        "dealer_id",
        "broker_id",
        "real_name",
        "id_card",
        "openid",
        "pay",
        "notes",
        "pay_remark",
    ];

    fn extra(&self) -> &Extensions {
        &self.extra
    }
}

/// The answer to a payout (or a payout report): the order was received. The payment itself
/// happens asynchronously: learn the result from the notification or by query.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderAccepted {
    /// The merchant's order id.
    #[serde(
        default,
        deserialize_with = "crate::wire::string_or_number::deserialize"
    )]
    pub order_id: String,
    /// Yunzhanghu's reference (云经纪流水).
    #[serde(
        default,
        rename = "ref",
        deserialize_with = "crate::wire::string_or_number::deserialize"
    )]
    pub reference: String,
    /// The amount.
    #[serde(default, with = "crate::wire::yuan_lenient")]
    pub pay: Option<Money>,
    /// Fields the provider may add.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Client {
    /// Pays to a bank card (`POST /api/payment/v1/order-realtime`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before sending; [`Error::UnknownOutcome`] (with the order id) when
    /// the request may have been received: query the order or resend the same order id;
    /// [`Error::Provider`] with kind `DuplicateOrder` for `2002`: query it.
    pub async fn order_realtime(
        &self,
        order: &BankCardOrder,
    ) -> Result<Response<OrderAccepted>, Error> {
        self.execute(order).await
    }

    /// Pays to an Alipay account (`POST /api/payment/v1/order-alipay`).
    ///
    /// # Errors
    /// As [`Client::order_realtime`].
    pub async fn order_alipay(
        &self,
        order: &AlipayOrder,
    ) -> Result<Response<OrderAccepted>, Error> {
        self.execute(order).await
    }

    /// Pays to a WeChat user (`POST /api/payment/v1/order-wxpay`).
    ///
    /// # Errors
    /// As [`Client::order_realtime`].
    pub async fn order_wxpay(&self, order: &WxpayOrder) -> Result<Response<OrderAccepted>, Error> {
        self.execute(order).await
    }
}

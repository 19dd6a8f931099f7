//! Payout reports (2.5 打款数据上报): the merchant tells Yunzhanghu about payouts it made itself.
//! These are requests (`POST /api/notify/order-*`), not callbacks.

use pay_core::{CardNumber, Error, Extensions, IdNumber, Money, PersonName, PhoneNumber};
use serde::{Deserialize, Serialize};

use http::Method;
use pay_core::operation::FieldDoc;
use pay_core::{CallKind, Operation};

use crate::client::{Client, Endpoint, Response};
use crate::codes::ReportResult;
use crate::field_docs as docs;
use crate::payout::OrderAccepted;
use crate::validate;

fn common(
    order_id: &str,
    real_name: &PersonName,
    id_card: &IdNumber,
    pay: Money,
    created_at: &str,
    result: &ReportResult,
) -> Result<(), Error> {
    pay_core::validate::required_max("order_id", order_id, 64)?;
    validate::name("real_name", real_name)?;
    validate::id_card("id_card", id_card)?;
    pay_core::validate::positive("pay", pay)?;
    datetime("created_at", created_at)?;
    if !result.is_known() {
        return Err(Error::invalid_input(
            "result",
            "must be 1 (success) or 2 (failure)",
        ));
    }
    Ok(())
}

/// The format of a report's `pay`.
const REPORT_PAY: &str = "yuan string, at most 2 decimals (\"100.00\"), > 0";

/// Checks `yyyy-MM-dd HH:mm:ss`.
fn datetime(field: &'static str, s: &str) -> Result<(), Error> {
    let ok = s.len() == 19
        && s.get(10..11) == Some(" ")
        && s.get(0..10)
            .is_some_and(|d| validate::dashed_date(field, d).is_ok())
        && s.get(11..19).is_some_and(|t| {
            let b = t.as_bytes();
            b.len() == 8
                && b[2] == b':'
                && b[5] == b':'
                && t.get(0..2)
                    .and_then(|h| h.parse::<u8>().ok())
                    .is_some_and(|h| h < 24)
                && t.get(3..5)
                    .and_then(|m| m.parse::<u8>().ok())
                    .is_some_and(|m| m < 60)
                && t.get(6..8)
                    .and_then(|x| x.parse::<u8>().ok())
                    .is_some_and(|x| x < 60)
        });
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            "must be a time written yyyy-MM-dd HH:mm:ss",
        ))
    }
}

/// Reports a bank-card payout (`POST /api/notify/order-bankcard`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BankCardReport {
    /// The merchant's order id.
    pub order_id: String,
    /// The dealer id; the config's when `None`.
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
    /// The account holder's resident ID number.
    pub id_card: IdNumber,
    /// The amount paid.
    #[serde(with = "pay_core::money::as_yuan")]
    pub pay: Money,
    /// The merchant's id of the payee.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anchor_id: Option<String>,
    /// When the merchant paid (`yyyy-MM-dd HH:mm:ss`).
    pub created_at: String,
    /// Whether the payout succeeded.
    pub result: ReportResult,
    /// Notes, such as the failure reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Operation for BankCardReport {
    type Answer = OrderAccepted;
    const NAME: &'static str = "notify-order-bankcard";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/notify/order-bankcard";
    const FIELDS: &'static [FieldDoc] = &[
        docs::ORDER_ID,
        docs::BROKER_ID,
        docs::REAL_NAME,
        docs::BANK_CARD_NO,
        docs::PHONE_NO,
        docs::ID_CARD,
        docs::pay(REPORT_PAY),
        docs::ANCHOR_ID,
        docs::CREATED_AT,
        docs::RESULT,
        docs::NOTES,
    ];
    const EXAMPLE: &'static str = r#"{"order_id":"202608150016562012987","real_name":"张三","card_no":"6228880199872220","id_card":"11010519491231002X","pay":"100.00","created_at":"2026-08-15 17:41:48","result":"1"}"#;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        common(
            &self.order_id,
            &self.real_name,
            &self.id_card,
            self.pay,
            &self.created_at,
            &self.result,
        )?;
        validate::bank_card("card_no", &self.card_no)?;
        if let Some(p) = &self.phone_no {
            validate::phone("phone_no", p)?;
        }
        Ok(())
    }
}

impl Endpoint for BankCardReport {
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
        "created_at",
        "result",
        "notes",
    ];

    fn extra(&self) -> &Extensions {
        &self.extra
    }
}

/// Reports an Alipay payout (`POST /api/notify/order-alipay`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlipayReport {
    /// The merchant's order id.
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
    /// The payee's Alipay account (login id or user id).
    pub card_no: CardNumber,
    /// The amount paid.
    #[serde(with = "pay_core::money::as_yuan")]
    pub pay: Money,
    /// When the merchant paid (`yyyy-MM-dd HH:mm:ss`).
    pub created_at: String,
    /// Whether the payout succeeded.
    pub result: ReportResult,
    /// Notes, such as the failure reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Operation for AlipayReport {
    type Answer = OrderAccepted;
    const NAME: &'static str = "notify-order-alipay";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/notify/order-alipay";
    const FIELDS: &'static [FieldDoc] = &[
        docs::ORDER_ID,
        docs::BROKER_ID,
        docs::REAL_NAME,
        docs::ID_CARD,
        docs::ALIPAY_CARD_NO,
        docs::pay(REPORT_PAY),
        docs::CREATED_AT,
        docs::RESULT,
        docs::NOTES,
    ];
    const EXAMPLE: &'static str = r#"{"order_id":"202608150016562012988","real_name":"张三","id_card":"11010519491231002X","card_no":"123@sina.com","pay":"1.00","created_at":"2026-08-15 17:41:48","result":"2","notes":"账户冻结"}"#;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        common(
            &self.order_id,
            &self.real_name,
            &self.id_card,
            self.pay,
            &self.created_at,
            &self.result,
        )?;
        pay_core::validate::required_max("card_no", self.card_no.expose(), 100)
    }
}

impl Endpoint for AlipayReport {
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
        "created_at",
        "result",
        "notes",
    ];

    fn extra(&self) -> &Extensions {
        &self.extra
    }
}

/// Reports a WeChat payout (`POST /api/notify/order-wxpay`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WxpayReport {
    /// The merchant's order id.
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
    /// The amount paid.
    #[serde(with = "pay_core::money::as_yuan")]
    pub pay: Money,
    /// When the merchant paid (`yyyy-MM-dd HH:mm:ss`).
    pub created_at: String,
    /// Whether the payout succeeded.
    pub result: ReportResult,
    /// Notes, such as the failure reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Operation for WxpayReport {
    type Answer = OrderAccepted;
    const NAME: &'static str = "notify-order-wxpay";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/notify/order-wxpay";
    const FIELDS: &'static [FieldDoc] = &[
        docs::ORDER_ID,
        docs::BROKER_ID,
        docs::REAL_NAME,
        docs::ID_CARD,
        docs::OPENID,
        docs::pay(REPORT_PAY),
        docs::CREATED_AT,
        docs::RESULT,
        docs::NOTES,
    ];
    const EXAMPLE: &'static str = r#"{"order_id":"202608150016562012989","real_name":"张三","id_card":"11010519491231002X","openid":"wx2319u9jk231bhbhbhwad21","pay":"1.00","created_at":"2026-08-15 17:41:48","result":"1"}"#;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        common(
            &self.order_id,
            &self.real_name,
            &self.id_card,
            self.pay,
            &self.created_at,
            &self.result,
        )?;
        pay_core::validate::required_max("openid", &self.openid, 128)
    }
}

impl Endpoint for WxpayReport {
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
        "created_at",
        "result",
        "notes",
    ];

    fn extra(&self) -> &Extensions {
        &self.extra
    }
}

impl Client {
    /// Reports a bank-card payout the merchant made (`POST /api/notify/order-bankcard`).
    ///
    /// # Errors
    /// As any mutation: [`Error::UnknownOutcome`] after a timeout (resend the same report),
    /// [`Error::Provider`] with kind `DuplicateOrder` for `2002` (already reported).
    pub async fn notify_order_bankcard(
        &self,
        report: &BankCardReport,
    ) -> Result<Response<OrderAccepted>, Error> {
        self.execute(report).await
    }

    /// Reports an Alipay payout the merchant made (`POST /api/notify/order-alipay`).
    ///
    /// # Errors
    /// As [`Client::notify_order_bankcard`].
    pub async fn notify_order_alipay(
        &self,
        report: &AlipayReport,
    ) -> Result<Response<OrderAccepted>, Error> {
        self.execute(report).await
    }

    /// Reports a WeChat payout the merchant made (`POST /api/notify/order-wxpay`).
    ///
    /// # Errors
    /// As [`Client::notify_order_bankcard`].
    pub async fn notify_order_wxpay(
        &self,
        report: &WxpayReport,
    ) -> Result<Response<OrderAccepted>, Error> {
        self.execute(report).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        assert!(datetime("created_at", "2017-08-15 17:41:48").is_ok());
        assert!(datetime("created_at", "2017-08-15 24:41:48").is_err());
        assert!(datetime("created_at", "2017-08-15T17:41:48").is_err());
        assert!(datetime("created_at", "2017-08-15").is_err());
    }
}

//! [`pay_core::Payments`] (app pay / quick pay + `order_query`) and [`pay_core::Payouts`]
//! (withdrawal + `order_query`) for [`Client`].
//!
//! Provider-specific fields come from `extra` by their wire names and are checked by the typed
//! request's `validate()`; a key of `extra` that the unified request already fills (such as
//! `order_id` or `trans_amt`) is [`Error::InvalidInput`], and so is a field Huifu cannot carry.
//!
//! - `order_date`: `extra["order_date"]` when given, else the first eight characters of the
//!   order id when they are a `yyyyMMdd` date, else today (Beijing, from the client's clock).
//!   Queries use the same rule, so **start unified order ids with their date** to query them on
//!   a later day.
//! - Queries use `user_cust_id` = the configured `mer_cust_id`.
//! - Status: every answer is read through [`crate::lifecycle`]: `trans_stat` (`S`/`F`/`I`/`P`)
//!   when the answer carries it, otherwise its `resp_code`, which never says paid (`C00000`,
//!   `C00001`, `C00002` without `trans_stat` are processing: query again).
//! - Checks: every create and query answer is checked against the request
//!   ([`pay_core::ExpectedOrder::check_stated`]: the order id, and the amount and `mer_cust_id`
//!   where the answer states them); a confirmed callback's transition should be checked by the
//!   merchant with [`Payments::expect_payment`] / [`Payouts::expect_payout`] (or
//!   [`Client::expect`]) before acting on it.

use pay_core::lifecycle::{ExpectedOrder, Lifecycle, Transition};
use pay_core::{
    Error, IncomingNotification, Money, NotificationReply, PayeeAccount, PaymentAction,
    PaymentRequest, PaymentResult, Payments, PayoutRequest, Payouts,
};
use serde::de::DeserializeOwned;

use crate::client::{Client, PROVIDER};
use crate::codes::{PayType, QueryTransType};
use crate::lifecycle::{PAY, WITHDRAWAL};
use crate::response::HfResponse;
use crate::trade::{AppPayRequest, OrderQueryRequest, QuickPayRequest, WithdrawalRequest};

fn order_date_for(client: &Client, order_id: &str, extra: &pay_core::Extra) -> String {
    if let Some(serde_json::Value::String(d)) = extra.get("order_date") {
        return d.clone();
    }
    match order_id.get(..8) {
        Some(p) if pay_core::clock::is_compact_date(p) => p.to_owned(),
        _ => client.today(),
    }
}

/// Builds a typed request from fields the unified request fills and `extra`.
fn build<T: DeserializeOwned>(
    filled: Vec<(&'static str, serde_json::Value)>,
    extra: &pay_core::Extra,
) -> Result<T, Error> {
    let mut map = serde_json::Map::new();
    for (k, v) in extra {
        map.insert(k.clone(), v.clone());
    }
    for (k, v) in filled {
        if extra.contains_key(k) {
            return Err(Error::invalid_input(
                k,
                "is filled from the unified request; remove it from extra",
            ));
        }
        map.insert(k.to_owned(), v);
    }
    // Through pay_core::decode: the message names the field but never quotes a value.
    pay_core::decode::json(serde_json::Value::Object(map).to_string().as_bytes()).map_err(|e| {
        let why = std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string);
        Error::invalid_input("extra", why)
    })
}

fn s(v: impl Into<String>) -> serde_json::Value {
    serde_json::Value::String(v.into())
}

/// Reads an answer about the merchant's order through `table` after checking it against what
/// the merchant expects (`expected`: the order id, and the amount and `mer_cust_id` where the
/// answer states them). The transition's order id is the merchant's; a value the answer did
/// not state stays `None`.
fn checked(
    table: &Lifecycle,
    expected: &ExpectedOrder,
    resp: &HfResponse,
) -> Result<Transition, Error> {
    let t = crate::lifecycle::transition(table, expected.order_id(), resp);
    expected.check_stated(resp.order_id.as_deref(), t.amount, &t.parties)?;
    Ok(t)
}

/// As [`checked`], for an order the merchant knows by id only (a query through the unified
/// traits, which take no amount): the amount is reported as stated, unchecked.
fn checked_id(
    client: &Client,
    table: &Lifecycle,
    order_id: &str,
    resp: &HfResponse,
) -> Result<Transition, Error> {
    let expected =
        ExpectedOrder::new(order_id).party("mer_cust_id", client.config.mer_cust_id.clone());
    let scope = order_date_for(client, order_id, &pay_core::Extra::new());
    Ok(checked(table, &expected, resp)?.order_scope(Some(scope)))
}

impl Client {
    async fn unified_query(
        &self,
        order_id: &str,
        trans_type: QueryTransType,
    ) -> Result<HfResponse, Error> {
        let extra = pay_core::Extra::new();
        self.order_query(&OrderQueryRequest {
            user_cust_id: self.config.mer_cust_id.clone(),
            order_id: order_id.to_owned(),
            order_date: order_date_for(self, order_id, &extra),
            trans_type,
            mer_priv: None,
            extra: pay_core::Extensions::new(),
        })
        .await
    }
}

/// `create_payment`: `method` is an app-pay `pay_type` code (`04`, `05`, `10`, `12`, `13`,
/// `18`, `19`) or `quick`.
///
/// - App pay: `extra` must hold `user_cust_id`; `in_cust_id` defaults to the merchant's
///   `mer_cust_id`; `subject` is `goods_desc`, `notify_url` is `bg_ret_url`, `return_url` is
///   `ret_url`.
/// - `quick` confirms a quick pay started with [`Client::send_quick_pay_sms_code`]: `extra`
///   must hold `user_cust_id`, `ori_order_id`, `ori_order_date` and `sms_code`. `quick_pay`
///   carries no amount (the SMS request fixed it), so `amount` is reported back but not sent.
/// - `client_ip` cannot be carried: `InvalidInput`.
#[async_trait::async_trait]
impl Payments for Client {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    async fn create_payment(&self, req: &PaymentRequest) -> Result<PaymentResult, Error> {
        if req.client_ip.is_some() {
            return Err(Error::invalid_input(
                "client_ip",
                "cannot be carried by Huifu app or quick pay",
            ));
        }
        let order_date = order_date_for(self, &req.order_id, &req.extra);
        // A Huifu order is `order_id` + `order_date`: the transition is scoped by the date.
        let scope = order_date.clone();
        let mut extra = req.extra.clone();
        extra.remove("order_date");
        match req.method.as_deref() {
            Some("quick") => {
                let mut filled = vec![
                    ("order_id", s(&req.order_id)),
                    ("order_date", s(order_date)),
                    ("bg_ret_url", s(&req.notify_url)),
                ];
                if let Some(r) = &req.return_url {
                    filled.push(("ret_url", s(r)));
                }
                let typed: QuickPayRequest = build(filled, &extra)?;
                let resp = self.quick_pay(&typed).await?;
                let expected = self.expect_payment(&req.order_id, req.amount);
                Ok(PaymentResult {
                    transition: checked(&PAY, &expected, &resp)?.order_scope(Some(scope.clone())),
                    action: Some(PaymentAction::None),
                })
            }
            Some(pay_type) => {
                // The caller chose `method`: name that field, not the wire `pay_type`.
                PayType::from_wire(pay_type).ensure_known("method")?;
                if !extra.contains_key("in_cust_id") && !extra.contains_key("div_detail") {
                    extra.insert("in_cust_id".into(), s(&self.config.mer_cust_id));
                }
                let mut filled = vec![
                    ("order_id", s(&req.order_id)),
                    ("order_date", s(order_date)),
                    ("pay_type", s(pay_type)),
                    ("trans_amt", s(req.amount.to_yuan())),
                    ("goods_desc", s(&req.subject)),
                    ("bg_ret_url", s(&req.notify_url)),
                ];
                if let Some(r) = &req.return_url {
                    filled.push(("ret_url", s(r)));
                }
                let typed: AppPayRequest = build(filled, &extra)?;
                let resp = self.app_pay(&typed).await?;
                let expected = self.expect_payment(&req.order_id, req.amount);
                let action = resp
                    .pay_info
                    .as_deref()
                    .filter(|p| p.starts_with("https://") || p.starts_with("http://"))
                    .map(|url| PaymentAction::Redirect {
                        url: url.to_owned(),
                    });
                Ok(PaymentResult {
                    transition: checked(&PAY, &expected, &resp)?.order_scope(Some(scope.clone())),
                    action,
                })
            }
            None => Err(Error::invalid_input(
                "method",
                "is required: an app-pay pay_type code (04, 05, 10, 12, 13, 18, 19) or `quick`",
            )),
        }
    }

    async fn query_payment(&self, order_id: &str) -> Result<Transition, Error> {
        let resp = self.unified_query(order_id, QueryTransType::Pay).await?;
        checked_id(self, &PAY, order_id, &resp)
    }

    async fn parse_payment_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Transition, Error> {
        let e = self
            .verify_callback(notification, Some(QueryTransType::Pay))
            .await?;
        Ok(
            crate::lifecycle::transition(&PAY, &e.order_id, &e.confirmed)
                .order_scope(Some(e.order_date.clone())),
        )
    }

    fn expect_payment(&self, order_id: &str, amount: Money) -> ExpectedOrder {
        self.expect(order_id, amount)
    }

    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text(self.config.callback_reply.clone())
    }
}

/// `create_payout` is a withdrawal to the user's bound card.
///
/// `extra` must hold `user_cust_id` and `cash_bind_card_id` (the card is chosen by its binding
/// id, not by number); `cash_type` defaults to `T1`; `fee_obj`, `fee_acct_id`, `sms_code`,
/// `ret_url`, `mer_priv` are passed through. `notify_url` is required (`bg_ret_url`).
///
/// The payee must be a `BankCard`; its name and number identify the card already bound and are
/// not sent. Fields Huifu cannot carry are `InvalidInput`: `payee.id_number`, `payee.phone`,
/// `remark`, `bank_name`, `bank_code`, and `corporate: true`.
#[async_trait::async_trait]
impl Payouts for Client {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn expect_payout(&self, order_id: &str, amount: Money) -> ExpectedOrder {
        self.expect(order_id, amount)
    }

    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text(self.config.callback_reply.clone())
    }

    async fn create_payout(&self, req: &PayoutRequest) -> Result<Transition, Error> {
        match &req.payee.account {
            PayeeAccount::BankCard {
                bank_name,
                bank_code,
                corporate,
                ..
            } => {
                if bank_name.is_some() {
                    return Err(Error::invalid_input(
                        "bank_name",
                        "cannot be carried by a withdrawal",
                    ));
                }
                if bank_code.is_some() {
                    return Err(Error::invalid_input(
                        "bank_code",
                        "cannot be carried by a withdrawal",
                    ));
                }
                if *corporate {
                    return Err(Error::invalid_input(
                        "corporate",
                        "a withdrawal goes to the user's bound personal card",
                    ));
                }
            }
            _ => {
                return Err(Error::invalid_input(
                    "payee.account",
                    "a withdrawal goes to a bound bank card",
                ));
            }
        }
        if req.payee.id_number.is_some() {
            return Err(Error::invalid_input(
                "payee.id_number",
                "cannot be carried by a withdrawal",
            ));
        }
        if req.payee.phone.is_some() {
            return Err(Error::invalid_input(
                "payee.phone",
                "cannot be carried by a withdrawal",
            ));
        }
        if req.remark.is_some() {
            return Err(Error::invalid_input(
                "remark",
                "cannot be carried by a withdrawal",
            ));
        }
        let Some(notify_url) = &req.notify_url else {
            return Err(Error::invalid_input(
                "notify_url",
                "is required (bg_ret_url)",
            ));
        };
        let order_date = order_date_for(self, &req.order_id, &req.extra);
        // A Huifu order is `order_id` + `order_date`: the transition is scoped by the date.
        let scope = order_date.clone();
        let mut extra = req.extra.clone();
        extra.remove("order_date");
        extra
            .entry("cash_type".to_owned())
            .or_insert_with(|| s("T1"));
        let filled = vec![
            ("order_id", s(&req.order_id)),
            ("order_date", s(order_date)),
            ("trans_amt", s(req.amount.to_yuan())),
            ("bg_ret_url", s(notify_url)),
        ];
        let typed: WithdrawalRequest = build(filled, &extra)?;
        let resp = self.withdrawal(&typed).await?;
        Ok(checked(
            &WITHDRAWAL,
            &self.expect_payout(&req.order_id, req.amount),
            &resp,
        )?
        .order_scope(Some(scope)))
    }

    async fn query_payout(&self, order_id: &str) -> Result<Transition, Error> {
        let resp = self
            .unified_query(order_id, QueryTransType::Withdrawal)
            .await?;
        checked_id(self, &WITHDRAWAL, order_id, &resp)
    }

    async fn parse_payout_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Transition, Error> {
        let e = self
            .verify_callback(notification, Some(QueryTransType::Withdrawal))
            .await?;
        Ok(
            crate::lifecycle::transition(&WITHDRAWAL, &e.order_id, &e.confirmed)
                .order_scope(Some(e.order_date.clone())),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{RespCode, TransStat};
    use pay_core::TxStatus;

    fn client() -> Client {
        Client::new(crate::Config::new("6666000000000001", "k", "s").unwrap()).unwrap()
    }

    #[test]
    fn answers_are_checked_and_never_read_paid_without_trans_stat() {
        let c = client();
        let expected = c.expect("O1", Money::from_fen(150));
        let mut r = HfResponse {
            resp_code: Some(RespCode::Success),
            order_id: Some("O1".into()),
            trans_amt: Some(Money::from_fen(150)),
            mer_cust_id: Some("6666000000000001".into()),
            ..HfResponse::default()
        };
        let t = checked(&PAY, &expected, &r).unwrap();
        assert_eq!(
            (t.status.clone(), t.is_final),
            (TxStatus::Processing, false)
        );
        r.trans_stat = Some(TransStat::Succeeded);
        let t = checked(&PAY, &expected, &r).unwrap();
        assert_eq!((t.status.clone(), t.is_final), (TxStatus::Succeeded, true));
        assert_eq!(t.amount, Some(Money::from_fen(150)));
        let field = |r: Result<Transition, Error>| match r {
            Err(Error::Mismatch { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        let mut wrong = r.clone();
        wrong.trans_amt = Some(Money::from_fen(15_000));
        assert_eq!(field(checked(&PAY, &expected, &wrong)), "amount");
        let mut wrong = r.clone();
        wrong.mer_cust_id = Some("6666000000000999".into());
        assert_eq!(field(checked(&PAY, &expected, &wrong)), "mer_cust_id");
        let mut wrong = r.clone();
        wrong.order_id = Some("O2".into());
        assert_eq!(field(checked(&PAY, &expected, &wrong)), "order_id");
        // not stated: unconfirmed, reported as None, never substituted
        let mut bare = r.clone();
        bare.trans_amt = None;
        bare.mer_cust_id = None;
        assert_eq!(checked(&PAY, &expected, &bare).unwrap().amount, None);
        let e = checked_id(&c, &WITHDRAWAL, "O1", &wrong).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`order_id` does not match the merchant's order: expected O1, got O2 (order `O1`)"
        );
    }
}

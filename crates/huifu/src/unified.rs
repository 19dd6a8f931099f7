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
//! - Status: `trans_stat` (`S`/`F`/`I`/`P`) when the answer carries it; otherwise `C00000` is
//!   final success (queries, quick pay, withdrawal) or "waiting for the payer" (app pay), and
//!   `C00001`/`C00002` are processing.

use pay_core::{
    Error, IncomingNotification, PayeeAccount, PaymentAction, PaymentRequest, PaymentResult,
    Payments, PayoutRequest, PayoutResult, Payouts, TxStatus,
};
use serde::de::DeserializeOwned;

use crate::client::{Client, PROVIDER};
use crate::codes::{PayType, QueryTransType, RespCode, TransStat};
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

/// The status a response reports; `success` is what `C00000` means for this call.
pub fn tx_status(r: &HfResponse, success: TxStatus) -> TxStatus {
    match &r.trans_stat {
        Some(TransStat::Succeeded) => return TxStatus::Succeeded,
        Some(TransStat::Failed) => return TxStatus::Failed,
        Some(TransStat::Processing | TransStat::Pending) => return TxStatus::Processing,
        Some(TransStat::Unknown(u)) => return TxStatus::Unknown(u.clone()),
        None => {}
    }
    match &r.resp_code {
        Some(RespCode::Success) => success,
        Some(RespCode::Processing | RespCode::Accepted) => TxStatus::Processing,
        Some(RespCode::Unknown(u)) => TxStatus::Unknown(u.clone()),
        None => TxStatus::Unknown(String::new()),
    }
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
                Ok(PaymentResult {
                    provider: PROVIDER,
                    order_id: req.order_id.clone(),
                    provider_order_id: None,
                    status: tx_status(&resp, TxStatus::Succeeded),
                    amount: Some(req.amount),
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
                Ok(PaymentResult {
                    provider: PROVIDER,
                    order_id: req.order_id.clone(),
                    provider_order_id: None,
                    status: tx_status(&resp, TxStatus::Unpaid),
                    amount: resp.trans_amt.or(Some(req.amount)),
                    action: None,
                })
            }
            None => Err(Error::invalid_input(
                "method",
                "is required: an app-pay pay_type code (04, 05, 10, 12, 13, 18, 19) or `quick`",
            )),
        }
    }

    async fn query_payment(&self, order_id: &str) -> Result<PaymentResult, Error> {
        let resp = self.unified_query(order_id, QueryTransType::Pay).await?;
        Ok(PaymentResult {
            provider: PROVIDER,
            order_id: order_id.to_owned(),
            provider_order_id: None,
            status: tx_status(&resp, TxStatus::Succeeded),
            amount: resp.trans_amt,
            action: None,
        })
    }

    async fn parse_payment_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<PaymentResult, Error> {
        let e = self
            .verify_callback(notification, Some(QueryTransType::Pay))
            .await?;
        Ok(PaymentResult {
            provider: PROVIDER,
            status: tx_status(&e.confirmed, TxStatus::Succeeded),
            order_id: e.order_id,
            provider_order_id: None,
            amount: e.trans_amt,
            action: None,
        })
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

    async fn create_payout(&self, req: &PayoutRequest) -> Result<PayoutResult, Error> {
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
        Ok(PayoutResult {
            provider: PROVIDER,
            order_id: req.order_id.clone(),
            provider_order_id: None,
            status: tx_status(&resp, TxStatus::Succeeded),
            amount: resp.trans_amt.or(Some(req.amount)),
            message: resp.resp_desc,
        })
    }

    async fn query_payout(&self, order_id: &str) -> Result<PayoutResult, Error> {
        let resp = self
            .unified_query(order_id, QueryTransType::Withdrawal)
            .await?;
        Ok(PayoutResult {
            provider: PROVIDER,
            order_id: order_id.to_owned(),
            provider_order_id: None,
            status: tx_status(&resp, TxStatus::Succeeded),
            amount: resp.trans_amt,
            message: resp.resp_desc,
        })
    }

    async fn parse_payout_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<PayoutResult, Error> {
        let e = self
            .verify_callback(notification, Some(QueryTransType::Withdrawal))
            .await?;
        Ok(PayoutResult {
            provider: PROVIDER,
            status: tx_status(&e.confirmed, TxStatus::Succeeded),
            message: e.confirmed.resp_desc.clone(),
            order_id: e.order_id,
            provider_order_id: None,
            amount: e.trans_amt,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let mut r = HfResponse::default();
        assert_eq!(
            tx_status(&r, TxStatus::Succeeded),
            TxStatus::Unknown(String::new())
        );
        r.resp_code = Some(RespCode::Success);
        assert_eq!(tx_status(&r, TxStatus::Unpaid), TxStatus::Unpaid);
        r.resp_code = Some(RespCode::Accepted);
        assert_eq!(tx_status(&r, TxStatus::Succeeded), TxStatus::Processing);
        r.trans_stat = Some(TransStat::Failed);
        assert_eq!(tx_status(&r, TxStatus::Succeeded), TxStatus::Failed);
    }
}

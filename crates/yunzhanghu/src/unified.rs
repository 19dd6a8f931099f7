//! [`pay_core::Payouts`] for [`Client`]: bank card, Alipay or WeChat, chosen by the payee's
//! [`PayeeAccount`].
//!
//! Mapping: `order_id` → `order_id`, `amount` → `pay`, payee name → `real_name`, ID number →
//! `id_card` (required), phone → `phone_no` (bank card only), `remark` → `pay_remark`; `extra`
//! carries `anchor_id`, `notes`, `broker_id` and any other field by wire name (e.g.
//! `project_id`). A field the endpoint cannot carry — `notify_url` (configured with Yunzhanghu
//! per dealer), a bank name or code, a corporate account, a phone for Alipay or WeChat — is
//! [`Error::InvalidInput`], never dropped.

use pay_core::{
    Error, ExpectedOrder, Extensions, IncomingNotification, Money, NotificationReply, PayeeAccount,
    PayoutRequest, Payouts, ProviderErrorKind, Transition,
};
use serde_json::Value;

use crate::client::{Client, PROVIDER, Response};
use crate::codes::Channel;
use crate::lifecycle;
use crate::notify::SUCCESS_REPLY;
use crate::payout::{AlipayOrder, BankCardOrder, OrderAccepted, WxpayOrder};
use crate::query::{OrderDetail, QueryOrder};

fn take_str(extra: &mut Extensions, key: &'static str) -> Result<Option<String>, Error> {
    match extra.remove(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(Error::invalid_input(key, "must be a string")),
    }
}

fn reject<T>(v: &Option<T>, field: &'static str, reason: &'static str) -> Result<(), Error> {
    if v.is_some() {
        Err(Error::invalid_input(field, reason))
    } else {
        Ok(())
    }
}

/// The transition a create answer reports: the order was received (status 0, 已受理), with
/// exactly what the answer states (its `pay`, `ref`), after checking it against `expected`.
fn accepted(expected: &ExpectedOrder, r: Response<OrderAccepted>) -> Result<Transition, Error> {
    let stated = (!r.order_id.is_empty()).then_some(r.order_id.as_str());
    expected.check_stated(stated, r.pay, &[])?;
    Ok(
        Transition::new(&lifecycle::PAYOUT, expected.order_id(), "0")
            .amount(r.pay)
            .provider_order_id((!r.reference.is_empty()).then(|| r.reference.clone()))
            .message((!r.message.is_empty()).then(|| r.message.clone())),
    )
}

impl Client {
    /// Finds an order by id: the order query needs the channel, which an order id alone does
    /// not say, so the bank-card channel is asked first, then Alipay, then WeChat, moving on
    /// only when the order is not found there (all are read-only queries).
    pub(crate) async fn find_order(&self, order_id: &str) -> Result<OrderDetail, Error> {
        let mut last = None;
        for channel in [Channel::BankCard, Channel::Alipay, Channel::Wechat] {
            match self
                .query_realtime_order(&QueryOrder::new(order_id, channel))
                .await
            {
                Ok(r) => return Ok(r.into_data()),
                Err(Error::Provider(p)) if matches!(p.kind, ProviderErrorKind::NotFound { .. }) => {
                    last = Some(Error::Provider(p));
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::invalid_input("order_id", "not found")))
    }
}

#[async_trait::async_trait]
impl Payouts for Client {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn expect_payout(&self, order_id: &str, amount: Money) -> ExpectedOrder {
        self.expect(order_id, amount)
    }

    async fn create_payout(&self, request: &PayoutRequest) -> Result<Transition, Error> {
        reject(
            &request.notify_url,
            "notify_url",
            "is set per dealer with Yunzhanghu, not per payout",
        )?;
        let id_card = request
            .payee
            .id_number
            .clone()
            .ok_or_else(|| Error::invalid_input("id_card", "is required"))?;
        let mut extra: Extensions = request
            .extra
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let broker_id = take_str(&mut extra, "broker_id")?;
        let expected = self.expect_with_broker(
            &request.order_id,
            request.amount,
            broker_id.as_deref().unwrap_or(self.config().broker_id()),
        );
        let notes = take_str(&mut extra, "notes")?;
        let pay_remark = request.remark.clone();
        let real_name = request.payee.name.clone();
        match &request.payee.account {
            PayeeAccount::BankCard {
                card_no,
                bank_name,
                bank_code,
                corporate,
            } => {
                reject(
                    bank_name,
                    "bank_name",
                    "order-realtime has no bank name field",
                )?;
                reject(
                    bank_code,
                    "bank_code",
                    "order-realtime has no bank code field",
                )?;
                if *corporate {
                    return Err(Error::invalid_input(
                        "corporate",
                        "order-realtime documents personal bank cards only",
                    ));
                }
                let anchor_id = take_str(&mut extra, "anchor_id")?;
                let order = BankCardOrder {
                    order_id: request.order_id.clone(),
                    dealer_id: None,
                    broker_id,
                    real_name,
                    card_no: card_no.clone(),
                    phone_no: request.payee.phone.clone(),
                    id_card,
                    pay: request.amount,
                    anchor_id,
                    notes,
                    pay_remark,
                    extra,
                };
                accepted(&expected, self.order_realtime(&order).await?)
            }
            PayeeAccount::Alipay { account } => {
                reject(
                    &request.payee.phone,
                    "phone_no",
                    "order-alipay has no phone field",
                )?;
                let order = AlipayOrder {
                    order_id: request.order_id.clone(),
                    dealer_id: None,
                    broker_id,
                    real_name,
                    id_card,
                    card_no: account.as_str().into(),
                    pay: request.amount,
                    notes,
                    pay_remark,
                    extra,
                };
                accepted(&expected, self.order_alipay(&order).await?)
            }
            PayeeAccount::Wechat { openid } => {
                reject(
                    &request.payee.phone,
                    "phone_no",
                    "order-wxpay has no phone field",
                )?;
                let order = WxpayOrder {
                    order_id: request.order_id.clone(),
                    dealer_id: None,
                    broker_id,
                    real_name,
                    id_card,
                    openid: openid.clone(),
                    pay: request.amount,
                    notes,
                    pay_remark,
                    extra,
                };
                accepted(&expected, self.order_wxpay(&order).await?)
            }
            _ => Err(Error::invalid_input(
                "payee.account",
                "Yunzhanghu pays to a bank card, an Alipay account or a WeChat openid",
            )),
        }
    }

    /// Finds the order (bank card, then Alipay, then WeChat) and checks the answer: the order
    /// id must be stated and equal, `dealer_id` and `broker_id` must be the configured ones
    /// where stated (for an order sent with another `broker_id`, use
    /// [`Client::query_payout_expecting`]). The amount is the one stated, `None` when absent:
    /// check it with [`expect_payout`](Payouts::expect_payout).
    async fn query_payout(&self, order_id: &str) -> Result<Transition, Error> {
        let order = self.find_order(order_id).await?;
        let t = order.transition();
        let stated = (!order.order_id.is_empty()).then_some(order.order_id.as_str());
        ExpectedOrder::new(order_id)
            .party("dealer_id", self.config().dealer_id())
            .party("broker_id", self.config().broker_id())
            .check_stated(stated, None, &t.parties)?;
        Ok(t)
    }

    async fn parse_payout_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Transition, Error> {
        let event = self.verify_notify(notification)?;
        Ok(event.data.transition())
    }

    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text(SUCCESS_REPLY)
    }
}

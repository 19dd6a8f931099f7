//! [`pay_core::Payments`] (pay orders) and [`pay_core::Payouts`] (payouts) for [`Client`].
//!
//! Provider-specific fields come from `extra` by their wire names:
//!
//! * payments: `PaymentRequest::method` is the `productId` (required); `body` (defaults to the
//!   subject), `device`, `param1`, `param2`, `currency`; any other key is sent as an extension
//!   parameter.
//! * payouts: `province` and `city` (required), `bankCode` / `bankName` (when the
//!   [`PayeeAccount`] does not carry them; required by the gateway for every account type),
//!   `bankType`, `clientIp`, `device`, `param1`, `param2`, `currency`, `accountType` (`4` for
//!   "other"); any other key is sent as an extension parameter.
//!
//! A `PayoutRequest` field the gateway cannot carry (`remark`, `payee.id_number`,
//! `payee.phone`) is an [`Error::InvalidInput`].
//!
//! Every answer is a [`Transition`] read through [`crate::lifecycle`] and checked against the
//! request (the merchant's order id, and the amount and `mchId`/`appId` where the answer states
//! them): a disagreement is [`Error::Mismatch`], never a substitution. The pay order's create
//! answer states only `payOrderId`: its transition is `0` (订单生成) of the order the merchant
//! sent, with no amount confirmed.

use pay_core::lifecycle::{ExpectedOrder, Transition};
use pay_core::{
    CardNumber, Error, Extensions, Extra, IncomingNotification, Money, NotificationReply,
    PayeeAccount, PaymentRequest, PaymentResult, Payments, PayoutRequest, Payouts,
};
use serde_json::{Map, Value};

use crate::client::{Client, PROVIDER};
use crate::codes::{AccountAttr, AccountType, BankCode, ProductId};
use crate::pay::{CreateOrderRequest, QueryOrderRequest};
use crate::payout::{TransOrder, TransOrderRequest, TransQueryRequest};

fn take(extra: &mut Map<String, Value>, key: &str) -> Option<String> {
    extra.remove(key).and_then(|v| crate::sign::wire_string(&v))
}

fn rest(extra: &Extra) -> Extensions {
    extra.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// Refuses what a unified payout carries but the gateway's payout has no field for.
fn refuse_fields_the_gateway_lacks(request: &PayoutRequest) -> Result<(), Error> {
    if request.remark.is_some() {
        return Err(Error::invalid_input(
            "remark",
            "the gateway's payout has no remark field",
        ));
    }
    if request.payee.id_number.is_some() {
        return Err(Error::invalid_input(
            "payee.id_number",
            "the gateway's payout has no ID number field",
        ));
    }
    if request.payee.phone.is_some() {
        return Err(Error::invalid_input(
            "payee.phone",
            "the gateway's payout has no phone field",
        ));
    }
    Ok(())
}

/// A value given in the payee's account, in `extra`, or both when they agree.
fn agreeing(
    field: &'static str,
    from_account: Option<String>,
    from_extra: Option<String>,
) -> Result<String, Error> {
    match (from_account, from_extra) {
        (Some(a), Some(b)) if a != b => Err(Error::invalid_input(
            field,
            "given both in the account and in extra, with different values",
        )),
        (Some(a), _) | (None, Some(a)) => Ok(a),
        (None, None) => Err(Error::invalid_input(field, "is required")),
    }
}

/// What a unified payee account says in the gateway's terms.
struct GatewayAccount {
    account_type: AccountType,
    account_no: CardNumber,
    bank_code: Option<String>,
    bank_name: Option<String>,
    attr: Option<AccountAttr>,
}

impl GatewayAccount {
    fn of(account: &PayeeAccount) -> Result<Self, Error> {
        let wallet = |account_type, account_no: &str| GatewayAccount {
            account_type,
            account_no: account_no.into(),
            bank_code: None,
            bank_name: None,
            attr: None,
        };
        match account {
            PayeeAccount::BankCard {
                card_no,
                bank_name,
                bank_code,
                corporate,
            } => Ok(GatewayAccount {
                account_type: AccountType::BankCard,
                account_no: card_no.clone(),
                bank_code: bank_code.clone(),
                bank_name: bank_name.clone(),
                attr: Some(if *corporate {
                    AccountAttr::Corporate
                } else {
                    AccountAttr::Private
                }),
            }),
            PayeeAccount::Alipay { account } => Ok(wallet(AccountType::Alipay, account)),
            PayeeAccount::Wechat { openid } => Ok(wallet(AccountType::Wechat, openid)),
            _ => Err(Error::invalid_input(
                "payee.account",
                "this account kind is not supported by the gateway",
            )),
        }
    }
}

impl Client {
    fn payment_request(request: &PaymentRequest) -> Result<CreateOrderRequest, Error> {
        let method = request
            .method
            .as_deref()
            .filter(|m| !m.is_empty())
            .ok_or_else(|| {
                Error::invalid_input("method", "is required: the productId (8000–8019)")
            })?;
        let mut extra = rest(&request.extra);
        let body = take(&mut extra, "body").unwrap_or_else(|| request.subject.clone());
        let mut req = CreateOrderRequest::new(
            request.order_id.clone(),
            ProductId::from_wire(method),
            request.amount,
            request.notify_url.clone(),
            request.subject.clone(),
            body,
        );
        req.return_url = request.return_url.clone();
        req.client_ip = request.client_ip.clone();
        req.device = take(&mut extra, "device");
        req.param1 = take(&mut extra, "param1");
        req.param2 = take(&mut extra, "param2");
        if let Some(c) = take(&mut extra, "currency") {
            req.currency = c;
        }
        req.extra = extra;
        Ok(req)
    }

    fn payout_request(request: &PayoutRequest) -> Result<TransOrderRequest, Error> {
        refuse_fields_the_gateway_lacks(request)?;
        let notify_url = request
            .notify_url
            .clone()
            .filter(|u| !u.is_empty())
            .ok_or_else(|| Error::invalid_input("notifyUrl", "is required"))?;
        let mut extra = rest(&request.extra);
        let mut required = |key: &'static str| {
            take(&mut extra, key).ok_or_else(|| {
                Error::invalid_input(key, "is required: pass it in PayoutRequest::extra")
            })
        };
        let province = required("province")?;
        let city = required("city")?;
        let account = GatewayAccount::of(&request.payee.account)?;
        let bank_code = agreeing("bankCode", account.bank_code, take(&mut extra, "bankCode"))?;
        let bank_name = agreeing("bankName", account.bank_name, take(&mut extra, "bankName"))?;
        let attr = account.attr;
        let account_no = account.account_no;
        let account_type = match take(&mut extra, "accountType") {
            Some(t) if AccountType::from_wire(&t) == account.account_type || t == "4" => {
                AccountType::from_wire(&t)
            }
            Some(_) => {
                return Err(Error::invalid_input(
                    "accountType",
                    "contradicts the payee account kind (only 4, other, may override it)",
                ));
            }
            None => account.account_type,
        };
        let mut req = TransOrderRequest::new(
            request.order_id.clone(),
            request.amount,
            notify_url,
            BankCode::from_wire(&bank_code),
            bank_name,
            account_type,
            request.payee.name.clone(),
            account_no,
            province,
            city,
        );
        req.account_attr = match take(&mut extra, "accountAttr") {
            Some(a) if attr.is_none() || attr.as_ref().map(AccountAttr::as_str) == Some(&a) => {
                Some(AccountAttr::from_wire(&a))
            }
            Some(_) => {
                return Err(Error::invalid_input(
                    "accountAttr",
                    "contradicts payee.account.corporate",
                ));
            }
            None => attr,
        };
        req.bank_type = take(&mut extra, "bankType");
        req.client_ip = take(&mut extra, "clientIp");
        req.device = take(&mut extra, "device");
        req.param1 = take(&mut extra, "param1");
        req.param2 = take(&mut extra, "param2");
        if let Some(c) = take(&mut extra, "currency") {
            req.currency = c;
        }
        req.extra = extra;
        Ok(req)
    }
}

impl Client {
    /// What every answer and notification about pay order `order_id` of `amount` must agree
    /// with: the order id, the amount and the configured `mchId`. (`appId`, where the gateway
    /// states it, is checked against the configured one when the message is read.)
    ///
    /// ```
    /// # fn main() -> Result<(), pay_core::Error> {
    /// use aggregate_pay::{Client, Config};
    /// use pay_core::Money;
    ///
    /// let client = Client::new(
    ///     Config::builder("20001222", "app", "K", "K").base_url("http://127.0.0.1:3020").build()?,
    /// )?;
    /// let order = client.expect_payment("O1", Money::from_fen(100));
    /// assert_eq!(order.order_id(), "O1");
    /// assert_eq!(order.expected_amount(), Some(Money::from_fen(100)));
    /// # Ok(()) }
    /// ```
    pub fn expect_payment(&self, order_id: &str, amount: Money) -> ExpectedOrder {
        ExpectedOrder::new(order_id)
            .amount(amount)
            .party("mchId", self.config.mch_id())
    }

    /// What every answer and notification about payout `order_id` (`mchTransOrderNo`) of
    /// `amount` must agree with: the order id, the amount and the configured `mchId`.
    pub fn expect_payout(&self, order_id: &str, amount: Money) -> ExpectedOrder {
        ExpectedOrder::new(order_id)
            .amount(amount)
            .party("mchId", self.config.mch_id())
    }

    fn mch_party(mch_id: Option<&str>) -> Vec<(&'static str, String)> {
        mch_id
            .map(|m| ("mchId", m.to_owned()))
            .into_iter()
            .collect()
    }

    /// A payout answer (create or query) as a transition, checked against `expected`.
    fn payout_transition(
        &self,
        expected: &ExpectedOrder,
        o: TransOrder,
    ) -> Result<Transition, Error> {
        let stated = o.mch_trans_order_no.as_deref().filter(|s| !s.is_empty());
        expected.check_stated(
            stated,
            Some(o.amount),
            &Self::mch_party(o.mch_id.as_deref()),
        )?;
        self.check_app_id(o.app_id.as_deref(), expected.order_id())?;
        Ok(crate::lifecycle::payout(
            expected.order_id(),
            o.status.as_str(),
            Some(o.amount),
            &o.trans_order_id,
            o.mch_id.as_deref(),
        )
        .party("appId", o.app_id.as_deref()))
    }
}

#[async_trait::async_trait]
impl Payments for Client {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn expect_payment(&self, order_id: &str, amount: Money) -> ExpectedOrder {
        Client::expect_payment(self, order_id, amount)
    }

    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentResult, Error> {
        let req = Self::payment_request(request)?;
        let resp = self.create_order(&req).await?;
        // The answer (2.1.5) states `payOrderId` and `payParams`; anything else the gateway adds
        // (an order id, an amount, `mchId`) is checked.
        let stated = |k: &str| resp.extra.get(k).and_then(crate::sign::wire_string);
        let order_id = stated("mchOrderNo").unwrap_or_else(|| req.mch_order_no.clone());
        let amount = match stated("amount") {
            Some(a) => Some(Money::from_fen_str(&a).map_err(|_| {
                Error::mismatch(
                    "amount",
                    req.amount.to_yuan(),
                    Some(a.clone()),
                    &req.mch_order_no,
                )
            })?),
            None => None,
        };
        let mch_id = stated("mchId");
        let expected = Client::expect_payment(self, &req.mch_order_no, req.amount);
        expected.check_stated(Some(&order_id), amount, &Self::mch_party(mch_id.as_deref()))?;
        self.check_app_id(stated("appId").as_deref(), &req.mch_order_no)?;
        let transition = crate::lifecycle::payment(
            &req.mch_order_no,
            "0",
            amount,
            &resp.pay_order_id,
            mch_id.as_deref(),
        );
        Ok(PaymentResult {
            transition,
            action: Some(resp.action()),
        })
    }

    async fn query_payment(&self, order_id: &str) -> Result<Transition, Error> {
        let o = self
            .query_order(&QueryOrderRequest::by_mch_order_no(order_id))
            .await?;
        let expected = ExpectedOrder::new(order_id).party("mchId", self.config.mch_id());
        expected.check_stated(
            Some(&o.mch_order_no),
            Some(o.amount),
            &Self::mch_party(o.mch_id.as_deref()),
        )?;
        self.check_app_id(o.app_id.as_deref(), order_id)?;
        Ok(crate::lifecycle::payment(
            order_id,
            o.status.as_str(),
            Some(o.amount),
            &o.pay_order_id,
            o.mch_id.as_deref(),
        )
        .party("appId", o.app_id.as_deref()))
    }

    async fn parse_payment_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Transition, Error> {
        Ok(self.verify_pay_notification(notification)?.to_transition())
    }

    /// The text `success`.
    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text("success")
    }
}

#[async_trait::async_trait]
impl Payouts for Client {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    fn expect_payout(&self, order_id: &str, amount: Money) -> ExpectedOrder {
        Client::expect_payout(self, order_id, amount)
    }

    async fn create_payout(&self, request: &PayoutRequest) -> Result<Transition, Error> {
        let req = Self::payout_request(request)?;
        let o = self.trans_create_order(&req).await?;
        self.payout_transition(
            &Client::expect_payout(self, &request.order_id, request.amount),
            o,
        )
    }

    async fn query_payout(&self, order_id: &str) -> Result<Transition, Error> {
        let o = self
            .trans_query_order(&TransQueryRequest::by_mch_trans_order_no(order_id))
            .await?;
        self.payout_transition(
            &ExpectedOrder::new(order_id).party("mchId", self.config.mch_id()),
            o,
        )
    }

    async fn parse_payout_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Transition, Error> {
        Ok(self
            .verify_trans_notification(notification)?
            .to_transition())
    }

    /// The text `success`.
    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text("success")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pay_core::{Money, Payee};

    fn payout() -> PayoutRequest {
        let mut extra = Extra::new();
        extra.insert("province".into(), "江苏".into());
        extra.insert("city".into(), "南京".into());
        PayoutRequest {
            order_id: "T1".into(),
            amount: Money::from_fen(12345),
            payee: Payee {
                name: "张三".into(),
                account: PayeeAccount::BankCard {
                    card_no: "6225880137705555".into(),
                    bank_name: Some("招商银行".into()),
                    bank_code: Some("HPT00005".into()),
                    corporate: false,
                },
                id_number: None,
                phone: None,
            },
            remark: None,
            notify_url: Some("http://domain/trans-notify".into()),
            extra,
        }
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::InvalidInput { field, .. } => field.into_owned(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn payout_mapping() {
        let r = Client::payout_request(&payout()).unwrap();
        assert_eq!(r.bank_code, BankCode::ChinaMerchantsBank);
        assert_eq!(r.account_attr, Some(AccountAttr::Private));
        assert_eq!(r.account_type, AccountType::BankCard);
        assert_eq!(r.province, "江苏");
        assert!(r.extra.is_empty());
        let mut p = payout();
        p.remark = Some("x".into());
        assert_eq!(field_of(Client::payout_request(&p).unwrap_err()), "remark");
        let mut p = payout();
        p.payee.phone = Some("13812345678".into());
        assert_eq!(
            field_of(Client::payout_request(&p).unwrap_err()),
            "payee.phone"
        );
        let mut p = payout();
        p.payee.id_number = Some("11010519491231002X".into());
        assert_eq!(
            field_of(Client::payout_request(&p).unwrap_err()),
            "payee.id_number"
        );
        let mut p = payout();
        p.extra.remove("city");
        assert_eq!(field_of(Client::payout_request(&p).unwrap_err()), "city");
        let mut p = payout();
        p.notify_url = None;
        assert_eq!(
            field_of(Client::payout_request(&p).unwrap_err()),
            "notifyUrl"
        );
        let mut p = payout();
        p.payee.account = PayeeAccount::Alipay {
            account: "a@b.example".into(),
        };
        assert_eq!(
            field_of(Client::payout_request(&p).unwrap_err()),
            "bankCode"
        );
        p.extra.insert("bankCode".into(), "HPT00001".into());
        p.extra.insert("bankName".into(), "中国银行".into());
        let r = Client::payout_request(&p).unwrap();
        assert_eq!(r.account_type, AccountType::Alipay);
        assert_eq!(r.account_attr, None);
        let mut p = payout();
        p.extra.insert("accountType".into(), "2".into());
        assert_eq!(
            field_of(Client::payout_request(&p).unwrap_err()),
            "accountType"
        );
        let mut p = payout();
        p.extra.insert("bankCode".into(), "HPT00001".into());
        assert_eq!(
            field_of(Client::payout_request(&p).unwrap_err()),
            "bankCode"
        );
    }

    #[test]
    fn payment_mapping() {
        let mut extra = Extra::new();
        extra.insert("device".into(), "ios".into());
        extra.insert("extra".into(), serde_json::json!({"openId": "o1"}));
        let p = PaymentRequest {
            order_id: "O1".into(),
            amount: Money::from_fen(1),
            subject: "s".into(),
            notify_url: "http://domain/n".into(),
            return_url: None,
            client_ip: None,
            method: None,
            extra,
        };
        assert_eq!(field_of(Client::payment_request(&p).unwrap_err()), "method");
        let mut p = p;
        p.method = Some("8004".into());
        let r = Client::payment_request(&p).unwrap();
        assert_eq!(r.product_id, ProductId::WechatOfficialAccount);
        assert_eq!(r.body, "s");
        assert_eq!(r.device.as_deref(), Some("ios"));
        assert_eq!(r.extra.len(), 1);
        assert_eq!(r.extra["extra"], serde_json::json!({"openId": "o1"}));
    }
}

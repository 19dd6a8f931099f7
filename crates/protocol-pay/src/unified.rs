//! [`pay_core::Payments`] (`prepay`, `inquery`, notification 9) and [`pay_core::Payouts`]
//! (`outpay` with `OUT`, `outquery`, notification 11) for [`Client`].
//!
//! # Payments
//! | [`PaymentRequest`] | wire |
//! |---|---|
//! | `order_id` | `outReqNo` (must start with the app id) |
//! | `amount` | `amount` |
//! | `notify_url` | `outSuccessNotifyUrl` |
//! | `return_url` | `returnUrl` |
//! | `subject` | not sent: the protocol's `transDesc` describes the payment |
//! | `client_ip`, `method` | not carried: `InvalidInput` when set (the cashier type is the protocol's) |
//! | `extra` | `transNo` and `prodCatalog` (both required), `outArrivedNotifyUrl`, `contractNum`, `qpUserName`, `qpCertNumber`; any other key is `InvalidInput` |
//!
//! # Payouts
//! | [`PayoutRequest`] | wire |
//! |---|---|
//! | `order_id` | `outReqNo` |
//! | `amount` | `amount` |
//! | `payee.name` | `bankAccName` |
//! | `payee.account` | `BankCard` only: `card_no` → `bankAccNum`, `bank_name` → `bankName`, `bank_code` → `bankCnaps` (both required) |
//! | `payee.id_number`, `payee.phone` | not carried: `InvalidInput` when set |
//! | `remark` | `remark` |
//! | `notify_url` | `outNotifyUrl` (required) |
//! | `extra` | `transNo` (required); any other key is `InvalidInput` |
//!
//! Refunds (`REFUND`) are reached through [`Client::outpay`].
//!
//! Every answer is a [`Transition`] read through [`crate::lifecycle`], checked against the
//! request (`outReqNo`, and the amount and `appId` where the answer states them): a
//! disagreement is [`Error::Mismatch`], never a substitution. The notification parsers are the
//! declared kinds: `parse_payment_notification` is the pay-result endpoint (§9),
//! `parse_payout_notification` the pay-out endpoint (§11).

use pay_core::lifecycle::{ExpectedOrder, Transition};
use pay_core::unified::extra_str;
use pay_core::{
    Error, Extra, IncomingNotification, Money, NotificationReply, PayeeAccount, PaymentRequest,
    PaymentResult, Payments, PayoutRequest, Payouts,
};

use crate::client::{Client, PROVIDER};
use crate::codes::{OutType, ProdCatalog};
use crate::notify::NotificationKind;
use crate::pay::{InqueryRequest, PayInOrder, PrepayRequest};
use crate::payout::{BankAccount, OutpayRequest, OutqueryRequest, PayOutOrder};

fn only_keys(extra: &Extra, allowed: &[&str]) -> Result<(), Error> {
    for k in extra.keys() {
        if !allowed.contains(&k.as_str()) {
            return Err(Error::invalid_input(
                format!("extra.{k}"),
                format!(
                    "is not carried by this provider (allowed: {})",
                    allowed.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

fn required_extra(extra: &Extra, key: &'static str) -> Result<String, Error> {
    extra_str(extra, key)
        .map(|v| v.into_owned())
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| Error::invalid_input(key, "is required (in `extra`)"))
}

fn opt_extra(extra: &Extra, key: &str) -> Option<String> {
    extra_str(extra, key).map(|v| v.into_owned())
}

/// A pay-in answer as the transition of its `payStatus`.
fn payment_transition(o: &PayInOrder) -> Transition {
    Transition::new(
        &crate::lifecycle::PAYMENT,
        &o.out_req_no,
        o.pay_status.as_str(),
    )
    .amount(o.amount)
    .provider_order_id(o.pay_order_no.as_deref())
    .party("appId", o.app_id.as_deref())
    .message(o.channel_return_msg.as_deref().filter(|m| !m.is_empty()))
}

/// A pay-out or refund answer (or §11) as the transition of its `payStatus`: the refund table
/// when `outType` is `REFUND`, the pay-out table otherwise.
pub(crate) fn payout_transition(o: &PayOutOrder) -> Transition {
    let table = if o.out_type == Some(OutType::Refund) {
        &crate::lifecycle::REFUND
    } else {
        &crate::lifecycle::PAYOUT
    };
    Transition::new(table, &o.out_req_no, o.pay_status.as_str())
        .amount(o.amount)
        .provider_order_id(o.pay_order_no.as_deref())
        .party("appId", o.app_id.as_deref())
        .message(o.channel_return_msg.as_deref().filter(|m| !m.is_empty()))
}

/// Checks an answer's transition against `expected`, by what it states.
fn checked(expected: &ExpectedOrder, t: Transition) -> Result<Transition, Error> {
    expected.check_stated(Some(&t.order_id), t.amount, &t.parties)?;
    Ok(t)
}

impl Client {
    /// The `prepay` request a [`PaymentRequest`] maps to (see the module docs).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a field the provider cannot carry or a missing `transNo`.
    pub fn prepay_request_from(&self, r: &PaymentRequest) -> Result<PrepayRequest, Error> {
        if r.client_ip.is_some() {
            return Err(Error::invalid_input(
                "client_ip",
                "is not carried by this provider",
            ));
        }
        if r.method.is_some() {
            return Err(Error::invalid_input(
                "method",
                "is not carried by prepay: the cashier type is set when the protocol is created",
            ));
        }
        only_keys(
            &r.extra,
            &[
                "transNo",
                "prodCatalog",
                "outArrivedNotifyUrl",
                "contractNum",
                "qpUserName",
                "qpCertNumber",
            ],
        )?;
        let catalog = ProdCatalog::from_wire(&required_extra(&r.extra, "prodCatalog")?);
        let mut req = PrepayRequest::new(
            required_extra(&r.extra, "transNo")?,
            r.order_id.clone(),
            r.amount,
            r.notify_url.clone(),
            catalog,
        );
        req.out_arrived_notify_url = opt_extra(&r.extra, "outArrivedNotifyUrl");
        req.contract_num = opt_extra(&r.extra, "contractNum");
        req.qp_user_name = opt_extra(&r.extra, "qpUserName").map(Into::into);
        req.qp_cert_number = opt_extra(&r.extra, "qpCertNumber").map(Into::into);
        req.return_url = r.return_url.clone();
        Ok(req)
    }

    /// The `outpay` (`OUT`) request a [`PayoutRequest`] maps to (see the module docs).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for a field the provider cannot carry or a missing one.
    pub fn outpay_request_from(&self, r: &PayoutRequest) -> Result<OutpayRequest, Error> {
        if r.payee.id_number.is_some() {
            return Err(Error::invalid_input(
                "payee.id_number",
                "is not carried by this provider",
            ));
        }
        if r.payee.phone.is_some() {
            return Err(Error::invalid_input(
                "payee.phone",
                "is not carried by this provider",
            ));
        }
        only_keys(&r.extra, &["transNo"])?;
        let PayeeAccount::BankCard {
            card_no,
            bank_name,
            bank_code,
            ..
        } = &r.payee.account
        else {
            return Err(Error::invalid_input(
                "payee.account",
                "only bank accounts are supported",
            ));
        };
        let bank_name = bank_name
            .clone()
            .ok_or_else(|| Error::invalid_input("bankName", "is required (payee bank_name)"))?;
        let cnaps = bank_code
            .clone()
            .ok_or_else(|| Error::invalid_input("bankCnaps", "is required (payee bank_code)"))?;
        let notify = r
            .notify_url
            .clone()
            .ok_or_else(|| Error::invalid_input("outNotifyUrl", "is required (notify_url)"))?;
        let mut req = OutpayRequest::new(
            OutType::Out,
            required_extra(&r.extra, "transNo")?,
            r.order_id.clone(),
            r.amount,
            notify,
            BankAccount {
                name: r.payee.name.clone(),
                number: card_no.clone(),
                bank_name,
                cnaps,
            },
        );
        req.remark = r.remark.clone();
        Ok(req)
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
        let req = self.prepay_request_from(request)?;
        let order = self.prepay(&req).await?;
        let expected = Client::expect_payment(self, &request.order_id, request.amount);
        let transition = checked(&expected, payment_transition(&order))?;
        Ok(PaymentResult {
            action: order.action(),
            transition,
        })
    }

    async fn query_payment(&self, order_id: &str) -> Result<Transition, Error> {
        let order = self.inquery(&InqueryRequest::new(order_id)).await?;
        let expected = ExpectedOrder::new(order_id).party("appId", self.config.app_id());
        checked(&expected, payment_transition(&order))
    }

    /// Verifies a pay-result notification (section 9: the endpoint is declared the pay-result
    /// one).
    async fn parse_payment_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Transition, Error> {
        Ok(self
            .verify_notification_as(notification, NotificationKind::PayResult)?
            .to_transition())
    }

    /// The bare text `SUCCESS`.
    fn success_reply(&self) -> NotificationReply {
        self.notification_reply()
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
        let req = self.outpay_request_from(request)?;
        let order = self.outpay(&req).await?;
        let expected = Client::expect_payout(self, &request.order_id, request.amount);
        checked(&expected, payout_transition(&order))
    }

    async fn query_payout(&self, order_id: &str) -> Result<Transition, Error> {
        let order = self.outquery(&OutqueryRequest::new(order_id)).await?;
        let expected = ExpectedOrder::new(order_id).party("appId", self.config.app_id());
        checked(&expected, payout_transition(&order))
    }

    /// Verifies a pay-out/refund notification (section 11: the endpoint is declared the
    /// pay-out one).
    async fn parse_payout_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<Transition, Error> {
        Ok(self
            .verify_notification_as(notification, NotificationKind::PayoutArrived)?
            .to_transition())
    }

    /// The bare text `SUCCESS`.
    fn success_reply(&self) -> NotificationReply {
        self.notification_reply()
    }
}

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

use pay_core::unified::extra_str;
use pay_core::{
    Error, Extra, IncomingNotification, PayeeAccount, PaymentRequest, PaymentResult, Payments,
    PayoutRequest, PayoutResult, Payouts, TxStatus,
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

fn payment_result(order: PayInOrder) -> PaymentResult {
    let action = order.action();
    PaymentResult {
        provider: PROVIDER,
        status: order.pay_status.to_tx_status(),
        order_id: order.out_req_no,
        provider_order_id: order.pay_order_no,
        amount: order.amount,
        action,
    }
}

fn payout_result(order: PayOutOrder) -> PayoutResult {
    let status: TxStatus = order.pay_status.to_tx_status();
    PayoutResult {
        provider: PROVIDER,
        status,
        order_id: order.out_req_no,
        provider_order_id: order.pay_order_no,
        amount: order.amount,
        message: order.channel_return_msg.filter(|m| !m.is_empty()),
    }
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

    async fn create_payment(&self, request: &PaymentRequest) -> Result<PaymentResult, Error> {
        let req = self.prepay_request_from(request)?;
        self.prepay(&req).await.map(payment_result)
    }

    async fn query_payment(&self, order_id: &str) -> Result<PaymentResult, Error> {
        self.inquery(&InqueryRequest::new(order_id))
            .await
            .map(payment_result)
    }

    /// Verifies a pay-result notification (section 9).
    async fn parse_payment_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<PaymentResult, Error> {
        let n = self.verify_notification_as(notification, NotificationKind::PayResult)?;
        match n.data {
            crate::notify::NotificationData::PayIn(o) => Ok(payment_result(o)),
            crate::notify::NotificationData::PayOut(_) => Err(Error::invalid_input(
                "notification",
                "is not a pay-in notification",
            )),
        }
    }
}

#[async_trait::async_trait]
impl Payouts for Client {
    fn provider(&self) -> &'static str {
        PROVIDER
    }

    async fn create_payout(&self, request: &PayoutRequest) -> Result<PayoutResult, Error> {
        let req = self.outpay_request_from(request)?;
        self.outpay(&req).await.map(payout_result)
    }

    async fn query_payout(&self, order_id: &str) -> Result<PayoutResult, Error> {
        self.outquery(&OutqueryRequest::new(order_id))
            .await
            .map(payout_result)
    }

    /// Verifies a pay-out/refund notification (section 11).
    async fn parse_payout_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<PayoutResult, Error> {
        let n = self.verify_notification_as(notification, NotificationKind::PayoutArrived)?;
        match n.data {
            crate::notify::NotificationData::PayOut(o) => Ok(payout_result(o)),
            crate::notify::NotificationData::PayIn(_) => Err(Error::invalid_input(
                "notification",
                "is not a pay-out notification",
            )),
        }
    }
}

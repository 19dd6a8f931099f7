//! Pay-out and refund (出金或退款): `outpay` (section 6) and `outquery` (7).

use pay_core::{CardNumber, Error, Extensions, Money, PersonName};
use serde::{Deserialize, Serialize};

use crate::codes::{ChannelType, OutType, PayStatus};
use crate::validate::{known, opt_text, out_req_no};
use pay_core::validate::extra_disjoint;

/// `outpay` (出金或退款): pays out of a protocol to a bank account, or refunds.
///
/// A timeout after sending is [`Error::UnknownOutcome`] carrying `outReqNo`: settle it with
/// [`Client::outquery`](crate::Client::outquery), never by sending it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutpayRequest {
    /// `transNo`: the protocol number.
    #[serde(rename = "transNo")]
    pub trans_no: String,
    /// `outReqNo`: the merchant's request number; must start with the app id.
    #[serde(rename = "outReqNo")]
    pub out_req_no: String,
    /// `amount`: yuan with two decimals on the wire.
    #[serde(with = "pay_core::money::as_yuan")]
    pub amount: Money,
    /// `channelType`: only `LFT`.
    #[serde(rename = "channelType")]
    pub channel_type: ChannelType,
    /// `outNotifyUrl`: where the pay-out/refund result is sent (section 11).
    #[serde(rename = "outNotifyUrl")]
    pub out_notify_url: String,
    /// `bankAccName`: the payee's account name (masked in `Debug`).
    #[serde(rename = "bankAccName")]
    pub bank_acc_name: PersonName,
    /// `bankAccNum`: the payee's account number (masked in `Debug`).
    #[serde(rename = "bankAccNum")]
    pub bank_acc_num: CardNumber,
    /// `bankName`: the payee's bank or branch.
    #[serde(rename = "bankName")]
    pub bank_name: String,
    /// `bankCnaps`: the branch's CNAPS code (联行号); see
    /// [`Client::query_bank_cnaps`](crate::Client::query_bank_cnaps).
    #[serde(rename = "bankCnaps")]
    pub bank_cnaps: String,
    /// `outType`: `OUT` (pay-out) or `REFUND`.
    #[serde(rename = "outType")]
    pub out_type: OutType,
    /// `remark`: a description of the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

/// The payee's bank account of an [`OutpayRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BankAccount {
    /// `bankAccName`.
    pub name: PersonName,
    /// `bankAccNum`.
    pub number: CardNumber,
    /// `bankName`.
    pub bank_name: String,
    /// `bankCnaps`.
    pub cnaps: String,
}

impl OutpayRequest {
    /// A pay-out (`OUT`) or refund (`REFUND`) of `amount` from protocol `trans_no` on the `LFT`
    /// channel.
    pub fn new(
        out_type: OutType,
        trans_no: impl Into<String>,
        out_req_no: impl Into<String>,
        amount: Money,
        out_notify_url: impl Into<String>,
        account: BankAccount,
    ) -> Self {
        OutpayRequest {
            trans_no: trans_no.into(),
            out_req_no: out_req_no.into(),
            amount,
            channel_type: ChannelType::Lft,
            out_notify_url: out_notify_url.into(),
            bank_acc_name: account.name,
            bank_acc_num: account.number,
            bank_name: account.bank_name,
            bank_cnaps: account.cnaps,
            out_type,
            remark: None,
            extra: Extensions::new(),
        }
    }

    /// Checks every field; `app_id` is the configured app id `outReqNo` must start with.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the wire field.
    pub fn validate(&self, app_id: &str) -> Result<(), Error> {
        pay_core::validate::required_max("transNo", &self.trans_no, 64)?;
        out_req_no(app_id, &self.out_req_no)?;
        pay_core::validate::positive("amount", self.amount)?;
        known("channelType", self.channel_type.is_known(), "LFT")?;
        pay_core::validate::http_url("outNotifyUrl", &self.out_notify_url)?;
        pay_core::validate::required_max("bankAccName", self.bank_acc_name.expose(), 128)?;
        pay_core::validate::required("bankAccNum", self.bank_acc_num.expose())?;
        self.bank_acc_num.validate_digits("bankAccNum")?;
        pay_core::validate::required_max("bankName", &self.bank_name, 128)?;
        crate::query::validate_cnaps("bankCnaps", &self.bank_cnaps)?;
        known("outType", self.out_type.is_known(), "OUT, REFUND")?;
        opt_text("remark", self.remark.as_deref(), 256)?;
        extra_disjoint(
            &self.extra,
            &[
                "transNo",
                "outReqNo",
                "amount",
                "channelType",
                "outNotifyUrl",
                "bankAccName",
                "bankAccNum",
                "bankName",
                "bankCnaps",
                "outType",
                "remark",
            ],
        )
    }
}

/// A pay-out or refund order, as `outpay` and `outquery` return it and as the pay-out/refund
/// notification (11) carries it.
///
/// Whether money moved is [`PayOutOrder::pay_status`]: the response code `0000` only says that
/// the call was received.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayOutOrder {
    /// `outReqNo`: the merchant's request number.
    #[serde(rename = "outReqNo")]
    pub out_req_no: String,
    /// `payStatus`: `UNPAID`, `PROCESSING`, `SUCCESS`, `FAILURE`.
    #[serde(rename = "payStatus")]
    pub pay_status: PayStatus,
    /// `transNo`: the protocol number.
    #[serde(rename = "transNo", default, skip_serializing_if = "Option::is_none")]
    pub trans_no: Option<String>,
    /// `appId`.
    #[serde(rename = "appId", default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `channelSubaccCode`: the channel sub-account (outpay only).
    #[serde(
        rename = "channelSubaccCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_subacc_code: Option<String>,
    /// `channelSubaccCustid`: the sub-account's customer id (outpay only).
    #[serde(
        rename = "channelSubaccCustid",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_subacc_custid: Option<String>,
    /// `amount`.
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Money>,
    /// `payOrderNo`: the payment system's order number.
    #[serde(
        rename = "payOrderNo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pay_order_no: Option<String>,
    /// `channelType`.
    #[serde(
        rename = "channelType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_type: Option<ChannelType>,
    /// `bankAccName` (masked in `Debug`).
    #[serde(
        rename = "bankAccName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bank_acc_name: Option<PersonName>,
    /// `bankAccNum` (masked in `Debug`).
    #[serde(
        rename = "bankAccNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub bank_acc_num: Option<CardNumber>,
    /// `bankName`.
    #[serde(rename = "bankName", default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    /// `bankCnaps`.
    #[serde(rename = "bankCnaps", default, skip_serializing_if = "Option::is_none")]
    pub bank_cnaps: Option<String>,
    /// `outType`: `OUT` or `REFUND`.
    #[serde(rename = "outType", default, skip_serializing_if = "Option::is_none")]
    pub out_type: Option<OutType>,
    /// `remark`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// `payFinishTime`: `yyyy-MM-dd HH:mm:ss`, kept as sent (queries and notifications).
    #[serde(
        rename = "payFinishTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pay_finish_time: Option<String>,
    /// `createTime`: `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(
        rename = "createTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<String>,
    /// `channelReturnCode`.
    #[serde(
        rename = "channelReturnCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_return_code: Option<String>,
    /// `channelReturnMsg`.
    #[serde(
        rename = "channelReturnMsg",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_return_msg: Option<String>,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

/// `outquery` (出金或退款查询): a pay-out or refund by `outReqNo`. Read-only: safe to repeat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutqueryRequest {
    /// `outReqNo`: the pay-out's request number.
    #[serde(rename = "outReqNo")]
    pub out_req_no: String,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl OutqueryRequest {
    /// Queries pay-out or refund `out_req_no`.
    pub fn new(out_req_no: impl Into<String>) -> Self {
        OutqueryRequest {
            out_req_no: out_req_no.into(),
            extra: Extensions::new(),
        }
    }

    /// Checks every field.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the wire field.
    pub fn validate(&self, app_id: &str) -> Result<(), Error> {
        out_req_no(app_id, &self.out_req_no)?;
        extra_disjoint(&self.extra, &["outReqNo"])
    }
}

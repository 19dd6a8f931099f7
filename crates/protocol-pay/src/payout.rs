//! Pay-out and refund (出金或退款): `outpay` (section 6) and `outquery` (7).

use pay_core::operation::FieldDoc;
use pay_core::{CallKind, CardNumber, Error, Extensions, Money, Operation, PersonName};
use serde::{Deserialize, Serialize};

use crate::by_out_req_no::{self, by_out_req_no};
use crate::client::{Client, Endpoint};
use crate::codes::{ChannelType, Movement, OutType, PayStatus};
use crate::validate::{extra_disjoint, known, opt_text, out_req_no_format};

/// `outpay` (出金或退款): pays out of a protocol to a bank account, or refunds.
///
/// A timeout after sending is [`Error::UnknownOutcome`] carrying `outReqNo`: settle it with
/// [`Client::outquery`](crate::Client::outquery), never by sending it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct OutpayRequest {
    /// `transNo`: the protocol number.
    pub trans_no: String,
    /// `outReqNo`: the merchant's request number; must start with the app id.
    pub out_req_no: String,
    /// `amount`: yuan with two decimals on the wire.
    #[serde(with = "pay_core::money::as_yuan")]
    pub amount: Money,
    /// `channelType`: only `LFT`.
    pub channel_type: ChannelType,
    /// `outNotifyUrl`: where the pay-out/refund result is sent (section 11).
    pub out_notify_url: String,
    /// `bankAccName`: the payee's account name (masked in `Debug`).
    pub bank_acc_name: PersonName,
    /// `bankAccNum`: the payee's account number (masked in `Debug`).
    pub bank_acc_num: CardNumber,
    /// `bankName`: the payee's bank or branch.
    pub bank_name: String,
    /// `bankCnaps`: the branch's CNAPS code (联行号); see
    /// [`Client::query_bank_cnaps`](crate::Client::query_bank_cnaps).
    pub bank_cnaps: String,
    /// `outType`: `OUT` (pay-out) or `REFUND`.
    pub out_type: OutType,
    /// `remark`: a description of the payment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

/// The payee's bank account of an [`OutpayRequest`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
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

impl BankAccount {
    /// The account `number` held by `name` at branch `bank_name`, whose CNAPS code is `cnaps`.
    pub fn new(
        name: PersonName,
        number: CardNumber,
        bank_name: impl Into<String>,
        cnaps: impl Into<String>,
    ) -> Self {
        BankAccount {
            name,
            number,
            bank_name: bank_name.into(),
            cnaps: cnaps.into(),
        }
    }
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

    /// Sets `remark`, a description of the payment.
    #[must_use]
    pub fn remark(mut self, remark: impl Into<String>) -> Self {
        self.remark = Some(remark.into());
        self
    }
}

impl Operation for OutpayRequest {
    type Answer = PayOutOrder;
    const NAME: &'static str = "outpay";
    const METHOD: http::Method = http::Method::POST;
    const PATH: &'static str = "/api/protocol/outpay";
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc::required(
            "transNo",
            "string, at most 64",
            "还款保协议号 (the protocol number)",
        ),
        FieldDoc::required(
            "outReqNo",
            "string, at most 64, letters, digits, _ and -, starts with the app id",
            "业务系统请求流水号,必须以appId开头 (the merchant's request number)",
        ),
        FieldDoc::required(
            "amount",
            "yuan, 2 decimals, > 0",
            "金额,单位元精确到两位小数 (the amount)",
        ),
        FieldDoc::required("channelType", "LFT", "渠道编码 (the channel)"),
        FieldDoc::required(
            "outNotifyUrl",
            "http(s) URL",
            "业务系统出金成功或退款回调地址 (where the pay-out or refund result is sent)",
        ),
        FieldDoc::required(
            "bankAccName",
            "string, at most 128",
            "收款方银行户名 (the payee's account name)",
        ),
        FieldDoc::required(
            "bankAccNum",
            "digits",
            "收款方银行账号 (the payee's account number)",
        ),
        FieldDoc::required(
            "bankName",
            "string, at most 128",
            "收款方开户行或支行 (the payee's bank or branch)",
        ),
        FieldDoc::required(
            "bankCnaps",
            "12 digits",
            "收款方银行支行对应的联行号 (the branch's CNAPS code; see querybankcnaps)",
        ),
        FieldDoc::required(
            "outType",
            "OUT (pay-out) or REFUND",
            "出金或退款 (pay-out or refund)",
        ),
        FieldDoc::optional(
            "remark",
            "string, at most 256",
            "付款描述 (a description of the payment)",
        ),
    ];
    const EXAMPLE: &'static str = r#"{"transNo":"T202010100001","outReqNo":"LFT1001202010100002","amount":"500.00","channelType":"LFT","outNotifyUrl":"https://merchant.example.com/notify/out","bankAccName":"张三","bankAccNum":"6222020200112233445","bankName":"中国工商银行北京海淀支行","bankCnaps":"102100000458","outType":"OUT"}"#;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.out_req_no.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("transNo", &self.trans_no, 64)?;
        out_req_no_format(&self.out_req_no)?;
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
        extra_disjoint::<Self>(&self.extra)
    }
}

impl Endpoint for OutpayRequest {
    const MOVES: Movement = Movement::MovesMoney;
    fn out_req_no(&self) -> Option<&str> {
        Some(&self.out_req_no)
    }
}

/// A pay-out or refund order, as `outpay` and `outquery` return it and as the pay-out/refund
/// notification (11) carries it.
///
/// Whether money moved is [`PayOutOrder::pay_status`]: the response code `0000` only says that
/// the call was received.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayOutOrder {
    /// `outReqNo` (业务系统流水号): the merchant's request number of the pay-out or refund.
    pub out_req_no: String,
    /// `payStatus` (出金状态): `UNPAID`, `PROCESSING`, `SUCCESS`, `FAILURE` — whether the payee was paid.
    pub pay_status: PayStatus,
    /// `transNo` (协议编码): the protocol paid out of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trans_no: Option<String>,
    /// `appId` (业务系统ID): the business system the pay-out belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `channelSubaccCode`: the channel sub-account (outpay only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_subacc_code: Option<String>,
    /// `channelSubaccCustid`: the sub-account's customer id (outpay only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_subacc_custid: Option<String>,
    /// `amount` (金额, yuan on the wire): the amount paid out or refunded.
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Money>,
    /// `payOrderNo` (支付系统流水号): the payment system's number of the pay-out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_order_no: Option<String>,
    /// `channelType` (渠道编码): the channel that pays out (`LFT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<ChannelType>,
    /// `bankAccName` (收款方银行户名): the payee's account name (masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_acc_name: Option<PersonName>,
    /// `bankAccNum` (收款方银行账号): the payee's account number (masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_acc_num: Option<CardNumber>,
    /// `bankName` (收款方开户行或支行): the payee's bank or branch.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    /// `bankCnaps` (联行号): the payee branch's CNAPS code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_cnaps: Option<String>,
    /// `outType` (出金或退款): `OUT` (pay-out) or `REFUND`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_type: Option<OutType>,
    /// `remark` (付款描述): the description sent with `outpay`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remark: Option<String>,
    /// `payFinishTime` (出金完成时间): when the payee was paid, `yyyy-MM-dd HH:mm:ss`, kept as sent (queries and notifications).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_finish_time: Option<String>,
    /// `createTime` (创建时间): when the pay-out was created, `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// `channelReturnCode` (结果标识码): the paying channel's result code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_return_code: Option<String>,
    /// `channelReturnMsg` (结果描述): the paying channel's result message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_return_msg: Option<String>,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl PayOutOrder {
    /// A pay-out or refund order `out_req_no` in state `pay_status`, with no other field (set them on the value).
    pub fn new(out_req_no: impl Into<String>, pay_status: PayStatus) -> Self {
        PayOutOrder {
            out_req_no: out_req_no.into(),
            pay_status,
            trans_no: None,
            app_id: None,
            channel_subacc_code: None,
            channel_subacc_custid: None,
            amount: None,
            pay_order_no: None,
            channel_type: None,
            bank_acc_name: None,
            bank_acc_num: None,
            bank_name: None,
            bank_cnaps: None,
            out_type: None,
            remark: None,
            pay_finish_time: None,
            create_time: None,
            channel_return_code: None,
            channel_return_msg: None,
            extra: Extensions::new(),
        }
    }
}

by_out_req_no!(
    /// `outquery` (出金或退款查询): a pay-out or refund by `outReqNo`. Read-only: safe to
    /// repeat.
    OutqueryRequest,
    "pay-out or refund"
);

impl Operation for OutqueryRequest {
    type Answer = PayOutOrder;
    const NAME: &'static str = "outquery";
    const METHOD: http::Method = http::Method::POST;
    const PATH: &'static str = "/api/protocol/outquery";
    const FIELDS: &'static [FieldDoc] = by_out_req_no::FIELDS;
    const EXAMPLE: &'static str = r#"{"outReqNo":"LFT1001202010100002"}"#;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        by_out_req_no::validate::<Self>(&self.out_req_no, &self.extra)
    }
}

impl Client {
    /// `outpay` (section 6): a pay-out (`OUT`) or refund (`REFUND`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field (an `outReqNo` that does not start with the
    /// app id included) before anything is sent. A timeout or broken connection after sending
    /// is [`Error::UnknownOutcome`] carrying `outReqNo`: settle it with
    /// [`outquery`](Self::outquery). Nothing is resent.
    pub async fn outpay(&self, request: &OutpayRequest) -> Result<PayOutOrder, Error> {
        self.execute(request).await
    }

    /// `outquery` (section 7): a pay-out or refund by `outReqNo`.
    ///
    /// # Errors
    /// `EP20003` is [`ProviderErrorKind::NotFound`](pay_core::ProviderErrorKind::NotFound)
    /// `{ what: "pay-out order" }`.
    pub async fn outquery(&self, request: &OutqueryRequest) -> Result<PayOutOrder, Error> {
        self.execute(request).await
    }
}

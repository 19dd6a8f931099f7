//! Pay-in (入金): `prepay` (section 3), `posclose` (4) and `inquery` (5).

use pay_core::operation::FieldDoc;
use pay_core::validate::opt_url;
use pay_core::{
    CallKind, CardNumber, Error, Extensions, IdNumber, Money, Operation, PaymentAction, PersonName,
};
use serde::{Deserialize, Deserializer, Serialize};

use crate::by_out_req_no::{self, by_out_req_no};
use crate::client::{Client, Endpoint};
use crate::codes::{ArrivedStatus, CashierType, ChannelType, Movement, PayStatus, ProdCatalog};
use crate::validate::{extra_disjoint, known, opt_text, out_req_no_format};

/// `prepay` (入金): a pay-in into a protocol, answered with a six-digit POS code or a quick-pay
/// cashier URL.
///
/// A timeout after sending is [`Error::UnknownOutcome`] carrying `outReqNo`: settle it with
/// [`Client::inquery`](crate::Client::inquery), never by sending it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PrepayRequest {
    /// `transNo`: the protocol number.
    pub trans_no: String,
    /// `outReqNo`: the merchant's request number; must start with the app id
    /// (see [`Client::new_out_req_no`](crate::Client::new_out_req_no)).
    pub out_req_no: String,
    /// `amount`: yuan with two decimals on the wire.
    #[serde(with = "pay_core::money::as_yuan")]
    pub amount: Money,
    /// `outSuccessNotifyUrl`: where the pay result (success or failure) is sent (section 9).
    pub out_success_notify_url: String,
    /// `outArrivedNotifyUrl`: where the funds-arrived notification is sent (section 10).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_arrived_notify_url: Option<String>,
    /// `prodCatalog`: which cards a POS payer may use.
    pub prod_catalog: ProdCatalog,
    /// `contractNum`: the merchant's contract number.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_num: Option<String>,
    /// `qpUserName`: the payer's name, quick pay only (fixed on the cashier page when given).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qp_user_name: Option<PersonName>,
    /// `qpCertNumber`: the payer's resident ID number, quick pay only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qp_cert_number: Option<IdNumber>,
    /// `returnUrl`: where the cashier page sends the payer afterwards, quick pay only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl PrepayRequest {
    /// A pay-in of `amount` into protocol `trans_no`, with the required fields; set the optional
    /// ones on the returned value.
    pub fn new(
        trans_no: impl Into<String>,
        out_req_no: impl Into<String>,
        amount: Money,
        out_success_notify_url: impl Into<String>,
        prod_catalog: ProdCatalog,
    ) -> Self {
        PrepayRequest {
            trans_no: trans_no.into(),
            out_req_no: out_req_no.into(),
            amount,
            out_success_notify_url: out_success_notify_url.into(),
            out_arrived_notify_url: None,
            prod_catalog,
            contract_num: None,
            qp_user_name: None,
            qp_cert_number: None,
            return_url: None,
            extra: Extensions::new(),
        }
    }

    /// Sets `outArrivedNotifyUrl`, where the funds-arrived notification is sent.
    #[must_use]
    pub fn out_arrived_notify_url(mut self, url: impl Into<String>) -> Self {
        self.out_arrived_notify_url = Some(url.into());
        self
    }

    /// Sets `contractNum`, the merchant's contract number.
    #[must_use]
    pub fn contract_num(mut self, contract_num: impl Into<String>) -> Self {
        self.contract_num = Some(contract_num.into());
        self
    }

    /// Sets the quick-pay payer (`qpUserName`, `qpCertNumber`), fixed on the cashier page.
    #[must_use]
    pub fn quick_pay_payer(mut self, name: PersonName, cert_number: IdNumber) -> Self {
        self.qp_user_name = Some(name);
        self.qp_cert_number = Some(cert_number);
        self
    }

    /// Sets `returnUrl`, where the cashier page sends the payer afterwards (quick pay).
    #[must_use]
    pub fn return_url(mut self, url: impl Into<String>) -> Self {
        self.return_url = Some(url.into());
        self
    }
}

impl Operation for PrepayRequest {
    type Answer = PayInOrder;
    const NAME: &'static str = "prepay";
    const METHOD: http::Method = http::Method::POST;
    const PATH: &'static str = "/api/protocol/prepay";
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
            "金额,单位元 (the amount)",
        ),
        FieldDoc::required(
            "outSuccessNotifyUrl",
            "http(s) URL",
            "业务系统支付成功或失败回调地址 (where the pay result is sent)",
        ),
        FieldDoc::optional(
            "outArrivedNotifyUrl",
            "http(s) URL",
            "业务系统资金到账回调地址 (where the funds-arrived notification is sent)",
        ),
        FieldDoc::required(
            "prodCatalog",
            "01 (debit cards only) or 02 (debit and credit cards)",
            "限制刷卡类别,只对POS (which cards a POS payer may use)",
        ),
        FieldDoc::optional(
            "contractNum",
            "string, at most 64",
            "业务系统合同号 (the merchant's contract number)",
        ),
        FieldDoc::optional(
            "qpUserName",
            "string, at most 64; quick pay only",
            "用户姓名,传入则收银台用户不能修改 (the payer's name, fixed on the cashier page)",
        ),
        FieldDoc::optional(
            "qpCertNumber",
            "18-character resident ID number; quick pay only",
            "用户身份证号 (the payer's ID number, fixed on the cashier page)",
        ),
        FieldDoc::optional(
            "returnUrl",
            "http(s) URL; quick pay only",
            "收银台支付完成跳转业务系统url (where the cashier page sends the payer afterwards)",
        ),
    ];
    const EXAMPLE: &'static str = r#"{"transNo":"T202010100001","outReqNo":"LFT1001202010100001","amount":"1000.50","outSuccessNotifyUrl":"https://merchant.example.com/notify/pay","prodCatalog":"01"}"#;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.out_req_no.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("transNo", &self.trans_no, 64)?;
        out_req_no_format(&self.out_req_no)?;
        pay_core::validate::positive("amount", self.amount)?;
        pay_core::validate::http_url("outSuccessNotifyUrl", &self.out_success_notify_url)?;
        opt_url(
            "outArrivedNotifyUrl",
            self.out_arrived_notify_url.as_deref(),
        )?;
        known("prodCatalog", self.prod_catalog.is_known(), "01, 02")?;
        opt_text("contractNum", self.contract_num.as_deref(), 64)?;
        if let Some(name) = &self.qp_user_name {
            opt_text("qpUserName", Some(name.expose()), 64)?;
        }
        if let Some(id) = &self.qp_cert_number {
            id.validate_cn_resident("qpCertNumber")?;
        }
        opt_url("returnUrl", self.return_url.as_deref())?;
        extra_disjoint::<Self>(&self.extra)
    }
}

impl Endpoint for PrepayRequest {
    const MOVES: Movement = Movement::MovesMoney;
    fn out_req_no(&self) -> Option<&str> {
        Some(&self.out_req_no)
    }
}

/// A pay-in order, as `prepay` and `inquery` return it and as the pay-result (9) and
/// funds-arrived (10) notifications carry it.
///
/// Whether money moved is [`PayInOrder::pay_status`]: the response code `0000` only says that
/// the call was received.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayInOrder {
    /// `outReqNo` (业务系统流水号): the merchant's request number of the pay-in.
    pub out_req_no: String,
    /// `payStatus` (支付状态): `UNPAID`, `PROCESSING`, `SUCCESS`, `FAILURE` — whether the payer paid.
    pub pay_status: PayStatus,
    /// `transNo` (协议编码): the protocol paid into.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trans_no: Option<String>,
    /// `appId` (业务系统ID): the business system the pay-in belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `channelType` (渠道编码): the channel that took the payment (`LFT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<ChannelType>,
    /// `amount` (金额, yuan on the wire): the amount paid in.
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Money>,
    /// `posCode`: the six-digit code the payer enters on the POS terminal (POS only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pos_code: Option<String>,
    /// `payOrderNo` (支付系统流水号): the payment system's number of the pay-in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_order_no: Option<String>,
    /// `arrivedStatus`: `01` not arrived, `02` arrived (queries and notifications).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrived_status: Option<ArrivedStatus>,
    /// `payFinishTime` (支付完成时间): when the payer paid, `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_finish_time: Option<String>,
    /// `payArriveTime`: `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pay_arrive_time: Option<String>,
    /// `createTime` (创建时间): when the pay-in was created, `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// `cardNum`: the payer's card (masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub card_num: Option<CardNumber>,
    /// `issuingBank`: the card's bank (POS only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_bank: Option<String>,
    /// `issuingBankZH`: the card's bank in Chinese.
    #[serde(rename = "issuingBankZH", skip_serializing_if = "Option::is_none")]
    pub issuing_bank_zh: Option<String>,
    /// `channelReturnCode` (结果标识码): the payment channel's result code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_return_code: Option<String>,
    /// `channelReturnMsg` (结果描述): the payment channel's result message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_return_msg: Option<String>,
    /// `contractNum` (业务系统合同号): the merchant's contract number sent with `prepay`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contract_num: Option<String>,
    /// `cashierUrl`: the quick-pay cashier page (quick pay only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cashier_url: Option<String>,
    /// `qpUserName` (quick pay only; masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qp_user_name: Option<PersonName>,
    /// `qpCertNumber` (quick pay only; masked in `Debug`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qp_cert_number: Option<IdNumber>,
    /// `cashierType`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cashier_type: Option<CashierType>,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl PayInOrder {
    /// A pay-in order `out_req_no` in state `pay_status`, with no other field (set them on the value).
    pub fn new(out_req_no: impl Into<String>, pay_status: PayStatus) -> Self {
        PayInOrder {
            out_req_no: out_req_no.into(),
            pay_status,
            trans_no: None,
            app_id: None,
            channel_type: None,
            amount: None,
            pos_code: None,
            pay_order_no: None,
            arrived_status: None,
            pay_finish_time: None,
            pay_arrive_time: None,
            create_time: None,
            card_num: None,
            issuing_bank: None,
            issuing_bank_zh: None,
            channel_return_code: None,
            channel_return_msg: None,
            contract_num: None,
            cashier_url: None,
            qp_user_name: None,
            qp_cert_number: None,
            cashier_type: None,
            extra: Extensions::new(),
        }
    }

    /// What the payer must do next: enter the six-digit [`posCode`](Self::pos_code) on a POS
    /// terminal, or open the quick-pay [`cashierUrl`](Self::cashier_url). `None` when the answer
    /// carries neither (e.g. the order is already final).
    pub fn action(&self) -> Option<PaymentAction> {
        let non_empty = |s: &Option<String>| {
            s.as_deref()
                .filter(|v| !v.trim().is_empty())
                .map(str::to_owned)
        };
        if let Some(url) = non_empty(&self.cashier_url) {
            return Some(PaymentAction::Redirect { url });
        }
        non_empty(&self.pos_code).map(|code| PaymentAction::Code { code })
    }
}

by_out_req_no!(
    /// `posclose` (入金关闭POS六位码): closes the six-digit POS code of a pay-in.
    PosCloseRequest,
    "pay-in"
);

impl Operation for PosCloseRequest {
    type Answer = PosCloseResult;
    const NAME: &'static str = "posclose";
    const METHOD: http::Method = http::Method::POST;
    const PATH: &'static str = "/api/protocol/posclose";
    const FIELDS: &'static [FieldDoc] = by_out_req_no::FIELDS;
    const EXAMPLE: &'static str = r#"{"outReqNo":"LFT1001202010100001"}"#;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.out_req_no.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        by_out_req_no::validate::<Self>(&self.out_req_no, &self.extra)
    }
}

/// The answer to `posclose`: `{"result": "true"}` when the code was closed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PosCloseResult {
    /// `result`: `"true"` when closed (a JSON boolean is read the same way).
    #[serde(deserialize_with = "bool_text")]
    pub result: String,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl PosCloseResult {
    /// The answer `result` (`"true"` when closed).
    pub fn new(result: impl Into<String>) -> Self {
        PosCloseResult {
            result: result.into(),
            extra: Extensions::new(),
        }
    }

    /// Whether the POS code was closed (`result == "true"`).
    pub fn closed(&self) -> bool {
        self.result.trim().eq_ignore_ascii_case("true")
    }
}

fn bool_text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        serde_json::Value::Bool(b) => Ok(b.to_string()),
        _ => Err(serde::de::Error::custom("expected \"true\"/\"false\"")),
    }
}

by_out_req_no!(
    /// `inquery` (入金查询): a pay-in by `outReqNo`. Read-only: safe to repeat.
    InqueryRequest,
    "pay-in"
);

impl Operation for InqueryRequest {
    type Answer = PayInOrder;
    const NAME: &'static str = "inquery";
    const METHOD: http::Method = http::Method::POST;
    const PATH: &'static str = "/api/protocol/inquery";
    const FIELDS: &'static [FieldDoc] = by_out_req_no::FIELDS;
    const EXAMPLE: &'static str = r#"{"outReqNo":"LFT1001202010100001"}"#;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        by_out_req_no::validate::<Self>(&self.out_req_no, &self.extra)
    }
}

impl Client {
    /// `prepay` (section 3): a pay-in. The answer's [`PayInOrder::action`] is the POS code or
    /// the cashier URL; its [`PayInOrder::pay_status`] is the state of the money.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the field (an `outReqNo` that does not start with the
    /// app id included) before anything is sent. A timeout or broken connection after sending
    /// is [`Error::UnknownOutcome`] carrying `outReqNo`: settle it with
    /// [`inquery`](Self::inquery). Nothing is resent.
    pub async fn prepay(&self, request: &PrepayRequest) -> Result<PayInOrder, Error> {
        self.execute(request).await
    }

    /// `posclose` (section 4): closes the six-digit POS code of a pay-in.
    ///
    /// # Errors
    /// See [`Error`]; `EP20002` is not-found `{ what: "pay-in order" }`.
    pub async fn pos_close(&self, request: &PosCloseRequest) -> Result<PosCloseResult, Error> {
        self.execute(request).await
    }

    /// `inquery` (section 5): a pay-in by `outReqNo`.
    ///
    /// # Errors
    /// `EP20002` is [`ProviderErrorKind::NotFound`](pay_core::ProviderErrorKind::NotFound)
    /// `{ what: "pay-in order" }`.
    pub async fn inquery(&self, request: &InqueryRequest) -> Result<PayInOrder, Error> {
        self.execute(request).await
    }
}

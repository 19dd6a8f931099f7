//! Pay-in (入金): `prepay` (section 3), `posclose` (4) and `inquery` (5).

use pay_core::{CardNumber, Error, Extensions, IdNumber, Money, PaymentAction, PersonName};
use serde::{Deserialize, Deserializer, Serialize};

use crate::codes::{ArrivedStatus, CashierType, ChannelType, PayStatus, ProdCatalog};
use crate::validate::{known, opt_text, out_req_no};
use pay_core::validate::extra_disjoint;
use pay_core::validate::opt_url;

/// `prepay` (入金): a pay-in into a protocol, answered with a six-digit POS code or a quick-pay
/// cashier URL.
///
/// A timeout after sending is [`Error::UnknownOutcome`] carrying `outReqNo`: settle it with
/// [`Client::inquery`](crate::Client::inquery), never by sending it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PrepayRequest {
    /// `transNo`: the protocol number.
    #[serde(rename = "transNo")]
    pub trans_no: String,
    /// `outReqNo`: the merchant's request number; must start with the app id
    /// (see [`Client::new_out_req_no`](crate::Client::new_out_req_no)).
    #[serde(rename = "outReqNo")]
    pub out_req_no: String,
    /// `amount`: yuan with two decimals on the wire.
    #[serde(with = "pay_core::money::as_yuan")]
    pub amount: Money,
    /// `outSuccessNotifyUrl`: where the pay result (success or failure) is sent (section 9).
    #[serde(rename = "outSuccessNotifyUrl")]
    pub out_success_notify_url: String,
    /// `outArrivedNotifyUrl`: where the funds-arrived notification is sent (section 10).
    #[serde(
        rename = "outArrivedNotifyUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub out_arrived_notify_url: Option<String>,
    /// `prodCatalog`: which cards a POS payer may use.
    #[serde(rename = "prodCatalog")]
    pub prod_catalog: ProdCatalog,
    /// `contractNum`: the merchant's contract number.
    #[serde(
        rename = "contractNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub contract_num: Option<String>,
    /// `qpUserName`: the payer's name, quick pay only (fixed on the cashier page when given).
    #[serde(
        rename = "qpUserName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub qp_user_name: Option<PersonName>,
    /// `qpCertNumber`: the payer's resident ID number, quick pay only.
    #[serde(
        rename = "qpCertNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub qp_cert_number: Option<IdNumber>,
    /// `returnUrl`: where the cashier page sends the payer afterwards, quick pay only.
    #[serde(rename = "returnUrl", default, skip_serializing_if = "Option::is_none")]
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

    /// Checks every field; `app_id` is the configured app id `outReqNo` must start with.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the wire field.
    pub fn validate(&self, app_id: &str) -> Result<(), Error> {
        pay_core::validate::required_max("transNo", &self.trans_no, 64)?;
        out_req_no(app_id, &self.out_req_no)?;
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
        extra_disjoint(
            &self.extra,
            &[
                "transNo",
                "outReqNo",
                "amount",
                "outSuccessNotifyUrl",
                "outArrivedNotifyUrl",
                "prodCatalog",
                "contractNum",
                "qpUserName",
                "qpCertNumber",
                "returnUrl",
            ],
        )
    }
}

/// A pay-in order, as `prepay` and `inquery` return it and as the pay-result (9) and
/// funds-arrived (10) notifications carry it.
///
/// Whether money moved is [`PayInOrder::pay_status`]: the response code `0000` only says that
/// the call was received.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PayInOrder {
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
    /// `channelType`.
    #[serde(
        rename = "channelType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_type: Option<ChannelType>,
    /// `amount`.
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Money>,
    /// `posCode`: the six-digit code the payer enters on the POS terminal (POS only).
    #[serde(rename = "posCode", default, skip_serializing_if = "Option::is_none")]
    pub pos_code: Option<String>,
    /// `payOrderNo`: the payment system's order number.
    #[serde(
        rename = "payOrderNo",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pay_order_no: Option<String>,
    /// `arrivedStatus`: `01` not arrived, `02` arrived (queries and notifications).
    #[serde(
        rename = "arrivedStatus",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub arrived_status: Option<ArrivedStatus>,
    /// `payFinishTime`: `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(
        rename = "payFinishTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pay_finish_time: Option<String>,
    /// `payArriveTime`: `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(
        rename = "payArriveTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub pay_arrive_time: Option<String>,
    /// `createTime`: `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(
        rename = "createTime",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub create_time: Option<String>,
    /// `cardNum`: the payer's card (masked in `Debug`).
    #[serde(rename = "cardNum", default, skip_serializing_if = "Option::is_none")]
    pub card_num: Option<CardNumber>,
    /// `issuingBank`: the card's bank (POS only).
    #[serde(
        rename = "issuingBank",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub issuing_bank: Option<String>,
    /// `issuingBankZH`: the card's bank in Chinese.
    #[serde(
        rename = "issuingBankZH",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub issuing_bank_zh: Option<String>,
    /// `channelReturnCode`: the channel's result code.
    #[serde(
        rename = "channelReturnCode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_return_code: Option<String>,
    /// `channelReturnMsg`: the channel's result message.
    #[serde(
        rename = "channelReturnMsg",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub channel_return_msg: Option<String>,
    /// `contractNum`.
    #[serde(
        rename = "contractNum",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub contract_num: Option<String>,
    /// `cashierUrl`: the quick-pay cashier page (quick pay only).
    #[serde(
        rename = "cashierUrl",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cashier_url: Option<String>,
    /// `qpUserName` (quick pay only; masked in `Debug`).
    #[serde(
        rename = "qpUserName",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub qp_user_name: Option<PersonName>,
    /// `qpCertNumber` (quick pay only; masked in `Debug`).
    #[serde(
        rename = "qpCertNumber",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub qp_cert_number: Option<IdNumber>,
    /// `cashierType`.
    #[serde(
        rename = "cashierType",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub cashier_type: Option<CashierType>,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl PayInOrder {
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

/// `posclose` (入金关闭POS六位码): closes the six-digit POS code of a pay-in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PosCloseRequest {
    /// `outReqNo`: the pay-in's request number.
    #[serde(rename = "outReqNo")]
    pub out_req_no: String,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl PosCloseRequest {
    /// Closes the POS code of pay-in `out_req_no`.
    pub fn new(out_req_no: impl Into<String>) -> Self {
        PosCloseRequest {
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

/// The answer to `posclose`: `{"result": "true"}` when the code was closed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PosCloseResult {
    /// `result`: `"true"` when closed (a JSON boolean is read the same way).
    #[serde(deserialize_with = "bool_text")]
    pub result: String,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl PosCloseResult {
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

/// `inquery` (入金查询): a pay-in by `outReqNo`. Read-only: safe to repeat.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InqueryRequest {
    /// `outReqNo`: the pay-in's request number.
    #[serde(rename = "outReqNo")]
    pub out_req_no: String,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl InqueryRequest {
    /// Queries pay-in `out_req_no`.
    pub fn new(out_req_no: impl Into<String>) -> Self {
        InqueryRequest {
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

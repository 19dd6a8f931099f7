//! Protocols (协议): create (section 1) and find (section 2).

use pay_core::operation::FieldDoc;
use pay_core::{CallKind, Error, Extensions, Money, Operation};
use serde::{Deserialize, Serialize};

use crate::client::{Client, Endpoint};
use crate::codes::{CashierType, ChannelType};
use crate::validate::{extra_disjoint, known};

/// `create` (创建协议): opens a protocol (an escrow account) for a business subject.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateProtocolRequest {
    /// `channelType`: the channel (only `LFT`).
    pub channel_type: ChannelType,
    /// `transDesc`: what the protocol is for (交易说明).
    pub trans_desc: String,
    /// `businessId`: the subject id the payment system assigned (主体id).
    pub business_id: String,
    /// `cashierType`: `QP` or `POS`. Optional in the spec (the system assumes `POS` when
    /// absent, and announces it will become required): set it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cashier_type: Option<CashierType>,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl CreateProtocolRequest {
    /// A request for an `LFT` protocol with the given cashier type.
    pub fn new(
        trans_desc: impl Into<String>,
        business_id: impl Into<String>,
        cashier_type: CashierType,
    ) -> Self {
        CreateProtocolRequest {
            channel_type: ChannelType::Lft,
            trans_desc: trans_desc.into(),
            business_id: business_id.into(),
            cashier_type: Some(cashier_type),
            extra: Extensions::new(),
        }
    }
}

impl Operation for CreateProtocolRequest {
    type Answer = Protocol;
    const NAME: &'static str = "create";
    const METHOD: http::Method = http::Method::POST;
    const PATH: &'static str = "/api/protocol/create";
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc::required("channelType", "LFT", "渠道类型 (the channel)"),
        FieldDoc::required(
            "transDesc",
            "string, at most 256",
            "交易说明,简述交易用途 (what the protocol is for)",
        ),
        FieldDoc::required(
            "businessId",
            "string, at most 64",
            "主体id,支付系统分配 (the subject id the payment system assigned)",
        ),
        FieldDoc::optional(
            "cashierType",
            "QP (quick pay) or POS; POS when absent",
            "账户类型,暂时不传默认pos,后期该字段必传 (the cashier type; will become required)",
        ),
    ];
    const EXAMPLE: &'static str = r#"{"channelType":"LFT","transDesc":"房屋买卖资金监管","businessId":"B1001","cashierType":"POS"}"#;

    fn kind(&self) -> CallKind {
        // Opening a protocol moves no money and has no merchant order id: a lost answer is
        // settled with `find` once the `transNo` is known.
        CallKind::Mutation { order_id: None }
    }

    fn validate(&self) -> Result<(), Error> {
        known("channelType", self.channel_type.is_known(), "LFT")?;
        pay_core::validate::required_max("transDesc", &self.trans_desc, 256)?;
        pay_core::validate::required_max("businessId", &self.business_id, 64)?;
        if let Some(c) = &self.cashier_type {
            known("cashierType", c.is_known(), "QP, POS")?;
        }
        extra_disjoint::<Self>(&self.extra)
    }
}

impl Endpoint for CreateProtocolRequest {}

/// `find` (查询协议): a protocol by its number.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct FindProtocolRequest {
    /// `transNo`: the protocol number.
    pub trans_no: String,
    /// Fields the provider may add, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl FindProtocolRequest {
    /// A request for protocol `trans_no`.
    pub fn new(trans_no: impl Into<String>) -> Self {
        FindProtocolRequest {
            trans_no: trans_no.into(),
            extra: Extensions::new(),
        }
    }
}

impl Operation for FindProtocolRequest {
    type Answer = Protocol;
    const NAME: &'static str = "find";
    const METHOD: http::Method = http::Method::POST;
    const PATH: &'static str = "/api/protocol/find";
    const FIELDS: &'static [FieldDoc] = &[FieldDoc::required(
        "transNo",
        "string, at most 64",
        "还款保协议号 (the protocol number)",
    )];
    const EXAMPLE: &'static str = r#"{"transNo":"T202010100001"}"#;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("transNo", &self.trans_no, 64)?;
        extra_disjoint::<Self>(&self.extra)
    }
}

impl Endpoint for FindProtocolRequest {}

impl Client {
    /// `create` (section 1): opens a protocol.
    ///
    /// # Errors
    /// See [`Error`]; a timeout after sending is [`Error::UnknownOutcome`] (query with
    /// [`find_protocol`](Self::find_protocol) once you learn the `transNo`).
    pub async fn create_protocol(
        &self,
        request: &CreateProtocolRequest,
    ) -> Result<Protocol, Error> {
        self.execute(request).await
    }

    /// `find` (section 2): a protocol by `transNo`. `EP20001` is
    /// [`ProviderErrorKind::NotFound`](pay_core::ProviderErrorKind::NotFound) `{ what: "protocol" }`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn find_protocol(&self, request: &FindProtocolRequest) -> Result<Protocol, Error> {
        self.execute(request).await
    }
}

/// A protocol, as `create` and `find` return it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Protocol {
    /// `transNo`: the protocol number (协议编码).
    pub trans_no: String,
    /// `transDesc` (协议描述): what the protocol is for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trans_desc: Option<String>,
    /// `appId` (业务系统ID): the business system that opened it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// `businessId` (主体id): the business subject.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_id: Option<String>,
    /// `businessDesc` (主体描述): the subject's description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_desc: Option<String>,
    /// `channelType` (渠道编码): the protocol's channel (`LFT`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channel_type: Option<ChannelType>,
    /// `amount`: the available balance (可用金额).
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub amount: Option<Money>,
    /// `onpassageAmount`: paid in, not yet arrived (入金在途金额).
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub onpassage_amount: Option<Money>,
    /// `outAmount`: paid out (出金金额).
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub out_amount: Option<Money>,
    /// `createTime` (生成日期): when the protocol was opened, `yyyy-MM-dd HH:mm:ss`, kept as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub create_time: Option<String>,
    /// `cashierType` (账户类型): `QP` (quick pay) or `POS`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cashier_type: Option<CashierType>,
    /// Fields the provider adds, by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Protocol {
    /// Protocol `trans_no`, with no other field (set them on the value).
    pub fn new(trans_no: impl Into<String>) -> Self {
        Protocol {
            trans_no: trans_no.into(),
            trans_desc: None,
            app_id: None,
            business_id: None,
            business_desc: None,
            channel_type: None,
            amount: None,
            onpassage_amount: None,
            out_amount: None,
            create_time: None,
            cashier_type: None,
            extra: Extensions::new(),
        }
    }
}

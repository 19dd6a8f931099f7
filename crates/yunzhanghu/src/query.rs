//! Queries: one order (`query-realtime-order`) and the dealer's balances (`query-accounts`).

use pay_core::{CardNumber, Error, Extensions, IdNumber, Money, PersonName, PhoneNumber, TxStatus};
use serde::{Deserialize, Serialize};

use http::Method;
use pay_core::operation::FieldDoc;
use pay_core::{CallKind, Operation};

use crate::client::{Client, Endpoint, Response};
use crate::codes::{self, Channel, DataType, OrderStatus, StatusDetail};

/// Queries one order (`GET /api/payment/v1/query-realtime-order`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryOrder {
    /// The merchant's order id.
    pub order_id: String,
    /// The channel the order was paid through; the provider assumes a bank card when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<Channel>,
    /// `encryption` to have the answer's `data` encrypted (the client decrypts it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<DataType>,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl QueryOrder {
    /// A query for `order_id` paid through `channel`.
    pub fn new(order_id: impl Into<String>, channel: Channel) -> Self {
        QueryOrder {
            order_id: order_id.into(),
            channel: Some(channel),
            data_type: None,
            extra: Extensions::new(),
        }
    }

    /// Asks for the answer encrypted (`data_type=encryption`).
    #[must_use]
    pub fn encrypted(mut self) -> Self {
        self.data_type = Some(DataType::Encryption);
        self
    }
}

impl Operation for QueryOrder {
    type Answer = OrderDetail;
    const NAME: &'static str = "query-realtime-order";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/api/payment/v1/query-realtime-order";
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc::required(
            "order_id",
            "string, 1 to 64 characters",
            "商户订单号 (the merchant's order id to look up)",
        ),
        FieldDoc::optional(
            "channel",
            "one of 银行卡 (bank card), 支付宝 (Alipay), 微信 (WeChat); 银行卡 when left out",
            "银行卡,支付宝,微信(不填时为银行卡订单查询) (the channel the order was paid through)",
        ),
        FieldDoc::optional(
            "data_type",
            "encryption",
            "如果为encryption,则对返回的data进行加密 (encryption: the answer's data comes encrypted; the client decrypts it)",
        ),
    ];
    const EXAMPLE: &'static str = r#"{"order_id":"202609010016562012987","channel":"银行卡"}"#;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        pay_core::validate::required_max("order_id", &self.order_id, 64)?;
        if let Some(c) = &self.channel
            && !c.is_known()
        {
            return Err(Error::invalid_input(
                "channel",
                "must be one of 银行卡, 支付宝, 微信",
            ));
        }
        if let Some(DataType::Unknown(_)) = &self.data_type {
            return Err(Error::invalid_input("data_type", "must be encryption"));
        }
        Ok(())
    }
}

impl Endpoint for QueryOrder {
    const FIELDS: &'static [&'static str] = &["order_id", "channel", "data_type"];

    fn extra(&self) -> &Extensions {
        &self.extra
    }

    fn encrypted_answer(&self) -> bool {
        self.data_type == Some(DataType::Encryption)
    }
}

/// An order as the query and the status notification describe it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderDetail {
    /// The merchant's order id.
    #[serde(deserialize_with = "crate::wire::string_or_number::deserialize")]
    pub order_id: String,
    /// The amount.
    #[serde(default, with = "crate::wire::yuan_lenient")]
    pub pay: Option<Money>,
    /// The merchant's id of the payee.
    #[serde(default)]
    pub anchor_id: String,
    /// The broker's amount (`-/-` when none).
    #[serde(default)]
    pub broker_amount: String,
    /// The broker id.
    #[serde(default)]
    pub broker_id: String,
    /// The payee account: card number, Alipay account or openid.
    #[serde(default)]
    pub card_no: CardNumber,
    /// The dealer id.
    #[serde(default)]
    pub dealer_id: String,
    /// The payee's ID number.
    #[serde(default)]
    pub id_card: IdNumber,
    /// The payee's phone number.
    #[serde(default)]
    pub phone_no: PhoneNumber,
    /// The payee's name.
    #[serde(default)]
    pub real_name: PersonName,
    /// Yunzhanghu's reference.
    #[serde(
        default,
        rename = "ref",
        deserialize_with = "crate::wire::string_or_number::deserialize"
    )]
    pub reference: String,
    /// Notes.
    #[serde(default)]
    pub notes: String,
    /// The order status (appendix 1).
    #[serde(serialize_with = "codes::ser_code_as_int")]
    pub status: OrderStatus,
    /// The detailed status (appendix 2).
    #[serde(
        default,
        serialize_with = "codes::ser_opt_code_as_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub status_detail: Option<StatusDetail>,
    /// The provider's text for `status`.
    #[serde(default)]
    pub status_message: String,
    /// The provider's text for `status_detail`.
    #[serde(default)]
    pub status_detail_message: String,
    /// The system amount.
    #[serde(default, with = "crate::wire::yuan_lenient")]
    pub sys_amount: Option<Money>,
    /// The payment remark.
    #[serde(default)]
    pub pay_remark: String,
    /// The tax (`-/-` when none).
    #[serde(default)]
    pub tax: String,
    /// The tax level.
    #[serde(default)]
    pub tax_level: String,
    /// When the order was received (`yyyy-MM-dd HH:mm:ss`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// When the order was processed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_time: Option<String>,
    /// The system payment's merchant order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sys_wallet_ref: Option<String>,
    /// The system payment's transaction number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sys_bank_bill: Option<String>,
    /// The broker payment's merchant order number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_wallet_ref: Option<String>,
    /// The broker payment's transaction number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub broker_bank_bill: Option<String>,
    /// Fields the provider may add.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl OrderDetail {
    /// The provider-neutral status (read through [`crate::lifecycle::PAYOUT`]; whether it is
    /// final is on the [`transition`](Self::transition)).
    pub fn tx_status(&self) -> TxStatus {
        codes::tx_status(&self.status, self.status_detail.as_ref())
    }

    /// The business event this order's status is: the status read through
    /// [`crate::lifecycle::PAYOUT`], with the amount, `ref`, `dealer_id` and `broker_id` exactly
    /// as stated (absent ones stay `None`/unlisted). Check it with
    /// [`Client::expect`](crate::Client::expect) before acting on it.
    pub fn transition(&self) -> pay_core::Transition {
        crate::lifecycle::transition(self)
    }
}

/// Queries the dealer's balances (`GET /api/payment/v1/query-accounts`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct QueryAccounts {
    /// The dealer id; the config's when `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dealer_id: Option<String>,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Operation for QueryAccounts {
    type Answer = Accounts;
    const NAME: &'static str = "query-accounts";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/api/payment/v1/query-accounts";
    const FIELDS: &'static [FieldDoc] = &[FieldDoc::optional(
        "dealer_id",
        "string; the configured dealer id (CNPAY_YUNZHANGHU_DEALER_ID) when left out, and must equal it",
        "商户ID (the dealer (merchant) id whose balances to list)",
    )];
    const EXAMPLE: &'static str = "{}";

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        Ok(())
    }
}

impl Endpoint for QueryAccounts {
    const DEALER_ID: bool = true;
    const FIELDS: &'static [&'static str] = &["dealer_id"];

    fn extra(&self) -> &Extensions {
        &self.extra
    }
}

/// The dealer's balances, one entry per broker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Accounts {
    /// One entry per broker.
    #[serde(default)]
    pub dealer_infos: Vec<DealerInfo>,
    /// Fields the provider may add.
    #[serde(flatten)]
    pub extra: Extensions,
}

/// The balances with one broker.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DealerInfo {
    /// The broker id.
    #[serde(default)]
    pub broker_id: String,
    /// The bank-card balance.
    #[serde(default, with = "crate::wire::yuan_lenient")]
    pub bank_card_balance: Option<Money>,
    /// Whether the bank-card channel is open.
    #[serde(default)]
    pub is_bank_card: bool,
    /// The Alipay balance.
    #[serde(default, with = "crate::wire::yuan_lenient")]
    pub alipay_balance: Option<Money>,
    /// Whether the Alipay channel is open.
    #[serde(default)]
    pub is_alipay: bool,
    /// The WeChat balance.
    #[serde(default, with = "crate::wire::yuan_lenient")]
    pub wxpay_balance: Option<Money>,
    /// Whether the WeChat channel is open.
    #[serde(default)]
    pub is_wxpay: bool,
    /// The service-fee rebate balance.
    #[serde(default, with = "crate::wire::yuan_lenient")]
    pub rebate_fee_balance: Option<Money>,
    /// Fields the provider may add.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Client {
    /// Queries one order (`GET /api/payment/v1/query-realtime-order`). Read-only: safe to
    /// repeat. With `data_type=encryption` the answer is decrypted into the same type.
    ///
    /// # Errors
    /// [`Error::Provider`] with kind `NotFound` for `2011`/`2018`; transport and decode errors.
    pub async fn query_realtime_order(
        &self,
        query: &QueryOrder,
    ) -> Result<Response<OrderDetail>, Error> {
        self.execute(query).await
    }

    /// Queries the dealer's balances per broker (`GET /api/payment/v1/query-accounts`).
    ///
    /// # Errors
    /// [`Error::Provider`]; transport and decode errors.
    pub async fn query_accounts(&self, query: &QueryAccounts) -> Result<Response<Accounts>, Error> {
        self.execute(query).await
    }
}

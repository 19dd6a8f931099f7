//! Payouts (代付): `/api/trans/create_order` (section 3.1) and `/api/trans/query_order` (3.2).

use bytes::Bytes;
use http::Method;
use pay_core::operation::FieldDoc;
use pay_core::{
    CallKind, CardNumber, Error, Extensions, Money, Operation, PersonName, Timestamp, validate,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::client::{Endpoint, MchIdType};
use crate::codes::{AccountAttr, AccountType, BankCode, TransStatus};
use crate::pay::{
    EXECUTE_NOTIFY_DOC, OrderNames, check_amount, check_extra, default_currency, millis,
    no_separators, none, opt_max, opt_text, order_in, order_query, text_setters,
};
use crate::sign::{RawFields, WireParams};

/// A payout order (`/api/trans/create_order`, section 3.1.3). `mchId`, `appId` and `sign` come
/// from the client.
///
/// The branch of the payee's bank is given by `bankName` (开户行名称), optionally `bankType`
/// (联行号, the branch's clearing number), `province` and `city`.
///
/// ```
/// use aggregate_pay::{AccountType, BankCode, TransOrderRequest};
/// use pay_core::{Money, Operation};
///
/// let req = TransOrderRequest::new(
///     "T20160427210604000491",
///     Money::from_fen(12345),
///     "https://shop.example/trans-notify",
///     BankCode::ChinaMerchantsBank,
///     "招商银行",
///     AccountType::BankCard,
///     "张三",
///     "6225880137705555",
///     "江苏",
///     "南京",
/// );
/// req.validate()?;
/// assert!(!format!("{req:?}").contains("6225880137705555"));
/// # Ok::<(), pay_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TransOrderRequest {
    /// `mchTransOrderNo`, String(30): the merchant's payout number, the idempotency key.
    pub mch_trans_order_no: String,
    /// `currency`, String(3): only `cny`.
    #[serde(default = "default_currency")]
    pub currency: String,
    /// `amount` in fen, more than zero.
    #[serde(with = "pay_core::money::as_fen")]
    pub amount: Money,
    /// `clientIp`, String(32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// `device`, String(64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// `notifyUrl`, String(128): where the result notification is sent.
    pub notify_url: String,
    /// `accountAttr`: person (0, the gateway's default) or company (1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account_attr: Option<AccountAttr>,
    /// `bankType`: the branch's clearing number (联行号), digits (the spec says `int`, but
    /// real 12-digit numbers do not fit one; sent as a string of up to 20 digits).
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub bank_type: Option<String>,
    /// `bankCode`, String(32): the payee's bank (appendix 4.3, or a code the payout centre
    /// issued: an unlisted code of up to 32 letters and digits is sent as given).
    pub bank_code: BankCode,
    /// `bankName`, String(128): the name of the account's bank or branch (开户行名称).
    pub bank_name: String,
    /// `accountType`, String(1): 1 bank card, 2 WeChat, 3 Alipay, 4 other.
    pub account_type: AccountType,
    /// `accountName`, String(64): the account holder.
    pub account_name: PersonName,
    /// `accountNo`, String(64): the account number.
    pub account_no: CardNumber,
    /// `province`, String(32): the province of the account's bank.
    pub province: String,
    /// `city`, String(32): the city of the account's bank.
    pub city: String,
    /// `param1`, String(64): returned as-is in the notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param1: Option<String>,
    /// `param2`, String(64): returned as-is in the notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param2: Option<String>,
    /// Extension parameters by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl std::fmt::Debug for TransOrderRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransOrderRequest")
            .field("mch_trans_order_no", &self.mch_trans_order_no)
            .field("currency", &self.currency)
            .field("amount", &self.amount)
            .field("client_ip", &self.client_ip)
            .field("device", &self.device)
            .field("notify_url", &self.notify_url)
            .field("account_attr", &self.account_attr)
            .field("bank_type", &self.bank_type)
            .field("bank_code", &self.bank_code)
            .field("bank_name", &self.bank_name)
            .field("account_type", &self.account_type)
            .field("account_name", &self.account_name)
            .field("account_no", &self.account_no)
            .field("province", &self.province)
            .field("city", &self.city)
            .field("param1", &crate::pay::ShownParam(&self.param1))
            .field("param2", &crate::pay::ShownParam(&self.param2))
            .field("extra", &self.extra)
            .finish()
    }
}

impl TransOrderRequest {
    /// A payout with the required fields (`currency` is `cny`).
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        mch_trans_order_no: impl Into<String>,
        amount: Money,
        notify_url: impl Into<String>,
        bank_code: BankCode,
        bank_name: impl Into<String>,
        account_type: AccountType,
        account_name: impl Into<PersonName>,
        account_no: impl Into<CardNumber>,
        province: impl Into<String>,
        city: impl Into<String>,
    ) -> Self {
        TransOrderRequest {
            mch_trans_order_no: mch_trans_order_no.into(),
            currency: default_currency(),
            amount,
            client_ip: None,
            device: None,
            notify_url: notify_url.into(),
            account_attr: None,
            bank_type: None,
            bank_code,
            bank_name: bank_name.into(),
            account_type,
            account_name: account_name.into(),
            account_no: account_no.into(),
            province: province.into(),
            city: city.into(),
            param1: None,
            param2: None,
            extra: Extensions::new(),
        }
    }

    /// Sets `accountAttr`.
    #[must_use]
    pub fn account_attr(mut self, v: AccountAttr) -> Self {
        self.account_attr = Some(v);
        self
    }

    /// Sets `bankType` (联行号).
    #[must_use]
    pub fn bank_type(mut self, v: impl Into<String>) -> Self {
        self.bank_type = Some(v.into());
        self
    }

    text_setters! {
        client_ip => "clientIp",
        device => "device",
        param1 => "param1",
        param2 => "param2",
    }

    /// Adds an extension parameter.
    #[must_use]
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }
}

impl Operation for TransOrderRequest {
    type Answer = TransOrder;
    const NAME: &'static str = "trans-create-order";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/trans/create_order";
    const FIELDS: &'static [FieldDoc] = TRANS_ORDER_DOCS;
    const EXAMPLE: &'static str = r#"{"mchTransOrderNo":"T20160427210604000491","currency":"cny","amount":12345,"notifyUrl":"https://shop.example/trans-notify","accountAttr":"0","bankCode":"HPT00005","bankName":"招商银行南京分行","accountType":"1","accountName":"张三","accountNo":"6225880137705555","province":"江苏","city":"南京"}"#;

    /// A mutation: it pays out `mchTransOrderNo`.
    fn kind(&self) -> CallKind {
        CallKind::mutation(self.mch_trans_order_no.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        validate::required_max("mchTransOrderNo", &self.mch_trans_order_no, 30)?;
        validate::one_of("currency", &self.currency, &["cny"])?;
        check_amount(self.amount)?;
        opt_max("clientIp", self.client_ip.as_deref(), 32)?;
        opt_max("device", self.device.as_deref(), 64)?;
        validate::required_max("notifyUrl", &self.notify_url, 128)?;
        validate::http_url("notifyUrl", &self.notify_url)?;
        crate::notify::check_notify_url(&self.notify_url)?;
        if let Some(attr) = &self.account_attr
            && !attr.is_known()
        {
            return Err(Error::invalid_input("accountAttr", "must be 0 or 1"));
        }
        if let Some(bt) = self.bank_type.as_deref().filter(|s| !s.is_empty()) {
            // The spec types it `int` (example `123`), but a real clearing number (CNAPS 联行号)
            // has 12 digits: it is sent as a string of digits, up to 20.
            validate::digits("bankType", bt)?;
            validate::max_chars("bankType", bt, 20)?;
        }
        // The spec: "由代付中心提供的银行代码，可参考章节4.3" — codes come from the payout
        // centre and appendix 4.3 is a reference (it lists banks only, yet WeChat and Alipay
        // payouts need a code too). A code outside it is sent if it looks like one.
        if !self.bank_code.is_known() {
            let code = self.bank_code.as_str();
            validate::required_max("bankCode", code, 32)?;
            validate::ascii_alnum("bankCode", code, "")?;
        }
        validate::required_max("bankName", &self.bank_name, 128)?;
        if !self.account_type.is_known() {
            return Err(Error::invalid_input("accountType", "must be 1, 2, 3 or 4"));
        }
        validate::required_max("accountName", self.account_name.expose(), 64)?;
        validate::required_max("accountNo", self.account_no.expose(), 64)?;
        if self.account_type == AccountType::BankCard {
            self.account_no.validate_digits("accountNo")?;
        }
        validate::required_max("province", &self.province, 32)?;
        validate::required_max("city", &self.city, 32)?;
        opt_max("param1", self.param1.as_deref(), 64)?;
        opt_max("param2", self.param2.as_deref(), 64)?;
        // Echoed in the notification and the answers (see `pay::no_separators`).
        for (field, value) in [
            ("mchTransOrderNo", Some(self.mch_trans_order_no.as_str())),
            ("clientIp", self.client_ip.as_deref()),
            ("device", self.device.as_deref()),
            ("param1", self.param1.as_deref()),
            ("param2", self.param2.as_deref()),
        ] {
            no_separators(field, value)?;
        }
        check_extra(&self.extra, TRANS_ORDER_DOCS)
    }
}

impl Endpoint for TransOrderRequest {
    const MCH_ID: MchIdType = MchIdType::Long;

    fn params<'a>(&'a self, p: &mut WireParams<'a>) -> Result<(), Error> {
        p.push("mchTransOrderNo", self.mch_trans_order_no.as_str());
        p.push("currency", self.currency.as_str());
        p.push("amount", self.amount.fen());
        p.push_opt("clientIp", self.client_ip.as_deref());
        p.push_opt("device", self.device.as_deref());
        p.push("notifyUrl", self.notify_url.as_str());
        p.push_opt(
            "accountAttr",
            self.account_attr.as_ref().map(AccountAttr::as_str),
        );
        // The spec types it `int` (example `123`), but a real clearing number (CNAPS 联行号) has
        // 12 digits, beyond an `int`: it stays a string of digits (see the field's docs).
        p.push_opt("bankType", self.bank_type.as_deref());
        p.push("bankCode", self.bank_code.as_str());
        p.push("bankName", self.bank_name.as_str());
        p.push("accountType", self.account_type.as_str());
        p.push("accountName", self.account_name.expose());
        p.push("accountNo", self.account_no.expose());
        p.push("province", self.province.as_str());
        p.push("city", self.city.as_str());
        p.push_opt("param1", self.param1.as_deref());
        p.push_opt("param2", self.param2.as_deref());
        p.push_extra(&self.extra);
        Ok(())
    }

    fn answer(body: &Bytes, fields: &RawFields<'_>) -> Result<TransOrder, Error> {
        order_in::<TransOrder>(body, fields).map(TransOrder::normalise)
    }
}

/// The request fields of `trans-create-order` (section 3.1.3).
const TRANS_ORDER_DOCS: &[FieldDoc] = &[
    FieldDoc::required(
        "mchTransOrderNo",
        "string, at most 30; no `&` or `=`",
        "商户生成的订单号 (the merchant's payout number, its idempotency key)",
    ),
    FieldDoc::optional(
        "currency",
        "string(3): only `cny` (the default)",
        "三位货币代码,人民币:cny (the currency)",
    ),
    FieldDoc::required(
        "amount",
        "int: fen, > 0, at most 2147483647",
        "代付金额,单位分 (the amount, in fen)",
    ),
    FieldDoc::optional(
        "clientIp",
        "string, at most 32; no `&` or `=`",
        "客户端 IP 地址 (the client's IP address)",
    ),
    FieldDoc::optional(
        "device",
        "string, at most 64; no `&` or `=`",
        "客户端设备 (the client's device)",
    ),
    FieldDoc::required(
        "notifyUrl",
        "http(s) URL, at most 128",
        "代付结果后台回调 URL (where the result notification is sent)",
    ),
    FieldDoc::optional(
        "accountAttr",
        "string(1): 0 person (the default), 1 company",
        "账户属性 0-对私,1-对公,默认对私 (a personal or a company account)",
    ),
    FieldDoc::optional(
        "bankType",
        "digits, at most 20 (the spec's `int`; sent as a string: CNAPS numbers have 12 digits)",
        "联行号 (the branch's clearing number)",
    ),
    FieldDoc::required(
        "bankCode",
        "string, at most 32, letters and digits: appendix 4.3 (HPT00001…) or a code the payout centre issued",
        "银行代码，由代付中心提供 (the payee's bank code)",
    ),
    FieldDoc::required(
        "bankName",
        "string, at most 128",
        "开户行名称 (the name of the account's bank or branch)",
    ),
    FieldDoc::required(
        "accountType",
        "string(1): 1 bank card, 2 WeChat, 3 Alipay, 4 other",
        "账户类型 1-银行卡转账,2-微信转账,3-支付宝转账,4-其他转账 (the account type)",
    ),
    FieldDoc::required(
        "accountName",
        "string, at most 64",
        "账户名 (the account holder's name)",
    ),
    FieldDoc::required(
        "accountNo",
        "string, at most 64; digits for a bank card",
        "账户号 (the account number)",
    ),
    FieldDoc::required(
        "province",
        "string, at most 32",
        "开户行所在省份 (the province of the account's bank)",
    ),
    FieldDoc::required(
        "city",
        "string, at most 32",
        "开户行所在市 (the city of the account's bank)",
    ),
    FieldDoc::optional(
        "param1",
        "string, at most 64; no `&` or `=`",
        "扩展参数 1，支付中心回调时会原样返回 (returned as-is in the notification)",
    ),
    FieldDoc::optional(
        "param2",
        "string, at most 64; no `&` or `=`",
        "扩展参数 2，支付中心回调时会原样返回 (returned as-is in the notification)",
    ),
];

order_query! {
    /// A payout query (`/api/trans/query_order`, section 3.2.3), by `transOrderId` or
    /// `mchTransOrderNo`.
    TransQueryRequest, TRANS_ORDER,
    trans_order_id = "transOrderId" ("30"), by_trans_order_id,
    mch_trans_order_no = "mchTransOrderNo", by_mch_trans_order_no,
}

/// The payout query's names (3.2.3).
const TRANS_ORDER: OrderNames = OrderNames {
    id: "transOrderId",
    no: "mchTransOrderNo",
    id_max: 30,
};

impl Operation for TransQueryRequest {
    type Answer = TransOrder;
    const NAME: &'static str = "trans-query-order";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/trans/query_order";
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc::required_when(
            "transOrderId",
            "mchTransOrderNo is not given",
            "string, at most 30; no `&` or `=`",
            "代付中心生成的代付订单号，二者传一即可 (the gateway's payout number; give it or mchTransOrderNo)",
        ),
        FieldDoc::required_when(
            "mchTransOrderNo",
            "transOrderId is not given",
            "string, at most 30; no `&` or `=`",
            "商户生成的代付订单号，二者传一即可 (the merchant's payout number; give it or transOrderId)",
        ),
        EXECUTE_NOTIFY_DOC,
    ];
    const EXAMPLE: &'static str =
        r#"{"mchTransOrderNo":"T20160427210604000491","executeNotify":false}"#;

    /// A query: it moves no money.
    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        self.order().validate()
    }
}

impl Endpoint for TransQueryRequest {
    const MCH_ID: MchIdType = MchIdType::Long;

    fn params<'a>(&'a self, p: &mut WireParams<'a>) -> Result<(), Error> {
        self.order().params(p);
        Ok(())
    }

    fn answer(body: &Bytes, fields: &RawFields<'_>) -> Result<TransOrder, Error> {
        order_in::<TransOrder>(body, fields).map(TransOrder::normalise)
    }
}

impl crate::Client {
    /// Creates a payout (`/api/trans/create_order`). Never resent automatically.
    ///
    /// # Errors
    /// As [`Client::create_order`](crate::Client::create_order): after
    /// [`Error::UnknownOutcome`], query with
    /// [`Client::trans_query_order`](crate::Client::trans_query_order) by `mchTransOrderNo`
    /// before anything else.
    pub async fn trans_create_order(
        &self,
        request: &TransOrderRequest,
    ) -> Result<TransOrder, Error> {
        self.execute(request).await
    }

    /// Queries a payout (`/api/trans/query_order`).
    ///
    /// # Errors
    /// As [`Client::query_order`](crate::Client::query_order).
    pub async fn trans_query_order(
        &self,
        request: &TransQueryRequest,
    ) -> Result<TransOrder, Error> {
        self.execute(request).await
    }
}

/// A payout as the create answer (3.1.4) or the query (3.2.4) reports it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct TransOrder {
    /// `transOrderId`: the gateway's payout number.
    #[serde(deserialize_with = "pay_core::decode::string_or_number")]
    pub trans_order_id: String,
    /// `mchId`.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub mch_id: Option<String>,
    /// `appId` (query only).
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub app_id: Option<String>,
    /// `mchTransOrderNo`: the merchant's payout number (read from `mchOrderNo` when the gateway
    /// sends that name instead).
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub mch_trans_order_no: Option<String>,
    /// `amount` in fen.
    #[serde(with = "pay_core::money::as_fen")]
    pub amount: Money,
    /// `currency` (query only).
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub currency: Option<String>,
    /// `status`.
    pub status: TransStatus,
    /// `channelOrderNo`.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub channel_order_no: Option<String>,
    /// `createTime` (create answer): milliseconds since the epoch, as sent.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub create_time: Option<String>,
    /// `transSuccTime` (query): milliseconds since the epoch, as sent.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub trans_succ_time: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl TransOrder {
    /// A payout with the fields every answer reports; the optional ones are `None` (for tests
    /// and tools: the client reads payouts from the wire).
    pub fn new(trans_order_id: impl Into<String>, amount: Money, status: TransStatus) -> Self {
        TransOrder {
            trans_order_id: trans_order_id.into(),
            mch_id: None,
            app_id: None,
            mch_trans_order_no: None,
            amount,
            currency: None,
            status,
            channel_order_no: None,
            create_time: None,
            trans_succ_time: None,
            extra: Extensions::new(),
        }
    }

    /// `transSuccTime` as an instant, when it is a number of milliseconds.
    pub fn trans_succ_at(&self) -> Option<Timestamp> {
        millis(self.trans_succ_time.as_deref())
    }

    /// `createTime` as an instant, when it is a number of milliseconds.
    pub fn created_at(&self) -> Option<Timestamp> {
        millis(self.create_time.as_deref())
    }

    /// Fills `mch_trans_order_no` from `mchOrderNo` when the gateway used that name.
    pub(crate) fn normalise(mut self) -> Self {
        if self.mch_trans_order_no.is_none()
            && let Some(v) = self.extra.remove("mchOrderNo")
        {
            self.mch_trans_order_no = crate::sign::wire_string(&v);
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> TransOrderRequest {
        TransOrderRequest::new(
            "T1",
            Money::from_fen(12345),
            "http://domain/trans-notify",
            BankCode::ChinaMerchantsBank,
            "招商银行",
            AccountType::BankCard,
            "张三",
            "6225880137705555",
            "江苏",
            "南京",
        )
    }

    fn field_of(e: Error) -> String {
        match e {
            Error::InvalidInput { field, .. } => field.into_owned(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn validation_names_the_field() {
        assert!(req().validate().is_ok());
        // A code outside appendix 4.3 (issued by the payout centre) is sent if it looks like a
        // code; anything else is refused.
        let mut r = req();
        r.bank_code = BankCode::from_wire("WXPAY001");
        assert!(r.validate().is_ok());
        for bad in ["", "HPT 0001", "HPT-0001", "银行", &"H".repeat(33)] {
            let mut r = req();
            r.bank_code = BankCode::from_wire(bad);
            assert_eq!(field_of(r.validate().unwrap_err()), "bankCode", "{bad:?}");
        }
        let mut r = req();
        r.account_type = AccountType::from_wire("5");
        assert_eq!(field_of(r.validate().unwrap_err()), "accountType");
        let r = req().account_attr(AccountAttr::from_wire("2"));
        assert_eq!(field_of(r.validate().unwrap_err()), "accountAttr");
        let r = req().bank_type("12a");
        assert_eq!(field_of(r.validate().unwrap_err()), "bankType");
        let r = req().bank_type("1".repeat(21));
        assert_eq!(field_of(r.validate().unwrap_err()), "bankType");
        let mut r = req();
        r.account_no = "6225 8801".into();
        assert_eq!(field_of(r.validate().unwrap_err()), "accountNo");
        r.account_type = AccountType::Alipay;
        r.account_no = "a@b.example".into();
        assert!(r.validate().is_ok());
        let mut r = req();
        r.province = String::new();
        assert_eq!(field_of(r.validate().unwrap_err()), "province");
        let mut r = req();
        r.city = "市".repeat(33);
        assert_eq!(field_of(r.validate().unwrap_err()), "city");
        let mut r = req();
        r.amount = Money::from_fen(-1);
        assert_eq!(field_of(r.validate().unwrap_err()), "amount");
        let mut r = req();
        r.mch_trans_order_no = String::new();
        assert_eq!(field_of(r.validate().unwrap_err()), "mchTransOrderNo");
        let mut r = req();
        r.bank_name = String::new();
        assert_eq!(field_of(r.validate().unwrap_err()), "bankName");
        let r = req().extra("accountNo", "1");
        assert_eq!(field_of(r.validate().unwrap_err()), "extra.accountNo");
        assert_eq!(
            field_of(TransQueryRequest::default().validate().unwrap_err()),
            "mchTransOrderNo"
        );
    }
}

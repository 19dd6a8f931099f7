//! Pay orders: `/api/pay/create_order` (section 2.1) and `/api/pay/query_order` (2.2).

use std::borrow::Cow;

use bytes::Bytes;
use http::Method;
use pay_core::operation::FieldDoc;
use pay_core::{
    CallKind, CardNumber, Error, Extensions, Money, Operation, PaymentAction, PersonName,
    Timestamp, validate,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::client::{Endpoint, MchIdType};
use crate::codes::{PayStatus, ProductId};
use crate::sign::{RawFields, WireParams};

/// The largest amount the gateway's `int` fields hold, in fen.
pub(crate) const MAX_AMOUNT_FEN: i64 = i32::MAX as i64;

pub(crate) fn default_currency() -> String {
    "cny".to_owned()
}

/// Checks an amount: more than zero fen and within the gateway's `int`.
pub(crate) fn check_amount(amount: Money) -> Result<(), Error> {
    validate::positive("amount", amount)?;
    if amount.fen() > MAX_AMOUNT_FEN {
        return Err(Error::invalid_input(
            "amount",
            "must be at most 2147483647 fen (the gateway's int)",
        ));
    }
    Ok(())
}

/// Checks an optional field's length.
pub(crate) fn opt_max(field: &'static str, value: Option<&str>, max: usize) -> Result<(), Error> {
    match value {
        Some(v) => validate::max_chars(field, v, max),
        None => Ok(()),
    }
}

/// Checks an optional URL: at most `max` characters and a well-formed http(s) URL; an empty one
/// is not sent, so it passes.
pub(crate) fn opt_url(field: &'static str, value: Option<&str>, max: usize) -> Result<(), Error> {
    opt_max(field, value, max)?;
    validate::opt_url(field, value.filter(|v| !v.is_empty()))
}

/// Checks a field the gateway echoes back in what it signs (an answer, a notification): no `&`
/// and no `=`. The sign string joins `name=value` with `&`, so an echoed `z&mchOrderNo=B` would
/// let a genuine notification be re-read as one for order `B`; the client refuses to verify
/// such a value, so it refuses to send one first.
pub(crate) fn no_separators(field: &'static str, value: Option<&str>) -> Result<(), Error> {
    match value {
        Some(v) if v.contains(['&', '=']) => Err(Error::invalid_input(
            field,
            "must not contain `&` or `=` (the gateway echoes it in a `name=value&…` sign string)",
        )),
        _ => Ok(()),
    }
}

/// Checks extension parameters: no empty or ambiguous name, no name the client sets itself
/// (`sign`, `mchId`, `appId`) and none of the operation's documented fields (`FIELDS`).
pub(crate) fn check_extra(extra: &Map<String, Value>, fields: &[FieldDoc]) -> Result<(), Error> {
    for name in extra.keys() {
        if name.is_empty() {
            return Err(Error::invalid_input("extra", "has an empty parameter name"));
        }
        if !sign_md5::name_is_unambiguous(name) {
            return Err(Error::invalid_input(
                format!("extra.{name}"),
                "a parameter name must hold neither `&` nor `=`",
            ));
        }
    }
    validate::extra_disjoint(extra, &["sign", "mchId", "appId"])?;
    let typed: Vec<&str> = fields.iter().map(|f| f.name).collect();
    validate::extra_disjoint(extra, &typed)
}

/// Builder methods that set optional text fields: `field => "wireName"`.
macro_rules! text_setters {
    ($($field:ident => $wire:literal),* $(,)?) => {
        $(
            #[doc = concat!("Sets `", $wire, "`.")]
            #[must_use]
            pub fn $field(mut self, v: impl Into<String>) -> Self {
                self.$field = Some(v.into());
                self
            }
        )*
    };
}
pub(crate) use text_setters;

/// `Debug` of `param1` / `param2`, which echo what the merchant sent: for online banking
/// `param1` is `bankCode;name;account`, whose name and account are masked; in any other value a
/// run of seven or more digits keeps only its last four.
pub(crate) struct ShownParam<'a>(pub(crate) &'a Option<String>);

impl std::fmt::Debug for ShownParam<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0.as_deref().map(mask_param), f)
    }
}

fn mask_param(s: &str) -> String {
    let parts: Vec<&str> = s.split(';').collect();
    if let [bank, name, account] = parts.as_slice() {
        return format!(
            "{bank};{};{}",
            pay_core::pii::mask_name(name),
            pay_core::pii::mask_card_number(account)
        );
    }
    pay_core::pii::mask_digit_runs(s)
}

/// The remitter of an online-banking payment (product 8000), sent in `param1` as
/// `bankCode;name;account`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Remitter {
    /// The remitter's bank code (汇款人银行代码).
    pub bank_code: String,
    /// The remitter's account name (汇款人户名).
    pub name: PersonName,
    /// The remitter's account number (汇款人帐户号).
    pub account: CardNumber,
}

impl Remitter {
    /// A remitter.
    pub fn new(
        bank_code: impl Into<String>,
        name: impl Into<PersonName>,
        account: impl Into<CardNumber>,
    ) -> Self {
        Remitter {
            bank_code: bank_code.into(),
            name: name.into(),
            account: account.into(),
        }
    }

    /// The `param1` text, checked: three non-empty parts without `;`, at most 64 characters.
    fn param1(&self) -> Result<String, Error> {
        for (field, v) in [
            ("param1.bankCode", self.bank_code.as_str()),
            ("param1.name", self.name.expose()),
            ("param1.account", self.account.expose()),
        ] {
            validate::required(field, v)?;
            if v.contains(';') {
                return Err(Error::invalid_input(field, "must not contain `;`"));
            }
        }
        let s = format!(
            "{};{};{}",
            self.bank_code.trim(),
            self.name.expose().trim(),
            self.account.expose().trim()
        );
        validate::max_chars("param1", &s, 64)?;
        Ok(s)
    }
}

/// A pay order (`/api/pay/create_order`, section 2.1.4). `mchId`, `appId` and `sign` come from
/// the client.
///
/// ```
/// use aggregate_pay::{CreateOrderRequest, ProductId};
/// use pay_core::{Money, Operation};
///
/// let req = CreateOrderRequest::new(
///     "20160427210604000490",
///     ProductId::WechatQr,
///     Money::from_fen(100),
///     "https://shop.example/notify",
///     "测试商品名称",
///     "测试商品描述",
/// )
/// .client_ip("210.73.10.148");
/// req.validate()?;
/// # Ok::<(), pay_core::Error>(())
/// ```
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateOrderRequest {
    /// `mchOrderNo`, String(30): the merchant's order number, the identity of the order.
    pub mch_order_no: String,
    /// `productId`: the pay product (appendix 4.1).
    pub product_id: ProductId,
    /// `currency`, String(3): only `cny` (amounts are [`Money`], which is CNY).
    #[serde(default = "default_currency")]
    pub currency: String,
    /// `amount`: in fen, more than zero.
    #[serde(with = "pay_core::money::as_fen")]
    pub amount: Money,
    /// `clientIp`, String(32).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// `device`, String(64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// `returnUrl`, String(128): where the payer's browser goes afterwards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// `notifyUrl`, String(128): where the result notification is sent.
    pub notify_url: String,
    /// `subject`, String(64).
    pub subject: String,
    /// `body`, String(256).
    pub body: String,
    /// `param1`, String(64): returned as-is in the notification. For online banking (8000) it
    /// is required and holds `bankCode;name;account` of the remitter: set it with
    /// [`CreateOrderRequest::remitter`] instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param1: Option<String>,
    /// `param2`, String(64): returned as-is in the notification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub param2: Option<String>,
    /// The remitter of an online-banking payment, sent as `param1`.
    #[serde(skip)]
    pub remitter: Option<Remitter>,
    /// Extension parameters by wire name (e.g. `extra` with a WeChat `openId`); an object or
    /// array is sent as its JSON text.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl std::fmt::Debug for CreateOrderRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreateOrderRequest")
            .field("mch_order_no", &self.mch_order_no)
            .field("product_id", &self.product_id)
            .field("currency", &self.currency)
            .field("amount", &self.amount)
            .field("client_ip", &self.client_ip)
            .field("device", &self.device)
            .field("return_url", &self.return_url)
            .field("notify_url", &self.notify_url)
            .field("subject", &self.subject)
            .field("body", &self.body)
            .field("param1", &crate::pay::ShownParam(&self.param1))
            .field("param2", &crate::pay::ShownParam(&self.param2))
            .field("remitter", &self.remitter)
            .field("extra", &self.extra)
            .finish()
    }
}

impl CreateOrderRequest {
    /// A pay order with the required fields (`currency` is `cny`).
    pub fn new(
        mch_order_no: impl Into<String>,
        product_id: ProductId,
        amount: Money,
        notify_url: impl Into<String>,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Self {
        CreateOrderRequest {
            mch_order_no: mch_order_no.into(),
            product_id,
            currency: default_currency(),
            amount,
            client_ip: None,
            device: None,
            return_url: None,
            notify_url: notify_url.into(),
            subject: subject.into(),
            body: body.into(),
            param1: None,
            param2: None,
            remitter: None,
            extra: Extensions::new(),
        }
    }

    text_setters! {
        client_ip => "clientIp",
        device => "device",
        return_url => "returnUrl",
        param1 => "param1",
        param2 => "param2",
    }

    /// Sets the remitter of an online-banking (8000) payment (sent as `param1`).
    #[must_use]
    pub fn remitter(mut self, remitter: Remitter) -> Self {
        self.remitter = Some(remitter);
        self
    }

    /// Adds an extension parameter.
    #[must_use]
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.extra.insert(name.into(), value.into());
        self
    }

    /// The `param1` that is sent.
    fn param1_value(&self) -> Result<Option<Cow<'_, str>>, Error> {
        let param1 = self.param1.as_deref().filter(|s| !s.is_empty());
        match (&self.remitter, param1) {
            (Some(_), Some(_)) => Err(Error::invalid_input(
                "param1",
                "set either param1 or the remitter, not both",
            )),
            (Some(r), None) => r.param1().map(|p| Some(Cow::Owned(p))),
            (None, p) => Ok(p.map(Cow::Borrowed)),
        }
    }
}

impl Operation for CreateOrderRequest {
    type Answer = CreateOrderResponse;
    const NAME: &'static str = "pay-create-order";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/pay/create_order";
    const FIELDS: &'static [FieldDoc] = CREATE_ORDER_DOCS;
    const EXAMPLE: &'static str = r#"{"productId":8002,"mchOrderNo":"20160427210604000490","currency":"cny","amount":100,"clientIp":"210.73.10.148","device":"ios10.3.1","returnUrl":"https://shop.example/return.htm","notifyUrl":"https://shop.example/notify.htm","subject":"测试商品名称","body":"测试商品描述"}"#;

    /// A mutation: it creates the order `mchOrderNo`.
    fn kind(&self) -> CallKind {
        CallKind::mutation(self.mch_order_no.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        validate::required_max("mchOrderNo", &self.mch_order_no, 30)?;
        if let ProductId::Unknown(s) = &self.product_id {
            validate::digits("productId", s)?;
        }
        product_number(&self.product_id)?;
        validate::one_of("currency", &self.currency, &["cny"])?;
        check_amount(self.amount)?;
        opt_max("clientIp", self.client_ip.as_deref(), 32)?;
        opt_max("device", self.device.as_deref(), 64)?;
        opt_url("returnUrl", self.return_url.as_deref(), 128)?;
        validate::required_max("notifyUrl", &self.notify_url, 128)?;
        validate::http_url("notifyUrl", &self.notify_url)?;
        crate::notify::check_notify_url(&self.notify_url)?;
        validate::required_max("subject", &self.subject, 64)?;
        validate::required_max("body", &self.body, 256)?;
        let param1 = self.param1_value()?;
        opt_max("param1", param1.as_deref(), 64)?;
        opt_max("param2", self.param2.as_deref(), 64)?;
        // Echoed in the notification and the query answer (the spec's `param1`/`param2`, and
        // what an XxPay-style gateway adds: the order number, subject, body, client IP, device).
        for (field, value) in [
            ("mchOrderNo", Some(self.mch_order_no.as_str())),
            ("clientIp", self.client_ip.as_deref()),
            ("device", self.device.as_deref()),
            ("subject", Some(self.subject.as_str())),
            ("body", Some(self.body.as_str())),
            ("param1", param1.as_deref()),
            ("param2", self.param2.as_deref()),
        ] {
            no_separators(field, value)?;
        }
        if self.product_id == ProductId::OnlineBanking {
            let Some(p) = param1.as_deref() else {
                return Err(Error::invalid_input(
                    "param1",
                    "is required for online banking (8000): the remitter's bank code;name;account",
                ));
            };
            let parts: Vec<&str> = p.split(';').collect();
            if parts.len() != 3 || parts.iter().any(|s| s.trim().is_empty()) {
                return Err(Error::invalid_input(
                    "param1",
                    "for online banking (8000) must be bankCode;name;account",
                ));
            }
        }
        check_extra(&self.extra, CREATE_ORDER_DOCS)
    }
}

impl Endpoint for CreateOrderRequest {
    const MCH_ID: MchIdType = MchIdType::Long;

    fn params<'a>(&'a self, p: &mut WireParams<'a>) -> Result<(), Error> {
        p.push("productId", product_number(&self.product_id)?);
        p.push("mchOrderNo", self.mch_order_no.as_str());
        p.push("currency", self.currency.as_str());
        p.push("amount", self.amount.fen());
        p.push_opt("clientIp", self.client_ip.as_deref());
        p.push_opt("device", self.device.as_deref());
        p.push_opt("returnUrl", self.return_url.as_deref());
        p.push("notifyUrl", self.notify_url.as_str());
        p.push("subject", self.subject.as_str());
        p.push("body", self.body.as_str());
        if let Some(param1) = self.param1_value()? {
            p.push("param1", param1.into_owned());
        }
        p.push_opt("param2", self.param2.as_deref());
        p.push_extra(&self.extra);
        Ok(())
    }

    fn answer(body: &Bytes, _fields: &RawFields<'_>) -> Result<CreateOrderResponse, Error> {
        pay_core::decode::json(body)
    }
}

/// `productId` as the `int` the spec sends.
fn product_number(product: &ProductId) -> Result<i32, Error> {
    product.as_str().parse().map_err(|_| {
        Error::invalid_input("productId", "must be an int (digits, at most 2147483647)")
    })
}

/// The request fields of `pay-create-order` (section 2.1.4).
const CREATE_ORDER_DOCS: &[FieldDoc] = &[
    FieldDoc::required(
        "productId",
        "int: a pay product of appendix 4.1 (8000–8019)",
        "支付产品 ID (the pay product)",
    ),
    FieldDoc::required(
        "mchOrderNo",
        "string, at most 30; no `&` or `=`",
        "商户生成的订单号 (the merchant's order number)",
    ),
    FieldDoc::optional(
        "currency",
        "string(3): only `cny` (the default)",
        "三位货币代码,人民币:cny (the currency)",
    ),
    FieldDoc::required(
        "amount",
        "int: fen, > 0, at most 2147483647",
        "支付金额,单位分 (the amount, in fen)",
    ),
    FieldDoc::optional(
        "clientIp",
        "string, at most 32; no `&` or `=`",
        "客户端 IP 地址 (the payer's IP address)",
    ),
    FieldDoc::optional(
        "device",
        "string, at most 64; no `&` or `=`",
        "客户端设备 (the payer's device)",
    ),
    FieldDoc::optional(
        "returnUrl",
        "http(s) URL, at most 128",
        "支付结果前端跳转 URL (where the payer's browser goes afterwards)",
    ),
    FieldDoc::required(
        "notifyUrl",
        "http(s) URL, at most 128",
        "支付结果后台回调 URL (where the result notification is sent)",
    ),
    FieldDoc::required(
        "subject",
        "string, at most 64; no `&` or `=`",
        "商品主题 (the goods' title)",
    ),
    FieldDoc::required(
        "body",
        "string, at most 256; no `&` or `=`",
        "商品描述信息 (the goods' description)",
    ),
    FieldDoc::required_when(
        "param1",
        "productId is 8000 (网银支付)",
        "string, at most 64: `bankCode;name;account` for 8000; no `&` or `=`",
        "扩展参数 1，支付中心回调时会原样返回；网银支付必填：汇款人银行代码;汇款人户名;汇款人帐户号 (returned as-is in the notification; for online banking, the remitter)",
    ),
    FieldDoc::optional(
        "param2",
        "string, at most 64; no `&` or `=`",
        "扩展参数 2，支付中心回调时会原样返回 (returned as-is in the notification)",
    ),
];

/// The answer to a pay order (section 2.1.5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CreateOrderResponse {
    /// `payOrderId`: the gateway's order number.
    #[serde(deserialize_with = "pay_core::decode::string_or_number")]
    pub pay_order_id: String,
    /// `payParams`: what the payer needs to pay (not covered by the sign).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_params: Option<PayParams>,
    /// Every other field (`retCode`, `retMsg`, `sign`, fields the gateway adds).
    #[serde(flatten)]
    pub extra: Extensions,
}

impl CreateOrderResponse {
    /// An answer for gateway order `pay_order_id` with `payParams` (for tests and tools: the
    /// client reads answers from the wire).
    pub fn new(pay_order_id: impl Into<String>, pay_params: Option<PayParams>) -> Self {
        CreateOrderResponse {
            pay_order_id: pay_order_id.into(),
            pay_params,
            extra: Extensions::new(),
        }
    }

    /// What the payer must do next, from `payParams.payUrl` (see [`parse_pay_url`]);
    /// [`PaymentAction::None`] when there is no `payUrl`.
    pub fn action(&self) -> PaymentAction {
        self.pay_params
            .as_ref()
            .and_then(|p| p.pay_url.as_deref())
            .map_or(PaymentAction::None, parse_pay_url)
    }
}

/// `payParams` of a pay order answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayParams {
    /// `payUrl`: the payment address (never URL-decode it; see [`parse_pay_url`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_url: Option<String>,
    /// Other parameters for invoking the payment channel.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl PayParams {
    /// `payParams` with `payUrl`.
    pub fn with_pay_url(pay_url: impl Into<String>) -> Self {
        PayParams {
            pay_url: Some(pay_url.into()),
            extra: Extensions::new(),
        }
    }
}

/// Turns a `payUrl` into what the payer must do (section 2.1.5):
///
/// * `POST;url?a=b&c=d` → a form POST of the fields `a`, `c` to `url` (the part before the
///   first `?`). The query is decoded once, as `application/x-www-form-urlencoded` (`%XX` and
///   `+`), into field values that the browser form encodes again when it posts them; the URL
///   itself is kept as given. `POST;url` without `?` posts no fields.
/// * anything else → a redirect to the URL exactly as given (the spec warns against decoding
///   it).
/// * an empty string → [`PaymentAction::None`].
///
/// ```
/// use aggregate_pay::parse_pay_url;
/// use pay_core::PaymentAction;
///
/// assert_eq!(
///     parse_pay_url("POST;https://bank.example/pay?orderId=1&sign=a%2Bb"),
///     PaymentAction::FormPost {
///         url: "https://bank.example/pay".into(),
///         fields: vec![("orderId".into(), "1".into()), ("sign".into(), "a+b".into())],
///     }
/// );
/// assert_eq!(
///     parse_pay_url("http://127.0.0.1:3020/api/qrcode/create_qrcode?params=https%3A%2F%2Fqr"),
///     PaymentAction::Redirect { url: "http://127.0.0.1:3020/api/qrcode/create_qrcode?params=https%3A%2F%2Fqr".into() }
/// );
/// ```
pub fn parse_pay_url(pay_url: &str) -> PaymentAction {
    let s = pay_url.trim();
    if s.is_empty() {
        return PaymentAction::None;
    }
    let is_post = s.get(..5).is_some_and(|p| p.eq_ignore_ascii_case("POST;"));
    if !is_post {
        return PaymentAction::Redirect { url: s.to_owned() };
    }
    let rest = s.get(5..).unwrap_or_default().trim_start();
    match rest.split_once('?') {
        Some((url, query)) => PaymentAction::FormPost {
            url: url.to_owned(),
            fields: pay_core::form::decode(query.as_bytes()),
        },
        None => PaymentAction::FormPost {
            url: rest.to_owned(),
            fields: Vec::new(),
        },
    }
}

/// Declares a query request (2.2.3, 3.2.3): the gateway's id or the merchant's number,
/// `executeNotify` and extension parameters, with its constructors and its [`OrderRef`]. The
/// two queries differ only in their field names; their `Operation` impls stay written out.
macro_rules! order_query {
    (
        $(#[$meta:meta])*
        $name:ident, $names:expr,
        $id:ident = $id_wire:literal ($id_len:literal), $by_id:ident,
        $no:ident = $no_wire:literal, $by_no:ident $(,)?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        #[non_exhaustive]
        pub struct $name {
            #[doc = concat!("`", $id_wire, "`, String(", $id_len, "): the gateway's number.")]
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $id: Option<String>,
            #[doc = concat!("`", $no_wire, "`, String(30): the merchant's number.")]
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub $no: Option<String>,
            /// `executeNotify`: when `true` the gateway sends the notification once more.
            #[serde(
                default,
                deserialize_with = "pay_core::decode::opt_bool_or_text",
                skip_serializing_if = "Option::is_none"
            )]
            pub execute_notify: Option<bool>,
            /// Extension parameters by wire name.
            #[serde(flatten)]
            pub extra: Extensions,
        }

        impl $name {
            #[doc = concat!("A query by the merchant's number (`", $no_wire, "`).")]
            pub fn $by_no(no: impl Into<String>) -> Self {
                $name {
                    $no: Some(no.into()),
                    ..Self::default()
                }
            }

            #[doc = concat!("A query by the gateway's number (`", $id_wire, "`).")]
            pub fn $by_id(id: impl Into<String>) -> Self {
                $name {
                    $id: Some(id.into()),
                    ..Self::default()
                }
            }

            /// Sets `executeNotify`.
            #[must_use]
            pub fn execute_notify(mut self, v: bool) -> Self {
                self.execute_notify = Some(v);
                self
            }

            fn order(&self) -> $crate::pay::OrderRef<'_> {
                $crate::pay::OrderRef {
                    names: &$names,
                    id: self.$id.as_deref(),
                    no: self.$no.as_deref(),
                    execute_notify: self.execute_notify,
                    extra: &self.extra,
                }
            }
        }
    };
}
pub(crate) use order_query;

order_query! {
    /// A pay order query (`/api/pay/query_order`, section 2.2.3), by `payOrderId` or
    /// `mchOrderNo`.
    QueryOrderRequest, PAY_ORDER,
    pay_order_id = "payOrderId" ("32"), by_pay_order_id,
    mch_order_no = "mchOrderNo", by_mch_order_no,
}

impl Operation for QueryOrderRequest {
    type Answer = PayOrder;
    const NAME: &'static str = "pay-query-order";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = "/api/pay/query_order";
    const FIELDS: &'static [FieldDoc] = &[
        FieldDoc::required_when(
            "payOrderId",
            "mchOrderNo is not given",
            "string, at most 32 (the table says 30; the gateway issues 32); no `&` or `=`",
            "支付中心生成的订单号，与 mchOrderNo 二者传一即可 (the gateway's order number; give it or mchOrderNo)",
        ),
        FieldDoc::required_when(
            "mchOrderNo",
            "payOrderId is not given",
            "string, at most 30; no `&` or `=`",
            "商户生成的订单号，与 payOrderId 二者传一即可 (the merchant's order number; give it or payOrderId)",
        ),
        EXECUTE_NOTIFY_DOC,
    ];
    const EXAMPLE: &'static str = r#"{"mchOrderNo":"20160427210604000490","executeNotify":false}"#;

    /// A query: it moves no money.
    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        self.order().validate()
    }
}

impl Endpoint for QueryOrderRequest {
    /// 2.2.3 types `mchId` `String(30)`, unlike every other request table.
    const MCH_ID: MchIdType = MchIdType::Text;

    fn params<'a>(&'a self, p: &mut WireParams<'a>) -> Result<(), Error> {
        self.order().params(p);
        Ok(())
    }

    fn answer(body: &Bytes, fields: &RawFields<'_>) -> Result<PayOrder, Error> {
        order_in(body, fields)
    }
}

impl crate::Client {
    /// Creates a pay order (`/api/pay/create_order`); [`CreateOrderResponse::action`] says
    /// what the payer must do.
    ///
    /// # Errors
    /// * [`Error::InvalidInput`]: nothing was sent.
    /// * [`Error::UnknownOutcome`]: sent, no answer; query the order by `mchOrderNo`.
    /// * [`Error::Provider`] with
    ///   [`ProviderErrorKind::RetrySameParams`](pay_core::ProviderErrorKind::RetrySameParams)
    ///   (code `0010`): call this method again with the same request (it signs to the same
    ///   bytes), never with a new order number.
    /// * [`Error::Provider`] with
    ///   [`ProviderErrorKind::DuplicateOrder`](pay_core::ProviderErrorKind::DuplicateOrder)
    ///   (code `0011`, or a message saying the order number was used before): query the order.
    /// * [`Error::Provider`] (`retCode=FAIL` or `resCode=FAIL`): refused.
    /// * [`Error::Signature`], [`Error::HttpStatus`], [`Error::Decode`]: the answer cannot be
    ///   trusted or read; query the order.
    pub async fn create_order(
        &self,
        request: &CreateOrderRequest,
    ) -> Result<CreateOrderResponse, Error> {
        self.execute(request).await
    }

    /// Queries a pay order (`/api/pay/query_order`). The gateway answers the order either
    /// nested in `result` (signed as its exact text) or as top-level fields; both are read.
    ///
    /// # Errors
    /// As [`Client::create_order`](crate::Client::create_order), except that a query moved no
    /// money: a transport failure is [`Error::Transport`], and an answer that cannot be trusted
    /// or read is retry-safe, carries no order id and never
    /// [`needs_query`](Error::needs_query). Send it again.
    pub async fn query_order(&self, request: &QueryOrderRequest) -> Result<PayOrder, Error> {
        self.execute(request).await
    }
}

/// The documentation of `executeNotify` (2.2.3 and 3.2.3).
pub(crate) const EXECUTE_NOTIFY_DOC: FieldDoc = FieldDoc::optional(
    "executeNotify",
    "Boolean",
    "是否执行回调：true 则支付中心会再次向商户发起一次回调 (true: the gateway sends the notification once more)",
);

/// The wire names of a query's two ways of naming an order, and the longest gateway id.
pub(crate) struct OrderNames {
    /// The gateway's id (`payOrderId`, `transOrderId`).
    pub(crate) id: &'static str,
    /// The merchant's number (`mchOrderNo`, `mchTransOrderNo`).
    pub(crate) no: &'static str,
    /// The gateway id's longest length.
    pub(crate) id_max: usize,
}

/// The pay order query's names. The query table says String(30) for payOrderId, but
/// create_order's answer (2.1.5) gives the gateway's own id as String(32): an id the gateway
/// issued must be queryable.
const PAY_ORDER: OrderNames = OrderNames {
    id: "payOrderId",
    no: "mchOrderNo",
    id_max: 32,
};

/// A query's order reference (2.2.3, 3.2.3): the gateway's id or the merchant's number,
/// `executeNotify` and extension parameters.
pub(crate) struct OrderRef<'a> {
    pub(crate) names: &'static OrderNames,
    pub(crate) id: Option<&'a str>,
    pub(crate) no: Option<&'a str>,
    pub(crate) execute_notify: Option<bool>,
    pub(crate) extra: &'a Extensions,
}

impl<'a> OrderRef<'a> {
    /// Checks that one of the two is given, their lengths, and the extension parameters.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        let OrderNames { id, no, id_max } = *self.names;
        let id_value = self.id.filter(|s| !s.is_empty());
        let no_value = self.no.filter(|s| !s.is_empty());
        if id_value.is_none() && no_value.is_none() {
            return Err(Error::invalid_input(
                no,
                format!("one of {id} and {no} is required"),
            ));
        }
        opt_max(id, id_value, id_max)?;
        opt_max(no, no_value, 30)?;
        no_separators(id, id_value)?;
        no_separators(no, no_value)?;
        check_extra(self.extra, &[])?;
        validate::extra_disjoint(self.extra, &[id, no, "executeNotify"])
    }

    /// Appends the parameters, `executeNotify` as the spec's Boolean.
    pub(crate) fn params(&self, p: &mut WireParams<'a>) {
        p.push_opt(self.names.id, self.id);
        p.push_opt(self.names.no, self.no);
        if let Some(b) = self.execute_notify {
            p.push("executeNotify", b);
        }
        p.push_extra(self.extra);
    }
}

/// Decodes an order from the nested `result` (an object, or a string holding one) or, when
/// there is none, from the top-level fields.
pub(crate) fn order_in<T: DeserializeOwned>(
    body: &Bytes,
    fields: &RawFields<'_>,
) -> Result<T, Error> {
    match fields.raw("result") {
        Some(raw) if raw.get().starts_with('{') => pay_core::decode::json(raw.get().as_bytes()),
        Some(raw) if raw.get().starts_with('"') => {
            let text: String = pay_core::decode::json(raw.get().as_bytes())?;
            pay_core::decode::json_str(&text)
        }
        _ => pay_core::decode::json(body),
    }
}

/// A pay order as the query reports it (section 2.2.4).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PayOrder {
    /// `mchId`.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub mch_id: Option<String>,
    /// `appId`.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub app_id: Option<String>,
    /// `productId`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_id: Option<ProductId>,
    /// `payOrderId`: the gateway's order number.
    #[serde(deserialize_with = "pay_core::decode::string_or_number")]
    pub pay_order_id: String,
    /// `mchOrderNo`: the merchant's order number.
    #[serde(deserialize_with = "pay_core::decode::string_or_number")]
    pub mch_order_no: String,
    /// `amount` in fen.
    #[serde(with = "pay_core::money::as_fen")]
    pub amount: Money,
    /// `currency`.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub currency: Option<String>,
    /// `status`.
    pub status: PayStatus,
    /// `channelUser`: the payer's id at the channel.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub channel_user: Option<String>,
    /// `channelOrderNo`: the channel's order number.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub channel_order_no: Option<String>,
    /// `channelAttach`: the channel's data package, as sent.
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub channel_attach: Option<String>,
    /// `paySuccTime`: milliseconds since the epoch, as sent (see [`PayOrder::pay_succ_at`]).
    #[serde(default, deserialize_with = "opt_text", skip_serializing_if = "none")]
    pub pay_succ_time: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl PayOrder {
    /// An order with the fields the query always reports; the optional ones are `None` (for
    /// tests and tools: the client reads orders from the wire).
    pub fn new(
        pay_order_id: impl Into<String>,
        mch_order_no: impl Into<String>,
        amount: Money,
        status: PayStatus,
    ) -> Self {
        PayOrder {
            mch_id: None,
            app_id: None,
            product_id: None,
            pay_order_id: pay_order_id.into(),
            mch_order_no: mch_order_no.into(),
            amount,
            currency: None,
            status,
            channel_user: None,
            channel_order_no: None,
            channel_attach: None,
            pay_succ_time: None,
            extra: Extensions::new(),
        }
    }

    /// `paySuccTime` as an instant, when it is a number of milliseconds.
    pub fn pay_succ_at(&self) -> Option<Timestamp> {
        millis(self.pay_succ_time.as_deref())
    }
}

/// An optional text field of an answer, read from a string or any scalar
/// ([`pay_core::decode::opt_string_or_scalar`]).
pub(crate) fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    pay_core::decode::opt_string_or_scalar(d)
}

/// Whether an optional field is left out of the JSON written (`None`).
pub(crate) fn none<T>(value: &Option<T>) -> bool {
    value.is_none()
}

/// A millisecond count as an instant.
pub(crate) fn millis(v: Option<&str>) -> Option<Timestamp> {
    v?.trim()
        .parse::<i64>()
        .ok()
        .map(Timestamp::from_unix_millis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req() -> CreateOrderRequest {
        CreateOrderRequest::new(
            "O1",
            ProductId::UnionPayQuick,
            Money::from_fen(100),
            "http://domain/notify.htm",
            "s",
            "b",
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
        let mut r = req();
        r.amount = Money::ZERO;
        assert_eq!(field_of(r.validate().unwrap_err()), "amount");
        r.amount = Money::from_fen(MAX_AMOUNT_FEN + 1);
        assert_eq!(field_of(r.validate().unwrap_err()), "amount");
        let mut r = req();
        r.mch_order_no = "1".repeat(31);
        assert_eq!(field_of(r.validate().unwrap_err()), "mchOrderNo");
        let mut r = req();
        r.notify_url = "not a url".into();
        assert_eq!(field_of(r.validate().unwrap_err()), "notifyUrl");
        let r = req().return_url("ftp://x/y");
        assert_eq!(field_of(r.validate().unwrap_err()), "returnUrl");
        let mut r = req();
        r.subject = "字".repeat(65);
        assert_eq!(field_of(r.validate().unwrap_err()), "subject");
        r.subject = "字".repeat(64);
        assert!(r.validate().is_ok());
        let mut r = req();
        r.currency = "usd".into();
        assert_eq!(field_of(r.validate().unwrap_err()), "currency");
        let mut r = req();
        r.product_id = ProductId::Unknown("80x".into());
        assert_eq!(field_of(r.validate().unwrap_err()), "productId");
        r.product_id = ProductId::Unknown("8020".into());
        assert!(r.validate().is_ok());
        let r = req().extra("mchId", "1");
        assert_eq!(field_of(r.validate().unwrap_err()), "extra.mchId");
        let r = req().extra("amount", "1");
        assert_eq!(field_of(r.validate().unwrap_err()), "extra.amount");
        let r = req().param2("x".repeat(65));
        assert_eq!(field_of(r.validate().unwrap_err()), "param2");
    }

    #[test]
    fn online_banking_needs_the_remitter() {
        let mut r = req();
        r.product_id = ProductId::OnlineBanking;
        assert_eq!(field_of(r.validate().unwrap_err()), "param1");
        let r2 = r.clone().param1("ICBC;张三");
        assert_eq!(field_of(r2.validate().unwrap_err()), "param1");
        let r3 = r
            .clone()
            .remitter(Remitter::new("ICBC", "张三", "6222020000000000"));
        let p = r3.param1_value().unwrap();
        assert_eq!(p.as_deref(), Some("ICBC;张三;6222020000000000"));
        assert!(r3.validate().is_ok());
        let r4 = r3.clone().param1("x");
        assert_eq!(field_of(r4.validate().unwrap_err()), "param1");
        let r5 = r.clone().remitter(Remitter::new("IC;BC", "张三", "1"));
        assert_eq!(field_of(r5.validate().unwrap_err()), "param1.bankCode");
        let r6 = r.remitter(Remitter::new("ICBC", "张三", "1".repeat(60)));
        assert_eq!(field_of(r6.validate().unwrap_err()), "param1");
        // PII stays masked in Debug
        let dbg = format!("{r3:?}");
        assert!(
            !dbg.contains("6222020000000000") && !dbg.contains("张三"),
            "{dbg}"
        );
    }

    #[test]
    fn params_are_masked_in_debug() {
        assert_eq!(
            mask_param("ICBC;张三;6222020000000000"),
            "ICBC;张*;6222********0000"
        );
        assert_eq!(mask_param("order 13812345678 x"), "order *******5678 x");
        assert_eq!(mask_param("a;b"), "a;b");
        let r = req()
            .param1("ICBC;张三;6222020000000000")
            .param2("13812345678");
        let dbg = format!("{r:?} {r:#?}");
        for secret in ["6222020000000000", "张三", "13812345678"] {
            assert!(!dbg.contains(secret), "{secret} in {dbg}");
        }
        assert!(dbg.contains("ICBC;张*;6222********0000"), "{dbg}");
    }

    #[test]
    fn pay_url_forms() {
        assert_eq!(parse_pay_url(""), PaymentAction::None);
        assert_eq!(
            parse_pay_url("POST;https://b.example/p"),
            PaymentAction::FormPost {
                url: "https://b.example/p".into(),
                fields: vec![]
            }
        );
        // decoded once: %2525 becomes %25, never %
        assert_eq!(
            parse_pay_url("post;https://b.example/p?x=%2525&y=a+b&z="),
            PaymentAction::FormPost {
                url: "https://b.example/p".into(),
                fields: vec![
                    ("x".into(), "%25".into()),
                    ("y".into(), "a b".into()),
                    ("z".into(), String::new())
                ]
            }
        );
        assert_eq!(
            parse_pay_url("https://qr.example/a?u=%2525"),
            PaymentAction::Redirect {
                url: "https://qr.example/a?u=%2525".into()
            }
        );
    }

    #[test]
    fn query_needs_an_id() {
        assert_eq!(
            field_of(QueryOrderRequest::default().validate().unwrap_err()),
            "mchOrderNo"
        );
        assert!(QueryOrderRequest::by_pay_order_id("P1").validate().is_ok());
        // The gateway's own id is String(32) in create_order's answer: queryable at 32.
        assert!(
            QueryOrderRequest::by_pay_order_id("P".repeat(32))
                .validate()
                .is_ok()
        );
        assert_eq!(
            field_of(
                QueryOrderRequest::by_pay_order_id("P".repeat(33))
                    .validate()
                    .unwrap_err()
            ),
            "payOrderId"
        );
        assert_eq!(
            field_of(
                QueryOrderRequest::by_mch_order_no("M".repeat(31))
                    .validate()
                    .unwrap_err()
            ),
            "mchOrderNo"
        );
    }
}

//! Trade endpoints (`/api/hfpay/v1/trade/…`): pay, refund, split, confirm, reverse, withdraw,
//! query, and `unsgin`.
//!
//! Every money-moving call (`app_pay`, `balance_pay`, `quick_pay`, `send_quick_pay_sms_code`,
//! `refund`, `fz`, `order_affirm`, `order_reverse`, `withdrawal`) is a mutation: a timeout or a
//! broken connection after sending is [`pay_core::Error::UnknownOutcome`] carrying the
//! `order_id`; settle it with [`crate::Client::order_query`]. Nothing is resent automatically.

use http::Method;
use pay_core::{CallKind, CardNumber, Error, Extensions, Money, Operation, PhoneNumber};
use serde::{Deserialize, Serialize, Serializer};

use crate::client::{Client, Endpoint};
use crate::codes::{
    BalanceTransType, CashType, DivType, FeeObj, PayTransType, PayType, QueryTransType,
    RequestType, UnsignType,
};
use crate::fields;
use crate::response::HfResponse;
use crate::types::{self, DivDetail, Extension};
use pay_core::operation::FieldDoc;

/// `POST /api/hfpay/v1/trade/app_pay`.
pub const APP_PAY: &str = "/api/hfpay/v1/trade/app_pay";
/// `POST /api/hfpay/v1/trade/balance_pay`.
pub const BALANCE_PAY: &str = "/api/hfpay/v1/trade/balance_pay";
/// `POST /api/hfpay/v1/trade/quick_pay`.
pub const QUICK_PAY: &str = "/api/hfpay/v1/trade/quick_pay";
/// `POST /api/hfpay/v1/trade/send_quick_pay_sms_code`.
pub const SEND_QUICK_PAY_SMS_CODE: &str = "/api/hfpay/v1/trade/send_quick_pay_sms_code";
/// `POST /api/hfpay/v1/trade/refund`.
pub const REFUND: &str = "/api/hfpay/v1/trade/refund";
/// `POST /api/hfpay/v1/trade/fz`.
pub const FZ: &str = "/api/hfpay/v1/trade/fz";
/// `POST /api/hfpay/v1/trade/order_affirm`.
pub const ORDER_AFFIRM: &str = "/api/hfpay/v1/trade/order_affirm";
/// `POST /api/hfpay/v1/trade/order_query`.
pub const ORDER_QUERY: &str = "/api/hfpay/v1/trade/order_query";
/// `POST /api/hfpay/v1/trade/order_reverse`.
pub const ORDER_REVERSE: &str = "/api/hfpay/v1/trade/order_reverse";
/// `POST /api/hfpay/v1/trade/withdrawal`.
pub const WITHDRAWAL: &str = "/api/hfpay/v1/trade/withdrawal";
/// `POST /api/hfpay/v1/trade/unsgin` (the path's own spelling).
pub const UNSGIN: &str = "/api/hfpay/v1/trade/unsgin";

fn is_none<T>(v: &Option<T>) -> bool {
    v.is_none()
}

/// App / QR / official-account / mini-program pay (`app_pay`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppPayRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单日期 `yyyyMMdd`.
    pub order_date: String,
    /// 订单号.
    pub order_id: String,
    /// 支付类型.
    pub pay_type: PayType,
    /// 交易金额.
    #[serde(with = "pay_core::money::as_yuan")]
    pub trans_amt: Money,
    /// 入账客户号 (this or `div_detail` is required unless a top-up).
    #[serde(default, skip_serializing_if = "is_none")]
    pub in_cust_id: Option<String>,
    /// 分账串.
    #[serde(
        default,
        with = "crate::types::json_string_opt",
        skip_serializing_if = "is_none"
    )]
    pub div_detail: Option<Vec<DivDetail>>,
    /// 交易类型 (default `other`).
    #[serde(default, skip_serializing_if = "is_none")]
    pub trans_type: Option<PayTransType>,
    /// 是否原生态 (`1`/`0`, official-account pay only).
    #[serde(default, skip_serializing_if = "is_none")]
    pub is_raw: Option<String>,
    /// The WeChat APPID (required for WeChat app pay).
    #[serde(default, skip_serializing_if = "is_none")]
    pub app_id: Option<String>,
    /// The buyer's id (required for official-account and mini-program pay).
    #[serde(default, skip_serializing_if = "is_none")]
    pub buyer_id: Option<String>,
    /// 商品描述.
    pub goods_desc: String,
    /// 商品类型.
    #[serde(default, skip_serializing_if = "is_none")]
    pub goods_type: Option<String>,
    /// 附加信息.
    #[serde(default, skip_serializing_if = "is_none")]
    pub attach_info: Option<String>,
    /// 商品标记.
    #[serde(default, skip_serializing_if = "is_none")]
    pub good_tag: Option<String>,
    /// 支付返回地址.
    #[serde(default, skip_serializing_if = "is_none")]
    pub ret_url: Option<String>,
    /// 商户后台应答地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// 设备信息.
    #[serde(default, skip_serializing_if = "is_none")]
    pub dev_info: Option<String>,
    /// `01`: delayed split.
    #[serde(default, skip_serializing_if = "is_none")]
    pub div_type: Option<DivType>,
    /// Parameters this version does not know, sent as given.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl Operation for AppPayRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "app-pay";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = APP_PAY;
    const FIELDS: &'static [FieldDoc] = fields::APP_PAY_FIELDS;
    const EXAMPLE: &'static str = fields::APP_PAY_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::date("order_date", &self.order_date)?;
        types::order_id("order_id", &self.order_id)?;
        self.pay_type.ensure_known("pay_type")?;
        types::amount("trans_amt", self.trans_amt)?;
        if let Some(d) = &self.div_detail {
            types::validate_div("div_detail", d, Some(self.trans_amt), None)?;
        }
        if let Some(t) = &self.trans_type {
            t.ensure_known("trans_type")?;
        }
        if let Some(t) = &self.div_type {
            t.ensure_known("div_type")?;
        }
        let recharge = self.trans_type == Some(PayTransType::Recharge);
        if !recharge && self.in_cust_id.is_none() && self.div_detail.is_none() {
            return Err(Error::invalid_input(
                "in_cust_id",
                "in_cust_id or div_detail is required unless trans_type is recharge",
            ));
        }
        if let Some(r) = &self.is_raw {
            pay_core::validate::one_of("is_raw", r, &["0", "1"])?;
        }
        if self.pay_type == PayType::WechatApp && self.app_id.as_deref().unwrap_or("").is_empty() {
            return Err(Error::invalid_input(
                "app_id",
                "is required for WeChat app pay",
            ));
        }
        if matches!(self.pay_type, PayType::WechatJsapi | PayType::WechatMini)
            && self.buyer_id.as_deref().unwrap_or("").is_empty()
        {
            return Err(Error::invalid_input(
                "buyer_id",
                "is required for official-account and mini-program pay",
            ));
        }
        types::required("goods_desc", &self.goods_desc)?;
        self.ret_url
            .as_deref()
            .map_or(Ok(()), |u| types::url("ret_url", u))?;
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// Balance pay (`balance_pay`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct BalancePayRequest {
    /// 卖家客户号.
    pub in_cust_id: String,
    /// 买家客户号.
    pub out_cust_id: String,
    /// 金额.
    #[serde(with = "pay_core::money::as_yuan")]
    pub trans_amt: Money,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// SMS code (when the merchant's security settings require it).
    #[serde(default, skip_serializing_if = "is_none")]
    pub sms_code: Option<String>,
    /// 交易类型.
    #[serde(default, skip_serializing_if = "is_none")]
    pub trans_type: Option<BalanceTransType>,
    /// 前台返回地址.
    #[serde(default, skip_serializing_if = "is_none")]
    pub ret_url: Option<String>,
    /// 后台通知地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl std::fmt::Debug for BalancePayRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BalancePayRequest")
            .field("in_cust_id", &self.in_cust_id)
            .field("out_cust_id", &self.out_cust_id)
            .field("trans_amt", &self.trans_amt)
            .field("order_id", &self.order_id)
            .field("order_date", &self.order_date)
            .field(
                "sms_code",
                &crate::types::Masked(&self.sms_code, crate::types::hidden),
            )
            .field("trans_type", &self.trans_type)
            .field("ret_url", &self.ret_url)
            .field("bg_ret_url", &self.bg_ret_url)
            .field("mer_priv", &self.mer_priv)
            .field("extra", &self.extra)
            .finish()
    }
}

impl Operation for BalancePayRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "balance-pay";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = BALANCE_PAY;
    const FIELDS: &'static [FieldDoc] = fields::BALANCE_PAY_FIELDS;
    const EXAMPLE: &'static str = fields::BALANCE_PAY_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("in_cust_id", &self.in_cust_id)?;
        types::required("out_cust_id", &self.out_cust_id)?;
        types::amount("trans_amt", self.trans_amt)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        if let Some(t) = &self.trans_type {
            t.ensure_known("trans_type")?;
        }
        self.ret_url
            .as_deref()
            .map_or(Ok(()), |u| types::url("ret_url", u))?;
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// Quick pay confirmation (`quick_pay`): confirms the order started by
/// [`Client::send_quick_pay_sms_code`] with the SMS code the payer received. It carries no
/// amount: the amount is the one sent with the SMS request.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct QuickPayRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// The order id of the SMS request.
    pub ori_order_id: String,
    /// The order date of the SMS request.
    pub ori_order_date: String,
    /// 短信验证码.
    pub sms_code: String,
    /// 页面返回URL.
    #[serde(default, skip_serializing_if = "is_none")]
    pub ret_url: Option<String>,
    /// `00` PC, `01` mobile.
    #[serde(default, skip_serializing_if = "is_none")]
    pub request_type: Option<RequestType>,
    /// 商户后台应答地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// 二级商户号.
    #[serde(default, skip_serializing_if = "is_none")]
    pub secondary_mer_id: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl std::fmt::Debug for QuickPayRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("QuickPayRequest")
            .field("user_cust_id", &self.user_cust_id)
            .field("order_id", &self.order_id)
            .field("order_date", &self.order_date)
            .field("ori_order_id", &self.ori_order_id)
            .field("ori_order_date", &self.ori_order_date)
            .field(
                "sms_code",
                &crate::types::Masked(&self.sms_code, crate::types::hidden),
            )
            .field("ret_url", &self.ret_url)
            .field("request_type", &self.request_type)
            .field("bg_ret_url", &self.bg_ret_url)
            .field("mer_priv", &self.mer_priv)
            .field("secondary_mer_id", &self.secondary_mer_id)
            .field("extra", &self.extra)
            .finish()
    }
}

impl Operation for QuickPayRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "quick-pay";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = QUICK_PAY;
    const FIELDS: &'static [FieldDoc] = fields::QUICK_PAY_FIELDS;
    const EXAMPLE: &'static str = fields::QUICK_PAY_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::order_id("ori_order_id", &self.ori_order_id)?;
        types::date("ori_order_date", &self.ori_order_date)?;
        pay_core::validate::digits("sms_code", &self.sms_code)?;
        if let Some(t) = &self.request_type {
            t.ensure_known("request_type")?;
        }
        self.ret_url
            .as_deref()
            .map_or(Ok(()), |u| types::url("ret_url", u))?;
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// Starts a quick pay and sends the payer an SMS code (`send_quick_pay_sms_code`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendQuickPaySmsCodeRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 交易金额.
    #[serde(with = "pay_core::money::as_yuan")]
    pub trans_amt: Money,
    /// 银行卡号.
    pub card_no: CardNumber,
    /// 银行预留手机号.
    pub card_mobile: PhoneNumber,
    /// 银行卡开户省份.
    #[serde(default, skip_serializing_if = "is_none")]
    pub card_prov: Option<String>,
    /// 银行卡开户地区.
    #[serde(default, skip_serializing_if = "is_none")]
    pub card_area: Option<String>,
    /// 入账用户号.
    #[serde(default, skip_serializing_if = "is_none")]
    pub in_cust_id: Option<String>,
    /// 分账串.
    #[serde(
        default,
        with = "crate::types::json_string_opt",
        skip_serializing_if = "is_none"
    )]
    pub div_detail: Option<Vec<DivDetail>>,
    /// 交易类型.
    #[serde(default, skip_serializing_if = "is_none")]
    pub trans_type: Option<PayTransType>,
    /// 商户后台应答地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// 付款方交易终端类型.
    #[serde(default, skip_serializing_if = "is_none")]
    pub payer_term_type: Option<String>,
    /// 付款方交易终端编码.
    #[serde(default, skip_serializing_if = "is_none")]
    pub payer_term_no: Option<String>,
    /// 商品简称.
    #[serde(default, skip_serializing_if = "is_none")]
    pub goods_short_name: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl Operation for SendQuickPaySmsCodeRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "send-quick-pay-sms-code";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = SEND_QUICK_PAY_SMS_CODE;
    const FIELDS: &'static [FieldDoc] = fields::SEND_QUICK_PAY_SMS_CODE_FIELDS;
    const EXAMPLE: &'static str = fields::SEND_QUICK_PAY_SMS_CODE_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::amount("trans_amt", self.trans_amt)?;
        self.card_no.validate_digits("card_no")?;
        types::mobile("card_mobile", &self.card_mobile)?;
        if let Some(d) = &self.div_detail {
            types::validate_div("div_detail", d, Some(self.trans_amt), None)?;
        }
        if let Some(t) = &self.trans_type {
            t.ensure_known("trans_type")?;
        }
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// Refund (`refund`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RefundRequest {
    /// 用户客户号 (required when the original was online banking or quick pay).
    #[serde(default, skip_serializing_if = "is_none")]
    pub user_cust_id: Option<String>,
    /// 订单日期.
    pub order_date: String,
    /// 订单号 (a failed refund may be retried with the same id and amount).
    pub order_id: String,
    /// 金额.
    #[serde(with = "pay_core::money::as_yuan")]
    pub trans_amt: Money,
    /// 原交易订单号.
    pub org_order_id: String,
    /// 原交易订单日期.
    pub org_order_date: String,
    /// 商户后台应答地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// 分账串.
    #[serde(
        default,
        with = "crate::types::json_string_opt",
        skip_serializing_if = "is_none"
    )]
    pub div_detail: Option<Vec<DivDetail>>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl Operation for RefundRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "refund";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = REFUND;
    const FIELDS: &'static [FieldDoc] = fields::REFUND_FIELDS;
    const EXAMPLE: &'static str = fields::REFUND_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::date("order_date", &self.order_date)?;
        types::order_id("order_id", &self.order_id)?;
        types::amount("trans_amt", self.trans_amt)?;
        types::order_id("org_order_id", &self.org_order_id)?;
        types::date("org_order_date", &self.org_order_date)?;
        types::url("bg_ret_url", &self.bg_ret_url)?;
        if let Some(d) = &self.div_detail {
            types::validate_div(
                "div_detail",
                d,
                Some(self.trans_amt),
                Some(types::MAX_DIV_DETAILS),
            )?;
        }
        Ok(())
    }
}

/// Split (`fz`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FzRequest {
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 金额.
    #[serde(with = "pay_core::money::as_yuan")]
    pub trans_amt: Money,
    /// 原订单号.
    pub old_order_id: String,
    /// 原订单日期.
    pub old_order_date: String,
    /// 分账串 (1 to 7 entries).
    #[serde(with = "crate::types::json_string")]
    pub div_detail: Vec<DivDetail>,
    /// 异步回调.
    #[serde(default, skip_serializing_if = "is_none")]
    pub bg_ret_url: Option<String>,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// 扩展域.
    #[serde(
        default,
        with = "crate::types::json_string_opt",
        skip_serializing_if = "is_none"
    )]
    pub extension: Option<Extension>,
    /// 设备信息.
    #[serde(default, skip_serializing_if = "is_none")]
    pub dev_info: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl Operation for FzRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "fz";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = FZ;
    const FIELDS: &'static [FieldDoc] = fields::FZ_FIELDS;
    const EXAMPLE: &'static str = fields::FZ_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::amount("trans_amt", self.trans_amt)?;
        types::order_id("old_order_id", &self.old_order_id)?;
        types::date("old_order_date", &self.old_order_date)?;
        types::validate_div(
            "div_detail",
            &self.div_detail,
            Some(self.trans_amt),
            Some(types::MAX_DIV_DETAILS),
        )?;
        self.bg_ret_url
            .as_deref()
            .map_or(Ok(()), |u| types::url("bg_ret_url", u))
    }
}

/// Confirm (`order_affirm`) or reverse (`order_reverse`) a guarantee trade: both take the same
/// parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuaranteeRequest {
    /// 原订单号 (the guarantee trade).
    pub old_order_id: String,
    /// 原订单日期.
    pub old_order_date: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 金额.
    #[serde(with = "pay_core::money::as_yuan")]
    pub trans_amt: Money,
    /// 卖家编号.
    pub in_cust_id: String,
    /// 买家编号.
    pub out_cust_id: String,
    /// 后台异步通知.
    #[serde(default, skip_serializing_if = "is_none")]
    pub bg_ret_url: Option<String>,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

/// `order_affirm` parameters.
pub type OrderAffirmRequest = GuaranteeRequest;
/// `order_reverse` parameters.
pub type OrderReverseRequest = GuaranteeRequest;

impl GuaranteeRequest {
    fn check(&self) -> Result<(), Error> {
        types::order_id("old_order_id", &self.old_order_id)?;
        types::date("old_order_date", &self.old_order_date)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::amount("trans_amt", self.trans_amt)?;
        types::required("in_cust_id", &self.in_cust_id)?;
        types::required("out_cust_id", &self.out_cust_id)?;
        self.bg_ret_url
            .as_deref()
            .map_or(Ok(()), |u| types::url("bg_ret_url", u))
    }
}

/// `order_affirm`: confirms the guarantee trade of its request ([`Client::order_affirm`]).
#[derive(Debug, Clone, Copy)]
pub struct OrderAffirm<'a>(pub &'a OrderAffirmRequest);

/// `order_reverse`: reverses the guarantee trade of its request ([`Client::order_reverse`]).
#[derive(Debug, Clone, Copy)]
pub struct OrderReverse<'a>(pub &'a OrderReverseRequest);

impl Operation for OrderAffirm<'_> {
    type Answer = HfResponse;
    const NAME: &'static str = "order-affirm";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = ORDER_AFFIRM;
    const FIELDS: &'static [FieldDoc] = fields::ORDER_AFFIRM_FIELDS;
    const EXAMPLE: &'static str = fields::ORDER_AFFIRM_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.0.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        self.0.check()
    }
}

impl Operation for OrderReverse<'_> {
    type Answer = HfResponse;
    const NAME: &'static str = "order-reverse";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = ORDER_REVERSE;
    const FIELDS: &'static [FieldDoc] = fields::ORDER_REVERSE_FIELDS;
    const EXAMPLE: &'static str = fields::ORDER_REVERSE_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.0.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        self.0.check()
    }
}

impl Endpoint for OrderAffirm<'_> {
    type Fields = GuaranteeRequest;
    fn fields(&self) -> &GuaranteeRequest {
        self.0
    }
}

impl Endpoint for OrderReverse<'_> {
    type Fields = GuaranteeRequest;
    fn fields(&self) -> &GuaranteeRequest {
        self.0
    }
}

/// Order query (`order_query`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderQueryRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// What kind of order.
    pub trans_type: QueryTransType,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl Operation for OrderQueryRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "order-query";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = ORDER_QUERY;
    const FIELDS: &'static [FieldDoc] = fields::ORDER_QUERY_FIELDS;
    const EXAMPLE: &'static str = fields::ORDER_QUERY_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        self.trans_type.ensure_known("trans_type")
    }
}

/// Withdrawal (`withdrawal`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct WithdrawalRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 金额.
    #[serde(with = "pay_core::money::as_yuan")]
    pub trans_amt: Money,
    /// 提现绑定银行卡ID.
    pub cash_bind_card_id: String,
    /// T0 or T1.
    pub cash_type: CashType,
    /// Who pays the fee (overrides the merchant's setting).
    #[serde(default, skip_serializing_if = "is_none")]
    pub fee_obj: Option<FeeObj>,
    /// The account charged when the merchant pays the fee.
    #[serde(default, skip_serializing_if = "is_none")]
    pub fee_acct_id: Option<String>,
    /// SMS code (when the merchant's security settings require it).
    #[serde(default, skip_serializing_if = "is_none")]
    pub sms_code: Option<String>,
    /// 前台通知地址.
    #[serde(default, skip_serializing_if = "is_none")]
    pub ret_url: Option<String>,
    /// 后台通知地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl std::fmt::Debug for WithdrawalRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WithdrawalRequest")
            .field("user_cust_id", &self.user_cust_id)
            .field("order_id", &self.order_id)
            .field("order_date", &self.order_date)
            .field("trans_amt", &self.trans_amt)
            .field("cash_bind_card_id", &self.cash_bind_card_id)
            .field("cash_type", &self.cash_type)
            .field("fee_obj", &self.fee_obj)
            .field("fee_acct_id", &self.fee_acct_id)
            .field(
                "sms_code",
                &crate::types::Masked(&self.sms_code, crate::types::hidden),
            )
            .field("ret_url", &self.ret_url)
            .field("bg_ret_url", &self.bg_ret_url)
            .field("mer_priv", &self.mer_priv)
            .field("extra", &self.extra)
            .finish()
    }
}

impl Operation for WithdrawalRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "withdrawal";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = WITHDRAWAL;
    const FIELDS: &'static [FieldDoc] = fields::WITHDRAWAL_FIELDS;
    const EXAMPLE: &'static str = fields::WITHDRAWAL_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::amount("trans_amt", self.trans_amt)?;
        types::required("cash_bind_card_id", &self.cash_bind_card_id)?;
        if !self.cash_type.is_known() {
            return Err(Error::invalid_input("cash_type", "must be T0 or T1"));
        }
        if let Some(f) = &self.fee_obj {
            if !f.is_known() {
                return Err(Error::invalid_input("fee_obj", "must be M or U"));
            }
            if *f == FeeObj::Merchant && self.fee_acct_id.as_deref().unwrap_or("").is_empty() {
                return Err(Error::invalid_input(
                    "fee_acct_id",
                    "is required when fee_obj is M",
                ));
            }
        }
        self.ret_url
            .as_deref()
            .map_or(Ok(()), |u| types::url("ret_url", u))?;
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

fn unsign_type_as_int<S: Serializer>(t: &UnsignType, s: S) -> Result<S::Ok, S::Error> {
    match t.as_str().parse::<u32>() {
        Ok(n) => s.serialize_u32(n),
        Err(_) => s.serialize_str(t.as_str()),
    }
}

/// Decodes a callback's `check_value` (`unsgin`; the spec types `unsign_type` as `int`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsignRequest {
    /// 回调加密串.
    pub check_value: String,
    /// 解密类型.
    #[serde(serialize_with = "unsign_type_as_int")]
    pub unsign_type: UnsignType,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl std::fmt::Debug for UnsignRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnsignRequest")
            .field(
                "check_value",
                &crate::types::Masked(&self.check_value, crate::types::length_only),
            )
            .field("unsign_type", &self.unsign_type)
            .field("extra", &self.extra)
            .finish()
    }
}

impl Operation for UnsignRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "unsgin";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = UNSGIN;
    const FIELDS: &'static [FieldDoc] = fields::UNSGIN_FIELDS;
    const EXAMPLE: &'static str = fields::UNSGIN_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("check_value", &self.check_value)?;
        if !self.unsign_type.is_known() {
            return Err(Error::invalid_input("unsign_type", "must be 1 (base64)"));
        }
        Ok(())
    }
}

impl Client {
    /// App / QR pay.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before sending; [`Error::UnknownOutcome`] (with `order_id`) when
    /// the answer was lost; [`Error::Provider`] when refused; see [`crate::response`].
    pub async fn app_pay(&self, req: &AppPayRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Balance pay.
    ///
    /// # Errors
    /// As [`Client::app_pay`].
    pub async fn balance_pay(&self, req: &BalancePayRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Quick pay confirmation with the SMS code.
    ///
    /// An [`Error::UnknownOutcome`] carries this request's `order_id`. The spec does not say
    /// whether Huifu records the payment under it or under `ori_order_id` (the SMS request that
    /// fixed the amount), so settle it with [`Client::order_query`] (`trans_type` `01`) under
    /// both before confirming again.
    ///
    /// # Errors
    /// As [`Client::app_pay`].
    pub async fn quick_pay(&self, req: &QuickPayRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Starts a quick pay: the payer receives an SMS code.
    ///
    /// # Errors
    /// As [`Client::app_pay`].
    pub async fn send_quick_pay_sms_code(
        &self,
        req: &SendQuickPaySmsCodeRequest,
    ) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Refund.
    ///
    /// # Errors
    /// As [`Client::app_pay`].
    ///
    /// A refund refused as failed ([`crate::codes::says_refund_failed`]) is
    /// [`ProviderErrorKind::RetrySameParams`](pay_core::ProviderErrorKind): the spec allows a
    /// failed refund to be sent again with the same `order_id` and amount
    /// ("对于退货失败的,支持同订单号同金额的重复请求"); do that with [`Client::retry_refund`].
    /// Any other refusal (a parameter error, too little balance, an unknown code) stays
    /// `Rejected`: fix the request rather than resend it. A refund accepted and later reported
    /// failed (`trans_stat` `F` by query or callback) may be resent the same way.
    pub async fn refund(&self, req: &RefundRequest) -> Result<HfResponse, Error> {
        self.run(req).await.map_err(|e| match e {
            Error::Provider(mut p)
                if p.kind == pay_core::ProviderErrorKind::Rejected
                    && crate::codes::says_refund_failed(&p.message) =>
            {
                p.kind = pay_core::ProviderErrorKind::RetrySameParams;
                Error::Provider(p)
            }
            other => other,
        })
    }

    /// Sends a refund that failed once more, unchanged: the same `order_id` and amount, as the
    /// spec allows for a failed refund. Never call it after a timeout (`UnknownOutcome`): query
    /// the refund with [`Client::order_query`] first.
    ///
    /// # Errors
    /// As [`Client::refund`].
    pub async fn retry_refund(&self, req: &RefundRequest) -> Result<HfResponse, Error> {
        self.refund(req).await
    }

    /// Split (`fz`).
    ///
    /// # Errors
    /// As [`Client::app_pay`].
    pub async fn fz(&self, req: &FzRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Confirms a guarantee trade.
    ///
    /// # Errors
    /// As [`Client::app_pay`].
    pub async fn order_affirm(&self, req: &OrderAffirmRequest) -> Result<HfResponse, Error> {
        self.run(&OrderAffirm(req)).await
    }

    /// Reverses a guarantee trade.
    ///
    /// # Errors
    /// As [`Client::app_pay`].
    pub async fn order_reverse(&self, req: &OrderReverseRequest) -> Result<HfResponse, Error> {
        self.run(&OrderReverse(req)).await
    }

    /// Withdrawal to the user's bound card.
    ///
    /// # Errors
    /// As [`Client::app_pay`].
    pub async fn withdrawal(&self, req: &WithdrawalRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Queries an order. Read-only: a transport failure is [`Error::Transport`] and may be
    /// retried.
    ///
    /// # Errors
    /// [`Error::InvalidInput`], [`Error::Transport`], [`Error::Provider`], …
    pub async fn order_query(&self, req: &OrderQueryRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Decodes a callback's `check_value` through the gateway (`unsgin`).
    ///
    /// # Errors
    /// As [`Client::order_query`].
    pub async fn unsign(&self, req: &UnsignRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }
}

/// A refund refused as failed may be sent again unchanged (see [`Client::refund`]).
impl Endpoint for RefundRequest {
    type Fields = Self;
    fn fields(&self) -> &Self {
        self
    }
    fn refine(&self, err: Error) -> Error {
        match err {
            Error::Provider(mut p)
                if p.kind == pay_core::ProviderErrorKind::Rejected
                    && crate::codes::says_refund_failed(&p.message) =>
            {
                p.kind = pay_core::ProviderErrorKind::RetrySameParams;
                Error::Provider(p)
            }
            other => other,
        }
    }
}

crate::client::endpoints!(
    AppPayRequest,
    BalancePayRequest,
    QuickPayRequest,
    SendQuickPaySmsCodeRequest,
    FzRequest,
    OrderQueryRequest,
    WithdrawalRequest,
    UnsignRequest,
);

crate::client::requests!(
    AppPayRequest,
    BalancePayRequest,
    QuickPayRequest,
    SendQuickPaySmsCodeRequest,
    RefundRequest,
    FzRequest,
    GuaranteeRequest,
    OrderQueryRequest,
    WithdrawalRequest,
    UnsignRequest,
);

//! Statuses and error codes (chapter 6, appendices 1–3), as enums that keep unknown values.

use pay_core::{ProviderErrorKind, TxStatus};

pay_core::wire_enum! {
    /// The order status `status` (appendix 1, 订单状态码).
    pub enum OrderStatus {
        /// Marked as deleted.
        Deleted = "-1" => "删除: 被标记为删除的订单",
        /// Received, not processed yet.
        Accepted = "0" => "已受理: 支付订单接收成功,尚未处理",
        /// Submitted to the payment gateway successfully.
        Paid = "1" => "已打款: 订单提交到支付网关成功",
        /// Failed, mostly because the order data did not pass validation.
        Failed = "2" => "打款失败: 主要表示订单数据校验不通过",
        /// Paused, usually for an insufficient balance; continues after a top-up.
        Suspended = "4" => "待打款(暂停处理): 暂停处理,一般是账户余额不足,充值后可以继续打款",
        /// Paying, state unknown (gateway timeout); waiting for confirmation.
        Paying = "5" => "打款中(状态未知): 调用支付网关超时等状态异常情况导致,处于等待交易查证的中间状态",
        /// Tax planning done, waiting to be paid.
        Pending = "8" => "待打款: 订单税务筹划完毕,等待执行打款的状态",
        /// Failed after payment: refunded, returned (退汇) or reversed.
        Returned = "9" => "打款失败(已退款,退汇或者冲正): 支付被退回",
        /// The system payment or the broker payment partly succeeded.
        PartialSuccess = "11" => "部分成功: 系统打款或经纪公司打款部分成功",
        /// Cancelled: no payment needed.
        Cancelled = "15" => "取消支付: 订单被取消,无需支付",
        /// No payment needed (the amount is 0).
        NoPaymentNeeded = "18" => "无需付款: 订单支付金额为0的情况会出现此状态",
    }
}

/// An empty, unknown status (`Unknown("")`): a placeholder for builders, never a real value.
impl Default for OrderStatus {
    fn default() -> Self {
        OrderStatus::Unknown(String::new())
    }
}

pay_core::wire_enum! {
    /// The detailed order status `status_detail` (appendix 2, 订单详细状态码).
    pub enum StatusDetail {
        /// Success.
        Success = "0" => "成功",
        /// WeChat red packet sent, waiting to be opened.
        WechatRedPacketPending = "27" => "微信红包待领取: 微信红包已发放,待领取",
        /// The system payment succeeded.
        SystemPaid = "111" => "系统打款成功",
        /// The broker payment succeeded.
        BrokerPaid = "112" => "经纪公司打款成功",
        /// The system payment failed.
        SystemFailed = "211" => "系统打款失败",
        /// The broker payment failed.
        BrokerFailed = "212" => "经纪公司打款失败",
        /// Both the system and the broker payment failed.
        BothFailed = "213" => "系统打款和经纪公司打款都失败",
        /// Wrong Alipay account.
        AlipayAccountWrong = "261" => "支付宝账号错误",
        /// The Alipay account does not match the name.
        AlipayNameMismatch = "262" => "支付宝账号与姓名不匹配",
        /// The ID number or the payee name is empty.
        IdOrNameEmpty = "265" => "身份证号或收款户名不可以为空",
        /// The Alipay account is restricted (probably not verified by Alipay).
        AlipayAccountRestricted = "266" => "支付宝账号受限: 用户可能未完成支付宝实名认证",
        /// Wrong WeChat account.
        WechatAccountWrong = "271" => "微信账号错误",
        /// Blocked by WeChat as risky: use an active WeChat account.
        WechatRisk = "273" => "此请求可能存在风险,已被微信拦截: 换一个活跃的微信号",
        /// The user opened too many red packets today.
        WechatDailyCount = "274" => "该用户今日领取红包个数超过限额",
        /// The red packet amount is outside the allowed range.
        WechatAmountOutOfRange = "275" => "微信红包发送红包金额不在限额范围内",
        /// The openid does not belong to the app id.
        WechatOpenidMismatch = "277" => "OpenID和AppID不匹配",
        /// Red packets sent too often: retry later.
        WechatRateLimited = "278" => "微信红包超过频率限制,请稍后重试",
    }
}

pay_core::wire_enum! {
    /// The interface error codes (appendix 3, 接口错误码). Every code other than `0000` is an
    /// error, surfaced as [`pay_core::Error::Provider`] with the code verbatim.
    pub enum ErrorCode {
        /// Success.
        Success = "0000" => "成功",
        /// The signature expired (check the clock).
        SignatureExpired = "1001" => "签名已过期",
        /// The request parameters are malformed.
        BadParameters = "1002" => "请求参数格式不正确",
        /// Wrong signature (check the app key).
        BadSignature = "1003" => "签名错误",
        /// Encryption error (check the 3DES key).
        EncryptionError = "1004" => "加密错误",
        /// The dealer has no 3DES key or app key configured.
        KeysNotConfigured = "1005" => "商户未设置3deskey或没有设置appkey",
        /// The uploaded data is wrong.
        BadData = "2001" => "上传数据有误",
        /// This order was already uploaded: query it instead of sending it again.
        Duplicate = "2002" => "已上传过该笔流水",
        /// Real-name verification failed.
        RealNameFailed = "2003" => "实名认证失败",
        /// Wrong bank card number.
        BadCardNumber = "2006" => "银行卡号错误",
        /// The order does not exist.
        OrderNotFound = "2011" => "订单不存在",
        /// Wrong amount.
        BadAmount = "2016" => "错误的打款金额",
        /// The order does not exist.
        OrderMissing = "2018" => "该笔订单不存在",
        /// The order amount is below 0.
        NegativeAmount = "2024" => "订单金额小于0",
        /// Insufficient balance.
        InsufficientBalance = "2027" => "账户余额不足",
        /// The dealer does not belong to this broker.
        WrongBroker = "2038" => "该商户不属于该经纪公司",
        /// The bank system could not be reached.
        BankUnavailable = "3000" => "银行系统连接失败,请联系我们修复",
        /// The bill does not exist.
        BillNotFound = "5000" => "不存在的账单",
    }
}

impl ErrorCode {
    /// What the code means for the caller of an operation. `for_order` says whether the call
    /// created or reported an order: only then is `2002` "duplicate order: query it" (the
    /// identity checks use `2002` for other refusals, such as "身份证号有误").
    pub fn kind(&self, for_order: bool) -> ProviderErrorKind {
        match self {
            ErrorCode::Duplicate if for_order => ProviderErrorKind::DuplicateOrder,
            ErrorCode::OrderNotFound | ErrorCode::OrderMissing => ProviderErrorKind::NotFound {
                what: "order".into(),
            },
            ErrorCode::BillNotFound => ProviderErrorKind::NotFound {
                what: "bill".into(),
            },
            ErrorCode::BadSignature | ErrorCode::EncryptionError | ErrorCode::KeysNotConfigured => {
                ProviderErrorKind::Unauthorized
            }
            _ => ProviderErrorKind::Rejected,
        }
    }
}

pay_core::wire_enum! {
    /// A payout channel, as `channel` in the order query and 支付渠道 in the files.
    pub enum Channel {
        /// Bank card (the default of the order query).
        BankCard = "银行卡" => "银行卡",
        /// Alipay.
        Alipay = "支付宝" => "支付宝",
        /// WeChat.
        Wechat = "微信" => "微信",
    }
}

pay_core::wire_enum! {
    /// The `data_type` of the order query.
    pub enum DataType {
        /// The answer's `data` is encrypted (`encry_data`); the client decrypts it.
        Encryption = "encryption" => "对返回的data进行加密",
    }
}

pay_core::wire_enum! {
    /// The order status in the daily order file (订单状态) and the state of a bill-file entry
    /// (流水状态).
    pub enum FileStatus {
        /// Succeeded.
        Success = "成功" => "成功",
        /// Succeeded, waiting to be collected (WeChat red packet).
        SuccessPending = "成功(待领取)" => "成功(待领取)【微信情况】",
        /// Failed.
        Failed = "失败" => "失败",
        /// Returned (退汇).
        Returned = "退汇" => "退汇",
        /// Deleted.
        Deleted = "删除" => "删除",
        /// On hold (挂单): check with Yunzhanghu staff.
        OnHold = "挂单" => "挂单: 请与云账户工作人员核对",
        /// Paying: check with Yunzhanghu staff.
        Paying = "打款中" => "打款中: 请与云账户工作人员核对",
        /// State unknown: check with Yunzhanghu staff or download again later.
        StateUnknown = "状态未知" => "状态未知: 可以找云账户工作人员核对,或晚些时间再次下载流水",
        /// Unknown: check with Yunzhanghu staff or download again later.
        Unknown2 = "未知" => "未知: 可以找云账户工作人员核对,或晚些时间再次下载流水",
        /// No value: check with Yunzhanghu staff.
        NoValue = "-/-" => "-/-: 请与云账户工作人员核对",
    }
}

pay_core::wire_enum! {
    /// The kind of a bill-file entry (流水类型).
    pub enum BillType {
        /// A payment by the broker.
        BrokerPayment = "经纪公司打款" => "经纪公司打款",
        /// The service fee of a broker payment.
        BrokerPaymentFee = "经纪公司打款服务费" => "经纪公司打款服务费",
        /// A return (退汇) to the broker.
        BrokerReturn = "经纪公司退汇" => "经纪公司退汇",
        /// The fee returned with a return.
        BrokerReturnFee = "经纪公司退汇手续费" => "经纪公司退汇手续费",
    }
}

pay_core::wire_enum! {
    /// The `result` of a payout report (打款数据上报).
    pub enum ReportResult {
        /// The merchant's payout succeeded.
        Success = "1" => "成功",
        /// The merchant's payout failed.
        Failed = "2" => "失败",
    }
}

/// Maps an order's `status` (and `status_detail`) to the provider-neutral [`TxStatus`],
/// through the payout table [`crate::lifecycle::PAYOUT`] (which also says whether the status is
/// final: 1 is success but not final, a return 9 may follow).
///
/// | status | `TxStatus` |
/// |---|---|
/// | 0, 4, 5, 8 | `Processing` |
/// | 1 with detail 27 (red packet not opened yet) | `Processing` |
/// | 1 | `Succeeded` (not final) |
/// | 2 | `Failed` |
/// | 9 | `Returned` (paid, then sent back: 退汇, 冲正, an unopened red packet) |
/// | -1, 15, 18 | `Closed` |
/// | 11 (partial success) and unknown values | `Unknown` (verbatim): reconcile the order |
pub fn tx_status(status: &OrderStatus, detail: Option<&StatusDetail>) -> TxStatus {
    crate::lifecycle::status_of(&crate::lifecycle::code_of(status, detail))
}

/// Serialises a numeric wire code (such as `status`) as a JSON number, as the provider sends it;
/// a value that is not an integer is written as a string.
pub(crate) fn ser_code_as_int<S: serde::Serializer, T: AsRef<str>>(
    v: &T,
    s: S,
) -> Result<S::Ok, S::Error> {
    let text = v.as_ref();
    match text.parse::<i64>() {
        Ok(n) => s.serialize_i64(n),
        Err(_) => s.serialize_str(text),
    }
}

macro_rules! as_ref_str {
    ($($t:ty),*) => {$(
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }
    )*};
}
as_ref_str!(OrderStatus, StatusDetail);

/// As [`ser_code_as_int`] for an optional code.
pub(crate) fn ser_opt_code_as_int<S: serde::Serializer, T: AsRef<str>>(
    v: &Option<T>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => ser_code_as_int(v, s),
        None => s.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_mean() {
        assert_eq!(ErrorCode::from_wire("2002"), ErrorCode::Duplicate);
        assert_eq!(
            ErrorCode::Duplicate.kind(true),
            ProviderErrorKind::DuplicateOrder
        );
        assert_eq!(
            ErrorCode::Duplicate.kind(false),
            ProviderErrorKind::Rejected
        );
        assert_eq!(ErrorCode::KNOWN.len(), 18);
        assert_eq!(OrderStatus::KNOWN.len(), 11);
        assert_eq!(StatusDetail::KNOWN.len(), 17);
        let s: OrderStatus = serde_json::from_str("-1").unwrap();
        assert_eq!(s, OrderStatus::Deleted);
        assert_eq!(
            tx_status(
                &OrderStatus::Paid,
                Some(&StatusDetail::WechatRedPacketPending)
            ),
            TxStatus::Processing
        );
        assert_eq!(tx_status(&OrderStatus::Paid, None), TxStatus::Succeeded);
        assert_eq!(tx_status(&OrderStatus::Returned, None), TxStatus::Returned);
        assert_eq!(
            tx_status(&OrderStatus::PartialSuccess, None),
            TxStatus::Unknown("11".into())
        );
        assert_eq!(
            tx_status(&OrderStatus::from_wire("99"), None),
            TxStatus::Unknown("99".into())
        );
    }
}

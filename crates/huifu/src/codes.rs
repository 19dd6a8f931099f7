//! The enumerations the spec gives as text, and the result codes, as
//! [`pay_core::wire_enum!`] enums (a value this version does not know decodes to `Unknown`).

use pay_core::ProviderErrorKind;

pay_core::wire_enum! {
    /// `resp_code` values that are not errors (any other code is a provider error).
    pub enum RespCode {
        /// Success.
        Success = "C00000" => "成功",
        /// Processing: the outcome will come by callback or query.
        Processing = "C00001" => "处理中",
        /// Accepted: the outcome will come by callback or query.
        Accepted = "C00002" => "已受理",
    }
}

pay_core::wire_enum! {
    /// Error `resp_code`s the client gives a meaning to. The spec lists no error codes at all
    /// (every endpoint's "错误代码列表" is empty): `C10003` is the code `pay-sandbox` answers
    /// for a reused `order_id` + `order_date` (`订单号重复`). A refusal whose `resp_desc` says
    /// the order id was used before ([`ProviderErrorKind::says_duplicate_order`]) is read the
    /// same way, whatever its code (see [`ErrorCode::kind`]).
    pub enum ErrorCode {
        /// `order_id` + `order_date` used before (not in the spec: `pay-sandbox`'s code).
        DuplicateOrder = "C10003" => "订单号重复",
    }
}

impl ErrorCode {
    /// What a refusal with this code and `message` (`resp_desc`) means to a call of `kind`:
    /// only for a mutation under the merchant's `order_id` (the order it created) is a reused
    /// order id [`ProviderErrorKind::DuplicateOrder`] (query it; a retry is not safe). Anything
    /// else is [`ProviderErrorKind::Rejected`].
    pub fn kind(&self, call: &pay_core::CallKind, message: &str) -> ProviderErrorKind {
        if call.order_id().is_some()
            && (*self == ErrorCode::DuplicateOrder
                || ProviderErrorKind::says_duplicate_order(message))
        {
            ProviderErrorKind::DuplicateOrder
        } else {
            ProviderErrorKind::Rejected
        }
    }
}

/// Whether a refused refund's `resp_desc` says the refund itself failed, in the spec's word
/// (退货失败) or its synonym (退款失败): the one refusal the spec allows to be sent again with
/// the same `order_id` and amount ("对于退货失败的,支持同订单号同金额的重复请求"). The spec
/// lists no error codes, so the description is all there is to go by; a parameter error (参数)
/// never reads as failed, since resending it unchanged cannot help, and neither does any other
/// or unknown refusal.
///
/// ```
/// assert!(huifu::codes::says_refund_failed("退货失败: 银行处理失败"));
/// assert!(!huifu::codes::says_refund_failed("参数错误: trans_amt 超过原交易可退金额"));
/// assert!(!huifu::codes::says_refund_failed("账户余额不足"));
/// ```
pub fn says_refund_failed(message: &str) -> bool {
    !message.contains("参数") && (message.contains("退货失败") || message.contains("退款失败"))
}

pay_core::wire_enum! {
    /// `trans_stat` (Huifu's convention in its other APIs; not named by this spec).
    pub enum TransStat {
        /// Succeeded.
        Succeeded = "S" => "成功",
        /// Failed.
        Failed = "F" => "失败",
        /// In progress.
        Processing = "I" => "处理中",
        /// In progress (alternative letter).
        Pending = "P" => "处理中",
    }
}

pay_core::wire_enum! {
    /// `license_type` (agent merchant opening) and `corp_license_type` (business opening).
    pub enum LicenseType {
        /// An ordinary business licence (需营业执照注册号、组织机构代码、税务登记号).
        Ordinary = "01030100" => "普通企业",
        /// Three-in-one licence (统一社会信用代码).
        ThreeInOne = "01030101" => "三证合一",
    }
}

pay_core::wire_enum! {
    /// Certificate types (`legal_cert_type`, `certType` in shareholder lists).
    pub enum CertType {
        /// Resident ID card (the default).
        IdCard = "01020100" => "身份证",
        /// Passport.
        Passport = "01020101" => "护照",
        /// Military officer's card.
        MilitaryOfficer = "01020102" => "军官证",
        /// Soldier's card.
        Soldier = "01020103" => "士兵证",
        /// Home return permit.
        HomeReturnPermit = "01020104" => "回乡证",
        /// Police officer's card.
        Police = "01020105" => "警官证",
        /// Taiwan compatriot permit.
        TaiwanPermit = "01020106" => "台胞证",
        /// Other.
        Other = "01020107" => "其他",
    }
}

pay_core::wire_enum! {
    /// `card_type`: the settlement card is a company's or a person's.
    pub enum CardType {
        /// Public (company) account.
        Public = "1" => "对公",
        /// Private (personal) account.
        Private = "2" => "对私",
    }
}

pay_core::wire_enum! {
    /// `cash_type`: when a withdrawal settles.
    pub enum CashType {
        /// Same day.
        T0 = "T0" => "T+0提现",
        /// Next working day.
        T1 = "T1" => "T+1提现",
    }
}

pay_core::wire_enum! {
    /// `fee_obj`: who pays the withdrawal fee.
    pub enum FeeObj {
        /// The merchant (then `fee_acct_id` is required).
        Merchant = "M" => "向商户收取",
        /// The user.
        User = "U" => "向用户收取",
    }
}

pay_core::wire_enum! {
    /// `unsign_type` of `unsgin`.
    pub enum UnsignType {
        /// Base64.
        Base64 = "1" => "base64",
    }
}

pay_core::wire_enum! {
    /// `operate_type` of the opening endpoints.
    pub enum OperateType {
        /// New.
        Create = "00090000" => "新增",
        /// Modify.
        Modify = "00090001" => "修改",
    }
}

pay_core::wire_enum! {
    /// `corp_type` of business opening.
    pub enum CorpType {
        /// Ordinary company.
        Company = "01030000" => "普通企业",
        /// Individual business.
        Individual = "01030001" => "个体户",
    }
}

pay_core::wire_enum! {
    /// `pay_type` of app pay.
    pub enum PayType {
        /// WeChat, merchant-presented QR.
        WechatQr = "04" => "微信正扫",
        /// Alipay, merchant-presented QR.
        AlipayQr = "05" => "支付宝正扫",
        /// WeChat app pay.
        WechatApp = "10" => "微信APP支付",
        /// Alipay unified order.
        AlipayUnified = "12" => "支付宝统一下单",
        /// WeChat official account.
        WechatJsapi = "13" => "微信公众号",
        /// UnionPay QR.
        UnionpayQr = "18" => "银联正扫",
        /// WeChat mini program.
        WechatMini = "19" => "微信小程序",
    }
}

pay_core::wire_enum! {
    /// `trans_type` of app pay and quick-pay SMS.
    pub enum PayTransType {
        /// Guarantee (escrow) trade.
        Guarantee = "guarantee" => "担保",
        /// Top-up.
        Recharge = "recharge" => "充值",
        /// Other (the default).
        Other = "other" => "其它",
    }
}

pay_core::wire_enum! {
    /// `trans_type` of balance pay.
    pub enum BalanceTransType {
        /// Guarantee.
        Guarantee = "1" => "担保",
        /// Not guarantee.
        Direct = "2" => "非担保",
    }
}

pay_core::wire_enum! {
    /// `trans_type` of order query.
    pub enum QueryTransType {
        /// Quick pay, online banking, QR.
        Pay = "01" => "快捷、网银、扫码",
        /// Balance pay, purchase confirmation, order reversal.
        Balance = "02" => "余额支付、采购确认、订单撤销",
        /// Withdrawal.
        Withdrawal = "03" => "提现",
        /// Refund.
        Refund = "04" => "退货",
    }
}

pay_core::wire_enum! {
    /// `busi_type` of send SMS code.
    pub enum BusiType {
        /// Balance pay.
        BalancePay = "T11" => "余额支付",
        /// Withdrawal.
        Withdrawal = "T07" => "提现",
        /// Create a sub-account.
        SubAccount = "U06" => "创建子账户",
    }
}

pay_core::wire_enum! {
    /// `acct_type` of sub-merchant creation.
    pub enum AcctType {
        /// Payment account.
        Payment = "100" => "支付账户",
        /// Non-payment account.
        NonPayment = "200" => "非支付账户",
    }
}

pay_core::wire_enum! {
    /// `card_buss_type` of untie bank card.
    pub enum CardBussType {
        /// Withdrawal card.
        Withdrawal = "0" => "提现",
        /// Quick-pay card.
        Quick = "2" => "快捷",
    }
}

pay_core::wire_enum! {
    /// `request_type` of quick pay.
    pub enum RequestType {
        /// PC.
        Pc = "00" => "PC端",
        /// Mobile.
        Mobile = "01" => "移动端",
    }
}

pay_core::wire_enum! {
    /// `source_channel` of upload card.
    pub enum SourceChannel {
        /// PC.
        Pc = "0" => "PC",
        /// Android.
        Android = "1" => "ANDROID",
        /// iOS.
        Ios = "2" => "IOS",
    }
}

pay_core::wire_enum! {
    /// `trans_type` of the file uploads.
    pub enum UploadTransType {
        /// Agent opening.
        Agent = "01" => "代理商开户",
        /// Shenglibao opening.
        Shenglibao = "02" => "生利宝开户",
        /// Business opening.
        Business = "03" => "企业开户",
        /// Individual business opening.
        Individual = "05" => "个体工商户开户",
        /// Batch payouts.
        BatchPayout = "06" => "批量代发",
    }
}

pay_core::wire_enum! {
    /// `attach_type` of the file uploads.
    pub enum AttachType {
        /// Business licence.
        BusinessLicense = "00" => "营业执照注册号",
        /// Organisation code certificate.
        OrganizationCode = "01" => "组织结构代码证",
        /// Tax registration.
        TaxRegistration = "02" => "税务登记证号",
        /// Legal person's certificate.
        LegalCert = "03" => "法人证件",
        /// Bank account licence.
        BankLicense = "04" => "开户银行许可证",
        /// Unified social credit code.
        SocialCredit = "05" => "统一社会信用代码",
        /// Electronic agreement.
        Agreement = "08" => "开户电子协议",
        /// Legal person's certificate, back.
        LegalCertBack = "09" => "法人证件反面",
        /// Business photo.
        BusinessPhoto = "10" => "经营照片",
        /// Business photo (address).
        AddressPhoto = "11" => "经营照片(地址照片)",
        /// Business photo (shop front).
        FrontPhoto = "12" => "经营照片(门面照片)",
        /// Settlement card, front (merchant files only).
        CardFront = "13" => "结算卡正面",
        /// Settlement card, back (merchant files only).
        CardBack = "14" => "结算卡反面",
        /// Other.
        Other = "99" => "其他",
    }
}

pay_core::wire_enum! {
    /// `file_upload_type`.
    pub enum FileUploadType {
        /// New (a repeated file name is an error).
        Create = "01" => "新增",
    }
}

pay_core::wire_enum! {
    /// `cert_type` of upload card.
    pub enum UploadCertType {
        /// Resident ID card.
        IdCard = "00" => "身份证",
    }
}

pay_core::wire_enum! {
    /// `div_type` of app pay.
    pub enum DivType {
        /// Delayed split.
        Delayed = "01" => "延时分账",
    }
}

pay_core::wire_enum! {
    /// `trans_type` of the statement download.
    pub enum DownloadTransType {
        /// Trade statement.
        Trade = "01" => "交易对账文件",
    }
}

pay_core::wire_enum! {
    /// `dc_flag` of bind bank card.
    pub enum DcFlag {
        /// Debit card (the only value).
        Debit = "0" => "借记卡",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_values() {
        assert_eq!(CertType::IdCard.as_str(), "01020100");
        assert_eq!(CertType::from_wire("01020107"), CertType::Other);
        assert_eq!(LicenseType::ThreeInOne.as_str(), "01030101");
        assert_eq!(CardType::Private.as_str(), "2");
        assert_eq!(CashType::T0.as_str(), "T0");
        assert_eq!(FeeObj::User.as_str(), "U");
        assert_eq!(UnsignType::Base64.as_str(), "1");
        assert_eq!(RespCode::from_wire("C00002"), RespCode::Accepted);
        assert!(!RespCode::from_wire("E0001").is_known());
    }
}

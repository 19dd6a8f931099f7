//! Statuses, products, bank codes and error codes of the gateway, as
//! [`pay_core::wire_enum!`] enums with an `Unknown(String)` fallback.

use pay_core::{CallKind, ProviderErrorKind, TxStatus, wire_enum};

wire_enum! {
    /// A pay product (appendix 4.1, `productId`). The description is the product's name.
    pub enum ProductId {
        /// 8000: 网银支付 (网银支付).
        OnlineBanking = "8000" => "网银支付",
        /// 8001: 银联快捷 (银联快捷).
        UnionPayQuick = "8001" => "银联快捷",
        /// 8002: 微信扫码支付 (微信扫码支付).
        WechatQr = "8002" => "微信扫码支付",
        /// 8003: 微信 H5 支付 (微信 H5 支付).
        WechatH5 = "8003" => "微信 H5 支付",
        /// 8004: 微信公众号支付 (微信公众号支付).
        WechatOfficialAccount = "8004" => "微信公众号支付",
        /// 8005: 微信小程序支付 (微信小程序支付).
        WechatMiniProgram = "8005" => "微信小程序支付",
        /// 8006: 支付宝 QY 扫码 支付 (支付宝扫码支付).
        AlipayQyQr = "8006" => "支付宝 QY 扫码 支付",
        /// 8007: 支付宝 QY H5 支付 (支付宝 H5 支付).
        AlipayQyH5 = "8007" => "支付宝 QY H5 支付",
        /// 8008: 支付宝服务窗支付 (支付宝服务窗支付).
        AlipayServiceWindow = "8008" => "支付宝服务窗支付",
        /// 8009: QQ 钱包扫码 (QQ 钱包扫码).
        QqWalletQr = "8009" => "QQ 钱包扫码",
        /// 8010: QQ 钱包 H5 支付 (QQ 钱包 H5 支付).
        QqWalletH5 = "8010" => "QQ 钱包 H5 支付",
        /// 8011: 京东扫码支付 (京东扫码支付).
        JdQr = "8011" => "京东扫码支付",
        /// 8012: 京东 H5 支付 (京东 H5 支付).
        JdH5 = "8012" => "京东 H5 支付",
        /// 8013: 百度钱包 (百度钱包).
        BaiduWallet = "8013" => "百度钱包",
        /// 8014: 银联二维码 (银联二维码).
        UnionPayQr = "8014" => "银联二维码",
        /// 8015: 支付宝 GT H5 支付 (支付宝 H5 支付).
        AlipayGtH5 = "8015" => "支付宝 GT H5 支付",
        /// 8016: 支付宝 GT 扫码 支付 (支付宝扫码支付).
        AlipayGtQr = "8016" => "支付宝 GT 扫码 支付",
        /// 8017: 支付宝 DM 扫码 支付 (支付宝扫码支付; the spec prints the types of 8017 and 8018
        /// swapped, against their names).
        AlipayDmQr = "8017" => "支付宝 DM 扫码 支付",
        /// 8018: 支付宝 DM H5 支付 (支付宝 H5 支付).
        AlipayDmH5 = "8018" => "支付宝 DM H5 支付",
        /// 8019: 云闪付 (银联二维码).
        CloudQuickPass = "8019" => "云闪付",
    }
}

impl ProductId {
    /// The pay type of the product (the third column of appendix 4.1), `None` when unknown.
    pub fn pay_type(&self) -> Option<&'static str> {
        Some(match self {
            ProductId::OnlineBanking => "网银支付",
            ProductId::UnionPayQuick => "银联快捷",
            ProductId::WechatQr => "微信扫码支付",
            ProductId::WechatH5 => "微信 H5 支付",
            ProductId::WechatOfficialAccount => "微信公众号支付",
            ProductId::WechatMiniProgram => "微信小程序支付",
            ProductId::AlipayQyQr => "支付宝扫码支付",
            ProductId::AlipayQyH5 => "支付宝 H5 支付",
            ProductId::AlipayServiceWindow => "支付宝服务窗支付",
            ProductId::QqWalletQr => "QQ 钱包扫码",
            ProductId::QqWalletH5 => "QQ 钱包 H5 支付",
            ProductId::JdQr => "京东扫码支付",
            ProductId::JdH5 => "京东 H5 支付",
            ProductId::BaiduWallet => "百度钱包",
            ProductId::UnionPayQr => "银联二维码",
            ProductId::AlipayGtH5 => "支付宝 H5 支付",
            ProductId::AlipayGtQr => "支付宝扫码支付",
            ProductId::AlipayDmQr => "支付宝扫码支付",
            ProductId::AlipayDmH5 => "支付宝 H5 支付",
            ProductId::CloudQuickPass => "银联二维码",
            ProductId::Unknown(_) => return None,
        })
    }
}

wire_enum! {
    /// A payout bank code (appendix 4.3, `bankCode`; channel type 网银 for every entry). The
    /// description is the bank's name. `HPT00034` and `HPT00073` both name 浙江稠州商业银行 in
    /// the spec; both codes are kept.
    pub enum BankCode {
        /// 中国银行.
        BankOfChina = "HPT00001" => "中国银行",
        /// 中国工商银行.
        Icbc = "HPT00002" => "中国工商银行",
        /// 中国建设银行.
        ChinaConstructionBank = "HPT00003" => "中国建设银行",
        /// 中国农业银行.
        AgriculturalBankOfChina = "HPT00004" => "中国农业银行",
        /// 招商银行.
        ChinaMerchantsBank = "HPT00005" => "招商银行",
        /// 交通银行.
        BankOfCommunications = "HPT00006" => "交通银行",
        /// 中信银行.
        ChinaCiticBank = "HPT00007" => "中信银行",
        /// 兴业银行.
        IndustrialBank = "HPT00008" => "兴业银行",
        /// 中国民生银行.
        ChinaMinshengBank = "HPT00009" => "中国民生银行",
        /// 华夏银行.
        HuaXiaBank = "HPT00010" => "华夏银行",
        /// 上海浦东发展银行.
        ShanghaiPudongDevelopmentBank = "HPT00011" => "上海浦东发展银行",
        /// 汇丰银行.
        Hsbc = "HPT00012" => "汇丰银行",
        /// 渣打银行.
        StandardChartered = "HPT00013" => "渣打银行",
        /// 花旗银行.
        Citibank = "HPT00014" => "花旗银行",
        /// 德意志银行.
        DeutscheBank = "HPT00015" => "德意志银行",
        /// 瑞士银行.
        Ubs = "HPT00016" => "瑞士银行",
        /// 荷兰银行.
        AbnAmro = "HPT00017" => "荷兰银行",
        /// 香港汇丰.
        HsbcHongKong = "HPT00018" => "香港汇丰",
        /// 香港花旗.
        CitibankHongKong = "HPT00019" => "香港花旗",
        /// 香港东亚银行.
        BankOfEastAsiaHongKong = "HPT00020" => "香港东亚银行",
        /// 恒生银行.
        HangSengBank = "HPT00021" => "恒生银行",
        /// 中国光大银行.
        ChinaEverbrightBank = "HPT00022" => "中国光大银行",
        /// 广发银行.
        ChinaGuangfaBank = "HPT00023" => "广发银行",
        /// 平安银行.
        PingAnBank = "HPT00024" => "平安银行",
        /// 北京银行.
        BankOfBeijing = "HPT00025" => "北京银行",
        /// 中国邮政储蓄银行.
        PostalSavingsBankOfChina = "HPT00026" => "中国邮政储蓄银行",
        /// 上海银行.
        BankOfShanghai = "HPT00027" => "上海银行",
        /// 南京银行.
        BankOfNanjing = "HPT00028" => "南京银行",
        /// 渤海银行.
        ChinaBohaiBank = "HPT00029" => "渤海银行",
        /// 宁波银行.
        BankOfNingbo = "HPT00030" => "宁波银行",
        /// 深圳发展银行.
        ShenzhenDevelopmentBank = "HPT00031" => "深圳发展银行",
        /// 北京农商银行.
        BeijingRuralCommercialBank = "HPT00032" => "北京农商银行",
        /// 上海农商银行.
        ShanghaiRuralCommercialBank = "HPT00033" => "上海农商银行",
        /// 浙江稠州商业银行.
        ZhejiangChouzhouCommercialBank = "HPT00034" => "浙江稠州商业银行",
        /// 杭州银行.
        BankOfHangzhou = "HPT00035" => "杭州银行",
        /// 富滇银行.
        FudianBank = "HPT00036" => "富滇银行",
        /// 浙商银行.
        ChinaZheshangBank = "HPT00037" => "浙商银行",
        /// 河北银行.
        BankOfHebei = "HPT00038" => "河北银行",
        /// 徽商银行.
        HuishangBank = "HPT00039" => "徽商银行",
        /// 人民银行（央行）.
        PeoplesBankOfChina = "HPT00040" => "人民银行（央行）",
        /// 广州银行.
        BankOfGuangzhou = "HPT00041" => "广州银行",
        /// 哈尔滨银行.
        HarbinBank = "HPT00042" => "哈尔滨银行",
        /// 长沙银行.
        BankOfChangsha = "HPT00043" => "长沙银行",
        /// 青岛银行.
        BankOfQingdao = "HPT00044" => "青岛银行",
        /// 上饶银行.
        BankOfShangrao = "HPT00045" => "上饶银行",
        /// 东莞银行.
        BankOfDongguan = "HPT00046" => "东莞银行",
        /// 临商银行.
        LinshangBank = "HPT00047" => "临商银行",
        /// 内蒙古银行.
        BankOfInnerMongolia = "HPT00048" => "内蒙古银行",
        /// 华融湘江银行.
        HuarongXiangjiangBank = "HPT00049" => "华融湘江银行",
        /// 南充市商业银行.
        NanchongCommercialBank = "HPT00050" => "南充市商业银行",
        /// 台州银行.
        TaizhouBank = "HPT00051" => "台州银行",
        /// 吉林银行.
        BankOfJilin = "HPT00052" => "吉林银行",
        /// 国家开发银行.
        ChinaDevelopmentBank = "HPT00053" => "国家开发银行",
        /// 大连银行.
        BankOfDalian = "HPT00054" => "大连银行",
        /// 天津农商银行.
        TianjinRuralCommercialBank = "HPT00055" => "天津农商银行",
        /// 天津银行.
        BankOfTianjin = "HPT00056" => "天津银行",
        /// 威海市商业银行.
        WeihaiCommercialBank = "HPT00057" => "威海市商业银行",
        /// 宁夏银行.
        BankOfNingxia = "HPT00058" => "宁夏银行",
        /// 宜宾市商业银行.
        YibinCommercialBank = "HPT00059" => "宜宾市商业银行",
        /// 平顶山银行.
        BankOfPingdingshan = "HPT00060" => "平顶山银行",
        /// 廊坊银行.
        BankOfLangfang = "HPT00061" => "廊坊银行",
        /// 德州银行.
        BankOfDezhou = "HPT00062" => "德州银行",
        /// 恒丰银行.
        EvergrowingBank = "HPT00063" => "恒丰银行",
        /// 成都农商银行.
        ChengduRuralCommercialBank = "HPT00064" => "成都农商银行",
        /// 成都银行.
        BankOfChengdu = "HPT00065" => "成都银行",
        /// 承德银行.
        BankOfChengde = "HPT00066" => "承德银行",
        /// 昆仑银行.
        KunlunBank = "HPT00067" => "昆仑银行",
        /// 汉口银行.
        HankouBank = "HPT00068" => "汉口银行",
        /// 洛阳银行.
        BankOfLuoyang = "HPT00069" => "洛阳银行",
        /// 济宁银行.
        BankOfJining = "HPT00070" => "济宁银行",
        /// 浙江民泰商业银行.
        ZhejiangMintaiCommercialBank = "HPT00071" => "浙江民泰商业银行",
        /// 浙江泰隆商业银行.
        ZhejiangTailongCommercialBank = "HPT00072" => "浙江泰隆商业银行",
        /// 浙江稠州商业银行.
        ZhejiangChouzhouCommercialBank2 = "HPT00073" => "浙江稠州商业银行",
        /// 温州银行.
        BankOfWenzhou = "HPT00074" => "温州银行",
        /// 湖北银行.
        HubeiBank = "HPT00075" => "湖北银行",
        /// 潍坊银行.
        BankOfWeifang = "HPT00076" => "潍坊银行",
        /// 盛京银行.
        ShengjingBank = "HPT00077" => "盛京银行",
        /// 石嘴山银行.
        BankOfShizuishan = "HPT00078" => "石嘴山银行",
        /// 福建海峡银行.
        FujianHaixiaBank = "HPT00079" => "福建海峡银行",
        /// 绍兴银行.
        BankOfShaoxing = "HPT00080" => "绍兴银行",
        /// 苏州银行.
        BankOfSuzhou = "HPT00081" => "苏州银行",
        /// 莱商银行.
        LaishangBank = "HPT00082" => "莱商银行",
        /// 营口银行.
        BankOfYingkou = "HPT00083" => "营口银行",
        /// 衡水银行.
        HengshuiBank = "HPT00084" => "衡水银行",
        /// 西安银行.
        BankOfXian = "HPT00085" => "西安银行",
        /// 赣州银行.
        BankOfGanzhou = "HPT00086" => "赣州银行",
        /// 邢台银行.
        BankOfXingtai = "HPT00087" => "邢台银行",
        /// 郑州银行.
        BankOfZhengzhou = "HPT00088" => "郑州银行",
        /// 鄂尔多斯银行.
        BankOfOrdos = "HPT00089" => "鄂尔多斯银行",
        /// 重庆三峡银行.
        ChongqingThreeGorgesBank = "HPT00090" => "重庆三峡银行",
        /// 锦州银行.
        BankOfJinzhou = "HPT00091" => "锦州银行",
        /// 陕西信合.
        ShaanxiRuralCredit = "HPT00092" => "陕西信合",
        /// 青海银行.
        BankOfQinghai = "HPT00093" => "青海银行",
        /// 韩亚银行.
        HanaBank = "HPT00094" => "韩亚银行",
        /// 齐商银行.
        QishangBank = "HPT00095" => "齐商银行",
        /// 齐鲁银行.
        QiluBank = "HPT00096" => "齐鲁银行",
        /// 龙江银行.
        LongjiangBank = "HPT00097" => "龙江银行",
    }
}

wire_enum! {
    /// The status of a pay order (`status` in section 2.2.4 and 2.3.2).
    pub enum PayStatus {
        /// The order was created; the payer has not paid.
        Created = "0" => "订单生成",
        /// Payment in progress.
        Paying = "1" => "支付中",
        /// Paid.
        Succeeded = "2" => "支付成功",
        /// Paid, and the gateway finished its business processing (the merchant was notified).
        Completed = "3" => "业务处理完成(支付成功)",
        /// Payment failed.
        Failed = "5" => "支付失败",
    }
}

impl PayStatus {
    /// Whether the money was received (`2` or `3`).
    pub fn is_paid(&self) -> bool {
        matches!(self, PayStatus::Succeeded | PayStatus::Completed)
    }

    /// The provider-neutral status, read through [`crate::lifecycle::PAYMENT`] (`2` and `3`
    /// are both [`TxStatus::Succeeded`]: one payment).
    pub fn to_tx_status(&self) -> TxStatus {
        crate::lifecycle::PAYMENT.state(self.as_str()).status
    }
}

wire_enum! {
    /// The status of a payout (`status` in sections 3.1.4, 3.2.4 and 3.3.2).
    pub enum TransStatus {
        /// The payout order was created.
        Created = "0" => "订单生成",
        /// Transfer in progress.
        Transferring = "1" => "代付中",
        /// Transferred.
        Succeeded = "2" => "代付成功",
        /// The transfer failed: no money left the merchant's balance for it.
        Failed = "3" => "代付失败",
        /// "Business processing complete" (listed only in the create response, section 3.1.4): the
        /// gateway finished a succeeded transfer (read as succeeded, see
        /// [`crate::lifecycle::PAYOUT`]).
        Completed = "4" => "业务处理完成",
    }
}

impl TransStatus {
    /// The provider-neutral status, read through [`crate::lifecycle::PAYOUT`].
    ///
    /// `4` (业务处理完成, listed only in the create answer) is the gateway's completion of a
    /// succeeded transfer, like the pay order's `3` (业务处理完成(支付成功)): it reads as
    /// [`TxStatus::Succeeded`], the same business event as `2` (see the table's source).
    pub fn to_tx_status(&self) -> TxStatus {
        crate::lifecycle::PAYOUT.state(self.as_str()).status
    }
}

wire_enum! {
    /// How a notification was sent (`backType`).
    pub enum BackType {
        /// Through the payer's browser (front-end notification).
        Front = "1" => "前台通知",
        /// Server to server (back-end notification).
        Back = "2" => "后台通知",
    }
}

wire_enum! {
    /// The kind of payee account (`accountType`, section 3.1.3).
    pub enum AccountType {
        /// A bank card or account.
        BankCard = "1" => "银行卡转账",
        /// A WeChat account.
        Wechat = "2" => "微信转账",
        /// An Alipay account.
        Alipay = "3" => "支付宝转账",
        /// Any other transfer.
        Other = "4" => "其他转账",
    }
}

wire_enum! {
    /// Whether the payee account is a person's or a company's (`accountAttr`).
    pub enum AccountAttr {
        /// A person's account (对私, the gateway's default).
        Private = "0" => "对私",
        /// A company's account (对公).
        Corporate = "1" => "对公",
    }
}

wire_enum! {
    /// Error codes (appendix 4.2, `errCode`).
    ///
    /// The spec names only `0010`. It names no code for a reused merchant order number; the
    /// client classifies as [`ProviderErrorKind::DuplicateOrder`] (see [`ErrorCode::kind`])
    /// `0011`, the code `pay-sandbox` answers (`商户订单号重复`), and any refusal whose message
    /// says the order number was used before ([`ProviderErrorKind::says_duplicate_order`]),
    /// since a real gateway's code for it is not documented.
    pub enum ErrorCode {
        /// System timeout or failure: call again with the same parameters.
        SystemError = "0010" => "系统错误",
        /// The merchant order number was used before (not in the spec: `pay-sandbox`'s code).
        DuplicateOrder = "0011" => "商户订单号重复",
        /// No such order (not in the spec: `pay-sandbox`'s code). A query reads it as
        /// [`ProviderErrorKind::NotFound`], so reconciliation reports the order missing at the
        /// provider; any other refusal of a query ends a reconciliation with the error.
        NotFound = "0012" => "订单不存在",
    }
}

impl ErrorCode {
    /// What a refusal with this code and `message` means for the caller. `call` says whether
    /// the call creates a pay or payout order (a mutation): only then is a reused order number
    /// [`ProviderErrorKind::DuplicateOrder`] (query it: the first attempt may have gone
    /// through; a retry is not safe), by code (`0011`) or by message. `0010` is
    /// [`ProviderErrorKind::RetrySameParams`]; `0012` on a query
    /// [`ProviderErrorKind::NotFound`]; anything else [`ProviderErrorKind::Rejected`].
    pub fn kind(&self, call: &CallKind, message: &str) -> ProviderErrorKind {
        let money_moving = matches!(call, CallKind::Mutation { .. });
        match self {
            ErrorCode::SystemError => ProviderErrorKind::RetrySameParams,
            _ if money_moving
                && (*self == ErrorCode::DuplicateOrder
                    || ProviderErrorKind::says_duplicate_order(message)) =>
            {
                ProviderErrorKind::DuplicateOrder
            }
            ErrorCode::NotFound if !money_moving => ProviderErrorKind::NotFound {
                what: "order".into(),
            },
            _ => ProviderErrorKind::Rejected,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn products_and_banks_are_complete() {
        assert_eq!(ProductId::KNOWN.len(), 20);
        for (i, p) in ProductId::KNOWN.iter().enumerate() {
            assert_eq!(p.as_str(), (8000 + i).to_string());
            assert!(p.pay_type().is_some());
        }
        assert_eq!(ProductId::OnlineBanking.description(), "网银支付");
        assert_eq!(ProductId::CloudQuickPass.pay_type(), Some("银联二维码"));
        assert_eq!(
            ProductId::from_wire("8020"),
            ProductId::Unknown("8020".into())
        );
        assert_eq!(ProductId::from_wire("8020").pay_type(), None);
        assert_eq!(BankCode::KNOWN.len(), 97);
        for (i, b) in BankCode::KNOWN.iter().enumerate() {
            assert_eq!(b.as_str(), format!("HPT{:05}", i + 1));
        }
        assert_eq!(BankCode::from_wire("HPT00005").description(), "招商银行");
        assert_eq!(BankCode::from_wire("HPT00097").description(), "龙江银行");
        assert!(!BankCode::from_wire("HP00001").is_known());
    }

    #[test]
    fn statuses_map_to_tx_status() {
        assert_eq!(PayStatus::from_wire("0").to_tx_status(), TxStatus::Unpaid);
        assert_eq!(
            PayStatus::from_wire("1").to_tx_status(),
            TxStatus::Processing
        );
        assert_eq!(
            PayStatus::from_wire("2").to_tx_status(),
            TxStatus::Succeeded
        );
        assert_eq!(
            PayStatus::from_wire("3").to_tx_status(),
            TxStatus::Succeeded
        );
        assert_eq!(PayStatus::from_wire("5").to_tx_status(), TxStatus::Failed);
        assert_eq!(
            PayStatus::from_wire("4").to_tx_status(),
            TxStatus::Unknown("4".into())
        );
        assert_eq!(
            TransStatus::from_wire("0").to_tx_status(),
            TxStatus::Processing
        );
        assert_eq!(
            TransStatus::from_wire("1").to_tx_status(),
            TxStatus::Processing
        );
        assert_eq!(
            TransStatus::from_wire("2").to_tx_status(),
            TxStatus::Succeeded
        );
        assert_eq!(TransStatus::from_wire("3").to_tx_status(), TxStatus::Failed);
        assert_eq!(
            TransStatus::from_wire("4").to_tx_status(),
            TxStatus::Succeeded
        );
        assert_eq!(
            TransStatus::from_wire("9").to_tx_status(),
            TxStatus::Unknown("9".into())
        );
        assert_eq!(AccountType::KNOWN.len(), 4);
        assert_eq!(BackType::from_wire("2"), BackType::Back);
    }
}

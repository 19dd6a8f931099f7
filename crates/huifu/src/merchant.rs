//! Merchant endpoints (`/api/hfpay/v1/merchant/…`): opening accounts, sub-accounts, cards,
//! SMS codes, balances and statements; and the bank card check
//! (`GET /api/hfpay/app/bank_check/card/{card_id}`).

use http::Method;
use pay_core::{
    CallKind, CardNumber, Error, Extensions, IdNumber, Money, Operation, PersonName, PhoneNumber,
};
use serde::{Deserialize, Serialize};

use crate::client::{Client, Endpoint};
use crate::codes::{
    AcctType, BusiType, CardBussType, CardType, CertType, CorpType, DcFlag, DownloadTransType,
    LicenseType, OperateType,
};
use crate::config::Config;
use crate::fields;
use crate::response::HfResponse;
use crate::types::{self, DateOrPermanent, Extension, Stockholder};
use pay_core::operation::FieldDoc;

/// `POST /api/hfpay/v1/merchant/agent_merchant_opening`.
pub const AGENT_MERCHANT_OPENING: &str = "/api/hfpay/v1/merchant/agent_merchant_opening";
/// `POST /api/hfpay/v1/merchant/merchant_opening`.
pub const MERCHANT_OPENING: &str = "/api/hfpay/v1/merchant/merchant_opening";
/// `POST /api/hfpay/v1/merchant/person_opening`.
pub const PERSON_OPENING: &str = "/api/hfpay/v1/merchant/person_opening";
/// `POST /api/hfpay/v1/merchant/business_opening`.
pub const BUSINESS_OPENING: &str = "/api/hfpay/v1/merchant/business_opening";
/// `POST /api/hfpay/v1/merchant/sub_merchant_create`.
pub const SUB_MERCHANT_CREATE: &str = "/api/hfpay/v1/merchant/sub_merchant_create";
/// `POST /api/hfpay/v1/merchant/balance_query`.
pub const BALANCE_QUERY: &str = "/api/hfpay/v1/merchant/balance_query";
/// `POST /api/hfpay/v1/merchant/bind_bank_card`.
pub const BIND_BANK_CARD: &str = "/api/hfpay/v1/merchant/bind_bank_card";
/// `POST /api/hfpay/v1/merchant/untie_bank_card`.
pub const UNTIE_BANK_CARD: &str = "/api/hfpay/v1/merchant/untie_bank_card";
/// `POST /api/hfpay/v1/merchant/send_sms_code`.
pub const SEND_SMS_CODE: &str = "/api/hfpay/v1/merchant/send_sms_code";
/// `POST /api/hfpay/v1/merchant/order_download`.
pub const ORDER_DOWNLOAD: &str = "/api/hfpay/v1/merchant/order_download";
/// `GET /api/hfpay/app/bank_check/card/` followed by the path-escaped card id.
pub const BANK_CHECK_CARD_PREFIX: &str = "/api/hfpay/app/bank_check/card/";

fn is_none<T>(v: &Option<T>) -> bool {
    v.is_none()
}

/// Agent merchant opening (`agent_merchant_opening`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentMerchantOpeningRequest {
    /// 商户全称.
    pub mer_name: String,
    /// 商户简称.
    pub mer_short_name: String,
    /// 商户英文名 (initials of the short name in pinyin).
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_en_name: Option<String>,
    /// 注册资本 (yuan).
    #[serde(with = "pay_core::money::as_yuan")]
    pub reg_fund: Money,
    /// 实缴资本 (yuan).
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "is_none"
    )]
    pub paid_in_fund: Option<Money>,
    /// 网站地址.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_website: Option<String>,
    /// ICP备案号.
    #[serde(default, skip_serializing_if = "is_none")]
    pub per_icp_code: Option<String>,
    /// 成立时间 `yyyyMMdd`.
    pub est_date: String,
    /// 商户所在省份.
    pub mer_prov: String,
    /// 商户所在地区.
    pub mer_area: String,
    /// 商户经营地址.
    pub mer_addr: String,
    /// 商户注册地址.
    pub mer_reg_addr: String,
    /// 证照类型.
    pub license_type: LicenseType,
    /// 营业执照注册号 (ordinary licence).
    #[serde(default, skip_serializing_if = "is_none")]
    pub business_code: Option<String>,
    /// 组织机构代码 (ordinary licence).
    #[serde(default, skip_serializing_if = "is_none")]
    pub institution_code: Option<String>,
    /// 税务登记号 (ordinary licence).
    #[serde(default, skip_serializing_if = "is_none")]
    pub tax_code: Option<String>,
    /// 统一社会信用代码 (three-in-one licence).
    #[serde(default, skip_serializing_if = "is_none")]
    pub social_credit_code: Option<String>,
    /// 证照有效起始日期.
    pub license_start_date: String,
    /// 证照有效结束日期 (or 永久).
    pub license_end_date: DateOrPermanent,
    /// 经营范围.
    pub business_scope: String,
    /// 股东.
    #[serde(with = "crate::types::json_string")]
    pub stockholders: Vec<Stockholder>,
    /// 法人姓名.
    pub legal_name: PersonName,
    /// 法人证件类型.
    pub legal_cert_type: CertType,
    /// 法人证件号.
    pub legal_cert_id: IdNumber,
    /// 法人证件起始日期.
    pub legal_id_start_date: String,
    /// 法人证件结束日期 (or 永久).
    pub legal_id_end_date: DateOrPermanent,
    /// 法人手机号.
    pub legal_mobile: PhoneNumber,
    /// 联系人姓名.
    pub contact_name: PersonName,
    /// 联系人手机号.
    pub contact_mobile: PhoneNumber,
    /// 联系人邮箱.
    #[serde(default, skip_serializing_if = "is_none")]
    pub contact_email: Option<String>,
    /// 开户银行.
    pub bank_id: String,
    /// 开户银行账号.
    pub bank_acct_no: CardNumber,
    /// 开户银行支行名称.
    pub bank_branch: String,
    /// 开户银行省份.
    pub bank_prov: String,
    /// 开户银行地区.
    pub bank_area: String,
    /// 附件编号列表 (comma separated, from the file uploads).
    #[serde(default, skip_serializing_if = "is_none")]
    pub attach_nos: Option<String>,
    /// 结算卡对公对私标志.
    pub card_type: CardType,
    /// 商户后台应答地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// 扩展域 (required for 企账通 agents: [`Extension::eacloud_proxy`]).
    #[serde(
        default,
        with = "crate::types::json_string_opt",
        skip_serializing_if = "is_none"
    )]
    pub extension: Option<Extension>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl std::fmt::Debug for AgentMerchantOpeningRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentMerchantOpeningRequest")
            .field("mer_name", &self.mer_name)
            .field("mer_short_name", &self.mer_short_name)
            .field("mer_en_name", &self.mer_en_name)
            .field("reg_fund", &self.reg_fund)
            .field("paid_in_fund", &self.paid_in_fund)
            .field("mer_website", &self.mer_website)
            .field("per_icp_code", &self.per_icp_code)
            .field("est_date", &self.est_date)
            .field("mer_prov", &self.mer_prov)
            .field("mer_area", &self.mer_area)
            .field("mer_addr", &self.mer_addr)
            .field("mer_reg_addr", &self.mer_reg_addr)
            .field("license_type", &self.license_type)
            .field("business_code", &self.business_code)
            .field("institution_code", &self.institution_code)
            .field("tax_code", &self.tax_code)
            .field("social_credit_code", &self.social_credit_code)
            .field("license_start_date", &self.license_start_date)
            .field("license_end_date", &self.license_end_date)
            .field("business_scope", &self.business_scope)
            .field("stockholders", &self.stockholders)
            .field("legal_name", &self.legal_name)
            .field("legal_cert_type", &self.legal_cert_type)
            .field("legal_cert_id", &self.legal_cert_id)
            .field("legal_id_start_date", &self.legal_id_start_date)
            .field("legal_id_end_date", &self.legal_id_end_date)
            .field("legal_mobile", &self.legal_mobile)
            .field("contact_name", &self.contact_name)
            .field("contact_mobile", &self.contact_mobile)
            .field(
                "contact_email",
                &crate::types::Masked(&self.contact_email, crate::types::mask_email),
            )
            .field("bank_id", &self.bank_id)
            .field("bank_acct_no", &self.bank_acct_no)
            .field("bank_branch", &self.bank_branch)
            .field("bank_prov", &self.bank_prov)
            .field("bank_area", &self.bank_area)
            .field("attach_nos", &self.attach_nos)
            .field("card_type", &self.card_type)
            .field("bg_ret_url", &self.bg_ret_url)
            .field("mer_priv", &self.mer_priv)
            .field("extension", &self.extension)
            .field("extra", &self.extra)
            .finish()
    }
}

fn license_codes(
    license: &LicenseType,
    field: &'static str,
    business_code: Option<&String>,
    institution_code: Option<&String>,
    tax_code: Option<&String>,
    social_credit_code: Option<&String>,
) -> Result<(), Error> {
    let present = |v: Option<&String>| v.is_some_and(|s| !s.trim().is_empty());
    match license {
        LicenseType::Ordinary => {
            for (name, v) in [
                ("business_code", business_code),
                ("institution_code", institution_code),
                ("tax_code", tax_code),
            ] {
                if !present(v) {
                    return Err(Error::invalid_input(
                        name,
                        "is required for an ordinary licence (01030100)",
                    ));
                }
            }
            Ok(())
        }
        LicenseType::ThreeInOne => {
            if present(social_credit_code) {
                Ok(())
            } else {
                Err(Error::invalid_input(
                    "social_credit_code",
                    "is required for a three-in-one licence (01030101)",
                ))
            }
        }
        LicenseType::Unknown(_) => Err(Error::invalid_input(field, "must be 01030100 or 01030101")),
    }
}

fn attach_nos(v: Option<&String>) -> Result<(), Error> {
    if let Some(s) = v
        && s.split(',').any(|n| n.trim().is_empty())
    {
        return Err(Error::invalid_input(
            "attach_nos",
            "must be attachment numbers separated by commas",
        ));
    }
    Ok(())
}

impl Operation for AgentMerchantOpeningRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "agent-merchant-opening";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = AGENT_MERCHANT_OPENING;
    const FIELDS: &'static [FieldDoc] = fields::AGENT_MERCHANT_OPENING_FIELDS;
    const EXAMPLE: &'static str = fields::AGENT_MERCHANT_OPENING_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::Mutation { order_id: None }
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("mer_name", &self.mer_name)?;
        types::required("mer_short_name", &self.mer_short_name)?;
        types::amount("reg_fund", self.reg_fund)?;
        if let Some(p) = self.paid_in_fund
            && p.fen() < 0
        {
            return Err(Error::invalid_input("paid_in_fund", "must not be negative"));
        }
        types::date("est_date", &self.est_date)?;
        types::required("mer_prov", &self.mer_prov)?;
        types::required("mer_area", &self.mer_area)?;
        types::required("mer_addr", &self.mer_addr)?;
        types::required("mer_reg_addr", &self.mer_reg_addr)?;
        license_codes(
            &self.license_type,
            "license_type",
            self.business_code.as_ref(),
            self.institution_code.as_ref(),
            self.tax_code.as_ref(),
            self.social_credit_code.as_ref(),
        )?;
        types::date("license_start_date", &self.license_start_date)?;
        self.license_end_date.validate("license_end_date")?;
        types::required("business_scope", &self.business_scope)?;
        if self.stockholders.is_empty() {
            return Err(Error::invalid_input(
                "stockholders",
                "must list at least one",
            ));
        }
        for s in &self.stockholders {
            s.validate("stockholders")?;
        }
        types::name("legal_name", &self.legal_name)?;
        self.legal_cert_type.ensure_known("legal_cert_type")?;
        types::cert_id(
            "legal_cert_id",
            Some(&self.legal_cert_type),
            &self.legal_cert_id,
        )?;
        types::date("legal_id_start_date", &self.legal_id_start_date)?;
        self.legal_id_end_date.validate("legal_id_end_date")?;
        types::mobile("legal_mobile", &self.legal_mobile)?;
        types::name("contact_name", &self.contact_name)?;
        types::mobile("contact_mobile", &self.contact_mobile)?;
        types::opt_email("contact_email", self.contact_email.as_ref())?;
        types::required("bank_id", &self.bank_id)?;
        self.bank_acct_no.validate_digits("bank_acct_no")?;
        types::required("bank_branch", &self.bank_branch)?;
        types::required("bank_prov", &self.bank_prov)?;
        types::required("bank_area", &self.bank_area)?;
        attach_nos(self.attach_nos.as_ref())?;
        if !self.card_type.is_known() {
            return Err(Error::invalid_input("card_type", "must be 1 or 2"));
        }
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// Individual-business opening (`merchant_opening`, 个体户开户).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct MerchantOpeningRequest {
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 开户申请号.
    pub apply_id: String,
    /// 操作类型.
    pub operate_type: OperateType,
    /// 个体户名称.
    pub user_name: String,
    /// 营业执照注册号.
    pub business_code: String,
    /// 证照起始日期.
    pub license_start_date: String,
    /// 证照结束日期 (or 永久).
    pub license_end_date: DateOrPermanent,
    /// 个体经营地址.
    pub solo_business_address: String,
    /// 个体注册地址.
    pub solo_reg_address: String,
    /// 个体固定电话.
    #[serde(default, skip_serializing_if = "is_none")]
    pub solo_fixed_telephone: Option<String>,
    /// 经营范围.
    pub business_scope: String,
    /// 法人姓名.
    pub legal_name: PersonName,
    /// 法人证件类型.
    pub legal_cert_type: CertType,
    /// 法人证件号码.
    pub legal_cert_id: IdNumber,
    /// 法人证件起始.
    pub legal_cert_start_date: String,
    /// 法人证件结束 (or 永久).
    pub legal_cert_end_date: DateOrPermanent,
    /// 法人手机号码.
    pub legal_mobile: PhoneNumber,
    /// 联系人姓名.
    pub contact_name: PersonName,
    /// 联系人手机号.
    pub contact_mobile: PhoneNumber,
    /// 联系人邮箱.
    #[serde(default, skip_serializing_if = "is_none")]
    pub contact_email: Option<String>,
    /// 职业.
    #[serde(default, skip_serializing_if = "is_none")]
    pub occupation: Option<String>,
    /// 住址.
    #[serde(default, skip_serializing_if = "is_none")]
    pub address: Option<String>,
    /// 附件编号列表.
    #[serde(default, skip_serializing_if = "is_none")]
    pub attach_nos: Option<String>,
    /// 后台通知地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl std::fmt::Debug for MerchantOpeningRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MerchantOpeningRequest")
            .field("order_id", &self.order_id)
            .field("order_date", &self.order_date)
            .field("apply_id", &self.apply_id)
            .field("operate_type", &self.operate_type)
            .field(
                "user_name",
                &crate::types::Masked(&self.user_name, pay_core::pii::mask_name),
            )
            .field("business_code", &self.business_code)
            .field("license_start_date", &self.license_start_date)
            .field("license_end_date", &self.license_end_date)
            .field("solo_business_address", &self.solo_business_address)
            .field("solo_reg_address", &self.solo_reg_address)
            .field(
                "solo_fixed_telephone",
                &crate::types::Masked(&self.solo_fixed_telephone, pay_core::pii::mask_phone),
            )
            .field("business_scope", &self.business_scope)
            .field("legal_name", &self.legal_name)
            .field("legal_cert_type", &self.legal_cert_type)
            .field("legal_cert_id", &self.legal_cert_id)
            .field("legal_cert_start_date", &self.legal_cert_start_date)
            .field("legal_cert_end_date", &self.legal_cert_end_date)
            .field("legal_mobile", &self.legal_mobile)
            .field("contact_name", &self.contact_name)
            .field("contact_mobile", &self.contact_mobile)
            .field(
                "contact_email",
                &crate::types::Masked(&self.contact_email, crate::types::mask_email),
            )
            .field("occupation", &self.occupation)
            .field(
                "address",
                &crate::types::Masked(&self.address, pay_core::pii::mask_name),
            )
            .field("attach_nos", &self.attach_nos)
            .field("bg_ret_url", &self.bg_ret_url)
            .field("mer_priv", &self.mer_priv)
            .field("extra", &self.extra)
            .finish()
    }
}

impl Operation for MerchantOpeningRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "merchant-opening";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = MERCHANT_OPENING;
    const FIELDS: &'static [FieldDoc] = fields::MERCHANT_OPENING_FIELDS;
    const EXAMPLE: &'static str = fields::MERCHANT_OPENING_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::required("apply_id", &self.apply_id)?;
        if !self.operate_type.is_known() {
            return Err(Error::invalid_input(
                "operate_type",
                "must be 00090000 or 00090001",
            ));
        }
        types::required("user_name", &self.user_name)?;
        types::required("business_code", &self.business_code)?;
        types::date("license_start_date", &self.license_start_date)?;
        self.license_end_date.validate("license_end_date")?;
        types::required("solo_business_address", &self.solo_business_address)?;
        types::required("solo_reg_address", &self.solo_reg_address)?;
        types::required("business_scope", &self.business_scope)?;
        types::name("legal_name", &self.legal_name)?;
        self.legal_cert_type.ensure_known("legal_cert_type")?;
        types::cert_id(
            "legal_cert_id",
            Some(&self.legal_cert_type),
            &self.legal_cert_id,
        )?;
        types::date("legal_cert_start_date", &self.legal_cert_start_date)?;
        self.legal_cert_end_date.validate("legal_cert_end_date")?;
        types::mobile("legal_mobile", &self.legal_mobile)?;
        types::name("contact_name", &self.contact_name)?;
        types::mobile("contact_mobile", &self.contact_mobile)?;
        types::opt_email("contact_email", self.contact_email.as_ref())?;
        attach_nos(self.attach_nos.as_ref())?;
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// Personal account opening (`person_opening`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonOpeningRequest {
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 用户的真实姓名.
    pub user_name: PersonName,
    /// 用户的身份证号.
    pub cert_id: IdNumber,
    /// 用户的手机号.
    pub user_mobile: PhoneNumber,
    /// 证件有效期截至日期 `yyyyMMdd`.
    pub vali_date: String,
    /// 用户省份 (e.g. `0031`).
    #[serde(default, skip_serializing_if = "is_none")]
    pub cust_prov: Option<String>,
    /// 用户地区 (e.g. `3100`).
    #[serde(default, skip_serializing_if = "is_none")]
    pub cust_area: Option<String>,
    /// 证件上的住址.
    #[serde(default, skip_serializing_if = "is_none")]
    pub cust_address: Option<String>,
    /// 个人职业分类.
    #[serde(default, skip_serializing_if = "is_none")]
    pub occupation: Option<String>,
    /// 用户的电子邮箱.
    #[serde(default, skip_serializing_if = "is_none")]
    pub user_email: Option<String>,
    /// 后台通知地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl std::fmt::Debug for PersonOpeningRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonOpeningRequest")
            .field("order_id", &self.order_id)
            .field("order_date", &self.order_date)
            .field("user_name", &self.user_name)
            .field("cert_id", &self.cert_id)
            .field("user_mobile", &self.user_mobile)
            .field("vali_date", &self.vali_date)
            .field("cust_prov", &self.cust_prov)
            .field("cust_area", &self.cust_area)
            .field(
                "cust_address",
                &crate::types::Masked(&self.cust_address, pay_core::pii::mask_name),
            )
            .field("occupation", &self.occupation)
            .field(
                "user_email",
                &crate::types::Masked(&self.user_email, crate::types::mask_email),
            )
            .field("bg_ret_url", &self.bg_ret_url)
            .field("mer_priv", &self.mer_priv)
            .field("extra", &self.extra)
            .finish()
    }
}

impl Operation for PersonOpeningRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "person-opening";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = PERSON_OPENING;
    const FIELDS: &'static [FieldDoc] = fields::PERSON_OPENING_FIELDS;
    const EXAMPLE: &'static str = fields::PERSON_OPENING_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::name("user_name", &self.user_name)?;
        self.cert_id.validate_cn_resident("cert_id")?;
        types::mobile("user_mobile", &self.user_mobile)?;
        types::date("vali_date", &self.vali_date)?;
        types::opt_email("user_email", self.user_email.as_ref())?;
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// Business account opening (`business_opening`, 企业开户).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct BusinessOpeningRequest {
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 企业开户申请号.
    pub apply_id: String,
    /// 操作类型.
    pub operate_type: OperateType,
    /// 证照类型.
    pub corp_license_type: LicenseType,
    /// 企业类型.
    pub corp_type: CorpType,
    /// 企业全称.
    pub corp_name: String,
    /// 营业执照注册号 (ordinary licence).
    #[serde(default, skip_serializing_if = "is_none")]
    pub business_code: Option<String>,
    /// 组织机构代码 (ordinary licence).
    #[serde(default, skip_serializing_if = "is_none")]
    pub institution_code: Option<String>,
    /// 税务登记证号 (ordinary licence).
    #[serde(default, skip_serializing_if = "is_none")]
    pub tax_code: Option<String>,
    /// 统一社会信用代码 (three-in-one licence only).
    #[serde(default, skip_serializing_if = "is_none")]
    pub social_credit_code: Option<String>,
    /// 证照起始日期.
    pub license_start_date: String,
    /// 证照结束日期 (or 永久).
    pub license_end_date: DateOrPermanent,
    /// 企业经营地址.
    pub corp_business_address: String,
    /// 企业注册地址.
    pub corp_reg_address: String,
    /// 企业固定电话.
    #[serde(default, skip_serializing_if = "is_none")]
    pub corp_fixed_telephone: Option<String>,
    /// 经营范围.
    pub business_scope: String,
    /// 控股股东 (实际控制人).
    #[serde(with = "crate::types::json_string")]
    pub controlling_shareholder: Vec<Stockholder>,
    /// 法人姓名.
    pub legal_name: PersonName,
    /// 法人证件类型.
    pub legal_cert_type: CertType,
    /// 法人证件号码.
    pub legal_cert_id: IdNumber,
    /// 法人证件起始.
    pub legal_cert_start_date: String,
    /// 法人证件结束 (or 永久).
    pub legal_cert_end_date: DateOrPermanent,
    /// 法人手机号码.
    pub legal_mobile: PhoneNumber,
    /// 企业联系人姓名.
    pub contact_name: PersonName,
    /// 企业联系人手机号.
    pub contact_mobile: PhoneNumber,
    /// 企业联系邮箱.
    #[serde(default, skip_serializing_if = "is_none")]
    pub contact_email: Option<String>,
    /// 银行账户名 (must equal the company name).
    pub bank_acct_name: String,
    /// 开户银行代号.
    pub bank_id: String,
    /// 银行账号.
    pub bank_acct_no: CardNumber,
    /// 支行名称.
    pub bank_branch: String,
    /// 开户省份.
    pub bank_prov: String,
    /// 开户地区.
    pub bank_area: String,
    /// 行业类别.
    #[serde(default, skip_serializing_if = "is_none")]
    pub industry: Option<String>,
    /// 页面返回地址.
    #[serde(default, skip_serializing_if = "is_none")]
    pub ret_url: Option<String>,
    /// 商户后台应答地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl std::fmt::Debug for BusinessOpeningRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BusinessOpeningRequest")
            .field("order_id", &self.order_id)
            .field("order_date", &self.order_date)
            .field("apply_id", &self.apply_id)
            .field("operate_type", &self.operate_type)
            .field("corp_license_type", &self.corp_license_type)
            .field("corp_type", &self.corp_type)
            .field("corp_name", &self.corp_name)
            .field("business_code", &self.business_code)
            .field("institution_code", &self.institution_code)
            .field("tax_code", &self.tax_code)
            .field("social_credit_code", &self.social_credit_code)
            .field("license_start_date", &self.license_start_date)
            .field("license_end_date", &self.license_end_date)
            .field("corp_business_address", &self.corp_business_address)
            .field("corp_reg_address", &self.corp_reg_address)
            .field("corp_fixed_telephone", &self.corp_fixed_telephone)
            .field("business_scope", &self.business_scope)
            .field("controlling_shareholder", &self.controlling_shareholder)
            .field("legal_name", &self.legal_name)
            .field("legal_cert_type", &self.legal_cert_type)
            .field("legal_cert_id", &self.legal_cert_id)
            .field("legal_cert_start_date", &self.legal_cert_start_date)
            .field("legal_cert_end_date", &self.legal_cert_end_date)
            .field("legal_mobile", &self.legal_mobile)
            .field("contact_name", &self.contact_name)
            .field("contact_mobile", &self.contact_mobile)
            .field(
                "contact_email",
                &crate::types::Masked(&self.contact_email, crate::types::mask_email),
            )
            .field("bank_acct_name", &self.bank_acct_name)
            .field("bank_id", &self.bank_id)
            .field("bank_acct_no", &self.bank_acct_no)
            .field("bank_branch", &self.bank_branch)
            .field("bank_prov", &self.bank_prov)
            .field("bank_area", &self.bank_area)
            .field("industry", &self.industry)
            .field("ret_url", &self.ret_url)
            .field("bg_ret_url", &self.bg_ret_url)
            .field("mer_priv", &self.mer_priv)
            .field("extra", &self.extra)
            .finish()
    }
}

impl Operation for BusinessOpeningRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "business-opening";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = BUSINESS_OPENING;
    const FIELDS: &'static [FieldDoc] = fields::BUSINESS_OPENING_FIELDS;
    const EXAMPLE: &'static str = fields::BUSINESS_OPENING_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::required("apply_id", &self.apply_id)?;
        if !self.operate_type.is_known() {
            return Err(Error::invalid_input(
                "operate_type",
                "must be 00090000 or 00090001",
            ));
        }
        if !self.corp_type.is_known() {
            return Err(Error::invalid_input(
                "corp_type",
                "must be 01030000 or 01030001",
            ));
        }
        types::required("corp_name", &self.corp_name)?;
        license_codes(
            &self.corp_license_type,
            "corp_license_type",
            self.business_code.as_ref(),
            self.institution_code.as_ref(),
            self.tax_code.as_ref(),
            self.social_credit_code.as_ref(),
        )?;
        if self.corp_license_type == LicenseType::Ordinary && self.social_credit_code.is_some() {
            return Err(Error::invalid_input(
                "social_credit_code",
                "must be absent for an ordinary licence (01030100)",
            ));
        }
        types::date("license_start_date", &self.license_start_date)?;
        self.license_end_date.validate("license_end_date")?;
        types::required("corp_business_address", &self.corp_business_address)?;
        types::required("corp_reg_address", &self.corp_reg_address)?;
        types::required("business_scope", &self.business_scope)?;
        if self.controlling_shareholder.is_empty() {
            return Err(Error::invalid_input(
                "controlling_shareholder",
                "must list at least one",
            ));
        }
        for s in &self.controlling_shareholder {
            s.validate("controlling_shareholder")?;
        }
        types::name("legal_name", &self.legal_name)?;
        self.legal_cert_type.ensure_known("legal_cert_type")?;
        types::cert_id(
            "legal_cert_id",
            Some(&self.legal_cert_type),
            &self.legal_cert_id,
        )?;
        types::date("legal_cert_start_date", &self.legal_cert_start_date)?;
        self.legal_cert_end_date.validate("legal_cert_end_date")?;
        types::mobile("legal_mobile", &self.legal_mobile)?;
        types::name("contact_name", &self.contact_name)?;
        types::mobile("contact_mobile", &self.contact_mobile)?;
        types::opt_email("contact_email", self.contact_email.as_ref())?;
        types::required("bank_acct_name", &self.bank_acct_name)?;
        if self.bank_acct_name != self.corp_name {
            return Err(Error::invalid_input(
                "bank_acct_name",
                "must equal corp_name",
            ));
        }
        types::required("bank_id", &self.bank_id)?;
        self.bank_acct_no.validate_digits("bank_acct_no")?;
        types::required("bank_branch", &self.bank_branch)?;
        types::required("bank_prov", &self.bank_prov)?;
        types::required("bank_area", &self.bank_area)?;
        self.ret_url
            .as_deref()
            .map_or(Ok(()), |u| types::url("ret_url", u))?;
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// Creates a sub-account (`sub_merchant_create`).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct SubMerchantCreateRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 账户类型.
    pub acct_type: AcctType,
    /// SMS code (when required).
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

impl std::fmt::Debug for SubMerchantCreateRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SubMerchantCreateRequest")
            .field("user_cust_id", &self.user_cust_id)
            .field("order_id", &self.order_id)
            .field("order_date", &self.order_date)
            .field("acct_type", &self.acct_type)
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

impl Operation for SubMerchantCreateRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "sub-merchant-create";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = SUB_MERCHANT_CREATE;
    const FIELDS: &'static [FieldDoc] = fields::SUB_MERCHANT_CREATE_FIELDS;
    const EXAMPLE: &'static str = fields::SUB_MERCHANT_CREATE_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        if !self.acct_type.is_known() {
            return Err(Error::invalid_input("acct_type", "must be 100 or 200"));
        }
        self.ret_url
            .as_deref()
            .map_or(Ok(()), |u| types::url("ret_url", u))?;
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

/// Balance query (`balance_query`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceQueryRequest {
    /// 用户客户号 (the merchant's own id to query the merchant).
    pub user_cust_id: String,
    /// 账户号 (required when querying the merchant itself).
    #[serde(default, skip_serializing_if = "is_none")]
    pub acct_id: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

/// Binds a debit card (`bind_bank_card`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BindBankCardRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 银行代号.
    pub bank_id: String,
    /// 银行卡号.
    pub card_no: CardNumber,
    /// `0`: debit card (the only value).
    pub dc_flag: DcFlag,
    /// 开户省份.
    pub card_prov: String,
    /// 开户地区.
    pub card_area: String,
    /// 银行预留手机号.
    pub card_mobile: PhoneNumber,
    /// 后台返回地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

/// Unbinds a card (`untie_bank_card`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UntieBankCardRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 银行代号.
    pub bank_id: String,
    /// 绑卡ID.
    pub card_id: String,
    /// 银行卡预留手机号.
    pub card_mobile: PhoneNumber,
    /// 卡业务类型.
    pub card_buss_type: CardBussType,
    /// 商户后台应答地址.
    pub bg_ret_url: String,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

/// Sends an SMS code (`send_sms_code`) for balance pay, withdrawal or sub-account creation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendSmsCodeRequest {
    /// 用户客户号.
    pub user_cust_id: String,
    /// 订单号.
    pub order_id: String,
    /// 订单日期.
    pub order_date: String,
    /// 用户手机号.
    pub user_mobile: PhoneNumber,
    /// 业务类型.
    pub busi_type: BusiType,
    /// 商户私有域.
    #[serde(default, skip_serializing_if = "is_none")]
    pub mer_priv: Option<String>,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

/// Statement download (`order_download`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderDownloadRequest {
    /// 对账日期 `yyyyMMdd`.
    pub order_date: String,
    /// `01`: trade statement.
    pub trans_type: DownloadTransType,
    /// Parameters this version does not know.
    #[serde(flatten, default)]
    pub extra: Extensions,
}

impl Operation for BalanceQueryRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "balance-query";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = BALANCE_QUERY;
    const FIELDS: &'static [FieldDoc] = fields::BALANCE_QUERY_FIELDS;
    const EXAMPLE: &'static str = fields::BALANCE_QUERY_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)
    }
}

/// `acct_id` is required when the merchant queries itself.
impl Endpoint for BalanceQueryRequest {
    type Fields = Self;
    fn fields(&self) -> &Self {
        self
    }
    fn check_config(&self, config: &Config) -> Result<(), Error> {
        let mer_cust_id = config.mer_cust_id();
        if self.user_cust_id == mer_cust_id && self.acct_id.as_deref().unwrap_or("").is_empty() {
            return Err(Error::invalid_input(
                "acct_id",
                "is required when querying the merchant itself",
            ));
        }
        Ok(())
    }
}

impl Operation for BindBankCardRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "bind-bank-card";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = BIND_BANK_CARD;
    const FIELDS: &'static [FieldDoc] = fields::BIND_BANK_CARD_FIELDS;
    const EXAMPLE: &'static str = fields::BIND_BANK_CARD_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::required("bank_id", &self.bank_id)?;
        self.card_no.validate_digits("card_no")?;
        if self.dc_flag != DcFlag::Debit {
            return Err(Error::invalid_input("dc_flag", "must be 0 (debit card)"));
        }
        types::required("card_prov", &self.card_prov)?;
        types::required("card_area", &self.card_area)?;
        types::mobile("card_mobile", &self.card_mobile)?;
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

impl Operation for UntieBankCardRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "untie-bank-card";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = UNTIE_BANK_CARD;
    const FIELDS: &'static [FieldDoc] = fields::UNTIE_BANK_CARD_FIELDS;
    const EXAMPLE: &'static str = fields::UNTIE_BANK_CARD_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::required("bank_id", &self.bank_id)?;
        types::required("card_id", &self.card_id)?;
        types::mobile("card_mobile", &self.card_mobile)?;
        if !self.card_buss_type.is_known() {
            return Err(Error::invalid_input("card_buss_type", "must be 0 or 2"));
        }
        types::url("bg_ret_url", &self.bg_ret_url)
    }
}

impl Operation for SendSmsCodeRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "send-sms-code";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = SEND_SMS_CODE;
    const FIELDS: &'static [FieldDoc] = fields::SEND_SMS_CODE_FIELDS;
    const EXAMPLE: &'static str = fields::SEND_SMS_CODE_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::mutation(self.order_id.clone())
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("user_cust_id", &self.user_cust_id)?;
        types::order_id("order_id", &self.order_id)?;
        types::date("order_date", &self.order_date)?;
        types::mobile("user_mobile", &self.user_mobile)?;
        if !self.busi_type.is_known() {
            return Err(Error::invalid_input("busi_type", "must be T11, T07 or U06"));
        }
        Ok(())
    }
}

impl Operation for OrderDownloadRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "order-download";
    const METHOD: Method = Method::POST;
    const PATH: &'static str = ORDER_DOWNLOAD;
    const FIELDS: &'static [FieldDoc] = fields::ORDER_DOWNLOAD_FIELDS;
    const EXAMPLE: &'static str = fields::ORDER_DOWNLOAD_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        types::date("order_date", &self.order_date)?;
        self.trans_type.ensure_known("trans_type")
    }
}

/// A bank card check (`GET /api/hfpay/app/bank_check/card/{card_id}`): the card id goes in
/// the path, path-escaped.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct BankCheckCardRequest {
    /// 银行卡号.
    pub card_id: CardNumber,
    /// Parameters this version does not know (none are sent: the request has no body).
    #[serde(flatten, default, skip_serializing)]
    pub extra: Extensions,
}

impl std::fmt::Debug for BankCheckCardRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BankCheckCardRequest")
            .field("card_id", &self.card_id)
            .finish_non_exhaustive()
    }
}

impl Operation for BankCheckCardRequest {
    type Answer = HfResponse;
    const NAME: &'static str = "bank-check-card";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/api/hfpay/app/bank_check/card/{card_id}";
    const FIELDS: &'static [FieldDoc] = fields::BANK_CHECK_CARD_FIELDS;
    const EXAMPLE: &'static str = fields::BANK_CHECK_CARD_EXAMPLE;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        types::required("card_id", self.card_id.expose())
    }
}

impl Endpoint for BankCheckCardRequest {
    type Fields = Self;
    fn fields(&self) -> &Self {
        self
    }
    fn path(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Owned(format!(
            "{BANK_CHECK_CARD_PREFIX}{}",
            escape_segment(self.card_id.expose())
        ))
    }
}

/// Percent-encodes one path segment (everything but RFC 3986 unreserved characters).
pub(crate) fn escape_segment(s: &str) -> String {
    crate::sign::rawurlencode(s)
}

impl Client {
    /// Opens an agent's merchant.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] before sending; [`Error::Provider`] when refused; see
    /// [`crate::response`].
    pub async fn agent_merchant_opening(
        &self,
        req: &AgentMerchantOpeningRequest,
    ) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Opens an individual business (个体户).
    ///
    /// # Errors
    /// As [`Client::agent_merchant_opening`].
    pub async fn merchant_opening(
        &self,
        req: &MerchantOpeningRequest,
    ) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Opens a personal account.
    ///
    /// # Errors
    /// As [`Client::agent_merchant_opening`].
    pub async fn person_opening(&self, req: &PersonOpeningRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Opens a business account (企业开户).
    ///
    /// # Errors
    /// As [`Client::agent_merchant_opening`].
    pub async fn business_opening(
        &self,
        req: &BusinessOpeningRequest,
    ) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Creates a sub-account.
    ///
    /// # Errors
    /// As [`Client::agent_merchant_opening`].
    pub async fn sub_merchant_create(
        &self,
        req: &SubMerchantCreateRequest,
    ) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Queries a balance (read-only).
    ///
    /// # Errors
    /// As [`Client::agent_merchant_opening`]; transport failures are [`Error::Transport`].
    pub async fn balance_query(&self, req: &BalanceQueryRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Binds a debit card.
    ///
    /// # Errors
    /// As [`Client::agent_merchant_opening`].
    pub async fn bind_bank_card(&self, req: &BindBankCardRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Unbinds a card.
    ///
    /// # Errors
    /// As [`Client::agent_merchant_opening`].
    pub async fn untie_bank_card(&self, req: &UntieBankCardRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Sends an SMS code.
    ///
    /// # Errors
    /// As [`Client::agent_merchant_opening`].
    pub async fn send_sms_code(&self, req: &SendSmsCodeRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Requests a statement (read-only).
    ///
    /// # Errors
    /// As [`Client::balance_query`].
    pub async fn order_download(&self, req: &OrderDownloadRequest) -> Result<HfResponse, Error> {
        self.run(req).await
    }

    /// Checks a bank card: `GET /api/hfpay/app/bank_check/card/{card_id}` with the card id
    /// path-escaped (read-only).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] for an empty id; otherwise as [`Client::balance_query`].
    pub async fn bank_check_card(&self, card_id: &CardNumber) -> Result<HfResponse, Error> {
        self.run(&BankCheckCardRequest {
            card_id: card_id.clone(),
            extra: Extensions::new(),
        })
        .await
    }
}

crate::client::endpoints!(
    AgentMerchantOpeningRequest,
    MerchantOpeningRequest,
    PersonOpeningRequest,
    BusinessOpeningRequest,
    SubMerchantCreateRequest,
    BindBankCardRequest,
    UntieBankCardRequest,
    SendSmsCodeRequest,
    OrderDownloadRequest,
);

crate::client::requests!(
    BankCheckCardRequest,
    AgentMerchantOpeningRequest,
    MerchantOpeningRequest,
    PersonOpeningRequest,
    BusinessOpeningRequest,
    SubMerchantCreateRequest,
    BalanceQueryRequest,
    BindBankCardRequest,
    UntieBankCardRequest,
    SendSmsCodeRequest,
    OrderDownloadRequest,
);

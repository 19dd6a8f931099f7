//! What the spec states of each request field, read from its descriptions and nowhere else
//! (the `huifu` client's own checks are not consulted): enumerations ("01030100 … 01030101"),
//! formats ("精确到年月日, 支持“永久”", a phone number, an identity card number, an e-mail
//! address, the JSON of the shareholders, amounts in yuan) and what is required: a field the
//! spec calls 必填 / 必输 / 不能为空 (outright or under a condition), and the fields without
//! which the operation means nothing (who is opened, with which licence and legal person, paid
//! to which account).
//!
//! The spec states no lengths beyond those its formats imply (`YYYYMMDD`, 11-digit phones,
//! 18-character identity numbers, at most 7 `div_detail` entries), and no error codes at all
//! (its 错误代码列表 are empty): every refusal here is `C10001` (参数错误) with the wire name
//! of the field and the rule it breaks.

use axum::response::Response;
use pay_core::Money;
use serde_json::Value;

use super::request::err;
use super::{ERR_PARAM, Fields};

/// The format the spec gives a field.
#[derive(Debug, Clone, Copy)]
pub(super) enum Format {
    /// Any text.
    Text,
    /// One of these codes.
    OneOf(&'static [&'static str]),
    /// `YYYYMMDD` ("精确到年月日").
    Date,
    /// `YYYYMMDD` or `永久` ("支持“永久”").
    DateOrForever,
    /// A mainland mobile number.
    Mobile,
    /// A resident identity card number (18 characters, check digit).
    ResidentId,
    /// An e-mail address.
    Email,
    /// A yuan amount, not negative ("注册资本(元)").
    Yuan,
    /// `[{"name", "certType", "certId"}, …]`, at least one (股东, 控股股东).
    People,
    /// A JSON object (扩展域, "如: {"eacloud":"proxy"}").
    JsonObject,
    /// Attachment numbers separated by commas ("多个附件编号之间用逗号隔开").
    AttachNos,
}

/// Whether a field must be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Presence {
    Required,
    Optional,
}

use Format::*;
use Presence::{Optional, Required};

/// One field's rule: `(wire name, presence, format)`.
pub(super) type Rule = (&'static str, Presence, Format);

/// 证照类型: 普通企业 (ordinary licence), 三证合一 (three-in-one).
const LICENSE_TYPES: &[&str] = &["01030100", "01030101"];
/// 法人证件类型: 身份证, 护照, 军官证, 士兵证, 回乡证, 警官证, 台胞证, 其他.
pub(super) const CERT_TYPES: &[&str] = &[
    "01020100", "01020101", "01020102", "01020103", "01020104", "01020105", "01020106", "01020107",
];
/// 操作类型: 新增, 修改.
const OPERATE_TYPES: &[&str] = &["00090000", "00090001"];

/// The settlement account of an agent or business opening.
pub(super) const BANK_ACCOUNT: &[Rule] = &[
    ("bank_id", Required, Text),
    ("bank_acct_no", Required, Text),
    ("bank_branch", Required, Text),
    ("bank_prov", Required, Text),
    ("bank_area", Required, Text),
];

/// `agent_merchant_opening` (代理商商户开户), with [`BANK_ACCOUNT`]; its legal person's dates
/// are `legal_id_*` where the other openings have `legal_cert_*`.
pub(super) const AGENT_MERCHANT_OPENING: &[Rule] = &[
    ("mer_name", Required, Text),
    ("mer_short_name", Required, Text),
    ("reg_fund", Optional, Yuan),
    ("paid_in_fund", Optional, Yuan),
    ("mer_prov", Required, Text),
    ("mer_area", Required, Text),
    ("mer_addr", Required, Text),
    ("mer_reg_addr", Required, Text),
    ("license_type", Required, OneOf(LICENSE_TYPES)),
    ("license_start_date", Required, Date),
    ("license_end_date", Required, DateOrForever),
    ("business_scope", Required, Text),
    ("stockholders", Required, People),
    ("legal_name", Required, Text),
    ("legal_cert_type", Required, OneOf(CERT_TYPES)),
    ("legal_cert_id", Required, Text),
    ("legal_id_start_date", Required, Date),
    ("legal_id_end_date", Required, DateOrForever),
    ("legal_mobile", Required, Mobile),
    ("contact_name", Required, Text),
    ("contact_mobile", Required, Mobile),
    ("contact_email", Optional, Email),
    ("attach_nos", Optional, AttachNos),
    ("card_type", Required, OneOf(&["1", "2"])),
    ("extension", Optional, JsonObject),
];

/// What a business and an individual-business opening share: the application and its
/// licence dates first, then (checked after the opening's own fields) the legal person and
/// the contact.
pub(super) const APPLICATION: &[Rule] = &[
    ("order_id", Required, Text),
    ("order_date", Required, Date),
    ("apply_id", Required, Text),
    ("operate_type", Required, OneOf(OPERATE_TYPES)),
    ("license_start_date", Required, Date),
    ("license_end_date", Required, DateOrForever),
    ("business_scope", Required, Text),
];

/// See [`APPLICATION`].
pub(super) const LEGAL_PERSON_AND_CONTACT: &[Rule] = &[
    ("legal_name", Required, Text),
    ("legal_cert_type", Required, OneOf(CERT_TYPES)),
    ("legal_cert_id", Required, Text),
    ("legal_cert_start_date", Required, Date),
    ("legal_cert_end_date", Required, DateOrForever),
    ("legal_mobile", Required, Mobile),
    ("contact_name", Required, Text),
    ("contact_mobile", Required, Mobile),
    ("contact_email", Optional, Email),
];

/// `business_opening` (企业开户), with [`APPLICATION`], [`LEGAL_PERSON_AND_CONTACT`] and
/// [`BANK_ACCOUNT`].
pub(super) const BUSINESS_OPENING: &[Rule] = &[
    ("corp_license_type", Required, OneOf(LICENSE_TYPES)),
    ("corp_type", Required, OneOf(&["01030000", "01030001"])),
    ("corp_name", Required, Text),
    ("corp_business_address", Required, Text),
    ("corp_reg_address", Required, Text),
    ("controlling_shareholder", Required, People),
    ("bank_acct_name", Required, Text),
];

/// `merchant_opening` (个体户开户), with [`APPLICATION`] and [`LEGAL_PERSON_AND_CONTACT`].
pub(super) const MERCHANT_OPENING: &[Rule] = &[
    ("user_name", Required, Text),
    ("business_code", Required, Text),
    ("solo_business_address", Required, Text),
    ("solo_reg_address", Required, Text),
    ("attach_nos", Optional, AttachNos),
];

/// `person_opening` (个人开户): `vali_date` "填写证件上有效期的截至日期, 格式为 YYYYMMDD".
pub(super) const PERSON_OPENING: &[Rule] = &[
    ("order_id", Required, Text),
    ("order_date", Required, Date),
    ("user_name", Required, Text),
    ("cert_id", Required, ResidentId),
    ("user_mobile", Required, Mobile),
    ("vali_date", Required, Date),
    ("user_email", Optional, Email),
];

/// `upload_card` (个人证件上传): `cert_type` "00-身份证", `source_channel` "0-PC;1-ANDROID;
/// 2-IOS"; the identity number is checked as one (the only type the spec has).
pub(super) const UPLOAD_CARD: &[Rule] = &[
    ("user_cust_id", Required, Text),
    ("order_id", Required, Text),
    ("order_date", Required, Date),
    ("cert_id", Required, ResidentId),
    ("cert_name", Required, Text),
    ("cert_type", Required, OneOf(&["00"])),
    ("source_channel", Optional, OneOf(&["0", "1", "2"])),
    ("file1", Required, Text),
    ("file2", Required, Text),
];

/// Checks `f` against `rules`, in order; the first broken rule is the refusal.
pub(super) fn check(f: &Fields, rules: &[Rule]) -> Result<(), Response> {
    for (name, presence, format) in rules {
        match f.get(*name).map(String::as_str).filter(|v| !v.is_empty()) {
            None if *presence == Required => return Err(refuse(f, name, "不能为空")),
            None => {}
            Some(v) => {
                if let Some(why) = broken(*format, v) {
                    return Err(refuse(f, name, &why));
                }
            }
        }
    }
    Ok(())
}

/// `C10001`, naming the field and the rule.
pub(super) fn refuse(f: &Fields, name: &str, why: &str) -> Response {
    err(ERR_PARAM, &format!("参数错误: {name} {why}"), f)
}

/// What is wrong with `v` in `format`, if anything.
fn broken(format: Format, v: &str) -> Option<String> {
    let ok = match format {
        Text => true,
        OneOf(allowed) => {
            return (!allowed.contains(&v)).then(|| format!("只能是 {}", allowed.join("/")));
        }
        Date => pay_core::clock::is_compact_date(v),
        DateOrForever => v == "永久" || pay_core::clock::is_compact_date(v),
        Mobile => pay_core::pii::validate_cn_mobile("mobile", v).is_ok(),
        ResidentId => pay_core::pii::validate_cn_resident_id("cert_id", v).is_ok(),
        Email => is_email(v),
        Yuan => Money::from_yuan(v).is_ok_and(|m| m.fen() >= 0),
        People => is_people(v),
        JsonObject => matches!(serde_json::from_str::<Value>(v), Ok(Value::Object(_))),
        AttachNos => v.split(',').all(|n| !n.trim().is_empty()),
    };
    (!ok).then(|| {
        match format {
            Date => "格式为 YYYYMMDD",
            DateOrForever => "格式为 YYYYMMDD 或 永久",
            Mobile => "手机号有误",
            ResidentId => "身份证号有误",
            Email => "邮箱格式有误",
            Yuan => "金额格式有误 (元)",
            People => "格式为 [{\"name\",\"certType\",\"certId\"}, …]",
            JsonObject => "须为 JSON 对象",
            AttachNos => "附件编号之间用逗号隔开",
            Text | OneOf(_) => "有误",
        }
        .to_owned()
    })
}

/// `local@domain.tld`: one `@`, a non-empty local part, a dotted domain, no spaces.
fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !v.contains(char::is_whitespace)
        && domain.split('.').filter(|p| !p.is_empty()).count() >= 2
        && !domain.starts_with('.')
        && !domain.ends_with('.')
}

/// A non-empty JSON array of objects with a non-empty `name`, `certType` and `certId` each.
fn is_people(v: &str) -> bool {
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(v) else {
        return false;
    };
    !items.is_empty()
        && items.iter().all(|p| {
            ["name", "certType", "certId"].iter().all(|k| {
                p.get(k)
                    .and_then(Value::as_str)
                    .is_some_and(|s| !s.is_empty())
            })
        })
}

/// The legal person's certificate number "与证件类型对应": a resident identity card number
/// when the type is 01020100 (身份证).
pub(super) fn legal_cert_id(f: &Fields) -> Result<(), Response> {
    let is_id_card = f.get("legal_cert_type").map(String::as_str) == Some("01020100");
    match f.get("legal_cert_id") {
        Some(id)
            if is_id_card
                && pay_core::pii::validate_cn_resident_id("legal_cert_id", id).is_err() =>
        {
            Err(refuse(
                f,
                "legal_cert_id",
                "身份证号有误 (legal_cert_type 01020100)",
            ))
        }
        _ => Ok(()),
    }
}

/// The licence codes the licence type requires: an ordinary licence (01030100) needs
/// `business_code`, `institution_code` and `tax_code` ("普通企业 必填"); a three-in-one
/// licence (01030101) needs `social_credit_code` ("三证合一 必填"). `ordinary_without_credit`:
/// the business opening also says of `social_credit_code` "普通营业执照企业不填".
pub(super) fn license_codes(
    f: &Fields,
    type_field: &str,
    ordinary_without_credit: bool,
) -> Result<(), Response> {
    let present = |k: &str| f.get(k).is_some_and(|v| !v.is_empty());
    match f.get(type_field).map(String::as_str) {
        Some("01030100") => {
            for name in ["business_code", "institution_code", "tax_code"] {
                if !present(name) {
                    return Err(refuse(f, name, "不能为空 (普通营业执照必填)"));
                }
            }
            if ordinary_without_credit && present("social_credit_code") {
                return Err(refuse(f, "social_credit_code", "普通营业执照企业不填"));
            }
            Ok(())
        }
        Some("01030101") if !present("social_credit_code") => {
            Err(refuse(f, "social_credit_code", "不能为空 (三证合一必填)"))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(broken(Date, "20240230"), Some("格式为 YYYYMMDD".into()));
        assert_eq!(broken(DateOrForever, "永久"), None);
        assert_eq!(broken(Email, "a@b.cn"), None);
        for bad in ["a@b", "@b.cn", "a b@c.cn", "a@@b.cn", "a@.cn"] {
            assert!(broken(Email, bad).is_some(), "{bad}");
        }
        assert_eq!(
            broken(
                People,
                r#"[{"name":"关羽","certType":"01","certId":"330204199008187881"}]"#
            ),
            None
        );
        for bad in ["[]", "{}", r#"[{"name":"关羽"}]"#, "x"] {
            assert!(broken(People, bad).is_some(), "{bad}");
        }
        assert_eq!(broken(Yuan, "1000000.00"), None);
        assert!(broken(Yuan, "-1.00").is_some());
        assert_eq!(broken(AttachNos, "abc123,abc1234"), None);
        assert!(broken(AttachNos, "abc123,").is_some());
        assert_eq!(broken(OneOf(&["1", "2"]), "3"), Some("只能是 1/2".into()));
    }
}

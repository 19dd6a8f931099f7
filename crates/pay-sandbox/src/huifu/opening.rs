//! Openings (person, enterprise, merchant, agent merchant), sub-accounts, the SMS code of an
//! opening or binding, and the uploads of ID cards and opening files.

use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::{Value, json};

use super::callbacks::callback_later;
use super::ledger::{new_order, new_user, user_exists};
use super::request::{date8, need, one_of, reply};
use super::rules::{
    self, Format,
    Presence::{Optional, Required},
};
use super::{ACCEPTED, Fields, OK};
use crate::common::Ctx;

/// The spec's enumerations of `upload_agent_file` and `upload_merchant_file`: `trans_type`
/// (01 代理商开户, 02 生利宝开户, 03 企业开户, 05 个体工商户开户, 06 批量代发; only 05 for a
/// merchant file) and `attach_type` (13/14, the settlement card, for merchant files only), as
/// the spec lists them; `file_upload_type` of a merchant file is `01` (新增), the only code
/// given; an agent file's is not checked, since the spec speaks of an update mode there
/// without giving its code.
pub(super) fn upload_enums(op: &str, f: &Fields) -> Result<(), Response> {
    need(f, "trans_type")?;
    if op == "upload_merchant_file" {
        one_of(f, "trans_type", &["05"])?;
    } else {
        one_of(f, "trans_type", &["01", "02", "03", "05", "06"])?;
    }
    const COMMON: &[&str] = &[
        "00", "01", "02", "03", "04", "05", "08", "09", "10", "11", "12", "99",
    ];
    const MERCHANT: &[&str] = &[
        "00", "01", "02", "03", "04", "05", "08", "09", "10", "11", "12", "13", "14", "99",
    ];
    if op == "upload_merchant_file" {
        // "01:新增(文件名称不能重复)": the only upload type the spec gives a merchant file.
        one_of(f, "file_upload_type", &["01"])?;
        one_of(f, "attach_type", MERCHANT)
    } else {
        one_of(f, "attach_type", COMMON)
    }
}

/// `person_opening`: a user, opened at once (see [`rules::PERSON_OPENING`]).
pub(super) fn person_opening(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    rules::check(f, rules::PERSON_OPENING)?;
    let user = new_user(ctx);
    let key = new_order(ctx, f, "person-opening", &user, Money::ZERO, "S")?;
    let extra = json!({"user_cust_id": user, "acct_id": format!("A{user}")});
    callback_later(ctx, f, &key, OK, "开户成功", extra.clone(), 0);
    Ok(reply(OK, "开户成功", f, extra))
}

/// The rules of a merchant opening, each as the spec states them (see [`rules`]): its fields,
/// the licence codes its licence type requires, the legal person's certificate number, and
/// for a business `bank_acct_name` "需与企业名称保持一致" (the same as `corp_name`).
fn check_merchant_opening(op: &str, f: &Fields) -> Result<(), Response> {
    match op {
        "business_opening" => {
            rules::check(f, rules::APPLICATION)?;
            rules::check(f, rules::BUSINESS_OPENING)?;
            rules::check(f, rules::LEGAL_PERSON_AND_CONTACT)?;
            rules::check(f, rules::BANK_ACCOUNT)?;
            rules::license_codes(f, "corp_license_type", true)?;
            if f.get("bank_acct_name") != f.get("corp_name") {
                return Err(rules::refuse(
                    f,
                    "bank_acct_name",
                    "需与企业名称 (corp_name) 保持一致",
                ));
            }
        }
        "merchant_opening" => {
            rules::check(f, rules::APPLICATION)?;
            rules::check(f, rules::MERCHANT_OPENING)?;
            rules::check(f, rules::LEGAL_PERSON_AND_CONTACT)?;
        }
        _ => {
            rules::check(f, rules::AGENT_MERCHANT_OPENING)?;
            rules::check(f, rules::BANK_ACCOUNT)?;
            rules::license_codes(f, "license_type", false)?;
        }
    }
    rules::legal_cert_id(f)
}

/// `business_opening`, `merchant_opening`, `agent_merchant_opening`: accepted, opened after a
/// status delay.
pub(super) fn merchant_opening(ctx: &Arc<Ctx>, op: &str, f: &Fields) -> Result<Response, Response> {
    check_merchant_opening(op, f)?;
    let user = new_user(ctx);
    let key = if op == "agent_merchant_opening" && !f.contains_key("order_id") {
        (
            format!("AGENT{}", ctx.next_seq()),
            ctx.now().beijing_date_compact(),
        )
    } else {
        new_order(ctx, f, "merchant-opening", &user, Money::ZERO, "I")?
    };
    let extra = json!({"user_cust_id": user, "apply_id": f.get("apply_id").cloned().unwrap_or_default(), "audit_stat": "Y"});
    callback_later(ctx, f, &key, OK, "开户成功", extra, 1);
    Ok(reply(
        ACCEPTED,
        "受理成功",
        f,
        json!({"apply_id": f.get("apply_id").cloned().unwrap_or_default()}),
    ))
}

/// `sub_merchant_create`: a sub-account of an opened user (`acct_type` "100:支付账户;
/// 200:非支付账户"), with its callback.
pub(super) fn sub_merchant_create(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let user = user_exists(ctx, f, "user_cust_id")?;
    need(f, "acct_type")?;
    one_of(f, "acct_type", &["100", "200"])?;
    let key = new_order(ctx, f, "sub-account", &user, Money::ZERO, "S")?;
    let extra = json!({"acct_id": format!("A{}", ctx.next_seq())});
    callback_later(ctx, f, &key, OK, "成功", extra.clone(), 0);
    Ok(reply(OK, "成功", f, extra))
}

/// `send_sms_code`: `user_mobile` a phone number, `busi_type` "T11-余额支付; T07-提现;
/// U06-创建子账户". The spec gives it no `bg_ret_url`: no callback.
pub(super) fn send_sms_code(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    user_exists(ctx, f, "user_cust_id")?;
    rules::check(f, SEND_SMS_CODE)?;
    Ok(reply(OK, "短信发送成功", f, Value::Null))
}

/// `send_sms_code`'s fields.
const SEND_SMS_CODE: &[rules::Rule] = &[
    ("order_date", Optional, Format::Date),
    ("user_mobile", Required, Format::Mobile),
    ("busi_type", Required, Format::OneOf(&["T11", "T07", "U06"])),
];

/// `upload_card` (see [`rules::UPLOAD_CARD`]; with its callback), `upload_agent_file`,
/// `upload_merchant_file` (see [`upload_enums`]).
pub(super) fn upload(ctx: &Arc<Ctx>, op: &str, f: &Fields) -> Result<Response, Response> {
    let extra = json!({"file_id": format!("F{}", ctx.next_seq())});
    if op == "upload_card" {
        rules::check(f, rules::UPLOAD_CARD)?;
        user_exists(ctx, f, "user_cust_id")?;
        let key = (need(f, "order_id")?.to_owned(), date8(f, "order_date")?);
        callback_later(ctx, f, &key, OK, "上传成功", extra.clone(), 0);
    } else {
        for name in ["attach_no", "attach_type", "file"] {
            need(f, name)?;
        }
        upload_enums(op, f)?;
    }
    Ok(reply(OK, "上传成功", f, extra))
}

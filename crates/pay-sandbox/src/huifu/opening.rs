//! Openings (person, enterprise, merchant, agent merchant), sub-accounts, the SMS code of an
//! opening or binding, and the uploads of ID cards and opening files.

use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::{Value, json};

use super::callbacks::callback_later;
use super::ledger::{new_order, new_user, user_exists};
use super::request::{err, need, one_of, reply};
use super::{ACCEPTED, ERR_PARAM, Fields, OK};
use crate::common::Ctx;

/// The spec's enumerations of `upload_agent_file` and `upload_merchant_file`: `trans_type`
/// (01 代理商开户, 02 生利宝开户, 03 企业开户, 05 个体工商户开户, 06 批量代发; only 05 for a
/// merchant file) and `attach_type` (13/14, the settlement card, for merchant files only), as
/// the `huifu` client checks them (`file_upload_type` is not: the spec lists `01` and speaks of
/// an update mode without giving its code).
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
    one_of(
        f,
        "attach_type",
        if op == "upload_merchant_file" {
            MERCHANT
        } else {
            COMMON
        },
    )
}

/// `person_opening`: a user, opened at once.
pub(super) fn person_opening(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    need(f, "user_name")?;
    let cert = need(f, "cert_id")?;
    pay_core::pii::validate_cn_resident_id("cert_id", cert)
        .map_err(|_| err(ERR_PARAM, "参数错误: cert_id 身份证号有误", f))?;
    let mobile = need(f, "user_mobile")?;
    pay_core::pii::validate_cn_mobile("user_mobile", mobile)
        .map_err(|_| err(ERR_PARAM, "参数错误: user_mobile 手机号有误", f))?;
    let user = new_user(ctx);
    let key = new_order(ctx, f, "person-opening", &user, Money::ZERO, "S")?;
    let extra = json!({"user_cust_id": user, "acct_id": format!("A{user}")});
    callback_later(ctx, f, &key, OK, "开户成功", extra.clone(), 0);
    Ok(reply(OK, "开户成功", f, extra))
}

/// `business_opening`, `merchant_opening`, `agent_merchant_opening`: accepted, opened after a
/// status delay.
pub(super) fn merchant_opening(ctx: &Arc<Ctx>, op: &str, f: &Fields) -> Result<Response, Response> {
    let required: &[&str] = match op {
        "business_opening" => &["apply_id", "corp_name", "legal_name", "bank_acct_no"],
        "merchant_opening" => &["apply_id", "user_name", "legal_name"],
        _ => &["mer_name", "legal_name", "bank_acct_no"],
    };
    for name in required {
        need(f, name)?;
    }
    one_of(f, "operate_type", &["00090000", "00090001"])?;
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

/// `sub_merchant_create`: a sub-account of an opened user.
pub(super) fn sub_merchant_create(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let user = user_exists(ctx, f, "user_cust_id")?;
    one_of(f, "acct_type", &["100", "200"])?;
    new_order(ctx, f, "sub-account", &user, Money::ZERO, "S")?;
    Ok(reply(
        OK,
        "成功",
        f,
        json!({"acct_id": format!("A{}", ctx.next_seq())}),
    ))
}

/// `send_sms_code`.
pub(super) fn send_sms_code(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    user_exists(ctx, f, "user_cust_id")?;
    need(f, "user_mobile")?;
    one_of(f, "busi_type", &["T11", "T07", "U06"])?;
    Ok(reply(OK, "短信发送成功", f, Value::Null))
}

/// `upload_card`, `upload_agent_file`, `upload_merchant_file`.
pub(super) fn upload(ctx: &Arc<Ctx>, op: &str, f: &Fields) -> Result<Response, Response> {
    let files: &[&str] = if op == "upload_card" {
        &["file1", "file2"]
    } else {
        &["attach_no", "attach_type", "file"]
    };
    for name in files {
        need(f, name)?;
    }
    if op == "upload_card" {
        user_exists(ctx, f, "user_cust_id")?;
        one_of(f, "cert_type", &["00"])?;
        one_of(f, "source_channel", &["0", "1", "2"])?;
    } else {
        upload_enums(op, f)?;
    }
    Ok(reply(
        OK,
        "上传成功",
        f,
        json!({"file_id": format!("F{}", ctx.next_seq())}),
    ))
}

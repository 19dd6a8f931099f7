//! Transfer (payout) orders: creation (`/api/trans/create_order`) and query.

use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::{Map, Value};

use super::callbacks::trans_notification;
use super::ledger::TransOrder;
use super::pay::lookup_key;
use super::request::{amount_of, check_notify, fingerprint, optional_max, required};
use super::sign::{business_error, fail, success};
use super::{ERR_DUPLICATE, ERR_NOT_FOUND};
use crate::common::{Ctx, field, lock, scripted_failure};
use crate::credentials::aggregate as cred;

pub(super) fn create_trans(ctx: &Arc<Ctx>, params: Map<String, Value>) -> Response {
    let checks = (|| -> Result<(String, Money), Response> {
        let no = required(&params, "mchTransOrderNo", 30)?.into_owned();
        if !required(&params, "currency", 3)?.eq_ignore_ascii_case("cny") {
            return Err(fail("参数格式校验错误: currency 只支持 cny"));
        }
        let amount = amount_of(&params)?;
        check_notify(ctx, &params)?;
        if let Some(attr) = field(&params, "accountAttr")
            && !matches!(attr.as_ref(), "0" | "1")
        {
            return Err(fail("参数格式校验错误: accountAttr 只能是 0 或 1"));
        }
        if let Some(bank_type) = field(&params, "bankType")
            && bank_type.parse::<u64>().is_err()
        {
            return Err(fail("参数格式校验错误: bankType 必须是整数"));
        }
        required(&params, "bankCode", 32)?;
        required(&params, "bankName", 128)?;
        let account_type = required(&params, "accountType", 1)?;
        if !matches!(account_type.as_ref(), "1" | "2" | "3" | "4") {
            return Err(fail("参数格式校验错误: accountType 只能是 1-4"));
        }
        required(&params, "accountName", 64)?;
        required(&params, "accountNo", 64)?;
        required(&params, "province", 32)?;
        required(&params, "city", 32)?;
        for (name, max) in [
            ("clientIp", 32),
            ("device", 64),
            ("param1", 64),
            ("param2", 64),
        ] {
            optional_max(&params, name, max)?;
        }
        Ok((no, amount))
    })();
    let (no, amount) = match checks {
        Ok(v) => v,
        Err(r) => return r,
    };
    let fp = fingerprint(&params);
    let mut state = lock(&ctx.aggregate);
    if let Some(existing) = state.trans.get(&no) {
        if existing.fingerprint == fp {
            return trans_fields(&no, existing);
        }
        return business_error(
            ERR_DUPLICATE,
            "商户代付订单号重复 (mchTransOrderNo already used)",
        );
    }
    let trans_order_id = ctx.next_id("T");
    state.trans_ids.insert(trans_order_id.clone(), no.clone());
    let order = TransOrder {
        trans_order_id,
        fingerprint: fp,
        params,
        amount,
        status: 1,
        channel_order_no: String::new(),
        trans_succ_time: None,
        create_time: ctx.now().unix_millis(),
    };
    let response = trans_fields(&no, &order);
    state.trans.insert(no.clone(), order);
    drop(state);
    ctx.after_status_delay(1, move |ctx| {
        let outgoing = {
            let mut state = lock(&ctx.aggregate);
            let Some(o) = state.trans.get_mut(&no) else {
                return;
            };
            if o.status != 1 {
                return;
            }
            o.status = if scripted_failure(o.amount) { 3 } else { 2 };
            o.trans_succ_time = Some(ctx.now().unix_millis());
            o.channel_order_no = format!("C{}", ctx.next_id(""));
            trans_notification(&ctx, &no, o)
        };
        ctx.notify(outgoing);
    });
    response
}

pub(super) fn trans_fields(no: &str, o: &TransOrder) -> Response {
    let mut fields = Map::new();
    fields.insert("transOrderId".into(), o.trans_order_id.clone().into());
    fields.insert("mchId".into(), cred::MCH_ID.into());
    fields.insert("mchTransOrderNo".into(), no.into());
    fields.insert("amount".into(), o.amount.fen().into());
    fields.insert("status".into(), o.status.into());
    fields.insert("channelOrderNo".into(), o.channel_order_no.clone().into());
    fields.insert("createTime".into(), o.create_time.into());
    success(fields)
}

pub(super) fn query_trans(ctx: &Arc<Ctx>, params: &Map<String, Value>) -> Response {
    if field(params, "mchTransOrderNo").is_none() && field(params, "transOrderId").is_none() {
        return fail("参数格式校验错误: transOrderId 与 mchTransOrderNo 二者传一");
    }
    let state = lock(&ctx.aggregate);
    let Some(no) = lookup_key(params, "mchTransOrderNo", "transOrderId", &state.trans_ids) else {
        return business_error(ERR_NOT_FOUND, "代付订单不存在");
    };
    let Some(o) = state.trans.get(&no) else {
        return business_error(ERR_NOT_FOUND, "代付订单不存在");
    };
    if let Some(id) = field(params, "transOrderId")
        && id.as_ref() != o.trans_order_id
    {
        return business_error(ERR_NOT_FOUND, "代付订单不存在");
    }
    let mut result = Map::new();
    result.insert("mchId".into(), cred::MCH_ID.into());
    result.insert("appId".into(), cred::APP_ID.into());
    result.insert("transOrderId".into(), o.trans_order_id.clone().into());
    result.insert("mchTransOrderNo".into(), no.clone().into());
    result.insert("amount".into(), o.amount.fen().into());
    result.insert("currency".into(), "cny".into());
    result.insert("status".into(), o.status.into());
    if !o.channel_order_no.is_empty() {
        result.insert("channelOrderNo".into(), o.channel_order_no.clone().into());
    }
    if let Some(t) = o.trans_succ_time {
        result.insert("transSuccTime".into(), t.into());
    }
    result.insert("createTime".into(), o.create_time.into());
    let notify = (params.get("executeNotify") == Some(&Value::Bool(true))
        && matches!(o.status, 2..=4))
    .then(|| trans_notification(ctx, &no, o));
    drop(state);
    if let Some(n) = notify {
        ctx.notify_once(n);
    }
    let mut fields = Map::new();
    fields.insert("result".into(), Value::Object(result));
    success(fields)
}

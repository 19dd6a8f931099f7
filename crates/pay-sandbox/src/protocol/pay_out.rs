//! Pay-outs (出金) and refunds: placing, query, the scripted lean answers, and the CNAPS branch
//! lookup.

use std::sync::Arc;

use axum::response::Response;
use pay_core::{Money, Timestamp};
use serde_json::{Map, Value, json};

use super::callbacks::notification;
use super::envelope::{error, success};
use super::ledger::PayOut;
use super::request::{amount, channel_type, need, opt, out_req_no};
use super::{ERR_DUPLICATE, ERR_FUNDS, ERR_PARAM};
use crate::common::{Ctx, lock, scripted_failure};
use crate::credentials::protocol as cred;

pub(super) fn pay_out_json(p: &PayOut) -> Value {
    json!({
        "transNo": p.trans_no,
        "appId": cred::APP_ID,
        "channelSubaccCode": "",
        "channelSubaccCustid": format!("SUB{}", p.trans_no),
        "channelType": "LFT",
        "amount": p.amount.to_yuan(),
        "outReqNo": p.out_req_no,
        "payOrderNo": p.pay_order_no,
        "bankAccName": p.bank_acc_name,
        "bankAccNum": p.bank_acc_num,
        "bankName": p.bank_name,
        "bankCnaps": p.bank_cnaps,
        "outType": p.out_type,
        "remark": p.remark,
        "payStatus": p.pay_status,
        "payFinishTime": p.finish_time.map(Timestamp::beijing_datetime).unwrap_or_default(),
        "createTime": p.create_time.beijing_datetime(),
        "channelReturnCode": p.return_code,
        "channelReturnMsg": p.return_msg,
    })
}

/// Whether the later/leaner notifications (see the module docs) are scripted for this amount:
/// the amount in fen ends in `66`.
pub(crate) fn scripted_lean(amount: Money) -> bool {
    amount.fen().rem_euclid(100) == 66
}

/// The §11 data of a scripted pay-out (see the module docs): only the fields §6 and §7 both
/// list as required, without the pay-out's own (`outType`, the bank account).
pub(super) fn lean_pay_out_json(p: &PayOut) -> Value {
    json!({
        "transNo": p.trans_no,
        "appId": cred::APP_ID,
        "channelType": "LFT",
        "amount": p.amount.to_yuan(),
        "outReqNo": p.out_req_no,
        "payOrderNo": p.pay_order_no,
        "payStatus": p.pay_status,
        "createTime": p.create_time.beijing_datetime(),
    })
}

pub(super) fn outpay(ctx: &Arc<Ctx>, data: &Map<String, Value>) -> Result<Response, Response> {
    let trans_no = need(ctx, data, "transNo")?;
    let out_req_no = out_req_no(ctx, data)?;
    let amount = amount(ctx, data)?;
    channel_type(ctx, data, true)?;
    let notify_url = need(ctx, data, "outNotifyUrl")?;
    ctx.check_notify_url(&notify_url)
        .map_err(|why| error(ctx, ERR_PARAM, &format!("outNotifyUrl {why}")))?;
    let bank_acc_name = need(ctx, data, "bankAccName")?;
    let bank_acc_num = need(ctx, data, "bankAccNum")?;
    let bank_name = need(ctx, data, "bankName")?;
    let bank_cnaps = need(ctx, data, "bankCnaps")?;
    if bank_cnaps.len() != 12 || !bank_cnaps.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error(ctx, ERR_PARAM, "bankCnaps 必须是 12 位联行号"));
    }
    let out_type = need(ctx, data, "outType")?;
    if !matches!(out_type.as_str(), "OUT" | "REFUND") {
        return Err(error(ctx, ERR_PARAM, "outType 只能是 OUT 或 REFUND"));
    }
    let mut state = lock(&ctx.protocol);
    if state.pay_ins.contains_key(&out_req_no) || state.pay_outs.contains_key(&out_req_no) {
        return Err(error(ctx, ERR_DUPLICATE, "业务系统请求流水号重复"));
    }
    let Some(protocol) = state.protocols.get_mut(&trans_no) else {
        return Err(error(ctx, "EP20001", "协议不存在"));
    };
    if protocol.amount < amount {
        return Err(error(ctx, ERR_FUNDS, "可用金额不足"));
    }
    protocol.amount = protocol.amount.checked_sub(amount).unwrap_or(Money::ZERO);
    let p = PayOut {
        trans_no,
        out_req_no: out_req_no.clone(),
        amount,
        pay_order_no: ctx.next_id("PO"),
        pay_status: "PROCESSING",
        notify_url,
        bank_acc_name,
        bank_acc_num,
        bank_name,
        bank_cnaps,
        out_type,
        remark: opt(data, "remark"),
        create_time: ctx.now(),
        finish_time: None,
        return_code: "",
        return_msg: "",
    };
    let body = pay_out_json(&p);
    state.pay_outs.insert(out_req_no.clone(), p);
    drop(state);
    ctx.after_status_delay(1, move |ctx| {
        let outgoing = {
            let mut state = lock(&ctx.protocol);
            let Some(p) = state.pay_outs.get_mut(&out_req_no) else {
                return;
            };
            if p.pay_status != "PROCESSING" {
                return;
            }
            let failed = scripted_failure(p.amount);
            p.pay_status = if failed { "FAILURE" } else { "SUCCESS" };
            p.finish_time = Some(ctx.now());
            (p.return_code, p.return_msg) = if failed {
                ("F002", "收款账户异常")
            } else {
                ("0000", "出金成功")
            };
            let (trans_no, amount) = (p.trans_no.clone(), p.amount);
            let data = if scripted_lean(p.amount) {
                lean_pay_out_json(p)
            } else {
                pay_out_json(p)
            };
            let out = notification(&ctx, &out_req_no, "pay-out", &p.notify_url, &data);
            if let Some(pr) = state.protocols.get_mut(&trans_no) {
                if failed {
                    pr.amount = pr.amount.checked_add(amount).unwrap_or(pr.amount);
                } else {
                    pr.out_amount = pr.out_amount.checked_add(amount).unwrap_or(pr.out_amount);
                }
            }
            out
        };
        ctx.notify(outgoing);
    });
    Ok(success(ctx, &body))
}

pub(super) fn outquery(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let no = need(ctx, data, "outReqNo")?;
    let state = lock(&ctx.protocol);
    let p = state
        .pay_outs
        .get(&no)
        .ok_or_else(|| error(ctx, "EP20003", "出金订单不存在"))?;
    Ok(success(ctx, &pay_out_json(p)))
}

pub(super) const BRANCHES: &[(&str, &str)] = &[
    ("中国工商银行北京海淀支行", "102100000458"),
    ("中国建设银行北京海淀支行", "105100000017"),
    ("招商银行北京海淀支行", "308100005158"),
    ("中国银行上海浦东支行", "104290003033"),
    ("招商银行上海浦东支行", "308290003198"),
    ("中国农业银行南京鼓楼支行", "103301000039"),
];

pub(super) fn querybankcnaps(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let keyword = need(ctx, data, "bankNameKeyWord")?;
    let list: Vec<Value> = BRANCHES
        .iter()
        .filter(|(name, _)| name.contains(keyword.as_str()))
        .map(|(name, cnaps)| json!({"bankName": name, "bankCnaps": cnaps}))
        .collect();
    Ok(success(ctx, &Value::Array(list)))
}

//! Pay-ins (入金): prepay, its later transitions (paid, arrived, a scripted resend), POS close
//! and query.

use std::sync::Arc;

use axum::response::Response;
use pay_core::{Money, Timestamp};
use serde_json::{Map, Value, json};

use super::callbacks::notification;
use super::envelope::{error, success};
use super::ledger::PayIn;
use super::pay_out::scripted_lean;
use super::request::{amount, need, opt, out_req_no};
use super::{ERR_DUPLICATE, ERR_PARAM};
use crate::common::{Ctx, field, lock, scripted_failure};
use crate::credentials::protocol as cred;

pub(super) fn pay_in_json(p: &PayIn) -> Value {
    let t = |x: Option<Timestamp>| x.map(Timestamp::beijing_datetime).unwrap_or_default();
    json!({
        "transNo": p.trans_no,
        "appId": cred::APP_ID,
        "channelType": "LFT",
        "amount": p.amount.to_yuan(),
        "outReqNo": p.out_req_no,
        "posCode": p.pos_code,
        "payOrderNo": p.pay_order_no,
        "payStatus": p.pay_status,
        "arrivedStatus": if p.arrived { "02" } else { "01" },
        "payFinishTime": t(p.finish_time),
        "payArriveTime": t(p.arrive_time),
        "createTime": p.create_time.beijing_datetime(),
        "cardNum": if p.finish_time.is_some() { "6225********5555" } else { "" },
        "issuingBank": if p.finish_time.is_some() { "CMB" } else { "" },
        "issuingBankZH": if p.finish_time.is_some() { "招商银行" } else { "" },
        "channelReturnCode": p.return_code,
        "channelReturnMsg": p.return_msg,
        "contractNum": p.contract_num,
        "cashierType": p.cashier_type,
    })
}

pub(super) fn prepay(ctx: &Arc<Ctx>, data: &Map<String, Value>) -> Result<Response, Response> {
    let trans_no = need(ctx, data, "transNo")?;
    let out_req_no = out_req_no(ctx, data)?;
    let amount = amount(ctx, data)?;
    let success_url = need(ctx, data, "outSuccessNotifyUrl")?;
    ctx.check_notify_url(&success_url)
        .map_err(|why| error(ctx, ERR_PARAM, &format!("outSuccessNotifyUrl {why}")))?;
    let arrived_url = field(data, "outArrivedNotifyUrl").map(|c| c.into_owned());
    if let Some(u) = &arrived_url {
        ctx.check_notify_url(u)
            .map_err(|why| error(ctx, ERR_PARAM, &format!("outArrivedNotifyUrl {why}")))?;
    }
    let catalog = need(ctx, data, "prodCatalog")?;
    if !matches!(catalog.as_str(), "01" | "02") {
        return Err(error(ctx, ERR_PARAM, "prodCatalog 只能是 01 或 02"));
    }
    let mut state = lock(&ctx.protocol);
    let Some(protocol) = state.protocols.get(&trans_no) else {
        return Err(error(ctx, "EP20001", "协议不存在"));
    };
    let cashier_type = protocol.cashier_type.clone();
    if state.pay_ins.contains_key(&out_req_no) || state.pay_outs.contains_key(&out_req_no) {
        return Err(error(ctx, ERR_DUPLICATE, "业务系统请求流水号重复"));
    }
    let seq = ctx.next_seq();
    let p = PayIn {
        trans_no,
        out_req_no: out_req_no.clone(),
        amount,
        pos_code: if cashier_type == "POS" {
            format!("{:06}", (seq * 7919) % 1_000_000)
        } else {
            String::new()
        },
        pay_order_no: ctx.next_id("PI"),
        pay_status: "UNPAID",
        arrived: false,
        success_url,
        arrived_url,
        contract_num: opt(data, "contractNum"),
        create_time: ctx.now(),
        finish_time: None,
        arrive_time: None,
        cashier_type,
        return_code: "",
        return_msg: "",
    };
    let mut body = pay_in_json(&p);
    if p.cashier_type == "QP"
        && let Some(o) = body.as_object_mut()
    {
        o.insert(
            "cashierUrl".into(),
            format!("{}/sandbox/cashier/{}", ctx.base_url, p.pay_order_no).into(),
        );
    }
    state.pay_ins.insert(out_req_no.clone(), p);
    drop(state);
    for (steps, then) in [
        (1, pay_in_decided as fn(&Arc<Ctx>, &str)),
        (2, pay_in_arrived),
    ] {
        let no = out_req_no.clone();
        ctx.after_status_delay(steps, move |ctx| then(&ctx, &no));
    }
    if scripted_lean(amount) {
        ctx.after_status_delay(3, move |ctx| pay_in_resent(&ctx, &out_req_no));
    }
    Ok(success(ctx, &body))
}

/// A pay-in after one status delay: paid, or failed for a scripted amount; its success notice.
pub(super) fn pay_in_decided(ctx: &Arc<Ctx>, no: &str) {
    let outgoing = {
        let mut state = lock(&ctx.protocol);
        let Some(p) = state.pay_ins.get_mut(no) else {
            return;
        };
        if p.pay_status != "UNPAID" {
            return;
        }
        let failed = scripted_failure(p.amount);
        p.pay_status = if failed { "FAILURE" } else { "SUCCESS" };
        p.finish_time = Some(ctx.now());
        (p.return_code, p.return_msg) = if failed {
            ("F001", "交易失败")
        } else {
            ("0000", "交易成功")
        };
        let (trans_no, amount) = (p.trans_no.clone(), p.amount);
        let out = notification(ctx, no, "pay-in", &p.success_url, &pay_in_json(p));
        if !failed && let Some(pr) = state.protocols.get_mut(&trans_no) {
            pr.onpassage = pr.onpassage.checked_add(amount).unwrap_or(pr.onpassage);
        }
        out
    };
    ctx.notify(outgoing);
}

/// A paid pay-in after two status delays: the money arrives (on passage → the protocol's
/// amount); its arrival notice, where it has an `outArrivedNotifyUrl`.
pub(super) fn pay_in_arrived(ctx: &Arc<Ctx>, no: &str) {
    let outgoing = {
        let mut state = lock(&ctx.protocol);
        let Some(p) = state.pay_ins.get_mut(no) else {
            return;
        };
        if p.pay_status != "SUCCESS" || p.arrived {
            return;
        }
        p.arrived = true;
        p.arrive_time = Some(ctx.now());
        let (trans_no, amount) = (p.trans_no.clone(), p.amount);
        let out = p
            .arrived_url
            .clone()
            .map(|u| notification(ctx, no, "arrived", &u, &pay_in_json(p)));
        if let Some(pr) = state.protocols.get_mut(&trans_no) {
            pr.onpassage = pr.onpassage.checked_sub(amount).unwrap_or(Money::ZERO);
            pr.amount = pr.amount.checked_add(amount).unwrap_or(pr.amount);
        }
        out
    };
    if let Some(o) = outgoing {
        ctx.notify(o);
    }
}

/// A scripted resend of an arrived pay-in's success notice (see [`scripted_lean`]).
pub(super) fn pay_in_resent(ctx: &Arc<Ctx>, no: &str) {
    let outgoing = {
        let state = lock(&ctx.protocol);
        let Some(p) = state.pay_ins.get(no) else {
            return;
        };
        if p.pay_status != "SUCCESS" || !p.arrived {
            return;
        }
        notification(ctx, no, "pay-in-resend", &p.success_url, &pay_in_json(p))
    };
    ctx.notify(outgoing);
}

pub(super) fn posclose(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let no = need(ctx, data, "outReqNo")?;
    let mut state = lock(&ctx.protocol);
    let p = state
        .pay_ins
        .get_mut(&no)
        .ok_or_else(|| error(ctx, "EP20002", "入金订单不存在"))?;
    let closed = p.pay_status == "UNPAID";
    if closed {
        p.pay_status = "FAILURE";
        p.finish_time = Some(ctx.now());
        (p.return_code, p.return_msg) = ("C001", "六位码已关闭");
    }
    Ok(success(
        ctx,
        &json!({"result": if closed { "true" } else { "false" }}),
    ))
}

pub(super) fn inquery(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let no = need(ctx, data, "outReqNo")?;
    let state = lock(&ctx.protocol);
    let p = state
        .pay_ins
        .get(&no)
        .ok_or_else(|| error(ctx, "EP20002", "入金订单不存在"))?;
    Ok(success(ctx, &pay_in_json(p)))
}

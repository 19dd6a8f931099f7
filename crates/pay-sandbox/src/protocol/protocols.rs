//! Protocols (escrow agreements): creation and lookup.

use axum::response::Response;
use pay_core::Money;
use serde_json::{Map, Value, json};

use super::ERR_PARAM;
use super::envelope::{error, success};
use super::ledger::Protocol;
use super::request::{channel_type, need};
use crate::common::{Ctx, field, lock};
use crate::credentials::protocol as cred;

pub(super) fn protocol_json(p: &Protocol) -> Value {
    json!({
        "transNo": p.trans_no,
        "transDesc": p.trans_desc,
        "appId": cred::APP_ID,
        "businessId": p.business_id,
        "businessDesc": "pay-sandbox business",
        "channelType": "LFT",
        "amount": p.amount.to_yuan(),
        "onpassageAmount": p.onpassage.to_yuan(),
        "outAmount": p.out_amount.to_yuan(),
        "createTime": p.create_time.beijing_datetime(),
        "cashierType": p.cashier_type,
    })
}

pub(super) fn create(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    channel_type(ctx, data, true)?;
    let trans_desc = need(ctx, data, "transDesc")?;
    let business_id = need(ctx, data, "businessId")?;
    let cashier_type = match field(data, "cashierType").as_deref() {
        None | Some("POS") => "POS".to_owned(),
        Some("QP") => "QP".to_owned(),
        Some(_) => return Err(error(ctx, ERR_PARAM, "cashierType 只能是 QP 或 POS")),
    };
    let p = Protocol {
        trans_no: ctx.next_id("LP"),
        trans_desc,
        business_id,
        cashier_type,
        amount: Money::ZERO,
        onpassage: Money::ZERO,
        out_amount: Money::ZERO,
        create_time: ctx.now(),
    };
    let body = protocol_json(&p);
    lock(&ctx.protocol).protocols.insert(p.trans_no.clone(), p);
    Ok(success(ctx, &body))
}

pub(super) fn find(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let trans_no = need(ctx, data, "transNo")?;
    let state = lock(&ctx.protocol);
    let p = state
        .protocols
        .get(&trans_no)
        .ok_or_else(|| error(ctx, "EP20001", "协议不存在"))?;
    Ok(success(ctx, &protocol_json(p)))
}

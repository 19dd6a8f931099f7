//! Payout reports (`api/notify/order-*`): payouts the dealer made elsewhere, reported.

use axum::response::Response;
use serde_json::{Map, Value, json};

use super::envelope::{ok, reply};
use super::request::{need, parse_pay};
use crate::common::{Ctx, lock};
use crate::credentials::yunzhanghu as cred;

pub(super) fn report(
    ctx: &Ctx,
    data: &Map<String, Value>,
    rid: &str,
) -> Result<Response, Response> {
    let order_id = need(data, "order_id", rid)?;
    if need(data, "dealer_id", rid)? != cred::DEALER_ID {
        return Err(reply(
            "1002",
            "请求参数格式不正确: dealer_id 与 dealer-id 不一致",
            rid,
            None,
        ));
    }
    need(data, "broker_id", rid)?;
    need(data, "real_name", rid)?;
    need(data, "id_card", rid)?;
    let pay = parse_pay(data, rid)?;
    let result = need(data, "result", rid)?;
    if !matches!(result.as_str(), "1" | "2") {
        return Err(reply(
            "1002",
            "请求参数格式不正确: result 只能是 1 或 2",
            rid,
            None,
        ));
    }
    need(data, "created_at", rid)?;
    let mut state = lock(&ctx.yunzhanghu);
    if state.orders.contains_key(&order_id) || state.reports.contains_key(&order_id) {
        return Err(reply("2002", "已上传过该笔流水", rid, None));
    }
    let reference = format!("1768{}", ctx.next_seq());
    state.reports.insert(order_id.clone(), reference.clone());
    Ok(ok(
        rid,
        json!({"order_id": order_id, "ref": reference, "pay": pay.to_yuan()}),
    ))
}

//! Queries: an order (`query-realtime-order`) and the balances (`query-accounts`).

use axum::response::Response;
use pay_core::Money;
use serde_json::{Map, Value, json};

use super::callbacks::order_json;
use super::envelope::{encrypt, ok, reply};
use super::ledger::Channel;
use super::request::{need, text};
use crate::common::{Ctx, lock};
use crate::credentials::yunzhanghu as cred;

pub(super) fn query_order(
    ctx: &Ctx,
    data: &Map<String, Value>,
    rid: &str,
) -> Result<Response, Response> {
    let order_id = need(data, "order_id", rid)?;
    let channel = match text(data, "channel").as_deref() {
        None | Some("银行卡") => Channel::BankCard,
        Some("支付宝") => Channel::Alipay,
        Some("微信") => Channel::Wxpay,
        Some(_) => {
            return Err(reply(
                "1002",
                "请求参数格式不正确: channel 只能是 银行卡/支付宝/微信",
                rid,
                None,
            ));
        }
    };
    let state = lock(&ctx.yunzhanghu);
    let Some(o) = state.orders.get(&order_id).filter(|o| o.channel == channel) else {
        return Err(reply("2018", "该笔订单不存在", rid, None));
    };
    let body = order_json(o);
    drop(state);
    if text(data, "data_type").as_deref() == Some("encryption") {
        return Ok(ok(rid, json!({"encry_data": encrypt(&body.to_string())})));
    }
    Ok(ok(rid, body))
}

pub(super) fn query_accounts(ctx: &Ctx, rid: &str) -> Response {
    let state = lock(&ctx.yunzhanghu);
    let bal = |k: &str| {
        state
            .balances
            .get(k)
            .copied()
            .unwrap_or(Money::ZERO)
            .to_yuan()
    };
    ok(
        rid,
        json!({"dealer_infos": [{
            "broker_id": cred::BROKER_ID,
            "bank_card_balance": bal("bank_card"),
            "is_bank_card": true,
            "alipay_balance": bal("alipay"),
            "is_alipay": true,
            "wxpay_balance": bal("wxpay"),
            "is_wxpay": true,
            "rebate_fee_balance": "0.00",
        }]}),
    )
}

//! Payouts (`order-realtime`, `order-alipay`, `order-wxpay`): placing, paying and the scripted
//! later transitions.

use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::{Map, Value, json};

use super::callbacks::callback;
use super::envelope::{ok, reply};
use super::ledger::{Channel, Order};
use super::request::{check_id_card, need, notify_url, parse_pay, pay_remark, text};
use super::transitions::return_order;
use crate::common::{Ctx, lock, scripted_failure};
use crate::credentials::yunzhanghu as cred;

pub(super) fn place_order(
    ctx: &Arc<Ctx>,
    data: &Map<String, Value>,
    channel: Channel,
    rid: &str,
) -> Result<Response, Response> {
    let order_id = need(data, "order_id", rid)?;
    if order_id.len() > 64 {
        return Err(reply(
            "1002",
            "请求参数格式不正确: order_id 超过 64 个字符",
            rid,
            None,
        ));
    }
    if need(data, "dealer_id", rid)? != cred::DEALER_ID {
        return Err(reply(
            "1002",
            "请求参数格式不正确: dealer_id 与 dealer-id 不一致",
            rid,
            None,
        ));
    }
    let broker_id = need(data, "broker_id", rid)?;
    if broker_id != cred::BROKER_ID {
        return Err(reply("2038", "该商户不属于该经纪公司", rid, None));
    }
    let real_name = need(data, "real_name", rid)?;
    let id_card = need(data, "id_card", rid)?;
    check_id_card(&id_card, rid)?;
    let card_no = match channel {
        Channel::BankCard => {
            let c = need(data, "card_no", rid)?;
            if !(12..=19).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(reply("2006", "银行卡号错误", rid, None));
            }
            c
        }
        Channel::Alipay => need(data, "card_no", rid)?,
        Channel::Wxpay => need(data, "openid", rid)?,
    };
    let pay = parse_pay(data, rid)?;
    let (min, max) = match channel {
        Channel::BankCard => (1, 500_000_000),
        Channel::Alipay => (1, 100_000_000),
        Channel::Wxpay => (100, 499_900),
    };
    if pay.fen() < min || pay.fen() > max {
        return Err(reply(
            "2016",
            "错误的打款金额 (outside the channel's single-payment limits)",
            rid,
            None,
        ));
    }
    let phone_no = text(data, "phone_no")
        .map(|c| c.into_owned())
        .unwrap_or_default();
    let pay_remark = pay_remark(data, rid)?;
    let notify_url = notify_url(ctx, data, rid)?;
    let mut state = lock(&ctx.yunzhanghu);
    if state.orders.contains_key(&order_id) || state.reports.contains_key(&order_id) {
        return Err(reply("2002", "已上传过该笔流水", rid, None));
    }
    let reference = ctx.next_seq().to_string();
    let reference = format!("1053{}{reference:0>8}", ctx.now().unix_seconds());
    state.orders.insert(
        order_id.clone(),
        Order {
            order_id: order_id.clone(),
            reference: reference.clone(),
            channel,
            broker_id,
            real_name,
            card_no,
            id_card,
            phone_no,
            pay,
            anchor_id: text(data, "anchor_id")
                .map(|c| c.into_owned())
                .unwrap_or_default(),
            notes: text(data, "notes")
                .map(|c| c.into_owned())
                .unwrap_or_default(),
            pay_remark,
            status: 0,
            status_detail: 0,
            created_at: ctx.now(),
            finished_at: None,
            returned_at: None,
            bank_bill: String::new(),
            notify_url,
        },
    );
    drop(state);
    let id1 = order_id.clone();
    ctx.after_status_delay(1, move |ctx| {
        if let Some(o) = lock(&ctx.yunzhanghu).orders.get_mut(&id1)
            && o.status == 0
        {
            o.status = 8;
        }
    });
    let id2 = order_id.clone();
    ctx.after_status_delay(2, move |ctx| settle(&ctx, &id2));
    Ok(ok(
        rid,
        json!({"order_id": order_id, "ref": reference, "pay": pay.to_yuan()}),
    ))
}

pub(super) fn balance_key(channel: Channel) -> &'static str {
    match channel {
        Channel::BankCard => "bank_card",
        Channel::Alipay => "alipay",
        Channel::Wxpay => "wxpay",
    }
}

/// Moves an order to its final status and sends the callback.
pub(super) fn settle(ctx: &Arc<Ctx>, order_id: &str) {
    let outgoing = {
        let mut state = lock(&ctx.yunzhanghu);
        let Some(o) = state.orders.get(order_id).cloned() else {
            return;
        };
        if !matches!(o.status, 0 | 8) {
            return;
        }
        let key = balance_key(o.channel);
        let balance = state.balances.get(key).copied().unwrap_or(Money::ZERO);
        let (status, detail) = if scripted_failure(o.pay) {
            (2, 211)
        } else if balance < o.pay {
            (4, 0)
        } else {
            if let Some(b) = state.balances.get_mut(key) {
                *b = balance.checked_sub(o.pay).unwrap_or(Money::ZERO);
            }
            if o.channel == Channel::Wxpay && scripted_return(o.pay) {
                (1, 27)
            } else {
                (1, 0)
            }
        };
        if status == 1 && scripted_return(o.pay) {
            let id = order_id.to_owned();
            ctx.after_status_delay(2, move |ctx| {
                if let Some(outgoing) = return_order(&ctx, &id).ok().flatten() {
                    ctx.notify(outgoing);
                }
            });
        }
        let Some(o) = state.orders.get_mut(order_id) else {
            return;
        };
        o.status = status;
        o.status_detail = detail;
        if status == 4 {
            return;
        }
        o.finished_at = Some(ctx.now());
        if status == 1 {
            o.bank_bill = format!("2017{}", o.reference);
        }
        let Some(url) = o.notify_url.clone() else {
            return;
        };
        callback(ctx, o, &url)
    };
    ctx.notify(outgoing);
}

/// Whether a return is scripted for this amount: the amount in fen ends in `55`.
pub(super) fn scripted_return(pay: Money) -> bool {
    pay.fen().rem_euclid(100) == 55
}

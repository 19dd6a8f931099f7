//! Refunds (`refund`, 退款).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::json;

use super::callbacks::settle_later;
use super::ledger::{Order, Transfer, duplicate, minus, order_key, original_pay, plus, total};
use super::pay::div_detail;
use super::request::{amount, date8, err, need, reply};
use super::{ACCEPTED, ERR_FUNDS, ERR_PARAM, Fields};
use crate::common::{Ctx, lock};

/// `refund`: takes money back from the accounts a successful pay delivered it to and returns
/// it to the payer.
///
/// - The original (`org_order_id` + `org_order_date`) must be a successful quick, app or
///   balance pay (`C10004`: unknown, not a pay, still in progress, failed).
/// - What is taken back: the `div_detail` shares if given (they must add up to `trans_amt`),
///   else all of `trans_amt` from the one account the pay delivered to (`C10001` if it was
///   split among several: the refund must name the shares).
/// - Each account gives back at most what it received from this pay, less the refunds of it
///   that have not failed (pending ones included), so that partial refunds add up to at most
///   the amount paid (`C10001`). Money the platform still holds for a guarantee or a delayed
///   split was delivered to nobody and is not refundable: `order_reverse` returns it.
/// - Each account must have its share available (`C10006`).
/// - Accepted (`C00002`, `I`): the shares are frozen at once; after the status delay the
///   refund succeeds and the money goes to the payer (the balance a balance pay was drawn
///   on; for a card or QR payment the card or wallet, outside the simulator), or it fails (a
///   scripted amount) and the shares are unfrozen.
/// - The spec: "对于退货失败的,支持同订单号同金额的重复请求;新订单号认为是新的退货交易". A
///   failed refund sent again with the same `order_id`, `org_order_id` and `trans_amt` is
///   taken up again, checked like a new one, and this time not failed by the scripted amount
///   (the amount cannot change, so it could otherwise never succeed). Any other reuse of
///   `order_id` + `order_date` is `C10003`.
pub(super) fn refund(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let org = (
        need(f, "org_order_id")?.to_owned(),
        date8(f, "org_order_date")?,
    );
    let amount = amount(f)?;
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    let retry = match state.orders.get(&key) {
        None => false,
        Some(o)
            if o.kind == "refund"
                && o.status == "F"
                && o.refund_of.as_ref() == Some(&org)
                && o.amount == amount =>
        {
            true
        }
        Some(_) => return Err(duplicate(f)),
    };
    let (user, _, trade) = original_pay(&state, &org, f)?;
    let over = || err(ERR_PARAM, "参数错误: trans_amt 超过原交易可退金额", f);
    let mut shares: BTreeMap<String, Money> = BTreeMap::new();
    match div_detail(&state, f, amount)? {
        Some(divs) => {
            if total(divs.iter().map(|(_, m)| m)) != amount {
                return Err(err(
                    ERR_PARAM,
                    "参数错误: div_detail 退款金额之和须等于 trans_amt",
                    f,
                ));
            }
            for (id, share) in divs {
                let s = shares.entry(id).or_insert(Money::ZERO);
                *s = plus(*s, share);
            }
        }
        None => {
            let mut delivered = trade.delivered.keys();
            match (delivered.next(), delivered.next()) {
                (Some(only), None) => {
                    shares.insert(only.clone(), amount);
                }
                (None, _) => return Err(over()),
                (Some(_), Some(_)) => {
                    return Err(err(
                        ERR_PARAM,
                        "参数错误: 原交易已分账给多个账户, 退款须给出 div_detail",
                        f,
                    ));
                }
            }
        }
    }
    // What the refunds of this pay that have not failed took back already, per account.
    let mut taken: BTreeMap<&str, Money> = BTreeMap::new();
    for (k, o) in &state.orders {
        if *k == key || o.refund_of.as_ref() != Some(&org) || o.status == "F" {
            continue;
        }
        for (id, share) in o.transfer.iter().flat_map(|t| &t.from) {
            let t = taken.entry(id.as_str()).or_insert(Money::ZERO);
            *t = plus(*t, *share);
        }
    }
    for (id, share) in &shares {
        let received = trade.delivered.get(id).copied().unwrap_or(Money::ZERO);
        let back = taken.get(id.as_str()).copied().unwrap_or(Money::ZERO);
        if *share > minus(received, back) {
            return Err(over());
        }
    }
    if shares
        .iter()
        .any(|(id, share)| state.accounts.available(id) < *share)
    {
        return Err(err(ERR_FUNDS, "余额不足 (退款出资账户)", f));
    }
    for (id, share) in &shares {
        state.accounts.freeze(id, *share);
    }
    let transfer = Transfer {
        from: shares.into_iter().collect(),
        to: trade.source,
        retry,
    };
    if retry {
        if let Some(o) = state.orders.get_mut(&key) {
            o.status = "I";
            o.transfer = Some(transfer);
        }
    } else {
        let mut order = Order::new(ctx, "refund", &user, amount, "I");
        order.refund_of = Some(org);
        order.transfer = Some(transfer);
        state.orders.insert(key.clone(), order);
    }
    drop(state);
    settle_later(ctx, f, key);
    Ok(reply(
        ACCEPTED,
        "退款受理成功",
        f,
        json!({"trans_stat": "I"}),
    ))
}

//! Releasing held money: `fz` (split), `order_affirm` (to the seller) and `order_reverse`
//! (back to the buyer).

use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::json;

use super::callbacks::callback_later;
use super::ledger::{Hold, Order, fresh, minus, order_key, original_pay, put_trade, total};
use super::pay::div_detail;
use super::request::{amount, date8, err, need, reply};
use super::{ERR_NOT_FOUND, ERR_PARAM, ERR_SETTLED, Fields, OK};
use crate::common::{Ctx, lock};
use crate::credentials::huifu as cred;

/// `trans_amt` of `fz`, `order_affirm` or `order_reverse` against the original trade: at most
/// its amount (`C10001`) and at most what the platform still holds of it (`C10011`: nothing
/// left once confirmed, reversed or split in full).
pub(super) fn check_held(
    f: &Fields,
    amount: Money,
    original: Money,
    held: Money,
) -> Result<(), Response> {
    if amount > original {
        return Err(err(ERR_PARAM, "参数错误: trans_amt 超过原订单金额", f));
    }
    if !held.is_positive() {
        return Err(err(ERR_SETTLED, "原交易已处理完毕 (已确认、撤销或分账)", f));
    }
    if amount > held {
        return Err(err(
            ERR_SETTLED,
            &format!("trans_amt 超过原交易待处理金额 {}", held.to_yuan()),
            f,
        ));
    }
    Ok(())
}

/// `fz`: pays `trans_amt` of a held trade out to the `div_detail` accounts.
pub(super) fn fz(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let old = (
        need(f, "old_order_id")?.to_owned(),
        date8(f, "old_order_date")?,
    );
    let amount = amount(f)?;
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    fresh(&state, &key, f)?;
    let (user, original, mut trade) = original_pay(&state, &old, f)?;
    if trade.hold().is_none() {
        return Err(err(
            ERR_NOT_FOUND,
            "原交易不是担保或延时分账交易, 无待分账资金 (old_order_id)",
            f,
        ));
    }
    check_held(f, amount, original, trade.held)?;
    let Some(mut shares) = div_detail(&state, f, amount)? else {
        return Err(err(ERR_PARAM, "参数错误: div_detail 不能为空", f));
    };
    // The part of trans_amt the split string does not list goes to the trade's
    // seller, or to the merchant if it has none (the spec is silent).
    let rest = minus(amount, total(shares.iter().map(|(_, m)| m)));
    if rest.is_positive() {
        let to = trade
            .seller
            .clone()
            .unwrap_or_else(|| cred::MER_CUST_ID.to_owned());
        shares.push((to, rest));
    }
    state.accounts.unhold(amount);
    trade.held = minus(trade.held, amount);
    for (to, share) in shares {
        trade.deliver(&mut state.accounts, &to, share);
    }
    put_trade(&mut state, &old, trade);
    state
        .orders
        .insert(key.clone(), Order::new(ctx, "split", &user, amount, "S"));
    drop(state);
    callback_later(ctx, f, &key, OK, "交易成功", json!({"trans_stat": "S"}), 0);
    Ok(reply(OK, "交易成功", f, json!({"trans_stat": "S"})))
}

/// `order_affirm` (to the seller) or `order_reverse` (back to the buyer) of a guarantee.
pub(super) fn affirm_or_reverse(
    ctx: &Arc<Ctx>,
    op: &str,
    f: &Fields,
) -> Result<Response, Response> {
    let affirm = op == "order_affirm";
    let old = (
        need(f, "old_order_id")?.to_owned(),
        date8(f, "old_order_date")?,
    );
    let amount = amount(f)?;
    let seller = need(f, "in_cust_id")?.to_owned();
    let buyer = need(f, "out_cust_id")?.to_owned();
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    fresh(&state, &key, f)?;
    let (user, original, mut trade) = original_pay(&state, &old, f)?;
    if trade.hold() != Some(Hold::Guarantee) {
        return Err(err(ERR_NOT_FOUND, "原交易不是担保交易 (old_order_id)", f));
    }
    if trade.seller.as_deref() != Some(seller.as_str()) {
        return Err(err(
            ERR_PARAM,
            "参数错误: in_cust_id 不是原担保交易的卖家",
            f,
        ));
    }
    // A QR payment may have no buyer account: then any out_cust_id is taken.
    if trade.buyer.as_ref().is_some_and(|b| *b != buyer) {
        return Err(err(
            ERR_PARAM,
            "参数错误: out_cust_id 不是原担保交易的买家",
            f,
        ));
    }
    check_held(f, amount, original, trade.held)?;
    state.accounts.unhold(amount);
    trade.held = minus(trade.held, amount);
    if affirm {
        // 订单确认: the held money goes to the seller.
        trade.deliver(&mut state.accounts, &seller, amount);
    } else if let Some(source) = &trade.source {
        // 订单撤销: back to the buyer's balance it was drawn on; for a card or QR
        // payment back to the card or wallet, outside the simulator.
        state.accounts.credit(source, amount);
    }
    put_trade(&mut state, &old, trade);
    let kind = if affirm { "affirm" } else { "reverse" };
    state
        .orders
        .insert(key.clone(), Order::new(ctx, kind, &user, amount, "S"));
    drop(state);
    callback_later(ctx, f, &key, OK, "交易成功", json!({"trans_stat": "S"}), 0);
    Ok(reply(OK, "交易成功", f, json!({"trans_stat": "S"})))
}

//! Withdrawals (`withdrawal`, 提现).

use std::sync::Arc;

use axum::response::Response;
use serde_json::json;

use super::callbacks::settle_later;
use super::ledger::{Order, Transfer, fresh, order_key, user_exists};
use super::request::{amount, err, need, one_of, reply};
use super::{ACCEPTED, ERR_CARD, ERR_FUNDS, Fields};
use crate::common::{Ctx, lock};

/// `withdrawal`: frozen when accepted, gone when the bank succeeds, unfrozen if it fails.
pub(super) fn withdrawal(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let user = user_exists(ctx, f, "user_cust_id")?;
    let amount = amount(f)?;
    let card = need(f, "cash_bind_card_id")?.to_owned();
    if lock(&ctx.huifu)
        .cards
        .get(&card)
        .is_none_or(|c| c.user_cust_id != user)
    {
        return Err(err(ERR_CARD, "提现银行卡不存在 (cash_bind_card_id)", f));
    }
    need(f, "cash_type")?;
    one_of(f, "cash_type", &["T0", "T1"])?;
    one_of(f, "fee_obj", &["M", "U"])?;
    // fee_acct_id "向商户收取时, 必填".
    if f.get("fee_obj").map(String::as_str) == Some("M") {
        need(f, "fee_acct_id")?;
    }
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    fresh(&state, &key, f)?;
    if state.accounts.available(&user) < amount {
        return Err(err(ERR_FUNDS, "余额不足", f));
    }
    // Frozen until the bank answers: gone on success, unfrozen on failure. The
    // sandbox charges no fee (fee_obj is only checked).
    state.accounts.freeze(&user, amount);
    let mut order = Order::new(ctx, "withdrawal", &user, amount, "I");
    order.transfer = Some(Transfer {
        from: vec![(user, amount)],
        to: None,
        retry: false,
    });
    state.orders.insert(key.clone(), order);
    drop(state);
    settle_later(ctx, f, key);
    Ok(reply(
        ACCEPTED,
        "提现受理成功",
        f,
        json!({"trans_stat": "I"}),
    ))
}

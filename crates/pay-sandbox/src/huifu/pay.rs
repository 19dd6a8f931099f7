//! Pays: quick pay (the SMS request, then the pay), app pay (QR, app, official account, mini
//! program) and balance pay, and where their money goes (`div_detail`, `in_cust_id`, held).

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::{Value, json};

use super::callbacks::{callback_later, settle_later};
use super::ledger::{
    Dest, Hold, Order, PendingQuickPay, State, Trade, account_exists, duplicate, fresh, minus,
    order_key, total, user_exists,
};
use super::query::bare_answers;
use super::request::{amount, date8, err, need, one_of, reply};
use super::rules::refuse;
use super::{
    ERR_FUNDS, ERR_NOT_FOUND, ERR_PARAM, ERR_SMS, ERR_USER, Fields, MAX_AMOUNT, OK, PROCESSING,
};
use crate::common::{Ctx, lock, yuan_two_decimals};
use crate::credentials::huifu as cred;

/// The split string `div_detail` if given: a JSON array of 1 to 7
/// `{"divAmt": "###.00", "divAcctId": …, "divCustId": …}`, each amount more than zero, each
/// `divCustId` a known account (`C10005` if not), adding up to at most `limit`. `divAcctId`
/// (the sub-account) is not checked: the simulator keeps one account per customer.
pub(super) fn div_detail(
    state: &State,
    f: &Fields,
    limit: Money,
) -> Result<Option<Vec<(String, Money)>>, Response> {
    let Some(text) = f.get("div_detail").filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        err(
            ERR_PARAM,
            "参数错误: div_detail 分账串格式有误 (1 到 7 个 divAmt/divAcctId/divCustId)",
            f,
        )
    };
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Err(bad());
    };
    if items.is_empty() || items.len() > 7 {
        return Err(bad());
    }
    let mut shares = Vec::with_capacity(items.len());
    for item in &items {
        let field = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or_default();
        let share = yuan_two_decimals(field("divAmt"))
            .filter(|m| m.is_positive() && *m <= MAX_AMOUNT)
            .ok_or_else(bad)?;
        let cust = field("divCustId");
        if cust.is_empty() || field("divAcctId").is_empty() {
            return Err(bad());
        }
        if !state.accounts.exists(cust) {
            return Err(err(ERR_USER, "分账客户不存在 (div_detail divCustId)", f));
        }
        shares.push((cust.to_owned(), share));
    }
    if total(shares.iter().map(|(_, m)| m)) > limit {
        return Err(err(
            ERR_PARAM,
            "参数错误: div_detail 分账金额之和超过 trans_amt",
            f,
        ));
    }
    Ok(Some(shares))
}

/// Where the money of a quick or app pay goes when it succeeds, and its seller:
///
/// - `trans_type=guarantee`: held by the platform for the seller, who must be named
///   (`in_cust_id`) since `order_affirm` releases to it;
/// - `div_type=01` (delayed split): held by the platform until `fz`;
/// - otherwise credited: the `div_detail` shares to their accounts, the rest to `in_cust_id`,
///   or, when there is none, to the paying user's own account (a top-up: an `app_pay` names
///   neither only with `trans_type=recharge`, see [`app_pay_rules`]; the quick pay's SMS
///   request, for which the spec states no such rule, may name neither).
///
/// A `div_detail` sent with a held pay is checked but not used: `fz` gives the split.
pub(super) fn pay_dest(
    state: &State,
    f: &Fields,
    payer: Option<&str>,
    amount: Money,
) -> Result<(Dest, Option<String>), Response> {
    let seller = match f.get("in_cust_id").filter(|v| !v.is_empty()) {
        Some(_) => Some(account_exists(state, f, "in_cust_id")?),
        None => None,
    };
    let shares = div_detail(state, f, amount)?;
    if f.get("trans_type").map(String::as_str) == Some("guarantee") {
        if seller.is_none() {
            return Err(err(
                ERR_PARAM,
                "参数错误: 担保交易须给出 in_cust_id (卖家)",
                f,
            ));
        }
        return Ok((Dest::Hold(Hold::Guarantee), seller));
    }
    if f.get("div_type").map(String::as_str) == Some("01") {
        return Ok((Dest::Hold(Hold::DelayedSplit), seller));
    }
    let mut shares = shares.unwrap_or_default();
    let rest = minus(amount, total(shares.iter().map(|(_, m)| m)));
    if rest.is_positive() {
        let to = match (&seller, payer) {
            (Some(s), _) => s.clone(),
            (None, Some(p)) if state.accounts.exists(p) => p.to_owned(),
            (None, Some(_)) => return Err(err(ERR_USER, "用户不存在 (user_cust_id)", f)),
            (None, None) => {
                return Err(err(
                    ERR_PARAM,
                    "参数错误: in_cust_id 与 div_detail 必填一个",
                    f,
                ));
            }
        };
        shares.push((to, rest));
    }
    Ok((Dest::Credit(shares), seller))
}

/// `send_quick_pay_sms_code`: the quick pay's first step; its money's destination is checked
/// and kept here, and the SMS request's result goes to its `bg_ret_url`.
pub(super) fn send_quick_pay_sms_code(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let user = user_exists(ctx, f, "user_cust_id")?;
    let amount = amount(f)?;
    need(f, "card_no")?;
    need(f, "card_mobile")?;
    one_of(f, "trans_type", &["guarantee", "recharge", "other"])?;
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    if state.pending.contains_key(&key) {
        return Err(duplicate(f));
    }
    fresh(&state, &key, f)?;
    let (dest, seller) = pay_dest(&state, f, Some(&user), amount)?;
    state.pending.insert(
        key.clone(),
        PendingQuickPay {
            user_cust_id: user,
            amount,
            dest,
            seller,
        },
    );
    drop(state);
    callback_later(ctx, f, &key, OK, "短信发送成功", Value::Null, 0);
    Ok(reply(OK, "短信发送成功", f, Value::Null))
}

/// `quick_pay`: the SMS code of an earlier `send_quick_pay_sms_code` (`ori_order_id`).
pub(super) fn quick_pay(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let user = user_exists(ctx, f, "user_cust_id")?;
    let ori = (
        need(f, "ori_order_id")?.to_owned(),
        date8(f, "ori_order_date")?,
    );
    if need(f, "sms_code")? != cred::SMS_CODE {
        return Err(err(ERR_SMS, "短信验证码错误", f));
    }
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    let pending = state.pending.get(&ori).cloned();
    let Some(pending) = pending.filter(|p| p.user_cust_id == user) else {
        return Err(err(ERR_NOT_FOUND, "原短信订单不存在 (ori_order_id)", f));
    };
    fresh(&state, &key, f)?;
    state.pending.remove(&ori);
    let mut order = Order::new(ctx, "quick-pay", &user, pending.amount, "I");
    order.trade = Some(Trade {
        source: None,
        buyer: Some(user),
        seller: pending.seller,
        dest: pending.dest,
        held: Money::ZERO,
        delivered: BTreeMap::new(),
    });
    state.orders.insert(key.clone(), order);
    drop(state);
    settle_later(ctx, f, key);
    Ok(reply(
        PROCESSING,
        "交易处理中",
        f,
        json!({"trans_amt": pending.amount.to_yuan(), "trans_stat": "I"}),
    ))
}

/// What `app_pay`'s field descriptions require beyond its enumerations: `app_id`
/// "支付类型为微信APP支付时不能为空" (`pay_type` 10), `buyer_id` "微信公众号支付和小程序支付时,
/// 不能为空" (13, 19), `in_cust_id` "非充值交易, 入账客户号与分账串必填一个" (unless
/// `trans_type=recharge`), and `is_raw` "1-是; 0-否".
fn app_pay_rules(f: &Fields) -> Result<(), Response> {
    let get = |k: &str| f.get(k).map(String::as_str).filter(|v| !v.is_empty());
    one_of(f, "is_raw", &["0", "1"])?;
    match get("pay_type") {
        Some("10") if get("app_id").is_none() => {
            return Err(refuse(f, "app_id", "不能为空 (pay_type 10 微信APP支付)"));
        }
        Some("13" | "19") if get("buyer_id").is_none() => {
            return Err(refuse(
                f,
                "buyer_id",
                "不能为空 (pay_type 13 微信公众号, 19 微信小程序)",
            ));
        }
        _ => {}
    }
    if get("trans_type") != Some("recharge")
        && get("in_cust_id").is_none()
        && get("div_detail").is_none()
    {
        return Err(refuse(
            f,
            "in_cust_id",
            "与 div_detail 必填一个 (非充值交易)",
        ));
    }
    Ok(())
}

/// `app_pay` (see [`app_pay_rules`]).
pub(super) fn app_pay(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let amount = amount(f)?;
    one_of(f, "pay_type", &["04", "05", "10", "12", "13", "18", "19"])?;
    need(f, "pay_type")?;
    one_of(f, "trans_type", &["guarantee", "recharge", "other"])?;
    one_of(f, "div_type", &["01"])?;
    app_pay_rules(f)?;
    let user = f.get("user_cust_id").filter(|v| !v.is_empty()).cloned();
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    fresh(&state, &key, f)?;
    let (dest, seller) = pay_dest(&state, f, user.as_deref(), amount)?;
    let mut order = Order::new(
        ctx,
        "app-pay",
        user.as_deref().unwrap_or_default(),
        amount,
        "I",
    );
    order.trade = Some(Trade {
        source: None,
        buyer: user,
        seller,
        dest,
        held: Money::ZERO,
        delivered: BTreeMap::new(),
    });
    state.orders.insert(key.clone(), order);
    drop(state);
    settle_later(ctx, f, key.clone());
    let pay_info = format!("{}/sandbox/cashier/{}", ctx.base_url, key.0);
    if bare_answers(amount) {
        return Ok(reply(OK, "成功", f, json!({"pay_info": pay_info})));
    }
    Ok(reply(
        PROCESSING,
        "交易处理中",
        f,
        json!({"trans_stat": "I", "pay_info": pay_info}),
    ))
}

/// `balance_pay`: from the buyer's available balance, at once.
pub(super) fn balance_pay(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let payer = user_exists(ctx, f, "out_cust_id")?;
    let payee = account_exists(&lock(&ctx.huifu), f, "in_cust_id")?;
    let amount = amount(f)?;
    one_of(f, "trans_type", &["1", "2"])?;
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    fresh(&state, &key, f)?;
    if state.accounts.available(&payer) < amount {
        return Err(err(ERR_FUNDS, "余额不足", f));
    }
    // trans_type 1 (担保): the platform holds the money until order_affirm,
    // order_reverse or fz; 2 (or none): the seller gets it at once.
    let dest = if f.get("trans_type").map(String::as_str) == Some("1") {
        Dest::Hold(Hold::Guarantee)
    } else {
        Dest::Credit(vec![(payee.clone(), amount)])
    };
    let mut trade = Trade {
        source: Some(payer.clone()),
        buyer: Some(payer.clone()),
        seller: Some(payee),
        dest,
        held: Money::ZERO,
        delivered: BTreeMap::new(),
    };
    state.accounts.debit(&payer, amount);
    trade.settle(&mut state.accounts, amount);
    let mut order = Order::new(ctx, "balance-pay", &payer, amount, "S");
    order.trade = Some(trade);
    state.orders.insert(key.clone(), order);
    drop(state);
    callback_later(ctx, f, &key, OK, "交易成功", json!({"trans_stat": "S"}), 0);
    Ok(reply(OK, "交易成功", f, json!({"trans_stat": "S"})))
}

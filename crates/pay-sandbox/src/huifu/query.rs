//! Queries: `order_query` and `balance_query`.

use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::json;

use super::ledger::{account_exists, plus};
use super::request::{date8, err, need, one_of, reply};
use super::{ERR_NOT_FOUND, Fields, OK};
use crate::common::{Ctx, lock};
use crate::credentials::huifu as cred;

/// `balance_query`: `acct_balance`, `avl_balance`, `frz_balance`.
pub(super) fn balance_query(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    // acct_id "查询商户本身时, 必输".
    if need(f, "user_cust_id")? == cred::MER_CUST_ID {
        need(f, "acct_id")?;
    }
    let state = lock(&ctx.huifu);
    let id = account_exists(&state, f, "user_cust_id")?;
    let a = state.accounts.get(&id).copied().unwrap_or_default();
    Ok(reply(
        OK,
        "成功",
        f,
        json!({"acct_balance": plus(a.avl, a.frz).to_yuan(), "avl_balance": a.avl.to_yuan(), "frz_balance": a.frz.to_yuan()}),
    ))
}

/// `order_query`: by `order_id` + `order_date`, `trans_type` and the asking user.
pub(super) fn order_query(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let key = (need(f, "order_id")?.to_owned(), date8(f, "order_date")?);
    let trans_type = need(f, "trans_type")?;
    one_of(f, "trans_type", &["01", "02", "03", "04"])?;
    let asker = f
        .get("user_cust_id")
        .map(String::as_str)
        .unwrap_or_default();
    let order = lock(&ctx.huifu).orders.get(&key).cloned();
    // An order of another kind, or of another user, is not found, exactly as an order
    // that does not exist: the answer tells nothing about other kinds or users.
    let Some(o) = order
        .filter(|o| query_kind(o.kind) == Some(trans_type) && may_query(asker, &o.user_cust_id))
    else {
        return Err(err(ERR_NOT_FOUND, "订单不存在", f));
    };
    let mut answer = json!({"trans_amt": o.amount.to_yuan(), "platform_seq_id": o.platform_seq_id});
    if !bare_answers(o.amount) {
        answer["trans_stat"] = o.status.into();
    }
    Ok(reply(OK, "查询成功", f, answer))
}

/// The `order_query` `trans_type` that finds an order of `kind` (the spec: "交易查询类型 01:快捷、
/// 网银、扫码; 02:余额支付、采购确认、订单撤销; 03:提现; 04:退货"):
///
/// - `01`: quick pay and app pay (QR, app, official account, mini program);
/// - `02`: balance pay, `order_affirm` (采购确认), `order_reverse` (订单撤销), and `fz` (分账),
///   which the spec does not list: a split releases a guarantee's money as `order_affirm` does,
///   so the simulator files it with them;
/// - `03`: withdrawal; `04`: refund.
///
/// Openings, card bindings and sub-accounts are no trade: `order_query` finds none of them.
pub(super) fn query_kind(kind: &str) -> Option<&'static str> {
    match kind {
        "quick-pay" | "app-pay" => Some("01"),
        "balance-pay" | "affirm" | "reverse" | "split" => Some("02"),
        "withdrawal" => Some("03"),
        "refund" => Some("04"),
        _ => None,
    }
}

/// Whether the answers about an order of `amount` leave `trans_stat` out (see the module docs):
/// `trans_amt` ending in `.33` yuan.
pub(super) fn bare_answers(amount: Money) -> bool {
    amount.fen().rem_euclid(100) == 33
}

/// Whether `order_query`'s `user_cust_id` (`asker`) may see an order of `owner`: the order's
/// own user, or the merchant itself (`mer_cust_id`: the merchant sees every order it placed,
/// which is how a query that knows no user asks). An order without a user (an app pay sent
/// without `user_cust_id`) is seen by any asker. An empty `asker` counts as the merchant.
pub(super) fn may_query(asker: &str, owner: &str) -> bool {
    owner.is_empty() || asker.is_empty() || asker == cred::MER_CUST_ID || asker == owner
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_kinds_and_askers() {
        for (kind, trans_type) in [
            ("quick-pay", Some("01")),
            ("app-pay", Some("01")),
            ("balance-pay", Some("02")),
            ("affirm", Some("02")),
            ("reverse", Some("02")),
            ("split", Some("02")),
            ("withdrawal", Some("03")),
            ("refund", Some("04")),
            ("person-opening", None),
            ("merchant-opening", None),
            ("bind-card", None),
        ] {
            assert_eq!(query_kind(kind), trans_type, "{kind}");
        }
        assert!(may_query("U1", "U1"));
        assert!(may_query(cred::MER_CUST_ID, "U1"));
        assert!(may_query("", "U1"));
        assert!(may_query("U2", ""));
        assert!(!may_query("U2", "U1"));
    }

    #[test]
    fn bare_answers_by_amount() {
        assert!(bare_answers(Money::from_fen(133)));
        assert!(!bare_answers(Money::from_fen(144)));
        assert!(!bare_answers(Money::from_fen(100)));
    }
}

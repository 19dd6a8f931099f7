//! The `bg_ret_url` callbacks: deciding an order after the status delay, sending its result as
//! `check_value`, and `unsgin`, which decodes a `check_value` the simulator issued.

use std::sync::Arc;

use axum::response::Response;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use serde_json::{Map, Value, json};

use super::request::{err, need, reply};
use super::{ERR_PARAM, ERR_UNSIGN, Fields, Key, OK};
use crate::common::{Ctx, lock, scripted_failure};
use crate::credentials::huifu as cred;
use crate::notify::Outgoing;

/// After the status delay an `I` order is decided: it fails for a scripted amount (not on a
/// refund's retry), else succeeds. Its money moves with its status, under one lock: a pay that
/// succeeds delivers its money ([`super::ledger::Trade::settle`]); a refund or withdrawal takes what it froze
/// out of the accounts on success (crediting `Transfer::to`) or unfreezes it on failure. Then
/// the callback goes out.
pub(super) fn settle_later(ctx: &Arc<Ctx>, f: &Fields, key: Key) {
    let f = f.clone();
    ctx.after_status_delay(1, move |ctx| {
        let (amount, failed) = {
            let mut guard = lock(&ctx.huifu);
            let state = &mut *guard;
            let Some(o) = state.orders.get_mut(&key) else {
                return;
            };
            if o.status != "I" {
                return;
            }
            let retry = o.transfer.as_ref().is_some_and(|t| t.retry);
            let failed = scripted_failure(o.amount) && !retry;
            o.status = if failed { "F" } else { "S" };
            let amount = o.amount;
            if !failed && let Some(trade) = o.trade.as_mut() {
                trade.settle(&mut state.accounts, amount);
            }
            if let Some(t) = &o.transfer {
                for (id, share) in &t.from {
                    if failed {
                        state.accounts.unfreeze(id, *share);
                    } else {
                        state.accounts.take_frozen(id, *share);
                    }
                }
                if let Some(to) = t.to.as_ref().filter(|_| !failed) {
                    state.accounts.credit(to, amount);
                }
            }
            (amount, failed)
        };
        let (code, desc, stat) = if failed {
            ("C10010", "交易失败", "F")
        } else {
            (OK, "交易成功", "S")
        };
        send_callback(
            &ctx,
            &f,
            &key,
            code,
            desc,
            json!({"trans_stat": stat, "trans_amt": amount.to_yuan()}),
        );
    });
}

/// The callback of an order that is already decided: sent at once (`steps` 0), or after
/// `steps` status delays, when the order (still `I`) becomes `S`. The status changes whether or
/// not the merchant gave a `bg_ret_url`.
pub(super) fn callback_later(
    ctx: &Arc<Ctx>,
    f: &Fields,
    key: &(String, String),
    code: &'static str,
    desc: &'static str,
    extra: Value,
    steps: u32,
) {
    let (f, key) = (f.clone(), key.clone());
    if steps == 0 {
        send_callback(ctx, &f, &key, code, desc, extra);
        return;
    }
    ctx.after_status_delay(steps, move |ctx| {
        if let Some(o) = lock(&ctx.huifu).orders.get_mut(&key)
            && o.status == "I"
        {
            o.status = "S";
        }
        send_callback(&ctx, &f, &key, code, desc, extra);
    });
}

/// The request fields a callback echoes when the request had them. Besides the user, the
/// merchant's private field and the amount, these are the fields that name the order's kind,
/// as Huifu's results echo the request's own names: the seller and buyer of a balance pay,
/// `order_affirm` and `order_reverse`, the original of a refund (`org_order_*`) or of a
/// guarantee release or split (`old_order_*`), and the card and terms of a withdrawal. A
/// merchant that did not keep the kind of each order can tell it from them
/// (`huifu::notify::infer_trans_type`) to confirm the callback with `order_query`.
pub(super) const CALLBACK_ECHOES: &[&str] = &[
    "user_cust_id",
    "mer_priv",
    "trans_amt",
    "in_cust_id",
    "out_cust_id",
    "org_order_id",
    "org_order_date",
    "old_order_id",
    "old_order_date",
    "cash_bind_card_id",
    "cash_type",
    "fee_obj",
];

/// POSTs `check_value = base64(JSON result)` to `bg_ret_url`.
pub(super) fn send_callback(
    ctx: &Arc<Ctx>,
    f: &Fields,
    key: &(String, String),
    code: &str,
    desc: &str,
    extra: Value,
) {
    let Some(url) = f.get("bg_ret_url").filter(|u| !u.is_empty()) else {
        return;
    };
    if let Err(why) = ctx.check_notify_url(url) {
        tracing::warn!(%url, why, "huifu callback not sent");
        return;
    }
    let mut result = Map::new();
    result.insert("resp_code".into(), code.into());
    result.insert("resp_desc".into(), desc.into());
    result.insert("mer_cust_id".into(), cred::MER_CUST_ID.into());
    for echo in CALLBACK_ECHOES {
        if let Some(v) = f.get(*echo).filter(|v| !v.is_empty()) {
            result.insert((*echo).into(), v.clone().into());
        }
    }
    result.insert("order_id".into(), key.0.clone().into());
    result.insert("order_date".into(), key.1.clone().into());
    if let Some(seq) = lock(&ctx.huifu)
        .orders
        .get(key)
        .map(|o| o.platform_seq_id.clone())
    {
        result.insert("platform_seq_id".into(), seq.into());
    }
    if let Value::Object(extra) = extra {
        result.extend(extra);
    }
    let json_text = Value::Object(result.clone()).to_string();
    let check_value = STANDARD.encode(json_text.as_bytes());
    lock(&ctx.huifu).issued.insert(check_value.clone());
    let mut forged = result;
    forged.insert("trans_amt".into(), "99999.00".into());
    let forged_value = STANDARD.encode(Value::Object(forged).to_string().as_bytes());
    let form = |v: &str| Bytes::from(crate::common::encode_form([("check_value", v)]));
    ctx.notify(Outgoing {
        order_id: key.0.clone(),
        kind: "callback",
        method: http::Method::POST,
        url: url.clone(),
        content_type: Some("application/x-www-form-urlencoded"),
        body: form(&check_value),
        tampered_url: url.clone(),
        tampered_body: form(&forged_value),
        ack,
        schedule: ctx.options.schedule_for(ctx.provider),
    });
}

/// `success` (any case) or `RECV_ORD_ID_<order_id>`.
pub(super) fn ack(_status: u16, body: &str) -> bool {
    let body = body.trim();
    body.eq_ignore_ascii_case("success") || body.starts_with("RECV_ORD_ID_")
}

/// `unsgin`: decodes a `check_value` the simulator issued (`unsign_type=1`, base64).
pub(super) fn unsgin(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    if need(f, "unsign_type")? != "1" {
        return Err(err(ERR_PARAM, "参数错误: unsign_type 只支持 1 (base64)", f));
    }
    let check_value = need(f, "check_value")?;
    if !lock(&ctx.huifu).issued.contains(check_value) {
        return Err(err(ERR_UNSIGN, "解签失败: check_value 非本平台签发", f));
    }
    let decoded = STANDARD
        .decode(check_value)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    Ok(reply(OK, "解签成功", f, json!({"json_data": decoded})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks() {
        assert!(ack(200, "RECV_ORD_ID_123"));
        assert!(ack(200, "SUCCESS"));
        assert!(!ack(200, "fail"));
    }
}

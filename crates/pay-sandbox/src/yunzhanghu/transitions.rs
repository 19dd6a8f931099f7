//! The later transitions on request: returns (退汇, status 9) and resent notices, through the
//! sandbox's control routes `POST /sandbox/orders/{order_id}/return` and `…/notify`.

use std::sync::Arc;

use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::callbacks::callback;
use super::payout::balance_key;
use crate::common::{Ctx, json_ok, lock};
use crate::notify::Outgoing;

/// Why an order cannot be returned.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum NotReturnable {
    Unknown,
    NotPaid(i32),
}

/// Returns a paid order (status 1, any detail): status 9, detail 213, the amount back on the
/// balance; the callback to send, where the order has a notify URL.
pub(super) fn return_order(ctx: &Ctx, order_id: &str) -> Result<Option<Outgoing>, NotReturnable> {
    let mut state = lock(&ctx.yunzhanghu);
    let Some(o) = state.orders.get_mut(order_id) else {
        return Err(NotReturnable::Unknown);
    };
    if o.status != 1 {
        return Err(NotReturnable::NotPaid(o.status));
    }
    o.status = 9;
    o.status_detail = 213;
    o.returned_at = Some(ctx.now());
    let (pay, key) = (o.pay, balance_key(o.channel));
    let outgoing = o.notify_url.clone().map(|url| callback(ctx, o, &url));
    if let Some(b) = state.balances.get_mut(key) {
        *b = b.checked_add(pay).unwrap_or(*b);
    }
    Ok(outgoing)
}

/// Decodes `%XX` escapes of a path segment (an invalid escape is kept as it is).
pub(super) fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `POST /sandbox/orders/{order_id}/return` and `…/notify`.
pub(super) fn control(ctx: &Arc<Ctx>, rest: &str) -> Response {
    let Some((order_id, action)) = rest.rsplit_once('/') else {
        return (http::StatusCode::NOT_FOUND, "no such route").into_response();
    };
    let order_id = percent_decode(order_id);
    let outgoing = match action {
        "return" => match return_order(ctx, &order_id) {
            Ok(o) => o,
            Err(NotReturnable::Unknown) => {
                return (http::StatusCode::NOT_FOUND, "no such order").into_response();
            }
            Err(NotReturnable::NotPaid(status)) => {
                return (
                    http::StatusCode::CONFLICT,
                    format!("order is at status {status}, not 1 (已打款)"),
                )
                    .into_response();
            }
        },
        "notify" => {
            let state = lock(&ctx.yunzhanghu);
            let Some(o) = state.orders.get(&order_id) else {
                return (http::StatusCode::NOT_FOUND, "no such order").into_response();
            };
            let Some(url) = o.notify_url.clone() else {
                return (http::StatusCode::CONFLICT, "the order has no notify URL").into_response();
            };
            Some(callback(ctx, o, &url))
        }
        _ => return (http::StatusCode::NOT_FOUND, "no such route").into_response(),
    };
    let answer = {
        let state = lock(&ctx.yunzhanghu);
        state.orders.get(&order_id).map(|o| {
            json!({"order_id": o.order_id, "status": o.status, "status_detail": o.status_detail})
        })
    };
    if let Some(outgoing) = outgoing {
        ctx.notify(outgoing);
    }
    json_ok(&answer.unwrap_or(Value::Null))
}

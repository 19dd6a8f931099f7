//! Protocol (escrow) pay, 理房通-style: protocols, POS / quick pay-ins, pay-outs and refunds,
//! queries, the bank CNAPS lookup and the three notifications.
//!
//! Requests are POSTs of the JSON envelope `{appId, data, timestamp, sign}` with
//! `sign = md5(appId&data&timestamp&KEY)`; responses are `{code, msg, data, appId, timestamp,
//! sign}` signed the same way (error responses unsigned, `data` null).
//!
//! As strict as the spec: a request's sign must be lowercase hex (an uppercase one is
//! `EP10002`); `amount` must be a JSON string of yuan with two decimals (`"1000.50"`; anything
//! else is `EP10001`); a notification is acknowledged only by the bare text `SUCCESS` or by a
//! `PayCommonVo` with `code` `0000` whose sign verifies.
//!
//! The notifications: §9 (pay result) to `outSuccessNotifyUrl` one status delay after prepay,
//! §10 (funds arrived, `arrivedStatus` `02`) to `outArrivedNotifyUrl` one delay later, §11
//! (pay-out or refund) to `outNotifyUrl` one delay after outpay; each carries the order as the
//! matching query answers it (§9 and §10 say "data同入金查询VO字段一致"; §11 lists no fields: the
//! sandbox sends the `outquery` VO). An amount in fen ending in `44` fails the pay-in or pay-out.
//!
//! Later transitions and leaner notifications, on request (an amount in fen ending in `66`,
//! `1.66`, `100.66` yuan):
//! - a pay-in of such an amount gets its §9 (pay result) sent AGAIN after its §10 (funds
//!   arrived), one status delay later, to `outSuccessNotifyUrl`, with the data then current
//!   (`payStatus` `SUCCESS`, `arrivedStatus` `02`): the same payment notified twice, the second
//!   time looking like the funds-arrived notification (attempt kind `pay-in-resend`);
//! - a pay-out or refund of such an amount gets a §11 carrying only the fields every pay-out
//!   answer has (those §6 and §7 both list as required, less the pay-out's own): `transNo`,
//!   `appId`, `channelType`, `amount`, `outReqNo`, `payOrderNo`, `payStatus`, `createTime` — no
//!   `outType`, `bankAccName`, `bankAccNum`, `bankName`, `bankCnaps` (§11 lists no fields, so
//!   nothing obliges the system to send them). Nothing in it tells a pay-out from a pay-in: only
//!   the URL it arrives at does.

mod callbacks;
mod envelope;
mod ledger;
mod pay_in;
mod pay_out;
mod protocols;
mod request;

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use pay_core::Timestamp;
use serde_json::Value;
use sign_md5::EnvelopeSigner;

use crate::common::{Ctx, ct_eq_exact};
use crate::credentials::protocol as cred;
use envelope::error;
use pay_in::{inquery, posclose, prepay};
use pay_out::{outpay, outquery, querybankcnaps};
use protocols::{create, find};

pub(crate) use envelope::envelope;
pub(crate) use ledger::State;

/// A parameter is missing or malformed (the message names it).
pub(crate) const ERR_PARAM: &str = "EP10001";
/// The envelope's sign does not verify.
pub(crate) const ERR_SIGN: &str = "EP10002";
/// Unknown `appId`.
pub(crate) const ERR_APP: &str = "EP10003";
/// The `outReqNo` was used before.
pub(crate) const ERR_DUPLICATE: &str = "EP10004";
/// The protocol's available amount is less than the pay-out.
pub(crate) const ERR_FUNDS: &str = "EP10005";

pub(crate) fn router(ctx: Arc<Ctx>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(ctx)
}

async fn handle(
    Extract(ctx): Extract<Arc<Ctx>>,
    method: http::Method,
    uri: http::Uri,
    body: Bytes,
) -> Response {
    let route = crate::common::route_of(uri.path());
    if route.starts_with("/sandbox/cashier/") {
        // The quick-pay `cashierUrl` (prepay on a `QP` protocol): a page to open; the pay-in is
        // paid by itself after the status delay.
        return (
            http::StatusCode::OK,
            [(http::header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
            "pay-sandbox cashier: the pay-in is paid automatically after the status delay",
        )
            .into_response();
    }
    let Some(op) = route.strip_prefix("/api/protocol/") else {
        ctx.record(&route, None);
        return (http::StatusCode::NOT_FOUND, "no such route").into_response();
    };
    let op = op.to_owned();
    if !matches!(
        op.as_str(),
        "create"
            | "find"
            | "prepay"
            | "posclose"
            | "inquery"
            | "outpay"
            | "outquery"
            | "querybankcnaps"
    ) {
        ctx.record(&route, None);
        return (http::StatusCode::NOT_FOUND, "no such route").into_response();
    }
    if method != http::Method::POST {
        ctx.record(&route, None);
        return (http::StatusCode::METHOD_NOT_ALLOWED, "use POST").into_response();
    }
    let Ok(Value::Object(env)) = serde_json::from_slice::<Value>(&body) else {
        ctx.record(&route, None);
        return error(
            &ctx,
            ERR_PARAM,
            "请求体不是 JSON 对象 (body is not a JSON envelope)",
        );
    };
    let get = |k: &str| env.get(k).and_then(Value::as_str).unwrap_or_default();
    let (app_id, data_text, timestamp, sign) =
        (get("appId"), get("data"), get("timestamp"), get("sign"));
    let data = serde_json::from_str::<Value>(data_text).ok();
    let key = data.as_ref().and_then(|d| {
        d.get("outReqNo")
            .or_else(|| d.get("transNo"))
            .and_then(Value::as_str)
            .map(str::to_owned)
    });
    ctx.record(&route, key.as_deref());
    if app_id.is_empty() || data_text.is_empty() || timestamp.is_empty() || sign.is_empty() {
        return error(&ctx, ERR_PARAM, "appId/data/timestamp/sign 不能为空");
    }
    if app_id != cred::APP_ID {
        return error(&ctx, ERR_APP, "业务系统不存在 (appId unknown)");
    }
    // Exactly: the spec's sign is lowercase hex.
    if !ct_eq_exact(
        &EnvelopeSigner::new(cred::APP_ID, cred::KEY).sign(data_text, timestamp),
        sign,
    ) {
        return error(&ctx, ERR_SIGN, "验签失败");
    }
    if Timestamp::parse_beijing_compact(timestamp).is_none() || timestamp.len() != 17 {
        return error(&ctx, ERR_PARAM, "timestamp 格式为 yyyyMMddHHmmssSSS");
    }
    let Some(Value::Object(data)) = data else {
        return error(&ctx, ERR_PARAM, "data 不是 JSON 对象");
    };
    let result = match op.as_str() {
        "create" => create(&ctx, &data),
        "find" => find(&ctx, &data),
        "prepay" => prepay(&ctx, &data),
        "posclose" => posclose(&ctx, &data),
        "inquery" => inquery(&ctx, &data),
        "outpay" => outpay(&ctx, &data),
        "outquery" => outquery(&ctx, &data),
        _ => querybankcnaps(&ctx, &data),
    };
    result.unwrap_or_else(|r| r)
}

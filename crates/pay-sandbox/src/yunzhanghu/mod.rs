//! Yunzhanghu realtime settlement (API v1): payouts to bank cards, Alipay and WeChat, queries,
//! balances, identity checks, payout reports, the status callback and the gz CSV daily files.
//!
//! Every request carries the `dealer-id` and `request-id` headers and the fields `data`, `mess`,
//! `timestamp`, `sign`, `sign_type` (form body for POST, query string for GET);
//! `data = base64(3DES-CBC(JSON))`, `sign = hex(HMAC-SHA256(app key,
//! "data=…&mess=…&timestamp=…&key=APPKEY"))`. Responses are plain JSON
//! `{code, message, request_id, data}`.
//!
//! As strict as the spec: `request-id` is required and single-use ("要求每次请求 id 不一样";
//! missing, empty or reused is `1002`); `timestamp` is 10-digit unix seconds (else `1002`) and
//! within 5 minutes of the wall clock (else `1001 签名已过期`, checked after the sign); `pay` is
//! a JSON string with two decimals, `"100.00"` ("pay 为 string 类型"; a number or another shape
//! is `1002`, a negative amount or zero `2024`).
//!
//! The later transitions (chapter 2 §5, chapter 5 §2.1 and §3, appendix 1): a paid order
//! (status 1) can be returned (status 9, detail 213: 退汇, 冲正, an unopened red packet), with
//! its callback, and the bill file then adds the 经纪公司退汇 rows beside the unchanged payment
//! rows. On request:
//!
//! - scripted: an order whose amount in fen ends in `55` (`1.55`, `100.55` yuan) is returned
//!   two status delays after it is paid: a bank card or Alipay payout is paid (1/0) then
//!   returned (9/213); a WeChat red packet is sent (1/27, 微信红包待领取, processing), never
//!   opened, and returned (9/213). Every other WeChat red packet is opened at once (1/0).
//! - `POST /sandbox/orders/{order_id}/return` (no envelope, no sign: the sandbox's control):
//!   returns a paid or sent order now (9/213, with its callback); `409` when the order is not
//!   at status 1, `404` when unknown. Answers `{"order_id", "status", "status_detail"}`.
//! - `POST /sandbox/orders/{order_id}/notify`: sends the order's current status again under a
//!   new `notify_id` (as a provider resending one transition does); `409` when the order has no
//!   notify URL, `404` when unknown.

mod callbacks;
mod envelope;
mod files;
mod identity;
mod ledger;
mod payout;
mod query;
mod report;
mod request;
mod transitions;

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::common::{Ctx, parse_form};
use envelope::{open, reply};
use files::{download, file_url};
use identity::{auth_alipay, idcard_image, verify};
use ledger::Channel;
use payout::place_order;
use query::{query_accounts, query_order};
use report::report;
use transitions::control;

pub(crate) use envelope::{encrypt, sign};
pub(crate) use ledger::State;

pub(crate) fn router(ctx: Arc<Ctx>) -> axum::Router {
    axum::Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::common::MAX_BODY,
        ))
        .with_state(ctx)
}

async fn handle(
    Extract(ctx): Extract<Arc<Ctx>>,
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Bytes,
) -> Response {
    let route = crate::common::route_of(uri.path());
    if let Some(rest) = route.strip_prefix("/sandbox/files/") {
        return download(&ctx, rest);
    }
    if let Some(rest) = route.strip_prefix("/sandbox/orders/") {
        ctx.record(&route, None);
        if method != http::Method::POST {
            return (http::StatusCode::METHOD_NOT_ALLOWED, "use POST").into_response();
        }
        return control(&ctx, rest);
    }
    let expected = match route.as_str() {
        "/api/payment/v1/order-realtime"
        | "/api/payment/v1/order-alipay"
        | "/api/payment/v1/order-wxpay"
        | "/authentication/verify-request"
        | "/authentication/verify-confirm"
        | "/authentication/verify-bankcard-four-factor"
        | "/authentication/verify-bankcard-three-factor"
        | "/authentication/verify-id"
        | "/api/notify/order-bankcard"
        | "/api/notify/order-alipay"
        | "/api/notify/order-wxpay"
        | "/api/payment/v1/sign/idcard/image" => http::Method::POST,
        "/api/payment/v1/query-realtime-order"
        | "/api/payment/v1/query-accounts"
        | "/api/dataservice/v1/order/downloadurl"
        | "/api/dataservice/v1/bill/downloadurl"
        | "/api/payment/v1/auth-alipay" => http::Method::GET,
        _ => {
            ctx.record(&route, None);
            return (http::StatusCode::NOT_FOUND, "no such route").into_response();
        }
    };
    if method != expected {
        ctx.record(&route, None);
        return (
            http::StatusCode::METHOD_NOT_ALLOWED,
            format!("use {expected}"),
        )
            .into_response();
    }
    let mut files = Vec::new();
    let fields = if method == http::Method::GET {
        parse_form(uri.query().unwrap_or_default().as_bytes())
    } else if let Some(boundary) = crate::common::multipart_boundary(&headers) {
        let Some(parts) = crate::common::parse_multipart(&body, &boundary) else {
            ctx.record(&route, None);
            let rid = headers
                .get("request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            return reply("1002", "请求参数格式不正确: multipart 格式有误", rid, None);
        };
        let mut text = std::collections::BTreeMap::new();
        for part in parts {
            if part.filename.is_some() {
                files.push(part);
            } else {
                text.insert(part.name, String::from_utf8_lossy(&part.data).into_owned());
            }
        }
        text
    } else {
        parse_form(&body)
    };
    let opened = match open(&ctx, &route, &headers, &fields) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let rid = opened.request_id.as_str();
    let data = &opened.data;
    let result = match route.as_str() {
        "/api/payment/v1/order-realtime" => place_order(&ctx, data, Channel::BankCard, rid),
        "/api/payment/v1/order-alipay" => place_order(&ctx, data, Channel::Alipay, rid),
        "/api/payment/v1/order-wxpay" => place_order(&ctx, data, Channel::Wxpay, rid),
        "/api/payment/v1/query-realtime-order" => query_order(&ctx, data, rid),
        "/api/payment/v1/query-accounts" => Ok(query_accounts(&ctx, rid)),
        "/api/dataservice/v1/order/downloadurl" => file_url(&ctx, data, "order", rid),
        "/api/dataservice/v1/bill/downloadurl" => file_url(&ctx, data, "bill", rid),
        "/api/payment/v1/auth-alipay" => auth_alipay(data, rid),
        "/api/payment/v1/sign/idcard/image" => idcard_image(&ctx, data, &files, rid),
        "/api/notify/order-bankcard" | "/api/notify/order-alipay" | "/api/notify/order-wxpay" => {
            report(&ctx, data, rid)
        }
        _ => verify(&ctx, &route, data, rid),
    };
    result.unwrap_or_else(|r| r)
}

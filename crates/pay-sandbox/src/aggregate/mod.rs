//! The aggregate payment gateway (XxPay-style): pay orders, payouts (代付), queries and
//! notifications.
//!
//! Requests: one form field `params` (body or query string) holding the JSON parameters, signed
//! with the merchant's request key; the sign must be uppercase hex, as the spec makes it (a
//! lowercase one is refused with `签名失败`). Responses: `retCode` `FAIL` (unsigned) for
//! parameter and signature errors; `SUCCESS` signed with the response key over every top-level field except
//! `sign` and `payParams`, with `resCode` `SUCCESS`, or `resCode` `FAIL` plus `errCode` /
//! `errCodeDes` for a business error.
//!
//! Later transitions, on request:
//! - a pay order whose amount in fen ends in `33` (`1.33` yuan) is completed the way the
//!   reference gateway completes an order: once the merchant acknowledges the paid notice
//!   (status `2`, 支付成功), the order moves to `3` (业务处理完成(支付成功)) and the gateway sends
//!   the completion notice (status `3`) on its own schedule — the same payment, notified twice;
//! - a query with `executeNotify: true` (a JSON boolean, 2.2.3, 3.2.3) sends the notification of the order's
//!   current status once more, whatever was acknowledged before.
//!
//! The sign string joins `name=value` with `&` (spec 1.3), so a name holding `&` or `=`, or an
//! echoed value holding them, could be re-partitioned into other parameters under the same sign.
//! The spec says nothing about it; the reading here (as the client's): a request whose parameter
//! names hold `&` or `=` is a parameter error, and so is `&` or `=` in any field this gateway
//! echoes into what it signs (the order numbers, `subject`, `body`, `clientIp`, `device`,
//! `param1`, `param2`): refused (`retCode` `FAIL`, unsigned) instead of echoed into a signed
//! notification or answer that could be re-read as another order. Other values (a `notifyUrl`
//! with a query string) are never echoed and stay accepted.

mod callbacks;
mod ledger;
mod pay;
mod request;
mod sign;
mod trans;

use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;
use sign_md5::{ParamSigner, SortOrder};

use crate::common::{Ctx, ct_eq_exact, field, parse_form};
use crate::credentials::aggregate as cred;
use pay::{create_pay, query_pay};
use request::{echo_safe, spec_types};
use sign::fail;
use trans::{create_trans, query_trans};

pub(crate) use ledger::State;
pub(crate) use sign::system_error;

/// Business error: the merchant order number was used before with other parameters.
pub(crate) const ERR_DUPLICATE: &str = "0011";
/// Business error: no such order.
pub(crate) const ERR_NOT_FOUND: &str = "0012";
/// "System error, retry with the same parameters".
pub(crate) const ERR_SYSTEM: &str = "0010";

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
    if route.starts_with("/sandbox/cashier") {
        return (
            http::StatusCode::OK,
            [(http::header::CONTENT_TYPE, "text/plain;charset=UTF-8")],
            "pay-sandbox cashier: the order is paid automatically after the status delay",
        )
            .into_response_ext();
    }
    let known = [
        "/api/pay/create_order",
        "/api/pay/query_order",
        "/api/trans/create_order",
        "/api/trans/query_order",
    ];
    if !known.contains(&route.as_str()) {
        ctx.record(&route, None);
        return (http::StatusCode::NOT_FOUND, "no such route").into_response_ext();
    }
    if method != http::Method::POST && method != http::Method::GET {
        return (http::StatusCode::METHOD_NOT_ALLOWED, "POST or GET").into_response_ext();
    }
    let mut form = parse_form(&body);
    if !form.contains_key("params") {
        form = parse_form(uri.query().unwrap_or_default().as_bytes());
    }
    let Some(params_text) = form.get("params") else {
        ctx.record(&route, None);
        return fail("params 不能为空 (missing form field params)");
    };
    let Ok(Value::Object(params)) = serde_json::from_str::<Value>(params_text) else {
        ctx.record(&route, None);
        return fail("params 不是 JSON 对象 (params is not a JSON object)");
    };
    let order_key = match route.as_str() {
        "/api/pay/create_order" | "/api/pay/query_order" => field(&params, "mchOrderNo")
            .or_else(|| field(&params, "payOrderId"))
            .map(|c| c.into_owned()),
        _ => field(&params, "mchTransOrderNo")
            .or_else(|| field(&params, "transOrderId"))
            .map(|c| c.into_owned()),
    };
    ctx.record(&route, order_key.as_deref());

    if let Some(name) = params.keys().find(|k| !sign_md5::name_is_unambiguous(k)) {
        return fail(&format!(
            "参数格式校验错误: 参数名 {name} 不能为空或包含 & 或 = (a parameter name holds & or =)"
        ));
    }
    if field(&params, "mchId").as_deref() != Some(cred::MCH_ID) {
        return fail("商户不存在 (mchId unknown)");
    }
    let Some(sign) = field(&params, "sign") else {
        return fail("签名不能为空 (sign missing)");
    };
    // Either name order (the spec's ASCII order or the reference gateway's case-insensitive
    // one), but the hex exactly as the spec writes it: uppercase. Both digests are always
    // computed and compared, so the time does not tell which order matched.
    let pairs = sign_md5::json_pairs(&params);
    let signed = || pairs.iter().map(|(k, v)| (*k, v.as_ref()));
    let signer = ParamSigner::new(cred::REQUEST_KEY);
    let ascii = ct_eq_exact(&signer.sign_with(signed(), SortOrder::Ascii), &sign);
    let case_insensitive = ct_eq_exact(
        &signer.sign_with(signed(), SortOrder::CaseInsensitive),
        &sign,
    );
    if !(ascii | case_insensitive) {
        return fail("签名失败");
    }
    if field(&params, "appId").as_deref() != Some(cred::APP_ID) {
        return fail("应用不存在 (appId unknown)");
    }
    if let Err(r) = echo_safe(&params) {
        return r;
    }
    if let Err(r) = spec_types(&route, &params) {
        return r;
    }
    match route.as_str() {
        "/api/pay/create_order" => create_pay(&ctx, params),
        "/api/pay/query_order" => query_pay(&ctx, &params),
        "/api/trans/create_order" => create_trans(&ctx, params),
        _ => query_trans(&ctx, &params),
    }
}

trait IntoResponseExt {
    fn into_response_ext(self) -> Response;
}

impl<T: axum::response::IntoResponse> IntoResponseExt for T {
    fn into_response_ext(self) -> Response {
        self.into_response()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The shared request vectors verify with the request key.
    #[test]
    fn request_vectors_verify() {
        let params = json!({
            "mchId": "20001222", "appId": "0ae8be35ff634e2abe94f5f32f6d5c4f", "productId": "8001",
            "mchOrderNo": "20160427210604000490", "currency": "cny", "amount": "100",
            "clientIp": "210.73.10.148", "device": "ios10.3.1", "returnUrl": "",
            "notifyUrl": "http://domain/notify.htm", "subject": "测试商品名称", "body": "测试商品描述",
            "param1": "", "param2": "", "sign": "F47AC73D7CD9462A6000E65AF067B25E"
        });
        let obj = params.as_object().unwrap();
        let pairs = sign_md5::json_pairs(obj);
        let signer = ParamSigner::new(cred::REQUEST_KEY);
        assert!(signer.verify(
            pairs.iter().map(|(k, v)| (*k, v.as_ref())),
            "F47AC73D7CD9462A6000E65AF067B25E"
        ));
        assert!(!signer.verify(
            pairs.iter().map(|(k, v)| (*k, v.as_ref())),
            "F47AC73D7CD9462A6000E65AF067B25F"
        ));
    }
}

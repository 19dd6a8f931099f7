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

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::Response;
use bytes::Bytes;
use pay_core::Money;
use serde_json::{Map, Value, json};
use sign_md5::{ParamSigner, SortOrder};

use crate::common::{
    Ctx, corrupt, ct_eq_exact, field, json_ok, lock, parse_form, scripted_failure,
};
use crate::credentials::aggregate as cred;
use crate::inspect::OrderSnapshot;
use crate::notify::{Outgoing, ack_success_any_case};

/// Business error: the merchant order number was used before with other parameters.
pub(crate) const ERR_DUPLICATE: &str = "0011";
/// Business error: no such order.
pub(crate) const ERR_NOT_FOUND: &str = "0012";
/// "System error, retry with the same parameters".
pub(crate) const ERR_SYSTEM: &str = "0010";

#[derive(Debug, Clone)]
struct PayOrder {
    pay_order_id: String,
    fingerprint: String,
    params: Map<String, Value>,
    amount: Money,
    status: u8,
    channel_order_no: String,
    pay_succ_time: Option<i64>,
    create_time: i64,
}

#[derive(Debug, Clone)]
struct TransOrder {
    trans_order_id: String,
    fingerprint: String,
    params: Map<String, Value>,
    amount: Money,
    status: u8,
    channel_order_no: String,
    trans_succ_time: Option<i64>,
    create_time: i64,
}

/// The gateway's memory.
#[derive(Debug, Default)]
pub(crate) struct State {
    pay: HashMap<String, PayOrder>,
    pay_ids: HashMap<String, String>,
    trans: HashMap<String, TransOrder>,
    trans_ids: HashMap<String, String>,
}

impl State {
    pub(crate) fn snapshot(&self, id: &str) -> Option<OrderSnapshot> {
        if let Some(o) = self.pay.get(id) {
            return Some(OrderSnapshot {
                kind: "pay".into(),
                merchant_id: id.into(),
                provider_id: o.pay_order_id.clone(),
                amount: o.amount,
                status: o.status.to_string(),
                finished: matches!(o.status, 2 | 3 | 5),
            });
        }
        self.trans.get(id).map(|o| OrderSnapshot {
            kind: "payout".into(),
            merchant_id: id.into(),
            provider_id: o.trans_order_id.clone(),
            amount: o.amount,
            status: o.status.to_string(),
            finished: matches!(o.status, 2..=4),
        })
    }
}

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

/// A parameter error: `retCode` `FAIL`, unsigned.
fn fail(msg: &str) -> Response {
    json_ok(&json!({"retCode": "FAIL", "retMsg": msg}))
}

/// Signs `fields` with the response key (every top-level field except `sign` and `payParams`,
/// nested objects as their compact JSON text, which is exactly the text in the body).
pub(crate) fn sign_response(fields: &mut Map<String, Value>) {
    fields.remove("sign");
    let sign = {
        let pairs = sign_md5::json_pairs(fields);
        ParamSigner::new(cred::RESPONSE_KEY).sign(
            pairs
                .iter()
                .filter(|(k, _)| *k != "payParams")
                .map(|(k, v)| (*k, v.as_ref())),
        )
    };
    fields.insert("sign".into(), Value::String(sign));
}

fn success(mut fields: Map<String, Value>) -> Response {
    fields.insert("retCode".into(), "SUCCESS".into());
    fields.insert("retMsg".into(), "".into());
    fields.insert("resCode".into(), "SUCCESS".into());
    sign_response(&mut fields);
    json_ok(&Value::Object(fields))
}

fn business_error(code: &str, msg: &str) -> Response {
    let mut fields = Map::new();
    fields.insert("retCode".into(), "SUCCESS".into());
    fields.insert("retMsg".into(), "".into());
    fields.insert("resCode".into(), "FAIL".into());
    fields.insert("errCode".into(), code.into());
    fields.insert("errCodeDes".into(), msg.into());
    sign_response(&mut fields);
    json_ok(&Value::Object(fields))
}

/// The answer to [`crate::Fault::SystemError`]: `errCode` `0010`.
pub(crate) fn system_error() -> Response {
    business_error(ERR_SYSTEM, "系统错误")
}

fn required<'a>(
    params: &'a Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<std::borrow::Cow<'a, str>, Response> {
    match field(params, name) {
        Some(v) if v.chars().count() <= max => Ok(v),
        Some(_) => Err(fail(&format!("参数格式校验错误: {name} 超过 {max} 个字符"))),
        None => Err(fail(&format!("参数格式校验错误: {name} 不能为空"))),
    }
}

fn optional_max(params: &Map<String, Value>, name: &str, max: usize) -> Result<(), Response> {
    match field(params, name) {
        Some(v) if v.chars().count() > max => {
            Err(fail(&format!("参数格式校验错误: {name} 超过 {max} 个字符")))
        }
        _ => Ok(()),
    }
}

/// The JSON types of the request tables (section 1.2: the parameters are converted to JSON as
/// the tables give them): `int` / `long` fields are JSON integers and `Boolean` ones JSON
/// booleans, a string in their place is a parameter error. Strings are not accepted too: the
/// tables type these fields, and a simulator that took `"100"` for `100` could not tell a
/// client that sends the wrong types. Two readings: `mchId` is `long` in 2.1.4, 3.1.3 and
/// 3.2.3 but `String(30)` in 2.2.3, so the pay order query takes either; `bankType` is typed
/// `int`, but a real clearing number (12 digits) exceeds an `int`, so it is not checked here.
fn spec_types(route: &str, params: &Map<String, Value>) -> Result<(), Response> {
    let integers: &[&str] = match route {
        "/api/pay/create_order" => &["mchId", "productId", "amount"],
        "/api/trans/create_order" => &["mchId", "amount"],
        "/api/trans/query_order" => &["mchId"],
        _ => &[],
    };
    for name in integers {
        if params.get(*name).is_some_and(|v| !v.is_i64()) {
            return Err(fail(&format!(
                "参数格式校验错误: {name} 必须是整数 ({name} must be a JSON integer)"
            )));
        }
    }
    if params.get("executeNotify").is_some_and(|v| !v.is_boolean()) {
        return Err(fail(
            "参数格式校验错误: executeNotify 必须是布尔值 (executeNotify must be a JSON boolean)",
        ));
    }
    Ok(())
}

/// Fields this gateway echoes into what it signs (notifications, answers).
const ECHOED: &[&str] = &[
    "mchOrderNo",
    "payOrderId",
    "mchTransOrderNo",
    "transOrderId",
    "subject",
    "body",
    "clientIp",
    "device",
    "param1",
    "param2",
];

/// Refuses `&` and `=` in an echoed field: echoed into a signed `name=value&…` string, such a
/// value could be re-partitioned into other parameters under the same sign.
fn echo_safe(params: &Map<String, Value>) -> Result<(), Response> {
    for name in ECHOED {
        if let Some(v) = field(params, name)
            && v.contains(['&', '='])
        {
            return Err(fail(&format!(
                "参数格式校验错误: {name} 不能包含 & 或 = ({name} must not contain & or =)"
            )));
        }
    }
    Ok(())
}

fn amount_of(params: &Map<String, Value>) -> Result<Money, Response> {
    let text = required(params, "amount", 12)?;
    match Money::from_fen_str(&text) {
        Ok(m) if m.is_positive() => Ok(m),
        _ => Err(fail(
            "参数格式校验错误: amount 必须是正整数(分) (amount must be a positive integer of fen)",
        )),
    }
}

/// The parameters that identify a request, for telling a resend from a conflicting reuse.
fn fingerprint(params: &Map<String, Value>) -> String {
    let pairs = sign_md5::json_pairs(params);
    pairs
        .iter()
        .filter(|(k, _)| *k != "sign")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn check_notify(ctx: &Ctx, params: &Map<String, Value>) -> Result<String, Response> {
    let url = required(params, "notifyUrl", 128)?.into_owned();
    ctx.check_notify_url(&url)
        .map_err(|why| fail(&format!("参数格式校验错误: notifyUrl {why}")))?;
    Ok(url)
}

fn create_pay(ctx: &Arc<Ctx>, params: Map<String, Value>) -> Response {
    let checks = (|| -> Result<(String, Money), Response> {
        let product = required(&params, "productId", 8)?;
        match product.parse::<u32>() {
            Ok(8000..=8019) => {}
            _ => return Err(fail("参数格式校验错误: productId 不存在 (8000-8019)")),
        }
        let no = required(&params, "mchOrderNo", 30)?.into_owned();
        if !required(&params, "currency", 3)?.eq_ignore_ascii_case("cny") {
            return Err(fail("参数格式校验错误: currency 只支持 cny"));
        }
        let amount = amount_of(&params)?;
        check_notify(ctx, &params)?;
        required(&params, "subject", 64)?;
        required(&params, "body", 256)?;
        for (name, max) in [
            ("clientIp", 32),
            ("device", 64),
            ("returnUrl", 128),
            ("param1", 64),
            ("param2", 64),
        ] {
            optional_max(&params, name, max)?;
        }
        Ok((no, amount))
    })();
    let (no, amount) = match checks {
        Ok(v) => v,
        Err(r) => return r,
    };
    let fp = fingerprint(&params);
    let product = field(&params, "productId")
        .map(|c| c.into_owned())
        .unwrap_or_default();
    let mut state = lock(&ctx.aggregate);
    if let Some(existing) = state.pay.get(&no) {
        if existing.fingerprint == fp {
            return pay_created(ctx, &existing.pay_order_id, &product);
        }
        return business_error(ERR_DUPLICATE, "商户订单号重复 (mchOrderNo already used)");
    }
    let pay_order_id = ctx.next_id("P");
    state.pay_ids.insert(pay_order_id.clone(), no.clone());
    state.pay.insert(
        no.clone(),
        PayOrder {
            pay_order_id: pay_order_id.clone(),
            fingerprint: fp,
            params,
            amount,
            status: 0,
            channel_order_no: String::new(),
            pay_succ_time: None,
            create_time: ctx.now().unix_millis(),
        },
    );
    drop(state);
    let no1 = no.clone();
    ctx.after_status_delay(1, move |ctx| {
        if let Some(o) = lock(&ctx.aggregate).pay.get_mut(&no1)
            && o.status == 0
        {
            o.status = 1;
        }
    });
    ctx.after_status_delay(2, move |ctx| {
        let outgoing = {
            let mut state = lock(&ctx.aggregate);
            let Some(o) = state.pay.get_mut(&no) else {
                return;
            };
            if o.status > 1 {
                return;
            }
            if scripted_failure(o.amount) {
                o.status = 5;
            } else {
                o.status = 2;
                o.pay_succ_time = Some(ctx.now().unix_millis());
                o.channel_order_no = format!("wx{}", ctx.next_id(""));
            }
            (
                pay_notification(&ctx, &no, o),
                o.status == 2 && scripted_completion(o.amount),
            )
        };
        let (outgoing, complete) = outgoing;
        if !complete {
            ctx.notify(outgoing);
            return;
        }
        let task = ctx.clone();
        ctx.spawn(async move {
            crate::notify::deliver(task.clone(), outgoing).await;
            let acknowledged = task
                .notifications
                .for_order(task.provider, &no)
                .iter()
                .any(|r| r.kind == "pay" && r.acknowledged);
            if !acknowledged {
                return;
            }
            let completion = {
                let mut state = lock(&task.aggregate);
                let Some(o) = state.pay.get_mut(&no) else {
                    return;
                };
                if o.status != 2 {
                    return;
                }
                o.status = 3;
                pay_notification(&task, &no, o)
            };
            task.notify(completion);
        });
    });
    pay_created(ctx, &pay_order_id, &product)
}

/// Whether the completion notice (status `3` after `2`) is scripted for this amount: the
/// amount in fen ends in `33`.
fn scripted_completion(amount: Money) -> bool {
    amount.fen().rem_euclid(100) == 33
}

fn pay_created(ctx: &Ctx, pay_order_id: &str, product: &str) -> Response {
    let pay_url = if matches!(product, "8000" | "8001") {
        format!(
            "POST;{}/sandbox/cashier?payOrderId={pay_order_id}",
            ctx.base_url
        )
    } else {
        format!("{}/sandbox/cashier/{pay_order_id}", ctx.base_url)
    };
    let mut fields = Map::new();
    fields.insert("payOrderId".into(), pay_order_id.into());
    fields.insert("payParams".into(), json!({ "payUrl": pay_url }));
    success(fields)
}

fn channel_id(product: &str) -> &'static str {
    match product {
        "8000" => "NET_BANK",
        "8001" => "UNION_QUICK",
        "8002" => "WX_NATIVE",
        "8003" => "WX_MWEB",
        "8004" => "WX_JSAPI",
        "8005" => "WX_MINI",
        "8006" | "8015" | "8016" | "8017" => "ALIPAY_QR",
        "8007" | "8018" => "ALIPAY_WAP",
        _ => "SANDBOX",
    }
}

fn param_string(params: &Map<String, Value>, name: &str) -> String {
    field(params, name)
        .map(|c| c.into_owned())
        .unwrap_or_default()
}

/// Builds a signed notification whose parameters travel in the query string.
fn query_notification(
    order_id: &str,
    kind: &'static str,
    method: http::Method,
    notify_url: &str,
    pairs: Vec<(&'static str, String)>,
    schedule: Vec<std::time::Duration>,
) -> Outgoing {
    let sign =
        ParamSigner::new(cred::RESPONSE_KEY).sign(pairs.iter().map(|(k, v)| (*k, v.as_str())));
    let build = |sign: &str| {
        let query = crate::common::encode_form(
            pairs
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .chain([("sign", sign)]),
        )
        .replace('+', "%20");
        let sep = if notify_url.contains('?') { '&' } else { '?' };
        format!("{notify_url}{sep}{query}")
    };
    Outgoing {
        order_id: order_id.to_owned(),
        kind,
        method,
        url: build(&sign),
        content_type: Some("application/x-www-form-urlencoded"),
        body: Bytes::new(),
        tampered_url: build(&corrupt(&sign)),
        tampered_body: Bytes::new(),
        ack: ack_success_any_case,
        schedule,
    }
}

fn pay_notification(ctx: &Ctx, no: &str, o: &PayOrder) -> Outgoing {
    let p = &o.params;
    let product = param_string(p, "productId");
    let pairs = vec![
        ("payOrderId", o.pay_order_id.clone()),
        ("mchId", cred::MCH_ID.to_owned()),
        ("appId", cred::APP_ID.to_owned()),
        ("productId", product.clone()),
        ("mchOrderNo", no.to_owned()),
        ("channelId", channel_id(&product).to_owned()),
        ("amount", o.amount.fen().to_string()),
        ("currency", "cny".to_owned()),
        ("status", o.status.to_string()),
        ("clientIp", param_string(p, "clientIp")),
        ("device", param_string(p, "device")),
        ("subject", param_string(p, "subject")),
        ("channelOrderNo", o.channel_order_no.clone()),
        ("param1", param_string(p, "param1")),
        ("param2", param_string(p, "param2")),
        (
            "paySuccTime",
            o.pay_succ_time.map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("backType", "2".to_owned()),
    ];
    query_notification(
        no,
        "pay",
        http::Method::POST,
        &param_string(p, "notifyUrl"),
        pairs,
        ctx.options.schedule_for(ctx.provider),
    )
}

fn trans_notification(ctx: &Ctx, no: &str, o: &TransOrder) -> Outgoing {
    let p = &o.params;
    let pairs = vec![
        ("transOrderId", o.trans_order_id.clone()),
        ("mchId", cred::MCH_ID.to_owned()),
        ("mchOrderNo", no.to_owned()),
        ("channelId", "HP_TRANS".to_owned()),
        ("amount", o.amount.fen().to_string()),
        ("currency", "cny".to_owned()),
        ("status", o.status.to_string()),
        ("result", String::new()),
        ("clientIp", param_string(p, "clientIp")),
        ("device", param_string(p, "device")),
        ("channelOrderNo", o.channel_order_no.clone()),
        ("param1", param_string(p, "param1")),
        ("param2", param_string(p, "param2")),
        (
            "transSuccTime",
            o.trans_succ_time.map(|t| t.to_string()).unwrap_or_default(),
        ),
        ("backType", "2".to_owned()),
    ];
    query_notification(
        no,
        "payout",
        http::Method::GET,
        &param_string(p, "notifyUrl"),
        pairs,
        ctx.options.schedule_for(ctx.provider),
    )
}

fn lookup_key(
    params: &Map<String, Value>,
    no_field: &str,
    id_field: &str,
    ids: &HashMap<String, String>,
) -> Option<String> {
    if let Some(no) = field(params, no_field) {
        return Some(no.into_owned());
    }
    field(params, id_field).and_then(|id| ids.get(id.as_ref()).cloned())
}

fn query_pay(ctx: &Arc<Ctx>, params: &Map<String, Value>) -> Response {
    if field(params, "mchOrderNo").is_none() && field(params, "payOrderId").is_none() {
        return fail("参数格式校验错误: payOrderId 与 mchOrderNo 二者传一");
    }
    let state = lock(&ctx.aggregate);
    let Some(no) = lookup_key(params, "mchOrderNo", "payOrderId", &state.pay_ids) else {
        return business_error(ERR_NOT_FOUND, "支付订单不存在");
    };
    let Some(o) = state.pay.get(&no) else {
        return business_error(ERR_NOT_FOUND, "支付订单不存在");
    };
    if let Some(id) = field(params, "payOrderId")
        && id.as_ref() != o.pay_order_id
    {
        return business_error(ERR_NOT_FOUND, "支付订单不存在");
    }
    let p = &o.params;
    let mut result = Map::new();
    result.insert("mchId".into(), cred::MCH_ID.into());
    result.insert("appId".into(), cred::APP_ID.into());
    let product = param_string(p, "productId");
    result.insert(
        "productId".into(),
        product.parse::<u32>().map(Value::from).unwrap_or_default(),
    );
    result.insert("payOrderId".into(), o.pay_order_id.clone().into());
    result.insert("mchOrderNo".into(), no.clone().into());
    result.insert("amount".into(), o.amount.fen().into());
    result.insert("currency".into(), "cny".into());
    result.insert("status".into(), o.status.into());
    result.insert("channelId".into(), channel_id(&product).into());
    for name in ["subject", "body", "param1", "param2", "clientIp", "device"] {
        let v = param_string(p, name);
        if !v.is_empty() {
            result.insert(name.into(), v.into());
        }
    }
    if !o.channel_order_no.is_empty() {
        result.insert("channelOrderNo".into(), o.channel_order_no.clone().into());
    }
    if let Some(t) = o.pay_succ_time {
        result.insert("paySuccTime".into(), t.into());
    }
    result.insert("createTime".into(), o.create_time.into());
    let notify = (params.get("executeNotify") == Some(&Value::Bool(true))
        && matches!(o.status, 2 | 3 | 5))
    .then(|| pay_notification(ctx, &no, o));
    drop(state);
    if let Some(n) = notify {
        ctx.notify_once(n);
    }
    let mut fields = Map::new();
    fields.insert("result".into(), Value::Object(result));
    success(fields)
}

fn create_trans(ctx: &Arc<Ctx>, params: Map<String, Value>) -> Response {
    let checks = (|| -> Result<(String, Money), Response> {
        let no = required(&params, "mchTransOrderNo", 30)?.into_owned();
        if !required(&params, "currency", 3)?.eq_ignore_ascii_case("cny") {
            return Err(fail("参数格式校验错误: currency 只支持 cny"));
        }
        let amount = amount_of(&params)?;
        check_notify(ctx, &params)?;
        if let Some(attr) = field(&params, "accountAttr")
            && !matches!(attr.as_ref(), "0" | "1")
        {
            return Err(fail("参数格式校验错误: accountAttr 只能是 0 或 1"));
        }
        if let Some(bank_type) = field(&params, "bankType")
            && bank_type.parse::<u64>().is_err()
        {
            return Err(fail("参数格式校验错误: bankType 必须是整数"));
        }
        required(&params, "bankCode", 32)?;
        required(&params, "bankName", 128)?;
        let account_type = required(&params, "accountType", 1)?;
        if !matches!(account_type.as_ref(), "1" | "2" | "3" | "4") {
            return Err(fail("参数格式校验错误: accountType 只能是 1-4"));
        }
        required(&params, "accountName", 64)?;
        required(&params, "accountNo", 64)?;
        required(&params, "province", 32)?;
        required(&params, "city", 32)?;
        for (name, max) in [
            ("clientIp", 32),
            ("device", 64),
            ("param1", 64),
            ("param2", 64),
        ] {
            optional_max(&params, name, max)?;
        }
        Ok((no, amount))
    })();
    let (no, amount) = match checks {
        Ok(v) => v,
        Err(r) => return r,
    };
    let fp = fingerprint(&params);
    let mut state = lock(&ctx.aggregate);
    if let Some(existing) = state.trans.get(&no) {
        if existing.fingerprint == fp {
            return trans_fields(&no, existing);
        }
        return business_error(
            ERR_DUPLICATE,
            "商户代付订单号重复 (mchTransOrderNo already used)",
        );
    }
    let trans_order_id = ctx.next_id("T");
    state.trans_ids.insert(trans_order_id.clone(), no.clone());
    let order = TransOrder {
        trans_order_id,
        fingerprint: fp,
        params,
        amount,
        status: 1,
        channel_order_no: String::new(),
        trans_succ_time: None,
        create_time: ctx.now().unix_millis(),
    };
    let response = trans_fields(&no, &order);
    state.trans.insert(no.clone(), order);
    drop(state);
    ctx.after_status_delay(1, move |ctx| {
        let outgoing = {
            let mut state = lock(&ctx.aggregate);
            let Some(o) = state.trans.get_mut(&no) else {
                return;
            };
            if o.status != 1 {
                return;
            }
            o.status = if scripted_failure(o.amount) { 3 } else { 2 };
            o.trans_succ_time = Some(ctx.now().unix_millis());
            o.channel_order_no = format!("C{}", ctx.next_id(""));
            trans_notification(&ctx, &no, o)
        };
        ctx.notify(outgoing);
    });
    response
}

fn trans_fields(no: &str, o: &TransOrder) -> Response {
    let mut fields = Map::new();
    fields.insert("transOrderId".into(), o.trans_order_id.clone().into());
    fields.insert("mchId".into(), cred::MCH_ID.into());
    fields.insert("mchTransOrderNo".into(), no.into());
    fields.insert("amount".into(), o.amount.fen().into());
    fields.insert("status".into(), o.status.into());
    fields.insert("channelOrderNo".into(), o.channel_order_no.clone().into());
    fields.insert("createTime".into(), o.create_time.into());
    success(fields)
}

fn query_trans(ctx: &Arc<Ctx>, params: &Map<String, Value>) -> Response {
    if field(params, "mchTransOrderNo").is_none() && field(params, "transOrderId").is_none() {
        return fail("参数格式校验错误: transOrderId 与 mchTransOrderNo 二者传一");
    }
    let state = lock(&ctx.aggregate);
    let Some(no) = lookup_key(params, "mchTransOrderNo", "transOrderId", &state.trans_ids) else {
        return business_error(ERR_NOT_FOUND, "代付订单不存在");
    };
    let Some(o) = state.trans.get(&no) else {
        return business_error(ERR_NOT_FOUND, "代付订单不存在");
    };
    if let Some(id) = field(params, "transOrderId")
        && id.as_ref() != o.trans_order_id
    {
        return business_error(ERR_NOT_FOUND, "代付订单不存在");
    }
    let mut result = Map::new();
    result.insert("mchId".into(), cred::MCH_ID.into());
    result.insert("appId".into(), cred::APP_ID.into());
    result.insert("transOrderId".into(), o.trans_order_id.clone().into());
    result.insert("mchTransOrderNo".into(), no.clone().into());
    result.insert("amount".into(), o.amount.fen().into());
    result.insert("currency".into(), "cny".into());
    result.insert("status".into(), o.status.into());
    if !o.channel_order_no.is_empty() {
        result.insert("channelOrderNo".into(), o.channel_order_no.clone().into());
    }
    if let Some(t) = o.trans_succ_time {
        result.insert("transSuccTime".into(), t.into());
    }
    result.insert("createTime".into(), o.create_time.into());
    let notify = (params.get("executeNotify") == Some(&Value::Bool(true))
        && matches!(o.status, 2..=4))
    .then(|| trans_notification(ctx, &no, o));
    drop(state);
    if let Some(n) = notify {
        ctx.notify_once(n);
    }
    let mut fields = Map::new();
    fields.insert("result".into(), Value::Object(result));
    success(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared vector `create-order-response`: the same fields signed the same way.
    #[test]
    fn response_signing_matches_the_vector() {
        let mut fields = Map::new();
        fields.insert("payOrderId".into(), "P01000020181013115051810".into());
        fields.insert(
            "payParams".into(),
            json!({"payUrl": "http://127.0.0.1:3020/api/qrcode/create_qrcode?params=https://qr.alipay.com/bax07593fh9xkcrimmy8203b"}),
        );
        fields.insert("retCode".into(), "SUCCESS".into());
        fields.insert("retMsg".into(), "".into());
        sign_response(&mut fields);
        assert_eq!(fields["sign"], "1ED4A5EF3502817EEDFB4D0FFCA1D0B6");
    }

    /// The shared vector `query-order-response`: the nested result signed as its JSON text.
    #[test]
    fn nested_result_signing_matches_the_vector() {
        let body = r#"{"resCode":"SUCCESS","result":{"amount":100,"appId":"0ae8be35ff634e2abe94f5f32f6d5c4f","mchOrderNo":"20160427210604000490","payOrderId":"P01000020181013115051810","status":2,"subject":"测试"},"retCode":"SUCCESS","sign":"D35256087C710230DB77E77425882F17"}"#;
        let Value::Object(mut fields) = serde_json::from_str::<Value>(body).unwrap() else {
            panic!("object");
        };
        sign_response(&mut fields);
        assert_eq!(fields["sign"], "D35256087C710230DB77E77425882F17");
        // and the body we would send carries the result text exactly as signed
        assert_eq!(Value::Object(fields).to_string(), body);
    }

    /// The shared vector `pay-notify`: the notification query string as the gateway sends it.
    #[test]
    fn notification_signing_matches_the_vector() {
        let pairs: Vec<(&'static str, String)> = vec![
            ("payOrderId", "P01000020181013115051810".into()),
            ("mchId", "20001222".into()),
            ("mchOrderNo", "20160427210604000490".into()),
            ("channelId", "WX_NATIVE".into()),
            ("amount", "100".into()),
            ("currency", "cny".into()),
            ("status", "2".into()),
            ("clientIp", "210.73.10.148".into()),
            ("device", "ios10.3.1".into()),
            ("subject", "测试商品 & 名称".into()),
            (
                "channelOrderNo",
                "wx2016081611532915ae15beab0167893571".into(),
            ),
            ("param1", "".into()),
            ("param2", "".into()),
            ("paySuccTime", "1539402651000".into()),
            ("backType", "2".into()),
        ];
        let n = query_notification(
            "20160427210604000490",
            "pay",
            http::Method::POST,
            "http://127.0.0.1:1/n",
            pairs,
            vec![],
        );
        assert_eq!(
            n.url,
            "http://127.0.0.1:1/n?payOrderId=P01000020181013115051810&mchId=20001222&mchOrderNo=20160427210604000490&channelId=WX_NATIVE&amount=100&currency=cny&status=2&clientIp=210.73.10.148&device=ios10.3.1&subject=%E6%B5%8B%E8%AF%95%E5%95%86%E5%93%81%20%26%20%E5%90%8D%E7%A7%B0&channelOrderNo=wx2016081611532915ae15beab0167893571&param1=&param2=&paySuccTime=1539402651000&backType=2&sign=709AE924B6F605BBF37652F6B7B6869F"
        );
        assert!(
            n.tampered_url
                .ends_with("&sign=709AE924B6F605BBF37652F6B7B6869E")
                || n.tampered_url
                    .ends_with("&sign=709AE924B6F605BBF37652F6B7B68690")
        );
    }

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

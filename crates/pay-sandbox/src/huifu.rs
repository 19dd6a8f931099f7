//! Huifu hfpay behind a ShopEx Prism-style gateway: OAuth token, merchant opening, users, cards,
//! quick pay, balance pay, refunds, withdrawals, queries, `unsgin` and the `bg_ret_url`
//! callbacks.
//!
//! Authentication: the Prism request signature (`client_id`, `sign_method=md5`, `sign_time`,
//! `sign` in the query; see [`crate::prism`]), `client_id` + `client_secret` query parameters,
//! or `Authorization: Bearer` with a token from `POST /oauth/token`; a failure is HTTP 401
//! `{"result":"error","error":{"code","message"}}`. Bodies are form-encoded (JSON and multipart
//! accepted). Answers are HTTP 200 JSON with `resp_code` (`C00000` success, `C00001` processing,
//! `C00002` accepted, others errors) and `resp_desc`, plus the echoed and result fields.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use pay_core::Money;
use serde_json::{Map, Value, json};

use crate::common::{
    Ctx, json_ok, json_with_status, lock, parse_form, scripted_failure, yuan_two_decimals,
};
use crate::credentials::huifu as cred;
use crate::inspect::OrderSnapshot;
use crate::notify::Outgoing;

/// Success.
pub(crate) const OK: &str = "C00000";
/// Processing: the result comes by callback.
pub(crate) const PROCESSING: &str = "C00001";
/// Accepted: the result comes by callback.
pub(crate) const ACCEPTED: &str = "C00002";
/// A parameter is missing or malformed.
pub(crate) const ERR_PARAM: &str = "C10001";
/// Unknown `mer_cust_id`.
pub(crate) const ERR_MERCHANT: &str = "C10002";
/// `order_id` + `order_date` used before.
pub(crate) const ERR_DUPLICATE: &str = "C10003";
/// No such order.
pub(crate) const ERR_NOT_FOUND: &str = "C10004";
/// No such user.
pub(crate) const ERR_USER: &str = "C10005";
/// Balance too low.
pub(crate) const ERR_FUNDS: &str = "C10006";
/// Wrong SMS code.
pub(crate) const ERR_SMS: &str = "C10007";
/// No such bank card.
pub(crate) const ERR_CARD: &str = "C10008";
/// `unsgin`: a check value the sandbox did not issue.
pub(crate) const ERR_UNSIGN: &str = "C10009";

#[derive(Debug, Clone)]
struct User {
    balance: Money,
}

#[derive(Debug, Clone)]
struct Card {
    user_cust_id: String,
}

#[derive(Debug, Clone)]
struct Order {
    kind: &'static str,
    user_cust_id: String,
    amount: Money,
    status: &'static str,
    platform_seq_id: String,
    /// The order in which the sandbox accepted it.
    seq: u64,
    /// For a refund: the `org_order_id` + `org_order_date` it refunds.
    refund_of: Option<(String, String)>,
}

#[derive(Debug, Clone)]
struct PendingQuickPay {
    user_cust_id: String,
    amount: Money,
    in_cust_id: Option<String>,
}

/// Huifu's memory.
#[derive(Debug, Default)]
pub(crate) struct State {
    tokens: HashSet<String>,
    users: HashMap<String, User>,
    cards: HashMap<String, Card>,
    orders: HashMap<(String, String), Order>,
    pending: HashMap<(String, String), PendingQuickPay>,
    issued: HashSet<String>,
}

impl State {
    pub(crate) fn snapshot(&self, id: &str) -> Option<OrderSnapshot> {
        self.orders
            .iter()
            .filter(|((order_id, _), _)| order_id == id)
            .map(|((order_id, _), o)| OrderSnapshot {
                kind: o.kind.into(),
                merchant_id: order_id.clone(),
                provider_id: o.platform_seq_id.clone(),
                amount: o.amount,
                status: o.status.into(),
                finished: o.status != "I",
            })
            .next()
    }
}

pub(crate) fn router(ctx: Arc<Ctx>) -> axum::Router {
    axum::Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::common::MAX_BODY,
        ))
        .with_state(ctx)
}

fn gateway_error(status: http::StatusCode, code: &str, message: &str) -> Response {
    json_with_status(
        status,
        &json!({"result": "error", "error": {"code": code, "message": message}}),
    )
}

type Fields = BTreeMap<String, String>;

fn reply(code: &str, desc: &str, f: &Fields, extra: Value) -> Response {
    let mut body = Map::new();
    body.insert("resp_code".into(), code.into());
    body.insert("resp_desc".into(), desc.into());
    for echo in [
        "mer_cust_id",
        "user_cust_id",
        "order_id",
        "order_date",
        "trans_amt",
        "mer_priv",
    ] {
        if let Some(v) = f.get(echo).filter(|v| !v.is_empty()) {
            body.insert(echo.into(), v.clone().into());
        }
    }
    if let Value::Object(extra) = extra {
        body.extend(extra);
    }
    json_ok(&Value::Object(body))
}

fn err(code: &str, desc: &str, f: &Fields) -> Response {
    reply(code, desc, f, Value::Null)
}

/// A request body: its fields (JSON values as their text; file parts by their file name) and
/// the text form fields the Prism sign covers (none for a JSON body).
#[derive(Debug, Default)]
struct Body {
    fields: Fields,
    signed: Vec<(String, String)>,
}

/// Parses a form, JSON or multipart body.
fn parse_body(headers: &http::HeaderMap, body: &[u8]) -> Body {
    let ct = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ct.starts_with("application/json") {
        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
            return Body::default();
        };
        let fields = obj
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect();
        return Body {
            fields,
            signed: Vec::new(),
        };
    }
    if ct.starts_with("multipart/form-data") {
        let Some(parts) = crate::common::multipart_boundary(headers)
            .and_then(|b| crate::common::parse_multipart(body, &b))
        else {
            return Body::default();
        };
        let mut out = Body::default();
        for part in parts {
            match part.filename {
                Some(file) => {
                    out.fields.insert(part.name, file);
                }
                None => {
                    let value = String::from_utf8_lossy(&part.data).into_owned();
                    out.signed.push((part.name.clone(), value.clone()));
                    out.fields.insert(part.name, value);
                }
            }
        }
        return out;
    }
    let signed: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    Body {
        fields: signed.iter().cloned().collect(),
        signed,
    }
}

/// The fields of a multipart body: text parts by value, file parts as their file name.
#[cfg(test)]
fn multipart_fields(body: &[u8], boundary: &str) -> Fields {
    crate::common::parse_multipart(body, boundary)
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let value = p
                .filename
                .unwrap_or_else(|| String::from_utf8_lossy(&p.data).into_owned());
            (p.name, value)
        })
        .collect()
}

async fn handle(
    Extract(ctx): Extract<Arc<Ctx>>,
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Bytes,
) -> Response {
    let route = crate::common::route_of(uri.path());
    let raw_query = uri.query().unwrap_or_default().as_bytes();
    let query = parse_form(raw_query);
    if route == "/oauth/token" {
        ctx.record(&route, None);
        return token(&ctx, &parse_body(&headers, &body).fields, &query);
    }
    if let Some(rest) = route.strip_prefix("/sandbox/files/") {
        ctx.record(&route, None);
        return download(&ctx, rest);
    }
    let op = if let Some(card) = route.strip_prefix("/api/hfpay/app/bank_check/card/") {
        if method != http::Method::GET {
            return (http::StatusCode::METHOD_NOT_ALLOWED, "use GET").into_response();
        }
        Some(("bank_check", card.to_owned()))
    } else {
        route
            .strip_prefix("/api/hfpay/v1/merchant/")
            .or_else(|| route.strip_prefix("/api/hfpay/v1/trade/"))
            .map(|name| (name, String::new()))
    };
    let Some((op, card)) = op else {
        ctx.record(&route, None);
        return (http::StatusCode::NOT_FOUND, "no such route").into_response();
    };
    let parsed = if method == http::Method::GET {
        Body::default()
    } else {
        parse_body(&headers, &body)
    };
    let f = if method == http::Method::GET {
        query.clone()
    } else {
        parsed.fields
    };
    ctx.record(&route, f.get("order_id").map(String::as_str));
    let request = Signed {
        method: method.as_str(),
        path: uri.path(),
        headers: &headers,
        query: url::form_urlencoded::parse(raw_query)
            .into_owned()
            .collect(),
        form: &parsed.signed,
    };
    if let Err(r) = authenticate(&ctx, &request, &query) {
        return r;
    }
    if op == "bank_check" {
        return bank_check(&card);
    }
    if method != http::Method::POST {
        return (http::StatusCode::METHOD_NOT_ALLOWED, "use POST").into_response();
    }
    let known = matches!(
        op,
        "agent_merchant_opening"
            | "business_opening"
            | "merchant_opening"
            | "person_opening"
            | "sub_merchant_create"
            | "bind_bank_card"
            | "untie_bank_card"
            | "balance_query"
            | "send_sms_code"
            | "order_download"
            | "upload_card"
            | "upload_agent_file"
            | "upload_merchant_file"
            | "app_pay"
            | "balance_pay"
            | "fz"
            | "order_affirm"
            | "order_query"
            | "order_reverse"
            | "quick_pay"
            | "refund"
            | "send_quick_pay_sms_code"
            | "unsgin"
            | "withdrawal"
    );
    if !known {
        return (http::StatusCode::NOT_FOUND, "no such route").into_response();
    }
    if f.get("mer_cust_id").map(String::as_str) != Some(cred::MER_CUST_ID) {
        return err(ERR_MERCHANT, "商户客户号不存在 (mer_cust_id unknown)", &f);
    }
    let op = op.to_owned();
    dispatch(&ctx, &op, &f).unwrap_or_else(|r| r)
}

fn token(ctx: &Ctx, form: &Fields, query: &Fields) -> Response {
    let get = |k: &str| form.get(k).or_else(|| query.get(k)).map(String::as_str);
    if get("grant_type") != Some("client_credentials") {
        return gateway_error(
            http::StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let id_ok = get("client_id") == Some(cred::CLIENT_ID);
    let secret_ok = get("client_secret")
        .is_some_and(|s| sign_md5::ct_eq_hex(s, cred::CLIENT_SECRET) && s == cred::CLIENT_SECRET);
    if !(id_ok && secret_ok) {
        return gateway_error(
            http::StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id or client_secret is wrong",
        );
    }
    let token = format!("hf{}", ctx.next_id("t"));
    lock(&ctx.huifu).tokens.insert(token.clone());
    json_ok(&json!({"access_token": token, "token_type": "Bearer", "expires_in": 7200}))
}

/// What the Prism sign covers of a request.
#[derive(Debug)]
struct Signed<'a> {
    method: &'a str,
    /// The path as sent (percent-encoded as the client sent it).
    path: &'a str,
    headers: &'a http::HeaderMap,
    /// Every query parameter, decoded, in order.
    query: Vec<(String, String)>,
    /// The text form fields of the body.
    form: &'a [(String, String)],
}

/// Authenticates a request in one of the gateway's three ways: the Prism sign (`sign` in the
/// query), `client_id` + `client_secret`, or a bearer token alone. A bearer token sent with a
/// Prism sign must be valid too.
fn authenticate(ctx: &Ctx, req: &Signed<'_>, query: &Fields) -> Result<(), Response> {
    let bearer = req
        .headers
        .get(http::header::AUTHORIZATION)
        .map(|v| v.to_str().unwrap_or_default());
    let check_bearer = |auth: &str| {
        let token = auth.strip_prefix("Bearer ").unwrap_or_default().trim();
        if !token.is_empty() && lock(&ctx.huifu).tokens.contains(token) {
            return Ok(());
        }
        Err(gateway_error(
            http::StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the bearer token is unknown or expired",
        ))
    };
    if ["sign", "sign_method", "sign_time"]
        .iter()
        .any(|k| query.contains_key(*k))
    {
        verify_prism(ctx, req, query)?;
        return match bearer {
            Some(auth) => check_bearer(auth),
            None => Ok(()),
        };
    }
    if let Some(auth) = bearer {
        return check_bearer(auth);
    }
    match (query.get("client_id"), query.get("client_secret")) {
        (Some(id), Some(secret))
            if id == cred::CLIENT_ID
                && secret.len() == cred::CLIENT_SECRET.len()
                && sign_md5::ct_eq_hex(secret, cred::CLIENT_SECRET)
                && secret == cred::CLIENT_SECRET =>
        {
            Ok(())
        }
        (Some(_), Some(_)) => Err(gateway_error(
            http::StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id or client_secret is wrong",
        )),
        _ => Err(gateway_error(
            http::StatusCode::UNAUTHORIZED,
            "missing_credentials",
            "send client_id and client_secret, a Prism sign, or Authorization: Bearer",
        )),
    }
}

/// Checks the Prism request signature: `client_id`, `sign_method=md5`, a `sign_time` within
/// five minutes of the sandbox's clock, and `sign` (see [`crate::prism`]).
fn verify_prism(ctx: &Ctx, req: &Signed<'_>, query: &Fields) -> Result<(), Response> {
    let unauthorized =
        |code: &str, message: &str| gateway_error(http::StatusCode::UNAUTHORIZED, code, message);
    let get = |k: &str| query.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let (Some(client_id), Some(method), Some(time), Some(given)) = (
        get("client_id"),
        get("sign_method"),
        get("sign_time"),
        get("sign"),
    ) else {
        return Err(unauthorized(
            "missing_sign_parameters",
            "a Prism sign needs client_id, sign_method, sign_time and sign",
        ));
    };
    if client_id != cred::CLIENT_ID {
        return Err(unauthorized("invalid_client", "client_id is unknown"));
    }
    if method != "md5" {
        return Err(unauthorized(
            "invalid_sign_method",
            "sign_method must be md5",
        ));
    }
    let fresh = time
        .parse::<i64>()
        .ok()
        .and_then(|t| t.checked_sub(ctx.now().unix_seconds()))
        .is_some_and(|skew| skew.abs() <= crate::prism::MAX_SKEW_SECS);
    if !fresh {
        return Err(unauthorized(
            "sign_expired",
            "sign_time is more than 5 minutes from the gateway's clock",
        ));
    }
    let expected = crate::prism::sign(
        cred::CLIENT_SECRET,
        req.method,
        req.path,
        &crate::prism::signed_headers(req.headers),
        &req.query,
        req.form,
    );
    if sign_md5::ct_eq_hex(&expected, given) {
        Ok(())
    } else {
        Err(unauthorized("invalid_sign", "the sign does not match"))
    }
}

fn need<'a>(f: &'a Fields, name: &str) -> Result<&'a str, Response> {
    f.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| err(ERR_PARAM, &format!("参数错误: {name} 不能为空"), f))
}

fn date8(f: &Fields, name: &str) -> Result<String, Response> {
    let d = need(f, name)?;
    if pay_core::clock::is_compact_date(d) {
        Ok(d.to_owned())
    } else {
        Err(err(
            ERR_PARAM,
            &format!("参数错误: {name} 格式为 YYYYMMDD"),
            f,
        ))
    }
}

fn amount(f: &Fields) -> Result<Money, Response> {
    match yuan_two_decimals(need(f, "trans_amt")?) {
        Some(m) if m.is_positive() => Ok(m),
        _ => Err(err(
            ERR_PARAM,
            "参数错误: trans_amt 金额格式是 ###.00 且大于 0",
            f,
        )),
    }
}

fn one_of(f: &Fields, name: &str, allowed: &[&str]) -> Result<(), Response> {
    match f.get(name).map(String::as_str) {
        None | Some("") => Ok(()),
        Some(v) if allowed.contains(&v) => Ok(()),
        Some(_) => Err(err(
            ERR_PARAM,
            &format!("参数错误: {name} 只能是 {}", allowed.join("/")),
            f,
        )),
    }
}

/// Reserves `order_id` + `order_date`, refusing a reuse.
fn new_order(
    ctx: &Ctx,
    f: &Fields,
    kind: &'static str,
    user: &str,
    amount: Money,
    status: &'static str,
) -> Result<(String, String), Response> {
    let key = (need(f, "order_id")?.to_owned(), date8(f, "order_date")?);
    let mut state = lock(&ctx.huifu);
    if state.orders.contains_key(&key) {
        return Err(err(
            ERR_DUPLICATE,
            "订单号重复 (order_id + order_date used before)",
            f,
        ));
    }
    state.orders.insert(
        key.clone(),
        Order {
            kind,
            user_cust_id: user.to_owned(),
            amount,
            status,
            platform_seq_id: ctx.next_id("H"),
            seq: ctx.next_seq(),
            refund_of: None,
        },
    );
    Ok(key)
}

fn user_exists(ctx: &Ctx, f: &Fields, name: &str) -> Result<String, Response> {
    let id = need(f, name)?.to_owned();
    if lock(&ctx.huifu).users.contains_key(&id) {
        Ok(id)
    } else {
        Err(err(ERR_USER, &format!("用户不存在 ({name})"), f))
    }
}

fn new_user(ctx: &Ctx) -> String {
    let id = format!("6666000{:09}", ctx.next_seq());
    lock(&ctx.huifu).users.insert(
        id.clone(),
        User {
            balance: Money::from_fen(cred::INITIAL_USER_BALANCE_FEN),
        },
    );
    id
}

fn dispatch(ctx: &Arc<Ctx>, op: &str, f: &Fields) -> Result<Response, Response> {
    if let Some(url) = f.get("bg_ret_url").filter(|u| !u.is_empty())
        && let Err(why) = ctx.check_notify_url(url)
    {
        return Err(err(ERR_PARAM, &format!("参数错误: bg_ret_url {why}"), f));
    }
    match op {
        "person_opening" => {
            need(f, "user_name")?;
            let cert = need(f, "cert_id")?;
            pay_core::pii::validate_cn_resident_id("cert_id", cert)
                .map_err(|_| err(ERR_PARAM, "参数错误: cert_id 身份证号有误", f))?;
            let mobile = need(f, "user_mobile")?;
            pay_core::pii::validate_cn_mobile("user_mobile", mobile)
                .map_err(|_| err(ERR_PARAM, "参数错误: user_mobile 手机号有误", f))?;
            let user = new_user(ctx);
            let key = new_order(ctx, f, "person-opening", &user, Money::ZERO, "S")?;
            let extra = json!({"user_cust_id": user, "acct_id": format!("A{user}")});
            callback_later(ctx, f, &key, OK, "开户成功", extra.clone(), 0);
            Ok(reply(OK, "开户成功", f, extra))
        }
        "business_opening" | "merchant_opening" | "agent_merchant_opening" => {
            let required: &[&str] = match op {
                "business_opening" => &["apply_id", "corp_name", "legal_name", "bank_acct_no"],
                "merchant_opening" => &["apply_id", "user_name", "legal_name"],
                _ => &["mer_name", "legal_name", "bank_acct_no"],
            };
            for name in required {
                need(f, name)?;
            }
            one_of(f, "operate_type", &["00090000", "00090001"])?;
            let user = new_user(ctx);
            let key = if op == "agent_merchant_opening" && !f.contains_key("order_id") {
                (
                    format!("AGENT{}", ctx.next_seq()),
                    ctx.now().beijing_date_compact(),
                )
            } else {
                new_order(ctx, f, "merchant-opening", &user, Money::ZERO, "I")?
            };
            let extra = json!({"user_cust_id": user, "apply_id": f.get("apply_id").cloned().unwrap_or_default(), "audit_stat": "Y"});
            callback_later(ctx, f, &key, OK, "开户成功", extra, 1);
            Ok(reply(
                ACCEPTED,
                "受理成功",
                f,
                json!({"apply_id": f.get("apply_id").cloned().unwrap_or_default()}),
            ))
        }
        "sub_merchant_create" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            one_of(f, "acct_type", &["100", "200"])?;
            new_order(ctx, f, "sub-account", &user, Money::ZERO, "S")?;
            Ok(reply(
                OK,
                "成功",
                f,
                json!({"acct_id": format!("A{}", ctx.next_seq())}),
            ))
        }
        "bind_bank_card" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            need(f, "bank_id")?;
            let card_no = need(f, "card_no")?;
            if !(12..=19).contains(&card_no.len()) || !card_no.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(ERR_PARAM, "参数错误: card_no 银行卡号有误", f));
            }
            one_of(f, "dc_flag", &["0"])?;
            need(f, "card_mobile")?;
            new_order(ctx, f, "bind-card", &user, Money::ZERO, "S")?;
            let card_id = format!("{}", 100_000 + ctx.next_seq());
            lock(&ctx.huifu)
                .cards
                .insert(card_id.clone(), Card { user_cust_id: user });
            Ok(reply(OK, "绑卡成功", f, json!({"card_id": card_id})))
        }
        "untie_bank_card" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            let card_id = need(f, "card_id")?.to_owned();
            one_of(f, "card_buss_type", &["0", "2"])?;
            let owned = lock(&ctx.huifu)
                .cards
                .get(&card_id)
                .is_some_and(|c| c.user_cust_id == user);
            if !owned {
                return Err(err(ERR_CARD, "银行卡不存在", f));
            }
            new_order(ctx, f, "untie-card", &user, Money::ZERO, "S")?;
            lock(&ctx.huifu).cards.remove(&card_id);
            Ok(reply(OK, "解绑成功", f, json!({"card_id": card_id})))
        }
        "balance_query" => {
            let user = need(f, "user_cust_id")?;
            let balance = if user == cred::MER_CUST_ID {
                Money::from_fen(100_000_000)
            } else {
                lock(&ctx.huifu)
                    .users
                    .get(user)
                    .map(|u| u.balance)
                    .ok_or_else(|| err(ERR_USER, "用户不存在", f))?
            };
            Ok(reply(
                OK,
                "成功",
                f,
                json!({"acct_balance": balance.to_yuan(), "avl_balance": balance.to_yuan(), "frz_balance": "0.00"}),
            ))
        }
        "send_sms_code" => {
            user_exists(ctx, f, "user_cust_id")?;
            need(f, "user_mobile")?;
            one_of(f, "busi_type", &["T11", "T07", "U06"])?;
            Ok(reply(OK, "短信发送成功", f, Value::Null))
        }
        "order_download" => {
            let date = date8(f, "order_date")?;
            one_of(f, "trans_type", &["01"])?;
            Ok(reply(
                OK,
                "成功",
                f,
                json!({"file_url": format!("{}/sandbox/files/{date}.txt", ctx.base_url)}),
            ))
        }
        "upload_card" | "upload_agent_file" | "upload_merchant_file" => {
            let files: &[&str] = if op == "upload_card" {
                &["file1", "file2"]
            } else {
                &["attach_no", "attach_type", "file"]
            };
            for name in files {
                need(f, name)?;
            }
            if op == "upload_card" {
                user_exists(ctx, f, "user_cust_id")?;
            }
            Ok(reply(
                OK,
                "上传成功",
                f,
                json!({"file_id": format!("F{}", ctx.next_seq())}),
            ))
        }
        "send_quick_pay_sms_code" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            let amount = amount(f)?;
            need(f, "card_no")?;
            need(f, "card_mobile")?;
            one_of(f, "trans_type", &["guarantee", "recharge", "other"])?;
            let key = (need(f, "order_id")?.to_owned(), date8(f, "order_date")?);
            let mut state = lock(&ctx.huifu);
            if state.pending.contains_key(&key) || state.orders.contains_key(&key) {
                return Err(err(
                    ERR_DUPLICATE,
                    "订单号重复 (order_id + order_date used before)",
                    f,
                ));
            }
            state.pending.insert(
                key,
                PendingQuickPay {
                    user_cust_id: user,
                    amount,
                    in_cust_id: f.get("in_cust_id").filter(|v| !v.is_empty()).cloned(),
                },
            );
            Ok(reply(OK, "短信发送成功", f, Value::Null))
        }
        "quick_pay" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            let ori = (
                need(f, "ori_order_id")?.to_owned(),
                date8(f, "ori_order_date")?,
            );
            if need(f, "sms_code")? != cred::SMS_CODE {
                return Err(err(ERR_SMS, "短信验证码错误", f));
            }
            let pending = lock(&ctx.huifu).pending.get(&ori).cloned();
            let Some(pending) = pending.filter(|p| p.user_cust_id == user) else {
                return Err(err(ERR_NOT_FOUND, "原短信订单不存在 (ori_order_id)", f));
            };
            let key = new_order(ctx, f, "quick-pay", &user, pending.amount, "I")?;
            lock(&ctx.huifu).pending.remove(&ori);
            let credit = pending.in_cust_id.unwrap_or(user);
            settle_later(ctx, f, key, Some(credit), None);
            Ok(reply(
                PROCESSING,
                "交易处理中",
                f,
                json!({"trans_amt": pending.amount.to_yuan(), "trans_stat": "I"}),
            ))
        }
        "app_pay" => {
            let amount = amount(f)?;
            one_of(f, "pay_type", &["04", "05", "10", "12", "13", "18", "19"])?;
            need(f, "pay_type")?;
            one_of(f, "trans_type", &["guarantee", "recharge", "other"])?;
            let user = f.get("user_cust_id").cloned().unwrap_or_default();
            let credit = f
                .get("in_cust_id")
                .filter(|v| !v.is_empty())
                .cloned()
                .or_else(|| Some(user.clone()).filter(|u| !u.is_empty()));
            let key = new_order(ctx, f, "app-pay", &user, amount, "I")?;
            settle_later(ctx, f, key.clone(), credit, None);
            Ok(reply(
                PROCESSING,
                "交易处理中",
                f,
                json!({"trans_stat": "I", "pay_info": format!("{}/sandbox/cashier/{}", ctx.base_url, key.0)}),
            ))
        }
        "balance_pay" => {
            let payer = user_exists(ctx, f, "out_cust_id")?;
            let payee = user_exists(ctx, f, "in_cust_id")?;
            let amount = amount(f)?;
            one_of(f, "trans_type", &["1", "2"])?;
            debit(ctx, f, &payer, amount)?;
            let key = new_order(ctx, f, "balance-pay", &payer, amount, "S")
                .inspect_err(|_| credit(ctx, &payer, amount))?;
            credit(ctx, &payee, amount);
            callback_later(ctx, f, &key, OK, "交易成功", json!({"trans_stat": "S"}), 0);
            Ok(reply(OK, "交易成功", f, json!({"trans_stat": "S"})))
        }
        "fz" | "order_affirm" | "order_reverse" => {
            let old = (
                need(f, "old_order_id")?.to_owned(),
                date8(f, "old_order_date")?,
            );
            let amount = amount(f)?;
            let original = lock(&ctx.huifu).orders.get(&old).cloned();
            let Some(original) = original.filter(|o| o.status == "S") else {
                return Err(err(ERR_NOT_FOUND, "原订单不存在或未成功 (old_order_id)", f));
            };
            if amount > original.amount {
                return Err(err(ERR_PARAM, "参数错误: trans_amt 超过原订单金额", f));
            }
            let key = new_order(ctx, f, "guarantee", &original.user_cust_id, amount, "S")?;
            callback_later(ctx, f, &key, OK, "交易成功", json!({"trans_stat": "S"}), 0);
            Ok(reply(OK, "交易成功", f, json!({"trans_stat": "S"})))
        }
        "refund" => {
            let org = (
                need(f, "org_order_id")?.to_owned(),
                date8(f, "org_order_date")?,
            );
            let amount = amount(f)?;
            let key = (need(f, "order_id")?.to_owned(), date8(f, "order_date")?);
            let mut state = lock(&ctx.huifu);
            let Some(original) = state.orders.get(&org).filter(|o| {
                o.status == "S" && matches!(o.kind, "quick-pay" | "app-pay" | "balance-pay")
            }) else {
                return Err(err(ERR_NOT_FOUND, "原交易不存在或未成功 (org_order_id)", f));
            };
            let user = original.user_cust_id.clone();
            let original_amount = original.amount;
            // Refunds accepted so far (pending or done, not failed) count against the original.
            let refunded = state
                .orders
                .values()
                .filter(|o| o.refund_of.as_ref() == Some(&org) && o.status != "F")
                .try_fold(Money::ZERO, |sum, o| sum.checked_add(o.amount));
            let total = refunded.and_then(|r| r.checked_add(amount));
            if total.is_none_or(|t| t > original_amount) {
                return Err(err(ERR_PARAM, "参数错误: trans_amt 超过原交易可退金额", f));
            }
            if state.orders.contains_key(&key) {
                return Err(err(
                    ERR_DUPLICATE,
                    "订单号重复 (order_id + order_date used before)",
                    f,
                ));
            }
            state.orders.insert(
                key.clone(),
                Order {
                    kind: "refund",
                    user_cust_id: user,
                    amount,
                    status: "I",
                    platform_seq_id: ctx.next_id("H"),
                    seq: ctx.next_seq(),
                    refund_of: Some(org),
                },
            );
            drop(state);
            settle_later(ctx, f, key, None, None);
            Ok(reply(
                ACCEPTED,
                "退款受理成功",
                f,
                json!({"trans_stat": "I"}),
            ))
        }
        "withdrawal" => {
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
            if f.contains_key("order_id") {
                let key = (need(f, "order_id")?.to_owned(), date8(f, "order_date")?);
                if lock(&ctx.huifu).orders.contains_key(&key) {
                    return Err(err(
                        ERR_DUPLICATE,
                        "订单号重复 (order_id + order_date used before)",
                        f,
                    ));
                }
            }
            debit(ctx, f, &user, amount)?;
            let key = new_order(ctx, f, "withdrawal", &user, amount, "I")
                .inspect_err(|_| credit(ctx, &user, amount))?;
            settle_later(ctx, f, key, None, Some(user));
            Ok(reply(
                ACCEPTED,
                "提现受理成功",
                f,
                json!({"trans_stat": "I"}),
            ))
        }
        "order_query" => {
            let key = (need(f, "order_id")?.to_owned(), date8(f, "order_date")?);
            one_of(f, "trans_type", &["01", "02", "03", "04"])?;
            let order = lock(&ctx.huifu).orders.get(&key).cloned();
            let Some(o) = order else {
                return Err(err(ERR_NOT_FOUND, "订单不存在", f));
            };
            Ok(reply(
                OK,
                "查询成功",
                f,
                json!({"trans_stat": o.status, "trans_amt": o.amount.to_yuan(), "platform_seq_id": o.platform_seq_id}),
            ))
        }
        "unsgin" => {
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
        _ => Err((http::StatusCode::NOT_FOUND, "no such route").into_response()),
    }
}

fn debit(ctx: &Ctx, f: &Fields, user: &str, amount: Money) -> Result<(), Response> {
    let mut state = lock(&ctx.huifu);
    let Some(u) = state.users.get_mut(user) else {
        return Err(err(ERR_USER, "用户不存在", f));
    };
    if u.balance < amount {
        return Err(err(ERR_FUNDS, "余额不足", f));
    }
    u.balance = u.balance.checked_sub(amount).unwrap_or(Money::ZERO);
    Ok(())
}

fn credit(ctx: &Ctx, user: &str, amount: Money) {
    if let Some(u) = lock(&ctx.huifu).users.get_mut(user) {
        u.balance = u.balance.checked_add(amount).unwrap_or(u.balance);
    }
}

/// After the status delay: the order succeeds (or fails for a scripted amount), crediting
/// `credit_to` on success or refunding `refund_to` on failure, then the callback goes out.
fn settle_later(
    ctx: &Arc<Ctx>,
    f: &Fields,
    key: (String, String),
    credit_to: Option<String>,
    refund_to: Option<String>,
) {
    let f = f.clone();
    ctx.after_status_delay(1, move |ctx| {
        // The status and the balance change together, under one lock.
        let (amount, failed) = {
            let mut state = lock(&ctx.huifu);
            let Some(o) = state.orders.get_mut(&key) else {
                return;
            };
            if o.status != "I" {
                return;
            }
            let failed = scripted_failure(o.amount);
            o.status = if failed { "F" } else { "S" };
            let amount = o.amount;
            let to = if failed { &refund_to } else { &credit_to };
            if let Some(u) = to.as_ref().and_then(|u| state.users.get_mut(u)) {
                u.balance = u.balance.checked_add(amount).unwrap_or(u.balance);
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
fn callback_later(
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

/// POSTs `check_value = base64(JSON result)` to `bg_ret_url`.
fn send_callback(
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
    for echo in ["user_cust_id", "mer_priv", "trans_amt"] {
        if let Some(v) = f.get(echo).filter(|v| !v.is_empty()) {
            result.insert(echo.into(), v.clone().into());
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
fn ack(_status: u16, body: &str) -> bool {
    let body = body.trim();
    body.eq_ignore_ascii_case("success") || body.starts_with("RECV_ORD_ID_")
}

/// The kinds of order that move money, as the statement lists them.
const TRADE_KINDS: &[&str] = &[
    "quick-pay",
    "app-pay",
    "balance-pay",
    "guarantee",
    "refund",
    "withdrawal",
];

/// The header of the statement file (`order_download`'s `file_url`).
pub(crate) const STATEMENT_HEADER: &str =
    "order_id,order_date,platform_seq_id,trans_type,user_cust_id,trans_amt,trans_stat";

/// The statement of `date` (`YYYYMMDD`): every money-moving order whose `order_date` is that
/// day, in the order the sandbox accepted them, as UTF-8 CSV with [`STATEMENT_HEADER`].
fn statement_csv(state: &State, date: &str) -> String {
    let mut rows: Vec<(&(String, String), &Order)> = state
        .orders
        .iter()
        .filter(|((_, d), o)| d == date && TRADE_KINDS.contains(&o.kind))
        .collect();
    rows.sort_by(|a, b| (a.1.seq, &a.0.0).cmp(&(b.1.seq, &b.0.0)));
    let mut out = String::from(STATEMENT_HEADER);
    out.push('\n');
    for ((order_id, order_date), o) in rows {
        let cells = [
            order_id.as_str(),
            order_date.as_str(),
            o.platform_seq_id.as_str(),
            o.kind,
            o.user_cust_id.as_str(),
            &o.amount.to_yuan(),
            o.status,
        ]
        .map(csv_cell);
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `GET /sandbox/files/{YYYYMMDD}.txt`: the statement of that day.
fn download(ctx: &Ctx, file: &str) -> Response {
    let Some(date) = file
        .strip_suffix(".txt")
        .filter(|d| pay_core::clock::is_compact_date(d))
    else {
        return (http::StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let csv = statement_csv(&lock(&ctx.huifu), date);
    (
        http::StatusCode::OK,
        [
            (
                http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{date}.txt\""),
            ),
        ],
        csv,
    )
        .into_response()
}

const BINS: &[(&str, &str, &str, &str)] = &[
    ("622588", "03080000", "招商银行", "D"),
    ("621700", "01050000", "中国建设银行", "D"),
    ("622202", "01020000", "中国工商银行", "D"),
    ("622848", "01030000", "中国农业银行", "D"),
    ("621661", "01040000", "中国银行", "D"),
    ("622575", "03080000", "招商银行", "C"),
];

fn bank_check(card: &str) -> Response {
    let empty = Fields::new();
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return err(ERR_PARAM, "参数错误: card_id 银行卡号有误", &empty);
    }
    match BINS.iter().find(|(bin, ..)| card.starts_with(bin)) {
        Some((_, bank_id, bank_name, card_type)) => reply(
            OK,
            "成功",
            &empty,
            json!({"card_id": card, "bank_id": bank_id, "bank_name": bank_name, "card_type": card_type}),
        ),
        None => err(ERR_CARD, "无法识别的银行卡 (unknown card BIN)", &empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_text_and_file_parts() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"mer_cust_id\"\r\n\r\n6666\r\n--XX\r\nContent-Disposition: form-data; name=\"file1\"; filename=\"front.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\u{1}\u{2}\r\n--XX--\r\n";
        let f = multipart_fields(body.as_bytes(), "XX");
        assert_eq!(f.get("mer_cust_id").map(String::as_str), Some("6666"));
        assert_eq!(f.get("file1").map(String::as_str), Some("front.jpg"));
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn acks() {
        assert!(ack(200, "RECV_ORD_ID_123"));
        assert!(ack(200, "SUCCESS"));
        assert!(!ack(200, "fail"));
    }
}

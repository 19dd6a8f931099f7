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

use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Write as _;
use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use crypto_3des::TripleDes;
use hmac::{Hmac, Mac};
use pay_core::{Money, Timestamp};
use serde_json::{Map, Value, json};

use crate::common::{
    Ctx, corrupt, field, json_ok, lock, parse_form, scripted_failure, yuan_trimmed,
};
use crate::credentials::yunzhanghu as cred;
use crate::inspect::OrderSnapshot;
use crate::notify::{Outgoing, ack_success_exact};

/// The channel an order pays through, as the query's `channel` and the files name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Channel {
    BankCard,
    Alipay,
    Wxpay,
}

impl Channel {
    fn name(self) -> &'static str {
        match self {
            Channel::BankCard => "银行卡",
            Channel::Alipay => "支付宝",
            Channel::Wxpay => "微信",
        }
    }
}

#[derive(Debug, Clone)]
struct Order {
    order_id: String,
    reference: String,
    channel: Channel,
    broker_id: String,
    real_name: String,
    card_no: String,
    id_card: String,
    phone_no: String,
    pay: Money,
    anchor_id: String,
    notes: String,
    pay_remark: String,
    status: i32,
    status_detail: i32,
    created_at: Timestamp,
    finished_at: Option<Timestamp>,
    /// When a paid order was returned (status 9 after 1).
    returned_at: Option<Timestamp>,
    bank_bill: String,
    notify_url: Option<String>,
}

/// An uploaded ID card (the images themselves are not kept).
#[derive(Debug, Clone)]
pub(crate) struct IdImages {
    pub(crate) real_name: String,
    pub(crate) front_len: usize,
    pub(crate) back_len: usize,
}

#[derive(Debug, Clone)]
struct PendingVerification {
    fields: [String; 4],
}

/// The most recent [`SeenIds::CAPACITY`] `request-id`s (the spec: "要求每次请求 id 不一样"),
/// so that a long-running sandbox does not grow without bound.
#[derive(Debug, Default)]
struct SeenIds {
    set: HashSet<String>,
    order: VecDeque<String>,
}

impl SeenIds {
    const CAPACITY: usize = 100_000;

    /// Records `id`; `false` when it was already recorded.
    fn insert(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() >= Self::CAPACITY
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        self.set.insert(id.to_owned());
        self.order.push_back(id.to_owned());
        true
    }
}

/// The settlement system's memory.
#[derive(Debug)]
pub(crate) struct State {
    orders: HashMap<String, Order>,
    reports: HashMap<String, String>,
    verifications: HashMap<String, PendingVerification>,
    balances: HashMap<&'static str, Money>,
    /// The `request-id`s of the requests accepted so far.
    request_ids: SeenIds,
    /// The ID cards uploaded, by `id_card`.
    pub(crate) id_images: HashMap<String, IdImages>,
}

impl Default for State {
    fn default() -> Self {
        let start = Money::from_fen(cred::INITIAL_BALANCE_FEN);
        State {
            orders: HashMap::new(),
            reports: HashMap::new(),
            verifications: HashMap::new(),
            id_images: HashMap::new(),
            request_ids: SeenIds::default(),
            balances: [("bank_card", start), ("alipay", start), ("wxpay", start)]
                .into_iter()
                .collect(),
        }
    }
}

impl State {
    pub(crate) fn snapshot(&self, id: &str) -> Option<OrderSnapshot> {
        self.orders.get(id).map(|o| OrderSnapshot {
            kind: "order".into(),
            merchant_id: o.order_id.clone(),
            provider_id: o.reference.clone(),
            amount: o.pay,
            status: o.status.to_string(),
            finished: !matches!(o.status, 0 | 4 | 5 | 8),
        })
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

/// A response `{code, message, request_id, data?}`.
fn reply(code: &str, message: &str, request_id: &str, data: Option<Value>) -> Response {
    let mut body = Map::new();
    body.insert("code".into(), code.into());
    body.insert("message".into(), message.into());
    body.insert("request_id".into(), request_id.into());
    if let Some(d) = data {
        body.insert("data".into(), d);
    }
    json_ok(&Value::Object(body))
}

fn ok(request_id: &str, data: Value) -> Response {
    reply("0000", "操作成功", request_id, Some(data))
}

fn des() -> Option<TripleDes> {
    TripleDes::new(cred::DES3_KEY.as_bytes()).ok()
}

/// `hex(HMAC-SHA256(app key, "data=…&mess=…&timestamp=…&key=APPKEY"))`.
pub(crate) fn sign(data: &str, mess: &str, timestamp: &str) -> String {
    let text = format!(
        "data={data}&mess={mess}&timestamp={timestamp}&key={}",
        cred::APP_KEY
    );
    match Hmac::<sha2::Sha256>::new_from_slice(cred::APP_KEY.as_bytes()) {
        Ok(mut mac) => {
            mac.update(text.as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        // ok: HMAC takes a key of any length
        Err(_) => String::new(),
    }
}

/// Encrypts a plaintext as the `data` field.
pub(crate) fn encrypt(plaintext: &str) -> String {
    des()
        .map(|d| d.encrypt_base64(plaintext.as_bytes()))
        .unwrap_or_default()
}

struct Opened {
    request_id: String,
    data: Map<String, Value>,
}

/// Verifies and decrypts a request, or answers it with the spec's error.
fn open(
    ctx: &Ctx,
    route: &str,
    headers: &http::HeaderMap,
    fields: &std::collections::BTreeMap<String, String>,
) -> Result<Opened, Response> {
    let request_id = headers
        .get("request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let dealer = headers.get("dealer-id").and_then(|v| v.to_str().ok());
    let get = |name: &str| {
        fields
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let (Some(data), Some(mess), Some(timestamp), Some(sign_given)) =
        (get("data"), get("mess"), get("timestamp"), get("sign"))
    else {
        ctx.record(route, None);
        return Err(reply(
            "1002",
            "请求参数格式不正确: data/mess/timestamp/sign 不能为空",
            &request_id,
            None,
        ));
    };
    let plaintext = des().and_then(|d| d.decrypt_base64_to_string(data).ok());
    let parsed = plaintext
        .as_deref()
        .and_then(|p| serde_json::from_str::<Value>(p).ok());
    let order_id = parsed
        .as_ref()
        .and_then(|v| v.get("order_id"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    ctx.record(route, order_id.as_deref());
    if dealer != Some(cred::DEALER_ID) {
        return Err(reply(
            "1005",
            "商户未设置3deskey或没有设置appkey (unknown dealer-id)",
            &request_id,
            None,
        ));
    }
    if get("sign_type") != Some("sha256") {
        return Err(reply(
            "1002",
            "请求参数格式不正确: sign_type 必须为 sha256",
            &request_id,
            None,
        ));
    }
    if request_id.is_empty() {
        return Err(reply(
            "1002",
            "请求参数格式不正确: header request-id 不能为空",
            &request_id,
            None,
        ));
    }
    let Some(seconds) = unix_seconds(timestamp) else {
        return Err(reply(
            "1002",
            "请求参数格式不正确: timestamp 必须为 10 位的秒级时间戳",
            &request_id,
            None,
        ));
    };
    if !crate::common::ct_eq_exact(&sign(data, mess, timestamp), sign_given) {
        return Err(reply("1003", "签名错误", &request_id, None));
    }
    if seconds.abs_diff(ctx.now().unix_seconds()) > MAX_CLOCK_SKEW_SECONDS {
        return Err(reply(
            "1001",
            "签名已过期 (timestamp is more than 5 minutes from the server's clock)",
            &request_id,
            None,
        ));
    }
    if plaintext.is_none() {
        return Err(reply("1004", "加密错误", &request_id, None));
    }
    let data = match parsed {
        Some(Value::Object(data)) => data,
        _ => {
            return Err(reply(
                "1002",
                "请求参数格式不正确: data 不是 JSON 对象",
                &request_id,
                None,
            ));
        }
    };
    if !lock(&ctx.yunzhanghu).request_ids.insert(&request_id) {
        return Err(reply(
            "1002",
            "请求参数格式不正确: request-id 重复 (每次请求 id 须不一样)",
            &request_id,
            None,
        ));
    }
    Ok(Opened { request_id, data })
}

/// How far a request's `timestamp` may be from the server's clock, either way, before the
/// request is `1001 签名已过期`.
const MAX_CLOCK_SKEW_SECONDS: u64 = 5 * 60;

/// The envelope's `timestamp` ("int, 时间戳,精确到秒"): exactly 10 ASCII digits, unix seconds
/// (a 13-digit millisecond stamp, a sign or anything else is refused).
fn unix_seconds(timestamp: &str) -> Option<i64> {
    if timestamp.len() == 10 && timestamp.bytes().all(|b| b.is_ascii_digit()) {
        timestamp.parse().ok()
    } else {
        None
    }
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

fn text<'a>(data: &'a Map<String, Value>, name: &str) -> Option<std::borrow::Cow<'a, str>> {
    field(data, name)
}

/// `1002` for a required field that is absent or empty.
fn missing(name: &str, rid: &str) -> Response {
    reply(
        "1002",
        &format!("请求参数格式不正确: {name} 不能为空"),
        rid,
        None,
    )
}

fn need(data: &Map<String, Value>, name: &str, rid: &str) -> Result<String, Response> {
    text(data, name)
        .map(|c| c.into_owned())
        .ok_or_else(|| missing(name, rid))
}

fn check_id_card(id: &str, rid: &str) -> Result<(), Response> {
    pay_core::pii::validate_cn_resident_id("id_card", id)
        .map_err(|_| reply("2001", "上传数据有误: id_card 身份证号有误", rid, None))
}

/// The display width the spec counts for `pay_remark`: a Chinese character counts 2.
fn remark_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// `pay`: the spec says "pay 为 string 类型", a yuan amount with two decimals (`"100.00"`). A
/// JSON number, or a string in any other shape, is `1002`, except a well-formed negative
/// amount (`"-1.00"`), which is the spec's own `2024`; so is zero. Read from the raw JSON
/// value, not through [`field`] (which turns numbers into text for the other simulators).
fn parse_pay(data: &Map<String, Value>, rid: &str) -> Result<Money, Response> {
    let raw = match data.get("pay") {
        None | Some(Value::Null) => return Err(missing("pay", rid)),
        Some(Value::String(s)) if s.is_empty() => return Err(missing("pay", rid)),
        Some(Value::String(s)) => s.as_str(),
        Some(_) => {
            return Err(reply(
                "1002",
                "请求参数格式不正确: pay 必须为 string 类型 (如 \"100.00\")",
                rid,
                None,
            ));
        }
    };
    if raw
        .strip_prefix('-')
        .is_some_and(crate::common::is_two_decimal_yuan)
    {
        return Err(reply("2024", "订单金额小于0", rid, None));
    }
    if !crate::common::is_two_decimal_yuan(raw) {
        return Err(reply(
            "1002",
            "请求参数格式不正确: pay 必须为两位小数的金额 (如 \"100.00\")",
            rid,
            None,
        ));
    }
    match Money::from_yuan(raw) {
        Ok(m) if m.is_positive() => Ok(m),
        Ok(_) => Err(reply(
            "2024",
            "订单金额小于0 (pay must be positive)",
            rid,
            None,
        )),
        Err(_) => Err(reply(
            "2016",
            "错误的打款金额 (pay is out of range)",
            rid,
            None,
        )),
    }
}

/// `pay_remark`: at most 20 wide (a Chinese character counts 2), none of `'"&|@%*()-:#¥`.
fn pay_remark(data: &Map<String, Value>, rid: &str) -> Result<String, Response> {
    let pay_remark = text(data, "pay_remark")
        .map(|c| c.into_owned())
        .unwrap_or_default();
    if remark_width(&pay_remark) > 20 || pay_remark.chars().any(|c| "'\"&|@%*()-:#¥".contains(c)) {
        return Err(reply(
            "1002",
            "请求参数格式不正确: pay_remark 超长或含特殊字符",
            rid,
            None,
        ));
    }
    Ok(pay_remark)
}

/// `notify_url`, or the sandbox's default; one the sandbox may call.
fn notify_url(ctx: &Ctx, data: &Map<String, Value>, rid: &str) -> Result<Option<String>, Response> {
    let notify_url = match text(data, "notify_url") {
        Some(u) => Some(u.into_owned()),
        None => ctx.default_notify_url(),
    };
    if let Some(url) = &notify_url
        && let Err(why) = ctx.check_notify_url(url)
    {
        return Err(reply(
            "1002",
            &format!("请求参数格式不正确: notify_url {why}"),
            rid,
            None,
        ));
    }
    Ok(notify_url)
}

fn place_order(
    ctx: &Arc<Ctx>,
    data: &Map<String, Value>,
    channel: Channel,
    rid: &str,
) -> Result<Response, Response> {
    let order_id = need(data, "order_id", rid)?;
    if order_id.len() > 64 {
        return Err(reply(
            "1002",
            "请求参数格式不正确: order_id 超过 64 个字符",
            rid,
            None,
        ));
    }
    if need(data, "dealer_id", rid)? != cred::DEALER_ID {
        return Err(reply(
            "1002",
            "请求参数格式不正确: dealer_id 与 dealer-id 不一致",
            rid,
            None,
        ));
    }
    let broker_id = need(data, "broker_id", rid)?;
    if broker_id != cred::BROKER_ID {
        return Err(reply("2038", "该商户不属于该经纪公司", rid, None));
    }
    let real_name = need(data, "real_name", rid)?;
    let id_card = need(data, "id_card", rid)?;
    check_id_card(&id_card, rid)?;
    let card_no = match channel {
        Channel::BankCard => {
            let c = need(data, "card_no", rid)?;
            if !(12..=19).contains(&c.len()) || !c.bytes().all(|b| b.is_ascii_digit()) {
                return Err(reply("2006", "银行卡号错误", rid, None));
            }
            c
        }
        Channel::Alipay => need(data, "card_no", rid)?,
        Channel::Wxpay => need(data, "openid", rid)?,
    };
    let pay = parse_pay(data, rid)?;
    let (min, max) = match channel {
        Channel::BankCard => (1, 500_000_000),
        Channel::Alipay => (1, 100_000_000),
        Channel::Wxpay => (100, 499_900),
    };
    if pay.fen() < min || pay.fen() > max {
        return Err(reply(
            "2016",
            "错误的打款金额 (outside the channel's single-payment limits)",
            rid,
            None,
        ));
    }
    let phone_no = text(data, "phone_no")
        .map(|c| c.into_owned())
        .unwrap_or_default();
    let pay_remark = pay_remark(data, rid)?;
    let notify_url = notify_url(ctx, data, rid)?;
    let mut state = lock(&ctx.yunzhanghu);
    if state.orders.contains_key(&order_id) || state.reports.contains_key(&order_id) {
        return Err(reply("2002", "已上传过该笔流水", rid, None));
    }
    let reference = ctx.next_seq().to_string();
    let reference = format!("1053{}{reference:0>8}", ctx.now().unix_seconds());
    state.orders.insert(
        order_id.clone(),
        Order {
            order_id: order_id.clone(),
            reference: reference.clone(),
            channel,
            broker_id,
            real_name,
            card_no,
            id_card,
            phone_no,
            pay,
            anchor_id: text(data, "anchor_id")
                .map(|c| c.into_owned())
                .unwrap_or_default(),
            notes: text(data, "notes")
                .map(|c| c.into_owned())
                .unwrap_or_default(),
            pay_remark,
            status: 0,
            status_detail: 0,
            created_at: ctx.now(),
            finished_at: None,
            returned_at: None,
            bank_bill: String::new(),
            notify_url,
        },
    );
    drop(state);
    let id1 = order_id.clone();
    ctx.after_status_delay(1, move |ctx| {
        if let Some(o) = lock(&ctx.yunzhanghu).orders.get_mut(&id1)
            && o.status == 0
        {
            o.status = 8;
        }
    });
    let id2 = order_id.clone();
    ctx.after_status_delay(2, move |ctx| settle(&ctx, &id2));
    Ok(ok(
        rid,
        json!({"order_id": order_id, "ref": reference, "pay": pay.to_yuan()}),
    ))
}

fn balance_key(channel: Channel) -> &'static str {
    match channel {
        Channel::BankCard => "bank_card",
        Channel::Alipay => "alipay",
        Channel::Wxpay => "wxpay",
    }
}

/// Moves an order to its final status and sends the callback.
fn settle(ctx: &Arc<Ctx>, order_id: &str) {
    let outgoing = {
        let mut state = lock(&ctx.yunzhanghu);
        let Some(o) = state.orders.get(order_id).cloned() else {
            return;
        };
        if !matches!(o.status, 0 | 8) {
            return;
        }
        let key = balance_key(o.channel);
        let balance = state.balances.get(key).copied().unwrap_or(Money::ZERO);
        let (status, detail) = if scripted_failure(o.pay) {
            (2, 211)
        } else if balance < o.pay {
            (4, 0)
        } else {
            if let Some(b) = state.balances.get_mut(key) {
                *b = balance.checked_sub(o.pay).unwrap_or(Money::ZERO);
            }
            if o.channel == Channel::Wxpay && scripted_return(o.pay) {
                (1, 27)
            } else {
                (1, 0)
            }
        };
        if status == 1 && scripted_return(o.pay) {
            let id = order_id.to_owned();
            ctx.after_status_delay(2, move |ctx| {
                if let Some(outgoing) = return_order(&ctx, &id).ok().flatten() {
                    ctx.notify(outgoing);
                }
            });
        }
        let Some(o) = state.orders.get_mut(order_id) else {
            return;
        };
        o.status = status;
        o.status_detail = detail;
        if status == 4 {
            return;
        }
        o.finished_at = Some(ctx.now());
        if status == 1 {
            o.bank_bill = format!("2017{}", o.reference);
        }
        let Some(url) = o.notify_url.clone() else {
            return;
        };
        callback(ctx, o, &url)
    };
    ctx.notify(outgoing);
}

/// Whether a return is scripted for this amount: the amount in fen ends in `55`.
fn scripted_return(pay: Money) -> bool {
    pay.fen().rem_euclid(100) == 55
}

/// Why an order cannot be returned.
#[derive(Debug, PartialEq, Eq)]
enum NotReturnable {
    Unknown,
    NotPaid(i32),
}

/// Returns a paid order (status 1, any detail): status 9, detail 213, the amount back on the
/// balance; the callback to send, where the order has a notify URL.
fn return_order(ctx: &Ctx, order_id: &str) -> Result<Option<Outgoing>, NotReturnable> {
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
fn percent_decode(s: &str) -> String {
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
fn control(ctx: &Arc<Ctx>, rest: &str) -> Response {
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

fn status_message(status: i32) -> &'static str {
    match status {
        -1 => "删除",
        0 => "已受理",
        1 => "已打款",
        2 => "打款失败",
        4 => "待打款(暂停处理)",
        5 => "打款中(状态未知)",
        8 => "待打款",
        9 => "打款失败(已退款,退汇或者冲正)",
        11 => "部分成功",
        15 => "取消支付",
        18 => "无需付款",
        _ => "未知",
    }
}

fn detail_message(detail: i32) -> &'static str {
    match detail {
        0 => "成功",
        27 => "微信红包待领取",
        111 => "系统打款成功",
        112 => "经纪公司打款成功",
        211 => "系统打款失败",
        212 => "经纪公司打款失败",
        213 => "系统打款和经纪公司打款都失败",
        _ => "未知",
    }
}

/// The order as the query and the callback report it.
fn order_json(o: &Order) -> Value {
    let pay = o.pay.to_yuan();
    json!({
        "order_id": o.order_id,
        "pay": pay,
        "anchor_id": o.anchor_id,
        "broker_amount": pay,
        "broker_id": o.broker_id,
        "card_no": o.card_no,
        "dealer_id": cred::DEALER_ID,
        "id_card": o.id_card,
        "phone_no": o.phone_no,
        "real_name": o.real_name,
        "ref": o.reference,
        "notes": o.notes,
        "status": o.status,
        "status_detail": o.status_detail,
        "status_message": status_message(o.status),
        "status_detail_message": if matches!(o.status, 0 | 8 | 4) { status_message(o.status) } else { detail_message(o.status_detail) },
        "sys_amount": pay,
        "pay_remark": o.pay_remark,
        "tax": "0.00",
        "tax_level": "",
        "sys_wallet_ref": "",
        "sys_bank_bill": o.bank_bill,
        "broker_wallet_ref": "",
        "broker_bank_bill": "",
        "created_at": o.created_at.beijing_datetime(),
        "finished_time": o.finished_at.map(Timestamp::beijing_datetime).unwrap_or_default(),
    })
}

/// Builds the signed, encrypted callback form for `o`.
fn callback(ctx: &Ctx, o: &Order, url: &str) -> Outgoing {
    let now = ctx.now();
    let plaintext = json!({
        "notify_id": ctx.next_id("N"),
        "notify_time": now.beijing_datetime(),
        "data": order_json(o),
    })
    .to_string();
    let data = encrypt(&plaintext);
    let mess = format!("m{}", ctx.next_seq());
    let timestamp = now.unix_seconds().to_string();
    let sign = sign(&data, &mess, &timestamp);
    let form = |sign: &str| {
        crate::common::encode_form([
            ("data", data.as_str()),
            ("mess", mess.as_str()),
            ("timestamp", timestamp.as_str()),
            ("sign", sign),
            ("sign_type", "sha256"),
        ])
    };
    Outgoing {
        order_id: o.order_id.clone(),
        kind: "order",
        method: http::Method::POST,
        url: url.to_owned(),
        content_type: Some("application/x-www-form-urlencoded"),
        body: Bytes::from(form(&sign)),
        tampered_url: url.to_owned(),
        tampered_body: Bytes::from(form(&corrupt(&sign))),
        ack: ack_success_exact,
        schedule: ctx.options.schedule_for(ctx.provider),
    }
}

fn query_order(ctx: &Ctx, data: &Map<String, Value>, rid: &str) -> Result<Response, Response> {
    let order_id = need(data, "order_id", rid)?;
    let channel = match text(data, "channel").as_deref() {
        None | Some("银行卡") => Channel::BankCard,
        Some("支付宝") => Channel::Alipay,
        Some("微信") => Channel::Wxpay,
        Some(_) => {
            return Err(reply(
                "1002",
                "请求参数格式不正确: channel 只能是 银行卡/支付宝/微信",
                rid,
                None,
            ));
        }
    };
    let state = lock(&ctx.yunzhanghu);
    let Some(o) = state.orders.get(&order_id).filter(|o| o.channel == channel) else {
        return Err(reply("2018", "该笔订单不存在", rid, None));
    };
    let body = order_json(o);
    drop(state);
    if text(data, "data_type").as_deref() == Some("encryption") {
        return Ok(ok(rid, json!({"encry_data": encrypt(&body.to_string())})));
    }
    Ok(ok(rid, body))
}

fn query_accounts(ctx: &Ctx, rid: &str) -> Response {
    let state = lock(&ctx.yunzhanghu);
    let bal = |k: &str| {
        state
            .balances
            .get(k)
            .copied()
            .unwrap_or(Money::ZERO)
            .to_yuan()
    };
    ok(
        rid,
        json!({"dealer_infos": [{
            "broker_id": cred::BROKER_ID,
            "bank_card_balance": bal("bank_card"),
            "is_bank_card": true,
            "alipay_balance": bal("alipay"),
            "is_alipay": true,
            "wxpay_balance": bal("wxpay"),
            "is_wxpay": true,
            "rebate_fee_balance": "0.00",
        }]}),
    )
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn file_url(
    ctx: &Ctx,
    data: &Map<String, Value>,
    kind: &str,
    rid: &str,
) -> Result<Response, Response> {
    let field_name = if kind == "order" {
        "order_date"
    } else {
        "bill_date"
    };
    let date = need(data, field_name, rid)?;
    if !is_iso_date(&date) {
        return Err(reply(
            "1002",
            &format!("请求参数格式不正确: {field_name} 格式为 yyyy-MM-dd"),
            rid,
            None,
        ));
    }
    let url = format!("{}/sandbox/files/{kind}/{date}.csv.gz", ctx.base_url);
    let key = format!("{kind}_download_url");
    let mut out = Map::new();
    out.insert(key, url.into());
    Ok(ok(rid, Value::Object(out)))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

fn mask_account(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n > 9 {
        let head: String = chars.iter().take(4).collect();
        let tail: String = chars.iter().skip(n - 5).collect();
        format!("{head}*****{tail}")
    } else {
        pay_core::pii::mask_phone(s)
    }
}

fn mask_name(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

fn mask_broker(s: &str) -> String {
    let n = s.chars().count();
    if n <= 2 {
        return "**".into();
    }
    s.chars().take(n - 2).chain("**".chars()).collect()
}

/// The service fee the files show: 7% of the amount, rounded half up to the fen.
fn service_fee(pay: Money) -> Money {
    Money::from_fen((pay.fen().saturating_mul(7) + 50) / 100)
}

fn file_status(status: i32, detail: i32) -> &'static str {
    match status {
        1 if detail == 27 => "成功(待领取)",
        1 => "成功",
        2 => "失败",
        9 => "退汇",
        -1 => "删除",
        4 => "挂单",
        0 | 5 | 8 => "打款中",
        _ => "-/-",
    }
}

/// The CSV text of a daily file.
fn file_csv(state: &State, kind: &str, date: &str) -> String {
    let mut orders: Vec<&Order> = state.orders.values().collect();
    orders.sort_by(|a, b| {
        a.created_at
            .cmp(&b.created_at)
            .then(a.order_id.cmp(&b.order_id))
    });
    let mut out = String::new();
    if kind == "order" {
        out.push_str("商户订单号,订单流水号,商户批次号,姓名,经纪公司ID,订单状态,收款账号,支付渠道,金额,服务费,渠道流水号,短周期授信账单号,服务费账单号,余额账单号,创建时间,完成时间\n");
        for o in orders
            .iter()
            .filter(|o| o.created_at.beijing_date() == date)
        {
            let fee = if o.status == 1 {
                yuan_trimmed(service_fee(o.pay))
            } else {
                "0".into()
            };
            let row = [
                o.order_id.clone(),
                o.reference.clone(),
                String::new(),
                mask_name(&o.real_name),
                mask_broker(&o.broker_id),
                file_status(o.status, o.status_detail).to_owned(),
                mask_account(&o.card_no),
                o.channel.name().to_owned(),
                yuan_trimmed(o.pay),
                fee,
                o.bank_bill.clone(),
                "-/-".into(),
                "-/-".into(),
                "-/-".into(),
                o.created_at.beijing_datetime(),
                o.finished_at
                    .map(Timestamp::beijing_datetime)
                    .unwrap_or_default(),
            ];
            push_row(&mut out, &row);
        }
    } else {
        out.push_str("商户订单号,订单流水号,流水号,流水类型,流水状态,支付渠道,姓名,经纪公司ID,金额,渠道流水号,创建时间,完成时间\n");
        // The payment rows stay as they were when an order is returned; the return adds the
        // 经纪公司退汇 rows (chapter 5 §3: "原打款流水不会改变,会新增对应订单的退汇流水").
        for o in &orders {
            let paid = matches!(o.status, 1 | 9) && !o.bank_bill.is_empty();
            let mut rows = Vec::new();
            if paid && o.finished_at.is_some_and(|t| t.beijing_date() == date) {
                let at = o.finished_at;
                rows.push((
                    "1",
                    "经纪公司打款",
                    o.channel.name(),
                    o.pay,
                    o.bank_bill.as_str(),
                    at,
                ));
                rows.push(("2", "经纪公司打款服务费", "-/-", service_fee(o.pay), "", at));
            }
            if o.status == 9 && o.returned_at.is_some_and(|t| t.beijing_date() == date) {
                let at = o.returned_at;
                rows.push(("3", "经纪公司退汇", o.channel.name(), o.pay, "", at));
                rows.push(("4", "经纪公司退汇手续费", "-/-", service_fee(o.pay), "", at));
            }
            for (suffix, kind, channel, amount, bill, at) in rows {
                let row = [
                    o.order_id.clone(),
                    o.reference.clone(),
                    format!("{}{suffix}", o.reference),
                    kind.to_owned(),
                    "成功".to_owned(),
                    channel.to_owned(),
                    mask_name(&o.real_name),
                    mask_broker(&o.broker_id),
                    yuan_trimmed(amount),
                    bill.to_owned(),
                    o.created_at.beijing_datetime(),
                    at.map(Timestamp::beijing_datetime).unwrap_or_default(),
                ];
                push_row(&mut out, &row);
            }
        }
    }
    out
}

fn push_row(out: &mut String, row: &[String]) {
    let line: Vec<String> = row.iter().map(|f| csv_field(f)).collect();
    out.push_str(&line.join(","));
    out.push('\n');
}

fn download(ctx: &Ctx, rest: &str) -> Response {
    let Some((kind, file)) = rest.split_once('/') else {
        return (http::StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let Some(date) = file.strip_suffix(".csv.gz") else {
        return (http::StatusCode::NOT_FOUND, "no such file").into_response();
    };
    if !matches!(kind, "order" | "bill") || !is_iso_date(date) {
        return (http::StatusCode::NOT_FOUND, "no such file").into_response();
    }
    let csv = file_csv(&lock(&ctx.yunzhanghu), kind, date);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    if gz.write_all(csv.as_bytes()).is_err() {
        return http::StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    match gz.finish() {
        Ok(bytes) => (
            http::StatusCode::OK,
            [
                (http::header::CONTENT_TYPE, "application/gzip".to_owned()),
                (
                    http::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{kind}_{date}.csv.gz\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

fn auth_alipay(data: &Map<String, Value>, rid: &str) -> Result<Response, Response> {
    if need(data, "broker_id", rid)? != cred::BROKER_ID {
        return Err(reply("2038", "该商户不属于该经纪公司", rid, None));
    }
    Ok(ok(
        rid,
        json!({"info": "apiname=com.alipay.account.auth&app_name=mc&biz_type=openservice&product_id=APP_FAST_LOGIN&scope=kuaijie&target_id=sandbox&auth_type=AUTHACCOUNT&sign_type=RSA&sign=sandbox"}),
    ))
}

/// The multipart file fields of the ID card upload: front, back.
pub(crate) const ID_CARD_IMAGES: [&str; 2] = ["id_card_image", "id_card_image_background"];

/// `POST /api/payment/v1/sign/idcard/image`: the envelope's fields as text parts (already
/// verified and decrypted) and the two images as file parts. `2038` for another broker, `2001`
/// for a bad `id_card` or a missing or empty image; the answer's `data` is `{}`.
fn idcard_image(
    ctx: &Ctx,
    data: &Map<String, Value>,
    files: &[crate::common::Part],
    rid: &str,
) -> Result<Response, Response> {
    if need(data, "dealer_id", rid)? != cred::DEALER_ID {
        return Err(reply(
            "1002",
            "请求参数格式不正确: dealer_id 与 dealer-id 不一致",
            rid,
            None,
        ));
    }
    if need(data, "broker_id", rid)? != cred::BROKER_ID {
        return Err(reply("2038", "该商户不属于该经纪公司", rid, None));
    }
    let real_name = need(data, "real_name", rid)?;
    let id_card = need(data, "id_card", rid)?;
    check_id_card(&id_card, rid)?;
    let mut sizes = [0usize; 2];
    for (size, name) in sizes.iter_mut().zip(ID_CARD_IMAGES) {
        let Some(part) = files.iter().find(|p| p.name == name) else {
            return Err(reply(
                "2001",
                &format!("上传数据有误: 缺少文件 {name}"),
                rid,
                None,
            ));
        };
        if part.data.is_empty() {
            return Err(reply(
                "2001",
                &format!("上传数据有误: 文件 {name} 为空"),
                rid,
                None,
            ));
        }
        *size = part.data.len();
    }
    lock(&ctx.yunzhanghu).id_images.insert(
        id_card,
        IdImages {
            real_name,
            front_len: sizes[0],
            back_len: sizes[1],
        },
    );
    Ok(ok(rid, json!({})))
}

fn report(ctx: &Ctx, data: &Map<String, Value>, rid: &str) -> Result<Response, Response> {
    let order_id = need(data, "order_id", rid)?;
    if need(data, "dealer_id", rid)? != cred::DEALER_ID {
        return Err(reply(
            "1002",
            "请求参数格式不正确: dealer_id 与 dealer-id 不一致",
            rid,
            None,
        ));
    }
    need(data, "broker_id", rid)?;
    need(data, "real_name", rid)?;
    need(data, "id_card", rid)?;
    let pay = parse_pay(data, rid)?;
    let result = need(data, "result", rid)?;
    if !matches!(result.as_str(), "1" | "2") {
        return Err(reply(
            "1002",
            "请求参数格式不正确: result 只能是 1 或 2",
            rid,
            None,
        ));
    }
    need(data, "created_at", rid)?;
    let mut state = lock(&ctx.yunzhanghu);
    if state.orders.contains_key(&order_id) || state.reports.contains_key(&order_id) {
        return Err(reply("2002", "已上传过该笔流水", rid, None));
    }
    let reference = format!("1768{}", ctx.next_seq());
    state.reports.insert(order_id.clone(), reference.clone());
    Ok(ok(
        rid,
        json!({"order_id": order_id, "ref": reference, "pay": pay.to_yuan()}),
    ))
}

fn verify(
    ctx: &Ctx,
    route: &str,
    data: &Map<String, Value>,
    rid: &str,
) -> Result<Response, Response> {
    let fail = || reply("2003", "实名认证失败", rid, None);
    let real_name = need(data, "real_name", rid)?;
    let id_card = need(data, "id_card", rid)?;
    if pay_core::pii::validate_cn_resident_id("id_card", &id_card).is_err() {
        return Err(fail());
    }
    if route == "/authentication/verify-id" {
        return Ok(reply("0000", "操作成功", rid, None));
    }
    let card_no = need(data, "card_no", rid)?;
    if !(12..=19).contains(&card_no.len()) || !card_no.bytes().all(|b| b.is_ascii_digit()) {
        return Err(reply("2006", "银行卡号错误", rid, None));
    }
    if route == "/authentication/verify-bankcard-three-factor" {
        return Ok(reply("0000", "操作成功", rid, None));
    }
    let mobile = need(data, "mobile", rid)?;
    if pay_core::pii::validate_cn_mobile("mobile", &mobile).is_err() {
        return Err(fail());
    }
    let key = [card_no, id_card, real_name, mobile];
    match route {
        "/authentication/verify-bankcard-four-factor" => Ok(reply("0000", "操作成功", rid, None)),
        "/authentication/verify-request" => {
            let reference = format!("rx{}", ctx.next_id(""));
            lock(&ctx.yunzhanghu)
                .verifications
                .insert(reference.clone(), PendingVerification { fields: key });
            Ok(ok(rid, json!({"ref": reference})))
        }
        _ => {
            let reference = need(data, "ref", rid)?;
            let captcha = need(data, "captcha", rid)?;
            let state = lock(&ctx.yunzhanghu);
            let matches = state
                .verifications
                .get(&reference)
                .is_some_and(|p| p.fields == key);
            if matches && captcha == cred::CAPTCHA {
                Ok(reply("0000", "操作成功", rid, None))
            } else {
                Err(fail())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared vectors: our encryption and sign reproduce every entry.
    #[test]
    fn vectors() {
        let vectors: Value =
            serde_json::from_str(include_str!("../tests/data/yunzhanghu.json")).unwrap();
        for (i, v) in vectors.as_array().unwrap().iter().enumerate() {
            let key = v["des3_key"].as_str().unwrap();
            let plaintext = v["plaintext"].as_str().unwrap();
            let data = TripleDes::new(key.as_bytes())
                .unwrap()
                .encrypt_base64(plaintext.as_bytes());
            assert_eq!(data, v["data"].as_str().unwrap(), "vector {i}");
            if v["app_key"] == cred::APP_KEY {
                let ts = v["timestamp"].to_string();
                assert_eq!(
                    sign(&data, v["mess"].as_str().unwrap(), &ts),
                    v["sign"].as_str().unwrap(),
                    "vector {i}"
                );
            }
        }
    }

    #[test]
    fn pay_from_the_raw_json_value() {
        let pay = |v: Value| {
            let mut m = Map::new();
            m.insert("pay".into(), v);
            parse_pay(&m, "r").ok()
        };
        assert_eq!(pay(json!("100.00")), Some(Money::from_fen(10_000)));
        // Refused (the answer codes are checked in tests/it/yunzhanghu.rs).
        for bad in [
            json!(100),
            json!(100.0),
            json!("100"),
            json!("-1.00"),
            json!("0.00"),
            json!(true),
            json!(["1.00"]),
            Value::Null,
        ] {
            assert_eq!(pay(bad.clone()), None, "{bad}");
        }
    }

    #[test]
    fn timestamp_is_ten_digit_seconds() {
        assert_eq!(unix_seconds("1700000000"), Some(1_700_000_000));
        assert_eq!(unix_seconds("0000000001"), Some(1));
        for bad in [
            "",
            "123457",
            "1700000000000",
            "-700000000",
            "+700000000",
            "17000000.0",
            " 170000000",
        ] {
            assert_eq!(unix_seconds(bad), None, "{bad}");
        }
    }

    #[test]
    fn seen_ids_refuse_a_repeat_and_forget_the_oldest() {
        let mut seen = SeenIds::default();
        assert!(seen.insert("a"));
        assert!(!seen.insert("a"));
        assert!(seen.insert("b"));
        for i in 0..SeenIds::CAPACITY {
            assert!(seen.insert(&format!("x{i}")));
        }
        assert_eq!(seen.set.len(), SeenIds::CAPACITY);
        assert_eq!(seen.order.len(), SeenIds::CAPACITY);
        // "a" and "b" were the oldest: forgotten.
        assert!(seen.insert("a"));
        assert!(!seen.insert("x99999"));
    }

    #[test]
    fn fees_and_masks() {
        assert_eq!(service_fee(Money::from_fen(19500)), Money::from_fen(1365));
        assert_eq!(service_fee(Money::from_fen(1000)), Money::from_fen(70));
        assert_eq!(service_fee(Money::from_fen(7)), Money::from_fen(0));
        assert_eq!(service_fee(Money::from_fen(8)), Money::from_fen(1));
        assert_eq!(mask_account("6228880199872220"), "6228*****72220");
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_broker("yiyun73"), "yiyun**");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(remark_width("ab中"), 4);
    }
}

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

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use pay_core::{Money, Timestamp};
use serde_json::{Map, Value, json};
use sign_md5::EnvelopeSigner;

use crate::common::{Ctx, corrupt, ct_eq_exact, field, json_ok, lock, scripted_failure};
use crate::credentials::protocol as cred;
use crate::inspect::OrderSnapshot;
use crate::notify::Outgoing;

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

#[derive(Debug, Clone)]
struct Protocol {
    trans_no: String,
    trans_desc: String,
    business_id: String,
    cashier_type: String,
    amount: Money,
    onpassage: Money,
    out_amount: Money,
    create_time: Timestamp,
}

#[derive(Debug, Clone)]
struct PayIn {
    trans_no: String,
    out_req_no: String,
    amount: Money,
    pos_code: String,
    pay_order_no: String,
    pay_status: &'static str,
    arrived: bool,
    success_url: String,
    arrived_url: Option<String>,
    contract_num: String,
    create_time: Timestamp,
    finish_time: Option<Timestamp>,
    arrive_time: Option<Timestamp>,
    cashier_type: String,
    return_code: &'static str,
    return_msg: &'static str,
}

#[derive(Debug, Clone)]
struct PayOut {
    trans_no: String,
    out_req_no: String,
    amount: Money,
    pay_order_no: String,
    pay_status: &'static str,
    notify_url: String,
    bank_acc_name: String,
    bank_acc_num: String,
    bank_name: String,
    bank_cnaps: String,
    out_type: String,
    remark: String,
    create_time: Timestamp,
    finish_time: Option<Timestamp>,
    return_code: &'static str,
    return_msg: &'static str,
}

/// The payment system's memory.
#[derive(Debug, Default)]
pub(crate) struct State {
    protocols: HashMap<String, Protocol>,
    pay_ins: HashMap<String, PayIn>,
    pay_outs: HashMap<String, PayOut>,
}

impl State {
    pub(crate) fn snapshot(&self, id: &str) -> Option<OrderSnapshot> {
        if let Some(p) = self.pay_ins.get(id) {
            return Some(OrderSnapshot {
                kind: "pay-in".into(),
                merchant_id: id.into(),
                provider_id: p.pay_order_no.clone(),
                amount: p.amount,
                status: p.pay_status.into(),
                finished: matches!(p.pay_status, "SUCCESS" | "FAILURE"),
            });
        }
        if let Some(p) = self.pay_outs.get(id) {
            return Some(OrderSnapshot {
                kind: "pay-out".into(),
                merchant_id: id.into(),
                provider_id: p.pay_order_no.clone(),
                amount: p.amount,
                status: p.pay_status.into(),
                finished: matches!(p.pay_status, "SUCCESS" | "FAILURE"),
            });
        }
        self.protocols.get(id).map(|p| OrderSnapshot {
            kind: "protocol".into(),
            merchant_id: id.into(),
            provider_id: p.trans_no.clone(),
            amount: p.amount,
            status: "ACTIVE".into(),
            finished: false,
        })
    }
}

pub(crate) fn router(ctx: Arc<Ctx>) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(ctx)
}

/// The signed envelope around `data` (a JSON string).
pub(crate) fn envelope(data: &str, timestamp: &str) -> Map<String, Value> {
    let sign = EnvelopeSigner::new(cred::APP_ID, cred::KEY).sign(data, timestamp);
    let mut m = Map::new();
    m.insert("appId".into(), cred::APP_ID.into());
    m.insert("data".into(), data.into());
    m.insert("timestamp".into(), timestamp.into());
    m.insert("sign".into(), sign.into());
    m
}

fn success(ctx: &Ctx, data: &Value) -> Response {
    let data = data.to_string();
    let mut body = envelope(&data, &ctx.now().beijing_compact_millis());
    body.insert("code".into(), "0000".into());
    body.insert("msg".into(), "SUCCESS".into());
    json_ok(&Value::Object(body))
}

fn error(ctx: &Ctx, code: &str, msg: &str) -> Response {
    json_ok(&json!({
        "code": code,
        "msg": msg,
        "data": null,
        "appId": cred::APP_ID,
        "timestamp": ctx.now().beijing_compact_millis(),
    }))
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

fn need(ctx: &Ctx, data: &Map<String, Value>, name: &str) -> Result<String, Response> {
    field(data, name)
        .map(|c| c.into_owned())
        .ok_or_else(|| error(ctx, ERR_PARAM, &format!("{name} 不能为空")))
}

fn opt(data: &Map<String, Value>, name: &str) -> String {
    field(data, name)
        .map(|c| c.into_owned())
        .unwrap_or_default()
}

/// `amount`: a JSON string of yuan with exactly two decimals, positive (`"1000.50"`, `"0.01"`).
fn amount(ctx: &Ctx, data: &Map<String, Value>) -> Result<Money, Response> {
    let raw = need(ctx, data, "amount")?;
    let text = data.get("amount").and_then(Value::as_str);
    match text.and_then(crate::common::yuan_two_decimals) {
        Some(m) if m.is_positive() => Ok(m),
        _ => Err(error(
            ctx,
            ERR_PARAM,
            &format!("amount 必须是字符串, 正数, 单位元, 两位小数 (e.g. \"1000.50\"), got {raw}"),
        )),
    }
}

fn out_req_no(ctx: &Ctx, data: &Map<String, Value>) -> Result<String, Response> {
    let no = need(ctx, data, "outReqNo")?;
    if !no.starts_with(cred::APP_ID) {
        return Err(error(ctx, ERR_PARAM, "outReqNo 必须以 appId 开头"));
    }
    Ok(no)
}

fn channel_type(ctx: &Ctx, data: &Map<String, Value>, required: bool) -> Result<(), Response> {
    match field(data, "channelType").as_deref() {
        Some("LFT") => Ok(()),
        None if !required => Ok(()),
        None => Err(error(ctx, ERR_PARAM, "channelType 不能为空")),
        Some(_) => Err(error(ctx, ERR_PARAM, "channelType 只支持 LFT")),
    }
}

fn protocol_json(p: &Protocol) -> Value {
    json!({
        "transNo": p.trans_no,
        "transDesc": p.trans_desc,
        "appId": cred::APP_ID,
        "businessId": p.business_id,
        "businessDesc": "pay-sandbox business",
        "channelType": "LFT",
        "amount": p.amount.to_yuan(),
        "onpassageAmount": p.onpassage.to_yuan(),
        "outAmount": p.out_amount.to_yuan(),
        "createTime": p.create_time.beijing_datetime(),
        "cashierType": p.cashier_type,
    })
}

fn create(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    channel_type(ctx, data, true)?;
    let trans_desc = need(ctx, data, "transDesc")?;
    let business_id = need(ctx, data, "businessId")?;
    let cashier_type = match field(data, "cashierType").as_deref() {
        None | Some("POS") => "POS".to_owned(),
        Some("QP") => "QP".to_owned(),
        Some(_) => return Err(error(ctx, ERR_PARAM, "cashierType 只能是 QP 或 POS")),
    };
    let p = Protocol {
        trans_no: ctx.next_id("LP"),
        trans_desc,
        business_id,
        cashier_type,
        amount: Money::ZERO,
        onpassage: Money::ZERO,
        out_amount: Money::ZERO,
        create_time: ctx.now(),
    };
    let body = protocol_json(&p);
    lock(&ctx.protocol).protocols.insert(p.trans_no.clone(), p);
    Ok(success(ctx, &body))
}

fn find(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let trans_no = need(ctx, data, "transNo")?;
    let state = lock(&ctx.protocol);
    let p = state
        .protocols
        .get(&trans_no)
        .ok_or_else(|| error(ctx, "EP20001", "协议不存在"))?;
    Ok(success(ctx, &protocol_json(p)))
}

fn pay_in_json(p: &PayIn) -> Value {
    let t = |x: Option<Timestamp>| x.map(Timestamp::beijing_datetime).unwrap_or_default();
    json!({
        "transNo": p.trans_no,
        "appId": cred::APP_ID,
        "channelType": "LFT",
        "amount": p.amount.to_yuan(),
        "outReqNo": p.out_req_no,
        "posCode": p.pos_code,
        "payOrderNo": p.pay_order_no,
        "payStatus": p.pay_status,
        "arrivedStatus": if p.arrived { "02" } else { "01" },
        "payFinishTime": t(p.finish_time),
        "payArriveTime": t(p.arrive_time),
        "createTime": p.create_time.beijing_datetime(),
        "cardNum": if p.finish_time.is_some() { "6225********5555" } else { "" },
        "issuingBank": if p.finish_time.is_some() { "CMB" } else { "" },
        "issuingBankZH": if p.finish_time.is_some() { "招商银行" } else { "" },
        "channelReturnCode": p.return_code,
        "channelReturnMsg": p.return_msg,
        "contractNum": p.contract_num,
        "cashierType": p.cashier_type,
    })
}

fn pay_out_json(p: &PayOut) -> Value {
    json!({
        "transNo": p.trans_no,
        "appId": cred::APP_ID,
        "channelSubaccCode": "",
        "channelSubaccCustid": format!("SUB{}", p.trans_no),
        "channelType": "LFT",
        "amount": p.amount.to_yuan(),
        "outReqNo": p.out_req_no,
        "payOrderNo": p.pay_order_no,
        "bankAccName": p.bank_acc_name,
        "bankAccNum": p.bank_acc_num,
        "bankName": p.bank_name,
        "bankCnaps": p.bank_cnaps,
        "outType": p.out_type,
        "remark": p.remark,
        "payStatus": p.pay_status,
        "payFinishTime": p.finish_time.map(Timestamp::beijing_datetime).unwrap_or_default(),
        "createTime": p.create_time.beijing_datetime(),
        "channelReturnCode": p.return_code,
        "channelReturnMsg": p.return_msg,
    })
}

/// Whether the later/leaner notifications (see the module docs) are scripted for this amount:
/// the amount in fen ends in `66`.
pub(crate) fn scripted_lean(amount: Money) -> bool {
    amount.fen().rem_euclid(100) == 66
}

/// The §11 data of a scripted pay-out (see the module docs): only the fields §6 and §7 both
/// list as required, without the pay-out's own (`outType`, the bank account).
fn lean_pay_out_json(p: &PayOut) -> Value {
    json!({
        "transNo": p.trans_no,
        "appId": cred::APP_ID,
        "channelType": "LFT",
        "amount": p.amount.to_yuan(),
        "outReqNo": p.out_req_no,
        "payOrderNo": p.pay_order_no,
        "payStatus": p.pay_status,
        "createTime": p.create_time.beijing_datetime(),
    })
}

fn prepay(ctx: &Arc<Ctx>, data: &Map<String, Value>) -> Result<Response, Response> {
    let trans_no = need(ctx, data, "transNo")?;
    let out_req_no = out_req_no(ctx, data)?;
    let amount = amount(ctx, data)?;
    let success_url = need(ctx, data, "outSuccessNotifyUrl")?;
    ctx.check_notify_url(&success_url)
        .map_err(|why| error(ctx, ERR_PARAM, &format!("outSuccessNotifyUrl {why}")))?;
    let arrived_url = field(data, "outArrivedNotifyUrl").map(|c| c.into_owned());
    if let Some(u) = &arrived_url {
        ctx.check_notify_url(u)
            .map_err(|why| error(ctx, ERR_PARAM, &format!("outArrivedNotifyUrl {why}")))?;
    }
    let catalog = need(ctx, data, "prodCatalog")?;
    if !matches!(catalog.as_str(), "01" | "02") {
        return Err(error(ctx, ERR_PARAM, "prodCatalog 只能是 01 或 02"));
    }
    let mut state = lock(&ctx.protocol);
    let Some(protocol) = state.protocols.get(&trans_no) else {
        return Err(error(ctx, "EP20001", "协议不存在"));
    };
    let cashier_type = protocol.cashier_type.clone();
    if state.pay_ins.contains_key(&out_req_no) || state.pay_outs.contains_key(&out_req_no) {
        return Err(error(ctx, ERR_DUPLICATE, "业务系统请求流水号重复"));
    }
    let seq = ctx.next_seq();
    let p = PayIn {
        trans_no,
        out_req_no: out_req_no.clone(),
        amount,
        pos_code: if cashier_type == "POS" {
            format!("{:06}", (seq * 7919) % 1_000_000)
        } else {
            String::new()
        },
        pay_order_no: ctx.next_id("PI"),
        pay_status: "UNPAID",
        arrived: false,
        success_url,
        arrived_url,
        contract_num: opt(data, "contractNum"),
        create_time: ctx.now(),
        finish_time: None,
        arrive_time: None,
        cashier_type,
        return_code: "",
        return_msg: "",
    };
    let mut body = pay_in_json(&p);
    if p.cashier_type == "QP"
        && let Some(o) = body.as_object_mut()
    {
        o.insert(
            "cashierUrl".into(),
            format!("{}/sandbox/cashier/{}", ctx.base_url, p.pay_order_no).into(),
        );
    }
    state.pay_ins.insert(out_req_no.clone(), p);
    drop(state);
    for (steps, then) in [
        (1, pay_in_decided as fn(&Arc<Ctx>, &str)),
        (2, pay_in_arrived),
    ] {
        let no = out_req_no.clone();
        ctx.after_status_delay(steps, move |ctx| then(&ctx, &no));
    }
    if scripted_lean(amount) {
        ctx.after_status_delay(3, move |ctx| pay_in_resent(&ctx, &out_req_no));
    }
    Ok(success(ctx, &body))
}

/// A pay-in after one status delay: paid, or failed for a scripted amount; its success notice.
fn pay_in_decided(ctx: &Arc<Ctx>, no: &str) {
    let outgoing = {
        let mut state = lock(&ctx.protocol);
        let Some(p) = state.pay_ins.get_mut(no) else {
            return;
        };
        if p.pay_status != "UNPAID" {
            return;
        }
        let failed = scripted_failure(p.amount);
        p.pay_status = if failed { "FAILURE" } else { "SUCCESS" };
        p.finish_time = Some(ctx.now());
        (p.return_code, p.return_msg) = if failed {
            ("F001", "交易失败")
        } else {
            ("0000", "交易成功")
        };
        let (trans_no, amount) = (p.trans_no.clone(), p.amount);
        let out = notification(ctx, no, "pay-in", &p.success_url, &pay_in_json(p));
        if !failed && let Some(pr) = state.protocols.get_mut(&trans_no) {
            pr.onpassage = pr.onpassage.checked_add(amount).unwrap_or(pr.onpassage);
        }
        out
    };
    ctx.notify(outgoing);
}

/// A paid pay-in after two status delays: the money arrives (on passage → the protocol's
/// amount); its arrival notice, where it has an `outArrivedNotifyUrl`.
fn pay_in_arrived(ctx: &Arc<Ctx>, no: &str) {
    let outgoing = {
        let mut state = lock(&ctx.protocol);
        let Some(p) = state.pay_ins.get_mut(no) else {
            return;
        };
        if p.pay_status != "SUCCESS" || p.arrived {
            return;
        }
        p.arrived = true;
        p.arrive_time = Some(ctx.now());
        let (trans_no, amount) = (p.trans_no.clone(), p.amount);
        let out = p
            .arrived_url
            .clone()
            .map(|u| notification(ctx, no, "arrived", &u, &pay_in_json(p)));
        if let Some(pr) = state.protocols.get_mut(&trans_no) {
            pr.onpassage = pr.onpassage.checked_sub(amount).unwrap_or(Money::ZERO);
            pr.amount = pr.amount.checked_add(amount).unwrap_or(pr.amount);
        }
        out
    };
    if let Some(o) = outgoing {
        ctx.notify(o);
    }
}

/// A scripted resend of an arrived pay-in's success notice (see [`scripted_lean`]).
fn pay_in_resent(ctx: &Arc<Ctx>, no: &str) {
    let outgoing = {
        let state = lock(&ctx.protocol);
        let Some(p) = state.pay_ins.get(no) else {
            return;
        };
        if p.pay_status != "SUCCESS" || !p.arrived {
            return;
        }
        notification(ctx, no, "pay-in-resend", &p.success_url, &pay_in_json(p))
    };
    ctx.notify(outgoing);
}

fn posclose(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let no = need(ctx, data, "outReqNo")?;
    let mut state = lock(&ctx.protocol);
    let p = state
        .pay_ins
        .get_mut(&no)
        .ok_or_else(|| error(ctx, "EP20002", "入金订单不存在"))?;
    let closed = p.pay_status == "UNPAID";
    if closed {
        p.pay_status = "FAILURE";
        p.finish_time = Some(ctx.now());
        (p.return_code, p.return_msg) = ("C001", "六位码已关闭");
    }
    Ok(success(
        ctx,
        &json!({"result": if closed { "true" } else { "false" }}),
    ))
}

fn inquery(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let no = need(ctx, data, "outReqNo")?;
    let state = lock(&ctx.protocol);
    let p = state
        .pay_ins
        .get(&no)
        .ok_or_else(|| error(ctx, "EP20002", "入金订单不存在"))?;
    Ok(success(ctx, &pay_in_json(p)))
}

fn outpay(ctx: &Arc<Ctx>, data: &Map<String, Value>) -> Result<Response, Response> {
    let trans_no = need(ctx, data, "transNo")?;
    let out_req_no = out_req_no(ctx, data)?;
    let amount = amount(ctx, data)?;
    channel_type(ctx, data, true)?;
    let notify_url = need(ctx, data, "outNotifyUrl")?;
    ctx.check_notify_url(&notify_url)
        .map_err(|why| error(ctx, ERR_PARAM, &format!("outNotifyUrl {why}")))?;
    let bank_acc_name = need(ctx, data, "bankAccName")?;
    let bank_acc_num = need(ctx, data, "bankAccNum")?;
    let bank_name = need(ctx, data, "bankName")?;
    let bank_cnaps = need(ctx, data, "bankCnaps")?;
    if bank_cnaps.len() != 12 || !bank_cnaps.bytes().all(|b| b.is_ascii_digit()) {
        return Err(error(ctx, ERR_PARAM, "bankCnaps 必须是 12 位联行号"));
    }
    let out_type = need(ctx, data, "outType")?;
    if !matches!(out_type.as_str(), "OUT" | "REFUND") {
        return Err(error(ctx, ERR_PARAM, "outType 只能是 OUT 或 REFUND"));
    }
    let mut state = lock(&ctx.protocol);
    if state.pay_ins.contains_key(&out_req_no) || state.pay_outs.contains_key(&out_req_no) {
        return Err(error(ctx, ERR_DUPLICATE, "业务系统请求流水号重复"));
    }
    let Some(protocol) = state.protocols.get_mut(&trans_no) else {
        return Err(error(ctx, "EP20001", "协议不存在"));
    };
    if protocol.amount < amount {
        return Err(error(ctx, ERR_FUNDS, "可用金额不足"));
    }
    protocol.amount = protocol.amount.checked_sub(amount).unwrap_or(Money::ZERO);
    let p = PayOut {
        trans_no,
        out_req_no: out_req_no.clone(),
        amount,
        pay_order_no: ctx.next_id("PO"),
        pay_status: "PROCESSING",
        notify_url,
        bank_acc_name,
        bank_acc_num,
        bank_name,
        bank_cnaps,
        out_type,
        remark: opt(data, "remark"),
        create_time: ctx.now(),
        finish_time: None,
        return_code: "",
        return_msg: "",
    };
    let body = pay_out_json(&p);
    state.pay_outs.insert(out_req_no.clone(), p);
    drop(state);
    ctx.after_status_delay(1, move |ctx| {
        let outgoing = {
            let mut state = lock(&ctx.protocol);
            let Some(p) = state.pay_outs.get_mut(&out_req_no) else {
                return;
            };
            if p.pay_status != "PROCESSING" {
                return;
            }
            let failed = scripted_failure(p.amount);
            p.pay_status = if failed { "FAILURE" } else { "SUCCESS" };
            p.finish_time = Some(ctx.now());
            (p.return_code, p.return_msg) = if failed {
                ("F002", "收款账户异常")
            } else {
                ("0000", "出金成功")
            };
            let (trans_no, amount) = (p.trans_no.clone(), p.amount);
            let data = if scripted_lean(p.amount) {
                lean_pay_out_json(p)
            } else {
                pay_out_json(p)
            };
            let out = notification(&ctx, &out_req_no, "pay-out", &p.notify_url, &data);
            if let Some(pr) = state.protocols.get_mut(&trans_no) {
                if failed {
                    pr.amount = pr.amount.checked_add(amount).unwrap_or(pr.amount);
                } else {
                    pr.out_amount = pr.out_amount.checked_add(amount).unwrap_or(pr.out_amount);
                }
            }
            out
        };
        ctx.notify(outgoing);
    });
    Ok(success(ctx, &body))
}

fn outquery(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let no = need(ctx, data, "outReqNo")?;
    let state = lock(&ctx.protocol);
    let p = state
        .pay_outs
        .get(&no)
        .ok_or_else(|| error(ctx, "EP20003", "出金订单不存在"))?;
    Ok(success(ctx, &pay_out_json(p)))
}

const BRANCHES: &[(&str, &str)] = &[
    ("中国工商银行北京海淀支行", "102100000458"),
    ("中国建设银行北京海淀支行", "105100000017"),
    ("招商银行北京海淀支行", "308100005158"),
    ("中国银行上海浦东支行", "104290003033"),
    ("招商银行上海浦东支行", "308290003198"),
    ("中国农业银行南京鼓楼支行", "103301000039"),
];

fn querybankcnaps(ctx: &Ctx, data: &Map<String, Value>) -> Result<Response, Response> {
    let keyword = need(ctx, data, "bankNameKeyWord")?;
    let list: Vec<Value> = BRANCHES
        .iter()
        .filter(|(name, _)| name.contains(keyword.as_str()))
        .map(|(name, cnaps)| json!({"bankName": name, "bankCnaps": cnaps}))
        .collect();
    Ok(success(ctx, &Value::Array(list)))
}

/// A notification: the signed envelope POSTed as JSON, answered `SUCCESS`.
fn notification(
    ctx: &Ctx,
    order_id: &str,
    kind: &'static str,
    url: &str,
    data: &Value,
) -> Outgoing {
    let data = data.to_string();
    let env = envelope(&data, &ctx.now().beijing_compact_millis());
    let mut tampered = env.clone();
    if let Some(Value::String(s)) = tampered.get_mut("sign") {
        *s = corrupt(s);
    }
    Outgoing {
        order_id: order_id.to_owned(),
        kind,
        method: http::Method::POST,
        url: url.to_owned(),
        content_type: Some("application/json;charset=UTF-8"),
        body: Bytes::from(Value::Object(env).to_string()),
        tampered_url: url.to_owned(),
        tampered_body: Bytes::from(Value::Object(tampered).to_string()),
        ack,
        schedule: ctx.options.schedule_for(ctx.provider),
    }
}

/// The merchant's acknowledgement, as the spec reads: the bare text `SUCCESS` (exactly that case;
/// surrounding whitespace aside), or a signed `PayCommonVo` with `code` `0000`: `appId` ours,
/// `data` and `timestamp` strings, and a `sign` (lowercase hex, exactly) over
/// `appId&data&timestamp&KEY`. Anything else (`success`, an unsigned or wrongly signed
/// `PayCommonVo`) is no acknowledgement: the notification is sent again on the schedule.
fn ack(_status: u16, body: &str) -> bool {
    let body = body.trim();
    if body == "SUCCESS" {
        return true;
    }
    let Ok(Value::Object(vo)) = serde_json::from_str::<Value>(body) else {
        return false;
    };
    let text = |k: &str| vo.get(k).and_then(Value::as_str);
    let (Some("0000"), Some(app_id), Some(data), Some(timestamp), Some(sign)) = (
        text("code"),
        text("appId"),
        text("data"),
        text("timestamp"),
        text("sign"),
    ) else {
        return false;
    };
    app_id == cred::APP_ID
        && ct_eq_exact(
            &EnvelopeSigner::new(cred::APP_ID, cred::KEY).sign(data, timestamp),
            sign,
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared vectors: our envelope signer reproduces and checks every entry.
    #[test]
    fn vectors() {
        let vectors: Value =
            serde_json::from_str(include_str!("../tests/data/protocol-pay.json")).unwrap();
        for (i, v) in vectors.as_array().unwrap().iter().enumerate() {
            let s = |k: &str| v[k].as_str().unwrap();
            assert_eq!(s("app_id"), cred::APP_ID);
            assert_eq!(s("key"), cred::KEY);
            let env = envelope(s("data"), s("timestamp"));
            assert_eq!(env["sign"], s("sign"), "vector {i}");
            let sent: Value = serde_json::from_str(s("envelope")).unwrap();
            let ok = EnvelopeSigner::new(cred::APP_ID, cred::KEY).verify(
                sent["data"].as_str().unwrap(),
                sent["timestamp"].as_str().unwrap(),
                sent["sign"].as_str().unwrap(),
            );
            assert_eq!(ok, v["valid"].as_bool().unwrap(), "vector {i}");
        }
    }

    /// A `PayCommonVo` acknowledgement as the merchant signs it (`data` `{"outReqNo": …}`).
    fn signed_vo(code: &str) -> Map<String, Value> {
        let mut vo = envelope(r#"{"outReqNo":"LFT1001A1"}"#, "20240101120000000");
        vo.insert("code".into(), code.into());
        vo.insert("msg".into(), "SUCCESS".into());
        vo
    }

    fn text(vo: &Map<String, Value>) -> String {
        Value::Object(vo.clone()).to_string()
    }

    #[test]
    fn acks() {
        assert!(ack(200, "SUCCESS"));
        assert!(ack(200, " SUCCESS\n"));
        assert!(ack(200, &text(&signed_vo("0000"))));
        assert!(!ack(200, &text(&signed_vo("9999"))));
        assert!(!ack(200, "FAIL"));
        assert!(!ack(200, ""));
    }

    /// The bare text is `SUCCESS` exactly: other cases and longer texts are no acknowledgement.
    #[test]
    fn ack_text_is_exact() {
        for body in [
            "success",
            "Success",
            "SUCCESs",
            "SUCCESS!",
            "SUCCESS OK",
            "\"SUCCESS\"",
        ] {
            assert!(!ack(200, body), "{body}");
        }
    }

    /// A `PayCommonVo` with `code` `0000` counts only when its sign verifies.
    #[test]
    fn ack_vo_must_be_signed() {
        assert!(!ack(200, r#"{"code":"0000","msg":"SUCCESS"}"#), "unsigned");
        let mut vo = signed_vo("0000");
        vo.remove("sign");
        assert!(!ack(200, &text(&vo)), "no sign");

        let mut vo = signed_vo("0000");
        let sign = vo["sign"].as_str().unwrap().to_owned();
        vo.insert("sign".into(), corrupt(&sign).into());
        assert!(!ack(200, &text(&vo)), "wrong sign");
        vo.insert("sign".into(), sign.to_uppercase().into());
        assert!(!ack(200, &text(&vo)), "uppercase sign");

        let mut vo = signed_vo("0000");
        vo.insert("data".into(), r#"{"outReqNo":"LFT1001A2"}"#.into());
        assert!(!ack(200, &text(&vo)), "data changed after signing");

        let mut vo = signed_vo("0000");
        let wrong = EnvelopeSigner::new(cred::APP_ID, "not-the-key").sign(
            vo["data"].as_str().unwrap(),
            vo["timestamp"].as_str().unwrap(),
        );
        vo.insert("sign".into(), wrong.into());
        assert!(!ack(200, &text(&vo)), "another key");

        let mut vo = signed_vo("0000");
        vo.insert("appId".into(), "LFT9999".into());
        assert!(!ack(200, &text(&vo)), "another appId");

        let mut vo = signed_vo("0000");
        vo.remove("timestamp");
        assert!(!ack(200, &text(&vo)), "no timestamp");
    }

    #[test]
    fn amounts_are_strict_yuan_strings() {
        assert_eq!(
            crate::common::yuan_two_decimals("1000.50"),
            Some(Money::from_fen(100_050))
        );
        assert_eq!(
            crate::common::yuan_two_decimals("0.01"),
            Some(Money::from_fen(1))
        );
        assert_eq!(crate::common::yuan_two_decimals("0.00"), Some(Money::ZERO));
        for bad in [
            "1000.5", "1000", "1000.", ".50", "1000.500", "01.00", "00.50", "+1.00", "-1.00",
            " 1.00", "1.00 ", "1,000.00", "1e3", "1.0O", "１.00", "",
        ] {
            assert_eq!(crate::common::yuan_two_decimals(bad), None, "{bad}");
        }
    }
}

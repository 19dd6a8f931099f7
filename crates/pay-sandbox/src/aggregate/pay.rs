//! Pay orders: creation (`/api/pay/create_order`), the scripted completion and query.

use std::collections::HashMap;
use std::sync::Arc;

use axum::response::Response;
use pay_core::Money;
use serde_json::{Map, Value, json};

use super::callbacks::pay_notification;
use super::ledger::PayOrder;
use super::request::{amount_of, check_notify, fingerprint, optional_max, param_string, required};
use super::sign::{business_error, fail, success};
use super::{ERR_DUPLICATE, ERR_NOT_FOUND};
use crate::common::{Ctx, field, lock, scripted_failure};
use crate::credentials::aggregate as cred;

pub(super) fn create_pay(ctx: &Arc<Ctx>, params: Map<String, Value>) -> Response {
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
pub(super) fn scripted_completion(amount: Money) -> bool {
    amount.fen().rem_euclid(100) == 33
}

pub(super) fn pay_created(ctx: &Ctx, pay_order_id: &str, product: &str) -> Response {
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

pub(super) fn channel_id(product: &str) -> &'static str {
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

pub(super) fn lookup_key(
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

pub(super) fn query_pay(ctx: &Arc<Ctx>, params: &Map<String, Value>) -> Response {
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

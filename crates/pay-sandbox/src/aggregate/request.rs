//! Reading the request's `params`: required fields and their lengths, the echoed fields,
//! the amount, the notify URL.

use axum::response::Response;
use pay_core::Money;
use serde_json::{Map, Value};

use super::sign::fail;
use crate::common::{Ctx, field};

pub(super) fn required<'a>(
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

pub(super) fn optional_max(
    params: &Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<(), Response> {
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
pub(super) fn spec_types(route: &str, params: &Map<String, Value>) -> Result<(), Response> {
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
pub(super) const ECHOED: &[&str] = &[
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
pub(super) fn echo_safe(params: &Map<String, Value>) -> Result<(), Response> {
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

pub(super) fn amount_of(params: &Map<String, Value>) -> Result<Money, Response> {
    let text = required(params, "amount", 12)?;
    match Money::from_fen_str(&text) {
        Ok(m) if m.is_positive() => Ok(m),
        _ => Err(fail(
            "参数格式校验错误: amount 必须是正整数(分) (amount must be a positive integer of fen)",
        )),
    }
}

/// The parameters that identify a request, for telling a resend from a conflicting reuse.
pub(super) fn fingerprint(params: &Map<String, Value>) -> String {
    let pairs = sign_md5::json_pairs(params);
    pairs
        .iter()
        .filter(|(k, _)| *k != "sign")
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

pub(super) fn check_notify(ctx: &Ctx, params: &Map<String, Value>) -> Result<String, Response> {
    let url = required(params, "notifyUrl", 128)?.into_owned();
    ctx.check_notify_url(&url)
        .map_err(|why| fail(&format!("参数格式校验错误: notifyUrl {why}")))?;
    Ok(url)
}

pub(super) fn param_string(params: &Map<String, Value>, name: &str) -> String {
    field(params, name)
        .map(|c| c.into_owned())
        .unwrap_or_default()
}

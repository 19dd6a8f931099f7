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

//! Reading the opened `data`: required fields, the identity card number, `pay`, `pay_remark`
//! and `notify_url`.

use axum::response::Response;
use pay_core::Money;
use serde_json::{Map, Value};

use super::envelope::reply;
use crate::common::{Ctx, field};

pub(super) fn text<'a>(
    data: &'a Map<String, Value>,
    name: &str,
) -> Option<std::borrow::Cow<'a, str>> {
    field(data, name)
}

/// `1002` for a required field that is absent or empty.
pub(super) fn missing(name: &str, rid: &str) -> Response {
    reply(
        "1002",
        &format!("请求参数格式不正确: {name} 不能为空"),
        rid,
        None,
    )
}

pub(super) fn need(data: &Map<String, Value>, name: &str, rid: &str) -> Result<String, Response> {
    text(data, name)
        .map(|c| c.into_owned())
        .ok_or_else(|| missing(name, rid))
}

pub(super) fn check_id_card(id: &str, rid: &str) -> Result<(), Response> {
    pay_core::pii::validate_cn_resident_id("id_card", id)
        .map_err(|_| reply("2001", "上传数据有误: id_card 身份证号有误", rid, None))
}

/// The display width the spec counts for `pay_remark`: a Chinese character counts 2.
pub(super) fn remark_width(s: &str) -> usize {
    s.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum()
}

/// `pay`: the spec says "pay 为 string 类型", a yuan amount with two decimals (`"100.00"`). A
/// JSON number, or a string in any other shape, is `1002`, except a well-formed negative
/// amount (`"-1.00"`), which is the spec's own `2024`; so is zero. Read from the raw JSON
/// value, not through [`field`] (which turns numbers into text for the other simulators).
pub(super) fn parse_pay(data: &Map<String, Value>, rid: &str) -> Result<Money, Response> {
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
pub(super) fn pay_remark(data: &Map<String, Value>, rid: &str) -> Result<String, Response> {
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
pub(super) fn notify_url(
    ctx: &Ctx,
    data: &Map<String, Value>,
    rid: &str,
) -> Result<Option<String>, Response> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn remark_width_counts_chinese_twice() {
        assert_eq!(remark_width("ab中"), 4);
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
}

//! Reading the opened `data`: required and optional fields, amounts, `outReqNo`,
//! `channelType`.

use axum::response::Response;
use pay_core::Money;
use serde_json::{Map, Value};

use super::ERR_PARAM;
use super::envelope::error;
use crate::common::{Ctx, field};
use crate::credentials::protocol as cred;

pub(super) fn need(ctx: &Ctx, data: &Map<String, Value>, name: &str) -> Result<String, Response> {
    field(data, name)
        .map(|c| c.into_owned())
        .ok_or_else(|| error(ctx, ERR_PARAM, &format!("{name} 不能为空")))
}

pub(super) fn opt(data: &Map<String, Value>, name: &str) -> String {
    field(data, name)
        .map(|c| c.into_owned())
        .unwrap_or_default()
}

/// `amount`: a JSON string of yuan with exactly two decimals, positive (`"1000.50"`, `"0.01"`).
pub(super) fn amount(ctx: &Ctx, data: &Map<String, Value>) -> Result<Money, Response> {
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

pub(super) fn out_req_no(ctx: &Ctx, data: &Map<String, Value>) -> Result<String, Response> {
    let no = need(ctx, data, "outReqNo")?;
    if !no.starts_with(cred::APP_ID) {
        return Err(error(ctx, ERR_PARAM, "outReqNo 必须以 appId 开头"));
    }
    Ok(no)
}

pub(super) fn channel_type(
    ctx: &Ctx,
    data: &Map<String, Value>,
    required: bool,
) -> Result<(), Response> {
    match field(data, "channelType").as_deref() {
        Some("LFT") => Ok(()),
        None if !required => Ok(()),
        None => Err(error(ctx, ERR_PARAM, "channelType 不能为空")),
        Some(_) => Err(error(ctx, ERR_PARAM, "channelType 只支持 LFT")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

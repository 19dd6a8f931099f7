//! The answers: `FAIL` (unsigned), `SUCCESS` signed with the response key, business errors.

use axum::response::Response;
use serde_json::{Map, Value, json};
use sign_md5::ParamSigner;

use super::ERR_SYSTEM;
use crate::common::json_ok;
use crate::credentials::aggregate as cred;

/// A parameter error: `retCode` `FAIL`, unsigned.
pub(super) fn fail(msg: &str) -> Response {
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

pub(super) fn success(mut fields: Map<String, Value>) -> Response {
    fields.insert("retCode".into(), "SUCCESS".into());
    fields.insert("retMsg".into(), "".into());
    fields.insert("resCode".into(), "SUCCESS".into());
    sign_response(&mut fields);
    json_ok(&Value::Object(fields))
}

pub(super) fn business_error(code: &str, msg: &str) -> Response {
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
}

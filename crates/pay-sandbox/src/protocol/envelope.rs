//! The signed envelope `{appId, data, timestamp, sign}` (`sign` = md5 of
//! `appId&data&timestamp&KEY`) around every answer and notification.

use axum::response::Response;
use serde_json::{Map, Value, json};
use sign_md5::EnvelopeSigner;

use crate::common::{Ctx, json_ok};
use crate::credentials::protocol as cred;

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

pub(super) fn success(ctx: &Ctx, data: &Value) -> Response {
    let data = data.to_string();
    let mut body = envelope(&data, &ctx.now().beijing_compact_millis());
    body.insert("code".into(), "0000".into());
    body.insert("msg".into(), "SUCCESS".into());
    json_ok(&Value::Object(body))
}

pub(super) fn error(ctx: &Ctx, code: &str, msg: &str) -> Response {
    json_ok(&json!({
        "code": code,
        "msg": msg,
        "data": null,
        "appId": cred::APP_ID,
        "timestamp": ctx.now().beijing_compact_millis(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shared vectors: our envelope signer reproduces and checks every entry.
    #[test]
    fn vectors() {
        let vectors: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/protocol-pay.json"
        )))
        .unwrap();
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
}

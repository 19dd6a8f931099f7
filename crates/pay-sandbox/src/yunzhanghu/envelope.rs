//! The envelope: `data` (3DES-CBC, base64), `sign` (HMAC-SHA256), the `dealer-id` and
//! `request-id` headers and the `timestamp`, checked and opened; and the answer `{code, message,
//! request_id, data}`.

use axum::response::Response;
use crypto_3des::TripleDes;
use hmac::{Hmac, Mac};
use serde_json::{Map, Value};

use crate::common::{Ctx, json_ok, lock};
use crate::credentials::yunzhanghu as cred;

/// A response `{code, message, request_id, data?}`.
pub(super) fn reply(code: &str, message: &str, request_id: &str, data: Option<Value>) -> Response {
    let mut body = Map::new();
    body.insert("code".into(), code.into());
    body.insert("message".into(), message.into());
    body.insert("request_id".into(), request_id.into());
    if let Some(d) = data {
        body.insert("data".into(), d);
    }
    json_ok(&Value::Object(body))
}

pub(super) fn ok(request_id: &str, data: Value) -> Response {
    reply("0000", "操作成功", request_id, Some(data))
}

pub(super) fn des() -> Option<TripleDes> {
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

pub(super) struct Opened {
    pub(super) request_id: String,
    pub(super) data: Map<String, Value>,
}

/// Verifies and decrypts a request, or answers it with the spec's error.
pub(super) fn open(
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
pub(super) const MAX_CLOCK_SKEW_SECONDS: u64 = 5 * 60;

/// The envelope's `timestamp` ("int, 时间戳,精确到秒"): exactly 10 ASCII digits, unix seconds
/// (a 13-digit millisecond stamp, a sign or anything else is refused).
pub(super) fn unix_seconds(timestamp: &str) -> Option<i64> {
    if timestamp.len() == 10 && timestamp.bytes().all(|b| b.is_ascii_digit()) {
        timestamp.parse().ok()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vectors() {
        let vectors: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/yunzhanghu.json"
        )))
        .unwrap();
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
}

//! The notifications (sections 9, 10 and 11 of the spec) and what acknowledges them.

use bytes::Bytes;
use serde_json::Value;
use sign_md5::EnvelopeSigner;

use super::envelope::envelope;
use crate::common::{Ctx, corrupt, ct_eq_exact};
use crate::credentials::protocol as cred;
use crate::notify::Outgoing;

/// A notification: the signed envelope POSTed as JSON, answered `SUCCESS`.
pub(super) fn notification(
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
pub(super) fn ack(_status: u16, body: &str) -> bool {
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
    use serde_json::Map;

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
}

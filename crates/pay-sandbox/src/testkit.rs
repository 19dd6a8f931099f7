//! Builders of notifications as the providers send them, signed with the sandbox's
//! [`credentials`](crate::credentials), and tampered copies, so that a merchant can unit-test
//! a callback endpoint offline.
//!
//! ```
//! use pay_sandbox::testkit;
//!
//! let query = testkit::aggregate::signed_query(&[("payOrderId", "P1"), ("amount", "100"), ("status", "2")]);
//! assert!(query.starts_with("payOrderId=P1&amount=100&status=2&sign="));
//! assert_ne!(query, testkit::aggregate::tampered_query(&[("payOrderId", "P1"), ("amount", "100"), ("status", "2")]));
//! ```

/// Aggregate gateway notifications: the parameters in a query string, signed with the
/// response key.
pub mod aggregate {
    use sign_md5::ParamSigner;

    use crate::credentials::aggregate as cred;

    /// The uppercase MD5 sign of `pairs` with the response key.
    pub fn sign(pairs: &[(&str, &str)]) -> String {
        ParamSigner::new(cred::RESPONSE_KEY).sign(pairs.iter().copied())
    }

    fn query(pairs: &[(&str, &str)], sign: &str) -> String {
        crate::common::encode_form(pairs.iter().copied().chain([("sign", sign)]))
            .replace('+', "%20")
    }

    /// `name=value&…&sign=…`, percent-encoded, as appended to the notify URL.
    pub fn signed_query(pairs: &[(&str, &str)]) -> String {
        query(pairs, &sign(pairs))
    }

    /// The same with a wrong sign.
    pub fn tampered_query(pairs: &[(&str, &str)]) -> String {
        query(pairs, &crate::common::corrupt(&sign(pairs)))
    }
}

/// Protocol pay notifications: the signed JSON envelope.
pub mod protocol {
    /// The envelope `{appId, data, timestamp, sign}` around `data` (a JSON text), as a body.
    pub fn signed_envelope(data: &str, timestamp: &str) -> String {
        serde_json::Value::Object(crate::protocol::envelope(data, timestamp)).to_string()
    }

    /// The same envelope with a wrong sign.
    pub fn tampered_envelope(data: &str, timestamp: &str) -> String {
        let mut env = crate::protocol::envelope(data, timestamp);
        if let Some(serde_json::Value::String(s)) = env.get_mut("sign") {
            *s = crate::common::corrupt(s);
        }
        serde_json::Value::Object(env).to_string()
    }
}

/// Yunzhanghu callbacks: the encrypted, signed form.
pub mod yunzhanghu {
    fn form(plaintext: &str, mess: &str, timestamp: i64, tamper: bool) -> String {
        let data = crate::yunzhanghu::encrypt(plaintext);
        let ts = timestamp.to_string();
        let mut sign = crate::yunzhanghu::sign(&data, mess, &ts);
        if tamper {
            sign = crate::common::corrupt(&sign);
        }
        crate::common::encode_form([
            ("data", data.as_str()),
            ("mess", mess),
            ("timestamp", ts.as_str()),
            ("sign", sign.as_str()),
            ("sign_type", "sha256"),
        ])
    }

    /// The form body `data=…&mess=…&timestamp=…&sign=…&sign_type=sha256` for a plaintext
    /// such as `{"notify_id":…,"notify_time":…,"data":{…}}`.
    pub fn signed_form(plaintext: &str, mess: &str, timestamp: i64) -> String {
        form(plaintext, mess, timestamp, false)
    }

    /// The same with a wrong sign.
    pub fn tampered_form(plaintext: &str, mess: &str, timestamp: i64) -> String {
        form(plaintext, mess, timestamp, true)
    }
}

/// Huifu callbacks: `check_value = base64(JSON)`.
pub mod huifu {
    use base64::Engine as _;

    /// The form body `check_value=…` for a JSON result. Only check values issued by a running
    /// sandbox decode through its `unsgin`; this one is for handlers that decode locally.
    pub fn callback_form(json: &str) -> String {
        let v = base64::engine::general_purpose::STANDARD.encode(json.as_bytes());
        crate::common::encode_form([("check_value", v.as_str())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yunzhanghu_form_matches_the_notify_vector() {
        let plaintext = "{\"notify_id\": \"14732279660721952\", \"notify_time\": \"2017-05-25 11:49:34\", \"data\": {\"order_id\": \"201609010016562012999\", \"pay\": \"100.00\", \"status\": 1, \"status_detail\": 0, \"status_message\": \"已打款\", \"real_name\": \"测试\", \"ref\": \"79822056820047883\"}}";
        let form = yunzhanghu::signed_form(plaintext, "8fj3k2", 1_495_684_174);
        assert!(
            form.contains("sign=9b7a318319f4206ea6bf852b7c578df205c4465bf17ae7bb843cc0fd71cea464")
        );
        assert!(
            !yunzhanghu::tampered_form(plaintext, "8fj3k2", 1_495_684_174)
                .contains("sign=9b7a318319f4206ea6bf852b7c578df205c4465bf17ae7bb843cc0fd71cea464")
        );
    }

    #[test]
    fn protocol_envelope_matches_the_vector() {
        let data = "{\"transNo\":\"T1\",\"transDesc\":\"购房定金 \\\"首付\\\"\",\"businessId\":\"B9\",\"channelType\":\"LFT\"}";
        let env: serde_json::Value =
            serde_json::from_str(&protocol::signed_envelope(data, "20201010123015999")).unwrap();
        assert_eq!(env["sign"], "f56ed8cb73f7a7beea424bec9dbefc1a");
        assert_eq!(env["data"], data);
        let bad: serde_json::Value =
            serde_json::from_str(&protocol::tampered_envelope(data, "20201010123015999")).unwrap();
        assert_ne!(bad["sign"], "f56ed8cb73f7a7beea424bec9dbefc1a");
    }

    #[test]
    fn huifu_check_value() {
        assert_eq!(huifu::callback_form("{}"), "check_value=e30%3D");
    }
}

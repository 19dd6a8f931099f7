//! The signed envelope: `{appId, data, timestamp, sign}` where `sign` is the lowercase hex MD5
//! of `appId&data&timestamp&key` over UTF-8, `data` being the exact JSON string carried.
//!
//! Requests, responses (`PayCommonVo`, which adds `code` and `msg`) and notifications all use
//! it. A received envelope keeps `data` as the exact text that was signed: it is verified
//! before it is parsed, never re-serialised.
//!
//! ```
//! use pay_core::{KeyRing, SecretKey};
//! use protocol_pay::sign::{Envelope, verify_envelope_json};
//!
//! let key = SecretKey::new("a8f5f167f44f4964e6c998dee827110c");
//! let env = Envelope::sign("LFT1001", &key, r#"{"transNo":"T1"}"#, "20201010123015123");
//! let json = env.to_json();
//! let received = verify_envelope_json("LFT1001", &KeyRing::new(key), json.as_bytes())?;
//! assert_eq!(received.data.as_deref(), Some(r#"{"transNo":"T1"}"#));
//! # Ok::<(), pay_core::Error>(())
//! ```

use std::fmt;

use pay_core::{Error, KeyRing, SecretKey, SignatureErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use sign_md5::EnvelopeSigner;

/// An envelope to send: `{appId, data, timestamp, sign}`.
///
/// `Debug` shows the length of `data` only, since it can carry personal data.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// `appId`.
    #[serde(rename = "appId")]
    pub app_id: String,
    /// `data`: the JSON text of the business fields, exactly as signed.
    pub data: String,
    /// `timestamp`: `yyyyMMddHHmmssSSS`, Beijing time.
    pub timestamp: String,
    /// `sign`: lowercase hex MD5.
    pub sign: String,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("app_id", &self.app_id)
            .field("data_len", &self.data.len())
            .field("timestamp", &self.timestamp)
            .field("sign", &self.sign)
            .finish()
    }
}

/// The lowercase hex MD5 sign of `appId&data&timestamp&key`.
///
/// ```
/// let sign = protocol_pay::sign::sign("LFT1001", "a8f5f167f44f4964e6c998dee827110c",
///     r#"{"outReqNo":"LFT1001202010100001","payStatus":"SUCCESS","amount":"1000.50"}"#,
///     "20201010123500000");
/// assert_eq!(sign, "cbabc95050bf981258eecae4e4820f8f");
/// ```
pub fn sign(app_id: &str, key: &str, data: &str, timestamp: &str) -> String {
    EnvelopeSigner::new(app_id, key).sign(data, timestamp)
}

/// Whether `sign_value` matches `appId&data&timestamp&key` for any key in `keys` (constant time,
/// hex in either case).
pub fn verify(app_id: &str, keys: &KeyRing, data: &str, timestamp: &str, sign_value: &str) -> bool {
    keys.verify_any(|k| {
        EnvelopeSigner::new(app_id, k.expose_secret()).verify(data, timestamp, sign_value)
    })
}

impl Envelope {
    /// Signs `data` (the exact JSON text to send) at `timestamp` (`yyyyMMddHHmmssSSS`).
    pub fn sign(
        app_id: impl Into<String>,
        key: &SecretKey,
        data: impl Into<String>,
        timestamp: impl Into<String>,
    ) -> Self {
        let app_id = app_id.into();
        let data = data.into();
        let timestamp = timestamp.into();
        let sign = sign(&app_id, key.expose_secret(), &data, &timestamp);
        Envelope {
            app_id,
            data,
            timestamp,
            sign,
        }
    }

    /// The envelope as the JSON body that is sent.
    pub fn to_json(&self) -> String {
        // ok: a struct of four strings always serialises.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// An envelope as received (a `PayCommonVo` response or a notification), not yet trusted.
///
/// `data` is the exact signed text: when the sender put a JSON string there, its unescaped
/// contents; when it put an object there, the object's text as received.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ReceivedEnvelope {
    /// `code` (`0000` = received; absent in notifications).
    pub code: Option<String>,
    /// `msg`.
    pub msg: Option<String>,
    /// `appId`.
    pub app_id: Option<String>,
    /// `data`, exactly as signed.
    pub data: Option<String>,
    /// `timestamp`.
    pub timestamp: Option<String>,
    /// `sign`.
    pub sign: Option<String>,
}

impl fmt::Debug for ReceivedEnvelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedEnvelope")
            .field("code", &self.code)
            .field("msg", &self.msg)
            .field("app_id", &self.app_id)
            .field("data_len", &self.data.as_ref().map(String::len))
            .field("timestamp", &self.timestamp)
            .field("sign", &self.sign)
            .finish()
    }
}

#[derive(Deserialize)]
struct WireEnvelope<'a> {
    #[serde(default, deserialize_with = "lenient_string")]
    code: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    msg: Option<String>,
    #[serde(default, rename = "appId", deserialize_with = "lenient_string")]
    app_id: Option<String>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
    #[serde(default, deserialize_with = "lenient_string")]
    timestamp: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    sign: Option<String>,
}

/// A string, a number as its text, or `null`.
fn lenient_string<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}

/// A JSON error as its kind and place: serde's own message can quote the body's values.
fn unquoted(e: &serde_json::Error) -> String {
    let kind = match e.classify() {
        serde_json::error::Category::Io => "an I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "not a JSON envelope object",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{kind} at line {} column {}", e.line(), e.column())
}

impl ReceivedEnvelope {
    /// Parses a JSON envelope, keeping `data` as the exact signed text.
    ///
    /// # Errors
    /// [`Error::Decode`] when the body is not a JSON object of that shape.
    pub fn parse(body: &[u8]) -> Result<Self, Error> {
        let wire: WireEnvelope<'_> =
            serde_json::from_slice(body).map_err(|e| Error::decode(body, unquoted(&e)))?;
        let data = match wire.data {
            None => None,
            Some(raw) => {
                let text = raw.get();
                if text.starts_with('"') {
                    Some(
                        serde_json::from_str::<String>(text)
                            .map_err(|e| Error::decode(body, unquoted(&e)))?,
                    )
                } else if text == "null" {
                    None
                } else {
                    Some(text.to_owned())
                }
            }
        };
        Ok(ReceivedEnvelope {
            code: wire.code,
            msg: wire.msg,
            app_id: wire.app_id,
            data,
            timestamp: wire.timestamp,
            sign: wire.sign,
        })
    }

    /// Builds an envelope from form or query parameters (`appId`, `data`, `timestamp`, `sign`,
    /// `code`, `msg`), for a sender that posts a form instead of JSON.
    pub fn from_params(params: &[(String, String)]) -> Self {
        let get = |k: &str| params.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone());
        ReceivedEnvelope {
            code: get("code"),
            msg: get("msg"),
            app_id: get("appId"),
            data: get("data"),
            timestamp: get("timestamp"),
            sign: get("sign"),
        }
    }

    /// Whether the envelope carries a non-empty `sign`.
    pub fn is_signed(&self) -> bool {
        self.sign.as_deref().is_some_and(|s| !s.trim().is_empty())
    }

    /// Verifies the sign over `app_id&data&timestamp&key` with any key in `keys`, in constant
    /// time. An `appId` in the envelope must equal `app_id`.
    ///
    /// # Errors
    /// [`Error::Signature`]: [`SignatureErrorKind::Missing`] when there is no sign,
    /// [`SignatureErrorKind::Malformed`] when it is not 32 hex digits,
    /// [`SignatureErrorKind::Mismatch`] when it does not match or the app id differs.
    pub fn verify(&self, app_id: &str, keys: &KeyRing) -> Result<(), Error> {
        let Some(sign_value) = self.sign.as_deref().filter(|s| !s.trim().is_empty()) else {
            return Err(Error::signature(SignatureErrorKind::Missing));
        };
        if sign_value.len() != 32 || !sign_value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(Error::signature(SignatureErrorKind::Malformed));
        }
        let ok = verify(
            app_id,
            keys,
            self.data.as_deref().unwrap_or_default(),
            self.timestamp.as_deref().unwrap_or_default(),
            sign_value,
        );
        let same_app = self.app_id.as_deref().is_none_or(|a| a == app_id);
        if ok && same_app {
            Ok(())
        } else {
            Err(Error::signature(SignatureErrorKind::Mismatch))
        }
    }
}

/// Parses and verifies a JSON envelope (a response or a notification body) for `app_id`.
///
/// # Errors
/// [`Error::Decode`] when it is not an envelope, [`Error::Signature`] when the sign is missing
/// or does not match.
pub fn verify_envelope_json(
    app_id: &str,
    keys: &KeyRing,
    body: &[u8],
) -> Result<ReceivedEnvelope, Error> {
    let env = ReceivedEnvelope::parse(body)?;
    env.verify(app_id, keys)?;
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "a8f5f167f44f4964e6c998dee827110c";

    #[test]
    fn round_trip_and_tamper() {
        let key = SecretKey::new(KEY);
        let env = Envelope::sign("A1", &key, "{\"x\":\"中\"}", "20240101000000000");
        let ring = KeyRing::new(key);
        let got = verify_envelope_json("A1", &ring, env.to_json().as_bytes()).unwrap();
        assert_eq!(got.data.as_deref(), Some("{\"x\":\"中\"}"));
        assert!(matches!(
            verify_envelope_json("A2", &ring, env.to_json().as_bytes()),
            Err(Error::Signature {
                kind: SignatureErrorKind::Mismatch,
                ..
            })
        ));
        let mut bad = env.clone();
        bad.timestamp = "20240101000000001".into();
        assert!(verify_envelope_json("A1", &ring, bad.to_json().as_bytes()).is_err());
        let mut unsigned = env.clone();
        unsigned.sign = String::new();
        assert!(matches!(
            verify_envelope_json("A1", &ring, unsigned.to_json().as_bytes()),
            Err(Error::Signature {
                kind: SignatureErrorKind::Missing,
                ..
            })
        ));
        unsigned.sign = "zz".into();
        assert!(matches!(
            verify_envelope_json("A1", &ring, unsigned.to_json().as_bytes()),
            Err(Error::Signature {
                kind: SignatureErrorKind::Malformed,
                ..
            })
        ));
    }

    #[test]
    fn object_data_is_signed_as_its_text() {
        let data = "{\"result\": \"true\"}";
        let s = sign("A1", KEY, data, "t");
        let body =
            format!("{{\"code\":\"0000\",\"data\":{data},\"timestamp\":\"t\",\"sign\":\"{s}\"}}");
        let env = ReceivedEnvelope::parse(body.as_bytes()).unwrap();
        assert_eq!(env.data.as_deref(), Some(data));
        env.verify("A1", &KeyRing::from(KEY)).unwrap();
    }

    #[test]
    fn debug_hides_data() {
        let env = Envelope::sign(
            "A1",
            &SecretKey::new(KEY),
            "{\"qpCertNumber\":\"11010519491231002X\"}",
            "t",
        );
        let s = format!("{env:?}");
        assert!(!s.contains("1101051949"), "{s}");
        let r = ReceivedEnvelope::parse(env.to_json().as_bytes()).unwrap();
        assert!(!format!("{r:?}").contains("1101051949"));
    }
}

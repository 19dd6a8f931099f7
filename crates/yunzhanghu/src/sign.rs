//! The envelope every request, encrypted answer and notification travels in (第四章).
//!
//! `data` = base64(3DES-EDE3-CBC(plaintext JSON, key = the 24-byte 3DES key, IV = its first 8
//! bytes, PKCS5)); `sign` = lowercase hex HMAC-SHA256, keyed with the app key, of
//! `data=…&mess=…&timestamp=…&key=APPKEY`; `sign_type` = `sha256`.
//!
//! ```
//! use pay_core::SecretKey;
//! use yunzhanghu::sign::{self, Keys};
//!
//! let keys = Keys::new("78f9b4fad3481fbce1df0b30eee58577", &SecretKey::new("123456788765432112345678"))?;
//! let envelope = sign::seal("{}", "1", 1479892123, &keys);
//! assert_eq!(envelope.data, "n1jzgC47/IQ=");
//! assert_eq!(envelope.sign, "aad08eaeefc86273717b1755ff396665fa6cc8c7ab1d1132a2919003ed60503f");
//! assert_eq!(sign::open(&envelope, &keys)?, "{}");
//! # Ok::<(), pay_core::Error>(())
//! ```

use std::fmt;

use crypto_3des::TripleDes;
use hmac::{Hmac, Mac};
use pay_core::{Error, KeyRing, SecretKey, SignatureErrorKind};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// The only `sign_type` the spec defines.
pub const SIGN_TYPE: &str = "sha256";

/// The keys of the envelope: the app key ring (sign with the current key, verify with any) and
/// the 3DES key.
#[derive(Clone)]
pub struct Keys {
    app_key: KeyRing,
    des3: TripleDes,
}

impl fmt::Debug for Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Keys { .. }")
    }
}

impl Keys {
    /// Keys from the app key (ring) and the 3DES key.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `des3_key` when it is not exactly 24 bytes, or is weak (its
    /// thirds K1 = K2 or K2 = K3: single DES, see [`crypto_3des::CryptoError::WeakKey`]).
    pub fn new(app_key: impl Into<KeyRing>, des3_key: &SecretKey) -> Result<Self, Error> {
        let des3 =
            TripleDes::new(des3_key.expose_secret().as_bytes()).map_err(|e| match e {
                crypto_3des::CryptoError::WeakKey => Error::invalid_input(
                    "des3_key",
                    "is weak: its 8-byte thirds K1 and K2, or K2 and K3, are equal, which reduces 3DES to single DES",
                ),
                _ => Error::invalid_input("des3_key", "must be exactly 24 bytes"),
            })?;
        Ok(Keys {
            app_key: app_key.into(),
            des3,
        })
    }

    /// The app key ring.
    pub fn app_key(&self) -> &KeyRing {
        &self.app_key
    }

    /// Encrypts `plaintext` into the base64 `data` text.
    pub fn encrypt(&self, plaintext: &[u8]) -> String {
        self.des3.encrypt_base64(plaintext)
    }

    /// Decrypts base64 `data` into UTF-8 text.
    ///
    /// # Errors
    /// [`Error::Decrypt`] for bad base64, a bad length, bad padding (wrong key or tampered
    /// data) or non-UTF-8 plaintext.
    pub fn decrypt(&self, data: &str) -> Result<String, Error> {
        self.des3
            .decrypt_base64_to_string(data)
            .map_err(Error::decrypt)
    }
}

/// The signed, encrypted fields of a request or notification.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// base64 of the 3DES ciphertext.
    pub data: String,
    /// The random value mixed into the sign.
    pub mess: String,
    /// Unix seconds (read from a JSON number or string).
    #[serde(deserialize_with = "de_timestamp")]
    pub timestamp: i64,
    /// Lowercase hex HMAC-SHA256.
    pub sign: String,
    /// `sha256`.
    #[serde(default = "default_sign_type")]
    pub sign_type: String,
}

fn default_sign_type() -> String {
    SIGN_TYPE.to_owned()
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("data_len", &self.data.len())
            .field("mess", &self.mess)
            .field("timestamp", &self.timestamp)
            .field("sign", &self.sign)
            .field("sign_type", &self.sign_type)
            .finish()
    }
}

fn de_timestamp<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = i64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("unix seconds as an integer or a string of digits")
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<i64, E> {
            Ok(v)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<i64, E> {
            i64::try_from(v).map_err(E::custom)
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<i64, E> {
            parse_timestamp(v).ok_or_else(|| E::custom("timestamp is not canonical integer text"))
        }
    }
    d.deserialize_any(V)
}

/// Parses timestamp text that re-formats to itself (so the signed text is what we verify).
fn parse_timestamp(s: &str) -> Option<i64> {
    let n: i64 = s.parse().ok()?;
    (n.to_string() == s).then_some(n)
}

impl Envelope {
    /// The fields in the spec's order, `data`, `mess`, `timestamp`, `sign`, `sign_type`,
    /// URL-encoded (a POST body or a GET query string).
    pub fn to_form(&self) -> String {
        let ts = self.timestamp.to_string();
        pay_core::form::encode([
            ("data", self.data.as_str()),
            ("mess", self.mess.as_str()),
            ("timestamp", ts.as_str()),
            ("sign", self.sign.as_str()),
            ("sign_type", self.sign_type.as_str()),
        ])
    }

    /// Reads the envelope from decoded form or query parameters.
    ///
    /// # Errors
    /// [`Error::Signature`]: [`SignatureErrorKind::Missing`] without `sign`,
    /// [`SignatureErrorKind::Malformed`] without `data`, `mess` or an integer `timestamp`.
    pub fn from_params(params: &[(String, String)]) -> Result<Self, Error> {
        let get = |k: &str| {
            params
                .iter()
                .find(|(name, _)| name == k)
                .map(|(_, v)| v.as_str())
        };
        let malformed = || Error::signature(SignatureErrorKind::Malformed);
        let sign = get("sign")
            .filter(|s| !s.is_empty())
            .ok_or_else(|| Error::signature(SignatureErrorKind::Missing))?;
        let data = get("data").ok_or_else(malformed)?;
        let mess = get("mess").ok_or_else(malformed)?;
        let timestamp = get("timestamp")
            .and_then(parse_timestamp)
            .ok_or_else(malformed)?;
        Ok(Envelope {
            data: data.to_owned(),
            mess: mess.to_owned(),
            timestamp,
            sign: sign.to_owned(),
            sign_type: get("sign_type").unwrap_or(SIGN_TYPE).to_owned(),
        })
    }
}

fn mac(data: &str, mess: &str, timestamp: i64, app_key: &SecretKey) -> HmacSha256 {
    let key = app_key.expose_secret().as_bytes();
    // HMAC accepts keys of any length: this cannot fail. ok: new_from_slice is infallible for HMAC.
    let mut mac = match HmacSha256::new_from_slice(key) {
        Ok(m) => m,
        Err(_) => unreachable_hmac(),
    };
    let ts = timestamp.to_string();
    for part in [
        b"data=".as_slice(),
        data.as_bytes(),
        b"&mess=",
        mess.as_bytes(),
        b"&timestamp=",
        ts.as_bytes(),
        b"&key=",
        key,
    ] {
        mac.update(part);
    }
    mac
}

#[cold]
fn unreachable_hmac() -> HmacSha256 {
    // HMAC takes keys of any length (longer keys are hashed), so this is never reached; an
    // empty key still yields a valid (and useless) MAC rather than a panic.
    <HmacSha256 as hmac::digest::KeyInit>::new(&Default::default())
}

/// The sign: lowercase hex HMAC-SHA256 (keyed with `app_key`) of
/// `data=…&mess=…&timestamp=…&key=APPKEY`.
pub fn sign(data: &str, mess: &str, timestamp: i64, app_key: &SecretKey) -> String {
    pay_core::hex::encode_lower(&mac(data, mess, timestamp, app_key).finalize().into_bytes())
}

/// Encrypts `plaintext_json` and signs it with the current app key.
pub fn seal(plaintext_json: &str, mess: &str, timestamp: i64, keys: &Keys) -> Envelope {
    let data = keys.encrypt(plaintext_json.as_bytes());
    let sign = sign(&data, mess, timestamp, keys.app_key.current());
    Envelope {
        data,
        mess: mess.to_owned(),
        timestamp,
        sign,
        sign_type: SIGN_TYPE.to_owned(),
    }
}

/// Verifies the sign of `envelope` under any key of the app key ring, in constant time.
///
/// # Errors
/// [`Error::Signature`]: `Missing` for an empty sign, `Malformed` for a sign that is not 64 hex
/// digits or a `sign_type` other than `sha256`, `Mismatch` when no key matches.
pub fn verify(envelope: &Envelope, keys: &Keys) -> Result<(), Error> {
    if envelope.sign.is_empty() {
        return Err(Error::signature(SignatureErrorKind::Missing));
    }
    if !envelope.sign_type.eq_ignore_ascii_case(SIGN_TYPE) {
        return Err(Error::signature(SignatureErrorKind::Malformed));
    }
    let given = match pay_core::hex::decode(&envelope.sign) {
        Some(b) if b.len() == 32 => b,
        _ => return Err(Error::signature(SignatureErrorKind::Malformed)),
    };
    let ok = keys.app_key.verify_any(|key| {
        let expected = mac(&envelope.data, &envelope.mess, envelope.timestamp, key)
            .finalize()
            .into_bytes();
        bool::from(expected.as_slice().ct_eq(&given))
    });
    if ok {
        Ok(())
    } else {
        Err(Error::signature(SignatureErrorKind::Mismatch))
    }
}

/// Verifies (constant time) and then decrypts; nothing is decrypted when the sign fails.
///
/// # Errors
/// As [`verify`], then [`Error::Decrypt`].
pub fn open(envelope: &Envelope, keys: &Keys) -> Result<String, Error> {
    verify(envelope, keys)?;
    keys.decrypt(&envelope.data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::new(
            "78f9b4fad3481fbce1df0b30eee58577",
            &SecretKey::new("123456788765432112345678"),
        )
        .unwrap()
    }

    #[test]
    fn tamper_and_rotation() {
        let k = keys();
        let mut e = seal("{\"a\":1}", "m", 10, &k);
        assert_eq!(open(&e, &k).unwrap(), "{\"a\":1}");
        e.mess.push('x');
        assert!(matches!(
            open(&e, &k),
            Err(Error::Signature {
                kind: SignatureErrorKind::Mismatch,
                ..
            })
        ));
        // Signed with the old key, accepted by a ring that still holds it.
        let old = Keys::new("old", &SecretKey::new("123456788765432112345678")).unwrap();
        let e = seal("{}", "m", 10, &old);
        let ring = Keys::new(
            KeyRing::new("new".into()).with_previous("old".into()),
            &SecretKey::new("123456788765432112345678"),
        )
        .unwrap();
        assert_eq!(open(&e, &ring).unwrap(), "{}");
        assert!(open(&e, &k).is_err());
        // Uppercase hex is the same MAC.
        let mut up = e.clone();
        up.sign = up.sign.to_ascii_uppercase();
        assert!(verify(&up, &old).is_ok());
        up.sign.truncate(10);
        assert!(matches!(
            verify(&up, &old),
            Err(Error::Signature {
                kind: SignatureErrorKind::Malformed,
                ..
            })
        ));
    }

    #[test]
    fn timestamp_text_must_be_canonical() {
        assert_eq!(parse_timestamp("123"), Some(123));
        assert_eq!(parse_timestamp("0123"), None);
        assert_eq!(parse_timestamp("+1"), None);
        let e: Envelope =
            serde_json::from_str(r#"{"data":"x","mess":"m","timestamp":"5","sign":"s"}"#).unwrap();
        assert_eq!(e.timestamp, 5);
        assert_eq!(e.sign_type, "sha256");
    }
}

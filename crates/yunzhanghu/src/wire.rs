//! Serde helpers for the provider's loose values.

use pay_core::Money;
use serde::{Deserialize, Deserializer, Serializer};
use serde_json::Value;

/// `Option<Money>` as a yuan string; `null`, `""` and `-/-` (the provider's "no value") read as
/// `None`.
pub(crate) mod yuan_lenient {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(m: &Option<Money>, s: S) -> Result<S::Ok, S::Error> {
        pay_core::money::as_yuan_opt::serialize(m, s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Money>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => {
                let t = s.trim();
                if t.is_empty() || t == "-/-" {
                    Ok(None)
                } else {
                    Money::from_signed_yuan(t)
                        .map(Some)
                        .map_err(serde::de::Error::custom)
                }
            }
            Some(Value::Number(n)) => n
                .as_i64()
                .and_then(|i| i.checked_mul(100))
                .map(|f| Some(Money::from_fen(f)))
                .ok_or_else(|| serde::de::Error::custom("amount is not a whole number of yuan")),
            Some(other) => Err(serde::de::Error::custom(format!(
                "expected a yuan amount, got {other}"
            ))),
        }
    }
}

/// A string that may arrive as a JSON number (ids, refs).
pub(crate) mod string_or_number {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        match Value::deserialize(d)? {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            Value::Null => Ok(String::new()),
            other => Err(serde::de::Error::custom(format!(
                "expected a string, got {other}"
            ))),
        }
    }
}

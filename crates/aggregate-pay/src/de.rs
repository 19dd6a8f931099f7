//! Lenient readers for fields the gateway may send as a string or a number.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// A string, or a number/boolean as its JSON text; `null` and `""` are `None`.
pub(crate) fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
        Some(_) => return Err(serde::de::Error::custom("expected a string or a number")),
    })
}

/// A required string, or a number as its decimal text.
pub(crate) fn string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    match Value::deserialize(d)? {
        Value::String(s) => Ok(s),
        v @ Value::Number(_) => Ok(v.to_string()),
        _ => Err(serde::de::Error::custom("expected a string or a number")),
    }
}

/// A boolean, or `"true"`/`"false"`.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) if s == "true" => Some(true),
        Some(Value::String(s)) if s == "false" => Some(false),
        Some(Value::String(s)) if s.is_empty() => None,
        Some(_) => return Err(serde::de::Error::custom("expected true or false")),
    })
}

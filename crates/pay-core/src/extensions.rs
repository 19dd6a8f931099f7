//! [`Extensions`]: the open map of fields a provider adds beyond its spec, with a `Debug` that
//! masks personal data.

use std::fmt;
use std::ops::{Deref, DerefMut};

use serde_json::{Map, Value};

use crate::pii;

/// Fields beyond the typed ones, by wire name: what the provider added later, or what the
/// caller sends that the spec does not list. Use it as
/// `#[serde(flatten)] pub extra: Extensions` on every typed request and response.
///
/// It dereferences to a [`serde_json::Map`]. Its `Debug` masks values that can be personal
/// data, since an unknown field can hold anything: values of keys that name a card, account,
/// certificate, ID, phone, mobile or name are masked by the matching rule, and any other string
/// with a run of seven or more digits has its digits masked.
///
/// ```
/// use pay_core::Extensions;
///
/// let mut extra = Extensions::new();
/// extra.insert("user_mobile".into(), "13812345678".into());
/// extra.insert("note".into(), "call 13812345678".into());
/// extra.insert("zone".into(), "east".into());
/// let shown = format!("{extra:?}");
/// assert!(!shown.contains("13812345678"), "{shown}");
/// assert!(shown.contains("east"));
/// assert_eq!(extra["zone"], "east");
/// ```
#[derive(Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Extensions(pub Map<String, Value>);

impl Extensions {
    /// An empty map.
    pub fn new() -> Self {
        Extensions(Map::new())
    }

    /// The inner map.
    pub fn into_inner(self) -> Map<String, Value> {
        self.0
    }
}

impl Deref for Extensions {
    type Target = Map<String, Value>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl DerefMut for Extensions {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

impl From<Map<String, Value>> for Extensions {
    fn from(map: Map<String, Value>) -> Self {
        Extensions(map)
    }
}

impl From<Extensions> for Map<String, Value> {
    fn from(e: Extensions) -> Self {
        e.0
    }
}

impl FromIterator<(String, Value)> for Extensions {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Extensions(iter.into_iter().collect())
    }
}

impl IntoIterator for Extensions {
    type Item = (String, Value);
    type IntoIter = serde_json::map::IntoIter;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Extensions {
    type Item = (&'a String, &'a Value);
    type IntoIter = serde_json::map::Iter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// How a key's value is masked.
fn rule_for(key: &str) -> Option<fn(&str) -> String> {
    let k = key.to_ascii_lowercase();
    let has = |parts: &[&str]| parts.iter().any(|p| k.contains(p));
    if has(&["mobile", "phone", "tel"]) {
        Some(pii::mask_phone)
    } else if has(&[
        "cert", "id_card", "idcard", "id_no", "idno", "identity", "license",
    ]) {
        Some(pii::mask_id_number)
    } else if has(&["name"]) && !has(&["bank_name", "bankname", "file_name", "mer_short"]) {
        // Before the account rule: `accountName`, `acct_name` hold a name.
        Some(pii::mask_name)
    } else if has(&["card", "acct", "account", "bank_no", "accno", "acc_no"]) {
        Some(pii::mask_card_number)
    } else {
        None
    }
}

fn masked(rule: Option<fn(&str) -> String>, v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(match rule {
            Some(mask) => mask(s),
            None => pii::mask_digit_runs(s),
        }),
        Value::Number(n) => match rule {
            Some(mask) => Value::String(mask(&n.to_string())),
            None => Value::String(pii::mask_digit_runs(&n.to_string())),
        },
        Value::Array(items) => Value::Array(items.iter().map(|i| masked(rule, i)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), masked(rule.or(rule_for(k)), v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

impl fmt::Debug for Extensions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.0 {
            m.entry(k, &masked(rule_for(k), v));
        }
        m.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_by_key_and_by_digits() {
        let e: Extensions = serde_json::from_value(serde_json::json!({
            "card_no": "6225880137705555",
            "cert_id": "11010519491231002X",
            "idCardNo": "11010519491231002Y",
            "user_mobile": 13812345678u64,
            "user_name": "张三",
            "bank_name": "招商银行",
            "nested": {"acct_no": "6225880137705555", "memo": "id 11010519491231002X"},
            "list": ["13812345678"],
            "amount": "12.30",
            "ok": true,
        }))
        .unwrap();
        let s = format!("{e:?} {e:#?}");
        for secret in [
            "6225880137705555",
            "11010519491231002X",
            "13812345678",
            "张三",
        ] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert!(s.contains("1****************Y"), "{s}");
        for shown in [
            "招商银行",
            "12.30",
            "true",
            "6225********5555",
            "138****5678",
        ] {
            assert!(s.contains(shown), "{shown} not in {s}");
        }
        assert_eq!(pii::mask_digit_runs("a1234567b12"), "a***4567b12");
        // serde stays transparent
        assert_eq!(
            serde_json::to_value(&e).unwrap()["card_no"],
            "6225880137705555"
        );
        let mut e = Extensions::new();
        e.insert("k".into(), "v".into());
        assert_eq!(e.len(), 1);
        let m: Map<String, Value> = e.clone().into();
        assert_eq!(Extensions::from(m), e);
    }

    #[test]
    fn flattens() {
        #[derive(serde::Deserialize, serde::Serialize, Debug)]
        struct R {
            code: String,
            #[serde(flatten)]
            extra: Extensions,
        }
        let r: R = serde_json::from_str(r#"{"code":"0","phone":"13812345678"}"#).unwrap();
        assert_eq!(r.extra["phone"], "13812345678");
        assert!(!format!("{r:?}").contains("13812345678"));
        assert_eq!(
            serde_json::to_string(&r).unwrap(),
            r#"{"code":"0","phone":"13812345678"}"#
        );
    }
}

//! Decoding provider responses, with the failing field named and the raw body kept.
//!
//! Decode errors never quote the offending value: serde's messages do (`invalid type: string
//! "13812345678", expected u64`), and a response field can hold personal data, so the message
//! is rewritten with the value replaced by `***` before it becomes an error's source. The raw
//! body stays available, deliberately, through [`Error::Decode`]'s `body`.
//!
//! The lenient field readers for `#[serde(deserialize_with = …)]` live here too, one copy for
//! every provider: [`string_or_integer`], [`string_or_number`], [`opt_string_or_scalar`] and
//! [`opt_bool_or_text`].

use std::fmt;

use crate::Error;

/// Why a body did not decode: the path of the failing field and serde's message with every
/// quoted value replaced by `***`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    path: String,
    message: String,
}

impl DecodeError {
    /// The path of the failing field (`data.amount`), `.` for the top level.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// serde's message, values redacted.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at `{}`: {}", self.path, self.message)
    }
}

impl std::error::Error for DecodeError {}

/// Replaces the contents of `"…"` strings, and of `` `…` `` except after `field `, with `***`.
fn redact(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                out.push_str("\"***\"");
                let mut escaped = false;
                for c in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        break;
                    }
                }
            }
            '`' => {
                let mut inner = String::new();
                for c in chars.by_ref() {
                    if c == '`' {
                        break;
                    }
                    inner.push(c);
                }
                out.push('`');
                if out.ends_with("field `") {
                    out.push_str(&inner);
                } else {
                    out.push_str("***");
                }
                out.push('`');
            }
            other => out.push(other),
        }
    }
    out
}

/// Decodes JSON into `T` (which may borrow from `body`). On failure the error names the path of the failing field
/// (`data.amount`), keeps the raw body, and does not quote the offending value.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct R { code: u32 }
/// let r: R = pay_core::decode::json(br#"{"code":0}"#)?;
/// assert_eq!(r.code, 0);
/// let err = pay_core::decode::json::<R>(br#"{"code":"13812345678"}"#).unwrap_err();
/// let source = std::error::Error::source(&err).unwrap().to_string();
/// assert!(source.starts_with("at `code`: invalid type: string \"***\""), "{source}");
/// # Ok::<(), pay_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::Decode`].
pub fn json<'a, T: serde::Deserialize<'a>>(body: &'a [u8]) -> Result<T, Error> {
    // The common case, a body that decodes, pays nothing for path tracking; only a failure is
    // decoded a second time, with the path tracked, to name the failing field. Deserializing is
    // a pure function of the bytes, so the second pass fails the same way.
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let source = DecodeError {
            path: e.path().to_string(),
            message: redact(&e.inner().to_string()),
        };
        Error::decode(body, source)
    })?;
    // Anything but whitespace after the value (what made the first pass fail if the value
    // itself decoded) is an error too: a body is one JSON value.
    de.end().map_err(|e| {
        let source = DecodeError {
            path: ".".to_owned(),
            message: redact(&e.to_string()),
        };
        Error::decode(body, source)
    })?;
    Ok(value)
}

/// Decodes a JSON string (already text) into `T`, as [`json`].
///
/// # Errors
/// [`Error::Decode`].
pub fn json_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    json(text.as_bytes())
}

/// Reads a caller's JSON input (a CLI `data` object, say) as the typed request `T`. A mismatch
/// is [`Error::InvalidInput`] on `data`, naming the failing field without quoting its value
/// (the input can hold a card or ID number).
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct R { amount: u64 }
/// let err = pay_core::decode::input::<R>(serde_json::json!({"amount": "13812345678"})).unwrap_err();
/// assert_eq!(err.to_string(), "invalid input in `data`: at `amount`: invalid type: string \"***\", expected u64 at line 1 column 23");
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] on `data`.
pub fn input<T: serde::de::DeserializeOwned>(data: serde_json::Value) -> Result<T, Error> {
    let text = data.to_string();
    if let Ok(value) = serde_json::from_str(&text) {
        return Ok(value);
    }
    let mut de = serde_json::Deserializer::from_str(&text);
    // As in [`json`]: only a failure is decoded again, with the path tracked. The text is a
    // value's own serialisation, so nothing follows it.
    let e = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    let path = e.path().to_string();
    let inner = e.inner().to_string();
    // An amount in the wrong unit names its field and the unit to write it in.
    if inner.starts_with(crate::money::YUAN_NUMBER_REFUSED) {
        return Err(Error::invalid_input(
            path,
            "is in yuan: write it as a string such as \"100.00\", not a number",
        ));
    }
    if inner.starts_with(crate::money::FEN_YUAN_REFUSED) {
        return Err(Error::invalid_input(
            path,
            "is in fen: write it as a whole number of fen such as 100 (for 1.00 yuan), not yuan",
        ));
    }
    Err(Error::invalid_input(
        "data",
        DecodeError {
            path,
            message: redact(&inner),
        }
        .to_string(),
    ))
}

/// Parses a caller's JSON input (a CLI `--data` object, a text to sign) into a value, refusing
/// an object that gives the same key twice, at any depth.
///
/// `serde_json` keeps the last of repeated keys silently, while a signature checker or the
/// provider may read the first: `{"pay":"1.00","pay":"1000.00"}` would pay one amount and show
/// another. Input is read through this one function so that every command refuses it alike.
///
/// ```
/// let v = pay_core::decode::input_json(r#"{"pay":"1.00"}"#, "data")?;
/// assert_eq!(v["pay"], "1.00");
/// let err = pay_core::decode::input_json(r#"{"a":{"pay":"1.00","pay":"1000.00"}}"#, "data").unwrap_err();
/// assert_eq!(err.to_string(), "invalid input in `a.pay`: appears more than once in data: which value is meant cannot be told");
/// # Ok::<(), pay_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::InvalidInput`]: on `what` when the text is not JSON, on the repeated key's path
/// (`a.b[0].c`) when a key is repeated.
pub fn input_json(
    text: &str,
    what: impl Into<std::borrow::Cow<'static, str>>,
) -> Result<serde_json::Value, Error> {
    let what = what.into();
    let value: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Error::invalid_input(what.clone(), format!("is not valid JSON: {e}")))?;
    let repeated = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = UniqueKeys {
        path: "",
        repeated: &repeated,
    };
    if serde::de::DeserializeSeed::deserialize(seed, &mut de).is_err() {
        // The text parsed above, so the only failure left is a repeated key.
        let path = repeated.into_inner().unwrap_or_else(|| ".".to_owned());
        return Err(Error::invalid_input(
            path,
            format!("appears more than once in {what}: which value is meant cannot be told"),
        ));
    }
    Ok(value)
}

/// Walks a JSON value, failing at the first object key seen twice in one object (its path is
/// left in `repeated`).
struct UniqueKeys<'a> {
    path: &'a str,
    repeated: &'a std::cell::RefCell<Option<String>>,
}

impl UniqueKeys<'_> {
    fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for UniqueKeys<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for UniqueKeys<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let path = format!("{}[{i}]", self.path);
            let seed = UniqueKeys {
                path: &path,
                repeated: self.repeated,
            };
            if seq.next_element_seed(seed)?.is_none() {
                return Ok(());
            }
            i += 1;
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = self.key_path(&key);
            if !seen.insert(key) {
                *self.repeated.borrow_mut() = Some(path);
                return Err(serde::de::Error::custom("repeated key"));
            }
            map.next_value_seed(UniqueKeys {
                path: &path,
                repeated: self.repeated,
            })?;
        }
        Ok(())
    }
}

/// A typed value as JSON (a typed response handed to the CLI, a notification event shown as
/// JSON). Serialising cnpay's types cannot fail; a failing foreign type is [`Error::Decode`].
///
/// # Errors
/// [`Error::Decode`] with an empty body.
pub fn to_value<T: serde::Serialize>(value: &T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(value).map_err(|e| Error::decode(Vec::new(), e))
}

/// Reads a string, or an integer as its decimal text: a code a provider sends either way
/// (`"0000"` or `0`). Used by [`crate::wire_enum!`]; for `#[serde(deserialize_with = …)]`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct A {
///     #[serde(deserialize_with = "pay_core::decode::string_or_integer")]
///     code: String,
/// }
/// let a: A = serde_json::from_str(r#"{"code":10}"#).unwrap();
/// assert_eq!(a.code, "10");
/// assert!(serde_json::from_str::<A>(r#"{"code":1.5}"#).is_err());
/// ```
///
/// # Errors
/// Anything but a string or an integer.
pub fn string_or_integer<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct V;
    impl serde::de::Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string or an integer")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
    }
    d.deserialize_any(V)
}

/// Reads a required string, or any number as its JSON text (`100` → `"100"`).
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct A {
///     #[serde(deserialize_with = "pay_core::decode::string_or_number")]
///     amount: String,
/// }
/// let a: A = serde_json::from_str(r#"{"amount":100}"#).unwrap();
/// assert_eq!(a.amount, "100");
/// assert!(serde_json::from_str::<A>(r#"{"amount":true}"#).is_err());
/// ```
///
/// # Errors
/// Anything but a string or a number.
pub fn string_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    use serde::Deserialize;
    match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Ok(s),
        v @ serde_json::Value::Number(_) => Ok(v.to_string()),
        _ => Err(serde::de::Error::custom("expected a string or a number")),
    }
}

/// Reads an optional string, or a number or boolean as its JSON text; absent, `null` and `""`
/// are `None` (a value the provider did not send). Use with `#[serde(default)]`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct A {
///     #[serde(default, deserialize_with = "pay_core::decode::opt_string_or_scalar")]
///     channel: Option<String>,
/// }
/// let read = |s| serde_json::from_str::<A>(s).map(|a| a.channel).ok();
/// assert_eq!(read(r#"{"channel":8001}"#), Some(Some("8001".to_owned())));
/// assert_eq!(read(r#"{"channel":""}"#), Some(None));
/// assert_eq!(read(r#"{}"#), Some(None));
/// assert_eq!(read(r#"{"channel":{}}"#), None);
/// ```
///
/// # Errors
/// An object or an array.
pub fn opt_string_or_scalar<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    use serde::Deserialize;
    use serde_json::Value;
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.is_empty() => None,
        Some(Value::String(s)) => Some(s),
        Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
        Some(_) => return Err(serde::de::Error::custom("expected a string or a number")),
    })
}

/// Reads an optional boolean, or its text `"true"`/`"false"`; absent, `null` and `""` are
/// `None`. Use with `#[serde(default)]`.
///
/// ```
/// #[derive(serde::Deserialize)]
/// struct A {
///     #[serde(default, deserialize_with = "pay_core::decode::opt_bool_or_text")]
///     notify: Option<bool>,
/// }
/// let read = |s| serde_json::from_str::<A>(s).map(|a| a.notify).ok();
/// assert_eq!(read(r#"{"notify":"true"}"#), Some(Some(true)));
/// assert_eq!(read(r#"{"notify":false}"#), Some(Some(false)));
/// assert_eq!(read(r#"{"notify":""}"#), Some(None));
/// assert_eq!(read(r#"{"notify":"yes"}"#), None);
/// ```
///
/// # Errors
/// Anything else.
pub fn opt_bool_or_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    use serde::Deserialize;
    use serde_json::Value;
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) if s == "true" => Some(true),
        Some(Value::String(s)) if s == "false" => Some(false),
        Some(Value::String(s)) if s.is_empty() => None,
        Some(_) => return Err(serde::de::Error::custom("expected true or false")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn input_json_refuses_repeated_keys_at_any_depth() {
        let field = |text: &str| match input_json(text, "data") {
            Err(Error::InvalidInput { field, reason }) => (field.into_owned(), reason.into_owned()),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            field(r#"{"pay":"1.00","pay":"1000.00"}"#),
            (
                "pay".to_owned(),
                "appears more than once in data: which value is meant cannot be told".to_owned()
            )
        );
        assert_eq!(field(r#"{"a":[1,{"b":{"c":1,"c":1}}]}"#).0, "a[1].b.c");
        assert_eq!(field(r#"[{"x":1},{"x":1,"x":2}]"#).0, "[1].x");
        // An escaped key is the same key.
        assert_eq!(field(r#"{"pay":1,"p\u0061y":2}"#).0, "pay");
        assert_eq!(
            field("{\"a\":"),
            (
                "data".to_owned(),
                "is not valid JSON: EOF while parsing a value at line 1 column 5".to_owned()
            )
        );
        // The same key in two objects is not a repeat.
        let v = input_json(r#"{"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}]}"#, "data").unwrap();
        assert_eq!(v["b"]["k"], 2);
    }

    #[test]
    fn redacts_values_keeps_field_names() {
        assert_eq!(
            redact(r#"invalid type: string "6225 \"x\" 8801", expected i64 at line 1 column 9"#),
            r#"invalid type: string "***", expected i64 at line 1 column 9"#
        );
        assert_eq!(
            redact("unknown variant `13812345678`, expected `A` or `B`"),
            "unknown variant `***`, expected `***` or `***`"
        );
        assert_eq!(redact("missing field `card_no`"), "missing field `card_no`");
        assert_eq!(
            redact("invalid value: integer `1381`, expected u8"),
            "invalid value: integer `***`, expected u8"
        );
    }

    #[test]
    fn trailing_data_is_an_error_naming_the_top_level() {
        assert_eq!(
            json::<BTreeMap<String, i64>>(b" {\"a\":1}\n ")
                .unwrap()
                .len(),
            1
        );
        let e = json::<BTreeMap<String, i64>>(br#"{"a":1} {"a":2}"#).unwrap_err();
        let source = std::error::Error::source(&e).unwrap().to_string();
        assert!(
            source.starts_with("at `.`: trailing characters"),
            "{source}"
        );
    }

    #[test]
    fn the_fast_and_the_tracked_pass_agree_on_failures() {
        // A value that decodes as JSON but not as the type: the tracked pass names it.
        let e = json::<BTreeMap<String, BTreeMap<String, i64>>>(br#"{"a":{"b":"x"}}"#).unwrap_err();
        let source = std::error::Error::source(&e).unwrap().to_string();
        assert!(source.starts_with("at `a.b`: invalid type"), "{source}");
    }

    #[test]
    fn input_names_an_amount_in_the_wrong_unit_and_its_unit() {
        #[derive(Debug, serde::Deserialize)]
        struct Pay {
            #[allow(dead_code)]
            payee: BTreeMap<String, Payout>,
        }
        #[derive(Debug, serde::Deserialize)]
        struct Payout {
            #[serde(with = "crate::money::as_yuan")]
            #[allow(dead_code)]
            pay: crate::Money,
            #[serde(with = "crate::money::as_fen", default)]
            #[allow(dead_code)]
            fee: crate::Money,
        }
        let why = |data: serde_json::Value| match input::<Pay>(data) {
            Err(Error::InvalidInput { field, reason }) => format!("{field}: {reason}"),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            why(serde_json::json!({"payee": {"a": {"pay": 100}}})),
            "payee.a.pay: is in yuan: write it as a string such as \"100.00\", not a number"
        );
        assert_eq!(
            why(serde_json::json!({"payee": {"a": {"pay": "1.00", "fee": "1.00"}}})),
            "payee.a.fee: is in fen: write it as a whole number of fen such as 100 (for 1.00 yuan), not yuan"
        );
        assert_eq!(
            why(serde_json::json!({"payee": {"a": {"pay": "1.001"}}})),
            "data: at `payee.a.pay`: amount has more than two decimals at line 1 column 28"
        );
    }

    #[test]
    fn input_names_the_field_without_quoting_the_value() {
        let e = input::<BTreeMap<String, BTreeMap<String, u64>>>(
            serde_json::json!({"payee": {"mobile": "13812345678"}}),
        )
        .unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("13812345678"), "{shown}");
        match e {
            Error::InvalidInput { field, reason } => {
                assert_eq!(field, "data");
                assert!(
                    reason.starts_with("at `payee.mobile`: invalid type: string \"***\""),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn decode_errors_do_not_quote_values() {
        let body = br#"{"a":{"amount":"13812345678 6225880137705555"}}"#;
        let e = json::<BTreeMap<String, BTreeMap<String, i64>>>(body).unwrap_err();
        let chain = format!(
            "{e} {e:?} {}",
            std::error::Error::source(&e)
                .map(|s| s.to_string())
                .unwrap_or_default()
        );
        assert!(!chain.contains("13812345678"), "{chain}");
        assert!(chain.contains("a.amount"), "{chain}");
        match e {
            Error::Decode { body: raw, .. } => assert_eq!(raw.as_bytes(), body),
            other => panic!("{other:?}"),
        }
    }
}

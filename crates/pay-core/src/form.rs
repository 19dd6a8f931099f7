//! `application/x-www-form-urlencoded` and query strings.

/// Encodes pairs as a form body or query string (UTF-8, `+` for space).
///
/// ```
/// let s = pay_core::form::encode([("a", "1 2"), ("b", "&=")]);
/// assert_eq!(s, "a=1+2&b=%26%3D");
/// ```
pub fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> String {
    let mut ser = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k.as_ref(), v.as_ref());
    }
    ser.finish()
}

/// Decodes a form body or query string into pairs, in order (`+` is a space).
///
/// ```
/// let pairs = pay_core::form::decode(b"a=1+2&b=%26%3D&c=");
/// assert_eq!(pairs, [("a".into(), "1 2".into()), ("b".into(), "&=".into()), ("c".into(), String::new())]);
/// ```
pub fn decode(input: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(input)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The `Content-Type` of a form body.
pub const CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

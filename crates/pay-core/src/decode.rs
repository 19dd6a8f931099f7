//! Decoding provider responses, with the failing field named and the raw body kept.

use crate::Error;

/// Decodes JSON into `T`. On failure the error names the path of the failing field
/// (`data.amount`) and keeps the raw body.
///
/// ```
/// #[derive(Debug, serde::Deserialize)]
/// struct R { code: String }
/// let r: R = pay_core::decode::json(br#"{"code":"0000"}"#)?;
/// assert_eq!(r.code, "0000");
/// let err = pay_core::decode::json::<R>(br#"{"code":1}"#).unwrap_err();
/// assert!(matches!(err, pay_core::Error::Decode { .. }));
/// # Ok::<(), pay_core::Error>(())
/// ```
///
/// # Errors
/// [`Error::Decode`].
pub fn json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| Error::decode(body, e))
}

/// Decodes a JSON string (already text) into `T`, as [`json`].
///
/// # Errors
/// [`Error::Decode`].
pub fn json_str<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, Error> {
    json(text.as_bytes())
}

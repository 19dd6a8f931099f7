//! Hex encoding and decoding, on the `hex` crate: the one place the provider crates take it from.

/// Lowercase hex.
///
/// ```
/// assert_eq!(pay_core::hex::encode_lower(&[0xab, 0x01]), "ab01");
/// ```
pub fn encode_lower(bytes: &[u8]) -> String {
    hex::encode(bytes)
}

/// Uppercase hex.
///
/// ```
/// assert_eq!(pay_core::hex::encode_upper(&[0xab, 0x01]), "AB01");
/// ```
pub fn encode_upper(bytes: &[u8]) -> String {
    hex::encode_upper(bytes)
}

/// Decodes hex of either case; `None` for an odd length or a non-hex character.
///
/// ```
/// assert_eq!(pay_core::hex::decode("aB01"), Some(vec![0xab, 0x01]));
/// assert_eq!(pay_core::hex::decode("abc"), None);
/// assert_eq!(pay_core::hex::decode("zz"), None);
/// ```
pub fn decode(s: &str) -> Option<Vec<u8>> {
    hex::decode(s).ok()
}

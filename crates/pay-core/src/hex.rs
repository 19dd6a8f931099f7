//! Hex encoding into a preallocated string (no `format!` per byte).

const LOWER: &[u8; 16] = b"0123456789abcdef";
const UPPER: &[u8; 16] = b"0123456789ABCDEF";

fn encode_with(bytes: &[u8], table: &[u8; 16]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(table[usize::from(b >> 4)] as char);
        s.push(table[usize::from(b & 0x0f)] as char);
    }
    s
}

/// Lowercase hex.
///
/// ```
/// assert_eq!(pay_core::hex::encode_lower(&[0xab, 0x01]), "ab01");
/// ```
pub fn encode_lower(bytes: &[u8]) -> String {
    encode_with(bytes, LOWER)
}

/// Uppercase hex.
///
/// ```
/// assert_eq!(pay_core::hex::encode_upper(&[0xab, 0x01]), "AB01");
/// ```
pub fn encode_upper(bytes: &[u8]) -> String {
    encode_with(bytes, UPPER)
}

/// Decodes hex of either case; `None` for an odd length or a non-hex character.
///
/// ```
/// assert_eq!(pay_core::hex::decode("aB01"), Some(vec![0xab, 0x01]));
/// assert_eq!(pay_core::hex::decode("abc"), None);
/// ```
pub fn decode(s: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let b = s.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    b.chunks_exact(2)
        .map(|p| Some(nibble(p[0])? << 4 | nibble(p[1])?))
        .collect()
}

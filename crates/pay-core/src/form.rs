//! `application/x-www-form-urlencoded` and query strings.

/// Encodes pairs as a form body or query string (UTF-8, `+` for space).
///
/// The output is byte for byte what `form_urlencoded::Serializer` writes (the WHATWG
/// `application/x-www-form-urlencoded` serializer): ASCII letters, digits and `*-._` as they
/// are, space as `+`, every other byte as `%XX` (uppercase). Runs of bytes that need no escaping
/// are copied whole, which matters for the long base64 values the providers send.
///
/// ```
/// let s = pay_core::form::encode([("a", "1 2"), ("b", "&=")]);
/// assert_eq!(s, "a=1+2&b=%26%3D");
/// ```
pub fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> String {
    let mut form = FormWriter::default();
    for (k, v) in pairs {
        let (k, v) = (k.as_ref(), v.as_ref());
        form.reserve(k.len() + v.len() + 2);
        form.name(k);
        form.value_part(v);
    }
    form.finish()
}

/// A form body written piece by piece, encoded as [`encode`] does: a value may be appended in
/// several parts, so a caller can form-encode text it is still generating (a JSON document,
/// say) without building it first.
///
/// ```
/// use pay_core::form::FormWriter;
///
/// let mut form = FormWriter::default();
/// form.name("params");
/// for part in ["{\"a\":", "\"1 2\"", "}"] {
///     form.value_part(part);
/// }
/// form.name("b");
/// assert_eq!(form.finish(), pay_core::form::encode([("params", "{\"a\":\"1 2\"}"), ("b", "")]));
/// ```
#[derive(Debug, Default, Clone)]
pub struct FormWriter {
    out: Vec<u8>,
}

impl FormWriter {
    /// A writer with room for `capacity` bytes of output.
    pub fn with_capacity(capacity: usize) -> Self {
        FormWriter {
            out: Vec::with_capacity(capacity),
        }
    }

    /// Makes room for `additional` more bytes of output.
    pub fn reserve(&mut self, additional: usize) {
        self.out.reserve(additional);
    }

    /// Starts a pair: `&` (unless it is the first), the encoded `name`, `=`.
    pub fn name(&mut self, name: &str) {
        if !self.out.is_empty() {
            self.out.push(b'&');
        }
        encode_component(name.as_bytes(), &mut self.out);
        self.out.push(b'=');
    }

    /// Appends `text`, encoded, to the current value.
    pub fn value_part(&mut self, text: &str) {
        encode_component(text.as_bytes(), &mut self.out);
    }

    /// The body written so far.
    pub fn finish(self) -> String {
        // Every byte written is ASCII.
        String::from_utf8(self.out).unwrap_or_default()
    }
}

/// How each byte is written: up to three bytes, and how many of them count.
const ENCODED: [([u8; 4], u8); 256] = {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut table = [([0u8; 4], 0u8); 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_alphanumeric() || matches!(byte, b'*' | b'-' | b'.' | b'_') {
            ([byte, 0, 0, 0], 1)
        } else if byte == b' ' {
            ([b'+', 0, 0, 0], 1)
        } else {
            ([b'%', HEX[(b >> 4) & 0xf], HEX[b & 0xf], 0], 3)
        };
        b += 1;
    }
    table
};

/// Appends `text` form-encoded to `out`: every byte writes its four-byte table entry
/// (branch-free) and the position moves on by the entry's length.
fn encode_component(text: &[u8], out: &mut Vec<u8>) {
    let start = out.len();
    // Room for the worst case (every byte escaped) plus the overhang of the last entry.
    out.resize(start + 3 * text.len() + 1, 0);
    let mut at = start;
    for &b in text {
        let (bytes, len) = ENCODED[usize::from(b)];
        if let Some(dst) = out.get_mut(at..at + 4) {
            dst.copy_from_slice(&bytes);
        }
        at += usize::from(len);
    }
    out.truncate(at);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(pairs: &[(String, String)]) -> String {
        let mut ser = form_urlencoded::Serializer::new(String::new());
        for (k, v) in pairs {
            ser.append_pair(k, v);
        }
        ser.finish()
    }

    #[test]
    fn base64_and_edge_cases() {
        let cases = [
            ("data", "n1jzgC47/IQ+ab=="),
            ("", ""),
            ("k", "中文 ~!@#$%^&*()_+-=[]{}|;':\",./<>?`\u{7f}\t\r\n"),
            ("名字", "é"),
        ];
        let pairs: Vec<(String, String)> = cases
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        assert_eq!(encode(cases), reference(&pairs));
        assert_eq!(
            encode([("data", "n1jzgC47/IQ+ab==")]),
            "data=n1jzgC47%2FIQ%2Bab%3D%3D"
        );
        assert_eq!(encode(Vec::<(&str, &str)>::new()), "");
    }

    proptest::proptest! {
        #[test]
        fn same_bytes_as_form_urlencoded(pairs in proptest::collection::vec(("\\PC{0,8}", "(\\PC|[ +/=%&])*"), 0..6)) {
            proptest::prop_assert_eq!(encode(pairs.iter().map(|(k, v)| (k, v))), reference(&pairs));
            let decoded = decode(encode(pairs.iter().map(|(k, v)| (k, v))).as_bytes());
            proptest::prop_assert_eq!(decoded, pairs);
        }
    }
}

//! `application/x-www-form-urlencoded` and query strings.

use std::fmt;

/// Encodes pairs as a form body or query string (UTF-8, `+` for space).
///
/// The output is byte for byte what `form_urlencoded::Serializer` writes (the WHATWG
/// `application/x-www-form-urlencoded` serializer): ASCII letters, digits and `*-._` as they
/// are, space as `+`, every other byte as `%XX` (uppercase). Each byte is written from a lookup
/// table, without branches.
///
/// ```
/// let s = pay_core::form::encode([("a", "1 2"), ("b", "&=")]);
/// assert_eq!(s, "a=1+2&b=%26%3D");
/// ```
pub fn encode<K: AsRef<str>, V: AsRef<str>>(pairs: impl IntoIterator<Item = (K, V)>) -> String {
    let mut form = FormWriter::default();
    for (k, v) in pairs {
        form.name(k.as_ref());
        form.value_part(v.as_ref());
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
#[derive(Default, Clone)]
pub struct FormWriter {
    /// Initialised past `len` (its length runs ahead of what is written), so that a part is
    /// written with no per-call fill: it grows, by doubling, only when a part might not fit.
    buf: Vec<u8>,
    /// How many bytes of `buf` are written.
    len: usize,
}

impl fmt::Debug for FormWriter {
    /// Only the length: a form body can hold personal data and signatures.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FormWriter")
            .field("len", &self.len)
            .finish_non_exhaustive()
    }
}

impl FormWriter {
    /// A writer with room for `capacity` bytes of output.
    pub fn with_capacity(capacity: usize) -> Self {
        FormWriter {
            buf: vec![0; capacity],
            len: 0,
        }
    }

    /// Makes room for `additional` more bytes of output.
    pub fn reserve(&mut self, additional: usize) {
        let need = self.len + additional;
        if self.buf.len() < need {
            self.buf.resize(need.max(2 * self.buf.len()), 0);
        }
    }

    /// Starts a pair: `&` (unless it is the first), the encoded `name`, `=`.
    pub fn name(&mut self, name: &str) {
        if self.len > 0 {
            self.put(b"&");
        }
        self.encode(name.as_bytes());
        self.put(b"=");
    }

    /// Appends `text`, encoded, to the current value.
    pub fn value_part(&mut self, text: &str) {
        self.encode(text.as_bytes());
    }

    /// The body written so far.
    pub fn finish(mut self) -> String {
        self.buf.truncate(self.len);
        // Every byte written is ASCII.
        String::from_utf8(self.buf).unwrap_or_default()
    }

    /// Appends bytes that need no encoding (`&`, `=`).
    fn put(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..self.len + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
        self.len += bytes.len();
    }

    /// Appends `text` encoded: every byte writes its four-byte table entry (branch-free) and
    /// the position moves on by the entry's length.
    fn encode(&mut self, text: &[u8]) {
        // Room for the worst case (every byte escaped) plus the overhang of the last entry.
        self.reserve(3 * text.len() + 1);
        let mut at = self.len;
        for &b in text {
            let (bytes, len) = ENCODED[usize::from(b)];
            if let Some(dst) = self.buf.get_mut(at..at + 4) {
                dst.copy_from_slice(&bytes);
            }
            at += usize::from(len);
        }
        // The overhang past `at` is left as written; `finish` cuts it and the next part
        // overwrites it.
        self.len = at;
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

        /// A value written in any number of parts, from any starting capacity, is the value
        /// written whole.
        #[test]
        fn parts_make_the_whole(
            parts in proptest::collection::vec("(\\PC|[ +/=%&])*", 0..40),
            capacity in 0usize..64,
        ) {
            let mut form = FormWriter::with_capacity(capacity);
            form.name("params");
            for p in &parts {
                form.value_part(p);
            }
            form.name("k");
            form.value_part("v");
            let whole = parts.concat();
            proptest::prop_assert_eq!(form.finish(), encode([("params", whole.as_str()), ("k", "v")]));
        }
    }

    #[test]
    fn writer_debug_shows_only_the_length() {
        let mut form = FormWriter::default();
        form.name("accountNo");
        form.value_part("6225880137705555");
        let shown = format!("{form:?}");
        assert!(!shown.contains("6225"), "{shown}");
        assert!(shown.contains("len: 26"), "{shown}");
    }
}

#![doc = include_str!("../README.md")]

use md5::{Digest, Md5};
use subtle::ConstantTimeEq;

/// The order in which parameter names are sorted before signing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    /// Byte-wise (ASCII) and case-sensitive: `Zone` before `amount`. The spec's order.
    Ascii,
    /// Case-insensitive over the `name=value&` strings, as the reference gateway sorts them:
    /// `amount` before `Zone`.
    CaseInsensitive,
}

/// The parameters that are signed (non-empty value, not `sign`), in the order of their names
/// compared byte-wise, passed to `f` one by one. Duplicate names keep their input order.
fn for_each_ascii<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    mut f: impl FnMut(&'a str, &'a str),
) {
    let all: Vec<(&str, &str)> = params.into_iter().collect();
    ascii_order(&all, |i| {
        let (k, v) = all[i];
        f(k, v);
    });
}

/// Calls `f` with the index of every signed pair of `params` (non-empty value, not `sign`),
/// in the order of their names compared byte-wise; duplicate names keep their input order
/// (the sort is stable).
fn ascii_order<K: AsRef<str>, V: AsRef<str>>(params: &[(K, V)], f: impl FnMut(usize)) {
    let mut order: Vec<usize> = (0..params.len())
        .filter(|&i| {
            let (k, v) = &params[i];
            !v.as_ref().is_empty() && k.as_ref() != "sign"
        })
        .collect();
    order.sort_by(|&a, &b| params[a].0.as_ref().cmp(params[b].0.as_ref()));
    order.into_iter().for_each(f);
}

/// Hashes `name=value&`, piece by piece (no joined string).
fn hash_pair(h: &mut Md5, name: &str, value: &str) {
    h.update(name.as_bytes());
    h.update(b"=");
    h.update(value.as_bytes());
    h.update(b"&");
}

/// The parameters that are signed (non-empty value, not `sign`), in signing order.
fn sorted<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
    order: SortOrder,
) -> Vec<(&'a str, &'a str)> {
    match order {
        SortOrder::Ascii => {
            let mut out = Vec::new();
            for_each_ascii(params, |k, v| out.push((k, v)));
            out
        }
        SortOrder::CaseInsensitive => {
            let mut kept: Vec<(&str, &str)> = params
                .into_iter()
                .filter(|(k, v)| !v.is_empty() && *k != "sign")
                .collect();
            kept.sort_by(|a, b| case_insensitive(*a, *b));
            kept
        }
    }
}

/// Compares the `name=value&` strings of two pairs, ignoring ASCII case, without building them.
fn case_insensitive(a: (&str, &str), b: (&str, &str)) -> std::cmp::Ordering {
    let ai =
        a.0.bytes()
            .chain([b'='])
            .chain(a.1.bytes())
            .map(|c| c.to_ascii_lowercase());
    let bi =
        b.0.bytes()
            .chain([b'='])
            .chain(b.1.bytes())
            .map(|c| c.to_ascii_lowercase());
    ai.cmp(bi)
}

/// A value in a parameter set: its text as sent on the wire.
///
/// A JSON string is signed as its contents; a number, boolean, object or array as its compact
/// JSON text (the text that is sent); `null` and `""` are left out of the sign.
fn wire_text(v: &serde_json::Value) -> Option<std::borrow::Cow<'_, str>> {
    match v {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) if s.is_empty() => None,
        serde_json::Value::String(s) => Some(std::borrow::Cow::Borrowed(s)),
        other => Some(std::borrow::Cow::Owned(other.to_string())),
    }
}

/// The sorted-parameter scheme: every parameter with a non-empty value except `sign`, sorted by
/// name, joined as `name=value&…`, then `&key=KEY`; MD5 over UTF-8, uppercase hex.
///
/// ```
/// use sign_md5::{ParamSigner, SortOrder};
///
/// let params = [("mchId", "20001222"), ("amount", "100"), ("param1", "")];
/// let signer = ParamSigner::new("KEY");
/// assert_eq!(
///     signer.sign_string(params.iter().copied(), SortOrder::Ascii),
///     "amount=100&mchId=20001222&key=KEY"
/// );
/// let sign = signer.sign(params.iter().copied());
/// assert_eq!(sign.len(), 32);
/// assert!(signer.verify(params.iter().copied(), &sign.to_lowercase()));
/// ```
#[derive(Clone)]
pub struct ParamSigner<'k> {
    key: &'k str,
}

impl std::fmt::Debug for ParamSigner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ParamSigner { key: *** }")
    }
}

impl<'k> ParamSigner<'k> {
    /// A signer for `key`.
    pub fn new(key: &'k str) -> Self {
        ParamSigner { key }
    }

    /// The exact text that is hashed (for diagnostics and tests; it contains the key).
    pub fn sign_string<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        order: SortOrder,
    ) -> String {
        let kept = sorted(params, order);
        let len = kept
            .iter()
            .map(|(k, v)| k.len() + v.len() + 2)
            .sum::<usize>()
            + 4
            + self.key.len();
        let mut s = String::with_capacity(len);
        for (k, v) in kept {
            s.push_str(k);
            s.push('=');
            s.push_str(v);
            s.push('&');
        }
        s.push_str("key=");
        s.push_str(self.key);
        s
    }

    /// The uppercase hex MD5 sign in [`SortOrder::Ascii`] order.
    pub fn sign<'a>(&self, params: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
        self.sign_with(params, SortOrder::Ascii)
    }

    /// The uppercase hex MD5 sign, in [`SortOrder::Ascii`] order, of parameters held in a slice
    /// (of `&str` or `String` pairs): as [`ParamSigner::sign`], without collecting them first.
    ///
    /// ```
    /// use sign_md5::ParamSigner;
    ///
    /// let signer = ParamSigner::new("KEY");
    /// let owned = vec![("mchId".to_owned(), "20001222".to_owned()), ("amount".to_owned(), "100".to_owned())];
    /// assert_eq!(signer.sign_pairs(&owned), signer.sign([("mchId", "20001222"), ("amount", "100")]));
    /// ```
    pub fn sign_pairs<K: AsRef<str>, V: AsRef<str>>(&self, params: &[(K, V)]) -> String {
        let mut h = Md5::new();
        ascii_order(params, |i| {
            let (k, v) = &params[i];
            hash_pair(&mut h, k.as_ref(), v.as_ref());
        });
        self.finish(h)
    }

    /// The uppercase hex MD5 sign in the given order.
    pub fn sign_with<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
        order: SortOrder,
    ) -> String {
        match order {
            SortOrder::Ascii => {
                let mut h = Md5::new();
                for_each_ascii(params, |k, v| hash_pair(&mut h, k, v));
                self.finish(h)
            }
            SortOrder::CaseInsensitive => self.sign_in_order(&sorted(params, order)),
        }
    }

    /// The sign of pairs already in signing order.
    fn sign_in_order(&self, pairs: &[(&str, &str)]) -> String {
        let mut h = Md5::new();
        for &(k, v) in pairs {
            hash_pair(&mut h, k, v);
        }
        self.finish(h)
    }

    fn finish(&self, mut h: Md5) -> String {
        h.update(b"key=");
        h.update(self.key.as_bytes());
        hex::encode_upper(h.finalize())
    }

    /// Signs a JSON object's top-level fields (strings as their
    /// contents, other values as compact JSON, `null` and `""` left out).
    pub fn sign_json(&self, object: &serde_json::Map<String, serde_json::Value>) -> String {
        let pairs: Vec<(&str, std::borrow::Cow<'_, str>)> = json_pairs(object);
        self.sign(pairs.iter().map(|(k, v)| (*k, v.as_ref())))
    }

    /// Verifies `sign` (hex, either case) over `params` in constant time, accepting either
    /// [`SortOrder`] (the two agree for every field name in the spec).
    pub fn verify<'a>(
        &self,
        params: impl IntoIterator<Item = (&'a str, &'a str)> + Clone,
        sign: &str,
    ) -> bool {
        let ascii = sorted(params.clone(), SortOrder::Ascii);
        let mut ok = ct_eq_hex(&self.sign_in_order(&ascii), sign);
        // The second digest only when the case-insensitive order is a different one.
        let ci = sorted(params, SortOrder::CaseInsensitive);
        if ci != ascii {
            ok |= ct_eq_hex(&self.sign_in_order(&ci), sign);
        }
        ok
    }
}

/// Why a parameter set's sign string could also be read as another parameter set.
///
/// The sign string joins `name=value` with `&`, so `a=1&b=2` is both `{a: 1, b: 2}` and
/// `{a: "1&b=2"}`: a genuine sign over one set would verify another. The string splits one way
/// only when no name is empty or holds `&` or `=`, and no value holds an `&` followed (anywhere
/// later) by `=`. See [`check_unambiguous`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ambiguity {
    /// A name that is empty or holds `&` or `=` (the name, as given).
    Name(String),
    /// The value of this parameter holds `&` followed by `name=`.
    Value(String),
}

impl std::fmt::Display for Ambiguity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ambiguity::Name(name) => {
                write!(f, "parameter name `{name}` is empty or holds `&` or `=`")
            }
            Ambiguity::Value(name) => {
                write!(f, "the value of `{name}` holds `&` followed by `name=`")
            }
        }
    }
}

impl std::error::Error for Ambiguity {}

/// Whether `name` can be a signed parameter name: not empty, no `&`, no `=`.
pub fn name_is_unambiguous(name: &str) -> bool {
    !name.is_empty() && !name.contains(['&', '='])
}

/// Whether `value` cannot swallow a following `&name=value`: no `=` after any `&`.
pub fn value_is_unambiguous(value: &str) -> bool {
    match value.find('&') {
        Some(i) => !value.get(i..).unwrap_or_default().contains('='),
        None => true,
    }
}

/// Checks that the sign string of `params` splits into exactly these parameters: every name
/// (signed or not, `sign` aside) passes [`name_is_unambiguous`] and every signed value
/// [`value_is_unambiguous`]. A verifier calls it before comparing signs, so that a genuine sign
/// cannot be carried over to a re-partitioned parameter set.
///
/// ```
/// use sign_md5::{Ambiguity, check_unambiguous};
///
/// assert_eq!(check_unambiguous([("mchOrderNo", "S1"), ("param1", "a & b")]), Ok(()));
/// assert_eq!(
///     check_unambiguous([("mchId", "1&mchOrderNo=S1"), ("mchOrderNo", "B1")]),
///     Err(Ambiguity::Value("mchId".into()))
/// );
/// assert_eq!(check_unambiguous([("a=1&b", "2")]), Err(Ambiguity::Name("a=1&b".into())));
/// ```
///
/// # Errors
/// The first [`Ambiguity`] found.
pub fn check_unambiguous<'a>(
    params: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Result<(), Ambiguity> {
    for (k, v) in params {
        if k == "sign" {
            continue;
        }
        if !name_is_unambiguous(k) {
            return Err(Ambiguity::Name(k.to_owned()));
        }
        if !value_is_unambiguous(v) {
            return Err(Ambiguity::Value(k.to_owned()));
        }
    }
    Ok(())
}

/// The `(name, wire text)` pairs of a JSON object, leaving out `null` and `""` values.
pub fn json_pairs(
    object: &serde_json::Map<String, serde_json::Value>,
) -> Vec<(&str, std::borrow::Cow<'_, str>)> {
    object
        .iter()
        .filter_map(|(k, v)| wire_text(v).map(|t| (k.as_str(), t)))
        .collect()
}

/// Compares two hex strings in constant time, ignoring ASCII case. Different lengths compare
/// unequal (the length of a hex digest is not secret).
pub fn ct_eq_hex(expected: &str, given: &str) -> bool {
    if expected.len() != given.len() {
        return false;
    }
    let mut ok = subtle::Choice::from(1u8);
    for (a, b) in expected.bytes().zip(given.bytes()) {
        ok &= a.to_ascii_lowercase().ct_eq(&b.to_ascii_lowercase());
    }
    ok.into()
}

/// The envelope scheme: `md5(appId&data&timestamp&key)`, lowercase hex, over UTF-8, where `data`
/// is the exact JSON string sent.
///
/// ```
/// use sign_md5::EnvelopeSigner;
///
/// let signer = EnvelopeSigner::new("LFT1001", "a8f5f167f44f4964e6c998dee827110c");
/// let sign = signer.sign("{\"a\":1}", "20201010123015123");
/// assert_eq!(sign.len(), 32);
/// assert!(signer.verify("{\"a\":1}", "20201010123015123", &sign));
/// assert!(!signer.verify("{\"a\":2}", "20201010123015123", &sign));
/// ```
#[derive(Clone)]
pub struct EnvelopeSigner<'a> {
    app_id: &'a str,
    key: &'a str,
}

impl std::fmt::Debug for EnvelopeSigner<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EnvelopeSigner")
            .field("app_id", &self.app_id)
            .field("key", &"***")
            .finish()
    }
}

impl<'a> EnvelopeSigner<'a> {
    /// A signer for `app_id` and `key`.
    pub fn new(app_id: &'a str, key: &'a str) -> Self {
        EnvelopeSigner { app_id, key }
    }

    /// The exact text that is hashed (contains the key).
    pub fn sign_string(&self, data: &str, timestamp: &str) -> String {
        let mut s = String::with_capacity(
            self.app_id.len() + data.len() + timestamp.len() + self.key.len() + 3,
        );
        s.push_str(self.app_id);
        s.push('&');
        s.push_str(data);
        s.push('&');
        s.push_str(timestamp);
        s.push('&');
        s.push_str(self.key);
        s
    }

    /// The lowercase hex MD5 sign.
    pub fn sign(&self, data: &str, timestamp: &str) -> String {
        let mut h = Md5::new();
        h.update(self.app_id.as_bytes());
        h.update(b"&");
        h.update(data.as_bytes());
        h.update(b"&");
        h.update(timestamp.as_bytes());
        h.update(b"&");
        h.update(self.key.as_bytes());
        hex::encode(h.finalize())
    }

    /// Verifies `sign` (hex, either case) in constant time.
    pub fn verify(&self, data: &str, timestamp: &str, sign: &str) -> bool {
        ct_eq_hex(&self.sign(data, timestamp), sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_and_sign_are_skipped() {
        let s = ParamSigner::new("K");
        assert_eq!(
            s.sign_string(
                [("b", "2"), ("sign", "X"), ("a", ""), ("c", "3")],
                SortOrder::Ascii
            ),
            "b=2&c=3&key=K"
        );
        assert_eq!(s.sign_string([], SortOrder::Ascii), "key=K");
    }

    #[test]
    fn orders_differ_only_on_case() {
        let s = ParamSigner::new("K");
        let p = [("amount", "1"), ("Zone", "east")];
        assert_eq!(
            s.sign_string(p, SortOrder::Ascii),
            "Zone=east&amount=1&key=K"
        );
        assert_eq!(
            s.sign_string(p, SortOrder::CaseInsensitive),
            "amount=1&Zone=east&key=K"
        );
        let ci = s.sign_with(p, SortOrder::CaseInsensitive);
        let ascii = s.sign_with(p, SortOrder::Ascii);
        assert_ne!(ci, ascii);
        assert!(s.verify(p, &ci));
        assert!(s.verify(p, &ascii));
        assert!(!s.verify(p, "00000000000000000000000000000000"));
        assert!(!s.verify(p, ""));
    }

    #[test]
    fn known_md5() {
        // md5("key=K") computed independently
        let s = ParamSigner::new("K");
        assert_eq!(s.sign([]), hex::encode_upper(Md5::digest(b"key=K")));
        assert_eq!(
            EnvelopeSigner::new("", "").sign("", ""),
            hex::encode(Md5::digest(b"&&&"))
        );
        assert_eq!(
            hex::encode(Md5::digest(b"")),
            "d41d8cd98f00b204e9800998ecf8427e"
        );
    }

    #[test]
    fn json_values_are_signed_as_wire_text() {
        let v: serde_json::Value = serde_json::json!({
            "amount": 100, "extra": {"openId": "o1"}, "empty": "", "none": null, "flag": true
        });
        let obj = v.as_object().unwrap();
        let pairs = json_pairs(obj);
        let s = ParamSigner::new("K");
        assert_eq!(
            s.sign_string(
                pairs.iter().map(|(k, v)| (*k, v.as_ref())),
                SortOrder::Ascii
            ),
            "amount=100&extra={\"openId\":\"o1\"}&flag=true&key=K"
        );
        assert_eq!(
            s.sign_json(obj),
            s.sign(pairs.iter().map(|(k, v)| (*k, v.as_ref())))
        );
    }

    /// The re-partition the checks exist for: a value swallowing `&name=` signs the same as
    /// the split parameters.
    #[test]
    fn repartitioned_sets_sign_alike_and_are_refused() {
        let s = ParamSigner::new("K");
        let genuine = [
            ("mchId", "1"),
            ("mchOrderNo", "S1"),
            ("param1", "z&mchOrderNo=B1"),
        ];
        let forged = [("mchId", "1&mchOrderNo=S1&param1=z"), ("mchOrderNo", "B1")];
        assert_eq!(s.sign(genuine), s.sign(forged));
        assert_eq!(
            check_unambiguous(genuine),
            Err(Ambiguity::Value("param1".into()))
        );
        assert_eq!(
            check_unambiguous(forged),
            Err(Ambiguity::Value("mchId".into()))
        );
        assert_eq!(
            check_unambiguous([("", "1")]),
            Err(Ambiguity::Name(String::new()))
        );
        assert_eq!(
            check_unambiguous([("a&b", "")]),
            Err(Ambiguity::Name("a&b".into()))
        );
        assert_eq!(
            check_unambiguous([("a=", "1")]),
            Err(Ambiguity::Name("a=".into()))
        );
        // `=` alone, `&` alone, or `=` before `&` cannot swallow a following pair.
        assert_eq!(
            check_unambiguous([
                ("a", "x=y"),
                ("b", "x & y"),
                ("c", "k=v&"),
                ("sign", "a&b=c")
            ]),
            Ok(())
        );
        assert!(!value_is_unambiguous("a&&=b"));
        assert!(!value_is_unambiguous("&="));
        assert!(value_is_unambiguous("=&"));
    }

    #[test]
    fn ct_eq() {
        assert!(ct_eq_hex("ABCDEF", "abcdef"));
        assert!(!ct_eq_hex("ABCDEF", "abcde0"));
        assert!(!ct_eq_hex("ABCDEF", "ABCDE"));
    }

    proptest::proptest! {
        /// The signing order is a stable sort on the whole names: short and long names, shared
        /// prefixes, non-ASCII, duplicates, empty values, many parameters.
        #[test]
        fn ascii_order_is_a_stable_byte_wise_sort(
            pairs in proptest::collection::vec(("(sign|mchOrderNo|mchOrder|channel[A-Za-z]{0,3}|[a-zA-Z0-9\\x00é]{0,10})", "[a-z]{0,2}"), 0..45),
        ) {
            let input: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let mut expected: Vec<(&str, &str)> = input.iter().copied().filter(|(k, v)| !v.is_empty() && *k != "sign").collect();
            expected.sort_by(|a, b| a.0.cmp(b.0));
            proptest::prop_assert_eq!(sorted(input.iter().copied(), SortOrder::Ascii), expected.clone());
            let signer = ParamSigner::new("K");
            proptest::prop_assert_eq!(signer.sign_pairs(&input), signer.sign(input.iter().copied()));
            proptest::prop_assert_eq!(signer.sign_pairs(&input), signer.sign_in_order(&expected));
            let mut sorted_input = input.clone();
            sorted_input.sort_by(|a, b| a.0.cmp(b.0));
            let mut expected: Vec<(&str, &str)> = sorted_input.iter().copied().filter(|(k, v)| !v.is_empty() && *k != "sign").collect();
            expected.sort_by(|a, b| a.0.cmp(b.0));
            proptest::prop_assert_eq!(sorted(sorted_input.iter().copied(), SortOrder::Ascii), expected);
        }

        #[test]
        fn sign_verify_round_trip(pairs in proptest::collection::btree_map("[a-zA-Z]{1,8}", "\\PC{0,12}", 0..10), key in "\\PC{0,20}") {
            let s = ParamSigner::new(&key);
            let it = pairs.iter().map(|(k, v)| (k.as_str(), v.as_str()));
            let sign = s.sign(it.clone());
            proptest::prop_assert!(s.verify(it.clone(), &sign));
            proptest::prop_assert!(s.verify(it.clone(), &sign.to_lowercase()));
            let e = EnvelopeSigner::new("app", &key);
            let data = format!("{pairs:?}");
            let es = e.sign(&data, "20200101000000000");
            proptest::prop_assert!(e.verify(&data, "20200101000000000", &es));
            proptest::prop_assert!(!e.verify(&data, "20200101000000001", &es));
        }
    }
}

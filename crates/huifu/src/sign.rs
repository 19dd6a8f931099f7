//! ShopEx Prism request signing (for plain-HTTP gateways).
//!
//! The sign is built exactly as the public Prism SDK builds it
//! (`shopex/prism-php`, `modules/PrismSign.php` and `src/Requester.php`):
//!
//! ```text
//! sign = UPPER(MD5( SECRET & METHOD & enc(path) & enc(headers) & enc(query) & enc(form) & SECRET ))
//! ```
//!
//! where `enc` is PHP's `rawurlencode` (RFC 3986: everything but `A–Z a–z 0–9 - _ . ~` as
//! `%XX`, uppercase hex), `headers` is `name=value` joined by `&` over the `Authorization` and
//! `X-Api-*` headers sorted by name, `query` is every query parameter (including `client_id`,
//! `sign_method=md5` and `sign_time`, but not `sign`) sorted by name and joined the same way, and
//! `form` is every form field sorted by name. Names are compared byte-wise (PHP `ksort` on
//! string keys).
//!
//! Header names are signed in canonical form (`Authorization`, `X-Api-Foo`), which is how the
//! SDK spells them and how a Go gateway reads them back; `http` keeps names in lowercase.

use md5::{Digest, Md5};

/// PHP `rawurlencode`: RFC 3986 unreserved characters stay, every other byte becomes `%XX`.
///
/// ```
/// assert_eq!(huifu::sign::rawurlencode("/api/a b~c"), "%2Fapi%2Fa%20b~c");
/// ```
pub fn rawurlencode(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, RAWURLENCODE).to_string()
}

/// What PHP `rawurlencode` escapes: every byte but the RFC 3986 unreserved characters.
const RAWURLENCODE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A header name in canonical MIME form: `x-api-foo` → `X-Api-Foo`.
pub fn canonical_header_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}

fn sorted_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut v: Vec<(&str, &str)> = pairs.into_iter().collect();
    v.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    v.iter()
        .map(|(k, val)| format!("{k}={val}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The exact text that is hashed (contains the secret: diagnostics and tests only).
///
/// `headers` are `(canonical name, value)` pairs already filtered to `Authorization` and
/// `X-Api-*`; `query` must not contain `sign`.
pub fn prism_sign_string(
    secret: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    query: &[(String, String)],
    form: &[(String, String)],
) -> String {
    let h = sorted_pairs(headers.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let q = sorted_pairs(
        query
            .iter()
            .filter(|(k, _)| k != "sign")
            .map(|(k, v)| (k.as_str(), v.as_str())),
    );
    let f = sorted_pairs(form.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    [
        secret.to_owned(),
        method.to_owned(),
        rawurlencode(path),
        rawurlencode(&h),
        rawurlencode(&q),
        rawurlencode(&f),
        secret.to_owned(),
    ]
    .join("&")
}

/// The Prism sign: uppercase hex MD5 of [`prism_sign_string`].
///
/// ```
/// // Test vector computed independently from the prism-php algorithm.
/// let sign = huifu::sign::prism_sign(
///     "secret",
///     "POST",
///     "/api/hfpay/v1/trade/refund",
///     &[],
///     &[("client_id".into(), "key1".into()), ("sign_method".into(), "md5".into()), ("sign_time".into(), "1700000000".into())],
///     &[("order_id".into(), "R1".into()), ("trans_amt".into(), "1.00".into())],
/// );
/// assert_eq!(sign, "2F4320B5A7654E879524D87363E8FEB9");
/// ```
pub fn prism_sign(
    secret: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    query: &[(String, String)],
    form: &[(String, String)],
) -> String {
    let text = prism_sign_string(secret, method, path, headers, query, form);
    hex::encode_upper(Md5::digest(text.as_bytes()))
}

/// Constant-time comparison of two signs, ignoring ASCII case.
pub fn sign_eq(a: &str, b: &str) -> bool {
    ct_eq(&a.to_ascii_uppercase(), &b.to_ascii_uppercase())
}

/// Constant-time exact comparison of two strings (their lengths are not secret).
pub(crate) fn ct_eq(a: &str, b: &str) -> bool {
    subtle::ConstantTimeEq::ct_eq(a.as_bytes(), b.as_bytes()).into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rawurlencode_matches_php() {
        assert_eq!(rawurlencode("a=1&b=2"), "a%3D1%26b%3D2");
        assert_eq!(rawurlencode("测"), "%E6%B5%8B");
        assert_eq!(rawurlencode("A-z_0.9~ +"), "A-z_0.9~%20%2B");
    }

    #[test]
    fn canonical_names() {
        assert_eq!(canonical_header_name("authorization"), "Authorization");
        assert_eq!(canonical_header_name("x-api-unittest1"), "X-Api-Unittest1");
    }

    #[test]
    fn sign_string_layout() {
        let s = prism_sign_string(
            "S",
            "GET",
            "/p/q",
            &[
                ("X-Api-B".into(), "2".into()),
                ("Authorization".into(), "Bearer t".into()),
            ],
            &[
                ("z".into(), "1".into()),
                ("a".into(), "".into()),
                ("sign".into(), "x".into()),
            ],
            &[],
        );
        assert_eq!(
            s,
            "S&GET&%2Fp%2Fq&Authorization%3DBearer%20t%26X-Api-B%3D2&a%3D%26z%3D1&&S"
        );
        assert!(sign_eq("abc", "ABC"));
        assert!(!sign_eq("abc", "abd"));
        assert!(!sign_eq("abc", "abcd"));
        assert!(ct_eq("Bearer t", "Bearer t"));
        assert!(!ct_eq("Bearer t", "Bearer u"));
        assert!(!ct_eq("Bearer t", "Bearer"));
    }
}

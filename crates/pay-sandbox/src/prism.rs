//! The ShopEx Prism request signature, as the gateway in front of Huifu checks it on plain HTTP.
//!
//! Implemented from the algorithm of the public Prism SDK (`shopex/prism-php`,
//! `modules/PrismSign.php`), independently of the `huifu` client crate:
//!
//! ```text
//! sign = UPPER(MD5( secret & METHOD & enc(path) & enc(headers) & enc(query) & enc(form) & secret ))
//! ```
//!
//! `enc` is PHP's `rawurlencode` (every byte but `A–Z a–z 0–9 - _ . ~` as `%XX`, uppercase hex);
//! `headers` are the `Authorization` and `X-Api-*` headers as `Name=value`, sorted by name and
//! joined by `&` (names in canonical form, since HTTP/1 servers see them in lowercase); `query`
//! is every query parameter but `sign` as `name=value`, sorted by name, joined by `&`; `form`
//! the text form fields likewise (a JSON body and file parts are not signed). Sorting is by
//! name, byte-wise (PHP `ksort`); the values are the decoded ones.

use md5::{Digest, Md5};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// How far `sign_time` may be from the sandbox's clock, in seconds.
pub(crate) const MAX_SKEW_SECS: i64 = 300;

/// What PHP `rawurlencode` leaves as it is: `A–Z a–z 0–9 - _ . ~` (RFC 3986 unreserved).
const RAWURLENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// PHP `rawurlencode`: every other byte as `%XX`, uppercase hex.
pub(crate) fn rawurlencode(s: &str) -> String {
    utf8_percent_encode(s, RAWURLENCODE).to_string()
}

/// `authorization` → `Authorization`, `x-api-foo-bar` → `X-Api-Foo-Bar`.
pub(crate) fn canonical_header(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        if upper {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
        upper = c == '-';
    }
    out
}

/// `k=v` pairs sorted by name (stable, byte-wise) and joined by `&`.
fn joined(pairs: &[(String, String)], skip: Option<&str>) -> String {
    let mut v: Vec<&(String, String)> = pairs
        .iter()
        .filter(|(k, _)| Some(k.as_str()) != skip)
        .collect();
    v.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    let mut out = String::new();
    for (i, (k, val)) in v.into_iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(val);
    }
    out
}

/// The signed headers of a request: `Authorization` and `X-Api-*`, canonical names.
pub(crate) fn signed_headers(headers: &http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| {
            let n = name.as_str();
            n == "authorization" || n.starts_with("x-api-")
        })
        .map(|(name, value)| {
            (
                canonical_header(name.as_str()),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// The text that is hashed. `query` may contain `sign`: it is left out.
pub(crate) fn sign_string(
    secret: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    query: &[(String, String)],
    form: &[(String, String)],
) -> String {
    [
        secret.to_owned(),
        method.to_owned(),
        rawurlencode(path),
        rawurlencode(&joined(headers, None)),
        rawurlencode(&joined(query, Some("sign"))),
        rawurlencode(&joined(form, None)),
        secret.to_owned(),
    ]
    .join("&")
}

/// The uppercase hex MD5 of [`sign_string`].
pub(crate) fn sign(
    secret: &str,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    query: &[(String, String)],
    form: &[(String, String)],
) -> String {
    let text = sign_string(secret, method, path, headers, query, form);
    hex::encode_upper(Md5::digest(text.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn pairs(v: &Value) -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_owned(),
                    p[1].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// The huifu author's independently computed vectors: same text, same sign.
    #[test]
    fn huifu_vectors() {
        let vectors: Value = serde_json::from_str(include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../vectors/prism_sign.json"
        )))
        .unwrap();
        let vectors = vectors.as_array().unwrap();
        assert_eq!(vectors.len(), 3);
        for (i, v) in vectors.iter().enumerate() {
            let args = (
                v["secret"].as_str().unwrap(),
                v["method"].as_str().unwrap(),
                v["path"].as_str().unwrap(),
                pairs(&v["headers"]),
                pairs(&v["query"]),
                pairs(&v["form"]),
            );
            assert_eq!(
                sign_string(args.0, args.1, args.2, &args.3, &args.4, &args.5),
                v["sign_string"].as_str().unwrap(),
                "vector {i}"
            );
            assert_eq!(
                sign(args.0, args.1, args.2, &args.3, &args.4, &args.5),
                v["sign"].as_str().unwrap(),
                "vector {i}"
            );
        }
    }

    #[test]
    fn sign_is_left_out_and_names_sorted() {
        let q = vec![
            ("z".to_owned(), "1".to_owned()),
            ("sign".to_owned(), "X".to_owned()),
            ("a".to_owned(), String::new()),
        ];
        assert_eq!(
            sign_string("S", "GET", "/p q", &[], &q, &[]),
            "S&GET&%2Fp%20q&&a%3D%26z%3D1&&S"
        );
    }

    #[test]
    fn encoding_and_header_names() {
        assert_eq!(rawurlencode("A-z_0.9~ +/中"), "A-z_0.9~%20%2B%2F%E4%B8%AD");
        assert_eq!(canonical_header("authorization"), "Authorization");
        assert_eq!(canonical_header("x-api-unit-test1"), "X-Api-Unit-Test1");
        let mut h = http::HeaderMap::new();
        h.insert("x-api-b", http::HeaderValue::from_static("2"));
        h.insert("content-type", http::HeaderValue::from_static("x"));
        h.insert("authorization", http::HeaderValue::from_static("Bearer t"));
        let mut got = signed_headers(&h);
        got.sort();
        assert_eq!(
            got,
            vec![
                ("Authorization".to_owned(), "Bearer t".to_owned()),
                ("X-Api-B".to_owned(), "2".to_owned())
            ]
        );
    }
}

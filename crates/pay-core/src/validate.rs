//! Input checks shared by the provider crates. Each returns [`Error::InvalidInput`] naming the
//! field, so a request with bad input is never sent.

use crate::{Error, Money};

type Check = Result<(), Error>;

/// The value must not be empty.
///
/// ```
/// assert!(pay_core::validate::required("order_id", "").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn required(field: &'static str, value: &str) -> Check {
    if value.trim().is_empty() {
        Err(Error::invalid_input(field, "is required"))
    } else {
        Ok(())
    }
}

/// At most `max` characters (Unicode scalar values).
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn max_chars(field: &'static str, value: &str, max: usize) -> Check {
    if value.chars().count() > max {
        Err(Error::invalid_input(
            field,
            format!("must be at most {max} characters"),
        ))
    } else {
        Ok(())
    }
}

/// Required, and at most `max` characters.
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn required_max(field: &'static str, value: &str, max: usize) -> Check {
    required(field, value)?;
    max_chars(field, value, max)
}

/// Only ASCII letters, digits and the characters in `extra`.
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn ascii_alnum(field: &'static str, value: &str, extra: &str) -> Check {
    if value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || extra.contains(c))
    {
        Ok(())
    } else if extra.is_empty() {
        Err(Error::invalid_input(
            field,
            "must be ASCII letters and digits",
        ))
    } else {
        Err(Error::invalid_input(
            field,
            format!("must be ASCII letters, digits and `{extra}`"),
        ))
    }
}

/// Only ASCII digits, and not empty.
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn digits(field: &'static str, value: &str) -> Check {
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Error::invalid_input(field, "must be digits"))
    }
}

/// Greater than zero.
///
/// ```
/// use pay_core::{validate, Money};
/// assert!(validate::positive("amount", Money::from_fen(1)).is_ok());
/// assert!(validate::positive("amount", Money::ZERO).is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn positive(field: &'static str, amount: Money) -> Check {
    if amount.is_positive() {
        Ok(())
    } else {
        Err(Error::invalid_input(field, "must be greater than zero"))
    }
}

/// An absolute `http` or `https` URL.
///
/// ```
/// assert!(pay_core::validate::http_url("notifyUrl", "https://shop.example/notify").is_ok());
/// assert!(pay_core::validate::http_url("notifyUrl", "shop.example/notify").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn http_url(field: &'static str, value: &str) -> Check {
    if is_plain_http_url(value) {
        return Ok(());
    }
    match url::Url::parse(value) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => Ok(()),
        Ok(_) => Err(Error::invalid_input(field, "must be an http or https URL")),
        Err(e) => Err(Error::invalid_input(
            field,
            format!("is not a valid URL: {e}"),
        )),
    }
}

/// An optional URL: when present, a well-formed [`http_url`]; absent passes.
///
/// ```
/// use pay_core::validate::opt_url;
/// assert!(opt_url("returnUrl", None).is_ok());
/// assert!(opt_url("returnUrl", Some("https://shop.example/return")).is_ok());
/// assert!(opt_url("returnUrl", Some("")).is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn opt_url(field: &'static str, value: Option<&str>) -> Check {
    match value {
        Some(v) => http_url(field, v),
        None => Ok(()),
    }
}

/// Extension fields must not repeat a typed field (or one the client sets itself): the request
/// would carry the name twice. The error names the field as `extra.<name>`.
///
/// ```
/// use pay_core::validate::extra_disjoint;
/// let mut extra = serde_json::Map::new();
/// extra.insert("openId".into(), "o1".into());
/// assert!(extra_disjoint(&extra, &["mchOrderNo"]).is_ok());
/// extra.insert("mchOrderNo".into(), "A1".into());
/// match extra_disjoint(&extra, &["mchOrderNo"]) {
///     Err(pay_core::Error::InvalidInput { field, .. }) => assert_eq!(field, "extra.mchOrderNo"),
///     other => panic!("{other:?}"),
/// }
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] for the field `extra.<name>` of the first repeated name.
pub fn extra_disjoint(extra: &serde_json::Map<String, serde_json::Value>, typed: &[&str]) -> Check {
    match extra.keys().find(|k| typed.contains(&k.as_str())) {
        Some(k) => Err(Error::invalid_input(
            format!("extra.{k}"),
            "repeats a typed field or one the client sets: set it there, not in `extra`",
        )),
        None => Ok(()),
    }
}

/// A service's base URL, which request paths are appended to: an absolute `http` or `https`
/// URL ([`http_url`]) without a query (`?…`) or a fragment (`#…`). `https://gw.example/x?token=S`
/// would turn every call into `…/x?token=S/api/…`.
///
/// ```
/// assert!(pay_core::validate::base_url("base_url", "https://gw.example/prefix").is_ok());
/// assert!(pay_core::validate::base_url("base_url", "https://gw.example/x?token=S").is_err());
/// assert!(pay_core::validate::base_url("base_url", "https://gw.example/#top").is_err());
/// ```
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn base_url(field: &'static str, value: &str) -> Check {
    http_url(field, value)?;
    let parsed = url::Url::parse(value)
        .map_err(|e| Error::invalid_input(field, format!("is not a valid URL: {e}")))?;
    if parsed.query().is_some() || parsed.fragment().is_some() || value.contains(['?', '#']) {
        return Err(Error::invalid_input(
            field,
            "must not have a query (?…) or a fragment (#…): request paths are appended to it",
        ));
    }
    Ok(())
}

/// Recognises, without allocating, the plain URLs a merchant configures: `http://` or
/// `https://`, a host of ASCII letters, digits and inner hyphens (or a dotted-quad IPv4
/// address), an optional port, and printable ASCII after it. Everything this accepts the `url`
/// crate accepts as an http(s) URL with a host (a property test checks it); anything else
/// (user info, IPv6, IDNA, numeric hosts WHATWG would read otherwise, spaces, non-ASCII) is left
/// to the `url` crate, which decides.
fn is_plain_http_url(value: &str) -> bool {
    let rest = if let Some(rest) = value.strip_prefix("http://") {
        rest
    } else if let Some(rest) = value.strip_prefix("https://") {
        rest
    } else {
        return false;
    };
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let (host, port) = match authority.split_once(':') {
        Some((host, port)) => (host, Some(port)),
        None => (authority, None),
    };
    if let Some(port) = port {
        let numeric =
            !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit());
        if !numeric || port.parse::<u32>().map_or(true, |p| p > 65_535) {
            return false;
        }
    }
    is_plain_host(host) && tail.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// A DNS name of plain ASCII labels, or a dotted-quad IPv4 address without leading zeros.
fn is_plain_host(host: &str) -> bool {
    if host.is_empty() || host.len() > 253 {
        return false;
    }
    let numeric_end = host
        .rsplit('.')
        .next()
        .is_some_and(|last| last.bytes().next().is_some_and(|b| b.is_ascii_digit()));
    if numeric_end {
        // WHATWG reads a host ending in a number as IPv4 (octal, hex, fewer parts…): accept
        // only the unambiguous dotted quad.
        let mut parts = 0;
        for part in host.split('.') {
            parts += 1;
            let ok = !part.is_empty()
                && part.len() <= 3
                && part.bytes().all(|b| b.is_ascii_digit())
                && (part == "0" || !part.starts_with('0'))
                && part.parse::<u16>().is_ok_and(|n| n <= 255);
            if !ok {
                return false;
            }
        }
        return parts == 4;
    }
    host.split('.').all(|label| {
        !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && !label
                .get(..4)
                .is_some_and(|p| p.eq_ignore_ascii_case("xn--"))
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    })
}

/// A calendar date written `yyyyMMdd`.
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn compact_date(field: &'static str, value: &str) -> Check {
    if crate::clock::is_compact_date(value) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            "must be a date written yyyyMMdd",
        ))
    }
}

/// One of the listed values.
///
/// # Errors
/// [`Error::InvalidInput`].
pub fn one_of(field: &'static str, value: &str, allowed: &[&str]) -> Check {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("must be one of {}", allowed.join(", ")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_base_url_has_no_query_or_fragment() {
        for ok in [
            "https://gw.example",
            "http://10.0.0.1:3020",
            "https://gw.example/prefix/",
        ] {
            assert!(base_url("base_url", ok).is_ok(), "{ok}");
        }
        for bad in [
            "https://gw.example/x?token=S",
            "https://gw.example?",
            "https://gw.example/#",
            "https://gw.example/x#frag",
            "ftp://gw.example",
        ] {
            match base_url("base_url", bad) {
                Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "base_url"),
                other => panic!("{bad}: {other:?}"),
            }
        }
        assert_eq!(
            base_url("base_url", "https://gw.example/x?token=S")
                .unwrap_err()
                .to_string(),
            "invalid input in `base_url`: must not have a query (?…) or a fragment (#…): request paths are appended to it"
        );
    }

    #[test]
    fn checks() {
        assert!(required("f", " ").is_err());
        assert!(required("f", "x").is_ok());
        assert!(max_chars("f", "测试", 2).is_ok());
        assert!(max_chars("f", "测试a", 2).is_err());
        assert!(required_max("f", "", 2).is_err());
        assert!(ascii_alnum("f", "ab_1", "_").is_ok());
        assert!(ascii_alnum("f", "ab-1", "_").is_err());
        assert!(ascii_alnum("f", "中", "").is_err());
        assert!(digits("f", "0123").is_ok());
        assert!(digits("f", "").is_err());
        assert!(compact_date("f", "20240101").is_ok());
        assert!(compact_date("f", "2024-01-01").is_err());
        assert!(one_of("f", "T0", &["T0", "T1"]).is_ok());
        let e = one_of("f", "T2", &["T0", "T1"]).unwrap_err();
        assert_eq!(e.to_string(), "invalid input in `f`: must be one of T0, T1");
        assert!(http_url("u", "ftp://x/y").is_err());
        assert!(http_url("u", "http://127.0.0.1:3020/notify").is_ok());
    }

    fn url_crate_accepts(value: &str) -> bool {
        url::Url::parse(value)
            .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
    }

    #[test]
    fn the_fast_path_takes_plain_urls_and_leaves_the_rest_to_the_url_crate() {
        for plain in [
            "http://127.0.0.1:3020/notify",
            "https://shop.example/notify?a=1&b=%E4%B8%AD#frag",
            "https://api-1.shop.example:8443",
            "http://localhost",
            "http://0.0.0.0/",
            "https://a.b/c/~d_e.f!$&'()*+,;=:@[]{}|^`\"<>",
        ] {
            assert!(is_plain_http_url(plain), "{plain}");
            assert!(url_crate_accepts(plain), "{plain}");
        }
        // Left to the url crate, which accepts some and refuses others.
        for (other, valid) in [
            ("HTTP://shop.example/", true),
            ("http://user:pw@shop.example/", true),
            ("http://[::1]:8080/", true),
            ("http://中文.example/", true),
            ("http://xn--fiqs8s.example/", true),
            ("http://0x7f.1/", true),
            ("http://010.1.1.1/", true),
            ("http://shop.example./", true),
            ("http://shop.example/a b", true),
            ("http://a\\b/", true),
            ("http://1.2.3.256/", false),
            ("http://1.2.3.4.5/", false),
            ("http://shop.example:65536/", false),
            ("http://shop.example:x/", false),
            ("http:///path", true),
            ("http://", false),
            ("http://:80/", false),
            ("shop.example/notify", false),
            ("mailto:a@b", false),
        ] {
            assert!(!is_plain_http_url(other), "{other}");
            assert_eq!(http_url("u", other).is_ok(), valid, "{other}");
        }
    }

    proptest::proptest! {
        /// The fast path never accepts what the url crate refuses.
        #[test]
        fn fast_path_acceptance_implies_url_crate_acceptance(
            value in "(https?|HTTP|ftp)://[a-zA-Z0-9.:@\\[\\]%-]{0,24}([/?#][ -~]{0,16})?",
        ) {
            if is_plain_http_url(&value) {
                proptest::prop_assert!(url_crate_accepts(&value), "{}", value);
            }
        }

        /// The same on hosts made of labels that look like numbers, names and hyphens.
        #[test]
        fn numeric_and_hyphenated_hosts(
            labels in proptest::collection::vec("(0|[1-9][0-9]{0,3}|0[0-9x]{1,3}|-?[a-z0-9]{1,3}-?)", 1..6),
            port in proptest::option::of("[0-9]{1,6}"),
        ) {
            let mut value = format!("http://{}", labels.join("."));
            if let Some(port) = port {
                value = format!("{value}:{port}");
            }
            if is_plain_http_url(&value) {
                proptest::prop_assert!(url_crate_accepts(&value), "{}", value);
            }
        }
    }
}

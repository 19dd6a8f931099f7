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
    match url::Url::parse(value) {
        Ok(u) if (u.scheme() == "http" || u.scheme() == "https") && u.host().is_some() => Ok(()),
        Ok(_) => Err(Error::invalid_input(field, "must be an http or https URL")),
        Err(e) => Err(Error::invalid_input(
            field,
            format!("is not a valid URL: {e}"),
        )),
    }
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
}

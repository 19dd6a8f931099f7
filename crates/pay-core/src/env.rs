//! Settings from the environment, read the same way by every provider's `Config::from_env`:
//! an empty variable counts as unset, and every error names the variable.

use std::time::Duration;

use crate::Error;

/// The longest timeout a setting may ask for, in seconds: a request that has not answered in
/// five minutes will not, and an unbounded wait hides an outage.
pub const MAX_TIMEOUT_SECS: u64 = 300;

/// The value of environment variable `name`; empty counts as unset.
///
/// # Errors
/// [`Error::InvalidInput`] naming the variable when its value is not UTF-8.
pub fn var(name: &'static str) -> Result<Option<String>, Error> {
    match std::env::var(name) {
        Ok(v) if v.is_empty() => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(Error::invalid_input(name, "is not valid UTF-8"))
        }
    }
}

/// The value of the required environment variable `name`.
///
/// # Errors
/// [`Error::InvalidInput`] naming the variable when it is unset, empty or not UTF-8.
pub fn required(name: &'static str) -> Result<String, Error> {
    var(name)?.ok_or_else(|| Error::invalid_input(name, "is not set"))
}

fn timeout_reason() -> String {
    format!("must be a whole number of seconds from 1 to {MAX_TIMEOUT_SECS}")
}

/// A `timeout` setting (whole seconds from 1 to [`MAX_TIMEOUT_SECS`]), checked.
///
/// # Errors
/// [`Error::InvalidInput`] naming `field` when out of range.
pub fn timeout_secs(field: &'static str, secs: Option<u64>) -> Result<Option<Duration>, Error> {
    match secs {
        None => Ok(None),
        Some(s) if (1..=MAX_TIMEOUT_SECS).contains(&s) => Ok(Some(Duration::from_secs(s))),
        Some(_) => Err(Error::invalid_input(field, timeout_reason())),
    }
}

/// The environment variable `name` as a timeout in whole seconds.
///
/// # Errors
/// [`Error::InvalidInput`] naming the variable when it is not a whole number of seconds from 1
/// to [`MAX_TIMEOUT_SECS`].
pub fn timeout(name: &'static str) -> Result<Option<Duration>, Error> {
    let secs = match var(name)? {
        None => None,
        Some(v) => Some(
            v.parse::<u64>()
                .map_err(|_| Error::invalid_input(name, timeout_reason()))?,
        ),
    };
    timeout_secs(name, secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_bounded_and_errors_name_the_field() {
        assert_eq!(timeout_secs("t", None).unwrap(), None);
        assert_eq!(
            timeout_secs("t", Some(300)).unwrap(),
            Some(Duration::from_secs(300))
        );
        for bad in [0, 301, u64::MAX] {
            assert_eq!(
                timeout_secs("t", Some(bad)).unwrap_err().to_string(),
                "invalid input in `t`: must be a whole number of seconds from 1 to 300"
            );
        }
        // An unset variable is no value; a required one names itself.
        let name = "CNPAY_PAY_CORE_ENV_TEST_UNSET";
        assert_eq!(var(name).unwrap(), None);
        assert_eq!(
            required(name).unwrap_err().to_string(),
            format!("invalid input in `{name}`: is not set")
        );
        assert_eq!(timeout(name).unwrap(), None);
    }
}

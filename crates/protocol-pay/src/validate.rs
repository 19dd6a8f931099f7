//! Input checks particular to this provider.

use pay_core::{Error, Extensions, Operation};

/// The longest `outReqNo` accepted (the spec gives no limit; 64 is what the reference system's
/// columns hold for request numbers of this kind).
pub const OUT_REQ_NO_MAX: usize = 64;

/// Checks an `outReqNo`: required, starts with the app id (the spec: 必须以appId开头), has
/// something after it, ASCII letters, digits, `_` and `-` only, at most [`OUT_REQ_NO_MAX`]
/// characters.
///
/// ```
/// use protocol_pay::validate::out_req_no;
///
/// assert!(out_req_no("LFT1001", "LFT1001202010100001").is_ok());
/// let err = out_req_no("LFT1001", "X202010100001").unwrap_err();
/// assert_eq!(err.to_string(), "invalid input in `outReqNo`: must start with the app id `LFT1001`");
/// ```
///
/// # Errors
/// [`Error::InvalidInput`] naming `outReqNo`.
pub fn out_req_no(app_id: &str, value: &str) -> Result<(), Error> {
    out_req_no_format(value)?;
    if !value.starts_with(app_id) {
        return Err(Error::invalid_input(
            "outReqNo",
            format!("must start with the app id `{app_id}`"),
        ));
    }
    if value.len() == app_id.len() {
        return Err(Error::invalid_input(
            "outReqNo",
            "must have a serial number after the app id",
        ));
    }
    Ok(())
}

/// Checks what can be checked of an `outReqNo` without the app id: required, ASCII letters,
/// digits, `_` and `-` only, at most [`OUT_REQ_NO_MAX`] characters.
///
/// # Errors
/// [`Error::InvalidInput`] naming `outReqNo`.
pub fn out_req_no_format(value: &str) -> Result<(), Error> {
    pay_core::validate::required_max("outReqNo", value, OUT_REQ_NO_MAX)?;
    pay_core::validate::ascii_alnum("outReqNo", value, "_-")
}

/// `extra` must repeat none of operation `O`'s fields ([`Operation::FIELDS`], which list every
/// typed field of the request).
pub(crate) fn extra_disjoint<O: Operation>(extra: &Extensions) -> Result<(), Error> {
    let typed: Vec<&str> = O::FIELDS.iter().map(|f| f.name).collect();
    pay_core::validate::extra_disjoint(extra, &typed)
}

/// A known value of a wire enum.
pub(crate) fn known(field: &'static str, is_known: bool, allowed: &str) -> Result<(), Error> {
    if is_known {
        Ok(())
    } else {
        Err(Error::invalid_input(
            field,
            format!("must be one of {allowed}"),
        ))
    }
}

/// An optional text must be non-blank and short enough when present.
pub(crate) fn opt_text(field: &'static str, value: Option<&str>, max: usize) -> Result<(), Error> {
    match value {
        Some(v) => pay_core::validate::required_max(field, v, max),
        None => Ok(()),
    }
}

//! Builders of callbacks and gateway answers, for testing merchants' handlers offline
//! (feature `test-util`).
//!
//! Huifu's callbacks are not signed: `check_value` is base64 of the JSON result, and the
//! authenticated handler confirms it through the gateway (`unsgin`, `order_query`; see
//! [`crate::notify`]). So a test needs the callback *and* the gateway's answers:
//! [`callback`] builds the callback, [`unsign_response_body`] and [`response_body`] the bodies
//! a mock gateway returns, and [`tampered_callback`] a callback whose amount was changed after
//! the fact, which the handler must reject once the query reports the real amount.

use base64::Engine;
use pay_core::{IncomingNotification, Money};

use crate::response::HfResponse;

/// The `check_value` of `event`: base64 of its JSON.
pub fn check_value(event: &HfResponse) -> String {
    let json = serde_json::to_string(event).unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(json)
}

/// A `bg_ret_url` callback (form POST with `check_value`) carrying `event`.
pub fn callback(event: &HfResponse) -> IncomingNotification {
    IncomingNotification::post_form(pay_core::form::encode([(
        "check_value",
        check_value(event).as_str(),
    )]))
}

/// A callback claiming one fen more than `event` (as a forger would): confirmation by
/// `order_query` against a gateway that answers `event` must reject it.
pub fn tampered_callback(event: &HfResponse) -> IncomingNotification {
    let mut forged = event.clone();
    let amount = forged.trans_amt.unwrap_or(Money::ZERO);
    forged.trans_amt = Some(amount.checked_add(Money::from_fen(1)).unwrap_or(amount));
    callback(&forged)
}

/// The body of a gateway answer carrying `response` (the gateway does not sign responses).
pub fn response_body(response: &HfResponse) -> String {
    serde_json::to_string(response).unwrap_or_default()
}

/// The body `unsgin` answers for `event`: the decoded result at top level.
pub fn unsign_response_body(event: &HfResponse) -> String {
    response_body(event)
}

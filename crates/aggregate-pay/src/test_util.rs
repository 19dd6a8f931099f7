//! Builders of correctly signed notifications and responses, for testing merchants' handlers
//! offline (feature `test-util`).

use pay_core::{Error, IncomingNotification, SecretKey};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::notify::{PayNotification, TransNotification};
use crate::pay::{CreateOrderResponse, PayOrder};
use crate::payout::TransOrder;
use crate::sign::signed_body;

/// A notification's parameters, each as the text the gateway sends in the query string.
type Params = Vec<(String, String)>;

fn params_of<T: Serialize>(event: &T, rename: Option<(&str, &str)>) -> Result<Params, Error> {
    let v = pay_core::decode::to_value(event)?;
    let Value::Object(map) = v else {
        return Err(Error::invalid_input("event", "must serialise to an object"));
    };
    let mut p = Params::new();
    for (k, v) in &map {
        let k = match rename {
            Some((from, to)) if k == from => to,
            _ => k.as_str(),
        };
        if k == "sign" {
            continue;
        }
        if let Some(t) = crate::sign::wire_string(v) {
            p.push((k.to_owned(), t));
        }
    }
    Ok(p)
}

fn query_of(mut p: Params, key: &SecretKey) -> String {
    let sign = sign_md5::ParamSigner::new(key.expose_secret()).sign_pairs(&p);
    p.push(("sign".to_owned(), sign));
    pay_core::form::encode(p)
}

/// A pay notification as the gateway sends it: an HTTP POST with the parameters in the query
/// string and an empty body, signed with the response `key`.
///
/// # Errors
/// [`Error::Decode`] if the event cannot be serialised.
pub fn signed_pay_notification(
    event: &PayNotification,
    key: &SecretKey,
) -> Result<IncomingNotification, Error> {
    let query = query_of(params_of(event, None)?, key);
    Ok(IncomingNotification::new(
        http::Method::POST,
        query,
        bytes::Bytes::new(),
    ))
}

/// As [`signed_pay_notification`], with the amount raised by one fen after signing.
///
/// # Errors
/// As [`signed_pay_notification`].
pub fn tampered_pay_notification(
    event: &PayNotification,
    key: &SecretKey,
) -> Result<IncomingNotification, Error> {
    let mut tampered = event.clone();
    let query = query_of(params_of(event, None)?, key);
    tampered.amount = pay_core::Money::from_fen(event.amount.fen().saturating_add(1));
    let original = format!("amount={}", event.amount.fen());
    let changed = format!("amount={}", tampered.amount.fen());
    Ok(IncomingNotification::new(
        http::Method::POST,
        query.replacen(&original, &changed, 1),
        bytes::Bytes::new(),
    ))
}

/// A payout notification as the gateway sends it: an HTTP GET, the merchant's payout number
/// as `mchOrderNo`, signed with the response `key`.
///
/// # Errors
/// [`Error::Decode`] if the event cannot be serialised.
pub fn signed_trans_notification(
    event: &TransNotification,
    key: &SecretKey,
) -> Result<IncomingNotification, Error> {
    let query = query_of(
        params_of(event, Some(("mchTransOrderNo", "mchOrderNo")))?,
        key,
    );
    Ok(IncomingNotification::get(query))
}

/// As [`signed_trans_notification`], with the amount raised by one fen after signing.
///
/// # Errors
/// As [`signed_trans_notification`].
pub fn tampered_trans_notification(
    event: &TransNotification,
    key: &SecretKey,
) -> Result<IncomingNotification, Error> {
    let query = query_of(
        params_of(event, Some(("mchTransOrderNo", "mchOrderNo")))?,
        key,
    );
    let original = format!("amount={}", event.amount.fen());
    let changed = format!("amount={}", event.amount.fen().saturating_add(1));
    Ok(IncomingNotification::get(
        query.replacen(&original, &changed, 1),
    ))
}

fn object_of<T: Serialize>(v: &T) -> Result<Map<String, Value>, Error> {
    match pay_core::decode::to_value(v)? {
        Value::Object(m) => Ok(m),
        _ => Err(Error::invalid_input(
            "response",
            "must serialise to an object",
        )),
    }
}

/// A signed `SUCCESS` body for any object of top-level fields (`retCode` is set to `SUCCESS`
/// unless present), signed with the response `key` over every field except `payParams`.
///
/// # Errors
/// [`Error::Decode`] if the value cannot be serialised.
pub fn signed_response_body(fields: &Map<String, Value>, key: &SecretKey) -> Result<String, Error> {
    let mut m = fields.clone();
    m.entry("retCode")
        .or_insert_with(|| Value::String("SUCCESS".to_owned()));
    signed_body(&m, key)
}

/// A signed answer to a pay order.
///
/// # Errors
/// As [`signed_response_body`].
pub fn signed_create_order_response(
    response: &CreateOrderResponse,
    key: &SecretKey,
) -> Result<String, Error> {
    signed_response_body(&object_of(response)?, key)
}

/// A signed answer to a pay order query, the order nested in `result` (signed as its text).
///
/// # Errors
/// As [`signed_response_body`].
pub fn signed_query_order_response(order: &PayOrder, key: &SecretKey) -> Result<String, Error> {
    let mut m = Map::new();
    m.insert("retCode".to_owned(), Value::String("SUCCESS".to_owned()));
    m.insert("resCode".to_owned(), Value::String("SUCCESS".to_owned()));
    m.insert("result".to_owned(), Value::Object(object_of(order)?));
    signed_body(&m, key)
}

/// A signed answer to a payout or payout query (top-level fields).
///
/// # Errors
/// As [`signed_response_body`].
pub fn signed_trans_order_response(order: &TransOrder, key: &SecretKey) -> Result<String, Error> {
    signed_response_body(&object_of(order)?, key)
}

/// A signed business failure (`retCode=SUCCESS`, `resCode=FAIL`, `errCode`, `errCodeDes`).
///
/// # Errors
/// As [`signed_response_body`].
pub fn signed_business_error(code: &str, message: &str, key: &SecretKey) -> Result<String, Error> {
    let mut m = Map::new();
    m.insert("retCode".to_owned(), Value::String("SUCCESS".to_owned()));
    m.insert("resCode".to_owned(), Value::String("FAIL".to_owned()));
    m.insert("errCode".to_owned(), Value::String(code.to_owned()));
    m.insert("errCodeDes".to_owned(), Value::String(message.to_owned()));
    signed_body(&m, key)
}

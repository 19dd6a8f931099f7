//! How a gateway response is read: success, provider error, or an unreadable answer.
//!
//! The spec gives parameters only, no response fields. The reading below is ours, and it is
//! pluggable ([`ResponseInterpreter`], set with [`crate::ConfigBuilder::interpreter`]):
//!
//! 1. The Prism gateway's error envelope `{"result":"error","error":{"code":…,"message":…}}`,
//!    with any HTTP status, is a provider error (kind
//!    [`ProviderErrorKind::Unauthorized`] when the status is 401 or 403).
//! 2. Any other non-2xx status is [`Error::HttpStatus`] (raw body kept).
//! 3. The body must be a JSON object, else [`Error::Decode`] (raw body kept).
//! 4. When it carries `resp_code` and that is not `C00000` (success), `C00001` (processing) or
//!    `C00002` (accepted), it is a provider error with `resp_code` / `resp_desc`.
//! 5. Otherwise the body is decoded into the endpoint's typed response: the named fields typed,
//!    everything else kept in `extra`.

use std::fmt;

use bytes::Bytes;
use pay_core::{Error, Money, ProviderError, ProviderErrorKind};
use serde::{Deserialize, Serialize};

use crate::codes::{ErrorCode, RespCode, TransStat};

/// Decides whether a response is a success.
pub trait ResponseInterpreter: Send + Sync + fmt::Debug {
    /// `Ok(())` when the body is a success to decode into the typed response.
    ///
    /// # Errors
    /// [`Error::Provider`], [`Error::HttpStatus`] or [`Error::Decode`] (each with `order_id`,
    /// which is `None` for a read-only call). The client then classifies the error by the
    /// call's kind ([`pay_core::Call::classify`]): a query's is retry-safe and never
    /// `needs_query`, whatever the interpreter attached.
    fn check(&self, status: u16, body: &Bytes, order_id: Option<&str>) -> Result<(), Error>;
}

/// The reading described in the [module docs](self).
#[derive(Debug, Clone, Copy, Default)]
pub struct DefaultInterpreter;

#[derive(Deserialize)]
struct Envelope {
    result: String,
    error: Option<EnvelopeError>,
}

#[derive(Deserialize)]
struct EnvelopeError {
    #[serde(default, deserialize_with = "pay_core::decode::string_or_integer")]
    code: String,
    #[serde(default)]
    message: String,
}

/// The Prism error envelope, if `body` is one.
pub(crate) fn gateway_error(body: &[u8]) -> Option<ProviderError> {
    let env: Envelope = serde_json::from_slice(body).ok()?;
    if env.result != "error" {
        return None;
    }
    let (code, message) = match env.error {
        Some(e) => (e.code, e.message),
        None => ("error".to_owned(), String::new()),
    };
    Some(ProviderError::new(code, message))
}

impl ResponseInterpreter for DefaultInterpreter {
    fn check(&self, status: u16, body: &Bytes, order_id: Option<&str>) -> Result<(), Error> {
        if let Some(err) = gateway_error(body) {
            let err = if status == 401 || status == 403 {
                err.kind(ProviderErrorKind::Unauthorized)
            } else {
                err
            };
            return Err(Error::provider(err.order_id(order_id)));
        }
        if !(200..300).contains(&status) {
            return Err(Error::http_status(status, body.clone()).with_order_id(order_id));
        }
        let map: serde_json::Map<String, serde_json::Value> =
            pay_core::decode::json(body).map_err(|e| e.with_order_id(order_id))?;
        if let Some(code) = map.get("resp_code") {
            let code = match code {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if !RespCode::from_wire(&code).is_known() {
                let message = map
                    .get("resp_desc")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default();
                // A mutation carries its order id: a reused one there is a duplicate order.
                let call = match order_id {
                    Some(id) => pay_core::CallKind::mutation(id),
                    None => pay_core::CallKind::Query,
                };
                let kind = ErrorCode::from_wire(&code).kind(&call, message);
                return Err(Error::provider(
                    ProviderError::new(code, message)
                        .kind(kind)
                        .order_id(order_id),
                ));
            }
        }
        Ok(())
    }
}

/// The response of every endpoint: the fields Huifu echoes (the request's own names) and the
/// result fields typed, everything else in `extra`.
///
/// The spec lists request parameters only. The result fields typed here are the names the
/// gateway answers with (as `pay-sandbox`, written from the spec and Huifu's other APIs, does):
/// the opening's `user_cust_id`, the binding's `card_id`, the balances, the uploaded file's
/// `file_id`, `order_download`'s `file_url`, `app_pay`'s `pay_info` and the bank check's
/// `bank_id`/`bank_name`. A value that is absent is `None`; one that is present but malformed
/// (a balance that is not a yuan amount) is a decode error, never a `None`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HfResponse {
    /// The result code (`C00000` success, `C00001` processing, `C00002` accepted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resp_code: Option<RespCode>,
    /// The result message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resp_desc: Option<String>,
    /// The merchant's customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mer_cust_id: Option<String>,
    /// The user's customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_cust_id: Option<String>,
    /// The merchant's order id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_id: Option<String>,
    /// The order date `yyyyMMdd`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_date: Option<String>,
    /// The amount.
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub trans_amt: Option<Money>,
    /// The transaction status where the answer carries one (`trans_stat`: Huifu's convention in
    /// its other APIs; this spec does not name it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trans_stat: Option<TransStat>,
    /// The merchant's private field, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mer_priv: Option<String>,
    /// The bank card's id (`bind_bank_card`, `untie_bank_card`; the checked card for
    /// `bank_check`). Masked in `Debug`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub card_id: Option<pay_core::CardNumber>,
    /// The bank's code (`bank_check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_id: Option<String>,
    /// The bank's name (`bank_check`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_name: Option<String>,
    /// The available balance (`balance_query`).
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub avl_balance: Option<Money>,
    /// The frozen balance (`balance_query`).
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub frz_balance: Option<Money>,
    /// The account's whole balance, available and frozen (`balance_query`).
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub acct_balance: Option<Money>,
    /// The uploaded file's id (`upload_card`, `upload_agent_file`, `upload_merchant_file`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_id: Option<String>,
    /// Where the statement file is (`order_download`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_url: Option<String>,
    /// What the payer opens or scans (`app_pay`): a pay URL or the QR code's data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_info: Option<String>,
    /// Every other field.
    #[serde(flatten)]
    pub extra: pay_core::Extensions,
}

impl HfResponse {
    /// Whether `resp_code` says the request is finished successfully.
    pub fn is_success(&self) -> bool {
        self.resp_code == Some(RespCode::Success)
    }

    /// A string field from `extra`.
    pub fn extra_str(&self, key: &str) -> Option<&str> {
        self.extra.get(key).and_then(serde_json::Value::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interprets() {
        let i = DefaultInterpreter;
        let e = i
            .check(
                401,
                &Bytes::from_static(
                    br#"{"result":"error","error":{"code":"0040","message":"bad sign"}}"#,
                ),
                Some("O1"),
            )
            .unwrap_err();
        match e {
            Error::Provider(p) => {
                assert_eq!(p.code, "0040");
                assert_eq!(p.message, "bad sign");
                assert_eq!(p.kind, ProviderErrorKind::Unauthorized);
                assert_eq!(p.order_id.as_deref(), Some("O1"));
            }
            other => panic!("{other:?}"),
        }
        assert!(
            i.check(200, &Bytes::from_static(br#"{"resp_code":"C00001"}"#), None)
                .is_ok()
        );
        let e = i
            .check(
                200,
                &Bytes::from(r#"{"resp_code":"E11012","resp_desc":"余额不足"}"#),
                None,
            )
            .unwrap_err();
        assert_eq!(e.to_string(), "provider error E11012: 余额不足");
        let e = i
            .check(502, &Bytes::from_static(b"bad gateway"), Some("O2"))
            .unwrap_err();
        assert!(matches!(e, Error::HttpStatus { status: 502, .. }));
        assert_eq!(e.order_id(), Some("O2"));
        let e = i
            .check(200, &Bytes::from_static(b"<html>"), Some("O3"))
            .unwrap_err();
        assert!(matches!(e, Error::Decode { .. }) && e.needs_query());
    }

    /// A reused order id on a mutation (which carries its order id) is "query it", never a
    /// plain refusal: `C10003` (pay-sandbox's code; the spec lists none) or a `resp_desc`
    /// saying so. A retry is not safe. On a query (no order id) it stays a rejection.
    #[test]
    fn a_reused_order_id_needs_a_query() {
        let i = DefaultInterpreter;
        for body in [
            r#"{"resp_code":"C10003","resp_desc":"订单号重复 (order_id + order_date used before)"}"#,
            r#"{"resp_code":"C10003"}"#,
            r#"{"resp_code":"E99999","resp_desc":"订单已存在"}"#,
        ] {
            let e = i
                .check(200, &Bytes::from(body), Some("P2024010100001"))
                .unwrap_err();
            assert!(
                matches!(&e, Error::Provider(p) if p.kind == ProviderErrorKind::DuplicateOrder),
                "{body}: {e:?}"
            );
            assert!(e.needs_query(), "{body}");
            assert!(!e.is_retry_safe(), "{body}");
            assert_eq!(e.order_id(), Some("P2024010100001"));
            let e = i.check(200, &Bytes::from(body), None).unwrap_err();
            assert!(
                matches!(&e, Error::Provider(p) if p.kind == ProviderErrorKind::Rejected),
                "{body}: {e:?}"
            );
            assert!(!e.needs_query(), "{body}");
        }
    }
}

//! `bg_ret_url` callbacks.
//!
//! Huifu POSTs a form to the merchant's `bg_ret_url` carrying `check_value` (and maybe other
//! fields). `check_value` is decoded by `unsgin` with `unsign_type=1`: base64 of the JSON result.
//!
//! # Security
//!
//! **Base64 is not a signature.** Anyone who knows the URL can post a `check_value` of their
//! own making; decoding it, locally or through `unsgin`, proves nothing. The authenticated path,
//! [`Client::verify_callback`] (and [`Client::notification_json`], the unified
//! `parse_*_notification`), therefore:
//!
//! 1. decodes `check_value` through the gateway's `unsgin` (so the provider sees and may reject
//!    it), then
//! 2. confirms the claim with `order_query` over the authenticated API, and returns the status
//!    and amount **the query** reports; a claimed amount that differs from the queried one is
//!    [`Error::Signature`] ([`SignatureErrorKind::Mismatch`]).
//!
//! Local decoding is offered only under names that say so: [`decode_check_value_unverified`]
//! and the [`NotificationVerifier`] impl on [`Client`], whose event is an
//! [`UnverifiedCallback`] (useful for replay protection with `pay_core::NotificationInbox`,
//! never as proof of payment: call [`UnverifiedCallback::confirm`]).
//!
//! # Reply
//!
//! The spec does not say what the merchant answers. The reply is configurable
//! ([`crate::Config::callback_reply`]), default the plain text `SUCCESS`; Huifu's other APIs
//! expect `RECV_ORD_ID_<order_id>` ([`recv_ord_id_reply`]).

use base64::Engine;
use pay_core::{
    Error, IncomingNotification, Money, NotificationEvent, NotificationReply, NotificationVerifier,
    SignatureErrorKind,
};
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::codes::{QueryTransType, RespCode, TransStat, UnsignType};
use crate::response::HfResponse;
use crate::trade::{OrderQueryRequest, UnsignRequest};

/// The reply `RECV_ORD_ID_<order_id>` (Huifu's convention in its other APIs).
pub fn recv_ord_id_reply(order_id: &str) -> NotificationReply {
    NotificationReply::text(format!("RECV_ORD_ID_{order_id}"))
}

/// The `check_value` of a callback: a form field (or query parameter), or a field of a JSON body.
///
/// # Errors
/// [`Error::Signature`] ([`SignatureErrorKind::Missing`]) when there is none,
/// ([`SignatureErrorKind::Malformed`]) when a parameter or JSON key is repeated.
pub fn check_value(n: &IncomingNotification) -> Result<String, Error> {
    // A parameter or key given twice (or in both the query and the body) is ambiguous: which
    // copy the gateway signed cannot be told, so it is refused rather than the first one read.
    let from_params = n
        .unique_params()?
        .into_iter()
        .find(|(k, _)| k == "check_value")
        .map(|(_, v)| v);
    let from_body = if n.body.trim_ascii_start().starts_with(b"{") {
        // Also refuses a query parameter named like a key of the body.
        match n.json_object() {
            Ok(map) => map
                .get("check_value")
                .and_then(|c| c.as_str())
                .map(str::to_owned),
            Err(e @ Error::Signature { .. }) => return Err(e),
            // Not JSON: no `check_value` there.
            Err(_) => None,
        }
    } else {
        None
    };
    let found = from_params.or(from_body);
    match found {
        Some(v) if !v.is_empty() => Ok(v),
        _ => Err(Error::signature(SignatureErrorKind::Missing)),
    }
}

/// Decodes a `check_value` locally (base64 of JSON). **Unverified**: anyone can produce one.
///
/// # Errors
/// [`Error::Decrypt`] for bad base64, [`Error::Decode`] when it is not the expected JSON.
pub fn decode_check_value_unverified(check_value: &str) -> Result<HfResponse, Error> {
    let trimmed = check_value.trim();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(trimmed))
        .map_err(Error::decrypt)?;
    pay_core::decode::json(&bytes)
}

/// The content the gateway decoded. The spec prints no `unsgin` response, so every shape seen
/// in Huifu's APIs is accepted: a nested `data` or `json_data` object, or either holding the
/// JSON text; otherwise the response itself.
fn unsign_content(resp: HfResponse) -> Result<HfResponse, Error> {
    let nested = ["data", "json_data"]
        .iter()
        .find_map(|k| resp.extra.get(*k).filter(|v| !v.is_null()));
    match nested {
        Some(serde_json::Value::String(s)) => pay_core::decode::json_str(s),
        Some(v @ serde_json::Value::Object(_)) => pay_core::decode::json(v.to_string().as_bytes()),
        _ => Ok(resp),
    }
}

/// A callback decoded locally: what it **claims**, not yet confirmed.
#[derive(Clone, PartialEq)]
pub struct UnverifiedCallback {
    /// The raw `check_value`.
    pub check_value: String,
    /// The claims.
    pub claimed: HfResponse,
}

impl std::fmt::Debug for UnverifiedCallback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UnverifiedCallback")
            .field(
                "check_value",
                &crate::types::Masked(&self.check_value, crate::types::length_only),
            )
            .field("claimed", &self.claimed)
            .finish()
    }
}

impl UnverifiedCallback {
    /// Confirms the claims through the gateway (see the [module docs](self)).
    ///
    /// # Errors
    /// As [`Client::verify_callback`].
    pub async fn confirm(
        &self,
        client: &Client,
        trans_type: Option<QueryTransType>,
    ) -> Result<CallbackEvent, Error> {
        client.confirm_claims(&self.check_value, trans_type).await
    }
}

impl NotificationEvent for UnverifiedCallback {
    fn replay_key(&self) -> String {
        replay_key(&self.claimed)
    }
}

fn replay_key(r: &HfResponse) -> String {
    format!(
        "huifu:{}:{}:{}",
        r.order_date.as_deref().unwrap_or_default(),
        r.order_id.as_deref().unwrap_or_default(),
        r.trans_stat
            .as_ref()
            .map(|s| s.as_str().to_owned())
            .or_else(|| r.resp_code.as_ref().map(|c| c.as_str().to_owned()))
            .unwrap_or_default()
    )
}

/// A callback confirmed by the gateway (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallbackEvent {
    /// The merchant's order id.
    pub order_id: String,
    /// The order date.
    pub order_date: String,
    /// The user's customer id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_cust_id: Option<String>,
    /// The amount, as the query reports it (else as claimed).
    #[serde(
        default,
        with = "pay_core::money::as_yuan_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub trans_amt: Option<Money>,
    /// The status, as the query reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trans_stat: Option<TransStat>,
    /// The query's result code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resp_code: Option<RespCode>,
    /// The order kind queried.
    pub trans_type: QueryTransType,
    /// What the callback claimed (decoded by `unsgin`).
    pub claimed: HfResponse,
    /// What `order_query` answered.
    pub confirmed: HfResponse,
}

impl NotificationEvent for CallbackEvent {
    fn replay_key(&self) -> String {
        replay_key(&self.confirmed)
    }
}

/// Guesses the order kind from the request fields a callback echoes: withdrawal fields → `03`,
/// the original of a refund (`org_order_*`) → `04`, a buyer id (`out_cust_id`: balance pay,
/// `order_affirm`, `order_reverse`) or the guarantee trade released (`old_order_*`:
/// `order_affirm`, `order_reverse`, `fz`) → `02`, otherwise `01`.
///
/// A callback that echoes none of them (an opening, a card binding) is guessed `01`, and
/// `order_query` finds no trade of that kind: pass the kind to [`Client::verify_callback`]
/// when the merchant knows it.
pub fn infer_trans_type(claimed: &HfResponse) -> QueryTransType {
    let has = |k: &str| claimed.extra.contains_key(k);
    if has("cash_bind_card_id") || has("cash_type") {
        QueryTransType::Withdrawal
    } else if has("org_order_id") || has("org_order_date") {
        QueryTransType::Refund
    } else if has("out_cust_id") || has("old_order_id") || has("old_order_date") {
        QueryTransType::Balance
    } else {
        QueryTransType::Pay
    }
}

impl Client {
    /// Decodes a `check_value` through `unsgin`. The gateway decodes it; base64 carries no proof
    /// of origin, so this alone does not authenticate the callback.
    ///
    /// # Errors
    /// As [`Client::unsign`].
    pub async fn decode_callback_via_unsgin(&self, check_value: &str) -> Result<HfResponse, Error> {
        let resp = self
            .unsign(&UnsignRequest {
                check_value: check_value.to_owned(),
                unsign_type: UnsignType::Base64,
                extra: pay_core::Extensions::new(),
            })
            .await?;
        unsign_content(resp)
    }

    /// The authenticated callback handler: decodes `check_value` through `unsgin`, then
    /// confirms with `order_query` (kind `trans_type`, or inferred with [`infer_trans_type`])
    /// and returns what the query says.
    ///
    /// # Errors
    /// [`Error::Signature`] when there is no `check_value` or the claimed order or amount
    /// differs from the queried one; [`Error::Decode`] when the claims lack `order_id` /
    /// `order_date`; otherwise the errors of `unsgin` and `order_query`.
    pub async fn verify_callback(
        &self,
        n: &IncomingNotification,
        trans_type: Option<QueryTransType>,
    ) -> Result<CallbackEvent, Error> {
        let cv = check_value(n)?;
        self.confirm_claims(&cv, trans_type).await
    }

    pub(crate) async fn confirm_claims(
        &self,
        check_value: &str,
        trans_type: Option<QueryTransType>,
    ) -> Result<CallbackEvent, Error> {
        let claimed = self.decode_callback_via_unsgin(check_value).await?;
        let (Some(order_id), Some(order_date)) =
            (claimed.order_id.clone(), claimed.order_date.clone())
        else {
            return Err(Error::decode(
                check_value,
                "the decoded callback has no order_id or order_date",
            ));
        };
        let trans_type = trans_type.unwrap_or_else(|| infer_trans_type(&claimed));
        let user_cust_id = claimed
            .user_cust_id
            .clone()
            .unwrap_or_else(|| self.config.mer_cust_id.clone());
        let confirmed = self
            .order_query(&OrderQueryRequest {
                user_cust_id: user_cust_id.clone(),
                order_id: order_id.clone(),
                order_date: order_date.clone(),
                trans_type: trans_type.clone(),
                mer_priv: None,
                extra: pay_core::Extensions::new(),
            })
            .await?;
        let mismatch =
            || Error::signature(SignatureErrorKind::Mismatch).with_order_id(Some(&order_id));
        if confirmed.order_id.as_deref().is_some_and(|q| q != order_id) {
            return Err(mismatch());
        }
        if let (Some(c), Some(q)) = (claimed.trans_amt, confirmed.trans_amt)
            && c != q
        {
            return Err(mismatch());
        }
        Ok(CallbackEvent {
            order_id,
            order_date,
            user_cust_id: Some(user_cust_id),
            trans_amt: confirmed.trans_amt.or(claimed.trans_amt),
            trans_stat: confirmed.trans_stat.clone(),
            resp_code: confirmed.resp_code.clone(),
            trans_type,
            claimed,
            confirmed,
        })
    }

    /// The authenticated callback as JSON (async: it calls the gateway), for the CLI and the
    /// sandbox: [`Client::verify_callback`] with the order kind inferred.
    ///
    /// # Errors
    /// As [`Client::verify_callback`].
    pub async fn notification_json(
        &self,
        n: &IncomingNotification,
    ) -> Result<serde_json::Value, Error> {
        self.notification_json_as(n, None).await
    }

    /// As [`Client::notification_json`], confirming with `order_query` of kind `trans_type`
    /// when given (the callback's own fields may not tell a withdrawal or a refund from a
    /// payment: see [`infer_trans_type`]).
    ///
    /// # Errors
    /// As [`Client::verify_callback`].
    pub async fn notification_json_as(
        &self,
        n: &IncomingNotification,
        trans_type: Option<QueryTransType>,
    ) -> Result<serde_json::Value, Error> {
        let event = self.verify_callback(n, trans_type).await?;
        pay_core::decode::to_value(&event)
    }
}

/// **Unverified** local decoding (see the [module docs](self)): the event is an
/// [`UnverifiedCallback`], to be confirmed before it is trusted.
impl NotificationVerifier for Client {
    type Event = UnverifiedCallback;

    fn verify_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<UnverifiedCallback, Error> {
        let cv = check_value(notification)?;
        let claimed = decode_check_value_unverified(&cv)?;
        Ok(UnverifiedCallback {
            check_value: cv,
            claimed,
        })
    }

    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text(self.config.callback_reply.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_decoding_and_replies() {
        let json = r#"{"resp_code":"C00000","order_id":"P1","order_date":"20240101","trans_amt":"1.50","cash_type":"T1"}"#;
        let cv = base64::engine::general_purpose::STANDARD.encode(json);
        let n = IncomingNotification::post_form(format!(
            "check_value={}",
            pay_core::form::encode([("x", cv.as_str())]).trim_start_matches("x=")
        ));
        assert_eq!(check_value(&n).unwrap(), cv);
        let r = decode_check_value_unverified(&cv).unwrap();
        assert_eq!(r.order_id.as_deref(), Some("P1"));
        assert_eq!(r.trans_amt, Some(Money::from_fen(150)));
        assert_eq!(infer_trans_type(&r), QueryTransType::Withdrawal);
        let kind = |json: &str| infer_trans_type(&pay_core::decode::json_str(json).unwrap());
        assert_eq!(
            kind(r#"{"order_id":"R1","org_order_id":"P1"}"#),
            QueryTransType::Refund
        );
        assert_eq!(
            kind(r#"{"order_id":"B1","in_cust_id":"2","out_cust_id":"1"}"#),
            QueryTransType::Balance
        );
        assert_eq!(
            kind(r#"{"order_id":"F1","old_order_id":"G1","old_order_date":"20240101"}"#),
            QueryTransType::Balance
        );
        assert_eq!(
            kind(r#"{"order_id":"A1","in_cust_id":"2","user_cust_id":"1"}"#),
            QueryTransType::Pay
        );
        assert_eq!(replay_key(&r), "huifu:20240101:P1:C00000");
        assert!(matches!(
            decode_check_value_unverified("!!"),
            Err(Error::Decrypt { .. })
        ));
        assert!(matches!(
            check_value(&IncomingNotification::post_form("a=1")),
            Err(Error::Signature {
                kind: SignatureErrorKind::Missing,
                ..
            })
        ));
        assert_eq!(recv_ord_id_reply("P1").body, "RECV_ORD_ID_P1");
    }

    /// A `check_value` given twice (in the query and the body, twice in one, or twice in a JSON
    /// body) is refused as malformed instead of the first copy being read.
    #[test]
    fn a_repeated_check_value_is_malformed() {
        let malformed = |n: &IncomingNotification| {
            matches!(
                check_value(n),
                Err(Error::Signature {
                    kind: SignatureErrorKind::Malformed,
                    ..
                })
            )
        };
        assert_eq!(
            check_value(&IncomingNotification::post_form("check_value=AAA")).unwrap(),
            "AAA"
        );
        assert!(malformed(&IncomingNotification::post_form(
            "check_value=AAA&check_value=BBB"
        )));
        let mut both = IncomingNotification::post_form("check_value=AAA");
        both.query = "check_value=BBB".to_owned();
        assert!(malformed(&both));
        assert!(malformed(&IncomingNotification::get(
            "check_value=AAA&check_value=AAA"
        )));
        // JSON: the key twice, or in the query too
        assert_eq!(
            check_value(&IncomingNotification::post_json(r#"{"check_value":"AAA"}"#)).unwrap(),
            "AAA"
        );
        assert!(malformed(&IncomingNotification::post_json(
            r#"{"check_value":"AAA","check_value":"BBB"}"#
        )));
        let mut both = IncomingNotification::post_json(r#"{"check_value":"AAA"}"#);
        both.query = "check_value=BBB".to_owned();
        assert!(malformed(&both));
    }
}

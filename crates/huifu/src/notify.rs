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
//! and [`UnverifiedCallback`] (never a verifier's event: call [`UnverifiedCallback::confirm`]).
//!
//! # The verifier: every callback confirmed, or a typed outcome
//!
//! The [`NotificationVerifier`] impl on [`Client`] (and on [`KindCallbacks`], for a merchant
//! that states the order kind: [`Client::callbacks_of`]) returns a [`ConfirmedCallback`], for
//! `pay_core::NotificationInbox`:
//!
//! - [`ConfirmedCallback::Trade`]: a trade callback confirmed by `order_query` (the kind given,
//!   or inferred with [`infer_trans_type`]); its [`transition`](NotificationEvent::transition)
//!   is the queried order's, read through [`crate::lifecycle`] (status and amount **from the
//!   query**; without `trans_stat` it is processing, never paid), and its replay key is that
//!   transition's dedup key.
//! - [`ConfirmedCallback::Opening`]: an account opening (`person_opening`, `business_opening`,
//!   `merchant_opening`, `agent_merchant_opening`) confirmed by `balance_query` of the user it
//!   names: the gateway answers for the account, so the account exists. No money moves:
//!   `transition()` is `None`.
//! - [`ConfirmedCallback::CardBinding`]: a card binding or unbinding callback. The spec offers
//!   no query that could confirm it (`order_query` knows trade kinds only, `bank_check` checks a
//!   card number's bank), so nothing it claims is returned but its order id, and
//!   `transition()` is `None`. What to do: act only on the `bind_bank_card` /
//!   `untie_bank_card` **answer** (it carries the `card_id`); acknowledge the callback, which
//!   stops Huifu's resends, and never act on its claims.
//!
//! Which of the three a callback is, is read from the fields it claims
//! ([`CallbackKind::of`]): anything that looks like a trade (an amount, a status, a field only
//! trades carry) is confirmed as a trade, so that no payment is ever acknowledged unconfirmed.
//!
//! # Reply
//!
//! The spec does not say what the merchant answers. The reply is configurable
//! ([`crate::ConfigBuilder::callback_reply`]), default the plain text `SUCCESS`; Huifu's other APIs
//! expect `RECV_ORD_ID_<order_id>` ([`recv_ord_id_reply`]).

use base64::Engine;
use pay_core::{
    Error, IncomingNotification, Money, NotificationEvent, NotificationReply, NotificationVerifier,
    SignatureErrorKind,
};
use serde::{Deserialize, Serialize};

use pay_core::lifecycle::{ExpectedOrder, Transition};

use crate::client::Client;
use crate::codes::{QueryTransType, RespCode, TransStat, UnsignType};
use crate::merchant::BalanceQueryRequest;
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

impl CallbackEvent {
    /// The confirmed order's transition: status and amount as `order_query` reported them,
    /// read through the table of [`CallbackEvent::trans_type`]; the order id is the merchant's,
    /// scoped by its `order_date` (a Huifu order is `order_id` + `order_date`: the same id on
    /// another day is another order, and its dedup key differs).
    /// `None` only for an order kind this version does not know (never confirmed).
    pub fn order_transition(&self) -> Option<Transition> {
        crate::lifecycle::table(&self.trans_type).map(|t| {
            crate::lifecycle::transition(t, &self.order_id, &self.confirmed)
                .order_scope(Some(self.order_date.clone()))
        })
    }
}

impl NotificationEvent for CallbackEvent {
    fn replay_key(&self) -> String {
        match self.order_transition() {
            Some(t) => t.dedup_key(),
            None => format!(
                "huifu:{}:{}:{}",
                self.trans_type.as_str(),
                self.order_date,
                self.order_id
            ),
        }
    }

    fn transition(&self) -> Option<Transition> {
        self.order_transition()
    }
}

/// An account opening confirmed by `balance_query` of the user it names (see the
/// [module docs](self)). No money moves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpeningEvent {
    /// The merchant's order id of the opening request.
    pub order_id: String,
    /// Its order date.
    pub order_date: String,
    /// The opened user, whose account the gateway answered for.
    pub user_cust_id: String,
    /// The account id the callback named, where it named one (sent to `balance_query`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acct_id: Option<String>,
    /// What the callback claimed (decoded by `unsgin`).
    pub claimed: HfResponse,
    /// What `balance_query` answered.
    pub confirmed: HfResponse,
}

/// A card binding or unbinding callback: the spec offers no query to confirm it, so only its
/// order id is kept (see the [module docs](self): act on the `bind_bank_card` answer, and
/// acknowledge the callback).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardBindingCallback {
    /// The order id the callback claims (unconfirmed: look the merchant's own binding request
    /// up by it, and act on that request's answer only).
    pub claimed_order_id: String,
    /// The order date it claims (unconfirmed).
    pub claimed_order_date: String,
}

/// What the [`NotificationVerifier`] impls of this crate return: a confirmed callback, or a
/// callback that cannot be confirmed and says what to do (see the [module docs](self)).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConfirmedCallback {
    /// A trade, confirmed by `order_query`.
    Trade(CallbackEvent),
    /// An account opening, confirmed by `balance_query`.
    Opening(OpeningEvent),
    /// A card binding or unbinding: not confirmable; act on the binding's answer only.
    CardBinding(CardBindingCallback),
}

impl ConfirmedCallback {
    /// The event as JSON: a trade as [`CallbackEvent`] serialises; an opening
    /// `{"callback": "opening", …}`; a binding
    /// `{"callback": "card_binding", "confirmed": false, "order_id", "order_date", "action"}`.
    ///
    /// # Errors
    /// [`Error::Decode`] if serialisation fails (it does not for these types).
    pub fn to_json(&self) -> Result<serde_json::Value, Error> {
        match self {
            ConfirmedCallback::Trade(e) => pay_core::decode::to_value(e),
            ConfirmedCallback::Opening(e) => {
                let mut v = pay_core::decode::to_value(e)?;
                if let serde_json::Value::Object(m) = &mut v {
                    m.insert("callback".into(), "opening".into());
                }
                Ok(v)
            }
            ConfirmedCallback::CardBinding(c) => Ok(serde_json::json!({
                "callback": "card_binding",
                "confirmed": false,
                "order_id": c.claimed_order_id,
                "order_date": c.claimed_order_date,
                "action": CARD_BINDING_ACTION,
            })),
        }
    }

    /// The confirmed trade, where it is one.
    pub fn trade(&self) -> Option<&CallbackEvent> {
        match self {
            ConfirmedCallback::Trade(e) => Some(e),
            _ => None,
        }
    }
}

/// What a merchant does with a card binding callback.
pub const CARD_BINDING_ACTION: &str = "not confirmable: the spec offers no query of a card binding; act only on the bind_bank_card/untie_bank_card answer, and acknowledge this callback so that Huifu stops resending it";

impl NotificationEvent for ConfirmedCallback {
    fn replay_key(&self) -> String {
        match self {
            ConfirmedCallback::Trade(e) => e.replay_key(),
            ConfirmedCallback::Opening(e) => {
                format!("huifu:opening:{}:{}", e.user_cust_id, e.order_id)
            }
            ConfirmedCallback::CardBinding(c) => format!(
                "huifu:card_binding:{}:{}",
                c.claimed_order_date, c.claimed_order_id
            ),
        }
    }

    fn transition(&self) -> Option<Transition> {
        match self {
            ConfirmedCallback::Trade(e) => e.order_transition(),
            ConfirmedCallback::Opening(_) | ConfirmedCallback::CardBinding(_) => None,
        }
    }
}

/// What a callback is, by the fields it claims.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum CallbackKind {
    /// A trade of this `order_query` kind.
    Trade(QueryTransType),
    /// An account opening.
    Opening,
    /// A card binding or unbinding.
    CardBinding,
}

/// The fields only a trade's callback carries (besides an amount or a status).
const TRADE_FIELDS: &[&str] = &[
    "in_cust_id",
    "out_cust_id",
    "org_order_id",
    "org_order_date",
    "old_order_id",
    "old_order_date",
    "cash_bind_card_id",
    "cash_type",
    "fee_obj",
    "div_detail",
    "pay_type",
];

impl CallbackKind {
    /// Reads the kind from the claims: a trade when the callback carries an amount
    /// (`trans_amt`), a status (`trans_stat`) or a field only trades carry (the kind then by
    /// [`infer_trans_type`]); otherwise an opening when it names a user and an account, an
    /// application or an audit result (`user_cust_id` with `acct_id`, `apply_id` or
    /// `audit_stat`); otherwise a card binding when it names a card or bank (`card_id`,
    /// `bank_id`, `card_no`); anything else is taken to be a trade (confirmed, or refused).
    pub fn of(claimed: &HfResponse) -> CallbackKind {
        let has = |k: &str| claimed.extra.contains_key(k);
        let trade = claimed.trans_amt.is_some()
            || claimed.trans_stat.is_some()
            || TRADE_FIELDS.iter().any(|k| has(k));
        if !trade {
            if claimed.user_cust_id.is_some()
                && (has("acct_id") || has("apply_id") || has("audit_stat"))
            {
                return CallbackKind::Opening;
            }
            if claimed.card_id.is_some() || claimed.bank_id.is_some() || has("card_no") {
                return CallbackKind::CardBinding;
            }
        }
        CallbackKind::Trade(infer_trans_type(claimed))
    }
}

/// A [`NotificationVerifier`] confirming every callback as a trade of one order kind (the
/// merchant's endpoint for, e.g., withdrawals): [`Client::callbacks_of`].
#[derive(Debug, Clone)]
pub struct KindCallbacks {
    client: Client,
    trans_type: QueryTransType,
}

#[async_trait::async_trait]
impl NotificationVerifier for KindCallbacks {
    type Event = ConfirmedCallback;

    async fn verify_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<ConfirmedCallback, Error> {
        self.client
            .confirm_callback(notification, Some(self.trans_type.clone()))
            .await
    }

    fn success_reply(&self) -> NotificationReply {
        NotificationReply::text(self.client.config.callback_reply.clone())
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

    /// Confirms any callback (see the [module docs](self)): a trade through `order_query` (of
    /// kind `trans_type` when given, else by [`CallbackKind::of`]), an opening through
    /// `balance_query`; a card binding is returned as not confirmable.
    ///
    /// # Errors
    /// As [`Client::verify_callback`]; an opening the gateway does not know is its error.
    pub async fn confirm_callback(
        &self,
        n: &IncomingNotification,
        trans_type: Option<QueryTransType>,
    ) -> Result<ConfirmedCallback, Error> {
        let cv = check_value(n)?;
        let claimed = self.decode_callback_via_unsgin(&cv).await?;
        let kind = match trans_type {
            Some(t) => CallbackKind::Trade(t),
            None => CallbackKind::of(&claimed),
        };
        match kind {
            CallbackKind::Opening => self.confirm_opening(&cv, claimed).await,
            CallbackKind::CardBinding => {
                let (order_id, order_date) = order_of(&cv, &claimed)?;
                Ok(ConfirmedCallback::CardBinding(CardBindingCallback {
                    claimed_order_id: order_id,
                    claimed_order_date: order_date,
                }))
            }
            CallbackKind::Trade(t) => self
                .confirm_decoded(&cv, claimed, Some(t))
                .await
                .map(ConfirmedCallback::Trade),
        }
    }

    async fn confirm_opening(
        &self,
        check_value: &str,
        claimed: HfResponse,
    ) -> Result<ConfirmedCallback, Error> {
        let (order_id, order_date) = order_of(check_value, &claimed)?;
        let Some(user_cust_id) = claimed.user_cust_id.clone() else {
            return Err(Error::decode(
                check_value,
                "the decoded opening callback has no user_cust_id",
            ));
        };
        let acct_id = claimed.extra_str("acct_id").map(str::to_owned);
        let confirmed = self
            .balance_query(&BalanceQueryRequest {
                user_cust_id: user_cust_id.clone(),
                acct_id: acct_id.clone(),
                extra: pay_core::Extensions::new(),
            })
            .await
            .map_err(|e| e.with_order_id(Some(&order_id)))?;
        if !confirmed.is_success() {
            return Err(
                Error::signature(SignatureErrorKind::Mismatch).with_order_id(Some(&order_id))
            );
        }
        if confirmed
            .user_cust_id
            .as_deref()
            .is_some_and(|u| u != user_cust_id)
        {
            return Err(
                Error::signature(SignatureErrorKind::Mismatch).with_order_id(Some(&order_id))
            );
        }
        self.check_merchant(&order_id, &claimed)?;
        self.check_merchant(&order_id, &confirmed)?;
        Ok(ConfirmedCallback::Opening(OpeningEvent {
            order_id,
            order_date,
            user_cust_id,
            acct_id,
            claimed,
            confirmed,
        }))
    }

    /// `mer_cust_id`, where `r` states it, must be the configured merchant's.
    pub(crate) fn check_merchant(&self, order_id: &str, r: &HfResponse) -> Result<(), Error> {
        ExpectedOrder::new(order_id)
            .party("mer_cust_id", self.config.mer_cust_id.clone())
            .check_stated(
                Some(order_id),
                None,
                &r.mer_cust_id
                    .iter()
                    .map(|m| ("mer_cust_id", m.clone()))
                    .collect::<Vec<_>>(),
            )
    }

    /// The merchant's order `order_id` of `amount`, with the configured `mer_cust_id`: check
    /// every confirmed callback's transition against it before acting
    /// (`client.expect(id, amount).check(&transition)`).
    pub fn expect(&self, order_id: &str, amount: Money) -> ExpectedOrder {
        ExpectedOrder::new(order_id)
            .amount(amount)
            .party("mer_cust_id", self.config.mer_cust_id.clone())
    }

    /// A verifier for an endpoint that receives callbacks of one order kind only: every
    /// callback is confirmed as a trade of `trans_type`.
    pub fn callbacks_of(&self, trans_type: QueryTransType) -> KindCallbacks {
        KindCallbacks {
            client: self.clone(),
            trans_type,
        }
    }

    pub(crate) async fn confirm_claims(
        &self,
        check_value: &str,
        trans_type: Option<QueryTransType>,
    ) -> Result<CallbackEvent, Error> {
        let claimed = self.decode_callback_via_unsgin(check_value).await?;
        self.confirm_decoded(check_value, claimed, trans_type).await
    }

    async fn confirm_decoded(
        &self,
        check_value: &str,
        claimed: HfResponse,
        trans_type: Option<QueryTransType>,
    ) -> Result<CallbackEvent, Error> {
        let (Some(order_id), Some(order_date)) =
            (claimed.order_id.clone(), claimed.order_date.clone())
        else {
            return Err(Error::decode(
                check_value,
                "the decoded callback has no order_id or order_date",
            ));
        };
        let trans_type = trans_type.unwrap_or_else(|| infer_trans_type(&claimed));
        if crate::lifecycle::table(&trans_type).is_none() {
            return Err(Error::invalid_input(
                "trans_type",
                "is not an order_query kind this version knows (01, 02, 03, 04)",
            ));
        }
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
        self.check_merchant(&order_id, &claimed)?;
        self.check_merchant(&order_id, &confirmed)?;
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
        self.confirm_callback(n, trans_type).await?.to_json()
    }
}

fn order_of(check_value: &str, claimed: &HfResponse) -> Result<(String, String), Error> {
    match (claimed.order_id.clone(), claimed.order_date.clone()) {
        (Some(id), Some(date)) => Ok((id, date)),
        _ => Err(Error::decode(
            check_value,
            "the decoded callback has no order_id or order_date",
        )),
    }
}

/// Confirms every callback through the gateway ([`Client::confirm_callback`], the kind read
/// from the callback): see the [module docs](self).
#[async_trait::async_trait]
impl NotificationVerifier for Client {
    type Event = ConfirmedCallback;

    async fn verify_notification(
        &self,
        notification: &IncomingNotification,
    ) -> Result<ConfirmedCallback, Error> {
        self.confirm_callback(notification, None).await
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
        assert_eq!(
            CallbackKind::of(&r),
            CallbackKind::Trade(QueryTransType::Withdrawal)
        );
        let of = |json: &str| CallbackKind::of(&pay_core::decode::json_str(json).unwrap());
        assert_eq!(
            of(r#"{"order_id":"U1","user_cust_id":"6666","acct_id":"A1"}"#),
            CallbackKind::Opening
        );
        assert_eq!(
            of(r#"{"order_id":"U1","user_cust_id":"6666","apply_id":"X","audit_stat":"Y"}"#),
            CallbackKind::Opening
        );
        assert_eq!(
            of(r#"{"order_id":"B1","user_cust_id":"6666","card_id":"100001"}"#),
            CallbackKind::CardBinding
        );
        // an amount or status makes it a trade, whatever else it names
        assert_eq!(
            of(r#"{"order_id":"U1","user_cust_id":"6666","acct_id":"A1","trans_amt":"1.00"}"#),
            CallbackKind::Trade(QueryTransType::Pay)
        );
        assert_eq!(
            of(r#"{"order_id":"B1","card_id":"1","trans_stat":"S"}"#),
            CallbackKind::Trade(QueryTransType::Pay)
        );
        assert_eq!(
            of(r#"{"order_id":"X"}"#),
            CallbackKind::Trade(QueryTransType::Pay)
        );
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

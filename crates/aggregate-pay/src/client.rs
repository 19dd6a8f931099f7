//! The client and the call pipeline: validate → sign → send → verify → decode.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use pay_core::{
    Call, CallKind, Error, ProviderError, RandomIds, SharedClock, SharedIdSource, SharedTransport,
    SystemClock,
};
use serde::de::DeserializeOwned;

use crate::codes::ErrorCode;
use crate::config::Config;
use crate::pay::{CreateOrderRequest, CreateOrderResponse, PayOrder, QueryOrderRequest};
use crate::payout::{TransOrder, TransOrderRequest, TransQueryRequest};
use crate::sign::{RawFields, WireParams};

/// The provider name used in logs and the unified traits.
pub const PROVIDER: &str = "aggregate-pay";

/// A client of the aggregate gateway.
///
/// ```no_run
/// # async fn run() -> Result<(), pay_core::Error> {
/// use aggregate_pay::{Client, Config};
///
/// let client = Client::new(
///     Config::new("20001222", "0ae8be35ff634e2abe94f5f32f6d5c4f", "REQUEST-KEY", "RESPONSE-KEY")
///         .base_url("http://203.0.113.10:3020"),
/// )?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) config: Arc<Config>,
    pub(crate) transport: SharedTransport,
    pub(crate) clock: SharedClock,
    pub(crate) ids: SharedIdSource,
    /// What [`Config::check`] found wrong, once, at construction (the config cannot change
    /// afterwards): every call is refused with it before anything is built.
    config_error: Option<Arc<(Cow<'static, str>, Cow<'static, str>)>>,
}

/// A signed request, ready to send, that the caller can keep.
///
/// The gateway's error `0010` asks for the same call again with the same parameters: keep the
/// `SignedRequest` and pass it to [`Client::resubmit`], which sends exactly the same signed
/// `params` (same order number, same sign). Signing is deterministic here (the gateway's
/// requests carry no timestamp or nonce), so signing the same typed request again gives the
/// same bytes too.
///
/// `Debug` shows the operation and the order id only: the parameters can hold personal data.
pub struct SignedRequest<R> {
    operation: &'static str,
    path: &'static str,
    /// The form body sent: `params=<the JSON, form-encoded>`.
    body: Bytes,
    /// The JSON text of `params`, decoded from `body` when first asked for.
    params: OnceLock<String>,
    order_id: Option<String>,
    mutation: bool,
    decode: fn(&Bytes, &RawFields<'_>) -> Result<R, Error>,
    _response: PhantomData<fn() -> R>,
}

impl<R> Clone for SignedRequest<R> {
    fn clone(&self) -> Self {
        SignedRequest {
            operation: self.operation,
            path: self.path,
            body: self.body.clone(),
            params: self.params.clone(),
            order_id: self.order_id.clone(),
            mutation: self.mutation,
            decode: self.decode,
            _response: PhantomData,
        }
    }
}

impl<R> fmt::Debug for SignedRequest<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignedRequest")
            .field("operation", &self.operation)
            .field("order_id", &self.order_id)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

impl<R> SignedRequest<R> {
    /// The operation name (`pay-create-order`, …).
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The endpoint path (`/api/pay/create_order`, …).
    pub fn path(&self) -> &'static str {
        self.path
    }

    /// The merchant's order number the request concerns.
    pub fn order_id(&self) -> Option<&str> {
        self.order_id.as_deref()
    }

    /// The exact JSON text sent as the form field `params`, `sign` included.
    ///
    /// # Security
    /// It holds the payee's name and account for a payout: do not log it.
    pub fn params_json(&self) -> &str {
        self.params.get_or_init(|| {
            pay_core::form::decode(&self.body)
                .into_iter()
                .find(|(name, _)| name == "params")
                .map(|(_, json)| json)
                .unwrap_or_default()
        })
    }

    /// The exact form body sent (`params=…`, form-encoded).
    ///
    /// # Security
    /// As [`SignedRequest::params_json`].
    pub fn body(&self) -> &[u8] {
        &self.body
    }
}

impl Client {
    /// A client on the default transport (reqwest with rustls, the config's timeout).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `base_url` when it is not an http(s) URL or has a query or a
    /// fragment ([`pay_core::validate::base_url`]); [`Error::Transport`] when the TLS backend
    /// cannot be initialised.
    #[cfg(feature = "reqwest")]
    pub fn new(config: Config) -> Result<Client, Error> {
        // A base URL with a query or a fragment would garble every path: refused now, not at
        // the first call (an empty one is refused when a call needs it).
        let base_url = &config.base_url;
        if !base_url.is_empty() {
            pay_core::validate::base_url("base_url", base_url)?;
        }
        let transport = pay_core::ReqwestTransport::builder()
            .timeout(config.timeout)
            .build()?;
        Ok(Client::with_transport(config, Arc::new(transport)))
    }

    /// A client on the given transport.
    pub fn with_transport(config: Config, transport: SharedTransport) -> Client {
        let config_error = match config.check() {
            Ok(()) => None,
            Err(Error::InvalidInput { field, reason }) => Some(Arc::new((field, reason))),
            Err(other) => Some(Arc::new(("config".into(), other.to_string().into()))),
        };
        Client {
            config_error,
            config: Arc::new(config),
            transport,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
        }
    }

    /// Uses `clock` for time (the gateway's requests carry none; kept for the common shape).
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `ids` for generated ids.
    #[must_use]
    pub fn with_ids(mut self, ids: SharedIdSource) -> Self {
        self.ids = ids;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    fn signed<R>(
        &self,
        operation: &'static str,
        path: &'static str,
        mut params: WireParams,
        order_id: Option<String>,
        mutation: bool,
        decode: fn(&Bytes, &RawFields<'_>) -> Result<R, Error>,
    ) -> Result<SignedRequest<R>, Error> {
        if let Some(problem) = &self.config_error {
            let (field, reason) = &**problem;
            return Err(Error::invalid_input(field.clone(), reason.clone()));
        }
        let sign = params.sign(&self.config.request_key);
        params.push("sign", sign);
        Ok(SignedRequest {
            operation,
            path,
            body: Bytes::from(params.to_form_body()),
            params: OnceLock::new(),
            order_id,
            mutation,
            decode,
            _response: PhantomData,
        })
    }

    /// Validates and signs a pay order without sending it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the wire field.
    pub fn sign_create_order(
        &self,
        request: &CreateOrderRequest,
    ) -> Result<SignedRequest<CreateOrderResponse>, Error> {
        let params = request.to_params(&self.config)?;
        self.signed(
            "pay-create-order",
            "/api/pay/create_order",
            params,
            Some(request.mch_order_no.clone()),
            true,
            |body, _| pay_core::decode::json(body),
        )
    }

    /// Creates a pay order (`/api/pay/create_order`); [`CreateOrderResponse::action`] says
    /// what the payer must do.
    ///
    /// # Errors
    /// * [`Error::InvalidInput`]: nothing was sent.
    /// * [`Error::UnknownOutcome`]: sent, no answer; query the order by `mchOrderNo`.
    /// * [`Error::Provider`] with
    ///   [`ProviderErrorKind::RetrySameParams`](pay_core::ProviderErrorKind::RetrySameParams)
    ///   (code `0010`): call [`Client::resubmit`] with the same signed request (or this method
    ///   with the same request), never with a new order number.
    /// * [`Error::Provider`] with
    ///   [`ProviderErrorKind::DuplicateOrder`](pay_core::ProviderErrorKind::DuplicateOrder)
    ///   (code `0011`, or a message saying the order number was used before): query the order.
    /// * [`Error::Provider`] (`retCode=FAIL` or `resCode=FAIL`): refused.
    /// * [`Error::Signature`], [`Error::HttpStatus`], [`Error::Decode`]: the answer cannot be
    ///   trusted or read; query the order.
    pub async fn create_order(
        &self,
        request: &CreateOrderRequest,
    ) -> Result<CreateOrderResponse, Error> {
        let signed = self.sign_create_order(request)?;
        self.submit(&signed).await
    }

    /// Validates and signs a pay order query without sending it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`].
    pub fn sign_query_order(
        &self,
        request: &QueryOrderRequest,
    ) -> Result<SignedRequest<PayOrder>, Error> {
        let params = request.to_params(&self.config)?;
        self.signed(
            "pay-query-order",
            "/api/pay/query_order",
            params,
            request.order_id(),
            false,
            decode_order::<PayOrder>,
        )
    }

    /// Queries a pay order (`/api/pay/query_order`). The gateway answers the order either
    /// nested in `result` (signed as its exact text) or as top-level fields; both are read.
    ///
    /// # Errors
    /// As [`Client::create_order`], except that a query moved no money: a transport failure is
    /// [`Error::Transport`], and an answer that cannot be trusted or read is retry-safe, carries
    /// no order id and never [`needs_query`](Error::needs_query). Send it again.
    pub async fn query_order(&self, request: &QueryOrderRequest) -> Result<PayOrder, Error> {
        let signed = self.sign_query_order(request)?;
        self.submit(&signed).await
    }

    /// Validates and signs a payout without sending it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] naming the wire field.
    pub fn sign_trans_create_order(
        &self,
        request: &TransOrderRequest,
    ) -> Result<SignedRequest<TransOrder>, Error> {
        let params = request.to_params(&self.config)?;
        self.signed(
            "trans-create-order",
            "/api/trans/create_order",
            params,
            Some(request.mch_trans_order_no.clone()),
            true,
            decode_order::<TransOrder>,
        )
    }

    /// Creates a payout (`/api/trans/create_order`). Never resent automatically.
    ///
    /// # Errors
    /// As [`Client::create_order`]: after [`Error::UnknownOutcome`], query with
    /// [`Client::trans_query_order`] by `mchTransOrderNo` before anything else.
    pub async fn trans_create_order(
        &self,
        request: &TransOrderRequest,
    ) -> Result<TransOrder, Error> {
        let signed = self.sign_trans_create_order(request)?;
        self.submit(&signed).await
    }

    /// Validates and signs a payout query without sending it.
    ///
    /// # Errors
    /// [`Error::InvalidInput`].
    pub fn sign_trans_query_order(
        &self,
        request: &TransQueryRequest,
    ) -> Result<SignedRequest<TransOrder>, Error> {
        let params = request.to_params(&self.config)?;
        self.signed(
            "trans-query-order",
            "/api/trans/query_order",
            params,
            request.order_id(),
            false,
            decode_order::<TransOrder>,
        )
    }

    /// Queries a payout (`/api/trans/query_order`).
    ///
    /// # Errors
    /// As [`Client::query_order`].
    pub async fn trans_query_order(
        &self,
        request: &TransQueryRequest,
    ) -> Result<TransOrder, Error> {
        let signed = self.sign_trans_query_order(request)?;
        self.submit(&signed).await
    }

    /// Sends the identical signed request again: the answer to error `0010` ("retry with the
    /// same parameters"). The order number and the sign are the ones first sent.
    ///
    /// # Errors
    /// As the operation's own method.
    pub async fn resubmit<R>(&self, request: &SignedRequest<R>) -> Result<R, Error> {
        self.submit(request).await
    }

    /// Sends a signed request once, verifies and decodes the answer.
    ///
    /// # Errors
    /// As the operation's own method.
    pub async fn submit<R>(&self, request: &SignedRequest<R>) -> Result<R, Error> {
        let call = Call {
            provider: PROVIDER,
            operation: request.operation,
            kind: if request.mutation {
                CallKind::Mutation {
                    order_id: request.order_id.clone(),
                }
            } else {
                CallKind::Query
            },
        };
        let url = format!("{}{}", self.config.base_url, request.path);
        let http_request = http::Request::builder()
            .method(http::Method::POST)
            .uri(url)
            .header(http::header::CONTENT_TYPE, pay_core::form::CONTENT_TYPE)
            .header(http::header::ACCEPT, "application/json")
            .body(request.body.clone())
            .map_err(|e| Error::invalid_input("base_url", e.to_string()))?;
        let response = call.send(&*self.transport, http_request).await?;
        let response = call.ensure_success(response)?;
        let body = response.into_body();
        // Every error about the answer is classified by the call's kind (pay_core's one rule):
        // a mutation's carries its order number and needs a query; a query's is retry-safe and
        // needs none.
        let fields = RawFields::parse(&body).map_err(|e| call.classify(e))?;
        check_envelope(&body, &fields, &self.config, request.mutation)
            .map_err(|e| call.classify(e))?;
        (request.decode)(&body, &fields).map_err(|e| call.classify(e))
    }
}

/// The provider error of a refused call, classified by [`ErrorCode::kind`] (`0010` retry-safe;
/// a reused order number of a money-moving call `DuplicateOrder`).
fn provider_error(
    code: Option<Cow<'_, str>>,
    message: Option<Cow<'_, str>>,
    money_moving: bool,
) -> Error {
    let code = code.map_or_else(|| "FAIL".to_owned(), Cow::into_owned);
    let message = message.map(Cow::into_owned).unwrap_or_default();
    let kind = ErrorCode::from_wire(&code).kind(money_moving, &message);
    Error::provider(ProviderError::new(code, message).kind(kind))
}

/// `retCode`, the sign and `resCode`, in that order. The errors are not yet classified.
fn check_envelope(
    body: &Bytes,
    fields: &RawFields<'_>,
    config: &Config,
    money_moving: bool,
) -> Result<(), Error> {
    match fields.text("retCode").as_deref() {
        Some("SUCCESS") => {}
        Some("FAIL") => {
            // Parameter errors: unsigned (section 2.1.5), nothing was done.
            let message = fields.text("retMsg").or_else(|| fields.text("errCodeDes"));
            return Err(provider_error(
                fields.text("errCode"),
                message,
                money_moving,
            ));
        }
        other => {
            let what = format!("unexpected retCode {other:?}");
            return Err(Error::decode(body.clone(), what));
        }
    }
    fields
        .verify(&config.response_keys)
        .map_err(Error::signature)?;
    if fields.text("resCode").as_deref() == Some("FAIL") {
        let message = fields.text("errCodeDes").or_else(|| fields.text("retMsg"));
        return Err(provider_error(
            fields.text("errCode"),
            message,
            money_moving,
        ));
    }
    Ok(())
}

/// Decodes an order from the nested `result` (an object, or a string holding one) or, when
/// there is none, from the top-level fields.
fn decode_order<T: DeserializeOwned + NormaliseOrder>(
    body: &Bytes,
    fields: &RawFields<'_>,
) -> Result<T, Error> {
    let order: T = match fields.raw("result") {
        Some(raw) if raw.get().starts_with('{') => pay_core::decode::json(raw.get().as_bytes())?,
        Some(raw) if raw.get().starts_with('"') => {
            let text: String = pay_core::decode::json(raw.get().as_bytes())?;
            pay_core::decode::json_str(&text)?
        }
        _ => pay_core::decode::json(body)?,
    };
    Ok(order.normalise_order())
}

trait NormaliseOrder {
    fn normalise_order(self) -> Self;
}

impl NormaliseOrder for PayOrder {
    fn normalise_order(self) -> Self {
        self
    }
}

impl NormaliseOrder for TransOrder {
    fn normalise_order(self) -> Self {
        self.normalise()
    }
}

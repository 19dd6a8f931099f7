//! The client and the call pipeline: validate → serialise `data` → sign the envelope → POST →
//! check the HTTP status → verify the response sign over its exact `data` → map `code` → parse.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use pay_core::{
    Call, Error, ProviderError, RandomIds, SharedClock, SharedIdSource, SharedTransport,
    SystemClock,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codes::{CODE_RECEIVED, ErrorCode};
use crate::config::Config;
use crate::pay::{InqueryRequest, PayInOrder, PosCloseRequest, PosCloseResult, PrepayRequest};
use crate::payout::{OutpayRequest, OutqueryRequest, PayOutOrder};
use crate::protocol::{CreateProtocolRequest, FindProtocolRequest, Protocol};
use crate::query::{BankBranch, QueryBankCnapsRequest};
use crate::sign::{Envelope, ReceivedEnvelope};

/// The provider name used in logs and unified results.
pub const PROVIDER: &str = "protocol-pay";

/// A client of the protocol pay API. Cheap to clone; share one per app id.
///
/// ```no_run
/// # async fn run() -> Result<(), pay_core::Error> {
/// use protocol_pay::{Client, Config};
///
/// let client = Client::new(Config::new("LFT1001", "md5-key").base_url("https://pay.example.com"))?;
/// let order = client.inquery(&protocol_pay::InqueryRequest::new("LFT1001202010100001")).await?;
/// println!("{}", order.pay_status);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) config: Arc<Config>,
    pub(crate) transport: SharedTransport,
    pub(crate) clock: SharedClock,
    pub(crate) ids: SharedIdSource,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("transport", &self.transport)
            .field("clock", &self.clock)
            .field("ids", &self.ids)
            .finish()
    }
}

impl Client {
    /// A client on the default transport (reqwest with rustls) with the config's timeout.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `base_url` when it is not an http(s) URL or has a query or a
    /// fragment ([`pay_core::validate::base_url`]); [`Error::Transport`] when the TLS backend
    /// cannot be initialised.
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    pub fn new(config: Config) -> Result<Client, Error> {
        // A base URL with a query or a fragment would garble every path: refused now, not at
        // the first call (an empty one is refused when a call needs it).
        let base_url = config.base_url_str();
        if !base_url.is_empty() {
            pay_core::validate::base_url("base_url", base_url)?;
        }
        let transport = pay_core::ReqwestTransport::builder()
            .timeout(config.timeout_duration())
            .build()?;
        Ok(Client::with_transport(config, Arc::new(transport)))
    }

    /// A client on `transport`.
    pub fn with_transport(config: Config, transport: SharedTransport) -> Client {
        Client {
            config: Arc::new(config),
            transport,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
        }
    }

    /// Uses `clock` for envelope timestamps and generated request numbers.
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Client {
        self.clock = clock;
        self
    }

    /// Uses `ids` for generated request numbers.
    #[must_use]
    pub fn with_ids(mut self, ids: SharedIdSource) -> Client {
        self.ids = ids;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// A new `outReqNo` that starts with the app id, as the spec requires: the app id, the
    /// Beijing time as `yyyyMMddHHmmssSSS` from the injected clock, and up to 12 letters and
    /// digits from the injected id source.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use pay_core::{FixedClock, SequentialIds, Timestamp};
    /// use protocol_pay::{Client, Config};
    ///
    /// let client = Client::with_transport(
    ///     Config::new("LFT1001", "key"),
    ///     Arc::new(pay_core::transport::transport_fn(|_| async { unreachable!() })),
    /// )
    /// .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_millis(1_602_304_215_123))))
    /// .with_ids(Arc::new(SequentialIds::new("n-")));
    /// assert_eq!(client.new_out_req_no(), "LFT100120201010123015123n1");
    /// ```
    pub fn new_out_req_no(&self) -> String {
        let id: String = self
            .ids
            .next_id()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(12)
            .collect();
        format!(
            "{}{}{}",
            self.config.app_id(),
            self.clock.now().beijing_compact_millis(),
            id
        )
    }

    /// The signed envelope for `data` (the exact JSON text), stamped with the injected clock.
    pub fn envelope(&self, data: impl Into<String>) -> Envelope {
        Envelope::sign(
            self.config.app_id(),
            self.config.keys().current(),
            data,
            self.clock.now().beijing_compact_millis(),
        )
    }

    /// `create` (section 1): opens a protocol.
    ///
    /// # Errors
    /// See [`Error`]; a timeout after sending is [`Error::UnknownOutcome`] (query with
    /// [`find_protocol`](Self::find_protocol) once you learn the `transNo`).
    pub async fn create_protocol(
        &self,
        request: &CreateProtocolRequest,
    ) -> Result<Protocol, Error> {
        request.validate()?;
        let call = Call {
            provider: PROVIDER,
            operation: "create",
            kind: pay_core::CallKind::Mutation { order_id: None },
        };
        self.execute(&call, "create", request).await
    }

    /// `find` (section 2): a protocol by `transNo`. `EP20001` is
    /// [`ProviderErrorKind::NotFound`](pay_core::ProviderErrorKind::NotFound) `{ what: "protocol" }`.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn find_protocol(&self, request: &FindProtocolRequest) -> Result<Protocol, Error> {
        request.validate()?;
        let call = Call::query(PROVIDER, "find");
        self.execute(&call, "find", request).await
    }

    /// `prepay` (section 3): a pay-in. The answer's [`PayInOrder::action`] is the POS code or
    /// the cashier URL; its [`PayInOrder::pay_status`] is the state of the money.
    ///
    /// # Errors
    /// A timeout or broken connection after sending is [`Error::UnknownOutcome`] carrying
    /// `outReqNo`: settle it with [`inquery`](Self::inquery). Nothing is resent.
    pub async fn prepay(&self, request: &PrepayRequest) -> Result<PayInOrder, Error> {
        request.validate(self.config.app_id())?;
        let call = Call::mutation(PROVIDER, "prepay", request.out_req_no.clone());
        self.execute(&call, "prepay", request).await
    }

    /// `posclose` (section 4): closes the six-digit POS code of a pay-in.
    ///
    /// # Errors
    /// See [`Error`]; `EP20002` is not-found `{ what: "pay-in order" }`.
    pub async fn pos_close(&self, request: &PosCloseRequest) -> Result<PosCloseResult, Error> {
        request.validate(self.config.app_id())?;
        let call = Call::mutation(PROVIDER, "posclose", request.out_req_no.clone());
        self.execute(&call, "posclose", request).await
    }

    /// `inquery` (section 5): a pay-in by `outReqNo`.
    ///
    /// # Errors
    /// `EP20002` is [`ProviderErrorKind::NotFound`](pay_core::ProviderErrorKind::NotFound)
    /// `{ what: "pay-in order" }`.
    pub async fn inquery(&self, request: &InqueryRequest) -> Result<PayInOrder, Error> {
        request.validate(self.config.app_id())?;
        let call = Call::query(PROVIDER, "inquery");
        self.execute(&call, "inquery", request).await
    }

    /// `outpay` (section 6): a pay-out (`OUT`) or refund (`REFUND`).
    ///
    /// # Errors
    /// A timeout or broken connection after sending is [`Error::UnknownOutcome`] carrying
    /// `outReqNo`: settle it with [`outquery`](Self::outquery). Nothing is resent.
    pub async fn outpay(&self, request: &OutpayRequest) -> Result<PayOutOrder, Error> {
        request.validate(self.config.app_id())?;
        let call = Call::mutation(PROVIDER, "outpay", request.out_req_no.clone());
        self.execute(&call, "outpay", request).await
    }

    /// `outquery` (section 7): a pay-out or refund by `outReqNo`.
    ///
    /// # Errors
    /// `EP20003` is [`ProviderErrorKind::NotFound`](pay_core::ProviderErrorKind::NotFound)
    /// `{ what: "pay-out order" }`.
    pub async fn outquery(&self, request: &OutqueryRequest) -> Result<PayOutOrder, Error> {
        request.validate(self.config.app_id())?;
        let call = Call::query(PROVIDER, "outquery");
        self.execute(&call, "outquery", request).await
    }

    /// `querybankcnaps` (section 8): bank branches and their CNAPS codes.
    ///
    /// # Errors
    /// See [`Error`].
    pub async fn query_bank_cnaps(
        &self,
        request: &QueryBankCnapsRequest,
    ) -> Result<Vec<BankBranch>, Error> {
        request.validate()?;
        let call = Call::query(PROVIDER, "querybankcnaps");
        self.execute(&call, "querybankcnaps", request).await
    }

    /// The pipeline shared by every endpoint (the request is already validated).
    async fn execute<Req: Serialize, Resp: DeserializeOwned>(
        &self,
        call: &Call,
        path: &str,
        request: &Req,
    ) -> Result<Resp, Error> {
        self.config.validate()?;
        let data = serde_json::to_string(request)
            .map_err(|e| Error::invalid_input("data", format!("cannot be serialised: {e}")))?;
        let envelope = self.envelope(data);
        let http_request = http::Request::builder()
            .method(http::Method::POST)
            .uri(self.config.endpoint_url(path))
            .header(
                http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .header(http::header::ACCEPT, "application/json")
            .body(Bytes::from(envelope.to_json()))
            .map_err(|e| Error::invalid_input("base_url", format!("is not usable: {e}")))?;
        let response = call.send(self.transport.as_ref(), http_request).await?;
        let response = call.ensure_success(response)?;
        // Every error about the answer is classified by the call's kind (pay_core's one rule):
        // a mutation's carries its `outReqNo` and needs a query; a query's is retry-safe and
        // needs none.
        // Only a money-moving call's reused `outReqNo` is a duplicate order to query.
        let money_moving = matches!(call.operation, "prepay" | "outpay");
        let data = self
            .open_response(response.body(), money_moving)
            .map_err(|e| call.classify(e))?;
        pay_core::decode::json_str(&data).map_err(|e| call.classify(e))
    }

    /// Parses and verifies a `PayCommonVo`, returning its exact `data` text when `code` is
    /// `0000`, or the provider error otherwise. The errors are not yet classified.
    fn open_response(&self, body: &Bytes, money_moving: bool) -> Result<String, Error> {
        let env = ReceivedEnvelope::parse(body)?;
        let code = env.code.clone().unwrap_or_default();
        if code != CODE_RECEIVED {
            // A refusal may come unsigned (the spec's readings); a signed one must verify.
            if env.is_signed() {
                env.verify(self.config.app_id(), self.config.keys())?;
            }
            if code.is_empty() {
                return Err(Error::decode(body.clone(), "the response has no `code`"));
            }
            let message = env.msg.unwrap_or_default();
            let kind = ErrorCode::from_wire(&code).classify(money_moving, &message);
            return Err(Error::provider(
                ProviderError::new(code, message).kind(kind),
            ));
        }
        env.verify(self.config.app_id(), self.config.keys())?;
        match env.data {
            Some(d) if !d.trim().is_empty() => Ok(d),
            _ => Err(Error::decode(body.clone(), "the response has no `data`")),
        }
    }
}

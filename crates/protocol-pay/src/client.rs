//! The client: the [`Codec`] of every protocol-pay [`Operation`] (serialise `data`, check its
//! `outReqNo` against the app id, sign the envelope, POST; verify the answer's sign over its
//! exact `data`, map `code`, parse), run by [`pay_core::operation::execute`].

use std::sync::Arc;

use bytes::Bytes;
use pay_core::transport::{HttpRequest, HttpResponse};
use pay_core::{
    Call, Codec, Error, Operation, ProviderError, RandomIds, SharedClock, SharedIdSource,
    SharedTransport, SystemClock,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::codes::{CODE_RECEIVED, ErrorCode, Movement};
use crate::config::Config;
use crate::sign::{Envelope, ReceivedEnvelope};

/// The provider name used in logs and unified results.
pub const PROVIDER: &str = "protocol-pay";

/// A client of the protocol pay API. Cheap to clone; share one per app id.
///
/// ```no_run
/// # async fn run() -> Result<(), pay_core::Error> {
/// use protocol_pay::{Client, Config};
///
/// let config = Config::builder("LFT1001", "md5-key").base_url("https://pay.example.com").build()?;
/// let client = Client::new(config)?;
/// let order = client.inquery(&protocol_pay::InqueryRequest::new("LFT1001202010100001")).await?;
/// println!("{}", order.pay_status);
/// # Ok(()) }
/// ```
/// `Debug` shows the config with its key redacted.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) config: Arc<Config>,
    transport: SharedTransport,
    clock: SharedClock,
    ids: SharedIdSource,
}

impl Client {
    /// A client on the default transport (reqwest with rustls) with the config's timeout.
    ///
    /// # Errors
    /// [`Error::Transport`] when the TLS backend cannot be initialised (the config was checked
    /// when it was built).
    #[cfg(feature = "reqwest")]
    #[cfg_attr(docsrs, doc(cfg(feature = "reqwest")))]
    pub fn new(config: Config) -> Result<Client, Error> {
        let transport = pay_core::ReqwestTransport::builder()
            .timeout(config.timeout())
            .build()?;
        Ok(Client::assemble(config, Arc::new(transport)))
    }

    /// A client on `transport`, which sets its own time limit.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `timeout` when the config sets one: only the default
    /// transport ([`Client::new`]) applies it, and a setting that would be silently ignored is
    /// refused.
    pub fn with_transport(config: Config, transport: SharedTransport) -> Result<Client, Error> {
        if config.timeout_is_set() {
            return Err(Error::invalid_input(
                "timeout",
                "is applied by the default transport (Client::new) only: set the time limit on \
                 the injected transport and leave it out of the config",
            ));
        }
        Ok(Client::assemble(config, transport))
    }

    /// The client on the system clock and random ids.
    fn assemble(config: Config, transport: SharedTransport) -> Client {
        let (clock, ids): (SharedClock, SharedIdSource) =
            (Arc::new(SystemClock), Arc::new(RandomIds));
        Client {
            config: Arc::new(config),
            transport,
            clock,
            ids,
        }
    }

    /// Uses `clock` for envelope timestamps and generated request numbers.
    #[must_use]
    pub fn with_clock(self, clock: SharedClock) -> Client {
        Client { clock, ..self }
    }

    /// Uses `ids` for generated request numbers.
    #[must_use]
    pub fn with_ids(self, ids: SharedIdSource) -> Client {
        Client { ids, ..self }
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
    ///     Config::new("LFT1001", "key")?,
    ///     Arc::new(pay_core::transport::transport_fn(|_| async { unreachable!() })),
    /// )?
    /// .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_millis(1_602_304_215_123))))
    /// .with_ids(Arc::new(SequentialIds::new("n-")));
    /// assert_eq!(client.new_out_req_no(), "LFT100120201010123015123n1");
    /// # Ok::<(), pay_core::Error>(())
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

    /// Runs `op` through [`pay_core::operation::execute`] with this client as its codec.
    pub(crate) async fn execute<E>(&self, op: &E) -> Result<E::Answer, Error>
    where
        E: Endpoint,
        E::Answer: DeserializeOwned,
    {
        pay_core::operation::execute(self, &*self.transport, op).await
    }

    /// Parses and verifies a `PayCommonVo`, returning its exact `data` text when `code` is
    /// `0000`, or the provider error otherwise.
    fn open_response(&self, body: &Bytes, moves: Movement) -> Result<String, Error> {
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
            let kind = ErrorCode::from_wire(&code).classify(moves, &message);
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

/// The protocol-pay wire, for every endpoint: the request's JSON text as the signed envelope's
/// `data`, POSTed as JSON; the answer's envelope verified, its `code` mapped, its `data` parsed.
impl<E> Codec<E> for Client
where
    E: Endpoint,
    E::Answer: DeserializeOwned,
{
    const PROVIDER: &'static str = PROVIDER;
    type Sent = ();
    type Output = E::Answer;

    fn encode(&self, op: &E) -> Result<(HttpRequest, ()), Error> {
        // The one check that needs the config: the spec's 必须以appId开头.
        if let Some(out_req_no) = op.out_req_no() {
            crate::validate::out_req_no(self.config.app_id(), out_req_no)?;
        }
        let url = self.config.url(E::PATH)?;
        let data = serde_json::to_string(op)
            .map_err(|e| Error::invalid_input("data", format!("cannot be serialised: {e}")))?;
        let envelope = self.envelope(data);
        let request = http::Request::builder()
            .method(E::METHOD)
            .uri(url)
            .header(
                http::header::CONTENT_TYPE,
                "application/json; charset=utf-8",
            )
            .header(http::header::ACCEPT, "application/json")
            .body(Bytes::from(envelope.to_json()))
            .map_err(|e| Error::invalid_input("base_url", format!("is not usable: {e}")))?;
        Ok((request, ()))
    }

    fn decode(&self, _call: &Call, response: HttpResponse, _sent: ()) -> Result<E::Answer, Error> {
        let data = self.open_response(response.body(), E::MOVES)?;
        pay_core::decode::json_str(&data)
    }
}

/// What a protocol-pay endpoint adds to its [`Operation`]: whether it moves money, and the
/// `outReqNo` that must start with the configured app id.
pub(crate) trait Endpoint: Operation + Serialize {
    /// Whether the call creates an order (decides what a duplicate `outReqNo` means).
    const MOVES: Movement = Movement::MovesNoMoney;
    /// The request's `outReqNo`, checked against the app id before anything is sent.
    fn out_req_no(&self) -> Option<&str> {
        None
    }
}

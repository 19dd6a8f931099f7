//! The client, and the one codec of every operation: sign the parameters into the form field
//! `params`, verify and decode the answer. The pipeline itself is
//! [`pay_core::operation::execute`].

use std::sync::Arc;

use bytes::Bytes;
use pay_core::transport::{HttpRequest, HttpResponse};
use pay_core::{
    Call, CallKind, Codec, Error, Operation, ProviderError, RandomIds, SharedClock, SharedIdSource,
    SharedTransport, SystemClock,
};

use crate::codes::ErrorCode;
use crate::config::Config;
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
///     Config::builder("20001222", "0ae8be35ff634e2abe94f5f32f6d5c4f", "REQUEST-KEY", "RESPONSE-KEY")
///         .base_url("http://203.0.113.10:3020")
///         .build()?,
/// )?;
/// # let _ = client; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) config: Arc<Config>,
    pub(crate) transport: SharedTransport,
    pub(crate) clock: SharedClock,
    pub(crate) ids: SharedIdSource,
}

/// How `mchId` is typed in an endpoint's request table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MchIdType {
    /// `long` (2.1.4, 3.1.3, 3.2.3): a JSON number.
    Long,
    /// `String(30)` (2.2.3): a JSON string.
    Text,
}

/// What the codec needs of an operation beyond [`Operation`]: its parameters and how its
/// answer is read.
pub(crate) trait Endpoint: Operation {
    /// How the request table types `mchId`.
    const MCH_ID: MchIdType;

    /// Appends the operation's own parameters (after `mchId` and `appId`), in the spec's
    /// order, each with its JSON type, then the extension parameters.
    fn params<'a>(&'a self, params: &mut WireParams<'a>) -> Result<(), Error>;

    /// Decodes a verified, successful answer.
    fn answer(body: &Bytes, fields: &RawFields<'_>) -> Result<Self::Answer, Error>;
}

impl Client {
    /// A client on the default transport (reqwest with rustls, the config's timeout).
    ///
    /// # Errors
    /// [`Error::Transport`] when the TLS backend cannot be initialised (the config was checked
    /// when it was built).
    #[cfg(feature = "reqwest")]
    pub fn new(config: Config) -> Result<Client, Error> {
        let transport = pay_core::ReqwestTransport::builder()
            .timeout(config.timeout())
            .build()?;
        Ok(Client::on(config, Arc::new(transport)))
    }

    /// A client on the given transport, which keeps its own time limits.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `timeout` when the config sets a timeout: it applies to the
    /// default transport only, and is refused here rather than silently ignored (set it on the
    /// transport instead).
    pub fn with_transport(config: Config, transport: SharedTransport) -> Result<Client, Error> {
        if config.timeout_is_set() {
            return Err(Error::invalid_input(
                "timeout",
                "applies to the default transport only; set the time limit on the injected \
                 transport instead",
            ));
        }
        Ok(Client::on(config, transport))
    }

    fn on(config: Config, transport: SharedTransport) -> Client {
        Client {
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

    /// Runs an operation through [`pay_core::operation::execute`] with this client as its codec.
    pub(crate) async fn execute<E: Endpoint>(&self, op: &E) -> Result<E::Answer, Error> {
        pay_core::operation::execute(self, &*self.transport, op).await
    }
}

impl<E: Endpoint> Codec<E> for Client {
    const PROVIDER: &'static str = PROVIDER;
    type Sent = ();
    type Output = E::Answer;

    /// `params=<the JSON of the parameters, signed>` as a form POST. Signing is deterministic
    /// (the requests carry no timestamp or nonce): the same request gives the same bytes,
    /// which is what error `0010` ("retry with the same parameters") asks for.
    fn encode(&self, op: &E) -> Result<(HttpRequest, ()), Error> {
        let base_url = self.config.base_url().ok_or_else(|| {
            Error::invalid_input(
                "base_url",
                "is required to send a request (the gateway's address, e.g. http://IP:3020)",
            )
        })?;
        let mut params = WireParams::default();
        match E::MCH_ID {
            MchIdType::Long => params.push("mchId", self.config.mch_id_number()),
            MchIdType::Text => params.push("mchId", self.config.mch_id()),
        }
        params.push("appId", self.config.app_id());
        op.params(&mut params)?;
        let body = params.into_signed_form(self.config.request_key())?;
        let request = http::Request::builder()
            .method(E::METHOD)
            .uri(format!("{base_url}{}", E::PATH))
            .header(http::header::CONTENT_TYPE, pay_core::form::CONTENT_TYPE)
            .header(http::header::ACCEPT, "application/json")
            .body(Bytes::from(body))
            .map_err(|e| Error::invalid_input("base_url", e.to_string()))?;
        Ok((request, ()))
    }

    /// `retCode`, the sign, `resCode`, then the operation's answer.
    fn decode(&self, call: &Call, response: HttpResponse, (): ()) -> Result<E::Answer, Error> {
        let body = response.into_body();
        let fields = RawFields::parse(&body)?;
        check_envelope(&body, &fields, &self.config, &call.kind)?;
        E::answer(&body, &fields)
    }
}

/// The provider error of a refused call, classified by [`ErrorCode::kind`] (`0010` retry-safe;
/// a reused order number of a money-moving call `DuplicateOrder`).
fn provider_error(fields: &RawFields<'_>, message_fields: [&str; 2], kind: &CallKind) -> Error {
    let code = fields
        .text("errCode")
        .map_or_else(|| "FAIL".to_owned(), |c| c.into_owned());
    let message = fields
        .text(message_fields[0])
        .or_else(|| fields.text(message_fields[1]))
        .map(|m| m.into_owned())
        .unwrap_or_default();
    let error_kind = ErrorCode::from_wire(&code).kind(kind, &message);
    Error::provider(ProviderError::new(code, message).kind(error_kind))
}

/// `retCode`, the sign and `resCode`, in that order. The errors are classified by
/// [`pay_core::operation::execute`].
fn check_envelope(
    body: &Bytes,
    fields: &RawFields<'_>,
    config: &Config,
    kind: &CallKind,
) -> Result<(), Error> {
    match fields.text("retCode").as_deref() {
        Some("SUCCESS") => {}
        // Parameter errors: unsigned (section 2.1.5), nothing was done.
        Some("FAIL") => return Err(provider_error(fields, ["retMsg", "errCodeDes"], kind)),
        other => {
            let what = format!("unexpected retCode {other:?}");
            return Err(Error::decode(body.clone(), what));
        }
    }
    fields
        .verify(config.response_keys())
        .map_err(Error::signature)?;
    if fields.text("resCode").as_deref() == Some("FAIL") {
        return Err(provider_error(fields, ["errCodeDes", "retMsg"], kind));
    }
    Ok(())
}

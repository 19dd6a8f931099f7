//! The client and the call pipeline shared by every endpoint.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use pay_core::multipart::FilePart;
use pay_core::transport::{HttpRequest, HttpResponse};
use pay_core::{
    Call, Codec, Error, Extensions, Operation, ProviderError, RandomIds, SharedClock,
    SharedIdSource, SharedTransport, SystemClock,
};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::codes::ErrorCode;
use crate::config::Config;
use crate::sign::{self, Keys};

/// The provider name used in logs and unified results.
pub const PROVIDER: &str = "yunzhanghu";

/// A Yunzhanghu client: cheap to clone, safe to share between tasks.
///
/// ```no_run
/// # async fn run() -> Result<(), pay_core::Error> {
/// use yunzhanghu::{Client, Config};
///
/// let client = Client::new(Config::new("dealer", "broker", "app-key", "123456788765432112345678")?)?;
/// let accounts = client.query_accounts(&Default::default()).await?;
/// # let _ = accounts; Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) config: Arc<Config>,
    pub(crate) transport: SharedTransport,
    pub(crate) clock: SharedClock,
    pub(crate) ids: SharedIdSource,
    request_id: Option<Arc<str>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client on the default transport (reqwest + rustls) with the config's timeout.
    ///
    /// # Errors
    /// [`Error::Transport`] when the TLS backend cannot be initialised (the config was checked
    /// when it was built).
    #[cfg(feature = "reqwest")]
    pub fn new(config: Config) -> Result<Client, Error> {
        let transport = pay_core::ReqwestTransport::builder()
            .timeout(config.timeout())
            .build()?;
        Ok(Client::build(config, Arc::new(transport)))
    }

    /// A client on `transport`, which brings its own timeout.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `timeout` when the config sets one: an injected transport
    /// cannot be made to apply it, and a timeout silently ignored is worse than none.
    pub fn with_transport(config: Config, transport: SharedTransport) -> Result<Client, Error> {
        if config.timeout_is_set() {
            return Err(Error::invalid_input(
                "timeout",
                "is set on the config, but an injected transport applies its own: set it there",
            ));
        }
        Ok(Client::build(config, transport))
    }

    fn build(config: Config, transport: SharedTransport) -> Client {
        Client {
            config: Arc::new(config),
            transport,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
            request_id: None,
        }
    }

    /// Uses `clock` for the `timestamp` of requests.
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Self {
        self.clock = clock;
        self
    }

    /// Uses `ids` for `request-id` headers and `mess` values.
    #[must_use]
    pub fn with_ids(mut self, ids: SharedIdSource) -> Self {
        self.ids = ids;
        self
    }

    /// A handle whose calls send `request_id` as the `request-id` header instead of a generated
    /// one (the spec wants a different id per request: use the handle for one call).
    #[must_use]
    pub fn with_request_id(&self, request_id: impl Into<String>) -> Self {
        let mut c = self.clone();
        c.request_id = Some(Arc::from(request_id.into()));
        c
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The envelope keys (checked when the config was built).
    pub fn keys(&self) -> &Keys {
        self.config.keys()
    }

    /// Builds the plaintext JSON of a request: the typed fields, the extension fields, and the
    /// dealer and broker ids from the config where the endpoint carries them.
    fn plaintext<E: Endpoint>(&self, req: &E) -> Result<String, Error> {
        let value = serde_json::to_value(req)
            .map_err(|e| Error::invalid_input("data", format!("cannot be serialised: {e}")))?;
        let Value::Object(mut map) = value else {
            return Err(Error::invalid_input("data", "must be a JSON object"));
        };
        if E::DEALER_ID {
            match map.get("dealer_id") {
                Some(Value::String(d)) if d != &self.config.dealer_id => {
                    return Err(Error::invalid_input(
                        "dealer_id",
                        "must be the configured dealer id (it is also the dealer-id header)",
                    ));
                }
                _ => {
                    map.insert(
                        "dealer_id".to_owned(),
                        Value::String(self.config.dealer_id.clone()),
                    );
                }
            }
        }
        if E::BROKER_ID {
            let empty = match map.get("broker_id") {
                None | Some(Value::Null) => true,
                Some(Value::String(b)) => b.is_empty(),
                Some(_) => false,
            };
            if empty {
                pay_core::validate::required("broker_id", &self.config.broker_id)?;
                map.insert(
                    "broker_id".to_owned(),
                    Value::String(self.config.broker_id.clone()),
                );
            }
        }
        serde_json::to_string(&map)
            .map_err(|e| Error::invalid_input("data", format!("cannot be serialised: {e}")))
    }

    fn request_id(&self) -> String {
        match &self.request_id {
            Some(id) => id.to_string(),
            None => self.ids.next_id(),
        }
    }

    fn seal(&self, json: &str) -> Result<sign::Envelope, Error> {
        let keys = self.keys();
        let mess = self.ids.next_id();
        let timestamp = self.clock.now().unix_seconds();
        Ok(sign::seal(json, &mess, timestamp, keys))
    }

    fn builder(
        &self,
        method: http::Method,
        uri: String,
        request_id: &str,
    ) -> Result<http::request::Builder, Error> {
        let dealer = http::HeaderValue::from_str(&self.config.dealer_id)
            .map_err(|_| Error::invalid_input("dealer-id", "must be visible ASCII"))?;
        let rid = http::HeaderValue::from_str(request_id)
            .map_err(|_| Error::invalid_input("request-id", "must be visible ASCII"))?;
        Ok(http::Request::builder()
            .method(method)
            .uri(uri)
            .header("dealer-id", dealer)
            .header("request-id", rid))
    }

    /// Runs an endpoint through [`pay_core::operation::execute`] with this client as its codec.
    pub(crate) async fn execute<E>(&self, req: &E) -> Result<Response<E::Answer>, Error>
    where
        E: Endpoint,
        E::Answer: DeserializeOwned,
    {
        pay_core::operation::execute(self, &*self.transport, req).await
    }

    /// The envelope fields as text parts, then the files.
    fn multipart(&self, envelope: &sign::Envelope, files: &[FilePart]) -> (String, Bytes) {
        let mut form =
            pay_core::multipart::Multipart::with_boundary(format!("cnpay-{}", self.ids.next_id()));
        let ts = envelope.timestamp.to_string();
        form.text("data", &envelope.data)
            .text("mess", &envelope.mess)
            .text("timestamp", &ts)
            .text("sign", &envelope.sign)
            .text("sign_type", &envelope.sign_type);
        for f in files {
            form.part(f);
        }
        form.finish()
    }

    /// Decodes `{code, message, request_id, data}`; a code other than `0000` is
    /// [`Error::Provider`]; `encry_data` is decrypted when the request asked for it.
    pub(crate) fn parse<T: DeserializeOwned>(
        &self,
        call: &Call,
        body: &Bytes,
        request_id: &str,
        encrypted: bool,
    ) -> Result<Response<T>, Error> {
        let raw: RawResponse = call.decode_json(body)?;
        let request_id = raw
            .request_id
            .filter(|r| !r.is_empty())
            .unwrap_or_else(|| request_id.to_owned());
        let message = raw.message.unwrap_or_default();
        if raw.code != ErrorCode::Success {
            let kind = raw.code.kind(call.order_id().is_some());
            return Err(call.classify(Error::provider(
                ProviderError::new(raw.code.as_str(), message)
                    .kind(kind)
                    .request_id(Some(request_id)),
            )));
        }
        let data = raw.data.as_deref().map_or("{}", RawValue::get);
        let data = if data == "null" { "{}" } else { data };
        // A decoding failure keeps the whole body, and is classified by the call's kind.
        let rewrap = |e: Error| {
            call.classify(match e {
                Error::Decode { source, .. } => Error::decode(body.clone(), source),
                other => other,
            })
        };
        let decoded: T = if encrypted {
            let probe: EncryptedProbe = pay_core::decode::json_str(data).map_err(rewrap)?;
            match probe.encry_data {
                Some(cipher) => {
                    let plain = self.keys().decrypt(&cipher).map_err(|e| call.classify(e))?;
                    pay_core::decode::json_str(&plain).map_err(rewrap)?
                }
                None => pay_core::decode::json_str(data).map_err(rewrap)?,
            }
        } else {
            pay_core::decode::json_str(data).map_err(rewrap)?
        };
        Ok(Response {
            message,
            request_id,
            data: decoded,
        })
    }
}

#[derive(Deserialize)]
struct RawResponse {
    code: ErrorCode,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    data: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct EncryptedProbe {
    #[serde(default)]
    encry_data: Option<String>,
}

/// A successful answer: the provider's message and request id, and the typed `data`.
///
/// It dereferences to `data`, so `response.order_id` reads the data's field.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Response<T> {
    /// The provider's message (`操作成功`).
    pub message: String,
    /// The request id: the provider's echo, or the one sent when it gave none.
    pub request_id: String,
    /// The typed data.
    pub data: T,
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.data
    }
}

impl<T> Response<T> {
    /// The typed data.
    pub fn into_data(self) -> T {
        self.data
    }
}

/// An answer with no documented data (the identity checks): only extension fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Empty {
    /// Fields the provider may add.
    #[serde(flatten)]
    pub extra: Extensions,
}

/// What [`Client`] keeps from encoding a call for decoding its answer (its [`Codec::Sent`]).
#[derive(Debug)]
pub struct Sent {
    request_id: String,
    encrypted: bool,
}

/// Yunzhanghu's wire: the plaintext JSON sealed in the signed 3DES envelope, as a form body
/// (POST), a query string (GET) or multipart parts (file uploads); the answer's `code` checked,
/// `encry_data` decrypted when asked for.
impl<E> Codec<E> for Client
where
    E: Endpoint,
    E::Answer: DeserializeOwned,
{
    const PROVIDER: &'static str = PROVIDER;
    type Sent = Sent;
    type Output = Response<E::Answer>;

    fn encode(&self, req: &E) -> Result<(HttpRequest, Sent), Error> {
        pay_core::validate::extra_disjoint(req.extra(), <E as Endpoint>::FIELDS)?;
        let json = self.plaintext(req)?;
        let envelope = self.seal(&json)?;
        let request_id = self.request_id();
        let url = format!("{}{}", self.config.base_url, E::PATH);
        let request = if !req.files().is_empty() {
            let (content_type, body) = self.multipart(&envelope, req.files());
            self.builder(http::Method::POST, url, &request_id)?
                .header(http::header::CONTENT_TYPE, content_type)
                .body(body)
        } else if E::METHOD == http::Method::GET {
            self.builder(
                http::Method::GET,
                format!("{url}?{}", envelope.to_form()),
                &request_id,
            )?
            .body(Bytes::new())
        } else {
            self.builder(E::METHOD, url, &request_id)?
                .header(http::header::CONTENT_TYPE, pay_core::form::CONTENT_TYPE)
                .body(Bytes::from(envelope.to_form()))
        }
        .map_err(|e| Error::invalid_input("base_url", format!("cannot build the request: {e}")))?;
        let sent = Sent {
            request_id,
            encrypted: req.encrypted_answer(),
        };
        Ok((request, sent))
    }

    fn decode(
        &self,
        call: &Call,
        response: HttpResponse,
        sent: Sent,
    ) -> Result<Response<E::Answer>, Error> {
        self.parse(call, response.body(), &sent.request_id, sent.encrypted)
    }
}

/// What a Yunzhanghu endpoint adds to its [`Operation`]: the plaintext's config-filled ids,
/// the typed fields `extra` must not repeat, whether the answer is encrypted, files to upload.
pub(crate) trait Endpoint: Operation + Serialize {
    /// Whether the plaintext carries `dealer_id` (filled from the config).
    const DEALER_ID: bool = false;
    /// Whether the plaintext carries `broker_id` (the config's when the request has none).
    const BROKER_ID: bool = false;
    /// The typed wire fields, which `extra` must not repeat.
    const FIELDS: &'static [&'static str];
    /// The extension fields.
    fn extra(&self) -> &Extensions;
    /// Whether the answer's `data` is encrypted.
    fn encrypted_answer(&self) -> bool {
        false
    }
    /// Files sent as multipart parts after the envelope's fields (none: a form or a query).
    fn files(&self) -> &[FilePart] {
        &[]
    }
}

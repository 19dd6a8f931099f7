//! The client and its call pipeline.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use pay_core::multipart::{FilePart, Multipart};
use pay_core::transport::{HttpRequest, HttpResponse, HttpTransport, TransportError};
use pay_core::{
    Call, Codec, Error, Operation, RandomIds, SharedClock, SharedIdSource, SharedTransport,
    SystemClock,
};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::{Auth, AuthContext, AuthRequest};
use crate::config::{BodyEncoding, Config};
use crate::response::HfResponse;

/// The provider name used in logs and unified results.
pub const PROVIDER: &str = "huifu";

/// A Huifu hfpay client. Cheap to clone; `Send + Sync`.
#[derive(Clone)]
pub struct Client {
    pub(crate) config: Arc<Config>,
    /// The app's credentials, applied last (so the sign covers what `user_auth` added).
    pub(crate) app_auth: Arc<dyn Auth>,
    /// A user's credentials (a token), applied first, on top of the app's.
    pub(crate) user_auth: Option<Arc<dyn Auth>>,
    pub(crate) transport: SharedTransport,
    pub(crate) clock: SharedClock,
    pub(crate) ids: SharedIdSource,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .field("transport", &self.transport)
            .finish_non_exhaustive()
    }
}

fn text_of(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Client {
    /// A client with the default transport (reqwest with rustls) and the config's timeout.
    ///
    /// # Errors
    /// [`Error::Transport`] when the TLS backend cannot be initialised (the config was checked
    /// when it was built).
    #[cfg(feature = "reqwest")]
    pub fn new(config: Config) -> Result<Client, Error> {
        let transport = pay_core::ReqwestTransport::builder()
            .timeout(config.timeout())
            .build()?;
        Ok(Self::assemble(config, Arc::new(transport)))
    }

    /// A client sending through `transport`, which sets its own time limit.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `timeout` when the config sets one: only the default
    /// transport ([`Client::new`]) applies it, and a setting that would be silently ignored is
    /// refused.
    pub fn with_transport(config: Config, transport: SharedTransport) -> Result<Client, Error> {
        config.leaves_the_timeout_to_the_transport()?;
        Ok(Self::assemble(config, transport))
    }

    fn assemble(config: Config, transport: SharedTransport) -> Client {
        let app_auth = config.resolved_app_auth();
        let user_auth = config.auth.clone();
        Client {
            config: Arc::new(config),
            app_auth,
            user_auth,
            transport,
            clock: Arc::new(SystemClock),
            ids: Arc::new(RandomIds),
        }
    }

    /// Uses `clock` for timestamps (`sign_time`, token expiry).
    #[must_use]
    pub fn with_clock(mut self, clock: SharedClock) -> Client {
        self.clock = clock;
        self
    }

    /// Uses `ids` for generated ids (multipart boundaries).
    #[must_use]
    pub fn with_ids(mut self, ids: SharedIdSource) -> Client {
        self.ids = ids;
        self
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Today's date in Beijing as `yyyyMMdd` (for `order_date`), from the client's clock.
    pub fn today(&self) -> String {
        self.clock.now().beijing_date_compact()
    }

    /// The configured base URL (checked when the config was built).
    pub(crate) fn base_url(&self) -> Result<&str, Error> {
        self.config
            .base_url()
            .ok_or_else(|| Error::invalid_input("base_url", "is not configured"))
    }

    /// Serialises a typed request into named parameters, with `mer_cust_id` from the config,
    /// leaving out absent values, in name order.
    ///
    /// A request's `extra` cannot override a typed (validated) field nor `mer_cust_id`: a name
    /// that comes out twice is refused, naming it, before anything is sent. A `bg_ret_url` must
    /// be public unless the config allows private ones ([`crate::config::CallbackUrls`]).
    pub(crate) fn params<T: Request>(
        &self,
        req: &T,
    ) -> Result<Vec<(String, serde_json::Value)>, Error> {
        // As text, a flattened `extra` entry and the typed field of the same name both appear
        // (a `serde_json::Value` would silently keep the last one).
        let text = serde_json::to_string(req)
            .map_err(|e| Error::invalid_input("request", e.to_string()))?;
        let Pairs(pairs) = serde_json::from_str(&text)
            .map_err(|e| Error::invalid_input("request", e.to_string()))?;
        let mut fields: std::collections::BTreeMap<String, serde_json::Value> =
            std::collections::BTreeMap::new();
        for (k, v) in pairs {
            if k == "mer_cust_id" {
                return Err(Error::invalid_input(
                    "mer_cust_id",
                    "comes from the Config; `extra` may not set it",
                ));
            }
            if fields.contains_key(&k) {
                return Err(Error::invalid_input(
                    k,
                    "is a typed field of the request; `extra` may not override it",
                ));
            }
            if k == "bg_ret_url"
                && self.config.callback_urls == crate::config::CallbackUrls::PublicOnly
                && let serde_json::Value::String(url) = &v
            {
                crate::types::public_callback_url("bg_ret_url", url)?;
            }
            fields.insert(k, v);
        }
        typed_names_in_extra(req, &fields)?;
        let mut params = vec![(
            "mer_cust_id".to_owned(),
            serde_json::Value::String(self.config.mer_cust_id.clone()),
        )];
        params.extend(fields.into_iter().filter(|(_, v)| !v.is_null()));
        Ok(params)
    }

    /// Runs `op` through [`pay_core::operation::execute`] with this client as its codec and
    /// the gateway's authentication ([`Gateway`]) around the transport.
    ///
    /// A non-2xx answer carrying the Prism error envelope is the provider's refusal, read by
    /// the config's [`crate::ResponseInterpreter`] (a `401`/`403` one is
    /// [`pay_core::ProviderErrorKind::Unauthorized`]); any other non-2xx answer stays
    /// [`Error::HttpStatus`].
    pub(crate) async fn run<E: Endpoint>(&self, op: &E) -> Result<HfResponse, Error> {
        let gateway = Gateway::new(
            AuthContext {
                transport: self.transport.as_ref(),
                clock: self.clock.as_ref(),
                base_url: self.config.base_url().unwrap_or_default(),
            },
            self.user_auth.as_deref(),
            self.app_auth.as_ref(),
        );
        let result = pay_core::operation::execute(self, &gateway, op).await;
        if let Some(e) = gateway.take_failure() {
            return Err(e);
        }
        result.map_err(|e| op.refine(self.gateway_refusal(e, op.kind().order_id())))
    }

    /// A non-2xx answer the interpreter reads as the provider's refusal becomes that refusal.
    fn gateway_refusal(&self, err: Error, order_id: Option<&str>) -> Error {
        let Error::HttpStatus { status, body, .. } = &err else {
            return err;
        };
        let body = Bytes::copy_from_slice(body.as_bytes());
        match self.config.interpreter.check(*status, &body, order_id) {
            Err(refusal @ Error::Provider(_)) => refusal,
            _ => err,
        }
    }

    /// The body of `op`, its content type, and the text fields the Prism sign covers.
    fn body<E: Endpoint>(&self, op: &E) -> Result<(Option<String>, Bytes, Form), Error> {
        if E::METHOD == Method::GET {
            return Ok((None, Bytes::new(), Vec::new()));
        }
        let params = self.params(op.fields())?;
        if !op.files().is_empty() {
            let fields: Form = params
                .iter()
                .map(|(k, v)| (k.clone(), text_of(v)))
                .collect();
            let mut m = Multipart::with_boundary(format!("cnpay-{}", self.ids.next_id()));
            for (k, v) in &fields {
                m.text(k, v);
            }
            for f in op.files() {
                m.part(f);
            }
            let (ct, b) = m.finish();
            return Ok((Some(ct), b, fields));
        }
        match self.config.encoding {
            BodyEncoding::Form => {
                let form: Form = params
                    .iter()
                    .map(|(k, v)| (k.clone(), text_of(v)))
                    .collect();
                let encoded = pay_core::form::encode(form.iter().map(|(k, v)| (k, v)));
                Ok((
                    Some(pay_core::form::CONTENT_TYPE.to_owned()),
                    Bytes::from(encoded),
                    form,
                ))
            }
            BodyEncoding::Json => {
                let map: serde_json::Map<String, serde_json::Value> = params.into_iter().collect();
                let text = serde_json::to_vec(&map)
                    .map_err(|e| Error::invalid_input("request", e.to_string()))?;
                Ok((
                    Some("application/json".to_owned()),
                    Bytes::from(text),
                    Vec::new(),
                ))
            }
        }
    }
}

/// The text form fields of a body, in order.
pub(crate) type Form = Vec<(String, String)>;

/// What [`Gateway`] needs to authenticate a request [`Client`] encoded: the path as sent (under
/// the base URL's prefix, which is what a gateway signs) and the text fields the sign covers.
/// Carried in the request's extensions.
#[derive(Clone)]
pub(crate) struct Unauthenticated {
    pub(crate) sent_path: String,
    pub(crate) form: Form,
}

/// Huifu's wire: the typed request as named parameters (with `mer_cust_id` from the config)
/// in a form, JSON or multipart body, or none for a GET; the answer read by the config's
/// [`crate::ResponseInterpreter`] and decoded into [`HfResponse`]. Authentication is added on the way
/// out by `Gateway` (the transport wrapper below).
impl<E: Endpoint> Codec<E> for Client {
    const PROVIDER: &'static str = PROVIDER;
    type Sent = ();
    type Output = HfResponse;

    fn encode(&self, op: &E) -> Result<(HttpRequest, ()), Error> {
        op.check_config(&self.config)?;
        let base = self.base_url()?;
        // The path as sent, under any prefix the base URL has: that is what a gateway signs.
        let prefix = url::Url::parse(base)
            .map_err(|e| Error::invalid_input("base_url", e.to_string()))?
            .path()
            .trim_end_matches('/')
            .to_owned();
        let path = op.path();
        let (content_type, body, form) = self.body(op)?;
        let mut builder = http::Request::builder()
            .method(E::METHOD)
            .uri(format!("{base}{path}"))
            .header(http::header::ACCEPT, "application/json");
        if let Some(ct) = content_type {
            let v = HeaderValue::from_str(&ct)
                .map_err(|_| Error::invalid_input("content-type", "invalid"))?;
            builder = builder.header(http::header::CONTENT_TYPE, v);
        }
        let request = builder
            .extension(Unauthenticated {
                sent_path: format!("{prefix}{path}"),
                form,
            })
            .body(body)
            .map_err(|e| Error::invalid_input("base_url", e.to_string()))?;
        Ok((request, ()))
    }

    fn decode(&self, call: &Call, response: HttpResponse, _sent: ()) -> Result<HfResponse, Error> {
        let status = response.status().as_u16();
        let body = response.into_body();
        self.config
            .interpreter
            .check(status, &body, call.order_id())?;
        pay_core::decode::json(&body)
    }
}

/// The client's transport with the gateway's authentication around it: the user's layer, then
/// the app's ([`crate::auth`]), on every request [`Client`] encoded; after a `401`, the user's
/// layer may renew its credentials ([`Auth::on_unauthorized`]) and the request is sent once
/// more (a `401` comes from the gateway, before the payment service sees the request).
///
/// An authentication failure is not the transport's: it is kept here and returned by
/// [`Client::run`] as it is (the transport sees a refusal to connect, nothing sent).
pub(crate) struct Gateway<'c> {
    ctx: AuthContext<'c>,
    user: Option<&'c dyn Auth>,
    app: &'c dyn Auth,
    failure: std::sync::Mutex<Option<Error>>,
}

impl fmt::Debug for Gateway<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gateway")
            .field("transport", &self.ctx.transport)
            .finish_non_exhaustive()
    }
}

impl<'c> Gateway<'c> {
    /// The transport of `ctx` with the `user`'s credentials (if any) and the `app`'s.
    pub(crate) fn new(ctx: AuthContext<'c>, user: Option<&'c dyn Auth>, app: &'c dyn Auth) -> Self {
        Gateway {
            ctx,
            user,
            app,
            failure: std::sync::Mutex::new(None),
        }
    }

    /// The authentication failure kept while sending, if any.
    pub(crate) fn take_failure(&self) -> Option<Error> {
        self.failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take()
    }

    fn keep(&self, e: Error) -> TransportError {
        let reason = format!("authentication failed: {e}");
        *self
            .failure
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(e);
        TransportError::connect(reason)
    }

    /// `parts` and `body` with both layers' credentials; the `Authorization` header sensitive.
    async fn authorized(
        &self,
        parts: &http::request::Parts,
        unauth: &Unauthenticated,
        body: &Bytes,
        ctx: &AuthContext<'_>,
    ) -> Result<HttpRequest, Error> {
        let mut areq = AuthRequest {
            method: &parts.method,
            path: &unauth.sent_path,
            query: Vec::new(),
            headers: parts.headers.clone(),
            form: &unauth.form,
        };
        if let Some(user) = self.user {
            user.authorize(&mut areq, ctx).await?;
        }
        self.app.authorize(&mut areq, ctx).await?;
        let AuthRequest {
            query, mut headers, ..
        } = areq;
        if let Some(v) = headers.get_mut(http::header::AUTHORIZATION) {
            v.set_sensitive(true);
        }
        let mut uri = parts.uri.to_string();
        if !query.is_empty() {
            uri.push('?');
            uri.push_str(&pay_core::form::encode(query.iter().map(|(k, v)| (k, v))));
        }
        let mut builder = http::Request::builder()
            .method(parts.method.clone())
            .uri(uri);
        if let Some(h) = builder.headers_mut() {
            h.extend(headers);
        }
        builder
            .body(body.clone())
            .map_err(|e| Error::invalid_input("base_url", e.to_string()))
    }

    /// Asks the user's credentials (the only ones that can be renewed) to refresh after a `401`.
    async fn refreshed_after_401(
        &self,
        sent: &HeaderMap,
        ctx: &AuthContext<'_>,
    ) -> Result<bool, Error> {
        match self.user {
            Some(user) => user.on_unauthorized(sent, ctx).await,
            None => Ok(false),
        }
    }
}

#[async_trait::async_trait]
impl HttpTransport for Gateway<'_> {
    async fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let (mut parts, body) = request.into_parts();
        let Some(unauth) = parts.extensions.remove::<Unauthenticated>() else {
            return Err(self.keep(Error::invalid_input(
                "request",
                "was not encoded by the huifu client",
            )));
        };
        let ctx = self.ctx;
        let mut first = true;
        loop {
            let request = self
                .authorized(&parts, &unauth, &body, &ctx)
                .await
                .map_err(|e| self.keep(e))?;
            let sent = request.headers().clone();
            let response = ctx.transport.send(request).await?;
            if response.status() == http::StatusCode::UNAUTHORIZED
                && first
                && self
                    .refreshed_after_401(&sent, &ctx)
                    .await
                    .map_err(|e| self.keep(e))?
            {
                tracing::info!(
                    provider = PROVIDER,
                    "401 from the gateway: credentials refreshed, sending once more"
                );
                first = false;
                continue;
            }
            return Ok(response);
        }
    }
}

/// What a Huifu endpoint adds to its [`Operation`]: the typed parameters it sends, the path
/// (when a value goes in it), the files of an upload, checks against the config, and how a
/// refusal reads.
pub(crate) trait Endpoint: Operation<Answer = HfResponse> {
    /// The typed parameters.
    type Fields: Request;
    /// The parameters sent (none for a GET).
    fn fields(&self) -> &Self::Fields;
    /// The path after the base URL ([`Operation::PATH`] unless a value goes in it).
    fn path(&self) -> std::borrow::Cow<'_, str> {
        std::borrow::Cow::Borrowed(Self::PATH)
    }
    /// Files sent as multipart parts after the text fields (none: a form or JSON body).
    fn files(&self) -> &[FilePart] {
        &[]
    }
    /// Checks that need the config (the merchant's own id).
    fn check_config(&self, _config: &Config) -> Result<(), Error> {
        Ok(())
    }
    /// How this endpoint reads a failure (the refund's failed-refund reading).
    fn refine(&self, err: Error) -> Error {
        err
    }
}

/// A typed request: its fields, and `extra`, the parameters this version does not know.
pub(crate) trait Request: Serialize + DeserializeOwned {
    /// The parameters this version does not know.
    fn extra(&self) -> &pay_core::Extensions;
}

/// Implements [`Request`] and [`Endpoint`] for request types with an `extra` field that are
/// their own operation.
macro_rules! requests {
    ($($t:ty),* $(,)?) => {
        $(impl crate::client::Request for $t {
            fn extra(&self) -> &pay_core::Extensions {
                &self.extra
            }
        })*
    };
}
pub(crate) use requests;

/// Implements [`Endpoint`] for operations that send themselves, with no files.
macro_rules! endpoints {
    ($($t:ty),* $(,)?) => {
        $(impl crate::client::Endpoint for $t {
            type Fields = Self;
            fn fields(&self) -> &Self {
                self
            }
        })*
    };
}
pub(crate) use endpoints;

/// Refuses an `extra` entry named like a typed field the request left unset (it would skip the
/// field's validation): read back into the request type, such an entry lands in the typed
/// field instead of `extra`.
fn typed_names_in_extra<T: Request>(
    req: &T,
    fields: &std::collections::BTreeMap<String, serde_json::Value>,
) -> Result<(), Error> {
    if req.extra().is_empty() {
        return Ok(());
    }
    let map: serde_json::Map<String, serde_json::Value> =
        fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let read_back: T = serde_json::from_value(serde_json::Value::Object(map)).map_err(|e| {
        Error::invalid_input(
            "extra",
            format!("names a typed field with a wrong value: {e}"),
        )
    })?;
    match req
        .extra()
        .keys()
        .find(|k| !read_back.extra().contains_key(k.as_str()))
    {
        Some(k) => Err(Error::invalid_input(
            k.clone(),
            "is a typed field of the request; set it there, where it is validated, not in `extra`",
        )),
        None => Ok(()),
    }
}

/// The entries of a JSON object in order, duplicates kept.
struct Pairs(Vec<(String, serde_json::Value)>);

impl<'de> serde::Deserialize<'de> for Pairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Pairs, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
                    out.push(entry);
                }
                Ok(Pairs(out))
            }
        }
        d.deserialize_map(Visit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_authorization_header_is_marked_sensitive() {
        let t = Arc::new(pay_core::test_util::RecordingTransport::new());
        t.push_response(200, r#"{"resp_code":"C00000"}"#);
        let config = Config::builder("6666000000000001", "app-key", "app-secret")
            .base_url("http://gw.example")
            .auth(crate::BearerAuth::new("user-token"))
            .build()
            .expect("a valid config");
        let client = Client::with_transport(config, t.clone()).expect("no timeout set");
        let query = crate::trade::OrderQueryRequest {
            user_cust_id: "6666000000000002".into(),
            order_id: "Q1".into(),
            order_date: "20240101".into(),
            trans_type: crate::codes::QueryTransType::from_wire("01"),
            mer_priv: None,
            extra: pay_core::Extensions::new(),
        };
        client.order_query(&query).await.expect("answered");
        let sent = t.requests();
        let auth = sent[0]
            .headers()
            .get(http::header::AUTHORIZATION)
            .expect("the bearer token is sent");
        assert_eq!(auth.to_str().ok(), Some("Bearer user-token"));
        assert!(auth.is_sensitive());
    }

    #[test]
    fn a_timeout_is_refused_on_an_injected_transport() {
        let config = Config::builder("6666000000000001", "app-key", "app-secret")
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .expect("a valid config");
        let t = Arc::new(pay_core::test_util::RecordingTransport::new());
        match Client::with_transport(config, t) {
            Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "timeout"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn client_is_send_sync_clone_debug() {
        fn check<T: Send + Sync + Clone + fmt::Debug>() {}
        check::<Client>();
    }
}

//! The client and its call pipeline.

use std::fmt;
use std::sync::Arc;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method};
use pay_core::multipart::{FilePart, Multipart};
use pay_core::{Call, Error, RandomIds, SharedClock, SharedIdSource, SharedTransport, SystemClock};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::auth::{Auth, AuthContext, AuthRequest};
use crate::config::{BodyEncoding, Config};

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

/// A request body.
pub(crate) enum Body {
    /// No body (GET).
    Empty,
    /// Named parameters (form or JSON, per the config).
    Params(Vec<(String, serde_json::Value)>),
    /// Text fields and files.
    Multipart {
        fields: Vec<(String, String)>,
        files: Vec<FilePart>,
    },
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
    /// [`Error::InvalidInput`] on `base_url` when it is not an http(s) URL or has a query or a
    /// fragment ([`pay_core::validate::base_url`]); [`Error::Transport`] when the TLS backend
    /// cannot be initialised.
    #[cfg(feature = "reqwest")]
    pub fn new(config: Config) -> Result<Client, Error> {
        if let Some(url) = &config.base_url {
            pay_core::validate::base_url("base_url", url)?;
        }
        let transport = pay_core::ReqwestTransport::builder()
            .timeout(config.timeout)
            .build()?;
        Ok(Self::with_transport(config, Arc::new(transport)))
    }

    /// A client sending through `transport`.
    pub fn with_transport(config: Config, transport: SharedTransport) -> Client {
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

    pub(crate) fn base_url(&self) -> Result<&str, Error> {
        let url = self
            .config
            .base_url
            .as_deref()
            .ok_or_else(|| Error::invalid_input("base_url", "is not configured"))?;
        // Checked here too: a client made by `with_transport` was not checked by `new`.
        pay_core::validate::base_url("base_url", url)?;
        Ok(url)
    }

    /// Serialises a typed request into named parameters, with `mer_cust_id` from the config,
    /// leaving out absent values, in name order.
    ///
    /// A request's `extra` cannot override a typed (validated) field nor `mer_cust_id`: a name
    /// that comes out twice is refused, naming it, before anything is sent. A `bg_ret_url` must
    /// be public unless [`Config::allow_private_callback_urls`] is set.
    pub(crate) fn params<T: Request>(&self, req: &T) -> Result<Body, Error> {
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
                && !self.config.allow_private_callback_urls
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
        Ok(Body::Params(params))
    }

    /// Sends one request through authentication, the transport and the response interpreter,
    /// and decodes the typed response. A `401` is answered by [`Auth::on_unauthorized`], and the
    /// request is sent at most once more.
    pub(crate) async fn execute<T: DeserializeOwned>(
        &self,
        call: Call,
        method: Method,
        path: &str,
        body: Body,
    ) -> Result<T, Error> {
        let base = self.base_url()?;
        // The path as sent, under any prefix the base URL has: that is what a gateway signs.
        let prefix = url::Url::parse(base)
            .map_err(|e| Error::invalid_input("base_url", e.to_string()))?
            .path()
            .trim_end_matches('/')
            .to_owned();
        let sent_path = format!("{prefix}{path}");
        let ctx = AuthContext {
            transport: self.transport.as_ref(),
            clock: self.clock.as_ref(),
            base_url: base,
        };
        let (content_type, bytes, form): (Option<String>, Bytes, Vec<(String, String)>) = match body
        {
            Body::Empty => (None, Bytes::new(), Vec::new()),
            Body::Params(params) => match self.config.encoding {
                BodyEncoding::Form => {
                    let form: Vec<(String, String)> = params
                        .iter()
                        .map(|(k, v)| (k.clone(), text_of(v)))
                        .collect();
                    let encoded = pay_core::form::encode(form.iter().map(|(k, v)| (k, v)));
                    (
                        Some(pay_core::form::CONTENT_TYPE.to_owned()),
                        Bytes::from(encoded),
                        form,
                    )
                }
                BodyEncoding::Json => {
                    let map: serde_json::Map<String, serde_json::Value> =
                        params.into_iter().collect();
                    let text = serde_json::to_vec(&map)
                        .map_err(|e| Error::invalid_input("request", e.to_string()))?;
                    (
                        Some("application/json".to_owned()),
                        Bytes::from(text),
                        Vec::new(),
                    )
                }
            },
            Body::Multipart { fields, files } => {
                let mut m = Multipart::with_boundary(format!("cnpay-{}", self.ids.next_id()));
                for (k, v) in &fields {
                    m.text(k, v);
                }
                for f in &files {
                    m.part(f);
                }
                let (ct, b) = m.finish();
                (Some(ct), b, fields)
            }
        };

        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut headers = HeaderMap::new();
            headers.insert(
                http::header::ACCEPT,
                HeaderValue::from_static("application/json"),
            );
            if let Some(ct) = &content_type {
                let v = HeaderValue::from_str(ct)
                    .map_err(|_| Error::invalid_input("content-type", "invalid"))?;
                headers.insert(http::header::CONTENT_TYPE, v);
            }
            let mut areq = AuthRequest {
                method: &method,
                path: &sent_path,
                query: Vec::new(),
                headers,
                form: &form,
            };
            if let Some(user) = &self.user_auth {
                user.authorize(&mut areq, &ctx).await?;
            }
            self.app_auth.authorize(&mut areq, &ctx).await?;
            let AuthRequest { query, headers, .. } = areq;
            let mut uri = format!("{base}{path}");
            if !query.is_empty() {
                uri.push('?');
                uri.push_str(&pay_core::form::encode(query.iter().map(|(k, v)| (k, v))));
            }
            let mut builder = http::Request::builder().method(method.clone()).uri(&uri);
            if let Some(h) = builder.headers_mut() {
                h.extend(headers.clone());
            }
            let request = builder
                .body(bytes.clone())
                .map_err(|e| Error::invalid_input("base_url", e.to_string()))?;
            let response = call.send(self.transport.as_ref(), request).await?;
            let status = response.status().as_u16();
            if status == 401 && attempt == 1 && self.refreshed_after_401(&headers, &ctx).await? {
                tracing::info!(
                    provider = PROVIDER,
                    operation = call.operation,
                    "401 from the gateway: credentials refreshed, sending once more"
                );
                continue;
            }
            let body = response.into_body();
            // Whatever the interpreter returns is classified by the call's kind: a query's
            // errors are retry-safe and never ask for a query, a mutation's carry its order id.
            self.config
                .interpreter
                .check(status, &body, call.order_id())
                .map_err(|e| call.classify(e))?;
            return call.decode_json(&body);
        }
    }

    /// Asks the user's credentials (the only ones that can be renewed) to refresh after a `401`.
    async fn refreshed_after_401(
        &self,
        sent: &HeaderMap,
        ctx: &AuthContext<'_>,
    ) -> Result<bool, Error> {
        match &self.user_auth {
            Some(user) => user.on_unauthorized(sent, ctx).await,
            None => Ok(false),
        }
    }

    /// A POST of a typed request's parameters.
    pub(crate) async fn post<Req: Request, Resp: DeserializeOwned>(
        &self,
        call: Call,
        path: &str,
        req: &Req,
    ) -> Result<Resp, Error> {
        let body = self.params(req)?;
        self.execute(call, Method::POST, path, body).await
    }
}

/// A typed request: its fields, and `extra`, the parameters this version does not know.
pub(crate) trait Request: Serialize + DeserializeOwned {
    /// The parameters this version does not know.
    fn extra(&self) -> &pay_core::Extensions;
}

/// Implements [`Request`] for request types with an `extra` field.
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

    #[test]
    fn client_is_send_sync_clone_debug() {
        fn check<T: Send + Sync + Clone + fmt::Debug>() {}
        check::<Client>();
    }
}

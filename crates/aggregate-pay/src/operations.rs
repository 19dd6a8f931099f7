//! The CLI's view of the API: operation names and a JSON-in, JSON-out call.

use pay_core::Error;
use pay_core::Operation;
use pay_core::decode::{input as parse, to_value as to_json};
use pay_core::multipart::FilePart;
use pay_core::operation::{OperationDoc, names};
use serde_json::Value;

use crate::client::Client;
use crate::pay::{CreateOrderRequest, QueryOrderRequest};
use crate::payout::{TransOrderRequest, TransQueryRequest};

/// Every operation, named after its path below `/api/` with `/` and `_` as `-`, sorted. Each
/// entry is taken from its request type's [`Operation`] impl (name, path, fields, example),
/// written once, there.
pub const CATALOG: &[OperationDoc] = &[
    OperationDoc::of::<CreateOrderRequest>(),
    OperationDoc::of::<QueryOrderRequest>(),
    OperationDoc::of::<TransOrderRequest>(),
    OperationDoc::of::<TransQueryRequest>(),
];

/// The names of [`CATALOG`], in its order.
pub const OPERATIONS: &[&str] = &names::<{ CATALOG.len() }>(CATALOG);

impl Client {
    /// Runs `operation` with `data` holding the business fields under their wire names
    /// (`mchOrderNo`, `productId`, `amount` in fen, …; `mchId`, `appId` and `sign` come from
    /// the client), through the same typed method (and validation) as the typed API, and
    /// returns the typed answer with wire names. This gateway takes no files: `files` must be
    /// empty.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] with field `operation` for an unknown operation, `data` for
    /// data that does not fit the request, `files` when files are given; otherwise as the
    /// typed method.
    pub async fn call_json(
        &self,
        operation: &str,
        data: Value,
        files: Vec<FilePart>,
    ) -> Result<Value, Error> {
        if !OPERATIONS.contains(&operation) {
            return Err(unknown(operation));
        }
        if !files.is_empty() {
            return Err(Error::invalid_input("files", "this gateway takes no files"));
        }
        match operation {
            CreateOrderRequest::NAME => {
                let resp = self.create_order(&parse(data)?).await?;
                let mut v = to_json(&resp)?;
                if let Value::Object(m) = &mut v {
                    // The parsed payUrl, for convenience (not a wire field).
                    m.insert("action".to_owned(), action_json(&resp.action()));
                }
                Ok(v)
            }
            QueryOrderRequest::NAME => to_json(&self.query_order(&parse(data)?).await?),
            TransOrderRequest::NAME => to_json(&self.trans_create_order(&parse(data)?).await?),
            TransQueryRequest::NAME => to_json(&self.trans_query_order(&parse(data)?).await?),
            _ => Err(unknown(operation)),
        }
    }
}

fn unknown(operation: &str) -> Error {
    Error::invalid_input(
        "operation",
        format!(
            "unknown operation `{operation}`; known: {}",
            OPERATIONS.join(", ")
        ),
    )
}

fn action_json(a: &pay_core::PaymentAction) -> Value {
    use pay_core::PaymentAction;
    match a {
        PaymentAction::Redirect { url } => serde_json::json!({"redirect": url}),
        PaymentAction::FormPost { url, fields } => serde_json::json!({
            "form_post": {
                "url": url,
                "fields": fields.iter().map(|(k, v)| serde_json::json!([k, v])).collect::<Vec<_>>(),
            }
        }),
        PaymentAction::Code { code } => serde_json::json!({"code": code}),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_documents_every_field() {
        pay_core::test_util::check_catalog(CATALOG);
    }

    /// Every EXAMPLE passes its operation's validation: the call fails at the transport, which
    /// refuses to send.
    #[test]
    fn every_example_passes_validation() {
        let refusing = pay_core::transport::transport_fn(|_| async {
            Err(pay_core::transport::TransportError::connect(
                std::io::Error::other("refused by the test"),
            ))
        });
        let config = crate::Config::builder("20001222", "app", "K", "K")
            .base_url("http://127.0.0.1:9")
            .build()
            .unwrap();
        let client = Client::with_transport(config, std::sync::Arc::new(refusing)).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        for op in CATALOG {
            let data: Value = serde_json::from_str(op.example).unwrap();
            let e = rt
                .block_on(client.call_json(op.name, data, Vec::new()))
                .unwrap_err();
            assert!(matches!(e, Error::Transport { .. }), "{}: {e:?}", op.name);
        }
    }

    #[test]
    fn operations_are_sorted_and_unique() {
        let mut sorted = OPERATIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, OPERATIONS);
    }
}

//! The CLI's view of the API: operation names and a JSON-in, JSON-out call.

use pay_core::Error;
use pay_core::decode::{input as parse, to_value as to_json};
use pay_core::multipart::FilePart;
use serde_json::Value;

use crate::client::Client;
use crate::pay::{CreateOrderRequest, QueryOrderRequest};
use crate::payout::{TransOrderRequest, TransQueryRequest};

/// The operations, named after their path below `/api/` with `/` and `_` as `-`, sorted.
pub const OPERATIONS: &[&str] = &[
    "pay-create-order",
    "pay-query-order",
    "trans-create-order",
    "trans-query-order",
];

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
            return Err(Error::invalid_input(
                "operation",
                format!(
                    "unknown operation `{operation}`; known: {}",
                    OPERATIONS.join(", ")
                ),
            ));
        }
        if !files.is_empty() {
            return Err(Error::invalid_input("files", "this gateway takes no files"));
        }
        match operation {
            "pay-create-order" => {
                let req: CreateOrderRequest = parse(data)?;
                let resp = self.create_order(&req).await?;
                let mut v = to_json(&resp)?;
                if let Value::Object(m) = &mut v {
                    // The parsed payUrl, for convenience (not a wire field).
                    m.insert("action".to_owned(), action_json(&resp.action()));
                }
                Ok(v)
            }
            "pay-query-order" => {
                to_json(&self.query_order(&parse::<QueryOrderRequest>(data)?).await?)
            }
            "trans-create-order" => to_json(
                &self
                    .trans_create_order(&parse::<TransOrderRequest>(data)?)
                    .await?,
            ),
            _ => to_json(
                &self
                    .trans_query_order(&parse::<TransQueryRequest>(data)?)
                    .await?,
            ),
        }
    }
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
    fn operations_are_sorted_and_unique() {
        let mut sorted = OPERATIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, OPERATIONS);
    }
}

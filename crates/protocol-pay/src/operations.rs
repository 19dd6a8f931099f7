//! Operation names for the command line, and [`Client::call_json`], which runs any of them from
//! JSON through the same typed, validated path as the typed methods.

use pay_core::Error;
use pay_core::multipart::FilePart;
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::pay::{InqueryRequest, PosCloseRequest, PrepayRequest};
use crate::payout::{OutpayRequest, OutqueryRequest};
use crate::protocol::{CreateProtocolRequest, FindProtocolRequest};
use crate::query::QueryBankCnapsRequest;

/// The operations, named by their path after `/api/protocol/`, sorted.
pub const OPERATIONS: &[&str] = &[
    "create",
    "find",
    "inquery",
    "outpay",
    "outquery",
    "posclose",
    "prepay",
    "querybankcnaps",
];

fn parse<T: DeserializeOwned>(data: serde_json::Value) -> Result<T, Error> {
    // Through pay_core::decode: the message names the failing field but never quotes a value
    // (the input can hold a card or ID number).
    pay_core::decode::json(data.to_string().as_bytes()).map_err(|e| {
        let why = std::error::Error::source(&e).map_or_else(|| e.to_string(), ToString::to_string);
        Error::invalid_input("data", why)
    })
}

fn to_json<T: Serialize>(value: &T) -> Result<serde_json::Value, Error> {
    serde_json::to_value(value).map_err(|e| Error::decode(Vec::new(), e))
}

impl Client {
    /// Runs `operation` (one of [`OPERATIONS`]) with `data` holding the business fields under
    /// their wire names (e.g. `{"outReqNo": "LFT1001…"}`), and returns the typed response under
    /// its wire names. Validation is that of the typed method. This API takes no files.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] with field `operation` for an unknown operation, `data` when the
    /// fields do not fit the request, `files` when files are given; otherwise as the typed
    /// method.
    pub async fn call_json(
        &self,
        operation: &str,
        data: serde_json::Value,
        files: Vec<FilePart>,
    ) -> Result<serde_json::Value, Error> {
        if !OPERATIONS.contains(&operation) {
            return Err(Error::invalid_input(
                "operation",
                format!("unknown operation `{operation}`"),
            ));
        }
        if !files.is_empty() {
            return Err(Error::invalid_input("files", "this API takes no files"));
        }
        match operation {
            "create" => to_json(
                &self
                    .create_protocol(&parse::<CreateProtocolRequest>(data)?)
                    .await?,
            ),
            "find" => to_json(
                &self
                    .find_protocol(&parse::<FindProtocolRequest>(data)?)
                    .await?,
            ),
            "prepay" => to_json(&self.prepay(&parse::<PrepayRequest>(data)?).await?),
            "posclose" => to_json(&self.pos_close(&parse::<PosCloseRequest>(data)?).await?),
            "inquery" => to_json(&self.inquery(&parse::<InqueryRequest>(data)?).await?),
            "outpay" => to_json(&self.outpay(&parse::<OutpayRequest>(data)?).await?),
            "outquery" => to_json(&self.outquery(&parse::<OutqueryRequest>(data)?).await?),
            "querybankcnaps" => to_json(
                &self
                    .query_bank_cnaps(&parse::<QueryBankCnapsRequest>(data)?)
                    .await?,
            ),
            other => Err(Error::invalid_input(
                "operation",
                format!("unknown operation `{other}`"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_names_the_field_without_quoting_the_value() {
        let e =
            parse::<QueryBankCnapsRequest>(serde_json::json!({"bankNameKeyWord": 13812345678u64}))
                .unwrap_err();
        let shown = format!("{e} {e:?}");
        assert!(!shown.contains("13812345678"), "{shown}");
        match e {
            Error::InvalidInput { field, reason } => {
                assert_eq!(field, "data");
                assert!(
                    reason.starts_with("at `bankNameKeyWord`: invalid type: integer `***`"),
                    "{reason}"
                );
            }
            other => panic!("{other:?}"),
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

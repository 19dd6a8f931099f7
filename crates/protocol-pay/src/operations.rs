//! Operation names for the command line, and [`Client::call_json`], which runs any of them from
//! JSON through the same typed, validated path as the typed methods.

use pay_core::Error;
use pay_core::decode::{input as parse, to_value as to_json};
use pay_core::multipart::FilePart;

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
    fn operations_are_sorted_and_unique() {
        let mut sorted = OPERATIONS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, OPERATIONS);
    }
}

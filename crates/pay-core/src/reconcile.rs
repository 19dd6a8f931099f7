//! Reconciliation: the provider's record of a day against the merchant's own ledger, order by
//! order.
//!
//! Both sides are streams of [`Record`]s (order id, amount in fen, [`TxStatus`], fee where
//! known): a provider crate turns its day file or its query answers into one, the merchant's
//! ledger is a CSV file ([`LedgerCsv`]) or any iterator over its own database ([`RecordSource`]).
//! [`reconcile`] classes every order ([`Class`]) and sums each class ([`Totals`]).
//!
//! # Memory
//! The two streams are read alternately, one record from each, into one table until either
//! ends: that side is then the smaller one and is held entirely; the rest of the other side is
//! streamed against it, and a record that is not in the table cannot match anything, so it is
//! reported at once. Memory is bounded by twice the smaller side plus the discrepancies
//! reported. Matched orders are counted and summed, never kept as items.
//!
//! # Rules
//! - **One order id on several rows** (Yunzhanghu's own order-file example has merchant order
//!   `2017112705` on two rows, two 订单流水号, both 成功): the rows are one order. Their amounts
//!   and fees are summed, and the item says how many rows each side had (`provider_rows`,
//!   `ledger_rows`). Rows of one order with different statuses leave the order
//!   `unknown(mixed)`: pending, to be checked by hand.
//! - **Classes**, for an order on both sides: pending at the provider when the provider's status
//!   is not settled (`processing`, `unpaid`, `unknown`); otherwise a status mismatch when the
//!   statuses differ (the one that matters most: a return the ledger still counts as
//!   `succeeded`); otherwise an amount mismatch when the amounts differ; otherwise matched.
//!   An order on one side only is missing at the provider or missing in the ledger, whatever its
//!   status.
//! - A ledger that states no status counts every order as `succeeded` ([`LedgerCsv`]).
//! - Sums saturate at `i64::MAX` fen (92 trillion yuan) rather than wrap.

mod engine;
mod ledger_csv;
mod query;

pub use engine::{Class, ClassTotal, Item, Report, Totals, reconcile};
pub use ledger_csv::LedgerCsv;
pub use query::{
    Answer, QueryPlan, payments_by_query, payouts_by_query, query_records, query_records_resuming,
};

use crate::{Error, Money, TxStatus};

/// One order as one side records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    /// The merchant's order id.
    pub order_id: String,
    /// The amount.
    pub amount: Money,
    /// Where the order stands by this side.
    pub status: TxStatus,
    /// The provider's fee for this order, where this side knows it.
    pub fee: Option<Money>,
}

/// A stream of [`Record`]s: a day file, query answers, or the merchant's own database.
///
/// Any iterator of `Result<Record, Error>` is one (a database cursor mapped row by row); an
/// `Err` ends the reconciliation with that error.
pub trait RecordSource: Iterator<Item = Result<Record, Error>> {}

impl<I: Iterator<Item = Result<Record, Error>>> RecordSource for I {}

/// A lifecycle status by its lower-case name (`processing`, `succeeded`, `failed`, `unpaid`,
/// `closed`, `returned`, `refunded`), as a ledger writes it; `None` for any other name.
pub fn status_from_name(name: &str) -> Option<TxStatus> {
    Some(match name {
        "processing" => TxStatus::Processing,
        "succeeded" => TxStatus::Succeeded,
        "failed" => TxStatus::Failed,
        "unpaid" => TxStatus::Unpaid,
        "closed" => TxStatus::Closed,
        "returned" => TxStatus::Returned,
        "refunded" => TxStatus::Refunded,
        _ => return None,
    })
}

/// Whether the provider has not settled the order yet: check it again after the next file.
pub fn is_pending(status: &TxStatus) -> bool {
    matches!(
        status,
        TxStatus::Processing | TxStatus::Unpaid | TxStatus::Unknown(_)
    )
}

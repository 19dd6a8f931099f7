//! Reconciliation by query: protocol-pay publishes no day file, so the provider side of a
//! reconciliation ([`pay_core::reconcile`]) is one read-only query per ledger order, paced and
//! bounded by a [`QueryPlan`] (queries are retry-safe; nothing here moves money).
//!
//! ```no_run
//! # async fn day(client: &protocol_pay::Client, ledger: Vec<pay_core::reconcile::Record>) -> Result<(), pay_core::Error> {
//! use pay_core::reconcile::{reconcile, QueryPlan};
//!
//! let provider = protocol_pay::reconcile::payments(client, ledger.clone(), &QueryPlan::default()).await?;
//! let report = reconcile(provider.into_iter().map(Ok), ledger.into_iter().map(Ok))?;
//! println!("{} orders not matched", report.items.len());
//! # Ok(()) }
//! ```

use pay_core::reconcile::{QueryPlan, Record, query_records};
use pay_core::{Error, Payments, Payouts};

use crate::Client;

/// The provider's records of the ledger's pay orders, by `Payments::query_payment`.
///
/// # Errors
/// As [`query_records`].
pub async fn payments(
    client: &Client,
    ledger: Vec<Record>,
    plan: &QueryPlan,
) -> Result<Vec<Record>, Error> {
    query_records(
        ledger,
        plan,
        |id| async move { client.query_payment(&id).await },
        tokio::time::sleep,
    )
    .await
}

/// The provider's records of the ledger's payouts, by `Payouts::query_payout`.
///
/// # Errors
/// As [`query_records`].
pub async fn payouts(
    client: &Client,
    ledger: Vec<Record>,
    plan: &QueryPlan,
) -> Result<Vec<Record>, Error> {
    query_records(
        ledger,
        plan,
        |id| async move { client.query_payout(&id).await },
        tokio::time::sleep,
    )
    .await
}

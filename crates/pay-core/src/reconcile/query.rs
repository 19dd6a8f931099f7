//! The provider side by query, for providers that publish no day file (aggregate-pay,
//! protocol-pay): one read-only query per ledger order, at most `concurrency` at once and at
//! most one started per `interval`, each retried only while its error is retry-safe.
//!
//! A run can be resumed ([`query_records_resuming`]): each answer is handed to a callback as
//! soon as its query settles (to be written down), and the answers written down by an earlier,
//! interrupted run are given back so that those orders are not queried again.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};

use super::Record;
use crate::{Error, Money, Payments, Payouts, ProviderErrorKind, Transition, TxStatus};

/// The settled answer to one order's query: what a journal of a run records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// The provider knows the order.
    Found {
        /// The amount it states; `None` when the answer states none (the order then comes out
        /// pending at the provider, never matched on the ledger's amount).
        amount: Option<Money>,
        /// Where the order stands by the provider.
        status: TxStatus,
    },
    /// The provider does not know the order (`ProviderErrorKind::NotFound`): missing at the
    /// provider.
    NotFound,
}

impl Answer {
    /// The provider's record of the ledger's order `ledger` by this answer; `None` when not
    /// found.
    pub fn record(&self, ledger: &Record) -> Option<Record> {
        match self {
            Answer::Found {
                amount: Some(amount),
                status,
            } => Some(Record {
                order_id: ledger.order_id.clone(),
                amount: *amount,
                status: status.clone(),
                fee: None,
            }),
            // An answer that states no amount confirms nothing about it: the order is pending
            // (to check again), never matched on an amount taken on trust.
            Answer::Found { amount: None, .. } => Some(Record {
                status: TxStatus::Unknown("amount not stated".to_owned()),
                fee: None,
                ..ledger.clone()
            }),
            Answer::NotFound => None,
        }
    }
}

/// How to query a day's orders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryPlan {
    /// Queries in flight at once (1 to 64).
    pub concurrency: usize,
    /// The least time between two queries started: the rate the merchant allows itself.
    pub interval: Duration,
    /// Tries per order when a try fails retry-safe (a transport error, a garbled answer);
    /// 1 to 10.
    pub attempts: u32,
}

impl Default for QueryPlan {
    /// 4 at once, 10 per second, 3 tries.
    fn default() -> Self {
        QueryPlan {
            concurrency: 4,
            interval: Duration::from_millis(100),
            attempts: 3,
        }
    }
}

impl QueryPlan {
    fn validate(&self) -> Result<(), Error> {
        if !(1..=64).contains(&self.concurrency) {
            return Err(Error::invalid_input("concurrency", "must be 1 to 64"));
        }
        if !(1..=10).contains(&self.attempts) {
            return Err(Error::invalid_input("attempts", "must be 1 to 10"));
        }
        Ok(())
    }
}

/// Queries every ledger order and returns the provider's records: an order the provider does
/// not know (`ProviderErrorKind::NotFound`) has none, and so comes out missing at the provider.
/// The provider's fee is not known from a query (`None`); an answer that states no amount is
/// recorded as [`TxStatus::Unknown`]`("amount not stated")`, so the order comes out pending at
/// the provider, never matched on the ledger's own amount.
///
/// `query` is the provider's read-only query of one order id (`Payments::query_payment`,
/// `Payouts::query_payout`), `sleep` the runtime's timer (`tokio::time::sleep`).
///
/// # Errors
/// [`Error::InvalidInput`] for a bad plan (before any query); the error of the first order
/// whose query failed, after its tries (any error that is not retry-safe ends at once).
pub async fn query_records<Q, QF, S, SF>(
    ledger: Vec<Record>,
    plan: &QueryPlan,
    query: Q,
    sleep: S,
) -> Result<Vec<Record>, Error>
where
    Q: Fn(String) -> QF,
    QF: Future<Output = Result<Transition, Error>>,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
{
    query_records_resuming(ledger, plan, &HashMap::new(), |_, _| Ok(()), query, sleep).await
}

/// As [`query_records`], resuming a run: an order whose id is in `known` is not queried, its
/// answer is taken from there; every other order's answer is given to `on_answer` (order id,
/// answer) as soon as its query settles, one at a time, before the next settled one. A journal
/// writes each one down there, and gives them back as `known` when the run is started again.
///
/// # Errors
/// As [`query_records`]; also the first error `on_answer` returns, which ends the run (the
/// answers given to it before stand).
pub async fn query_records_resuming<Q, QF, S, SF, N>(
    ledger: Vec<Record>,
    plan: &QueryPlan,
    known: &HashMap<String, Answer>,
    mut on_answer: N,
    query: Q,
    sleep: S,
) -> Result<Vec<Record>, Error>
where
    Q: Fn(String) -> QF,
    QF: Future<Output = Result<Transition, Error>>,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
    N: FnMut(&str, &Answer) -> Result<(), Error>,
{
    plan.validate()?;
    let mut found = Vec::with_capacity(ledger.len());
    let mut ask = Vec::new();
    for record in ledger {
        match known.get(&record.order_id) {
            Some(answer) => found.extend(answer.record(&record)),
            None => ask.push(record),
        }
    }
    let (query, sleep) = (&query, &sleep);
    let paced = stream::iter(ask.into_iter().enumerate()).then(|(i, record)| async move {
        if i > 0 {
            sleep(plan.interval).await;
        }
        record
    });
    let mut settled = std::pin::pin!(
        paced
            .map(|record| async move {
                let answer = query_one(&record.order_id, plan, query, sleep).await?;
                Ok::<_, Error>((record, answer))
            })
            .buffer_unordered(plan.concurrency)
    );
    while let Some(next) = settled.next().await {
        let (record, answer) = next?;
        on_answer(&record.order_id, &answer)?;
        found.extend(answer.record(&record));
    }
    Ok(found)
}

/// The provider's records of the ledger's payments, by [`Payments::query_payment`] (any
/// provider), `sleep` being the runtime's timer (`tokio::time::sleep`).
///
/// # Errors
/// As [`query_records`].
pub async fn payments_by_query<P, S, SF>(
    payments: &P,
    ledger: Vec<Record>,
    plan: &QueryPlan,
    sleep: S,
) -> Result<Vec<Record>, Error>
where
    P: Payments + ?Sized,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
{
    query_records(
        ledger,
        plan,
        |id| async move { payments.query_payment(&id).await },
        sleep,
    )
    .await
}

/// The provider's records of the ledger's payouts, by [`Payouts::query_payout`] (any
/// provider), `sleep` being the runtime's timer (`tokio::time::sleep`).
///
/// # Errors
/// As [`query_records`].
pub async fn payouts_by_query<P, S, SF>(
    payouts: &P,
    ledger: Vec<Record>,
    plan: &QueryPlan,
    sleep: S,
) -> Result<Vec<Record>, Error>
where
    P: Payouts + ?Sized,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
{
    query_records(
        ledger,
        plan,
        |id| async move { payouts.query_payout(&id).await },
        sleep,
    )
    .await
}

async fn query_one<Q, QF, S, SF>(
    order_id: &str,
    plan: &QueryPlan,
    query: &Q,
    sleep: &S,
) -> Result<Answer, Error>
where
    Q: Fn(String) -> QF,
    QF: Future<Output = Result<Transition, Error>>,
    S: Fn(Duration) -> SF,
    SF: Future<Output = ()>,
{
    let mut tries = 0;
    loop {
        tries += 1;
        match query(order_id.to_owned()).await {
            Ok(t) => {
                return Ok(Answer::Found {
                    amount: t.amount,
                    status: t.status,
                });
            }
            Err(Error::Provider(e)) if matches!(e.kind, ProviderErrorKind::NotFound { .. }) => {
                return Ok(Answer::NotFound);
            }
            Err(e) if e.is_retry_safe() && tries < plan.attempts => sleep(plan.interval).await,
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;
    use crate::ProviderError;
    use crate::lifecycle::{FlowKind, Lifecycle, StatusRule};

    static TABLE: Lifecycle = Lifecycle {
        provider: "test",
        kind: FlowKind::Payment,
        source: "test",
        rules: &[
            StatusRule {
                code: "S",
                meaning: "paid",
                status: TxStatus::Succeeded,
                is_final: true,
                next: &[],
            },
            StatusRule {
                code: "P",
                meaning: "paying",
                status: TxStatus::Processing,
                is_final: false,
                next: &["S"],
            },
        ],
    };

    fn ledger(ids: &[&str]) -> Vec<Record> {
        ids.iter()
            .map(|id| Record {
                order_id: (*id).to_owned(),
                amount: Money::from_fen(100),
                status: TxStatus::Succeeded,
                fee: None,
            })
            .collect()
    }

    #[tokio::test]
    async fn queries_each_order_paced_retrying_only_retry_safe_failures() {
        let flaky_tries = AtomicU32::new(0);
        let slept = Mutex::new(Vec::new());
        let query = |id: String| {
            let flaky_tries = &flaky_tries;
            async move {
                match id.as_str() {
                    "paid" => {
                        let mut t = Transition::new(&TABLE, id, "S");
                        t.amount = Some(Money::from_fen(120));
                        Ok(t)
                    }
                    "no-amount" => Ok(Transition::new(&TABLE, id, "P")),
                    "flaky" if flaky_tries.fetch_add(1, Ordering::SeqCst) == 0 => {
                        Err(Error::io(std::io::Error::other("reset")))
                    }
                    "flaky" => {
                        Ok(Transition::new(&TABLE, id, "S").amount(Some(Money::from_fen(100))))
                    }
                    _ => Err(Error::Provider(Box::new(
                        ProviderError::new("404", "no such order").kind(
                            ProviderErrorKind::NotFound {
                                what: "order".into(),
                            },
                        ),
                    ))),
                }
            }
        };
        let sleep = |d: Duration| {
            slept.lock().unwrap().push(d);
            async {}
        };
        let plan = QueryPlan {
            concurrency: 2,
            interval: Duration::from_millis(50),
            attempts: 2,
        };
        let mut got = query_records(
            ledger(&["paid", "no-amount", "flaky", "gone"]),
            &plan,
            query,
            sleep,
        )
        .await
        .unwrap();
        got.sort_by(|a, b| a.order_id.cmp(&b.order_id));
        let got: Vec<(&str, i64, &str)> = got
            .iter()
            .map(|r| (r.order_id.as_str(), r.amount.fen(), r.status.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("flaky", 100, "succeeded"),
                // Stated no amount: pending, never matched on the ledger's amount.
                ("no-amount", 100, "unknown"),
                ("paid", 120, "succeeded"),
            ]
        );
        assert_eq!(flaky_tries.load(Ordering::SeqCst), 2);
        // Three paces between four starts, one pause before the retry.
        assert_eq!(*slept.lock().unwrap(), vec![Duration::from_millis(50); 4]);
    }

    #[tokio::test]
    async fn a_failure_that_is_not_retry_safe_or_out_of_tries_ends_the_run() {
        let calls = AtomicU32::new(0);
        let err = query_records(
            ledger(&["a"]),
            &QueryPlan {
                attempts: 3,
                ..QueryPlan::default()
            },
            |_id| {
                calls.fetch_add(1, Ordering::SeqCst);
                async { Err(Error::io(std::io::Error::other("reset"))) }
            },
            |_d| async {},
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::Io { .. }));
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        let err = query_records(
            ledger(&["a"]),
            &QueryPlan {
                concurrency: 0,
                ..QueryPlan::default()
            },
            |id| async move { Ok(Transition::new(&TABLE, id, "S")) },
            |_d| async {},
        )
        .await
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input in `concurrency`: must be 1 to 64"
        );
    }

    #[tokio::test]
    async fn known_answers_are_not_queried_and_each_new_answer_reaches_the_callback() {
        let asked = Mutex::new(Vec::new());
        let query = |id: String| {
            asked.lock().unwrap().push(id.clone());
            async move {
                match id.as_str() {
                    "gone" => Err(Error::Provider(Box::new(
                        ProviderError::new("404", "no such order").kind(
                            ProviderErrorKind::NotFound {
                                what: "order".into(),
                            },
                        ),
                    ))),
                    _ => Ok(Transition::new(&TABLE, id, "S").amount(Some(Money::from_fen(100)))),
                }
            }
        };
        let known = HashMap::from([
            (
                "done".to_owned(),
                Answer::Found {
                    amount: Some(Money::from_fen(90)),
                    status: TxStatus::Failed,
                },
            ),
            ("done-missing".to_owned(), Answer::NotFound),
            (
                "done-no-amount".to_owned(),
                Answer::Found {
                    amount: None,
                    status: TxStatus::Succeeded,
                },
            ),
        ]);
        let mut told = Vec::new();
        let mut got = query_records_resuming(
            ledger(&["done", "new", "done-missing", "gone", "done-no-amount"]),
            &QueryPlan::default(),
            &known,
            |id, answer| {
                told.push((id.to_owned(), answer.clone()));
                Ok(())
            },
            query,
            |_d| async {},
        )
        .await
        .unwrap();
        let mut asked = asked.into_inner().unwrap();
        asked.sort();
        assert_eq!(asked, ["gone", "new"]);
        told.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(
            told,
            [
                ("gone".to_owned(), Answer::NotFound),
                (
                    "new".to_owned(),
                    Answer::Found {
                        amount: Some(Money::from_fen(100)),
                        status: TxStatus::Succeeded
                    }
                ),
            ]
        );
        got.sort_by(|a, b| a.order_id.cmp(&b.order_id));
        let got: Vec<(&str, i64, &str)> = got
            .iter()
            .map(|r| (r.order_id.as_str(), r.amount.fen(), r.status.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("done", 90, "failed"),
                // The known answer stated no amount: pending, as when it was first received.
                ("done-no-amount", 100, "unknown"),
                ("new", 100, "succeeded"),
            ]
        );
    }

    #[tokio::test]
    async fn a_failing_callback_ends_the_run_after_the_answers_it_was_given() {
        let mut told = 0;
        let err = query_records_resuming(
            ledger(&["a", "b", "c"]),
            &QueryPlan {
                concurrency: 1,
                ..QueryPlan::default()
            },
            &HashMap::new(),
            |_id, _answer| {
                told += 1;
                if told == 2 {
                    Err(Error::io(std::io::Error::other("disk full")))
                } else {
                    Ok(())
                }
            },
            |id| async move { Ok(Transition::new(&TABLE, id, "S")) },
            |_d| async {},
        )
        .await
        .unwrap_err();
        assert!(matches!(err, Error::Io { .. }), "{err}");
        assert_eq!(told, 2);
    }
}

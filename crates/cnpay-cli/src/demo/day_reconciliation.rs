//! The demo's last flows: the day it just made, reconciled. Each provider's record of the day
//! (Huifu's trade statement; Yunzhanghu's order file, with the returns of its bill file)
//! against the merchant's ledger, which the flows built in memory as their orders settled
//! ([`Ledger`]), with one discrepancy planted in the ledger. A flow passes only when the report
//! finds exactly that discrepancy and matches every other order.

use std::sync::Mutex;

use cnpay::huifu::reconcile::StatementReader;
use cnpay::yunzhanghu::bill::{BillDownloadUrl, BillFileReader, OrderDownloadUrl, OrderFileReader};
use pay_core::reconcile::{Class, Item, Record, Report, reconcile};
use pay_core::{Clock, Money, SystemClock, TxStatus};
use pay_sandbox::Provider;

use super::{Env, StepError, Table, expect_eq, present, step};

/// The merchant's ledger of this run: each order a flow placed, booked with the amount it was
/// placed for and the status its verified callback reported.
#[derive(Debug, Default)]
pub(crate) struct Ledger {
    rows: Mutex<Vec<(Provider, Record)>>,
}

impl Ledger {
    /// Books `order_id` of `provider`: `amount`, now `status`.
    pub(crate) fn book(&self, provider: Provider, order_id: &str, amount: Money, status: TxStatus) {
        let record = Record {
            order_id: order_id.to_owned(),
            amount,
            status,
            fee: None,
        };
        self.lock().push((provider, record));
    }

    /// The orders booked for `provider`, in the order they were booked.
    fn of(&self, provider: Provider) -> Vec<Record> {
        self.lock()
            .iter()
            .filter(|(p, _)| *p == provider)
            .map(|(_, r)| r.clone())
            .collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(Provider, Record)>> {
        // A panic while pushing a row cannot leave the vector half-written.
        self.rows
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Runs the reconciliation of each provider among `providers` whose day can be reconciled.
pub(super) async fn run(env: &Env, providers: &[Provider], table: &mut Table) {
    if providers.contains(&Provider::Huifu) {
        table
            .flow(
                "huifu",
                "the day reconciled: trade statement vs the ledger",
                huifu(env),
            )
            .await;
    }
    if providers.contains(&Provider::Yunzhanghu) {
        table
            .flow(
                "yunzhanghu",
                "the day reconciled: order and bill files vs the ledger",
                yunzhanghu(env),
            )
            .await;
    }
}

/// Huifu: the trade statement of today (`order_download`, `trans_type` 01) against the ledger,
/// in which the last order booked (the withdrawal) is planted one fen too high.
async fn huifu(env: &Env) -> Result<(), StepError> {
    let client = &env.clients.huifu;
    let date = client.today();
    step("reconcile the trade statement", async {
        let mut ledger = env.ledger.of(Provider::Huifu);
        let planted = present("an order in the ledger", ledger.last_mut())?;
        let booked = planted.amount;
        planted.amount = Money::from_fen(booked.fen() + 1);
        let planted = planted.clone();
        let mut file = Vec::new();
        let bytes = client.download_statement(&date, &mut file).await?;
        let provider: Vec<Record> =
            cnpay::huifu::reconcile::records(StatementReader::new(file.as_slice()), |_| true)
                .collect::<Result<_, _>>()?;
        let report = reconcile(
            provider.iter().cloned().map(Ok),
            ledger.iter().cloned().map(Ok),
        )?;
        let item = only_discrepancy(&report, Class::AmountMismatch, &planted.order_id)?;
        expect_eq(
            "the planted order's amount at the provider (fen)",
            &booked.fen(),
            &present("provider amount", item.provider_amount_fen)?.fen(),
        )?;
        let matched = expect_matched(&report, &ledger, &planted.order_id)?;
        Ok((
            (),
            format!(
                "{date}: {bytes} bytes, {} rows; {}; 1 discrepancy, as planted: {}",
                provider.len(),
                matched,
                describe(item)
            ),
        ))
    })
    .await
}

/// Yunzhanghu: the order file of today, with the bill file's returns, against the ledger, to
/// which an order never sent is added (10.00 yuan). The payout paid then returned must be
/// `returned` in the provider's records, and match the ledger's `returned`.
async fn yunzhanghu(env: &Env) -> Result<(), StepError> {
    let client = &env.clients.yunzhanghu;
    // The files list an order under the day it finished, in Beijing time.
    let date = SystemClock.now().beijing_date();
    let returned_id = super::yunzhanghu::returned_order_id(&env.run_id);
    step("reconcile the order and bill files", async {
        let mut ledger = env.ledger.of(Provider::Yunzhanghu);
        let planted = Record {
            order_id: format!("{}YX", env.run_id),
            amount: Money::from_fen(1_000),
            status: TxStatus::Succeeded,
            fee: None,
        };
        ledger.push(planted.clone());
        let (mut orders, mut bill) = (Vec::new(), Vec::new());
        let order_req = OrderDownloadUrl {
            order_date: date.clone(),
            ..Default::default()
        };
        client.download_order_file(&order_req, &mut orders).await?;
        let bill_req = BillDownloadUrl {
            bill_date: date.clone(),
            ..Default::default()
        };
        client.download_bill_file(&bill_req, &mut bill).await?;
        let returns =
            cnpay::yunzhanghu::reconcile::returns(BillFileReader::from_gz(bill.as_slice()))?;
        let provider: Vec<Record> = cnpay::yunzhanghu::reconcile::records(
            OrderFileReader::from_gz(orders.as_slice()),
            returns,
        )
        .collect::<Result<_, _>>()?;
        let back = present(
            "the returned payout in the provider's records",
            provider.iter().find(|r| r.order_id == returned_id),
        )?;
        expect_eq(
            "the returned payout's status by the files",
            "returned",
            back.status.as_str(),
        )?;
        let report = reconcile(
            provider.iter().cloned().map(Ok),
            ledger.iter().cloned().map(Ok),
        )?;
        let item = only_discrepancy(&report, Class::MissingAtProvider, &planted.order_id)?;
        let matched = expect_matched(&report, &ledger, &planted.order_id)?;
        Ok((
            (),
            format!(
                "{date}: {} records, {returned_id} returned ({} yuan back); {}, fee {} yuan; \
                 1 discrepancy, as planted: {}",
                provider.len(),
                back.amount,
                matched,
                report.totals.matched.fee_fen,
                describe(item)
            ),
        ))
    })
    .await
}

/// The report's only discrepancy, which must be of `class` and for `order_id`.
fn only_discrepancy<'r>(
    report: &'r Report,
    class: Class,
    order_id: &str,
) -> Result<&'r Item, StepError> {
    let [item] = report.items.as_slice() else {
        let found: Vec<String> = report.items.iter().map(describe).collect();
        return Err(StepError::check(format!(
            "expected exactly the planted discrepancy ({} {order_id}), found {}: {}",
            class.as_str(),
            found.len(),
            found.join("; ")
        )));
    };
    expect_eq(
        "the discrepancy's class",
        class.as_str(),
        item.class.as_str(),
    )?;
    expect_eq("the discrepancy's order", order_id, item.order_id.as_str())?;
    Ok(item)
}

/// Checks that every ledger order but `planted` matched, in count and in sum, and that no
/// class but matched and the planted one has an order; returns how they matched, for the line.
fn expect_matched(report: &Report, ledger: &[Record], planted: &str) -> Result<String, StepError> {
    let rest: Vec<&Record> = ledger.iter().filter(|r| r.order_id != planted).collect();
    let t = &report.totals;
    expect_eq("matched orders", &(rest.len() as u64), &t.matched.count)?;
    let sum: i64 = rest.iter().map(|r| r.amount.fen()).sum();
    expect_eq("matched sum (fen)", &sum, &t.matched.ledger_fen.fen())?;
    expect_eq(
        "matched sum at the provider (fen)",
        &sum,
        &t.matched.provider_fen.fen(),
    )?;
    let others = t.amount_mismatch.count
        + t.status_mismatch.count
        + t.missing_at_provider.count
        + t.missing_in_ledger.count
        + t.pending_at_provider.count;
    expect_eq("orders in a discrepancy class", &1, &others)?;
    Ok(format!(
        "{} matched ({} yuan)",
        t.matched.count,
        Money::from_fen(sum)
    ))
}

/// One discrepancy, for the progress line.
fn describe(item: &Item) -> String {
    let side = |amount: Option<Money>, status: Option<&TxStatus>| match (amount, status) {
        (Some(a), Some(s)) => format!("{a} yuan {}", s.as_str()),
        _ => "-".to_owned(),
    };
    format!(
        "{} {} (provider {}, ledger {})",
        item.class.as_str(),
        item.order_id,
        side(item.provider_amount_fen, item.provider_status.as_ref()),
        side(item.ledger_amount_fen, item.ledger_status.as_ref())
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn record(order_id: &str, fen: i64, status: TxStatus) -> Record {
        Record {
            order_id: order_id.to_owned(),
            amount: Money::from_fen(fen),
            status,
            fee: None,
        }
    }

    fn report(provider: &[Record], ledger: &[Record]) -> Report {
        reconcile(
            provider.iter().cloned().map(Ok),
            ledger.iter().cloned().map(Ok),
        )
        .unwrap()
    }

    fn message(e: StepError) -> String {
        e.message
    }

    #[test]
    fn passes_with_exactly_the_planted_discrepancy() {
        let provider = [
            record("A", 100, TxStatus::Succeeded),
            record("R", 55, TxStatus::Returned),
        ];
        let ledger = [
            record("A", 100, TxStatus::Succeeded),
            record("R", 55, TxStatus::Returned),
            record("X", 1_000, TxStatus::Succeeded),
        ];
        let r = report(&provider, &ledger);
        let item = only_discrepancy(&r, Class::MissingAtProvider, "X").unwrap();
        assert_eq!(
            describe(item),
            "missing_at_provider X (provider -, ledger 10.00 yuan succeeded)"
        );
        assert_eq!(
            expect_matched(&r, &ledger, "X").unwrap(),
            "2 matched (1.55 yuan)"
        );
    }

    #[test]
    fn fails_on_a_second_discrepancy() {
        // The return the ledger still counts as paid: a status mismatch beside the planted one.
        let provider = [
            record("A", 100, TxStatus::Succeeded),
            record("R", 55, TxStatus::Returned),
        ];
        let ledger = [
            record("A", 100, TxStatus::Succeeded),
            record("R", 55, TxStatus::Succeeded),
            record("X", 1_000, TxStatus::Succeeded),
        ];
        let r = report(&provider, &ledger);
        let e = message(only_discrepancy(&r, Class::MissingAtProvider, "X").unwrap_err());
        assert!(e.contains("found 2: "), "{e}");
        assert!(e.contains("status_mismatch R"), "{e}");
        let e = message(expect_matched(&r, &ledger, "X").unwrap_err());
        assert!(
            e.starts_with("matched orders: expected `2`, got `1`"),
            "{e}"
        );
    }

    #[test]
    fn fails_on_another_class_or_order_or_an_order_the_ledger_lacks() {
        let provider = [record("A", 100, TxStatus::Succeeded)];
        let ledger = [record("A", 101, TxStatus::Succeeded)];
        let r = report(&provider, &ledger);
        let e = message(only_discrepancy(&r, Class::MissingAtProvider, "A").unwrap_err());
        assert!(e.starts_with("the discrepancy's class"), "{e}");
        let e = message(only_discrepancy(&r, Class::AmountMismatch, "B").unwrap_err());
        assert!(e.starts_with("the discrepancy's order"), "{e}");
        only_discrepancy(&r, Class::AmountMismatch, "A").unwrap();

        // Every ledger order but the planted one matched, yet the provider has one more.
        let provider = [
            record("A", 100, TxStatus::Succeeded),
            record("B", 7, TxStatus::Succeeded),
        ];
        let ledger = [
            record("A", 100, TxStatus::Succeeded),
            record("X", 5, TxStatus::Succeeded),
        ];
        let r = report(&provider, &ledger);
        let e = message(expect_matched(&r, &ledger, "X").unwrap_err());
        assert!(e.starts_with("orders in a discrepancy class"), "{e}");
    }

    #[test]
    fn the_ledger_keeps_each_providers_orders_in_booking_order() {
        let ledger = Ledger::default();
        ledger.book(
            Provider::Huifu,
            "Q",
            Money::from_fen(1),
            TxStatus::Succeeded,
        );
        ledger.book(
            Provider::Yunzhanghu,
            "Y",
            Money::from_fen(2),
            TxStatus::Returned,
        );
        ledger.book(
            Provider::Huifu,
            "W",
            Money::from_fen(3),
            TxStatus::Succeeded,
        );
        let ids: Vec<String> = ledger
            .of(Provider::Huifu)
            .into_iter()
            .map(|r| r.order_id)
            .collect();
        assert_eq!(ids, ["Q", "W"]);
        assert_eq!(
            ledger.of(Provider::Yunzhanghu),
            [record("Y", 2, TxStatus::Returned)]
        );
    }
}

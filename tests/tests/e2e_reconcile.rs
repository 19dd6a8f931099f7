//! End-to-end reconciliation against the sandbox: Yunzhanghu from the day's order and bill
//! files (every class: paid, paid for another amount, failed, returned, unknown to the ledger,
//! never made, still paying) and aggregate-pay by query (payouts that succeeded, failed and
//! never existed; a pay order never paid).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_common;

use std::time::Duration;

use aggregate_pay::{Client, Config, TransQueryRequest, TransStatus};
use e2e_common::{eventually, sandbox};
use pay_core::reconcile::{Class, QueryPlan, Record, reconcile};
use pay_core::{
    Extra, Money, Payee, PayeeAccount, PaymentRequest, Payments, PayoutRequest, Payouts, TxStatus,
};
use pay_sandbox::credentials::aggregate as cred;
use pay_sandbox::{Provider, Sandbox, SandboxOptions};

fn client(sandbox: &Sandbox) -> Client {
    Client::new(
        Config::builder(
            cred::MCH_ID,
            cred::APP_ID,
            cred::REQUEST_KEY,
            cred::RESPONSE_KEY,
        )
        .base_url(sandbox.aggregate_pay_url())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap(),
    )
    .unwrap()
}

fn payout(no: &str, fen: i64) -> PayoutRequest {
    let mut extra = Extra::new();
    extra.insert("province".into(), "江苏".into());
    extra.insert("city".into(), "南京".into());
    PayoutRequest {
        order_id: no.into(),
        amount: Money::from_fen(fen),
        payee: Payee {
            name: "张三".into(),
            account: PayeeAccount::BankCard {
                card_no: "6225880137705555".into(),
                bank_name: Some("招商银行南京分行".into()),
                bank_code: Some("HPT00005".into()),
                corporate: false,
            },
            id_number: None,
            phone: None,
        },
        remark: None,
        notify_url: Some("http://127.0.0.1:9/notify".into()),
        extra,
    }
}

fn ledger(rows: &[(&str, i64)]) -> Vec<Record> {
    rows.iter()
        .map(|(id, fen)| Record {
            order_id: (*id).to_owned(),
            amount: Money::from_fen(*fen),
            status: TxStatus::Succeeded,
            fee: None,
        })
        .collect()
}

async fn wait_final(client: &Client, no: &str) {
    eventually(&format!("payout {no} to be final"), || async {
        let o = client
            .trans_query_order(&TransQueryRequest::by_mch_trans_order_no(no))
            .await
            .unwrap();
        matches!(o.status, TransStatus::Succeeded | TransStatus::Failed).then_some(())
    })
    .await
}

#[tokio::test]
async fn aggregate_pay_day_by_query() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox);
    // Paid as booked; paid, but booked one fen more; failed (amount ending 44 is scripted to
    // fail) while the ledger counts it paid.
    for (no, fen) in [("R-OK", 12_345), ("R-AMT", 20_000), ("R-FAIL", 12_344)] {
        Payouts::create_payout(&client, &payout(no, fen))
            .await
            .unwrap();
        wait_final(&client, no).await;
    }
    let book = ledger(&[
        ("R-OK", 12_345),
        ("R-AMT", 20_001),
        ("R-FAIL", 12_344),
        ("R-NEVER", 500),
    ]);
    let plan = QueryPlan {
        concurrency: 2,
        interval: Duration::from_millis(5),
        attempts: 2,
    };
    let provider =
        pay_core::reconcile::payouts_by_query(&client, book.clone(), &plan, tokio::time::sleep)
            .await
            .unwrap();
    let report = reconcile(
        provider.into_iter().map(Ok),
        book.clone().into_iter().map(Ok),
    )
    .unwrap();
    let got: Vec<(Class, &str, Option<i64>, Option<&str>)> = report
        .items
        .iter()
        .map(|i| {
            (
                i.class,
                i.order_id.as_str(),
                i.provider_amount_fen.map(Money::fen),
                i.provider_status.as_ref().map(TxStatus::as_str),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                Class::AmountMismatch,
                "R-AMT",
                Some(20_000),
                Some("succeeded")
            ),
            (
                Class::StatusMismatch,
                "R-FAIL",
                Some(12_344),
                Some("failed")
            ),
            (Class::MissingAtProvider, "R-NEVER", None, None),
        ]
    );
    assert_eq!(report.totals.matched.count, 1);
    assert_eq!(report.totals.matched.provider_fen, Money::from_fen(12_345));

    // The same day, interrupted after two answers and resumed with them: only the other two
    // orders are queried again, and the report is the same.
    let mut journal = std::collections::HashMap::new();
    let interrupted = pay_core::reconcile::query_records_resuming(
        book.clone(),
        &plan,
        &std::collections::HashMap::new(),
        |id, answer| {
            journal.insert(id.to_owned(), answer.clone());
            if journal.len() == 2 {
                return Err(pay_core::Error::io(std::io::Error::other("interrupted")));
            }
            Ok(())
        },
        |id| {
            let client = &client;
            async move { Payouts::query_payout(client, &id).await }
        },
        tokio::time::sleep,
    )
    .await;
    assert!(interrupted.is_err());
    assert_eq!(journal.len(), 2);
    let asked = std::sync::Mutex::new(Vec::new());
    let resumed = pay_core::reconcile::query_records_resuming(
        book.clone(),
        &plan,
        &journal,
        |id, _answer| {
            assert!(!journal.contains_key(id), "{id} answered twice");
            Ok(())
        },
        |id| {
            asked.lock().unwrap().push(id.clone());
            let client = &client;
            async move { Payouts::query_payout(client, &id).await }
        },
        tokio::time::sleep,
    )
    .await
    .unwrap();
    let asked = asked.into_inner().unwrap();
    assert_eq!(asked.len(), 2);
    assert!(
        asked.iter().all(|id| !journal.contains_key(id)),
        "{asked:?}"
    );
    let again = reconcile(resumed.into_iter().map(Ok), book.into_iter().map(Ok)).unwrap();
    assert_eq!(again, report);

    // A pay order the payer never paid: pending at the provider.
    Payments::create_payment(
        &client,
        &PaymentRequest {
            order_id: "R-PAY".into(),
            amount: Money::from_fen(1234),
            subject: "测试商品".into(),
            notify_url: "http://127.0.0.1:9/notify".into(),
            return_url: None,
            client_ip: Some("127.0.0.1".into()),
            method: Some("8002".into()),
            extra: Extra::new(),
        },
    )
    .await
    .unwrap();
    let book = ledger(&[("R-PAY", 1234)]);
    let provider =
        pay_core::reconcile::payments_by_query(&client, book.clone(), &plan, tokio::time::sleep)
            .await
            .unwrap();
    let report = reconcile(provider.into_iter().map(Ok), book.into_iter().map(Ok)).unwrap();
    assert_eq!(report.items.len(), 1);
    assert_eq!(report.items[0].class, Class::PendingAtProvider);
    assert_eq!(report.items[0].provider_status, Some(TxStatus::Unpaid));
}

mod yunzhanghu_files {
    use super::*;
    use pay_core::reconcile::LedgerCsv;
    use pay_core::{Clock, SystemClock};
    use pay_sandbox::credentials::yunzhanghu as ycred;
    use yunzhanghu::Channel;
    use yunzhanghu::bill::{BillDownloadUrl, BillFileReader, OrderDownloadUrl, OrderFileReader};
    use yunzhanghu::payout::BankCardOrder;
    use yunzhanghu::query::QueryOrder;

    /// Long enough that the order made last is still paying when the files are downloaded.
    const SLOW: Duration = Duration::from_millis(1500);

    fn client(sandbox: &Sandbox) -> yunzhanghu::Client {
        yunzhanghu::Client::new(
            yunzhanghu::Config::builder(
                ycred::DEALER_ID,
                ycred::BROKER_ID,
                ycred::APP_KEY,
                ycred::DES3_KEY,
            )
            .base_url(sandbox.yunzhanghu_url())
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap(),
        )
        .unwrap()
    }

    fn order(order_id: &str, fen: i64) -> BankCardOrder {
        BankCardOrder {
            order_id: order_id.into(),
            real_name: "张三".into(),
            card_no: "6228880199872220".into(),
            id_card: "11010519491231002X".into(),
            phone_no: Some("13812345678".into()),
            pay: Money::from_fen(fen),
            pay_remark: Some("一月劳务费".into()),
            ..Default::default()
        }
    }

    async fn wait_settled(client: &yunzhanghu::Client, no: &str) {
        eventually(&format!("order {no} to be settled"), || async {
            let o = client
                .query_realtime_order(&QueryOrder::new(no, Channel::BankCard))
                .await
                .unwrap()
                .into_data();
            (o.tx_status() != TxStatus::Processing).then_some(())
        })
        .await
    }

    #[tokio::test]
    async fn yunzhanghu_day_from_its_files_with_every_class() {
        let sandbox = Sandbox::start_with(
            SandboxOptions::default()
                .with_providers(&[Provider::Yunzhanghu])
                .with_status_delay(SLOW)
                .with_time_compression(10_000),
        )
        .await
        .unwrap();
        let client = client(&sandbox);
        let settled = [
            ("Y-OK", 19_500),
            ("Y-AMT", 20_000),
            ("Y-FAIL", 10_044), // scripted to fail
            ("Y-RET", 30_000),
            ("Y-EXTRA", 5_000),
        ];
        for (no, fen) in settled {
            client.order_realtime(&order(no, fen)).await.unwrap();
        }
        for (no, _) in settled {
            wait_settled(&client, no).await;
        }
        let status = reqwest::Client::new()
            .post(format!(
                "{}/sandbox/orders/Y-RET/return",
                sandbox.yunzhanghu_url()
            ))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status.as_u16(), 200);
        client
            .order_realtime(&order("Y-PEND", 7_000))
            .await
            .unwrap();

        let today = SystemClock.now().beijing_date();
        let (mut orders, mut bill) = (Vec::new(), Vec::new());
        client
            .download_order_file(
                &OrderDownloadUrl {
                    order_date: today.clone(),
                    ..Default::default()
                },
                &mut orders,
            )
            .await
            .unwrap();
        client
            .download_bill_file(
                &BillDownloadUrl {
                    bill_date: today,
                    ..Default::default()
                },
                &mut bill,
            )
            .await
            .unwrap();

        let returns =
            yunzhanghu::reconcile::returns(BillFileReader::from_gz(bill.as_slice())).unwrap();
        assert_eq!(returns.get("Y-RET"), Some(&Money::from_fen(30_000)));
        let provider =
            yunzhanghu::reconcile::records(OrderFileReader::from_gz(orders.as_slice()), returns);
        let ledger = "order_id,amount_yuan,status\n\
            Y-OK,195.00,succeeded\n\
            Y-AMT,200.01,succeeded\n\
            Y-FAIL,100.44,succeeded\n\
            Y-RET,300,succeeded\n\
            Y-NEVER,1.00,succeeded\n\
            Y-PEND,70,succeeded\n";
        let report = reconcile(provider, LedgerCsv::new(ledger.as_bytes())).unwrap();
        let got: Vec<(Class, &str, Option<String>)> = report
            .items
            .iter()
            .map(|i| {
                (
                    i.class,
                    i.order_id.as_str(),
                    i.provider_status.as_ref().map(ToString::to_string),
                )
            })
            .collect();
        let s = |v: &str| Some(v.to_owned());
        assert_eq!(
            got,
            vec![
                (Class::AmountMismatch, "Y-AMT", s("succeeded")),
                (Class::StatusMismatch, "Y-FAIL", s("failed")),
                (Class::StatusMismatch, "Y-RET", s("returned")),
                (Class::MissingAtProvider, "Y-NEVER", None),
                (Class::MissingInLedger, "Y-EXTRA", s("succeeded")),
                (Class::PendingAtProvider, "Y-PEND", s("processing")),
            ]
        );
        let t = &report.totals;
        assert_eq!(t.matched.count, 1);
        assert_eq!(t.matched.provider_fen, Money::from_fen(19_500));
        // The order file's 服务费: 7 % of each row the sandbox charged.
        assert_eq!(t.matched.fee_fen, Money::from_fen(1_365));
        assert_eq!(t.amount_mismatch.ledger_fen, Money::from_fen(20_001));
    }
}

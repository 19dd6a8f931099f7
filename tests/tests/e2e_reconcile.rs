//! End-to-end reconciliation against the sandbox: aggregate-pay by query (payouts that
//! succeeded, failed and never existed; a pay order never paid).
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
use pay_sandbox::{Provider, Sandbox};

fn client(sandbox: &Sandbox) -> Client {
    Client::new(
        Config::new(
            cred::MCH_ID,
            cred::APP_ID,
            cred::REQUEST_KEY,
            cred::RESPONSE_KEY,
        )
        .base_url(sandbox.aggregate_pay_url())
        .timeout(Duration::from_secs(5)),
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
    let provider = aggregate_pay::reconcile::payouts(&client, book.clone(), &plan)
        .await
        .unwrap();
    let report = reconcile(provider.into_iter().map(Ok), book.into_iter().map(Ok)).unwrap();
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
    let provider = aggregate_pay::reconcile::payments(&client, book.clone(), &plan)
        .await
        .unwrap();
    let report = reconcile(provider.into_iter().map(Ok), book.into_iter().map(Ok)).unwrap();
    assert_eq!(report.items.len(), 1);
    assert_eq!(report.items[0].class, Class::PendingAtProvider);
    assert_eq!(report.items[0].provider_status, Some(TxStatus::Unpaid));
}

//! End-to-end: the `aggregate-pay` client against the sandbox's aggregate gateway, with a
//! local notification receiver: pay order → notification verified → query; payout →
//! notification → query; and the fault cases (timeout after send, lost, tampered and replayed
//! notifications, a failed payout).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_common;

use std::sync::Arc;
use std::time::Duration;

use aggregate_pay::test_util::{signed_trans_notification, tampered_trans_notification};
use aggregate_pay::{
    AccountAttr, AccountType, BankCode, Client, Config, Notification, PayStatus, ProductId,
    QueryOrderRequest, TransNotification, TransOrderRequest, TransQueryRequest, TransStatus,
};
use e2e_common::{DEADLINE, SHORT_TIMEOUT, eventually, inbox_receiver, sandbox};
use pay_core::{
    Error, Extra, IncomingNotification, Money, Payee, PayeeAccount, PaymentAction, PaymentRequest,
    Payments, PayoutRequest, Payouts, ProviderErrorKind, SecretKey, SignatureErrorKind, TxStatus,
};
use pay_sandbox::credentials::aggregate as cred;
use pay_sandbox::{Fault, NOTIFY_ROUTE, Provider, Sandbox};

const CREATE_PAYOUT: &str = "/api/trans/create_order";

fn client(sandbox: &Sandbox, timeout: Duration) -> Client {
    Client::new(
        Config::new(
            cred::MCH_ID,
            cred::APP_ID,
            cred::REQUEST_KEY,
            cred::RESPONSE_KEY,
        )
        .base_url(sandbox.aggregate_pay_url())
        .timeout(timeout),
    )
    .unwrap()
}

fn payout_request(no: &str, fen: i64, notify_url: &str) -> TransOrderRequest {
    TransOrderRequest::new(
        no,
        Money::from_fen(fen),
        notify_url,
        BankCode::ChinaMerchantsBank,
        "招商银行南京分行",
        AccountType::BankCard,
        "张三",
        "6225880137705555",
        "江苏",
        "南京",
    )
    .account_attr(AccountAttr::Private)
}

fn unified_payout(no: &str, fen: i64, notify_url: &str) -> PayoutRequest {
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
        notify_url: Some(notify_url.into()),
        extra,
    }
}

fn trans_of(n: &Notification) -> &TransNotification {
    match n {
        Notification::Trans(t) => t,
        other => panic!("expected a payout notification, got {other:?}"),
    }
}

async fn wait_trans_final(client: &Client, no: &str) -> aggregate_pay::TransOrder {
    eventually(&format!("payout {no} to be final"), || async {
        let o = client
            .trans_query_order(&TransQueryRequest::by_mch_trans_order_no(no))
            .await
            .unwrap();
        matches!(o.status, TransStatus::Succeeded | TransStatus::Failed).then_some(o)
    })
    .await
}

#[tokio::test]
async fn pay_order_notification_is_verified_and_the_query_agrees() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inbox, outcomes) = inbox_receiver(client.clone()).await;
    let no = "P20240101000001";

    // Through the unified trait.
    let created = Payments::create_payment(
        &client,
        &PaymentRequest {
            order_id: no.into(),
            amount: Money::from_fen(1234),
            subject: "测试商品".into(),
            notify_url: receiver.url("/notify/pay"),
            return_url: None,
            client_ip: Some("127.0.0.1".into()),
            method: Some("8002".into()),
            extra: Extra::new(),
        },
    )
    .await
    .unwrap();
    let pay_order_id = created.transition.provider_order_id.clone().unwrap();
    assert_eq!(created.transition.provider, "aggregate-pay");
    assert_eq!(created.transition.order_id, no);
    assert_eq!(created.transition.status, TxStatus::Unpaid);
    // The create answer states no amount: unconfirmed, never copied from the request.
    assert_eq!(created.transition.amount, None);
    assert_eq!(
        created.action,
        Some(PaymentAction::Redirect {
            url: format!(
                "{}/sandbox/cashier/{pay_order_id}",
                sandbox.aggregate_pay_url()
            )
        })
    );

    // The notification reaches the handler verified.
    let processed = outcomes.wait_processed(1).await;
    let Notification::Pay(pay) = &processed[0] else {
        panic!("expected a pay notification, got {:?}", processed[0]);
    };
    assert_eq!(pay.pay_order_id, pay_order_id);
    assert_eq!(pay.mch_order_no, no);
    client
        .expect_payment(no, Money::from_fen(1234))
        .check(&pay.to_transition())
        .unwrap();
    assert_eq!(pay.mch_id, cred::MCH_ID);
    assert_eq!(pay.app_id.as_deref(), Some(cred::APP_ID));
    assert_eq!(pay.product_id, Some(ProductId::WechatQr));
    assert_eq!(pay.amount, Money::from_fen(1234));
    assert_eq!(pay.status, PayStatus::Succeeded);
    let ack = sandbox
        .notifications()
        .wait_acknowledged(Provider::AggregatePay, no, Some("pay"), DEADLINE)
        .await
        .unwrap();
    assert_eq!(ack.attempt, 1);
    assert_eq!(ack.method, "POST");
    assert_eq!(ack.status, Some(200));
    assert_eq!(ack.response, "success");
    assert_eq!(outcomes.rejected_count(), 0);

    // The query agrees with the notification, field by field.
    let queried = Payments::query_payment(&client, no).await.unwrap();
    assert_eq!(queried.status, TxStatus::Succeeded);
    assert_eq!(queried.amount, Some(Money::from_fen(1234)));
    assert_eq!(
        queried.provider_order_id.as_deref(),
        Some(pay_order_id.as_str())
    );
    let order = client
        .query_order(&QueryOrderRequest::by_mch_order_no(no))
        .await
        .unwrap();
    assert_eq!(order.pay_order_id, pay_order_id);
    assert_eq!(order.mch_order_no, no);
    assert_eq!(order.amount, Money::from_fen(1234));
    assert_eq!(order.status, PayStatus::Succeeded);
    assert_eq!(order.channel_order_no, pay.channel_order_no);
    assert!(
        order
            .channel_order_no
            .as_deref()
            .is_some_and(|c| c.starts_with("wx"))
    );
    assert_eq!(order.pay_succ_time, pay.pay_succ_time);
    assert_eq!(
        sandbox.order(Provider::AggregatePay, no).unwrap().status,
        "2"
    );
}

#[tokio::test]
async fn payout_notification_is_verified_and_the_query_agrees() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inbox, outcomes) = inbox_receiver(client.clone()).await;
    let no = "T20240101000001";

    let created = Payouts::create_payout(
        &client,
        &unified_payout(no, 12345, &receiver.url("/notify/trans")),
    )
    .await
    .unwrap();
    assert_eq!(created.provider, "aggregate-pay");
    assert_eq!(created.order_id, no);
    assert_eq!(created.status, TxStatus::Processing);
    assert_eq!(created.amount, Some(Money::from_fen(12345)));
    let trans_order_id = created.provider_order_id.clone().unwrap();

    let processed = outcomes.wait_processed(1).await;
    let trans = trans_of(&processed[0]);
    assert_eq!(trans.trans_order_id, trans_order_id);
    assert_eq!(trans.mch_trans_order_no, no);
    client
        .expect_payout(no, Money::from_fen(12345))
        .check(&trans.to_transition())
        .unwrap();
    assert_eq!(trans.amount, Money::from_fen(12345));
    assert_eq!(trans.status, TransStatus::Succeeded);

    // The payout notification is a GET with the parameters in the query string.
    let hits = receiver.wait_hits(1).await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].path, "/notify/trans");
    assert_eq!(hits[0].notification.method, http::Method::GET);
    assert_eq!(hits[0].reply, "success");
    let parsed = Payouts::parse_payout_notification(&client, &hits[0].notification)
        .await
        .unwrap();
    assert_eq!(parsed.order_id, no);
    assert_eq!(parsed.status, TxStatus::Succeeded);
    assert_eq!(parsed.amount, Some(Money::from_fen(12345)));
    assert_eq!(
        parsed.provider_order_id.as_deref(),
        Some(trans_order_id.as_str())
    );

    let queried = Payouts::query_payout(&client, no).await.unwrap();
    assert_eq!(queried.status, TxStatus::Succeeded);
    assert_eq!(queried.amount, Some(Money::from_fen(12345)));
    let order = client
        .trans_query_order(&TransQueryRequest::by_mch_trans_order_no(no))
        .await
        .unwrap();
    assert_eq!(order.trans_order_id, trans_order_id);
    assert_eq!(order.channel_order_no, trans.channel_order_no);
    assert_eq!(order.trans_succ_time, trans.trans_succ_time);
    assert_eq!(
        sandbox
            .requests()
            .count(Provider::AggregatePay, CREATE_PAYOUT, no),
        1
    );
}

#[tokio::test]
async fn timeout_after_send_is_unknown_outcome_and_the_query_settles_it_without_a_second_payout() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    // Only the faulted call runs on the short time limit.
    let hasty = self::client(&sandbox, SHORT_TIMEOUT);
    let (receiver, _inbox, outcomes) = inbox_receiver(client.clone()).await;
    let no = "T20240101000002";
    sandbox
        .faults()
        .set_times(Provider::AggregatePay, CREATE_PAYOUT, Fault::Timeout, 1);

    let err = hasty
        .trans_create_order(&payout_request(no, 10_000, &receiver.url("/notify/trans")))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownOutcome { order_id: Some(id), .. } if id == no),
        "{err:?}"
    );
    assert!(err.needs_query() && !err.is_retry_safe());

    // The follow-up query settles it: the sandbox did create the payout.
    let order = wait_trans_final(&client, no).await;
    assert_eq!(order.status, TransStatus::Succeeded);
    assert_eq!(order.amount, Money::from_fen(10_000));
    assert_eq!(order.mch_trans_order_no.as_deref(), Some(no));
    let processed = outcomes.wait_processed(1).await;
    assert_eq!(trans_of(&processed[0]).trans_order_id, order.trans_order_id);
    // Exactly one create request reached the gateway: nothing was resent.
    assert_eq!(
        sandbox
            .requests()
            .count(Provider::AggregatePay, CREATE_PAYOUT, no),
        1
    );
}

#[tokio::test]
async fn a_lost_notification_is_recovered_by_the_query() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inbox, outcomes) = inbox_receiver(client.clone()).await;
    let no = "T20240101000003";
    // Every attempt of the schedule is lost.
    sandbox.faults().set(
        Provider::AggregatePay,
        NOTIFY_ROUTE,
        Fault::DropNotification,
    );

    client
        .trans_create_order(&payout_request(no, 20_000, &receiver.url("/notify/trans")))
        .await
        .unwrap();
    let attempts = eventually("all six attempts to be dropped", || async {
        let a = sandbox
            .notifications()
            .for_order(Provider::AggregatePay, no);
        (a.len() == 6).then_some(a)
    })
    .await;
    assert!(attempts.iter().all(|a| a.dropped && !a.acknowledged));
    assert!(receiver.hits().is_empty());
    assert!(outcomes.processed().is_empty());

    let settled = Payouts::query_payout(&client, no).await.unwrap();
    assert_eq!(settled.status, TxStatus::Succeeded);
    assert_eq!(settled.amount, Some(Money::from_fen(20_000)));
    assert_eq!(settled.order_id, no);
}

#[tokio::test]
async fn a_tampered_notification_is_rejected_and_never_reaches_the_handler() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, inbox, outcomes) = inbox_receiver(client.clone()).await;
    let no = "T20240101000004";
    // The first attempt goes out with a wrong sign; the retry is genuine.
    sandbox.faults().set_times(
        Provider::AggregatePay,
        NOTIFY_ROUTE,
        Fault::WrongSignature,
        1,
    );

    client
        .trans_create_order(&payout_request(no, 30_000, &receiver.url("/notify/trans")))
        .await
        .unwrap();
    let processed = outcomes.wait_processed(1).await;
    assert_eq!(processed.len(), 1);
    assert_eq!(trans_of(&processed[0]).amount, Money::from_fen(30_000));
    sandbox
        .notifications()
        .wait_acknowledged(Provider::AggregatePay, no, None, DEADLINE)
        .await
        .unwrap();
    let attempts = sandbox
        .notifications()
        .for_order(Provider::AggregatePay, no);
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert!(attempts[0].tampered && !attempts[0].acknowledged);
    assert_eq!(attempts[0].status, Some(400));
    assert!(!attempts[1].tampered && attempts[1].acknowledged);
    outcomes.with_rejected(|r| {
        assert_eq!(r.len(), 1);
        assert!(
            matches!(
                r[0],
                Error::Signature {
                    kind: SignatureErrorKind::Mismatch,
                    ..
                }
            ),
            "{:?}",
            r[0]
        );
    });

    // The crate's test builders: a forged amount fails verification too.
    let genuine = trans_of(&processed[0]).clone();
    let key = SecretKey::new(cred::RESPONSE_KEY);
    let forged = tampered_trans_notification(&genuine, &key).unwrap();
    let err = inbox.accept(&forged).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::Signature {
                kind: SignatureErrorKind::Mismatch,
                ..
            }
        ),
        "{err:?}"
    );
    // And the sandbox's testkit: a notification with a wrong sign.
    let pairs = [
        ("transOrderId", genuine.trans_order_id.as_str()),
        ("mchId", cred::MCH_ID),
        ("mchOrderNo", no),
        ("amount", "30000"),
        ("status", "2"),
    ];
    let testkit_forged =
        IncomingNotification::get(pay_sandbox::testkit::aggregate::tampered_query(&pairs));
    assert!(matches!(
        inbox.accept(&testkit_forged).await,
        Err(Error::Signature { .. })
    ));
    // The same parameters correctly signed are accepted: the rejection was the sign's.
    let testkit_signed =
        IncomingNotification::get(pay_sandbox::testkit::aggregate::signed_query(&pairs));
    let event = client.verify_trans_notification(&testkit_signed).unwrap();
    assert_eq!(event.amount, Money::from_fen(30_000));
    assert_eq!(outcomes.processed().len(), 1);
}

#[tokio::test]
async fn a_replayed_notification_is_reported_as_duplicate() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, inbox, outcomes) = inbox_receiver(client.clone()).await;
    let no = "T20240101000005";

    client
        .trans_create_order(&payout_request(no, 40_000, &receiver.url("/notify/trans")))
        .await
        .unwrap();
    let processed = outcomes.wait_processed(1).await;
    let trans_order_id = trans_of(&processed[0]).trans_order_id.clone();
    assert!(trans_order_id.starts_with('T'), "{trans_order_id}");
    let key = format!("aggregate-pay:payout:succeeded:{no}");

    // The gateway sends it again (the query's `executeNotify`): answered, not processed.
    let order = client
        .trans_query_order(&TransQueryRequest::by_mch_trans_order_no(no).execute_notify(true))
        .await
        .unwrap();
    assert_eq!(order.status, TransStatus::Succeeded);
    let dups = eventually("the re-sent notification", || async {
        let d = outcomes.duplicates();
        (!d.is_empty()).then_some(d)
    })
    .await;
    assert_eq!(dups, vec![key.clone()]);
    let hits = receiver.wait_hits(2).await;
    assert_eq!(hits.len(), 2);
    assert_eq!(hits[1].reply, "success");

    // A byte-for-byte replay of the first request, and a freshly signed copy of the event.
    let first = hits[0].notification.clone();
    let err = inbox.accept(&first).await.unwrap();
    assert!(
        matches!(&err, pay_core::Accepted::Duplicate { key: k } if *k == key),
        "{err:?}"
    );
    let resigned =
        signed_trans_notification(trans_of(&processed[0]), &SecretKey::new(cred::RESPONSE_KEY))
            .unwrap();
    assert!(matches!(
        inbox.accept(&resigned).await,
        Ok(pay_core::Accepted::Duplicate { key: k }) if k == key
    ));
    assert_eq!(outcomes.processed().len(), 1);
}

#[tokio::test]
async fn a_failed_payout_is_reported_as_failed() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = Arc::new(client(&sandbox, Duration::from_secs(5)));
    let (receiver, _inbox, outcomes) = inbox_receiver((*client).clone()).await;
    let no = "T20240101000006";

    let created = Payouts::create_payout(
        &*client,
        &unified_payout(no, 12_344, &receiver.url("/notify/trans")),
    )
    .await
    .unwrap();
    assert_eq!(created.status, TxStatus::Processing);

    let processed = outcomes.wait_processed(1).await;
    let trans = trans_of(&processed[0]);
    assert_eq!(trans.status, TransStatus::Failed);
    assert_eq!(trans.amount, Money::from_fen(12_344));
    let parsed =
        Payouts::parse_payout_notification(&*client, &receiver.wait_hits(1).await[0].notification)
            .await
            .unwrap();
    assert_eq!(parsed.status, TxStatus::Failed);

    let queried = Payouts::query_payout(&*client, no).await.unwrap();
    assert_eq!(queried.status, TxStatus::Failed);
    assert_ne!(queried.status, TxStatus::Succeeded);
    assert_eq!(queried.amount, Some(Money::from_fen(12_344)));
    assert_eq!(
        sandbox.order(Provider::AggregatePay, no).unwrap().status,
        "3"
    );
}

/// The paid notice (`2`), the completion notice (`3`) and a resend on `executeNotify` are one
/// payment: the handler credits it once; the dedup key names the merchant's order and the event.
#[tokio::test]
async fn a_payment_is_credited_once_across_the_paid_completion_and_resent_notices() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inbox, outcomes) = inbox_receiver(client.clone()).await;
    let no = "P20240101000033";
    // An amount ending in 33 fen: the sandbox completes the order (3) after the paid notice (2).
    let created = Payments::create_payment(
        &client,
        &PaymentRequest {
            order_id: no.into(),
            amount: Money::from_fen(1233),
            subject: "测试商品".into(),
            notify_url: receiver.url("/notify/pay"),
            return_url: None,
            client_ip: None,
            method: Some("8002".into()),
            extra: Extra::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(created.transition.status, TxStatus::Unpaid);

    // The paid notice is processed, the completion notice arrives and is a duplicate.
    let processed = outcomes.wait_processed(1).await;
    let Notification::Pay(paid) = &processed[0] else {
        panic!("expected a pay notification, got {:?}", processed[0]);
    };
    assert_eq!(paid.status, PayStatus::Succeeded);
    let key = format!("aggregate-pay:payment:succeeded:{no}");
    let dups = eventually("the completion notice", || async {
        let d = outcomes.duplicates();
        (!d.is_empty()).then_some(d)
    })
    .await;
    assert_eq!(dups, vec![key.clone()]);
    let hits = receiver.wait_hits(2).await;
    let statuses: Vec<String> = hits
        .iter()
        .map(|h| {
            h.notification
                .params()
                .into_iter()
                .find(|(k, _)| k == "status")
                .map(|(_, v)| v)
                .unwrap()
        })
        .collect();
    assert_eq!(statuses, vec!["2", "3"]);
    assert!(hits.iter().all(|h| h.reply == "success"));
    assert_eq!(
        sandbox.order(Provider::AggregatePay, no).unwrap().status,
        "3"
    );

    // The completed order, queried: succeeded and final, the same event.
    let queried = Payments::query_payment(&client, no).await.unwrap();
    assert_eq!(queried.code, "3");
    assert_eq!(queried.status, TxStatus::Succeeded);
    assert!(queried.is_final);
    assert_eq!(queried.dedup_key(), key);

    // A resend through executeNotify: a duplicate again.
    let order = client
        .query_order(&QueryOrderRequest::by_mch_order_no(no).execute_notify(true))
        .await
        .unwrap();
    assert_eq!(order.status, PayStatus::Completed);
    let dups = eventually("the resent notice", || async {
        let d = outcomes.duplicates();
        (d.len() == 2).then_some(d)
    })
    .await;
    assert_eq!(dups, vec![key.clone(), key]);
    assert_eq!(receiver.wait_hits(3).await.len(), 3);
    // Credited once.
    assert_eq!(outcomes.processed().len(), 1);
    assert_eq!(outcomes.rejected_count(), 0);
}

/// A genuine notification checked against another amount (or another merchant) is refused,
/// naming the field, and never credited.
#[tokio::test]
async fn a_notification_that_disagrees_with_the_order_is_refused() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inbox, outcomes) = inbox_receiver(client.clone()).await;
    let no = "P20240101000007";
    Payments::create_payment(
        &client,
        &PaymentRequest {
            order_id: no.into(),
            amount: Money::from_fen(500),
            subject: "测试商品".into(),
            notify_url: receiver.url("/notify/pay"),
            return_url: None,
            client_ip: None,
            method: Some("8002".into()),
            extra: Extra::new(),
        },
    )
    .await
    .unwrap();
    outcomes.wait_processed(1).await;
    let n = &receiver.wait_hits(1).await[0].notification;
    let t = Payments::parse_payment_notification(&client, n)
        .await
        .unwrap();
    assert_eq!(t.amount, Some(Money::from_fen(500)));
    // The merchant's ledger says 50.00 yuan: refused.
    match client
        .expect_payment(no, Money::from_fen(5_000))
        .check(&t)
        .unwrap_err()
    {
        Error::Mismatch {
            field,
            expected,
            got,
            order_id,
        } => {
            assert_eq!(field, "amount");
            assert_eq!(&*expected, "50.00");
            assert_eq!(got.as_deref(), Some("5.00"));
            assert_eq!(order_id.as_deref(), Some(no));
        }
        other => panic!("{other:?}"),
    }
    // Another merchant configured: refused on mchId.
    let other = Client::new(
        Config::new(
            "10000001",
            cred::APP_ID,
            cred::REQUEST_KEY,
            cred::RESPONSE_KEY,
        )
        .base_url(sandbox.aggregate_pay_url()),
    )
    .unwrap();
    assert!(matches!(
        other.expect_payment(no, Money::from_fen(500)).check(&t),
        Err(Error::Mismatch { field: "mchId", .. })
    ));
    // The right order passes.
    client
        .expect_payment(no, Money::from_fen(500))
        .check(&t)
        .unwrap();
}

/// A notifyUrl with a query string could never verify: refused before anything is sent.
#[tokio::test]
async fn a_notify_url_with_a_query_string_is_refused_before_sending() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let err = Payouts::create_payout(
        &client,
        &unified_payout("T20240101000009", 100, "http://127.0.0.1:9/notify?tenant=1"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput { field, .. } if field == "notifyUrl"),
        "{err:?}"
    );
    assert_eq!(
        sandbox
            .requests()
            .count(Provider::AggregatePay, CREATE_PAYOUT, "T20240101000009"),
        0
    );
}

/// A reused order number with other parameters: the sandbox answers `0011`, which the client
/// reads as a duplicate order to query (not retry-safe), never a plain refusal.
#[tokio::test]
async fn a_reused_order_number_is_a_duplicate_order_to_query() {
    let sandbox = sandbox(Provider::AggregatePay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let url = "http://127.0.0.1:9/notify";
    client
        .trans_create_order(&payout_request("E2EDUP1", 100, url))
        .await
        .unwrap();
    let err = client
        .trans_create_order(&payout_request("E2EDUP1", 200, url))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.code == "0011" && p.kind == ProviderErrorKind::DuplicateOrder),
        "{err:?}"
    );
    assert!(err.needs_query());
    assert!(!err.is_retry_safe());
    assert_eq!(err.order_id(), Some("E2EDUP1"));
}

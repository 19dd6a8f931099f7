//! End-to-end: the `yunzhanghu` client against the sandbox's realtime settlement API, with a
//! local callback receiver: identity check → bank-card payout → callback → query → the day's
//! bill and order files downloaded and parsed; the Alipay and WeChat payouts (callback and
//! query); the later transitions (a paid payout returned, an unopened red packet returned:
//! each paid callback processed once through the inbox, the return a new, final `Returned`
//! event); mismatches refused; and the fault cases (timeout after send, lost, tampered and
//! replayed callbacks, a failed payout).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_common;

use std::time::Duration;

use e2e_common::{DEADLINE, Receiver, SHORT_TIMEOUT, eventually, inbox_receiver, sandbox};
use pay_core::unified::PayoutNotifications;
use pay_core::{
    Clock, Error, Extra, IncomingNotification, Money, NotificationEvent, Payee, PayeeAccount,
    PayoutRequest, Payouts, ProviderErrorKind, SecretKey, SignatureErrorKind, SystemClock,
    Transition, TxStatus,
};
use pay_sandbox::credentials::yunzhanghu as cred;
use pay_sandbox::{Fault, NOTIFY_ROUTE, Provider, Sandbox};
use yunzhanghu::bill::{BillDownloadUrl, BillFileReader, OrderDownloadUrl, OrderFileReader};
use yunzhanghu::codes::{BillType, FileStatus, StatusDetail};
use yunzhanghu::identity::VerifyId;
use yunzhanghu::payout::{AlipayOrder, BankCardOrder, WxpayOrder};
use yunzhanghu::query::{OrderDetail, QueryOrder};
use yunzhanghu::{Channel, Client, Config, NotifyEvent, OrderStatus};

const ORDER_REALTIME: &str = "/api/payment/v1/order-realtime";
const ID_CARD: &str = "11010519491231002X";
const CARD: &str = "6228880199872220";

fn config(sandbox: &Sandbox, timeout: Duration) -> Config {
    Config::new(
        cred::DEALER_ID,
        cred::BROKER_ID,
        cred::APP_KEY,
        cred::DES3_KEY,
    )
    .base_url(sandbox.yunzhanghu_url())
    .timeout(timeout)
}

fn client(sandbox: &Sandbox, timeout: Duration) -> Client {
    Client::new(config(sandbox, timeout)).unwrap()
}

fn order(order_id: &str, fen: i64) -> BankCardOrder {
    BankCardOrder {
        order_id: order_id.into(),
        real_name: "张三".into(),
        card_no: CARD.into(),
        id_card: ID_CARD.into(),
        phone_no: Some("13812345678".into()),
        pay: Money::from_fen(fen),
        pay_remark: Some("一月劳务费".into()),
        ..Default::default()
    }
}

async fn query(client: &Client, order_id: &str) -> OrderDetail {
    client
        .query_realtime_order(&QueryOrder::new(order_id, Channel::BankCard))
        .await
        .unwrap()
        .into_data()
}

/// Waits until the order has left processing (paid, failed, returned…; paid is not final).
async fn wait_settled(client: &Client, order_id: &str) -> OrderDetail {
    eventually(&format!("order {order_id} to be settled"), || async {
        let o = query(client, order_id).await;
        (o.tx_status() != TxStatus::Processing).then_some(o)
    })
    .await
}

/// Drives the sandbox's control: `POST /sandbox/orders/{order_id}/{action}` (`return`,
/// `notify`); answers the HTTP status.
async fn control(sandbox: &Sandbox, order_id: &str, action: &str) -> u16 {
    reqwest::Client::new()
        .post(format!(
            "{}/sandbox/orders/{order_id}/{action}",
            sandbox.yunzhanghu_url()
        ))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A receiver whose handler uses a `NotificationInbox`, set as the dealer's notify URL.
async fn receiver_for(
    sandbox: &Sandbox,
    client: &Client,
) -> (
    Receiver,
    std::sync::Arc<pay_core::NotificationInbox<Client>>,
    std::sync::Arc<e2e_common::Outcomes<NotifyEvent>>,
) {
    let (receiver, inbox, outcomes) = inbox_receiver(client.clone()).await;
    sandbox.set_yunzhanghu_notify_url(receiver.url("/notify/order"));
    (receiver, inbox, outcomes)
}

#[tokio::test]
async fn identity_check_payout_callback_query_and_bill_file() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000001";

    // Identity check first.
    let checked = client
        .verify_id(&VerifyId {
            id_card: ID_CARD.into(),
            real_name: "张三".into(),
            extra: Default::default(),
        })
        .await
        .unwrap();
    assert_eq!(checked.message, "操作成功");

    // The bank-card payout through the unified trait.
    let created = Payouts::create_payout(
        &client,
        &PayoutRequest {
            order_id: no.into(),
            amount: Money::from_fen(19_500),
            payee: Payee {
                name: "张三".into(),
                account: PayeeAccount::BankCard {
                    card_no: CARD.into(),
                    bank_name: None,
                    bank_code: None,
                    corporate: false,
                },
                id_number: Some(ID_CARD.into()),
                phone: Some("13812345678".into()),
            },
            remark: Some("一月劳务费".into()),
            notify_url: None,
            extra: Extra::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(created.provider, "yunzhanghu");
    assert_eq!(created.order_id, no);
    assert_eq!(created.status, TxStatus::Processing);
    assert_eq!(created.code, "0");
    assert!(!created.is_final);
    assert_eq!(created.amount, Some(Money::from_fen(19_500)));
    let reference = created.provider_order_id.clone().unwrap();

    // The callback, verified and decrypted.
    let processed = outcomes.wait_processed(1).await;
    let event = &processed[0];
    assert!(event.notify_id.starts_with('N'), "{}", event.notify_id);
    assert_eq!(event.data.order_id, no);
    assert_eq!(event.data.reference, reference);
    assert_eq!(event.data.status, OrderStatus::Paid);
    assert_eq!(event.data.pay, Some(Money::from_fen(19_500)));
    assert_eq!(event.data.tx_status(), TxStatus::Succeeded);
    assert_eq!(event.data.dealer_id, cred::DEALER_ID);
    assert_eq!(event.data.broker_id, cred::BROKER_ID);
    assert_eq!(event.data.pay_remark, "一月劳务费");
    let t = event.transition().unwrap();
    assert_eq!(
        event.replay_key(),
        format!("yunzhanghu:payout:succeeded:{no}")
    );
    assert!(!t.is_final, "paid is not final: a return may follow");
    client
        .expect(no, Money::from_fen(19_500))
        .check(&t)
        .unwrap();
    let hits = receiver.wait_hits(1).await;
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].reply, "success");
    let unified = Payouts::parse_payout_notification(&client, &hits[0].notification)
        .await
        .unwrap();
    assert_eq!(unified.status, TxStatus::Succeeded);
    assert_eq!(unified.amount, Some(Money::from_fen(19_500)));
    assert_eq!(
        unified.provider_order_id.as_deref(),
        Some(reference.as_str())
    );

    // The query, in clear and encrypted, agrees.
    let detail = query(&client, no).await;
    assert_eq!(detail.status, OrderStatus::Paid);
    assert_eq!(detail.pay, Some(Money::from_fen(19_500)));
    assert_eq!(detail.reference, reference);
    assert_eq!(detail.sys_bank_bill, event.data.sys_bank_bill);
    assert_eq!(detail.finished_time, event.data.finished_time);
    let encrypted = client
        .query_realtime_order(&QueryOrder::new(no, Channel::BankCard).encrypted())
        .await
        .unwrap()
        .into_data();
    assert_eq!(encrypted, detail);
    let settled = Payouts::query_payout(&client, no).await.unwrap();
    assert_eq!(settled.status, TxStatus::Succeeded);
    assert_eq!(settled.amount, Some(Money::from_fen(19_500)));

    // The day's bill file: the payout and its 7% service fee.
    let today = SystemClock.now().beijing_date();
    let mut gz = Vec::new();
    let written = client
        .download_bill_file(
            &BillDownloadUrl {
                bill_date: today.clone(),
                ..Default::default()
            },
            &mut gz,
        )
        .await
        .unwrap();
    assert_eq!(written, u64::try_from(gz.len()).unwrap());
    let rows: Vec<_> = BillFileReader::from_gz(gz.as_slice())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0].order_id, no);
    assert_eq!(rows[0].reference, reference);
    assert_eq!(rows[0].bill_type, BillType::BrokerPayment);
    assert_eq!(rows[0].status, FileStatus::Success);
    assert_eq!(rows[0].channel, Some(Channel::BankCard));
    assert_eq!(rows[0].amount, Money::from_fen(19_500));
    assert_eq!(rows[0].channel_ref, detail.sys_bank_bill);
    assert_eq!(rows[1].order_id, no);
    assert_eq!(rows[1].bill_type, BillType::BrokerPaymentFee);
    assert_eq!(rows[1].amount, Money::from_fen(1_365));
    assert_eq!(rows[0].bill_ref, format!("{reference}1"));
    assert_eq!(rows[1].bill_ref, format!("{reference}2"));

    // And the order file.
    let mut gz = Vec::new();
    client
        .download_order_file(
            &OrderDownloadUrl {
                order_date: today,
                ..Default::default()
            },
            &mut gz,
        )
        .await
        .unwrap();
    let rows: Vec<_> = OrderFileReader::from_gz(gz.as_slice())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].order_id, no);
    assert_eq!(rows[0].reference, reference);
    assert_eq!(rows[0].status, FileStatus::Success);
    assert_eq!(rows[0].pay, Money::from_fen(19_500));
    assert_eq!(rows[0].fee, Some(Money::from_fen(1_365)));
    assert_eq!(rows[0].channel, Some(Channel::BankCard));
    assert_eq!(outcomes.rejected_count(), 0);
}

#[tokio::test]
async fn timeout_after_send_is_unknown_outcome_and_the_query_settles_it_without_a_second_payout() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let client = client(&sandbox, Duration::from_secs(5));
    // Only the faulted call runs on the short time limit.
    let hasty = self::client(&sandbox, SHORT_TIMEOUT);
    let (_receiver, _inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000002";
    sandbox
        .faults()
        .set_times(Provider::Yunzhanghu, ORDER_REALTIME, Fault::Timeout, 1);

    let err = hasty.order_realtime(&order(no, 10_000)).await.unwrap_err();
    assert!(
        matches!(&err, Error::UnknownOutcome { order_id: Some(id), .. } if id == no),
        "{err:?}"
    );

    let detail = wait_settled(&client, no).await;
    assert_eq!(detail.status, OrderStatus::Paid);
    assert_eq!(detail.pay, Some(Money::from_fen(10_000)));
    assert_eq!(
        sandbox
            .requests()
            .count(Provider::Yunzhanghu, ORDER_REALTIME, no),
        1
    );
    let processed = outcomes.wait_processed(1).await;
    assert_eq!(processed[0].data.reference, detail.reference);
}

#[tokio::test]
async fn a_lost_callback_is_recovered_by_the_query() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000003";
    sandbox
        .faults()
        .set(Provider::Yunzhanghu, NOTIFY_ROUTE, Fault::DropNotification);

    client.order_realtime(&order(no, 20_000)).await.unwrap();
    // The first two attempts (at once, then 4 min / 10 000) are lost; the schedule runs on
    // for hours of provider time, so the test does not wait for the rest.
    let attempts = eventually("two attempts to be dropped", || async {
        let a = sandbox.notifications().for_order(Provider::Yunzhanghu, no);
        (a.len() >= 2).then_some(a)
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
async fn a_tampered_callback_is_rejected_and_never_reaches_the_handler() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let config = config(&sandbox, Duration::from_secs(5));
    let client = Client::new(config.clone()).unwrap();
    let (receiver, inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000004";
    sandbox
        .faults()
        .set_times(Provider::Yunzhanghu, NOTIFY_ROUTE, Fault::WrongSignature, 1);

    client.order_realtime(&order(no, 30_000)).await.unwrap();
    let processed = outcomes.wait_processed(1).await;
    assert_eq!(processed.len(), 1);
    assert_eq!(processed[0].data.pay, Some(Money::from_fen(30_000)));
    sandbox
        .notifications()
        .wait_acknowledged(Provider::Yunzhanghu, no, None, DEADLINE)
        .await
        .unwrap();
    let attempts = sandbox.notifications().for_order(Provider::Yunzhanghu, no);
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert!(attempts[0].tampered && attempts[0].status == Some(400));
    assert!(!attempts[1].tampered && attempts[1].acknowledged);
    assert_eq!(receiver.wait_hits(2).await.len(), 2);
    outcomes.with_rejected(|r| {
        assert_eq!(r.len(), 1, "{r:?}");
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

    // The crate's builder: the genuine event with an altered sign.
    let forged = yunzhanghu::test_util::tampered_notification(
        &config,
        &processed[0],
        "m-forged",
        1_700_000_000,
    )
    .unwrap();
    assert!(matches!(
        inbox.accept(&forged).await,
        Err(Error::Signature {
            kind: SignatureErrorKind::Mismatch,
            ..
        })
    ));
    // The sandbox's testkit: a foreign plaintext with a wrong sign.
    let plaintext = serde_json::json!({
        "notify_id": "N-forged",
        "notify_time": "2024-01-01 12:00:00",
        "data": {"order_id": no, "pay": "99999.00", "status": 1, "status_detail": 0}
    })
    .to_string();
    let testkit_forged = IncomingNotification::post_form(
        pay_sandbox::testkit::yunzhanghu::tampered_form(&plaintext, "m1", 1_700_000_000),
    );
    assert!(matches!(
        inbox.accept(&testkit_forged).await,
        Err(Error::Signature { .. })
    ));
    // Correctly signed, but the data is not 3DES ciphertext under the dealer's key.
    let data = "bm90LWNpcGhlcnRleHQ=";
    let sign = yunzhanghu::sign::sign(data, "m2", 1_700_000_000, &SecretKey::new(cred::APP_KEY));
    let undecryptable = IncomingNotification::post_form(pay_core::form::encode([
        ("data", data),
        ("mess", "m2"),
        ("timestamp", "1700000000"),
        ("sign", sign.as_str()),
        ("sign_type", "sha256"),
    ]));
    assert!(matches!(
        inbox.accept(&undecryptable).await,
        Err(Error::Decrypt { .. })
    ));
    assert_eq!(outcomes.processed().len(), 1);
}

#[tokio::test]
async fn a_replayed_callback_is_reported_as_duplicate() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let config = config(&sandbox, Duration::from_secs(5));
    let client = Client::new(config.clone()).unwrap();
    let (receiver, inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000005";

    client.order_realtime(&order(no, 40_000)).await.unwrap();
    let processed = outcomes.wait_processed(1).await;
    let key = processed[0].replay_key();
    assert_eq!(key, format!("yunzhanghu:payout:succeeded:{no}"));

    let first = receiver.wait_hits(1).await[0].notification.clone();
    let err = inbox.accept(&first).await.unwrap();
    assert!(
        matches!(&err, pay_core::Accepted::Duplicate { key: k } if *k == key),
        "{err:?}"
    );
    // A re-send of the same transition under a new notify_id, mess and timestamp.
    let mut again = processed[0].clone();
    again.notify_id = "N-resent-elsewhere".into();
    let resent =
        yunzhanghu::test_util::signed_notification(&config, &again, "m-resent", 1_900_000_000)
            .unwrap();
    assert!(matches!(
        inbox.accept(&resent).await,
        Ok(pay_core::Accepted::Duplicate { key: k }) if k == key
    ));
    // And the sandbox resending it under a new notify_id: answered, never processed twice.
    assert_eq!(control(&sandbox, no, "notify").await, 200);
    let dups = eventually("the resend to be a duplicate", || async {
        let d = outcomes.duplicates();
        (!d.is_empty()).then_some(d)
    })
    .await;
    assert_eq!(dups, vec![key.clone()]);
    let hits = receiver.wait_hits(2).await;
    assert_eq!(hits[1].reply, "success");
    assert_eq!(outcomes.processed().len(), 1);
}

/// The paid payout's callback is processed once (resends under new notify ids are duplicates);
/// the return (status 9) is a new transition, `Returned`, final; every event agrees with the
/// merchant's order. Through the provider-neutral inbox (`PayoutNotifications`).
#[tokio::test]
async fn a_paid_payout_returned_is_surfaced_once_as_a_new_final_event() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let client = std::sync::Arc::new(client(&sandbox, Duration::from_secs(5)));
    let (receiver, _inbox, outcomes) = inbox_receiver(PayoutNotifications(client.clone())).await;
    sandbox.set_yunzhanghu_notify_url(receiver.url("/notify/order"));
    let no = "YZH20240101000011";
    let fen = 30_000;

    client.order_realtime(&order(no, fen)).await.unwrap();
    let paid = outcomes.wait_processed(1).await;
    assert_eq!(paid[0].status, TxStatus::Succeeded);
    assert!(!paid[0].is_final);
    assert_eq!(paid[0].code, "1");
    client
        .expect(no, Money::from_fen(fen))
        .check(&paid[0])
        .unwrap();
    assert_eq!(
        paid[0].dedup_key(),
        format!("yunzhanghu:payout:succeeded:{no}")
    );

    // Resent twice under new notify ids: duplicates, answered `success`.
    for n in 1..=2 {
        assert_eq!(control(&sandbox, no, "notify").await, 200);
        eventually("the resend to be a duplicate", || async {
            (outcomes.duplicates().len() == n).then_some(())
        })
        .await;
    }
    assert_eq!(outcomes.processed().len(), 1);

    // The bank sends it back: 退汇.
    assert_eq!(control(&sandbox, no, "return").await, 200);
    let events = outcomes.wait_processed(2).await;
    let returned = &events[1];
    assert_eq!(returned.status, TxStatus::Returned);
    assert!(returned.is_final);
    assert_eq!(returned.code, "9");
    assert_eq!(
        returned.dedup_key(),
        format!("yunzhanghu:payout:returned:{no}")
    );
    client
        .expect(no, Money::from_fen(fen))
        .check(returned)
        .unwrap();
    assert_eq!(returned.amount, Some(Money::from_fen(fen)));
    // The query agrees, and so does the inbox: the return is not processed twice either.
    let settled = Payouts::query_payout(&*client, no).await.unwrap();
    assert_eq!(settled.status, TxStatus::Returned);
    assert!(settled.is_final);
    assert_eq!(control(&sandbox, no, "notify").await, 200);
    eventually("the resent return to be a duplicate", || async {
        (outcomes.duplicates().len() == 3).then_some(())
    })
    .await;
    assert_eq!(
        outcomes.duplicates(),
        vec![
            format!("yunzhanghu:payout:succeeded:{no}"),
            format!("yunzhanghu:payout:succeeded:{no}"),
            format!("yunzhanghu:payout:returned:{no}"),
        ]
    );
    assert_eq!(outcomes.processed().len(), 2);
    assert_eq!(outcomes.rejected_count(), 0);
    // Nothing more can be returned.
    assert_eq!(control(&sandbox, no, "return").await, 409);
}

/// A WeChat red packet never opened (the scripted amount ending in 55): sent (1/27, still
/// processing), returned the next day (9/213), each its own event through the typed inbox.
#[tokio::test]
async fn an_unopened_red_packet_is_returned() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (_receiver, _inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000012";
    client
        .order_wxpay(&WxpayOrder {
            order_id: no.into(),
            real_name: "张三".into(),
            id_card: ID_CARD.into(),
            openid: "wx-unopened".into(),
            pay: Money::from_fen(2_055),
            ..Default::default()
        })
        .await
        .unwrap();
    let events = outcomes.wait_processed(2).await;
    let sent = events[0].transition().unwrap();
    assert_eq!(
        events[0].data.status_detail,
        Some(StatusDetail::WechatRedPacketPending)
    );
    assert_eq!(sent.code, "1/27");
    assert_eq!(sent.status, TxStatus::Processing);
    assert!(!sent.is_final);
    let returned = events[1].transition().unwrap();
    assert_eq!(returned.code, "9");
    assert_eq!(returned.status, TxStatus::Returned);
    assert!(returned.is_final);
    assert_eq!(events[1].data.status_detail, Some(StatusDetail::BothFailed));
    for t in [&sent, &returned] {
        client.expect(no, Money::from_fen(2_055)).check(t).unwrap();
    }
    assert_eq!(
        [events[0].replay_key(), events[1].replay_key()],
        [
            format!("yunzhanghu:payout:processing:{no}"),
            format!("yunzhanghu:payout:returned:{no}")
        ]
    );
    let settled = Payouts::query_payout(&client, no).await.unwrap();
    assert_eq!(settled.status, TxStatus::Returned);
}

fn mismatch<T: std::fmt::Debug>(r: Result<T, Error>) -> (&'static str, String, Option<String>) {
    match r {
        Err(Error::Mismatch {
            field,
            expected,
            got,
            ..
        }) => (field, expected.into(), got.map(String::from)),
        other => panic!("{other:?}"),
    }
}

/// A wrong amount and another dealer are refused with `Error::Mismatch`, in the handler's
/// check, in the inbox (the dealer) and on the query.
#[tokio::test]
async fn a_mismatch_is_refused() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let config = config(&sandbox, Duration::from_secs(5));
    let client = Client::new(config.clone()).unwrap();
    let (receiver, inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000013";
    client.order_realtime(&order(no, 50_000)).await.unwrap();
    let processed = outcomes.wait_processed(1).await;
    let t: Transition = processed[0].transition().unwrap();

    // The merchant's ledger says 5.00, the provider paid 500.00: not credited as agreed.
    assert_eq!(
        mismatch(client.expect(no, Money::from_fen(500)).check(&t)),
        ("amount", "5.00".into(), Some("500.00".into()))
    );
    // Another broker than the order's.
    assert_eq!(
        mismatch(
            client
                .expect_with_broker(no, Money::from_fen(50_000), "other-broker")
                .check(&t)
        ),
        (
            "broker_id",
            "other-broker".into(),
            Some(cred::BROKER_ID.into())
        )
    );
    // A notification naming another dealer, signed with the dealer's own keys.
    let mut foreign = processed[0].clone();
    foreign.data.dealer_id = "other-dealer".into();
    foreign.data.status = OrderStatus::Returned;
    let n = yunzhanghu::test_util::signed_notification(&config, &foreign, "m-x", 1_900_000_000)
        .unwrap();
    assert_eq!(
        mismatch(inbox.accept(&n).await.map(|_| ())),
        (
            "dealer_id",
            cred::DEALER_ID.into(),
            Some("other-dealer".into())
        )
    );
    // The typed query checked against the order.
    assert_eq!(
        mismatch(
            client
                .query_payout_expecting(&client.expect(no, Money::from_fen(49_999)))
                .await
        ),
        ("amount", "499.99".into(), Some("500.00".into()))
    );
    let ok = client
        .query_payout_expecting(&client.expect(no, Money::from_fen(50_000)))
        .await
        .unwrap();
    assert_eq!(ok.status, TxStatus::Succeeded);
    // A client configured for another dealer refuses this dealer's answers.
    let other = Client::new(
        Config::new(
            "other-dealer",
            cred::BROKER_ID,
            cred::APP_KEY,
            cred::DES3_KEY,
        )
        .base_url(sandbox.yunzhanghu_url()),
    )
    .unwrap();
    let err = other
        .verify_notify(&receiver_hit(&receiver).await)
        .unwrap_err();
    assert_eq!(
        mismatch::<()>(Err(err)),
        (
            "dealer_id",
            "other-dealer".into(),
            Some(cred::DEALER_ID.into())
        )
    );
    assert_eq!(outcomes.processed().len(), 1);
}

async fn receiver_hit(receiver: &Receiver) -> IncomingNotification {
    receiver.wait_hits(1).await[0].notification.clone()
}

#[tokio::test]
async fn a_failed_payout_is_reported_as_failed() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (_receiver, _inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000006";

    let accepted = client.order_realtime(&order(no, 10_044)).await.unwrap();
    assert_eq!(accepted.order_id, no);
    assert_eq!(accepted.pay, Some(Money::from_fen(10_044)));

    let processed = outcomes.wait_processed(1).await;
    assert_eq!(processed[0].data.status, OrderStatus::Failed);
    assert_eq!(processed[0].data.tx_status(), TxStatus::Failed);
    let detail = query(&client, no).await;
    assert_eq!(detail.status, OrderStatus::Failed);
    assert_eq!(detail.status_detail, Some(StatusDetail::from_wire("211")));
    let settled = Payouts::query_payout(&client, no).await.unwrap();
    assert_eq!(settled.status, TxStatus::Failed);
    assert!(settled.is_final);
    assert_eq!(settled.amount, Some(Money::from_fen(10_044)));
    assert_eq!(settled.message.as_deref(), Some("系统打款失败"));
}

/// What an Alipay or WeChat payout was sent as, and the `ref` it was accepted under.
struct Expected<'a> {
    channel: Channel,
    order_id: &'a str,
    fen: i64,
    /// The Alipay account or the WeChat openid (`card_no` in the callback and the query).
    account: &'a str,
    reference: &'a str,
}

/// The Alipay and WeChat payouts' common checks: `order_id` was accepted for `fen`, its callback
/// arrives verified and decrypted and is answered `success`, the unified parser agrees, the
/// query on `channel` (in clear and encrypted) reports the same paid order, the bank-card
/// channel does not know it, and the unified query finds it by trying the channels in turn.
async fn check_settled(
    client: &Client,
    receiver: &Receiver,
    outcomes: &e2e_common::Outcomes<NotifyEvent>,
    expected: Expected<'_>,
) {
    let Expected {
        channel,
        order_id,
        fen,
        account,
        reference,
    } = expected;
    let processed = outcomes.wait_processed(1).await;
    assert_eq!(processed.len(), 1, "{processed:?}");
    let event = &processed[0];
    assert!(event.notify_id.starts_with('N'), "{}", event.notify_id);
    assert_eq!(event.data.order_id, order_id);
    assert_eq!(event.data.reference, reference);
    assert_eq!(event.data.status, OrderStatus::Paid);
    assert_eq!(event.data.tx_status(), TxStatus::Succeeded);
    assert_eq!(event.data.pay, Some(Money::from_fen(fen)));
    assert_eq!(event.data.card_no.expose(), account);
    assert_eq!(event.data.dealer_id, cred::DEALER_ID);
    assert_eq!(event.data.broker_id, cred::BROKER_ID);
    let hits = receiver.wait_hits(1).await;
    assert_eq!(hits[0].reply, "success");
    let unified = Payouts::parse_payout_notification(client, &hits[0].notification)
        .await
        .unwrap();
    assert_eq!(unified.order_id, order_id);
    assert_eq!(unified.status, TxStatus::Succeeded);
    assert_eq!(unified.amount, Some(Money::from_fen(fen)));
    assert_eq!(unified.provider_order_id.as_deref(), Some(reference));

    let detail = client
        .query_realtime_order(&QueryOrder::new(order_id, channel.clone()))
        .await
        .unwrap()
        .into_data();
    assert_eq!(detail.order_id, order_id);
    assert_eq!(detail.status, OrderStatus::Paid);
    assert_eq!(detail.pay, Some(Money::from_fen(fen)));
    assert_eq!(detail.reference, reference);
    assert_eq!(detail.card_no.expose(), account);
    assert_eq!(detail.sys_bank_bill, event.data.sys_bank_bill);
    assert_eq!(detail.finished_time, event.data.finished_time);
    let encrypted = client
        .query_realtime_order(&QueryOrder::new(order_id, channel).encrypted())
        .await
        .unwrap()
        .into_data();
    assert_eq!(encrypted, detail);

    let err = client
        .query_realtime_order(&QueryOrder::new(order_id, Channel::BankCard))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if matches!(p.kind, ProviderErrorKind::NotFound { .. })),
        "{err:?}"
    );
    let settled = Payouts::query_payout(client, order_id).await.unwrap();
    assert_eq!(settled.order_id, order_id);
    assert_eq!(settled.status, TxStatus::Succeeded);
    assert_eq!(settled.amount, Some(Money::from_fen(fen)));
    assert_eq!(outcomes.rejected_count(), 0);
}

#[tokio::test]
async fn alipay_payout_callback_and_query() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000007";
    let account = "zhangsan@example.com";

    let accepted = client
        .order_alipay(&AlipayOrder {
            order_id: no.into(),
            real_name: "张三".into(),
            id_card: ID_CARD.into(),
            card_no: account.into(),
            pay: Money::from_fen(12_345),
            notes: Some("备注信息".into()),
            pay_remark: Some("一月劳务费".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(accepted.order_id, no);
    assert_eq!(accepted.pay, Some(Money::from_fen(12_345)));
    assert!(!accepted.reference.is_empty());
    let reference = accepted.data.reference.clone();
    check_settled(
        &client,
        &receiver,
        &outcomes,
        Expected {
            channel: Channel::Alipay,
            order_id: no,
            fen: 12_345,
            account,
            reference: &reference,
        },
    )
    .await;

    // The unified trait routes an Alipay payee to order-alipay.
    let unified_no = "YZH20240101000008";
    let created = Payouts::create_payout(
        &client,
        &PayoutRequest {
            order_id: unified_no.into(),
            amount: Money::from_fen(500),
            payee: Payee {
                name: "张三".into(),
                account: PayeeAccount::Alipay {
                    account: account.into(),
                },
                id_number: Some(ID_CARD.into()),
                phone: None,
            },
            remark: None,
            notify_url: None,
            extra: Extra::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(created.status, TxStatus::Processing);
    let processed = outcomes.wait_processed(2).await;
    assert_eq!(processed[1].data.order_id, unified_no);
    assert_eq!(processed[1].data.status, OrderStatus::Paid);
    let detail = client
        .query_realtime_order(&QueryOrder::new(unified_no, Channel::Alipay))
        .await
        .unwrap()
        .into_data();
    assert_eq!(detail.pay, Some(Money::from_fen(500)));
    assert_eq!(
        detail.reference,
        created.provider_order_id.unwrap_or_default()
    );
}

#[tokio::test]
async fn wechat_payout_callback_and_query() {
    let sandbox = sandbox(Provider::Yunzhanghu).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inbox, outcomes) = receiver_for(&sandbox, &client).await;
    let no = "YZH20240101000009";
    let openid = "wx2319u9jk231bhbhbhwad21";

    let accepted = client
        .order_wxpay(&WxpayOrder {
            order_id: no.into(),
            real_name: "张三".into(),
            id_card: ID_CARD.into(),
            openid: openid.into(),
            pay: Money::from_fen(2_000),
            notes: Some("备注".into()),
            pay_remark: Some("一月劳务费".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(accepted.order_id, no);
    assert_eq!(accepted.pay, Some(Money::from_fen(2_000)));
    assert!(!accepted.reference.is_empty());
    let reference = accepted.data.reference.clone();
    check_settled(
        &client,
        &receiver,
        &outcomes,
        Expected {
            channel: Channel::Wechat,
            order_id: no,
            fen: 2_000,
            account: openid,
            reference: &reference,
        },
    )
    .await;

    // The unified trait routes a WeChat payee to order-wxpay.
    let unified_no = "YZH20240101000010";
    let created = Payouts::create_payout(
        &client,
        &PayoutRequest {
            order_id: unified_no.into(),
            amount: Money::from_fen(100),
            payee: Payee {
                name: "张三".into(),
                account: PayeeAccount::Wechat {
                    openid: openid.into(),
                },
                id_number: Some(ID_CARD.into()),
                phone: None,
            },
            remark: None,
            notify_url: None,
            extra: Extra::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(created.status, TxStatus::Processing);
    let processed = outcomes.wait_processed(2).await;
    assert_eq!(processed[1].data.order_id, unified_no);
    assert_eq!(processed[1].data.status, OrderStatus::Paid);
    let settled = Payouts::query_payout(&client, unified_no).await.unwrap();
    assert_eq!(settled.status, TxStatus::Succeeded);
    assert_eq!(settled.amount, Some(Money::from_fen(100)));
}

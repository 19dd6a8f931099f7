//! End-to-end: the `protocol-pay` client against the sandbox's protocol (escrow) pay, with a
//! local notification receiver: protocol create → POS prepay → pay-result and funds-arrived
//! notifications → outpay → pay-out notification → outquery; and the fault cases (timeout
//! after send, lost, tampered and replayed notifications, a failed pay-out); a quick-pay (`QP`)
//! pay-in, and the close of a POS code; the notification kinds (one endpoint per kind, a §9
//! resent after §10 is the paid event again, a §11 without the pay-out's own fields read at the
//! pay-out endpoint and refused at a shared one) and the order check.
//!
//! The merchant's receiver has one URL per notification kind, as the spec gives them:
//! `/notify/paid` (`outSuccessNotifyUrl`, §9), `/notify/arrived` (`outArrivedNotifyUrl`, §10),
//! `/notify/out` (`outNotifyUrl`, §11), each with its inbox on the declared kind; and
//! `/notify/shared`, one inbox on the shared-endpoint reading. All four share one replay guard.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_common;

use std::sync::Arc;
use std::time::Duration;

use e2e_common::{
    DEADLINE, Outcomes, Receiver, SHORT_TIMEOUT, TIME_COMPRESSION, eventually, inbox_handler,
    sandbox,
};
use pay_core::{
    Error, Extra, FlowKind, InMemoryReplayGuard, Money, NotificationEvent, NotificationInbox,
    Payee, PayeeAccount, PaymentAction, PaymentRequest, Payments, PayoutRequest, Payouts,
    ProviderErrorKind, ReplayGuard, SignatureErrorKind, TxStatus,
};
use pay_sandbox::credentials::protocol as cred;
use pay_sandbox::{Fault, NOTIFY_ROUTE, Provider, Sandbox, SandboxOptions};
use protocol_pay::test_util::{pay_out_notification, tampered};
use protocol_pay::{
    ArrivedStatus, BankAccount, CashierType, Client, Config, CreateProtocolRequest,
    FindProtocolRequest, InqueryRequest, KindNotifications, Notification, NotificationKind,
    OutType, OutpayRequest, OutqueryRequest, PayOutOrder, PayStatus, PosCloseRequest,
    PrepayRequest, ProdCatalog, QueryBankCnapsRequest,
};

const OUTPAY: &str = "/api/protocol/outpay";
const BRANCH: &str = "招商银行北京海淀支行";
const CNAPS: &str = "308100005158";

fn config(sandbox: &Sandbox, timeout: Duration) -> Config {
    Config::new(cred::APP_ID, cred::KEY)
        .base_url(sandbox.protocol_pay_url())
        .timeout(timeout)
}

fn client(sandbox: &Sandbox, timeout: Duration) -> Client {
    Client::new(config(sandbox, timeout)).unwrap()
}

fn account() -> BankAccount {
    BankAccount {
        name: "李四".into(),
        number: "6225880137705555".into(),
        bank_name: BRANCH.into(),
        cnaps: CNAPS.into(),
    }
}

fn outpay_request(trans_no: &str, out_req_no: &str, fen: i64, notify_url: &str) -> OutpayRequest {
    let mut r = OutpayRequest::new(
        OutType::Out,
        trans_no,
        out_req_no,
        Money::from_fen(fen),
        notify_url,
        account(),
    );
    r.remark = Some("定金转出".into());
    r
}

/// The merchant's inboxes: one per declared notification kind, and a shared one.
#[derive(Debug)]
struct Inboxes {
    paid: NotificationInbox<KindNotifications>,
    arrived: NotificationInbox<KindNotifications>,
    out: NotificationInbox<KindNotifications>,
    shared: NotificationInbox<Client>,
}

/// A receiver routing `/notify/paid`, `/notify/arrived`, `/notify/out` to the inbox of that
/// declared kind and `/notify/shared` to the shared-endpoint inbox (see the module docs), each
/// through [`inbox_handler`]; one replay guard and one record of outcomes for all.
async fn kind_receiver(client: &Client) -> (Receiver, Arc<Inboxes>, Arc<Outcomes<Notification>>) {
    let guard: Arc<dyn ReplayGuard> = Arc::new(InMemoryReplayGuard::new());
    let declared = |kind| NotificationInbox::new(client.notifications(kind), guard.clone());
    let inboxes = Arc::new(Inboxes {
        paid: declared(NotificationKind::PayResult),
        arrived: declared(NotificationKind::FundsArrived),
        out: declared(NotificationKind::PayoutArrived),
        shared: NotificationInbox::new(client.clone(), guard.clone()),
    });
    let outcomes: Arc<Outcomes<Notification>> = Arc::default();
    let (i, o) = (inboxes.clone(), outcomes.clone());
    let receiver = Receiver::start(move |path, n| {
        let (i, o) = (i.clone(), o.clone());
        async move {
            match path.as_str() {
                "/notify/paid" => inbox_handler(&i.paid, &o, &n).await,
                "/notify/arrived" => inbox_handler(&i.arrived, &o, &n).await,
                "/notify/out" => inbox_handler(&i.out, &o, &n).await,
                "/notify/shared" => inbox_handler(&i.shared, &o, &n).await,
                _ => (404, format!("no endpoint at {path}")),
            }
        }
    })
    .await;
    (receiver, inboxes, outcomes)
}

fn pay_out_of(n: &Notification) -> &PayOutOrder {
    n.pay_out()
        .unwrap_or_else(|| panic!("expected a pay-out notification, got {n:?}"))
}

/// A POS protocol holding `fen` of available (arrived) money; the pay-in's notification is
/// acknowledged before this returns, so that it cannot take a fault meant for later.
async fn funded_protocol(
    sandbox: &Sandbox,
    client: &Client,
    receiver: &Receiver,
    fen: i64,
) -> String {
    let protocol = client
        .create_protocol(&CreateProtocolRequest::new(
            "购房定金",
            cred::BUSINESS_ID,
            CashierType::Pos,
        ))
        .await
        .unwrap();
    let out_req_no = format!("{}IN{}", cred::APP_ID, protocol.trans_no);
    let order = client
        .prepay(&PrepayRequest::new(
            protocol.trans_no.clone(),
            out_req_no.clone(),
            Money::from_fen(fen),
            receiver.url("/notify/paid"),
            ProdCatalog::DebitOnly,
        ))
        .await
        .unwrap();
    assert_eq!(order.pay_status, PayStatus::Unpaid);
    sandbox
        .notifications()
        .wait_acknowledged(Provider::ProtocolPay, &out_req_no, Some("pay-in"), DEADLINE)
        .await
        .unwrap();
    eventually("the pay-in to arrive", || async {
        let o = client
            .inquery(&InqueryRequest::new(out_req_no.clone()))
            .await
            .unwrap();
        (o.arrived_status == Some(ArrivedStatus::Arrived)).then_some(())
    })
    .await;
    protocol.trans_no
}

async fn wait_outpay_final(client: &Client, out_req_no: &str) -> PayOutOrder {
    eventually(&format!("pay-out {out_req_no} to be final"), || async {
        let o = client
            .outquery(&OutqueryRequest::new(out_req_no))
            .await
            .unwrap();
        o.pay_status.is_final().then_some(o)
    })
    .await
}

#[tokio::test]
async fn protocol_pay_in_notifications_and_pay_out() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inboxes, outcomes) = kind_receiver(&client).await;

    let protocol = client
        .create_protocol(&CreateProtocolRequest::new(
            "购房定金",
            cred::BUSINESS_ID,
            CashierType::Pos,
        ))
        .await
        .unwrap();
    let trans_no = protocol.trans_no.clone();
    assert_eq!(protocol.business_id.as_deref(), Some(cred::BUSINESS_ID));
    assert_eq!(protocol.cashier_type, Some(CashierType::Pos));
    let found = client
        .find_protocol(&FindProtocolRequest::new(trans_no.clone()))
        .await
        .unwrap();
    assert_eq!(found.trans_no, trans_no);
    assert_eq!(found.amount, Some(Money::ZERO));

    // POS pay-in through the unified trait.
    let pay_in_no = "LFT1001E2E0001";
    let mut extra = Extra::new();
    extra.insert("transNo".into(), trans_no.clone().into());
    extra.insert("prodCatalog".into(), "01".into());
    extra.insert(
        "outArrivedNotifyUrl".into(),
        receiver.url("/notify/arrived").into(),
    );
    let created = Payments::create_payment(
        &client,
        &PaymentRequest {
            order_id: pay_in_no.into(),
            amount: Money::from_fen(100_050),
            subject: "购房定金".into(),
            notify_url: receiver.url("/notify/paid"),
            return_url: None,
            client_ip: None,
            method: None,
            extra,
        },
    )
    .await
    .unwrap();
    assert_eq!(created.transition.provider, "protocol-pay");
    assert_eq!(created.transition.kind, FlowKind::Payment);
    assert_eq!(created.transition.order_id, pay_in_no);
    assert_eq!(created.transition.status, TxStatus::Unpaid);
    assert!(!created.transition.is_final);
    assert_eq!(created.transition.amount, Some(Money::from_fen(100_050)));
    let Some(PaymentAction::Code { code }) = &created.action else {
        panic!("expected a POS code, got {:?}", created.action);
    };
    assert!(code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()));

    // Notification 9 (paid), then 10 (arrived).
    let processed = outcomes.wait_processed(2).await;
    assert_eq!(processed[0].kind, NotificationKind::PayResult);
    let paid = processed[0].pay_in().unwrap();
    assert_eq!(paid.out_req_no, pay_in_no);
    assert_eq!(paid.pay_status, PayStatus::Success);
    assert_eq!(paid.amount, Some(Money::from_fen(100_050)));
    assert_eq!(paid.trans_no.as_deref(), Some(trans_no.as_str()));
    assert_eq!(paid.arrived_status, Some(ArrivedStatus::NotArrived));
    assert_eq!(processed[1].kind, NotificationKind::FundsArrived);
    let arrived = processed[1].pay_in().unwrap();
    assert_eq!(arrived.out_req_no, pay_in_no);
    assert_eq!(arrived.arrived_status, Some(ArrivedStatus::Arrived));
    assert_eq!(arrived.amount, Some(Money::from_fen(100_050)));
    // Two business events of one pay-in: paid, then its funds arrived.
    assert_eq!(
        processed[0].replay_key(),
        format!("protocol-pay:payment:succeeded:{pay_in_no}")
    );
    assert_eq!(
        processed[1].replay_key(),
        format!("protocol-pay:funds_arrived:succeeded:{pay_in_no}")
    );
    let expected = client.expect_payment(pay_in_no, Money::from_fen(100_050));
    expected.check(&processed[0].transition().unwrap()).unwrap();
    expected.check(&processed[1].transition().unwrap()).unwrap();
    let hits = receiver.wait_hits(2).await;
    let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths, ["/notify/paid", "/notify/arrived"]);
    assert!(hits.iter().all(|h| h.reply == "SUCCESS"));
    let queried = Payments::query_payment(&client, pay_in_no).await.unwrap();
    assert_eq!(queried.status, TxStatus::Succeeded);
    assert_eq!(queried.amount, Some(Money::from_fen(100_050)));
    assert_eq!(queried.provider_order_id, paid.pay_order_no);
    let found = client
        .find_protocol(&FindProtocolRequest::new(trans_no.clone()))
        .await
        .unwrap();
    assert_eq!(found.amount, Some(Money::from_fen(100_050)));
    assert_eq!(found.onpassage_amount, Some(Money::ZERO));

    // The branch's CNAPS code, then the pay-out through the unified trait.
    let branches = client
        .query_bank_cnaps(&QueryBankCnapsRequest::new("招商银行北京海淀"))
        .await
        .unwrap();
    assert_eq!(branches.len(), 1);
    assert_eq!(branches[0].bank_name, BRANCH);
    assert_eq!(branches[0].bank_cnaps, CNAPS);
    let pay_out_no = "LFT1001E2E0002";
    let mut extra = Extra::new();
    extra.insert("transNo".into(), trans_no.clone().into());
    let out = Payouts::create_payout(
        &client,
        &PayoutRequest {
            order_id: pay_out_no.into(),
            amount: Money::from_fen(50_000),
            payee: Payee {
                name: "李四".into(),
                account: PayeeAccount::BankCard {
                    card_no: "6225880137705555".into(),
                    bank_name: Some(branches[0].bank_name.clone()),
                    bank_code: Some(branches[0].bank_cnaps.clone()),
                    corporate: false,
                },
                id_number: None,
                phone: None,
            },
            remark: Some("定金转出".into()),
            notify_url: Some(receiver.url("/notify/out")),
            extra,
        },
    )
    .await
    .unwrap();
    assert_eq!(out.order_id, pay_out_no);
    assert_eq!(out.status, TxStatus::Processing);
    assert_eq!(out.amount, Some(Money::from_fen(50_000)));

    // Notification 11, then the query.
    let processed = outcomes.wait_processed(3).await;
    assert_eq!(processed[2].kind, NotificationKind::PayoutArrived);
    let paid_out = pay_out_of(&processed[2]);
    assert_eq!(paid_out.out_req_no, pay_out_no);
    assert_eq!(paid_out.pay_status, PayStatus::Success);
    assert_eq!(paid_out.amount, Some(Money::from_fen(50_000)));
    assert_eq!(paid_out.out_type, Some(OutType::Out));
    assert_eq!(paid_out.bank_cnaps.as_deref(), Some(CNAPS));
    assert_eq!(paid_out.remark.as_deref(), Some("定金转出"));
    let t = processed[2].transition().unwrap();
    assert_eq!(
        t.dedup_key(),
        format!("protocol-pay:payout:succeeded:{pay_out_no}")
    );
    client
        .expect_payout(pay_out_no, Money::from_fen(50_000))
        .check(&t)
        .unwrap();
    let order = client
        .outquery(&OutqueryRequest::new(pay_out_no))
        .await
        .unwrap();
    assert_eq!(order.pay_status, PayStatus::Success);
    assert_eq!(order.amount, Some(Money::from_fen(50_000)));
    assert_eq!(order.pay_order_no, paid_out.pay_order_no);
    assert_eq!(order.pay_finish_time, paid_out.pay_finish_time);
    let settled = Payouts::query_payout(&client, pay_out_no).await.unwrap();
    assert_eq!(settled.status, TxStatus::Succeeded);
    let found = client
        .find_protocol(&FindProtocolRequest::new(trans_no))
        .await
        .unwrap();
    assert_eq!(found.amount, Some(Money::from_fen(50_050)));
    assert_eq!(found.out_amount, Some(Money::from_fen(50_000)));
    assert_eq!(outcomes.rejected_count(), 0);
}

#[tokio::test]
async fn timeout_after_send_is_unknown_outcome_and_the_query_settles_it_without_a_second_payout() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    // Only the faulted call runs on the short time limit.
    let hasty = self::client(&sandbox, SHORT_TIMEOUT);
    let (receiver, _inboxes, outcomes) = kind_receiver(&client).await;
    let trans_no = funded_protocol(&sandbox, &client, &receiver, 80_000).await;
    let no = "LFT1001E2E0101";
    sandbox
        .faults()
        .set_times(Provider::ProtocolPay, OUTPAY, Fault::Timeout, 1);

    let err = hasty
        .outpay(&outpay_request(
            &trans_no,
            no,
            30_000,
            &receiver.url("/notify/out"),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownOutcome { order_id: Some(id), .. } if id == no),
        "{err:?}"
    );

    let order = wait_outpay_final(&client, no).await;
    assert_eq!(order.pay_status, PayStatus::Success);
    assert_eq!(order.amount, Some(Money::from_fen(30_000)));
    assert_eq!(
        sandbox.requests().count(Provider::ProtocolPay, OUTPAY, no),
        1
    );
    let processed = outcomes.wait_processed(2).await;
    assert_eq!(pay_out_of(&processed[1]).out_req_no, no);
    let found = client
        .find_protocol(&FindProtocolRequest::new(trans_no))
        .await
        .unwrap();
    assert_eq!(found.out_amount, Some(Money::from_fen(30_000)));
    assert_eq!(found.amount, Some(Money::from_fen(50_000)));
}

#[tokio::test]
async fn a_lost_notification_is_recovered_by_the_query() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inboxes, outcomes) = kind_receiver(&client).await;
    let trans_no = funded_protocol(&sandbox, &client, &receiver, 80_000).await;
    let no = "LFT1001E2E0201";
    sandbox
        .faults()
        .set(Provider::ProtocolPay, NOTIFY_ROUTE, Fault::DropNotification);

    client
        .outpay(&outpay_request(
            &trans_no,
            no,
            20_000,
            &receiver.url("/notify/out"),
        ))
        .await
        .unwrap();
    let attempts = eventually("all six attempts to be dropped", || async {
        let a = sandbox.notifications().for_order(Provider::ProtocolPay, no);
        (a.len() == 6).then_some(a)
    })
    .await;
    assert!(attempts.iter().all(|a| a.dropped && !a.acknowledged));
    assert!(receiver.hits().iter().all(|h| h.path != "/notify/out"));
    assert_eq!(outcomes.processed().len(), 1); // the pay-in only

    let settled = Payouts::query_payout(&client, no).await.unwrap();
    assert_eq!(settled.status, TxStatus::Succeeded);
    assert_eq!(settled.amount, Some(Money::from_fen(20_000)));
}

#[tokio::test]
async fn a_tampered_notification_is_rejected_and_never_reaches_the_handler() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, inboxes, outcomes) = kind_receiver(&client).await;
    let trans_no = funded_protocol(&sandbox, &client, &receiver, 80_000).await;
    let no = "LFT1001E2E0301";
    sandbox.faults().set_times(
        Provider::ProtocolPay,
        NOTIFY_ROUTE,
        Fault::WrongSignature,
        1,
    );

    client
        .outpay(&outpay_request(
            &trans_no,
            no,
            10_000,
            &receiver.url("/notify/out"),
        ))
        .await
        .unwrap();
    let processed = outcomes.wait_processed(2).await;
    assert_eq!(processed.len(), 2);
    assert_eq!(pay_out_of(&processed[1]).pay_status, PayStatus::Success);
    sandbox
        .notifications()
        .wait_acknowledged(Provider::ProtocolPay, no, None, DEADLINE)
        .await
        .unwrap();
    let attempts = sandbox.notifications().for_order(Provider::ProtocolPay, no);
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert!(attempts[0].tampered && attempts[0].status == Some(400));
    assert!(!attempts[1].tampered && attempts[1].acknowledged);
    assert_only_mismatches(&outcomes, 1);

    // The crate's builder: the genuine notification with its data changed after signing.
    let genuine = receiver
        .hits()
        .into_iter()
        .rfind(|h| h.path == "/notify/out" && h.status == 200)
        .unwrap()
        .notification;
    let forged = tampered(&genuine);
    let err = inboxes.out.accept(&forged).await.unwrap_err();
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
    // The sandbox's testkit: an envelope with a wrong sign.
    let data = serde_json::to_string(pay_out_of(&processed[1])).unwrap();
    let testkit_forged = pay_core::IncomingNotification::post_json(
        pay_sandbox::testkit::protocol::tampered_envelope(&data, "20240101120000000"),
    );
    assert!(matches!(
        inboxes.out.accept(&testkit_forged).await,
        Err(Error::Signature { .. })
    ));
    assert_eq!(outcomes.processed().len(), 2);
}

fn assert_only_mismatches(outcomes: &Outcomes<Notification>, n: usize) {
    outcomes.with_rejected(|r| {
        assert_eq!(r.len(), n, "{r:?}");
        for e in r {
            assert!(
                matches!(
                    e,
                    Error::Signature {
                        kind: SignatureErrorKind::Mismatch,
                        ..
                    }
                ),
                "{e:?}"
            );
        }
    });
}

#[tokio::test]
async fn a_replayed_notification_is_reported_as_duplicate() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let config = config(&sandbox, Duration::from_secs(5));
    let client = Client::new(config.clone()).unwrap();
    let (receiver, inboxes, outcomes) = kind_receiver(&client).await;
    let trans_no = funded_protocol(&sandbox, &client, &receiver, 80_000).await;
    let no = "LFT1001E2E0401";

    client
        .outpay(&outpay_request(
            &trans_no,
            no,
            10_000,
            &receiver.url("/notify/out"),
        ))
        .await
        .unwrap();
    let processed = outcomes.wait_processed(2).await;
    let key = format!("protocol-pay:payout:succeeded:{no}");

    // The same request again, byte for byte.
    let first = receiver
        .wait_hits(2)
        .await
        .into_iter()
        .find(|h| h.path == "/notify/out")
        .unwrap()
        .notification;
    let err = inboxes.out.accept(&first).await.unwrap();
    assert!(
        matches!(&err, pay_core::Accepted::Duplicate { key: k } if *k == key),
        "{err:?}"
    );
    // A re-send of the same event under a later timestamp (as the retries are) is the same event.
    let resent =
        pay_out_notification(&config, pay_out_of(&processed[1]), "20991231235959000").unwrap();
    assert!(matches!(
        inboxes.out.accept(&resent).await,
        Ok(pay_core::Accepted::Duplicate { key: k }) if k == key
    ));
    assert_eq!(outcomes.processed().len(), 2);
}

#[tokio::test]
async fn a_failed_payout_is_reported_as_failed() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inboxes, outcomes) = kind_receiver(&client).await;
    let trans_no = funded_protocol(&sandbox, &client, &receiver, 80_000).await;
    let no = "LFT1001E2E0501";

    let order = client
        .outpay(&outpay_request(
            &trans_no,
            no,
            1_044,
            &receiver.url("/notify/out"),
        ))
        .await
        .unwrap();
    assert_eq!(order.pay_status, PayStatus::Processing);

    let processed = outcomes.wait_processed(2).await;
    let failed = pay_out_of(&processed[1]);
    assert_eq!(failed.pay_status, PayStatus::Failure);
    assert_eq!(failed.amount, Some(Money::from_fen(1_044)));
    let order = client.outquery(&OutqueryRequest::new(no)).await.unwrap();
    assert_eq!(order.pay_status, PayStatus::Failure);
    let settled = Payouts::query_payout(&client, no).await.unwrap();
    assert_eq!(settled.status, TxStatus::Failed);
    assert_eq!(settled.amount, Some(Money::from_fen(1_044)));
    // The money went back to the protocol.
    let found = client
        .find_protocol(&FindProtocolRequest::new(trans_no))
        .await
        .unwrap();
    assert_eq!(found.amount, Some(Money::from_fen(80_000)));
    assert_eq!(found.out_amount, Some(Money::ZERO));
}

/// Quick pay (`cashierType` `QP`): the protocol is created as `QP`, the prepay answers a cashier
/// URL (no POS code) that the sandbox serves, the pay-in is paid (notification 9) and arrives
/// (notification 10), and the query and the unified query agree.
#[tokio::test]
async fn quick_pay_in_answers_a_cashier_url_then_notifies_and_queries() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inboxes, outcomes) = kind_receiver(&client).await;

    let protocol = client
        .create_protocol(&CreateProtocolRequest::new(
            "购房定金",
            cred::BUSINESS_ID,
            CashierType::Qp,
        ))
        .await
        .unwrap();
    assert_eq!(protocol.cashier_type, Some(CashierType::Qp));
    let trans_no = protocol.trans_no.clone();
    let found = client
        .find_protocol(&FindProtocolRequest::new(trans_no.clone()))
        .await
        .unwrap();
    assert_eq!(found.cashier_type, Some(CashierType::Qp));

    let no = "LFT1001E2EQP01";
    let mut request = PrepayRequest::new(
        trans_no.clone(),
        no,
        Money::from_fen(20_000),
        receiver.url("/notify/paid"),
        ProdCatalog::DebitOnly,
    );
    request.out_arrived_notify_url = Some(receiver.url("/notify/arrived"));
    let order = client.prepay(&request).await.unwrap();
    assert_eq!(order.pay_status, PayStatus::Unpaid);
    assert_eq!(order.cashier_type, Some(CashierType::Qp));
    assert!(order.pos_code.as_deref().unwrap_or_default().is_empty());
    let Some(PaymentAction::Redirect { url }) = order.action() else {
        panic!("expected the cashier URL, got {:?}", order.action());
    };
    assert!(url.starts_with(&sandbox.protocol_pay_url()), "{url}");
    let page = reqwest::get(&url).await.unwrap();
    assert_eq!(page.status(), 200, "{url}");

    let processed = outcomes.wait_processed(2).await;
    assert_eq!(processed[0].kind, NotificationKind::PayResult);
    let paid = processed[0].pay_in().unwrap();
    assert_eq!(paid.out_req_no, no);
    assert_eq!(paid.pay_status, PayStatus::Success);
    assert_eq!(paid.amount, Some(Money::from_fen(20_000)));
    assert_eq!(paid.cashier_type, Some(CashierType::Qp));
    assert_eq!(processed[1].kind, NotificationKind::FundsArrived);
    assert_eq!(
        processed[1].pay_in().unwrap().arrived_status,
        Some(ArrivedStatus::Arrived)
    );
    let paths: Vec<String> = receiver
        .wait_hits(2)
        .await
        .into_iter()
        .map(|h| h.path)
        .collect();
    assert_eq!(paths, ["/notify/paid", "/notify/arrived"]);

    let queried = client.inquery(&InqueryRequest::new(no)).await.unwrap();
    assert_eq!(queried.pay_status, PayStatus::Success);
    assert_eq!(queried.cashier_type, Some(CashierType::Qp));
    assert_eq!(queried.pay_order_no, paid.pay_order_no);
    let unified = Payments::query_payment(&client, no).await.unwrap();
    assert_eq!(unified.status, TxStatus::Succeeded);
    assert_eq!(unified.amount, Some(Money::from_fen(20_000)));
    let found = client
        .find_protocol(&FindProtocolRequest::new(trans_no))
        .await
        .unwrap();
    assert_eq!(found.amount, Some(Money::from_fen(20_000)));
    assert_eq!(outcomes.rejected_count(), 0);
}

/// POS-code close (`posclose`): an unpaid POS pay-in's code is closed (`result` `true`), the
/// pay-in is then `FAILURE` by query, a second close answers `false`, the pay-in is never paid,
/// no money reaches the protocol, and no notification is sent for it (the spec names none for
/// a closed code; the sandbox sends none).
#[tokio::test]
async fn pos_close_fails_an_unpaid_pay_in_and_nothing_is_paid_or_notified() {
    // A longer status delay than the other tests': the code is closed before it would be paid.
    let delay = Duration::from_millis(600);
    let sandbox = Sandbox::start_with(
        SandboxOptions::default()
            .with_providers(&[Provider::ProtocolPay])
            .with_status_delay(delay)
            .with_time_compression(TIME_COMPRESSION),
    )
    .await
    .unwrap();
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inboxes, outcomes) = kind_receiver(&client).await;
    let protocol = client
        .create_protocol(&CreateProtocolRequest::new(
            "购房定金",
            cred::BUSINESS_ID,
            CashierType::Pos,
        ))
        .await
        .unwrap();
    let no = "LFT1001E2EPC01";
    let mut request = PrepayRequest::new(
        protocol.trans_no.clone(),
        no,
        Money::from_fen(30_000),
        receiver.url("/notify/paid"),
        ProdCatalog::DebitOnly,
    );
    request.out_arrived_notify_url = Some(receiver.url("/notify/arrived"));
    let order = client.prepay(&request).await.unwrap();
    assert_eq!(order.pay_status, PayStatus::Unpaid);
    assert!(matches!(order.action(), Some(PaymentAction::Code { .. })));

    let closed = client.pos_close(&PosCloseRequest::new(no)).await.unwrap();
    assert!(closed.closed(), "{closed:?}");
    let queried = client.inquery(&InqueryRequest::new(no)).await.unwrap();
    assert_eq!(queried.pay_status, PayStatus::Failure);
    assert_eq!(queried.channel_return_code.as_deref(), Some("C001"));
    let again = client.pos_close(&PosCloseRequest::new(no)).await.unwrap();
    assert!(!again.closed(), "{again:?}");

    // Past the times it would have been paid and arrived.
    tokio::time::sleep(delay * 3).await;
    let queried = client.inquery(&InqueryRequest::new(no)).await.unwrap();
    assert_eq!(queried.pay_status, PayStatus::Failure);
    assert_ne!(queried.arrived_status, Some(ArrivedStatus::Arrived));
    let unified = Payments::query_payment(&client, no).await.unwrap();
    assert_eq!(unified.status, TxStatus::Failed);
    assert!(
        sandbox
            .notifications()
            .for_order(Provider::ProtocolPay, no)
            .is_empty()
    );
    assert!(receiver.hits().is_empty());
    assert!(outcomes.processed().is_empty());
    let found = client
        .find_protocol(&FindProtocolRequest::new(protocol.trans_no))
        .await
        .unwrap();
    assert_eq!(found.amount, Some(Money::ZERO));
    assert_eq!(found.onpassage_amount, Some(Money::ZERO));
    // An unknown pay-in cannot be closed.
    let err = client
        .pos_close(&PosCloseRequest::new("LFT1001E2EPC99"))
        .await
        .unwrap_err();
    assert!(format!("{err:?}").contains("EP20002"), "{err:?}");
}

/// Why a notification was refused, where the library says (a decoding refusal's reason).
fn refusal(e: &Error) -> String {
    match e {
        Error::Decode { source, .. } => source.to_string(),
        other => format!("not a decoding refusal: {other:?}"),
    }
}

/// A pay-in into a fresh POS protocol, notified at `/notify/paid` and `/notify/arrived`.
async fn pay_in(client: &Client, receiver: &Receiver, no: &str, fen: i64) -> String {
    let protocol = client
        .create_protocol(&CreateProtocolRequest::new(
            "购房定金",
            cred::BUSINESS_ID,
            CashierType::Pos,
        ))
        .await
        .unwrap();
    let mut request = PrepayRequest::new(
        protocol.trans_no.clone(),
        no,
        Money::from_fen(fen),
        receiver.url("/notify/paid"),
        ProdCatalog::DebitOnly,
    );
    request.out_arrived_notify_url = Some(receiver.url("/notify/arrived"));
    let order = client.prepay(&request).await.unwrap();
    assert_eq!(order.pay_status, PayStatus::Unpaid);
    protocol.trans_no
}

/// The sandbox resends §9 after §10 for an amount ending in 66 fen: at the pay-result endpoint
/// it is the paid event again (a duplicate, answered `SUCCESS`, never processed), not "funds
/// arrived" and not a second credit. Each declared kind refuses a notification of another
/// kind; the shared endpoint refuses the §10 (and the late §9, the same data) as ambiguous.
#[tokio::test]
async fn a_pay_result_resent_after_funds_arrived_is_the_paid_event_again() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, inboxes, outcomes) = kind_receiver(&client).await;
    let no = "LFT1001E2ELATE1";
    let trans_no = pay_in(&client, &receiver, no, 100_066).await;

    sandbox
        .notifications()
        .wait_acknowledged(Provider::ProtocolPay, no, Some("pay-in-resend"), DEADLINE)
        .await
        .unwrap();
    let hits = receiver.wait_hits(3).await;
    let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
    assert_eq!(paths, ["/notify/paid", "/notify/arrived", "/notify/paid"]);
    assert!(hits.iter().all(|h| h.status == 200 && h.reply == "SUCCESS"));

    // Processed: paid once, arrived once. The late §9 is a duplicate of the paid event.
    let processed = outcomes.processed();
    let keys: Vec<String> = processed.iter().map(|n| n.replay_key()).collect();
    assert_eq!(
        keys,
        [
            format!("protocol-pay:payment:succeeded:{no}"),
            format!("protocol-pay:funds_arrived:succeeded:{no}"),
        ]
    );
    assert_eq!(
        outcomes.duplicates(),
        [format!("protocol-pay:payment:succeeded:{no}")]
    );
    assert_eq!(outcomes.rejected_count(), 0);
    let credited: Vec<Money> = processed
        .iter()
        .filter_map(|n| n.transition())
        .filter(|t| t.kind == FlowKind::Payment && t.status == TxStatus::Succeeded)
        .filter_map(|t| t.amount)
        .collect();
    assert_eq!(credited, [Money::from_fen(100_066)]);

    // The late §9 read at its endpoint: a pay result (kind payment), though its arrivedStatus
    // is 02 like the §10's.
    let late = &hits[2].notification;
    let read = client
        .verify_notification_as(late, NotificationKind::PayResult)
        .unwrap();
    assert_eq!(read.kind, NotificationKind::PayResult);
    assert_eq!(
        read.pay_in().unwrap().arrived_status,
        Some(ArrivedStatus::Arrived)
    );
    let t = read.transition().unwrap();
    assert_eq!(t.kind, FlowKind::Payment);
    assert_eq!(t.code, "SUCCESS");
    assert_eq!(
        t.dedup_key(),
        format!("protocol-pay:payment:succeeded:{no}")
    );
    // Replayed into the pay-result inbox: the same duplicate again.
    assert!(matches!(
        inboxes.paid.accept(late).await,
        Ok(pay_core::Accepted::Duplicate { key }) if key == format!("protocol-pay:payment:succeeded:{no}")
    ));

    // Declared kinds refuse what contradicts them: the first §9 (arrivedStatus 01) at the
    // funds-arrived endpoint, a pay-in at the pay-out endpoint.
    let first = &hits[0].notification;
    let arrived = &hits[1].notification;
    for (inbox, n, why) in [
        (&inboxes.arrived, first, "arrivedStatus is 01"),
        (&inboxes.out, first, "pay-in field"),
        (&inboxes.out, arrived, "pay-in field"),
    ] {
        let err = inbox.accept(n).await.unwrap_err();
        assert!(
            matches!(&err, Error::Decode { .. }) && refusal(&err).contains(why),
            "{why}: {err:?}"
        );
    }
    // The shared endpoint: the §10 and the late §9 carry the same fields; refused as ambiguous.
    for n in [arrived, late] {
        let err = inboxes.shared.accept(n).await.unwrap_err();
        assert!(
            matches!(&err, Error::Decode { .. }) && refusal(&err).contains("ambiguous"),
            "{err:?}"
        );
    }
    assert_eq!(outcomes.processed().len(), 2);

    // The money arrived once.
    let found = client
        .find_protocol(&FindProtocolRequest::new(trans_no))
        .await
        .unwrap();
    assert_eq!(found.amount, Some(Money::from_fen(100_066)));
}

/// The sandbox sends a §11 without `outType` or the bank account for an amount ending in 66
/// fen: at the pay-out endpoint (declared kind) it is the pay-out, paid; at a shared endpoint
/// nothing tells it from a pay-in, so it is refused as ambiguous every time it is sent (never
/// recorded as money received), and the query settles the order.
#[tokio::test]
async fn a_bare_pay_out_notification_is_read_at_its_endpoint_and_refused_at_a_shared_one() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, inboxes, outcomes) = kind_receiver(&client).await;
    let trans_no = funded_protocol(&sandbox, &client, &receiver, 80_000).await;
    let no = "LFT1001E2EBARE1";
    client
        .outpay(&outpay_request(
            &trans_no,
            no,
            10_066,
            &receiver.url("/notify/out"),
        ))
        .await
        .unwrap();
    let processed = outcomes.wait_processed(2).await;
    let bare = &processed[1];
    assert_eq!(bare.kind, NotificationKind::PayoutArrived);
    let order = pay_out_of(bare);
    assert_eq!(order.out_req_no, no);
    assert_eq!(order.out_type, None);
    assert_eq!(order.bank_cnaps, None);
    assert_eq!(order.bank_acc_num, None);
    assert_eq!(order.amount, Some(Money::from_fen(10_066)));
    let t = bare.transition().unwrap();
    assert_eq!(t.kind, FlowKind::Payout);
    assert_eq!(t.status, TxStatus::Succeeded);
    assert!(t.is_final);
    assert_eq!(t.dedup_key(), format!("protocol-pay:payout:succeeded:{no}"));
    client
        .expect_payout(no, Money::from_fen(10_066))
        .check(&t)
        .unwrap();
    // The same bytes at a shared endpoint: no field says pay-out or pay-in, refused.
    let genuine = receiver
        .hits()
        .into_iter()
        .find(|h| h.path == "/notify/out")
        .unwrap()
        .notification;
    let err = inboxes.shared.accept(&genuine).await.unwrap_err();
    assert!(
        matches!(&err, Error::Decode { .. }) && refusal(&err).contains("ambiguous"),
        "{err:?}"
    );

    // The same kind of pay-out notified to a shared endpoint: refused on every attempt.
    let shared_no = "LFT1001E2EBARE2";
    client
        .outpay(&outpay_request(
            &trans_no,
            shared_no,
            20_066,
            &receiver.url("/notify/shared"),
        ))
        .await
        .unwrap();
    let attempts = eventually("all six attempts to be refused", || async {
        let a = sandbox
            .notifications()
            .for_order(Provider::ProtocolPay, shared_no);
        (a.len() == 6 && a.iter().all(|x| x.status.is_some())).then_some(a)
    })
    .await;
    assert!(
        attempts
            .iter()
            .all(|a| a.status == Some(400) && !a.acknowledged),
        "{attempts:?}"
    );
    assert_eq!(outcomes.processed().len(), 2);
    outcomes.with_rejected(|r| {
        assert_eq!(r.len(), 6, "{r:?}");
        assert!(
            r.iter()
                .all(|e| matches!(e, Error::Decode { .. }) && refusal(e).contains("ambiguous")),
            "{r:?}"
        );
    });
    let settled = Payouts::query_payout(&client, shared_no).await.unwrap();
    assert_eq!(settled.kind, FlowKind::Payout);
    assert_eq!(settled.status, TxStatus::Succeeded);
    assert_eq!(settled.amount, Some(Money::from_fen(20_066)));
}

/// The order check: a verified notification that disagrees with the merchant's order (amount,
/// order id, app id) is refused with `Error::Mismatch` naming the field, never substituted.
#[tokio::test]
async fn a_notification_checked_against_the_wrong_order_is_a_mismatch() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = client(&sandbox, Duration::from_secs(5));
    let (receiver, _inboxes, outcomes) = kind_receiver(&client).await;
    let no = "LFT1001E2EMISM1";
    pay_in(&client, &receiver, no, 30_000).await;
    let processed = outcomes.wait_processed(2).await;
    let paid = processed[0].transition().unwrap();
    assert_eq!(paid.kind, FlowKind::Payment);
    client
        .expect_payment(no, Money::from_fen(30_000))
        .check(&paid)
        .unwrap();

    let err = client
        .expect_payment(no, Money::from_fen(3_000))
        .check(&paid)
        .unwrap_err();
    let Error::Mismatch {
        field,
        expected,
        got,
        order_id,
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(field, "amount");
    assert_eq!(&*expected, "30.00");
    assert_eq!(got.as_deref(), Some("300.00"));
    assert_eq!(order_id.as_deref(), Some(no));

    let err = client
        .expect_payment("LFT1001E2EOTHER", Money::from_fen(30_000))
        .check(&paid)
        .unwrap_err();
    assert!(
        matches!(&err, Error::Mismatch { field: "order_id", got: Some(g), .. } if &**g == no),
        "{err:?}"
    );
    let other_app = pay_core::ExpectedOrder::new(no)
        .amount(Money::from_fen(30_000))
        .party("appId", "LFT9999");
    assert!(
        matches!(
            other_app.check(&paid),
            Err(Error::Mismatch { field: "appId", got: Some(g), .. }) if &*g == cred::APP_ID
        ),
        "{paid:?}"
    );
    // The funds-arrived event is checked the same way.
    let arrived = processed[1].transition().unwrap();
    assert_eq!(arrived.kind, FlowKind::FundsArrived);
    assert!(matches!(
        client
            .expect_payment(no, Money::from_fen(30_001))
            .check(&arrived),
        Err(Error::Mismatch {
            field: "amount",
            ..
        })
    ));
}

/// A reused `outReqNo` on a money-moving call: the sandbox answers `EP10004`, which the
/// client reads as a duplicate order to query (not retry-safe), never a plain refusal.
#[tokio::test]
async fn a_reused_out_req_no_is_a_duplicate_order_to_query() {
    let sandbox = sandbox(Provider::ProtocolPay).await;
    let client = Client::new(config(&sandbox, Duration::from_secs(5))).unwrap();
    let (receiver, _inboxes, _outcomes) = kind_receiver(&client).await;
    let trans_no = funded_protocol(&sandbox, &client, &receiver, 80_000).await;
    let no = "LFT1001E2E0901";
    client
        .outpay(&outpay_request(
            &trans_no,
            no,
            10_000,
            &receiver.url("/notify/out"),
        ))
        .await
        .unwrap();
    let err = client
        .outpay(&outpay_request(
            &trans_no,
            no,
            20_000,
            &receiver.url("/notify/out"),
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Provider(p) if p.code == "EP10004" && p.kind == ProviderErrorKind::DuplicateOrder),
        "{err:?}"
    );
    assert!(err.needs_query());
    assert!(!err.is_retry_safe());
    assert_eq!(err.order_id(), Some(no));
}

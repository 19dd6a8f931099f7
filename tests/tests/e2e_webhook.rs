//! End-to-end: the `webhook_axum` example's service (its router, run in-process) receives the
//! notifications of all four simulators, prints one event per business event, answers every
//! resend with the provider's success reply without processing it again, and refuses what
//! fails verification.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../../crates/cnpay/examples/support/webhook_service.rs"]
#[allow(dead_code)] // `Providers::from_env` and `names` serve the example's `main`.
mod webhook_service;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use cnpay::huifu::codes::{CashType, DcFlag, FeeObj, RespCode};
use cnpay::huifu::merchant::{BindBankCardRequest, PersonOpeningRequest};
use cnpay::huifu::trade::WithdrawalRequest;
use cnpay::protocol_pay::{CashierType, CreateProtocolRequest, PrepayRequest, ProdCatalog};
use cnpay::{
    Money, Payee, PayeeAccount, PaymentRequest, Payments, PayoutRequest, Payouts, aggregate_pay,
    huifu, protocol_pay, yunzhanghu,
};
use pay_core::Extra;
use pay_sandbox::credentials as cred;
use pay_sandbox::{NotificationRecord, Provider, Sandbox, SandboxOptions, TrafficLog};
use serde_json::{Value, json};
use webhook_service::{EventSink, Providers, router};

const DEADLINE: Duration = Duration::from_secs(10);

/// The service on `listener`, every provider on `sandbox_urls`' simulators, its inbox a SQLite
/// file at `inbox_path`.
async fn start_service(
    sandbox_urls: &Sandbox,
    listener: tokio::net::TcpListener,
    inbox_path: &std::path::Path,
    sink: EventSink,
) {
    let timeout = Duration::from_secs(5);
    let providers = Providers {
        aggregate_pay: Some(
            aggregate_pay::Client::new(
                aggregate_pay::Config::builder(
                    cred::aggregate::MCH_ID,
                    cred::aggregate::APP_ID,
                    cred::aggregate::REQUEST_KEY,
                    cred::aggregate::RESPONSE_KEY,
                )
                .base_url(sandbox_urls.aggregate_pay_url())
                .timeout(timeout)
                .build()
                .unwrap(),
            )
            .unwrap(),
        ),
        protocol_pay: Some(protocol_client(sandbox_urls)),
        huifu: Some(huifu_client(sandbox_urls)),
        yunzhanghu: Some(yunzhanghu_client(sandbox_urls)),
    };
    let guard = cnpay::core::replay_store::open(&format!("sqlite://{}", inbox_path.display()))
        .await
        .unwrap();
    let app = router(providers, guard, sink);
    tokio::spawn(async move { axum::serve(listener, app).await });
}

/// A sink keeping what the service printed.
fn printed() -> (Arc<Mutex<Vec<Value>>>, EventSink) {
    let printed: Arc<Mutex<Vec<Value>>> = Arc::default();
    let lines = Arc::clone(&printed);
    let sink: EventSink = Arc::new(move |event| {
        lines.lock().unwrap().push(event);
        Ok(())
    });
    (printed, sink)
}

/// A file name for this test's inbox.
fn inbox_path(base: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!(
        "cnpay-e2e-webhook-{}-{}.db",
        std::process::id(),
        base.rsplit(':').next().unwrap()
    ))
}

fn protocol_client(sandbox: &Sandbox) -> protocol_pay::Client {
    protocol_pay::Client::new(
        protocol_pay::Config::builder(cred::protocol::APP_ID, cred::protocol::KEY)
            .base_url(sandbox.protocol_pay_url())
            .build()
            .unwrap(),
    )
    .unwrap()
}

fn huifu_client(sandbox: &Sandbox) -> huifu::Client {
    huifu::Client::new(
        huifu::Config::builder(
            cred::huifu::MER_CUST_ID,
            cred::huifu::CLIENT_ID,
            cred::huifu::CLIENT_SECRET,
        )
        .base_url(sandbox.huifu_url())
        // The callbacks go to this test's loopback receiver.
        .allow_private_callback_urls()
        .build()
        .unwrap(),
    )
    .unwrap()
}

fn yunzhanghu_client(sandbox: &Sandbox) -> yunzhanghu::Client {
    yunzhanghu::Client::new(
        yunzhanghu::Config::builder(
            cred::yunzhanghu::DEALER_ID,
            cred::yunzhanghu::BROKER_ID,
            cred::yunzhanghu::APP_KEY,
            cred::yunzhanghu::DES3_KEY,
        )
        .base_url(sandbox.yunzhanghu_url())
        .build()
        .unwrap(),
    )
    .unwrap()
}

async fn acknowledged(sandbox: &Sandbox, p: Provider, order: &str, kind: Option<&str>) {
    sandbox
        .notifications()
        .wait_acknowledged(p, order, kind, DEADLINE)
        .await
        .unwrap_or_else(|| {
            panic!(
                "no acknowledged notification about {order}: {:#?}",
                sandbox.notifications().all()
            )
        });
}

/// The aggregate gateway: a pay order of 12.34 yuan, paid by the simulator.
async fn aggregate_payment(sandbox: &Sandbox, base: &str, no: &str) {
    let client = aggregate_pay::Client::new(
        aggregate_pay::Config::builder(
            cred::aggregate::MCH_ID,
            cred::aggregate::APP_ID,
            cred::aggregate::REQUEST_KEY,
            cred::aggregate::RESPONSE_KEY,
        )
        .base_url(sandbox.aggregate_pay_url())
        .build()
        .unwrap(),
    )
    .unwrap();
    let request = PaymentRequest {
        order_id: no.into(),
        amount: Money::from_fen(1234),
        subject: "测试商品".into(),
        notify_url: format!("{base}/notify/aggregate-pay"),
        return_url: None,
        client_ip: Some("127.0.0.1".into()),
        method: Some("8002".into()),
        extra: Extra::new(),
    };
    Payments::create_payment(&client, &request).await.unwrap();
    acknowledged(sandbox, Provider::AggregatePay, no, Some("pay")).await;
}

/// Protocol pay: a POS pay-in of 1000.66 yuan; for an amount ending in 66 fen the simulator
/// resends the pay result (§9) after the funds-arrived notice (§10).
async fn protocol_pay_in(sandbox: &Sandbox, base: &str, no: &str) {
    let client = protocol_client(sandbox);
    let protocol = client
        .create_protocol(&CreateProtocolRequest::new(
            "购房定金",
            cred::protocol::BUSINESS_ID,
            CashierType::Pos,
        ))
        .await
        .unwrap();
    let mut request = PrepayRequest::new(
        protocol.trans_no,
        no,
        Money::from_fen(100_066),
        format!("{base}/notify/protocol-pay/pay-result"),
        ProdCatalog::DebitOnly,
    );
    request.out_arrived_notify_url = Some(format!("{base}/notify/protocol-pay/funds-arrived"));
    client.prepay(&request).await.unwrap();
    acknowledged(sandbox, Provider::ProtocolPay, no, Some("pay-in-resend")).await;
}

/// Huifu: an account opening (its callback acknowledged, no money moved) and a card binding,
/// then a withdrawal of 100.00 yuan.
async fn huifu_withdrawal(sandbox: &Sandbox, base: &str, ids: [&str; 3]) {
    let client = huifu_client(sandbox);
    let today = client.today();
    let bg_ret_url = format!("{base}/notify/huifu");
    let opened = client
        .person_opening(&PersonOpeningRequest {
            order_id: ids[0].into(),
            order_date: today.clone(),
            user_name: "张三".into(),
            cert_id: "11010519491231002X".into(),
            user_mobile: "13812345678".into(),
            vali_date: "20390420".into(),
            cust_prov: None,
            cust_area: None,
            cust_address: None,
            occupation: None,
            user_email: None,
            bg_ret_url: bg_ret_url.clone(),
            mer_priv: None,
            extra: Default::default(),
        })
        .await
        .unwrap();
    assert_eq!(opened.resp_code, Some(RespCode::Success));
    let user = opened.user_cust_id.unwrap();
    acknowledged(sandbox, Provider::Huifu, ids[0], None).await;
    let bound = client
        .bind_bank_card(&BindBankCardRequest {
            user_cust_id: user.clone(),
            order_id: ids[1].into(),
            order_date: today.clone(),
            bank_id: "03080000".into(),
            card_no: "6225880137705555".into(),
            dc_flag: DcFlag::Debit,
            card_prov: "0011".into(),
            card_area: "1100".into(),
            card_mobile: "13812345678".into(),
            bg_ret_url: bg_ret_url.clone(),
            mer_priv: None,
            extra: Default::default(),
        })
        .await
        .unwrap();
    // The binding's callback (a card binding: acknowledged, no money) is answered before the
    // withdrawal, so that the events print in this order.
    sandbox
        .notifications()
        .wait_acknowledged(Provider::Huifu, ids[1], None, DEADLINE)
        .await
        .expect("the binding callback is answered");
    let card_id = bound.card_id.unwrap().expose().to_owned();
    client
        .withdrawal(&WithdrawalRequest {
            user_cust_id: user,
            order_id: ids[2].into(),
            order_date: today,
            trans_amt: Money::from_fen(10_000),
            cash_bind_card_id: card_id,
            cash_type: CashType::T1,
            fee_obj: Some(FeeObj::User),
            fee_acct_id: None,
            sms_code: None,
            ret_url: None,
            bg_ret_url,
            mer_priv: None,
            extra: Default::default(),
        })
        .await
        .unwrap();
    acknowledged(sandbox, Provider::Huifu, ids[2], None).await;
}

/// Yunzhanghu: a bank-card payout of 195.00 yuan; the callback goes to the dealer's configured
/// notify URL (the service's).
async fn yunzhanghu_payout(sandbox: &Sandbox, no: &str) {
    let client = yunzhanghu_client(sandbox);
    let request = PayoutRequest {
        order_id: no.into(),
        amount: Money::from_fen(19_500),
        payee: Payee {
            name: "张三".into(),
            account: PayeeAccount::BankCard {
                card_no: "6228880199872220".into(),
                bank_name: None,
                bank_code: None,
                corporate: false,
            },
            id_number: Some("11010519491231002X".into()),
            phone: Some("13812345678".into()),
        },
        remark: Some("一月劳务费".into()),
        notify_url: None,
        extra: Extra::new(),
    };
    Payouts::create_payout(&client, &request).await.unwrap();
    acknowledged(sandbox, Provider::Yunzhanghu, no, None).await;
}

/// Sends `record` again, byte for byte (method, URL, body, content type).
async fn resend(http: &reqwest::Client, record: &NotificationRecord) -> (u16, String) {
    let content_type = match record.provider {
        Provider::ProtocolPay => "application/json;charset=UTF-8",
        _ => "application/x-www-form-urlencoded",
    };
    let method = reqwest::Method::from_bytes(record.method.as_bytes()).unwrap();
    let response = http
        .request(method, &record.url)
        .header("content-type", content_type)
        .body(record.body.clone())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// A processed event as the service prints it; `is_final` is false where the provider may still
/// report a later transition (an aggregate payment can be completed, a Yunzhanghu payout
/// returned).
fn event(provider: &str, kind: &str, order: &str, fen: i64, is_final: bool) -> Value {
    json!({
        "provider": provider,
        "transition": {
            "kind": kind,
            "order_id": order,
            "amount_fen": fen,
            "status": "succeeded",
            "final": is_final,
            "dedup_key": format!("{provider}:{kind}:succeeded:{order}"),
        },
    })
}

#[tokio::test]
async fn the_example_service_processes_each_event_once_and_answers_every_resend() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let traffic: Arc<Mutex<Vec<String>>> = Arc::default();
    let lines = Arc::clone(&traffic);
    let sandbox = Sandbox::start_with(
        SandboxOptions::default()
            .with_status_delay(Duration::from_millis(40))
            .with_time_compression(10_000)
            .with_yunzhanghu_notify_url(format!("{base}/notify/yunzhanghu"))
            .with_traffic_log(TrafficLog::new(move |line| {
                lines.lock().unwrap().push(line.to_owned());
            })),
    )
    .await
    .unwrap();
    let inbox_path = inbox_path(&base);
    let (printed, sink) = printed();
    start_service(&sandbox, listener, &inbox_path, sink).await;

    aggregate_payment(&sandbox, &base, "P20240101WEBHOOK1").await;
    protocol_pay_in(&sandbox, &base, "LFT1001WEBHOOK1").await;
    let today = huifu_client(&sandbox).today();
    let huifu_ids = [0, 1, 2].map(|i| format!("{today}WH{i}"));
    huifu_withdrawal(&sandbox, &base, huifu_ids.each_ref().map(String::as_str)).await;
    yunzhanghu_payout(&sandbox, "YZHWEBHOOK1").await;

    let expected = vec![
        event("aggregate-pay", "payment", "P20240101WEBHOOK1", 1234, false),
        event("protocol-pay", "payment", "LFT1001WEBHOOK1", 100_066, true),
        event(
            "protocol-pay",
            "funds_arrived",
            "LFT1001WEBHOOK1",
            100_066,
            true,
        ),
        // the opening, then the card binding: no money moves
        json!({"provider": "huifu", "transition": null}),
        json!({"provider": "huifu", "transition": null}),
        {
            // A Huifu order is its id and its order_date: the dedup key carries both.
            let mut e = event("huifu", "payout", &huifu_ids[2], 10_000, true);
            e["transition"]["dedup_key"] =
                json!(format!("huifu:payout:succeeded:{today}:{}", huifu_ids[2]));
            e
        },
        event("yunzhanghu", "payout", "YZHWEBHOOK1", 19_500, false),
    ];
    assert_eq!(*printed.lock().unwrap(), expected);

    // Every notification the simulators sent was acknowledged with the provider's reply; the
    // protocol pay §9 resent after §10 among them, answered but not processed.
    let sent: Vec<NotificationRecord> = sandbox.notifications().all();
    let replies: Vec<(Provider, u16, &str)> = sent
        .iter()
        .map(|r| (r.provider, r.status.unwrap(), r.response.as_str()))
        .collect();
    assert_eq!(
        replies,
        [
            (Provider::AggregatePay, 200, "success"),
            (Provider::ProtocolPay, 200, "SUCCESS"),
            (Provider::ProtocolPay, 200, "SUCCESS"),
            (Provider::ProtocolPay, 200, "SUCCESS"),
            // the opening, the card binding, the withdrawal
            (Provider::Huifu, 200, "SUCCESS"),
            (Provider::Huifu, 200, "SUCCESS"),
            (Provider::Huifu, 200, "SUCCESS"),
            (Provider::Yunzhanghu, 200, "success"),
        ]
    );

    // The simulators' traffic log: one line per callback (URL, status, reply), one per request.
    let logged = traffic.lock().unwrap().clone();
    let callbacks: Vec<&String> = logged.iter().filter(|l| l.contains(" -> ")).collect();
    assert_eq!(callbacks.len(), sent.len(), "{logged:#?}");
    assert_eq!(
        *callbacks[callbacks.len() - 1],
        format!(
            "pay-sandbox yunzhanghu -> POST {base}/notify/yunzhanghu (order YZHWEBHOOK1, order, \
             attempt 1): 200 \"success\", acknowledged"
        )
    );
    let payout_request = logged
        .iter()
        .find(|l| l.contains("yunzhanghu <- POST /api/payment/v1/order-realtime"))
        .unwrap_or_else(|| panic!("{logged:#?}"));
    assert!(
        payout_request.starts_with(
            "pay-sandbox yunzhanghu <- POST /api/payment/v1/order-realtime: 200 \"{\\\"code\\\":\\\"0000\\\""
        ),
        "{payout_request}"
    );

    // Each sent again, byte for byte: the same reply, nothing processed again.
    let http = reqwest::Client::new();
    for record in &sent {
        let (status, reply) = resend(&http, record).await;
        assert_eq!((status, reply.as_str()), (200, record.response.as_str()));
    }
    assert_eq!(*printed.lock().unwrap(), expected);

    // A forged notification (the amount changed after signing) and unsigned ones: refused
    // with an error status, never the success reply, never processed.
    let paid = &sent[0];
    let mut forged = paid.clone();
    forged.url = paid.url.replace("amount=1234", "amount=9234");
    forged.body = paid.body.replace("amount=1234", "amount=9234");
    assert_ne!((&forged.url, &forged.body), (&paid.url, &paid.body));
    assert_eq!(resend(&http, &forged).await, (400, "refused".to_owned()));
    for path in [
        "aggregate-pay",
        "protocol-pay/pay-result",
        "protocol-pay/funds-arrived",
        "protocol-pay/payout",
        "huifu",
        "yunzhanghu",
    ] {
        let response = http
            .post(format!("{base}/notify/{path}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body("order_id=X1&amount=100&status=SUCCESS")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 400, "{path}");
        assert_eq!(response.text().await.unwrap(), "refused", "{path}");
    }
    assert_eq!(*printed.lock().unwrap(), expected);
    sandbox.shutdown().await;
    let _ = std::fs::remove_file(&inbox_path);
}

/// An event the service fails to process (its output cannot be written) is given back: the
/// provider gets an error status, sends it again on its schedule, and the resend is processed.
#[tokio::test]
async fn an_event_that_fails_to_process_is_processed_at_the_resend() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sandbox = Sandbox::start_with(
        SandboxOptions::default()
            .with_status_delay(Duration::from_millis(40))
            .with_time_compression(10_000),
    )
    .await
    .unwrap();
    let inbox_path = inbox_path(&base);
    let printed: Arc<Mutex<Vec<Value>>> = Arc::default();
    let lines = Arc::clone(&printed);
    let failures = Arc::new(Mutex::new(1));
    let sink: EventSink = Arc::new(move |event| {
        let mut left = failures.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            return Err(std::io::Error::other("standard output closed"));
        }
        lines.lock().unwrap().push(event);
        Ok(())
    });
    start_service(&sandbox, listener, &inbox_path, sink).await;

    aggregate_payment(&sandbox, &base, "P20240101WEBHOOK2").await;
    let attempts: Vec<(u32, Option<u16>, String, bool)> = sandbox
        .notifications()
        .for_order(Provider::AggregatePay, "P20240101WEBHOOK2")
        .into_iter()
        .map(|r| (r.attempt, r.status, r.response, r.acknowledged))
        .collect();
    assert_eq!(
        attempts,
        [
            (1, Some(500), "not processed".to_owned(), false),
            (2, Some(200), "success".to_owned(), true),
        ]
    );
    assert_eq!(
        *printed.lock().unwrap(),
        [event(
            "aggregate-pay",
            "payment",
            "P20240101WEBHOOK2",
            1234,
            false
        )]
    );
    sandbox.shutdown().await;
    let _ = std::fs::remove_file(&inbox_path);
}

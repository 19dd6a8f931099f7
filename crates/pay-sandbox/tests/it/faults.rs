//! The `Timeout`, `Hang`, `SlowResponse` and `Delay` faults, on Huifu's balance pay (a
//! mutation whose effect is visible in two balances).

use std::time::{Duration, Instant};

use pay_sandbox::credentials::huifu as cred;
use pay_sandbox::{Fault, Provider, Sandbox};
use serde_json::Value;

use crate::huifu_flows::{balance, call, open_user};
use crate::sandbox;

const ROUTE: &str = "/api/hfpay/v1/trade/balance_pay";

struct Setup {
    sb: Sandbox,
    base: String,
    a: String,
    b: String,
}

async fn setup() -> Setup {
    let sb = sandbox(Provider::Huifu).await;
    let base = sb.huifu_url();
    let a = open_user(&base, "U1").await;
    let b = open_user(&base, "U2").await;
    Setup { sb, base, a, b }
}

impl Setup {
    fn form<'a>(&'a self, order_id: &'a str) -> [(&'a str, &'a str); 6] {
        [
            ("mer_cust_id", cred::MER_CUST_ID),
            ("out_cust_id", self.a.as_str()),
            ("in_cust_id", self.b.as_str()),
            ("order_id", order_id),
            ("order_date", "20240102"),
            ("trans_amt", "100.00"),
        ]
    }

    /// A balance pay with a client-side time limit.
    fn send(
        &self,
        order_id: &str,
        limit: Duration,
    ) -> impl Future<Output = Result<reqwest::Response, reqwest::Error>> + 'static {
        let request = reqwest::Client::builder()
            .timeout(limit)
            .build()
            .unwrap()
            .post(format!("{}{ROUTE}", self.base))
            .query(&[
                ("client_id", cred::CLIENT_ID),
                ("client_secret", cred::CLIENT_SECRET),
            ])
            .form(&self.form(order_id));
        request.send()
    }

    async fn balances(&self) -> (String, String) {
        (
            balance(&self.base, &self.a).await,
            balance(&self.base, &self.b).await,
        )
    }

    fn count(&self, order_id: &str) -> usize {
        self.sb.requests().count(Provider::Huifu, ROUTE, order_id)
    }
}

fn moved_once() -> (String, String) {
    ("9900.00".to_owned(), "10100.00".to_owned())
}

fn untouched() -> (String, String) {
    ("10000.00".to_owned(), "10000.00".to_owned())
}

#[tokio::test]
async fn timeout_carries_out_the_request_and_never_answers() {
    let s = setup().await;
    s.sb.faults()
        .set_times(Provider::Huifu, ROUTE, Fault::Timeout, 1);
    let err = s
        .send("T1", Duration::from_millis(300))
        .await
        .expect_err("no answer may come");
    assert!(err.is_timeout(), "{err}");
    // carried out: the order is final and the money moved
    let o = s.sb.order(Provider::Huifu, "T1").unwrap();
    assert_eq!((o.status.as_str(), o.finished), ("S", true));
    assert_eq!(s.balances().await, moved_once());
    assert_eq!(s.count("T1"), 1);
    // the fault is used up: a resend is answered, as a duplicate, and moves nothing
    let r = call(&s.base, ROUTE, &s.form("T1")).await;
    assert_eq!(r["resp_code"], "C10003");
    assert_eq!(s.balances().await, moved_once());
    assert_eq!(s.count("T1"), 2);
    s.sb.shutdown().await;
}

#[tokio::test]
async fn hang_never_answers_and_does_nothing() {
    let s = setup().await;
    s.sb.faults()
        .set_times(Provider::Huifu, ROUTE, Fault::Hang, 1);
    let err = s
        .send("H1", Duration::from_millis(300))
        .await
        .expect_err("no answer may come");
    assert!(err.is_timeout(), "{err}");
    // not handled: no order, no money moved, not even logged as received by the handler
    assert_eq!(s.sb.order(Provider::Huifu, "H1"), None);
    assert_eq!(s.balances().await, untouched());
    assert_eq!(s.count("H1"), 0);
    // the resend is the first the payment service sees
    let r = call(&s.base, ROUTE, &s.form("H1")).await;
    assert_eq!(r["resp_code"], "C00000");
    assert_eq!(s.balances().await, moved_once());
    assert_eq!(s.count("H1"), 1);
    s.sb.shutdown().await;
}

#[tokio::test]
async fn slow_response_is_carried_out_first_and_answered_late() {
    let s = setup().await;
    s.sb.faults().set_times(
        Provider::Huifu,
        ROUTE,
        Fault::SlowResponse(Duration::from_millis(600)),
        1,
    );
    let started = Instant::now();
    let pending = tokio::spawn(s.send("S1", Duration::from_secs(5)));
    // the order exists while the answer is still on its way
    let mut seen = None;
    for _ in 0..100 {
        if let Some(o) = s.sb.order(Provider::Huifu, "S1") {
            seen = Some((o, pending.is_finished()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let (o, answered) = seen.expect("the order was never created");
    assert_eq!(o.status, "S");
    assert!(!answered, "the answer came before the order was visible");
    let resp = pending.await.unwrap().unwrap();
    assert!(started.elapsed() >= Duration::from_millis(600));
    assert_eq!(resp.status(), 200);
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["resp_code"], "C00000");
    assert_eq!(body["order_id"], "S1");
    assert_eq!(s.balances().await, moved_once());

    // later than the client waits: a timeout for the client, done for the provider
    s.sb.faults().set_times(
        Provider::Huifu,
        ROUTE,
        Fault::SlowResponse(Duration::from_millis(800)),
        1,
    );
    let err = s
        .send("S2", Duration::from_millis(300))
        .await
        .expect_err("the answer comes too late");
    assert!(err.is_timeout(), "{err}");
    assert_eq!(s.sb.order(Provider::Huifu, "S2").unwrap().status, "S");
    assert_eq!(
        s.balances().await,
        ("9800.00".to_owned(), "10200.00".to_owned())
    );
    s.sb.shutdown().await;
}

#[tokio::test]
async fn delay_waits_before_handling() {
    let s = setup().await;
    s.sb.faults().set_times(
        Provider::Huifu,
        ROUTE,
        Fault::Delay(Duration::from_millis(400)),
        1,
    );
    let started = Instant::now();
    let pending = tokio::spawn(s.send("D1", Duration::from_secs(5)));
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(s.sb.order(Provider::Huifu, "D1"), None);
    assert_eq!(s.balances().await, untouched());
    let resp = pending.await.unwrap().unwrap();
    assert!(started.elapsed() >= Duration::from_millis(400));
    let body: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
    assert_eq!(body["resp_code"], "C00000");
    assert_eq!(s.balances().await, moved_once());
    s.sb.shutdown().await;
}

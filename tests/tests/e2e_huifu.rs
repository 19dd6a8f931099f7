//! End-to-end: the `huifu` client against the sandbox's hfpay gateway, with a local callback
//! receiver: personal opening → callback; card binding; quick pay (SMS + confirmation) →
//! callback decoded and confirmed → query; withdrawal → callback → query; balances through a
//! refund and a guarantee cycle (balance pay, refunds, `order_affirm`, `order_reverse`, `fz`);
//! and the fault cases (timeout after send, lost, tampered and replayed callbacks, a failed
//! withdrawal).
//!
//! Huifu's callbacks are not signed (`check_value` is base64). The receiver here runs every
//! callback through a `NotificationInbox` over the client's own verifier, which confirms it
//! through the gateway (`unsgin`, then `order_query` for a trade or `balance_query` for an
//! opening) and deduplicates by business event; `verify_callback_confirms_a_sandbox_callback`
//! runs the crate's trade handler directly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use e2e_common::{DEADLINE, Outcomes, Receiver, Reply, SHORT_TIMEOUT, eventually, sandbox};
use huifu::codes::{
    BalanceTransType, CashType, DcFlag, FeeObj, PayType, QueryTransType, RespCode, TransStat,
};
use huifu::merchant::{BalanceQueryRequest, BindBankCardRequest, PersonOpeningRequest};
use huifu::trade::{
    AppPayRequest, BalancePayRequest, FzRequest, GuaranteeRequest, OrderQueryRequest,
    RefundRequest, SendQuickPaySmsCodeRequest, WithdrawalRequest,
};
use huifu::{
    Client, Config, ConfirmedCallback, DivDetail, HfResponse, OAuthTokenProvider, PrismSecretAuth,
};
use pay_core::transport::{HttpRequest, HttpTransport as _, transport_fn};
use pay_core::{
    Error, Extra, InMemoryReplayGuard, IncomingNotification, Money, NotificationEvent,
    NotificationInbox, NotificationVerifier, Payee, PayeeAccount, PaymentAction, PaymentRequest,
    Payments, PayoutRequest, Payouts, ProviderErrorKind, SignatureErrorKind, Transition, TxStatus,
};
use pay_sandbox::credentials::huifu as cred;
use pay_sandbox::{Fault, NOTIFY_ROUTE, Provider, Sandbox};

const WITHDRAWAL: &str = "/api/hfpay/v1/trade/withdrawal";
const CARD: &str = "6225880137705555";

fn config_builder(sandbox: &Sandbox) -> huifu::ConfigBuilder {
    // The callbacks go to a receiver on loopback: a test environment opts in.
    Config::builder(cred::MER_CUST_ID, cred::CLIENT_ID, cred::CLIENT_SECRET)
        .base_url(sandbox.huifu_url())
        .allow_private_callback_urls()
}

fn config(sandbox: &Sandbox, timeout: Duration) -> Config {
    config_builder(sandbox).timeout(timeout).build().unwrap()
}

/// The client as a merchant configures it: the default authentication, which on the sandbox's
/// `http://` URL is the Prism request sign (`PrismSignAuth`), checked by the sandbox's own
/// implementation of it.
fn client(sandbox: &Sandbox, timeout: Duration) -> Client {
    let config = config(sandbox, timeout);
    assert!(sandbox.huifu_url().starts_with("http://"));
    Client::new(config).unwrap()
}

/// A callback the merchant's handler accepted.
#[derive(Debug, Clone)]
struct Handled {
    path: String,
    claimed: HfResponse,
    /// The `order_query` kind the claims were confirmed with (a trade).
    kind: Option<QueryTransType>,
    /// What the gateway answered when confirming (`order_query`, or `balance_query` for an
    /// opening).
    confirmed: Option<HfResponse>,
    /// The confirmed transition (a trade).
    transition: Option<Transition>,
}

/// The merchant's callback handler: the inbox verifies (the client confirms every callback
/// through the gateway) and claims it (replays of one business event are answered, not
/// processed); a trade's transition must name this merchant (its amount is checked against the
/// merchant's order by each test, which knows it).
async fn handle(
    _client: &Client,
    inbox: &NotificationInbox<Client>,
    outcomes: &Outcomes<Handled>,
    path: &str,
    n: &IncomingNotification,
) -> Reply {
    let refuse = |e: Error| {
        let text = e.to_string();
        outcomes.reject(e);
        (400, text)
    };
    // The quick pay's SMS request reports only that the code was sent: no payment, and nothing
    // `order_query` could confirm. Acknowledged, never acted on.
    if path == "/cb/sms" {
        return (200, "SUCCESS".into());
    }
    let claimed = match inbox.accept(n).await {
        Ok(pay_core::Accepted::New(c)) => c,
        Ok(pay_core::Accepted::Duplicate { key }) => {
            outcomes.duplicate(key);
            return (200, "SUCCESS".into());
        }
        Ok(pay_core::Accepted::InProgress { key }) => {
            return (503, format!("{key} is being processed"));
        }
        Err(e) => return refuse(e),
    };
    let transition = claimed.event.transition();
    let handled = match &claimed.event {
        ConfirmedCallback::Trade(e) => Handled {
            path: path.to_owned(),
            claimed: e.claimed.clone(),
            kind: Some(e.trans_type.clone()),
            confirmed: Some(e.confirmed.clone()),
            transition: transition.clone(),
        },
        ConfirmedCallback::Opening(o) => Handled {
            path: path.to_owned(),
            claimed: o.claimed.clone(),
            kind: None,
            confirmed: Some(o.confirmed.clone()),
            transition: None,
        },
        // A card binding or unbinding cannot be confirmed (the spec has no query of it): as
        // the client advises, acknowledged so that Huifu stops resending, never acted on.
        ConfirmedCallback::CardBinding(_) => {
            if let Err(e) = inbox.complete(&claimed).await {
                return (500, e.to_string());
            }
            let reply = inbox.success_reply();
            return (reply.status, reply.body.into_owned());
        }
        other => {
            let _ = inbox.release(&claimed).await;
            return refuse(Error::invalid_input("callback", format!("{other:?}")));
        }
    };
    // Every confirmed trade names this merchant (the query states mer_cust_id).
    if let Some(t) = &transition
        && let Err(e) = pay_core::ExpectedOrder::new(&t.order_id)
            .party("mer_cust_id", cred::MER_CUST_ID)
            .check(t)
    {
        let _ = inbox.release(&claimed).await;
        return refuse(e);
    }
    outcomes.process(handled);
    if let Err(e) = inbox.complete(&claimed).await {
        return (500, e.to_string());
    }
    let reply = inbox.success_reply();
    (reply.status, reply.body.into_owned())
}

struct Merchant {
    client: Client,
    receiver: Receiver,
    inbox: Arc<NotificationInbox<Client>>,
    outcomes: Arc<Outcomes<Handled>>,
}

async fn merchant(client: Client) -> Merchant {
    let inbox = Arc::new(NotificationInbox::new(
        client.clone(),
        Arc::new(InMemoryReplayGuard::new()),
    ));
    let outcomes: Arc<Outcomes<Handled>> = Arc::default();
    let (c, i, o) = (client.clone(), inbox.clone(), outcomes.clone());
    let receiver = Receiver::start(move |path, n| {
        let (c, i, o) = (c.clone(), i.clone(), o.clone());
        async move { handle(&c, &i, &o, &path, &n).await }
    })
    .await;
    Merchant {
        client,
        receiver,
        inbox,
        outcomes,
    }
}

impl Merchant {
    /// Opens a personal account; returns its `user_cust_id` once the opening callback was
    /// handled.
    async fn open_user(&self, order_id: &str) -> String {
        let before = self.outcomes.processed().len();
        let opened = self
            .client
            .person_opening(&PersonOpeningRequest {
                order_id: order_id.into(),
                order_date: self.client.today(),
                user_name: "张三".into(),
                cert_id: "11010519491231002X".into(),
                user_mobile: "13812345678".into(),
                vali_date: "20290420".into(),
                cust_prov: None,
                cust_area: None,
                cust_address: None,
                occupation: None,
                user_email: None,
                bg_ret_url: self.receiver.url("/cb/opening"),
                mer_priv: None,
                extra: Default::default(),
            })
            .await
            .unwrap();
        assert_eq!(opened.resp_code, Some(RespCode::Success));
        assert_eq!(opened.order_id.as_deref(), Some(order_id));
        let user = opened.user_cust_id.clone().unwrap();
        let handled = self.outcomes.wait_processed(before + 1).await;
        let cb = &handled[before];
        assert_eq!(cb.path, "/cb/opening");
        assert_eq!(cb.claimed.order_id.as_deref(), Some(order_id));
        assert_eq!(cb.claimed.user_cust_id.as_deref(), Some(user.as_str()));
        assert_eq!(cb.claimed.resp_code, Some(RespCode::Success));
        user
    }

    /// Binds the test card for withdrawals; returns the binding id.
    async fn bind_card(&self, user: &str, order_id: &str) -> String {
        let bound = self
            .client
            .bind_bank_card(&BindBankCardRequest {
                user_cust_id: user.into(),
                order_id: order_id.into(),
                order_date: self.client.today(),
                bank_id: "03080000".into(),
                card_no: CARD.into(),
                dc_flag: DcFlag::Debit,
                card_prov: "0011".into(),
                card_area: "1100".into(),
                card_mobile: "13812345678".into(),
                bg_ret_url: self.receiver.url("/cb/card"),
                mer_priv: None,
                extra: Default::default(),
            })
            .await
            .unwrap();
        assert_eq!(bound.resp_code, Some(RespCode::Success));
        bound.card_id.unwrap().expose().to_owned()
    }

    async fn balance(&self, user: &str) -> String {
        let b = self
            .client
            .balance_query(&BalanceQueryRequest {
                user_cust_id: user.into(),
                acct_id: None,
                extra: Default::default(),
            })
            .await
            .unwrap();
        b.avl_balance.unwrap().to_yuan()
    }

    /// `(avl_balance, frz_balance)` of a user, or of the merchant itself (whose frozen balance
    /// is what the platform holds for guarantee trades).
    async fn balances(&self, id: &str) -> (String, String) {
        let b = self
            .client
            .balance_query(&BalanceQueryRequest {
                user_cust_id: id.into(),
                acct_id: (id == cred::MER_CUST_ID).then(|| "MERCHANT".into()),
                extra: Default::default(),
            })
            .await
            .unwrap();
        let (avl, frz) = (b.avl_balance.unwrap(), b.frz_balance.unwrap());
        // acct_balance is their sum
        assert_eq!(b.acct_balance, avl.checked_add(frz), "{b:?}");
        (avl.to_yuan(), frz.to_yuan())
    }

    fn balance_pay(
        &self,
        order_id: &str,
        buyer: &str,
        seller: &str,
        fen: i64,
        kind: BalanceTransType,
    ) -> BalancePayRequest {
        BalancePayRequest {
            in_cust_id: seller.into(),
            out_cust_id: buyer.into(),
            trans_amt: Money::from_fen(fen),
            order_id: order_id.into(),
            order_date: self.client.today(),
            sms_code: None,
            trans_type: Some(kind),
            ret_url: None,
            bg_ret_url: self.receiver.url("/cb/trade"),
            mer_priv: None,
            extra: Default::default(),
        }
    }

    fn refund(&self, order_id: &str, original: &str, fen: i64) -> RefundRequest {
        RefundRequest {
            user_cust_id: None,
            order_date: self.client.today(),
            order_id: order_id.into(),
            trans_amt: Money::from_fen(fen),
            org_order_id: original.into(),
            org_order_date: self.client.today(),
            bg_ret_url: self.receiver.url("/cb/trade"),
            mer_priv: None,
            div_detail: None,
            extra: Default::default(),
        }
    }

    /// `order_affirm` / `order_reverse` parameters.
    fn guarantee(
        &self,
        order_id: &str,
        original: &str,
        fen: i64,
        seller: &str,
        buyer: &str,
    ) -> GuaranteeRequest {
        GuaranteeRequest {
            old_order_id: original.into(),
            old_order_date: self.client.today(),
            order_id: order_id.into(),
            order_date: self.client.today(),
            trans_amt: Money::from_fen(fen),
            in_cust_id: seller.into(),
            out_cust_id: buyer.into(),
            bg_ret_url: Some(self.receiver.url("/cb/trade")),
            mer_priv: None,
            extra: Default::default(),
        }
    }

    fn withdrawal(&self, user: &str, card_id: &str, order_id: &str, fen: i64) -> WithdrawalRequest {
        WithdrawalRequest {
            user_cust_id: user.into(),
            order_id: order_id.into(),
            order_date: self.client.today(),
            trans_amt: Money::from_fen(fen),
            cash_bind_card_id: card_id.into(),
            cash_type: CashType::T1,
            fee_obj: Some(FeeObj::User),
            fee_acct_id: None,
            sms_code: None,
            ret_url: None,
            bg_ret_url: self.receiver.url("/cb/withdrawal"),
            mer_priv: None,
            extra: Default::default(),
        }
    }

    async fn query(&self, user: &str, order_id: &str, kind: QueryTransType) -> HfResponse {
        self.client
            .order_query(&OrderQueryRequest {
                user_cust_id: user.into(),
                order_id: order_id.into(),
                order_date: self.client.today(),
                trans_type: kind,
                mer_priv: None,
                extra: Default::default(),
            })
            .await
            .unwrap()
    }

    async fn wait_final(&self, user: &str, order_id: &str, kind: QueryTransType) -> HfResponse {
        eventually(&format!("order {order_id} to be final"), || async {
            let q = self.query(user, order_id, kind.clone()).await;
            matches!(q.trans_stat, Some(TransStat::Succeeded | TransStat::Failed)).then_some(q)
        })
        .await
    }
}

#[tokio::test]
async fn opening_quick_pay_callback_confirmed_and_withdrawal() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();

    let user = m.open_user(&format!("{today}U1")).await;
    let card_id = m.bind_card(&user, &format!("{today}B1")).await;
    assert_eq!(m.balance(&user).await, "10000.00");

    // Quick pay: the SMS request fixes amount and card, the confirmation (unified) pays.
    let sms_order = format!("{today}Q1");
    let sent = m
        .client
        .send_quick_pay_sms_code(&SendQuickPaySmsCodeRequest {
            user_cust_id: user.clone(),
            order_id: sms_order.clone(),
            order_date: today.clone(),
            trans_amt: Money::from_fen(12_345),
            card_no: CARD.into(),
            card_mobile: "13812345678".into(),
            card_prov: None,
            card_area: None,
            in_cust_id: None,
            div_detail: None,
            trans_type: None,
            bg_ret_url: m.receiver.url("/cb/sms"),
            mer_priv: None,
            payer_term_type: None,
            payer_term_no: None,
            goods_short_name: None,
            extra: Default::default(),
        })
        .await
        .unwrap();
    assert_eq!(sent.resp_code, Some(RespCode::Success));
    let pay_order = format!("{today}Q2");
    let mut extra = Extra::new();
    extra.insert("user_cust_id".into(), user.clone().into());
    extra.insert("ori_order_id".into(), sms_order.into());
    extra.insert("ori_order_date".into(), today.clone().into());
    extra.insert("sms_code".into(), cred::SMS_CODE.into());
    let paid = Payments::create_payment(
        &m.client,
        &PaymentRequest {
            order_id: pay_order.clone(),
            amount: Money::from_fen(12_345),
            subject: "充值".into(),
            notify_url: m.receiver.url("/cb/pay"),
            return_url: None,
            client_ip: None,
            method: Some("quick".into()),
            extra,
        },
    )
    .await
    .unwrap();
    assert_eq!(paid.transition.provider, "huifu");
    assert_eq!(paid.transition.order_id, pay_order);
    assert_eq!(paid.transition.status, TxStatus::Processing);
    // quick_pay's answer states the amount the SMS request fixed: checked against the order
    assert_eq!(paid.transition.amount, Some(Money::from_fen(12_345)));
    assert_eq!(paid.action, Some(PaymentAction::None));

    // The callback: recognised by the gateway, claims confirmed by the query.
    let handled = m.outcomes.wait_processed(2).await;
    let cb = &handled[1];
    assert_eq!(cb.path, "/cb/pay");
    assert_eq!(cb.claimed.order_id.as_deref(), Some(pay_order.as_str()));
    assert_eq!(cb.claimed.order_date.as_deref(), Some(today.as_str()));
    assert_eq!(cb.claimed.trans_amt, Some(Money::from_fen(12_345)));
    assert_eq!(cb.claimed.trans_stat, Some(TransStat::Succeeded));
    let confirmed = cb.confirmed.as_ref().unwrap();
    assert_eq!(confirmed.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(confirmed.trans_amt, Some(Money::from_fen(12_345)));
    let queried = Payments::query_payment(&m.client, &pay_order)
        .await
        .unwrap();
    assert_eq!(queried.status, TxStatus::Succeeded);
    assert_eq!(queried.amount, Some(Money::from_fen(12_345)));
    assert_eq!(m.balance(&user).await, "10123.45");

    // Withdrawal to the bound card through the unified trait.
    let withdrawal_order = format!("{today}W1");
    let mut extra = Extra::new();
    extra.insert("user_cust_id".into(), user.clone().into());
    extra.insert("cash_bind_card_id".into(), card_id.into());
    extra.insert("fee_obj".into(), "U".into());
    let out = Payouts::create_payout(
        &m.client,
        &PayoutRequest {
            order_id: withdrawal_order.clone(),
            amount: Money::from_fen(50_000),
            payee: Payee {
                name: "张三".into(),
                account: PayeeAccount::BankCard {
                    card_no: CARD.into(),
                    bank_name: None,
                    bank_code: None,
                    corporate: false,
                },
                id_number: None,
                phone: None,
            },
            remark: None,
            notify_url: Some(m.receiver.url("/cb/withdrawal")),
            extra,
        },
    )
    .await
    .unwrap();
    assert_eq!(out.order_id, withdrawal_order);
    assert_eq!(out.status, TxStatus::Processing);
    let handled = m.outcomes.wait_processed(3).await;
    let cb = &handled[2];
    assert_eq!(cb.path, "/cb/withdrawal");
    assert_eq!(cb.claimed.trans_amt, Some(Money::from_fen(50_000)));
    assert_eq!(
        cb.confirmed.as_ref().unwrap().trans_stat,
        Some(TransStat::Succeeded)
    );
    let settled = Payouts::query_payout(&m.client, &withdrawal_order)
        .await
        .unwrap();
    assert_eq!(settled.status, TxStatus::Succeeded);
    assert_eq!(settled.amount, Some(Money::from_fen(50_000)));
    assert_eq!(m.balance(&user).await, "9623.45");
    assert_eq!(m.outcomes.rejected_count(), 0);
}

/// The authenticated handler of the crate, `Client::verify_callback` (unsgin, then
/// order_query), confirms a sandbox callback, and so does the unified notification parser.
#[tokio::test]
async fn verify_callback_confirms_a_sandbox_callback() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    let card_id = m.bind_card(&user, &format!("{today}B1")).await;
    let order = format!("{today}W1");
    m.client
        .withdrawal(&m.withdrawal(&user, &card_id, &order, 20_000))
        .await
        .unwrap();
    let handled = m.outcomes.wait_processed(2).await;
    assert_eq!(handled[1].path, "/cb/withdrawal");
    let n = m
        .receiver
        .wait_hits(2)
        .await
        .into_iter()
        .find(|h| h.path == "/cb/withdrawal")
        .unwrap()
        .notification;

    let event = m
        .client
        .verify_callback(&n, Some(QueryTransType::Withdrawal))
        .await
        .unwrap();
    assert_eq!(event.order_id, order);
    assert_eq!(event.order_date, today);
    assert_eq!(event.trans_amt, Some(Money::from_fen(20_000)));
    assert_eq!(event.trans_stat, Some(TransStat::Succeeded));
    let unified = Payouts::parse_payout_notification(&m.client, &n)
        .await
        .unwrap();
    assert_eq!(unified.status, TxStatus::Succeeded);
    assert_eq!(unified.amount, Some(Money::from_fen(20_000)));
}

#[tokio::test]
async fn timeout_after_send_is_unknown_outcome_and_the_query_settles_it_without_a_second_payout() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    // Only the faulted call runs on the short time limit.
    let hasty = client(&sandbox, SHORT_TIMEOUT);
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    let card_id = m.bind_card(&user, &format!("{today}B1")).await;
    let order = format!("{today}W1");
    sandbox
        .faults()
        .set_times(Provider::Huifu, WITHDRAWAL, Fault::Timeout, 1);

    let err = hasty
        .withdrawal(&m.withdrawal(&user, &card_id, &order, 30_000))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::UnknownOutcome { order_id: Some(id), .. } if *id == order),
        "{err:?}"
    );

    let q = m
        .wait_final(&user, &order, QueryTransType::Withdrawal)
        .await;
    assert_eq!(q.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(q.trans_amt, Some(Money::from_fen(30_000)));
    assert_eq!(
        sandbox
            .requests()
            .count(Provider::Huifu, WITHDRAWAL, &order),
        1
    );
    assert_eq!(m.balance(&user).await, "9700.00");
}

#[tokio::test]
async fn a_lost_callback_is_recovered_by_the_query() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    let card_id = m.bind_card(&user, &format!("{today}B1")).await;
    let order = format!("{today}W1");
    sandbox
        .faults()
        .set(Provider::Huifu, NOTIFY_ROUTE, Fault::DropNotification);

    m.client
        .withdrawal(&m.withdrawal(&user, &card_id, &order, 40_000))
        .await
        .unwrap();
    let attempts = eventually("all six attempts to be dropped", || async {
        let a = sandbox.notifications().for_order(Provider::Huifu, &order);
        (a.len() == 6).then_some(a)
    })
    .await;
    assert!(attempts.iter().all(|a| a.dropped && !a.acknowledged));
    assert_eq!(m.outcomes.processed().len(), 1); // the opening only

    let settled = Payouts::query_payout(&m.client, &order).await.unwrap();
    assert_eq!(settled.status, TxStatus::Succeeded);
    assert_eq!(settled.amount, Some(Money::from_fen(40_000)));
}

#[tokio::test]
async fn a_tampered_callback_is_rejected_and_never_reaches_the_handler() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    let card_id = m.bind_card(&user, &format!("{today}B1")).await;
    // The binding's own callback is answered before the fault is set, so that it cannot take it.
    sandbox
        .notifications()
        .wait_acknowledged(Provider::Huifu, &format!("{today}B1"), None, DEADLINE)
        .await
        .unwrap();
    let order = format!("{today}W1");
    // The first attempt carries a forged check value (claiming 99999.00); the retry is genuine.
    sandbox
        .faults()
        .set_times(Provider::Huifu, NOTIFY_ROUTE, Fault::WrongSignature, 1);

    m.client
        .withdrawal(&m.withdrawal(&user, &card_id, &order, 10_000))
        .await
        .unwrap();
    let handled = m.outcomes.wait_processed(2).await;
    assert_eq!(handled.len(), 2);
    assert_eq!(handled[1].claimed.trans_amt, Some(Money::from_fen(10_000)));
    sandbox
        .notifications()
        .wait_acknowledged(Provider::Huifu, &order, None, DEADLINE)
        .await
        .unwrap();
    let attempts = sandbox.notifications().for_order(Provider::Huifu, &order);
    assert_eq!(attempts.len(), 2, "{attempts:?}");
    assert!(attempts[0].tampered && attempts[0].status == Some(400));
    assert!(!attempts[1].tampered && attempts[1].acknowledged);
    m.outcomes.with_rejected(|r| {
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(
            matches!(&r[0], Error::Provider(p) if p.code == "C10009"),
            "{:?}",
            r[0]
        );
    });

    // The crate's builder: the genuine claims with one fen more, which the gateway never issued.
    let forged = huifu::test_util::tampered_callback(&handled[1].claimed);
    let reply = handle(&m.client, &m.inbox, &m.outcomes, "/cb/withdrawal", &forged).await;
    assert_eq!(reply.0, 400);
    m.outcomes.with_rejected(|r| {
        assert!(
            matches!(&r[1], Error::Provider(p) if p.code == "C10009"),
            "{:?}",
            r[1]
        );
    });
    // A check value the gateway did not issue is refused by `unsgin`; none at all, Signature.
    let garbage = IncomingNotification::post_form("check_value=%21%21not-base64%21%21");
    assert!(matches!(
        m.client.verify_notification(&garbage).await,
        Err(Error::Provider(p)) if p.code == "C10009"
    ));
    assert!(matches!(
        m.inbox.accept(&garbage).await,
        Err(Error::Provider(p)) if p.code == "C10009"
    ));
    let missing = IncomingNotification::post_form("order_id=x");
    assert!(matches!(
        m.inbox.accept(&missing).await,
        Err(Error::Signature {
            kind: SignatureErrorKind::Missing,
            ..
        })
    ));
    assert_eq!(m.outcomes.processed().len(), 2);
    assert_eq!(m.balance(&user).await, "9900.00");
}

#[tokio::test]
async fn a_replayed_callback_is_reported_as_duplicate() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    let card_id = m.bind_card(&user, &format!("{today}B1")).await;
    let order = format!("{today}W1");

    m.client
        .withdrawal(&m.withdrawal(&user, &card_id, &order, 10_000))
        .await
        .unwrap();
    m.outcomes.wait_processed(2).await;
    let key = format!("huifu:payout:succeeded:{today}:{order}");
    let first = m
        .receiver
        .wait_hits(2)
        .await
        .into_iter()
        .find(|h| h.path == "/cb/withdrawal")
        .unwrap()
        .notification;

    // Straight into the inbox, and through the whole handler again.
    let err = m.inbox.accept(&first).await.unwrap();
    assert!(
        matches!(&err, pay_core::Accepted::Duplicate { key: k } if *k == key),
        "{err:?}"
    );
    let reply = handle(&m.client, &m.inbox, &m.outcomes, "/cb/withdrawal", &first).await;
    assert_eq!(reply, (200, "SUCCESS".to_owned()));
    assert_eq!(m.outcomes.duplicates(), vec![key.clone()]);
    assert_eq!(m.outcomes.processed().len(), 2);
    let event = m.client.verify_notification(&first).await.unwrap();
    assert_eq!(event.trade().unwrap().order_id, order);
    assert_eq!(event.replay_key(), key);
}

#[tokio::test]
async fn a_failed_withdrawal_is_reported_as_failed() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    let card_id = m.bind_card(&user, &format!("{today}B1")).await;
    let order = format!("{today}W1");

    let accepted = m
        .client
        .withdrawal(&m.withdrawal(&user, &card_id, &order, 10_044))
        .await
        .unwrap();
    assert_eq!(accepted.resp_code, Some(RespCode::Accepted));
    assert_eq!(accepted.trans_stat, Some(TransStat::Processing));

    let handled = m.outcomes.wait_processed(2).await;
    assert_eq!(handled[1].claimed.trans_stat, Some(TransStat::Failed));
    assert_eq!(
        handled[1].claimed.resp_code,
        Some(RespCode::Unknown("C10010".into()))
    );
    assert_eq!(
        handled[1].confirmed.as_ref().unwrap().trans_stat,
        Some(TransStat::Failed)
    );
    let settled = Payouts::query_payout(&m.client, &order).await.unwrap();
    assert_eq!(settled.status, TxStatus::Failed);
    assert_eq!(settled.amount, Some(Money::from_fen(10_044)));
    // The money went back to the user.
    assert_eq!(m.balance(&user).await, "10000.00");
}

/// The provider error code of a refused call.
fn refused(result: Result<HfResponse, Error>) -> String {
    match result {
        Err(e @ Error::Provider(_)) => {
            let Error::Provider(p) = &e else {
                unreachable!()
            };
            // The sandbox's answer to a reused order id is the code the client knows: a
            // duplicate order to query, never a plain refusal (nor a retry).
            if p.code == "C10003" {
                assert_eq!(p.kind, ProviderErrorKind::DuplicateOrder, "{p:?}");
                assert!(e.needs_query() && !e.is_retry_safe(), "{e:?}");
            }
            p.code.clone()
        }
        other => panic!("expected a provider error, got {other:?}"),
    }
}

/// Balances through the real client: a direct balance pay refunded in two parts, then a
/// guarantee held by the platform, confirmed in part to the seller, reversed for the rest to
/// the buyer and refunded, and a guarantee split by `fz`.
#[tokio::test]
async fn refunds_and_a_guarantee_cycle_move_the_balances() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let id = |s: &str| format!("{today}{s}");
    let buyer = m.open_user(&id("U1")).await;
    let seller = m.open_user(&id("U2")).await;
    let partner = m.open_user(&id("U3")).await;
    let s = |v: &str| v.to_owned();
    let settled = |v: &str| (s(v), s("0.00"));
    let merchant_idle = settled("1000000.00");
    assert_eq!(m.balances(cred::MER_CUST_ID).await, merchant_idle);

    // A direct balance pay moves the money at once.
    let paid = m
        .client
        .balance_pay(&m.balance_pay(&id("P1"), &buyer, &seller, 30_000, BalanceTransType::Direct))
        .await
        .unwrap();
    assert_eq!(paid.resp_code, Some(RespCode::Success));
    assert_eq!(paid.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(m.balances(&buyer).await, settled("9700.00"));
    assert_eq!(m.balances(&seller).await, settled("10300.00"));

    // A partial refund: accepted, settled after the delay, the money back from the seller.
    let accepted = m
        .client
        .refund(&m.refund(&id("R1"), &id("P1"), 12_000))
        .await
        .unwrap();
    assert_eq!(accepted.resp_code, Some(RespCode::Accepted));
    assert_eq!(accepted.trans_stat, Some(TransStat::Processing));
    let q = m
        .wait_final(&buyer, &id("R1"), QueryTransType::Refund)
        .await;
    assert_eq!(q.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(q.trans_amt, Some(Money::from_fen(12_000)));
    assert_eq!(m.balances(&buyer).await, settled("9820.00"));
    assert_eq!(m.balances(&seller).await, settled("10180.00"));
    // Refunds add up to at most what was paid; an order id is used once.
    let over = m
        .client
        .refund(&m.refund(&id("R2"), &id("P1"), 18_001))
        .await;
    assert_eq!(refused(over), "C10001");
    let again = m
        .client
        .refund(&m.refund(&id("R1"), &id("P1"), 12_000))
        .await;
    assert_eq!(refused(again), "C10003");
    m.client
        .refund(&m.refund(&id("R2"), &id("P1"), 18_000))
        .await
        .unwrap();
    let q = m
        .wait_final(&buyer, &id("R2"), QueryTransType::Refund)
        .await;
    assert_eq!(q.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(m.balances(&buyer).await, settled("10000.00"));
    assert_eq!(m.balances(&seller).await, settled("10000.00"));
    let more = m.client.refund(&m.refund(&id("R3"), &id("P1"), 1)).await;
    assert_eq!(refused(more), "C10001");
    let unknown = m
        .client
        .refund(&m.refund(&id("R3"), &id("NOPE"), 100))
        .await;
    assert_eq!(refused(unknown), "C10004");

    // A guarantee: the buyer pays, the platform holds it (the merchant's frozen balance).
    let held = m
        .client
        .balance_pay(&m.balance_pay(
            &id("G1"),
            &buyer,
            &seller,
            20_000,
            BalanceTransType::Guarantee,
        ))
        .await
        .unwrap();
    assert_eq!(held.resp_code, Some(RespCode::Success));
    assert_eq!(m.balances(&buyer).await, settled("9800.00"));
    assert_eq!(m.balances(&seller).await, settled("10000.00"));
    assert_eq!(
        m.balances(cred::MER_CUST_ID).await,
        (s("1000000.00"), s("200.00"))
    );

    // Confirmed in part: 150.00 to the seller.
    let affirm = m.guarantee(&id("A1"), &id("G1"), 15_000, &seller, &buyer);
    let r = m.client.order_affirm(&affirm).await.unwrap();
    assert_eq!(r.resp_code, Some(RespCode::Success));
    assert_eq!(m.balances(&seller).await, settled("10150.00"));
    assert_eq!(
        m.balances(cred::MER_CUST_ID).await,
        (s("1000000.00"), s("50.00"))
    );
    // The same confirmation again moves nothing; more than is held is refused.
    assert_eq!(refused(m.client.order_affirm(&affirm).await), "C10003");
    let too_much = m.guarantee(&id("A2"), &id("G1"), 6_000, &seller, &buyer);
    assert_eq!(refused(m.client.order_affirm(&too_much).await), "C10011");
    let wrong_seller = m.guarantee(&id("V1"), &id("G1"), 5_000, &partner, &buyer);
    assert_eq!(
        refused(m.client.order_reverse(&wrong_seller).await),
        "C10001"
    );
    assert_eq!(m.balances(&seller).await, settled("10150.00"));

    // The rest reversed to the buyer; then the guarantee is settled.
    let reverse = m.guarantee(&id("V1"), &id("G1"), 5_000, &seller, &buyer);
    let r = m.client.order_reverse(&reverse).await.unwrap();
    assert_eq!(r.resp_code, Some(RespCode::Success));
    assert_eq!(m.balances(&buyer).await, settled("9850.00"));
    assert_eq!(m.balances(cred::MER_CUST_ID).await, merchant_idle);
    let late = m.guarantee(&id("V2"), &id("G1"), 100, &seller, &buyer);
    assert_eq!(refused(m.client.order_reverse(&late).await), "C10011");
    let unknown = m.guarantee(&id("A3"), &id("NOPE"), 100, &seller, &buyer);
    assert_eq!(refused(m.client.order_affirm(&unknown).await), "C10004");

    // What was confirmed can be refunded, from the seller back to the buyer.
    m.client
        .refund(&m.refund(&id("R4"), &id("G1"), 15_000))
        .await
        .unwrap();
    let q = m
        .wait_final(&buyer, &id("R4"), QueryTransType::Refund)
        .await;
    assert_eq!(q.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(m.balances(&buyer).await, settled("10000.00"));
    assert_eq!(m.balances(&seller).await, settled("10000.00"));

    // A guarantee split by fz: 30.00 to the partner, the 70.00 not listed to the seller.
    m.client
        .balance_pay(&m.balance_pay(
            &id("G2"),
            &buyer,
            &seller,
            10_000,
            BalanceTransType::Guarantee,
        ))
        .await
        .unwrap();
    let split = FzRequest {
        order_id: id("F1"),
        order_date: today.clone(),
        trans_amt: Money::from_fen(10_000),
        old_order_id: id("G2"),
        old_order_date: today.clone(),
        div_detail: vec![DivDetail {
            div_amt: Money::from_fen(3_000),
            div_acct_id: "ACCT3".into(),
            div_cust_id: partner.clone(),
        }],
        bg_ret_url: Some(m.receiver.url("/cb/trade")),
        mer_priv: None,
        extension: None,
        dev_info: None,
        extra: Default::default(),
    };
    let r = m.client.fz(&split).await.unwrap();
    assert_eq!(r.resp_code, Some(RespCode::Success));
    assert_eq!(m.balances(&buyer).await, settled("9900.00"));
    assert_eq!(m.balances(&seller).await, settled("10070.00"));
    assert_eq!(m.balances(&partner).await, settled("10030.00"));
    assert_eq!(m.balances(cred::MER_CUST_ID).await, merchant_idle);
    assert_eq!(refused(m.client.fz(&split).await), "C10003");

    // Every trade callback (three openings before them) was confirmed by `order_query` of the
    // kind its echoed fields tell: 02 for the balance pays, the confirmation, the reversal and
    // the split, 04 for the refunds; a wrong kind would have been "not found" and refused.
    let handled = m.outcomes.wait_processed(12).await;
    let mut trades: Vec<(String, QueryTransType, Option<TransStat>)> = handled
        .iter()
        .filter(|h| h.path == "/cb/trade")
        .map(|h| {
            let confirmed = h.confirmed.as_ref().unwrap();
            assert_eq!(confirmed.trans_amt, h.claimed.trans_amt, "{h:?}");
            (
                h.claimed.order_id.clone().unwrap(),
                h.kind.clone().unwrap(),
                confirmed.trans_stat.clone(),
            )
        })
        .collect();
    trades.sort_by(|a, b| a.0.cmp(&b.0));
    let ok = Some(TransStat::Succeeded);
    let (balance, refund) = (QueryTransType::Balance, QueryTransType::Refund);
    assert_eq!(
        trades,
        vec![
            (id("A1"), balance.clone(), ok.clone()),
            (id("F1"), balance.clone(), ok.clone()),
            (id("G1"), balance.clone(), ok.clone()),
            (id("G2"), balance.clone(), ok.clone()),
            (id("P1"), balance.clone(), ok.clone()),
            (id("R1"), refund.clone(), ok.clone()),
            (id("R2"), refund.clone(), ok.clone()),
            (id("R4"), refund, ok.clone()),
            (id("V1"), balance, ok),
        ]
    );
    assert_eq!(m.outcomes.rejected_count(), 0);
}

/// What a watching transport saw and does: the query parameter names of every request, and
/// whether it changes `trans_amt` in a withdrawal's form body after the client signed it.
#[derive(Debug, Default)]
struct Wire {
    queries: Mutex<Vec<Vec<String>>>,
    tamper: AtomicBool,
}

/// A client with the default authentication whose requests pass through `wire` (a man in the
/// middle on the plain-HTTP link) on their way to the sandbox.
fn watched_client(sandbox: &Sandbox, wire: Arc<Wire>) -> Client {
    let inner = Arc::new(
        pay_core::ReqwestTransport::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap(),
    );
    let transport = transport_fn(move |req: HttpRequest| {
        let (inner, wire) = (inner.clone(), wire.clone());
        async move {
            let (parts, body) = req.into_parts();
            let names = parts
                .uri
                .query()
                .unwrap_or_default()
                .split('&')
                .map(|p| p.split('=').next().unwrap_or_default().to_owned())
                .collect();
            wire.queries.lock().unwrap().push(names);
            let body = if wire.tamper.load(Ordering::SeqCst) && parts.uri.path() == WITHDRAWAL {
                let text = String::from_utf8(body.to_vec()).unwrap();
                assert!(text.contains("trans_amt=300.00"), "{text}");
                Bytes::from(text.replace("trans_amt=300.00", "trans_amt=3000.00"))
            } else {
                body
            };
            inner.send(http::Request::from_parts(parts, body)).await
        }
    });
    // The time limit is the inner transport's.
    Client::with_transport(
        config_builder(sandbox).build().unwrap(),
        Arc::new(transport),
    )
    .unwrap()
}

/// The client's default on `http://` is the Prism sign, and the sandbox checks it: every
/// request carries `client_id`, `sign_method`, `sign_time` and `sign` and never the secret; a
/// withdrawal whose signed `trans_amt` is changed after signing reaches the gateway and is
/// refused with `401 invalid_sign`, creating no order and moving no money; the same request
/// unchanged is accepted and settles.
#[tokio::test]
async fn the_default_prism_sign_is_checked_and_a_changed_amount_is_refused() {
    let sandbox = sandbox(Provider::Huifu).await;
    let wire = Arc::new(Wire::default());
    let m = merchant(watched_client(&sandbox, wire.clone())).await;
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    let card_id = m.bind_card(&user, &format!("{today}B1")).await;
    let order = format!("{today}W1");

    wire.tamper.store(true, Ordering::SeqCst);
    let err = m
        .client
        .withdrawal(&m.withdrawal(&user, &card_id, &order, 30_000))
        .await
        .unwrap_err();
    wire.tamper.store(false, Ordering::SeqCst);
    match &err {
        Error::Provider(p) => {
            assert_eq!(p.code, "invalid_sign", "{p:?}");
            assert_eq!(p.kind, ProviderErrorKind::Unauthorized, "{p:?}");
        }
        other => panic!("expected the gateway's refusal, got {other:?}"),
    }
    assert_eq!(
        sandbox
            .requests()
            .count(Provider::Huifu, WITHDRAWAL, &order),
        1,
        "the changed request reached the gateway"
    );
    assert_eq!(sandbox.order(Provider::Huifu, &order), None);
    assert_eq!(m.balance(&user).await, "10000.00");

    // Unchanged, the same withdrawal goes through.
    let accepted = m
        .client
        .withdrawal(&m.withdrawal(&user, &card_id, &order, 30_000))
        .await
        .unwrap();
    assert_eq!(accepted.resp_code, Some(RespCode::Accepted));
    let q = m
        .wait_final(&user, &order, QueryTransType::Withdrawal)
        .await;
    assert_eq!(q.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(q.trans_amt, Some(Money::from_fen(30_000)));
    m.outcomes.wait_processed(2).await;
    assert_eq!(m.balance(&user).await, "9700.00");

    let queries = wire.queries.lock().unwrap().clone();
    assert!(queries.len() >= 8, "{queries:?}");
    for names in &queries {
        assert_eq!(
            names,
            &["client_id", "sign_method", "sign_time", "sign"],
            "{queries:?}"
        );
    }
    assert_eq!(m.outcomes.rejected_count(), 0);
}

/// On the sandbox's plain-HTTP URL, `PrismSecretAuth` is refused by the client before anything
/// is sent (the secret would travel in clear; prism-php sends it only over HTTPS), and a wrong
/// secret under the default sign is the gateway's `401 invalid_sign`.
#[tokio::test]
async fn client_secret_is_never_sent_over_http_and_a_wrong_secret_is_refused() {
    let sandbox = sandbox(Provider::Huifu).await;
    let with_secret = Client::new(
        config_builder(&sandbox)
            .timeout(Duration::from_secs(5))
            .app_auth(PrismSecretAuth::new(cred::CLIENT_ID, cred::CLIENT_SECRET))
            .build()
            .unwrap(),
    )
    .unwrap();
    let query = BalanceQueryRequest {
        user_cust_id: "6666000000009999".to_owned(),
        acct_id: None,
        extra: Default::default(),
    };
    match with_secret.balance_query(&query).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "base_url"),
        other => panic!("expected a refusal before sending, got {other:?}"),
    }
    assert_eq!(sandbox.requests().all().len(), 0, "nothing was sent");

    let wrong = Client::new(
        Config::builder(cred::MER_CUST_ID, cred::CLIENT_ID, "not-the-secret")
            .base_url(sandbox.huifu_url())
            .build()
            .unwrap(),
    )
    .unwrap();
    match wrong.balance_query(&query).await {
        Err(Error::Provider(p)) => {
            assert_eq!(p.code, "invalid_sign", "{p:?}");
            assert_eq!(p.kind, ProviderErrorKind::Unauthorized, "{p:?}");
        }
        other => panic!("expected the gateway's refusal, got {other:?}"),
    }
}

/// Prism's OAuth end to end: the authorize URL sends the user back with a code, the code is
/// exchanged for a user's token (signed with the app's credentials), the token rides on top of
/// the app's sign through the merchant flow, and when the gateway expires it the client
/// refreshes it once (`grant_type=refresh_token`) and saves the new one in the store.
#[tokio::test]
async fn a_user_token_from_prism_oauth_rides_on_top_of_the_sign_and_is_refreshed() {
    let sandbox = sandbox(Provider::Huifu).await;
    let app = Client::new(config(&sandbox, Duration::from_secs(5))).unwrap();
    let authorize = app
        .authorize_url("https://shop.example/oauth/back")
        .unwrap();
    assert!(authorize.starts_with(&format!(
        "{}/oauth/authorize?response_type=code&client_id=",
        sandbox.huifu_url()
    )));
    let no_redirect = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let back = no_redirect.get(&authorize).send().await.unwrap();
    assert_eq!(back.status(), 302);
    let location = back.headers()["location"].to_str().unwrap().to_owned();
    let (to, query) = location.split_once('?').unwrap();
    assert_eq!(to, "https://shop.example/oauth/back");
    let code = pay_core::form::decode(query.as_bytes())
        .into_iter()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1;
    let token = app.exchange_code(&code).await.unwrap();
    assert!(app.check_session(&token).await.unwrap());
    let first = token.access_token.expose_secret().to_owned();

    let store = Arc::new(huifu::oauth::MemoryTokenStore::with(token));
    let client = Client::new(
        config_builder(&sandbox)
            .timeout(Duration::from_secs(5))
            .auth(
                OAuthTokenProvider::new(cred::CLIENT_ID, cred::CLIENT_SECRET).store(store.clone()),
            )
            .build()
            .unwrap(),
    )
    .unwrap();
    let m = merchant(client).await;
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    assert_eq!(m.balance(&user).await, "10000.00");
    assert_eq!(
        sandbox
            .requests()
            .count_route(Provider::Huifu, "/oauth/token"),
        1,
        "the exchange only: the stored token serves every call"
    );

    // The gateway expires the token: the next call is refused once, refreshed, resent.
    let expired = reqwest::Client::new()
        .post(format!(
            "{}/sandbox/huifu/expire_tokens",
            sandbox.huifu_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(expired.status(), 200);
    assert_eq!(m.balance(&user).await, "10000.00");
    assert_eq!(
        sandbox
            .requests()
            .count_route(Provider::Huifu, "/oauth/token"),
        2,
        "one refresh"
    );
    let saved = huifu::oauth::TokenStore::load(store.as_ref())
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        saved.access_token.expose_secret(),
        first,
        "the new token is saved"
    );
}

/// `order_query` finds an order only under its own kind (`03` for a withdrawal) and for its
/// own user or the merchant; anything else is `C10004`, as for an order that does not exist,
/// and an opening is found under no kind. The withdrawal callback echoes its card and terms,
/// so `verify_callback` infers `03` and confirms it; under another kind it is refused.
#[tokio::test]
async fn order_query_finds_an_order_only_under_its_kind_and_user() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    let other = m.open_user(&format!("{today}U2")).await;
    let card_id = m.bind_card(&user, &format!("{today}B1")).await;
    let order = format!("{today}W1");
    m.client
        .withdrawal(&m.withdrawal(&user, &card_id, &order, 20_000))
        .await
        .unwrap();
    let handled = m.outcomes.wait_processed(3).await;
    assert_eq!(handled[2].kind, Some(QueryTransType::Withdrawal));

    let query = |asker: &str, order_id: &str, kind: QueryTransType| {
        let req = OrderQueryRequest {
            user_cust_id: asker.into(),
            order_id: order_id.into(),
            order_date: today.clone(),
            trans_type: kind,
            mer_priv: None,
            extra: Default::default(),
        };
        let client = m.client.clone();
        async move { client.order_query(&req).await }
    };
    let kinds = [
        QueryTransType::Pay,
        QueryTransType::Balance,
        QueryTransType::Withdrawal,
        QueryTransType::Refund,
    ];
    for asker in [user.as_str(), cred::MER_CUST_ID] {
        let q = query(asker, &order, QueryTransType::Withdrawal)
            .await
            .unwrap();
        assert_eq!(q.trans_stat, Some(TransStat::Succeeded));
        assert_eq!(q.trans_amt, Some(Money::from_fen(20_000)));
    }
    for kind in &kinds[..2] {
        assert_eq!(refused(query(&user, &order, kind.clone()).await), "C10004");
    }
    assert_eq!(
        refused(query(&user, &order, QueryTransType::Refund).await),
        "C10004"
    );
    assert_eq!(
        refused(query(&other, &order, QueryTransType::Withdrawal).await),
        "C10004"
    );
    let opening = format!("{today}U1");
    for kind in kinds {
        assert_eq!(refused(query(&user, &opening, kind).await), "C10004");
    }

    // The callback as the merchant received it: the kind inferred from its fields.
    let n = m
        .receiver
        .wait_hits(3)
        .await
        .into_iter()
        .find(|h| h.path == "/cb/withdrawal")
        .unwrap()
        .notification;
    let event = m.client.verify_callback(&n, None).await.unwrap();
    assert_eq!(event.trans_type, QueryTransType::Withdrawal);
    assert_eq!(
        event.claimed.extra_str("cash_bind_card_id"),
        Some(card_id.as_str())
    );
    assert_eq!(event.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(event.trans_amt, Some(Money::from_fen(20_000)));
    match m
        .client
        .verify_callback(&n, Some(QueryTransType::Pay))
        .await
    {
        Err(Error::Provider(p)) => assert_eq!(p.code, "C10004", "{p:?}"),
        other => panic!("expected C10004, got {other:?}"),
    }
    assert_eq!(m.outcomes.rejected_count(), 0);
}

/// App pay (QR / app / official account) through the unified trait: accepted as processing,
/// paid after the status delay, its callback confirmed as a payment (`01`, inferred too),
/// queried, and the money credited to the seller (the buyer pays from a wallet, outside the
/// sandbox). A scripted failure (an amount ending in 44 fen) through the typed call: a cashier
/// link, a failed callback confirmed as failed, no money moved.
#[tokio::test]
async fn app_pay_callback_confirmed_and_queried() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let buyer = m.open_user(&format!("{today}U1")).await;
    let seller = m.open_user(&format!("{today}U2")).await;

    let order = format!("{today}A1");
    let mut extra = Extra::new();
    extra.insert("user_cust_id".into(), buyer.clone().into());
    extra.insert("in_cust_id".into(), seller.clone().into());
    let created = Payments::create_payment(
        &m.client,
        &PaymentRequest {
            order_id: order.clone(),
            amount: Money::from_fen(2_550),
            subject: "会员充值".into(),
            notify_url: m.receiver.url("/cb/pay"),
            return_url: None,
            client_ip: None,
            method: Some("05".into()),
            extra,
        },
    )
    .await
    .unwrap();
    assert_eq!(created.transition.order_id, order);
    assert_eq!(created.transition.status, TxStatus::Processing);
    assert_eq!(created.transition.amount, Some(Money::from_fen(2_550)));

    let handled = m.outcomes.wait_processed(3).await;
    let cb = &handled[2];
    assert_eq!(cb.path, "/cb/pay");
    assert_eq!(cb.kind, Some(QueryTransType::Pay));
    assert_eq!(cb.claimed.order_id.as_deref(), Some(order.as_str()));
    assert_eq!(cb.claimed.user_cust_id.as_deref(), Some(buyer.as_str()));
    assert_eq!(cb.claimed.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(cb.claimed.trans_amt, Some(Money::from_fen(2_550)));
    let confirmed = cb.confirmed.as_ref().unwrap();
    assert_eq!(confirmed.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(confirmed.trans_amt, Some(Money::from_fen(2_550)));

    let queried = Payments::query_payment(&m.client, &order).await.unwrap();
    assert_eq!(queried.status, TxStatus::Succeeded);
    assert_eq!(queried.amount, Some(Money::from_fen(2_550)));
    let n = m
        .receiver
        .wait_hits(3)
        .await
        .into_iter()
        .find(|h| h.path == "/cb/pay")
        .unwrap()
        .notification;
    let parsed = Payments::parse_payment_notification(&m.client, &n)
        .await
        .unwrap();
    assert_eq!(parsed.order_id, order);
    assert_eq!(parsed.status, TxStatus::Succeeded);
    assert_eq!(parsed.amount, Some(Money::from_fen(2_550)));
    let inferred = m.client.verify_callback(&n, None).await.unwrap();
    assert_eq!(inferred.trans_type, QueryTransType::Pay);
    assert_eq!(inferred.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(m.balance(&seller).await, "10025.50");
    assert_eq!(m.balance(&buyer).await, "10000.00");
    assert_eq!(
        refused(
            m.client
                .order_query(&OrderQueryRequest {
                    user_cust_id: buyer.clone(),
                    order_id: order.clone(),
                    order_date: today.clone(),
                    trans_type: QueryTransType::Balance,
                    mer_priv: None,
                    extra: Default::default(),
                })
                .await
        ),
        "C10004"
    );

    // The typed call, and a payment that fails.
    let failing = format!("{today}A2");
    let r = m
        .client
        .app_pay(&AppPayRequest {
            user_cust_id: buyer.clone(),
            order_date: today.clone(),
            order_id: failing.clone(),
            pay_type: PayType::WechatQr,
            trans_amt: Money::from_fen(144),
            in_cust_id: Some(seller.clone()),
            div_detail: None,
            trans_type: None,
            is_raw: None,
            app_id: None,
            buyer_id: None,
            goods_desc: "会员充值".into(),
            goods_type: None,
            attach_info: None,
            good_tag: None,
            ret_url: None,
            bg_ret_url: m.receiver.url("/cb/pay"),
            mer_priv: None,
            dev_info: None,
            div_type: None,
            extra: Default::default(),
        })
        .await
        .unwrap();
    assert_eq!(r.resp_code, Some(RespCode::Processing));
    assert_eq!(r.trans_stat, Some(TransStat::Processing));
    assert!(
        r.pay_info.as_deref().is_some_and(|u| u.ends_with(&failing)),
        "{r:?}"
    );
    let handled = m.outcomes.wait_processed(4).await;
    let cb = &handled[3];
    assert_eq!(cb.claimed.order_id.as_deref(), Some(failing.as_str()));
    assert_eq!(cb.claimed.trans_stat, Some(TransStat::Failed));
    assert_eq!(
        cb.confirmed.as_ref().unwrap().trans_stat,
        Some(TransStat::Failed)
    );
    let queried = Payments::query_payment(&m.client, &failing).await.unwrap();
    assert_eq!(queried.status, TxStatus::Failed);
    assert_eq!(m.balance(&seller).await, "10025.50");
    assert_eq!(m.outcomes.rejected_count(), 0);
}

/// An app payment through the unified API, `n` its callback once handled.
async fn app_payment(
    m: &Merchant,
    order: &str,
    buyer: &str,
    seller: &str,
    fen: i64,
) -> IncomingNotification {
    let before = m.outcomes.processed().len();
    let mut extra = Extra::new();
    extra.insert("user_cust_id".into(), buyer.into());
    extra.insert("in_cust_id".into(), seller.into());
    Payments::create_payment(
        &m.client,
        &PaymentRequest {
            order_id: order.into(),
            amount: Money::from_fen(fen),
            subject: "会员充值".into(),
            notify_url: m.receiver.url("/cb/pay"),
            return_url: None,
            client_ip: None,
            method: Some("05".into()),
            extra,
        },
    )
    .await
    .unwrap();
    m.outcomes.wait_processed(before + 1).await;
    m.receiver
        .wait_hits(before + 1)
        .await
        .into_iter()
        .rev()
        .find(|h| h.path == "/cb/pay")
        .unwrap()
        .notification
}

/// A payment callback goes through the inbox once: the confirmed transition is the query's
/// (succeeded, final, the amount ordered), the merchant's order check passes for the amount it
/// ordered and refuses any other, and the same callback again is a duplicate of the same
/// business event.
#[tokio::test]
async fn a_payment_is_credited_once_and_a_mismatch_is_refused() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let buyer = m.open_user(&format!("{today}U1")).await;
    let seller = m.open_user(&format!("{today}U2")).await;
    let order = format!("{today}A1");
    let n = app_payment(&m, &order, &buyer, &seller, 2_550).await;

    let handled = m.outcomes.processed();
    let pays: Vec<_> = handled.iter().filter(|h| h.path == "/cb/pay").collect();
    assert_eq!(pays.len(), 1);
    let t = pays[0].transition.clone().unwrap();
    assert_eq!(t.order_id, order);
    assert_eq!(t.status, TxStatus::Succeeded);
    assert!(t.is_final);
    assert_eq!(t.amount, Some(Money::from_fen(2_550)));
    assert_eq!(
        t.dedup_key(),
        format!("huifu:payment:succeeded:{today}:{order}")
    );
    m.client
        .expect(&order, Money::from_fen(2_550))
        .check(&t)
        .unwrap();
    match m.client.expect(&order, Money::from_fen(255_000)).check(&t) {
        Err(Error::Mismatch {
            field,
            expected,
            got,
            ..
        }) => {
            assert_eq!(field, "amount");
            assert_eq!(&*expected, "2550.00");
            assert_eq!(got.as_deref(), Some("25.50"));
        }
        other => panic!("{other:?}"),
    }
    match m
        .client
        .expect(&format!("{today}A9"), Money::from_fen(2_550))
        .check(&t)
    {
        Err(Error::Mismatch { field, .. }) => assert_eq!(field, "order_id"),
        other => panic!("{other:?}"),
    }

    // The callback again (a resend): confirmed again, the same business event, a duplicate.
    let err = m.inbox.accept(&n).await.unwrap();
    assert!(
        matches!(&err, pay_core::Accepted::Duplicate { key } if *key == t.dedup_key()),
        "{err:?}"
    );
    let reply = handle(&m.client, &m.inbox, &m.outcomes, "/cb/pay", &n).await;
    assert_eq!(reply, (200, "SUCCESS".to_owned()));
    assert_eq!(
        m.outcomes
            .processed()
            .iter()
            .filter(|h| h.path == "/cb/pay")
            .count(),
        1
    );
    // The seller was credited once.
    assert_eq!(m.balance(&seller).await, "10025.50");
}

/// An order of `x.33` yuan is answered `C00000` without `trans_stat` (the sandbox's switch):
/// the create answer, the query and the confirmed callback all read as processing, never
/// paid, although the callback claims `S` — and nothing is final.
#[tokio::test]
async fn success_without_trans_stat_is_read_as_processing_never_paid() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let buyer = m.open_user(&format!("{today}U1")).await;
    let seller = m.open_user(&format!("{today}U2")).await;
    let order = format!("{today}A3");

    let mut extra = Extra::new();
    extra.insert("user_cust_id".into(), buyer.clone().into());
    extra.insert("in_cust_id".into(), seller.clone().into());
    let created = Payments::create_payment(
        &m.client,
        &PaymentRequest {
            order_id: order.clone(),
            amount: Money::from_fen(233),
            subject: "会员充值".into(),
            notify_url: m.receiver.url("/cb/pay"),
            return_url: None,
            client_ip: None,
            method: Some("05".into()),
            extra,
        },
    )
    .await
    .unwrap();
    assert_eq!(created.transition.code, "C00000");
    assert_eq!(created.transition.status, TxStatus::Processing);
    assert!(!created.transition.is_final);

    let handled = m.outcomes.wait_processed(3).await;
    let cb = &handled[2];
    assert_eq!(cb.path, "/cb/pay");
    assert_eq!(cb.claimed.trans_stat, Some(TransStat::Succeeded));
    assert_eq!(cb.confirmed.as_ref().unwrap().trans_stat, None);
    let t = cb.transition.clone().unwrap();
    assert_eq!(t.status, TxStatus::Processing);
    assert!(!t.is_final);
    assert_eq!(t.amount, Some(Money::from_fen(233)));
    assert_eq!(
        t.dedup_key(),
        format!("huifu:payment:processing:{today}:{order}")
    );

    let queried = Payments::query_payment(&m.client, &order).await.unwrap();
    assert_eq!(queried.status, TxStatus::Processing);
    assert!(!queried.is_final);
    assert_eq!(queried.code, "C00000");
    // The unified notification reads it the same way.
    let n = m
        .receiver
        .wait_hits(3)
        .await
        .into_iter()
        .find(|h| h.path == "/cb/pay")
        .unwrap()
        .notification;
    let parsed = Payments::parse_payment_notification(&m.client, &n)
        .await
        .unwrap();
    assert_eq!(parsed.status, TxStatus::Processing);
}

/// An opening callback is confirmed through `balance_query` of the user it names and goes
/// through the inbox as a no-money event (no transition), once.
#[tokio::test]
async fn an_opening_callback_is_confirmed_by_the_balance_query() {
    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let user = m.open_user(&format!("{today}U1")).await;
    let handled = m.outcomes.processed();
    assert_eq!(handled[0].transition, None);
    assert_eq!(handled[0].kind, None);
    let confirmed = handled[0].confirmed.as_ref().unwrap();
    assert_eq!(confirmed.resp_code, Some(RespCode::Success));
    assert_eq!(confirmed.avl_balance, Some(Money::from_fen(1_000_000)));
    let n = m.receiver.wait_hits(1).await[0].notification.clone();
    let err = m.inbox.accept(&n).await.unwrap();
    assert!(
        matches!(&err, pay_core::Accepted::Duplicate { key }
            if *key == format!("huifu:opening:{user}:{today}U1")),
        "{err:?}"
    );
}

/// Reconciliation from the day's trade statement (`order_download` → `file_url` → the CSV the
/// sandbox files every money-moving order in): a direct balance pay, its refund settled after
/// the delay, and three more pays, against a ledger with one amount wrong, one status wrong
/// (a paid order it counts as failed), one order the gateway never saw, and one order missing
/// from it.
#[tokio::test(flavor = "multi_thread")]
async fn the_day_statement_reconciles_against_the_ledger() {
    use pay_core::reconcile::{Class, Record, reconcile};

    let sandbox = sandbox(Provider::Huifu).await;
    let m = merchant(client(&sandbox, Duration::from_secs(5))).await;
    let today = m.client.today();
    let id = |s: &str| format!("{today}{s}");
    let buyer = m.open_user(&id("RU1")).await;
    let seller = m.open_user(&id("RU2")).await;
    for (order, fen) in [("RP1", 30_000), ("RP2", 5_000), ("RP3", 700), ("RP4", 900)] {
        let req = m.balance_pay(&id(order), &buyer, &seller, fen, BalanceTransType::Direct);
        m.client.balance_pay(&req).await.unwrap();
    }
    m.client
        .refund(&m.refund(&id("RR1"), &id("RP1"), 12_000))
        .await
        .unwrap();
    m.wait_final(&buyer, &id("RR1"), QueryTransType::Refund)
        .await;

    let mut file = Vec::new();
    let written = m
        .client
        .download_statement(&today, &mut file)
        .await
        .unwrap();
    assert_eq!(written, file.len() as u64);
    let provider = huifu::reconcile::records(
        huifu::reconcile::StatementReader::new(file.as_slice()),
        |_| true,
    );
    let row = |order: &str, fen: i64| Record {
        order_id: id(order),
        amount: Money::from_fen(fen),
        status: TxStatus::Succeeded,
        fee: None,
    };
    // RP4 is paid at the provider; the ledger still says it failed.
    let failed = Record {
        status: TxStatus::Failed,
        ..row("RP4", 900)
    };
    let ledger = [
        row("RP1", 30_000),
        row("RR1", 12_000),
        row("RP2", 5_001),
        row("RX9", 100),
        failed,
    ];
    let report = reconcile(provider, ledger.into_iter().map(Ok)).unwrap();
    let count = |c: Class| report.totals.get(c).count;
    assert_eq!(count(Class::Matched), 2, "{report:?}");
    assert_eq!(count(Class::AmountMismatch), 1, "{report:?}");
    assert_eq!(count(Class::MissingAtProvider), 1, "{report:?}");
    assert_eq!(count(Class::MissingInLedger), 1, "{report:?}");
    assert_eq!(count(Class::StatusMismatch), 1, "{report:?}");
    assert_eq!(count(Class::PendingAtProvider), 0, "{report:?}");
    let missing = report
        .items
        .iter()
        .find(|i| i.class == Class::MissingInLedger)
        .unwrap();
    assert_eq!(missing.order_id, id("RP3"));
    assert_eq!(missing.provider_amount_fen, Some(Money::from_fen(700)));
}

//! End-to-end: the `huifu` client against the sandbox's hfpay gateway, with a local callback
//! receiver: personal opening → callback; card binding; quick pay (SMS + confirmation) →
//! callback decoded and confirmed → query; withdrawal → callback → query; and the fault cases
//! (timeout after send, lost, tampered and replayed callbacks, a failed withdrawal).
//!
//! Huifu's callbacks are not signed (`check_value` is base64). The receiver here does what
//! `huifu::Client::verify_callback` does — the gateway's `unsgin` must recognise the check
//! value, then `order_query` confirms the claims — reading the claims by local decoding and
//! deduplicating through the inbox; `verify_callback_confirms_a_sandbox_callback` runs the
//! crate's own authenticated handler end to end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod e2e_common;

use std::sync::Arc;
use std::time::Duration;

use e2e_common::{DEADLINE, Outcomes, Receiver, Reply, SHORT_TIMEOUT, eventually, sandbox};
use huifu::codes::{CashType, DcFlag, FeeObj, QueryTransType, RespCode, TransStat};
use huifu::merchant::{BalanceQueryRequest, BindBankCardRequest, PersonOpeningRequest};
use huifu::trade::{OrderQueryRequest, SendQuickPaySmsCodeRequest, WithdrawalRequest};
use huifu::{Client, Config, HfResponse, PrismSecretAuth, UnverifiedCallback};
use pay_core::{
    Error, Extra, InMemoryReplayGuard, IncomingNotification, Money, NotificationInbox,
    NotificationVerifier, Payee, PayeeAccount, PaymentAction, PaymentRequest, Payments,
    PayoutRequest, Payouts, SignatureErrorKind, TxStatus,
};
use pay_sandbox::credentials::huifu as cred;
use pay_sandbox::{Fault, NOTIFY_ROUTE, Provider, Sandbox};

const WITHDRAWAL: &str = "/api/hfpay/v1/trade/withdrawal";
const CARD: &str = "6225880137705555";

fn client(sandbox: &Sandbox, timeout: Duration) -> Client {
    Client::new(
        Config::new(cred::MER_CUST_ID, cred::CLIENT_ID, cred::CLIENT_SECRET)
            .base_url(sandbox.huifu_url())
            .auth(PrismSecretAuth::new(cred::CLIENT_ID, cred::CLIENT_SECRET))
            .timeout(timeout),
    )
    .unwrap()
}

/// A callback the merchant's handler accepted.
#[derive(Debug, Clone)]
struct Handled {
    path: String,
    claimed: HfResponse,
    confirmed: Option<HfResponse>,
}

/// The order kind a callback URL receives.
fn kind_of(path: &str) -> Option<QueryTransType> {
    match path {
        "/cb/pay" => Some(QueryTransType::Pay),
        "/cb/withdrawal" => Some(QueryTransType::Withdrawal),
        _ => None,
    }
}

/// The merchant's callback handler: the gateway's `unsgin` must recognise the check value, the
/// inbox claims it (replays are answered, not processed), and `order_query` confirms the claims
/// of a payment or withdrawal before anything is recorded.
async fn handle(
    client: &Client,
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
    let check_value = match huifu::notify::check_value(n) {
        Ok(v) => v,
        Err(e) => return refuse(e),
    };
    if let Err(e) = client.decode_callback_via_unsgin(&check_value).await {
        return refuse(e);
    }
    let claimed = match inbox.accept(n).await {
        Ok(c) => c,
        Err(Error::DuplicateNotification { key }) => {
            outcomes.duplicate(key);
            return (200, "SUCCESS".into());
        }
        Err(e) => return refuse(e),
    };
    let claims = claimed.event.claimed.clone();
    let confirmed = match kind_of(path) {
        None => None,
        Some(trans_type) => {
            let query = client
                .order_query(&OrderQueryRequest {
                    user_cust_id: claims
                        .user_cust_id
                        .clone()
                        .unwrap_or_else(|| cred::MER_CUST_ID.into()),
                    order_id: claims.order_id.clone().unwrap_or_default(),
                    order_date: claims.order_date.clone().unwrap_or_default(),
                    trans_type,
                    mer_priv: None,
                    extra: Default::default(),
                })
                .await;
            match query {
                Ok(q) if q.trans_amt == claims.trans_amt && q.order_id == claims.order_id => {
                    Some(q)
                }
                Ok(_) => {
                    let _ = inbox.release(&claimed).await;
                    return refuse(Error::signature(SignatureErrorKind::Mismatch));
                }
                Err(e) => {
                    let _ = inbox.release(&claimed).await;
                    return refuse(e);
                }
            }
        }
    };
    outcomes.process(Handled {
        path: path.to_owned(),
        claimed: claims,
        confirmed,
    });
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
        bound.extra_str("card_id").unwrap().to_owned()
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
        b.extra_str("avl_balance").unwrap().to_owned()
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
    assert_eq!(paid.provider, "huifu");
    assert_eq!(paid.order_id, pay_order);
    assert_eq!(paid.status, TxStatus::Processing);
    assert_eq!(paid.amount, Some(Money::from_fen(12_345)));
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
    // A check value that is not base64 fails local decoding with Decrypt; none at all, Signature.
    let garbage = IncomingNotification::post_form("check_value=%21%21not-base64%21%21");
    assert!(matches!(
        m.client.verify_notification(&garbage),
        Err(Error::Decrypt { .. })
    ));
    assert!(matches!(
        m.inbox.accept(&garbage).await,
        Err(Error::Decrypt { .. })
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
    let key = format!("huifu:{today}:{order}:S");
    let first = m
        .receiver
        .wait_hits(2)
        .await
        .into_iter()
        .find(|h| h.path == "/cb/withdrawal")
        .unwrap()
        .notification;

    // Straight into the inbox, and through the whole handler again.
    let err = m.inbox.accept(&first).await.unwrap_err();
    assert!(
        matches!(&err, Error::DuplicateNotification { key: k } if *k == key),
        "{err:?}"
    );
    let reply = handle(&m.client, &m.inbox, &m.outcomes, "/cb/withdrawal", &first).await;
    assert_eq!(reply, (200, "SUCCESS".to_owned()));
    assert_eq!(m.outcomes.duplicates(), vec![key]);
    assert_eq!(m.outcomes.processed().len(), 2);
    let event: UnverifiedCallback = m.client.verify_notification(&first).unwrap();
    assert_eq!(event.claimed.order_id.as_deref(), Some(order.as_str()));
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

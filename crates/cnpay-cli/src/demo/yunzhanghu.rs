//! Yunzhanghu's flow: an identity check, a bank-card payout, its encrypted callback (paid, not
//! final), the order query, the day's bill and order files downloaded and parsed; then a payout
//! paid and returned by the bank (退汇, status 9): the return callback received, surfaced as a
//! new, final `returned` event, and the query agreeing.

use std::time::Duration;

use cnpay::yunzhanghu::bill::{BillDownloadUrl, BillReader, FileRecord, OrderDownloadUrl};
use cnpay::yunzhanghu::codes::{BillType, FileStatus};
use cnpay::yunzhanghu::identity::VerifyBankcardFourFactor;
use cnpay::yunzhanghu::payout::BankCardOrder;
use cnpay::yunzhanghu::query::QueryOrder;
use cnpay::yunzhanghu::{BillRecord, Channel, Client, Config, OrderRecord, OrderStatus};
use pay_core::{Clock, Error, Money, SystemClock, Transition, TxStatus};
use pay_sandbox::Provider;
use pay_sandbox::credentials::yunzhanghu as cred;

use super::{Env, StepError, Table, expect_eq, present, step};

const PROVIDER: &str = "yunzhanghu";

/// The payee: a valid resident ID number (the sandbox checks it as the provider does), a
/// 招商银行 card and the phone number the bank has for it.
const NAME: &str = "张三";
const ID_CARD: &str = "11010519491231002X";
const CARD_NO: &str = "6225880137705555";
const MOBILE: &str = "13812345678";

/// The client for the simulator at `base_url`, with the sandbox's test dealer.
pub(super) fn client(base_url: &str) -> Result<Client, Error> {
    Client::new(
        Config::builder(
            cred::DEALER_ID,
            cred::BROKER_ID,
            cred::APP_KEY,
            cred::DES3_KEY,
        )
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .build()?,
    )
}

/// Runs Yunzhanghu's flow.
pub(super) async fn run(env: &Env, table: &mut Table) {
    table
        .flow(
            PROVIDER,
            "identity check -> payout -> callback -> query -> bill file -> a payout returned",
            flow(env),
        )
        .await;
}

async fn flow(env: &Env) -> Result<(), StepError> {
    let client = &env.clients.yunzhanghu;
    // The notify URL "configured when the dealer was opened" (this API version's orders carry
    // none).
    env.sandbox
        .set_yunzhanghu_notify_url(env.notify_url(super::receiver::YUNZHANGHU_PATH));

    identity_check(client).await?;

    let order_id = format!("{}Y", env.run_id);
    let pay = Money::from_fen(123_456);
    let reference = step("bank-card payout (order-realtime)", async {
        let accepted = client
            .order_realtime(&demo_payout(&order_id, pay))
            .await?;
        if !accepted.order_id.is_empty() {
            expect_eq("order_id", order_id.as_str(), accepted.order_id.as_str())?;
        }
        if let Some(p) = accepted.pay {
            expect_eq("pay (fen)", &pay.fen(), &p.fen())?;
        }
        if accepted.reference.is_empty() {
            return Err(StepError::check("ref: empty in the answer"));
        }
        let detail = format!(
            "order {order_id}, {pay} yuan ({} fen), sent 3DES-encrypted and HMAC-SHA256-signed: accepted, ref {}",
            pay.fen(),
            accepted.reference
        );
        Ok((accepted.data.reference, detail))
    })
    .await?;

    step(
        "callback verified, decrypted and checked against the order",
        async {
            let e = env
                .receiver
                .yunzhanghu_events
                .wait(&order_id, super::STEP_TIMEOUT, |e| {
                    e.data.order_id == order_id && e.data.tx_status() != TxStatus::Processing
                })
                .await?;
            expect_eq("status", &OrderStatus::Paid, &e.data.status)?;
            expect_eq("ref", reference.as_str(), e.data.reference.as_str())?;
            let t = e.data.transition();
            // The order id, the amount, dealer_id and broker_id must be the order's.
            client.expect(&order_id, pay).check(&t)?;
            let paid = present("pay", t.amount)?;
            env.ledger
                .book(Provider::Yunzhanghu, &order_id, pay, t.status.clone());
            Ok((
                (),
                format!(
                    "notify_id {}: status {} ({}), {} fen, {}; answered `success`",
                    e.notify_id,
                    e.data.status,
                    e.data.status_message,
                    paid.fen(),
                    finality(&t)
                ),
            ))
        },
    )
    .await?;

    let finished_date = step("query the order", async {
        let o = client
            .query_realtime_order(&QueryOrder::new(order_id.clone(), Channel::BankCard))
            .await?;
        expect_eq("order_id", order_id.as_str(), o.order_id.as_str())?;
        expect_eq("status", &OrderStatus::Paid, &o.status)?;
        if o.tx_status() != TxStatus::Succeeded {
            return Err(StepError::check(format!(
                "status: {} does not say the money moved",
                o.status
            )));
        }
        let paid = present("pay", o.pay)?;
        expect_eq("pay (fen)", &pay.fen(), &paid.fen())?;
        let detail = format!(
            "status {} ({}), {} fen, finished {}",
            o.status,
            o.status_message,
            paid.fen(),
            o.finished_time.as_deref().unwrap_or("-")
        );
        // The files list an order under the day it finished, in Beijing time.
        let date = o
            .finished_time
            .as_deref()
            .and_then(|t| t.get(..10))
            .map_or_else(|| SystemClock.now().beijing_date(), str::to_owned);
        Ok((date, detail))
    })
    .await?;

    day_files(client, &order_id, pay, &reference, &finished_date).await?;

    returned(env, client).await
}

/// The order id of the run's payout that is paid, then returned.
pub(super) fn returned_order_id(run_id: &str) -> String {
    format!("{run_id}YR")
}

/// How final a transition is, for the table.
fn finality(t: &Transition) -> String {
    if t.is_final {
        format!("{}, final", t.status.as_str())
    } else {
        format!("{}, not final (a return may follow)", t.status.as_str())
    }
}

/// A payout paid, then returned by the bank (退汇): the sandbox returns every order whose amount
/// in fen ends in 55, two status delays after paying it, with a callback for each transition.
async fn returned(env: &Env, client: &Client) -> Result<(), StepError> {
    let order_id = returned_order_id(&env.run_id);
    let pay = Money::from_fen(8_855);
    step(
        "payout to be returned (order-realtime, 88.55 yuan)",
        async {
            let accepted = client.order_realtime(&demo_payout(&order_id, pay)).await?;
            expect_eq("order_id", order_id.as_str(), accepted.order_id.as_str())?;
            let stated = present("pay", accepted.pay)?;
            expect_eq("pay (fen)", &pay.fen(), &stated.fen())?;
            Ok((
                (),
                format!(
                    "order {order_id}, {pay} yuan: accepted, ref {}",
                    accepted.reference
                ),
            ))
        },
    )
    .await?;

    let event = |status: TxStatus| {
        let order_id = order_id.clone();
        async move {
            let e = env
                .receiver
                .yunzhanghu_events
                .wait(&order_id, super::STEP_TIMEOUT, |e| {
                    e.data.order_id == order_id && e.data.tx_status() == status
                })
                .await?;
            let t = e.data.transition();
            client.expect(&order_id, pay).check(&t)?;
            Ok::<_, StepError>((e, t))
        }
    };
    step("paid callback (processed once)", async {
        let (e, t) = event(TxStatus::Succeeded).await?;
        if t.is_final {
            return Err(StepError::check("status 1 (已打款) read as final"));
        }
        Ok((
            (),
            format!(
                "status {} ({}), {} fen, {}",
                e.data.status,
                e.data.status_message,
                pay.fen(),
                finality(&t)
            ),
        ))
    })
    .await?;
    step("return callback received and surfaced", async {
        let (e, t) = event(TxStatus::Returned).await?;
        expect_eq("status", &OrderStatus::Returned, &e.data.status)?;
        if !t.is_final {
            return Err(StepError::check("status 9 (returned) read as not final"));
        }
        env.ledger
            .book(Provider::Yunzhanghu, &order_id, pay, t.status.clone());
        Ok((
            (),
            format!(
                "notify_id {}: status {} ({}), {} fen back with the dealer, {}; a new event: {}",
                e.notify_id,
                e.data.status,
                e.data.status_message,
                pay.fen(),
                finality(&t),
                t.dedup_key()
            ),
        ))
    })
    .await?;
    step("query: returned", async {
        let t = client
            .query_payout_expecting(&client.expect(&order_id, pay))
            .await?;
        expect_eq("status", "returned", t.status.as_str())?;
        Ok(((), format!("status {} ({})", t.code, finality(&t))))
    })
    .await
}

/// The identity check step: the sandbox's test payee, four factors.
async fn identity_check(client: &Client) -> Result<(), StepError> {
    step("identity check (bank card four factors)", async {
        let r = client
            .verify_bankcard_four_factor(&VerifyBankcardFourFactor {
                card_no: CARD_NO.into(),
                id_card: ID_CARD.into(),
                real_name: NAME.into(),
                mobile: MOBILE.into(),
                extra: Default::default(),
            })
            .await?;
        Ok((
            (),
            format!(
                "张* / 110105********002X / 6225********5555 / 138****5678 match ({}, request {})",
                r.message, r.request_id
            ),
        ))
    })
    .await?;
    Ok(())
}

/// The daily files of `finished_date`: the bill file and the order file list the payout.
async fn day_files(
    client: &Client,
    order_id: &str,
    pay: Money,
    reference: &str,
    finished_date: &str,
) -> Result<(), StepError> {
    step("bill file downloaded and parsed", async {
        let gz = download_day_file(client, DayFile::Bill, finished_date).await?;
        let bytes = gz.len();
        let rows: Vec<BillRecord> = day_file_rows(&gz)?;
        let ours: Vec<&BillRecord> = rows.iter().filter(|r| r.order_id == order_id).collect();
        let payment = present(
            "the payout's 经纪公司打款 row",
            ours.iter()
                .find(|r| r.bill_type == BillType::BrokerPayment)
                .copied(),
        )?;
        expect_eq("流水状态", &FileStatus::Success, &payment.status)?;
        expect_eq("金额 (fen)", &pay.fen(), &payment.amount.fen())?;
        expect_eq("订单流水号", reference, payment.reference.as_str())?;
        let fee = ours
            .iter()
            .find(|r| r.bill_type == BillType::BrokerPaymentFee)
            .map_or_else(
                || "no fee row".to_owned(),
                |r| format!("fee {} yuan", r.amount),
            );
        Ok((
            (),
            format!(
                "{finished_date}: {bytes} bytes gz, {} rows; ours: 经纪公司打款 {} yuan {}, {fee}",
                rows.len(),
                payment.amount,
                payment.status
            ),
        ))
    })
    .await?;

    step("order file downloaded and parsed", async {
        let gz = download_day_file(client, DayFile::Order, finished_date).await?;
        let bytes = gz.len();
        let rows: Vec<OrderRecord> = day_file_rows(&gz)?;
        let row = present(
            "the payout's row",
            rows.iter().find(|r| r.order_id == order_id),
        )?;
        expect_eq("订单状态", &FileStatus::Success, &row.status)?;
        expect_eq("金额 (fen)", &pay.fen(), &row.pay.fen())?;
        expect_eq(
            "支付渠道",
            &Channel::BankCard,
            present("支付渠道", row.channel.as_ref())?,
        )?;
        Ok((
            (),
            format!(
                "{bytes} bytes gz, {} rows; ours: {} {} yuan to {} ({})",
                rows.len(),
                row.status,
                row.pay,
                row.account,
                row.real_name
            ),
        ))
    })
    .await?;
    Ok(())
}

/// The two daily files.
#[derive(Debug, Clone, Copy)]
enum DayFile {
    /// The order file (查询日订单文件).
    Order,
    /// The bill file (查询日流水文件).
    Bill,
}

/// Downloads a daily file of `date`: its gz bytes.
async fn download_day_file(client: &Client, file: DayFile, date: &str) -> Result<Vec<u8>, Error> {
    let mut gz = Vec::new();
    match file {
        DayFile::Order => {
            let req = OrderDownloadUrl {
                order_date: date.to_owned(),
                ..Default::default()
            };
            client.download_order_file(&req, &mut gz).await?;
        }
        DayFile::Bill => {
            let req = BillDownloadUrl {
                bill_date: date.to_owned(),
                ..Default::default()
            };
            client.download_bill_file(&req, &mut gz).await?;
        }
    }
    Ok(gz)
}

/// The rows of a gz daily file.
fn day_file_rows<T: FileRecord>(gz: &[u8]) -> Result<Vec<T>, Error> {
    BillReader::<_, T>::from_gz(gz).collect()
}

/// The demo's bank-card payout of `pay` under `order_id`, to the sandbox's test payee.
fn demo_payout(order_id: &str, pay: Money) -> BankCardOrder {
    BankCardOrder {
        order_id: order_id.to_owned(),
        real_name: NAME.into(),
        card_no: CARD_NO.into(),
        id_card: ID_CARD.into(),
        pay,
        pay_remark: Some("cnpay demo".into()),
        ..Default::default()
    }
}

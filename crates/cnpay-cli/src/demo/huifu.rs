//! Huifu's flow: a user opened and a card bound, a quick pay (SMS code, then confirmation)
//! whose callback is decoded and confirmed through the gateway, then a withdrawal and its
//! confirmed callback.

use std::time::Duration;

use cnpay::huifu::codes::{CashType, DcFlag, FeeObj, QueryTransType, RespCode, TransStat};
use cnpay::huifu::merchant::{BindBankCardRequest, PersonOpeningRequest};
use cnpay::huifu::trade::{QuickPayRequest, SendQuickPaySmsCodeRequest, WithdrawalRequest};
use cnpay::huifu::{CallbackEvent, Client, Config, HfResponse};
use pay_core::{Error, Money, TxStatus};
use pay_sandbox::Provider;
use pay_sandbox::credentials::huifu as cred;

use super::receiver::{HUIFU_PATH, HUIFU_SMS_PATH};
use super::{Env, StepError, Table, expect_eq, present, step};

const PROVIDER: &str = "huifu";

/// The payer's card (a 招商银行 debit card) and the phone number the bank has for it.
const CARD_NO: &str = "6225880137705555";
const MOBILE: &str = "13812345678";

/// The client for the simulator at `base_url`, with the sandbox's test app and merchant.
///
/// The client with its default authentication: over the simulator's plain-HTTP address that is
/// the Prism request signature (`client_id`, `sign_method`, `sign_time`, `sign`). The demo's
/// callback receiver listens on loopback, so it opts in to private callback URLs (a test
/// environment; never in production).
pub(super) fn client(base_url: &str) -> Result<Client, Error> {
    Client::new(
        Config::builder(cred::MER_CUST_ID, cred::CLIENT_ID, cred::CLIENT_SECRET)
            .base_url(base_url)
            .timeout(Duration::from_secs(5))
            .allow_private_callback_urls()
            .build()?,
    )
}

/// Runs Huifu's flow.
pub(super) async fn run(env: &Env, table: &mut Table) {
    table
        .flow(
            PROVIDER,
            "user opening -> quick pay -> callback confirmed -> withdrawal",
            flow(env),
        )
        .await;
}

fn expect_code(answer: &HfResponse, expected: &RespCode) -> Result<(), StepError> {
    let code = present("resp_code", answer.resp_code.as_ref())?;
    expect_eq("resp_code", expected, code)
}

fn check_callback(
    e: &CallbackEvent,
    order_id: &str,
    kind: &QueryTransType,
    amount: Money,
) -> Result<(), StepError> {
    expect_eq("order_id", order_id, e.order_id.as_str())?;
    expect_eq("trans_type", kind, &e.trans_type)?;
    expect_eq(
        "trans_stat (as order_query reports it)",
        &TransStat::Succeeded,
        present("trans_stat", e.trans_stat.as_ref())?,
    )?;
    let confirmed = present("trans_amt", e.trans_amt)?;
    expect_eq("trans_amt (fen)", &amount.fen(), &confirmed.fen())
}

/// A quick payment by `user` (an SMS code, then the payment): `Err` when it is refused,
/// otherwise `Ok` with the outcome of its callback's confirmation.
async fn quick_pay(
    env: &Env,
    user: &str,
    bg_ret_url: &str,
) -> Result<Result<(), StepError>, StepError> {
    let client = &env.clients.huifu;
    let today = client.today();
    let pay_amount = Money::from_fen(88_888);
    let sms_order = format!("{}S", env.run_id);
    step("quick pay: request the SMS code", async {
        let r = client
            .send_quick_pay_sms_code(&SendQuickPaySmsCodeRequest {
                user_cust_id: user.to_owned(),
                order_id: sms_order.clone(),
                order_date: today.clone(),
                trans_amt: pay_amount,
                card_no: CARD_NO.into(),
                card_mobile: MOBILE.into(),
                card_prov: None,
                card_area: None,
                in_cust_id: None,
                div_detail: None,
                trans_type: None,
                bg_ret_url: env.notify_url(HUIFU_SMS_PATH),
                mer_priv: None,
                payer_term_type: None,
                payer_term_no: None,
                goods_short_name: None,
                extra: Default::default(),
            })
            .await?;
        expect_code(&r, &RespCode::Success)?;
        Ok((
            (),
            format!(
                "order {sms_order}, {pay_amount} yuan ({} fen): code sent to 138****5678",
                pay_amount.fen()
            ),
        ))
    })
    .await?;

    let pay_order = format!("{}Q", env.run_id);
    step("quick pay: confirm with the code (quick_pay)", async {
        env.receiver.expect_huifu(&pay_order, QueryTransType::Pay);
        let r = client
            .quick_pay(&QuickPayRequest {
                user_cust_id: user.to_owned(),
                order_id: pay_order.clone(),
                order_date: today.clone(),
                ori_order_id: sms_order.clone(),
                ori_order_date: today.clone(),
                sms_code: cred::SMS_CODE.into(),
                ret_url: None,
                request_type: None,
                bg_ret_url: bg_ret_url.to_owned(),
                mer_priv: None,
                secondary_mer_id: None,
                extra: Default::default(),
            })
            .await?;
        let code = present("resp_code", r.resp_code.as_ref())?;
        if !matches!(code, RespCode::Success | RespCode::Processing) {
            return Err(StepError::check(format!(
                "resp_code: expected C00000 or C00001, got {code}"
            )));
        }
        if let Some(amt) = r.trans_amt {
            expect_eq("trans_amt (fen)", &pay_amount.fen(), &amt.fen())?;
        }
        Ok((
            (),
            format!(
                "order {pay_order}: {code} ({}), the result comes by callback",
                code.description()
            ),
        ))
    })
    .await?;

    let pay_confirmed = step("quick pay callback decoded and confirmed", async {
        let e = env
            .receiver
            .huifu_events
            .wait(&pay_order, super::STEP_TIMEOUT, |e| e.order_id == pay_order)
            .await?;
        check_callback(&e, &pay_order, &QueryTransType::Pay, pay_amount)?;
        env.ledger
            .book(Provider::Huifu, &pay_order, pay_amount, TxStatus::Succeeded);
        Ok((
            (),
            format!(
                "check_value decoded by unsgin, confirmed by order_query: trans_stat {}, {} fen",
                TransStat::Succeeded,
                pay_amount.fen()
            ),
        ))
    })
    .await;
    Ok(pay_confirmed)
}

/// A withdrawal of part of `user`'s balance to the bound card `card_id`: `Err` when it is
/// refused, otherwise `Ok` with the outcome of its callback's confirmation.
async fn withdrawal(
    env: &Env,
    user: &str,
    card_id: &str,
    bg_ret_url: &str,
) -> Result<Result<(), StepError>, StepError> {
    let client = &env.clients.huifu;
    let today = client.today();
    let cash_order = format!("{}W", env.run_id);
    let cash_amount = Money::from_fen(50_000);
    step("withdrawal to the bound card", async {
        env.receiver
            .expect_huifu(&cash_order, QueryTransType::Withdrawal);
        let r = client
            .withdrawal(&WithdrawalRequest {
                user_cust_id: user.to_owned(),
                order_id: cash_order.clone(),
                order_date: today.clone(),
                trans_amt: cash_amount,
                cash_bind_card_id: card_id.to_owned(),
                cash_type: CashType::T1,
                fee_obj: Some(FeeObj::User),
                fee_acct_id: None,
                sms_code: None,
                ret_url: None,
                bg_ret_url: bg_ret_url.to_owned(),
                mer_priv: None,
                extra: Default::default(),
            })
            .await?;
        let code = present("resp_code", r.resp_code.as_ref())?;
        if code.as_str().is_empty() {
            return Err(StepError::check("resp_code: empty"));
        }
        if r.trans_stat.as_ref() == Some(&TransStat::Failed) {
            return Err(StepError::check(
                "trans_stat: the withdrawal failed at once",
            ));
        }
        Ok((
            (),
            format!(
                "order {cash_order}, {cash_amount} yuan ({} fen), T+1: {code} ({})",
                cash_amount.fen(),
                code.description()
            ),
        ))
    })
    .await?;

    let cash_confirmed = step("withdrawal callback decoded and confirmed", async {
        let e = env
            .receiver
            .huifu_events
            .wait(&cash_order, super::STEP_TIMEOUT, |e| {
                e.order_id == cash_order
            })
            .await?;
        check_callback(&e, &cash_order, &QueryTransType::Withdrawal, cash_amount)?;
        env.ledger.book(
            Provider::Huifu,
            &cash_order,
            cash_amount,
            TxStatus::Succeeded,
        );
        Ok((
            (),
            format!(
                "confirmed by order_query: trans_stat {}, {} fen",
                TransStat::Succeeded,
                cash_amount.fen()
            ),
        ))
    })
    .await;
    Ok(cash_confirmed)
}

async fn flow(env: &Env) -> Result<(), StepError> {
    let client = &env.clients.huifu;
    let today = client.today();
    let bg_ret_url = env.notify_url(HUIFU_PATH);
    let id = |suffix: &str| format!("{}{suffix}", env.run_id);

    let user = step("open a personal account (person_opening)", async {
        let r = client
            .person_opening(&PersonOpeningRequest {
                order_id: id("U"),
                order_date: today.clone(),
                user_name: "张三".into(),
                cert_id: "11010519491231002X".into(),
                user_mobile: MOBILE.into(),
                vali_date: "20391231".into(),
                cust_prov: None,
                cust_area: None,
                cust_address: None,
                occupation: None,
                user_email: None,
                bg_ret_url: bg_ret_url.clone(),
                mer_priv: None,
                extra: Default::default(),
            })
            .await?;
        expect_code(&r, &RespCode::Success)?;
        let user = present("user_cust_id", r.user_cust_id)?;
        let detail = format!("user_cust_id {user}");
        Ok((user, detail))
    })
    .await?;

    let card_id = step("bind a debit card (bind_bank_card)", async {
        let r = client
            .bind_bank_card(&BindBankCardRequest {
                user_cust_id: user.clone(),
                order_id: id("B"),
                order_date: today.clone(),
                bank_id: "03080000".into(),
                card_no: CARD_NO.into(),
                dc_flag: DcFlag::Debit,
                card_prov: "0031".into(),
                card_area: "3100".into(),
                card_mobile: MOBILE.into(),
                bg_ret_url: bg_ret_url.clone(),
                mer_priv: None,
                extra: Default::default(),
            })
            .await?;
        expect_code(&r, &RespCode::Success)?;
        let card_id = present("card_id", r.card_id.as_ref().map(|c| c.expose().to_owned()))?;
        let detail = format!("招商银行 card 6225********5555, card_id {card_id}");
        Ok((card_id, detail))
    })
    .await?;

    let pay_confirmed = quick_pay(env, &user, &bg_ret_url).await?;

    // The withdrawal does not depend on the callback (the user's balance covers it): it runs
    // either way, and a failed confirmation above still fails the flow below.
    let cash_confirmed = withdrawal(env, &user, &card_id, &bg_ret_url).await?;
    pay_confirmed.and(cash_confirmed)
}

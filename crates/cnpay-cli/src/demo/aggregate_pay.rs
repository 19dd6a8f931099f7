//! The aggregate gateway's flows: a pay order (create → notification → query) and a payout
//! (create → notification → query).

use std::time::Duration;

use cnpay::aggregate_pay::{
    AccountAttr, AccountType, BankCode, Client, Config, CreateOrderRequest, Notification,
    PayNotification, PayStatus, ProductId, QueryOrderRequest, TransNotification, TransOrderRequest,
    TransQueryRequest, TransStatus,
};
use pay_core::{Error, Money, PaymentAction};
use pay_sandbox::credentials::aggregate as cred;

use super::receiver::AGGREGATE_PATH;
use super::{Env, StepError, Table, expect_eq, step};

const PROVIDER: &str = "aggregate-pay";

/// The client for the simulator at `base_url`, with the sandbox's test merchant.
pub(super) fn client(base_url: &str) -> Result<Client, Error> {
    Client::new(
        Config::builder(
            cred::MCH_ID,
            cred::APP_ID,
            cred::REQUEST_KEY,
            cred::RESPONSE_KEY,
        )
        .base_url(base_url)
        .timeout(Duration::from_secs(5))
        .build()?,
    )
}

/// Runs the aggregate gateway's flows.
pub(super) async fn run(env: &Env, table: &mut Table) {
    table
        .flow(PROVIDER, "pay order -> notification -> query", pay(env))
        .await;
    table
        .flow(PROVIDER, "payout -> notification -> query", payout(env))
        .await;
}

fn describe_action(a: &PaymentAction) -> String {
    match a {
        PaymentAction::Redirect { url } => format!("send the payer to {url}"),
        PaymentAction::FormPost { url, fields } => {
            format!("POST {} fields to {url}", fields.len())
        }
        PaymentAction::Code { code } => format!("enter the code {code}"),
        PaymentAction::None => "nothing for the payer to do".to_owned(),
        _ => "see payParams".to_owned(),
    }
}

async fn pay(env: &Env) -> Result<(), StepError> {
    let client = &env.clients.aggregate;
    let mch_order_no = format!("{}P", env.run_id);
    // Fen ending in 33: the simulated gateway follows the paid notice (status 2) with its
    // completion notice (status 3), the same payment, which the inbox must not credit again.
    let amount = Money::from_fen(12_333);
    let order = CreateOrderRequest::new(
        mch_order_no.clone(),
        ProductId::AlipayQyQr,
        amount,
        env.notify_url(AGGREGATE_PATH),
        "cnpay demo",
        "a pay order from cnpay demo",
    )
    .client_ip("127.0.0.1");

    let pay_order_id = step("create pay order", async {
        let created = client.create_order(&order).await?;
        if created.pay_order_id.is_empty() {
            return Err(StepError::check("payOrderId: empty in the answer"));
        }
        let detail = format!(
            "mchOrderNo {mch_order_no}, {amount} yuan ({} fen), payOrderId {}; {}",
            amount.fen(),
            created.pay_order_id,
            describe_action(&created.action())
        );
        Ok((created.pay_order_id, detail))
    })
    .await?;

    step("pay notification verified", async {
        let event = env
            .receiver
            .aggregate_events
            .wait(&mch_order_no, super::STEP_TIMEOUT, |e| {
                matches!(e, Notification::Pay(p)
                    if p.mch_order_no == mch_order_no
                        && !matches!(p.status, PayStatus::Created | PayStatus::Paying))
            })
            .await?;
        let Notification::Pay(p) = event else {
            return Err(StepError::check("expected a pay notification"));
        };
        check_pay_notification(&p, &pay_order_id, amount)?;
        Ok((
            (),
            format!(
                "POST signed by the gateway, verified with the response key: status {} ({}), {} fen, payOrderId {}; answered `success`",
                p.status,
                p.status.description(),
                p.amount.fen(),
                p.pay_order_id
            ),
        ))
    })
    .await?;

    step("completion notice refused as a duplicate", async {
        let key = format!("aggregate-pay:payment:succeeded:{mch_order_no}");
        let dup = env
            .receiver
            .duplicates
            .wait(&mch_order_no, super::STEP_TIMEOUT, |k| *k == key)
            .await?;
        Ok((
            (),
            format!(
                "status 3 (业务处理完成) is the same business event `{dup}`: answered `success`, not credited again"
            ),
        ))
    })
    .await?;

    step("query pay order", async {
        let o = client
            .query_order(&QueryOrderRequest::by_mch_order_no(mch_order_no.clone()))
            .await?;
        expect_eq("mchOrderNo", mch_order_no.as_str(), o.mch_order_no.as_str())?;
        expect_eq("payOrderId", pay_order_id.as_str(), o.pay_order_id.as_str())?;
        expect_eq("amount (fen)", &amount.fen(), &o.amount.fen())?;
        if !o.status.is_paid() {
            return Err(StepError::check(format!(
                "status: expected paid (2 or 3), got {} ({})",
                o.status,
                o.status.description()
            )));
        }
        Ok((
            (),
            format!(
                "status {} ({}), {} fen, signed `result` verified",
                o.status,
                o.status.description(),
                o.amount.fen()
            ),
        ))
    })
    .await
}

fn check_pay_notification(
    p: &PayNotification,
    pay_order_id: &str,
    amount: Money,
) -> Result<(), StepError> {
    expect_eq("mchId", cred::MCH_ID, p.mch_id.as_str())?;
    expect_eq("payOrderId", pay_order_id, p.pay_order_id.as_str())?;
    expect_eq("amount (fen)", &amount.fen(), &p.amount.fen())?;
    if !p.status.is_paid() {
        return Err(StepError::check(format!(
            "status: expected paid (2 or 3), got {} ({})",
            p.status,
            p.status.description()
        )));
    }
    Ok(())
}

async fn payout(env: &Env) -> Result<(), StepError> {
    let client = &env.clients.aggregate;
    let no = format!("{}T", env.run_id);
    let amount = Money::from_fen(50_000);
    let request = TransOrderRequest::new(
        no.clone(),
        amount,
        env.notify_url(AGGREGATE_PATH),
        BankCode::ChinaMerchantsBank,
        "招商银行南京分行",
        AccountType::BankCard,
        "张三",
        "6225880137705555",
        "江苏",
        "南京",
    )
    .account_attr(AccountAttr::Private)
    .client_ip("127.0.0.1");

    let trans_order_id = step("create payout", async {
        let o = client.trans_create_order(&request).await?;
        if o.trans_order_id.is_empty() {
            return Err(StepError::check("transOrderId: empty in the answer"));
        }
        expect_eq("amount (fen)", &amount.fen(), &o.amount.fen())?;
        if o.status == TransStatus::Failed {
            return Err(StepError::check("status: the payout failed at once (3)"));
        }
        let detail = format!(
            "mchTransOrderNo {no}, {amount} yuan to 招商银行 card 6225********5555, transOrderId {}, status {} ({})",
            o.trans_order_id,
            o.status,
            o.status.description()
        );
        Ok((o.trans_order_id, detail))
    })
    .await?;

    step("payout notification verified", async {
        let event = env
            .receiver
            .aggregate_events
            .wait(&no, super::STEP_TIMEOUT, |e| {
                matches!(e, Notification::Trans(t)
                    if t.mch_trans_order_no == no
                        && matches!(t.status, TransStatus::Succeeded | TransStatus::Failed))
            })
            .await?;
        let Notification::Trans(t) = event else {
            return Err(StepError::check("expected a payout notification"));
        };
        check_trans_notification(&t, &trans_order_id, amount)?;
        Ok((
            (),
            format!(
                "GET with signed query parameters, verified: status {} ({}), {} fen; answered `success`",
                t.status,
                t.status.description(),
                t.amount.fen()
            ),
        ))
    })
    .await?;

    step("query payout", async {
        let o = client
            .trans_query_order(&TransQueryRequest::by_mch_trans_order_no(no.clone()))
            .await?;
        expect_eq(
            "transOrderId",
            trans_order_id.as_str(),
            o.trans_order_id.as_str(),
        )?;
        expect_eq("amount (fen)", &amount.fen(), &o.amount.fen())?;
        expect_eq("status", &TransStatus::Succeeded, &o.status)?;
        Ok((
            (),
            format!(
                "status {} ({}), {} fen",
                o.status,
                o.status.description(),
                o.amount.fen()
            ),
        ))
    })
    .await
}

fn check_trans_notification(
    t: &TransNotification,
    trans_order_id: &str,
    amount: Money,
) -> Result<(), StepError> {
    expect_eq("mchId", cred::MCH_ID, t.mch_id.as_str())?;
    expect_eq("transOrderId", trans_order_id, t.trans_order_id.as_str())?;
    expect_eq("amount (fen)", &amount.fen(), &t.amount.fen())?;
    expect_eq("status", &TransStatus::Succeeded, &t.status)
}

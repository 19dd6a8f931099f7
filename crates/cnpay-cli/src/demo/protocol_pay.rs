//! Protocol pay's flow: a protocol, a POS pay-in with its notification 9 (paid) and 10 (funds
//! arrived), then a pay-out with its notification 11 and the pay-out query.
//!
//! As a merchant should, the demo gives each notification kind its own URL (the receiver's
//! `/notify/protocol-pay/{pay-result,funds-arrived,payout}`), each read by an inbox on
//! `Client::notifications(kind)`: a funds-arrived notification (§10) carries the same fields as
//! a pay result resent after it, so only its declared endpoint can tell them apart.

use std::time::Duration;

use cnpay::protocol_pay::{
    ArrivedStatus, BankAccount, CashierType, Client, Config, CreateProtocolRequest,
    NotificationKind, OutType, OutpayRequest, OutqueryRequest, PayStatus, PrepayRequest,
    ProdCatalog,
};
use pay_core::{Error, Money, PaymentAction};
use pay_sandbox::credentials::protocol as cred;

use super::receiver::PROTOCOL_PATH;
use super::{Env, StepError, Table, expect_eq, present, step};

const PROVIDER: &str = "protocol-pay";

/// The client for the simulator at `base_url`, with the sandbox's test business system.
pub(super) fn client(base_url: &str) -> Result<Client, Error> {
    Client::new(
        Config::builder(cred::APP_ID, cred::KEY)
            .base_url(base_url)
            .timeout(Duration::from_secs(5))
            .build()?,
    )
}

/// Runs protocol pay's flow.
pub(super) async fn run(env: &Env, table: &mut Table) {
    table
        .flow(
            PROVIDER,
            "protocol -> POS pay-in -> notification 9 -> arrived -> pay-out -> 11 -> query",
            flow(env),
        )
        .await;
}

fn money(what: &str, m: Option<Money>) -> Result<Money, StepError> {
    present(what, m)
}

/// The pay-in of `trans_no` (a POS code), and its notifications 9 and 10.
async fn pay_in(
    env: &Env,
    trans_no: &str,
    notify_url: String,
    arrived_url: String,
) -> Result<(), StepError> {
    let client = &env.clients.protocol;
    // The pay-in: the payer enters a six-digit code on a POS terminal.
    let pay_in_no = client.new_out_req_no();
    let pay_in_amount = Money::from_fen(1_000_050);
    step("POS pay-in (prepay)", async {
        let mut request = PrepayRequest::new(
            trans_no,
            pay_in_no.clone(),
            pay_in_amount,
            notify_url.clone(),
            ProdCatalog::DebitOnly,
        );
        request.out_arrived_notify_url = Some(arrived_url.clone());
        let o = client.prepay(&request).await?;
        expect_eq("outReqNo", pay_in_no.as_str(), o.out_req_no.as_str())?;
        expect_eq("payStatus", &PayStatus::Unpaid, &o.pay_status)?;
        if let Some(a) = o.amount {
            expect_eq("amount (fen)", &pay_in_amount.fen(), &a.fen())?;
        }
        let code = match o.action() {
            Some(PaymentAction::Code { code }) => code,
            other => {
                return Err(StepError::check(format!(
                    "expected a POS code to enter, got {other:?}"
                )));
            }
        };
        Ok((
            (),
            format!(
                "outReqNo {pay_in_no}, {pay_in_amount} yuan ({} fen), payStatus {}: enter {code} on the POS terminal",
                pay_in_amount.fen(),
                o.pay_status
            ),
        ))
    })
    .await?;

    step("notification 9 (pay result) verified", async {
        let n = env
            .receiver
            .protocol_events
            .wait(&pay_in_no, super::STEP_TIMEOUT, |n| {
                n.kind == NotificationKind::PayResult && n.pay_status().is_final()
            })
            .await?;
        let o = present("data", n.pay_in())?;
        expect_eq("payStatus", &PayStatus::Success, &o.pay_status)?;
        let amount = money("amount", o.amount)?;
        expect_eq("amount (fen)", &pay_in_amount.fen(), &amount.fen())?;
        if let Some(t) = &o.trans_no {
            expect_eq("transNo", trans_no, t.as_str())?;
        }
        Ok((
            (),
            format!(
                "envelope sign verified over its exact data: payStatus {}, {} fen; answered `SUCCESS`",
                o.pay_status,
                amount.fen()
            ),
        ))
    })
    .await?;

    step("notification 10 (funds arrived) verified", async {
        let n = env
            .receiver
            .protocol_events
            .wait(&pay_in_no, super::STEP_TIMEOUT, |n| {
                n.kind == NotificationKind::FundsArrived
            })
            .await?;
        let o = present("data", n.pay_in())?;
        let arrived = present("arrivedStatus", o.arrived_status.clone())?;
        expect_eq("arrivedStatus", &ArrivedStatus::Arrived, &arrived)?;
        let amount = money("amount", o.amount)?;
        expect_eq("amount (fen)", &pay_in_amount.fen(), &amount.fen())?;
        let t = n.to_transition();
        Ok((
            (),
            format!(
                "at its own endpoint: arrivedStatus {} ({}), {} fen now available; a new event `{}`",
                ArrivedStatus::Arrived,
                ArrivedStatus::Arrived.description(),
                amount.fen(),
                t.dedup_key()
            ),
        ))
    })
    .await?;
    Ok(())
}

/// A pay-out of part of `trans_no`'s funds, its notification 11, and its query.
async fn pay_out(env: &Env, trans_no: &str, payout_url: String) -> Result<(), StepError> {
    let client = &env.clients.protocol;
    // The pay-out of part of the funds to the seller's bank account.
    let pay_out_no = client.new_out_req_no();
    let pay_out_amount = Money::from_fen(300_000);
    step("pay-out (outpay)", async {
        let request = OutpayRequest::new(
            OutType::Out,
            trans_no,
            pay_out_no.clone(),
            pay_out_amount,
            payout_url.clone(),
            BankAccount::new(
                "李四".into(),
                "6225880137705555".into(),
                "招商银行北京海淀支行",
                "308100005027",
            ),
        );
        let o = client.outpay(&request).await?;
        expect_eq("outReqNo", pay_out_no.as_str(), o.out_req_no.as_str())?;
        if o.pay_status == PayStatus::Failure {
            return Err(StepError::check("payStatus: the pay-out failed at once"));
        }
        Ok((
            (),
            format!(
                "outReqNo {pay_out_no}, {pay_out_amount} yuan ({} fen) to 李四 at 招商银行 (CNAPS 308100005027), payStatus {}",
                pay_out_amount.fen(),
                o.pay_status
            ),
        ))
    })
    .await?;

    step("notification 11 (pay-out arrived) verified", async {
        let n = env
            .receiver
            .protocol_events
            .wait(&pay_out_no, super::STEP_TIMEOUT, |n| {
                n.kind == NotificationKind::PayoutArrived && n.pay_status().is_final()
            })
            .await?;
        let o = present("data", n.pay_out())?;
        expect_eq("payStatus", &PayStatus::Success, &o.pay_status)?;
        let amount = money("amount", o.amount)?;
        expect_eq("amount (fen)", &pay_out_amount.fen(), &amount.fen())?;
        Ok((
            (),
            format!(
                "payStatus {}, {} fen; answered `SUCCESS`",
                o.pay_status,
                amount.fen()
            ),
        ))
    })
    .await?;

    step("query pay-out (outquery)", async {
        let o = client.outquery(&OutqueryRequest::new(&pay_out_no)).await?;
        expect_eq("outReqNo", pay_out_no.as_str(), o.out_req_no.as_str())?;
        expect_eq("payStatus", &PayStatus::Success, &o.pay_status)?;
        let amount = money("amount", o.amount)?;
        expect_eq("amount (fen)", &pay_out_amount.fen(), &amount.fen())?;
        Ok((
            (),
            format!("payStatus {}, {} fen", o.pay_status, amount.fen()),
        ))
    })
    .await
}

async fn flow(env: &Env) -> Result<(), StepError> {
    let client = &env.clients.protocol;
    let notify_url = env.notify_url(&format!("{PROTOCOL_PATH}/pay-result"));
    let arrived_url = env.notify_url(&format!("{PROTOCOL_PATH}/funds-arrived"));
    let payout_url = env.notify_url(&format!("{PROTOCOL_PATH}/payout"));

    let trans_no = step("create protocol", async {
        let p = client
            .create_protocol(&CreateProtocolRequest::new(
                "cnpay demo: 房屋交易资金监管",
                cred::BUSINESS_ID,
                CashierType::Pos,
            ))
            .await?;
        if p.trans_no.is_empty() {
            return Err(StepError::check("transNo: empty in the answer"));
        }
        let detail = format!(
            "transNo {} for business {}, POS cashier",
            p.trans_no,
            cred::BUSINESS_ID
        );
        Ok((p.trans_no, detail))
    })
    .await?;

    pay_in(env, &trans_no, notify_url, arrived_url).await?;
    pay_out(env, &trans_no, payout_url).await
}

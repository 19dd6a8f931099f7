//! Huifu hfpay behind a ShopEx Prism-style gateway: OAuth token, merchant opening, users, cards,
//! quick pay, balance pay, refunds, withdrawals, queries, `unsgin` and the `bg_ret_url`
//! callbacks.
//!
//! Authentication, as a Prism gateway: the app's credentials on every request, either the Prism
//! request signature (`client_id`, `sign_method=md5`, `sign_time`, `sign` in the query; see
//! [`crate::prism`]) or `client_id` + `client_secret` query parameters; a user's
//! `Authorization: Bearer` token (from `POST /oauth/token`) only ON TOP of them, never alone,
//! and covered by the sign; a failure is HTTP 401
//! `{"result":"error","error":{"code","message"}}`. Bodies are form-encoded (JSON and multipart
//! accepted).
//!
//! Prism's OAuth (prism-php `src/Oauth.php`): `GET /oauth/authorize` (`response_type=code`,
//! `client_id`, `redirect_uri`) consents at once and redirects back with a `code`;
//! `POST /oauth/token` exchanges it (`grant_type=authorization_code`) or a refresh token
//! (`grant_type=refresh_token`; each works once) for an access token that expires after
//! [`auth::TOKEN_TTL_SECS`]; `POST /platform/oauth/session_check` answers whether a `session_id` is
//! open. The token and session requests need the app's credentials like any other. A test
//! hook, `POST` [`auth::EXPIRE_TOKENS_ROUTE`], expires every access token at once.
//!
//! The simulator serves plain HTTP only, and still takes `client_secret` in the query there,
//! although a Prism app sends it only over HTTPS (the `huifu` client refuses to send it on an
//! `http://` base URL and signs instead). That is a leniency of the simulator, kept on purpose
//! for hand-written requests (curl, the simulator's own tests) that need no signing code. It
//! weakens no check of the sign: a request that carries `sign`, `sign_method` or `sign_time` is
//! judged by its Prism sign, never by a `client_secret` sent along.
//!
//! Answers are HTTP 200 JSON with `resp_code` (`C00000` success, `C00001` processing,
//! `C00002` accepted, others errors) and `resp_desc`, plus the echoed and result fields.
//!
//! # Layout
//!
//! [`auth`] (the gateway's credentials and OAuth), [`request`] (reading bodies, single-field
//! checks, the answer), [`rules`] (every rule the spec states of a field, and nothing the spec
//! does not), [`ledger`] (accounts, orders, their money), one module of handlers per API area
//! ([`opening`], [`cards`], [`pay`], [`guarantee`], [`refund`], [`withdrawal`], [`query`]),
//! [`callbacks`] (deciding orders, `bg_ret_url` callbacks, `unsgin`) and [`statements`] (the
//! statement file). [`ROUTES`] maps each operation to its handler.
//!
//! Every request whose spec gives a `bg_ret_url` is called back there: openings, card binding
//! and unbinding, sub-accounts, ID card uploads, the quick pay SMS request, and every trade.
//!
//! # Balances
//!
//! Every account (each opened user, and the merchant `mer_cust_id` itself) has an available
//! and a frozen balance; `balance_query` answers `avl_balance`, `frz_balance` and their sum
//! `acct_balance`. The spec lists parameters only; the readings below follow its field
//! descriptions and are the simulator's where it is silent. Money is integer fen throughout.
//!
//! - **Pays.** A balance pay (`balance_pay`: 买家 `out_cust_id` → 卖家 `in_cust_id`) draws on
//!   the buyer's available balance at once (`C10006` if short). A quick or app pay is paid by
//!   card or wallet, from outside: nothing is drawn, and when it succeeds (after the status
//!   delay) its money is credited: the `div_detail` shares (分账串) to their accounts, the rest
//!   to `in_cust_id` (入账客户号), or without one to the paying user (a top-up).
//! - **Guarantee (担保).** `balance_pay` `trans_type=1`, `app_pay` / `send_quick_pay_sms_code`
//!   `trans_type=guarantee`: the money is held by the platform (shown as the merchant's frozen
//!   balance) instead of credited. `order_affirm` (订单确认; `old_order_id` "担保交易订单号")
//!   releases `trans_amt` of it to the seller, `order_reverse` (订单撤销) returns it to the
//!   buyer (to the balance it was drawn on; a card or wallet payment goes back to the card,
//!   outside the simulator). Both must name the trade's seller and buyer (`in_cust_id` 卖家编号,
//!   `out_cust_id` 买家编号; `C10001`). Partial amounts are allowed and draw the held amount
//!   down; once nothing is held (confirmed, reversed or split in full) every further
//!   `order_affirm` / `order_reverse` / `fz` is `C10011`.
//! - **Split (`fz`, 分账).** The spec's `fz` is a split by `div_detail` of a trade's money,
//!   the counterpart of `app_pay` `div_type=01` (延时分账): such a pay is held like a
//!   guarantee, and `fz` pays `trans_amt` of it out to the `div_detail` accounts (the part not
//!   listed to the trade's seller, else to the merchant). A guarantee can be split the same way.
//!   `fz` of a trade that holds nothing to split is `C10004`.
//! - **Refunds (退款).** See [`refund::refund`]: taken back from the accounts the pay was delivered to
//!   (frozen while the refund is in flight), returned to the payer; in total at most what was
//!   paid and delivered; a failed refund may be sent again with the same `order_id` and amount.
//! - **Withdrawals (提现).** The amount is frozen when accepted, leaves when the bank succeeds
//!   and is unfrozen if it fails. No fee is charged.
//! - **Repeats.** An `order_id` + `order_date` used before is `C10003` and moves nothing, for
//!   every operation (except a failed refund's retry). Checks come before any money moves, and
//!   each operation's status and balances change together under one lock.
//! - **Unknown originals.** An `old_order_id` / `org_order_id` that is no pay, or not a
//!   successful one (unknown, in progress, failed), is `C10004`.
//!
//! # Answers without `trans_stat` (on request)
//!
//! An order whose `trans_amt` ends in `.33` yuan (see [`query::bare_answers`]) is answered as some
//! gateways do: `order_query` says `C00000` (the query succeeded) with no `trans_stat`, and an
//! `app_pay` is accepted with `C00000` and no `trans_stat` either. Nothing in such an answer says
//! where the order stands, so a client must read it as processing, never as paid. The order
//! itself runs as any other (it succeeds, and its callback says so).
//!
//! # Queries
//!
//! `order_query` finds an order by `order_id` + `order_date` **and** its kind: `trans_type` is
//! required and must be the order's (see [`query::query_kind`]), and `user_cust_id` must be the

mod auth;
mod callbacks;
mod cards;
mod guarantee;
mod ledger;
mod opening;
mod pay;
mod query;
mod refund;
mod request;
mod rules;
mod statements;
mod withdrawal;

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use pay_core::Money;

use crate::common::{Ctx, parse_form};
use crate::credentials::huifu as cred;
pub(crate) use ledger::State;
use request::{Body, Incoming, err, parse_body};

/// Success.
pub(crate) const OK: &str = "C00000";
/// Processing: the result comes by callback.
pub(crate) const PROCESSING: &str = "C00001";
/// Accepted: the result comes by callback.
pub(crate) const ACCEPTED: &str = "C00002";
/// A parameter is missing or malformed.
pub(crate) const ERR_PARAM: &str = "C10001";
/// Unknown `mer_cust_id`.
pub(crate) const ERR_MERCHANT: &str = "C10002";
/// `order_id` + `order_date` used before.
pub(crate) const ERR_DUPLICATE: &str = "C10003";
/// No such order.
pub(crate) const ERR_NOT_FOUND: &str = "C10004";
/// No such user.
pub(crate) const ERR_USER: &str = "C10005";
/// Balance too low.
pub(crate) const ERR_FUNDS: &str = "C10006";
/// Wrong SMS code.
pub(crate) const ERR_SMS: &str = "C10007";
/// No such bank card.
pub(crate) const ERR_CARD: &str = "C10008";
/// `unsgin`: a check value the sandbox did not issue.
pub(crate) const ERR_UNSIGN: &str = "C10009";

/// `fz`, `order_affirm` or `order_reverse`: the original trade holds less than `trans_amt`
/// (settled already, in full or in part). A code of the sandbox's own: the spec lists none.
pub(crate) const ERR_SETTLED: &str = "C10011";

/// The largest `trans_amt` the simulator accepts (100 000 000.00 yuan), so that no balance can
/// come near `i64::MAX` fen. The spec gives no limit.
const MAX_AMOUNT: Money = Money::from_fen(10_000_000_000);

/// `order_id` + `order_date`.
type Key = (String, String);

/// A request's fields by wire name (JSON values as their text; file parts by their file name).
type Fields = BTreeMap<String, String>;

pub(crate) fn router(ctx: Arc<Ctx>) -> axum::Router {
    axum::Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::common::MAX_BODY,
        ))
        .with_state(ctx)
}

/// An API operation: its checks, its effect on the ledger, its answer (`Err` is a refusal).
type Handler = fn(&Arc<Ctx>, &Fields) -> Result<Response, Response>;

/// Every operation under `/api/hfpay/v1/merchant/` and `/api/hfpay/v1/trade/`, by name.
const ROUTES: &[(&str, Handler)] = &[
    ("person_opening", opening::person_opening),
    ("business_opening", |ctx, f| {
        opening::merchant_opening(ctx, "business_opening", f)
    }),
    ("merchant_opening", |ctx, f| {
        opening::merchant_opening(ctx, "merchant_opening", f)
    }),
    ("agent_merchant_opening", |ctx, f| {
        opening::merchant_opening(ctx, "agent_merchant_opening", f)
    }),
    ("sub_merchant_create", opening::sub_merchant_create),
    ("send_sms_code", opening::send_sms_code),
    ("upload_card", |ctx, f| {
        opening::upload(ctx, "upload_card", f)
    }),
    ("upload_agent_file", |ctx, f| {
        opening::upload(ctx, "upload_agent_file", f)
    }),
    ("upload_merchant_file", |ctx, f| {
        opening::upload(ctx, "upload_merchant_file", f)
    }),
    ("bind_bank_card", cards::bind_bank_card),
    ("untie_bank_card", cards::untie_bank_card),
    ("balance_query", query::balance_query),
    ("order_query", query::order_query),
    ("order_download", statements::order_download),
    ("send_quick_pay_sms_code", pay::send_quick_pay_sms_code),
    ("quick_pay", pay::quick_pay),
    ("app_pay", pay::app_pay),
    ("balance_pay", pay::balance_pay),
    ("fz", guarantee::fz),
    ("order_affirm", |ctx, f| {
        guarantee::affirm_or_reverse(ctx, "order_affirm", f)
    }),
    ("order_reverse", |ctx, f| {
        guarantee::affirm_or_reverse(ctx, "order_reverse", f)
    }),
    ("refund", refund::refund),
    ("withdrawal", withdrawal::withdrawal),
    ("unsgin", callbacks::unsgin),
];

/// The card BIN check, `GET …/bank_check/card/{card}`.
const BANK_CHECK_PREFIX: &str = "/api/hfpay/app/bank_check/card/";

async fn handle(
    Extract(ctx): Extract<Arc<Ctx>>,
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Bytes,
) -> Response {
    let req = Incoming {
        route: crate::common::route_of(uri.path()),
        query: parse_form(uri.query().unwrap_or_default().as_bytes()),
        method,
        uri,
        headers,
        body,
    };
    if let Some(answer) = auth::gateway_route(&ctx, &req) {
        return answer;
    }
    if let Some(rest) = req.route.strip_prefix("/sandbox/files/") {
        ctx.record(&req.route, None);
        return statements::download(&ctx, rest);
    }
    api(&ctx, &req)
}

/// An API request: authenticated, then the BIN check or an operation of [`ROUTES`].
fn api(ctx: &Arc<Ctx>, req: &Incoming) -> Response {
    let route = req.route.as_str();
    let get = req.method == http::Method::GET;
    let op = if let Some(card) = route.strip_prefix(BANK_CHECK_PREFIX) {
        if !get {
            return (http::StatusCode::METHOD_NOT_ALLOWED, "use GET").into_response();
        }
        Some(("bank_check", card))
    } else {
        route
            .strip_prefix("/api/hfpay/v1/merchant/")
            .or_else(|| route.strip_prefix("/api/hfpay/v1/trade/"))
            .map(|name| (name, ""))
    };
    let Some((op, card)) = op else {
        ctx.record(route, None);
        return (http::StatusCode::NOT_FOUND, "no such route").into_response();
    };
    let parsed = if get {
        Body::default()
    } else {
        parse_body(&req.headers, &req.body)
    };
    let f = if get { &req.query } else { &parsed.fields };
    ctx.record(route, f.get("order_id").map(String::as_str));
    if let Err(r) = auth::authenticate(ctx, &req.signed(&parsed.signed), &req.query) {
        return r;
    }
    if op == "bank_check" {
        return cards::bank_check(card);
    }
    if req.method != http::Method::POST {
        return (http::StatusCode::METHOD_NOT_ALLOWED, "use POST").into_response();
    }
    let Some(handler) = ROUTES.iter().find(|(name, _)| *name == op).map(|r| r.1) else {
        return (http::StatusCode::NOT_FOUND, "no such route").into_response();
    };
    if f.get("mer_cust_id").map(String::as_str) != Some(cred::MER_CUST_ID) {
        return err(ERR_MERCHANT, "商户客户号不存在 (mer_cust_id unknown)", f);
    }
    dispatch(ctx, handler, f)
}

/// Checks what every operation shares (a `bg_ret_url` the sandbox may call), then runs it.
fn dispatch(ctx: &Arc<Ctx>, handler: Handler, f: &Fields) -> Response {
    if let Some(url) = f.get("bg_ret_url").filter(|u| !u.is_empty())
        && let Err(why) = ctx.check_notify_url(url)
    {
        return err(ERR_PARAM, &format!("参数错误: bg_ret_url {why}"), f);
    }
    handler(ctx, f).unwrap_or_else(|r| r)
}

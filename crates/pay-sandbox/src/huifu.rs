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
//! [`TOKEN_TTL_SECS`]; `POST /platform/oauth/session_check` answers whether a `session_id` is
//! open. The token and session requests need the app's credentials like any other. A test
//! hook, `POST` [`EXPIRE_TOKENS_ROUTE`], expires every access token at once.
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
//! - **Refunds (退款).** See [`refund`]: taken back from the accounts the pay was delivered to
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
//! An order whose `trans_amt` ends in `.33` yuan (see [`bare_answers`]) is answered as some
//! gateways do: `order_query` says `C00000` (the query succeeded) with no `trans_stat`, and an
//! `app_pay` is accepted with `C00000` and no `trans_stat` either. Nothing in such an answer says
//! where the order stands, so a client must read it as processing, never as paid. The order
//! itself runs as any other (it succeeds, and its callback says so).
//!
//! # Queries
//!
//! `order_query` finds an order by `order_id` + `order_date` **and** its kind: `trans_type` is
//! required and must be the order's (see [`query_kind`]), and `user_cust_id` must be the
//! order's user or the merchant itself (see [`may_query`]); otherwise the answer is `C10004`,
//! as for an order that does not exist. Callbacks echo the request fields that tell the kind
//! (see [`CALLBACK_ECHOES`]).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use axum::extract::State as Extract;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use pay_core::Money;
use serde_json::{Map, Value, json};

use crate::common::{
    Ctx, json_ok, json_with_status, lock, parse_form, scripted_failure, yuan_two_decimals,
};
use crate::credentials::huifu as cred;
use crate::inspect::OrderSnapshot;
use crate::notify::Outgoing;

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

/// An account: what it may spend (`avl_balance`) and what is frozen in it (`frz_balance`);
/// `acct_balance` is their sum.
#[derive(Debug, Clone, Copy, Default)]
struct Account {
    avl: Money,
    frz: Money,
}

/// Every account the simulator keeps: the opened users and the platform merchant's own.
#[derive(Debug)]
struct Accounts {
    users: HashMap<String, Account>,
    /// The merchant (`mer_cust_id`). Its frozen balance is the money the platform holds for
    /// guarantee and delayed-split trades (see [`Hold`]).
    merchant: Account,
}

/// `a + b`. Cannot saturate in practice: every amount is at most [`MAX_AMOUNT`].
fn plus(a: Money, b: Money) -> Money {
    Money::from_fen(a.fen().saturating_add(b.fen()))
}

/// `a - b`. Callers check `b <= a` first.
fn minus(a: Money, b: Money) -> Money {
    Money::from_fen(a.fen().saturating_sub(b.fen()))
}

fn total<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> Money {
    amounts
        .into_iter()
        .fold(Money::ZERO, |sum, m| plus(sum, *m))
}

impl Accounts {
    fn get(&self, id: &str) -> Option<&Account> {
        if id == cred::MER_CUST_ID {
            Some(&self.merchant)
        } else {
            self.users.get(id)
        }
    }

    fn get_mut(&mut self, id: &str) -> Option<&mut Account> {
        if id == cred::MER_CUST_ID {
            Some(&mut self.merchant)
        } else {
            self.users.get_mut(id)
        }
    }

    fn exists(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// What `id` may spend (zero for an unknown account).
    fn available(&self, id: &str) -> Money {
        self.get(id).map_or(Money::ZERO, |a| a.avl)
    }

    fn credit(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.avl = plus(a.avl, amount);
        }
    }

    /// Takes `amount` out of `id`'s available balance (the caller checked it is there).
    fn debit(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.avl = minus(a.avl, amount);
        }
    }

    /// Moves `amount` from available to frozen (the caller checked it is available).
    fn freeze(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.avl = minus(a.avl, amount);
            a.frz = plus(a.frz, amount);
        }
    }

    /// Moves `amount` from frozen back to available.
    fn unfreeze(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.frz = minus(a.frz, amount);
            a.avl = plus(a.avl, amount);
        }
    }

    /// Takes `amount` out of `id`'s frozen balance: it leaves the account.
    fn take_frozen(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.frz = minus(a.frz, amount);
        }
    }

    /// The platform starts holding `amount` for a trade.
    fn hold(&mut self, amount: Money) {
        self.merchant.frz = plus(self.merchant.frz, amount);
    }

    /// The platform stops holding `amount` (it goes wherever the caller credits it).
    fn unhold(&mut self, amount: Money) {
        self.merchant.frz = minus(self.merchant.frz, amount);
    }
}

#[derive(Debug, Clone)]
struct Card {
    user_cust_id: String,
}

/// Why a pay's money is held by the platform (the merchant's frozen balance) instead of being
/// credited when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hold {
    /// A guarantee (担保) trade: `trans_type=1` of balance pay, `trans_type=guarantee` of app
    /// pay and quick pay. Released by `order_affirm` (to the seller), `order_reverse` (back to
    /// the buyer) or `fz` (split).
    Guarantee,
    /// A delayed split (`div_type=01` of app pay), released by `fz`.
    DelayedSplit,
}

/// Where a pay's money goes when it succeeds.
#[derive(Debug, Clone)]
enum Dest {
    /// Credited to these accounts.
    Credit(Vec<(String, Money)>),
    /// Held by the platform.
    Hold(Hold),
}

/// The money of a pay (quick, app or balance pay).
#[derive(Debug, Clone)]
struct Trade {
    /// The account the pay was drawn on (balance pay): refunds and reverses credit it. `None`
    /// for a card or QR payment: money returned to the payer goes back to the card or wallet,
    /// outside the simulator.
    source: Option<String>,
    /// The buyer (`out_cust_id`, or the paying `user_cust_id`); `order_affirm` and
    /// `order_reverse` must name it as `out_cust_id`.
    buyer: Option<String>,
    /// The seller (`in_cust_id`): `order_affirm` releases to it, and `order_affirm` and
    /// `order_reverse` must name it as `in_cust_id`.
    seller: Option<String>,
    dest: Dest,
    /// What the platform still holds of it.
    held: Money,
    /// What each account received from it (credited, confirmed or split to it): what refunds
    /// may take back.
    delivered: BTreeMap<String, Money>,
}

impl Trade {
    fn hold(&self) -> Option<Hold> {
        match self.dest {
            Dest::Hold(h) => Some(h),
            Dest::Credit(_) => None,
        }
    }

    fn deliver(&mut self, accounts: &mut Accounts, to: &str, amount: Money) {
        accounts.credit(to, amount);
        let d = self.delivered.entry(to.to_owned()).or_insert(Money::ZERO);
        *d = plus(*d, amount);
    }

    /// The pay succeeded: its money goes where `dest` says.
    fn settle(&mut self, accounts: &mut Accounts, amount: Money) {
        match self.dest.clone() {
            Dest::Credit(shares) => {
                for (to, share) in shares {
                    self.deliver(accounts, &to, share);
                }
            }
            Dest::Hold(_) => {
                accounts.hold(amount);
                self.held = amount;
            }
        }
    }
}

/// Money frozen while a refund or a withdrawal is in flight (`I`): when it succeeds the
/// amounts leave the accounts (the total going to `to`, if anywhere in the simulator), when it
/// fails they are unfrozen.
#[derive(Debug, Clone)]
struct Transfer {
    from: Vec<(String, Money)>,
    to: Option<String>,
    /// A failed refund sent again (see [`refund`]).
    retry: bool,
}

#[derive(Debug, Clone)]
struct Order {
    kind: &'static str,
    user_cust_id: String,
    amount: Money,
    status: &'static str,
    platform_seq_id: String,
    /// The order in which the sandbox accepted it.
    seq: u64,
    /// For a refund: the `org_order_id` + `org_order_date` it refunds.
    refund_of: Option<Key>,
    /// For a pay: where its money is.
    trade: Option<Trade>,
    /// For a refund or withdrawal: what it moves.
    transfer: Option<Transfer>,
}

impl Order {
    fn new(
        ctx: &Ctx,
        kind: &'static str,
        user: &str,
        amount: Money,
        status: &'static str,
    ) -> Order {
        Order {
            kind,
            user_cust_id: user.to_owned(),
            amount,
            status,
            platform_seq_id: ctx.next_id("H"),
            seq: ctx.next_seq(),
            refund_of: None,
            trade: None,
            transfer: None,
        }
    }
}

#[derive(Debug, Clone)]
struct PendingQuickPay {
    user_cust_id: String,
    amount: Money,
    /// Where the money goes, decided (and checked) with the SMS request.
    dest: Dest,
    seller: Option<String>,
}

/// Huifu's memory.
#[derive(Debug)]
pub(crate) struct State {
    /// Access tokens and when they expire (unix seconds).
    tokens: HashMap<String, i64>,
    /// Authorization codes not yet exchanged (each works once).
    codes: HashSet<String>,
    /// Refresh tokens not yet used (each works once) and the session each belongs to.
    refresh_tokens: HashMap<String, String>,
    /// Open sessions.
    sessions: HashSet<String>,
    accounts: Accounts,
    cards: HashMap<String, Card>,
    orders: HashMap<Key, Order>,
    pending: HashMap<Key, PendingQuickPay>,
    issued: HashSet<String>,
}

impl Default for State {
    fn default() -> State {
        State {
            tokens: HashMap::new(),
            codes: HashSet::new(),
            refresh_tokens: HashMap::new(),
            sessions: HashSet::new(),
            accounts: Accounts {
                users: HashMap::new(),
                merchant: Account {
                    avl: Money::from_fen(cred::INITIAL_MERCHANT_BALANCE_FEN),
                    frz: Money::ZERO,
                },
            },
            cards: HashMap::new(),
            orders: HashMap::new(),
            pending: HashMap::new(),
            issued: HashSet::new(),
        }
    }
}

impl State {
    pub(crate) fn snapshot(&self, id: &str) -> Option<OrderSnapshot> {
        self.orders
            .iter()
            .filter(|((order_id, _), _)| order_id == id)
            .map(|((order_id, _), o)| OrderSnapshot {
                kind: o.kind.into(),
                merchant_id: order_id.clone(),
                provider_id: o.platform_seq_id.clone(),
                amount: o.amount,
                status: o.status.into(),
                finished: o.status != "I",
            })
            .next()
    }
}

pub(crate) fn router(ctx: Arc<Ctx>) -> axum::Router {
    axum::Router::new()
        .fallback(handle)
        .layer(axum::extract::DefaultBodyLimit::max(
            crate::common::MAX_BODY,
        ))
        .with_state(ctx)
}

fn gateway_error(status: http::StatusCode, code: &str, message: &str) -> Response {
    json_with_status(
        status,
        &json!({"result": "error", "error": {"code": code, "message": message}}),
    )
}

type Fields = BTreeMap<String, String>;

fn reply(code: &str, desc: &str, f: &Fields, extra: Value) -> Response {
    let mut body = Map::new();
    body.insert("resp_code".into(), code.into());
    body.insert("resp_desc".into(), desc.into());
    for echo in [
        "mer_cust_id",
        "user_cust_id",
        "order_id",
        "order_date",
        "trans_amt",
        "mer_priv",
    ] {
        if let Some(v) = f.get(echo).filter(|v| !v.is_empty()) {
            body.insert(echo.into(), v.clone().into());
        }
    }
    if let Value::Object(extra) = extra {
        body.extend(extra);
    }
    json_ok(&Value::Object(body))
}

fn err(code: &str, desc: &str, f: &Fields) -> Response {
    reply(code, desc, f, Value::Null)
}

/// A request body: its fields (JSON values as their text; file parts by their file name) and
/// the text form fields the Prism sign covers (none for a JSON body).
#[derive(Debug, Default)]
struct Body {
    fields: Fields,
    signed: Vec<(String, String)>,
}

/// Parses a form, JSON or multipart body.
fn parse_body(headers: &http::HeaderMap, body: &[u8]) -> Body {
    let ct = headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_ascii_lowercase();
    if ct.starts_with("application/json") {
        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(body) else {
            return Body::default();
        };
        let fields = obj
            .into_iter()
            .map(|(k, v)| match v {
                Value::String(s) => (k, s),
                other => (k, other.to_string()),
            })
            .collect();
        return Body {
            fields,
            signed: Vec::new(),
        };
    }
    if ct.starts_with("multipart/form-data") {
        let Some(parts) = crate::common::multipart_boundary(headers)
            .and_then(|b| crate::common::parse_multipart(body, &b))
        else {
            return Body::default();
        };
        let mut out = Body::default();
        for part in parts {
            match part.filename {
                Some(file) => {
                    out.fields.insert(part.name, file);
                }
                None => {
                    let value = String::from_utf8_lossy(&part.data).into_owned();
                    out.signed.push((part.name.clone(), value.clone()));
                    out.fields.insert(part.name, value);
                }
            }
        }
        return out;
    }
    let signed: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    Body {
        fields: signed.iter().cloned().collect(),
        signed,
    }
}

/// The fields of a multipart body: text parts by value, file parts as their file name.
#[cfg(test)]
fn multipart_fields(body: &[u8], boundary: &str) -> Fields {
    crate::common::parse_multipart(body, boundary)
        .unwrap_or_default()
        .into_iter()
        .map(|p| {
            let value = p
                .filename
                .unwrap_or_else(|| String::from_utf8_lossy(&p.data).into_owned());
            (p.name, value)
        })
        .collect()
}

async fn handle(
    Extract(ctx): Extract<Arc<Ctx>>,
    method: http::Method,
    uri: http::Uri,
    headers: http::HeaderMap,
    body: Bytes,
) -> Response {
    let route = crate::common::route_of(uri.path());
    let raw_query = uri.query().unwrap_or_default().as_bytes();
    let query = parse_form(raw_query);
    if route == "/oauth/authorize" {
        ctx.record(&route, None);
        return authorize(&ctx, &query);
    }
    if route == EXPIRE_TOKENS_ROUTE {
        ctx.record(&route, None);
        return expire_tokens(&ctx);
    }
    if route == "/oauth/token" || route == "/platform/oauth/session_check" {
        ctx.record(&route, None);
        let parsed = parse_body(&headers, &body);
        let request = Signed {
            method: method.as_str(),
            path: uri.path(),
            headers: &headers,
            query: url::form_urlencoded::parse(raw_query)
                .into_owned()
                .collect(),
            form: &parsed.signed,
        };
        // Signed like any other request: the app's credentials.
        if let Err(r) = app_credentials(&ctx, &request, &query) {
            return r;
        }
        return if route == "/oauth/token" {
            token(&ctx, &parsed.fields)
        } else {
            session_check(&ctx, &parsed.fields)
        };
    }
    if let Some(rest) = route.strip_prefix("/sandbox/files/") {
        ctx.record(&route, None);
        return download(&ctx, rest);
    }
    let op = if let Some(card) = route.strip_prefix("/api/hfpay/app/bank_check/card/") {
        if method != http::Method::GET {
            return (http::StatusCode::METHOD_NOT_ALLOWED, "use GET").into_response();
        }
        Some(("bank_check", card.to_owned()))
    } else {
        route
            .strip_prefix("/api/hfpay/v1/merchant/")
            .or_else(|| route.strip_prefix("/api/hfpay/v1/trade/"))
            .map(|name| (name, String::new()))
    };
    let Some((op, card)) = op else {
        ctx.record(&route, None);
        return (http::StatusCode::NOT_FOUND, "no such route").into_response();
    };
    let parsed = if method == http::Method::GET {
        Body::default()
    } else {
        parse_body(&headers, &body)
    };
    let f = if method == http::Method::GET {
        query.clone()
    } else {
        parsed.fields
    };
    ctx.record(&route, f.get("order_id").map(String::as_str));
    let request = Signed {
        method: method.as_str(),
        path: uri.path(),
        headers: &headers,
        query: url::form_urlencoded::parse(raw_query)
            .into_owned()
            .collect(),
        form: &parsed.signed,
    };
    if let Err(r) = authenticate(&ctx, &request, &query) {
        return r;
    }
    if op == "bank_check" {
        return bank_check(&card);
    }
    if method != http::Method::POST {
        return (http::StatusCode::METHOD_NOT_ALLOWED, "use POST").into_response();
    }
    let known = matches!(
        op,
        "agent_merchant_opening"
            | "business_opening"
            | "merchant_opening"
            | "person_opening"
            | "sub_merchant_create"
            | "bind_bank_card"
            | "untie_bank_card"
            | "balance_query"
            | "send_sms_code"
            | "order_download"
            | "upload_card"
            | "upload_agent_file"
            | "upload_merchant_file"
            | "app_pay"
            | "balance_pay"
            | "fz"
            | "order_affirm"
            | "order_query"
            | "order_reverse"
            | "quick_pay"
            | "refund"
            | "send_quick_pay_sms_code"
            | "unsgin"
            | "withdrawal"
    );
    if !known {
        return (http::StatusCode::NOT_FOUND, "no such route").into_response();
    }
    if f.get("mer_cust_id").map(String::as_str) != Some(cred::MER_CUST_ID) {
        return err(ERR_MERCHANT, "商户客户号不存在 (mer_cust_id unknown)", &f);
    }
    let op = op.to_owned();
    dispatch(&ctx, &op, &f).unwrap_or_else(|r| r)
}

/// How long an access token lives.
pub(crate) const TOKEN_TTL_SECS: i64 = 7200;

/// A test hook: `POST` here and every access token issued so far expires at once (refresh
/// tokens stay valid), so tests can see a client refresh without waiting two hours.
pub(crate) const EXPIRE_TOKENS_ROUTE: &str = "/sandbox/huifu/expire_tokens";

/// `GET /oauth/authorize?response_type=code&client_id=…&redirect_uri=…`: the user consents at
/// once, and is sent back to `redirect_uri` with `code` (302).
fn authorize(ctx: &Ctx, query: &Fields) -> Response {
    let get = |k: &str| query.get(k).map(String::as_str);
    if get("response_type") != Some("code") {
        return gateway_error(
            http::StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            "response_type must be code",
        );
    }
    if get("client_id") != Some(cred::CLIENT_ID) {
        return gateway_error(
            http::StatusCode::BAD_REQUEST,
            "invalid_client",
            "client_id is unknown",
        );
    }
    let Some(back) = get("redirect_uri")
        .and_then(|u| url::Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
    else {
        return gateway_error(
            http::StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri must be an http(s) URL",
        );
    };
    let code = ctx.next_id("c");
    lock(&ctx.huifu).codes.insert(code.clone());
    let mut back = back;
    back.query_pairs_mut().append_pair("code", &code);
    (
        http::StatusCode::FOUND,
        [(http::header::LOCATION, back.to_string())],
    )
        .into_response()
}

/// `POST /oauth/token`: `grant_type=authorization_code` with a `code` from
/// [`authorize`], or `grant_type=refresh_token` with a `refresh_token`; each code and refresh
/// token works once. Answers a new access token (living [`TOKEN_TTL_SECS`]), a new refresh
/// token and the session.
fn token(ctx: &Ctx, form: &Fields) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str);
    let mut state = lock(&ctx.huifu);
    let session = match get("grant_type") {
        Some("authorization_code") => get("code")
            .filter(|c| state.codes.remove(*c))
            .map(|_| ctx.next_id("s")),
        Some("refresh_token") => get("refresh_token").and_then(|r| state.refresh_tokens.remove(r)),
        _ => {
            return gateway_error(
                http::StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    };
    let Some(session) = session else {
        return gateway_error(
            http::StatusCode::BAD_REQUEST,
            "invalid_grant",
            "the code or refresh token is unknown or was used",
        );
    };
    let access = format!("hf{}", ctx.next_id("t"));
    let refresh = ctx.next_id("r");
    state
        .tokens
        .insert(access.clone(), ctx.now().unix_seconds() + TOKEN_TTL_SECS);
    state
        .refresh_tokens
        .insert(refresh.clone(), session.clone());
    state.sessions.insert(session.clone());
    drop(state);
    json_ok(&json!({
        "access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL_SECS,
        "refresh_token": refresh, "session_id": session
    }))
}

/// `POST /platform/oauth/session_check` (`session_id`): `{"result": open, "error": null}`.
fn session_check(ctx: &Ctx, form: &Fields) -> Response {
    let open = form
        .get("session_id")
        .is_some_and(|s| lock(&ctx.huifu).sessions.contains(s));
    json_ok(&json!({"result": open, "error": null}))
}

/// The test hook [`EXPIRE_TOKENS_ROUTE`].
fn expire_tokens(ctx: &Ctx) -> Response {
    let mut state = lock(&ctx.huifu);
    let n = state.tokens.len();
    for exp in state.tokens.values_mut() {
        *exp = 0;
    }
    drop(state);
    json_ok(&json!({"expired": n}))
}

/// What the Prism sign covers of a request.
#[derive(Debug)]
struct Signed<'a> {
    method: &'a str,
    /// The path as sent (percent-encoded as the client sent it).
    path: &'a str,
    headers: &'a http::HeaderMap,
    /// Every query parameter, decoded, in order.
    query: Vec<(String, String)>,
    /// The text form fields of the body.
    form: &'a [(String, String)],
}

/// Authenticates a request as a Prism gateway does: the APP's credentials always (the Prism
/// sign, or `client_id` + `client_secret`), and a user's bearer token only on top of them. A
/// bearer token alone is refused (`missing_credentials`), whatever the token.
fn authenticate(ctx: &Ctx, req: &Signed<'_>, query: &Fields) -> Result<(), Response> {
    app_credentials(ctx, req, query)?;
    match req.headers.get(http::header::AUTHORIZATION) {
        Some(auth) => check_bearer(ctx, auth.to_str().unwrap_or_default()),
        None => Ok(()),
    }
}

/// A bearer token the sandbox issued and that has not expired.
fn check_bearer(ctx: &Ctx, auth: &str) -> Result<(), Response> {
    let token = auth.strip_prefix("Bearer ").unwrap_or_default().trim();
    let now = ctx.now().unix_seconds();
    if lock(&ctx.huifu)
        .tokens
        .get(token)
        .is_some_and(|expires| *expires > now)
    {
        return Ok(());
    }
    Err(gateway_error(
        http::StatusCode::UNAUTHORIZED,
        "invalid_token",
        "the bearer token is unknown or expired",
    ))
}

/// The app's credentials: a request that carries `sign`, `sign_method` or `sign_time` is
/// judged by its Prism sign alone; otherwise `client_id` + `client_secret` must match.
fn app_credentials(ctx: &Ctx, req: &Signed<'_>, query: &Fields) -> Result<(), Response> {
    if ["sign", "sign_method", "sign_time"]
        .iter()
        .any(|k| query.contains_key(*k))
    {
        return verify_prism(ctx, req, query);
    }
    match (query.get("client_id"), query.get("client_secret")) {
        (Some(id), Some(secret))
            if id == cred::CLIENT_ID
                && secret.len() == cred::CLIENT_SECRET.len()
                && sign_md5::ct_eq_hex(secret, cred::CLIENT_SECRET)
                && secret == cred::CLIENT_SECRET =>
        {
            Ok(())
        }
        (Some(_), Some(_)) => Err(gateway_error(
            http::StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id or client_secret is wrong",
        )),
        _ => Err(gateway_error(
            http::StatusCode::UNAUTHORIZED,
            "missing_credentials",
            "send the app's client_id with a Prism sign or client_secret; a bearer token rides on top of them, never alone",
        )),
    }
}

/// Checks the Prism request signature: `client_id`, `sign_method=md5`, a `sign_time` within
/// five minutes of the sandbox's clock, and `sign` (see [`crate::prism`]).
fn verify_prism(ctx: &Ctx, req: &Signed<'_>, query: &Fields) -> Result<(), Response> {
    let unauthorized =
        |code: &str, message: &str| gateway_error(http::StatusCode::UNAUTHORIZED, code, message);
    let get = |k: &str| query.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let (Some(client_id), Some(method), Some(time), Some(given)) = (
        get("client_id"),
        get("sign_method"),
        get("sign_time"),
        get("sign"),
    ) else {
        return Err(unauthorized(
            "missing_sign_parameters",
            "a Prism sign needs client_id, sign_method, sign_time and sign",
        ));
    };
    if client_id != cred::CLIENT_ID {
        return Err(unauthorized("invalid_client", "client_id is unknown"));
    }
    if method != "md5" {
        return Err(unauthorized(
            "invalid_sign_method",
            "sign_method must be md5",
        ));
    }
    let fresh = time
        .parse::<i64>()
        .ok()
        .and_then(|t| t.checked_sub(ctx.now().unix_seconds()))
        .is_some_and(|skew| skew.abs() <= crate::prism::MAX_SKEW_SECS);
    if !fresh {
        return Err(unauthorized(
            "sign_expired",
            "sign_time is more than 5 minutes from the gateway's clock",
        ));
    }
    let expected = crate::prism::sign(
        cred::CLIENT_SECRET,
        req.method,
        req.path,
        &crate::prism::signed_headers(req.headers),
        &req.query,
        req.form,
    );
    if crate::common::ct_eq_exact(&expected, given) {
        Ok(())
    } else {
        Err(unauthorized("invalid_sign", "the sign does not match"))
    }
}

fn need<'a>(f: &'a Fields, name: &str) -> Result<&'a str, Response> {
    f.get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| err(ERR_PARAM, &format!("参数错误: {name} 不能为空"), f))
}

fn date8(f: &Fields, name: &str) -> Result<String, Response> {
    let d = need(f, name)?;
    if pay_core::clock::is_compact_date(d) {
        Ok(d.to_owned())
    } else {
        Err(err(
            ERR_PARAM,
            &format!("参数错误: {name} 格式为 YYYYMMDD"),
            f,
        ))
    }
}

/// `trans_amt`: `###.00`, more than zero, at most [`MAX_AMOUNT`].
fn amount(f: &Fields) -> Result<Money, Response> {
    match yuan_two_decimals(need(f, "trans_amt")?) {
        Some(m) if m.is_positive() && m <= MAX_AMOUNT => Ok(m),
        _ => Err(err(
            ERR_PARAM,
            "参数错误: trans_amt 金额格式是 ###.00, 大于 0 且不超过 100000000.00",
            f,
        )),
    }
}

fn one_of(f: &Fields, name: &str, allowed: &[&str]) -> Result<(), Response> {
    match f.get(name).map(String::as_str) {
        None | Some("") => Ok(()),
        Some(v) if allowed.contains(&v) => Ok(()),
        Some(_) => Err(err(
            ERR_PARAM,
            &format!("参数错误: {name} 只能是 {}", allowed.join("/")),
            f,
        )),
    }
}

/// The spec's enumerations of `upload_agent_file` and `upload_merchant_file`: `trans_type`
/// (01 代理商开户, 02 生利宝开户, 03 企业开户, 05 个体工商户开户, 06 批量代发; only 05 for a
/// merchant file) and `attach_type` (13/14, the settlement card, for merchant files only), as
/// the `huifu` client checks them (`file_upload_type` is not: the spec lists `01` and speaks of
/// an update mode without giving its code).
fn upload_enums(op: &str, f: &Fields) -> Result<(), Response> {
    need(f, "trans_type")?;
    if op == "upload_merchant_file" {
        one_of(f, "trans_type", &["05"])?;
    } else {
        one_of(f, "trans_type", &["01", "02", "03", "05", "06"])?;
    }
    const COMMON: &[&str] = &[
        "00", "01", "02", "03", "04", "05", "08", "09", "10", "11", "12", "99",
    ];
    const MERCHANT: &[&str] = &[
        "00", "01", "02", "03", "04", "05", "08", "09", "10", "11", "12", "13", "14", "99",
    ];
    one_of(
        f,
        "attach_type",
        if op == "upload_merchant_file" {
            MERCHANT
        } else {
            COMMON
        },
    )
}

/// `order_id` + `order_date` of the request.
fn order_key(f: &Fields) -> Result<Key, Response> {
    Ok((need(f, "order_id")?.to_owned(), date8(f, "order_date")?))
}

/// Refuses an `order_id` + `order_date` used before (`C10003`): the simulator's answer to a
/// repeated request, whatever it was and however it ended (but see `refund`).
fn fresh(state: &State, key: &Key, f: &Fields) -> Result<(), Response> {
    if state.orders.contains_key(key) {
        Err(duplicate(f))
    } else {
        Ok(())
    }
}

fn duplicate(f: &Fields) -> Response {
    err(
        ERR_DUPLICATE,
        "订单号重复 (order_id + order_date used before)",
        f,
    )
}

/// Reserves `order_id` + `order_date` for an order that moves no money, refusing a reuse.
fn new_order(
    ctx: &Ctx,
    f: &Fields,
    kind: &'static str,
    user: &str,
    amount: Money,
    status: &'static str,
) -> Result<Key, Response> {
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    fresh(&state, &key, f)?;
    state
        .orders
        .insert(key.clone(), Order::new(ctx, kind, user, amount, status));
    Ok(key)
}

/// The user named by field `name` (an opened user; not the merchant).
fn user_exists(ctx: &Ctx, f: &Fields, name: &str) -> Result<String, Response> {
    let id = need(f, name)?.to_owned();
    if lock(&ctx.huifu).accounts.users.contains_key(&id) {
        Ok(id)
    } else {
        Err(err(ERR_USER, &format!("用户不存在 ({name})"), f))
    }
}

/// The account named by field `name`: an opened user or the merchant itself.
fn account_exists(state: &State, f: &Fields, name: &str) -> Result<String, Response> {
    let id = need(f, name)?.to_owned();
    if state.accounts.exists(&id) {
        Ok(id)
    } else {
        Err(err(ERR_USER, &format!("用户不存在 ({name})"), f))
    }
}

fn new_user(ctx: &Ctx) -> String {
    loop {
        let id = format!("6666000{:09}", ctx.next_seq());
        // the merchant's id is never a user's
        if id == cred::MER_CUST_ID {
            continue;
        }
        lock(&ctx.huifu).accounts.users.insert(
            id.clone(),
            Account {
                avl: Money::from_fen(cred::INITIAL_USER_BALANCE_FEN),
                frz: Money::ZERO,
            },
        );
        return id;
    }
}

/// The split string `div_detail` if given: a JSON array of 1 to 7
/// `{"divAmt": "###.00", "divAcctId": …, "divCustId": …}`, each amount more than zero, each
/// `divCustId` a known account (`C10005` if not), adding up to at most `limit`. `divAcctId`
/// (the sub-account) is not checked: the simulator keeps one account per customer.
fn div_detail(
    state: &State,
    f: &Fields,
    limit: Money,
) -> Result<Option<Vec<(String, Money)>>, Response> {
    let Some(text) = f.get("div_detail").filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        err(
            ERR_PARAM,
            "参数错误: div_detail 分账串格式有误 (1 到 7 个 divAmt/divAcctId/divCustId)",
            f,
        )
    };
    let Ok(Value::Array(items)) = serde_json::from_str::<Value>(text) else {
        return Err(bad());
    };
    if items.is_empty() || items.len() > 7 {
        return Err(bad());
    }
    let mut shares = Vec::with_capacity(items.len());
    for item in &items {
        let field = |name: &str| item.get(name).and_then(Value::as_str).unwrap_or_default();
        let share = yuan_two_decimals(field("divAmt"))
            .filter(|m| m.is_positive() && *m <= MAX_AMOUNT)
            .ok_or_else(bad)?;
        let cust = field("divCustId");
        if cust.is_empty() || field("divAcctId").is_empty() {
            return Err(bad());
        }
        if !state.accounts.exists(cust) {
            return Err(err(ERR_USER, "分账客户不存在 (div_detail divCustId)", f));
        }
        shares.push((cust.to_owned(), share));
    }
    if total(shares.iter().map(|(_, m)| m)) > limit {
        return Err(err(
            ERR_PARAM,
            "参数错误: div_detail 分账金额之和超过 trans_amt",
            f,
        ));
    }
    Ok(Some(shares))
}

/// Where the money of a quick or app pay goes when it succeeds, and its seller:
///
/// - `trans_type=guarantee`: held by the platform for the seller, who must be named
///   (`in_cust_id`) since `order_affirm` releases to it;
/// - `div_type=01` (delayed split): held by the platform until `fz`;
/// - otherwise credited: the `div_detail` shares to their accounts, the rest to `in_cust_id`,
///   or, when there is none, to the paying user's own account (a top-up; the spec requires
///   `in_cust_id` or `div_detail` except for `recharge`, the simulator is lenient).
///
/// A `div_detail` sent with a held pay is checked but not used: `fz` gives the split.
fn pay_dest(
    state: &State,
    f: &Fields,
    payer: Option<&str>,
    amount: Money,
) -> Result<(Dest, Option<String>), Response> {
    let seller = match f.get("in_cust_id").filter(|v| !v.is_empty()) {
        Some(_) => Some(account_exists(state, f, "in_cust_id")?),
        None => None,
    };
    let shares = div_detail(state, f, amount)?;
    if f.get("trans_type").map(String::as_str) == Some("guarantee") {
        if seller.is_none() {
            return Err(err(
                ERR_PARAM,
                "参数错误: 担保交易须给出 in_cust_id (卖家)",
                f,
            ));
        }
        return Ok((Dest::Hold(Hold::Guarantee), seller));
    }
    if f.get("div_type").map(String::as_str) == Some("01") {
        return Ok((Dest::Hold(Hold::DelayedSplit), seller));
    }
    let mut shares = shares.unwrap_or_default();
    let rest = minus(amount, total(shares.iter().map(|(_, m)| m)));
    if rest.is_positive() {
        let to = match (&seller, payer) {
            (Some(s), _) => s.clone(),
            (None, Some(p)) if state.accounts.exists(p) => p.to_owned(),
            (None, Some(_)) => return Err(err(ERR_USER, "用户不存在 (user_cust_id)", f)),
            (None, None) => {
                return Err(err(
                    ERR_PARAM,
                    "参数错误: in_cust_id 与 div_detail 必填一个",
                    f,
                ));
            }
        };
        shares.push((to, rest));
    }
    Ok((Dest::Credit(shares), seller))
}

/// The pay `key` names as the original of a refund, `fz`, `order_affirm` or `order_reverse`:
/// it must exist, be a pay, and have succeeded (`C10004` otherwise: unknown, not a pay, still
/// in progress or failed). Returns its user, amount and money.
fn original_pay(state: &State, key: &Key, f: &Fields) -> Result<(String, Money, Trade), Response> {
    let not_found = |why: &str| err(ERR_NOT_FOUND, &format!("原交易{why}"), f);
    let Some(o) = state.orders.get(key) else {
        return Err(not_found("不存在"));
    };
    let Some(trade) = &o.trade else {
        return Err(not_found("不是支付交易"));
    };
    match o.status {
        "S" => Ok((o.user_cust_id.clone(), o.amount, trade.clone())),
        "I" => Err(not_found("尚未成功 (处理中)")),
        _ => Err(not_found("已失败")),
    }
}

/// Writes back the money of the original pay `key`.
fn put_trade(state: &mut State, key: &Key, trade: Trade) {
    if let Some(o) = state.orders.get_mut(key) {
        o.trade = Some(trade);
    }
}

fn dispatch(ctx: &Arc<Ctx>, op: &str, f: &Fields) -> Result<Response, Response> {
    if let Some(url) = f.get("bg_ret_url").filter(|u| !u.is_empty())
        && let Err(why) = ctx.check_notify_url(url)
    {
        return Err(err(ERR_PARAM, &format!("参数错误: bg_ret_url {why}"), f));
    }
    match op {
        "person_opening" => {
            need(f, "user_name")?;
            let cert = need(f, "cert_id")?;
            pay_core::pii::validate_cn_resident_id("cert_id", cert)
                .map_err(|_| err(ERR_PARAM, "参数错误: cert_id 身份证号有误", f))?;
            let mobile = need(f, "user_mobile")?;
            pay_core::pii::validate_cn_mobile("user_mobile", mobile)
                .map_err(|_| err(ERR_PARAM, "参数错误: user_mobile 手机号有误", f))?;
            let user = new_user(ctx);
            let key = new_order(ctx, f, "person-opening", &user, Money::ZERO, "S")?;
            let extra = json!({"user_cust_id": user, "acct_id": format!("A{user}")});
            callback_later(ctx, f, &key, OK, "开户成功", extra.clone(), 0);
            Ok(reply(OK, "开户成功", f, extra))
        }
        "business_opening" | "merchant_opening" | "agent_merchant_opening" => {
            let required: &[&str] = match op {
                "business_opening" => &["apply_id", "corp_name", "legal_name", "bank_acct_no"],
                "merchant_opening" => &["apply_id", "user_name", "legal_name"],
                _ => &["mer_name", "legal_name", "bank_acct_no"],
            };
            for name in required {
                need(f, name)?;
            }
            one_of(f, "operate_type", &["00090000", "00090001"])?;
            let user = new_user(ctx);
            let key = if op == "agent_merchant_opening" && !f.contains_key("order_id") {
                (
                    format!("AGENT{}", ctx.next_seq()),
                    ctx.now().beijing_date_compact(),
                )
            } else {
                new_order(ctx, f, "merchant-opening", &user, Money::ZERO, "I")?
            };
            let extra = json!({"user_cust_id": user, "apply_id": f.get("apply_id").cloned().unwrap_or_default(), "audit_stat": "Y"});
            callback_later(ctx, f, &key, OK, "开户成功", extra, 1);
            Ok(reply(
                ACCEPTED,
                "受理成功",
                f,
                json!({"apply_id": f.get("apply_id").cloned().unwrap_or_default()}),
            ))
        }
        "sub_merchant_create" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            one_of(f, "acct_type", &["100", "200"])?;
            new_order(ctx, f, "sub-account", &user, Money::ZERO, "S")?;
            Ok(reply(
                OK,
                "成功",
                f,
                json!({"acct_id": format!("A{}", ctx.next_seq())}),
            ))
        }
        "bind_bank_card" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            need(f, "bank_id")?;
            let card_no = need(f, "card_no")?;
            if !(12..=19).contains(&card_no.len()) || !card_no.bytes().all(|b| b.is_ascii_digit()) {
                return Err(err(ERR_PARAM, "参数错误: card_no 银行卡号有误", f));
            }
            one_of(f, "dc_flag", &["0"])?;
            need(f, "card_mobile")?;
            new_order(ctx, f, "bind-card", &user, Money::ZERO, "S")?;
            let card_id = format!("{}", 100_000 + ctx.next_seq());
            lock(&ctx.huifu)
                .cards
                .insert(card_id.clone(), Card { user_cust_id: user });
            Ok(reply(OK, "绑卡成功", f, json!({"card_id": card_id})))
        }
        "untie_bank_card" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            let card_id = need(f, "card_id")?.to_owned();
            one_of(f, "card_buss_type", &["0", "2"])?;
            let owned = lock(&ctx.huifu)
                .cards
                .get(&card_id)
                .is_some_and(|c| c.user_cust_id == user);
            if !owned {
                return Err(err(ERR_CARD, "银行卡不存在", f));
            }
            new_order(ctx, f, "untie-card", &user, Money::ZERO, "S")?;
            lock(&ctx.huifu).cards.remove(&card_id);
            Ok(reply(OK, "解绑成功", f, json!({"card_id": card_id})))
        }
        "balance_query" => {
            need(f, "user_cust_id")?;
            let state = lock(&ctx.huifu);
            let id = account_exists(&state, f, "user_cust_id")?;
            let a = state.accounts.get(&id).copied().unwrap_or_default();
            Ok(reply(
                OK,
                "成功",
                f,
                json!({"acct_balance": plus(a.avl, a.frz).to_yuan(), "avl_balance": a.avl.to_yuan(), "frz_balance": a.frz.to_yuan()}),
            ))
        }
        "send_sms_code" => {
            user_exists(ctx, f, "user_cust_id")?;
            need(f, "user_mobile")?;
            one_of(f, "busi_type", &["T11", "T07", "U06"])?;
            Ok(reply(OK, "短信发送成功", f, Value::Null))
        }
        "order_download" => {
            let date = date8(f, "order_date")?;
            one_of(f, "trans_type", &["01"])?;
            Ok(reply(
                OK,
                "成功",
                f,
                json!({"file_url": format!("{}/sandbox/files/{date}.txt", ctx.base_url)}),
            ))
        }
        "upload_card" | "upload_agent_file" | "upload_merchant_file" => {
            let files: &[&str] = if op == "upload_card" {
                &["file1", "file2"]
            } else {
                &["attach_no", "attach_type", "file"]
            };
            for name in files {
                need(f, name)?;
            }
            if op == "upload_card" {
                user_exists(ctx, f, "user_cust_id")?;
                one_of(f, "cert_type", &["00"])?;
                one_of(f, "source_channel", &["0", "1", "2"])?;
            } else {
                upload_enums(op, f)?;
            }
            Ok(reply(
                OK,
                "上传成功",
                f,
                json!({"file_id": format!("F{}", ctx.next_seq())}),
            ))
        }
        "send_quick_pay_sms_code" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            let amount = amount(f)?;
            need(f, "card_no")?;
            need(f, "card_mobile")?;
            one_of(f, "trans_type", &["guarantee", "recharge", "other"])?;
            let key = order_key(f)?;
            let mut state = lock(&ctx.huifu);
            if state.pending.contains_key(&key) {
                return Err(duplicate(f));
            }
            fresh(&state, &key, f)?;
            let (dest, seller) = pay_dest(&state, f, Some(&user), amount)?;
            state.pending.insert(
                key,
                PendingQuickPay {
                    user_cust_id: user,
                    amount,
                    dest,
                    seller,
                },
            );
            Ok(reply(OK, "短信发送成功", f, Value::Null))
        }
        "quick_pay" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            let ori = (
                need(f, "ori_order_id")?.to_owned(),
                date8(f, "ori_order_date")?,
            );
            if need(f, "sms_code")? != cred::SMS_CODE {
                return Err(err(ERR_SMS, "短信验证码错误", f));
            }
            let key = order_key(f)?;
            let mut state = lock(&ctx.huifu);
            let pending = state.pending.get(&ori).cloned();
            let Some(pending) = pending.filter(|p| p.user_cust_id == user) else {
                return Err(err(ERR_NOT_FOUND, "原短信订单不存在 (ori_order_id)", f));
            };
            fresh(&state, &key, f)?;
            state.pending.remove(&ori);
            let mut order = Order::new(ctx, "quick-pay", &user, pending.amount, "I");
            order.trade = Some(Trade {
                source: None,
                buyer: Some(user),
                seller: pending.seller,
                dest: pending.dest,
                held: Money::ZERO,
                delivered: BTreeMap::new(),
            });
            state.orders.insert(key.clone(), order);
            drop(state);
            settle_later(ctx, f, key);
            Ok(reply(
                PROCESSING,
                "交易处理中",
                f,
                json!({"trans_amt": pending.amount.to_yuan(), "trans_stat": "I"}),
            ))
        }
        "app_pay" => {
            let amount = amount(f)?;
            one_of(f, "pay_type", &["04", "05", "10", "12", "13", "18", "19"])?;
            need(f, "pay_type")?;
            one_of(f, "trans_type", &["guarantee", "recharge", "other"])?;
            one_of(f, "div_type", &["01"])?;
            let user = f.get("user_cust_id").filter(|v| !v.is_empty()).cloned();
            let key = order_key(f)?;
            let mut state = lock(&ctx.huifu);
            fresh(&state, &key, f)?;
            let (dest, seller) = pay_dest(&state, f, user.as_deref(), amount)?;
            let mut order = Order::new(
                ctx,
                "app-pay",
                user.as_deref().unwrap_or_default(),
                amount,
                "I",
            );
            order.trade = Some(Trade {
                source: None,
                buyer: user,
                seller,
                dest,
                held: Money::ZERO,
                delivered: BTreeMap::new(),
            });
            state.orders.insert(key.clone(), order);
            drop(state);
            settle_later(ctx, f, key.clone());
            let pay_info = format!("{}/sandbox/cashier/{}", ctx.base_url, key.0);
            if bare_answers(amount) {
                return Ok(reply(OK, "成功", f, json!({"pay_info": pay_info})));
            }
            Ok(reply(
                PROCESSING,
                "交易处理中",
                f,
                json!({"trans_stat": "I", "pay_info": pay_info}),
            ))
        }
        "balance_pay" => {
            let payer = user_exists(ctx, f, "out_cust_id")?;
            let payee = account_exists(&lock(&ctx.huifu), f, "in_cust_id")?;
            let amount = amount(f)?;
            one_of(f, "trans_type", &["1", "2"])?;
            let key = order_key(f)?;
            let mut state = lock(&ctx.huifu);
            fresh(&state, &key, f)?;
            if state.accounts.available(&payer) < amount {
                return Err(err(ERR_FUNDS, "余额不足", f));
            }
            // trans_type 1 (担保): the platform holds the money until order_affirm,
            // order_reverse or fz; 2 (or none): the seller gets it at once.
            let dest = if f.get("trans_type").map(String::as_str) == Some("1") {
                Dest::Hold(Hold::Guarantee)
            } else {
                Dest::Credit(vec![(payee.clone(), amount)])
            };
            let mut trade = Trade {
                source: Some(payer.clone()),
                buyer: Some(payer.clone()),
                seller: Some(payee),
                dest,
                held: Money::ZERO,
                delivered: BTreeMap::new(),
            };
            state.accounts.debit(&payer, amount);
            trade.settle(&mut state.accounts, amount);
            let mut order = Order::new(ctx, "balance-pay", &payer, amount, "S");
            order.trade = Some(trade);
            state.orders.insert(key.clone(), order);
            drop(state);
            callback_later(ctx, f, &key, OK, "交易成功", json!({"trans_stat": "S"}), 0);
            Ok(reply(OK, "交易成功", f, json!({"trans_stat": "S"})))
        }
        "fz" => {
            let old = (
                need(f, "old_order_id")?.to_owned(),
                date8(f, "old_order_date")?,
            );
            let amount = amount(f)?;
            let key = order_key(f)?;
            let mut state = lock(&ctx.huifu);
            fresh(&state, &key, f)?;
            let (user, original, mut trade) = original_pay(&state, &old, f)?;
            if trade.hold().is_none() {
                return Err(err(
                    ERR_NOT_FOUND,
                    "原交易不是担保或延时分账交易, 无待分账资金 (old_order_id)",
                    f,
                ));
            }
            check_held(f, amount, original, trade.held)?;
            let Some(mut shares) = div_detail(&state, f, amount)? else {
                return Err(err(ERR_PARAM, "参数错误: div_detail 不能为空", f));
            };
            // The part of trans_amt the split string does not list goes to the trade's
            // seller, or to the merchant if it has none (the spec is silent).
            let rest = minus(amount, total(shares.iter().map(|(_, m)| m)));
            if rest.is_positive() {
                let to = trade
                    .seller
                    .clone()
                    .unwrap_or_else(|| cred::MER_CUST_ID.to_owned());
                shares.push((to, rest));
            }
            state.accounts.unhold(amount);
            trade.held = minus(trade.held, amount);
            for (to, share) in shares {
                trade.deliver(&mut state.accounts, &to, share);
            }
            put_trade(&mut state, &old, trade);
            state
                .orders
                .insert(key.clone(), Order::new(ctx, "split", &user, amount, "S"));
            drop(state);
            callback_later(ctx, f, &key, OK, "交易成功", json!({"trans_stat": "S"}), 0);
            Ok(reply(OK, "交易成功", f, json!({"trans_stat": "S"})))
        }
        "order_affirm" | "order_reverse" => {
            let affirm = op == "order_affirm";
            let old = (
                need(f, "old_order_id")?.to_owned(),
                date8(f, "old_order_date")?,
            );
            let amount = amount(f)?;
            let seller = need(f, "in_cust_id")?.to_owned();
            let buyer = need(f, "out_cust_id")?.to_owned();
            let key = order_key(f)?;
            let mut state = lock(&ctx.huifu);
            fresh(&state, &key, f)?;
            let (user, original, mut trade) = original_pay(&state, &old, f)?;
            if trade.hold() != Some(Hold::Guarantee) {
                return Err(err(ERR_NOT_FOUND, "原交易不是担保交易 (old_order_id)", f));
            }
            if trade.seller.as_deref() != Some(seller.as_str()) {
                return Err(err(
                    ERR_PARAM,
                    "参数错误: in_cust_id 不是原担保交易的卖家",
                    f,
                ));
            }
            // A QR payment may have no buyer account: then any out_cust_id is taken.
            if trade.buyer.as_ref().is_some_and(|b| *b != buyer) {
                return Err(err(
                    ERR_PARAM,
                    "参数错误: out_cust_id 不是原担保交易的买家",
                    f,
                ));
            }
            check_held(f, amount, original, trade.held)?;
            state.accounts.unhold(amount);
            trade.held = minus(trade.held, amount);
            if affirm {
                // 订单确认: the held money goes to the seller.
                trade.deliver(&mut state.accounts, &seller, amount);
            } else if let Some(source) = &trade.source {
                // 订单撤销: back to the buyer's balance it was drawn on; for a card or QR
                // payment back to the card or wallet, outside the simulator.
                state.accounts.credit(source, amount);
            }
            put_trade(&mut state, &old, trade);
            let kind = if affirm { "affirm" } else { "reverse" };
            state
                .orders
                .insert(key.clone(), Order::new(ctx, kind, &user, amount, "S"));
            drop(state);
            callback_later(ctx, f, &key, OK, "交易成功", json!({"trans_stat": "S"}), 0);
            Ok(reply(OK, "交易成功", f, json!({"trans_stat": "S"})))
        }
        "refund" => refund(ctx, f),
        "withdrawal" => {
            let user = user_exists(ctx, f, "user_cust_id")?;
            let amount = amount(f)?;
            let card = need(f, "cash_bind_card_id")?.to_owned();
            if lock(&ctx.huifu)
                .cards
                .get(&card)
                .is_none_or(|c| c.user_cust_id != user)
            {
                return Err(err(ERR_CARD, "提现银行卡不存在 (cash_bind_card_id)", f));
            }
            need(f, "cash_type")?;
            one_of(f, "cash_type", &["T0", "T1"])?;
            one_of(f, "fee_obj", &["M", "U"])?;
            let key = order_key(f)?;
            let mut state = lock(&ctx.huifu);
            fresh(&state, &key, f)?;
            if state.accounts.available(&user) < amount {
                return Err(err(ERR_FUNDS, "余额不足", f));
            }
            // Frozen until the bank answers: gone on success, unfrozen on failure. The
            // sandbox charges no fee (fee_obj is only checked).
            state.accounts.freeze(&user, amount);
            let mut order = Order::new(ctx, "withdrawal", &user, amount, "I");
            order.transfer = Some(Transfer {
                from: vec![(user, amount)],
                to: None,
                retry: false,
            });
            state.orders.insert(key.clone(), order);
            drop(state);
            settle_later(ctx, f, key);
            Ok(reply(
                ACCEPTED,
                "提现受理成功",
                f,
                json!({"trans_stat": "I"}),
            ))
        }
        "order_query" => {
            let key = (need(f, "order_id")?.to_owned(), date8(f, "order_date")?);
            let trans_type = need(f, "trans_type")?;
            one_of(f, "trans_type", &["01", "02", "03", "04"])?;
            let asker = f
                .get("user_cust_id")
                .map(String::as_str)
                .unwrap_or_default();
            let order = lock(&ctx.huifu).orders.get(&key).cloned();
            // An order of another kind, or of another user, is not found, exactly as an order
            // that does not exist: the answer tells nothing about other kinds or users.
            let Some(o) = order.filter(|o| {
                query_kind(o.kind) == Some(trans_type) && may_query(asker, &o.user_cust_id)
            }) else {
                return Err(err(ERR_NOT_FOUND, "订单不存在", f));
            };
            let mut answer =
                json!({"trans_amt": o.amount.to_yuan(), "platform_seq_id": o.platform_seq_id});
            if !bare_answers(o.amount) {
                answer["trans_stat"] = o.status.into();
            }
            Ok(reply(OK, "查询成功", f, answer))
        }
        "unsgin" => {
            if need(f, "unsign_type")? != "1" {
                return Err(err(ERR_PARAM, "参数错误: unsign_type 只支持 1 (base64)", f));
            }
            let check_value = need(f, "check_value")?;
            if !lock(&ctx.huifu).issued.contains(check_value) {
                return Err(err(ERR_UNSIGN, "解签失败: check_value 非本平台签发", f));
            }
            let decoded = STANDARD
                .decode(check_value)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_default();
            Ok(reply(OK, "解签成功", f, json!({"json_data": decoded})))
        }
        _ => Err((http::StatusCode::NOT_FOUND, "no such route").into_response()),
    }
}

/// The `order_query` `trans_type` that finds an order of `kind` (the spec: "交易查询类型 01:快捷、
/// 网银、扫码; 02:余额支付、采购确认、订单撤销; 03:提现; 04:退货"):
///
/// - `01`: quick pay and app pay (QR, app, official account, mini program);
/// - `02`: balance pay, `order_affirm` (采购确认), `order_reverse` (订单撤销), and `fz` (分账),
///   which the spec does not list: a split releases a guarantee's money as `order_affirm` does,
///   so the simulator files it with them;
/// - `03`: withdrawal; `04`: refund.
///
/// Openings, card bindings and sub-accounts are no trade: `order_query` finds none of them.
fn query_kind(kind: &str) -> Option<&'static str> {
    match kind {
        "quick-pay" | "app-pay" => Some("01"),
        "balance-pay" | "affirm" | "reverse" | "split" => Some("02"),
        "withdrawal" => Some("03"),
        "refund" => Some("04"),
        _ => None,
    }
}

/// Whether the answers about an order of `amount` leave `trans_stat` out (see the module docs):
/// `trans_amt` ending in `.33` yuan.
fn bare_answers(amount: Money) -> bool {
    amount.fen().rem_euclid(100) == 33
}

/// Whether `order_query`'s `user_cust_id` (`asker`) may see an order of `owner`: the order's
/// own user, or the merchant itself (`mer_cust_id`: the merchant sees every order it placed,
/// which is how a query that knows no user asks). An order without a user (an app pay sent
/// without `user_cust_id`) is seen by any asker. An empty `asker` counts as the merchant.
fn may_query(asker: &str, owner: &str) -> bool {
    owner.is_empty() || asker.is_empty() || asker == cred::MER_CUST_ID || asker == owner
}

/// `trans_amt` of `fz`, `order_affirm` or `order_reverse` against the original trade: at most
/// its amount (`C10001`) and at most what the platform still holds of it (`C10011`: nothing
/// left once confirmed, reversed or split in full).
fn check_held(f: &Fields, amount: Money, original: Money, held: Money) -> Result<(), Response> {
    if amount > original {
        return Err(err(ERR_PARAM, "参数错误: trans_amt 超过原订单金额", f));
    }
    if !held.is_positive() {
        return Err(err(ERR_SETTLED, "原交易已处理完毕 (已确认、撤销或分账)", f));
    }
    if amount > held {
        return Err(err(
            ERR_SETTLED,
            &format!("trans_amt 超过原交易待处理金额 {}", held.to_yuan()),
            f,
        ));
    }
    Ok(())
}

/// `refund`: takes money back from the accounts a successful pay delivered it to and returns
/// it to the payer.
///
/// - The original (`org_order_id` + `org_order_date`) must be a successful quick, app or
///   balance pay (`C10004`: unknown, not a pay, still in progress, failed).
/// - What is taken back: the `div_detail` shares if given (they must add up to `trans_amt`),
///   else all of `trans_amt` from the one account the pay delivered to (`C10001` if it was
///   split among several: the refund must name the shares).
/// - Each account gives back at most what it received from this pay, less the refunds of it
///   that have not failed (pending ones included), so that partial refunds add up to at most
///   the amount paid (`C10001`). Money the platform still holds for a guarantee or a delayed
///   split was delivered to nobody and is not refundable: `order_reverse` returns it.
/// - Each account must have its share available (`C10006`).
/// - Accepted (`C00002`, `I`): the shares are frozen at once; after the status delay the
///   refund succeeds and the money goes to the payer (the balance a balance pay was drawn
///   on; for a card or QR payment the card or wallet, outside the simulator), or it fails (a
///   scripted amount) and the shares are unfrozen.
/// - The spec: "对于退货失败的,支持同订单号同金额的重复请求;新订单号认为是新的退货交易". A
///   failed refund sent again with the same `order_id`, `org_order_id` and `trans_amt` is
///   taken up again, checked like a new one, and this time not failed by the scripted amount
///   (the amount cannot change, so it could otherwise never succeed). Any other reuse of
///   `order_id` + `order_date` is `C10003`.
fn refund(ctx: &Arc<Ctx>, f: &Fields) -> Result<Response, Response> {
    let org = (
        need(f, "org_order_id")?.to_owned(),
        date8(f, "org_order_date")?,
    );
    let amount = amount(f)?;
    let key = order_key(f)?;
    let mut state = lock(&ctx.huifu);
    let retry = match state.orders.get(&key) {
        None => false,
        Some(o)
            if o.kind == "refund"
                && o.status == "F"
                && o.refund_of.as_ref() == Some(&org)
                && o.amount == amount =>
        {
            true
        }
        Some(_) => return Err(duplicate(f)),
    };
    let (user, _, trade) = original_pay(&state, &org, f)?;
    let over = || err(ERR_PARAM, "参数错误: trans_amt 超过原交易可退金额", f);
    let mut shares: BTreeMap<String, Money> = BTreeMap::new();
    match div_detail(&state, f, amount)? {
        Some(divs) => {
            if total(divs.iter().map(|(_, m)| m)) != amount {
                return Err(err(
                    ERR_PARAM,
                    "参数错误: div_detail 退款金额之和须等于 trans_amt",
                    f,
                ));
            }
            for (id, share) in divs {
                let s = shares.entry(id).or_insert(Money::ZERO);
                *s = plus(*s, share);
            }
        }
        None => {
            let mut delivered = trade.delivered.keys();
            match (delivered.next(), delivered.next()) {
                (Some(only), None) => {
                    shares.insert(only.clone(), amount);
                }
                (None, _) => return Err(over()),
                (Some(_), Some(_)) => {
                    return Err(err(
                        ERR_PARAM,
                        "参数错误: 原交易已分账给多个账户, 退款须给出 div_detail",
                        f,
                    ));
                }
            }
        }
    }
    // What the refunds of this pay that have not failed took back already, per account.
    let mut taken: BTreeMap<&str, Money> = BTreeMap::new();
    for (k, o) in &state.orders {
        if *k == key || o.refund_of.as_ref() != Some(&org) || o.status == "F" {
            continue;
        }
        for (id, share) in o.transfer.iter().flat_map(|t| &t.from) {
            let t = taken.entry(id.as_str()).or_insert(Money::ZERO);
            *t = plus(*t, *share);
        }
    }
    for (id, share) in &shares {
        let received = trade.delivered.get(id).copied().unwrap_or(Money::ZERO);
        let back = taken.get(id.as_str()).copied().unwrap_or(Money::ZERO);
        if *share > minus(received, back) {
            return Err(over());
        }
    }
    if shares
        .iter()
        .any(|(id, share)| state.accounts.available(id) < *share)
    {
        return Err(err(ERR_FUNDS, "余额不足 (退款出资账户)", f));
    }
    for (id, share) in &shares {
        state.accounts.freeze(id, *share);
    }
    let transfer = Transfer {
        from: shares.into_iter().collect(),
        to: trade.source,
        retry,
    };
    if retry {
        if let Some(o) = state.orders.get_mut(&key) {
            o.status = "I";
            o.transfer = Some(transfer);
        }
    } else {
        let mut order = Order::new(ctx, "refund", &user, amount, "I");
        order.refund_of = Some(org);
        order.transfer = Some(transfer);
        state.orders.insert(key.clone(), order);
    }
    drop(state);
    settle_later(ctx, f, key);
    Ok(reply(
        ACCEPTED,
        "退款受理成功",
        f,
        json!({"trans_stat": "I"}),
    ))
}

/// After the status delay an `I` order is decided: it fails for a scripted amount (not on a
/// refund's retry), else succeeds. Its money moves with its status, under one lock: a pay that
/// succeeds delivers its money ([`Trade::settle`]); a refund or withdrawal takes what it froze
/// out of the accounts on success (crediting `Transfer::to`) or unfreezes it on failure. Then
/// the callback goes out.
fn settle_later(ctx: &Arc<Ctx>, f: &Fields, key: Key) {
    let f = f.clone();
    ctx.after_status_delay(1, move |ctx| {
        let (amount, failed) = {
            let mut guard = lock(&ctx.huifu);
            let state = &mut *guard;
            let Some(o) = state.orders.get_mut(&key) else {
                return;
            };
            if o.status != "I" {
                return;
            }
            let retry = o.transfer.as_ref().is_some_and(|t| t.retry);
            let failed = scripted_failure(o.amount) && !retry;
            o.status = if failed { "F" } else { "S" };
            let amount = o.amount;
            if !failed && let Some(trade) = o.trade.as_mut() {
                trade.settle(&mut state.accounts, amount);
            }
            if let Some(t) = &o.transfer {
                for (id, share) in &t.from {
                    if failed {
                        state.accounts.unfreeze(id, *share);
                    } else {
                        state.accounts.take_frozen(id, *share);
                    }
                }
                if let Some(to) = t.to.as_ref().filter(|_| !failed) {
                    state.accounts.credit(to, amount);
                }
            }
            (amount, failed)
        };
        let (code, desc, stat) = if failed {
            ("C10010", "交易失败", "F")
        } else {
            (OK, "交易成功", "S")
        };
        send_callback(
            &ctx,
            &f,
            &key,
            code,
            desc,
            json!({"trans_stat": stat, "trans_amt": amount.to_yuan()}),
        );
    });
}

/// The callback of an order that is already decided: sent at once (`steps` 0), or after
/// `steps` status delays, when the order (still `I`) becomes `S`. The status changes whether or
/// not the merchant gave a `bg_ret_url`.
fn callback_later(
    ctx: &Arc<Ctx>,
    f: &Fields,
    key: &(String, String),
    code: &'static str,
    desc: &'static str,
    extra: Value,
    steps: u32,
) {
    let (f, key) = (f.clone(), key.clone());
    if steps == 0 {
        send_callback(ctx, &f, &key, code, desc, extra);
        return;
    }
    ctx.after_status_delay(steps, move |ctx| {
        if let Some(o) = lock(&ctx.huifu).orders.get_mut(&key)
            && o.status == "I"
        {
            o.status = "S";
        }
        send_callback(&ctx, &f, &key, code, desc, extra);
    });
}

/// The request fields a callback echoes when the request had them. Besides the user, the
/// merchant's private field and the amount, these are the fields that name the order's kind,
/// as Huifu's results echo the request's own names: the seller and buyer of a balance pay,
/// `order_affirm` and `order_reverse`, the original of a refund (`org_order_*`) or of a
/// guarantee release or split (`old_order_*`), and the card and terms of a withdrawal. A
/// merchant that did not keep the kind of each order can tell it from them
/// (`huifu::notify::infer_trans_type`) to confirm the callback with `order_query`.
const CALLBACK_ECHOES: &[&str] = &[
    "user_cust_id",
    "mer_priv",
    "trans_amt",
    "in_cust_id",
    "out_cust_id",
    "org_order_id",
    "org_order_date",
    "old_order_id",
    "old_order_date",
    "cash_bind_card_id",
    "cash_type",
    "fee_obj",
];

/// POSTs `check_value = base64(JSON result)` to `bg_ret_url`.
fn send_callback(
    ctx: &Arc<Ctx>,
    f: &Fields,
    key: &(String, String),
    code: &str,
    desc: &str,
    extra: Value,
) {
    let Some(url) = f.get("bg_ret_url").filter(|u| !u.is_empty()) else {
        return;
    };
    if let Err(why) = ctx.check_notify_url(url) {
        tracing::warn!(%url, why, "huifu callback not sent");
        return;
    }
    let mut result = Map::new();
    result.insert("resp_code".into(), code.into());
    result.insert("resp_desc".into(), desc.into());
    result.insert("mer_cust_id".into(), cred::MER_CUST_ID.into());
    for echo in CALLBACK_ECHOES {
        if let Some(v) = f.get(*echo).filter(|v| !v.is_empty()) {
            result.insert((*echo).into(), v.clone().into());
        }
    }
    result.insert("order_id".into(), key.0.clone().into());
    result.insert("order_date".into(), key.1.clone().into());
    if let Some(seq) = lock(&ctx.huifu)
        .orders
        .get(key)
        .map(|o| o.platform_seq_id.clone())
    {
        result.insert("platform_seq_id".into(), seq.into());
    }
    if let Value::Object(extra) = extra {
        result.extend(extra);
    }
    let json_text = Value::Object(result.clone()).to_string();
    let check_value = STANDARD.encode(json_text.as_bytes());
    lock(&ctx.huifu).issued.insert(check_value.clone());
    let mut forged = result;
    forged.insert("trans_amt".into(), "99999.00".into());
    let forged_value = STANDARD.encode(Value::Object(forged).to_string().as_bytes());
    let form = |v: &str| Bytes::from(crate::common::encode_form([("check_value", v)]));
    ctx.notify(Outgoing {
        order_id: key.0.clone(),
        kind: "callback",
        method: http::Method::POST,
        url: url.clone(),
        content_type: Some("application/x-www-form-urlencoded"),
        body: form(&check_value),
        tampered_url: url.clone(),
        tampered_body: form(&forged_value),
        ack,
        schedule: ctx.options.schedule_for(ctx.provider),
    });
}

/// `success` (any case) or `RECV_ORD_ID_<order_id>`.
fn ack(_status: u16, body: &str) -> bool {
    let body = body.trim();
    body.eq_ignore_ascii_case("success") || body.starts_with("RECV_ORD_ID_")
}

/// The kinds of order that move money, as the statement lists them.
const TRADE_KINDS: &[&str] = &[
    "quick-pay",
    "app-pay",
    "balance-pay",
    "split",
    "affirm",
    "reverse",
    "refund",
    "withdrawal",
];

/// The header of the statement file (`order_download`'s `file_url`).
pub(crate) const STATEMENT_HEADER: &str =
    "order_id,order_date,platform_seq_id,trans_type,user_cust_id,trans_amt,trans_stat";

/// The statement of `date` (`YYYYMMDD`): every money-moving order whose `order_date` is that
/// day, in the order the sandbox accepted them, as UTF-8 CSV with [`STATEMENT_HEADER`].
fn statement_csv(state: &State, date: &str) -> String {
    let mut rows: Vec<(&(String, String), &Order)> = state
        .orders
        .iter()
        .filter(|((_, d), o)| d == date && TRADE_KINDS.contains(&o.kind))
        .collect();
    rows.sort_by(|a, b| (a.1.seq, &a.0.0).cmp(&(b.1.seq, &b.0.0)));
    let mut out = String::from(STATEMENT_HEADER);
    out.push('\n');
    for ((order_id, order_date), o) in rows {
        let cells = [
            order_id.as_str(),
            order_date.as_str(),
            o.platform_seq_id.as_str(),
            o.kind,
            o.user_cust_id.as_str(),
            &o.amount.to_yuan(),
            o.status,
        ]
        .map(csv_cell);
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// `GET /sandbox/files/{YYYYMMDD}.txt`: the statement of that day.
fn download(ctx: &Ctx, file: &str) -> Response {
    let Some(date) = file
        .strip_suffix(".txt")
        .filter(|d| pay_core::clock::is_compact_date(d))
    else {
        return (http::StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let csv = statement_csv(&lock(&ctx.huifu), date);
    (
        http::StatusCode::OK,
        [
            (
                http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_owned(),
            ),
            (
                http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{date}.txt\""),
            ),
        ],
        csv,
    )
        .into_response()
}

const BINS: &[(&str, &str, &str, &str)] = &[
    ("622588", "03080000", "招商银行", "D"),
    ("621700", "01050000", "中国建设银行", "D"),
    ("622202", "01020000", "中国工商银行", "D"),
    ("622848", "01030000", "中国农业银行", "D"),
    ("621661", "01040000", "中国银行", "D"),
    ("622575", "03080000", "招商银行", "C"),
];

fn bank_check(card: &str) -> Response {
    let empty = Fields::new();
    if !(12..=19).contains(&card.len()) || !card.bytes().all(|b| b.is_ascii_digit()) {
        return err(ERR_PARAM, "参数错误: card_id 银行卡号有误", &empty);
    }
    match BINS.iter().find(|(bin, ..)| card.starts_with(bin)) {
        Some((_, bank_id, bank_name, card_type)) => reply(
            OK,
            "成功",
            &empty,
            json!({"card_id": card, "bank_id": bank_id, "bank_name": bank_name, "card_type": card_type}),
        ),
        None => err(ERR_CARD, "无法识别的银行卡 (unknown card BIN)", &empty),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_text_and_file_parts() {
        let body = "--XX\r\nContent-Disposition: form-data; name=\"mer_cust_id\"\r\n\r\n6666\r\n--XX\r\nContent-Disposition: form-data; name=\"file1\"; filename=\"front.jpg\"\r\nContent-Type: image/jpeg\r\n\r\n\u{1}\u{2}\r\n--XX--\r\n";
        let f = multipart_fields(body.as_bytes(), "XX");
        assert_eq!(f.get("mer_cust_id").map(String::as_str), Some("6666"));
        assert_eq!(f.get("file1").map(String::as_str), Some("front.jpg"));
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn query_kinds_and_askers() {
        for (kind, trans_type) in [
            ("quick-pay", Some("01")),
            ("app-pay", Some("01")),
            ("balance-pay", Some("02")),
            ("affirm", Some("02")),
            ("reverse", Some("02")),
            ("split", Some("02")),
            ("withdrawal", Some("03")),
            ("refund", Some("04")),
            ("person-opening", None),
            ("merchant-opening", None),
            ("bind-card", None),
        ] {
            assert_eq!(query_kind(kind), trans_type, "{kind}");
        }
        assert!(may_query("U1", "U1"));
        assert!(may_query(cred::MER_CUST_ID, "U1"));
        assert!(may_query("", "U1"));
        assert!(may_query("U2", ""));
        assert!(!may_query("U2", "U1"));
    }

    #[test]
    fn bare_answers_by_amount() {
        assert!(bare_answers(Money::from_fen(133)));
        assert!(!bare_answers(Money::from_fen(144)));
        assert!(!bare_answers(Money::from_fen(100)));
    }

    #[test]
    fn acks() {
        assert!(ack(200, "RECV_ORD_ID_123"));
        assert!(ack(200, "SUCCESS"));
        assert!(!ack(200, "fail"));
    }
}

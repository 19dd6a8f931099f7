//! Huifu's memory: the accounts and their balances, the orders and their money, and the
//! lookups every handler makes (a repeated `order_id`, an unknown user, the original of a
//! refund or release), each refused with the spec's code.

use std::collections::{BTreeMap, HashMap, HashSet};

use axum::response::Response;
use pay_core::Money;

use super::request::{date8, err, need};
use super::{ERR_DUPLICATE, ERR_NOT_FOUND, ERR_USER, Fields, Key};
use crate::common::{Ctx, lock};
use crate::credentials::huifu as cred;
use crate::inspect::OrderSnapshot;

/// An account: what it may spend (`avl_balance`) and what is frozen in it (`frz_balance`);
/// `acct_balance` is their sum.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Account {
    pub(super) avl: Money,
    pub(super) frz: Money,
}

/// Every account the simulator keeps: the opened users and the platform merchant's own.
#[derive(Debug)]
pub(super) struct Accounts {
    pub(super) users: HashMap<String, Account>,
    /// The merchant (`mer_cust_id`). Its frozen balance is the money the platform holds for
    /// guarantee and delayed-split trades (see [`Hold`]).
    pub(super) merchant: Account,
}

/// `a + b`. Cannot saturate in practice: every amount is at most [`super::MAX_AMOUNT`].
pub(super) fn plus(a: Money, b: Money) -> Money {
    Money::from_fen(a.fen().saturating_add(b.fen()))
}

/// `a - b`. Callers check `b <= a` first.
pub(super) fn minus(a: Money, b: Money) -> Money {
    Money::from_fen(a.fen().saturating_sub(b.fen()))
}

pub(super) fn total<'a>(amounts: impl IntoIterator<Item = &'a Money>) -> Money {
    amounts
        .into_iter()
        .fold(Money::ZERO, |sum, m| plus(sum, *m))
}

impl Accounts {
    pub(super) fn get(&self, id: &str) -> Option<&Account> {
        if id == cred::MER_CUST_ID {
            Some(&self.merchant)
        } else {
            self.users.get(id)
        }
    }

    pub(super) fn get_mut(&mut self, id: &str) -> Option<&mut Account> {
        if id == cred::MER_CUST_ID {
            Some(&mut self.merchant)
        } else {
            self.users.get_mut(id)
        }
    }

    pub(super) fn exists(&self, id: &str) -> bool {
        self.get(id).is_some()
    }

    /// What `id` may spend (zero for an unknown account).
    pub(super) fn available(&self, id: &str) -> Money {
        self.get(id).map_or(Money::ZERO, |a| a.avl)
    }

    pub(super) fn credit(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.avl = plus(a.avl, amount);
        }
    }

    /// Takes `amount` out of `id`'s available balance (the caller checked it is there).
    pub(super) fn debit(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.avl = minus(a.avl, amount);
        }
    }

    /// Moves `amount` from available to frozen (the caller checked it is available).
    pub(super) fn freeze(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.avl = minus(a.avl, amount);
            a.frz = plus(a.frz, amount);
        }
    }

    /// Moves `amount` from frozen back to available.
    pub(super) fn unfreeze(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.frz = minus(a.frz, amount);
            a.avl = plus(a.avl, amount);
        }
    }

    /// Takes `amount` out of `id`'s frozen balance: it leaves the account.
    pub(super) fn take_frozen(&mut self, id: &str, amount: Money) {
        if let Some(a) = self.get_mut(id) {
            a.frz = minus(a.frz, amount);
        }
    }

    /// The platform starts holding `amount` for a trade.
    pub(super) fn hold(&mut self, amount: Money) {
        self.merchant.frz = plus(self.merchant.frz, amount);
    }

    /// The platform stops holding `amount` (it goes wherever the caller credits it).
    pub(super) fn unhold(&mut self, amount: Money) {
        self.merchant.frz = minus(self.merchant.frz, amount);
    }
}

#[derive(Debug, Clone)]
pub(super) struct Card {
    pub(super) user_cust_id: String,
}

/// Why a pay's money is held by the platform (the merchant's frozen balance) instead of being
/// credited when it succeeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Hold {
    /// A guarantee (担保) trade: `trans_type=1` of balance pay, `trans_type=guarantee` of app
    /// pay and quick pay. Released by `order_affirm` (to the seller), `order_reverse` (back to
    /// the buyer) or `fz` (split).
    Guarantee,
    /// A delayed split (`div_type=01` of app pay), released by `fz`.
    DelayedSplit,
}

/// Where a pay's money goes when it succeeds.
#[derive(Debug, Clone)]
pub(super) enum Dest {
    /// Credited to these accounts.
    Credit(Vec<(String, Money)>),
    /// Held by the platform.
    Hold(Hold),
}

/// The money of a pay (quick, app or balance pay).
#[derive(Debug, Clone)]
pub(super) struct Trade {
    /// The account the pay was drawn on (balance pay): refunds and reverses credit it. `None`
    /// for a card or QR payment: money returned to the payer goes back to the card or wallet,
    /// outside the simulator.
    pub(super) source: Option<String>,
    /// The buyer (`out_cust_id`, or the paying `user_cust_id`); `order_affirm` and
    /// `order_reverse` must name it as `out_cust_id`.
    pub(super) buyer: Option<String>,
    /// The seller (`in_cust_id`): `order_affirm` releases to it, and `order_affirm` and
    /// `order_reverse` must name it as `in_cust_id`.
    pub(super) seller: Option<String>,
    pub(super) dest: Dest,
    /// What the platform still holds of it.
    pub(super) held: Money,
    /// What each account received from it (credited, confirmed or split to it): what refunds
    /// may take back.
    pub(super) delivered: BTreeMap<String, Money>,
}

impl Trade {
    pub(super) fn hold(&self) -> Option<Hold> {
        match self.dest {
            Dest::Hold(h) => Some(h),
            Dest::Credit(_) => None,
        }
    }

    pub(super) fn deliver(&mut self, accounts: &mut Accounts, to: &str, amount: Money) {
        accounts.credit(to, amount);
        let d = self.delivered.entry(to.to_owned()).or_insert(Money::ZERO);
        *d = plus(*d, amount);
    }

    /// The pay succeeded: its money goes where `dest` says.
    pub(super) fn settle(&mut self, accounts: &mut Accounts, amount: Money) {
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
pub(super) struct Transfer {
    pub(super) from: Vec<(String, Money)>,
    pub(super) to: Option<String>,
    /// A failed refund sent again (see [`super::refund::refund`]).
    pub(super) retry: bool,
}

#[derive(Debug, Clone)]
pub(super) struct Order {
    pub(super) kind: &'static str,
    pub(super) user_cust_id: String,
    pub(super) amount: Money,
    pub(super) status: &'static str,
    pub(super) platform_seq_id: String,
    /// The order in which the sandbox accepted it.
    pub(super) seq: u64,
    /// For a refund: the `org_order_id` + `org_order_date` it refunds.
    pub(super) refund_of: Option<Key>,
    /// For a pay: where its money is.
    pub(super) trade: Option<Trade>,
    /// For a refund or withdrawal: what it moves.
    pub(super) transfer: Option<Transfer>,
}

impl Order {
    pub(super) fn new(
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
pub(super) struct PendingQuickPay {
    pub(super) user_cust_id: String,
    pub(super) amount: Money,
    /// Where the money goes, decided (and checked) with the SMS request.
    pub(super) dest: Dest,
    pub(super) seller: Option<String>,
}

/// Huifu's memory.
#[derive(Debug)]
pub(crate) struct State {
    /// Access tokens and when they expire (unix seconds).
    pub(super) tokens: HashMap<String, i64>,
    /// Authorization codes not yet exchanged (each works once).
    pub(super) codes: HashSet<String>,
    /// Refresh tokens not yet used (each works once) and the session each belongs to.
    pub(super) refresh_tokens: HashMap<String, String>,
    /// Open sessions.
    pub(super) sessions: HashSet<String>,
    pub(super) accounts: Accounts,
    pub(super) cards: HashMap<String, Card>,
    pub(super) orders: HashMap<Key, Order>,
    pub(super) pending: HashMap<Key, PendingQuickPay>,
    pub(super) issued: HashSet<String>,
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

/// `order_id` + `order_date` of the request.
pub(super) fn order_key(f: &Fields) -> Result<Key, Response> {
    Ok((need(f, "order_id")?.to_owned(), date8(f, "order_date")?))
}

/// Refuses an `order_id` + `order_date` used before (`C10003`): the simulator's answer to a
/// repeated request, whatever it was and however it ended (but see `refund`).
pub(super) fn fresh(state: &State, key: &Key, f: &Fields) -> Result<(), Response> {
    if state.orders.contains_key(key) {
        Err(duplicate(f))
    } else {
        Ok(())
    }
}

pub(super) fn duplicate(f: &Fields) -> Response {
    err(
        ERR_DUPLICATE,
        "订单号重复 (order_id + order_date used before)",
        f,
    )
}

/// Reserves `order_id` + `order_date` for an order that moves no money, refusing a reuse.
pub(super) fn new_order(
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
pub(super) fn user_exists(ctx: &Ctx, f: &Fields, name: &str) -> Result<String, Response> {
    let id = need(f, name)?.to_owned();
    if lock(&ctx.huifu).accounts.users.contains_key(&id) {
        Ok(id)
    } else {
        Err(err(ERR_USER, &format!("用户不存在 ({name})"), f))
    }
}

/// The account named by field `name`: an opened user or the merchant itself.
pub(super) fn account_exists(state: &State, f: &Fields, name: &str) -> Result<String, Response> {
    let id = need(f, name)?.to_owned();
    if state.accounts.exists(&id) {
        Ok(id)
    } else {
        Err(err(ERR_USER, &format!("用户不存在 ({name})"), f))
    }
}

pub(super) fn new_user(ctx: &Ctx) -> String {
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

/// The pay `key` names as the original of a refund, `fz`, `order_affirm` or `order_reverse`:
/// it must exist, be a pay, and have succeeded (`C10004` otherwise: unknown, not a pay, still
/// in progress or failed). Returns its user, amount and money.
pub(super) fn original_pay(
    state: &State,
    key: &Key,
    f: &Fields,
) -> Result<(String, Money, Trade), Response> {
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
pub(super) fn put_trade(state: &mut State, key: &Key, trade: Trade) {
    if let Some(o) = state.orders.get_mut(key) {
        o.trade = Some(trade);
    }
}

//! One transaction lifecycle for every provider: what a provider's status means, whether anything
//! can still follow it, and which business event a notification reports.
//!
//! Each provider crate describes its statuses as one [`Lifecycle`] table per kind of order
//! (payment, payout, refund, funds arrived): provider code → neutral [`TxStatus`], final or not,
//! and which codes may follow. Everything else is derived from those tables:
//!
//! - a [`Transition`] (what a notification, query or create answer reports) takes its status and
//!   finality from the table, so finality is never decided twice;
//! - its [`dedup_key`](Transition::dedup_key) names the order and the neutral status, never the
//!   raw code: two notices of one business event (aggregate-pay's status 2 "paid" and 3
//!   "completed", a resend) are one event, a later different one (a return after a payout) is a
//!   new event;
//! - `docs/LIFECYCLE.md` is generated from the tables by the tests, and checked.
//!
//! An [`ExpectedOrder`] states what the merchant's own order says (its id, the amount, the
//! merchant/app/dealer/broker ids the client is configured with); checking a transition or an
//! answer against it turns any disagreement into [`Error::Mismatch`], never a substitution.

use std::fmt;

use serde::Serialize;

use crate::{Error, Money, TxStatus};

/// The kind of money movement an order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FlowKind {
    /// Money in: the payer pays the merchant.
    Payment,
    /// Money out: the merchant pays someone (代付, a payout, a withdrawal).
    Payout,
    /// Money back to a payer after a payment.
    Refund,
    /// Funds of a payment settled into the merchant's account (protocol-pay §10).
    FundsArrived,
}

impl FlowKind {
    /// The lower-case name used in dedup keys, JSON and the docs.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowKind::Payment => "payment",
            FlowKind::Payout => "payout",
            FlowKind::Refund => "refund",
            FlowKind::FundsArrived => "funds_arrived",
        }
    }
}

impl fmt::Display for FlowKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One provider status in a [`Lifecycle`] table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRule {
    /// The provider's code, as on the wire.
    pub code: &'static str,
    /// What the spec says it means.
    pub meaning: &'static str,
    /// The neutral status. A status the spec lists but whose outcome for the merchant is not
    /// success, failure or any other neutral status (a partial success, to be reconciled by
    /// hand) is `TxStatus::Unknown(String::new())`: [`Lifecycle::state`] fills in the code.
    pub status: TxStatus,
    /// Whether the spec allows no later change for this kind of order.
    pub is_final: bool,
    /// The codes that may follow it (empty where final).
    pub next: &'static [&'static str],
}

/// A provider's statuses for one kind of order: the transition table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lifecycle {
    /// The provider (`aggregate-pay`, `yunzhanghu`, …).
    pub provider: &'static str,
    /// The kind of order.
    pub kind: FlowKind,
    /// Where the spec defines these statuses, and any reading the table settles.
    pub source: &'static str,
    /// Every status the spec lists.
    pub rules: &'static [StatusRule],
}

/// Where an order stands by one provider code, read through its [`Lifecycle`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The neutral status ([`TxStatus::Unknown`] for a code the table does not list).
    pub status: TxStatus,
    /// Whether nothing can follow it. Never true for an unknown code.
    pub is_final: bool,
}

impl Lifecycle {
    /// The rule for `code`, where the spec lists it.
    pub fn rule(&self, code: &str) -> Option<&StatusRule> {
        self.rules.iter().find(|r| r.code == code)
    }

    /// Where `code` leaves the order. A code the table does not list is
    /// [`TxStatus::Unknown`] and not final: an unknown never reads as success.
    pub fn state(&self, code: &str) -> State {
        match self.rule(code) {
            Some(r) => State {
                status: match &r.status {
                    TxStatus::Unknown(_) => TxStatus::Unknown(code.to_owned()),
                    known => known.clone(),
                },
                is_final: r.is_final,
            },
            None => State {
                status: TxStatus::Unknown(code.to_owned()),
                is_final: false,
            },
        }
    }

    /// Whether the table says `to` may follow `from` (the same code again always may: a resend).
    pub fn may_follow(&self, from: &str, to: &str) -> bool {
        from == to || self.rule(from).is_some_and(|r| r.next.contains(&to))
    }

    /// Checks that the table is consistent: codes are unique, a final status has no successor
    /// and a status that is not final has one, every successor is listed, and an unknown
    /// status is never final.
    ///
    /// # Errors
    /// A sentence naming the first inconsistency.
    pub fn validate(&self) -> Result<(), String> {
        let name = format!("{} {}", self.provider, self.kind);
        for (i, r) in self.rules.iter().enumerate() {
            if self.rules[..i].iter().any(|o| o.code == r.code) {
                return Err(format!("{name}: code `{}` listed twice", r.code));
            }
            if r.is_final && !r.next.is_empty() {
                return Err(format!(
                    "{name}: `{}` is final but lists successors",
                    r.code
                ));
            }
            if !r.is_final && r.next.is_empty() {
                return Err(format!(
                    "{name}: `{}` is not final but nothing may follow",
                    r.code
                ));
            }
            if matches!(r.status, TxStatus::Unknown(_)) && r.is_final {
                return Err(format!("{name}: `{}` is unknown yet final", r.code));
            }
            if let Some(n) = r.next.iter().find(|n| self.rule(n).is_none()) {
                return Err(format!(
                    "{name}: `{}` may be followed by unlisted `{n}`",
                    r.code
                ));
            }
        }
        Ok(())
    }

    /// The table as a Markdown section (for `docs/LIFECYCLE.md`).
    pub fn markdown(&self) -> String {
        let mut out = format!(
            "### {} — {}\n\n{}\n\n| code | meaning | status | final | may be followed by |\n|---|---|---|---|---|\n",
            self.provider, self.kind, self.source
        );
        for r in self.rules {
            let next = if r.next.is_empty() {
                "—".to_owned()
            } else {
                r.next
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                r.code,
                r.meaning.replace('|', "\\|"),
                r.status.as_str(),
                if r.is_final { "yes" } else { "no" },
                next
            ));
        }
        out.push_str("| any other | not in the spec | unknown | no | — |\n");
        out
    }
}

/// Characters escaped in a dedup key's order scope.
const SCOPE_RESERVED: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b':').add(b'%').add(b' ');

/// The merchant/app/dealer/broker ids a message names, by wire field.
pub type Parties = Vec<(&'static str, String)>;

/// A business event: an order of one kind reached one neutral status.
///
/// Built from a provider's [`Lifecycle`] with [`Transition::new`], so that status and finality
/// come from the table. Serialises (for the CLI) as
/// `{"kind", "order_id", "amount_fen", "status", "final", "dedup_key"}`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    /// The provider.
    pub provider: &'static str,
    /// The kind of order.
    pub kind: FlowKind,
    /// The merchant's own order id (the one it sent).
    pub order_id: String,
    /// What else identifies the order at the provider besides the merchant's order id, where
    /// the provider lets an order id be used again under another scope (Huifu: the
    /// `order_date`, since an order is `order_id` + `order_date`). Part of the dedup key, so
    /// that the same id on another day is another order, never a duplicate.
    pub order_scope: Option<String>,
    /// The provider's order id, where given.
    pub provider_order_id: Option<String>,
    /// The amount the provider stated; `None` where it stated none.
    pub amount: Option<Money>,
    /// The provider's status code, verbatim.
    pub code: String,
    /// The neutral status.
    pub status: TxStatus,
    /// Whether nothing can follow (from the table).
    pub is_final: bool,
    /// The merchant/app/dealer/broker ids the provider stated, by wire field.
    pub parties: Parties,
    /// A status or failure message from the provider, where given.
    pub message: Option<String>,
}

impl Transition {
    /// The transition to `code` of `order_id`, read through `table`.
    pub fn new(table: &Lifecycle, order_id: impl Into<String>, code: impl Into<String>) -> Self {
        let code = code.into();
        let State { status, is_final } = table.state(&code);
        Transition {
            provider: table.provider,
            kind: table.kind,
            order_id: order_id.into(),
            order_scope: None,
            provider_order_id: None,
            amount: None,
            code,
            status,
            is_final,
            parties: Parties::new(),
            message: None,
        }
    }

    /// With the amount the provider stated.
    #[must_use]
    pub fn amount(mut self, amount: Option<Money>) -> Self {
        self.amount = amount;
        self
    }

    /// With the scope that identifies the order besides its id (see
    /// [`Transition::order_scope`]).
    #[must_use]
    pub fn order_scope(mut self, scope: Option<impl Into<String>>) -> Self {
        self.order_scope = scope.map(Into::into);
        self
    }

    /// With the provider's own order id.
    #[must_use]
    pub fn provider_order_id(mut self, id: Option<impl Into<String>>) -> Self {
        self.provider_order_id = id.map(Into::into);
        self
    }

    /// With a party id the provider stated (`mchId`, `dealer_id`, …); an absent one is skipped.
    #[must_use]
    pub fn party(mut self, field: &'static str, value: Option<impl Into<String>>) -> Self {
        if let Some(v) = value {
            self.parties.push((field, v.into()));
        }
        self
    }

    /// With the provider's message.
    #[must_use]
    pub fn message(mut self, message: Option<impl Into<String>>) -> Self {
        self.message = message.map(Into::into);
        self
    }

    /// The identity of the business event, for replay protection:
    /// `{provider}:{kind}:{status}:{order_id}`, or `{provider}:{kind}:{status}:{scope}:{order_id}`
    /// where the order has a [scope](Transition::order_scope) (percent-encoded). Two notices of
    /// the same transition of the same order share it whatever raw code or notification id they
    /// carry; a different transition (failed after processing, returned after succeeded) has
    /// another. The order id comes last, so any character in it keeps the key unambiguous.
    pub fn dedup_key(&self) -> String {
        let event = self.status.event_name();
        match &self.order_scope {
            Some(scope) => format!(
                "{}:{}:{event}:{}:{}",
                self.provider,
                self.kind,
                percent_encoding::utf8_percent_encode(scope, SCOPE_RESERVED),
                self.order_id
            ),
            None => format!("{}:{}:{event}:{}", self.provider, self.kind, self.order_id),
        }
    }

    /// The JSON object the CLI prints:
    /// `{"kind", "order_id", "amount_fen", "status", "final", "dedup_key"}`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "kind": self.kind.as_str(),
            "order_id": self.order_id,
            "amount_fen": self.amount.map(Money::fen),
            "status": self.status.as_str(),
            "final": self.is_final,
            "dedup_key": self.dedup_key(),
        })
    }
}

impl crate::NotificationEvent for Transition {
    fn replay_key(&self) -> String {
        self.dedup_key()
    }

    fn transition(&self) -> Option<Transition> {
        Some(self.clone())
    }
}

/// What the merchant's own order says, to check every notification, query answer and create
/// answer against.
///
/// ```
/// use pay_core::lifecycle::{ExpectedOrder, FlowKind, Lifecycle, StatusRule, Transition};
/// use pay_core::{Error, Money, TxStatus};
///
/// static PAY: Lifecycle = Lifecycle {
///     provider: "example",
///     kind: FlowKind::Payment,
///     source: "spec §1",
///     rules: &[StatusRule { code: "1", meaning: "paid", status: TxStatus::Succeeded, is_final: true, next: &[] }],
/// };
/// let notice = Transition::new(&PAY, "O1", "1").amount(Some(Money::from_fen(100))).party("mchId", Some("M1"));
/// let order = ExpectedOrder::new("O1").amount(Money::from_fen(100)).party("mchId", "M1");
/// assert!(order.check(&notice).is_ok());
/// let wrong = ExpectedOrder::new("O1").amount(Money::from_fen(10_000)).party("mchId", "M1");
/// assert!(matches!(wrong.check(&notice), Err(Error::Mismatch { field: "amount", .. })));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedOrder {
    order_id: String,
    amount: Option<Money>,
    parties: Vec<(&'static str, String)>,
}

impl ExpectedOrder {
    /// The merchant's order `order_id`.
    pub fn new(order_id: impl Into<String>) -> Self {
        ExpectedOrder {
            order_id: order_id.into(),
            amount: None,
            parties: Vec::new(),
        }
    }

    /// The amount of the order.
    #[must_use]
    pub fn amount(mut self, amount: Money) -> Self {
        self.amount = Some(amount);
        self
    }

    /// A merchant/app/dealer/broker id the answer must carry, by the wire field it comes in.
    #[must_use]
    pub fn party(mut self, field: &'static str, value: impl Into<String>) -> Self {
        self.parties.push((field, value.into()));
        self
    }

    /// The order id.
    pub fn order_id(&self) -> &str {
        &self.order_id
    }

    /// The expected amount, where stated.
    pub fn expected_amount(&self) -> Option<Money> {
        self.amount
    }

    /// Checks a notification's transition strictly: the order id, the amount (when expected)
    /// and every party must be stated by the provider and equal. Use it before crediting.
    ///
    /// # Errors
    /// [`Error::Mismatch`] naming the first field that differs or is missing.
    pub fn check(&self, t: &Transition) -> Result<(), Error> {
        self.check_facts(Some(&t.order_id), t.amount, &t.parties, true)
    }

    /// Checks an answer (create or query) by what it states: the order id must be stated and
    /// equal; the amount and the parties must be equal where the provider stated them (an
    /// answer that states no amount leaves it unconfirmed, and reports `None`).
    ///
    /// # Errors
    /// [`Error::Mismatch`] naming the first field that differs.
    pub fn check_stated(
        &self,
        order_id: Option<&str>,
        amount: Option<Money>,
        parties: &[(&'static str, String)],
    ) -> Result<(), Error> {
        self.check_facts(order_id, amount, parties, false)
    }

    fn check_facts(
        &self,
        order_id: Option<&str>,
        amount: Option<Money>,
        parties: &[(&'static str, String)],
        strict: bool,
    ) -> Result<(), Error> {
        let mismatch = |field: &'static str, expected: String, got: Option<String>| {
            Err(Error::mismatch(field, expected, got, &self.order_id))
        };
        if order_id != Some(self.order_id.as_str()) {
            return mismatch(
                "order_id",
                self.order_id.clone(),
                order_id.map(str::to_owned),
            );
        }
        if let Some(want) = self.amount {
            match amount {
                Some(got) if got == want => {}
                None if !strict => {}
                got => {
                    return mismatch("amount", want.to_yuan(), got.map(|g| g.to_yuan()));
                }
            }
        }
        for (field, want) in &self.parties {
            match parties.iter().find(|(f, _)| f == field) {
                Some((_, got)) if got == want => {}
                None if !strict => {}
                got => return mismatch(field, want.clone(), got.map(|(_, g)| g.clone())),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static PAYOUT: Lifecycle = Lifecycle {
        provider: "p",
        kind: FlowKind::Payout,
        source: "spec",
        rules: &[
            StatusRule {
                code: "0",
                meaning: "accepted",
                status: TxStatus::Processing,
                is_final: false,
                next: &["1", "2"],
            },
            StatusRule {
                code: "1",
                meaning: "paid",
                status: TxStatus::Succeeded,
                is_final: false,
                next: &["9"],
            },
            StatusRule {
                code: "2",
                meaning: "failed",
                status: TxStatus::Failed,
                is_final: true,
                next: &[],
            },
            StatusRule {
                code: "9",
                meaning: "returned | sent back",
                status: TxStatus::Returned,
                is_final: true,
                next: &[],
            },
        ],
    };

    #[test]
    fn table_reads_codes_and_never_reads_unknown_as_final() {
        PAYOUT.validate().unwrap();
        assert_eq!(PAYOUT.state("1").status, TxStatus::Succeeded);
        assert!(!PAYOUT.state("1").is_final);
        assert!(PAYOUT.state("9").is_final);
        let unknown = PAYOUT.state("77");
        assert_eq!(unknown.status, TxStatus::Unknown("77".into()));
        assert!(!unknown.is_final);
        assert!(PAYOUT.may_follow("1", "9") && !PAYOUT.may_follow("9", "1"));
        let md = PAYOUT.markdown();
        assert!(md.contains("| `1` | paid | succeeded | no | `9` |"), "{md}");
        assert!(md.contains("returned \\| sent back"), "{md}");
    }

    #[test]
    fn validate_names_inconsistencies() {
        static BAD: Lifecycle = Lifecycle {
            provider: "p",
            kind: FlowKind::Payment,
            source: "",
            rules: &[StatusRule {
                code: "1",
                meaning: "",
                status: TxStatus::Succeeded,
                is_final: true,
                next: &["2"],
            }],
        };
        assert_eq!(
            BAD.validate().unwrap_err(),
            "p payment: `1` is final but lists successors"
        );
    }

    #[test]
    fn dedup_key_names_the_event_not_the_code() {
        let a = Transition::new(&PAYOUT, "O:1", "1");
        let b = Transition::new(&PAYOUT, "O:1", "1");
        let returned = Transition::new(&PAYOUT, "O:1", "9");
        assert_eq!(a.dedup_key(), "p:payout:succeeded:O:1");
        assert_eq!(a.dedup_key(), b.dedup_key());
        assert_ne!(a.dedup_key(), returned.dedup_key());
        assert_eq!(
            Transition::new(&PAYOUT, "O", "x:y").dedup_key(),
            "p:payout:unknown(x%3Ay):O"
        );
        let dated = Transition::new(&PAYOUT, "O:1", "1").order_scope(Some("20240101"));
        assert_eq!(dated.dedup_key(), "p:payout:succeeded:20240101:O:1");
        assert_ne!(
            dated.dedup_key(),
            Transition::new(&PAYOUT, "O:1", "1")
                .order_scope(Some("20240102"))
                .dedup_key()
        );
        let json = a.amount(Some(Money::from_fen(5))).to_json();
        assert_eq!(
            json,
            serde_json::json!({"kind": "payout", "order_id": "O:1", "amount_fen": 5,
                "status": "succeeded", "final": false, "dedup_key": "p:payout:succeeded:O:1"})
        );
    }

    #[test]
    fn expected_order_refuses_every_disagreement() {
        let t = Transition::new(&PAYOUT, "O1", "1")
            .amount(Some(Money::from_fen(100)))
            .party("mchId", Some("M1"));
        let field = |r: Result<(), Error>| match r {
            Err(Error::Mismatch { field, .. }) => field.to_owned(),
            other => format!("{other:?}"),
        };
        let ok = ExpectedOrder::new("O1")
            .amount(Money::from_fen(100))
            .party("mchId", "M1");
        ok.check(&t).unwrap();
        assert_eq!(field(ExpectedOrder::new("O2").check(&t)), "order_id");
        assert_eq!(
            field(
                ExpectedOrder::new("O1")
                    .amount(Money::from_fen(1))
                    .check(&t)
            ),
            "amount"
        );
        assert_eq!(
            field(ExpectedOrder::new("O1").party("mchId", "M2").check(&t)),
            "mchId"
        );
        // strict: an amount or party the provider did not state is a mismatch
        let bare = Transition::new(&PAYOUT, "O1", "1");
        assert_eq!(field(ok.check(&bare)), "amount");
        // stated only: unconfirmed, not substituted
        ok.check_stated(Some("O1"), None, &[]).unwrap();
        assert_eq!(field(ok.check_stated(None, None, &[])), "order_id");
        let e = ok
            .check_stated(Some("O1"), Some(Money::from_fen(99)), &[])
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`amount` does not match the merchant's order: expected 1.00, got 0.99 (order `O1`)"
        );
    }
}

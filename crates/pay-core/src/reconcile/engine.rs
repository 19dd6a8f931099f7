//! The comparison: two streams of records in, a classed report out (see the module docs).

use std::collections::HashMap;

use serde::{Serialize, Serializer};

use super::{Record, is_pending};
use crate::{Error, Money, TxStatus};

/// How an order came out of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    /// Both sides agree on amount and status.
    Matched,
    /// The statuses agree, the amounts do not.
    AmountMismatch,
    /// The provider's settled status differs from the ledger's (a return the ledger counts as
    /// paid is one).
    StatusMismatch,
    /// In the ledger, not at the provider.
    MissingAtProvider,
    /// At the provider, unknown to the ledger.
    MissingInLedger,
    /// In both, but the provider has not settled it: check again after the next file.
    PendingAtProvider,
}

impl Class {
    /// Every class, in report order.
    pub const ALL: [Class; 6] = [
        Class::Matched,
        Class::AmountMismatch,
        Class::StatusMismatch,
        Class::MissingAtProvider,
        Class::MissingInLedger,
        Class::PendingAtProvider,
    ];

    /// The snake_case name used in JSON, CSV and tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Matched => "matched",
            Class::AmountMismatch => "amount_mismatch",
            Class::StatusMismatch => "status_mismatch",
            Class::MissingAtProvider => "missing_at_provider",
            Class::MissingInLedger => "missing_in_ledger",
            Class::PendingAtProvider => "pending_at_provider",
        }
    }
}

/// One order that is not matched, with what each side says (`None`: that side has no record).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    /// The class.
    pub class: Class,
    /// The merchant's order id.
    pub order_id: String,
    /// The provider's amount, in fen in JSON.
    pub provider_amount_fen: Option<Money>,
    /// The ledger's amount.
    pub ledger_amount_fen: Option<Money>,
    /// The provider's status (`unknown(<code>)` for a code the lifecycle does not know).
    #[serde(serialize_with = "status_name")]
    pub provider_status: Option<TxStatus>,
    /// The ledger's status.
    #[serde(serialize_with = "status_name")]
    pub ledger_status: Option<TxStatus>,
    /// The provider's fee, where it sent one.
    pub provider_fee_fen: Option<Money>,
    /// How many provider rows the order had (0, 1, or more: see the module docs).
    pub provider_rows: u32,
    /// How many ledger rows the order had.
    pub ledger_rows: u32,
}

fn status_name<S: Serializer>(status: &Option<TxStatus>, s: S) -> Result<S::Ok, S::Error> {
    match status {
        None => s.serialize_none(),
        Some(TxStatus::Unknown(code)) => s.serialize_str(&format!("unknown({code})")),
        Some(known) => s.serialize_str(known.as_str()),
    }
}

/// Count and sums of one class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ClassTotal {
    /// Orders in the class.
    pub count: u64,
    /// Sum of the provider's amounts.
    pub provider_fen: Money,
    /// Sum of the ledger's amounts.
    pub ledger_fen: Money,
    /// Sum of the provider's fees.
    pub fee_fen: Money,
}

/// Totals per class, and the provider's fees over all orders.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    /// Matched orders.
    pub matched: ClassTotal,
    /// Amount mismatches.
    pub amount_mismatch: ClassTotal,
    /// Status mismatches.
    pub status_mismatch: ClassTotal,
    /// Missing at the provider.
    pub missing_at_provider: ClassTotal,
    /// Missing in the ledger.
    pub missing_in_ledger: ClassTotal,
    /// Pending at the provider.
    pub pending_at_provider: ClassTotal,
    /// Every fee the provider reported, whatever the class.
    pub fee_fen: Money,
}

impl Totals {
    /// The totals of one class.
    pub fn get(&self, class: Class) -> &ClassTotal {
        match class {
            Class::Matched => &self.matched,
            Class::AmountMismatch => &self.amount_mismatch,
            Class::StatusMismatch => &self.status_mismatch,
            Class::MissingAtProvider => &self.missing_at_provider,
            Class::MissingInLedger => &self.missing_in_ledger,
            Class::PendingAtProvider => &self.pending_at_provider,
        }
    }

    fn get_mut(&mut self, class: Class) -> &mut ClassTotal {
        match class {
            Class::Matched => &mut self.matched,
            Class::AmountMismatch => &mut self.amount_mismatch,
            Class::StatusMismatch => &mut self.status_mismatch,
            Class::MissingAtProvider => &mut self.missing_at_provider,
            Class::MissingInLedger => &mut self.missing_in_ledger,
            Class::PendingAtProvider => &mut self.pending_at_provider,
        }
    }

    fn add_matched(&mut self, entry: &Entry) {
        let fee = Money::from_fen(entry.provider.fee);
        let t = &mut self.matched;
        t.count += 1;
        t.provider_fen = add(t.provider_fen, Money::from_fen(entry.provider.amount));
        t.ledger_fen = add(t.ledger_fen, Money::from_fen(entry.ledger.amount));
        t.fee_fen = add(t.fee_fen, fee);
        self.fee_fen = add(self.fee_fen, fee);
    }

    fn add(&mut self, item: &Item) {
        let fee = item.provider_fee_fen.unwrap_or(Money::ZERO);
        let t = self.get_mut(item.class);
        t.count += 1;
        t.provider_fen = add(
            t.provider_fen,
            item.provider_amount_fen.unwrap_or(Money::ZERO),
        );
        t.ledger_fen = add(t.ledger_fen, item.ledger_amount_fen.unwrap_or(Money::ZERO));
        t.fee_fen = add(t.fee_fen, fee);
        self.fee_fen = add(self.fee_fen, fee);
    }
}

/// The outcome: totals for every class, an item for every order that is not matched.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Count and sums per class.
    pub totals: Totals,
    /// Every order not matched, by class then order id.
    pub items: Vec<Item>,
}

impl Report {
    /// Whether every order matched (nothing to look at, nothing pending).
    pub fn all_matched(&self) -> bool {
        self.items.is_empty()
    }
}

/// Compares the provider's records with the ledger's (see the module docs for the rules).
///
/// # Errors
/// The first error either stream yields.
pub fn reconcile<P, L>(provider: P, ledger: L) -> Result<Report, Error>
where
    P: IntoIterator<Item = Result<Record, Error>>,
    L: IntoIterator<Item = Result<Record, Error>>,
{
    let mut table = Table::default();
    let mut provider = provider.into_iter();
    let mut ledger = ledger.into_iter();
    // Alternate until one side ends: that side is the smaller one, and is all in the table.
    let rest = loop {
        match (provider.next(), ledger.next()) {
            (Some(p), Some(l)) => {
                table.insert(Side::Provider, p?);
                table.insert(Side::Ledger, l?);
            }
            (Some(p), None) => {
                table.insert(Side::Provider, p?);
                break Rest::Provider(provider);
            }
            (None, Some(l)) => {
                table.insert(Side::Ledger, l?);
                break Rest::Ledger(ledger);
            }
            (None, None) => break Rest::None,
        }
    };
    let mut loose = Loose::default();
    match rest {
        Rest::Provider(rest) => stream(&mut table, &mut loose, Side::Provider, rest)?,
        Rest::Ledger(rest) => stream(&mut table, &mut loose, Side::Ledger, rest)?,
        Rest::None => {}
    }
    Ok(table.finish(loose))
}

enum Rest<P, L> {
    Provider(P),
    Ledger(L),
    None,
}

/// Streams the larger side's remaining records against the table.
fn stream(
    table: &mut Table,
    loose: &mut Loose,
    side: Side,
    rest: impl Iterator<Item = Result<Record, Error>>,
) -> Result<(), Error> {
    for record in rest {
        let record = record?;
        if !table.merge(side, &record) {
            loose.add(side, record);
        }
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Provider,
    Ledger,
}

/// One side's view of one order, compact: 1,000,000 of these pairs must fit in memory.
#[derive(Clone, Copy, Default)]
struct Tally {
    amount: i64,
    fee: i64,
    status: u32,
    rows: u32,
    has_fee: bool,
}

impl Tally {
    fn add(&mut self, record: &Record, status: u32) {
        if self.rows == 0 {
            self.status = status;
        } else if self.status != status {
            self.status = StatusTable::MIXED;
        }
        self.rows = self.rows.saturating_add(1);
        self.amount = self.amount.saturating_add(record.amount.fen());
        if let Some(fee) = record.fee {
            self.fee = self.fee.saturating_add(fee.fen());
            self.has_fee = true;
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Entry {
    provider: Tally,
    ledger: Tally,
}

impl Entry {
    fn side(&mut self, side: Side) -> &mut Tally {
        match side {
            Side::Provider => &mut self.provider,
            Side::Ledger => &mut self.ledger,
        }
    }
}

/// Statuses by small number, so that an entry stays a few words long.
struct StatusTable {
    statuses: Vec<TxStatus>,
    unknown: HashMap<String, u32>,
}

impl Default for StatusTable {
    fn default() -> Self {
        StatusTable {
            statuses: vec![
                TxStatus::Processing,
                TxStatus::Succeeded,
                TxStatus::Failed,
                TxStatus::Unpaid,
                TxStatus::Closed,
                TxStatus::Returned,
                TxStatus::Refunded,
                TxStatus::Unknown("mixed".to_owned()),
            ],
            unknown: HashMap::new(),
        }
    }
}

impl StatusTable {
    const MIXED: u32 = 7;

    fn code(&mut self, status: &TxStatus) -> u32 {
        match status {
            TxStatus::Processing => 0,
            TxStatus::Succeeded => 1,
            TxStatus::Failed => 2,
            TxStatus::Unpaid => 3,
            TxStatus::Closed => 4,
            TxStatus::Returned => 5,
            TxStatus::Refunded => 6,
            TxStatus::Unknown(code) => {
                if let Some(&n) = self.unknown.get(code) {
                    return n;
                }
                let n = u32::try_from(self.statuses.len()).unwrap_or(Self::MIXED);
                self.statuses.push(status.clone());
                self.unknown.insert(code.clone(), n);
                n
            }
        }
    }

    fn get_ref(&self, code: u32) -> Option<&TxStatus> {
        usize::try_from(code)
            .ok()
            .and_then(|i| self.statuses.get(i))
    }

    fn get(&self, code: u32) -> TxStatus {
        usize::try_from(code)
            .ok()
            .and_then(|i| self.statuses.get(i))
            .cloned()
            .unwrap_or_else(|| TxStatus::Unknown("mixed".to_owned()))
    }
}

/// An order id as a table key: inline when short (most are), so that finding an order reads
/// one table slot instead of following a pointer to the id (half the run time at 1,000,000
/// orders).
#[derive(PartialEq, Eq, Hash)]
enum Key {
    Inline { len: u8, bytes: [u8; Key::INLINE] },
    Heap(Box<str>),
}

impl Key {
    const INLINE: usize = 22;

    fn new(id: &str) -> Key {
        let mut bytes = [0; Key::INLINE];
        match (bytes.get_mut(..id.len()), u8::try_from(id.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(id.as_bytes());
                Key::Inline { len, bytes }
            }
            _ => Key::Heap(id.into()),
        }
    }

    fn into_string(self) -> String {
        match self {
            Key::Inline { len, bytes } => {
                let id = bytes.get(..usize::from(len)).unwrap_or_default();
                // ok: the bytes were copied from a `str`, so this is never lossy.
                String::from_utf8_lossy(id).into_owned()
            }
            Key::Heap(id) => id.into_string(),
        }
    }
}

/// Order ids to entries; the entries in a separate vector keep each table slot small.
/// foldhash: the ids come from the provider's signed answers and the merchant's own ledger,
/// and SipHash was a tenth of the run time; foldhash is still seeded per process.
#[derive(Default)]
struct Table {
    index: HashMap<Key, u32, foldhash::fast::RandomState>,
    entries: Vec<Entry>,
    statuses: StatusTable,
}

impl Table {
    fn insert(&mut self, side: Side, record: Record) {
        let status = self.statuses.code(&record.status);
        // More than u32::MAX orders in a day would not fit in memory anyway.
        let next = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let n = *self.index.entry(Key::new(&record.order_id)).or_insert(next);
        if n == next {
            self.entries.push(Entry::default());
        }
        if let Some(entry) = usize::try_from(n)
            .ok()
            .and_then(|i| self.entries.get_mut(i))
        {
            entry.side(side).add(&record, status);
        }
    }

    /// Adds the record to its order's entry, if the order is in the table.
    fn merge(&mut self, side: Side, record: &Record) -> bool {
        let Some(&n) = self.index.get(&Key::new(&record.order_id)) else {
            return false;
        };
        let status = self.statuses.code(&record.status);
        let entry = usize::try_from(n)
            .ok()
            .and_then(|i| self.entries.get_mut(i));
        match entry {
            Some(entry) => {
                entry.side(side).add(record, status);
                true
            }
            None => false,
        }
    }

    fn finish(self, loose: Loose) -> Report {
        let mut report = Report::default();
        let Table {
            index,
            entries,
            statuses,
        } = self;
        for (order_id, n) in index {
            let Some(entry) = usize::try_from(n).ok().and_then(|i| entries.get(i)) else {
                continue;
            };
            if is_matched(&statuses, entry) {
                report.totals.add_matched(entry);
                continue;
            }
            let item = table_item(&statuses, order_id.into_string(), entry);
            report.totals.add(&item);
            report.items.push(item);
        }
        for item in loose.items {
            report.totals.add(&item);
            report.items.push(item);
        }
        report
            .items
            .sort_unstable_by(|a, b| (a.class, &a.order_id).cmp(&(b.class, &b.order_id)));
        report
    }
}

fn table_item(statuses: &StatusTable, order_id: String, entry: &Entry) -> Item {
    let side = |t: &Tally| (t.rows > 0).then(|| statuses.get(t.status));
    let provider_status = side(&entry.provider);
    let ledger_status = side(&entry.ledger);
    let mut item = Item {
        class: Class::Matched,
        order_id,
        provider_amount_fen: amount(&entry.provider),
        ledger_amount_fen: amount(&entry.ledger),
        provider_status,
        ledger_status,
        provider_fee_fen: fee(&entry.provider),
        provider_rows: entry.provider.rows,
        ledger_rows: entry.ledger.rows,
    };
    item.class = classify(&item);
    item
}

/// Whether an entry is matched, without building its item (most are).
fn is_matched(statuses: &StatusTable, entry: &Entry) -> bool {
    let (p, l) = (&entry.provider, &entry.ledger);
    p.rows > 0
        && l.rows > 0
        && p.status == l.status
        && p.amount == l.amount
        && !statuses.get_ref(p.status).is_some_and(is_pending)
}

fn amount(t: &Tally) -> Option<Money> {
    (t.rows > 0).then(|| Money::from_fen(t.amount))
}

fn fee(t: &Tally) -> Option<Money> {
    t.has_fee.then(|| Money::from_fen(t.fee))
}

fn add(a: Money, b: Money) -> Money {
    Money::from_fen(a.fen().saturating_add(b.fen()))
}

fn classify(item: &Item) -> Class {
    match (&item.provider_status, &item.ledger_status) {
        (None, _) => Class::MissingAtProvider,
        (Some(_), None) => Class::MissingInLedger,
        (Some(p), Some(_)) if is_pending(p) => Class::PendingAtProvider,
        (Some(p), Some(l)) if p != l => Class::StatusMismatch,
        _ if item.provider_amount_fen != item.ledger_amount_fen => Class::AmountMismatch,
        _ => Class::Matched,
    }
}

/// Records of the larger side that matched nothing in the table: reported as they come, and
/// merged when one order id comes again.
#[derive(Default)]
struct Loose {
    items: Vec<Item>,
    index: HashMap<String, usize>,
}

impl Loose {
    fn add(&mut self, side: Side, record: Record) {
        if let Some(item) = self
            .index
            .get(&record.order_id)
            .and_then(|&i| self.items.get_mut(i))
        {
            merge_loose(item, side, &record);
            return;
        }
        let (class, provider, ledger) = match side {
            Side::Provider => (Class::MissingInLedger, Some(&record), None),
            Side::Ledger => (Class::MissingAtProvider, None, Some(&record)),
        };
        let item = Item {
            class,
            order_id: record.order_id.clone(),
            provider_amount_fen: provider.map(|r| r.amount),
            ledger_amount_fen: ledger.map(|r| r.amount),
            provider_status: provider.map(|r| r.status.clone()),
            ledger_status: ledger.map(|r| r.status.clone()),
            provider_fee_fen: provider.and_then(|r| r.fee),
            provider_rows: u32::from(provider.is_some()),
            ledger_rows: u32::from(ledger.is_some()),
        };
        self.index.insert(record.order_id, self.items.len());
        self.items.push(item);
    }
}

fn merge_loose(item: &mut Item, side: Side, record: &Record) {
    let (amount, status, rows) = match side {
        Side::Provider => (
            &mut item.provider_amount_fen,
            &mut item.provider_status,
            &mut item.provider_rows,
        ),
        Side::Ledger => (
            &mut item.ledger_amount_fen,
            &mut item.ledger_status,
            &mut item.ledger_rows,
        ),
    };
    *amount = Some(add(amount.unwrap_or(Money::ZERO), record.amount));
    if status.as_ref() != Some(&record.status) {
        *status = Some(TxStatus::Unknown("mixed".to_owned()));
    }
    *rows = rows.saturating_add(1);
    if let (Side::Provider, Some(fee)) = (side, record.fee) {
        item.provider_fee_fen = Some(add(item.provider_fee_fen.unwrap_or(Money::ZERO), fee));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, fen: i64, status: TxStatus) -> Result<Record, Error> {
        Ok(Record {
            order_id: id.to_owned(),
            amount: Money::from_fen(fen),
            status,
            fee: None,
        })
    }

    fn fee(mut r: Result<Record, Error>, fen: i64) -> Result<Record, Error> {
        if let Ok(r) = &mut r {
            r.fee = Some(Money::from_fen(fen));
        }
        r
    }

    use TxStatus::{Failed, Processing, Returned, Succeeded};

    /// Every class at once, with the provider side longer than the ledger (streamed) and the
    /// other way round: the report must not depend on which side was held.
    type Rows = Vec<Result<Record, Error>>;

    fn day() -> (Rows, Rows) {
        let provider = vec![
            fee(rec("m1", 100, Succeeded), 7),
            fee(rec("a1", 250, Succeeded), 10),
            rec("r1", 300, Returned),
            rec("p1", 400, Processing),
            rec("u1", 500, TxStatus::Unknown("挂单".into())),
            rec("x1", 600, Succeeded),
            rec("x2", 700, Failed),
        ];
        let ledger = vec![
            rec("m1", 100, Succeeded),
            rec("a1", 200, Succeeded),
            rec("r1", 300, Succeeded),
            rec("p1", 400, Succeeded),
            rec("u1", 500, Succeeded),
            rec("g1", 800, Succeeded),
        ];
        (provider, ledger)
    }

    fn check_day(report: &Report) {
        let got: Vec<(Class, &str)> = report
            .items
            .iter()
            .map(|i| (i.class, i.order_id.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Class::AmountMismatch, "a1"),
                (Class::StatusMismatch, "r1"),
                (Class::MissingAtProvider, "g1"),
                (Class::MissingInLedger, "x1"),
                (Class::MissingInLedger, "x2"),
                (Class::PendingAtProvider, "p1"),
                (Class::PendingAtProvider, "u1"),
            ]
        );
        let t = &report.totals;
        assert_eq!(
            t.matched,
            ClassTotal {
                count: 1,
                provider_fen: Money::from_fen(100),
                ledger_fen: Money::from_fen(100),
                fee_fen: Money::from_fen(7),
            }
        );
        assert_eq!(t.amount_mismatch.count, 1);
        assert_eq!(t.amount_mismatch.provider_fen, Money::from_fen(250));
        assert_eq!(t.amount_mismatch.ledger_fen, Money::from_fen(200));
        assert_eq!(t.status_mismatch.count, 1);
        assert_eq!(t.missing_at_provider.count, 1);
        assert_eq!(t.missing_at_provider.ledger_fen, Money::from_fen(800));
        assert_eq!(t.missing_at_provider.provider_fen, Money::ZERO);
        assert_eq!(t.missing_in_ledger.count, 2);
        assert_eq!(t.missing_in_ledger.provider_fen, Money::from_fen(1300));
        assert_eq!(t.pending_at_provider.count, 2);
        assert_eq!(t.fee_fen, Money::from_fen(17));
    }

    #[test]
    fn every_class_whichever_side_is_smaller() {
        let (provider, ledger) = day();
        check_day(&reconcile(provider.clone_ok(), ledger.clone_ok()).unwrap());
        // Ledger longer than the provider: the provider is held, the ledger streamed.
        let mut ledger_long = ledger.clone_ok();
        ledger_long.push(rec("g2", 900, Succeeded));
        let report = reconcile(provider.clone_ok(), ledger_long).unwrap();
        assert_eq!(report.totals.missing_at_provider.count, 2);
        assert_eq!(
            report.totals.missing_at_provider.ledger_fen,
            Money::from_fen(1700)
        );
        // Swapped order of rows changes nothing.
        let mut p = provider.clone_ok();
        p.reverse();
        check_day(&reconcile(p, ledger.clone_ok()).unwrap());
    }

    trait CloneOk {
        fn clone_ok(&self) -> Vec<Result<Record, Error>>;
    }

    impl CloneOk for Vec<Result<Record, Error>> {
        fn clone_ok(&self) -> Vec<Result<Record, Error>> {
            self.iter()
                .map(|r| match r {
                    Ok(r) => Ok(r.clone()),
                    Err(_) => Err(Error::invalid_input("test", "unexpected")),
                })
                .collect()
        }
    }

    #[test]
    fn a_return_the_ledger_counts_as_paid_is_a_status_mismatch() {
        let report = reconcile(
            vec![fee(rec("2017111102", 400, Returned), 28)],
            vec![rec("2017111102", 400, Succeeded)],
        )
        .unwrap();
        assert_eq!(
            report.items,
            vec![Item {
                class: Class::StatusMismatch,
                order_id: "2017111102".into(),
                provider_amount_fen: Some(Money::from_fen(400)),
                ledger_amount_fen: Some(Money::from_fen(400)),
                provider_status: Some(Returned),
                ledger_status: Some(Succeeded),
                provider_fee_fen: Some(Money::from_fen(28)),
                provider_rows: 1,
                ledger_rows: 1,
            }]
        );
        assert_eq!(
            serde_json::to_value(&report.items[0]).unwrap(),
            serde_json::json!({
                "class": "status_mismatch", "order_id": "2017111102",
                "provider_amount_fen": 400, "ledger_amount_fen": 400,
                "provider_status": "returned", "ledger_status": "succeeded",
                "provider_fee_fen": 28, "provider_rows": 1, "ledger_rows": 1
            })
        );
    }

    #[test]
    fn two_provider_rows_of_one_order_are_summed_as_in_yunzhanghus_example() {
        // 2017112705: 1000 + 110 yuan on two rows, fees 70 + 7.7.
        let provider = vec![
            fee(rec("2017112705", 100_000, Succeeded), 7_000),
            fee(rec("2017112705", 11_000, Succeeded), 770),
        ];
        let report = reconcile(
            provider.clone_ok(),
            vec![rec("2017112705", 111_000, Succeeded)],
        )
        .unwrap();
        assert!(report.all_matched());
        assert_eq!(report.totals.matched.count, 1);
        assert_eq!(report.totals.matched.provider_fen, Money::from_fen(111_000));
        assert_eq!(report.totals.fee_fen, Money::from_fen(7_770));
        // Against a ledger that has only the first row: an amount mismatch naming two rows.
        let report = reconcile(provider, vec![rec("2017112705", 100_000, Succeeded)]).unwrap();
        assert_eq!(report.items.len(), 1);
        assert_eq!(report.items[0].class, Class::AmountMismatch);
        assert_eq!(report.items[0].provider_rows, 2);
        assert_eq!(
            report.items[0].provider_amount_fen,
            Some(Money::from_fen(111_000))
        );
    }

    #[test]
    fn rows_of_one_order_with_different_statuses_are_pending() {
        let report = reconcile(
            vec![rec("o", 100, Succeeded), rec("o", 100, Failed)],
            vec![rec("o", 200, Succeeded)],
        )
        .unwrap();
        assert_eq!(report.items[0].class, Class::PendingAtProvider);
        assert_eq!(
            report.items[0].provider_status,
            Some(TxStatus::Unknown("mixed".into()))
        );
    }

    #[test]
    fn duplicates_on_the_streamed_side_merge_into_one_item() {
        // The ledger (one row) is held; the provider streams two rows of an unknown order.
        let report = reconcile(
            vec![
                rec("a", 1, Succeeded),
                rec("z", 5, Succeeded),
                rec("z", 6, Succeeded),
            ],
            vec![rec("a", 1, Succeeded)],
        )
        .unwrap();
        assert_eq!(report.items.len(), 1);
        let z = &report.items[0];
        assert_eq!(
            (z.class, z.order_id.as_str()),
            (Class::MissingInLedger, "z")
        );
        assert_eq!(z.provider_amount_fen, Some(Money::from_fen(11)));
        assert_eq!(z.provider_rows, 2);
        assert_eq!(report.totals.missing_in_ledger.count, 1);
    }

    #[test]
    fn an_error_in_either_stream_ends_the_run_with_it() {
        let err = reconcile(
            vec![rec("a", 1, Succeeded)],
            vec![Err(Error::invalid_input("line 2: amount_fen", "bad"))],
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid input in `line 2: amount_fen`: bad"
        );
    }

    #[test]
    fn long_short_and_non_ascii_ids_are_kept_exactly() {
        let ids = [
            "a".repeat(22),
            "b".repeat(23),
            "订单".repeat(8),
            "c".repeat(300),
            String::new() + "x",
        ];
        let provider: Rows = ids.iter().map(|id| rec(id, 2, Succeeded)).collect();
        let ledger: Rows = ids.iter().map(|id| rec(id, 1, Succeeded)).collect();
        let report = reconcile(provider, ledger).unwrap();
        let mut want: Vec<String> = ids.to_vec();
        want.sort();
        let got: Vec<String> = report.items.iter().map(|i| i.order_id.clone()).collect();
        assert_eq!(got, want);
        assert!(
            report
                .items
                .iter()
                .all(|i| i.class == Class::AmountMismatch)
        );
    }

    #[test]
    fn empty_sides() {
        let report = reconcile(Vec::new(), Vec::new()).unwrap();
        assert_eq!(report, Report::default());
        let report = reconcile(vec![rec("a", 1, Processing)], Vec::new()).unwrap();
        assert_eq!(report.items[0].class, Class::MissingInLedger);
    }
}

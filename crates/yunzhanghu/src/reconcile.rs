//! Yunzhanghu's day files as the provider side of a reconciliation
//! ([`pay_core::reconcile`]).
//!
//! The order file (第五章 2.2, 查询日订单文件) gives one row per order (an order may have
//! several rows: the spec's example has `2017112705` twice, which the engine sums). Its
//! 订单状态 maps onto the lifecycle:
//!
//! | 订单状态 | status | why |
//! |---|---|---|
//! | 成功 | `succeeded` | |
//! | 成功(待领取) | `processing` | a WeChat red packet not yet collected: it becomes 成功 in a later file (or is returned), as the API's status 1 with detail 27 |
//! | 失败 | `failed` | |
//! | 退汇 | `returned` | |
//! | 删除 | `closed` | deleted before money moved |
//! | 挂单, 打款中 | `processing` | the spec: check with Yunzhanghu staff |
//! | -/-, 状态未知, 未知, anything else | `unknown(<code>)` | never success |
//!
//! The bill file adds what the order file may not yet show: a return (退汇) "leaves the
//! original row unchanged and adds new rows" (经纪公司退汇, 经纪公司退汇手续费). An order of the
//! order file with a successful 经纪公司退汇 row in the bill file is `returned`; a return row
//! for an order the order file does not list (an order of an earlier day returned today) is a
//! record of its own, status `returned`, with the returned amount. Fees are the order file's
//! 服务费 column.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use pay_core::reconcile::Record;
use pay_core::{Error, Money, TxStatus};

use crate::bill::{BillRecord, OrderRecord};
use crate::codes::{BillType, FileStatus};

/// The lifecycle status of an order-file 订单状态 (see the module docs).
pub fn file_status(status: &FileStatus) -> TxStatus {
    match status {
        FileStatus::Success => TxStatus::Succeeded,
        FileStatus::Failed => TxStatus::Failed,
        FileStatus::Returned => TxStatus::Returned,
        FileStatus::Deleted => TxStatus::Closed,
        FileStatus::SuccessPending | FileStatus::OnHold | FileStatus::Paying => {
            TxStatus::Processing
        }
        other => TxStatus::Unknown(other.as_str().to_owned()),
    }
}

/// The returns of a bill file: order id → returned amount. Only the bill's 经纪公司退汇 rows
/// with status 成功 count; memory is proportional to the returns, not to the file.
///
/// # Errors
/// The first row the bill reader cannot read.
pub fn returns<I>(bill_rows: I) -> Result<HashMap<String, Money>, Error>
where
    I: IntoIterator<Item = Result<BillRecord, Error>>,
{
    let mut out: HashMap<String, Money> = HashMap::new();
    for row in bill_rows {
        let row = row?;
        if row.bill_type == BillType::BrokerReturn && row.status == FileStatus::Success {
            let sum = out.entry(row.order_id).or_insert(Money::ZERO);
            *sum = Money::from_fen(sum.fen().saturating_add(row.amount.fen()));
        }
    }
    Ok(out)
}

/// The provider records of a day: the order file's rows, returned where the bill file says so,
/// then the bill's returns of orders the order file does not list.
pub fn records<R: Read>(
    orders: crate::bill::OrderFileReader<R>,
    returns: HashMap<String, Money>,
) -> Records<R> {
    Records {
        orders,
        returns,
        returned: HashSet::new(),
        leftover: None,
    }
}

/// The iterator of [`records`].
pub struct Records<R: Read> {
    orders: crate::bill::OrderFileReader<R>,
    returns: HashMap<String, Money>,
    /// Order ids whose return was found, for their further rows.
    returned: HashSet<String>,
    leftover: Option<std::collections::hash_map::IntoIter<String, Money>>,
}

impl<R: Read> std::fmt::Debug for Records<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Records")
            .field("returns", &self.returns.len())
            .finish_non_exhaustive()
    }
}

impl<R: Read> Iterator for Records<R> {
    type Item = Result<Record, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.leftover.is_none() {
            match self.orders.next() {
                Some(Ok(row)) => {
                    let returned = self.returns.remove(&row.order_id).is_some()
                        || self.returned.contains(&row.order_id);
                    if returned {
                        self.returned.insert(row.order_id.clone());
                    }
                    return Some(Ok(order_record(row, returned)));
                }
                Some(Err(e)) => return Some(Err(e)),
                None => self.leftover = Some(std::mem::take(&mut self.returns).into_iter()),
            }
        }
        let (order_id, amount) = self.leftover.as_mut()?.next()?;
        Some(Ok(Record {
            order_id,
            amount,
            status: TxStatus::Returned,
            fee: None,
        }))
    }
}

fn order_record(row: OrderRecord, returned: bool) -> Record {
    Record {
        status: if returned {
            TxStatus::Returned
        } else {
            file_status(&row.status)
        },
        order_id: row.order_id,
        amount: row.pay,
        fee: row.fee,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use pay_core::reconcile::{Class, LedgerCsv, reconcile};

    use super::*;
    use crate::bill::{BillFileReader, OrderFileReader};

    const ORDERS: &str = include_str!("../tests/fixtures/order-file.csv");
    const BILL: &str = include_str!("../tests/fixtures/bill-file.csv");
    /// A return today of the order file's 2017112703 (10 yuan), fee returned too.
    const RETURN_2017112703: &str = "2017112703,1053817962754223,20000001,经纪公司退汇,成功,银行卡,李**,yiyun**,10,,2017-11-21 09:00:00,2017-11-21 09:00:01\n\
        2017112703,1053817962754223,20000002,经纪公司退汇手续费,成功,-/-,李**,yiyun**,0.7,,2017-11-21 09:00:00,2017-11-21 09:00:01\n";

    fn provider() -> Records<&'static [u8]> {
        let bill = format!("{BILL}{RETURN_2017112703}");
        let returns = returns(BillFileReader::from_csv(bill.as_bytes())).unwrap();
        records(OrderFileReader::from_csv(ORDERS.as_bytes()), returns)
    }

    #[test]
    fn the_bills_returns_turn_orders_returned_and_add_earlier_days_returns() {
        let bill = format!("{BILL}{RETURN_2017112703}");
        let r = returns(BillFileReader::from_csv(bill.as_bytes())).unwrap();
        let mut r: Vec<(String, i64)> = r.into_iter().map(|(k, v)| (k, v.fen())).collect();
        r.sort();
        assert_eq!(
            r,
            vec![("2017111102".into(), 400), ("2017112703".into(), 1000)]
        );
        let got: Vec<(String, i64, String, Option<i64>)> = provider()
            .map(|r| {
                let r = r.unwrap();
                (
                    r.order_id,
                    r.amount.fen(),
                    r.status.to_string(),
                    r.fee.map(|f| f.fen()),
                )
            })
            .collect();
        let row = |id: &str, fen: i64, st: &str, fee: Option<i64>| {
            (id.to_owned(), fen, st.to_owned(), fee)
        };
        assert_eq!(
            got,
            vec![
                row("2017112701", 19_500, "succeeded", Some(1_365)),
                row("2017112702", 20_000, "failed", Some(756)),
                row("2017112703", 1_000, "returned", Some(70)),
                row("2017112704", 1_800, "succeeded", Some(126)),
                row("2017112705", 100_000, "succeeded", Some(7_000)),
                row("2017112705", 11_000, "succeeded", Some(770)),
                row("2017112706", 100_000, "succeeded", Some(7_000)),
                row("2017111102", 400, "returned", None),
            ]
        );
    }

    #[test]
    fn file_statuses_map_onto_the_lifecycle() {
        let cases = [
            ("成功", "succeeded"),
            ("成功(待领取)", "processing"),
            ("失败", "failed"),
            ("退汇", "returned"),
            ("删除", "closed"),
            ("挂单", "processing"),
            ("打款中", "processing"),
            ("-/-", "unknown(-/-)"),
            ("状态未知", "unknown(%E7%8A%B6%E6%80%81%E6%9C%AA%E7%9F%A5)"),
            ("新状态", "unknown(%E6%96%B0%E7%8A%B6%E6%80%81)"),
        ];
        for (code, want) in cases {
            assert_eq!(
                file_status(&FileStatus::from_wire(code)).to_string(),
                want,
                "{code}"
            );
        }
    }

    #[test]
    fn a_day_against_a_ledger() {
        let ledger = "order_id,amount_yuan,status\n\
            2017112701,195.00,succeeded\n\
            2017112702,200,succeeded\n\
            2017112703,10,succeeded\n\
            2017112704,18.01,succeeded\n\
            2017112705,1110,succeeded\n\
            2017112799,5,succeeded\n";
        let report = reconcile(provider(), LedgerCsv::new(ledger.as_bytes())).unwrap();
        let got: Vec<(Class, &str)> = report
            .items
            .iter()
            .map(|i| (i.class, i.order_id.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                (Class::AmountMismatch, "2017112704"),
                (Class::StatusMismatch, "2017112702"),
                (Class::StatusMismatch, "2017112703"),
                (Class::MissingAtProvider, "2017112799"),
                (Class::MissingInLedger, "2017111102"),
                (Class::MissingInLedger, "2017112706"),
            ]
        );
        assert_eq!(report.totals.matched.count, 2);
        assert_eq!(report.totals.matched.provider_fen.fen(), 130_500);
        // Every fee of the order file: 13.65+7.56+0.7+1.26+70+7.7+70.
        assert_eq!(report.totals.fee_fen.fen(), 17_087);
    }
}

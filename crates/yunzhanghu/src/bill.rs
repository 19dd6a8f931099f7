//! Daily files (2.2 数据接口): the order file and the bill (流水) file. Ask for the download URL,
//! stream the gz file to a writer without holding it in memory, then read its CSV rows as typed
//! records with [`BillReader`].
//!
//! Files are kept 90 days; an older date answers an empty URL, reported as
//! [`Error::Provider`] of kind `NotFound`. The order file of a day is generated at 03:45 and
//! regenerated at 11:45 and 16:45; the bill file at 03:30, 11:30 and 16:30.

use std::io::Read;
use std::marker::PhantomData;

use flate2::read::MultiGzDecoder;
use pay_core::{
    CardNumber, Error, Extensions, Money, PersonName, ProviderError, ProviderErrorKind,
};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWrite;

use http::Method;
use pay_core::operation::FieldDoc;
use pay_core::{CallKind, Operation};

use crate::client::{Client, Endpoint, PROVIDER, Response};
use crate::codes::{BillType, Channel, FileStatus};
use crate::validate;

/// Asks for the order file of a day (`GET /api/dataservice/v1/order/downloadurl`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderDownloadUrl {
    /// The day, `yyyy-MM-dd`.
    pub order_date: String,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Operation for OrderDownloadUrl {
    type Answer = OrderDownloadUrlAnswer;
    const NAME: &'static str = "order-downloadurl";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/api/dataservice/v1/order/downloadurl";
    const FIELDS: &'static [FieldDoc] = &[FieldDoc::required(
        "order_date",
        "date yyyy-MM-dd, a past day within the last 90 days (older days answer no file)",
        "订单日期,格式为2017-01-01 (the day of the order file)",
    )];
    const EXAMPLE: &'static str = r#"{"order_date":"2026-12-05"}"#;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        validate::dashed_date("order_date", &self.order_date)
    }
}

impl Endpoint for OrderDownloadUrl {
    const FIELDS: &'static [&'static str] = &["order_date"];

    fn extra(&self) -> &Extensions {
        &self.extra
    }
}

/// The answer to [`OrderDownloadUrl`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OrderDownloadUrlAnswer {
    /// The URL of the gz file; empty when the day is older than 90 days.
    #[serde(default)]
    pub order_download_url: String,
    /// Fields the provider may add.
    #[serde(flatten)]
    pub extra: Extensions,
}

/// Asks for the bill (流水) file of a day (`GET /api/dataservice/v1/bill/downloadurl`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BillDownloadUrl {
    /// The day, `yyyy-MM-dd`.
    pub bill_date: String,
    /// Extension fields by wire name.
    #[serde(flatten)]
    pub extra: Extensions,
}

impl Operation for BillDownloadUrl {
    type Answer = BillDownloadUrlAnswer;
    const NAME: &'static str = "bill-downloadurl";
    const METHOD: Method = Method::GET;
    const PATH: &'static str = "/api/dataservice/v1/bill/downloadurl";
    const FIELDS: &'static [FieldDoc] = &[FieldDoc::required(
        "bill_date",
        "date yyyy-MM-dd, a past day within the last 90 days (older days answer no file)",
        "流水时间,格式为2017-01-01 (the day of the bill file)",
    )];
    const EXAMPLE: &'static str = r#"{"bill_date":"2026-12-05"}"#;

    fn kind(&self) -> CallKind {
        CallKind::Query
    }

    fn validate(&self) -> Result<(), Error> {
        validate::dashed_date("bill_date", &self.bill_date)
    }
}

impl Endpoint for BillDownloadUrl {
    const FIELDS: &'static [&'static str] = &["bill_date"];

    fn extra(&self) -> &Extensions {
        &self.extra
    }
}

/// The answer to [`BillDownloadUrl`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct BillDownloadUrlAnswer {
    /// The URL of the gz file; empty when the day is older than 90 days.
    #[serde(default)]
    pub bill_download_url: String,
    /// Fields the provider may add.
    #[serde(flatten)]
    pub extra: Extensions,
}

fn empty_url(what: &'static str, date: &str, request_id: &str) -> Error {
    Error::provider(
        ProviderError::new(
            "0000",
            format!(
                "the {what} download url for {date} is empty: files are kept 90 days, or it is not generated yet"
            ),
        )
        .kind(ProviderErrorKind::NotFound { what: what.into() })
        .request_id(Some(request_id)),
    )
}

impl Client {
    /// Gets the order file URL of a day (`GET /api/dataservice/v1/order/downloadurl`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `order_date`; as any query.
    pub async fn order_downloadurl(
        &self,
        req: &OrderDownloadUrl,
    ) -> Result<Response<OrderDownloadUrlAnswer>, Error> {
        self.execute(req).await
    }

    /// Gets the bill file URL of a day (`GET /api/dataservice/v1/bill/downloadurl`).
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `bill_date`; as any query.
    pub async fn bill_downloadurl(
        &self,
        req: &BillDownloadUrl,
    ) -> Result<Response<BillDownloadUrlAnswer>, Error> {
        self.execute(req).await
    }

    /// Downloads the order file (gz) of a day into `out`, chunk by chunk; returns the number of
    /// bytes written. Read it with [`OrderFileReader::from_gz`].
    ///
    /// # Errors
    /// [`Error::Provider`] of kind `NotFound` when the URL is empty (older than 90 days); as
    /// [`Client::download`].
    pub async fn download_order_file<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        req: &OrderDownloadUrl,
        out: &mut W,
    ) -> Result<u64, Error> {
        let answer = self.order_downloadurl(req).await?;
        if answer.order_download_url.trim().is_empty() {
            return Err(empty_url("order file", &req.order_date, &answer.request_id));
        }
        self.download(answer.order_download_url.trim(), out).await
    }

    /// Downloads the bill file (gz) of a day into `out`, chunk by chunk; returns the number of
    /// bytes written. Read it with [`BillFileReader::from_gz`].
    ///
    /// # Errors
    /// As [`Client::download_order_file`].
    pub async fn download_bill_file<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        req: &BillDownloadUrl,
        out: &mut W,
    ) -> Result<u64, Error> {
        let answer = self.bill_downloadurl(req).await?;
        if answer.bill_download_url.trim().is_empty() {
            return Err(empty_url("bill file", &req.bill_date, &answer.request_id));
        }
        self.download(answer.bill_download_url.trim(), out).await
    }

    /// Streams the file at `url` (a URL from a `downloadurl` answer) into `out` without holding
    /// it in memory; returns the number of bytes written.
    ///
    /// # Errors
    /// [`Error::InvalidInput`] on `url` when it is empty or not http(s);
    /// [`Error::HttpStatus`] for a non-2xx answer (the first 64 KiB of its body kept; retry-safe,
    /// as a download is read-only); [`Error::Transport`] when the connection fails (a download
    /// is always safe to repeat); [`Error::Io`] when writing to or flushing `out` fails
    /// (retry-safe: fix the local cause and download again). Bytes already written to `out`
    /// stay there: start a repeated download on an empty writer.
    pub async fn download<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        url: &str,
        out: &mut W,
    ) -> Result<u64, Error> {
        pay_core::download::download(&*self.transport, PROVIDER, url, out).await
    }
}

/// A row type of a daily file.
pub trait FileRecord: Sized {
    /// The column headers in the spec's order; each entry lists the accepted spellings.
    const HEADERS: &'static [&'static [&'static str]];

    /// Builds the record from the cells in [`FileRecord::HEADERS`] order (`""` when a column
    /// is absent) and the extra columns by header name (each value a JSON string).
    ///
    /// # Errors
    /// A message naming the column that could not be read.
    fn from_cells(cells: &[&str], extra: Extensions) -> Result<Self, String>;
}

fn opt(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s != "-/-").then(|| s.to_owned())
}

fn amount(col: &str, s: &str) -> Result<Money, String> {
    Money::from_signed_yuan(s.trim()).map_err(|e| format!("column {col}: {e}"))
}

fn opt_amount(col: &str, s: &str) -> Result<Option<Money>, String> {
    match opt(s) {
        Some(v) => amount(col, &v).map(Some),
        None => Ok(None),
    }
}

fn cell<'a>(cells: &[&'a str], i: usize) -> &'a str {
    cells.get(i).copied().unwrap_or("")
}

/// A row of the daily order file (查询日订单文件).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderRecord {
    /// 商户订单号: the merchant's order id.
    pub order_id: String,
    /// 订单流水号: Yunzhanghu's order reference.
    pub reference: String,
    /// 商户批次号: the merchant's batch number.
    pub batch_id: Option<String>,
    /// 姓名: the payee's name (masked in the file).
    pub real_name: PersonName,
    /// 经纪公司ID: the broker id.
    pub broker_id: String,
    /// 订单状态: the order status.
    pub status: FileStatus,
    /// 收款账号: the payee account (masked in the file).
    pub account: CardNumber,
    /// 支付渠道: the channel.
    pub channel: Option<Channel>,
    /// 金额: the amount.
    pub pay: Money,
    /// 服务费: the service fee.
    pub fee: Option<Money>,
    /// 渠道流水号: the channel's reference.
    pub channel_ref: Option<String>,
    /// 短周期授信账单号: the short-term credit bill number.
    pub credit_bill_no: Option<String>,
    /// 服务费账单号: the service-fee bill number.
    pub fee_bill_no: Option<String>,
    /// 余额账单号: the balance bill number.
    pub balance_bill_no: Option<String>,
    /// 创建时间: created.
    pub created_at: Option<String>,
    /// 完成时间: finished.
    pub finished_at: Option<String>,
    /// Columns this version does not know, by header, each a JSON string (masked in `Debug`).
    pub extra: Extensions,
}

impl FileRecord for OrderRecord {
    const HEADERS: &'static [&'static [&'static str]] = &[
        &["商户订单号"],
        &["订单流水号"],
        &["商户批次号"],
        &["姓名"],
        &["经纪公司ID"],
        &["订单状态"],
        &["收款账号"],
        &["支付渠道"],
        &["金额"],
        &["服务费"],
        &["渠道流水号"],
        &["短周期授信账单号"],
        &["服务费账单号"],
        &["余额账单号", "余額账单号"],
        &["创建时间"],
        &["完成时间"],
    ];

    fn from_cells(c: &[&str], extra: Extensions) -> Result<Self, String> {
        Ok(OrderRecord {
            order_id: cell(c, 0).to_owned(),
            reference: cell(c, 1).to_owned(),
            batch_id: opt(cell(c, 2)),
            real_name: PersonName::new(cell(c, 3)),
            broker_id: cell(c, 4).to_owned(),
            status: FileStatus::from_wire(cell(c, 5)),
            account: CardNumber::new(cell(c, 6)),
            channel: opt(cell(c, 7)).map(|s| Channel::from_wire(&s)),
            pay: amount("金额", cell(c, 8))?,
            fee: opt_amount("服务费", cell(c, 9))?,
            channel_ref: opt(cell(c, 10)),
            credit_bill_no: opt(cell(c, 11)),
            fee_bill_no: opt(cell(c, 12)),
            balance_bill_no: opt(cell(c, 13)),
            created_at: opt(cell(c, 14)),
            finished_at: opt(cell(c, 15)),
            extra,
        })
    }
}

/// A row of the daily bill file (查询日流水文件). A return (退汇) adds rows; it never changes
/// the original payment's rows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BillRecord {
    /// 商户订单号: the merchant's order id.
    pub order_id: String,
    /// 订单流水号: Yunzhanghu's order reference.
    pub reference: String,
    /// 流水号: the entry's number.
    pub bill_ref: String,
    /// 流水类型: the kind of entry.
    pub bill_type: BillType,
    /// 流水状态: the entry's state.
    pub status: FileStatus,
    /// 支付渠道: the channel (`None` for fee entries, `-/-` in the file).
    pub channel: Option<Channel>,
    /// 姓名: the payee's name (masked in the file).
    pub real_name: PersonName,
    /// 经纪公司ID: the broker id.
    pub broker_id: String,
    /// 金额: the amount.
    pub amount: Money,
    /// 渠道流水号: the channel's reference.
    pub channel_ref: Option<String>,
    /// 创建时间: created.
    pub created_at: Option<String>,
    /// 完成时间: finished.
    pub finished_at: Option<String>,
    /// Columns this version does not know, by header, each a JSON string (masked in `Debug`).
    pub extra: Extensions,
}

impl FileRecord for BillRecord {
    const HEADERS: &'static [&'static [&'static str]] = &[
        &["商户订单号"],
        &["订单流水号"],
        &["流水号"],
        &["流水类型"],
        &["流水状态"],
        &["支付渠道"],
        &["姓名"],
        &["经纪公司ID"],
        &["金额"],
        &["渠道流水号"],
        &["创建时间"],
        &["完成时间"],
    ];

    fn from_cells(c: &[&str], extra: Extensions) -> Result<Self, String> {
        Ok(BillRecord {
            order_id: cell(c, 0).to_owned(),
            reference: cell(c, 1).to_owned(),
            bill_ref: cell(c, 2).to_owned(),
            bill_type: BillType::from_wire(cell(c, 3)),
            status: FileStatus::from_wire(cell(c, 4)),
            channel: opt(cell(c, 5)).map(|s| Channel::from_wire(&s)),
            real_name: PersonName::new(cell(c, 6)),
            broker_id: cell(c, 7).to_owned(),
            amount: amount("金额", cell(c, 8))?,
            channel_ref: opt(cell(c, 9)),
            created_at: opt(cell(c, 10)),
            finished_at: opt(cell(c, 11)),
            extra,
        })
    }
}

/// Reads the rows of a daily file one at a time, as an iterator of typed records; memory use
/// does not grow with the file.
///
/// A first row whose first cell is `商户订单号` is a header: columns are then found by name
/// (extra columns land in `extra`); without a header the spec's column order is assumed.
///
/// ```
/// use yunzhanghu::bill::{BillFileReader, BillRecord};
///
/// let csv = "商户订单号,订单流水号,流水号,流水类型,流水状态,支付渠道,姓名,经纪公司ID,金额,渠道流水号,创建时间,完成时间\n\
///            2017111101,105381754236469631,105381754821575041,经纪公司打款,成功,微信,彭**,yiyun**,6,1000041701,2017-11-20 00:00:02,2017-11-20 00:02:38\n";
/// let rows: Vec<BillRecord> = BillFileReader::from_csv(csv.as_bytes()).collect::<Result<_, _>>()?;
/// assert_eq!(rows[0].amount.fen(), 600);
/// # Ok::<(), pay_core::Error>(())
/// ```
pub struct BillReader<R: Read, T> {
    reader: csv::Reader<R>,
    record: csv::StringRecord,
    /// For each header of `T`, the column it is in; `None` until the first row was read.
    columns: Option<Vec<Option<usize>>>,
    extra_columns: Vec<(usize, String)>,
    pending: Option<csv::StringRecord>,
    line: u64,
    done: bool,
    _record: PhantomData<fn() -> T>,
}

impl<R: Read, T> std::fmt::Debug for BillReader<R, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BillReader")
            .field("line", &self.line)
            .finish_non_exhaustive()
    }
}

/// A reader of the daily order file.
pub type OrderFileReader<R> = BillReader<R, OrderRecord>;
/// A reader of the daily bill file.
pub type BillFileReader<R> = BillReader<R, BillRecord>;

impl<R: Read, T: FileRecord> BillReader<MultiGzDecoder<R>, T> {
    /// Reads a gz-compressed file (as downloaded).
    pub fn from_gz(reader: R) -> Self {
        BillReader::from_csv(MultiGzDecoder::new(reader))
    }
}

impl<R: Read, T: FileRecord> BillReader<R, T> {
    /// Reads an uncompressed CSV file.
    pub fn from_csv(reader: R) -> Self {
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(reader);
        BillReader {
            reader,
            record: csv::StringRecord::new(),
            columns: None,
            extra_columns: Vec::new(),
            pending: None,
            line: 0,
            done: false,
            _record: PhantomData,
        }
    }

    fn error(&self, msg: impl Into<String>) -> Error {
        let row = self.record.iter().collect::<Vec<_>>().join(",");
        Error::decode(row, format!("line {}: {}", self.line, msg.into()))
    }

    /// Reads the first row and decides whether it is a header.
    fn init(&mut self) -> Result<(), Error> {
        let first = self.record.get(0).map(|s| s.trim_start_matches('\u{feff}'));
        let is_header = T::HEADERS
            .first()
            .is_some_and(|h| first.is_some_and(|f| h.contains(&f)));
        if is_header {
            let names: Vec<String> = self
                .record
                .iter()
                .map(|s| s.trim_start_matches('\u{feff}').to_owned())
                .collect();
            let mut columns = Vec::with_capacity(T::HEADERS.len());
            for spellings in T::HEADERS {
                columns.push(names.iter().position(|n| spellings.contains(&n.as_str())));
            }
            if columns.first().copied().flatten().is_none() {
                return Err(self.error("the header has no 商户订单号 column"));
            }
            self.extra_columns = names
                .iter()
                .enumerate()
                .filter(|(i, _)| !columns.contains(&Some(*i)))
                .map(|(i, n)| (i, n.clone()))
                .collect();
            self.columns = Some(columns);
        } else {
            self.columns = Some((0..T::HEADERS.len()).map(Some).collect());
            self.pending = Some(self.record.clone());
        }
        Ok(())
    }

    fn build(&self, record: &csv::StringRecord) -> Result<T, Error> {
        let Some(columns) = &self.columns else {
            return Err(self.error("no columns"));
        };
        let cells: Vec<&str> = columns
            .iter()
            .map(|c| c.and_then(|i| record.get(i)).unwrap_or(""))
            .collect();
        let extra = self
            .extra_columns
            .iter()
            .filter_map(|(i, name)| {
                record
                    .get(*i)
                    .map(|v| (name.clone(), serde_json::Value::String(v.to_owned())))
            })
            .collect();
        T::from_cells(&cells, extra).map_err(|m| self.error(m))
    }
}

impl<R: Read, T: FileRecord> Iterator for BillReader<R, T> {
    type Item = Result<T, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            if let Some(pending) = self.pending.take() {
                return Some(self.build(&pending));
            }
            match self.reader.read_record(&mut self.record) {
                Ok(false) => return None,
                Ok(true) => {}
                Err(e) => {
                    self.line += 1;
                    // A broken gz stream or a read failure ends the file; a bad row does not.
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        self.done = true;
                    }
                    return Some(Err(Error::decode(
                        Vec::new(),
                        format!("line {}: {e}", self.line),
                    )));
                }
            }
            self.line += 1;
            if self.record.iter().all(str::is_empty) {
                continue;
            }
            if self.columns.is_none() {
                if let Err(e) = self.init() {
                    return Some(Err(e));
                }
                continue;
            }
            return Some(self.build(&self.record));
        }
    }
}

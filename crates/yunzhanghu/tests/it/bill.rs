//! The daily files: both CSV layouts from the spec, a headerless file, and streaming a
//! generated multi-megabyte gz from the server to disk and through the reader.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use pay_core::{Error, Money, ProviderErrorKind};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};
use yunzhanghu::bill::{BillDownloadUrl, BillFileReader, OrderDownloadUrl, OrderFileReader};
use yunzhanghu::codes::{BillType, Channel, FileStatus};

use crate::server_and_client;

const ORDER_CSV: &str = include_str!("../fixtures/order-file.csv");
const BILL_CSV: &str = include_str!("../fixtures/bill-file.csv");

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = GzEncoder::new(Vec::new(), Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn order_file_layout() {
    let data = gz(ORDER_CSV.as_bytes());
    let rows: Vec<_> = OrderFileReader::from_gz(&data[..])
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(rows.len(), 7);
    let r = &rows[0];
    assert_eq!(r.order_id, "2017112701");
    assert_eq!(r.reference, "1053817962754221");
    assert_eq!(r.batch_id, None);
    assert_eq!(r.real_name.expose(), "张**");
    assert_eq!(r.broker_id, "yiyun**");
    assert_eq!(r.status, FileStatus::Success);
    assert_eq!(r.account.expose(), "6228*****52416");
    assert_eq!(r.channel, Some(Channel::BankCard));
    assert_eq!(r.pay, Money::from_fen(19_500));
    assert_eq!(r.fee, Some(Money::from_fen(1365)));
    assert_eq!(r.channel_ref.as_deref(), Some("201711204400000"));
    assert_eq!(r.credit_bill_no.as_deref(), Some("104475780210006015"));
    assert_eq!(r.fee_bill_no, None);
    assert_eq!(r.balance_bill_no, None);
    assert_eq!(r.created_at.as_deref(), Some("2017-11-20 00:00:22"));
    assert_eq!(r.finished_at.as_deref(), Some("2017-11-20 00:00:24"));
    assert!(r.extra.is_empty());
    assert_eq!(rows[1].status, FileStatus::Failed);
    assert_eq!(rows[1].channel, Some(Channel::Wechat));
    assert_eq!(rows[2].fee, Some(Money::from_fen(70)));
    assert_eq!(rows[3].channel, Some(Channel::Alipay));
    let total: i64 = rows.iter().map(|r| r.pay.fen()).sum();
    assert_eq!(total, (195 + 200 + 10 + 18 + 1000 + 110 + 1000) * 100);
}

#[test]
fn bill_file_layout() {
    let rows: Vec<_> = BillFileReader::from_gz(&gz(BILL_CSV.as_bytes())[..])
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[0].order_id, "2017111101");
    assert_eq!(rows[0].reference, "105381754236469631");
    assert_eq!(rows[0].bill_ref, "105381754821575041");
    assert_eq!(rows[0].bill_type, BillType::BrokerPayment);
    assert_eq!(rows[0].status, FileStatus::Success);
    assert_eq!(rows[0].channel, Some(Channel::Wechat));
    assert_eq!(rows[0].amount, Money::from_fen(600));
    assert_eq!(
        rows[0].channel_ref.as_deref(),
        Some("10000417012017112030000016201")
    );
    assert_eq!(rows[1].bill_type, BillType::BrokerPaymentFee);
    assert_eq!(rows[1].channel, None);
    assert_eq!(rows[1].amount, Money::from_fen(42));
    assert_eq!(rows[1].channel_ref, None);
    assert_eq!(rows[6].bill_type, BillType::BrokerReturn);
    assert_eq!(rows[7].bill_type, BillType::BrokerReturnFee);
    assert_eq!(rows[7].amount, Money::from_fen(28));
}

#[test]
fn headerless_reordered_and_extra_columns() {
    // Without a header the spec's order is assumed.
    let body: String = BILL_CSV.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let rows: Vec<_> = BillFileReader::from_csv(body.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[2].amount, Money::from_fen(400));
    // With a header, columns are found by name; unknown ones are kept.
    let csv = "\u{feff}商户订单号,金额,新列,流水类型\nA1,1.5,x,经纪公司打款\n";
    let rows: Vec<_> = BillFileReader::from_csv(csv.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    assert_eq!(rows[0].order_id, "A1");
    assert_eq!(rows[0].amount, Money::from_fen(150));
    assert_eq!(rows[0].bill_type, BillType::BrokerPayment);
    assert_eq!(rows[0].extra.get("新列"), Some(&serde_json::json!("x")));
    // A bad amount names the line and the column.
    let bad = "商户订单号,金额\nA1,1.234\n";
    let err = BillFileReader::from_csv(bad.as_bytes())
        .next()
        .unwrap()
        .unwrap_err();
    match err {
        Error::Decode { source, .. } => {
            assert_eq!(
                source.to_string(),
                "line 2: column 金额: amount has more than two decimals"
            )
        }
        other => panic!("{other:?}"),
    }
    // A corrupt gz stream is an error, then the end.
    let mut broken = gz(BILL_CSV.as_bytes());
    broken.truncate(broken.len() / 2);
    let results: Vec<_> = BillFileReader::from_gz(&broken[..]).collect();
    assert!(results.last().unwrap().is_err());
}

/// A generated file of `rows` order rows with varied (poorly compressible) ids.
fn generated(rows: usize) -> (Vec<u8>, i64) {
    let mut e = GzEncoder::new(Vec::new(), Compression::fast());
    let mut total = 0i64;
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    writeln!(e, "{}", ORDER_CSV.lines().next().unwrap()).unwrap();
    for i in 0..rows {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let fen = (x % 1_000_000) as i64 + 1;
        total += fen;
        writeln!(
            e,
            "O{i},{x},,张**,yiyun**,成功,6228*****{:05},银行卡,{}.{:02},0.7,{},{},-/-,-/-,2017-11-20 00:00:22,2017-11-20 00:00:24",
            x % 100_000,
            fen / 100,
            fen % 100,
            x.rotate_left(17),
            x.rotate_left(31)
        )
        .unwrap();
    }
    (e.finish().unwrap(), total)
}

#[tokio::test]
async fn streams_a_multi_megabyte_file_to_disk_and_reads_it_row_by_row() {
    let rows = 80_000;
    let (file, total) = generated(rows);
    assert!(file.len() > 3 * 1024 * 1024, "gz is {} bytes", file.len());
    let (server, client) = server_and_client().await;
    let url = format!("{}/files/order-2017-11-27.csv.gz", server.uri());
    Mock::given(method("GET"))
        .and(path("/api/dataservice/v1/order/downloadurl"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"code":"0000","message":"操作成功","request_id":"r","data":{"order_download_url": url}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/files/order-2017-11-27.csv.gz"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(file.clone()))
        .expect(1)
        .mount(&server)
        .await;
    let dest = std::env::temp_dir().join(format!("yzh-order-{}.csv.gz", std::process::id()));
    let mut out = tokio::fs::File::create(&dest).await.unwrap();
    let written = client
        .download_order_file(
            &OrderDownloadUrl {
                order_date: "2017-11-27".into(),
                ..Default::default()
            },
            &mut out,
        )
        .await
        .unwrap();
    drop(out);
    assert_eq!(written, file.len() as u64);
    let reader = OrderFileReader::from_gz(std::fs::File::open(&dest).unwrap());
    let mut count = 0usize;
    let mut sum = 0i64;
    for row in reader {
        let row = row.unwrap();
        count += 1;
        sum += row.pay.fen();
    }
    std::fs::remove_file(&dest).unwrap();
    assert_eq!(count, rows);
    assert_eq!(sum, total);
}

#[tokio::test]
async fn empty_url_is_a_clear_error_and_http_errors_keep_the_body() {
    let (server, client) = server_and_client().await;
    Mock::given(method("GET"))
        .and(path("/api/dataservice/v1/bill/downloadurl"))
        .respond_with(ResponseTemplate::new(200).set_body_string(
            r#"{"code":"0000","message":"操作成功","request_id":"r1","data":{"bill_download_url":""}}"#,
        ))
        .mount(&server)
        .await;
    let mut sink = Vec::new();
    let e = client
        .download_bill_file(
            &BillDownloadUrl {
                bill_date: "2017-01-01".into(),
                ..Default::default()
            },
            &mut sink,
        )
        .await
        .unwrap_err();
    match &e {
        Error::Provider(p) => {
            assert_eq!(
                p.kind,
                ProviderErrorKind::NotFound {
                    what: "bill file".into()
                }
            );
            assert_eq!(p.request_id.as_deref(), Some("r1"));
            assert_eq!(
                p.message,
                "the bill file download url for 2017-01-01 is empty: files are kept 90 days, or it is not generated yet"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(sink.is_empty());
    let missing = format!("{}/files/missing.gz", server.uri());
    let e = client.download(&missing, &mut sink).await.unwrap_err();
    match &e {
        // The catch-all answers 500 "unmatched request".
        Error::HttpStatus { status, body, .. } => {
            assert_eq!(*status, 500);
            assert_eq!(body.as_bytes(), b"unmatched request");
        }
        other => panic!("{other:?}"),
    }
    // A download is read-only: repeat it, nothing to query.
    assert!(e.is_retry_safe(), "{e:?}");
    assert!(!e.needs_query(), "{e:?}");
    assert_eq!(e.order_id(), None);
    match client.download("", &mut sink).await {
        Err(Error::InvalidInput { field, .. }) => assert_eq!(field, "url"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn record_debug_masks_names_and_accounts() {
    let csv = "商户订单号,姓名,收款账号,金额\nA1,张三丰,6228880199872220,1\n";
    let row = OrderFileReader::from_csv(csv.as_bytes())
        .next()
        .unwrap()
        .unwrap();
    let s = format!("{row:?}");
    assert!(
        !s.contains("张三丰") && !s.contains("6228880199872220"),
        "{s}"
    );
}

/// A writer that accepts `room` bytes, then fails every write (a full disk); or, with
/// `fail_flush`, accepts everything and fails the flush.
struct FailingWriter {
    room: usize,
    written: usize,
    fail_flush: bool,
}

impl tokio::io::AsyncWrite for FailingWriter {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        if self.fail_flush {
            self.written += buf.len();
            return std::task::Poll::Ready(Ok(buf.len()));
        }
        let n = buf.len().min(self.room - self.written);
        if n == 0 {
            return std::task::Poll::Ready(Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "no space left on the test device",
            )));
        }
        self.written += n;
        std::task::Poll::Ready(Ok(n))
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(if self.fail_flush {
            Err(std::io::Error::new(
                std::io::ErrorKind::BrokenPipe,
                "flush refused by the test writer",
            ))
        } else {
            Ok(())
        })
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

/// Asserts `e` is the local I/O error of the writer: retry-safe, no query, the io::Error as
/// its source.
fn assert_local_io(e: &Error, kind: std::io::ErrorKind, message: &str) {
    use std::error::Error as _;
    assert!(matches!(e, Error::Io { .. }), "{e:?}");
    assert!(e.is_retry_safe(), "{e:?}");
    assert!(!e.needs_query(), "{e:?}");
    assert_eq!(e.order_id(), None);
    let source = e.source().unwrap();
    let io = source.downcast_ref::<std::io::Error>().unwrap();
    assert_eq!(io.kind(), kind);
    assert_eq!(io.to_string(), message);
    assert!(source.source().is_none());
}

#[tokio::test]
async fn a_failing_writer_is_a_local_io_error_not_a_transport_error() {
    let (server, client) = server_and_client().await;
    let file = gz(BILL_CSV.as_bytes());
    Mock::given(method("GET"))
        .and(path("/files/bill.csv.gz"))
        .respond_with(ResponseTemplate::new(200).set_body_bytes(file.clone()))
        .expect(2)
        .mount(&server)
        .await;
    let url = format!("{}/files/bill.csv.gz", server.uri());

    let mut full = FailingWriter {
        room: 10,
        written: 0,
        fail_flush: false,
    };
    let e = client.download(&url, &mut full).await.unwrap_err();
    assert_local_io(
        &e,
        std::io::ErrorKind::StorageFull,
        "no space left on the test device",
    );
    assert_eq!(full.written, 10);

    let mut unflushable = FailingWriter {
        room: 0,
        written: 0,
        fail_flush: true,
    };
    let e = client.download(&url, &mut unflushable).await.unwrap_err();
    assert_local_io(
        &e,
        std::io::ErrorKind::BrokenPipe,
        "flush refused by the test writer",
    );
    assert_eq!(unflushable.written, file.len());
}

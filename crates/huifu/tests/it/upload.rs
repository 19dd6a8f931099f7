//! Multipart uploads: parts, sign over the text fields, size and type checks before sending.

use std::sync::Arc;

use huifu::FileSource;
use huifu::codes::{AttachType, FileUploadType, SourceChannel, UploadCertType, UploadTransType};
use huifu::upload::{UploadCardRequest, UploadFileRequest};
use pay_core::Error;
use pay_core::multipart::FilePart;
use pay_core::test_util::{RecordingTransport, mock_server};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, ResponseTemplate};

use crate::support::*;

const JPEG: &[u8] = b"\xff\xd8\xff\xe0fake-jpeg";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\nfake-png";
const PDF: &[u8] = b"%PDF-1.4 fake";

fn card_req() -> UploadCardRequest {
    UploadCardRequest {
        user_cust_id: "6666000000000002".into(),
        order_id: "UC1".into(),
        order_date: "20240101".into(),
        cert_id: "11010519491231002X".into(),
        cert_name: "张三".into(),
        cert_type: UploadCertType::IdCard,
        source_channel: SourceChannel::Android,
        bg_ret_url: "https://shop.example/cb".into(),
        extra: Default::default(),
    }
}

fn part(name: &str, value: &str) -> String {
    format!("--cnpay-b1\r\ncontent-disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
}

#[tokio::test]
async fn upload_card_sends_fields_then_file1_and_file2() {
    let server = mock_server().await;
    Mock::given(method("POST"))
        .and(path("/api/hfpay/v1/merchant/upload_card"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"resp_code":"C00000","order_id":"UC1"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client_with(config(&server));
    let dir = std::env::temp_dir().join(format!("huifu-upload-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let front = dir.join("正面.jpg");
    std::fs::write(&front, JPEG).unwrap();
    let r = client
        .upload_card(
            &card_req(),
            FileSource::path(&front),
            FileSource::reader("back.png", std::io::Cursor::new(PNG.to_vec())),
        )
        .await
        .unwrap();
    assert_eq!(r.order_id.as_deref(), Some("UC1"));
    let req = &server.received_requests().await.unwrap()[0];
    assert_eq!(
        req.headers.get("content-type").unwrap(),
        "multipart/form-data; boundary=cnpay-b1"
    );
    let mut expected = String::new();
    for (k, v) in [
        ("mer_cust_id", MER),
        ("bg_ret_url", "https://shop.example/cb"),
        ("cert_id", "11010519491231002X"),
        ("cert_name", "张三"),
        ("cert_type", "00"),
        ("order_date", "20240101"),
        ("order_id", "UC1"),
        ("source_channel", "1"),
        ("user_cust_id", "6666000000000002"),
    ] {
        expected.push_str(&part(k, v));
    }
    let mut expected = expected.into_bytes();
    expected.extend_from_slice(
        b"--cnpay-b1\r\ncontent-disposition: form-data; name=\"file1\"; filename=\"%E6%AD%A3%E9%9D%A2.jpg\"\r\ncontent-type: image/jpeg\r\n\r\n",
    );
    expected.extend_from_slice(JPEG);
    expected.extend_from_slice(
        b"\r\n--cnpay-b1\r\ncontent-disposition: form-data; name=\"file2\"; filename=\"back.png\"\r\ncontent-type: image/png\r\n\r\n",
    );
    expected.extend_from_slice(PNG);
    expected.extend_from_slice(b"\r\n--cnpay-b1--\r\n");
    assert_eq!(
        String::from_utf8_lossy(&req.body),
        String::from_utf8_lossy(&expected)
    );
    // the sign covers the text fields
    let form: Vec<(String, String)> = vec![
        ("mer_cust_id".into(), MER.into()),
        ("bg_ret_url".into(), "https://shop.example/cb".into()),
        ("cert_id".into(), "11010519491231002X".into()),
        ("cert_name".into(), "张三".into()),
        ("cert_type".into(), "00".into()),
        ("order_date".into(), "20240101".into()),
        ("order_id".into(), "UC1".into()),
        ("source_channel".into(), "1".into()),
        ("user_cust_id".into(), "6666000000000002".into()),
    ];
    assert_eq!(
        get(&query_pairs(req), "sign"),
        Some(expected_sign(req, &form).as_str())
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test]
async fn agent_and_merchant_files_through_call_json() {
    for (op, p, trans_type) in [
        (
            "upload-agent-file",
            "/api/hfpay/v1/merchant/upload_agent_file",
            "01",
        ),
        (
            "upload-merchant-file",
            "/api/hfpay/v1/merchant/upload_merchant_file",
            "05",
        ),
    ] {
        let server = mock_server().await;
        Mock::given(path(p))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_string(r#"{"resp_code":"C00000","attach_no":"AT1"}"#),
            )
            .expect(1)
            .mount(&server)
            .await;
        let client = client_with(config(&server));
        let out = client
            .call_json(
                op,
                json!({"attach_no": "AT1", "trans_type": trans_type, "attach_type": "03",
                       "attach_desc": "法人证件", "file_upload_type": "01"}),
                vec![FilePart {
                    field: "file".into(),
                    file_name: "id card.pdf".into(),
                    content_type: "application/octet-stream".into(),
                    data: bytes::Bytes::from_static(PDF),
                }],
            )
            .await
            .unwrap();
        assert_eq!(out["attach_no"], "AT1");
        let req = &server.received_requests().await.unwrap()[0];
        let body = String::from_utf8_lossy(&req.body);
        assert!(body.contains(&part("trans_type", trans_type)), "{op}");
        assert!(body.contains(&part("attach_desc", "法人证件")), "{op}");
        assert!(body.contains(&part("file_upload_type", "01")), "{op}");
        assert!(body.contains(
            "name=\"file\"; filename=\"id%20card.pdf\"\r\ncontent-type: application/pdf\r\n\r\n%PDF-1.4 fake\r\n"
        ), "{op}: {body}");
    }
}

#[tokio::test]
async fn bad_files_are_refused_before_sending() {
    let t = Arc::new(RecordingTransport::new());
    let client = huifu::Client::with_transport(
        huifu::Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("http://gw.example")
            .max_upload_bytes(16)
            .build()
            .unwrap(),
        t.clone(),
    )
    .unwrap();
    let field_of = |e: Error| match e {
        Error::InvalidInput { field, reason } => format!("{field}: {reason}"),
        other => panic!("{other:?}"),
    };
    let e = client
        .upload_card(
            &card_req(),
            FileSource::bytes("a.gif", &b"GIF89a"[..]),
            FileSource::bytes("b.png", PNG),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "file1: must be a JPEG or PNG file");
    let e = client
        .upload_card(
            &card_req(),
            FileSource::bytes("a.jpg", JPEG),
            FileSource::bytes("b.pdf", PDF),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "file2: must be a JPEG or PNG file");
    let big = [JPEG, &[0u8; 16][..]].concat();
    let e = client
        .upload_card(
            &card_req(),
            FileSource::reader("a.jpg", std::io::Cursor::new(big)),
            FileSource::bytes("b.png", PNG),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "file1: is larger than 16 bytes");
    let e = client
        .upload_card(
            &card_req(),
            FileSource::path("/nonexistent/x.jpg"),
            FileSource::bytes("b.png", PNG),
        )
        .await
        .unwrap_err();
    assert!(field_of(e).starts_with("file1: cannot read the file"));
    let req = UploadFileRequest {
        attach_no: "AT1".into(),
        trans_type: UploadTransType::Agent,
        attach_type: AttachType::LegalCert,
        attach_desc: None,
        file_upload_type: Some(FileUploadType::Create),
        extra: Default::default(),
    };
    let e = client
        .upload_merchant_file(&req, FileSource::bytes("x.pdf", PDF))
        .await
        .unwrap_err();
    assert_eq!(
        field_of(e),
        "trans_type: must be 05 (individual business) for merchant files"
    );
    let e = client
        .call_json(
            "upload-card",
            serde_json::to_value(card_req()).unwrap(),
            Vec::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(field_of(e), "file1: file is required");
    assert!(t.requests().is_empty());
}

/// `trans_type` 06 (批量代发) uploads a payout list: a CSV goes through as `text/csv`, its
/// UTF-8 name percent-encoded as RFC 3986 (a space as `%20`; computed independently with
/// Python's `urllib.parse.quote(name, safe="-_.~")`). The size guard and the empty check still
/// apply to files of any type.
#[tokio::test]
async fn a_batch_payout_csv_is_uploaded_with_its_name_url_encoded() {
    const CSV: &[u8] = "序号,姓名,卡号,金额\n1,张三,6225880137705555,1.00\n".as_bytes();
    let t = Arc::new(RecordingTransport::new());
    t.push_response(200, r#"{"resp_code":"C00000","file_id":"F1"}"#);
    let client = huifu::Client::with_transport(
        huifu::Config::builder(MER, CLIENT_ID, SECRET)
            .base_url("http://gw.example")
            .max_upload_bytes(CSV.len())
            .build()
            .unwrap(),
        t.clone(),
    )
    .unwrap()
    .with_ids(Arc::new(pay_core::SequentialIds::new("b")));
    let req = UploadFileRequest {
        attach_no: "AT6".into(),
        trans_type: UploadTransType::BatchPayout,
        attach_type: AttachType::Other,
        attach_desc: None,
        file_upload_type: Some(FileUploadType::Create),
        extra: Default::default(),
    };
    client
        .upload_agent_file(&req, FileSource::bytes("代发 批次.csv", CSV))
        .await
        .unwrap();
    let body = String::from_utf8(t.requests()[0].body().to_vec()).unwrap();
    let expected_part = format!(
        "name=\"file\"; filename=\"%E4%BB%A3%E5%8F%91%20%E6%89%B9%E6%AC%A1.csv\"\r\ncontent-type: text/csv\r\n\r\n{}\r\n",
        std::str::from_utf8(CSV).unwrap()
    );
    assert!(body.contains(&expected_part), "{body}");
    assert!(body.contains(&part("trans_type", "06")), "{body}");

    let too_big = [CSV, b"x"].concat();
    let e = client
        .upload_agent_file(&req, FileSource::bytes("a.csv", too_big))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput { field, reason } if field == "file" && reason == &format!("is larger than {} bytes", CSV.len())),
        "{e:?}"
    );
    let e = client
        .upload_agent_file(&req, FileSource::bytes("a.csv", Vec::new()))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidInput { field, reason } if field == "file" && reason == "is empty"),
        "{e:?}"
    );
    assert_eq!(t.requests().len(), 1, "the refused files were not sent");
    assert_eq!(
        huifu::upload::content_type_of("list.bin", b"\x00\x01"),
        "application/octet-stream"
    );
}

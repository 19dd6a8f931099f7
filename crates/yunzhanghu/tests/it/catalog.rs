//! The operation docs the CLI's help is generated from: every operation documents its fields,
//! and every EXAMPLE passes the operation's validation.

use std::sync::Arc;

use pay_core::Error;
use pay_core::multipart::FilePart;
use pay_core::test_util::RecordingTransport;
use pay_core::transport::TransportError;
use yunzhanghu::{CATALOG, Client, OPERATION_FILES, OPERATIONS};

#[test]
fn every_operation_documents_its_fields_and_a_complete_example() {
    pay_core::test_util::check_catalog(CATALOG);
    assert_eq!(CATALOG.len(), 17);
    assert_eq!(OPERATIONS.len(), CATALOG.len());
}

/// Each EXAMPLE, run through `call_json` against a transport that refuses to send, fails at
/// the transport: validation and encoding passed, and nothing else stopped it.
#[tokio::test]
async fn every_example_passes_validation() {
    for op in CATALOG {
        let transport = Arc::new(RecordingTransport::new());
        transport.push_error(TransportError::connect("refused by the test"));
        let client =
            Client::with_transport(crate::config("http://yzh.test"), transport.clone()).unwrap();
        let data: serde_json::Value = serde_json::from_str(op.example).unwrap();
        let files: Vec<FilePart> = OPERATION_FILES
            .iter()
            .filter(|(name, _)| *name == op.name)
            .flat_map(|(_, fields)| fields.iter())
            .map(|field| {
                yunzhanghu::identity::image_part(field, "id.jpg", "image/jpeg", b"jpeg".to_vec())
            })
            .collect();
        let err = client.call_json(op.name, data, files).await.unwrap_err();
        assert!(
            matches!(err, Error::Transport { .. }),
            "{}: {err:?}",
            op.name
        );
        assert_eq!(transport.requests().len(), 1, "{}", op.name);
    }
}

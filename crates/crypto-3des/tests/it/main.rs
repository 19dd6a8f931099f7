#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every shared vector in `vectors/yunzhanghu.json` at the workspace root (the 3DES part; the HMAC part is tested
//! in the yunzhanghu crate).

use crypto_3des::TripleDes;
use serde_json::Value;

#[test]
fn yunzhanghu_vectors() {
    let all: Vec<Value> = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/yunzhanghu.json"
    )))
    .expect("vector file is JSON");
    assert_eq!(all.len(), 6);
    for (i, v) in all.iter().enumerate() {
        let key = TripleDes::new(v["des3_key"].as_str().unwrap().as_bytes()).unwrap();
        let pt = v["plaintext"].as_str().unwrap();
        let data = v["data"].as_str().unwrap();
        assert_eq!(
            key.encrypt_base64(pt.as_bytes()),
            data,
            "vector {i} ({})",
            v["name"]
        );
        assert_eq!(
            key.decrypt_base64_to_string(data).unwrap(),
            pt,
            "vector {i}"
        );
    }
}

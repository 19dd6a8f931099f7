//! The shared envelope vectors (`vectors/protocol-pay.json` at the workspace root), every entry, plus hand-computed
//! cases.

use pay_core::{Error, KeyRing, SecretKey, SignatureErrorKind};
use protocol_pay::sign::{self, Envelope, ReceivedEnvelope, verify_envelope_json};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    name: String,
    app_id: String,
    key: String,
    data: String,
    timestamp: String,
    sign_string: String,
    sign: String,
    envelope: String,
    valid: bool,
}

fn vectors() -> Vec<Vector> {
    serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/protocol-pay.json"
    )))
    .unwrap()
}

#[test]
fn every_vector() {
    let all = vectors();
    assert_eq!(all.len(), 4);
    for (i, v) in all.iter().enumerate() {
        let ctx = format!("vector {i} ({})", v.name);
        // The signing string and the sign over the data as signed.
        assert_eq!(
            sign_md5::EnvelopeSigner::new(&v.app_id, &v.key).sign_string(&v.data, &v.timestamp),
            v.sign_string,
            "{ctx}"
        );
        assert_eq!(
            sign::sign(&v.app_id, &v.key, &v.data, &v.timestamp),
            v.sign,
            "{ctx}"
        );
        let built = Envelope::sign(
            v.app_id.as_str(),
            &SecretKey::new(v.key.as_str()),
            v.data.as_str(),
            v.timestamp.as_str(),
        );
        assert_eq!(built.sign, v.sign, "{ctx}");
        // The envelope as transmitted: parsed, `data` kept exactly, verified iff valid.
        let parsed = ReceivedEnvelope::parse(v.envelope.as_bytes()).unwrap();
        assert_eq!(parsed.app_id.as_deref(), Some(v.app_id.as_str()), "{ctx}");
        assert_eq!(parsed.sign.as_deref(), Some(v.sign.as_str()), "{ctx}");
        let ring = KeyRing::from(v.key.as_str());
        let result = verify_envelope_json(&v.app_id, &ring, v.envelope.as_bytes());
        if v.valid {
            assert_eq!(parsed.data.as_deref(), Some(v.data.as_str()), "{ctx}");
            assert!(result.is_ok(), "{ctx}: {result:?}");
            // Our serialisation of the same envelope verifies and round-trips the data.
            let ours = verify_envelope_json(&v.app_id, &ring, built.to_json().as_bytes()).unwrap();
            assert_eq!(ours.data.as_deref(), Some(v.data.as_str()), "{ctx}");
        } else {
            assert_ne!(parsed.data.as_deref(), Some(v.data.as_str()), "{ctx}");
            assert!(
                matches!(
                    result,
                    Err(Error::Signature {
                        kind: SignatureErrorKind::Mismatch,
                        ..
                    })
                ),
                "{ctx}: {result:?}"
            );
        }
    }
}

#[test]
fn key_with_ampersand_is_signed_verbatim() {
    // md5("LFT1001&{\"outReqNo\":\"LFT10011\"}&20201010123015123&k&e=y&"), computed independently.
    let s = sign::sign(APP, "k&e=y&", r#"{"outReqNo":"LFT10011"}"#, NOW);
    assert_eq!(s, "6b8d57f0e1e8b1ab3be385502087d41a");
}

#[test]
fn escaped_quotes_and_non_ascii_are_signed_as_the_exact_text() {
    // data is {"transDesc":"定金\"A\""} (with backslashes), hashed over UTF-8.
    let data = r#"{"transDesc":"定金\"A\""}"#;
    let s = sign::sign(APP, KEY, data, NOW);
    assert_eq!(s, "f685470a6a6187816be340ab53e59adc");
    let env = Envelope::sign(APP, &SecretKey::new(KEY), data, NOW);
    let got = verify_envelope_json(APP, &KeyRing::from(KEY), env.to_json().as_bytes()).unwrap();
    assert_eq!(got.data.as_deref(), Some(data));
    // Any other text of the same JSON is a different sign.
    let spaced = r#"{"transDesc": "定金\"A\""}"#;
    assert_ne!(sign::sign(APP, KEY, spaced, NOW), s);
}

#[test]
fn uppercase_sign_and_previous_key_verify() {
    let v = &vectors()[2];
    let upper = v.envelope.replace(&v.sign, &v.sign.to_uppercase());
    assert!(
        verify_envelope_json(&v.app_id, &KeyRing::from(v.key.as_str()), upper.as_bytes()).is_ok()
    );
    let ring =
        KeyRing::new(SecretKey::new("new-key")).with_previous(SecretKey::new(v.key.as_str()));
    assert!(verify_envelope_json(&v.app_id, &ring, v.envelope.as_bytes()).is_ok());
    let wrong = KeyRing::new(SecretKey::new("new-key"));
    assert!(verify_envelope_json(&v.app_id, &wrong, v.envelope.as_bytes()).is_err());
}

use crate::{APP, KEY, NOW};

#[test]
fn client_is_clone_debug_send_sync() {
    fn check<T: Clone + std::fmt::Debug + Send + Sync + 'static>() {}
    check::<protocol_pay::Client>();
    let dbg = format!("{:?}", crate::client("http://x"));
    assert!(!dbg.contains(KEY), "{dbg}");
    assert!(dbg.contains("SecretKey(***)"), "{dbg}");
}

proptest::proptest! {
    #[test]
    fn any_data_round_trips_and_any_change_is_caught(
        data in "\\PC{0,64}",
        key in "\\PC{1,24}",
        flip in 0usize..64,
    ) {
        let env = Envelope::sign(APP, &SecretKey::new(key.as_str()), data.as_str(), NOW);
        let ring = KeyRing::from(key.as_str());
        let got = verify_envelope_json(APP, &ring, env.to_json().as_bytes()).unwrap();
        proptest::prop_assert_eq!(got.data.as_deref(), Some(data.as_str()));
        let mut changed = env.clone();
        changed.data = if data.is_empty() {
            "x".to_owned()
        } else {
            let chars: Vec<char> = data.chars().collect();
            let i = flip % chars.len();
            chars.iter().enumerate().map(|(j, c)| if j == i { if *c == 'a' { 'b' } else { 'a' } } else { *c }).collect()
        };
        proptest::prop_assert!(verify_envelope_json(APP, &ring, changed.to_json().as_bytes()).is_err());
    }
}

//! A full bank-card payout round trip (validate, build, seal, send, receive, check, decode)
//! through `yunzhanghu::Client` on the default reqwest transport, next to a raw `reqwest` POST of
//! the same prepared bytes (the envelope sealed once, outside the loop) to the same server.
//!
//! The server is `pay_core::test_util::start_answer_server`, a minimal HTTP/1.1 keep-alive
//! responder on 127.0.0.1 answering every request with the same valid `0000` answer; both
//! clients reuse their keep-alive connection. Group `round-trip-yunzhanghu-order-realtime`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use pay_core::{CardNumber, IdNumber, Money, PersonName, PhoneNumber, SecretKey};
use yunzhanghu::payout::BankCardOrder;
use yunzhanghu::sign::{self, Keys};
use yunzhanghu::{Client, Config};

const DES3: &str = "123456788765432112345678";
const APP_KEY: &str = "78f9b4fad3481fbce1df0b30eee58577";
const ANSWER: &str = r#"{"code":"0000","data":{"order_id":"201609010016562012987","ref":"176826728298982","pay":"100000.00"},"message":"操作成功","request_id":"rid-1"}"#;

/// The envelope form body built with the raw primitives (`des` + `cbc` + `base64` + `hmac`).
fn raw_seal_form(plaintext: &str, mess: &str, ts: i64) -> String {
    use base64::Engine as _;
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockEncryptMut, KeyIvInit};
    use hmac::Mac;
    let key = DES3.as_bytes();
    let enc = cbc::Encryptor::<des::TdesEde3>::new(key.into(), key[..8].into());
    let data = base64::engine::general_purpose::STANDARD
        .encode(enc.encrypt_padded_vec_mut::<Pkcs7>(plaintext.as_bytes()));
    let ts = ts.to_string();
    let mut m = hmac::Hmac::<sha2::Sha256>::new_from_slice(APP_KEY.as_bytes()).unwrap();
    for part in [
        "data=",
        &data,
        "&mess=",
        mess,
        "&timestamp=",
        &ts,
        "&key=",
        APP_KEY,
    ] {
        m.update(part.as_bytes());
    }
    let mut sign = String::with_capacity(64);
    for b in m.finalize().into_bytes() {
        sign.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        sign.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    form_urlencoded::Serializer::new(String::new())
        .append_pair("data", &data)
        .append_pair("mess", mess)
        .append_pair("timestamp", &ts)
        .append_pair("sign", &sign)
        .append_pair("sign_type", "sha256")
        .finish()
}

fn order() -> BankCardOrder {
    BankCardOrder {
        order_id: "201609010016562012987".into(),
        real_name: PersonName::new("张三"),
        card_no: CardNumber::new("6228880199872220"),
        phone_no: Some(PhoneNumber::new("13488795491")),
        id_card: IdNumber::new("11010519491231002X"),
        pay: Money::from_fen(10_000_000),
        anchor_id: Some("56244623".into()),
        notes: Some("n".into()),
        pay_remark: Some("十月劳务费".into()),
        ..Default::default()
    }
}

fn round_trip(c: &mut Criterion) {
    let addr = pay_core::test_util::start_answer_server("application/json", ANSWER).unwrap();
    let base = format!("http://{addr}");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();

    // Ours: the client as a merchant builds it (system clock, random ids, default transport).
    let client = rt.block_on(async {
        Client::new(
            Config::builder("sixcn", "yiyun73", APP_KEY, DES3)
                .base_url(&base)
                .build()
                .unwrap(),
        )
        .unwrap()
    });
    let order = order();
    let r = rt.block_on(client.order_realtime(&order)).unwrap();
    assert_eq!(r.reference, "176826728298982");
    assert_eq!(r.pay, Some(Money::from_fen(10_000_000)));

    // Baseline: a reqwest client with the same settings (timeout, no redirects), sending a body
    // sealed once beforehand.
    let raw = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let keys = Keys::new(APP_KEY, &SecretKey::new(DES3)).unwrap();
    let plaintext = r#"{"order_id":"201609010016562012987","dealer_id":"sixcn","broker_id":"yiyun73","real_name":"张三","card_no":"6228880199872220","phone_no":"13488795491","id_card":"11010519491231002X","pay":"100000.00","anchor_id":"56244623","notes":"n","pay_remark":"十月劳务费"}"#;
    let body = bytes::Bytes::from(sign::seal(plaintext, "mess-1", 1_700_000_000, &keys).to_form());
    let url = format!("{base}/api/payment/v1/order-realtime");
    let raw_send = || async {
        raw.post(&url)
            .header("dealer-id", "sixcn")
            .header("request-id", "rid-1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body.clone())
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap()
    };
    assert_eq!(rt.block_on(raw_send()), ANSWER.as_bytes());

    // The same call with no network: a transport answering at once from memory. This is the
    // CPU time the client adds to an exchange (validate, serialise, seal, check, decode).
    let in_memory = pay_core::transport::transport_fn(|_req| async {
        http::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .body(bytes::Bytes::from_static(ANSWER.as_bytes()))
            .map_err(pay_core::transport::TransportError::io)
    });
    let offline = Client::with_transport(
        Config::builder("sixcn", "yiyun73", APP_KEY, DES3)
            .base_url(&base)
            .build()
            .unwrap(),
        Arc::new(in_memory),
    )
    .unwrap();
    let mut g = c.benchmark_group(group("client-cpu-yunzhanghu-order-realtime"));
    g.bench_function("ours", |b| {
        b.iter(|| {
            rt.block_on(offline.order_realtime(black_box(&order)))
                .unwrap()
        })
    });
    g.finish();

    let client = Arc::new(client);
    let mut g = c.benchmark_group(group("round-trip-yunzhanghu-order-realtime"));
    g.bench_function("ours", |b| {
        b.iter(|| {
            rt.block_on(client.order_realtime(black_box(&order)))
                .unwrap()
        })
    });
    g.bench_function("baseline", |b| b.iter(|| rt.block_on(raw_send())));
    g.finish();

    // The same, with the baseline also doing the per-request work by hand: serialise, seal with
    // the raw primitives, send, decode the answer into a JSON value. This isolates what cnpay adds
    // besides the cryptography (3DES alone costs about as much as a loopback round trip).
    let raw_full = || async {
        let plaintext = serde_json::to_string(&serde_json::json!({
            "order_id": "201609010016562012987", "dealer_id": "sixcn", "broker_id": "yiyun73",
            "real_name": "张三", "card_no": "6228880199872220", "phone_no": "13488795491",
            "id_card": "11010519491231002X", "pay": "100000.00", "anchor_id": "56244623",
            "notes": "n", "pay_remark": "十月劳务费"
        }))
        .unwrap();
        let body = raw_seal_form(&plaintext, "mess-1", 1_700_000_000);
        let answer = raw
            .post(&url)
            .header("dealer-id", "sixcn")
            .header("request-id", "rid-1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&answer).unwrap();
        assert_eq!(v["code"], "0000");
        v
    };
    assert_eq!(rt.block_on(raw_full())["data"]["ref"], "176826728298982");
    let mut g = c.benchmark_group(group("round-trip-yunzhanghu-order-realtime-raw-seal"));
    g.bench_function("ours", |b| {
        b.iter(|| {
            rt.block_on(client.order_realtime(black_box(&order)))
                .unwrap()
        })
    });
    g.bench_function("baseline", |b| b.iter(|| rt.block_on(raw_full())));
    g.finish();
    pay_core::test_util::interleaved(
        &group("round-trip-yunzhanghu-order-realtime-raw-seal"),
        || {
            rt.block_on(client.order_realtime(black_box(&order)))
                .unwrap()
        },
        || rt.block_on(raw_full()),
    );
    pay_core::test_util::interleaved(
        &group("round-trip-yunzhanghu-order-realtime"),
        || {
            rt.block_on(client.order_realtime(black_box(&order)))
                .unwrap()
        },
        || rt.block_on(raw_send()),
    );
}
/// The group name, marked `-table-des` when the bench runs on that 3DES core (and with the
/// suffix of a pinned run, see `pay_core::test_util::bench_group`).
fn group(name: &str) -> String {
    if cfg!(feature = "table-des") {
        pay_core::test_util::bench_group(&format!("{name}-table-des"))
    } else {
        pay_core::test_util::bench_group(name)
    }
}

criterion_group!(benches, round_trip);
criterion_main!(benches);

//! Signing next to the raw `md-5` primitive. Groups hold `ours` and `baseline`; `cargo xtask
//! bench` reads them into BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{Criterion, black_box, criterion_group, criterion_main};
use md5::{Digest, Md5};
use sign_md5::{EnvelopeSigner, ParamSigner};

const KEY: &str = "M86l522AV6q613Ii4W6u8K48uW8vM1N6bFgyv769220MdYe9u37N4y7rI5mQ";

fn params() -> Vec<(&'static str, &'static str)> {
    vec![
        ("mchId", "20001222"),
        ("appId", "0ae8be35ff634e2abe94f5f32f6d5c4f"),
        ("productId", "8001"),
        ("mchOrderNo", "20160427210604000490"),
        ("currency", "cny"),
        ("amount", "100"),
        ("clientIp", "210.73.10.148"),
        ("device", "ios10.3.1"),
        ("returnUrl", "https://shop.example/return"),
        ("notifyUrl", "http://domain/notify.htm"),
        ("subject", "测试商品名称"),
        ("body", "测试商品描述"),
        ("param1", "p1"),
        ("param2", "p2"),
        ("extra", "{\"openId\":\"o2RvowBf7sOVJf8kJksUEMceaDqo\"}"),
    ]
}

fn aggregate(c: &mut Criterion) {
    let p = params();
    let signer = ParamSigner::new(KEY);
    let joined = signer.sign_string(p.iter().copied(), sign_md5::SortOrder::Ascii);
    let mut g = c.benchmark_group("aggregate-md5-sign-15-fields");
    // What aggregate-pay calls for every request: the parameters in a slice, in field order.
    g.bench_function("ours", |b| b.iter(|| signer.sign_pairs(black_box(&p))));
    g.bench_function("baseline", |b| {
        b.iter(|| hex::encode_upper(Md5::digest(black_box(&joined).as_bytes())))
    });
    g.finish();
    pay_core::test_util::interleaved(
        "aggregate-md5-sign-15-fields",
        || signer.sign_pairs(black_box(&p)),
        || hex::encode_upper(Md5::digest(black_box(&joined).as_bytes())),
    );
}

fn envelope(c: &mut Criterion) {
    let data = r#"{"transNo":"T20201010001","outReqNo":"LFT1001202010100001","amount":"1000.50","outSuccessNotifyUrl":"https://merchant.example/lft/paid","prodCatalog":"01"}"#;
    let ts = "20201010123015123";
    let signer = EnvelopeSigner::new("LFT1001", "a8f5f167f44f4964e6c998dee827110c");
    let joined = signer.sign_string(data, ts);
    let mut g = c.benchmark_group("protocol-envelope-sign");
    g.bench_function("ours", |b| {
        b.iter(|| signer.sign(black_box(data), black_box(ts)))
    });
    g.bench_function("baseline", |b| {
        b.iter(|| hex::encode(Md5::digest(black_box(&joined).as_bytes())))
    });
    g.finish();
}

criterion_group!(benches, aggregate, envelope);
criterion_main!(benches);

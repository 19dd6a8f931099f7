//! Prism sign vectors (vectors/prism_sign.json at the workspace root), derived independently from prism-php.

fn pairs(v: &serde_json::Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap().to_owned(),
                p[1].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_prism_vector() {
    let data: serde_json::Value = serde_json::from_str(include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../vectors/prism_sign.json"
    )))
    .unwrap();
    for (i, v) in data.as_array().unwrap().iter().enumerate() {
        let args = (
            v["secret"].as_str().unwrap(),
            v["method"].as_str().unwrap(),
            v["path"].as_str().unwrap(),
            pairs(&v["headers"]),
            pairs(&v["query"]),
            pairs(&v["form"]),
        );
        let text =
            huifu::sign::prism_sign_string(args.0, args.1, args.2, &args.3, &args.4, &args.5);
        assert_eq!(text, v["sign_string"].as_str().unwrap(), "vector {i}");
        let sign = huifu::sign::prism_sign(args.0, args.1, args.2, &args.3, &args.4, &args.5);
        assert_eq!(sign, v["sign"].as_str().unwrap(), "vector {i}");
    }
}

use std::sync::Arc;

use huifu::{Client, Config, ConfigBuilder};
use pay_core::{FixedClock, SequentialIds, Timestamp};
use wiremock::MockServer;

pub(crate) const MER: &str = "6666000000000001";
pub(crate) const CLIENT_ID: &str = "app-key";
pub(crate) const SECRET: &str = "app-secret";
/// 2023-11-14 22:13:20 UTC = 2023-11-15 06:13:20 Beijing.
pub(crate) const NOW: i64 = 1_700_000_000;

pub(crate) fn config(server: &MockServer) -> ConfigBuilder {
    Config::builder(MER, CLIENT_ID, SECRET).base_url(server.uri())
}

pub(crate) fn client_with(config: ConfigBuilder) -> Client {
    Client::new(config.build().unwrap())
        .unwrap()
        .with_clock(Arc::new(FixedClock::new(Timestamp::from_unix_seconds(NOW))))
        .with_ids(Arc::new(SequentialIds::new("b")))
}

pub(crate) fn query_pairs(req: &wiremock::Request) -> Vec<(String, String)> {
    pay_core::form::decode(req.url.query().unwrap_or_default().as_bytes())
}

pub(crate) fn get<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pay_core::test_util::form_value(pairs, k)
}

/// Checks the Prism plain-HTTP sign of a received form request independently of the crate.
pub(crate) fn expected_sign(req: &wiremock::Request, form: &[(String, String)]) -> String {
    let query: Vec<(String, String)> = query_pairs(req)
        .into_iter()
        .filter(|(k, _)| k != "sign")
        .collect();
    let headers: Vec<(String, String)> = req
        .headers
        .iter()
        .filter(|(n, _)| n.as_str() == "authorization")
        .map(|(_, v)| ("Authorization".to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    huifu::sign::prism_sign(
        SECRET,
        req.method.as_str(),
        req.url.path(),
        &headers,
        &query,
        form,
    )
}

use assert_cmd::Command;
use serde_json::Value;

/// The `cnpay` binary with a clean environment (no CNPAY_* variables from the caller).
pub(crate) fn cnpay() -> Command {
    let mut cmd = Command::cargo_bin("cnpay").unwrap();
    for (k, _) in std::env::vars() {
        if k.starts_with("CNPAY_") {
            cmd.env_remove(k);
        }
    }
    cmd
}

/// The entries of a shared vector file.
pub(crate) fn vectors(name: &str) -> Vec<Value> {
    let path = format!("{}/../../vectors/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

pub(crate) fn s(v: &Value) -> &str {
    v.as_str().unwrap()
}

/// stdout of a finished command as a string.
pub(crate) fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// stderr of a finished command, parsed as the JSON error report.
pub(crate) fn report(out: &std::process::Output) -> Value {
    let text = String::from_utf8(out.stderr.clone()).unwrap();
    serde_json::from_str(text.trim()).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// Runs a prepared command off the async runtime (the mock server keeps serving).
pub(crate) async fn run(cmd: &mut assert_cmd::Command) -> std::process::Output {
    let mut cmd = std::mem::replace(cmd, Command::new("true"));
    tokio::task::spawn_blocking(move || cmd.output().unwrap())
        .await
        .unwrap()
}

/// One part of a multipart body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub(crate) name: String,
    pub(crate) file_name: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) data: Vec<u8>,
}

/// Splits a `multipart/form-data` body into its parts, in order, using the boundary of the
/// request's `content-type` header. Panics on anything malformed (tests only).
pub(crate) fn multipart_parts(req: &wiremock::Request) -> Vec<Part> {
    let ct = req.headers.get("content-type").unwrap().to_str().unwrap();
    let boundary = ct
        .strip_prefix("multipart/form-data; boundary=")
        .unwrap_or_else(|| panic!("not multipart: {ct}"));
    let delimiter = format!("--{boundary}");
    let closing = format!("--{boundary}--\r\n");
    let body = &req.body[..];
    assert!(body.ends_with(closing.as_bytes()), "unterminated body");
    let body = &body[..body.len() - closing.len()];
    let mut parts = Vec::new();
    let mut rest = body;
    let head = format!("{delimiter}\r\n");
    while !rest.is_empty() {
        assert!(rest.starts_with(head.as_bytes()), "bad part start");
        rest = &rest[head.len()..];
        let end = find(rest, b"\r\n\r\n").unwrap();
        let headers = std::str::from_utf8(&rest[..end]).unwrap().to_owned();
        rest = &rest[end + 4..];
        // the data runs to the next "\r\n--boundary"
        let next = format!("\r\n{delimiter}");
        let data_end = find(rest, next.as_bytes()).unwrap_or(rest.len() - 2);
        let data = rest[..data_end].to_vec();
        rest = &rest[data_end + 2..];
        let mut name = None;
        let mut file_name = None;
        let mut content_type = None;
        for line in headers.split("\r\n") {
            let (k, v) = line.split_once(": ").unwrap();
            match k.to_ascii_lowercase().as_str() {
                "content-disposition" => {
                    for attr in v.split("; ").skip(1) {
                        let (ak, av) = attr.split_once('=').unwrap();
                        let av = av.trim_matches('"').to_owned();
                        match ak {
                            "name" => name = Some(av),
                            "filename" => file_name = Some(av),
                            other => panic!("unexpected attribute {other}"),
                        }
                    }
                }
                "content-type" => content_type = Some(v.to_owned()),
                other => panic!("unexpected part header {other}"),
            }
        }
        parts.push(Part {
            name: name.unwrap(),
            file_name,
            content_type,
            data,
        });
    }
    parts
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The query parameters of a received request, decoded, in order.
pub(crate) fn query_pairs(req: &wiremock::Request) -> Vec<(String, String)> {
    pay_core::test_util::form_pairs(req.url.query().unwrap_or("").as_bytes())
}

/// A fresh temporary directory for one test.
pub(crate) fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cnpay-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The current time in unix seconds (the system clock, as the command uses it).
pub(crate) fn now_unix() -> i64 {
    use pay_core::Clock;
    pay_core::SystemClock.now().unix_seconds()
}

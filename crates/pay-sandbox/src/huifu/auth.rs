//! Authentication, as a Prism gateway: the app's credentials (the Prism sign or
//! `client_id` + `client_secret`), a user's bearer token on top of them, and Prism's OAuth
//! (authorize, token, session check) with the test hook that expires every token.

use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::Fields;
use super::request::{Incoming, parse_body};
use crate::common::{Ctx, json_ok, json_with_status, lock};
use crate::credentials::huifu as cred;

pub(super) fn gateway_error(status: http::StatusCode, code: &str, message: &str) -> Response {
    json_with_status(
        status,
        &json!({"result": "error", "error": {"code": code, "message": message}}),
    )
}

/// The gateway's own routes (OAuth and the token test hook), or `None` for any other.
pub(super) fn gateway_route(ctx: &Ctx, req: &Incoming) -> Option<Response> {
    let route = req.route.as_str();
    let answer = match route {
        "/oauth/authorize" => authorize(ctx, &req.query),
        EXPIRE_TOKENS_ROUTE => expire_tokens(ctx),
        "/oauth/token" | "/platform/oauth/session_check" => {
            ctx.record(route, None);
            let parsed = parse_body(&req.headers, &req.body);
            // Signed like any other request: the app's credentials.
            if let Err(r) = app_credentials(ctx, &req.signed(&parsed.signed), &req.query) {
                return Some(r);
            }
            return Some(if route == "/oauth/token" {
                token(ctx, &parsed.fields)
            } else {
                session_check(ctx, &parsed.fields)
            });
        }
        _ => return None,
    };
    ctx.record(route, None);
    Some(answer)
}

/// How long an access token lives.
pub(crate) const TOKEN_TTL_SECS: i64 = 7200;

/// A test hook: `POST` here and every access token issued so far expires at once (refresh
/// tokens stay valid), so tests can see a client refresh without waiting two hours.
pub(crate) const EXPIRE_TOKENS_ROUTE: &str = "/sandbox/huifu/expire_tokens";

/// `GET /oauth/authorize?response_type=code&client_id=…&redirect_uri=…`: the user consents at
/// once, and is sent back to `redirect_uri` with `code` (302).
pub(super) fn authorize(ctx: &Ctx, query: &Fields) -> Response {
    let get = |k: &str| query.get(k).map(String::as_str);
    if get("response_type") != Some("code") {
        return gateway_error(
            http::StatusCode::BAD_REQUEST,
            "unsupported_response_type",
            "response_type must be code",
        );
    }
    if get("client_id") != Some(cred::CLIENT_ID) {
        return gateway_error(
            http::StatusCode::BAD_REQUEST,
            "invalid_client",
            "client_id is unknown",
        );
    }
    let Some(back) = get("redirect_uri")
        .and_then(|u| url::Url::parse(u).ok())
        .filter(|u| matches!(u.scheme(), "http" | "https"))
    else {
        return gateway_error(
            http::StatusCode::BAD_REQUEST,
            "invalid_request",
            "redirect_uri must be an http(s) URL",
        );
    };
    let code = ctx.next_id("c");
    lock(&ctx.huifu).codes.insert(code.clone());
    let mut back = back;
    back.query_pairs_mut().append_pair("code", &code);
    (
        http::StatusCode::FOUND,
        [(http::header::LOCATION, back.to_string())],
    )
        .into_response()
}

/// `POST /oauth/token`: `grant_type=authorization_code` with a `code` from
/// [`authorize`], or `grant_type=refresh_token` with a `refresh_token`; each code and refresh
/// token works once. Answers a new access token (living [`TOKEN_TTL_SECS`]), a new refresh
/// token and the session.
pub(super) fn token(ctx: &Ctx, form: &Fields) -> Response {
    let get = |k: &str| form.get(k).map(String::as_str);
    let mut state = lock(&ctx.huifu);
    let session = match get("grant_type") {
        Some("authorization_code") => get("code")
            .filter(|c| state.codes.remove(*c))
            .map(|_| ctx.next_id("s")),
        Some("refresh_token") => get("refresh_token").and_then(|r| state.refresh_tokens.remove(r)),
        _ => {
            return gateway_error(
                http::StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "grant_type must be authorization_code or refresh_token",
            );
        }
    };
    let Some(session) = session else {
        return gateway_error(
            http::StatusCode::BAD_REQUEST,
            "invalid_grant",
            "the code or refresh token is unknown or was used",
        );
    };
    let access = format!("hf{}", ctx.next_id("t"));
    let refresh = ctx.next_id("r");
    state
        .tokens
        .insert(access.clone(), ctx.now().unix_seconds() + TOKEN_TTL_SECS);
    state
        .refresh_tokens
        .insert(refresh.clone(), session.clone());
    state.sessions.insert(session.clone());
    drop(state);
    json_ok(&json!({
        "access_token": access, "token_type": "Bearer", "expires_in": TOKEN_TTL_SECS,
        "refresh_token": refresh, "session_id": session
    }))
}

/// `POST /platform/oauth/session_check` (`session_id`): `{"result": open, "error": null}`.
pub(super) fn session_check(ctx: &Ctx, form: &Fields) -> Response {
    let open = form
        .get("session_id")
        .is_some_and(|s| lock(&ctx.huifu).sessions.contains(s));
    json_ok(&json!({"result": open, "error": null}))
}

/// The test hook [`EXPIRE_TOKENS_ROUTE`].
pub(super) fn expire_tokens(ctx: &Ctx) -> Response {
    let mut state = lock(&ctx.huifu);
    let n = state.tokens.len();
    for exp in state.tokens.values_mut() {
        *exp = 0;
    }
    drop(state);
    json_ok(&json!({"expired": n}))
}

/// What the Prism sign covers of a request.
#[derive(Debug)]
pub(super) struct Signed<'a> {
    pub(super) method: &'a str,
    /// The path as sent (percent-encoded as the client sent it).
    pub(super) path: &'a str,
    pub(super) headers: &'a http::HeaderMap,
    /// Every query parameter, decoded, in order.
    pub(super) query: Vec<(String, String)>,
    /// The text form fields of the body.
    pub(super) form: &'a [(String, String)],
}

/// Authenticates a request as a Prism gateway does: the APP's credentials always (the Prism
/// sign, or `client_id` + `client_secret`), and a user's bearer token only on top of them. A
/// bearer token alone is refused (`missing_credentials`), whatever the token.
pub(super) fn authenticate(ctx: &Ctx, req: &Signed<'_>, query: &Fields) -> Result<(), Response> {
    app_credentials(ctx, req, query)?;
    match req.headers.get(http::header::AUTHORIZATION) {
        Some(auth) => check_bearer(ctx, auth.to_str().unwrap_or_default()),
        None => Ok(()),
    }
}

/// A bearer token the sandbox issued and that has not expired.
pub(super) fn check_bearer(ctx: &Ctx, auth: &str) -> Result<(), Response> {
    let token = auth.strip_prefix("Bearer ").unwrap_or_default().trim();
    let now = ctx.now().unix_seconds();
    if lock(&ctx.huifu)
        .tokens
        .get(token)
        .is_some_and(|expires| *expires > now)
    {
        return Ok(());
    }
    Err(gateway_error(
        http::StatusCode::UNAUTHORIZED,
        "invalid_token",
        "the bearer token is unknown or expired",
    ))
}

/// The app's credentials: a request that carries `sign`, `sign_method` or `sign_time` is
/// judged by its Prism sign alone; otherwise `client_id` + `client_secret` must match.
pub(super) fn app_credentials(ctx: &Ctx, req: &Signed<'_>, query: &Fields) -> Result<(), Response> {
    if ["sign", "sign_method", "sign_time"]
        .iter()
        .any(|k| query.contains_key(*k))
    {
        return verify_prism(ctx, req, query);
    }
    match (query.get("client_id"), query.get("client_secret")) {
        (Some(id), Some(secret))
            if id == cred::CLIENT_ID
                && secret.len() == cred::CLIENT_SECRET.len()
                && sign_md5::ct_eq_hex(secret, cred::CLIENT_SECRET)
                && secret == cred::CLIENT_SECRET =>
        {
            Ok(())
        }
        (Some(_), Some(_)) => Err(gateway_error(
            http::StatusCode::UNAUTHORIZED,
            "invalid_client",
            "client_id or client_secret is wrong",
        )),
        _ => Err(gateway_error(
            http::StatusCode::UNAUTHORIZED,
            "missing_credentials",
            "send the app's client_id with a Prism sign or client_secret; a bearer token rides on top of them, never alone",
        )),
    }
}

/// Checks the Prism request signature: `client_id`, `sign_method=md5`, a `sign_time` within
/// five minutes of the sandbox's clock, and `sign` (see [`crate::prism`]).
pub(super) fn verify_prism(ctx: &Ctx, req: &Signed<'_>, query: &Fields) -> Result<(), Response> {
    let unauthorized =
        |code: &str, message: &str| gateway_error(http::StatusCode::UNAUTHORIZED, code, message);
    let get = |k: &str| query.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let (Some(client_id), Some(method), Some(time), Some(given)) = (
        get("client_id"),
        get("sign_method"),
        get("sign_time"),
        get("sign"),
    ) else {
        return Err(unauthorized(
            "missing_sign_parameters",
            "a Prism sign needs client_id, sign_method, sign_time and sign",
        ));
    };
    if client_id != cred::CLIENT_ID {
        return Err(unauthorized("invalid_client", "client_id is unknown"));
    }
    if method != "md5" {
        return Err(unauthorized(
            "invalid_sign_method",
            "sign_method must be md5",
        ));
    }
    let fresh = time
        .parse::<i64>()
        .ok()
        .and_then(|t| t.checked_sub(ctx.now().unix_seconds()))
        .is_some_and(|skew| skew.abs() <= crate::prism::MAX_SKEW_SECS);
    if !fresh {
        return Err(unauthorized(
            "sign_expired",
            "sign_time is more than 5 minutes from the gateway's clock",
        ));
    }
    let expected = crate::prism::sign(
        cred::CLIENT_SECRET,
        req.method,
        req.path,
        &crate::prism::signed_headers(req.headers),
        &req.query,
        req.form,
    );
    if crate::common::ct_eq_exact(&expected, given) {
        Ok(())
    } else {
        Err(unauthorized("invalid_sign", "the sign does not match"))
    }
}

//! Webhooks in axum (feature `axum`): [`IncomingNotification`] is an extractor and
//! [`NotificationReply`] a response, so a handler is a few lines.
//!
//! ```
//! use std::sync::Arc;
//! use pay_core::{Accepted, IncomingNotification, NotificationInbox, NotificationReply, NotificationVerifier};
//!
//! async fn notify<V: NotificationVerifier>(
//!     inbox: Arc<NotificationInbox<V>>,
//!     n: IncomingNotification,
//! ) -> Result<NotificationReply, (u16, String)> {
//!     match inbox.accept(&n).await.map_err(|e| (400, e.to_string()))? {
//!         Accepted::New(claimed) => {
//!             // ... check claimed.event's transition against the order, record it ...
//!             inbox.complete(&claimed).await.map_err(|e| (500, e.to_string()))?;
//!         }
//!         Accepted::Duplicate { .. } => {}
//!         // Another request is processing it: not acknowledged, so it comes again.
//!         Accepted::InProgress { .. } => return Err((503, "being processed".into())),
//!     }
//!     Ok(inbox.success_reply())
//! }
//! ```

use axum_core::extract::{FromRequest, Request};
use axum_core::response::{IntoResponse, Response};
use http_body_util::{BodyExt, Limited};

use crate::{IncomingNotification, NotificationReply};

/// The largest notification body the extractor reads (1 MiB): every provider's notification is
/// a few kilobytes; a larger body is refused with `413` before it fills memory.
pub const BODY_LIMIT: usize = 1024 * 1024;

impl<S: Send + Sync> FromRequest<S> for IncomingNotification {
    type Rejection = Response;

    async fn from_request(request: Request, _state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let bytes = Limited::new(body, BODY_LIMIT)
            .collect()
            .await
            .map_err(|_| {
                (
                    http::StatusCode::PAYLOAD_TOO_LARGE,
                    "notification body too large or unreadable",
                )
                    .into_response()
            })?
            .to_bytes();
        Ok(IncomingNotification::from_http(http::Request::from_parts(
            parts, bytes,
        )))
    }
}

impl IntoResponse for NotificationReply {
    fn into_response(self) -> Response {
        let (parts, body) = self.into_http().into_parts();
        Response::from_parts(parts, axum_core::body::Body::from(body))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn extracts_the_notification_as_received_and_answers_the_reply() {
        let request = http::Request::builder()
            .method("POST")
            .uri("http://shop/notify/x?a=1")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(axum_core::body::Body::from("b=2"))
            .unwrap();
        let n = IncomingNotification::from_request(request, &())
            .await
            .unwrap();
        assert_eq!(n.method, http::Method::POST);
        assert_eq!(
            n.params(),
            [
                ("a".to_owned(), "1".to_owned()),
                ("b".to_owned(), "2".to_owned())
            ]
        );
        let big = http::Request::builder()
            .uri("http://shop/notify")
            .body(axum_core::body::Body::from(vec![b'a'; BODY_LIMIT + 1]))
            .unwrap();
        let refused = IncomingNotification::from_request(big, &())
            .await
            .unwrap_err();
        assert_eq!(refused.status(), http::StatusCode::PAYLOAD_TOO_LARGE);
        let response = NotificationReply::text("success").into_response();
        assert_eq!(response.status(), http::StatusCode::OK);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; charset=utf-8"
        );
        let body = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body.as_ref(), b"success");
    }
}

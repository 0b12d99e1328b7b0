//! Cross-site request refusal for state-changing requests. The session cookie is
//! SameSite=Strict, which already keeps it off cross-site requests; checking `Origin` also stops
//! a foreign page from signing a visitor in to another account (login CSRF) or switching
//! their language.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Whether `origin` (an `Origin` header) is this site: the configured public URL, or the host
/// the request was addressed to.
fn same_site(origin: &str, public_url: &str, host: Option<&str>) -> bool {
    let origin = origin.trim_end_matches('/');
    if origin == public_url.trim_end_matches('/') {
        return true;
    }
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    matches!((authority, host), (Some(a), Some(h)) if a.eq_ignore_ascii_case(h))
}

pub async fn refuse_cross_site(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    let changes_state = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if changes_state {
        if let Some(origin) = req
            .headers()
            .get(header::ORIGIN)
            .and_then(|v| v.to_str().ok())
        {
            let forwarded = state
                .settings
                .trust_proxy_headers
                .then(|| req.headers().get("x-forwarded-host"))
                .flatten();
            let host = forwarded
                .or_else(|| req.headers().get(header::HOST))
                .and_then(|v| v.to_str().ok());
            if !same_site(origin, &state.settings.public_url, host) {
                tracing::warn!(%origin, "refused a cross-site request");
                return (StatusCode::FORBIDDEN, "cross-site request refused").into_response();
            }
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::same_site;

    #[test]
    fn the_public_url_and_the_requested_host_are_this_site() {
        assert!(same_site(
            "https://credit.example",
            "https://credit.example/",
            None
        ));
        assert!(same_site(
            "http://localhost:3000",
            "http://127.0.0.1:3000",
            Some("localhost:3000")
        ));
        assert!(!same_site(
            "https://evil.example",
            "http://127.0.0.1:3000",
            Some("127.0.0.1:3000")
        ));
        assert!(!same_site(
            "null",
            "http://127.0.0.1:3000",
            Some("127.0.0.1:3000")
        ));
    }
}

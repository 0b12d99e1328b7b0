//! The sign-in and sign-out endpoints: plain form posts answered with a redirect, so they
//! work before and without the wasm. (The language switch is a server function,
//! `app::actions::set_language`.)

use super::password;
use super::session;
use super::throttle::{minutes_until, ThrottlePolicy};
use crate::state::AppState;
use crate::store::FailureKey;
use app::access::{safe_next, url_encode, SIGN_IN};
use axum::extract::{ConnectInfo, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::{Form, Router};
use chrono::Utc;
use serde::Deserialize;
use std::net::SocketAddr;
use tower_sessions::Session;

#[derive(Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// Why a sign-in was refused, as shown on the sign-in page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Missing,
    Invalid,
    AccountLocked { minutes: i64 },
    AddressLocked { minutes: i64 },
    ServerError,
}

fn back_to_sign_in(refusal: Refusal, username: &str, next: &str) -> Response {
    let (code, minutes) = match refusal {
        Refusal::Missing => ("missing", None),
        Refusal::Invalid => ("invalid", None),
        Refusal::AccountLocked { minutes } => ("locked_account", Some(minutes)),
        Refusal::AddressLocked { minutes } => ("locked_address", Some(minutes)),
        Refusal::ServerError => ("server", None),
    };
    let minutes = minutes.map(|m| format!("&minutes={m}")).unwrap_or_default();
    let location = format!(
        "{SIGN_IN}?error={code}{minutes}&username={}&next={}",
        url_encode(username),
        url_encode(next)
    );
    Redirect::to(&location).into_response()
}

/// The client's network address: the TCP peer, or the address appended by the trusted
/// reverse proxy when configured.
fn client_address(state: &AppState, peer: SocketAddr, headers: &HeaderMap) -> String {
    if state.settings.trust_proxy_headers {
        if let Some(forwarded) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
        {
            return forwarded.to_owned();
        }
    }
    peer.ip().to_string()
}

/// Sign-in and sign-out.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(SIGN_IN, post(sign_in))
        .route(app::access::SIGN_OUT, post(sign_out))
}

#[tracing::instrument(skip_all, fields(username = %form.username.trim().to_lowercase()))]
pub async fn sign_in(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    session: Session,
    Form(form): Form<SignInForm>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let username = form.username.trim().to_lowercase();
    if username.is_empty() || form.password.is_empty() {
        return back_to_sign_in(Refusal::Missing, &username, &next);
    }
    let address = client_address(&state, peer, &headers);
    match attempt(&state, &session, &username, form.password, &address).await {
        Ok(()) => Redirect::to(&next).into_response(),
        Err(refusal) => back_to_sign_in(refusal, &username, &next),
    }
}

async fn attempt(
    state: &AppState,
    session: &Session,
    username: &str,
    password: String,
    address: &str,
) -> Result<(), Refusal> {
    let now = Utc::now();
    let limits = &state.settings.sign_in;
    let window = limits.window();
    let since = now - window;
    let internal = |error: &dyn std::fmt::Display| {
        tracing::error!(%error, "sign-in failed on the server side");
        Refusal::ServerError
    };

    let by_address = ThrottlePolicy {
        max_failures: limits.max_failures_per_address,
        window,
    };
    let failures = state
        .store
        .sign_in_failures_since(FailureKey::Address(address), since)
        .await
        .map_err(|e| internal(&e))?;
    if let Some(until) = by_address.locked_until(&failures, now) {
        tracing::warn!(%address, "sign-in refused: address throttled");
        return Err(Refusal::AddressLocked {
            minutes: minutes_until(until, now),
        });
    }
    let by_account = ThrottlePolicy {
        max_failures: limits.max_failures_per_account,
        window,
    };
    let failures = state
        .store
        .sign_in_failures_since(FailureKey::Username(username), since)
        .await
        .map_err(|e| internal(&e))?;
    if let Some(until) = by_account.locked_until(&failures, now) {
        tracing::warn!("sign-in refused: account throttled");
        return Err(Refusal::AccountLocked {
            minutes: minutes_until(until, now),
        });
    }

    let user = state
        .store
        .user_by_username(username)
        .await
        .map_err(|e| internal(&e))?
        .filter(|u| u.active);
    let matches = password::verify(password, user.as_ref().map(|u| u.password_hash.clone()))
        .await
        .map_err(|e| internal(&e))?;
    let Some(user) = user.filter(|_| matches) else {
        tracing::info!(%address, "sign-in failed: invalid credentials");
        state
            .store
            .record_sign_in_failure(username, address, now)
            .await
            .map_err(|e| internal(&e))?;
        return Err(Refusal::Invalid);
    };

    session::start(session, user.id, now)
        .await
        .map_err(|e| internal(&e))?;
    state
        .store
        .clear_sign_in_failures(username)
        .await
        .map_err(|e| internal(&e))?;
    let record = crate::accounts::record(
        &state.settings,
        crate::accounts::AccountEvent::SignedIn,
        None,
        serde_json::json!({"address": address}),
        now,
    );
    state
        .store
        .record_sign_in(user.id, now, Some(record))
        .await
        .map_err(|e| internal(&e))?;
    tracing::info!(user_id = user.id, role = %user.role, "signed in");
    Ok(())
}

pub async fn sign_out(session: Session) -> Response {
    if let Err(error) = session::end(&session).await {
        tracing::error!(%error, "could not delete the session");
    }
    Redirect::to(&format!("{SIGN_IN}?signed_out=1")).into_response()
}

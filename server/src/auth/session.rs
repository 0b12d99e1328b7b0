//! Sessions: stored in the database (they survive restarts), renewed at sign-in, with an idle
//! expiry (tower-sessions) and an absolute expiry (checked here). The middleware resolves the
//! user of every request and applies the page access table before a page renders.

use crate::state::AppState;
use app::access::{page_for, sign_in_then, Access, SIGN_IN};
use app::api::CurrentUser;
use app::model::SessionUser;
use async_trait::async_trait;
use axum::extract::{Query, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tower_sessions::cookie::SameSite;
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store;
use tower_sessions::{Expiry, Session, SessionManagerLayer, SessionStore};

/// The session cookie's name.
pub const SESSION_COOKIE: &str = "aval_session";
const USER_ID: &str = "user_id";
const SIGNED_IN_AT: &str = "signed_in_at";
const SIGNED_IN_MS: &str = "signed_in_ms";
const LAST_SEEN: &str = "last_seen";
/// How often activity pushes the idle expiry back (each push is one session write).
const TOUCH_EVERY_SECS: i64 = 60;

/// A session store chosen at run time (SQLite today, PostgreSQL later).
#[derive(Debug, Clone)]
pub struct DynSessionStore(pub Arc<dyn SessionStore>);

#[async_trait]
impl SessionStore for DynSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        self.0.create(record).await
    }
    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.0.save(record).await
    }
    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.0.load(id).await
    }
    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.0.delete(id).await
    }
}

/// Cookie and expiry settings for the session layer.
pub fn layer(
    store: Arc<dyn SessionStore>,
    idle: tower_sessions::cookie::time::Duration,
    secure: bool,
) -> SessionManagerLayer<DynSessionStore> {
    SessionManagerLayer::new(DynSessionStore(store))
        .with_name(SESSION_COOKIE)
        .with_http_only(true)
        .with_same_site(SameSite::Strict)
        .with_secure(secure)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(idle))
}

/// Starts an authenticated session for `user_id`: a new session id (against fixation) and
/// the time of sign-in for the absolute expiry.
pub async fn start(session: &Session, user_id: i64, now: DateTime<Utc>) -> anyhow::Result<()> {
    session.cycle_id().await?;
    session.insert(USER_ID, user_id).await?;
    session.insert(SIGNED_IN_AT, now.timestamp()).await?;
    session.insert(SIGNED_IN_MS, now.timestamp_millis()).await?;
    session.insert(LAST_SEEN, now.timestamp()).await?;
    Ok(())
}

/// Keeps this session signed in after its own user's password was reset at `changed_at` (the
/// admin who reset their own password stays to read the new one); other sessions still end.
pub async fn outlive_reset(session: &Session, changed_at: DateTime<Utc>) -> anyhow::Result<()> {
    session
        .insert(SIGNED_IN_MS, changed_at.timestamp_millis() + 1)
        .await?;
    Ok(())
}

/// Ends the session and deletes it from the store.
pub async fn end(session: &Session) -> anyhow::Result<()> {
    session.flush().await?;
    Ok(())
}

/// Why a request has no user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anonymous {
    /// No session cookie: a first visit or after signing out.
    Fresh,
    /// A session cookie that no longer leads to a user: expired, revoked or deactivated.
    Expired,
}

async fn resolve(
    state: &AppState,
    session: &Session,
    has_cookie: bool,
) -> Result<SessionUser, Anonymous> {
    let lost = if has_cookie {
        Anonymous::Expired
    } else {
        Anonymous::Fresh
    };
    let user_id: Option<i64> = session.get(USER_ID).await.ok().flatten();
    let signed_in_at: Option<i64> = session.get(SIGNED_IN_AT).await.ok().flatten();
    let (Some(user_id), Some(signed_in_at)) = (user_id, signed_in_at) else {
        return Err(lost);
    };
    if past_absolute_expiry(
        signed_in_at,
        Utc::now(),
        state.settings.session.absolute_timeout(),
    ) {
        let _ = session.flush().await;
        return Err(Anonymous::Expired);
    }
    match state.store.user_by_id(user_id).await {
        Ok(Some(user)) if user.active && !signed_in_before_reset(&user, session).await => {
            touch(session).await;
            Ok(SessionUser {
                id: user.id,
                username: user.username,
                display_name: user.display_name,
                role: user.role,
                must_change_password: user.must_change_password,
            })
        }
        Ok(_) => {
            let _ = session.flush().await;
            Err(Anonymous::Expired)
        }
        Err(error) => {
            tracing::error!(%error, "could not load the session's user");
            Err(lost)
        }
    }
}

/// Whether an admin reset the user's password after this session signed in.
async fn signed_in_before_reset(user: &crate::store::UserRecord, session: &Session) -> bool {
    let Some(changed) = user.credentials_changed_at else {
        return false;
    };
    let signed_in_ms: Option<i64> = session.get(SIGNED_IN_MS).await.ok().flatten();
    signed_in_ms.is_none_or(|at| changed.timestamp_millis() >= at)
}

/// Records activity so the idle expiry starts again. tower-sessions only re-saves (and so
/// only extends) a modified session; writing `last_seen` at most once a minute keeps the
/// expiry sliding without a database write on every request.
async fn touch(session: &Session) {
    let now = Utc::now().timestamp();
    let last_seen: Option<i64> = session.get(LAST_SEEN).await.ok().flatten();
    if needs_touch(last_seen, now) {
        if let Err(error) = session.insert(LAST_SEEN, now).await {
            tracing::warn!(%error, "could not record session activity");
        }
    }
}

fn needs_touch(last_seen: Option<i64>, now: i64) -> bool {
    last_seen.is_none_or(|seen| now - seen >= TOUCH_EVERY_SECS)
}

/// Whether a session signed in at `signed_in_at` (unix seconds) has outlived `limit`.
fn past_absolute_expiry(signed_in_at: i64, now: DateTime<Utc>, limit: chrono::Duration) -> bool {
    now.timestamp() - signed_in_at > limit.num_seconds()
}

/// Probes and the compiled site (wasm, JS, CSS) need no user: skipping the session spares
/// two database reads per asset.
fn is_infrastructure(path: &str, pkg_dir: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/favicon.svg")
        || path
            .strip_prefix('/')
            .and_then(|p| p.strip_prefix(pkg_dir))
            .is_some_and(|rest| rest.starts_with('/'))
}

fn has_session_cookie(req: &Request) -> bool {
    req.headers()
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .any(|kv| kv.trim().starts_with(&format!("{SESSION_COOKIE}=")))
}

/// Resolves the user and guards pages: anonymous visitors of a protected page go to sign-in
/// (and come back afterwards), users without the role get the page's 403 rendering.
pub async fn authorize(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    if is_infrastructure(req.uri().path(), &state.leptos.site_pkg_dir) {
        return next.run(req).await;
    }
    let has_cookie = has_session_cookie(&req);
    let resolved = resolve(&state, &session, has_cookie).await;
    let user = resolved.as_ref().ok().cloned();
    if let Some(u) = &user {
        tracing::Span::current().record("user_id", u.id);
    }
    req.extensions_mut().insert(CurrentUser(user.clone()));

    let page = (req.method() == Method::GET || req.method() == Method::HEAD)
        .then(|| page_for(req.uri().path()))
        .flatten();
    let Some(page) = page else {
        return next.run(req).await;
    };
    let target = req
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str().to_owned())
        .unwrap_or_else(|| "/".to_owned());
    // A generated password is changed before any other page opens.
    if user.as_ref().is_some_and(|u| u.must_change_password)
        && page.path != app::access::ACCOUNT_PASSWORD
        && page.path != SIGN_IN
    {
        return Redirect::to(&format!("{}?required=1", app::access::ACCOUNT_PASSWORD))
            .into_response();
    }
    let role = user.as_ref().map(|u| u.role);
    let forbidden = match (page.access, &user) {
        (Access::Public, Some(_)) if page.path == SIGN_IN => {
            let query = Query::<HashMap<String, String>>::try_from_uri(req.uri())
                .map(|q| q.0)
                .unwrap_or_default();
            let next = app::access::safe_next(query.get("next").map(String::as_str));
            return Redirect::to(&next).into_response();
        }
        (access, None) if !access.allows(None) => {
            let expired = resolved == Err(Anonymous::Expired);
            return Redirect::to(&sign_in_then(&target, expired)).into_response();
        }
        (access, _) => !access.allows(role),
    };
    let mut response = next.run(req).await;
    if forbidden {
        *response.status_mut() = StatusCode::FORBIDDEN;
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_and_probes_skip_the_session_but_pages_do_not() {
        assert!(is_infrastructure("/pkg/aval.wasm", "pkg"));
        assert!(is_infrastructure("/readyz", "pkg"));
        assert!(!is_infrastructure("/pkgs", "pkg"));
        assert!(!is_infrastructure("/admin/users", "pkg"));
        assert!(!is_infrastructure("/api/app/users", "pkg"));
    }

    #[test]
    fn activity_extends_the_session_at_most_once_a_minute() {
        assert!(needs_touch(None, 1_000));
        assert!(!needs_touch(Some(1_000), 1_059));
        assert!(needs_touch(Some(1_000), 1_060));
    }

    #[test]
    fn a_session_ends_once_the_absolute_limit_has_passed_however_active() {
        let signed_in = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let limit = chrono::Duration::hours(12);
        let at = |h| signed_in + chrono::Duration::hours(h);
        assert!(!past_absolute_expiry(signed_in.timestamp(), at(11), limit));
        assert!(!past_absolute_expiry(signed_in.timestamp(), at(12), limit));
        assert!(past_absolute_expiry(
            signed_in.timestamp(),
            at(12) + chrono::Duration::seconds(1),
            limit
        ));
    }
}

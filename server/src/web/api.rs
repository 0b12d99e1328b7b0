//! The REST API for lenders' systems, version 1: `GET /api/v1/ping`, `POST /api/v1/decisions`,
//! `GET /api/v1/decisions/{id}`. Authenticated by API key (`Authorization: Bearer …`); every
//! error is `application/problem+json` (RFC 9457) with a stable type and, for validation, the
//! field and the problem.

pub mod audit;
pub mod contract;
pub mod document;
pub mod examples;
pub mod problem;
pub mod request;
pub mod webhook_endpoints;

use crate::api_keys::ApiScope;
use crate::cases::{self, Origin};
use crate::decisions::{self, DecisionError, Engine, RecordedDecision};
use crate::sources::World;
use crate::state::AppState;
use crate::store::{ApiKeyRecord, Idempotency};
use crate::store::{AuditRecord, CaseRow};
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use contract::{
    CaseEventAnswer, DecisionAnswer, DecisionRequestBody, Ping, ReasonAnswer, SourceAnswer,
};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::Quota;
use problem::FieldError;
pub use problem::Problem;
use serde_json::Value;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// Largest request body accepted.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// The key that authenticated the request, and its world.
#[derive(Clone)]
pub struct Caller {
    pub key: ApiKeyRecord,
    pub world: World,
}

pub fn router(state: AppState) -> Router<AppState> {
    let limiter = Arc::new(RateLimiter::new(
        state.settings.api.requests_per_second,
        state.settings.api.burst,
    ));
    let scoped = |method: &str, path: &str, route: axum::routing::MethodRouter<AppState>| {
        match required_scope(method, path) {
            Some(scope) => route.route_layer(middleware::from_fn(move |request, next| {
                require_scope(scope, request, next)
            })),
            None => route,
        }
    };
    Router::new()
        .route("/ping", get(ping))
        .route(
            "/decisions",
            scoped("post", "/decisions", post(create_decision)),
        )
        .route(
            "/decisions/{id}",
            scoped("get", "/decisions/{id}", get(get_decision)),
        )
        .route(
            "/decisions/{id}/proof",
            scoped("get", "/decisions/{id}/proof", get(audit::proof)),
        )
        .route("/audit/public-key", get(audit::public_key))
        .route(
            "/audit/checkpoints",
            scoped("get", "/audit/checkpoints", get(audit::checkpoints)),
        )
        .route(
            "/audit/consistency",
            scoped("get", "/audit/consistency", get(audit::consistency)),
        )
        .route(
            "/companies/{siren}",
            scoped("get", "/companies/{siren}", get(get_company)),
        )
        .route(
            "/webhook-endpoints",
            scoped("get", "/webhook-endpoints", get(webhook_endpoints::list)).merge(scoped(
                "post",
                "/webhook-endpoints",
                post(webhook_endpoints::create),
            )),
        )
        .route(
            "/webhook-endpoints/{id}",
            scoped(
                "get",
                "/webhook-endpoints/{id}",
                get(webhook_endpoints::get),
            )
            .merge(scoped(
                "patch",
                "/webhook-endpoints/{id}",
                axum::routing::patch(webhook_endpoints::update),
            )),
        )
        .route(
            "/webhook-endpoints/{id}/test",
            scoped(
                "post",
                "/webhook-endpoints/{id}/test",
                post(webhook_endpoints::test),
            ),
        )
        .route(
            "/webhook-endpoints/{id}/deliveries",
            scoped(
                "get",
                "/webhook-endpoints/{id}/deliveries",
                get(webhook_endpoints::deliveries),
            ),
        )
        .route(
            "/webhook-endpoints/{id}/deliveries/{delivery}/redeliver",
            scoped(
                "post",
                "/webhook-endpoints/{id}/deliveries/{delivery}/redeliver",
                post(webhook_endpoints::redeliver),
            ),
        )
        .route("/readiness", get(readiness))
        .route("/reason-codes", get(reason_codes))
        .route("/openapi.json", get(openapi))
        .route("/docs", get(docs))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn(move |request, next| {
            rate_limit(limiter.clone(), request, next)
        }))
        .layer(middleware::from_fn_with_state(state, authenticate))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
}

/// The scope each operation requires, by method and path as the API document writes them; the
/// router and the document both read it. Operations absent need only a valid key (ping,
/// readiness) or none (the public ones).
pub const REQUIRED_SCOPES: &[(&str, &str, ApiScope)] = &[
    ("post", "/decisions", ApiScope::DecisionsWrite),
    ("get", "/decisions/{id}", ApiScope::DecisionsRead),
    ("get", "/companies/{siren}", ApiScope::DecisionsRead),
    ("get", "/decisions/{id}/proof", ApiScope::AuditRead),
    ("get", "/audit/checkpoints", ApiScope::AuditRead),
    ("get", "/audit/consistency", ApiScope::AuditRead),
    ("get", "/webhook-endpoints", ApiScope::WebhooksManage),
    ("post", "/webhook-endpoints", ApiScope::WebhooksManage),
    ("get", "/webhook-endpoints/{id}", ApiScope::WebhooksManage),
    ("patch", "/webhook-endpoints/{id}", ApiScope::WebhooksManage),
    (
        "post",
        "/webhook-endpoints/{id}/test",
        ApiScope::WebhooksManage,
    ),
    (
        "get",
        "/webhook-endpoints/{id}/deliveries",
        ApiScope::WebhooksManage,
    ),
    (
        "post",
        "/webhook-endpoints/{id}/deliveries/{delivery}/redeliver",
        ApiScope::WebhooksManage,
    ),
];

/// The scope `method` on `path` requires.
pub fn required_scope(method: &str, path: &str) -> Option<ApiScope> {
    REQUIRED_SCOPES
        .iter()
        .find(|(m, p, _)| *m == method && *p == path)
        .map(|(_, _, s)| *s)
}

/// Refuses a key that lacks `scope`: 403, naming it.
async fn require_scope(scope: ApiScope, request: Request, next: Next) -> Response {
    match request.extensions().get::<Caller>() {
        Some(caller) if caller.key.allows(scope) => next.run(request).await,
        Some(caller) => Problem::new(
            StatusCode::FORBIDDEN,
            "insufficient-scope",
            "The API key lacks a scope",
            &format!(
                "this request needs the scope {}; the key holds {}",
                scope.as_str(),
                caller
                    .key
                    .scopes
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        )
        .into_response(),
        None => Problem::unauthorized("send the API key as `Authorization: Bearer <key>`")
            .into_response(),
    }
}

/// A rate limit per API key, in this server instance: `per_second` requests sustained, `burst`
/// at once (the generic cell rate algorithm of `governor`, equivalent to a token bucket).
pub struct RateLimiter<C: Clock = DefaultClock> {
    limiter: governor::RateLimiter<
        String,
        DefaultKeyedStateStore<String>,
        C,
        NoOpMiddleware<<C as Clock>::Instant>,
    >,
    clock: C,
}

impl RateLimiter {
    pub fn new(per_second: u32, burst: u32) -> Self {
        Self::with_clock(per_second, burst, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    pub fn with_clock(per_second: u32, burst: u32, clock: C) -> Self {
        let quota = Quota::per_second(NonZeroU32::new(per_second).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: governor::RateLimiter::new(
                quota,
                DefaultKeyedStateStore::default(),
                clock.clone(),
            ),
            clock,
        }
    }

    /// `Ok` to go ahead, or the wait before the key may send again.
    pub fn check(&self, key: &str) -> Result<(), Duration> {
        self.limiter
            .check_key(&key.to_owned())
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }
}

async fn rate_limit(limiter: Arc<RateLimiter>, request: Request, next: Next) -> Response {
    let key = request
        .extensions()
        .get::<Caller>()
        .map(|c| c.key.id.clone())
        .unwrap_or_default();
    match limiter.check(&key) {
        Ok(()) => next.run(request).await,
        Err(wait) => {
            let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
            let mut response = Problem::rate_limited(seconds).into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&seconds.to_string()) {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
            response
        }
    }
}

/// Documentation (and the reason-code catalogue) is public; everything else needs a key. The
/// path is compared whole: `/companies/reason-codes` is not public.
fn is_public(path: &str) -> bool {
    matches!(
        path.strip_prefix("/api/v1").unwrap_or(path),
        "/openapi.json" | "/docs" | "/reason-codes" | "/audit/public-key"
    )
}

/// The document, with the examples the product produced (once, on first use).
async fn openapi(State(state): State<AppState>) -> Response {
    let cache = &state.examples;
    let served = cache
        .served_document
        .get_or_init(|| async {
            match cache.get().await {
                Ok(all) => document::with_examples(&all),
                Err(_) => document::document().to_owned(),
            }
        })
        .await;
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        served.clone(),
    )
        .into_response()
}

/// Where the developer portal is (`web::portal`).
pub const DEVELOPER_PORTAL: &str = "/developers";

/// The API's documentation is the developer portal.
async fn docs() -> Response {
    axum::response::Redirect::permanent(DEVELOPER_PORTAL).into_response()
}

async fn authenticate(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    if is_public(request.uri().path()) {
        return next.run(request).await;
    }
    let presented = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_owned);
    let Some(presented) = presented else {
        return Problem::unauthorized("send the API key as `Authorization: Bearer <key>`")
            .into_response();
    };
    match crate::api_keys::authenticate(state.store.as_ref(), &presented).await {
        Ok(Some((key, world))) => {
            request.extensions_mut().insert(Caller { key, world });
            next.run(request).await
        }
        Ok(None) => Problem::unauthorized("the API key is unknown or revoked").into_response(),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

async fn not_found() -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        "not-found",
        "Not found",
        "no such API route",
    )
    .into_response()
}

async fn method_not_allowed() -> Response {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        "Method not allowed",
        "this route does not answer this method; see /api/v1/openapi.json",
    )
    .into_response()
}

/// Checks the API key (for integration tests).
#[utoipa::path(
    get,
    path = "/ping",
    tag = "keys",
    responses(
        (status = 200, description = "The key works", body = Ping),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn ping(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
) -> Json<Ping> {
    // For the go-live checklist; a failure to note it does not fail the ping.
    if let Err(error) = state
        .integration
        .ping(state.store.as_ref(), caller.world, &caller.key.id)
        .await
    {
        tracing::warn!(%error, "noting the ping failed");
    }
    Json(Ping {
        ok: true,
        mode: caller.world,
        key: caller.key.id,
        time: chrono::Utc::now(),
    })
}

/// Decides on an application, in the same request.
#[utoipa::path(
    post,
    path = "/decisions",
    tag = "decisions",
    params(
        ("Idempotency-Key" = Option<String>, Header, max_length = 255, pattern = r"^[\t\x20-\x7E]*[\x21-\x7E][\t\x20-\x7E]*$",
         description = "1 to 255 visible ASCII characters, spaces and tabs (spaces and tabs around it are ignored). The same key with the same body answers the original answer again, with the header `idempotent-replayed: true`; the same key with another body is 409, and so is a second request while the first is being decided."),
        ("Aval-Load-Test-Run" = Option<String>, Header, pattern = r"^[A-Za-z0-9_-]{1,64}$",
         description = "Tags the request as part of a load-test run (`server loadtest` sets it): the server records the run's rate and latency for the go-live checklist (`GET /readiness`). 1 to 64 letters, digits, `-` or `_`."),
    ),
    request_body(content = DecisionRequestBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Decided and recorded", body = DecisionAnswer),
        (status = 400, description = "The body is not JSON, or the Idempotency-Key or Aval-Load-Test-Run header is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used with another body, or its first request is still being decided", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "Body larger than 64 KiB", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not application/json", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid (each is named, as a JSON pointer, in `errors`); a SIREN whose check digit is wrong is one", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn create_decision(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let run = match headers
        .get(crate::integration::RUN_HEADER)
        .map(|v| v.to_str())
    {
        None => None,
        Some(Ok(id)) if crate::integration::valid_run_id(id) => Some(id.to_owned()),
        Some(_) => {
            return Problem::new(
                StatusCode::BAD_REQUEST,
                "bad-load-test-run",
                "Bad Aval-Load-Test-Run",
                "the Aval-Load-Test-Run header must be 1 to 64 letters, digits, `-` or `_`",
            )
            .into_response()
        }
    };
    let Some(run) = run else {
        return decision_answer(&state, &caller, &headers, body).await;
    };
    let arrived_at = chrono::Utc::now();
    let started = std::time::Instant::now();
    let response = decision_answer(&state, &caller, &headers, body).await;
    state.integration.record(
        &run,
        caller.world,
        &caller.key.id,
        arrived_at,
        started.elapsed(),
        response.status().as_u16(),
    );
    response
}

async fn decision_answer(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Response {
    let body = match body {
        Ok(b) => b,
        Err(rejection) => {
            let status = rejection.status();
            let problem = if status == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::body_too_large()
            } else {
                Problem::unreadable(status, &rejection.body_text())
            };
            return problem.into_response();
        }
    };
    let idempotency_key = match headers.get("idempotency-key").map(|v| v.to_str()) {
        None => None,
        Some(Ok(k)) if !k.trim().is_empty() && k.len() <= 255 => Some(k.trim().to_owned()),
        Some(_) => {
            return Problem::new(
                StatusCode::BAD_REQUEST,
                "bad-idempotency-key",
                "Bad Idempotency-Key",
                "the Idempotency-Key header must be 1 to 255 visible ASCII characters",
            )
            .into_response()
        }
    };
    let Some(idem) = idempotency_key else {
        let (status, value) = decide_once(state, caller, headers, &body).await;
        return respond(status, &value, false);
    };
    let body_hash = crate::api_keys::hash(&String::from_utf8_lossy(&body));
    let now = chrono::Utc::now();
    match state
        .store
        .idempotency_begin(&caller.key.id, &idem, &body_hash, now)
        .await
    {
        Ok(Idempotency::New) => {
            let (status, value) = decide_once(state, caller, headers, &body).await;
            if let Err(e) = state
                .store
                .idempotency_finish(&caller.key.id, &idem, status.as_u16(), &value.to_string())
                .await
            {
                tracing::error!(error = %e, "storing the idempotent answer failed");
            }
            respond(status, &value, false)
        }
        Ok(Idempotency::Answered { status, response }) => {
            let value: Value = serde_json::from_str(&response).unwrap_or(Value::Null);
            respond(
                StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
                &value,
                true,
            )
        }
        Ok(Idempotency::Mismatch) => Problem::new(
            StatusCode::CONFLICT,
            "idempotency-key-reused",
            "Idempotency-Key reused with another body",
            "this Idempotency-Key was used with a different request body; use a new key for a new application",
        )
        .into_response(),
        Ok(Idempotency::InProgress) => Problem::in_progress().into_response(),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

fn respond(status: StatusCode, value: &Value, replayed: bool) -> Response {
    let mut response = (status, Json(value)).into_response();
    if status.is_client_error() || status.is_server_error() {
        response.headers_mut().insert(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/problem+json"),
        );
    }
    if replayed {
        response.headers_mut().insert(
            "idempotent-replayed",
            axum::http::HeaderValue::from_static("true"),
        );
    }
    response
}

/// Validates, decides and records: the answer's status and body.
async fn decide_once(
    state: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
    body: &[u8],
) -> (StatusCode, Value) {
    let as_value = |p: Problem| {
        (
            StatusCode::from_u16(p.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            serde_json::to_value(&p).unwrap_or(Value::Null),
        )
    };
    if headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| !v.starts_with("application/json"))
    {
        return as_value(Problem::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            "send the application as application/json",
        ));
    }
    let request = match request::parse(body, caller.world) {
        Ok(r) => r,
        Err(problem) => return as_value(problem),
    };
    let engine = Engine::current();
    // Decisions beyond the limit wait their turn in arrival order (the semaphore is fair), so
    // that under overload the wait is shared evenly instead of every decision slowing down.
    let Ok(_slot) = state.decision_slots.acquire().await else {
        return as_value(Problem::internal("the decision queue is closed"));
    };
    match decisions::decide_with(
        &state.gatherer,
        &state.store,
        engine,
        request,
        Origin {
            api_key_id: Some(caller.key.id.clone()),
            user_id: None,
            monitoring_of: None,
            monitoring_review: None,
            line_review: None,
        },
        chrono::Utc::now(),
        state.settings.monitoring.every(),
    )
    .await
    {
        Ok(recorded) => {
            let case = cases::new_case(&recorded, None, &recorded.origin);
            let answer = view(&recorded, &case, &[]);
            (
                StatusCode::CREATED,
                serde_json::to_value(&answer).unwrap_or(Value::Null),
            )
        }
        Err(e) => as_value(Problem::internal(&e.to_string())),
    }
}

/// A decision and its current state.
#[utoipa::path(
    get,
    path = "/decisions/{id}",
    tag = "decisions",
    params(("id" = String, Path, description = "The decision's id (`dec_…`)")),
    responses(
        (status = 200, description = "The decision", body = DecisionAnswer),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision in the key's mode", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn get_decision(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let store = state.store.as_ref();
    match decisions::load_with_records(store, &id).await {
        // A key never sees the other world's decisions: they do not exist for it.
        Ok((recorded, records)) if recorded.request.world == caller.world => {
            match store.case(&id).await {
                Ok(Some(case)) => Json(view(&recorded, &case, &records)).into_response(),
                // A monitoring check that found nothing new opens no case: it stands as
                // decided.
                Ok(None) => Json(view(
                    &recorded,
                    &cases::new_case(&recorded, None, &recorded.origin),
                    &records,
                ))
                .into_response(),
                Err(e) => Problem::internal(&e.to_string()).into_response(),
            }
        }
        Ok(_) | Err(DecisionError::NotFound(_)) => Problem::new(
            StatusCode::NOT_FOUND,
            "decision-not-found",
            "Decision not found",
            &format!("no decision {id} for this key's mode"),
        )
        .into_response(),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

/// A company as the lender holds it: its credit lines per product with every change (who or
/// what made it, when, why, the decision it comes from), its grade and probability of default
/// over time, its monitoring, its open cases, its exposure and expected loss.
#[utoipa::path(
    get,
    path = "/companies/{siren}",
    tag = "companies",
    params(("siren" = String, Path, description = "The company's SIREN: 9 digits, the last a Luhn check digit", format = "siren", pattern = r"^[0-9]{9}$")),
    responses(
        (status = 200, description = "The company", body = aval_core::company::CompanyView),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No decision on this company in the key's mode", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Not a valid SIREN", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn get_company(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(siren): Path<String>,
) -> Response {
    // In a path, exactly the 9 digits: no separators.
    let digits = siren.len() == 9 && siren.bytes().all(|b| b.is_ascii_digit());
    let parsed = if digits {
        app::ids::Siren::parse(&siren).map_err(|e| e.to_string())
    } else {
        Err(format!(
            "a SIREN in the path is exactly 9 digits, got {:?}",
            siren.chars().take(20).collect::<String>()
        ))
    };
    let siren = match parsed {
        Ok(s) => s,
        Err(e) => {
            return Problem::validation(vec![FieldError {
                field: "siren".into(),
                problem: e,
            }])
            .into_response()
        }
    };
    let policy = &Engine::current().policy;
    match crate::companies::view(
        state.store.as_ref(),
        policy,
        caller.world.as_str(),
        siren.as_str(),
    )
    .await
    {
        Ok(Some(company)) => Json(company).into_response(),
        Ok(None) => Problem::new(
            StatusCode::NOT_FOUND,
            "company-not-found",
            "Company not found",
            &format!("no decision on {siren} in this key's mode"),
        )
        .into_response(),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

/// The go-live checklist of this deployment: what its lender's integration has done in the
/// sandbox and live worlds (a ping, decisions with every product, a webhook endpoint verified
/// by a delivered test event, a load test at the expected rate within the 500 ms budget, a live
/// key), each done or with what is missing.
#[utoipa::path(
    get,
    path = "/readiness",
    tag = "integration",
    responses(
        (status = 200, description = "The checklist", body = crate::integration::Readiness),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn readiness(State(state): State<AppState>) -> Response {
    match crate::integration::readiness(
        state.store.as_ref(),
        &state.settings.integration,
        app::i18n::Lang::En,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(r) => Json(r).into_response(),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

/// Every reason code a decision can give, from the engine's own catalogue: its texts in
/// English and French, its kind, what it does to a decision (knock-out, referral, score
/// factor, limit, automatic increase), what triggers it and what a company can do about it.
/// Public: no key needed.
#[utoipa::path(
    get,
    path = "/reason-codes",
    tag = "reference",
    security(()),
    responses(
        (status = 200, description = "The catalogue", body = Vec<contract::ReasonCodeAnswer>),
        (status = 429, description = "Above the rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn reason_codes() -> Json<Vec<contract::ReasonCodeAnswer>> {
    Json(contract::ReasonCodeAnswer::catalogue())
}

/// A human event as the API shows it: its record (type, author, time and details) with its id.
fn event_answer(record: &AuditRecord) -> Option<CaseEventAnswer> {
    Some(CaseEventAnswer {
        id: record.id.clone(),
        record: serde_json::from_str(&record.payload).ok()?,
    })
}

/// The decision as the API shows it.
pub fn view(r: &RecordedDecision, case: &CaseRow, records: &[AuditRecord]) -> DecisionAnswer {
    let d = &r.decision;
    DecisionAnswer {
        id: r.id.clone(),
        decided_at: r.decided_at,
        mode: r.request.world,
        external_reference: r.request.external_reference.clone(),
        monitoring_of: r.origin.monitoring_of.clone(),
        siren: r.request.siren.clone(),
        product: r.request.application.product,
        status: case.status.clone(),
        outcome: d.outcome,
        final_outcome: case.final_outcome.clone(),
        final_limit_cents: case.final_limit_cents,
        overridden: case.overridden,
        score: d.score,
        probability_of_default: d.probability_of_default,
        grade: d.grade.clone(),
        requested_cents: d.requested_cents,
        proposed_limit_cents: d.proposed_limit_cents,
        currency: "EUR".to_owned(),
        reasons: d.reasons.iter().map(ReasonAnswer::from).collect(),
        referrals: d.referrals.clone(),
        fraud_flags: d.fraud_flags.clone(),
        data_coverage: d.coverage,
        sources: r
            .sources
            .iter()
            .map(|s| SourceAnswer {
                source: s.source.to_string(),
                provider: s.provider.clone(),
                answered: s.missing.is_none(),
                missing_reason: s.missing.as_ref().map(ToString::to_string),
                latency_ms: s.latency_ms,
                from_cache: s.from_cache,
            })
            .collect(),
        versions: d.versions.clone(),
        latency: r.latency.clone(),
        events: records
            .iter()
            .filter(|x| x.kind != "decision")
            .filter_map(event_answer)
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_may_burst_then_waits_for_tokens() {
        let clock = governor::clock::FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(10, 3, clock.clone());
        for _ in 0..3 {
            assert!(limiter.check("k").is_ok());
        }
        let wait = limiter.check("k").unwrap_err();
        assert!(wait <= Duration::from_millis(100) && wait > Duration::ZERO);
        assert!(
            limiter.check("other").is_ok(),
            "keys are limited separately"
        );
        clock.advance(Duration::from_millis(120));
        assert!(limiter.check("k").is_ok());
    }
}

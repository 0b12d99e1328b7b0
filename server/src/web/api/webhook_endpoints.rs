//! Webhook endpoints through the API: a key manages the endpoints of its own mode (a sandbox
//! key never sees a live endpoint), reads their delivery log and queues a delivery again.

use super::contract::{
    AttemptAnswer, DeliveryAnswer, NewWebhookEndpoint, Page, Redelivery, TestDelivery,
    WebhookEndpointAnswer, WebhookEndpointChange,
};
use super::problem::{FieldError, Problem};
use super::Caller;
use crate::state::AppState;
use crate::store::{WebhookEndpoint, WebhookMessage};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::Value;

fn endpoint_view(e: &WebhookEndpoint) -> WebhookEndpointAnswer {
    WebhookEndpointAnswer {
        id: e.id.clone(),
        mode: e.world.clone(),
        url: e.url.clone(),
        event_types: e.event_types.clone(),
        enabled: e.enabled,
        disabled_reason: e.disabled_reason.clone(),
        consecutive_failures: e.consecutive_failures,
        failing_since: e.failing_since,
        created_at: e.created_at,
        updated_at: e.updated_at,
        secret: None,
    }
}

fn not_found(id: &str) -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        "webhook-endpoint-not-found",
        "Webhook endpoint not found",
        &format!("no webhook endpoint {id} for this key's mode"),
    )
    .into_response()
}

fn invalid(field: &str, problem: &str) -> Response {
    Problem {
        title: "The webhook endpoint is not valid".into(),
        ..Problem::validation(vec![FieldError {
            field: format!("/{field}"),
            problem: problem.to_owned(),
        }])
    }
    .into_response()
}

fn body_json(body: &[u8]) -> Result<serde_json::Map<String, Value>, Box<Response>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(Box::new(invalid("", "must be a JSON object"))),
        Err(e) => Err(Box::new(
            Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "The body is not JSON",
                &e.to_string(),
            )
            .into_response(),
        )),
    }
}

/// The endpoint `id` if it belongs to the caller's mode.
async fn own(state: &AppState, caller: &Caller, id: &str) -> Result<WebhookEndpoint, Response> {
    match state.store.webhook_endpoint(id).await {
        Ok(Some(e)) if e.world == caller.world.as_str() => Ok(e),
        Ok(_) => Err(not_found(id)),
        Err(e) => Err(Problem::internal(&e.to_string()).into_response()),
    }
}

/// The webhook endpoints of the key's mode.
#[utoipa::path(
    get,
    path = "/webhook-endpoints",
    tag = "webhooks",
    responses(
        (status = 200, description = "The endpoints", body = Page<WebhookEndpointAnswer>),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn list(State(state): State<AppState>, Extension(caller): Extension<Caller>) -> Response {
    match state.store.webhook_endpoints().await {
        Ok(all) => Json(Page {
            data: all
                .iter()
                .filter(|e| e.world == caller.world.as_str())
                .map(endpoint_view)
                .collect(),
        })
        .into_response(),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

/// Registers a webhook endpoint; its signing secret is in this answer only.
///
/// `{"url": "https://…", "event_types": ["decision.created", …]}` → 201 with the endpoint and
/// its signing secret, shown this once.
#[utoipa::path(
    post,
    path = "/webhook-endpoints",
    tag = "webhooks",
    request_body(content = NewWebhookEndpoint, content_type = "application/json"),
    responses(
        (status = 201, description = "The endpoint, with `secret`", body = WebhookEndpointAnswer),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid (named in `errors`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    body: axum::body::Bytes,
) -> Response {
    let map = match body_json(&body) {
        Ok(m) => m,
        Err(r) => return *r,
    };
    let Some(url) = map.get("url").and_then(Value::as_str) else {
        return invalid("url", "required, a string");
    };
    let events: Vec<String> = match map.get("event_types") {
        Some(Value::Array(items)) => {
            let mut out = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item.as_str() {
                    Some(s) => out.push(s.to_owned()),
                    None => return invalid(&format!("event_types/{i}"), "must be a string"),
                }
            }
            out
        }
        _ => return invalid("event_types", "required, an array of event types"),
    };
    let endpoint = match crate::webhooks::new_endpoint(
        caller.world.as_str(),
        url,
        &events,
        chrono::Utc::now(),
    ) {
        Ok(e) => e,
        Err((field, problem)) => return invalid(field, &problem),
    };
    if let Err(why) = state.courier.check_destination(&endpoint.url).await {
        return invalid("url", &why);
    }
    if let Err(e) = state
        .store
        .create_webhook_endpoint(&state.courier.sealed(&endpoint))
        .await
    {
        return Problem::internal(&e.to_string()).into_response();
    }
    tracing::info!(endpoint = %endpoint.id, key = %caller.key.id, "webhook endpoint registered through the API");
    let view = WebhookEndpointAnswer {
        secret: Some(secrecy::ExposeSecret::expose_secret(&endpoint.secret).to_owned()),
        ..endpoint_view(&endpoint)
    };
    (StatusCode::CREATED, Json(view)).into_response()
}

/// A webhook endpoint.
#[utoipa::path(
    get,
    path = "/webhook-endpoints/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id (`wh_…`)")),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpointAnswer),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook endpoint in the key's mode", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn get(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    match own(&state, &caller, &id).await {
        Ok(e) => Json(endpoint_view(&e)).into_response(),
        Err(r) => r,
    }
}

/// Enables or disables a webhook endpoint (enabling clears its failures).
///
/// `{"enabled": true|false}`. Enabling clears the failure count and the reason of an automatic
/// disable.
#[utoipa::path(
    patch,
    path = "/webhook-endpoints/{id}",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id (`wh_…`)")),
    request_body(content = WebhookEndpointChange, content_type = "application/json"),
    responses(
        (status = 200, description = "The endpoint", body = WebhookEndpointAnswer),
        (status = 400, description = "The body is not JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook endpoint in the key's mode", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is not valid (named in `errors`)", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn update(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let endpoint = match own(&state, &caller, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let map = match body_json(&body) {
        Ok(m) => m,
        Err(r) => return *r,
    };
    let Some(enabled) = map.get("enabled").and_then(Value::as_bool) else {
        return invalid("enabled", "required, true or false");
    };
    if let Err(e) = state
        .store
        .set_webhook_enabled(&endpoint.id, enabled, chrono::Utc::now())
        .await
    {
        return Problem::internal(&e.to_string()).into_response();
    }
    if enabled {
        state.dispatcher_wake.notify_one();
    }
    match own(&state, &caller, &id).await {
        Ok(e) => Json(endpoint_view(&e)).into_response(),
        Err(r) => r,
    }
}

fn message_view(m: &WebhookMessage, attempts: Vec<crate::store::WebhookAttempt>) -> DeliveryAnswer {
    DeliveryAnswer {
        id: m.seq,
        event_id: m.event_id.clone(),
        event_type: m.event_type.clone(),
        created_at: m.created_at,
        status: m.status.clone(),
        next_attempt_at: (m.status == "pending").then_some(m.next_attempt_at),
        attempts: attempts
            .into_iter()
            .map(|a| AttemptAnswer {
                attempt: a.attempt,
                at: a.at,
                status: a.status,
                latency_ms: a.latency_ms,
                response_excerpt: a.excerpt,
            })
            .collect(),
    }
}

/// The endpoint's newest deliveries (at most 100), with every attempt.
#[utoipa::path(
    get,
    path = "/webhook-endpoints/{id}/deliveries",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id (`wh_…`)")),
    responses(
        (status = 200, description = "The deliveries, newest first", body = Page<DeliveryAnswer>),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such webhook endpoint in the key's mode", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn deliveries(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let endpoint = match own(&state, &caller, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let messages = match state
        .store
        .webhook_messages(Some(&endpoint.id), crate::webhooks::LOG_ROWS)
        .await
    {
        Ok(m) => m,
        Err(e) => return Problem::internal(&e.to_string()).into_response(),
    };
    let mut data = Vec::with_capacity(messages.len());
    for m in &messages {
        match state.store.webhook_attempts(m.seq).await {
            Ok(a) => data.push(message_view(m, a)),
            Err(e) => return Problem::internal(&e.to_string()).into_response(),
        }
    }
    Json(Page { data }).into_response()
}

/// Queues a delivered or dead delivery again.
#[utoipa::path(
    post,
    path = "/webhook-endpoints/{id}/deliveries/{delivery}/redeliver",
    tag = "webhooks",
    params(
        ("id" = String, Path, description = "The endpoint's id (`wh_…`)"),
        ("delivery" = i64, Path, description = "The delivery's number (`id` in the delivery log); anything else names no delivery (404)"),
    ),
    responses(
        (status = 202, description = "Queued", body = Redelivery),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint or delivery in the key's mode", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The delivery is still pending", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn redeliver(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path((id, delivery)): Path<(String, String)>,
) -> Response {
    let endpoint = match own(&state, &caller, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    let not_found = || {
        Problem::new(
            StatusCode::NOT_FOUND,
            "delivery-not-found",
            "Delivery not found",
            &format!("no delivery {delivery} for endpoint {id}"),
        )
        .into_response()
    };
    // A delivery is numbered; any other segment names none (answered as the document says,
    // not with the router's plain-text rejection).
    let Ok(seq) = delivery.parse::<i64>() else {
        return not_found();
    };
    match state.store.webhook_message(seq).await {
        Ok(Some(m)) if m.endpoint_id == endpoint.id => {}
        Ok(_) => return not_found(),
        Err(e) => return Problem::internal(&e.to_string()).into_response(),
    }
    match state.store.redeliver_webhook(seq, chrono::Utc::now()).await {
        Ok(true) => {
            state.dispatcher_wake.notify_one();
            (
                StatusCode::ACCEPTED,
                Json(Redelivery {
                    id: seq,
                    status: "pending".to_owned(),
                }),
            )
                .into_response()
        }
        Ok(false) => Problem::new(
            StatusCode::CONFLICT,
            "delivery-pending",
            "The delivery is still pending",
            "only a delivered or dead delivery can be queued again",
        )
        .into_response(),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

/// Sends the endpoint a signed `endpoint.test` event, whatever it subscribes to: the receiver's
/// signature check can be tried on a real delivery, and an endpoint that answers it with a 2xx
/// counts as verified in the go-live checklist (`GET /readiness`). The delivery appears in the
/// endpoint's log like any other.
#[utoipa::path(
    post,
    path = "/webhook-endpoints/{id}/test",
    tag = "webhooks",
    params(("id" = String, Path, description = "The endpoint's id (`wh_…`)")),
    responses(
        (status = 202, description = "The test event is queued for delivery", body = TestDelivery),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such endpoint in the key's mode", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The endpoint is disabled: enable it first", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub async fn test(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let endpoint = match own(&state, &caller, &id).await {
        Ok(e) => e,
        Err(r) => return r,
    };
    if !endpoint.enabled {
        return Problem::new(
            StatusCode::CONFLICT,
            "webhook-endpoint-disabled",
            "The webhook endpoint is disabled",
            "a disabled endpoint receives nothing; enable it (PATCH with {\"enabled\": true}) and send the test again",
        )
        .into_response();
    }
    let event = crate::events::endpoint_test(&endpoint, chrono::Utc::now());
    match state
        .store
        .queue_for_endpoint(&endpoint.id, &event, None)
        .await
    {
        Ok(seq) => {
            state.dispatcher_wake.notify_one();
            (
                StatusCode::ACCEPTED,
                Json(TestDelivery {
                    id: seq,
                    event_id: event.id,
                    event_type: event.event_type,
                    status: "pending".to_owned(),
                }),
            )
                .into_response()
        }
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

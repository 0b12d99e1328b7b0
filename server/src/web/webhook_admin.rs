//! The admin's forms on the webhooks page: endpoints (register, test, enable, disable),
//! redelivery of an event, a monitoring check on demand and the sandbox's conditions.

use crate::auth::require;
use crate::config::workspace_world;
use crate::state::AppState;
use crate::store::StoreError;
use crate::webhooks::{body, deliver, new_endpoint, ADMIN_WEBHOOKS, CREATED_SECRET};
use app::access::url_encode;
use app::api::CurrentUser;
use app::model::Role;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use axum::{Extension, Form};
use chrono::Utc;
use secrecy::ExposeSecret;

/// The admin's forms on the webhooks page.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(ADMIN_WEBHOOKS, post(create))
        .route("/admin/webhooks/{id}", post(act))
        .route(
            "/admin/webhooks/deliveries/{seq}/redeliver",
            post(redeliver),
        )
        .route("/admin/monitoring/check", post(check_now))
        .route("/admin/sandbox/conditions", post(set_condition))
}

fn back(query: &str) -> Response {
    Redirect::to(&format!("{ADMIN_WEBHOOKS}?{query}")).into_response()
}

fn back_error(field: &str, message: &str) -> Response {
    back(&format!(
        "error={}",
        url_encode(&format!("{field}: {message}"))
    ))
}

/// Registers an endpoint: the form's `url` and one `event_types` entry per subscribed type.
/// Its secret is shown once on the page (kept in the session, never in an address).
pub async fn create(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    session: tower_sessions::Session,
    Form(form): Form<Vec<(String, String)>>,
) -> Response {
    let admin = match require(user, Role::Admin, ADMIN_WEBHOOKS) {
        Ok(u) => u,
        Err(response) => return *response,
    };
    fn field<'a>(form: &'a [(String, String)], name: &'a str) -> impl Iterator<Item = &'a String> {
        form.iter().filter(move |(k, _)| k == name).map(|(_, v)| v)
    }
    let url = field(&form, "url").next().map_or("", |v| v.as_str());
    let events: Vec<String> = field(&form, "event_types").cloned().collect();
    let endpoint = match new_endpoint(
        workspace_world(&state.settings).as_str(),
        url,
        &events,
        Utc::now(),
    ) {
        Ok(e) => e,
        Err((field, problem)) => return back_error(field, &problem),
    };
    if let Err(error) = state.store.create_webhook_endpoint(&endpoint).await {
        tracing::error!(%error, "registering a webhook endpoint failed");
        return back_error(
            "endpoint",
            "could not be registered; nothing changed, try again",
        );
    }
    tracing::info!(endpoint = %endpoint.id, by = %admin.username, "webhook endpoint registered");
    if let Err(error) = session
        .insert(CREATED_SECRET, endpoint.secret.expose_secret().to_owned())
        .await
    {
        tracing::error!(%error, "cannot keep the new secret in the session");
        return back_error(
            "secret",
            "the endpoint was registered but its secret cannot be shown: disable it and register another",
        );
    }
    back(&format!("created={}", url_encode(&endpoint.id)))
}

#[derive(Debug, serde::Deserialize)]
pub struct EndpointAction {
    pub action: String,
}

/// `enable`, `disable`, or `test`: a signed `webhook.test` event sent now, its answer shown.
pub async fn act(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(form): Form<EndpointAction>,
) -> Response {
    let admin = match require(user, Role::Admin, ADMIN_WEBHOOKS) {
        Ok(u) => u,
        Err(response) => return *response,
    };
    let endpoint = match state.store.webhook_endpoint(&id).await {
        Ok(Some(e)) => e,
        Ok(None) => return (StatusCode::NOT_FOUND, "no such endpoint").into_response(),
        Err(error) => {
            tracing::error!(%error, "reading a webhook endpoint failed");
            return back_error("endpoint", "could not be read; try again");
        }
    };
    let now = Utc::now();
    match form.action.as_str() {
        "enable" | "disable" => {
            let enabled = form.action == "enable";
            match state.store.set_webhook_enabled(&id, enabled, now).await {
                Ok(_) => {
                    tracing::info!(endpoint = %id, action = %form.action, by = %admin.username, "webhook endpoint changed");
                    back(&format!("changed={}", url_encode(&id)))
                }
                Err(StoreError::NotFound(_)) => {
                    (StatusCode::NOT_FOUND, "no such endpoint").into_response()
                }
                Err(error) => {
                    tracing::error!(%error, "changing a webhook endpoint failed");
                    back_error(
                        "endpoint",
                        "could not be changed; nothing changed, try again",
                    )
                }
            }
        }
        "test" if !endpoint.enabled => back_error("action", "the endpoint is disabled"),
        "test" => {
            let event_id = format!("msg_{}", uuid::Uuid::new_v4().simple());
            let data = serde_json::json!({
                "endpoint_id": endpoint.id,
                "message": "A test event sent from the workspace.",
            });
            match deliver(
                &state.webhook_client,
                &endpoint,
                &event_id,
                body("webhook.test", now, data),
                now,
            )
            .await
            {
                Ok(d) => back(&format!(
                    "tested={}&event={}&status={}&ms={}",
                    url_encode(&id),
                    url_encode(&d.id),
                    d.status
                        .map_or_else(|| "none".to_owned(), |s| s.to_string()),
                    d.latency_ms
                )),
                Err(error) => back_error("secret", &error.to_string()),
            }
        }
        _ => back_error("action", "must be enable, disable or test"),
    }
}

/// Queues a delivered or dead message again.
pub async fn redeliver(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(seq): Path<i64>,
) -> Response {
    let admin = match require(user, Role::Admin, ADMIN_WEBHOOKS) {
        Ok(u) => u,
        Err(response) => return *response,
    };
    match state.store.redeliver_webhook(seq, Utc::now()).await {
        Ok(true) => {
            tracing::info!(message = seq, by = %admin.username, "webhook queued again");
            state.dispatcher_wake.notify_one();
            back(&format!("redelivered={seq}"))
        }
        Ok(false) => back_error("delivery", "no such delivery, or it is still pending"),
        Err(error) => {
            tracing::error!(%error, "queuing a webhook again failed");
            back_error("delivery", "could not be queued again; try again")
        }
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct SirenForm {
    #[serde(default)]
    pub siren: String,
    #[serde(default)]
    pub condition: String,
}

fn form_siren(raw: &str) -> Result<app::ids::Siren, Box<Response>> {
    app::ids::Siren::parse(raw.trim()).map_err(|e| Box::new(back_error("siren", &e.to_string())))
}

/// Checks a monitored company of the workspace's world now.
pub async fn check_now(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Form(form): Form<SirenForm>,
) -> Response {
    if let Err(response) = require(user, Role::Admin, ADMIN_WEBHOOKS) {
        return *response;
    }
    let siren = match form_siren(&form.siren) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let world = workspace_world(&state.settings);
    match state
        .store
        .check_monitoring_now(world.as_str(), siren.as_str(), Utc::now())
        .await
    {
        Ok(true) => {
            state.monitoring_wake.notify_one();
            back(&format!("checking={siren}"))
        }
        Ok(false) => back_error("siren", "this company is not monitored"),
        Err(error) => {
            tracing::error!(%error, "scheduling a monitoring check failed");
            back_error("siren", "the check could not be scheduled; try again")
        }
    }
}

/// Sandbox only: puts a company in a condition from now on and checks it at once if it is
/// monitored.
pub async fn set_condition(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Form(form): Form<SirenForm>,
) -> Response {
    let admin = match require(user, Role::Admin, ADMIN_WEBHOOKS) {
        Ok(u) => u,
        Err(response) => return *response,
    };
    if workspace_world(&state.settings) != crate::sources::World::Sandbox {
        return back_error("condition", "only the sandbox world can be changed");
    }
    let siren = match form_siren(&form.siren) {
        Ok(s) => s,
        Err(r) => return *r,
    };
    let Some(kind) = crate::sources::sandbox::Condition::parse(&form.condition) else {
        return back_error("condition", "must be proceeding or negative_balance");
    };
    let now = Utc::now();
    let condition = crate::store::SandboxCondition {
        siren: siren.to_string(),
        kind: kind.as_str().to_owned(),
        since: now,
    };
    if let Err(error) = state.store.set_sandbox_condition(&condition).await {
        tracing::error!(%error, "storing a sandbox condition failed");
        return back_error(
            "condition",
            "could not be stored; nothing changed, try again",
        );
    }
    // Kept at the moment first set, as storage has it.
    let since = state
        .store
        .sandbox_conditions()
        .await
        .ok()
        .and_then(|all| {
            all.into_iter()
                .find(|c| c.siren == condition.siren && c.kind == condition.kind)
        })
        .map_or(now, |c| c.since);
    state.sandbox_conditions.set(siren.as_str(), kind, since);
    tracing::info!(%siren, condition = kind.as_str(), by = %admin.username, "sandbox condition set");
    if let Ok(true) = state
        .store
        .check_monitoring_now(crate::sources::World::Sandbox.as_str(), siren.as_str(), now)
        .await
    {
        state.monitoring_wake.notify_one();
    }
    back(&format!("condition={siren}"))
}

//! The workspace's forms that change data: plain HTML posts answered with a redirect (the
//! page shows the result), so they work before the browser has loaded the application's wasm.
//! Session cookies are `SameSite=Strict` and cross-site posts are refused by the origin check.

use crate::auth::require;
use crate::cases::{self, Actor, CaseError, Origin};
use crate::config::workspace_world;
use crate::decisions::{self, Engine};
use crate::state::AppState;
use app::access::{sign_in_then, url_encode};
use app::api::CurrentUser;
use app::model::{CaseCommand, HumanDecision, HumanOutcome, Product, Role};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum::{Extension, Form};
use serde::Deserialize;
use serde_json::{json, Map, Value};

pub use app::access::{APPLICATIONS, NEW_APPLICATION};

/// The workspace's form posts: applications, case actions, a case's dossier, API keys.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(NEW_APPLICATION, post(submit_application))
        .route("/cases/{id}/actions", post(case_action))
        .route("/cases/{id}/dossier.json", get(dossier))
        .route(ADMIN_KEYS, post(create_key))
        .route("/admin/keys/{id}/revoke", post(revoke_key))
}

/// An amount as people type it: `15000`, `15 000,50`, `15000.50`.
fn normalise_amount(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '€')
        .map(|c| if c == ',' { '.' } else { c })
        .collect()
}

#[derive(Debug, Deserialize)]
pub struct ApplicationForm {
    pub siren: String,
    pub amount: String,
    pub product: String,
    #[serde(default)]
    pub invoice_amount: String,
    #[serde(default)]
    pub debtor_siren: String,
    #[serde(default)]
    pub current_limit: String,
    #[serde(default)]
    pub external_reference: String,
}

impl ApplicationForm {
    /// The form as an API request body, so that it is validated by the same rules.
    fn as_request(&self) -> Value {
        let mut body = Map::new();
        body.insert("siren".into(), json!(self.siren.trim()));
        body.insert("amount".into(), json!(normalise_amount(&self.amount)));
        body.insert("product".into(), json!(self.product.trim()));
        let product = Product::parse(self.product.trim()).ok();
        if product == Some(Product::Factoring) {
            body.insert(
                "invoice_amount".into(),
                json!(normalise_amount(&self.invoice_amount)),
            );
            body.insert("debtor_siren".into(), json!(self.debtor_siren.trim()));
        }
        if product == Some(Product::CreditLineIncrease) {
            body.insert(
                "current_limit".into(),
                json!(normalise_amount(&self.current_limit)),
            );
        }
        if !self.external_reference.trim().is_empty() {
            body.insert(
                "external_reference".into(),
                json!(self.external_reference.trim()),
            );
        }
        Value::Object(body)
    }

    /// The form page again, filled in, with the problems.
    fn back_with(&self, errors: &str) -> Response {
        let q = |k: &str, v: &str| format!("{k}={}", url_encode(v));
        let query = [
            q("error", errors),
            q("siren", &self.siren),
            q("amount", &self.amount),
            q("product", &self.product),
            q("invoice_amount", &self.invoice_amount),
            q("debtor_siren", &self.debtor_siren),
            q("current_limit", &self.current_limit),
            q("external_reference", &self.external_reference),
        ]
        .join("&");
        Redirect::to(&format!("{APPLICATIONS}?{query}")).into_response()
    }
}

/// A sales rep's application: decided at once, then shown on its own page.
pub async fn submit_application(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Form(form): Form<ApplicationForm>,
) -> Response {
    let user = match require(user, Role::SalesRep, APPLICATIONS) {
        Ok(u) => u,
        Err(response) => return *response,
    };
    let world = workspace_world(&state.settings);
    let body = form.as_request().to_string();
    let request = match crate::web::api::request::parse(body.as_bytes(), world) {
        Ok(r) => r,
        Err(problem) => {
            let errors = if problem.errors.is_empty() {
                problem.detail
            } else {
                problem
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.field.trim_start_matches('/'), e.problem))
                    .collect::<Vec<_>>()
                    .join("; ")
            };
            return form.back_with(&errors);
        }
    };
    match decisions::decide_with(
        &state.gatherer,
        &state.store,
        Engine::current(),
        request,
        Origin {
            api_key_id: None,
            user_id: Some(user.id),
            monitoring_of: None,
            monitoring_review: None,
        },
        chrono::Utc::now(),
        state.settings.monitoring.every(),
    )
    .await
    {
        Ok(recorded) => Redirect::to(&format!("{APPLICATIONS}/{}", recorded.id)).into_response(),
        Err(error) => {
            tracing::error!(%error, "a workspace decision failed");
            form.back_with("the decision could not be recorded; nothing was decided, try again")
        }
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct CaseActionForm {
    pub action: String,
    #[serde(default)]
    pub outcome: String,
    /// The limit offered, in euros, for a counter-offer.
    #[serde(default)]
    pub limit: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub justification: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub reason: String,
}

fn invalid(field: &str, message: &str) -> CaseError {
    CaseError::Invalid {
        field: field.into(),
        message: message.into(),
    }
}

impl CaseActionForm {
    fn command(&self) -> Result<CaseCommand, CaseError> {
        Ok(match self.action.as_str() {
            "claim" => CaseCommand::Claim,
            "release" => CaseCommand::Release,
            "note" => CaseCommand::Note {
                text: self.text.clone(),
            },
            "confirm" => CaseCommand::Confirm,
            "reject" => CaseCommand::Reject {
                reason: self.reason.clone(),
            },
            "decide" => {
                let outcome = HumanOutcome::parse(&self.outcome)
                    .map_err(|_| invalid("outcome", "choose approve, decline or counter-offer"))?;
                let limit_cents = if outcome == HumanOutcome::CounterOffer {
                    let limit = normalise_amount(&self.limit);
                    Some(crate::sources::psd2::cents(&limit).ok_or_else(|| {
                        invalid("limit", "enter the limit offered in euros, such as 12000")
                    })?)
                } else {
                    None
                };
                CaseCommand::Decide {
                    decision: HumanDecision {
                        outcome,
                        limit_cents,
                        category: self.category.clone(),
                        justification: self.justification.clone(),
                    },
                }
            }
            _ => return Err(invalid("action", "unknown action")),
        })
    }
}

/// A credit manager's action on a case, then back to the case page saying what happened.
pub async fn case_action(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(id): Path<String>,
    Form(form): Form<CaseActionForm>,
) -> Response {
    let page = format!("/cases/{}", url_encode(&id));
    let user = match require(user, Role::CreditManager, &page) {
        Ok(u) => u,
        Err(response) => return *response,
    };
    let result = match form.command() {
        Ok(command) => {
            cases::act(
                state.store.as_ref(),
                &id,
                &Actor::from(&user),
                &command,
                state.settings.case_rules(),
                chrono::Utc::now(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok((_, record)) => {
            Redirect::to(&format!("{page}?done={}", record.event.kind())).into_response()
        }
        Err(CaseError::NotFound(_)) => (StatusCode::NOT_FOUND, "no such case").into_response(),
        Err(CaseError::Store(error)) => {
            tracing::error!(%error, "a case action failed");
            Redirect::to(&format!(
                "{page}?error={}",
                url_encode("the action could not be recorded; nothing changed, try again")
            ))
            .into_response()
        }
        Err(e) => {
            // Keep what was typed, so that nothing written is lost.
            let keep = |k: &str, v: &str| format!("&{k}={}", url_encode(v));
            Redirect::to(&format!(
                "{page}?error={}{}{}{}{}{}",
                url_encode(&e.to_string()),
                keep("outcome", &form.outcome),
                keep("limit", &form.limit),
                keep("category", &form.category),
                keep("justification", &form.justification),
                keep("text", &form.text),
            ))
            .into_response()
        }
    }
}

/// The whole dossier of a decision as JSON, for auditors and credit managers: the recorded
/// decision (request, sources, snapshot descriptions, features, reasons, versions, latency),
/// where its case stands, and every audit record about it with its place in the hash chain.
pub async fn dossier(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    let page = format!("/cases/{}", url_encode(&id));
    match user {
        None => return Redirect::to(&sign_in_then(&page, true)).into_response(),
        Some(u) if matches!(u.role, Role::Auditor | Role::CreditManager) => {}
        Some(_) => return (StatusCode::FORBIDDEN, "your role does not allow this").into_response(),
    }
    let store = state.store.as_ref();
    let loaded = async {
        let (recorded, records) = decisions::load_with_records(store, &id).await?;
        let case = store.case(&id).await?;
        Ok::<_, decisions::DecisionError>((recorded, case, records))
    }
    .await;
    match loaded {
        Ok((recorded, case, records)) => {
            let chain: Vec<Value> = records
                .iter()
                .map(|r| {
                    json!({
                        "seq": r.seq,
                        "id": r.id,
                        "kind": r.kind,
                        "recorded_at": r.recorded_at,
                        "prev_hash": r.prev_hash,
                        "hash": r.hash,
                        "payload": serde_json::from_str::<Value>(&r.payload).unwrap_or(Value::Null),
                    })
                })
                .collect();
            let body = json!({
                "decision": recorded,
                "case": case,
                "audit_records": chain,
                "exported_at": chrono::Utc::now(),
            });
            let mut response = axum::Json(body).into_response();
            if let Ok(v) = axum::http::HeaderValue::from_str(&format!(
                "attachment; filename=\"dossier-{id}.json\""
            )) {
                response
                    .headers_mut()
                    .insert(axum::http::header::CONTENT_DISPOSITION, v);
            }
            response
        }
        Err(decisions::DecisionError::NotFound(_)) => {
            (StatusCode::NOT_FOUND, "no such decision").into_response()
        }
        Err(error) => {
            tracing::error!(%error, "a dossier export failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the dossier could not be read",
            )
                .into_response()
        }
    }
}

/// Where the admin manages API keys.
pub use app::access::ADMIN_KEYS;

/// The session entry holding a key just created, until the page shows it once.
pub const CREATED_KEY: &str = "created_api_key";

#[derive(Debug, Deserialize)]
pub struct KeyForm {
    pub name: String,
    pub mode: String,
}

/// Creates an API key; the page shows it once (kept in the session, not in the address).
pub async fn create_key(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    session: tower_sessions::Session,
    Form(form): Form<KeyForm>,
) -> Response {
    if let Err(response) = require(user, Role::Admin, ADMIN_KEYS) {
        return *response;
    }
    let back_with = |error: &str| {
        Redirect::to(&format!("{ADMIN_KEYS}?error={}", url_encode(error))).into_response()
    };
    let world = match form.mode.as_str() {
        "sandbox" => crate::sources::World::Sandbox,
        "live" => crate::sources::World::Live,
        _ => return back_with("mode: must be sandbox or live"),
    };
    match crate::api_keys::create(state.store.as_ref(), world, &form.name, chrono::Utc::now()).await
    {
        Ok(created) => {
            use secrecy::ExposeSecret;
            if let Err(error) = session
                .insert(CREATED_KEY, created.secret.expose_secret().to_owned())
                .await
            {
                tracing::error!(%error, "cannot keep the new key in the session");
                return back_with(
                    "the key was created but cannot be shown: revoke it and create another",
                );
            }
            tracing::info!(key = %created.record.id, mode = %created.record.mode, "API key created");
            Redirect::to(&format!("{ADMIN_KEYS}?created={}", created.record.id)).into_response()
        }
        Err(error) => back_with(&format!("name: {error}")),
    }
}

/// Revokes an API key: requests with it are refused from then on.
pub async fn revoke_key(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Path(id): Path<String>,
) -> Response {
    if let Err(response) = require(user, Role::Admin, ADMIN_KEYS) {
        return *response;
    }
    match state.store.revoke_api_key(&id, chrono::Utc::now()).await {
        Ok(true) => {
            tracing::info!(key = %id, "API key revoked");
            Redirect::to(&format!("{ADMIN_KEYS}?revoked={}", url_encode(&id))).into_response()
        }
        Ok(false) => (StatusCode::NOT_FOUND, "no active key with this id").into_response(),
        Err(error) => {
            tracing::error!(%error, "revoking a key failed");
            back_error("the key could not be revoked; try again")
        }
    }
}

fn back_error(message: &str) -> Response {
    Redirect::to(&format!("{ADMIN_KEYS}?error={}", url_encode(message))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(normalise_amount(" 15 000,50 € "), "15000.50");
        assert_eq!(normalise_amount("15\u{202f}000"), "15000");
        assert_eq!(normalise_amount("1500.00"), "1500.00");
    }

    #[test]
    fn the_form_becomes_the_api_request_with_only_the_product_fields() {
        let form = ApplicationForm {
            siren: " 100000009 ".into(),
            amount: "1 500".into(),
            product: "bnpl".into(),
            invoice_amount: "99".into(),
            debtor_siren: "200000008".into(),
            current_limit: String::new(),
            external_reference: String::new(),
        };
        assert_eq!(
            form.as_request(),
            json!({"siren": "100000009", "amount": "1500", "product": "bnpl"})
        );
    }

    #[test]
    fn a_counter_offer_needs_a_limit_in_euros() {
        let form = CaseActionForm {
            action: "decide".into(),
            outcome: "counter_offer".into(),
            limit: "douze".into(),
            ..CaseActionForm::default()
        };
        assert!(
            matches!(form.command(), Err(CaseError::Invalid { ref field, .. }) if field == "limit")
        );
        let form = CaseActionForm {
            limit: "12 000".into(),
            ..form
        };
        assert!(matches!(
            form.command(),
            Ok(CaseCommand::Decide { decision }) if decision.limit_cents == Some(1_200_000)
        ));
    }
}

//! The workspace's one plain download: a case's dossier as a JSON file. Every workspace write
//! is a server function (`app::actions`), called by the pages' forms.

use crate::decisions;
use crate::state::AppState;
use app::access::{sign_in_then, url_encode};
use app::api::CurrentUser;
use app::model::Role;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Extension;
use axum::Router;
use serde_json::{json, Value};

/// The dossier download.
pub fn router() -> Router<AppState> {
    Router::new().route("/cases/{id}/dossier.json", get(dossier))
}

/// The whole dossier of a decision as JSON, for auditors and credit managers: the recorded
/// decision (request, sources, snapshot descriptions, features, reasons, versions, latency),
/// where its case stands, every audit record about it with its place in the hash chain, and
/// the inclusion proof of each against the newest signed checkpoint (each checked offline by
/// `server audit verify-proof` with the public key alone), with that key.
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
            let mut proofs = Vec::with_capacity(records.len());
            for r in &records {
                match state.audit_log.prove(r).await {
                    Ok(p) => proofs.push(p),
                    Err(error) => {
                        tracing::error!(%error, "a dossier's proof could not be made");
                        return (
                            StatusCode::INTERNAL_SERVER_ERROR,
                            "the dossier could not be read",
                        )
                            .into_response();
                    }
                }
            }
            let identity = state.audit_log.identity();
            let body = json!({
                "decision": recorded,
                "case": case,
                "audit_records": chain,
                "inclusion_proofs": proofs,
                "audit_public_key": identity.public.document(&identity.origin),
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

//! The verifiable audit log for lenders' systems and their auditors: the log's public key, its
//! signed checkpoints, a decision's inclusion proof and the consistency proof between two
//! checkpoints. Everything here is checked offline with `server audit verify-proof` and the
//! public key alone.

use super::problem::{FieldError, Problem};
use super::Caller;
use crate::audit::checkpoint::PublicKeyDocument;
use crate::audit::proof::{ConsistencyProofDocument, InclusionProofDocument};
use crate::audit::Checkpoint;
use crate::state::AppState;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// Checkpoints per page at most.
pub const MAX_CHECKPOINTS: i64 = 1_000;

fn invalid(field: &str, problem: &str) -> Response {
    Problem {
        title: "The query is not valid".into(),
        ..Problem::validation(vec![FieldError {
            field: field.to_owned(),
            problem: problem.to_owned(),
        }])
    }
    .into_response()
}

/// The query's parameters; an unknown one is refused, naming it.
fn params(query: Option<String>, known: &[&str]) -> Result<HashMap<String, String>, Box<Response>> {
    let mut out = HashMap::new();
    for (k, v) in form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        if !known.contains(&k.as_ref()) {
            return Err(Box::new(invalid(
                &k,
                &format!("is not a parameter here (known: {})", known.join(", ")),
            )));
        }
        out.insert(k.into_owned(), v.into_owned());
    }
    Ok(out)
}

fn number(
    params: &HashMap<String, String>,
    name: &str,
    min: u64,
    max: u64,
) -> Result<Option<u64>, Box<Response>> {
    match params.get(name) {
        None => Ok(None),
        Some(v) => match v.parse::<u64>() {
            Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(Box::new(invalid(
                name,
                &format!("must be a whole number from {min} to {max}"),
            ))),
        },
    }
}

/// The public key that signs the checkpoints: what an auditor keeps to check proofs offline.
#[utoipa::path(
    get,
    path = "/audit/public-key",
    tag = "audit",
    security(()),
    responses(
        (status = 200, description = "The Ed25519 public key, its id and the checkpoints' origin", body = PublicKeyDocument),
    ),
)]
pub(crate) async fn public_key(State(state): State<AppState>) -> Response {
    let identity = state.audit_log.identity();
    Json(identity.public.document(&identity.origin)).into_response()
}

/// The signed checkpoints, oldest first: each element is exactly one line of what
/// `server audit verify --checkpoints FILE` reads. Pages of at most 1,000; `after` (the last
/// timestamp you hold) gives the next page.
#[utoipa::path(
    get,
    path = "/audit/checkpoints",
    tag = "audit",
    params(
        ("after" = Option<DateTime<Utc>>, Query, description = "Only checkpoints signed after this time (RFC 3339); absent for the first page"),
        ("limit" = Option<u32>, Query, description = "At most this many (1 to 1000, default 1000)", minimum = 1, maximum = 1000),
    ),
    responses(
        (status = 200, description = "The checkpoints, oldest first", body = Vec<Checkpoint>),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the scope audit:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn checkpoints(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = match params(query, &["after", "limit"]) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let after = match params.get("after") {
        None => None,
        Some(t) => match DateTime::parse_from_rfc3339(t) {
            Ok(t) => Some(t.with_timezone(&Utc)),
            Err(_) => {
                return invalid(
                    "after",
                    "must be a time in RFC 3339 (2026-12-07T10:00:00.000Z)",
                )
            }
        },
    };
    let limit = match number(&params, "limit", 1, MAX_CHECKPOINTS as u64) {
        Ok(n) => n.map_or(MAX_CHECKPOINTS, |n| n as i64),
        Err(r) => return *r,
    };
    match state.store.checkpoints(after, limit).await {
        Ok(stored) => {
            let mut out = Vec::with_capacity(stored.len());
            for s in stored {
                match Checkpoint::from_line(&s.line) {
                    Ok(c) => out.push(c),
                    Err(e) => {
                        return Problem::internal(&format!("checkpoint {}: {e}", s.seq))
                            .into_response()
                    }
                }
            }
            Json(out).into_response()
        }
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

fn decision_not_found(id: &str) -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        "decision-not-found",
        "Decision not found",
        &format!("no decision {id} for this key's mode"),
    )
    .into_response()
}

/// The proof that a decision is in the log: its record (everything its hash covers), its leaf,
/// the inclusion proof against the newest signed checkpoint, and that checkpoint (signed on
/// demand when none covers the decision yet). Save it as a file: `server audit verify-proof`
/// checks it offline with the public key alone.
#[utoipa::path(
    get,
    path = "/decisions/{id}/proof",
    tag = "audit",
    params(("id" = String, Path, description = "The decision's id (`dec_…`)")),
    responses(
        (status = 200, description = "The inclusion proof", body = InclusionProofDocument),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the scope audit:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such decision in the key's mode", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn proof(
    State(state): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Response {
    let record = match state.store.audit_record(&id).await {
        Ok(Some(r)) if r.kind == "decision" && r.world == caller.world.as_str() => r,
        Ok(_) => return decision_not_found(&id),
        Err(e) => return Problem::internal(&e.to_string()).into_response(),
    };
    match state.audit_log.prove(&record).await {
        Ok(doc) => Json(doc).into_response(),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

/// The proof that the log of `to` records extends the log of `from` records, with the two
/// signed checkpoints (the newest of each size). Both sizes must be sizes a checkpoint was
/// signed at; given in either order, the proof goes from the smaller to the larger.
#[utoipa::path(
    get,
    path = "/audit/consistency",
    tag = "audit",
    params(
        ("from" = u64, Query, description = "The earlier tree size (at least 1)", minimum = 1),
        ("to" = Option<u64>, Query, description = "The later tree size (default: the newest checkpoint's)", minimum = 1),
    ),
    responses(
        (status = 200, description = "The consistency proof", body = ConsistencyProofDocument),
        (status = 401, description = "No key, or not a valid one", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key lacks the scope audit:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No checkpoint was signed at that size", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A query parameter is not valid", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Above the key's rate limit; `retry-after` says when to retry", body = Problem, content_type = "application/problem+json"),
    ),
)]
pub(crate) async fn consistency(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Response {
    let params = match params(query, &["from", "to"]) {
        Ok(p) => p,
        Err(r) => return *r,
    };
    let from = match number(&params, "from", 1, i64::MAX as u64) {
        Ok(Some(n)) => n,
        Ok(None) => return invalid("from", "is required"),
        Err(r) => return *r,
    };
    let to = match number(&params, "to", 1, i64::MAX as u64) {
        Ok(Some(n)) => n,
        Ok(None) => match state.store.latest_checkpoint(None).await {
            Ok(Some(c)) => c.tree_size,
            Ok(None) => return not_signed(from),
            Err(e) => return Problem::internal(&e.to_string()).into_response(),
        },
        Err(r) => return *r,
    };
    // The proof is between the two sizes, whichever is given first.
    let (from, to) = (from.min(to), from.max(to));
    match state.audit_log.consistency(from, to).await {
        Ok(Ok(doc)) => Json(doc).into_response(),
        Ok(Err(size)) => not_signed(size),
        Err(e) => Problem::internal(&e.to_string()).into_response(),
    }
}

fn not_signed(size: u64) -> Response {
    Problem::new(
        StatusCode::NOT_FOUND,
        "checkpoint-not-found",
        "No checkpoint of that size",
        &format!(
            "no checkpoint was signed at {size} records; GET /api/v1/audit/checkpoints lists the \
             sizes that were"
        ),
    )
    .into_response()
}

//! The events lenders receive by webhook, built from the change that causes them and queued in
//! the same transaction (see `store::outbox`):
//!
//! - `decision.created`: a decision was made (by the API, the workspace or monitoring);
//! - `decision.updated`: a person changed where a decision stands (a human decision, a proposal
//!   waiting for a second manager, its confirmation or its rejection);
//! - `company.risk_changed`: monitoring found a monitored company worse than when it was last
//!   seen (grade down, a new collective proceeding, a limit now below the one granted);
//! - `monitoring.source_failed`: monitoring could not check a company because a source did not
//!   answer.

pub use crate::record::RiskChange;
use crate::record::{EventRecord, RecordedDecision};
use crate::store::{CaseRow, MonitoredCompany, OutboxEvent};
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

pub const DECISION_CREATED: &str = "decision.created";
pub const DECISION_UPDATED: &str = "decision.updated";
pub const RISK_CHANGED: &str = "company.risk_changed";
pub const SOURCE_FAILED: &str = "monitoring.source_failed";

/// A new event with its id (`msg_…`, the `webhook-id` of every delivery) and body.
pub fn event(event_type: &str, at: DateTime<Utc>, data: Value) -> OutboxEvent {
    OutboxEvent {
        id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
        event_type: event_type.to_owned(),
        body: String::from_utf8(crate::webhooks::body(event_type, at, data)).unwrap_or_default(),
        created_at: at,
    }
}

/// What a decision's events say of it.
pub fn decision_summary(r: &RecordedDecision) -> Value {
    let d = &r.decision;
    json!({
        "decision_id": r.id,
        "decided_at": r.decided_at,
        "mode": r.request.world.as_str(),
        "siren": r.request.siren,
        "product": r.request.application.product,
        "requested_cents": d.requested_cents,
        "outcome": d.outcome,
        "score": d.score,
        "grade": d.grade,
        "probability_of_default": d.probability_of_default,
        "proposed_limit_cents": d.proposed_limit_cents,
        "reason_codes": d.reasons.iter().map(|x| x.code.as_str()).collect::<Vec<_>>(),
        "referrals": d.referrals,
        "fraud_flags": d.fraud_flags.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(),
        "data_coverage": d.coverage,
        "external_reference": r.request.external_reference,
        "model_version": d.versions.model,
        "policy_version": d.versions.policy,
    })
}

pub fn decision_created(r: &RecordedDecision, case: &CaseRow) -> OutboxEvent {
    let mut data = decision_summary(r);
    data["status"] = json!(case.status);
    data["company_name"] = json!(case.company_name);
    data["origin"] = json!(if r.origin.monitoring_of.is_some() {
        "monitoring"
    } else if r.origin.api_key_id.is_some() {
        "api"
    } else {
        "workspace"
    });
    data["monitoring_of"] = json!(r.origin.monitoring_of);
    event(DECISION_CREATED, r.decided_at, data)
}

/// The event of a person's action, for the actions that change where the decision stands
/// (claims, releases and notes send none).
pub fn decision_updated(case: &CaseRow, record: &EventRecord) -> Option<OutboxEvent> {
    use crate::record::CaseEvent as E;
    let decision = match &record.event {
        E::Claimed | E::Released | E::Note { .. } => return None,
        E::DecisionProposed { decision }
        | E::DecisionConfirmed { decision, .. }
        | E::ProposalRejected { decision, .. }
        | E::HumanDecision { decision } => decision,
    };
    Some(event(
        DECISION_UPDATED,
        record.at,
        json!({
            "decision_id": case.decision_id,
            "mode": case.world,
            "siren": case.siren,
            "action": record.event.kind(),
            "status": case.status,
            "final_outcome": case.final_outcome,
            "final_limit_cents": case.final_limit_cents,
            "overridden": case.overridden,
            "human_decision": {
                "outcome": decision.outcome,
                "limit_cents": decision.limit_cents,
                "category": decision.category,
                "justification": decision.justification,
            },
            "by": {"user_id": record.by.user_id, "name": record.by.display_name, "role": record.by.role},
            "at": record.at,
        }),
    ))
}

pub fn risk_changed(
    m: &MonitoredCompany,
    previous: &RecordedDecision,
    new: &RecordedDecision,
    changes: &[RiskChange],
) -> OutboxEvent {
    event(
        RISK_CHANGED,
        new.decided_at,
        json!({
            "mode": m.world,
            "siren": m.siren,
            "granted_decision_id": m.decision_id,
            "granted_limit_cents": m.granted_limit_cents,
            "changes": changes,
            "previous": decision_summary(previous),
            "new": decision_summary(new),
        }),
    )
}

pub fn source_failed(
    m: &MonitoredCompany,
    at: DateTime<Utc>,
    failures: &[(String, String)],
    next_check: DateTime<Utc>,
) -> OutboxEvent {
    event(
        SOURCE_FAILED,
        at,
        json!({
            "mode": m.world,
            "siren": m.siren,
            "granted_decision_id": m.decision_id,
            "sources": failures.iter().map(|(s, why)| json!({"source": s, "error": why})).collect::<Vec<_>>(),
            "next_check_at": next_check,
        }),
    )
}

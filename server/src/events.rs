//! The webhook events queued in the outbox: each event's `data` is a type of
//! `aval_core::events` (re-exported here), wrapped with its id and type and serialised once.

pub use crate::record::RiskChange;
pub use aval_core::events::*;

use crate::record::{EventRecord, RecordedDecision};
use crate::store::{MonitoredCompany, OutboxEvent};
use aval_core::case::Case;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

/// A new event with its id (`msg_…`, the `webhook-id` of every delivery) and body.
pub fn event(event_type: &str, at: DateTime<Utc>, data: Value) -> OutboxEvent {
    OutboxEvent {
        id: format!("msg_{}", uuid::Uuid::new_v4().simple()),
        event_type: event_type.to_owned(),
        body: String::from_utf8(crate::webhooks::body(event_type, at, data)).unwrap_or_default(),
        created_at: at,
    }
}

/// An event whose `data` is one of the event types.
fn typed(event_type: &str, at: DateTime<Utc>, data: &impl Serialize) -> OutboxEvent {
    event(
        event_type,
        at,
        serde_json::to_value(data).unwrap_or(Value::Null),
    )
}

fn grant(m: &MonitoredCompany) -> Grant<'_> {
    Grant {
        world: &m.world,
        siren: &m.siren,
        decision_id: &m.decision_id,
        granted_limit_cents: m.granted_limit_cents,
    }
}

pub fn decision_created(r: &RecordedDecision, case: &Case) -> OutboxEvent {
    typed(
        DECISION_CREATED,
        r.decided_at,
        &DecisionCreated::of(r, case),
    )
}

/// The event of a person's action, for the actions that change where the decision stands
/// (claims, releases and notes send none).
pub fn decision_updated(case: &Case, record: &EventRecord) -> Option<OutboxEvent> {
    DecisionUpdated::of(case, record).map(|data| typed(DECISION_UPDATED, record.at, &data))
}

pub fn risk_changed(
    m: &MonitoredCompany,
    previous: &RecordedDecision,
    new: &RecordedDecision,
    changes: &[RiskChange],
) -> OutboxEvent {
    typed(
        RISK_CHANGED,
        new.decided_at,
        &RiskChanged::of(&grant(m), previous, new, changes),
    )
}

/// The event of a line change, built by the store with what it read in the transaction.
pub fn credit_limit_changed(data: &CreditLimitChanged) -> OutboxEvent {
    typed(CREDIT_LIMIT_CHANGED, data.at, data)
}

/// The test event an endpoint's owner asked for.
pub fn endpoint_test(endpoint: &crate::store::WebhookEndpoint, at: DateTime<Utc>) -> OutboxEvent {
    typed(
        ENDPOINT_TEST,
        at,
        &EndpointTest {
            mode: endpoint.world.clone(),
            endpoint_id: endpoint.id.clone(),
            requested_at: at,
        },
    )
}

pub fn source_failed(
    m: &MonitoredCompany,
    at: DateTime<Utc>,
    failures: &[(String, String)],
    next_check: DateTime<Utc>,
) -> OutboxEvent {
    typed(
        SOURCE_FAILED,
        at,
        &SourceFailed::of(&grant(m), failures, next_check),
    )
}

/// A signed checkpoint of the audit log; its `data` is the checkpoint exactly as signed.
pub fn audit_checkpoint(checkpoint: &crate::audit::Checkpoint, at: DateTime<Utc>) -> OutboxEvent {
    typed(AUDIT_CHECKPOINT, at, checkpoint)
}

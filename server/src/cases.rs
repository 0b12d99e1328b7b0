//! People's work on decisions: each action is a new audit record pointing to the decision; the
//! automated decision stays as it was. The case and its state machine are `aval_core::case`;
//! this module records what the state machine decides, with the case row (`cases`), in the same
//! transaction.

use crate::store::{CaseRow, Ledger, MonitoringWrite, NewAuditRecord, StoreError};
use aval_core::case::{self, Case};
use chrono::{DateTime, Utc};

use crate::record::RecordedDecision;
pub use crate::record::{Actor, CaseEvent, EventRecord, MonitoringReview, Origin};
pub use aval_core::case::{CaseCommand, CaseRules, MAX_TEXT_CHARS};
use aval_core::people::Role;
use aval_core::vocabulary::{CaseStatus, HumanOutcome};

impl crate::config::Settings {
    /// The rules of human decisions, with the monitoring cadence a grant enrols its company at.
    pub fn case_rules(&self) -> CaseRules {
        CaseRules {
            four_eyes_above_cents: i64::try_from(
                self.cases.four_eyes_above_eur.saturating_mul(100),
            )
            .unwrap_or(i64::MAX),
            monitor_every: self.monitoring.every(),
        }
    }
}

/// Why an action was refused.
#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The case's state does not allow it (claimed by someone else, already resolved…).
    #[error("{0}")]
    Refused(String),
    #[error("case {0} not found")]
    NotFound(String),
    #[error("only credit managers act on cases")]
    Forbidden,
    #[error("storage failed: {0}")]
    Store(StoreError),
}

impl From<StoreError> for CaseError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Refused(m) => CaseError::Refused(m),
            StoreError::NotFound(m) => CaseError::NotFound(m),
            other => CaseError::Store(other),
        }
    }
}

impl From<case::CaseError> for CaseError {
    fn from(e: case::CaseError) -> Self {
        match e {
            case::CaseError::Invalid { field, message } => CaseError::Invalid { field, message },
            case::CaseError::Refused(m) => CaseError::Refused(m),
            case::CaseError::Forbidden => CaseError::Forbidden,
        }
    }
}

/// What a command does to a stored case: the new row and the event, or why not. Pure: the
/// row is read as a [`Case`], the state machine decides, and the new case is written back as
/// a row.
pub fn transition(
    row: &CaseRow,
    actor: &Actor,
    command: &CaseCommand,
    rules: CaseRules,
    now: DateTime<Utc>,
) -> Result<(CaseRow, CaseEvent), CaseError> {
    let case = Case::try_from(row).map_err(CaseError::Refused)?;
    let (next, event) = case::transition(&case, actor, command, rules, now)?;
    Ok((CaseRow::from(&next), event))
}

/// Applies a command to a decision's case and records it; returns the case as it now stands.
pub async fn act(
    store: &dyn Ledger,
    decision_id: &str,
    actor: &Actor,
    command: &CaseCommand,
    rules: CaseRules,
    now: DateTime<Utc>,
) -> Result<(CaseRow, EventRecord), CaseError> {
    if actor.role != Role::CreditManager {
        return Err(CaseError::Forbidden);
    }
    // Check the input before taking the append lock, so that a bad form fails fast; the same
    // checks run again on the row read under the lock.
    if let Some(row) = store.case(decision_id).await? {
        transition(&row, actor, command, rules, now)?;
    }
    let recorded = std::sync::Mutex::new(None);
    let (case, _) = store
        .append_case_event(decision_id, &|row: &CaseRow| {
            let case = Case::try_from(row)?;
            let (next, event) =
                case::transition(&case, actor, command, rules, now).map_err(|e| e.to_string())?;
            let record = EventRecord {
                event,
                by: actor.clone(),
                at: now,
            };
            let payload = serde_json::to_string(&record).map_err(|e| e.to_string())?;
            let decided = next.status == CaseStatus::Resolved
                && matches!(
                    record.event,
                    CaseEvent::HumanDecision { .. } | CaseEvent::DecisionConfirmed { .. }
                );
            let monitoring = match (rules.monitor_every, next.final_outcome) {
                (Some(every), Some(HumanOutcome::Approve | HumanOutcome::CounterOffer))
                    if decided =>
                {
                    Some(MonitoringWrite::Enrol {
                        world: next.world.as_str().to_owned(),
                        siren: next.siren.clone(),
                        decision_id: next.decision_id.clone(),
                        granted_limit_cents: next.final_limit_cents.unwrap_or(0),
                        at: now,
                        next_check: now + every,
                    })
                }
                (_, Some(HumanOutcome::Decline)) if decided => Some(MonitoringWrite::Withdraw {
                    world: next.world.as_str().to_owned(),
                    siren: next.siren.clone(),
                    decision_id: next.decision_id.clone(),
                }),
                _ => None,
            };
            let audit = NewAuditRecord {
                id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
                kind: record.event.kind().to_owned(),
                decision_id: case.decision_id.clone(),
                world: case.world.as_str().to_owned(),
                recorded_at: now,
                payload,
                history: None,
                case: None,
                events: crate::events::decision_updated(&next, &record)
                    .into_iter()
                    .collect(),
                monitoring,
            };
            if let Ok(mut slot) = recorded.lock() {
                *slot = Some(record);
            }
            Ok((CaseRow::from(&next), audit))
        })
        .await?;
    let record = recorded
        .into_inner()
        .ok()
        .flatten()
        .ok_or_else(|| CaseError::Refused("the action was not recorded".into()))?;
    Ok((case, record))
}

/// The case row a new decision opens.
pub fn new_case(r: &RecordedDecision, company_name: Option<String>, origin: &Origin) -> CaseRow {
    CaseRow::from(&Case::opened_by(r, company_name, origin))
}

#[cfg(test)]
mod tests;

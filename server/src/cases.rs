//! People's work on decisions: each action is a new audit record pointing to the decision; the
//! automated decision stays as it was. The case and its state machine are `aval_core::case`;
//! this module records what the state machine decides, with the case row (`cases`), in the same
//! transaction.

use crate::store::{CaseRow, Ledger, LineWrite, MonitoringWrite, NewAuditRecord, StoreError};
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
    // What the decision was about: a monitoring review, a proposed increase or an application.
    let decided: Option<RecordedDecision> = match store.audit_record(decision_id).await? {
        Some(r) if r.kind == "decision" => serde_json::from_str(&r.payload).ok(),
        _ => None,
    };
    let decided_on = decided;
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
            let increase = decided_on
                .as_ref()
                .is_some_and(|d| d.origin.line_review.is_some());
            let lines: Vec<LineWrite> = match (&decided_on, &record.event) {
                (
                    Some(d),
                    CaseEvent::HumanDecision { decision }
                    | CaseEvent::DecisionConfirmed { decision, .. },
                ) if decided => line_change(d, &next, decision, actor, now)
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            };
            let monitoring = match (rules.monitor_every, next.final_outcome) {
                // An increase a manager approves changes the line, not what monitoring watches.
                _ if increase => None,
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
                lines,
                assessment: None,
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

/// What a manager's final decision on `d`'s case does to the company's line:
/// - on a proposed increase, approved (or counter-offered), the line rises by the increase
///   granted; declined, it stays;
/// - on a monitoring review, the line is set to the limit decided (reduced or kept), or closed
///   when the manager declines;
/// - on an application, an approval opens (or sets) the line of its product; a credit-line
///   increase raises the credit line.
pub fn line_change(
    d: &RecordedDecision,
    case: &Case,
    decision: &crate::record::HumanDecision,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Option<LineWrite> {
    use aval_core::vocabulary::{LineActor, LineChange, Product};
    let granted = match decision.outcome {
        HumanOutcome::Decline => None,
        _ => Some(case.final_limit_cents.or(decision.limit_cents).unwrap_or(0)),
    };
    let app = &d.request.application;
    let (product, change, limit) = if let Some(review) = &d.origin.line_review {
        let raised = review.previous_limit_cents.saturating_add(granted?);
        (review.product, LineChange::Increased, raised)
    } else if let Some(review) = &d.origin.monitoring_review {
        match granted {
            None => (app.product, LineChange::Closed, 0),
            Some(l) if l == review.granted_limit_cents => return None,
            Some(l) if l < review.granted_limit_cents => (app.product, LineChange::Reduced, l),
            Some(l) => (app.product, LineChange::Increased, l),
        }
    } else if app.product == Product::CreditLineIncrease {
        let raised = app
            .current_limit_cents
            .unwrap_or(0)
            .saturating_add(granted?);
        (app.product, LineChange::Increased, raised)
    } else {
        (app.product, LineChange::Granted, granted?)
    };
    Some(LineWrite {
        world: d.request.world.as_str().to_owned(),
        siren: d.request.siren.to_string(),
        product,
        expected_version: None,
        change,
        limit_cents: limit,
        by: LineActor::Person,
        by_user_id: Some(actor.user_id),
        by_name: Some(actor.display_name.clone()),
        decision_id: d.id.clone(),
        grant_grade: Some(d.decision.grade.clone()),
        at: now,
        reasons: vec![aval_core::record::ReasonText {
            code: decision.category.clone(),
            text_en: decision.justification.clone(),
            text_fr: decision.justification.clone(),
        }],
    })
}

/// The case row a new decision opens.
pub fn new_case(r: &RecordedDecision, company_name: Option<String>, origin: &Origin) -> CaseRow {
    CaseRow::from(&Case::opened_by(r, company_name, origin))
}

#[cfg(test)]
mod tests;

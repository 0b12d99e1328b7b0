//! People's work on decisions: claiming a case, notes, and human decisions (approve, decline,
//! counter-offer) with a second manager's confirmation above a configured amount. Each action
//! is a new audit record pointing to the decision; the automated decision stays as it was. The
//! case row (`cases`) says where the case stands now and is updated in the same transaction.

use crate::engine::Outcome;
use crate::store::{CaseRow, Ledger, MonitoringWrite, NewAuditRecord, StoreError};
use app::model::{
    CaseCommand, CaseStatus, HumanDecision, HumanOutcome, Role, DECISION_CATEGORIES,
    MIN_JUSTIFICATION_CHARS,
};
use chrono::{DateTime, Utc};

use crate::record::RecordedDecision;
pub use crate::record::{Actor, CaseEvent, EventRecord, MonitoringReview, Origin};

/// Longest note or justification accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// The rules of human decisions, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseRules {
    /// Granting more than this (approval or counter-offer) needs a second manager.
    pub four_eyes_above_cents: i64,
    /// A grant (approval or counter-offer) enrols the company in monitoring, first checked
    /// this long after; `None`: no enrolment.
    pub monitor_every: Option<chrono::Duration>,
}

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

fn invalid(field: &str, message: impl Into<String>) -> CaseError {
    CaseError::Invalid {
        field: field.to_owned(),
        message: message.into(),
    }
}

fn check_text(field: &str, text: &str, min: usize) -> Result<String, CaseError> {
    let text = text.trim();
    let chars = text.chars().count();
    if chars < min.max(1) {
        return Err(invalid(
            field,
            if min > 1 {
                format!("write at least {min} characters")
            } else {
                "must not be empty".to_owned()
            },
        ));
    }
    if chars > MAX_TEXT_CHARS {
        return Err(invalid(
            field,
            format!("at most {MAX_TEXT_CHARS} characters"),
        ));
    }
    Ok(text.to_owned())
}

/// Checks a human decision against the case and normalises it: the limit an approval grants is
/// the amount asked; a counter-offer names a different positive limit; a decline grants none.
pub fn check_decision(case: &CaseRow, d: &HumanDecision) -> Result<HumanDecision, CaseError> {
    if !DECISION_CATEGORIES.contains(&d.category.as_str()) {
        return Err(invalid(
            "category",
            format!("must be one of {}", DECISION_CATEGORIES.join(", ")),
        ));
    }
    let justification = check_text("justification", &d.justification, MIN_JUSTIFICATION_CHARS)?;
    let limit_cents = match d.outcome {
        HumanOutcome::Approve => Some(case.amount_cents),
        HumanOutcome::Decline => None,
        HumanOutcome::CounterOffer => match d.limit_cents {
            None => return Err(invalid("limit", "a counter-offer names the limit offered")),
            Some(l) if l <= 0 => return Err(invalid("limit", "must be more than zero")),
            Some(l) if l == case.amount_cents => {
                return Err(invalid(
                    "limit",
                    "equals the amount asked: approve instead of counter-offering",
                ))
            }
            Some(l) => Some(l),
        },
    };
    Ok(HumanDecision {
        outcome: d.outcome,
        limit_cents,
        category: d.category.clone(),
        justification,
    })
}

fn resolve(case: &CaseRow, d: &HumanDecision, now: DateTime<Utc>) -> CaseRow {
    let same_as_automated = match d.outcome {
        HumanOutcome::Approve => Outcome::Approve == case.automated_outcome.as_str(),
        HumanOutcome::Decline => Outcome::Decline == case.automated_outcome.as_str(),
        HumanOutcome::CounterOffer => false,
    };
    CaseRow {
        status: CaseStatus::Resolved.as_str().into(),
        final_outcome: Some(d.outcome.as_str().to_owned()),
        final_limit_cents: Some(d.limit_cents.unwrap_or(0)),
        overridden: Outcome::Refer != case.automated_outcome.as_str() && !same_as_automated,
        claimed_by: None,
        claimed_by_name: None,
        claimed_at: None,
        pending_action: None,
        pending_by: None,
        updated_at: now,
        ..case.clone()
    }
}

fn pending(case: &CaseRow) -> Result<HumanDecision, CaseError> {
    case.pending_action
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .ok_or_else(|| CaseError::Refused("no decision is waiting for confirmation".into()))
}

/// Decides what a command does to a case: the new row and the event, or why not. Pure.
pub fn transition(
    case: &CaseRow,
    actor: &Actor,
    command: &CaseCommand,
    rules: CaseRules,
    now: DateTime<Utc>,
) -> Result<(CaseRow, CaseEvent), CaseError> {
    if actor.role != Role::CreditManager {
        return Err(CaseError::Forbidden);
    }
    let holder = || {
        case.claimed_by_name
            .clone()
            .unwrap_or_else(|| "another manager".into())
    };
    let status = CaseStatus::parse(&case.status).map_err(|e| CaseError::Refused(e.to_string()))?;
    let workable = matches!(
        status,
        CaseStatus::InReview | CaseStatus::Decided | CaseStatus::Resolved
    );
    match command {
        CaseCommand::Claim => {
            if !workable {
                return Err(CaseError::Refused(
                    "the case is waiting for a second manager's confirmation".into(),
                ));
            }
            match case.claimed_by {
                Some(id) if id == actor.user_id => {
                    Err(CaseError::Refused("you already hold this case".into()))
                }
                Some(_) => Err(CaseError::Refused(format!(
                    "the case is held by {}",
                    holder()
                ))),
                None => Ok((
                    CaseRow {
                        claimed_by: Some(actor.user_id),
                        claimed_by_name: Some(actor.display_name.clone()),
                        claimed_at: Some(now),
                        updated_at: now,
                        ..case.clone()
                    },
                    CaseEvent::Claimed,
                )),
            }
        }
        CaseCommand::Release => {
            if case.claimed_by != Some(actor.user_id) {
                return Err(CaseError::Refused("you do not hold this case".into()));
            }
            Ok((
                CaseRow {
                    claimed_by: None,
                    claimed_by_name: None,
                    claimed_at: None,
                    updated_at: now,
                    ..case.clone()
                },
                CaseEvent::Released,
            ))
        }
        CaseCommand::Note { text } => {
            let text = check_text("note", text, 1)?;
            Ok((
                CaseRow {
                    updated_at: now,
                    ..case.clone()
                },
                CaseEvent::Note { text },
            ))
        }
        CaseCommand::Decide { decision } => {
            if !workable {
                return Err(CaseError::Refused(
                    "a decision is already waiting for a second manager".into(),
                ));
            }
            match case.claimed_by {
                Some(id) if id == actor.user_id => {}
                Some(_) => {
                    return Err(CaseError::Refused(format!(
                        "the case is held by {}",
                        holder()
                    )))
                }
                None => return Err(CaseError::Refused("claim the case before deciding".into())),
            }
            let decision = check_decision(case, decision)?;
            if decision.limit_cents.unwrap_or(0) > rules.four_eyes_above_cents {
                Ok((
                    CaseRow {
                        status: CaseStatus::AwaitingConfirmation.as_str().into(),
                        pending_action: serde_json::to_string(&decision).ok(),
                        pending_by: Some(actor.user_id),
                        claimed_by: None,
                        claimed_by_name: None,
                        claimed_at: None,
                        updated_at: now,
                        ..case.clone()
                    },
                    CaseEvent::DecisionProposed { decision },
                ))
            } else {
                Ok((
                    resolve(case, &decision, now),
                    CaseEvent::HumanDecision { decision },
                ))
            }
        }
        CaseCommand::Confirm | CaseCommand::Reject { .. } => {
            if status != CaseStatus::AwaitingConfirmation {
                return Err(CaseError::Refused(
                    "no decision is waiting for confirmation".into(),
                ));
            }
            let decision = pending(case)?;
            let proposed_by = case.pending_by.unwrap_or_default();
            if proposed_by == actor.user_id {
                return Err(CaseError::Refused(
                    "a second manager must confirm: nobody confirms their own proposal".into(),
                ));
            }
            match command {
                CaseCommand::Confirm => Ok((
                    resolve(case, &decision, now),
                    CaseEvent::DecisionConfirmed {
                        decision,
                        proposed_by,
                    },
                )),
                CaseCommand::Reject { reason } => {
                    let reason = check_text("reason", reason, 1)?;
                    Ok((
                        CaseRow {
                            // Back to where it stood before the proposal.
                            status: match &case.final_outcome {
                                None => CaseStatus::InReview,
                                Some(_)
                                    if Outcome::Refer == case.automated_outcome.as_str()
                                        || case.overridden =>
                                {
                                    CaseStatus::Resolved
                                }
                                Some(_) => CaseStatus::Decided,
                            }
                            .as_str()
                            .into(),
                            pending_action: None,
                            pending_by: None,
                            updated_at: now,
                            ..case.clone()
                        },
                        CaseEvent::ProposalRejected {
                            decision,
                            proposed_by,
                            reason,
                        },
                    ))
                }
                _ => unreachable!("matched above"),
            }
        }
    }
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
    if let Some(case) = store.case(decision_id).await? {
        transition(&case, actor, command, rules, now)?;
    }
    let recorded = std::sync::Mutex::new(None);
    let (case, _) = store
        .append_case_event(decision_id, &|case: &CaseRow| {
            let (next, event) =
                transition(case, actor, command, rules, now).map_err(|e| e.to_string())?;
            let record = EventRecord {
                event,
                by: actor.clone(),
                at: now,
            };
            let payload = serde_json::to_string(&record).map_err(|e| e.to_string())?;
            let decided = CaseStatus::Resolved == next.status.as_str()
                && matches!(
                    record.event,
                    CaseEvent::HumanDecision { .. } | CaseEvent::DecisionConfirmed { .. }
                );
            let in_force = next
                .final_outcome
                .as_deref()
                .and_then(|o| HumanOutcome::parse(o).ok());
            let monitoring = match (rules.monitor_every, in_force) {
                (Some(every), Some(HumanOutcome::Approve | HumanOutcome::CounterOffer))
                    if decided =>
                {
                    Some(MonitoringWrite::Enrol {
                        world: next.world.clone(),
                        siren: next.siren.clone(),
                        decision_id: next.decision_id.clone(),
                        granted_limit_cents: next.final_limit_cents.unwrap_or(0),
                        at: now,
                        next_check: now + every,
                    })
                }
                (_, Some(HumanOutcome::Decline)) if decided => Some(MonitoringWrite::Withdraw {
                    world: next.world.clone(),
                    siren: next.siren.clone(),
                    decision_id: next.decision_id.clone(),
                }),
                _ => None,
            };
            let audit = NewAuditRecord {
                id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
                kind: record.event.kind().to_owned(),
                decision_id: case.decision_id.clone(),
                world: case.world.clone(),
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
            Ok((next, audit))
        })
        .await?;
    let record = recorded
        .into_inner()
        .ok()
        .flatten()
        .ok_or_else(|| CaseError::Refused("the action was not recorded".into()))?;
    Ok((case, record))
}

/// The case a new decision opens.
pub fn new_case(r: &RecordedDecision, company_name: Option<String>, origin: &Origin) -> CaseRow {
    let d = &r.decision;
    let (status, final_limit) = match d.outcome {
        Outcome::Approve => (CaseStatus::Decided, Some(d.proposed_limit_cents)),
        Outcome::Decline => (CaseStatus::Decided, Some(0)),
        Outcome::Refer => (CaseStatus::InReview, None),
    };
    let referrals: Vec<&str> = d.referrals.iter().map(|r| r.as_str()).collect();
    CaseRow {
        decision_id: r.id.clone(),
        world: r.request.world.as_str().to_owned(),
        siren: r.request.siren.to_string(),
        company_name,
        product: r.request.application.product.as_str().to_owned(),
        amount_cents: r.request.application.amount_cents,
        automated_outcome: d.outcome.as_str().to_owned(),
        status: status.as_str().to_owned(),
        final_outcome: d.outcome.in_force().map(|o| o.as_str().to_owned()),
        final_limit_cents: final_limit,
        referrals: referrals.join(","),
        score: i64::from(d.score),
        grade: d.grade.clone(),
        probability_of_default: d.probability_of_default,
        proposed_limit_cents: d.proposed_limit_cents,
        coverage: i64::from(d.coverage),
        fraud: i64::try_from(d.fraud_flags.len()).unwrap_or(i64::MAX),
        decided_at: r.decided_at,
        updated_at: r.decided_at,
        latency_ms: i64::try_from(r.latency.total_ms).unwrap_or(i64::MAX),
        submitted_by: origin.user_id,
        api_key_id: origin.api_key_id.clone(),
        model_bins: crate::engine::drift::bins(d, crate::engine::model::Model::committed()),
        external_reference: r.request.external_reference.clone(),
        claimed_by: None,
        claimed_by_name: None,
        claimed_at: None,
        pending_action: None,
        pending_by: None,
        overridden: false,
        events: 0,
    }
}

#[cfg(test)]
mod tests;

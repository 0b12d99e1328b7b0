//! A decision's case: where it stands (`Case`), what a credit manager may do to it
//! (`CaseCommand`) and the state machine that decides what a command does (`transition`):
//! claiming, notes, human decisions (approve, decline, counter-offer) and a second manager's
//! confirmation above the four-eyes amount. Pure: the server records what `transition` returns
//! in the same transaction as the audit record.

use crate::engine::Outcome;
use crate::people::Role;
use crate::record::{Actor, CaseEvent, HumanDecision, Origin, RecordedDecision};
use crate::sources::World;
use crate::vocabulary::{CaseStatus, HumanOutcome, Product, Referral};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The categories a human decision is filed under; one is mandatory with every decision.
pub const DECISION_CATEGORIES: [&str; 8] = [
    "additional_documents",
    "guarantee",
    "relationship_history",
    "data_error",
    "risk_appetite",
    "fraud_suspected",
    "fraud_cleared",
    "other",
];

/// Shortest written justification accepted with a human decision, in characters.
pub const MIN_JUSTIFICATION_CHARS: usize = 20;

/// What a credit manager does to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum CaseCommand {
    /// Take the case, so that nobody else works on it.
    Claim,
    /// Give it back to the queue.
    Release,
    Note {
        text: String,
    },
    /// Approve, decline or counter-offer (held for a second manager above the four-eyes amount).
    Decide {
        decision: HumanDecision,
    },
    /// As the second manager, confirm a proposed decision.
    Confirm,
    /// As the second manager, send a proposed decision back, saying why.
    Reject {
        reason: String,
    },
}

/// Longest note or justification accepted, in characters.
pub const MAX_TEXT_CHARS: usize = 4_000;

/// The rules of human decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseRules {
    /// Granting more than this (approval or counter-offer) needs a second manager.
    pub four_eyes_above_cents: i64,
    /// A grant (approval or counter-offer) enrols the company in monitoring, first checked
    /// this long after; `None`: no enrolment.
    pub monitor_every: Option<chrono::Duration>,
}

/// Who holds a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub by: i64,
    pub name: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// A human decision waiting for a second manager, and who proposed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub decision: HumanDecision,
    pub by: i64,
}

/// Where a decision's case stands. The store keeps it as a row of plain columns and maps it at
/// its edge; everything here is typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub decision_id: String,
    pub world: World,
    pub siren: String,
    pub company_name: Option<String>,
    pub product: Product,
    pub amount_cents: i64,
    /// As the engine decided.
    pub automated_outcome: Outcome,
    pub status: CaseStatus,
    /// The outcome in force; `None` while in review.
    pub final_outcome: Option<HumanOutcome>,
    pub final_limit_cents: Option<i64>,
    pub referrals: Vec<Referral>,
    pub score: i64,
    pub grade: String,
    pub probability_of_default: f64,
    pub proposed_limit_cents: i64,
    pub coverage: i64,
    /// Number of fraud flags.
    pub fraud: i64,
    pub decided_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub latency_ms: i64,
    /// The workspace user who submitted the application, if it came from the browser.
    pub submitted_by: Option<i64>,
    /// The API key that submitted it, if it came through the API.
    pub api_key_id: Option<String>,
    pub external_reference: Option<String>,
    pub claim: Option<Claim>,
    pub pending: Option<Proposal>,
    pub overridden: bool,
    /// Human events recorded since the decision.
    pub events: i64,
    /// The decision's score and model inputs against the training deciles
    /// (`engine::drift::bins`); `None` when not computed.
    pub model_bins: Option<String>,
}

/// Why a command was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    #[error("{field}: {message}")]
    Invalid { field: String, message: String },
    /// The case's state does not allow it (claimed by someone else, already resolved…).
    #[error("{0}")]
    Refused(String),
    #[error("only credit managers act on cases")]
    Forbidden,
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
pub fn check_decision(case: &Case, d: &HumanDecision) -> Result<HumanDecision, CaseError> {
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

impl Case {
    /// The case a new decision opens.
    pub fn opened_by(r: &RecordedDecision, company_name: Option<String>, origin: &Origin) -> Case {
        let d = &r.decision;
        let (status, final_limit) = match d.outcome {
            Outcome::Approve => (CaseStatus::Decided, Some(d.proposed_limit_cents)),
            Outcome::Decline => (CaseStatus::Decided, Some(0)),
            Outcome::Refer => (CaseStatus::InReview, None),
        };
        Case {
            decision_id: r.id.clone(),
            world: r.request.world,
            siren: r.request.siren.to_string(),
            company_name,
            product: r.request.application.product,
            amount_cents: r.request.application.amount_cents,
            automated_outcome: d.outcome,
            status,
            final_outcome: d.outcome.in_force(),
            final_limit_cents: final_limit,
            referrals: d.referrals.clone(),
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
            external_reference: r.request.external_reference.clone(),
            claim: None,
            pending: None,
            overridden: false,
            events: 0,
            model_bins: crate::engine::drift::bins(d, crate::engine::model::Model::committed()),
        }
    }

    /// The case once a human decision is in force.
    fn resolved(&self, d: &HumanDecision, now: DateTime<Utc>) -> Case {
        let same_as_automated = match d.outcome {
            HumanOutcome::Approve => self.automated_outcome == Outcome::Approve,
            HumanOutcome::Decline => self.automated_outcome == Outcome::Decline,
            HumanOutcome::CounterOffer => false,
        };
        Case {
            status: CaseStatus::Resolved,
            final_outcome: Some(d.outcome),
            final_limit_cents: Some(d.limit_cents.unwrap_or(0)),
            overridden: self.automated_outcome != Outcome::Refer && !same_as_automated,
            claim: None,
            pending: None,
            updated_at: now,
            ..self.clone()
        }
    }
}

/// Decides what a command does to a case: the new case and the event, or why not.
pub fn transition(
    case: &Case,
    actor: &Actor,
    command: &CaseCommand,
    rules: CaseRules,
    now: DateTime<Utc>,
) -> Result<(Case, CaseEvent), CaseError> {
    if actor.role != Role::CreditManager {
        return Err(CaseError::Forbidden);
    }
    let holder = || {
        case.claim
            .as_ref()
            .and_then(|c| c.name.clone())
            .unwrap_or_else(|| "another manager".into())
    };
    let claimed_by = case.claim.as_ref().map(|c| c.by);
    let workable = matches!(
        case.status,
        CaseStatus::InReview | CaseStatus::Decided | CaseStatus::Resolved
    );
    match command {
        CaseCommand::Claim => {
            if !workable {
                return Err(CaseError::Refused(
                    "the case is waiting for a second manager's confirmation".into(),
                ));
            }
            match claimed_by {
                Some(id) if id == actor.user_id => {
                    Err(CaseError::Refused("you already hold this case".into()))
                }
                Some(_) => Err(CaseError::Refused(format!(
                    "the case is held by {}",
                    holder()
                ))),
                None => Ok((
                    Case {
                        claim: Some(Claim {
                            by: actor.user_id,
                            name: Some(actor.display_name.clone()),
                            at: Some(now),
                        }),
                        updated_at: now,
                        ..case.clone()
                    },
                    CaseEvent::Claimed,
                )),
            }
        }
        CaseCommand::Release => {
            if claimed_by != Some(actor.user_id) {
                return Err(CaseError::Refused("you do not hold this case".into()));
            }
            Ok((
                Case {
                    claim: None,
                    updated_at: now,
                    ..case.clone()
                },
                CaseEvent::Released,
            ))
        }
        CaseCommand::Note { text } => {
            let text = check_text("note", text, 1)?;
            Ok((
                Case {
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
            match claimed_by {
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
                    Case {
                        status: CaseStatus::AwaitingConfirmation,
                        pending: Some(Proposal {
                            decision: decision.clone(),
                            by: actor.user_id,
                        }),
                        claim: None,
                        updated_at: now,
                        ..case.clone()
                    },
                    CaseEvent::DecisionProposed { decision },
                ))
            } else {
                Ok((
                    case.resolved(&decision, now),
                    CaseEvent::HumanDecision { decision },
                ))
            }
        }
        CaseCommand::Confirm | CaseCommand::Reject { .. } => {
            let (CaseStatus::AwaitingConfirmation, Some(proposal)) = (case.status, &case.pending)
            else {
                return Err(CaseError::Refused(
                    "no decision is waiting for confirmation".into(),
                ));
            };
            let decision = proposal.decision.clone();
            let proposed_by = proposal.by;
            if proposed_by == actor.user_id {
                return Err(CaseError::Refused(
                    "a second manager must confirm: nobody confirms their own proposal".into(),
                ));
            }
            match command {
                CaseCommand::Reject { reason } => {
                    let reason = check_text("reason", reason, 1)?;
                    Ok((
                        Case {
                            // Back to where it stood before the proposal.
                            status: match &case.final_outcome {
                                None => CaseStatus::InReview,
                                Some(_)
                                    if case.automated_outcome == Outcome::Refer
                                        || case.overridden =>
                                {
                                    CaseStatus::Resolved
                                }
                                Some(_) => CaseStatus::Decided,
                            },
                            pending: None,
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
                _ => Ok((
                    case.resolved(&decision, now),
                    CaseEvent::DecisionConfirmed {
                        decision,
                        proposed_by,
                    },
                )),
            }
        }
    }
}

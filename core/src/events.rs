//! The events lenders receive by webhook, as types: what each event's `data` holds. The server
//! builds them from the change that causes them and queues them in the same transaction.
//!
//! - `decision.created`: a decision was made (by the API, the workspace or monitoring);
//! - `decision.updated`: a person changed where a decision stands (a human decision, a proposal
//!   waiting for a second manager, its confirmation or its rejection);
//! - `company.risk_changed`: monitoring found a monitored company worse than when it was last
//!   seen (grade down, a new collective proceeding, a limit now below the one granted);
//! - `monitoring.source_failed`: monitoring could not check a company because a source did not
//!   answer;
//! - `credit_limit.changed`: a company's credit line changed: granted, raised automatically by
//!   monitoring, or set by a credit manager.

use crate::case::Case;
use crate::engine::Outcome;
use crate::ids::Siren;
use crate::people::Role;
use crate::record::{CaseEvent, EventRecord, HumanDecision, RecordedDecision, RiskChange};
use crate::sources::World;
use crate::vocabulary::{CaseStatus, HumanOutcome, Product, Referral};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub const DECISION_CREATED: &str = "decision.created";
pub const DECISION_UPDATED: &str = "decision.updated";
pub const RISK_CHANGED: &str = "company.risk_changed";
pub const SOURCE_FAILED: &str = "monitoring.source_failed";
pub const CREDIT_LIMIT_CHANGED: &str = "credit_limit.changed";
/// The audit log signed a checkpoint (its size and root): kept outside, it lets the lender prove
/// later that the log was not truncated, rewritten or forked. Sent to endpoints of both modes.
pub const AUDIT_CHECKPOINT: &str = "audit.checkpoint";
/// Sent to one endpoint when its owner asks (`POST /webhook-endpoints/{id}/test`), whatever it
/// subscribes to; not an event an endpoint subscribes to.
pub const ENDPOINT_TEST: &str = "endpoint.test";

/// Every event type, in the order screens list them.
pub const EVENT_TYPES: [&str; 6] = [
    DECISION_CREATED,
    DECISION_UPDATED,
    RISK_CHANGED,
    SOURCE_FAILED,
    CREDIT_LIMIT_CHANGED,
    AUDIT_CHECKPOINT,
];

/// What a decision's events say of it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionSummary {
    pub decision_id: String,
    pub decided_at: DateTime<Utc>,
    pub mode: World,
    pub siren: Siren,
    pub product: Product,
    pub requested_cents: i64,
    pub outcome: Outcome,
    pub score: u32,
    pub grade: String,
    pub probability_of_default: f64,
    pub proposed_limit_cents: i64,
    pub reason_codes: Vec<String>,
    pub referrals: Vec<Referral>,
    pub fraud_flags: Vec<String>,
    pub data_coverage: u32,
    pub external_reference: Option<String>,
    pub model_version: String,
    pub policy_version: String,
}

impl DecisionSummary {
    pub fn of(r: &RecordedDecision) -> Self {
        let d = &r.decision;
        DecisionSummary {
            decision_id: r.id.clone(),
            decided_at: r.decided_at,
            mode: r.request.world,
            siren: r.request.siren.clone(),
            product: r.request.application.product,
            requested_cents: d.requested_cents,
            outcome: d.outcome,
            score: d.score,
            grade: d.grade.clone(),
            probability_of_default: d.probability_of_default,
            proposed_limit_cents: d.proposed_limit_cents,
            reason_codes: d.reasons.iter().map(|x| x.code.clone()).collect(),
            referrals: d.referrals.clone(),
            fraud_flags: d.fraud_flags.iter().map(|f| f.code.clone()).collect(),
            data_coverage: d.coverage,
            external_reference: r.request.external_reference.clone(),
            model_version: d.versions.model.clone(),
            policy_version: d.versions.policy.clone(),
        }
    }
}

/// Who submitted a decision.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Submitter {
    Api,
    Workspace,
    Monitoring,
}

/// `decision.created`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionCreated {
    #[serde(flatten)]
    pub decision: DecisionSummary,
    pub status: CaseStatus,
    pub company_name: Option<String>,
    pub origin: Submitter,
    pub monitoring_of: Option<String>,
}

impl DecisionCreated {
    pub fn of(r: &RecordedDecision, case: &Case) -> Self {
        DecisionCreated {
            decision: DecisionSummary::of(r),
            status: case.status,
            company_name: case.company_name.clone(),
            origin: if r.origin.monitoring_of.is_some() {
                Submitter::Monitoring
            } else if r.origin.api_key_id.is_some() {
                Submitter::Api
            } else {
                Submitter::Workspace
            },
            monitoring_of: r.origin.monitoring_of.clone(),
        }
    }
}

/// The person behind a `decision.updated`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventAuthor {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
}

/// `decision.updated`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionUpdated {
    pub decision_id: String,
    pub mode: World,
    pub siren: String,
    /// The case event's kind: `human_decision`, `decision_proposed`, `decision_confirmed` or
    /// `proposal_rejected`.
    pub action: String,
    pub status: CaseStatus,
    pub final_outcome: Option<HumanOutcome>,
    pub final_limit_cents: Option<i64>,
    pub overridden: bool,
    pub human_decision: HumanDecision,
    pub by: EventAuthor,
    pub at: DateTime<Utc>,
}

impl DecisionUpdated {
    /// The event of a person's action, for the actions that change where the decision stands
    /// (claims, releases and notes send none).
    pub fn of(case: &Case, record: &EventRecord) -> Option<Self> {
        let decision = match &record.event {
            CaseEvent::Claimed | CaseEvent::Released | CaseEvent::Note { .. } => return None,
            CaseEvent::DecisionProposed { decision }
            | CaseEvent::DecisionConfirmed { decision, .. }
            | CaseEvent::ProposalRejected { decision, .. }
            | CaseEvent::HumanDecision { decision } => decision,
        };
        Some(DecisionUpdated {
            decision_id: case.decision_id.clone(),
            mode: case.world,
            siren: case.siren.clone(),
            action: record.event.kind().to_owned(),
            status: case.status,
            final_outcome: case.final_outcome,
            final_limit_cents: case.final_limit_cents,
            overridden: case.overridden,
            human_decision: decision.clone(),
            by: EventAuthor {
                user_id: record.by.user_id,
                name: record.by.display_name.clone(),
                role: record.by.role,
            },
            at: record.at,
        })
    }
}

/// The monitored grant an event is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant<'a> {
    pub world: &'a str,
    pub siren: &'a str,
    pub decision_id: &'a str,
    pub granted_limit_cents: i64,
}

/// `company.risk_changed`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskChanged {
    pub mode: String,
    pub siren: String,
    pub granted_decision_id: String,
    pub granted_limit_cents: i64,
    pub changes: Vec<RiskChange>,
    pub previous: DecisionSummary,
    pub new: DecisionSummary,
}

impl RiskChanged {
    pub fn of(
        grant: &Grant<'_>,
        previous: &RecordedDecision,
        new: &RecordedDecision,
        changes: &[RiskChange],
    ) -> Self {
        RiskChanged {
            mode: grant.world.to_owned(),
            siren: grant.siren.to_owned(),
            granted_decision_id: grant.decision_id.to_owned(),
            granted_limit_cents: grant.granted_limit_cents,
            changes: changes.to_vec(),
            previous: DecisionSummary::of(previous),
            new: DecisionSummary::of(new),
        }
    }
}

/// `credit_limit.changed`: one change of a company's line for one product.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditLimitChanged {
    pub mode: String,
    pub siren: String,
    pub product: Product,
    /// The line's version after the change (1 for its first grant).
    pub version: i64,
    pub change: crate::vocabulary::LineChange,
    /// The limit before; none for a line just opened (or opened again after it was closed).
    pub previous_limit_cents: Option<i64>,
    pub limit_cents: i64,
    /// The grant the line rests on.
    pub grant_decision_id: String,
    /// The decision the change comes from (for an automatic increase, the monitoring check's
    /// `credit_line_increase` decision, replayable like any other).
    pub decision_id: String,
    /// The audit record that made the change.
    pub record_id: String,
    pub by: crate::vocabulary::LineActor,
    /// The credit manager, for a person's change.
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
    pub reasons: Vec<crate::record::ReasonText>,
}

/// One source that did not answer a monitoring check.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFailure {
    pub source: String,
    pub error: String,
}

/// `monitoring.source_failed`.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFailed {
    pub mode: String,
    pub siren: String,
    pub granted_decision_id: String,
    pub sources: Vec<SourceFailure>,
    pub next_check_at: DateTime<Utc>,
}

impl SourceFailed {
    pub fn of(grant: &Grant<'_>, failures: &[(String, String)], next_check: DateTime<Utc>) -> Self {
        SourceFailed {
            mode: grant.world.to_owned(),
            siren: grant.siren.to_owned(),
            granted_decision_id: grant.decision_id.to_owned(),
            sources: failures
                .iter()
                .map(|(source, error)| SourceFailure {
                    source: source.clone(),
                    error: error.clone(),
                })
                .collect(),
            next_check_at: next_check,
        }
    }
}

/// `endpoint.test`: a signed delivery like any other, to check the receiver end to end.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointTest {
    pub mode: String,
    pub endpoint_id: String,
    pub requested_at: DateTime<Utc>,
}

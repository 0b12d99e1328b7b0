//! The records the audit trail keeps and the webhook events carry: a decision with what it was
//! asked and the data it read, who submitted it, and what people did to its case afterwards.
//! A leaf: these types name nothing above them, so deciding, cases, events and the API all
//! build on them without importing each other.

use crate::engine::{Application, Decision};
use crate::ids::{Iban, Siren};
use crate::people::{Role, SessionUser};
use crate::sources::{BankConnection, Snapshot, SourceId, SourceOutcome, SourceRequest, World};
use crate::vocabulary::HumanOutcome;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What the lender asks, already validated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionRequest {
    pub world: World,
    pub siren: Siren,
    pub application: Application,
    /// Factoring: the paying customer.
    pub debtor_siren: Option<Siren>,
    pub bank_connection: Option<BankConnection>,
    pub accounting_ref: Option<String>,
    pub iban: Option<Iban>,
    pub external_reference: Option<String>,
}

/// A snapshot's description as recorded (the body is stored once, by hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotMeta {
    pub source: SourceId,
    pub provider: String,
    pub request: String,
    pub status: u16,
    pub content_type: String,
    pub fetched_at: DateTime<Utc>,
    pub latency_ms: u64,
    pub sha256: String,
    pub size: u64,
}

impl SnapshotMeta {
    pub fn of(s: &Snapshot) -> Self {
        SnapshotMeta {
            source: s.source,
            provider: s.provider.clone(),
            request: s.request.clone(),
            status: s.status,
            content_type: s.content_type.clone(),
            fetched_at: s.fetched_at,
            latency_ms: s.latency_ms,
            sha256: s.sha256.clone(),
            size: s.size,
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Latency {
    pub gathering_ms: u64,
    pub engine_us: u64,
    pub total_ms: u64,
}

/// A decision as the audit trail keeps it: everything needed to explain and replay it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordedDecision {
    pub id: String,
    pub decided_at: DateTime<Utc>,
    pub request: DecisionRequest,
    /// The request as the sources saw it (with the sandbox's implied connections).
    pub source_request: SourceRequest,
    pub sources: Vec<SourceOutcome>,
    pub snapshots: Vec<SnapshotMeta>,
    pub debtor_source_request: Option<SourceRequest>,
    pub debtor_snapshots: Vec<SnapshotMeta>,
    pub decision: Decision,
    pub latency: Latency,
    /// Who submitted the application (API key or workspace user).
    #[serde(default)]
    pub origin: Origin,
}

/// Who did something, as the audit record names them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
}

impl From<&SessionUser> for Actor {
    fn from(u: &SessionUser) -> Self {
        Actor {
            user_id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            role: u.role,
        }
    }
}

/// Who submitted an application.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Origin {
    /// The API key, for applications sent by the lender's systems.
    pub api_key_id: Option<String>,
    /// The workspace user, for applications entered in the browser.
    pub user_id: Option<i64>,
    /// For a monitoring check: the decision whose grant is being watched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_of: Option<String>,
    /// For a monitoring check that found a material change: what it was compared with and
    /// what changed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monitoring_review: Option<MonitoringReview>,
    /// For a monitoring check of a company holding a line: whether the line grows, and why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_review: Option<LineReview>,
}

/// A reason as the credit-line ledger and its events keep it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReasonText {
    pub code: String,
    pub text_en: String,
    pub text_fr: String,
}

impl From<&crate::engine::reasons::Reason> for ReasonText {
    fn from(r: &crate::engine::reasons::Reason) -> Self {
        ReasonText {
            code: r.code.clone(),
            text_en: r.text_en.clone(),
            text_fr: r.text_fr.clone(),
        }
    }
}

/// What a monitoring check made of a company's line (`engine::increase`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineReview {
    pub product: crate::vocabulary::Product,
    /// The line's version the check read; the increase applies only to this version.
    pub line_version: i64,
    pub previous_limit_cents: i64,
    /// The limit the line grows to; none when the increase is blocked.
    pub new_limit_cents: Option<i64>,
    pub verdict: IncreaseVerdict,
    pub reasons: Vec<ReasonText>,
}

/// What became of an increase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncreaseVerdict {
    /// Applied by the engine within its authority.
    Applied,
    /// Beyond the authority or referred by the engine: a credit manager decides.
    Proposed,
    /// A condition stops it.
    Blocked,
}

/// Why monitoring opened a review, kept with the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringReview {
    /// The decision the company was last seen with.
    pub previous_decision_id: String,
    pub granted_limit_cents: i64,
    pub changes: Vec<RiskChange>,
    /// The reduced limit the engine proposes for the line (the grant's application decided
    /// again), when it is below the line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposed_limit_cents: Option<i64>,
}

/// A person's decision as proposed or taken: outcome, limit, category and justification.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HumanDecision {
    pub outcome: HumanOutcome,
    /// The limit granted: the amount asked for an approval, the offered limit for a counter-offer,
    /// none for a decline.
    pub limit_cents: Option<i64>,
    pub category: String,
    pub justification: String,
}

/// What happened to a case, as its audit record's payload keeps it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CaseEvent {
    Claimed,
    Released,
    Note {
        text: String,
    },
    /// A decision above the four-eyes amount, waiting for a second manager.
    DecisionProposed {
        decision: HumanDecision,
    },
    DecisionConfirmed {
        decision: HumanDecision,
        proposed_by: i64,
    },
    ProposalRejected {
        decision: HumanDecision,
        proposed_by: i64,
        reason: String,
    },
    /// A decision taken by one manager (at or below the four-eyes amount).
    HumanDecision {
        decision: HumanDecision,
    },
}

impl CaseEvent {
    /// The audit record's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            CaseEvent::Claimed => "claimed",
            CaseEvent::Released => "released",
            CaseEvent::Note { .. } => "note",
            CaseEvent::DecisionProposed { .. } => "decision_proposed",
            CaseEvent::DecisionConfirmed { .. } => "decision_confirmed",
            CaseEvent::ProposalRejected { .. } => "proposal_rejected",
            CaseEvent::HumanDecision { .. } => "human_decision",
        }
    }
}

/// An event with its author and time: the payload of the audit record.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord {
    #[serde(flatten)]
    pub event: CaseEvent,
    pub by: Actor,
    pub at: DateTime<Utc>,
}

/// What monitoring found worse, in the order the event lists them.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "change", rename_all = "snake_case")]
pub enum RiskChange {
    GradeDown {
        from: String,
        to: String,
    },
    /// The collective-proceeding status rose (0 none, 1 under a plan, 2 open, 3 closed for
    /// insufficient assets).
    Proceeding {
        from: i64,
        to: i64,
    },
    LimitBelowGranted {
        granted_cents: i64,
        proposed_cents: i64,
    },
}

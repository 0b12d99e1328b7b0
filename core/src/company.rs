//! A company as the lender holds it: its credit lines with their history, its grade over time,
//! its monitoring and its open cases. The same type is the body of
//! `GET /api/v1/companies/{siren}` and what the company page shows.

use crate::record::ReasonText;
use crate::vocabulary::{CaseStatus, LineActor, LineChange, Product, Referral};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One change of a line.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineChangeView {
    pub version: i64,
    pub change: LineChange,
    pub previous_limit_cents: Option<i64>,
    pub limit_cents: i64,
    pub by: LineActor,
    /// The person, for a person's change.
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
    /// The decision the change comes from.
    pub decision_id: String,
    pub reasons: Vec<ReasonText>,
}

/// A line for one product, with its history (newest change first).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub product: Product,
    pub limit_cents: i64,
    /// `active` or `closed`.
    pub status: String,
    pub version: i64,
    /// The grant the line rests on.
    pub granted_limit_cents: i64,
    pub grant_decision_id: String,
    pub grant_grade: String,
    pub opened_at: DateTime<Utc>,
    pub changed_at: DateTime<Utc>,
    pub last_increase_at: Option<DateTime<Utc>>,
    pub history: Vec<LineChangeView>,
}

/// A decision's grade and probability of default.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssessmentView {
    pub decision_id: String,
    pub at: DateTime<Utc>,
    pub product: Product,
    pub score: i64,
    pub grade: String,
    pub probability_of_default: f64,
    pub outcome: String,
    /// `api`, `workspace` or `monitoring`.
    pub origin: String,
}

/// Where monitoring stands for the company.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringStatus {
    /// The grant monitoring watches.
    pub decision_id: String,
    pub enrolled_at: DateTime<Utc>,
    pub last_checked_at: Option<DateTime<Utc>>,
    /// `unchanged`, `risk_changed`, `increased`, `increase_proposed`, `superseded` or
    /// `source_failed`.
    pub last_result: Option<String>,
    pub last_decision_id: Option<String>,
    pub next_check_at: DateTime<Utc>,
}

/// A case still waiting for a credit manager.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenCaseView {
    pub decision_id: String,
    pub product: Product,
    pub amount_cents: i64,
    pub status: CaseStatus,
    pub referrals: Vec<Referral>,
    pub decided_at: DateTime<Utc>,
}

/// A company as the lender holds it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyView {
    pub mode: String,
    pub siren: String,
    pub company_name: Option<String>,
    pub lines: Vec<LineView>,
    /// The sum of the active lines.
    pub exposure_cents: i64,
    /// Σ PD × LGD × limit over the active lines, with the latest probability of default and
    /// the policy's loss given default.
    pub expected_loss_cents: i64,
    pub loss_given_default: f64,
    /// Oldest first, at most the last 100.
    pub assessments: Vec<AssessmentView>,
    pub monitoring: Option<MonitoringStatus>,
    pub open_cases: Vec<OpenCaseView>,
}

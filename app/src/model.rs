//! Types shared by the browser and the server.

use serde::{Deserialize, Serialize};

pub use aval_core::people::{Role, SessionUser, UnknownRole};

/// The user of the page being shown, or `None` when signed out. Provided as context.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CurrentSession(pub Option<SessionUser>);

/// One row of the admin's user list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub active: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_sign_in_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A generated password an admin has just issued (new account or reset), shown once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedPassword {
    pub username: String,
    pub password: String,
}

/// Active users per role, for the admin's home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleCount {
    pub role: Role,
    pub active_users: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_role_round_trips_through_its_identifier() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
    }

    #[test]
    fn an_unknown_role_is_rejected_with_the_expected_names() {
        let err = "boss".parse::<Role>().unwrap_err();
        assert!(err.to_string().contains("`boss`"));
        assert!(err.to_string().contains("credit_manager"));
    }
}

/// The audit chain's state, for auditors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStatus {
    pub records: u64,
    pub intact: bool,
    /// The first record that does not fit: position, id, what is wrong.
    pub first_broken: Option<(i64, String, String)>,
}

/// The verdict of a replay, for auditors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayVerdict {
    pub decision_id: String,
    /// `recorded` (the decision's own versions) or `current` (today's).
    pub mode: String,
    pub identical: bool,
    /// Each difference: JSON pointer, recorded value, replayed value (as JSON text).
    pub differences: Vec<(String, String, String)>,
    /// The model and policy versions the replay ran with.
    pub model_version: String,
    pub policy_version: String,
    /// What else the auditor should know, for example a different engine build.
    pub notes: Vec<String>,
}

pub use aval_core::record::HumanDecision;
pub use aval_core::vocabulary::{
    CaseStatus, HumanOutcome, Outcome, Product, Referral, OUTCOMES_IN_FORCE,
};

pub use aval_core::case::{CaseCommand, DECISION_CATEGORIES, MIN_JUSTIFICATION_CHARS};

/// A decision's case as lists show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    pub decision_id: String,
    pub siren: String,
    pub company_name: Option<String>,
    /// `bnpl`, `factoring` or `credit_line_increase`.
    pub product: String,
    pub amount_cents: i64,
    /// `approve`, `refer` or `decline`, as the engine decided.
    pub automated_outcome: String,
    /// `decided`, `in_review`, `awaiting_confirmation` or `resolved`.
    pub status: String,
    /// The outcome in force; `None` while in review.
    pub final_outcome: Option<String>,
    pub final_limit_cents: Option<i64>,
    pub referrals: Vec<String>,
    pub score: i64,
    pub grade: String,
    pub probability_of_default: f64,
    pub proposed_limit_cents: i64,
    pub coverage: i64,
    pub fraud: i64,
    pub decided_at: chrono::DateTime<chrono::Utc>,
    pub claimed_by_name: Option<String>,
    pub overridden: bool,
    /// Minutes since the decision, when the list was made.
    pub age_minutes: i64,
}

/// One page of cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseList {
    pub cases: Vec<CaseSummary>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    /// Service target of a referred case, in minutes (for the age column).
    pub target_minutes: i64,
}

/// What the review queue or a search asks for; empty strings mean "any".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseQuery {
    pub referral: String,
    pub product: String,
    pub siren: String,
    pub outcome: String,
    /// `yes`, `no` or empty.
    pub overridden: String,
    /// `YYYY-MM-DD`, inclusive.
    pub from: String,
    /// `YYYY-MM-DD`, inclusive.
    pub to: String,
    pub sort: String,
    pub page: i64,
}

/// A reason code as a person reads it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReasonView {
    pub code: String,
    /// `knockout`, `policy`, `adverse`, `favourable`…
    pub kind: String,
    pub text_en: String,
    pub text_fr: String,
    pub value: Option<String>,
    pub threshold: Option<String>,
    /// Score points (positive raises the score).
    pub points: Option<f64>,
}

/// A human event on a case, as the case page lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventView {
    pub id: String,
    /// `claimed`, `note`, `decision_proposed`…
    pub kind: String,
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub decision: Option<HumanDecision>,
    /// A note's text or a rejection's reason.
    pub text: Option<String>,
}

/// A source's answer for a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceView {
    pub source: String,
    pub provider: String,
    pub answered: bool,
    pub missing_reason: Option<String>,
    pub latency_ms: u64,
}

/// Where one feature came from: source, snapshot, the part of the payload, and that part cut out
/// of the stored bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineageView {
    pub feature: String,
    pub value: Option<f64>,
    pub source: String,
    /// SHA-256 of the snapshot.
    pub snapshot: Option<String>,
    pub fetched_at: Option<chrono::DateTime<chrono::Utc>>,
    /// The request the snapshot answered.
    pub request: Option<String>,
    /// Where inside the payload.
    pub path: String,
    /// How the value was computed.
    pub transform: String,
    /// The payload around the path, line by line, and the line to highlight.
    pub excerpt: Vec<String>,
    pub highlight: Option<usize>,
}

/// Everything the case page shows, with what the viewer may do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseDetail {
    pub summary: CaseSummary,
    /// A review opened by monitoring: why, and against which grant.
    pub monitoring: Option<MonitoringReviewView>,
    /// For a line increase monitoring proposed: the line, the limits and why.
    pub line_review: Option<LineReviewView>,
    pub reasons: Vec<ReasonView>,
    pub fraud_flags: Vec<(String, Vec<String>)>,
    pub sources: Vec<SourceView>,
    pub events: Vec<EventView>,
    /// Each feature's origin (for credit managers and auditors; empty for sales reps).
    pub lineage: Vec<LineageView>,
    /// How the score is built, as an SVG waterfall drawn on the server (not for sales reps).
    pub waterfall_svg: Option<String>,
    /// The 90-day end-of-day balance (`None` without a bank connection, and for sales reps).
    pub balance: Option<BalanceView>,
    /// The financial ratios with the model's thresholds (empty without accounts).
    pub ratios: Vec<RatioView>,
    /// Published legal events and registry dates, newest first.
    pub legal_events: Vec<LegalEventView>,
    /// The legal-announcements source did not answer for this decision.
    pub legal_unavailable: bool,
    /// The decision waiting for a second manager, and who proposed it.
    pub pending: Option<(HumanDecision, String)>,
    pub model_version: String,
    pub policy_version: String,
    pub engine_version: String,
    /// Granting more than this needs a second manager.
    pub four_eyes_above_cents: i64,
    pub can_claim: bool,
    pub can_release: bool,
    pub can_decide: bool,
    pub can_confirm: bool,
    pub can_note: bool,
}

/// A company as the application form shows it before submitting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyPreview {
    pub siren: String,
    pub name: Option<String>,
    pub active: Option<bool>,
    pub created_on: Option<String>,
    /// Why nothing is known, when the registry did not answer.
    pub unavailable: Option<String>,
}

/// Which cases a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseScope {
    /// The sales rep's own applications.
    Mine,
    /// Cases waiting for a credit manager: in review or awaiting confirmation.
    Queue,
    /// Every decision (auditors' search).
    All,
}

/// What an API key may do. A key holds one or more; a request to an endpoint whose scope the
/// key lacks is refused (403 problem naming the scope).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ApiScope {
    /// Ask for decisions (`POST /decisions`).
    #[serde(rename = "decisions:write")]
    DecisionsWrite,
    /// Read decisions and companies.
    #[serde(rename = "decisions:read")]
    DecisionsRead,
    /// Register, change and test webhook endpoints, read and redeliver their deliveries.
    #[serde(rename = "webhooks:manage")]
    WebhooksManage,
    /// Read the audit log's checkpoints and proofs.
    #[serde(rename = "audit:read")]
    AuditRead,
}

/// Not a scope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownScope(pub String);

impl std::fmt::Display for UnknownScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not a scope (one of {})",
            self.0,
            ApiScope::ALL.map(ApiScope::as_str).join(", ")
        )
    }
}

impl ApiScope {
    /// Every scope, in the order screens list them. A key created without a choice holds all.
    pub const ALL: [ApiScope; 4] = [
        ApiScope::DecisionsWrite,
        ApiScope::DecisionsRead,
        ApiScope::WebhooksManage,
        ApiScope::AuditRead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ApiScope::DecisionsWrite => "decisions:write",
            ApiScope::DecisionsRead => "decisions:read",
            ApiScope::WebhooksManage => "webhooks:manage",
            ApiScope::AuditRead => "audit:read",
        }
    }

    /// The form field of the admin page's checkbox.
    pub fn field(self) -> &'static str {
        match self {
            ApiScope::DecisionsWrite => "scope_decisions_write",
            ApiScope::DecisionsRead => "scope_decisions_read",
            ApiScope::WebhooksManage => "scope_webhooks_manage",
            ApiScope::AuditRead => "scope_audit_read",
        }
    }
}

impl std::str::FromStr for ApiScope {
    type Err = UnknownScope;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ApiScope::ALL
            .into_iter()
            .find(|x| x.as_str() == s.trim())
            .ok_or_else(|| UnknownScope(s.to_owned()))
    }
}

/// An API key as the admin's list shows it: never the key itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeySummary {
    pub id: String,
    pub name: String,
    /// `sandbox` or `live`.
    pub mode: String,
    /// The key's first characters, to recognise it.
    pub display_prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub revoked_at: Option<chrono::DateTime<chrono::Utc>>,
    /// What the key may do.
    pub scopes: Vec<ApiScope>,
}

/// A model or policy version that has decided, as the admin sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VersionSummary {
    /// `model` or `policy`.
    pub kind: String,
    pub version: String,
    pub sha256: String,
    pub registered_at: chrono::DateTime<chrono::Utc>,
    /// In force now.
    pub active: bool,
}

/// The company's end-of-day balance over the 90 days before the decision, as a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BalanceView {
    /// The line chart, SVG drawn on the server.
    pub svg: String,
    pub days: u32,
    pub negative_days: u32,
    pub lowest_cents: i64,
    pub last_cents: i64,
}

/// One band of a ratio's scoring: `lower ≤ x < upper` and its effect on the score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BandView {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    /// Score points (positive is better, as in the waterfall).
    pub points: f64,
}

/// A financial ratio of the decision with the thresholds of the model that scored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatioView {
    /// The model's input key, for example `x10_equity_to_total_assets`.
    pub feature: String,
    pub value: Option<f64>,
    /// Score points this ratio gave.
    pub points: f64,
    /// The band it fell in, as the model wrote it (`0.6 ≤ x < 0.85`, `missing`).
    pub band: String,
    pub bands: Vec<BandView>,
    /// Where the value came from (FEC or filed accounts).
    pub source: Option<String>,
    /// The ratio's name in the interface language, when the server knows it.
    pub label: Option<String>,
    /// Its group, as reasons speak of it (profitability, debt service…), in the interface language.
    pub group: Option<String>,
    /// The median of the companies the model learned from.
    pub median: Option<f64>,
    /// Which tenth of those companies the value falls in (1 lowest to 10 highest).
    pub decile: Option<u8>,
    /// Why there is no value: `zero_denominator`, `not_given`, `no_accounts`…
    pub missing: Option<String>,
}

/// One published legal event, for the timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LegalEventView {
    /// The effective date (judgment date for proceedings).
    pub date: chrono::NaiveDate,
    pub published_on: Option<chrono::NaiveDate>,
    /// `critical` (proceeding opened, radiation, ceased), `warning` (plan, director change),
    /// `info` (registration, accounts filed).
    pub severity: String,
    /// What happened, in the interface language.
    pub text: String,
    pub court: Option<String>,
    /// The registry's record id (BODACC announcement), for checking at the source.
    pub reference: Option<String>,
}

/// Windows the dashboard offers, in days.
pub const DASHBOARD_WINDOWS: [u32; 3] = [7, 30, 90];

/// A chart drawn on the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChartView {
    /// Stable id, for tests and anchors (`outcomes_per_day`, …).
    pub id: String,
    pub title: String,
    pub svg: String,
}

/// The supervisors' dashboard over the last `days` days of the workspace's world.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DashboardView {
    pub days: u32,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub decisions: i64,
    /// Share decided without a person (approve or decline by the engine).
    pub automatic_share: Option<f64>,
    /// Approvals (and counter-offers) among the decisions in force.
    pub approval_rate: Option<f64>,
    /// Automatic decisions a credit manager changed, among the automatic decisions.
    pub override_rate: Option<f64>,
    pub overrides: i64,
    pub automatic_decisions: i64,
    pub queue_size: i64,
    pub queue_over_target: i64,
    pub oldest_hours: Option<i64>,
    pub service_target_hours: u32,
    pub latency_p50_ms: Option<i64>,
    pub latency_p99_ms: Option<i64>,
    pub charts: Vec<ChartView>,
    /// Drift of the model in force against its training data.
    pub drift: Option<DriftView>,
    /// The granted lines today and their changes over the window.
    pub portfolio: Option<PortfolioView>,
}

/// The world's active credit lines by product and grade, with their expected loss, and the
/// automatic increases of the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioView {
    pub rows: Vec<PortfolioRowView>,
    pub lines: i64,
    pub exposure_cents: i64,
    pub expected_loss_cents: i64,
    pub loss_given_default: f64,
    /// Lines raised by monitoring in the window, and by how much in all.
    pub automatic_increases: i64,
    pub automatic_increase_cents: i64,
    /// Increases monitoring proposed to people (beyond the automatic authority) in the window.
    pub referred_increases: i64,
    /// Automatic increases per day (amount), as a chart.
    pub increases_chart: ChartView,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioRowView {
    pub product: String,
    pub grade: String,
    pub lines: i64,
    pub exposure_cents: i64,
    pub expected_loss_cents: i64,
}

/// The company page: the company as the API gives it, and its probability of default over
/// time as a chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompanyPageView {
    pub company: aval_core::company::CompanyView,
    pub pd_chart: ChartView,
}

/// The population stability of the model in force: its score and each input, over the window
/// and month by month, against the training companies' deciles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftView {
    pub model_version: String,
    pub decisions: i64,
    /// `YYYY-MM`, oldest first.
    pub months: Vec<String>,
    /// The model's score first, then the inputs, most drifted first.
    pub rows: Vec<DriftRow>,
    /// The inputs most often without a value.
    pub missing: Vec<MissingRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftRow {
    pub key: String,
    pub label: String,
    /// Over the window; `None` without a known value.
    pub psi: Option<f64>,
    /// `stable`, `watch` or `act`.
    pub band: String,
    pub by_month: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingRow {
    pub key: String,
    pub label: String,
    pub unknown_share: f64,
    pub undefined_share: f64,
}

/// The event types a webhook endpoint can subscribe to.
pub use aval_core::events::EVENT_TYPES as WEBHOOK_EVENT_TYPES;

/// A webhook endpoint as the admin sees it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSummary {
    pub id: String,
    pub world: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub enabled: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Failed attempts in a row (0 while deliveries succeed).
    pub consecutive_failures: i64,
    /// Why the dispatcher disabled it, when it did.
    pub disabled_reason: Option<String>,
}

/// Why monitoring opened a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringReviewView {
    pub granted_decision_id: String,
    pub previous_decision_id: String,
    pub granted_limit_cents: i64,
    /// Each change, in the viewer's language.
    pub changes: Vec<String>,
}

/// An increase of a company's line proposed by monitoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineReviewView {
    pub product: String,
    pub previous_limit_cents: i64,
    pub new_limit_cents: Option<i64>,
    /// Each reason, code and text in the viewer's language.
    pub reasons: Vec<String>,
    /// The engine's reduced limit, for a review that monitoring opened.
    pub proposed_limit_cents: Option<i64>,
}

/// One attempt to deliver an event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    pub attempt: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    /// `None`: the endpoint did not answer.
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub excerpt: String,
}

/// One event for one endpoint, with its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryRow {
    pub seq: i64,
    pub event_id: String,
    pub event_type: String,
    pub endpoint_id: String,
    pub endpoint_url: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    pub next_attempt_at: chrono::DateTime<chrono::Utc>,
    pub attempts: Vec<DeliveryAttempt>,
}

/// A company under monitoring.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoredRow {
    pub siren: String,
    pub decision_id: String,
    pub granted_limit_cents: i64,
    pub enrolled_at: chrono::DateTime<chrono::Utc>,
    pub next_check: chrono::DateTime<chrono::Utc>,
    pub last_checked: Option<chrono::DateTime<chrono::Utc>>,
    /// `unchanged`, `risk_changed` or `source_failed`.
    pub last_result: Option<String>,
    pub last_decision_id: Option<String>,
}

/// Monitoring as the admin sees it, in the workspace's world.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonitoringView {
    pub enabled: bool,
    pub every_minutes: u32,
    /// The workspace works in the sandbox world: the deterioration control is available.
    pub sandbox: bool,
    pub companies: Vec<MonitoredRow>,
    /// (SIREN, condition, since) set in the sandbox.
    pub conditions: Vec<(String, String, chrono::DateTime<chrono::Utc>)>,
}

/// The conditions the sandbox can put a company in.
pub const SANDBOX_CONDITIONS: [&str; 3] = ["proceeding", "negative_balance", "inflows_grow"];

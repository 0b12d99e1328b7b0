//! Storage behind one interface. Callers see [`Store`] only; SQLite is the embedded default
//! and a PostgreSQL backend plugs in behind the same trait and the same test suite.

pub mod case_filter;
pub mod dashboard;
pub mod integration;
pub mod lines;
pub mod outbox;
pub mod postgres;
mod roles;
pub mod sqlite;

use app::model::{Role, RoleCount, UserSummary};
use async_trait::async_trait;
use aval_core::case::{Case, Claim, Proposal};
use aval_core::engine::Outcome;
use aval_core::sources::World;
use aval_core::vocabulary::{CaseStatus, HumanOutcome, Product, Referral, UnknownWord};
use chrono::{DateTime, Utc};
use std::sync::Arc;
use tower_sessions::SessionStore;

use crate::auth::password::PasswordHash;
pub use integration::{LoadTestRun, Milestone, VerifiedEndpoint, TEST_EVENT_TYPE};
pub use lines::{Assessment, CreditLine, LineChangeRecord, LineWrite, PortfolioRow};
pub use outbox::{
    AttemptOutcome, DisableRule, MonitoredCompany, MonitoringWrite, OutboxEvent, SandboxCondition,
    WebhookAttempt, WebhookMessage,
};

/// A storage failure. `Conflict` is the only one callers are expected to handle; the others
/// are internal errors.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0} already exists")]
    Conflict(String),
    /// A change refused because of the current state (for example a case claimed by another).
    #[error("{0}")]
    Refused(String),
    #[error("{0} not found")]
    NotFound(String),
    /// A change computed from a version of a credit line that is no longer the current one.
    #[error("superseded: {0}")]
    Superseded(String),
    #[error("storage set-up failed: {0}")]
    Setup(String),
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
    #[error(transparent)]
    Migration(#[from] sqlx::migrate::MigrateError),
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Closes every connection of `pool`, waiting for the ones in use to be given back.
///
/// `Pool::close` alone is not enough in sqlx 0.8 (launchbadge/sqlx#3217; fixed upstream by
/// launchbadge/sqlx#3952, in no 0.8 release, and the session store needs 0.8): a connection whose last query has just finished is
/// given back by a task of its own, and when that task puts it among the idle ones after
/// `close` looked at them for the last time, `close` returns with it still open. With SQLite
/// that connection is then the last one, and as the process exits without closing it the
/// write-ahead log stays beside the database file. So `close` is called again until no
/// connection is left; each call closes the idle ones, and the pool, already closed, lends none.
pub(crate) async fn close_pool<DB: sqlx::Database>(pool: &sqlx::Pool<DB>) {
    loop {
        pool.close().await;
        if pool.size() == 0 {
            return;
        }
        // A connection is on its way back: give its task the time to put it down.
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// A user account about to be created.
#[derive(Debug)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: PasswordHash,
    pub is_demo: bool,
    /// The password was generated for the user, who must change it at the next sign-in.
    pub must_change_password: bool,
}

/// A stored user account, with its password hash for verification.
#[derive(Debug, Clone)]
pub struct UserRecord {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub password_hash: PasswordHash,
    pub active: bool,
    pub is_demo: bool,
    pub created_at: DateTime<Utc>,
    pub last_sign_in_at: Option<DateTime<Utc>>,
    /// When the password last changed; sessions signed in before then end.
    pub credentials_changed_at: Option<DateTime<Utc>>,
    /// The password was generated (creation or reset) and must be changed at sign-in.
    pub must_change_password: bool,
}

/// A change an admin makes to an account.
#[derive(Debug, Clone)]
pub enum UserChange {
    Role(Role),
    Active(bool),
    /// A new generated password's hash (an admin's reset): sessions signed in before the change
    /// end, and the user must change it at the next sign-in.
    Password(PasswordHash),
    /// The user's own new password's hash: other sessions end.
    OwnPassword(PasswordHash),
}

/// Makes the audit record of an account change from the account before the change (none for a
/// creation) and after it. The store writes the record in the change's own transaction, so
/// neither the change nor its record stands without the other.
pub type AccountRecord = Box<dyn FnOnce(Option<&UserRecord>, &UserRecord) -> NewAuditRecord + Send>;

/// The SQL condition that keeps at least one active admin: a change to `id` that takes it out
/// of the admins (role or deactivation) is applied only if another active admin remains.
pub(crate) fn keeps_an_admin(change: &UserChange) -> bool {
    match change {
        UserChange::Role(role) => *role != Role::Admin,
        UserChange::Active(active) => !active,
        UserChange::Password(_) | UserChange::OwnPassword(_) => false,
    }
}

impl UserRecord {
    pub fn summary(&self) -> UserSummary {
        UserSummary {
            id: self.id,
            username: self.username.clone(),
            display_name: self.display_name.clone(),
            role: self.role,
            active: self.active,
            created_at: self.created_at,
            last_sign_in_at: self.last_sign_in_at,
        }
    }
}

pub use aval_core::sources::internal::CreditHistoryEntry;

/// A webhook endpoint as stored, its signing secret included (which `Debug` does not print).
#[derive(Debug, Clone)]
pub struct WebhookEndpoint {
    pub id: String,
    pub world: String,
    pub url: String,
    pub event_types: Vec<String>,
    pub secret: secrecy::SecretString,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Failed attempts in a row, and since when (none while deliveries succeed).
    pub consecutive_failures: i64,
    pub failing_since: Option<DateTime<Utc>>,
    /// Why the dispatcher disabled the endpoint; `None` if an admin did, or it is enabled.
    pub disabled_reason: Option<String>,
}

impl PartialEq for WebhookEndpoint {
    fn eq(&self, other: &Self) -> bool {
        use secrecy::ExposeSecret;
        let (a, b) = (self, other);
        a.id == b.id
            && a.world == b.world
            && a.url == b.url
            && a.event_types == b.event_types
            && a.secret.expose_secret() == b.secret.expose_secret()
            && a.enabled == b.enabled
            && a.created_at == b.created_at
            && a.updated_at == b.updated_at
            && a.consecutive_failures == b.consecutive_failures
            && a.failing_since == b.failing_since
            && a.disabled_reason == b.disabled_reason
    }
}

impl Eq for WebhookEndpoint {}

pub use aval_core::audit::AuditRecord;

/// Where a decision's case stands: the projection of its audit records that lists and queues
/// read (table `cases`).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CaseRow {
    pub decision_id: String,
    pub world: String,
    pub siren: String,
    pub company_name: Option<String>,
    pub product: String,
    pub amount_cents: i64,
    /// `approve`, `refer` or `decline`, as the engine decided.
    pub automated_outcome: String,
    /// `decided`, `in_review`, `awaiting_confirmation` or `resolved`.
    pub status: String,
    /// The outcome in force (`approve`, `decline`, `counter_offer`); `None` while in review.
    pub final_outcome: Option<String>,
    pub final_limit_cents: Option<i64>,
    /// Referral reasons, comma-separated (`uncertain_score,low_coverage`).
    pub referrals: String,
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
    pub claimed_by: Option<i64>,
    pub claimed_by_name: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
    /// A proposed human decision awaiting a second manager (JSON), and who proposed it.
    pub pending_action: Option<String>,
    pub pending_by: Option<i64>,
    pub overridden: bool,
    /// Human events recorded since the decision.
    pub events: i64,
    /// The decision's score and model inputs against the training deciles, one character each
    /// (`engine::drift::bins`), for the population stability index; `None` when not computed.
    pub model_bins: Option<String>,
}

// The case at the store's edge: the row keeps plain columns (words as text, referrals
// comma-separated, a pending decision as JSON); the domain reads and writes it typed.

impl From<&Case> for CaseRow {
    fn from(c: &Case) -> Self {
        CaseRow {
            decision_id: c.decision_id.clone(),
            world: c.world.as_str().to_owned(),
            siren: c.siren.clone(),
            company_name: c.company_name.clone(),
            product: c.product.as_str().to_owned(),
            amount_cents: c.amount_cents,
            automated_outcome: c.automated_outcome.as_str().to_owned(),
            status: c.status.as_str().to_owned(),
            final_outcome: c.final_outcome.map(|o| o.as_str().to_owned()),
            final_limit_cents: c.final_limit_cents,
            referrals: c
                .referrals
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(","),
            score: c.score,
            grade: c.grade.clone(),
            probability_of_default: c.probability_of_default,
            proposed_limit_cents: c.proposed_limit_cents,
            coverage: c.coverage,
            fraud: c.fraud,
            decided_at: c.decided_at,
            updated_at: c.updated_at,
            latency_ms: c.latency_ms,
            submitted_by: c.submitted_by,
            api_key_id: c.api_key_id.clone(),
            external_reference: c.external_reference.clone(),
            claimed_by: c.claim.as_ref().map(|h| h.by),
            claimed_by_name: c.claim.as_ref().and_then(|h| h.name.clone()),
            claimed_at: c.claim.as_ref().and_then(|h| h.at),
            pending_action: c
                .pending
                .as_ref()
                .and_then(|p| serde_json::to_string(&p.decision).ok()),
            pending_by: c.pending.as_ref().map(|p| p.by),
            overridden: c.overridden,
            events: c.events,
            model_bins: c.model_bins.clone(),
        }
    }
}

impl TryFrom<&CaseRow> for Case {
    /// Names the column that holds a value the domain does not know.
    type Error = String;

    fn try_from(r: &CaseRow) -> Result<Self, Self::Error> {
        let word = |column: &str, e: UnknownWord| format!("case {}: {column}: {e}", r.decision_id);
        let pending = match &r.pending_action {
            None => None,
            Some(json) => Some(Proposal {
                decision: serde_json::from_str(json)
                    .map_err(|e| format!("case {}: pending_action: {e}", r.decision_id))?,
                by: r.pending_by.unwrap_or_default(),
            }),
        };
        Ok(Case {
            decision_id: r.decision_id.clone(),
            world: World::parse(&r.world)
                .ok_or_else(|| format!("case {}: world: {:?}", r.decision_id, r.world))?,
            siren: r.siren.clone(),
            company_name: r.company_name.clone(),
            product: Product::parse(&r.product).map_err(|e| word("product", e))?,
            amount_cents: r.amount_cents,
            automated_outcome: Outcome::parse(&r.automated_outcome)
                .map_err(|e| word("automated_outcome", e))?,
            status: CaseStatus::parse(&r.status).map_err(|e| word("status", e))?,
            final_outcome: r
                .final_outcome
                .as_deref()
                .map(HumanOutcome::parse)
                .transpose()
                .map_err(|e| word("final_outcome", e))?,
            final_limit_cents: r.final_limit_cents,
            referrals: r
                .referrals
                .split(',')
                .filter(|w| !w.is_empty())
                .map(Referral::parse)
                .collect::<Result<_, _>>()
                .map_err(|e| word("referrals", e))?,
            score: r.score,
            grade: r.grade.clone(),
            probability_of_default: r.probability_of_default,
            proposed_limit_cents: r.proposed_limit_cents,
            coverage: r.coverage,
            fraud: r.fraud,
            decided_at: r.decided_at,
            updated_at: r.updated_at,
            latency_ms: r.latency_ms,
            submitted_by: r.submitted_by,
            api_key_id: r.api_key_id.clone(),
            external_reference: r.external_reference.clone(),
            claim: r.claimed_by.map(|by| Claim {
                by,
                name: r.claimed_by_name.clone(),
                at: r.claimed_at,
            }),
            pending,
            overridden: r.overridden,
            events: r.events,
            model_bins: r.model_bins.clone(),
        })
    }
}

/// What a case list asks for. Every filter is optional; pages count from 1.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct CaseFilter {
    pub world: Option<String>,
    pub statuses: Vec<String>,
    pub siren: Option<String>,
    pub product: Option<String>,
    /// The outcome in force (`approve`, `decline`, `counter_offer`) or `refer` for open cases.
    pub outcome: Option<String>,
    pub overridden: Option<bool>,
    pub submitted_by: Option<i64>,
    /// A referral reason the case must carry.
    pub referral: Option<String>,
    pub claimed_by: Option<i64>,
    pub decided_from: Option<DateTime<Utc>>,
    pub decided_before: Option<DateTime<Utc>>,
    /// `oldest` (default for queues), `newest`, `amount_desc`, `amount_asc`, `score_asc`.
    pub sort: Option<String>,
    pub page: i64,
    pub per_page: i64,
}

/// One page of cases and the number of cases matching in all.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CasePage {
    pub cases: Vec<CaseRow>,
    pub total: i64,
}

/// A change to a case decided by [`Store::append_case_event`]'s caller from the current row:
/// the new row and the audit record that explains it, or the reason it is refused.
pub type CaseTransition<'a> =
    &'a (dyn Fn(&CaseRow) -> Result<(CaseRow, NewAuditRecord), String> + Send + Sync);

/// A record about to be appended; the store gives it its position and hashes. What it writes
/// beside itself defaults to nothing (`..Default::default()`).
#[derive(Debug, Clone, Default)]
pub struct NewAuditRecord {
    pub id: String,
    pub kind: String,
    pub decision_id: String,
    pub world: String,
    pub recorded_at: DateTime<Utc>,
    pub payload: String,
    /// The lender's credit-history row a decision adds, written in the same transaction.
    pub history: Option<CreditHistoryEntry>,
    /// The case a decision opens, written in the same transaction.
    pub case: Option<CaseRow>,
    /// The webhook events the record causes, queued in the same transaction.
    pub events: Vec<OutboxEvent>,
    /// The monitoring change the record causes (a grant enrols its company).
    pub monitoring: Option<MonitoringWrite>,
    /// The credit-line changes the record makes (a grant, an increase, a person's decision).
    pub lines: Vec<LineWrite>,
    /// A decision's grade and probability of default, kept by company.
    pub assessment: Option<Assessment>,
}

/// A raw source answer, kept once per content hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotBody {
    pub sha256: String,
    pub size: i64,
    pub compressed: Vec<u8>,
}

/// An API key as stored: never the key itself, only its hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiKeyRecord {
    pub id: String,
    pub name: String,
    /// `sandbox` or `live`.
    pub mode: String,
    #[serde(skip)]
    pub key_hash: String,
    /// The first characters of the key, to recognise it in lists.
    pub display_prefix: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// What the key may do (stored space-separated, in `ApiScope::ALL`'s order).
    pub scopes: Vec<app::model::ApiScope>,
}

impl ApiKeyRecord {
    /// Whether the key may do what `scope` covers.
    pub fn allows(&self, scope: app::model::ApiScope) -> bool {
        self.scopes.contains(&scope)
    }
}

/// A model or policy version with the exact text it is built from.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EngineVersion {
    /// `model` or `policy`.
    pub kind: String,
    pub version: String,
    /// SHA-256 of `content`.
    pub sha256: String,
    pub content: String,
    pub registered_at: DateTime<Utc>,
}

/// Where an idempotency key stands when a request arrives with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Idempotency {
    /// First use: the request goes ahead and its answer will be stored.
    New,
    /// Already answered: the stored status and body.
    Answered { status: u16, response: String },
    /// Used before with another body.
    Mismatch,
    /// The first request with this key is still being decided.
    InProgress,
}

/// What a failed sign-in is counted against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKey<'a> {
    Username(&'a str),
    Address(&'a str),
}

/// The application's storage: every role below, and the database itself. Every method is a
/// complete unit of work. Code that needs one role names it (`&dyn Ledger`, `&dyn Accounts`…).
#[async_trait]
pub trait Store:
    Accounts
    + Integration
    + Keys
    + Ledger
    + Lines
    + Outbox
    + Registry
    + Transparency
    + Send
    + Sync
    + 'static
{
    /// Checks that the database answers.
    async fn ping(&self) -> StoreResult<()>;

    /// Closes every connection once the ones in use are given back; later calls fail. Called
    /// when the server stops: SQLite's write-ahead log is then copied into the database file
    /// and removed, so the file alone holds every record.
    async fn close(&self);

    /// Deletes failures and sessions that can no longer matter; returns rows removed.
    async fn prune(&self, failures_before: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<u64>;

    /// The session store sharing this database, so sessions survive restarts.
    fn session_store(&self) -> Arc<dyn SessionStore>;
}

/// People and their sign-ins: workspace users, failed attempts, role counts.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates a user, with its audit record when one is given; a taken username is a
    /// [`StoreError::Conflict`].
    async fn create_user(
        &self,
        user: NewUser,
        now: DateTime<Utc>,
        record: Option<AccountRecord>,
    ) -> StoreResult<UserRecord>;

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRecord>>;

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>>;

    async fn list_users(&self) -> StoreResult<Vec<UserRecord>>;

    async fn count_users(&self) -> StoreResult<i64>;

    /// Notes a sign-in, with its audit record when one is given; `NotFound` for an unknown id.
    async fn record_sign_in(
        &self,
        user_id: i64,
        at: DateTime<Utc>,
        record: Option<AccountRecord>,
    ) -> StoreResult<UserRecord>;

    /// Applies a change to an account, with its audit record when one is given. Refused
    /// (nothing changed, nothing recorded) when it would leave no active admin; `NotFound` for
    /// an unknown id.
    async fn update_user(
        &self,
        user_id: i64,
        change: UserChange,
        now: DateTime<Utc>,
        record: Option<AccountRecord>,
    ) -> StoreResult<UserRecord>;

    /// Records a failed sign-in for the username and the address together.
    async fn record_sign_in_failure(
        &self,
        username: &str,
        address: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Times of failures counted against `key` since `since`, oldest first.
    async fn sign_in_failures_since(
        &self,
        key: FailureKey<'_>,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<DateTime<Utc>>>;

    /// Forgets the failures of a username (after a successful sign-in).
    async fn clear_sign_in_failures(&self, username: &str) -> StoreResult<()>;

    /// Active users per role, every role listed.
    async fn role_counts(&self) -> StoreResult<Vec<RoleCount>> {
        let users = self.list_users().await?;
        Ok(Role::ALL
            .into_iter()
            .map(|role| RoleCount {
                role,
                active_users: users.iter().filter(|u| u.active && u.role == role).count() as i64,
            })
            .collect())
    }
}

/// The lenders' API keys and the idempotency of their requests.
#[async_trait]
pub trait Keys: Send + Sync {
    /// Stores a new API key (its hash).
    async fn create_api_key(&self, key: &ApiKeyRecord) -> StoreResult<()>;

    /// The key whose SHA-256 is `key_hash`, revoked or not.
    async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>>;

    async fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyRecord>>;

    /// Revokes a key; false when no active key has this id.
    async fn revoke_api_key(&self, id: &str, at: DateTime<Utc>) -> StoreResult<bool>;

    /// Claims an idempotency key for a request body hash, or says how it was used before.
    async fn idempotency_begin(
        &self,
        api_key_id: &str,
        key: &str,
        request_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Idempotency>;

    /// Stores the answer given to the request that claimed the key.
    async fn idempotency_finish(
        &self,
        api_key_id: &str,
        key: &str,
        status: u16,
        response: &str,
    ) -> StoreResult<()>;
}

/// The audit chain and what is read from it: decisions, case events, cases, snapshots, the
/// lender's credit history, the dashboard's counts.
#[async_trait]
pub trait Ledger: Send + Sync {
    /// Adds an application to the lender's credit history.
    async fn record_credit_history(&self, entry: &CreditHistoryEntry) -> StoreResult<()>;

    /// The company's history in one world, received before `before`, newest first, at most
    /// `limit` entries.
    async fn credit_history(
        &self,
        world: &str,
        siren: &str,
        before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<CreditHistoryEntry>>;

    /// Appends a record to the audit chain, with the snapshot bodies it refers to (those already
    /// stored are kept as they are), in one transaction: all or nothing.
    async fn append_audit(
        &self,
        record: NewAuditRecord,
        bodies: &[SnapshotBody],
    ) -> StoreResult<AuditRecord>;

    /// Records after position `after_seq`, in order, at most `limit`.
    async fn audit_records(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditRecord>>;

    /// The audit record with this id (looked up by its unique index).
    async fn audit_record(&self, id: &str) -> StoreResult<Option<AuditRecord>>;

    /// Applies a change to a decision's case: reads its row (serialised with every other
    /// append), lets `transition` decide the new row and the audit record, and writes both in
    /// one transaction. A refusal is [`StoreError::Refused`]; an unknown case
    /// [`StoreError::NotFound`].
    async fn append_case_event(
        &self,
        decision_id: &str,
        transition: CaseTransition<'_>,
    ) -> StoreResult<(CaseRow, AuditRecord)>;

    /// A decision's case.
    async fn case(&self, decision_id: &str) -> StoreResult<Option<CaseRow>>;

    /// A page of cases.
    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<CasePage>;

    /// The audit records about a decision, the decision first, in chain order.
    async fn decision_records(&self, decision_id: &str) -> StoreResult<Vec<AuditRecord>>;

    /// Grouped counts of `world`'s decisions made in `[from, to)` and of its open cases at `now`.
    async fn dashboard(
        &self,
        world: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<dashboard::DashboardCounts>;

    /// The drift counts of `model_version` (`store::dashboard::drift_query`): (UTC day,
    /// position, bin character, decisions), for the days of `[from, to)`.
    async fn drift_counts(
        &self,
        world: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        model_version: &str,
    ) -> StoreResult<Vec<(i64, i64, String, i64)>>;

    /// A stored snapshot body.
    async fn snapshot_body(&self, sha256: &str) -> StoreResult<Option<SnapshotBody>>;
}

/// A checkpoint as stored: its place among the checkpoints and the line that was signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckpoint {
    pub seq: i64,
    pub tree_size: u64,
    pub signed_at: DateTime<Utc>,
    /// The checkpoint as one line of JSON.
    pub line: String,
}

/// The Merkle tree over the audit chain and its signed checkpoints (`crate::audit::log`).
#[async_trait]
pub trait Transparency: Send + Sync {
    /// Leaves in the stored tree.
    async fn tree_size(&self) -> StoreResult<u64>;

    /// The stored complete subtrees among `ids`, as hex (those absent are left out).
    async fn tree_nodes(&self, ids: &[(u32, u64)]) -> StoreResult<Vec<((u32, u64), String)>>;

    /// Adds complete subtrees (those already stored are kept) and a signed checkpoint, with its
    /// webhook event for every enabled endpoint subscribed to it, in one transaction.
    async fn save_checkpoint(
        &self,
        nodes: &[(u32, u64, String)],
        checkpoint: &StoredCheckpoint,
        root_hash: &str,
        key_id: &str,
        event: &OutboxEvent,
    ) -> StoreResult<()>;

    /// Checkpoints signed after `after`, oldest first, at most `limit`.
    async fn checkpoints(
        &self,
        after: Option<DateTime<Utc>>,
        limit: i64,
    ) -> StoreResult<Vec<StoredCheckpoint>>;

    /// The newest checkpoint of the largest tree (several instances may sign a moment apart), or
    /// the newest of a tree of `size` records.
    async fn latest_checkpoint(&self, size: Option<u64>) -> StoreResult<Option<StoredCheckpoint>>;

    /// Stored snapshot bodies whose hash sorts after `after`, in that order, at most `limit`.
    async fn snapshot_bodies_after(
        &self,
        after: &str,
        limit: i64,
    ) -> StoreResult<Vec<SnapshotBody>>;
}

/// Webhook endpoints, the outbox and its deliveries, monitoring enrolments and the sandbox's
/// conditions.
#[async_trait]
pub trait Outbox: Send + Sync {
    async fn create_webhook_endpoint(&self, endpoint: &WebhookEndpoint) -> StoreResult<()>;

    /// Replaces an endpoint's stored secret (sealed again with the current master key).
    async fn set_webhook_secret(&self, id: &str, sealed: &str) -> StoreResult<()>;

    /// Every endpoint, oldest first.
    async fn webhook_endpoints(&self) -> StoreResult<Vec<WebhookEndpoint>>;

    async fn webhook_endpoint(&self, id: &str) -> StoreResult<Option<WebhookEndpoint>>;

    /// Enables or disables an endpoint; `false` when there is none with this id.
    async fn set_webhook_enabled(
        &self,
        id: &str,
        enabled: bool,
        at: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Takes up to `limit` webhook messages due at `now` (of enabled endpoints) until
    /// `lease_until`.
    async fn claim_webhook_messages(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookMessage>>;

    /// Records a delivery attempt and what becomes of the message; true when the failure
    /// disabled the endpoint under `rule`.
    async fn record_webhook_attempt(
        &self,
        attempt: &WebhookAttempt,
        endpoint_id: &str,
        outcome: AttemptOutcome,
        rule: DisableRule,
    ) -> StoreResult<bool>;

    /// The newest messages, of one endpoint or all, at most `limit`.
    async fn webhook_messages(
        &self,
        endpoint_id: Option<&str>,
        limit: i64,
    ) -> StoreResult<Vec<WebhookMessage>>;

    async fn webhook_message(&self, seq: i64) -> StoreResult<Option<WebhookMessage>>;

    /// A message's attempts, first first.
    async fn webhook_attempts(&self, seq: i64) -> StoreResult<Vec<WebhookAttempt>>;

    /// Queues a delivered or dead message again; false when none or still pending.
    async fn redeliver_webhook(&self, seq: i64, now: DateTime<Utc>) -> StoreResult<bool>;

    /// Takes up to `limit` monitored companies due at `now` until `lease_until`.
    async fn claim_monitoring(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<MonitoredCompany>>;

    /// A world's monitored companies, newest enrolment first.
    async fn monitored_companies(
        &self,
        world: &str,
        limit: i64,
    ) -> StoreResult<Vec<MonitoredCompany>>;

    /// One company's monitoring, if it is monitored.
    async fn monitored_company(
        &self,
        world: &str,
        siren: &str,
    ) -> StoreResult<Option<MonitoredCompany>>;

    /// Makes a monitored company due now; false when it is not monitored.
    async fn check_monitoring_now(
        &self,
        world: &str,
        siren: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<bool>;

    /// Records a check that decided nothing, with its events, in one transaction.
    async fn finish_monitoring_check(
        &self,
        world: &str,
        write: &MonitoringWrite,
        events: &[OutboxEvent],
    ) -> StoreResult<()>;

    /// Sets a sandbox condition (kept as first set if already there).
    async fn set_sandbox_condition(&self, condition: &SandboxCondition) -> StoreResult<()>;

    async fn sandbox_conditions(&self) -> StoreResult<Vec<SandboxCondition>>;
}

/// The credit-line ledger and the companies' assessments, as read by the company page, the
/// API, monitoring and the portfolio view (written with the audit records).
#[async_trait]
pub trait Lines: Send + Sync {
    /// A company's lines and every change to them, newest first, consistent with each other.
    async fn credit_lines(
        &self,
        world: &str,
        siren: &str,
    ) -> StoreResult<(Vec<CreditLine>, Vec<LineChangeRecord>)>;

    /// A company's latest `limit` assessments, oldest first.
    async fn company_assessments(
        &self,
        world: &str,
        siren: &str,
        limit: i64,
    ) -> StoreResult<Vec<Assessment>>;

    /// A world's active lines by product and grade.
    async fn portfolio(&self, world: &str) -> StoreResult<Vec<PortfolioRow>>;

    /// A world's line changes in `[from, to)`, oldest first.
    async fn line_changes(
        &self,
        world: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> StoreResult<Vec<LineChangeRecord>>;
}

/// The engine versions decisions were made with.
/// What a lender's integration has done (`store::integration`).
#[async_trait]
pub trait Integration: Send + Sync {
    /// Records a step seen in a world: its first time is kept, its last time and key updated.
    async fn record_milestone(
        &self,
        world: &str,
        step: &str,
        key_id: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()>;
    async fn milestones(&self) -> StoreResult<Vec<Milestone>>;
    /// Saves a run as this instance measured it so far (replacing its previous figures).
    async fn save_load_test_run(&self, run: &LoadTestRun) -> StoreResult<()>;
    /// The runs of a world, the last ended first, every instance's row.
    async fn load_test_runs(&self, world: &str, limit: i64) -> StoreResult<Vec<LoadTestRun>>;
    /// How many decisions API keys of a world asked for, per product.
    async fn api_decisions_by_product(&self, world: &str) -> StoreResult<Vec<(String, i64)>>;
    /// The endpoints of a world that answered a test event with a 2xx, with the last time.
    async fn verified_endpoints(&self, world: &str) -> StoreResult<Vec<VerifiedEndpoint>>;
    /// Queues an event for one endpoint only, whatever it subscribes to; its delivery's seq.
    /// `held_until`: the dispatcher leaves it alone until then (its sender attempts it first).
    async fn queue_for_endpoint(
        &self,
        endpoint_id: &str,
        event: &OutboxEvent,
        held_until: Option<DateTime<Utc>>,
    ) -> StoreResult<i64>;
}

#[async_trait]
pub trait Registry: Send + Sync {
    /// Keeps a model or policy version. Registering the same version with the same content
    /// again changes nothing; the same version with other content is a
    /// [`StoreError::Conflict`]: a version names one content for ever.
    async fn register_engine_version(&self, version: &EngineVersion) -> StoreResult<()>;

    /// A registered version.
    async fn engine_version(&self, kind: &str, version: &str)
        -> StoreResult<Option<EngineVersion>>;

    /// Every registered version, oldest first.
    async fn engine_versions(&self) -> StoreResult<Vec<EngineVersion>>;
}

/// A unique-constraint violation becomes [`StoreError::Conflict`] naming `what`.
pub(crate) fn conflict_or(err: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what()),
        _ => err.into(),
    }
}

pub(crate) fn engine_version_from_row(
    (kind, version, sha256, content, at): (String, String, String, String, i64),
) -> StoreResult<EngineVersion> {
    Ok(EngineVersion {
        kind,
        version,
        sha256,
        content,
        registered_at: from_millis(at)?,
    })
}

pub(crate) fn webhook_from_row<R>(row: &R) -> StoreResult<WebhookEndpoint>
where
    R: sqlx::Row,
    for<'a> &'a str: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> bool: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> Option<String>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let events: String = row.try_get("event_types")?;
    Ok(WebhookEndpoint {
        id: row.try_get("id")?,
        world: row.try_get("world")?,
        url: row.try_get("url")?,
        event_types: events
            .split(',')
            .filter(|e| !e.is_empty())
            .map(str::to_owned)
            .collect(),
        secret: secrecy::SecretString::from(row.try_get::<String, _>("secret")?),
        enabled: row.try_get("enabled")?,
        created_at: from_millis(row.try_get("created_at_ms")?)?,
        updated_at: from_millis(row.try_get("updated_at_ms")?)?,
        consecutive_failures: row.try_get("consecutive_failures")?,
        failing_since: row
            .try_get::<Option<i64>, _>("failing_since_ms")?
            .map(from_millis)
            .transpose()?,
        disabled_reason: row.try_get("disabled_reason")?,
    })
}

pub(crate) const WEBHOOK_COLUMNS: &str = "id, world, url, event_types, secret, enabled, \
    created_at_ms, updated_at_ms, consecutive_failures, failing_since_ms, disabled_reason";

pub(crate) fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

pub(crate) fn from_millis(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Corrupt(format!("timestamp out of range: {ms}")))
}

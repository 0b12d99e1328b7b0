//! The PostgreSQL backend, for several stateless server instances sharing one database
//! (sessions included). Same contract and same tests as the SQLite backend.

use super::{
    case_filter::{push_case_filter, push_case_order},
    conflict_or, engine_version_from_row, from_millis, millis, ApiKeyRecord, AuditRecord,
    CaseFilter, CasePage, CaseRow, CaseTransition, CreditHistoryEntry, EngineVersion, FailureKey,
    Idempotency, NewAuditRecord, NewUser, SnapshotBody, Store, StoreError, StoreResult, UserChange,
    UserRecord, WebhookEndpoint,
};
use super::{AccountRecord, StoredCheckpoint, Transparency};
use super::{Accounts, Integration, Keys, Ledger, Lines, Outbox, Registry};
use super::{Assessment, CreditLine, LineChangeRecord, PortfolioRow};
use super::{
    AttemptOutcome, DisableRule, MonitoredCompany, MonitoringWrite, OutboxEvent, SandboxCondition,
    WebhookAttempt, WebhookMessage,
};
use super::{LoadTestRun, Milestone, VerifiedEndpoint};

mod q {
    super::super::outbox::outbox_queries!(sqlx::Postgres);
    super::super::lines::lines_queries!(sqlx::Postgres);
}

super::roles::shared_roles!(PostgresStore, sqlx::Postgres);

impl PostgresStore {
    /// PostgreSQL orders concurrent writers itself: nothing to hold.
    async fn serialise_appends(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        None
    }

    /// A transaction that appends to the audit chain: appends are serialised across every
    /// server instance sharing the database by a transaction-level advisory lock.
    async fn begin_append(
        &self,
    ) -> StoreResult<(
        Option<tokio::sync::MutexGuard<'_, ()>>,
        sqlx::Transaction<'static, sqlx::Postgres>,
    )> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock(727001)")
            .execute(&mut *tx)
            .await?;
        Ok((None, tx))
    }
}

/// What a case read for a change adds to its `SELECT`: the row lock, against a concurrent
/// change to the same case.
const LOCK_CASE: &str = " FOR UPDATE";

use crate::auth::password::PasswordHash;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions};
use sqlx::Row;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::SessionStore;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    sessions: Arc<dyn SessionStore>,
    /// Engine versions known to be registered, so deciding does not ask again.
    known_versions: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

impl PostgresStore {
    /// Connects to `url` and applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(5))
            .connect(url)
            .await?;
        MIGRATOR.run(&pool).await?;
        let sessions = tower_sessions_sqlx_store::PostgresStore::new(pool.clone())
            .with_schema_name("public")
            .and_then(|s| s.with_table_name("tower_sessions"))
            .map_err(StoreError::Setup)?;
        Ok(Self {
            pool,
            sessions: Arc::new(sessions),
            known_versions: Arc::default(),
        })
    }
}

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
    async fn close(&self) {
        super::close_pool(&self.pool).await;
    }
    async fn prune(&self, failures_before: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await?;
        let failures = sqlx::query("DELETE FROM sign_in_failures WHERE failed_ms < $1")
            .bind(millis(failures_before))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let sessions = sqlx::query("DELETE FROM tower_sessions WHERE expiry_date < $1")
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(failures + sessions)
    }
    fn session_store(&self) -> Arc<dyn SessionStore> {
        self.sessions.clone()
    }
}

impl PostgresStore {
    async fn write_credit_history(&self, entry: &CreditHistoryEntry) -> StoreResult<()> {
        insert_credit_history(&mut *self.pool.acquire().await?, &[entry]).await
    }
    async fn write_audit(
        &self,
        record: NewAuditRecord,
        bodies: &[SnapshotBody],
    ) -> StoreResult<AuditRecord> {
        let (_, mut tx) = self.begin_append().await?;
        let appended = append_in_tx(&mut tx, record, bodies).await?;
        tx.commit().await?;
        Ok(appended)
    }
}

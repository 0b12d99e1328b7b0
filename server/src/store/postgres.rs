//! The PostgreSQL backend, for several stateless server instances sharing one database
//! (sessions included). Same contract and same tests as the SQLite backend.

use super::{
    case_filter::{push_case_filter, push_case_order},
    conflict_or, engine_version_from_row, from_millis, millis, ApiKeyRecord, AuditRecord,
    CaseFilter, CasePage, CaseRow, CaseTransition, CreditHistoryEntry, EngineVersion, FailureKey,
    Idempotency, NewAuditRecord, NewUser, SnapshotBody, Store, StoreError, StoreResult, UserChange,
    UserRecord, WebhookEndpoint,
};
use super::{Accounts, Keys, Ledger, Outbox, Registry};
use super::{
    AttemptOutcome, DisableRule, MonitoredCompany, MonitoringWrite, OutboxEvent, SandboxCondition,
    WebhookAttempt, WebhookMessage,
};

mod q {
    super::super::outbox::outbox_queries!(sqlx::Postgres);
}

super::roles::shared_roles!(PostgresStore, sqlx::Postgres);

impl PostgresStore {
    /// PostgreSQL orders concurrent writers itself: nothing to hold.
    async fn serialise_appends(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        None
    }
}

use crate::auth::password::PasswordHash;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::postgres::{PgPool, PgPoolOptions, PgRow};
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

fn audit_from_row(row: &PgRow) -> StoreResult<AuditRecord> {
    Ok(AuditRecord {
        seq: row.try_get("seq")?,
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        decision_id: row.try_get("decision_id")?,
        world: row.try_get("world")?,
        recorded_at: from_millis(row.try_get("recorded_at_ms")?)?,
        payload: row.try_get("payload")?,
        prev_hash: row.try_get("prev_hash")?,
        hash: row.try_get("hash")?,
    })
}

/// Adds a row to the lender's credit history, on the pool or inside a transaction.
async fn insert_credit_history<'e, E>(executor: E, entry: &CreditHistoryEntry) -> StoreResult<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Postgres>,
{
    sqlx::query(
        "INSERT INTO credit_history (id, world, siren, product, amount_cents, outcome, \
         outstanding_cents, received_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&entry.id)
    .bind(&entry.world)
    .bind(&entry.siren)
    .bind(&entry.product)
    .bind(entry.amount_cents)
    .bind(&entry.outcome)
    .bind(entry.outstanding_cents)
    .bind(millis(entry.received_at))
    .execute(executor)
    .await
    .map_err(|e| conflict_or(e, || format!("credit history entry {}", entry.id)))?;
    Ok(())
}

#[async_trait]
impl Store for PostgresStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
    async fn close(&self) {
        self.pool.close().await;
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

#[async_trait]
impl Ledger for PostgresStore {
    async fn record_credit_history(&self, entry: &CreditHistoryEntry) -> StoreResult<()> {
        insert_credit_history(&self.pool, entry).await
    }
    async fn credit_history(
        &self,
        world: &str,
        siren: &str,
        before: DateTime<Utc>,
        limit: i64,
    ) -> StoreResult<Vec<CreditHistoryEntry>> {
        let rows = sqlx::query(
            "SELECT id, world, siren, product, amount_cents, outcome, outstanding_cents, \
             received_at_ms FROM credit_history WHERE world = $1 AND siren = $2 \
             AND received_at_ms < $3 ORDER BY received_at_ms DESC, id DESC LIMIT $4",
        )
        .bind(world)
        .bind(siren)
        .bind(millis(before))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CreditHistoryEntry {
                    id: row.try_get("id")?,
                    world: row.try_get("world")?,
                    siren: row.try_get("siren")?,
                    product: row.try_get("product")?,
                    amount_cents: row.try_get("amount_cents")?,
                    outcome: row.try_get("outcome")?,
                    outstanding_cents: row.try_get("outstanding_cents")?,
                    received_at: from_millis(row.try_get("received_at_ms")?)?,
                })
            })
            .collect()
    }
    async fn append_audit(
        &self,
        record: NewAuditRecord,
        bodies: &[SnapshotBody],
    ) -> StoreResult<AuditRecord> {
        let mut tx = self.pool.begin().await?;
        // Appends are serialised across every server instance sharing the database.
        sqlx::query("SELECT pg_advisory_xact_lock(727001)")
            .execute(&mut *tx)
            .await?;
        let appended = append_in_tx(&mut tx, record, bodies).await?;
        tx.commit().await?;
        Ok(appended)
    }
    async fn append_case_event(
        &self,
        decision_id: &str,
        transition: CaseTransition<'_>,
    ) -> StoreResult<(CaseRow, AuditRecord)> {
        let mut tx = self.pool.begin().await?;
        // Serialised with every append, across every server instance sharing the database.
        sqlx::query("SELECT pg_advisory_xact_lock(727001)")
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE decision_id = $1 FOR UPDATE"
        ))
        .bind(decision_id)
        .fetch_optional(&mut *tx)
        .await?;
        let current = match row {
            Some(row) => case_from_row(&row)?,
            None => return Err(StoreError::NotFound(format!("case {decision_id}"))),
        };
        let (mut next, record) = transition(&current).map_err(StoreError::Refused)?;
        next.events = current.events + 1;
        upsert_case(&mut *tx, &next).await?;
        let appended = append_in_tx(&mut tx, record, &[]).await?;
        tx.commit().await?;
        Ok((next, appended))
    }
    async fn case(&self, decision_id: &str) -> StoreResult<Option<CaseRow>> {
        let row = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE decision_id = $1"
        ))
        .bind(decision_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(case_from_row).transpose()
    }
    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<CasePage> {
        let mut count = sqlx::QueryBuilder::<sqlx::Postgres>::new("SELECT COUNT(*) FROM cases");
        push_case_filter(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut query =
            sqlx::QueryBuilder::<sqlx::Postgres>::new(format!("SELECT {CASE_COLUMNS} FROM cases"));
        push_case_filter(&mut query, filter);
        push_case_order(&mut query, filter);
        let rows = query.build().fetch_all(&self.pool).await?;
        Ok(CasePage {
            cases: rows.iter().map(case_from_row).collect::<StoreResult<_>>()?,
            total,
        })
    }
    async fn dashboard(
        &self,
        world: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> StoreResult<super::dashboard::DashboardCounts> {
        let mut sets = Vec::with_capacity(5);
        for mut query in super::dashboard::queries::<sqlx::Postgres>(
            world,
            millis(from),
            millis(to),
            millis(now),
        ) {
            sets.push(query.build().fetch_all(&self.pool).await?);
        }
        super::dashboard::read(sets)
    }
    async fn drift_counts(
        &self,
        world: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
        model_version: &str,
    ) -> StoreResult<Vec<(i64, i64, String, i64)>> {
        let rows = super::dashboard::drift_query::<sqlx::Postgres>(
            world,
            millis(from),
            millis(to),
            model_version,
        )
        .build()
        .fetch_all(&self.pool)
        .await?;
        super::dashboard::read_drift(rows)
    }
    async fn decision_records(&self, decision_id: &str) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, id, kind, decision_id, world, recorded_at_ms, payload, prev_hash, hash \
             FROM audit_records WHERE decision_id = $1 ORDER BY seq",
        )
        .bind(decision_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_from_row).collect()
    }
    async fn audit_records(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, id, kind, decision_id, world, recorded_at_ms, payload, prev_hash, hash \
             FROM audit_records WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_from_row).collect()
    }
    async fn audit_record(&self, id: &str) -> StoreResult<Option<AuditRecord>> {
        let row = sqlx::query(
            "SELECT seq, id, kind, decision_id, world, recorded_at_ms, payload, prev_hash, hash \
             FROM audit_records WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(audit_from_row).transpose()
    }
    async fn snapshot_body(&self, sha256: &str) -> StoreResult<Option<SnapshotBody>> {
        let row: Option<(String, i64, Vec<u8>)> = sqlx::query_as(
            "SELECT sha256, size, compressed FROM snapshot_bodies WHERE sha256 = $1",
        )
        .bind(sha256)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|(sha256, size, compressed)| SnapshotBody {
            sha256,
            size,
            compressed,
        }))
    }
}

/// Appends one audit record (with its snapshot bodies, credit-history row and case) inside
/// `tx`; the caller holds the append lock.
async fn append_in_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    record: NewAuditRecord,
    bodies: &[SnapshotBody],
) -> StoreResult<AuditRecord> {
    for body in bodies {
        sqlx::query(
            "INSERT INTO snapshot_bodies (sha256, size, compressed) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256) DO NOTHING",
        )
        .bind(&body.sha256)
        .bind(body.size)
        .bind(&body.compressed)
        .execute(&mut **tx)
        .await?;
    }
    if let Some(entry) = &record.history {
        insert_credit_history(&mut **tx, entry).await?;
    }
    let last: Option<(i64, String)> =
        sqlx::query_as("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, crate::audit::GENESIS.to_owned()),
    };
    let recorded_at_ms = millis(record.recorded_at);
    let hash = crate::audit::record_hash(
        &prev_hash,
        seq,
        &record.id,
        &record.kind,
        &record.decision_id,
        &record.world,
        recorded_at_ms,
        &record.payload,
    );
    sqlx::query(
        "INSERT INTO audit_records (seq, id, kind, decision_id, world, recorded_at_ms, \
             payload, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(seq)
    .bind(&record.id)
    .bind(&record.kind)
    .bind(&record.decision_id)
    .bind(&record.world)
    .bind(recorded_at_ms)
    .bind(&record.payload)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await
    .map_err(|e| conflict_or(e, || format!("audit record {}", record.id)))?;
    if let Some(case) = &record.case {
        upsert_case(&mut **tx, case).await?;
        if record.kind == "decision" {
            let drift = super::dashboard::drift_rows(&[case]);
            for mut upsert in super::dashboard::drift_upserts::<sqlx::Postgres>(&drift) {
                upsert.build().execute(&mut **tx).await?;
            }
        }
    }
    q::write_in_tx(
        tx,
        &record.world,
        &record.events,
        record.monitoring.as_ref(),
    )
    .await?;
    Ok(AuditRecord {
        seq,
        id: record.id,
        kind: record.kind,
        decision_id: record.decision_id,
        world: record.world,
        recorded_at: from_millis(recorded_at_ms)?,
        payload: record.payload,
        prev_hash,
        hash,
    })
}

const CASE_COLUMNS: &str = "decision_id, world, siren, company_name, product, amount_cents, \
    automated_outcome, status, final_outcome, final_limit_cents, referrals, score, grade, \
    probability_of_default, proposed_limit_cents, coverage, fraud, decided_at_ms, updated_at_ms, \
    latency_ms, submitted_by, api_key_id, external_reference, claimed_by, claimed_by_name, \
    claimed_at_ms, pending_action, pending_by, overridden, events, model_bins";

fn case_from_row(row: &PgRow) -> StoreResult<CaseRow> {
    let opt_time = |v: Option<i64>| v.map(from_millis).transpose();
    Ok(CaseRow {
        decision_id: row.try_get("decision_id")?,
        world: row.try_get("world")?,
        siren: row.try_get("siren")?,
        company_name: row.try_get("company_name")?,
        product: row.try_get("product")?,
        amount_cents: row.try_get("amount_cents")?,
        automated_outcome: row.try_get("automated_outcome")?,
        status: row.try_get("status")?,
        final_outcome: row.try_get("final_outcome")?,
        final_limit_cents: row.try_get("final_limit_cents")?,
        referrals: row.try_get("referrals")?,
        score: row.try_get("score")?,
        grade: row.try_get("grade")?,
        probability_of_default: row.try_get("probability_of_default")?,
        proposed_limit_cents: row.try_get("proposed_limit_cents")?,
        coverage: row.try_get("coverage")?,
        fraud: row.try_get("fraud")?,
        decided_at: from_millis(row.try_get("decided_at_ms")?)?,
        updated_at: from_millis(row.try_get("updated_at_ms")?)?,
        latency_ms: row.try_get("latency_ms")?,
        submitted_by: row.try_get("submitted_by")?,
        api_key_id: row.try_get("api_key_id")?,
        external_reference: row.try_get("external_reference")?,
        claimed_by: row.try_get("claimed_by")?,
        claimed_by_name: row.try_get("claimed_by_name")?,
        claimed_at: opt_time(row.try_get("claimed_at_ms")?)?,
        pending_action: row.try_get("pending_action")?,
        pending_by: row.try_get("pending_by")?,
        overridden: row.try_get::<i64, _>("overridden")? != 0,
        events: row.try_get("events")?,
        model_bins: row.try_get("model_bins")?,
    })
}

async fn upsert_case<'e, E>(executor: E, c: &CaseRow) -> StoreResult<()>
where
    E: sqlx::Executor<'e, Database = sqlx::Postgres>,
{
    sqlx::query(&format!(
        "INSERT INTO cases ({CASE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14,\
          $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31) ON CONFLICT (decision_id) DO UPDATE SET \
         status = excluded.status, final_outcome = excluded.final_outcome, \
         final_limit_cents = excluded.final_limit_cents, updated_at_ms = excluded.updated_at_ms, \
         claimed_by = excluded.claimed_by, claimed_by_name = excluded.claimed_by_name, \
         claimed_at_ms = excluded.claimed_at_ms, pending_action = excluded.pending_action, \
         pending_by = excluded.pending_by, overridden = excluded.overridden, \
         events = excluded.events"
    ))
    .bind(&c.decision_id)
    .bind(&c.world)
    .bind(&c.siren)
    .bind(&c.company_name)
    .bind(&c.product)
    .bind(c.amount_cents)
    .bind(&c.automated_outcome)
    .bind(&c.status)
    .bind(&c.final_outcome)
    .bind(c.final_limit_cents)
    .bind(&c.referrals)
    .bind(c.score)
    .bind(&c.grade)
    .bind(c.probability_of_default)
    .bind(c.proposed_limit_cents)
    .bind(c.coverage)
    .bind(c.fraud)
    .bind(millis(c.decided_at))
    .bind(millis(c.updated_at))
    .bind(c.latency_ms)
    .bind(c.submitted_by)
    .bind(&c.api_key_id)
    .bind(&c.external_reference)
    .bind(c.claimed_by)
    .bind(&c.claimed_by_name)
    .bind(c.claimed_at.map(millis))
    .bind(&c.pending_action)
    .bind(c.pending_by)
    .bind(i64::from(c.overridden))
    .bind(c.events)
    .bind(&c.model_bins)
    .execute(executor)
    .await?;
    Ok(())
}

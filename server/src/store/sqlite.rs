//! The embedded SQLite backend: one file under the data directory, WAL journal, foreign keys
//! on, full synchronous commits so an acknowledged write survives a crash.

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
    super::super::outbox::outbox_queries!(sqlx::Sqlite);
}

super::roles::shared_roles!(SqliteStore, sqlx::Sqlite);

impl SqliteStore {
    /// SQLite has one writer: a write beside the audit chain waits for the appends in progress.
    async fn serialise_appends(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        Some(self.audit_lock.lock().await)
    }
}

use crate::auth::password::PasswordHash;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Row, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
use tower_sessions::SessionStore;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

#[derive(Debug, Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    audit_lock: Arc<tokio::sync::Mutex<()>>,
    /// The group commit's queue (see [`group_commit`]).
    appends: tokio::sync::mpsc::UnboundedSender<Queued>,
    /// Engine versions known to be registered, so deciding does not ask again.
    known_versions: Arc<std::sync::Mutex<std::collections::HashSet<String>>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Each appended record is a savepoint: its undo journal stays in memory instead
            // of a temporary file opened and written for every record.
            .pragma("temp_store", "memory")
            // 32 MiB of pages per connection: the snapshot index is keyed by hash, so its
            // inserts land on pages all over the file.
            .pragma("cache_size", "-32768")
            // No connection copies the log back into the database when it commits: the
            // checkpointer does, beside the writers (see [`checkpointer`]).
            .pragma("wal_autocheckpoint", "0");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options)
            .await?;
        MIGRATOR.run(&pool).await?;
        let audit_lock = Arc::new(tokio::sync::Mutex::new(()));
        let (appends, waiting) = tokio::sync::mpsc::unbounded_channel();
        // The writer runs on a thread of its own: on the runtime's workers, each of its
        // statements would wait its turn behind every decision being computed.
        let runtime = tokio::runtime::Handle::current();
        let writer = group_commit(pool.clone(), audit_lock.clone(), waiting);
        std::thread::Builder::new()
            .name("audit-writer".into())
            .spawn(move || runtime.block_on(writer))
            .map_err(|e| StoreError::Setup(format!("cannot start the audit writer: {e}")))?;
        tokio::spawn(checkpointer(pool.clone(), appends.downgrade()));
        Ok(Self {
            pool,
            audit_lock,
            appends,
            known_versions: Arc::default(),
        })
    }
}

fn audit_from_row(row: &SqliteRow) -> StoreResult<AuditRecord> {
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

/// Bound values per statement, far under SQLite's limit (32766) whatever a batch holds.
const MAX_BOUND_VALUES: usize = 8_000;

/// Adds rows to the lender's credit history.
async fn insert_credit_history(
    conn: &mut sqlx::SqliteConnection,
    entries: &[&CreditHistoryEntry],
) -> StoreResult<()> {
    for chunk in entries.chunks(MAX_BOUND_VALUES / 8) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO credit_history (id, world, siren, product, amount_cents, outcome, \
             outstanding_cents, received_at_ms) ",
        );
        insert.push_values(chunk, |mut row, entry| {
            row.push_bind(&entry.id)
                .push_bind(&entry.world)
                .push_bind(&entry.siren)
                .push_bind(&entry.product)
                .push_bind(entry.amount_cents)
                .push_bind(&entry.outcome)
                .push_bind(entry.outstanding_cents)
                .push_bind(millis(entry.received_at));
        });
        insert.build().execute(&mut *conn).await.map_err(|e| {
            conflict_or(e, || {
                format!("credit history entry {}", ids(chunk, |e| &e.id))
            })
        })?;
    }
    Ok(())
}

/// The ids of a statement's rows, to name them in an error.
fn ids<T>(rows: &[T], id: impl Fn(&T) -> &str) -> String {
    rows.iter().map(id).collect::<Vec<_>>().join(", ")
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
    async fn close(&self) {
        self.pool.close().await;
    }
    async fn prune(&self, failures_before: DateTime<Utc>, now: DateTime<Utc>) -> StoreResult<u64> {
        let mut tx = self.pool.begin().await?;
        let failures = sqlx::query("DELETE FROM sign_in_failures WHERE failed_ms < ?")
            .bind(millis(failures_before))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let sessions = sqlx::query("DELETE FROM tower_sessions WHERE expiry_date < ?")
            .bind(now.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(failures + sessions)
    }
    fn session_store(&self) -> Arc<dyn SessionStore> {
        Arc::new(tower_sessions_sqlx_store::SqliteStore::new(
            self.pool.clone(),
        ))
    }
}

#[async_trait]
impl Ledger for SqliteStore {
    async fn record_credit_history(&self, entry: &CreditHistoryEntry) -> StoreResult<()> {
        insert_credit_history(&mut *self.pool.acquire().await?, &[entry]).await
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
             received_at_ms FROM credit_history WHERE world = ? AND siren = ? \
             AND received_at_ms < ? ORDER BY received_at_ms DESC, id DESC LIMIT ?",
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
        // Group commit: each append joins the writer's queue and gets its own result once
        // the transaction holding it is durable.
        let (reply, answer) = tokio::sync::oneshot::channel();
        self.appends
            .send(Queued {
                record,
                bodies: bodies.to_vec(),
                reply,
            })
            .map_err(|_| StoreError::Setup("the audit writer has stopped".into()))?;
        answer
            .await
            .map_err(|_| StoreError::Setup("the append was abandoned".into()))?
    }
    async fn append_case_event(
        &self,
        decision_id: &str,
        transition: CaseTransition<'_>,
    ) -> StoreResult<(CaseRow, AuditRecord)> {
        let _appending = self.audit_lock.lock().await;
        let mut tx = begin_writing(&self.pool).await?;
        let row = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE decision_id = ?"
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
        upsert_cases(&mut tx, &[&next]).await?;
        let appended = append_in_tx(&mut tx, record, &[]).await?;
        tx.commit().await?;
        Ok((next, appended))
    }
    async fn case(&self, decision_id: &str) -> StoreResult<Option<CaseRow>> {
        let row = sqlx::query(&format!(
            "SELECT {CASE_COLUMNS} FROM cases WHERE decision_id = ?"
        ))
        .bind(decision_id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(case_from_row).transpose()
    }
    async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<CasePage> {
        let mut count = sqlx::QueryBuilder::<sqlx::Sqlite>::new("SELECT COUNT(*) FROM cases");
        push_case_filter(&mut count, filter);
        let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
        let mut query =
            sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!("SELECT {CASE_COLUMNS} FROM cases"));
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
        for mut query in
            super::dashboard::queries::<sqlx::Sqlite>(world, millis(from), millis(to), millis(now))
        {
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
        let rows = super::dashboard::drift_query::<sqlx::Sqlite>(
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
             FROM audit_records WHERE decision_id = ? ORDER BY seq",
        )
        .bind(decision_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(audit_from_row).collect()
    }
    async fn audit_records(&self, after_seq: i64, limit: i64) -> StoreResult<Vec<AuditRecord>> {
        let rows = sqlx::query(
            "SELECT seq, id, kind, decision_id, world, recorded_at_ms, payload, prev_hash, hash \
             FROM audit_records WHERE seq > ? ORDER BY seq LIMIT ?",
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
             FROM audit_records WHERE id = ?",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(audit_from_row).transpose()
    }
    async fn snapshot_body(&self, sha256: &str) -> StoreResult<Option<SnapshotBody>> {
        let row: Option<(String, i64, Vec<u8>)> =
            sqlx::query_as("SELECT sha256, size, compressed FROM snapshot_bodies WHERE sha256 = ?")
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

/// A record waiting in the group-commit queue, with where to send its result.
#[derive(Debug)]
struct Queued {
    record: NewAuditRecord,
    bodies: Vec<SnapshotBody>,
    reply: tokio::sync::oneshot::Sender<StoreResult<AuditRecord>>,
}

/// How often the checkpointer copies the log back into the database.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// Log frames (4 KiB pages: 64 MiB) beyond which the checkpointer also has the log start
/// again, waiting for the writer's transaction in progress to end.
const LOG_RESTART_FRAMES: i64 = 16_384;

/// Copies committed pages from the write-ahead log back into the database file, once a second,
/// without holding up writers. Left to the connection that commits (SQLite's automatic
/// checkpoint), the copy would run inside a commit, and every decision whose record is in that
/// batch, or queued behind it, would wait for it. A passive checkpoint copies what no reader
/// still needs; when the log has grown past [`LOG_RESTART_FRAMES`] a restarting one copies the
/// rest and lets the next transaction write the log from its start, so it stays bounded.
/// Ends when the store is closed or dropped (`store` no longer upgrades).
async fn checkpointer(pool: SqlitePool, store: tokio::sync::mpsc::WeakUnboundedSender<Queued>) {
    let mut every = tokio::time::interval(CHECKPOINT_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await;
    while !pool.is_closed() && store.upgrade().is_some() {
        every.tick().await;
        let checkpointed = match checkpoint(&pool, "PASSIVE").await {
            Ok(log_frames) if log_frames >= LOG_RESTART_FRAMES => {
                checkpoint(&pool, "RESTART").await
            }
            done => done,
        };
        if let Err(e) = checkpointed {
            if !pool.is_closed() {
                tracing::warn!(error = %e, "copying the write-ahead log into the database failed");
            }
        }
    }
}

/// Runs one checkpoint (`PASSIVE` or `RESTART`); returns the size of the log, in frames.
async fn checkpoint(pool: &SqlitePool, mode: &str) -> StoreResult<i64> {
    let row = sqlx::query(&format!("PRAGMA wal_checkpoint({mode})"))
        .fetch_one(pool)
        .await?;
    Ok(row.try_get(1)?)
}

/// The group commit's writer: whenever records are waiting, takes them all and writes them
/// in one transaction (one flush to disk for all of them) under the append lock, then takes
/// what arrived meanwhile. Appenders only wait for their answer: none waits for a turn at
/// the lock behind others whose records were already written. Ends when the store is
/// dropped; a batch in progress is written to its end even if its callers went away.
async fn group_commit(
    pool: SqlitePool,
    audit_lock: Arc<tokio::sync::Mutex<()>>,
    mut waiting: tokio::sync::mpsc::UnboundedReceiver<Queued>,
) {
    while let Some(first) = waiting.recv().await {
        let _appending = audit_lock.lock().await;
        let mut batch = vec![first];
        while let Ok(next) = waiting.try_recv() {
            batch.push(next);
        }
        write_batch(&pool, batch).await;
    }
}

/// Writes queued records in one transaction and answers each caller after the commit.
///
/// Usually every record is accepted: each table then gets one statement for the whole batch
/// rather than one per record (under load, a statement's round trip to the database thread
/// costs more than its work). Should that fail, it is rolled back and the records are written
/// one by one, each under its own savepoint, so that one refused record (a duplicate id) does
/// not undo the others and gets its own error.
async fn write_batch(pool: &SqlitePool, batch: Vec<Queued>) {
    let together = if batch.len() > 1 {
        write_together(pool, &batch).await.ok()
    } else {
        None
    };
    let written = match together {
        Some(appended) => Ok(appended.into_iter().map(Ok).collect()),
        None => write_one_by_one(pool, &batch).await,
    };
    match written {
        Ok(results) => {
            for (q, result) in batch.into_iter().zip(results) {
                let _ = q.reply.send(result);
            }
        }
        Err(failure) => {
            let message = failure.to_string();
            for q in batch {
                let _ = q.reply.send(Err(StoreError::Setup(format!(
                    "the audit append failed: {message}"
                ))));
            }
        }
    }
}

/// The whole batch in one transaction, without savepoints.
async fn write_together(pool: &SqlitePool, batch: &[Queued]) -> StoreResult<Vec<AuditRecord>> {
    let mut tx = begin_writing(pool).await?;
    let head = chain_head(&mut tx).await?;
    let records: Vec<_> = batch.iter().map(|q| (&q.record, &q.bodies[..])).collect();
    let appended = write_records(&mut tx, &records, head).await?;
    tx.commit().await?;
    Ok(appended)
}

/// Each record under its own savepoint: a refused one leaves the others written.
async fn write_one_by_one(
    pool: &SqlitePool,
    batch: &[Queued],
) -> StoreResult<Vec<StoreResult<AuditRecord>>> {
    use sqlx::Acquire;
    let mut tx = begin_writing(pool).await?;
    let mut results = Vec::with_capacity(batch.len());
    // The chain's head, read once: each record appended in this transaction moves it.
    let mut head = chain_head(&mut tx).await?;
    for q in batch {
        let mut savepoint = tx.begin().await?;
        match append_after(&mut savepoint, &q.record, &q.bodies, head.clone()).await {
            Ok(appended) => {
                savepoint.commit().await?;
                head = Some((appended.seq, appended.hash.clone()));
                results.push(Ok(appended));
            }
            Err(refused) => {
                savepoint.rollback().await?;
                results.push(Err(refused));
            }
        }
    }
    tx.commit().await?;
    Ok(results)
}

/// A transaction that reads before it writes: it takes the write lock at once (waiting for it
/// like any write), so that no write committed on another connection in between can make its
/// first write fail with "database is locked".
async fn begin_writing(pool: &SqlitePool) -> StoreResult<sqlx::Transaction<'static, sqlx::Sqlite>> {
    Ok(pool.begin_with("BEGIN IMMEDIATE").await?)
}

/// Appends one audit record (with its snapshot bodies, credit-history row and case) inside
/// `tx`; the caller holds the append lock.
async fn append_in_tx(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    record: NewAuditRecord,
    bodies: &[SnapshotBody],
) -> StoreResult<AuditRecord> {
    let head = chain_head(tx).await?;
    append_after(tx, &record, bodies, head).await
}

/// The sequence number and hash of the last audit record, if any.
async fn chain_head(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
) -> StoreResult<Option<(i64, String)>> {
    Ok(
        sqlx::query_as("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&mut **tx)
            .await?,
    )
}

/// [`append_in_tx`] after the record `head` (read in this transaction, or appended in it).
async fn append_after(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    record: &NewAuditRecord,
    bodies: &[SnapshotBody],
    head: Option<(i64, String)>,
) -> StoreResult<AuditRecord> {
    let mut appended = write_records(tx, &[(record, bodies)], head).await?;
    appended
        .pop()
        .ok_or_else(|| StoreError::Setup("no audit record was appended".into()))
}

/// Writes `records` (each with its snapshot bodies, credit-history row, case, webhook events
/// and monitoring change) after the record `head`, in order, a few statements for all of
/// them.
async fn write_records(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    records: &[(&NewAuditRecord, &[SnapshotBody])],
    mut head: Option<(i64, String)>,
) -> StoreResult<Vec<AuditRecord>> {
    let mut appended = Vec::with_capacity(records.len());
    for (record, _) in records {
        let next = chained(record, head.take())?;
        head = Some((next.seq, next.hash.clone()));
        appended.push(next);
    }
    let mut bodies: Vec<&SnapshotBody> = records.iter().flat_map(|(_, b)| b.iter()).collect();
    bodies.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    bodies.dedup_by(|a, b| a.sha256 == b.sha256);
    for chunk in bodies.chunks(MAX_BOUND_VALUES / 3) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO snapshot_bodies (sha256, size, compressed) ",
        );
        insert.push_values(chunk, |mut row, body| {
            row.push_bind(&body.sha256)
                .push_bind(body.size)
                .push_bind(&body.compressed);
        });
        insert.push(" ON CONFLICT (sha256) DO NOTHING");
        insert.build().execute(&mut **tx).await?;
    }
    let history: Vec<_> = records
        .iter()
        .filter_map(|(r, _)| r.history.as_ref())
        .collect();
    insert_credit_history(tx, &history).await?;
    for chunk in appended.chunks(MAX_BOUND_VALUES / 9) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "INSERT INTO audit_records (seq, id, kind, decision_id, world, recorded_at_ms, \
             payload, prev_hash, hash) ",
        );
        insert.push_values(chunk, |mut row, r| {
            row.push_bind(r.seq)
                .push_bind(&r.id)
                .push_bind(&r.kind)
                .push_bind(&r.decision_id)
                .push_bind(&r.world)
                .push_bind(millis(r.recorded_at))
                .push_bind(&r.payload)
                .push_bind(&r.prev_hash)
                .push_bind(&r.hash);
        });
        insert
            .build()
            .execute(&mut **tx)
            .await
            .map_err(|e| conflict_or(e, || format!("audit record {}", ids(chunk, |r| &r.id))))?;
    }
    let cases: Vec<_> = records
        .iter()
        .filter_map(|(r, _)| r.case.as_ref())
        .collect();
    upsert_cases(tx, &cases).await?;
    let decided: Vec<_> = records
        .iter()
        .filter(|(r, _)| r.kind == "decision")
        .filter_map(|(r, _)| r.case.as_ref())
        .collect();
    let drift = super::dashboard::drift_rows(&decided);
    for mut upsert in super::dashboard::drift_upserts::<sqlx::Sqlite>(&drift) {
        upsert.build().execute(&mut **tx).await?;
    }
    let events: Vec<_> = records
        .iter()
        .flat_map(|(r, _)| r.events.iter().map(|e| (r.world.as_str(), e)))
        .collect();
    queue_events(tx, &events).await?;
    let monitoring: Vec<_> = records
        .iter()
        .filter_map(|(r, _)| Some((r.world.as_str(), r.monitoring.as_ref()?)))
        .collect();
    if monitoring
        .iter()
        .all(|(_, m)| matches!(m, MonitoringWrite::Enrol { .. }))
    {
        let enrolments: Vec<_> = monitoring.iter().map(|(_, m)| *m).collect();
        q::enrol_in_tx(tx, &enrolments).await?;
    } else {
        for (world, m) in monitoring {
            q::write_in_tx(tx, world, &[], Some(m)).await?;
        }
    }
    Ok(appended)
}

/// The record `record` becomes when appended after `head`: its place and hashes in the chain.
fn chained(record: &NewAuditRecord, head: Option<(i64, String)>) -> StoreResult<AuditRecord> {
    let (seq, prev_hash) = match head {
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
    Ok(AuditRecord {
        seq,
        id: record.id.clone(),
        kind: record.kind.clone(),
        decision_id: record.decision_id.clone(),
        world: record.world.clone(),
        recorded_at: from_millis(recorded_at_ms)?,
        payload: record.payload.clone(),
        prev_hash,
        hash,
    })
}

/// Queues each event for every enabled endpoint of its world subscribed to its type: one
/// outbox row per event and endpoint, in the order of the events.
async fn queue_events(
    conn: &mut sqlx::SqliteConnection,
    events: &[(&str, &OutboxEvent)],
) -> StoreResult<()> {
    for chunk in events.chunks(MAX_BOUND_VALUES / 7) {
        let mut insert = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "WITH queued (ord, event_id, event_type, body, created_at_ms, world, pattern) AS (",
        );
        insert.push_values(chunk.iter().enumerate(), |mut row, (ord, (world, e))| {
            row.push_bind(ord as i64)
                .push_bind(&e.id)
                .push_bind(&e.event_type)
                .push_bind(&e.body)
                .push_bind(millis(e.created_at))
                .push_bind(*world)
                .push_bind(format!("%,{},%", e.event_type));
        });
        insert.push(
            ") INSERT INTO webhook_messages (event_id, endpoint_id, event_type, body, \
             created_at_ms, next_attempt_ms) \
             SELECT q.event_id, e.id, q.event_type, q.body, q.created_at_ms, q.created_at_ms \
             FROM queued q JOIN webhook_endpoints e ON e.world = q.world AND e.enabled \
             AND (',' || e.event_types || ',') LIKE q.pattern ORDER BY q.ord, e.rowid",
        );
        insert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

const CASE_COLUMNS: &str = "decision_id, world, siren, company_name, product, amount_cents, \
    automated_outcome, status, final_outcome, final_limit_cents, referrals, score, grade, \
    probability_of_default, proposed_limit_cents, coverage, fraud, decided_at_ms, updated_at_ms, \
    latency_ms, submitted_by, api_key_id, external_reference, claimed_by, claimed_by_name, \
    claimed_at_ms, pending_action, pending_by, overridden, events, model_bins";

fn case_from_row(row: &SqliteRow) -> StoreResult<CaseRow> {
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

/// Inserts cases, or updates what can change of those already there.
async fn upsert_cases(conn: &mut sqlx::SqliteConnection, cases: &[&CaseRow]) -> StoreResult<()> {
    for chunk in cases.chunks(MAX_BOUND_VALUES / 31) {
        let mut upsert =
            sqlx::QueryBuilder::<sqlx::Sqlite>::new(format!("INSERT INTO cases ({CASE_COLUMNS}) "));
        upsert.push_values(chunk, |mut row, c| {
            row.push_bind(&c.decision_id)
                .push_bind(&c.world)
                .push_bind(&c.siren)
                .push_bind(&c.company_name)
                .push_bind(&c.product)
                .push_bind(c.amount_cents)
                .push_bind(&c.automated_outcome)
                .push_bind(&c.status)
                .push_bind(&c.final_outcome)
                .push_bind(c.final_limit_cents)
                .push_bind(&c.referrals)
                .push_bind(c.score)
                .push_bind(&c.grade)
                .push_bind(c.probability_of_default)
                .push_bind(c.proposed_limit_cents)
                .push_bind(c.coverage)
                .push_bind(c.fraud)
                .push_bind(millis(c.decided_at))
                .push_bind(millis(c.updated_at))
                .push_bind(c.latency_ms)
                .push_bind(c.submitted_by)
                .push_bind(&c.api_key_id)
                .push_bind(&c.external_reference)
                .push_bind(c.claimed_by)
                .push_bind(&c.claimed_by_name)
                .push_bind(c.claimed_at.map(millis))
                .push_bind(&c.pending_action)
                .push_bind(c.pending_by)
                .push_bind(i64::from(c.overridden))
                .push_bind(c.events)
                .push_bind(&c.model_bins);
        });
        upsert.push(
            " ON CONFLICT (decision_id) DO UPDATE SET \
             status = excluded.status, final_outcome = excluded.final_outcome, \
             final_limit_cents = excluded.final_limit_cents, updated_at_ms = excluded.updated_at_ms, \
             claimed_by = excluded.claimed_by, claimed_by_name = excluded.claimed_by_name, \
             claimed_at_ms = excluded.claimed_at_ms, pending_action = excluded.pending_action, \
             pending_by = excluded.pending_by, overridden = excluded.overridden, \
             events = excluded.events",
        );
        upsert.build().execute(&mut *conn).await?;
    }
    Ok(())
}

//! The embedded SQLite backend: one file under the data directory, WAL journal, foreign keys
//! on, full synchronous commits so an acknowledged write survives a crash.

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
    super::super::outbox::outbox_queries!(sqlx::Sqlite);
    super::super::lines::lines_queries!(sqlx::Sqlite);
}

super::roles::shared_roles!(SqliteStore, sqlx::Sqlite);

impl SqliteStore {
    /// SQLite has one writer: a write beside the audit chain waits for the appends in progress.
    async fn serialise_appends(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        Some(self.audit_lock.lock().await)
    }

    /// A transaction that appends to the audit chain outside the group commit, with the lock
    /// that keeps the group commit out until it ends.
    async fn begin_append(
        &self,
    ) -> StoreResult<(
        Option<tokio::sync::MutexGuard<'_, ()>>,
        sqlx::Transaction<'static, sqlx::Sqlite>,
    )> {
        let appending = self.audit_lock.lock().await;
        Ok((Some(appending), begin_writing(&self.pool).await?))
    }
}

/// What a case read for a change adds to its `SELECT`: nothing, the write lock is held.
const LOCK_CASE: &str = "";

use crate::auth::password::PasswordHash;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
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

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
    async fn close(&self) {
        super::close_pool(&self.pool).await;
        if let Err(e) = fold_log(&self.pool).await {
            tracing::warn!(error = %e, "copying the write-ahead log into the database at the stop failed");
        }
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

impl SqliteStore {
    async fn write_credit_history(&self, entry: &CreditHistoryEntry) -> StoreResult<()> {
        insert_credit_history(&mut *self.pool.acquire().await?, &[entry]).await
    }
    async fn write_audit(
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
}

/// A record waiting in the group-commit queue, with where to send its result.
#[derive(Debug)]
struct Queued {
    record: NewAuditRecord,
    bodies: Vec<SnapshotBody>,
    reply: tokio::sync::oneshot::Sender<StoreResult<AuditRecord>>,
}

/// Copies the write-ahead log into the database file and removes it, once every connection of
/// `pool` is closed, so that the file alone holds every record.
///
/// SQLite does this when the last connection to a file closes, but a closing connection knows
/// it is the last only by taking an exclusive lock on the file: two connections closing at the
/// same moment can each find the other still open, and then neither does it. The pool closes its
/// idle connections one after the other, but a connection given back after the close began is
/// closed by the task that gives it back, at the same moment as another (with four connections
/// of one file closed at once, the log stayed behind in 24 of 500 trials; closed one after the
/// other, in none). So one more connection is opened and closed once the pool's are all
/// closed: alone on the file, it copies the whole log as it closes and removes it. It checkpoints
/// nothing itself: when another process (a command run beside a live server) has the file open,
/// its close leaves the log to that process rather than taking the write lock from it.
async fn fold_log(pool: &SqlitePool) -> StoreResult<()> {
    use sqlx::{ConnectOptions, Connection};
    let options = (*pool.connect_options()).clone().create_if_missing(false);
    options.connect().await?.close().await?;
    Ok(())
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

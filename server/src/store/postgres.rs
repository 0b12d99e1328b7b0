//! The PostgreSQL backend, for several stateless server instances sharing one database
//! (sessions included). Same contract and same tests as the SQLite backend.

use super::{
    conflict_or, from_millis, millis, ApiKeyRecord, AuditRecord, CreditHistoryEntry, FailureKey,
    Idempotency, NewAuditRecord, NewUser, SnapshotBody, Store, StoreError, StoreResult, UserRecord,
};
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
        })
    }
}

const USER_COLUMNS: &str = "id, username, display_name, role, password_hash, active, is_demo, \
                            created_at_ms, last_sign_in_ms";

fn user_from_row(row: &PgRow) -> StoreResult<UserRecord> {
    let role: String = row.try_get("role")?;
    let last: Option<i64> = row.try_get("last_sign_in_ms")?;
    Ok(UserRecord {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        display_name: row.try_get("display_name")?,
        role: role
            .parse()
            .map_err(|e: app::model::UnknownRole| StoreError::Corrupt(e.to_string()))?,
        password_hash: PasswordHash::from_stored(row.try_get("password_hash")?),
        active: row.try_get("active")?,
        is_demo: row.try_get("is_demo")?,
        created_at: from_millis(row.try_get("created_at_ms")?)?,
        last_sign_in_at: last.map(from_millis).transpose()?,
    })
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

const API_KEY_COLUMNS: &str =
    "id, name, mode, key_hash, display_prefix, created_at_ms, revoked_at_ms";

fn api_key_from_row(row: &PgRow) -> StoreResult<ApiKeyRecord> {
    let revoked: Option<i64> = row.try_get("revoked_at_ms")?;
    Ok(ApiKeyRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        mode: row.try_get("mode")?,
        key_hash: row.try_get("key_hash")?,
        display_prefix: row.try_get("display_prefix")?,
        created_at: from_millis(row.try_get("created_at_ms")?)?,
        revoked_at: revoked.map(from_millis).transpose()?,
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

    async fn create_user(&self, user: NewUser, now: DateTime<Utc>) -> StoreResult<UserRecord> {
        let sql = format!(
            "INSERT INTO users (username, display_name, role, password_hash, is_demo, created_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {USER_COLUMNS}"
        );
        let row = sqlx::query(&sql)
            .bind(&user.username)
            .bind(&user.display_name)
            .bind(user.role.as_str())
            .bind(user.password_hash.as_stored())
            .bind(user.is_demo)
            .bind(millis(now))
            .fetch_one(&self.pool)
            .await
            .map_err(|e| super::conflict_or(e, || format!("user `{}`", user.username)))?;
        user_from_row(&row)
    }

    async fn user_by_id(&self, id: i64) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn user_by_username(&self, username: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE username = $1");
        let row = sqlx::query(&sql)
            .bind(username)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn list_users(&self) -> StoreResult<Vec<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users ORDER BY username");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(user_from_row).collect()
    }

    async fn count_users(&self) -> StoreResult<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?)
    }

    async fn record_sign_in(&self, user_id: i64, at: DateTime<Utc>) -> StoreResult<()> {
        sqlx::query("UPDATE users SET last_sign_in_ms = $1 WHERE id = $2")
            .bind(millis(at))
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn set_user_active(&self, user_id: i64, active: bool) -> StoreResult<()> {
        sqlx::query("UPDATE users SET active = $1 WHERE id = $2")
            .bind(active)
            .bind(user_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn record_sign_in_failure(
        &self,
        username: &str,
        address: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO sign_in_failures (username, address, failed_ms) VALUES ($1, $2, $3)",
        )
        .bind(username)
        .bind(address)
        .bind(millis(at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn sign_in_failures_since(
        &self,
        key: FailureKey<'_>,
        since: DateTime<Utc>,
    ) -> StoreResult<Vec<DateTime<Utc>>> {
        let (sql, value) = match key {
            FailureKey::Username(u) => (
                "SELECT failed_ms FROM sign_in_failures WHERE username = $1 AND failed_ms >= $2 \
                 ORDER BY failed_ms LIMIT 1000",
                u,
            ),
            FailureKey::Address(a) => (
                "SELECT failed_ms FROM sign_in_failures WHERE address = $1 AND failed_ms >= $2 \
                 ORDER BY failed_ms LIMIT 1000",
                a,
            ),
        };
        let times: Vec<i64> = sqlx::query_scalar(sql)
            .bind(value)
            .bind(millis(since))
            .fetch_all(&self.pool)
            .await?;
        times.into_iter().map(from_millis).collect()
    }

    async fn clear_sign_in_failures(&self, username: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_failures WHERE username = $1")
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
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
        for body in bodies {
            sqlx::query(
                "INSERT INTO snapshot_bodies (sha256, size, compressed) VALUES ($1, $2, $3) \
                 ON CONFLICT (sha256) DO NOTHING",
            )
            .bind(&body.sha256)
            .bind(body.size)
            .bind(&body.compressed)
            .execute(&mut *tx)
            .await?;
        }
        if let Some(entry) = &record.history {
            insert_credit_history(&mut *tx, entry).await?;
        }
        let last: Option<(i64, String)> =
            sqlx::query_as("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
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
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, || format!("audit record {}", record.id)))?;
        tx.commit().await?;
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

    async fn create_api_key(&self, key: &ApiKeyRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO api_keys (id, name, mode, key_hash, display_prefix, created_at_ms, \
             revoked_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(&key.id)
        .bind(&key.name)
        .bind(&key.mode)
        .bind(&key.key_hash)
        .bind(&key.display_prefix)
        .bind(millis(key.created_at))
        .bind(key.revoked_at.map(millis))
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_or(e, || format!("API key {}", key.id)))?;
        Ok(())
    }

    async fn api_key_by_hash(&self, key_hash: &str) -> StoreResult<Option<ApiKeyRecord>> {
        let row = sqlx::query(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys WHERE key_hash = $1"
        ))
        .bind(key_hash)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(api_key_from_row).transpose()
    }

    async fn list_api_keys(&self) -> StoreResult<Vec<ApiKeyRecord>> {
        let rows = sqlx::query(&format!(
            "SELECT {API_KEY_COLUMNS} FROM api_keys ORDER BY created_at_ms, id"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(api_key_from_row).collect()
    }

    async fn revoke_api_key(&self, id: &str, at: DateTime<Utc>) -> StoreResult<bool> {
        let done = sqlx::query(
            "UPDATE api_keys SET revoked_at_ms = $1 WHERE id = $2 AND revoked_at_ms IS NULL",
        )
        .bind(millis(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn idempotency_begin(
        &self,
        api_key_id: &str,
        key: &str,
        request_hash: &str,
        at: DateTime<Utc>,
    ) -> StoreResult<Idempotency> {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (api_key_id, idem_key, request_hash, created_at_ms) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (api_key_id, idem_key) DO NOTHING",
        )
        .bind(api_key_id)
        .bind(key)
        .bind(request_hash)
        .bind(millis(at))
        .execute(&self.pool)
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Idempotency::New);
        }
        let (hash, status, response): (String, Option<i64>, Option<String>) = sqlx::query_as(
            "SELECT request_hash, CAST(status AS BIGINT), response FROM idempotency_keys \
             WHERE api_key_id = $1 AND idem_key = $2",
        )
        .bind(api_key_id)
        .bind(key)
        .fetch_one(&self.pool)
        .await?;
        Ok(match (hash == request_hash, status, response) {
            (false, _, _) => Idempotency::Mismatch,
            (true, Some(status), Some(response)) => Idempotency::Answered {
                status: u16::try_from(status).unwrap_or(500),
                response,
            },
            (true, _, _) => Idempotency::InProgress,
        })
    }

    async fn idempotency_finish(
        &self,
        api_key_id: &str,
        key: &str,
        status: u16,
        response: &str,
    ) -> StoreResult<()> {
        sqlx::query(
            "UPDATE idempotency_keys SET status = $1, response = $2 \
             WHERE api_key_id = $3 AND idem_key = $4",
        )
        .bind(i32::from(status))
        .bind(response)
        .bind(api_key_id)
        .bind(key)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    fn session_store(&self) -> Arc<dyn SessionStore> {
        self.sessions.clone()
    }
}

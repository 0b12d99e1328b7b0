//! The storage roles written once for both databases: the SQL uses `$n` parameters, which
//! SQLite and PostgreSQL both read, and [`shared_roles!`] implements every role for a backend
//! inside its module. What really differs per backend stays in `sqlite.rs` and `postgres.rs`:
//! how a write to the audit chain is serialised and committed (SQLite's group commit and
//! checkpointer, PostgreSQL's advisory lock), behind `write_audit`, `write_credit_history`,
//! `begin_append` and `LOCK_CASE`.

/// Implements `Accounts`, `Keys`, `Ledger`, `Registry` and `Outbox` for a backend with a `pool`
/// of database `$db`, a `known_versions` cache, the outbox queries in a module `q`, the chain's
/// writes (`write_audit`, `write_credit_history`), `begin_append` (a transaction that may append,
/// and what keeps other appenders out until it ends), `LOCK_CASE` (what a case read for a change
/// adds to its `SELECT`), and `serialise_appends` (what a write beside the chain holds).
macro_rules! shared_roles {
    ($store:ty, $db:ty) => {
        const USER_COLUMNS: &str = "id, username, display_name, role, password_hash, active, is_demo, \
                                    created_at_ms, last_sign_in_ms, credentials_changed_ms, \
                                    must_change_password";

        fn user_from_row(row: &<$db as sqlx::Database>::Row) -> StoreResult<UserRecord> {
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
                credentials_changed_at: row
                    .try_get::<Option<i64>, _>("credentials_changed_ms")?
                    .map(from_millis)
                    .transpose()?,
                must_change_password: row.try_get("must_change_password")?,
            })
        }

        const API_KEY_COLUMNS: &str =
            "id, name, mode, key_hash, display_prefix, created_at_ms, revoked_at_ms, scopes";

        fn api_key_from_row(row: &<$db as sqlx::Database>::Row) -> StoreResult<ApiKeyRecord> {
            let revoked: Option<i64> = row.try_get("revoked_at_ms")?;
            Ok(ApiKeyRecord {
                id: row.try_get("id")?,
                name: row.try_get("name")?,
                mode: row.try_get("mode")?,
                key_hash: row.try_get("key_hash")?,
                display_prefix: row.try_get("display_prefix")?,
                created_at: from_millis(row.try_get("created_at_ms")?)?,
                revoked_at: revoked.map(from_millis).transpose()?,
                scopes: row
                    .try_get::<String, _>("scopes")?
                    .split_whitespace()
                    .map(|s| {
                        s.parse()
                            .map_err(|e: app::model::UnknownScope| StoreError::Corrupt(e.to_string()))
                    })
                    .collect::<StoreResult<_>>()?,
            })
        }

        /// The account `user_id` as `tx` sees it; `NotFound` when there is none.
        async fn user_in_tx(
            tx: &mut sqlx::Transaction<'_, $db>,
            user_id: i64,
        ) -> StoreResult<UserRecord> {
            let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
            match sqlx::query(&sql).bind(user_id).fetch_optional(&mut **tx).await? {
                Some(row) => user_from_row(&row),
                None => Err(StoreError::NotFound(format!("user {user_id}"))),
            }
        }

        #[async_trait]
        impl Accounts for $store {
            async fn create_user(
                &self,
                user: NewUser,
                now: DateTime<Utc>,
                record: Option<AccountRecord>,
            ) -> StoreResult<UserRecord> {
                // Serialised with the chain's appends (on SQLite, the write lock taken at once).
                let (_appending, mut tx) = self.begin_append().await?;
                let sql = format!(
                    "INSERT INTO users (username, display_name, role, password_hash, is_demo, created_at_ms, \
                     must_change_password) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {USER_COLUMNS}"
                );
                let row = sqlx::query(&sql)
                    .bind(&user.username)
                    .bind(&user.display_name)
                    .bind(user.role.as_str())
                    .bind(user.password_hash.as_stored())
                    .bind(user.is_demo)
                    .bind(millis(now))
                    .bind(user.must_change_password)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(|e| super::conflict_or(e, || format!("user `{}`", user.username)))?;
                let created = user_from_row(&row)?;
                if let Some(record) = record {
                    append_in_tx(&mut tx, record(None, &created), &[]).await?;
                }
                tx.commit().await?;
                Ok(created)
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
            async fn record_sign_in(
                &self,
                user_id: i64,
                at: DateTime<Utc>,
                record: Option<AccountRecord>,
            ) -> StoreResult<UserRecord> {
                // Serialised with the chain's appends (on SQLite, the write lock taken at once).
                let (_appending, mut tx) = self.begin_append().await?;
                let before = user_in_tx(&mut tx, user_id).await?;
                let sql = format!(
                    "UPDATE users SET last_sign_in_ms = $1 WHERE id = $2 RETURNING {USER_COLUMNS}"
                );
                let row = sqlx::query(&sql)
                    .bind(millis(at))
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?;
                let signed_in = user_from_row(&row)?;
                if let Some(record) = record {
                    append_in_tx(&mut tx, record(Some(&before), &signed_in), &[]).await?;
                }
                tx.commit().await?;
                Ok(signed_in)
            }
            async fn update_user(
                &self,
                user_id: i64,
                change: UserChange,
                now: DateTime<Utc>,
                record: Option<AccountRecord>,
            ) -> StoreResult<UserRecord> {
                // Serialised with the chain's appends (on SQLite, the write lock taken at once).
                let (_appending, mut tx) = self.begin_append().await?;
                let before = user_in_tx(&mut tx, user_id).await?;
                let set = match change {
                    UserChange::Role(_) => "role = $2",
                    UserChange::Active(_) => "active = $2",
                    UserChange::Password(_) => {
                        "password_hash = $2, credentials_changed_ms = $3, must_change_password = TRUE"
                    }
                    UserChange::OwnPassword(_) => {
                        "password_hash = $2, credentials_changed_ms = $3, must_change_password = FALSE"
                    }
                };
                let guard = if super::keeps_an_admin(&change) {
                    " AND (NOT (role = 'admin' AND active) OR EXISTS (SELECT 1 FROM users o \
                     WHERE o.role = 'admin' AND o.active AND o.id <> users.id))"
                } else {
                    ""
                };
                let sql = format!("UPDATE users SET {set} WHERE id = $1{guard} RETURNING {USER_COLUMNS}");
                let query = sqlx::query(&sql).bind(user_id);
                let query = match &change {
                    UserChange::Role(role) => query.bind(role.as_str()),
                    UserChange::Active(active) => query.bind(*active),
                    UserChange::Password(hash) | UserChange::OwnPassword(hash) => {
                        query.bind(hash.as_stored().to_owned()).bind(millis(now))
                    }
                };
                let Some(row) = query.fetch_optional(&mut *tx).await? else {
                    return Err(StoreError::Refused(
                        "this is the last active admin: make another admin first".into(),
                    ));
                };
                let changed = user_from_row(&row)?;
                if let Some(record) = record {
                    append_in_tx(&mut tx, record(Some(&before), &changed), &[]).await?;
                }
                tx.commit().await?;
                Ok(changed)
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
        }

        #[async_trait]
        impl Keys for $store {
            async fn create_api_key(&self, key: &ApiKeyRecord) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO api_keys (id, name, mode, key_hash, display_prefix, created_at_ms, \
                     revoked_at_ms, scopes) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&key.id)
                .bind(&key.name)
                .bind(&key.mode)
                .bind(&key.key_hash)
                .bind(&key.display_prefix)
                .bind(millis(key.created_at))
                .bind(key.revoked_at.map(millis))
                .bind(
                    key.scopes
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" "),
                )
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
        }

        #[async_trait]
        impl Registry for $store {
            async fn register_engine_version(&self, v: &EngineVersion) -> StoreResult<()> {
                let key = format!("{}/{}/{}", v.kind, v.version, v.sha256);
                if self
                    .known_versions
                    .lock()
                    .map(|k| k.contains(&key))
                    .unwrap_or(false)
                {
                    return Ok(());
                }
                sqlx::query(
                    "INSERT INTO engine_versions (kind, version, sha256, content, registered_at_ms) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (kind, version) DO NOTHING",
                )
                .bind(&v.kind)
                .bind(&v.version)
                .bind(&v.sha256)
                .bind(&v.content)
                .bind(millis(v.registered_at))
                .execute(&self.pool)
                .await?;
                let stored: (String,) =
                    sqlx::query_as("SELECT sha256 FROM engine_versions WHERE kind = $1 AND version = $2")
                        .bind(&v.kind)
                        .bind(&v.version)
                        .fetch_one(&self.pool)
                        .await?;
                if stored.0 != v.sha256 {
                    return Err(StoreError::Conflict(format!(
                        "{} version {} with other content (registered sha256 {})",
                        v.kind, v.version, stored.0
                    )));
                }
                if let Ok(mut known) = self.known_versions.lock() {
                    known.insert(key);
                }
                Ok(())
            }
            async fn engine_version(
                &self,
                kind: &str,
                version: &str,
            ) -> StoreResult<Option<EngineVersion>> {
                let row: Option<(String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT kind, version, sha256, content, registered_at_ms FROM engine_versions \
                     WHERE kind = $1 AND version = $2",
                )
                .bind(kind)
                .bind(version)
                .fetch_optional(&self.pool)
                .await?;
                row.map(engine_version_from_row).transpose()
            }
            async fn engine_versions(&self) -> StoreResult<Vec<EngineVersion>> {
                let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
                    "SELECT kind, version, sha256, content, registered_at_ms FROM engine_versions \
                     ORDER BY registered_at_ms, kind, version",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(engine_version_from_row).collect()
            }
        }

        #[async_trait]
        impl Outbox for $store {
            async fn create_webhook_endpoint(&self, e: &WebhookEndpoint) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO webhook_endpoints (id, world, url, event_types, secret, enabled, \
                     created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&e.id)
                .bind(&e.world)
                .bind(&e.url)
                .bind(e.event_types.join(","))
                .bind(secrecy::ExposeSecret::expose_secret(&e.secret))
                .bind(e.enabled)
                .bind(millis(e.created_at))
                .bind(millis(e.updated_at))
                .execute(&self.pool)
                .await
                .map_err(|err| conflict_or(err, || format!("webhook endpoint {}", e.id)))?;
                Ok(())
            }
            async fn set_webhook_secret(&self, id: &str, sealed: &str) -> StoreResult<()> {
                sqlx::query("UPDATE webhook_endpoints SET secret = $1 WHERE id = $2")
                    .bind(sealed)
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                Ok(())
            }
            async fn webhook_endpoints(&self) -> StoreResult<Vec<WebhookEndpoint>> {
                let sql = format!(
                    "SELECT {} FROM webhook_endpoints ORDER BY created_at_ms, id",
                    super::WEBHOOK_COLUMNS
                );
                let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
                rows.iter().map(super::webhook_from_row).collect()
            }
            async fn webhook_endpoint(&self, id: &str) -> StoreResult<Option<WebhookEndpoint>> {
                let sql = format!(
                    "SELECT {} FROM webhook_endpoints WHERE id = $1",
                    super::WEBHOOK_COLUMNS
                );
                let row = sqlx::query(&sql)
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(super::webhook_from_row).transpose()
            }
            async fn set_webhook_enabled(
                &self,
                id: &str,
                enabled: bool,
                at: DateTime<Utc>,
            ) -> StoreResult<bool> {
                q::set_enabled(&self.pool, id, enabled, at).await
            }
            async fn claim_webhook_messages(
                &self,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
                limit: i64,
            ) -> StoreResult<Vec<WebhookMessage>> {
                q::claim_messages(&self.pool, now, lease_until, limit).await
            }
            async fn record_webhook_attempt(
                &self,
                attempt: &WebhookAttempt,
                endpoint_id: &str,
                outcome: AttemptOutcome,
                rule: DisableRule,
            ) -> StoreResult<bool> {
                q::record_attempt(&self.pool, attempt, endpoint_id, outcome, rule).await
            }
            async fn webhook_messages(
                &self,
                endpoint_id: Option<&str>,
                limit: i64,
            ) -> StoreResult<Vec<WebhookMessage>> {
                q::messages(&self.pool, endpoint_id, limit).await
            }
            async fn webhook_message(&self, seq: i64) -> StoreResult<Option<WebhookMessage>> {
                q::message(&self.pool, seq).await
            }
            async fn webhook_attempts(&self, seq: i64) -> StoreResult<Vec<WebhookAttempt>> {
                q::attempts(&self.pool, seq).await
            }
            async fn redeliver_webhook(&self, seq: i64, now: DateTime<Utc>) -> StoreResult<bool> {
                q::redeliver(&self.pool, seq, now).await
            }
            async fn claim_monitoring(
                &self,
                now: DateTime<Utc>,
                lease_until: DateTime<Utc>,
                limit: i64,
            ) -> StoreResult<Vec<MonitoredCompany>> {
                q::claim_monitoring(&self.pool, now, lease_until, limit).await
            }
            async fn monitored_companies(
                &self,
                world: &str,
                limit: i64,
            ) -> StoreResult<Vec<MonitoredCompany>> {
                q::monitored(&self.pool, world, limit).await
            }
            async fn monitored_company(
                &self,
                world: &str,
                siren: &str,
            ) -> StoreResult<Option<MonitoredCompany>> {
                q::monitored_one(&self.pool, world, siren).await
            }
            async fn check_monitoring_now(
                &self,
                world: &str,
                siren: &str,
                now: DateTime<Utc>,
            ) -> StoreResult<bool> {
                q::check_now(&self.pool, world, siren, now).await
            }
            async fn finish_monitoring_check(
                &self,
                world: &str,
                write: &MonitoringWrite,
                events: &[OutboxEvent],
            ) -> StoreResult<()> {
                let _appending = self.serialise_appends().await;
            q::finish_check(&self.pool, world, write, events).await
            }
            async fn set_sandbox_condition(&self, condition: &SandboxCondition) -> StoreResult<()> {
                q::set_condition(&self.pool, condition).await
            }
            async fn sandbox_conditions(&self) -> StoreResult<Vec<SandboxCondition>> {
                q::conditions(&self.pool).await
            }
        }

        #[async_trait]
        impl Integration for $store {
            async fn record_milestone(
                &self,
                world: &str,
                step: &str,
                key_id: &str,
                at: DateTime<Utc>,
            ) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO integration_milestones (world, step, key_id, first_at_ms, last_at_ms) \
                     VALUES ($1, $2, $3, $4, $4) ON CONFLICT (world, step) DO UPDATE SET \
                     key_id = excluded.key_id, last_at_ms = excluded.last_at_ms",
                )
                .bind(world)
                .bind(step)
                .bind(key_id)
                .bind(millis(at))
                .execute(&self.pool)
                .await?;
                Ok(())
            }
            async fn milestones(&self) -> StoreResult<Vec<Milestone>> {
                let rows: Vec<(String, String, String, i64, i64)> = sqlx::query_as(
                    "SELECT world, step, key_id, first_at_ms, last_at_ms \
                     FROM integration_milestones ORDER BY world, step",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(world, step, key_id, first, last)| {
                        Ok(Milestone {
                            world,
                            step,
                            key_id,
                            first_at: from_millis(first)?,
                            last_at: from_millis(last)?,
                        })
                    })
                    .collect()
            }
            async fn save_load_test_run(&self, r: &LoadTestRun) -> StoreResult<()> {
                sqlx::query(
                    "INSERT INTO load_test_runs (run_id, instance_id, world, key_id, started_at_ms, \
                     ended_at_ms, requests, errors, over_budget, p50_us, p99_us, max_us) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
                     ON CONFLICT (run_id, instance_id) DO UPDATE SET \
                     started_at_ms = excluded.started_at_ms, ended_at_ms = excluded.ended_at_ms, \
                     requests = excluded.requests, errors = excluded.errors, \
                     over_budget = excluded.over_budget, p50_us = excluded.p50_us, \
                     p99_us = excluded.p99_us, max_us = excluded.max_us",
                )
                .bind(&r.run_id)
                .bind(&r.instance_id)
                .bind(&r.world)
                .bind(&r.key_id)
                .bind(millis(r.started_at))
                .bind(millis(r.ended_at))
                .bind(r.requests)
                .bind(r.errors)
                .bind(r.over_budget)
                .bind(r.p50_us)
                .bind(r.p99_us)
                .bind(r.max_us)
                .execute(&self.pool)
                .await?;
                Ok(())
            }
            async fn load_test_runs(&self, world: &str, limit: i64) -> StoreResult<Vec<LoadTestRun>> {
                let rows = sqlx::query(
                    "SELECT run_id, instance_id, world, key_id, started_at_ms, ended_at_ms, requests, \
                     errors, over_budget, p50_us, p99_us, max_us FROM load_test_runs \
                     WHERE world = $1 ORDER BY ended_at_ms DESC, run_id, instance_id LIMIT $2",
                )
                .bind(world)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|row| {
                        Ok(LoadTestRun {
                            run_id: row.try_get("run_id")?,
                            instance_id: row.try_get("instance_id")?,
                            world: row.try_get("world")?,
                            key_id: row.try_get("key_id")?,
                            started_at: from_millis(row.try_get("started_at_ms")?)?,
                            ended_at: from_millis(row.try_get("ended_at_ms")?)?,
                            requests: row.try_get("requests")?,
                            errors: row.try_get("errors")?,
                            over_budget: row.try_get("over_budget")?,
                            p50_us: row.try_get("p50_us")?,
                            p99_us: row.try_get("p99_us")?,
                            max_us: row.try_get("max_us")?,
                        })
                    })
                    .collect()
            }
            async fn api_decisions_by_product(&self, world: &str) -> StoreResult<Vec<(String, i64)>> {
                Ok(sqlx::query_as(
                    "SELECT product, COUNT(*) FROM cases WHERE world = $1 \
                     AND api_key_id IS NOT NULL GROUP BY product ORDER BY product",
                )
                .bind(world)
                .fetch_all(&self.pool)
                .await?)
            }
            async fn verified_endpoints(&self, world: &str) -> StoreResult<Vec<VerifiedEndpoint>> {
                let rows: Vec<(String, String, i64)> = sqlx::query_as(
                    "SELECT e.id, e.url, MAX(m.last_attempt_ms) FROM webhook_messages m \
                     JOIN webhook_endpoints e ON e.id = m.endpoint_id \
                     WHERE e.world = $1 AND m.event_type = $2 AND m.status = 'delivered' \
                     AND m.last_attempt_ms IS NOT NULL \
                     GROUP BY e.id, e.url ORDER BY e.id",
                )
                .bind(world)
                .bind(crate::store::TEST_EVENT_TYPE)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(endpoint_id, url, at)| {
                        Ok(VerifiedEndpoint {
                            endpoint_id,
                            url,
                            delivered_at: from_millis(at)?,
                        })
                    })
                    .collect()
            }
            async fn queue_for_endpoint(
                &self,
                endpoint_id: &str,
                e: &OutboxEvent,
                held_until: Option<DateTime<Utc>>,
            ) -> StoreResult<i64> {
                Ok(sqlx::query_scalar(
                    "INSERT INTO webhook_messages (event_id, endpoint_id, event_type, body, \
                     created_at_ms, next_attempt_ms, lease_until_ms) \
                     VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING seq",
                )
                .bind(&e.id)
                .bind(endpoint_id)
                .bind(&e.event_type)
                .bind(&e.body)
                .bind(millis(e.created_at))
                .bind(held_until.map_or(0, millis))
                .fetch_one(&self.pool)
                .await?)
            }
        }

        #[async_trait]
        impl Lines for $store {
            async fn credit_lines(
                &self,
                world: &str,
                siren: &str,
            ) -> StoreResult<(Vec<CreditLine>, Vec<LineChangeRecord>)> {
                q::lines(&self.pool, world, siren).await
            }
            async fn company_assessments(
                &self,
                world: &str,
                siren: &str,
                limit: i64,
            ) -> StoreResult<Vec<Assessment>> {
                q::assessments(&self.pool, world, siren, limit).await
            }
            async fn portfolio(&self, world: &str) -> StoreResult<Vec<PortfolioRow>> {
                q::portfolio(&self.pool, world).await
            }
            async fn line_changes(
                &self,
                world: &str,
                from: DateTime<Utc>,
                to: DateTime<Utc>,
            ) -> StoreResult<Vec<LineChangeRecord>> {
                q::line_changes(&self.pool, world, from, to).await
            }
        }

        fn audit_from_row(row: &<$db as sqlx::Database>::Row) -> StoreResult<AuditRecord> {
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

        const CASE_COLUMNS: &str = "decision_id, world, siren, company_name, product, amount_cents, \
            automated_outcome, status, final_outcome, final_limit_cents, referrals, score, grade, \
            probability_of_default, proposed_limit_cents, coverage, fraud, decided_at_ms, updated_at_ms, \
            latency_ms, submitted_by, api_key_id, external_reference, claimed_by, claimed_by_name, \
            claimed_at_ms, pending_action, pending_by, overridden, events, model_bins";

        fn case_from_row(row: &<$db as sqlx::Database>::Row) -> StoreResult<CaseRow> {
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

        #[async_trait]
        impl Transparency for $store {
            async fn tree_size(&self) -> StoreResult<u64> {
                let size: Option<i64> =
                    sqlx::query_scalar("SELECT MAX(idx) + 1 FROM audit_tree_nodes WHERE level = 0")
                        .fetch_one(&self.pool)
                        .await?;
                Ok(size.unwrap_or(0).max(0) as u64)
            }
            async fn tree_nodes(&self, ids: &[(u32, u64)]) -> StoreResult<Vec<((u32, u64), String)>> {
                let mut out = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(200) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "SELECT level, idx, hash FROM audit_tree_nodes WHERE ",
                    );
                    for (i, (level, idx)) in chunk.iter().enumerate() {
                        if i > 0 {
                            q.push(" OR ");
                        }
                        q.push("(level = ")
                            .push_bind(i64::from(*level))
                            .push(" AND idx = ")
                            .push_bind(*idx as i64)
                            .push(")");
                    }
                    let rows: Vec<(i64, i64, String)> =
                        q.build_query_as().fetch_all(&self.pool).await?;
                    out.extend(
                        rows.into_iter()
                            .map(|(level, idx, hash)| ((level as u32, idx as u64), hash)),
                    );
                }
                Ok(out)
            }
            async fn save_checkpoint(
                &self,
                nodes: &[(u32, u64, String)],
                checkpoint: &StoredCheckpoint,
                root_hash: &str,
                key_id: &str,
                event: &OutboxEvent,
            ) -> StoreResult<()> {
                let mut tx = self.pool.begin().await?;
                for chunk in nodes.chunks(300) {
                    let mut q = sqlx::QueryBuilder::<$db>::new(
                        "INSERT INTO audit_tree_nodes (level, idx, hash) ",
                    );
                    q.push_values(chunk, |mut b, (level, idx, hash)| {
                        b.push_bind(i64::from(*level))
                            .push_bind(*idx as i64)
                            .push_bind(hash.as_str());
                    });
                    q.push(" ON CONFLICT (level, idx) DO NOTHING");
                    q.build().execute(&mut *tx).await?;
                }
                sqlx::query(
                    "INSERT INTO audit_checkpoints (tree_size, root_hash, signed_at_ms, key_id, line) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(checkpoint.tree_size as i64)
                .bind(root_hash)
                .bind(millis(checkpoint.signed_at))
                .bind(key_id)
                .bind(&checkpoint.line)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO webhook_messages (event_id, endpoint_id, event_type, body, \
                     created_at_ms, next_attempt_ms) \
                     SELECT $1, id, $2, $3, $4, $4 FROM webhook_endpoints \
                     WHERE enabled AND (',' || event_types || ',') LIKE $5",
                )
                .bind(&event.id)
                .bind(&event.event_type)
                .bind(&event.body)
                .bind(millis(event.created_at))
                .bind(format!("%,{},%", event.event_type))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }
            async fn checkpoints(
                &self,
                after: Option<DateTime<Utc>>,
                limit: i64,
            ) -> StoreResult<Vec<StoredCheckpoint>> {
                let rows: Vec<(i64, i64, i64, String)> = sqlx::query_as(
                    "SELECT seq, tree_size, signed_at_ms, line FROM audit_checkpoints \
                     WHERE signed_at_ms > $1 ORDER BY signed_at_ms, seq LIMIT $2",
                )
                .bind(after.map_or(i64::MIN, millis))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(stored_checkpoint).collect()
            }
            async fn latest_checkpoint(
                &self,
                size: Option<u64>,
            ) -> StoreResult<Option<StoredCheckpoint>> {
                let row: Option<(i64, i64, i64, String)> = match size {
                    None => {
                        sqlx::query_as(
                            "SELECT seq, tree_size, signed_at_ms, line FROM audit_checkpoints \
                             ORDER BY tree_size DESC, seq DESC LIMIT 1",
                        )
                        .fetch_optional(&self.pool)
                        .await?
                    }
                    Some(size) => {
                        sqlx::query_as(
                            "SELECT seq, tree_size, signed_at_ms, line FROM audit_checkpoints \
                             WHERE tree_size = $1 ORDER BY seq DESC LIMIT 1",
                        )
                        .bind(size as i64)
                        .fetch_optional(&self.pool)
                        .await?
                    }
                };
                row.map(stored_checkpoint).transpose()
            }
            async fn snapshot_bodies_after(
                &self,
                after: &str,
                limit: i64,
            ) -> StoreResult<Vec<SnapshotBody>> {
                let rows: Vec<(String, i64, Vec<u8>)> = sqlx::query_as(
                    "SELECT sha256, size, compressed FROM snapshot_bodies WHERE sha256 > $1 \
                     ORDER BY sha256 LIMIT $2",
                )
                .bind(after)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows
                    .into_iter()
                    .map(|(sha256, size, compressed)| SnapshotBody {
                        sha256,
                        size,
                        compressed,
                    })
                    .collect())
            }
        }

        fn stored_checkpoint(
            (seq, tree_size, signed_at_ms, line): (i64, i64, i64, String),
        ) -> StoreResult<StoredCheckpoint> {
            Ok(StoredCheckpoint {
                seq,
                tree_size: tree_size.max(0) as u64,
                signed_at: from_millis(signed_at_ms)?,
                line,
            })
        }

        #[async_trait]
        impl Ledger for $store {
            async fn record_credit_history(&self, entry: &CreditHistoryEntry) -> StoreResult<()> {
                self.write_credit_history(entry).await
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
                self.write_audit(record, bodies).await
            }
            async fn append_case_event(
                &self,
                decision_id: &str,
                transition: CaseTransition<'_>,
            ) -> StoreResult<(CaseRow, AuditRecord)> {
                let (_appending, mut tx) = self.begin_append().await?;
                let row = sqlx::query(&format!(
                    "SELECT {CASE_COLUMNS} FROM cases WHERE decision_id = $1{LOCK_CASE}"
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
                    "SELECT {CASE_COLUMNS} FROM cases WHERE decision_id = $1"
                ))
                .bind(decision_id)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(case_from_row).transpose()
            }
            async fn list_cases(&self, filter: &CaseFilter) -> StoreResult<CasePage> {
                let mut count = sqlx::QueryBuilder::<$db>::new("SELECT COUNT(*) FROM cases");
                push_case_filter(&mut count, filter);
                let total: i64 = count.build_query_scalar().fetch_one(&self.pool).await?;
                let mut query =
                    sqlx::QueryBuilder::<$db>::new(format!("SELECT {CASE_COLUMNS} FROM cases"));
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
                for mut query in super::dashboard::queries::<$db>(
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
                let rows = super::dashboard::drift_query::<$db>(
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

        /// Bound values per statement, far under SQLite's limit (32766) whatever a batch holds.
        const MAX_BOUND_VALUES: usize = 8_000;

        /// Adds rows to the lender's credit history.
        async fn insert_credit_history(
            conn: &mut <$db as sqlx::Database>::Connection,
            entries: &[&CreditHistoryEntry],
        ) -> StoreResult<()> {
            for chunk in entries.chunks(MAX_BOUND_VALUES / 8) {
                let mut insert = sqlx::QueryBuilder::<$db>::new(
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

        /// Appends one audit record (with its snapshot bodies, credit-history row and case) inside
        /// `tx`; the caller holds the append lock.
        async fn append_in_tx(
            tx: &mut sqlx::Transaction<'_, $db>,
            record: NewAuditRecord,
            bodies: &[SnapshotBody],
        ) -> StoreResult<AuditRecord> {
            let head = chain_head(tx).await?;
            append_after(tx, &record, bodies, head).await
        }

        /// The sequence number and hash of the last audit record, if any.
        async fn chain_head(
            tx: &mut sqlx::Transaction<'_, $db>,
        ) -> StoreResult<Option<(i64, String)>> {
            Ok(
                sqlx::query_as("SELECT seq, hash FROM audit_records ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut **tx)
                    .await?,
            )
        }

        /// [`append_in_tx`] after the record `head` (read in this transaction, or appended in it).
        async fn append_after(
            tx: &mut sqlx::Transaction<'_, $db>,
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
            tx: &mut sqlx::Transaction<'_, $db>,
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
                let mut insert = sqlx::QueryBuilder::<$db>::new(
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
            let assessments: Vec<_> = records
                .iter()
                .filter_map(|(r, _)| r.assessment.as_ref())
                .collect();
            q::write_assessments_in_tx(tx, &assessments).await?;
            for (r, _) in records.iter().filter(|(r, _)| !r.lines.is_empty()) {
                q::write_lines_in_tx(tx, &r.id, &r.lines).await?;
            }
            for chunk in appended.chunks(MAX_BOUND_VALUES / 9) {
                let mut insert = sqlx::QueryBuilder::<$db>::new(
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
            for mut upsert in super::dashboard::drift_upserts::<$db>(&drift) {
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
            conn: &mut <$db as sqlx::Database>::Connection,
            events: &[(&str, &OutboxEvent)],
        ) -> StoreResult<()> {
            for chunk in events.chunks(MAX_BOUND_VALUES / 7) {
                let mut insert = sqlx::QueryBuilder::<$db>::new(
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
                     AND (',' || e.event_types || ',') LIKE q.pattern ORDER BY q.ord, e.created_at_ms, e.id",
                );
                insert.build().execute(&mut *conn).await?;
            }
            Ok(())
        }

        /// Inserts cases, or updates what can change of those already there.
        async fn upsert_cases(conn: &mut <$db as sqlx::Database>::Connection, cases: &[&CaseRow]) -> StoreResult<()> {
            for chunk in cases.chunks(MAX_BOUND_VALUES / 31) {
                let mut upsert =
                    sqlx::QueryBuilder::<$db>::new(format!("INSERT INTO cases ({CASE_COLUMNS}) "));
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
    };
}

pub(crate) use shared_roles;

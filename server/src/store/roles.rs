//! The storage roles whose statements are the same for both databases (people, API keys,
//! engine versions, the outbox and monitoring), written once: the SQL uses `$n` parameters,
//! which SQLite and PostgreSQL both read, and [`shared_roles!`] implements the roles for a
//! backend inside its module. What really differs per backend (appending to the audit chain,
//! the SQLite checkpointer) stays in `sqlite.rs` and `postgres.rs`.

/// Implements `Accounts`, `Keys`, `Registry` and `Outbox` for a backend with a `pool` of
/// database `$db`, a `known_versions` cache, the outbox queries in a module `q`, and a method
/// `serialise_appends` that holds whatever the backend needs to write beside the audit chain.
macro_rules! shared_roles {
    ($store:ty, $db:ty) => {
        const USER_COLUMNS: &str = "id, username, display_name, role, password_hash, active, is_demo, \
                                    created_at_ms, last_sign_in_ms, credentials_changed_ms";

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
            })
        }

        const API_KEY_COLUMNS: &str =
            "id, name, mode, key_hash, display_prefix, created_at_ms, revoked_at_ms";

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
            })
        }

        #[async_trait]
        impl Accounts for $store {
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
            async fn update_user(
                &self,
                user_id: i64,
                change: UserChange,
                now: DateTime<Utc>,
            ) -> StoreResult<UserRecord> {
                let set = match change {
                    UserChange::Role(_) => "role = $2",
                    UserChange::Active(_) => "active = $2",
                    UserChange::Password(_) => "password_hash = $2, credentials_changed_ms = $3",
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
                    UserChange::Password(hash) => query.bind(hash.as_stored().to_owned()).bind(millis(now)),
                };
                match query.fetch_optional(&self.pool).await? {
                    Some(row) => user_from_row(&row),
                    None if self.user_by_id(user_id).await?.is_some() => Err(StoreError::Refused(
                        "this is the last active admin: make another admin first".into(),
                    )),
                    None => Err(StoreError::NotFound(format!("user {user_id}"))),
                }
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
    };
}

pub(crate) use shared_roles;

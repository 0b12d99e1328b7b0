//! The webhook outbox, its delivery log, monitoring enrolments and the sandbox's conditions,
//! written once for both databases: the SQL uses `$n` parameters, which SQLite and PostgreSQL
//! both read, and [`outbox_queries!`] instantiates the functions for each backend.

use chrono::{DateTime, Utc};

/// A webhook event caused by an audited change, written in the same transaction: one outbox
/// row per enabled endpoint of the record's world subscribed to its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEvent {
    /// `msg_…`: the `webhook-id` of every delivery of this event.
    pub id: String,
    pub event_type: String,
    /// The body as it will be sent.
    pub body: String,
    pub created_at: DateTime<Utc>,
}

/// A change to a company's monitoring, written with the audit record that causes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MonitoringWrite {
    /// A grant: the company is watched from now on against this decision and limit (a new
    /// grant replaces the previous one).
    Enrol {
        world: String,
        siren: String,
        decision_id: String,
        granted_limit_cents: i64,
        at: DateTime<Utc>,
        next_check: DateTime<Utc>,
    },
    /// A person declined the grant (or the review that monitoring opened): the company is no
    /// longer watched for it.
    Withdraw {
        world: String,
        siren: String,
        decision_id: String,
    },
    /// A check ended: its result (`unchanged`, `risk_changed`, `source_failed`), the decision
    /// it made if any, and when to check again. Releases the scheduler's lease.
    Checked {
        world: String,
        siren: String,
        result: String,
        decision_id: Option<String>,
        at: DateTime<Utc>,
        next_check: DateTime<Utc>,
    },
}

/// One event for one endpoint, as the delivery log shows it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WebhookMessage {
    pub seq: i64,
    pub event_id: String,
    pub endpoint_id: String,
    pub event_type: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// `pending`, `delivered` or `dead`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: DateTime<Utc>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_status: Option<i64>,
}

/// One attempt to deliver a message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct WebhookAttempt {
    pub message_seq: i64,
    /// From 1.
    pub attempt: i64,
    pub at: DateTime<Utc>,
    /// The receiver's HTTP status; `None` when it did not answer.
    pub status: Option<i64>,
    pub latency_ms: i64,
    /// The start of the answer, or why there was none.
    pub excerpt: String,
}

/// What becomes of a message after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttemptOutcome {
    Delivered,
    /// Tried again at this time.
    Retry(DateTime<Utc>),
    /// No attempt left: the dead letter.
    Dead,
}

/// When the dispatcher disables an endpoint: this many failed attempts in a row, the first of
/// them at least `for_ms` ago.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DisableRule {
    pub after_failures: i64,
    pub for_ms: i64,
}

/// A company under monitoring.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MonitoredCompany {
    pub world: String,
    pub siren: String,
    /// The decision the grant rests on.
    pub decision_id: String,
    pub granted_limit_cents: i64,
    pub enrolled_at: DateTime<Utc>,
    pub next_check: DateTime<Utc>,
    pub last_checked: Option<DateTime<Utc>>,
    pub last_result: Option<String>,
    pub last_decision_id: Option<String>,
}

/// A sandbox condition an admin set on a test company.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SandboxCondition {
    pub siren: String,
    /// `proceeding`, `negative_balance` or `inflows_grow`.
    pub kind: String,
    pub since: DateTime<Utc>,
}

pub(crate) const MESSAGE_COLUMNS: &str = "seq, event_id, endpoint_id, event_type, body, \
    created_at_ms, status, attempts, next_attempt_ms, last_attempt_ms, last_status";

pub(crate) const MONITORED_COLUMNS: &str = "world, siren, decision_id, granted_limit_cents, \
    enrolled_at_ms, next_check_ms, last_checked_ms, last_result, last_decision_id";

/// The outbox functions for one backend: `outbox_queries!(sqlx::Sqlite)` inside a module.
macro_rules! outbox_queries {
    ($db:ty) => {
        use crate::store::outbox::{
            AttemptOutcome, DisableRule, MonitoredCompany, MonitoringWrite, OutboxEvent,
            SandboxCondition, WebhookAttempt, WebhookMessage, MESSAGE_COLUMNS, MONITORED_COLUMNS,
        };
        use crate::store::{from_millis, millis, StoreResult};
        use chrono::{DateTime, Utc};
        use sqlx::Row;

        type Tx<'t> = sqlx::Transaction<'t, $db>;
        type Pool = sqlx::Pool<$db>;
        type DbRow = <$db as sqlx::Database>::Row;

        /// Writes the outbox rows and the monitoring change of an audit record, inside its
        /// transaction.
        pub(crate) async fn write_in_tx(
            tx: &mut Tx<'_>,
            world: &str,
            events: &[OutboxEvent],
            monitoring: Option<&MonitoringWrite>,
        ) -> StoreResult<()> {
            for e in events {
                sqlx::query(
                    "INSERT INTO webhook_messages (event_id, endpoint_id, event_type, body, \
                     created_at_ms, next_attempt_ms) \
                     SELECT $1, id, $2, $3, $4, $4 FROM webhook_endpoints \
                     WHERE world = $5 AND enabled AND (',' || event_types || ',') LIKE $6",
                )
                .bind(&e.id)
                .bind(&e.event_type)
                .bind(&e.body)
                .bind(millis(e.created_at))
                .bind(world)
                .bind(format!("%,{},%", e.event_type))
                .execute(&mut **tx)
                .await?;
            }
            match monitoring {
                None => {}
                Some(enrol @ MonitoringWrite::Enrol { .. }) => enrol_in_tx(tx, &[enrol]).await?,
                Some(MonitoringWrite::Withdraw {
                    world,
                    siren,
                    decision_id,
                }) => {
                    sqlx::query(
                        "DELETE FROM monitored_companies WHERE world = $1 AND siren = $2 \
                         AND (decision_id = $3 OR last_decision_id = $3)",
                    )
                    .bind(world)
                    .bind(siren)
                    .bind(decision_id)
                    .execute(&mut **tx)
                    .await?;
                }
                Some(MonitoringWrite::Checked {
                    world,
                    siren,
                    result,
                    decision_id,
                    at,
                    next_check,
                }) => {
                    sqlx::query(
                        "UPDATE monitored_companies SET last_checked_ms = $1, last_result = $2, \
                         last_decision_id = COALESCE($3, last_decision_id), next_check_ms = $4, \
                         lease_until_ms = 0 WHERE world = $5 AND siren = $6",
                    )
                    .bind(millis(*at))
                    .bind(result)
                    .bind(decision_id)
                    .bind(millis(*next_check))
                    .bind(world)
                    .bind(siren)
                    .execute(&mut **tx)
                    .await?;
                }
            }
            Ok(())
        }

        /// Enrols the companies of the `Enrol` writes among `writes`, in order (a new grant
        /// replaces the previous one), in one statement. PostgreSQL refuses one statement
        /// that enrols a company twice; its appends pass one write at a time.
        pub(crate) async fn enrol_in_tx(
            tx: &mut Tx<'_>,
            writes: &[&MonitoringWrite],
        ) -> StoreResult<()> {
            let rows: Vec<_> = writes
                .iter()
                .filter_map(|m| match m {
                    MonitoringWrite::Enrol {
                        world,
                        siren,
                        decision_id,
                        granted_limit_cents,
                        at,
                        next_check,
                    } => Some((
                        world,
                        siren,
                        decision_id,
                        *granted_limit_cents,
                        millis(*at),
                        millis(*next_check),
                    )),
                    _ => None,
                })
                .collect();
            for chunk in rows.chunks(1_000) {
                let mut insert = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO monitored_companies (world, siren, decision_id, \
                     granted_limit_cents, enrolled_at_ms, next_check_ms) ",
                );
                insert.push_values(chunk, |mut row, (w, s, d, limit, at, next)| {
                    row.push_bind(*w)
                        .push_bind(*s)
                        .push_bind(*d)
                        .push_bind(*limit)
                        .push_bind(*at)
                        .push_bind(*next);
                });
                insert.push(
                    " ON CONFLICT (world, siren) DO UPDATE SET \
                     decision_id = excluded.decision_id, \
                     granted_limit_cents = excluded.granted_limit_cents, \
                     enrolled_at_ms = excluded.enrolled_at_ms, \
                     next_check_ms = excluded.next_check_ms, last_decision_id = NULL",
                );
                insert.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        fn message_from_row(row: &DbRow) -> StoreResult<WebhookMessage> {
            let last: Option<i64> = row.try_get("last_attempt_ms")?;
            Ok(WebhookMessage {
                seq: row.try_get("seq")?,
                event_id: row.try_get("event_id")?,
                endpoint_id: row.try_get("endpoint_id")?,
                event_type: row.try_get("event_type")?,
                body: row.try_get("body")?,
                created_at: from_millis(row.try_get("created_at_ms")?)?,
                status: row.try_get("status")?,
                attempts: row.try_get("attempts")?,
                next_attempt_at: from_millis(row.try_get("next_attempt_ms")?)?,
                last_attempt_at: last.map(from_millis).transpose()?,
                last_status: row.try_get("last_status")?,
            })
        }

        fn monitored_from_row(row: &DbRow) -> StoreResult<MonitoredCompany> {
            let checked: Option<i64> = row.try_get("last_checked_ms")?;
            Ok(MonitoredCompany {
                world: row.try_get("world")?,
                siren: row.try_get("siren")?,
                decision_id: row.try_get("decision_id")?,
                granted_limit_cents: row.try_get("granted_limit_cents")?,
                enrolled_at: from_millis(row.try_get("enrolled_at_ms")?)?,
                next_check: from_millis(row.try_get("next_check_ms")?)?,
                last_checked: checked.map(from_millis).transpose()?,
                last_result: row.try_get("last_result")?,
                last_decision_id: row.try_get("last_decision_id")?,
            })
        }

        /// Takes up to `limit` due messages of enabled endpoints until `lease_until`: another
        /// dispatcher (or this one after a restart) takes them again only once it has passed.
        pub(crate) async fn claim_messages(
            pool: &Pool,
            now: DateTime<Utc>,
            lease_until: DateTime<Utc>,
            limit: i64,
        ) -> StoreResult<Vec<WebhookMessage>> {
            let now = millis(now);
            let seqs: Vec<(i64,)> = sqlx::query_as(
                "UPDATE webhook_messages SET lease_until_ms = $1 \
                 WHERE lease_until_ms <= $2 AND status = 'pending' AND seq IN ( \
                   SELECT m.seq FROM webhook_messages m \
                   JOIN webhook_endpoints e ON e.id = m.endpoint_id \
                   WHERE m.status = 'pending' AND m.next_attempt_ms <= $2 \
                   AND m.lease_until_ms <= $2 AND e.enabled \
                   ORDER BY m.next_attempt_ms, m.seq LIMIT $3) \
                 RETURNING seq",
            )
            .bind(millis(lease_until))
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            if seqs.is_empty() {
                return Ok(Vec::new());
            }
            let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                "SELECT {MESSAGE_COLUMNS} FROM webhook_messages WHERE seq IN ("
            ));
            let mut list = q.separated(", ");
            for (seq,) in &seqs {
                list.push_bind(*seq);
            }
            q.push(") ORDER BY next_attempt_ms, seq");
            let rows = q.build().fetch_all(pool).await?;
            rows.iter().map(message_from_row).collect()
        }

        /// Records an attempt and what becomes of the message, and keeps the endpoint's failure
        /// count; returns true when this failure disabled the endpoint.
        pub(crate) async fn record_attempt(
            pool: &Pool,
            attempt: &WebhookAttempt,
            endpoint_id: &str,
            outcome: AttemptOutcome,
            rule: DisableRule,
        ) -> StoreResult<bool> {
            let mut tx = pool.begin().await?;
            let at = millis(attempt.at);
            sqlx::query(
                "INSERT INTO webhook_attempts (message_seq, attempt, at_ms, status, latency_ms, \
                 excerpt) VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(attempt.message_seq)
            .bind(attempt.attempt)
            .bind(at)
            .bind(attempt.status)
            .bind(attempt.latency_ms)
            .bind(&attempt.excerpt)
            .execute(&mut *tx)
            .await?;
            let (status, next) = match outcome {
                AttemptOutcome::Delivered => ("delivered", at),
                AttemptOutcome::Retry(when) => ("pending", millis(when)),
                AttemptOutcome::Dead => ("dead", at),
            };
            sqlx::query(
                "UPDATE webhook_messages SET status = $1, attempts = $2, next_attempt_ms = $3, \
                 last_attempt_ms = $4, last_status = $5, lease_until_ms = 0 WHERE seq = $6",
            )
            .bind(status)
            .bind(attempt.attempt)
            .bind(next)
            .bind(at)
            .bind(attempt.status)
            .bind(attempt.message_seq)
            .execute(&mut *tx)
            .await?;
            let mut disabled = false;
            if outcome == AttemptOutcome::Delivered {
                sqlx::query(
                    "UPDATE webhook_endpoints SET consecutive_failures = 0, \
                     failing_since_ms = NULL WHERE id = $1",
                )
                .bind(endpoint_id)
                .execute(&mut *tx)
                .await?;
            } else {
                sqlx::query(
                    "UPDATE webhook_endpoints SET consecutive_failures = consecutive_failures + 1, \
                     failing_since_ms = COALESCE(failing_since_ms, $1) WHERE id = $2",
                )
                .bind(at)
                .bind(endpoint_id)
                .execute(&mut *tx)
                .await?;
                let reason = format!(
                    "disabled automatically: {} failed attempts in a row",
                    rule.after_failures
                );
                let done = sqlx::query(
                    "UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $1, \
                     updated_at_ms = $2 WHERE id = $3 AND enabled \
                     AND consecutive_failures >= $4 AND failing_since_ms <= $5",
                )
                .bind(reason)
                .bind(at)
                .bind(endpoint_id)
                .bind(rule.after_failures)
                .bind(at - rule.for_ms)
                .execute(&mut *tx)
                .await?;
                disabled = done.rows_affected() == 1;
            }
            tx.commit().await?;
            Ok(disabled)
        }

        /// Enables or disables an endpoint, clearing its failures and the reason of an
        /// automatic disable; false when there is no such endpoint.
        pub(crate) async fn set_enabled(
            pool: &Pool,
            id: &str,
            enabled: bool,
            at: DateTime<Utc>,
        ) -> StoreResult<bool> {
            let done = sqlx::query(
                "UPDATE webhook_endpoints SET enabled = $1, updated_at_ms = $2, \
                 consecutive_failures = 0, failing_since_ms = NULL, disabled_reason = NULL \
                 WHERE id = $3",
            )
            .bind(enabled)
            .bind(millis(at))
            .bind(id)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        /// The newest messages, of one endpoint or of all.
        pub(crate) async fn messages(
            pool: &Pool,
            endpoint_id: Option<&str>,
            limit: i64,
        ) -> StoreResult<Vec<WebhookMessage>> {
            let mut q = sqlx::QueryBuilder::<$db>::new(format!(
                "SELECT {MESSAGE_COLUMNS} FROM webhook_messages"
            ));
            if let Some(id) = endpoint_id {
                q.push(" WHERE endpoint_id = ").push_bind(id.to_owned());
            }
            q.push(" ORDER BY seq DESC LIMIT ").push_bind(limit);
            let rows = q.build().fetch_all(pool).await?;
            rows.iter().map(message_from_row).collect()
        }

        pub(crate) async fn message(pool: &Pool, seq: i64) -> StoreResult<Option<WebhookMessage>> {
            let row = sqlx::query(&format!(
                "SELECT {MESSAGE_COLUMNS} FROM webhook_messages WHERE seq = $1"
            ))
            .bind(seq)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(message_from_row).transpose()
        }

        pub(crate) async fn attempts(pool: &Pool, seq: i64) -> StoreResult<Vec<WebhookAttempt>> {
            let rows = sqlx::query(
                "SELECT message_seq, attempt, at_ms, status, latency_ms, excerpt \
                 FROM webhook_attempts WHERE message_seq = $1 ORDER BY attempt",
            )
            .bind(seq)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(WebhookAttempt {
                        message_seq: row.try_get("message_seq")?,
                        attempt: row.try_get("attempt")?,
                        at: from_millis(row.try_get("at_ms")?)?,
                        status: row.try_get("status")?,
                        latency_ms: row.try_get("latency_ms")?,
                        excerpt: row.try_get("excerpt")?,
                    })
                })
                .collect()
        }

        /// Queues a delivered or dead message again, due now; false when there is no such
        /// message or it is still pending.
        pub(crate) async fn redeliver(
            pool: &Pool,
            seq: i64,
            now: DateTime<Utc>,
        ) -> StoreResult<bool> {
            let done = sqlx::query(
                "UPDATE webhook_messages SET status = 'pending', next_attempt_ms = $1, \
                 lease_until_ms = 0 WHERE seq = $2 AND status <> 'pending'",
            )
            .bind(millis(now))
            .bind(seq)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        /// Takes up to `limit` companies due for a check, until `lease_until`.
        pub(crate) async fn claim_monitoring(
            pool: &Pool,
            now: DateTime<Utc>,
            lease_until: DateTime<Utc>,
            limit: i64,
        ) -> StoreResult<Vec<MonitoredCompany>> {
            let now = millis(now);
            let rows = sqlx::query(&format!(
                "UPDATE monitored_companies SET lease_until_ms = $1 \
                 WHERE lease_until_ms <= $2 AND next_check_ms <= $2 AND (world, siren) IN ( \
                   SELECT world, siren FROM monitored_companies \
                   WHERE next_check_ms <= $2 AND lease_until_ms <= $2 \
                   ORDER BY next_check_ms LIMIT $3) \
                 RETURNING {MONITORED_COLUMNS}"
            ))
            .bind(millis(lease_until))
            .bind(now)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter().map(monitored_from_row).collect()
        }

        pub(crate) async fn monitored(
            pool: &Pool,
            world: &str,
            limit: i64,
        ) -> StoreResult<Vec<MonitoredCompany>> {
            let rows = sqlx::query(&format!(
                "SELECT {MONITORED_COLUMNS} FROM monitored_companies WHERE world = $1 \
                 ORDER BY enrolled_at_ms DESC LIMIT $2"
            ))
            .bind(world)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            rows.iter().map(monitored_from_row).collect()
        }

        pub(crate) async fn monitored_one(
            pool: &Pool,
            world: &str,
            siren: &str,
        ) -> StoreResult<Option<MonitoredCompany>> {
            let row = sqlx::query(&format!(
                "SELECT {MONITORED_COLUMNS} FROM monitored_companies WHERE world = $1 AND siren = $2"
            ))
            .bind(world)
            .bind(siren)
            .fetch_optional(pool)
            .await?;
            row.as_ref().map(monitored_from_row).transpose()
        }

        /// Makes a monitored company due now; false when it is not monitored.
        pub(crate) async fn check_now(
            pool: &Pool,
            world: &str,
            siren: &str,
            now: DateTime<Utc>,
        ) -> StoreResult<bool> {
            let done = sqlx::query(
                "UPDATE monitored_companies SET next_check_ms = $1, lease_until_ms = 0 \
                 WHERE world = $2 AND siren = $3",
            )
            .bind(millis(now))
            .bind(world)
            .bind(siren)
            .execute(pool)
            .await?;
            Ok(done.rows_affected() == 1)
        }

        /// Records a check that made no decision (a source failed), with its events.
        pub(crate) async fn finish_check(
            pool: &Pool,
            world: &str,
            write: &MonitoringWrite,
            events: &[OutboxEvent],
        ) -> StoreResult<()> {
            let mut tx = pool.begin().await?;
            write_in_tx(&mut tx, world, events, Some(write)).await?;
            tx.commit().await?;
            Ok(())
        }

        pub(crate) async fn set_condition(
            pool: &Pool,
            condition: &SandboxCondition,
        ) -> StoreResult<()> {
            sqlx::query(
                "INSERT INTO sandbox_conditions (siren, kind, since_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (siren, kind) DO NOTHING",
            )
            .bind(&condition.siren)
            .bind(&condition.kind)
            .bind(millis(condition.since))
            .execute(pool)
            .await?;
            Ok(())
        }

        pub(crate) async fn conditions(pool: &Pool) -> StoreResult<Vec<SandboxCondition>> {
            let rows = sqlx::query(
                "SELECT siren, kind, since_ms FROM sandbox_conditions ORDER BY since_ms, siren",
            )
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(SandboxCondition {
                        siren: row.try_get("siren")?,
                        kind: row.try_get("kind")?,
                        since: from_millis(row.try_get("since_ms")?)?,
                    })
                })
                .collect()
        }
    };
}

pub(crate) use outbox_queries;

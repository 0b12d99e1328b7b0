//! The credit-line ledger and the companies' assessments, written once for both databases like
//! the outbox: [`lines_queries!`] instantiates the functions for each backend.
//!
//! A line is one company's limit for one product in one world. Every change to it is a row of
//! `credit_line_changes` with its version, written in the transaction of the audit record it
//! comes from. A change made by monitoring names the version it read and is refused with
//! [`StoreError::Superseded`](crate::store::StoreError::Superseded) when the line has moved on
//! since (a credit manager's decision, another scheduler's increase); grants and people's
//! decisions apply to whatever version is there.

use aval_core::record::ReasonText;
use aval_core::vocabulary::{LineActor, LineChange, Product};
use chrono::{DateTime, Utc};

/// A change to a line, written with the audit record that makes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineWrite {
    pub world: String,
    pub siren: String,
    pub product: Product,
    /// The version the change was computed from; `None` applies it to any version.
    pub expected_version: Option<i64>,
    pub change: LineChange,
    pub limit_cents: i64,
    pub by: LineActor,
    pub by_user_id: Option<i64>,
    pub by_name: Option<String>,
    /// The decision the change comes from.
    pub decision_id: String,
    /// For a grant: the grade the line is granted at (the reference of later increases).
    pub grant_grade: Option<String>,
    pub at: DateTime<Utc>,
    pub reasons: Vec<ReasonText>,
}

/// A line as it stands.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CreditLine {
    pub world: String,
    pub siren: String,
    pub product: Product,
    pub limit_cents: i64,
    pub version: i64,
    /// `active` or `closed`.
    pub status: String,
    pub granted_limit_cents: i64,
    pub grant_decision_id: String,
    pub grant_grade: String,
    pub decision_id: String,
    pub opened_at: DateTime<Utc>,
    pub changed_at: DateTime<Utc>,
    pub last_increase_at: Option<DateTime<Utc>>,
}

/// One change in a line's history.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineChangeRecord {
    pub world: String,
    pub siren: String,
    pub product: Product,
    pub version: i64,
    pub change: LineChange,
    pub previous_limit_cents: Option<i64>,
    pub limit_cents: i64,
    pub by: LineActor,
    pub by_user_id: Option<i64>,
    pub by_name: Option<String>,
    pub decision_id: String,
    pub record_id: String,
    pub at: DateTime<Utc>,
    pub reasons: Vec<ReasonText>,
}

/// A decision's grade and probability of default, kept by company.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Assessment {
    pub decision_id: String,
    pub world: String,
    pub siren: String,
    pub product: Product,
    pub at: DateTime<Utc>,
    pub score: i64,
    pub grade: String,
    pub probability_of_default: f64,
    pub outcome: String,
    /// `api`, `workspace` or `monitoring`.
    pub origin: String,
}

/// Active lines of one product and grade: their count, granted exposure and expected loss
/// before the loss given default (Σ PD × limit).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PortfolioRow {
    pub product: Product,
    pub grade: String,
    pub lines: i64,
    pub exposure_cents: i64,
    pub pd_weighted_cents: f64,
}

pub(crate) const LINE_COLUMNS: &str = "world, siren, product, limit_cents, version, status, \
    granted_limit_cents, grant_decision_id, grant_grade, decision_id, opened_at_ms, \
    changed_at_ms, last_increase_at_ms";

pub(crate) const CHANGE_COLUMNS: &str = "world, siren, product, version, change, \
    previous_limit_cents, limit_cents, by_kind, by_user_id, by_name, decision_id, record_id, \
    at_ms, reasons";

/// The ledger's functions for one backend: `lines_queries!(sqlx::Sqlite)` inside a module.
macro_rules! lines_queries {
    ($db:ty) => {
        use crate::store::lines::{
            Assessment, CreditLine, LineChangeRecord, LineWrite, PortfolioRow, CHANGE_COLUMNS,
            LINE_COLUMNS,
        };
        use aval_core::vocabulary::{LineActor, LineChange, Product};

        fn parse<T>(
            word: String,
            read: fn(&str) -> Result<T, aval_core::vocabulary::UnknownWord>,
        ) -> StoreResult<T> {
            read(&word).map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))
        }

        fn line_from_row(row: &DbRow) -> StoreResult<CreditLine> {
            Ok(CreditLine {
                world: row.try_get("world")?,
                siren: row.try_get("siren")?,
                product: parse(row.try_get("product")?, Product::parse)?,
                limit_cents: row.try_get("limit_cents")?,
                version: row.try_get("version")?,
                status: row.try_get("status")?,
                granted_limit_cents: row.try_get("granted_limit_cents")?,
                grant_decision_id: row.try_get("grant_decision_id")?,
                grant_grade: row.try_get("grant_grade")?,
                decision_id: row.try_get("decision_id")?,
                opened_at: from_millis(row.try_get("opened_at_ms")?)?,
                changed_at: from_millis(row.try_get("changed_at_ms")?)?,
                last_increase_at: row
                    .try_get::<Option<i64>, _>("last_increase_at_ms")?
                    .map(from_millis)
                    .transpose()?,
            })
        }

        fn change_from_row(row: &DbRow) -> StoreResult<LineChangeRecord> {
            let reasons: String = row.try_get("reasons")?;
            Ok(LineChangeRecord {
                world: row.try_get("world")?,
                siren: row.try_get("siren")?,
                product: parse(row.try_get("product")?, Product::parse)?,
                version: row.try_get("version")?,
                change: parse(row.try_get("change")?, LineChange::parse)?,
                previous_limit_cents: row.try_get("previous_limit_cents")?,
                limit_cents: row.try_get("limit_cents")?,
                by: parse(row.try_get("by_kind")?, LineActor::parse)?,
                by_user_id: row.try_get("by_user_id")?,
                by_name: row.try_get("by_name")?,
                decision_id: row.try_get("decision_id")?,
                record_id: row.try_get("record_id")?,
                at: from_millis(row.try_get("at_ms")?)?,
                reasons: serde_json::from_str(&reasons)
                    .map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?,
            })
        }

        /// Applies the line changes of one audit record (`record_id`), inside its transaction.
        /// Appends are serialised, so the line read here is the one the change applies to.
        pub(crate) async fn write_lines_in_tx(
            tx: &mut Tx<'_>,
            record_id: &str,
            writes: &[LineWrite],
        ) -> StoreResult<()> {
            for w in writes {
                let current = sqlx::query(&format!(
                    "SELECT {LINE_COLUMNS} FROM credit_lines \
                     WHERE world = $1 AND siren = $2 AND product = $3"
                ))
                .bind(&w.world)
                .bind(&w.siren)
                .bind(w.product.as_str())
                .fetch_optional(&mut **tx)
                .await?
                .as_ref()
                .map(line_from_row)
                .transpose()?;
                let version = current.as_ref().map_or(0, |l| l.version);
                if let Some(expected) = w.expected_version {
                    if expected != version {
                        return Err(crate::store::StoreError::Superseded(format!(
                            "the {} line of {} is at version {version}, not {expected}",
                            w.product.as_str(),
                            w.siren
                        )));
                    }
                }
                let at = millis(w.at);
                let previous = current
                    .as_ref()
                    .filter(|l| l.status == "active")
                    .map(|l| l.limit_cents);
                let granted = w.change == LineChange::Granted;
                let (granted_limit, grant_decision, grant_grade, opened) = match &current {
                    Some(l) if !granted => (
                        l.granted_limit_cents,
                        l.grant_decision_id.clone(),
                        l.grant_grade.clone(),
                        millis(l.opened_at),
                    ),
                    _ => (
                        w.limit_cents,
                        w.decision_id.clone(),
                        w.grant_grade.clone().unwrap_or_default(),
                        at,
                    ),
                };
                let last_increase = if w.change == LineChange::Increased {
                    Some(at)
                } else if granted {
                    None
                } else {
                    current
                        .as_ref()
                        .and_then(|l| l.last_increase_at)
                        .map(millis)
                };
                let status = if w.change == LineChange::Closed {
                    "closed"
                } else {
                    "active"
                };
                sqlx::query(
                    "INSERT INTO credit_lines (world, siren, product, limit_cents, version, \
                     status, granted_limit_cents, grant_decision_id, grant_grade, decision_id, \
                     opened_at_ms, changed_at_ms, last_increase_at_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (world, siren, product) DO UPDATE SET \
                     limit_cents = excluded.limit_cents, version = excluded.version, \
                     status = excluded.status, granted_limit_cents = excluded.granted_limit_cents, \
                     grant_decision_id = excluded.grant_decision_id, \
                     grant_grade = excluded.grant_grade, decision_id = excluded.decision_id, \
                     opened_at_ms = excluded.opened_at_ms, changed_at_ms = excluded.changed_at_ms, \
                     last_increase_at_ms = excluded.last_increase_at_ms",
                )
                .bind(&w.world)
                .bind(&w.siren)
                .bind(w.product.as_str())
                .bind(w.limit_cents)
                .bind(version + 1)
                .bind(status)
                .bind(granted_limit)
                .bind(&grant_decision)
                .bind(&grant_grade)
                .bind(&w.decision_id)
                .bind(opened)
                .bind(at)
                .bind(last_increase)
                .execute(&mut **tx)
                .await?;
                let reasons = serde_json::to_string(&w.reasons)
                    .map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?;
                sqlx::query(&format!(
                    "INSERT INTO credit_line_changes ({CHANGE_COLUMNS}) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
                ))
                .bind(&w.world)
                .bind(&w.siren)
                .bind(w.product.as_str())
                .bind(version + 1)
                .bind(w.change.as_str())
                .bind(previous)
                .bind(w.limit_cents)
                .bind(w.by.as_str())
                .bind(w.by_user_id)
                .bind(&w.by_name)
                .bind(&w.decision_id)
                .bind(record_id)
                .bind(at)
                .bind(reasons)
                .execute(&mut **tx)
                .await?;
                let event = crate::events::credit_limit_changed(&aval_core::events::CreditLimitChanged {
                    mode: w.world.clone(),
                    siren: w.siren.clone(),
                    product: w.product,
                    version: version + 1,
                    change: w.change,
                    previous_limit_cents: previous,
                    limit_cents: w.limit_cents,
                    grant_decision_id: grant_decision.clone(),
                    decision_id: w.decision_id.clone(),
                    record_id: record_id.to_owned(),
                    by: w.by,
                    by_name: w.by_name.clone(),
                    at: w.at,
                    reasons: w.reasons.clone(),
                });
                write_in_tx(tx, &w.world, &[event], None).await?;
            }
            Ok(())
        }

        /// Keeps the assessments of the decisions appended together, in one statement per
        /// chunk.
        pub(crate) async fn write_assessments_in_tx(
            tx: &mut Tx<'_>,
            assessments: &[&Assessment],
        ) -> StoreResult<()> {
            for chunk in assessments.chunks(1_000) {
                let mut insert = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO company_assessments (decision_id, world, siren, product, at_ms, \
                     score, grade, probability_of_default, outcome, origin) ",
                );
                insert.push_values(chunk, |mut row, a| {
                    row.push_bind(&a.decision_id)
                        .push_bind(&a.world)
                        .push_bind(&a.siren)
                        .push_bind(a.product.as_str())
                        .push_bind(millis(a.at))
                        .push_bind(a.score)
                        .push_bind(&a.grade)
                        .push_bind(a.probability_of_default)
                        .push_bind(&a.outcome)
                        .push_bind(&a.origin);
                });
                insert.push(" ON CONFLICT (decision_id) DO NOTHING");
                insert.build().execute(&mut **tx).await?;
            }
            Ok(())
        }

        /// A company's lines and their histories, newest change first, as of one moment: the
        /// changes read are those up to the versions of the lines read, so a change committed
        /// between the two reads is not half seen.
        pub(crate) async fn lines(
            pool: &Pool,
            world: &str,
            siren: &str,
        ) -> StoreResult<(Vec<CreditLine>, Vec<LineChangeRecord>)> {
            let rows = sqlx::query(&format!(
                "SELECT {LINE_COLUMNS} FROM credit_lines WHERE world = $1 AND siren = $2 \
                 ORDER BY product"
            ))
            .bind(world)
            .bind(siren)
            .fetch_all(pool)
            .await?;
            let lines = rows.iter().map(line_from_row).collect::<StoreResult<Vec<_>>>()?;
            let rows = sqlx::query(&format!(
                "SELECT {CHANGE_COLUMNS} FROM credit_line_changes WHERE world = $1 AND siren = $2 \
                 ORDER BY at_ms DESC, version DESC"
            ))
            .bind(world)
            .bind(siren)
            .fetch_all(pool)
            .await?;
            let changes = rows
                .iter()
                .map(change_from_row)
                .collect::<StoreResult<Vec<_>>>()?
                .into_iter()
                .filter(|c| {
                    lines
                        .iter()
                        .any(|l| l.product == c.product && c.version <= l.version)
                })
                .collect();
            Ok((lines, changes))
        }

        /// A company's assessments in `[from, now]`, oldest first, at most `limit` (the newest).
        pub(crate) async fn assessments(
            pool: &Pool,
            world: &str,
            siren: &str,
            limit: i64,
        ) -> StoreResult<Vec<Assessment>> {
            let rows = sqlx::query(
                "SELECT decision_id, world, siren, product, at_ms, score, grade, \
                 probability_of_default, outcome, origin FROM company_assessments \
                 WHERE world = $1 AND siren = $2 ORDER BY at_ms DESC, decision_id LIMIT $3",
            )
            .bind(world)
            .bind(siren)
            .bind(limit)
            .fetch_all(pool)
            .await?;
            let mut found = rows
                .iter()
                .map(|row| {
                    Ok(Assessment {
                        decision_id: row.try_get("decision_id")?,
                        world: row.try_get("world")?,
                        siren: row.try_get("siren")?,
                        product: parse(row.try_get("product")?, Product::parse)?,
                        at: from_millis(row.try_get("at_ms")?)?,
                        score: row.try_get("score")?,
                        grade: row.try_get("grade")?,
                        probability_of_default: row.try_get("probability_of_default")?,
                        outcome: row.try_get("outcome")?,
                        origin: row.try_get("origin")?,
                    })
                })
                .collect::<StoreResult<Vec<_>>>()?;
            found.reverse();
            Ok(found)
        }

        /// A world's active lines by product and grade (the company's latest assessment).
        pub(crate) async fn portfolio(pool: &Pool, world: &str) -> StoreResult<Vec<PortfolioRow>> {
            let rows = sqlx::query(
                "SELECT l.product, a.grade, COUNT(*) AS lines, CAST(SUM(l.limit_cents) AS BIGINT) AS exposure, \
                 SUM(l.limit_cents * a.probability_of_default) AS weighted \
                 FROM credit_lines l JOIN company_assessments a ON a.decision_id = ( \
                   SELECT b.decision_id FROM company_assessments b \
                   WHERE b.world = l.world AND b.siren = l.siren \
                   ORDER BY b.at_ms DESC, b.decision_id LIMIT 1) \
                 WHERE l.world = $1 AND l.status = 'active' AND l.limit_cents > 0 \
                 GROUP BY l.product, a.grade ORDER BY l.product, a.grade",
            )
            .bind(world)
            .fetch_all(pool)
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(PortfolioRow {
                        product: parse(row.try_get("product")?, Product::parse)?,
                        grade: row.try_get("grade")?,
                        lines: row.try_get("lines")?,
                        exposure_cents: row.try_get::<i64, _>("exposure")?,
                        pd_weighted_cents: row.try_get::<f64, _>("weighted")?,
                    })
                })
                .collect()
        }

        /// A world's line changes made in `[from, to)`, oldest first.
        pub(crate) async fn line_changes(
            pool: &Pool,
            world: &str,
            from: DateTime<Utc>,
            to: DateTime<Utc>,
        ) -> StoreResult<Vec<LineChangeRecord>> {
            let rows = sqlx::query(&format!(
                "SELECT {CHANGE_COLUMNS} FROM credit_line_changes \
                 WHERE world = $1 AND at_ms >= $2 AND at_ms < $3 ORDER BY at_ms, siren, version"
            ))
            .bind(world)
            .bind(millis(from))
            .bind(millis(to))
            .fetch_all(pool)
            .await?;
            rows.iter().map(change_from_row).collect()
        }
    };
}

pub(crate) use lines_queries;

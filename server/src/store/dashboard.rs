//! The dashboard's counts, aggregated by the database (one indexed range scan per query), and
//! written once for both databases: only the grouped counts travel, however many decisions
//! there are.

use super::{StoreError, StoreResult};
use sqlx::{ColumnIndex, Database, Decode, Encode, QueryBuilder, Row, Type};

/// Grouped counts of the decisions of one world made in `[from, to)`, and of its open cases.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DashboardCounts {
    /// (UTC day number since the epoch, automated outcome, decisions)
    pub by_day: Vec<(i64, String, i64)>,
    /// (product, automated outcome, outcome in force or "", overridden, decisions)
    pub by_product: Vec<(String, String, String, bool, i64)>,
    /// (UTC day number, latency in milliseconds, decisions): exact percentiles per day.
    pub latency: Vec<(i64, i64, i64)>,
    /// (score rounded down to `SCORE_BUCKET`, automated outcome, decisions)
    pub scores: Vec<(i64, String, i64)>,
    /// Open cases (in review or awaiting confirmation) by whole hours waited: (hours, cases).
    pub queue_hours: Vec<(i64, i64)>,
}

pub const DAY_MS: i64 = 86_400_000;
pub const SCORE_BUCKET: i64 = 50;

/// The five queries, in the order [`read`] expects their rows.
pub(crate) fn queries<'a, DB>(
    world: &str,
    from_ms: i64,
    to_ms: i64,
    now_ms: i64,
) -> [QueryBuilder<'a, DB>; 5]
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    let range = |select: &str, group: &str| {
        let mut q = QueryBuilder::<DB>::new(select);
        q.push(" FROM cases WHERE world = ")
            .push_bind(world.to_owned())
            .push(" AND decided_at_ms >= ")
            .push_bind(from_ms)
            .push(" AND decided_at_ms < ")
            .push_bind(to_ms)
            .push(" GROUP BY ")
            .push(group);
        q
    };
    let by_day = range(
        &format!("SELECT decided_at_ms / {DAY_MS}, automated_outcome, COUNT(*)"),
        "1, 2",
    );
    let by_product = range(
        "SELECT product, automated_outcome, COALESCE(final_outcome, ''), \
         CAST(CASE WHEN overridden <> 0 THEN 1 ELSE 0 END AS BIGINT), COUNT(*)",
        "1, 2, 3, 4",
    );
    let latency = range(
        &format!("SELECT decided_at_ms / {DAY_MS}, latency_ms, COUNT(*)"),
        "1, 2",
    );
    let scores = range(
        &format!(
            "SELECT CAST((score / {SCORE_BUCKET}) * {SCORE_BUCKET} AS BIGINT), automated_outcome, \
             COUNT(*)"
        ),
        "1, 2",
    );
    let mut queue = QueryBuilder::<DB>::new("SELECT (");
    queue
        .push_bind(now_ms)
        .push(" - decided_at_ms) / 3600000, COUNT(*) FROM cases WHERE world = ")
        .push_bind(world.to_owned())
        .push(" AND status IN ('in_review', 'awaiting_confirmation') GROUP BY 1");
    [by_day, by_product, latency, scores, queue]
}

/// The drift counts of one model: for each UTC day, position in the model's bins (1 the score,
/// then each input) and bin character, the number of decisions of `world` made in
/// `[from, to)`, read from the counts kept as decisions are recorded (see [`drift_rows`]).
pub(crate) fn drift_query<'a, DB>(
    world: &str,
    from_ms: i64,
    to_ms: i64,
    model_version: &str,
) -> QueryBuilder<'a, DB>
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    let mut q = QueryBuilder::<DB>::new(
        "SELECT day, position, bin, decisions FROM drift_counts WHERE world = ",
    );
    q.push_bind(world.to_owned())
        .push(" AND model_version = ")
        .push_bind(model_version.to_owned())
        .push(" AND day >= ")
        .push_bind(from_ms.div_euclid(DAY_MS))
        .push(" AND day <= ")
        .push_bind((to_ms - 1).div_euclid(DAY_MS));
    q
}

/// One count to add: (world, model version, day, position, bin, decisions).
pub(crate) type DriftRow = (String, String, i64, i64, String, i64);

/// The counts that recording `cases` (new decisions) adds: each case's bins,
/// `<model version>:<one character per position>`, counted by world, version, day, position
/// and character.
pub(crate) fn drift_rows(cases: &[&super::CaseRow]) -> Vec<DriftRow> {
    let mut counts: std::collections::BTreeMap<(String, String, i64, i64, String), i64> =
        std::collections::BTreeMap::new();
    for c in cases {
        let Some((version, bins)) = c.model_bins.as_deref().and_then(|b| b.split_once(':')) else {
            continue;
        };
        let day = c.decided_at.timestamp_millis().div_euclid(DAY_MS);
        for (i, bin) in bins.chars().enumerate() {
            *counts
                .entry((
                    c.world.clone(),
                    version.to_owned(),
                    day,
                    i as i64 + 1,
                    bin.to_string(),
                ))
                .or_default() += 1;
        }
    }
    counts
        .into_iter()
        .map(|((w, v, d, p, b), n)| (w, v, d, p, b, n))
        .collect()
}

/// Adds counts (at most 1,000 rows a statement), one statement text for both databases.
pub(crate) fn drift_upserts<'a, DB>(rows: &'a [DriftRow]) -> Vec<QueryBuilder<'a, DB>>
where
    DB: Database,
    &'a String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    rows.chunks(1_000)
        .map(|chunk| {
            let mut q = QueryBuilder::<DB>::new(
                "INSERT INTO drift_counts (world, model_version, day, position, bin, decisions) ",
            );
            q.push_values(chunk, |mut row, (w, v, d, p, b, n)| {
                row.push_bind(w)
                    .push_bind(v)
                    .push_bind(*d)
                    .push_bind(*p)
                    .push_bind(b)
                    .push_bind(*n);
            });
            q.push(
                " ON CONFLICT (world, model_version, day, position, bin) DO UPDATE SET \
                 decisions = drift_counts.decisions + excluded.decisions",
            );
            q
        })
        .collect()
}

/// Reads the rows of [`drift_query`]: (day, position, bin, decisions).
pub(crate) fn read_drift<R>(rows: Vec<R>) -> StoreResult<Vec<(i64, i64, String, i64)>>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    rows.iter()
        .map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?, get(r, 3)?)))
        .collect()
}

fn get<'r, R, T>(row: &'r R, i: usize) -> StoreResult<T>
where
    R: Row,
    usize: ColumnIndex<R>,
    T: Decode<'r, R::Database> + Type<R::Database>,
{
    row.try_get(i).map_err(StoreError::from)
}

/// Reads the rows of the five [`queries`].
pub(crate) fn read<R>(rows: Vec<Vec<R>>) -> StoreResult<DashboardCounts>
where
    R: Row,
    usize: ColumnIndex<R>,
    for<'r> i64: Decode<'r, R::Database> + Type<R::Database>,
    for<'r> String: Decode<'r, R::Database> + Type<R::Database>,
{
    let [by_day, by_product, latency, scores, queue]: [Vec<R>; 5] = rows
        .try_into()
        .map_err(|_| StoreError::Corrupt("the dashboard expects five result sets".into()))?;
    let triple = |rows: &[R]| -> StoreResult<Vec<(i64, String, i64)>> {
        rows.iter()
            .map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?)))
            .collect()
    };
    Ok(DashboardCounts {
        by_day: triple(&by_day)?,
        by_product: by_product
            .iter()
            .map(|r| {
                let overridden: i64 = get(r, 3)?;
                Ok((
                    get(r, 0)?,
                    get(r, 1)?,
                    get(r, 2)?,
                    overridden != 0,
                    get(r, 4)?,
                ))
            })
            .collect::<StoreResult<_>>()?,
        latency: latency
            .iter()
            .map(|r| Ok((get(r, 0)?, get(r, 1)?, get(r, 2)?)))
            .collect::<StoreResult<_>>()?,
        scores: triple(&scores)?,
        queue_hours: queue
            .iter()
            .map(|r| Ok((get(r, 0)?, get(r, 1)?)))
            .collect::<StoreResult<_>>()?,
    })
}

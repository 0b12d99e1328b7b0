//! A lender's integration as the server sees it, for the go-live checklist
//! (`GET /api/v1/readiness` and the portal's "going live" page): the first ping of each world,
//! the load-test runs (decisions sent with the `Aval-Load-Test-Run` header, which
//! `server loadtest` sets), and what the store already knows (decisions per product, endpoints
//! that received a test event, live keys).

use crate::config::IntegrationSettings;
use crate::sources::World;
use crate::store::{LoadTestRun, Store, StoreResult};
use app::i18n::Lang;
use chrono::{DateTime, Utc};
use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;
use utoipa::ToSchema;

/// The answer time a decision must stay within.
pub const BUDGET: Duration = Duration::from_millis(500);

/// The header that tags a decision request with a load-test run.
pub const RUN_HEADER: &str = "aval-load-test-run";

/// A run's errors, as a share of its requests, that still let it count for go-live.
const MAX_ERROR_SHARE: f64 = 0.01;

/// How far below the expected rate and duration a run may fall (the arrivals of a client on
/// another machine jitter) and still count.
const TOLERANCE: f64 = 0.99;

/// Runs kept in memory at once; beyond that the oldest saved run is dropped.
const MAX_RUNS: usize = 64;

/// A run id as the header may give it: 1 to 64 letters, digits, `-` or `_`.
pub fn valid_run_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What one instance measured of one run so far.
struct Run {
    world: World,
    key_id: String,
    started_at: DateTime<Utc>,
    ended_at: DateTime<Utc>,
    requests: i64,
    errors: i64,
    over_budget: i64,
    /// Microseconds from the request's arrival to its answer.
    latency_us: Histogram<u64>,
    saved: bool,
}

/// What this instance has seen of the lenders' integration and not yet written.
pub struct Tracker {
    instance_id: String,
    pings_seen: [AtomicBool; 2],
    runs: Mutex<HashMap<String, Run>>,
}

impl Default for Tracker {
    fn default() -> Self {
        Self {
            instance_id: format!("ins_{}", uuid::Uuid::new_v4().simple()),
            pings_seen: [AtomicBool::new(false), AtomicBool::new(false)],
            runs: Mutex::new(HashMap::new()),
        }
    }
}

fn world_index(world: World) -> usize {
    match world {
        World::Sandbox => 0,
        World::Live => 1,
    }
}

impl Tracker {
    /// Records a ping of `world`; only the first of this instance's life reaches the store.
    pub async fn ping(&self, store: &dyn Store, world: World, key_id: &str) -> StoreResult<()> {
        if self.pings_seen[world_index(world)].swap(true, Ordering::Relaxed) {
            return Ok(());
        }
        let result = store
            .record_milestone(world.as_str(), "ping", key_id, Utc::now())
            .await;
        if result.is_err() {
            self.pings_seen[world_index(world)].store(false, Ordering::Relaxed);
        }
        result
    }

    /// Counts one decision request of a run: when it arrived, how long it took, its status.
    pub fn record(
        &self,
        run_id: &str,
        world: World,
        key_id: &str,
        arrived_at: DateTime<Utc>,
        took: Duration,
        status: u16,
    ) {
        let Ok(mut runs) = self.runs.lock() else {
            return;
        };
        if !runs.contains_key(run_id) && runs.len() >= MAX_RUNS {
            // Make room: the saved run that ended first goes (it is in the store already).
            let oldest = runs
                .iter()
                .filter(|(_, r)| r.saved)
                .min_by_key(|(_, r)| r.ended_at)
                .map(|(id, _)| id.clone());
            match oldest {
                Some(id) => {
                    runs.remove(&id);
                }
                None => return,
            }
        }
        let run = runs.entry(run_id.to_owned()).or_insert_with(|| Run {
            world,
            key_id: key_id.to_owned(),
            started_at: arrived_at,
            ended_at: arrived_at,
            requests: 0,
            errors: 0,
            over_budget: 0,
            // One microsecond to one hour, three significant digits.
            latency_us: Histogram::new_with_bounds(1, 3_600_000_000, 3)
                .expect("valid histogram bounds"),
            saved: false,
        });
        run.started_at = run.started_at.min(arrived_at);
        run.ended_at = run.ended_at.max(arrived_at);
        run.requests += 1;
        if status != 201 {
            run.errors += 1;
        }
        if took > BUDGET {
            run.over_budget += 1;
        }
        run.latency_us
            .saturating_record(u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1));
        run.saved = false;
    }

    /// Writes the runs that changed since the last call.
    pub async fn flush(&self, store: &dyn Store) -> StoreResult<usize> {
        let changed: Vec<LoadTestRun> = match self.runs.lock() {
            Ok(runs) => runs
                .iter()
                .filter(|(_, r)| !r.saved)
                .map(|(id, r)| LoadTestRun {
                    run_id: id.clone(),
                    instance_id: self.instance_id.clone(),
                    world: r.world.as_str().to_owned(),
                    key_id: r.key_id.clone(),
                    started_at: r.started_at,
                    ended_at: r.ended_at,
                    requests: r.requests,
                    errors: r.errors,
                    over_budget: r.over_budget,
                    p50_us: micros(r.latency_us.value_at_quantile(0.50)),
                    p99_us: micros(r.latency_us.value_at_quantile(0.99)),
                    max_us: micros(r.latency_us.max()),
                })
                .collect(),
            Err(_) => return Ok(0),
        };
        for run in &changed {
            store.save_load_test_run(run).await?;
            if let Ok(mut runs) = self.runs.lock() {
                if let Some(r) = runs.get_mut(&run.run_id) {
                    // Saved unless a request came in meanwhile.
                    r.saved = r.requests == run.requests;
                }
            }
        }
        Ok(changed.len())
    }
}

fn micros(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Writes the load-test runs every second until aborted.
pub async fn run_flusher(store: std::sync::Arc<dyn Store>, tracker: std::sync::Arc<Tracker>) {
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        if let Err(error) = tracker.flush(store.as_ref()).await {
            tracing::warn!(%error, "saving the load-test runs failed");
        }
    }
}

/// A step of the go-live checklist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StepName {
    /// `GET /api/v1/ping` answered with a key of the world.
    Ping,
    /// Decisions asked through the API for every product.
    DecisionsEveryProduct,
    /// A webhook endpoint answered a test event with a 2xx.
    WebhookVerified,
    /// A load test at the expected rate, long enough, within the budget.
    LoadTest,
    /// A live key exists and is not revoked.
    LiveKey,
}

/// One step, done or not.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Step {
    pub step: StepName,
    pub done: bool,
    /// When it was done (the latest evidence).
    pub at: Option<DateTime<Utc>>,
    /// What was seen.
    pub evidence: Option<String>,
    /// What is missing, when not done.
    pub missing: Option<String>,
}

/// The steps of one world.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WorldReadiness {
    pub world: World,
    pub steps: Vec<Step>,
}

/// A load-test run as the server measured it, all instances together.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunSummary {
    pub run_id: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub requests: i64,
    pub errors: i64,
    pub over_budget: i64,
    /// Requests per second over the run: the requests after the first, over the time from the
    /// first arrival to the last.
    pub rate_per_second: f64,
    /// The run's length at that rate: its requests over its rate.
    pub duration_seconds: f64,
    /// The highest 99th percentile of the instances that served the run, in milliseconds.
    pub p99_ms: f64,
    pub max_ms: f64,
}

/// The go-live checklist of this deployment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Readiness {
    /// Every step of both worlds is done.
    pub ready: bool,
    pub checked_at: DateTime<Utc>,
    pub budget_ms: u64,
    pub expected_rate_per_second: u32,
    pub load_test_min_seconds: u32,
    pub worlds: Vec<WorldReadiness>,
    /// The latest load-test runs of the sandbox, the last first.
    pub load_tests: Vec<RunSummary>,
}

/// The runs of a world, one summary per run id (instances merged), the last ended first.
fn summaries(rows: &[LoadTestRun]) -> Vec<RunSummary> {
    let mut by_run: Vec<RunSummary> = Vec::new();
    for r in rows {
        let p99 = r.p99_us as f64 / 1000.0;
        let max = r.max_us as f64 / 1000.0;
        match by_run.iter_mut().find(|s| s.run_id == r.run_id) {
            Some(s) => {
                s.started_at = s.started_at.min(r.started_at);
                s.ended_at = s.ended_at.max(r.ended_at);
                s.requests += r.requests;
                s.errors += r.errors;
                s.over_budget += r.over_budget;
                s.p99_ms = s.p99_ms.max(p99);
                s.max_ms = s.max_ms.max(max);
            }
            None => by_run.push(RunSummary {
                run_id: r.run_id.clone(),
                started_at: r.started_at,
                ended_at: r.ended_at,
                requests: r.requests,
                errors: r.errors,
                over_budget: r.over_budget,
                rate_per_second: 0.0,
                duration_seconds: 0.0,
                p99_ms: p99,
                max_ms: max,
            }),
        }
    }
    for s in &mut by_run {
        // n requests arriving at a steady rate span n - 1 intervals between the first and the
        // last arrival; the run lasted n intervals.
        let span = (s.ended_at - s.started_at).num_milliseconds() as f64 / 1000.0;
        if s.requests > 1 && span > 0.0 {
            s.rate_per_second = (s.requests - 1) as f64 / span;
            s.duration_seconds = s.requests as f64 / s.rate_per_second;
        }
    }
    by_run.sort_by_key(|s| std::cmp::Reverse(s.ended_at));
    by_run
}

/// Whether a run meets the go-live bar; what it lacks otherwise.
fn run_verdict(s: &RunSummary, settings: &IntegrationSettings, lang: Lang) -> Result<(), String> {
    let fr = lang == Lang::Fr;
    let budget_ms = BUDGET.as_millis() as f64;
    let mut lacks = Vec::new();
    if s.rate_per_second < TOLERANCE * f64::from(settings.expected_rate_per_second) {
        lacks.push(if fr {
            format!(
                "débit de {:.1}/s, sous les {}/s attendus",
                s.rate_per_second, settings.expected_rate_per_second
            )
        } else {
            format!(
                "rate of {:.1}/s, below the expected {}/s",
                s.rate_per_second, settings.expected_rate_per_second
            )
        });
    }
    if s.duration_seconds < TOLERANCE * f64::from(settings.load_test_min_seconds) {
        lacks.push(if fr {
            format!(
                "{:.0} s de test, moins que les {} s requises",
                s.duration_seconds, settings.load_test_min_seconds
            )
        } else {
            format!(
                "{:.0} s long, shorter than the {} s required",
                s.duration_seconds, settings.load_test_min_seconds
            )
        });
    }
    if s.p99_ms > budget_ms {
        lacks.push(if fr {
            format!("p99 de {:.0} ms, au-delà des {budget_ms:.0} ms", s.p99_ms)
        } else {
            format!("p99 of {:.0} ms, above {budget_ms:.0} ms", s.p99_ms)
        });
    }
    if s.requests == 0 || s.errors as f64 > MAX_ERROR_SHARE * s.requests as f64 {
        lacks.push(if fr {
            format!("{} erreurs sur {} requêtes", s.errors, s.requests)
        } else {
            format!("{} errors in {} requests", s.errors, s.requests)
        });
    }
    if lacks.is_empty() {
        Ok(())
    } else {
        Err(lacks.join("; "))
    }
}

/// The checklist, its texts in `lang`.
pub async fn readiness(
    store: &dyn Store,
    settings: &IntegrationSettings,
    lang: Lang,
    now: DateTime<Utc>,
) -> StoreResult<Readiness> {
    let fr = lang == Lang::Fr;
    let milestones = store.milestones().await?;
    let keys = store.list_api_keys().await?;
    let runs = summaries(&store.load_test_runs(World::Sandbox.as_str(), 200).await?);
    let mut worlds = Vec::new();
    for world in [World::Sandbox, World::Live] {
        let mut steps = Vec::new();
        if world == World::Live {
            let live = keys
                .iter()
                .filter(|k| k.mode == World::Live.as_str() && k.revoked_at.is_none())
                .max_by_key(|k| k.created_at);
            steps.push(Step {
                step: StepName::LiveKey,
                done: live.is_some(),
                at: live.map(|k| k.created_at),
                evidence: live.map(|k| {
                    if fr {
                        format!("clé {} « {} »", k.display_prefix, k.name)
                    } else {
                        format!("key {} \u{201c}{}\u{201d}", k.display_prefix, k.name)
                    }
                }),
                missing: live.is_none().then(|| {
                    if fr {
                        "aucune clé live : un administrateur la crée dans /admin/keys".to_owned()
                    } else {
                        "no live key: an admin creates one at /admin/keys".to_owned()
                    }
                }),
            });
        }
        let ping = milestones
            .iter()
            .find(|m| m.world == world.as_str() && m.step == "ping");
        steps.push(Step {
            step: StepName::Ping,
            done: ping.is_some(),
            at: ping.map(|m| m.last_at),
            evidence: ping.map(|m| {
                if fr {
                    format!("ping reçu avec la clé {}", m.key_id)
                } else {
                    format!("ping seen with key {}", m.key_id)
                }
            }),
            missing: ping.is_none().then(|| {
                if fr {
                    format!("aucun GET /api/v1/ping avec une clé {}", world.as_str())
                } else {
                    format!("no GET /api/v1/ping with a {} key yet", world.as_str())
                }
            }),
        });
        if world == World::Sandbox {
            let counts = store.api_decisions_by_product(world.as_str()).await?;
            let missing: Vec<&str> = aval_core::vocabulary::Product::ALL
                .iter()
                .map(|p| p.as_str())
                .filter(|p| !counts.iter().any(|(q, n)| q == p && *n > 0))
                .collect();
            steps.push(Step {
                step: StepName::DecisionsEveryProduct,
                done: missing.is_empty(),
                at: None,
                evidence: (!counts.is_empty()).then(|| {
                    counts
                        .iter()
                        .map(|(p, n)| format!("{p}: {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }),
                missing: (!missing.is_empty()).then(|| {
                    if fr {
                        format!("aucune décision par l'API pour : {}", missing.join(", "))
                    } else {
                        format!("no API decision yet for: {}", missing.join(", "))
                    }
                }),
            });
        }
        let verified = store.verified_endpoints(world.as_str()).await?;
        let last = verified.iter().max_by_key(|v| v.delivered_at);
        steps.push(Step {
            step: StepName::WebhookVerified,
            done: last.is_some(),
            at: last.map(|v| v.delivered_at),
            evidence: last.map(|v| {
                if fr {
                    format!("{} a reçu l'événement de test ({})", v.url, v.endpoint_id)
                } else {
                    format!("{} received the test event ({})", v.url, v.endpoint_id)
                }
            }),
            missing: last.is_none().then(|| {
                if fr {
                    "aucun endpoint n'a encore accusé réception d'un événement de test \
                     (POST /api/v1/webhook-endpoints/{id}/test)"
                        .to_owned()
                } else {
                    "no endpoint has acknowledged a test event yet \
                     (POST /api/v1/webhook-endpoints/{id}/test)"
                        .to_owned()
                }
            }),
        });
        if world == World::Sandbox {
            let passing = runs.iter().find(|s| run_verdict(s, settings, lang).is_ok());
            let latest = runs.first();
            steps.push(Step {
                step: StepName::LoadTest,
                done: passing.is_some(),
                at: passing.map(|s| s.ended_at),
                evidence: passing.or(latest).map(|s| {
                    if fr {
                        format!(
                            "run {} : {} requêtes, {:.1}/s pendant {:.0} s, p99 {:.0} ms, {} erreurs",
                            s.run_id, s.requests, s.rate_per_second, s.duration_seconds, s.p99_ms,
                            s.errors
                        )
                    } else {
                        format!(
                            "run {}: {} requests, {:.1}/s for {:.0} s, p99 {:.0} ms, {} errors",
                            s.run_id, s.requests, s.rate_per_second, s.duration_seconds, s.p99_ms,
                            s.errors
                        )
                    }
                }),
                missing: match (passing, latest) {
                    (Some(_), _) => None,
                    (None, Some(s)) => run_verdict(s, settings, lang).err(),
                    (None, None) => Some(if fr {
                        format!(
                            "aucun test de charge : server loadtest --rate {} --duration {}",
                            settings.expected_rate_per_second, settings.load_test_min_seconds
                        )
                    } else {
                        format!(
                            "no load test yet: server loadtest --rate {} --duration {}",
                            settings.expected_rate_per_second, settings.load_test_min_seconds
                        )
                    }),
                },
            });
        }
        worlds.push(WorldReadiness { world, steps });
    }
    Ok(Readiness {
        ready: worlds.iter().all(|w| w.steps.iter().all(|s| s.done)),
        checked_at: now,
        budget_ms: BUDGET.as_millis() as u64,
        expected_rate_per_second: settings.expected_rate_per_second,
        load_test_min_seconds: settings.load_test_min_seconds,
        worlds,
        load_tests: runs.into_iter().take(10).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(instance: &str, requests: i64, seconds: i64, p99_ms: i64, errors: i64) -> LoadTestRun {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        LoadTestRun {
            run_id: "r1".into(),
            instance_id: instance.into(),
            world: "sandbox".into(),
            key_id: "key_1".into(),
            started_at: start,
            ended_at: start + chrono::Duration::seconds(seconds),
            requests,
            errors,
            over_budget: 0,
            p50_us: 1_000,
            p99_us: p99_ms * 1000,
            max_us: p99_ms * 2000,
        }
    }

    #[test]
    fn instances_of_one_run_add_their_requests_and_keep_the_worst_p99() {
        let s = summaries(&[run("a", 600, 60, 120, 0), run("b", 601, 60, 300, 3)]);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].requests, 1201);
        assert_eq!(s[0].errors, 3);
        assert!((s[0].rate_per_second - 20.0).abs() < 1e-9);
        assert!((s[0].duration_seconds - 60.05).abs() < 1e-9);
        assert!((s[0].p99_ms - 300.0).abs() < 1e-9);
    }

    #[test]
    fn a_run_passes_only_at_the_rate_for_the_duration_within_the_budget() {
        let settings = IntegrationSettings {
            expected_rate_per_second: 20,
            load_test_min_seconds: 60,
        };
        let verdict = |r: LoadTestRun| run_verdict(&summaries(&[r])[0], &settings, Lang::En);
        assert!(verdict(run("a", 1200, 60, 450, 12)).is_ok());
        assert!(
            verdict(run("a", 1190, 60, 450, 0)).is_ok(),
            "within the tolerance"
        );
        assert!(verdict(run("a", 1100, 60, 450, 0))
            .unwrap_err()
            .contains("rate"));
        assert!(verdict(run("a", 600, 30, 450, 0))
            .unwrap_err()
            .contains("shorter"));
        assert!(verdict(run("a", 1200, 60, 501, 0))
            .unwrap_err()
            .contains("p99"));
        assert!(verdict(run("a", 1200, 60, 100, 14))
            .unwrap_err()
            .contains("errors"));
    }

    #[test]
    fn the_tracker_measures_a_run_from_its_requests() {
        let tracker = Tracker::default();
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        for i in 0..100 {
            let took = Duration::from_millis(if i == 99 { 700 } else { 10 + i });
            let status = if i == 0 { 429 } else { 201 };
            let at = t0 + chrono::Duration::milliseconds(i64::try_from(i).unwrap() * 50);
            tracker.record("run-1", World::Sandbox, "key_1", at, took, status);
        }
        let runs = tracker.runs.lock().unwrap();
        let r = &runs["run-1"];
        assert_eq!((r.requests, r.errors, r.over_budget), (100, 1, 1));
        assert_eq!(r.started_at, t0);
        assert_eq!(r.ended_at, t0 + chrono::Duration::milliseconds(99 * 50));
        assert!(r.latency_us.value_at_quantile(0.5) >= 55_000);
        assert!(r.latency_us.max() >= 700_000);
    }

    #[test]
    fn run_ids_are_short_words() {
        assert!(valid_run_id("lt_0f3a-9"));
        assert!(!valid_run_id(""));
        assert!(!valid_run_id("a b"));
        assert!(!valid_run_id(&"x".repeat(65)));
    }
}

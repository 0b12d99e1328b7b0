//! `server loadtest`: the load test a lender runs against a deployment before going live.
//! Decisions for distinct sandbox companies leave at a fixed arrival rate (an open model: each
//! request has its scheduled time and leaves then, whether earlier answers came back or not),
//! and each latency is measured from that scheduled time, so a server that slows down shows it
//! as latency instead of hiding it behind a lower rate. Percentiles come from a
//! high-dynamic-range histogram. Every request carries the run's id (`Aval-Load-Test-Run`), so
//! the server records the run for its go-live checklist.

use hdrhistogram::Histogram;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// What to run.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The deployment's address, `https://…` (without `/api/v1`).
    pub url: String,
    pub key: String,
    /// Decisions per second.
    pub rate: u32,
    pub duration: Duration,
    /// Connections (and requests in flight) at most.
    pub connections: usize,
    /// How long one request may take before it counts as a timeout.
    pub timeout: Duration,
}

/// The answer budget the verdict holds the run to.
pub const BUDGET: Duration = crate::integration::BUDGET;

/// Requests allowed to wait for a connection; beyond, the client itself is saturated and the
/// run stops counting those requests as sent (reported as `client_saturated`).
const MAX_WAITING: usize = 100_000;

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Percentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub p99_9: f64,
    pub max: f64,
}

/// What a run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub run_id: String,
    pub url: String,
    pub target_rate_per_second: u32,
    pub duration_seconds: f64,
    pub connections: usize,
    /// Requests scheduled (rate × duration).
    pub scheduled: u64,
    /// Requests that got an answer or failed, within the run and its drain.
    pub completed: u64,
    /// Answers 201 per second, over the time from the first scheduled request to the last
    /// answer.
    pub throughput_per_second: f64,
    /// From each request's scheduled time to its answer (milliseconds), answered requests only.
    pub latency_ms: Percentiles,
    pub over_budget: u64,
    /// The share of answered requests slower than the budget.
    pub over_budget_share: f64,
    /// Requests not answered 201, by status (or `timeout`, `connection`).
    pub errors: BTreeMap<String, u64>,
    pub client_saturated: u64,
    pub budget_ms: u64,
    pub verdict: Verdict,
}

/// Whether the run held the budget.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Verdict {
    pub pass: bool,
    pub reasons: Vec<String>,
}

/// The Luhn check digit that makes an 8-digit prefix a valid SIREN.
pub fn siren(prefix: u32) -> String {
    let digits = format!("{:08}", prefix % 100_000_000);
    (0..=9)
        .map(|check| format!("{digits}{check}"))
        .find(|s| aval_core::ids::Siren::parse(s).is_ok())
        .unwrap_or_default()
}

/// The i-th company of a run: ordinary sandbox companies (never the documented test ones),
/// distinct for the first 50 million requests.
pub fn company(offset: u32, i: u64) -> String {
    let prefix = 40_000_000 + ((u64::from(offset) + i) % 50_000_000) as u32;
    let s = siren(prefix);
    if crate::sources::sandbox::TEST_COMPANIES
        .iter()
        .any(|(t, ..)| *t == s)
    {
        siren(prefix + 50_000_000)
    } else {
        s
    }
}

fn body(offset: u32, i: u64) -> String {
    // Amounts from 1,000 to 20,000 euros, in steps of 50.
    let euros = 1_000 + (i * 7_919 % 381) * 50;
    serde_json::json!({
        "siren": company(offset, i),
        "amount": format!("{euros}.00"),
        "product": "bnpl",
        "external_reference": format!("loadtest-{i}"),
    })
    .to_string()
}

struct Tally {
    latency_us: Histogram<u64>,
    completed: u64,
    ok: u64,
    over_budget: u64,
    errors: BTreeMap<String, u64>,
    last_answer: Option<Instant>,
}

/// Checks the address and the key with a ping; refuses live keys (the test makes real
/// decisions).
async fn preflight(client: &reqwest::Client, plan: &Plan) -> anyhow::Result<()> {
    anyhow::ensure!(
        !plan.key.starts_with(crate::api_keys::LIVE_PREFIX),
        "--key: a load test makes real decisions; use a sandbox key (aval_test_…), not a live one"
    );
    anyhow::ensure!(plan.rate >= 1, "--rate: at least 1 decision per second");
    anyhow::ensure!(
        plan.duration >= Duration::from_secs(1),
        "--duration: at least 1 second"
    );
    anyhow::ensure!(plan.connections >= 1, "--connections: at least 1");
    let ping = format!("{}/api/v1/ping", plan.url);
    let answer = client
        .get(&ping)
        .bearer_auth(&plan.key)
        .send()
        .await
        .map_err(|e| anyhow::anyhow!("--url: {ping} does not answer: {e}"))?;
    match answer.status().as_u16() {
        200 => Ok(()),
        401 => anyhow::bail!("--key: the server refuses this key (401)"),
        s => anyhow::bail!("--url: {ping} answered {s}, not an Aval API"),
    }
}

/// Runs the plan and reports.
pub async fn run(plan: Plan) -> anyhow::Result<Report> {
    let url = plan.url.trim_end_matches('/').to_owned();
    let plan = Plan { url, ..plan };
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(plan.connections)
        .timeout(plan.timeout)
        .user_agent(concat!("aval-loadtest/", env!("CARGO_PKG_VERSION")))
        .build()?;
    preflight(&client, &plan).await?;
    let run_id = format!("lt_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]);
    let offset = uuid::Uuid::new_v4().as_u128() as u32 % 50_000_000;
    let scheduled = (f64::from(plan.rate) * plan.duration.as_secs_f64()).round() as u64;
    let interval = Duration::from_secs_f64(1.0 / f64::from(plan.rate));
    let slots = Arc::new(tokio::sync::Semaphore::new(plan.connections));
    let tally = Arc::new(Mutex::new(Tally {
        latency_us: Histogram::new_with_bounds(1, 3_600_000_000, 3)?,
        completed: 0,
        ok: 0,
        over_budget: 0,
        errors: BTreeMap::new(),
        last_answer: None,
    }));
    let decisions = format!("{}/api/v1/decisions", plan.url);
    let start = Instant::now() + Duration::from_millis(50);
    let mut tasks = tokio::task::JoinSet::new();
    let mut saturated = 0u64;
    for i in 0..scheduled {
        let at = start + interval.mul_f64(i as f64);
        tokio::time::sleep_until(at).await;
        if tasks.len() >= MAX_WAITING {
            saturated += 1;
            continue;
        }
        let (client, slots, tally) = (client.clone(), slots.clone(), tally.clone());
        let request = client
            .post(&decisions)
            .bearer_auth(&plan.key)
            .header(crate::integration::RUN_HEADER, &run_id)
            .header("content-type", "application/json")
            .body(body(offset, i));
        tasks.spawn(async move {
            let Ok(_slot) = slots.acquire().await else {
                return;
            };
            let outcome = request.send().await;
            // Read the whole answer: the decision is only there once its body is.
            let status = match outcome {
                Ok(answer) => {
                    let status = answer.status().as_u16();
                    match answer.bytes().await {
                        Ok(_) => Ok(status),
                        Err(e) if e.is_timeout() => Err("timeout".to_owned()),
                        Err(_) => Err("connection".to_owned()),
                    }
                }
                Err(e) if e.is_timeout() => Err("timeout".to_owned()),
                Err(_) => Err("connection".to_owned()),
            };
            let now = Instant::now();
            let took = now.saturating_duration_since(at);
            let Ok(mut t) = tally.lock() else {
                return;
            };
            t.completed += 1;
            t.last_answer = Some(t.last_answer.map_or(now, |l| l.max(now)));
            match status {
                Ok(201) => {
                    t.ok += 1;
                    t.latency_us.saturating_record(
                        u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1),
                    );
                    if took > BUDGET {
                        t.over_budget += 1;
                    }
                }
                Ok(s) => {
                    // An error answer still took that long: it counts in the latencies too.
                    t.latency_us.saturating_record(
                        u64::try_from(took.as_micros()).unwrap_or(u64::MAX).max(1),
                    );
                    if took > BUDGET {
                        t.over_budget += 1;
                    }
                    *t.errors.entry(s.to_string()).or_default() += 1;
                }
                Err(kind) => *t.errors.entry(kind).or_default() += 1,
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let t = tally
        .lock()
        .map_err(|_| anyhow::anyhow!("the tally was poisoned"))?;
    let h = &t.latency_us;
    let ms = |v: u64| v as f64 / 1000.0;
    let latency_ms = Percentiles {
        p50: ms(h.value_at_quantile(0.50)),
        p90: ms(h.value_at_quantile(0.90)),
        p99: ms(h.value_at_quantile(0.99)),
        p99_9: ms(h.value_at_quantile(0.999)),
        max: ms(h.max()),
    };
    let elapsed = t
        .last_answer
        .map(|l| l.saturating_duration_since(start).as_secs_f64())
        .unwrap_or(0.0);
    let throughput = if elapsed > 0.0 {
        t.ok as f64 / elapsed
    } else {
        0.0
    };
    let answered = h.len();
    let over_share = if answered > 0 {
        t.over_budget as f64 / answered as f64
    } else {
        0.0
    };
    let error_count: u64 = t.errors.values().sum::<u64>() + saturated;
    let mut reasons = Vec::new();
    if answered == 0 {
        reasons.push("no request was answered".to_owned());
    }
    if latency_ms.p99 > BUDGET.as_millis() as f64 {
        reasons.push(format!(
            "p99 of {:.0} ms is above the {} ms budget",
            latency_ms.p99,
            BUDGET.as_millis()
        ));
    }
    if error_count as f64 > 0.01 * scheduled as f64 {
        reasons.push(format!(
            "{error_count} of {scheduled} requests failed (more than 1 %)"
        ));
    }
    if throughput < 0.95 * f64::from(plan.rate) {
        reasons.push(format!(
            "{throughput:.1} decisions per second answered, below 95 % of the {} asked",
            plan.rate
        ));
    }
    Ok(Report {
        run_id,
        url: plan.url.clone(),
        target_rate_per_second: plan.rate,
        duration_seconds: plan.duration.as_secs_f64(),
        connections: plan.connections,
        scheduled,
        completed: t.completed,
        throughput_per_second: throughput,
        latency_ms,
        over_budget: t.over_budget,
        over_budget_share: over_share,
        errors: t.errors.clone(),
        client_saturated: saturated,
        budget_ms: BUDGET.as_millis() as u64,
        verdict: Verdict {
            pass: reasons.is_empty(),
            reasons,
        },
    })
}

/// The report as a person reads it.
pub fn text(r: &Report) -> String {
    let l = &r.latency_ms;
    let errors = if r.errors.is_empty() && r.client_saturated == 0 {
        "none".to_owned()
    } else {
        r.errors
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .chain(
                (r.client_saturated > 0)
                    .then(|| format!("client saturated: {}", r.client_saturated)),
            )
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!(
        "load test {run} against {url}\n\
         \x20 {rate} decisions/s for {dur:.0} s ({scheduled} scheduled, open model), at most {conn} connections\n\
         \x20 throughput   {tp:.1} decisions/s answered 201 ({completed} completed)\n\
         \x20 latency      p50 {p50:.1} ms · p90 {p90:.1} ms · p99 {p99:.1} ms · p99.9 {p999:.1} ms · max {max:.1} ms\n\
         \x20              (from each request's scheduled time to its answer)\n\
         \x20 over {budget} ms  {over} ({share:.2} %)\n\
         \x20 errors       {errors}\n\
         \x20 verdict      {verdict}\n",
        run = r.run_id,
        url = r.url,
        rate = r.target_rate_per_second,
        dur = r.duration_seconds,
        scheduled = r.scheduled,
        conn = r.connections,
        tp = r.throughput_per_second,
        completed = r.completed,
        p50 = l.p50,
        p90 = l.p90,
        p99 = l.p99,
        p999 = l.p99_9,
        max = l.max,
        budget = r.budget_ms,
        over = r.over_budget,
        share = r.over_budget_share * 100.0,
        verdict = if r.verdict.pass {
            format!("PASS: p99 within {} ms, errors under 1 %, the rate held", r.budget_ms)
        } else {
            format!("FAIL: {}", r.verdict.reasons.join("; "))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_companies_are_valid_distinct_and_never_the_test_ones() {
        let mut seen = std::collections::HashSet::new();
        for i in 0..20_000 {
            let s = company(12_345, i);
            assert!(aval_core::ids::Siren::parse(&s).is_ok(), "{s}");
            assert!(
                !crate::sources::sandbox::TEST_COMPANIES
                    .iter()
                    .any(|(t, ..)| *t == s),
                "{s}"
            );
            assert!(seen.insert(s), "repeated at {i}");
        }
        assert_eq!(siren(10_000_000), "100000009");
    }
}

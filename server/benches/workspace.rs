//! The workspace's heaviest pages with thousands of decisions stored: the credit managers'
//! queue and the dashboard, rendered on the server (full HTML page, and the server function the
//! page calls after hydration). Run with `cargo bench -p server --bench workspace`
//! (`DECISIONS=20000` to seed more); results are written down in `docs/benchmarks.md`. Then
//! the audit log over the same records: a checkpoint, and `server audit verify`'s checks
//! (records and snapshot bytes per second).
//!
//! The application runs in-process on a fresh SQLite database (WAL, full synchronous commits).
//! Decisions are made by the real path (sandbox sources with no added latency, engine, audit
//! trail, case rows), each about a different company, spread over the last 30 days.

use chrono::{Duration, Utc};
use futures::StreamExt;
use leptos::config::LeptosOptions;
use server::cases::Origin;
use server::config::{Mode, Settings};
use server::decisions::{self, Engine};
use server::demo::DEMO_USERS;
use server::sources::World;
use server::startup::Application;
use std::time::Instant;

/// A valid SIREN from an 8-digit base: the Luhn check digit appended.
fn siren(base: u64) -> String {
    let digits = format!("{base:08}");
    for check in 0..10 {
        let candidate = format!("{digits}{check}");
        let sum: u32 = candidate
            .chars()
            .rev()
            .enumerate()
            .map(|(i, c)| {
                let d = c.to_digit(10).unwrap_or(0);
                if i % 2 == 1 {
                    let d = d * 2;
                    if d > 9 {
                        d - 9
                    } else {
                        d
                    }
                } else {
                    d
                }
            })
            .sum();
        if sum.is_multiple_of(10) {
            return candidate;
        }
    }
    unreachable!("one check digit always fits")
}

fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[tokio::main]
async fn main() {
    let decisions: usize = std::env::var("DECISIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let rounds: usize = 60;
    let guard = tempfile::tempdir().expect("a temporary directory");
    // DATA_DIR=… measures an existing database again (with DECISIONS=0 to add none).
    let dir = std::env::var_os("DATA_DIR").map_or_else(|| guard.path().to_path_buf(), Into::into);
    // KEEP_DATA=1 keeps the seeded database for inspection.
    let _guard = if std::env::var("KEEP_DATA").is_ok_and(|v| v == "1") {
        println!("database kept in {}", guard.keep().display());
        None
    } else {
        Some(guard)
    };
    let mut settings = Settings {
        listen: "127.0.0.1:0".parse().expect("an address"),
        data_dir: dir,
        mode: Mode::Demo,
        ..Settings::default()
    };
    for l in settings.sources.sandbox.latency.values_mut() {
        l.median_ms = 0.0;
        l.p99_ms = 0.0;
    }
    let leptos = LeptosOptions::builder()
        .output_name("aval")
        .site_root("target/site")
        .build();
    let app = Application::build(settings, leptos)
        .await
        .expect("the application builds");
    let address = format!("http://127.0.0.1:{}", app.port());
    let state = app.state().clone();
    let server = tokio::spawn(async move { app.run_until(std::future::pending()).await });

    // Seed: the real decision path, 16 at a time, spread over the last 30 days.
    let started = Instant::now();
    let now = Utc::now();
    let made = futures::stream::iter(0..decisions)
        .map(|i| {
            let state = state.clone();
            async move {
                let product = match i % 10 {
                    0..=5 => "bnpl",
                    6..=7 => "credit_line_increase",
                    _ => "factoring",
                };
                let mut body = serde_json::json!({
                    "siren": siren(31_000_000 + i as u64),
                    "amount": format!("{}", 2_000 + (i * 7_919) % 60_000),
                    "product": product,
                });
                if product == "factoring" {
                    body["invoice_amount"] = serde_json::json!("70000");
                    body["debtor_siren"] = serde_json::json!("100000009");
                }
                if product == "credit_line_increase" {
                    body["current_limit"] = serde_json::json!("20000");
                }
                let request =
                    server::web::api::request::parse(body.to_string().as_bytes(), World::Sandbox)
                        .expect("a valid request");
                let at = now - Duration::minutes((i as i64 * 43_200) / decisions as i64);
                decisions::decide(
                    &state.gatherer,
                    &state.store,
                    Engine::current(),
                    request,
                    Origin {
                        user_id: Some(1),
                        ..Origin::default()
                    },
                    at,
                )
                .await
                .expect("a decision")
            }
        })
        .buffer_unordered(16)
        .collect::<Vec<_>>()
        .await;
    let queued = made
        .iter()
        .filter(|d| d.decision.outcome == server::engine::Outcome::Refer)
        .count();
    println!(
        "seeded {} decisions ({queued} in the queue) in {:.1} s",
        made.len(),
        started.elapsed().as_secs_f64()
    );

    let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("a client");
    let manager = DEMO_USERS
        .iter()
        .find(|d| d.role == app::model::Role::CreditManager)
        .expect("a demo manager");
    let signed_in = client
        .post(format!("{address}/signin"))
        .form(&[
            ("username", manager.username),
            ("password", manager.password),
            ("next", "/"),
        ])
        .send()
        .await
        .expect("sign-in answers");
    assert_eq!(signed_in.status(), 303, "the manager signs in");

    println!("\n| request | p50 | p95 | max | bytes |");
    println!("|---|---|---|---|---|");
    let targets: [(&str, &str, Option<&str>); 6] = [
        ("GET /queue (page 1, oldest first)", "/queue", None),
        ("GET /queue?page=20", "/queue?page=20", None),
        (
            "server fn review_queue",
            "/api/app/review_queue",
            Some("query[page]=1"),
        ),
        ("GET /dashboard?days=30", "/dashboard?days=30", None),
        ("GET /dashboard?days=90", "/dashboard?days=90", None),
        (
            "server fn dashboard (30 days)",
            "/api/app/dashboard",
            Some("days=30"),
        ),
    ];
    for (name, path, form) in targets {
        let mut times = Vec::with_capacity(rounds);
        let mut bytes = 0;
        for round in 0..rounds + 5 {
            let url = format!("{address}{path}");
            let t = Instant::now();
            let response = match form {
                None => client.get(url).send().await,
                Some(body) => {
                    client
                        .post(url)
                        .header("content-type", "application/x-www-form-urlencoded")
                        .header("accept", "application/json")
                        .body(body)
                        .send()
                        .await
                }
            }
            .expect("the server answers");
            assert!(
                response.status().is_success(),
                "{path}: {}",
                response.status()
            );
            bytes = response.bytes().await.expect("a body").len();
            // The first rounds warm the caches and are not counted.
            if round >= 5 {
                times.push(t.elapsed().as_secs_f64() * 1000.0);
            }
        }
        times.sort_by(f64::total_cmp);
        println!(
            "| {name} | {:.1} ms | {:.1} ms | {:.1} ms | {bytes} |",
            percentile(&times, 0.50),
            percentile(&times, 0.95),
            times.last().copied().unwrap_or_default()
        );
    }

    // The audit log over the same records: a checkpoint of all of them (the tree extended from
    // the signer's last one), then everything `server audit verify` checks.
    let t = Instant::now();
    let checkpoint = state
        .audit_log
        .checkpoint(Utc::now(), true, std::time::Duration::ZERO)
        .await
        .expect("a checkpoint")
        .expect("signed");
    println!(
        "\ncheckpoint of {} records signed in {:.1} ms",
        checkpoint.tree_size,
        t.elapsed().as_secs_f64() * 1000.0
    );
    let key = state.audit_log.identity().public.clone();
    let kept = vec![(1, Ok(checkpoint))];
    let report = server::audit::verification::verify_all(
        state.store.as_ref(),
        Some(&key),
        &kept,
        &server::audit::verification::Quiet,
    )
    .await
    .expect("verification runs");
    let t = &report.throughput;
    println!(
        "audit verify ({:?}) in {:.2} s: {} records in {:.2} s ({:.0} records/s: chain, tree, \
         checkpoints), {} snapshot bodies ({:.1} MB uncompressed) in {:.2} s ({:.1} MB/s)",
        report.verdict,
        t.seconds,
        t.records,
        t.records_seconds,
        t.records_per_second,
        t.snapshot_bodies,
        t.snapshot_bytes as f64 / 1e6,
        t.snapshot_seconds,
        t.snapshot_bytes_per_second / 1e6
    );
    server.abort();
}

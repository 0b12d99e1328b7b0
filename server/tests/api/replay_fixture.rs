//! Old decisions replay bit for bit. `tests/fixtures/replay/` keeps SQLite databases written by
//! earlier engine versions (decisions for every sandbox test company and a few ordinary ones,
//! from the API and the workspace, with managers' decisions); every decision in them must replay
//! identically under the versions it recorded, with today's code.
//!
//! A fixture is written once, by the engine whose decisions it keeps, with
//! `AVAL_WRITE_REPLAY_FIXTURE=1 cargo test -p server --test api replay_fixture::writes -- --ignored`
//! and then never rewritten: each engine version adds its own file.

use crate::helpers::{location, until_some, Receiver, TestApp};
use app::model::Role;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use server::sources::World;
use std::path::PathBuf;

fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/replay")
}

/// The sandbox's test companies and a few ordinary SIRENs.
const TEST_COMPANIES: [&str; 10] = [
    "100000009",
    "200000008",
    "300000007",
    "400000006",
    "500000005",
    "600000004",
    "700000003",
    "800000002",
    "900000001",
    "999999998",
];
const ORDINARY_COMPANIES: [&str; 5] = [
    "123456782",
    "552100554",
    "443061841",
    "380129866",
    "732829320",
];

async fn decide(app: &TestApp, key: &str, body: Value) -> Value {
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/decisions"))
        .bearer_auth(key)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED, "{body}");
    response.json().await.unwrap()
}

async fn act(app: &TestApp, id: &str, form: &[(&str, &str)]) {
    let response = app.act_on_case(id, form).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        crate::helpers::form_error(&response).is_none(),
        "{}",
        location(&response)
    );
}

/// Writes a fixture with the engine of this build (run on purpose, see the module comment).
/// From `aval-engine-0.1.0+2` on, a fixture also holds a four-eyes decision (proposed by one
/// manager, confirmed by another), webhook deliveries to a local receiver and monitoring checks
/// (one unchanged, one that found a collective proceeding and opened a review).
#[tokio::test]
#[ignore = "writes a fixture; run once per engine version"]
async fn writes_the_replay_fixture_of_this_engine_version() {
    if std::env::var("AVAL_WRITE_REPLAY_FIXTURE").as_deref() != Ok("1") {
        return;
    }
    let mut app = TestApp::spawn_with(|s| {
        s.sources.sandbox.latency.values_mut().for_each(|l| {
            l.median_ms = 0.0;
            l.p99_ms = 0.0;
        });
        s.cases.four_eyes_above_eur = 10_000;
        s.webhooks.retry_schedule_seconds = vec![1; 10];
        s.webhooks.poll_interval_ms = 100;
        s.monitoring.poll_interval_ms = 100;
    })
    .await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let key = server::api_keys::create(
        store.as_ref(),
        World::Sandbox,
        "fixture",
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let key = key.secret.expose_secret().to_owned();
    let receiver = Receiver::start(204).await;
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/webhook-endpoints"))
        .bearer_auth(&key)
        .json(&json!({"url": receiver.url, "event_types": [
            "decision.created", "decision.updated", "company.risk_changed",
            "monitoring.source_failed"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);

    // A grant that monitoring watches (first, before other applications of the company).
    let granted = decide(
        &app,
        &key,
        json!({"siren": "100000009", "amount": "5000.00", "product": "bnpl"}),
    )
    .await;
    assert_eq!(granted["outcome"], "approve", "{granted}");

    let mut referred = Vec::new();
    for siren in TEST_COMPANIES.iter().chain(&ORDINARY_COMPANIES) {
        let d = decide(
            &app,
            &key,
            json!({"siren": siren, "amount": "15000.00", "product": "bnpl"}),
        )
        .await;
        if d["outcome"] == "refer" {
            referred.push((siren.to_string(), d["id"].as_str().unwrap().to_owned()));
        }
    }
    decide(
        &app,
        &key,
        json!({"siren": "100000009", "amount": "8000.00", "product": "factoring",
               "invoice_amount": "10000.00", "debtor_siren": "552100554"}),
    )
    .await;
    decide(
        &app,
        &key,
        json!({"siren": "200000008", "amount": "5000.00", "product": "credit_line_increase",
               "current_limit": "20000.00"}),
    )
    .await;
    decide(
        &app,
        &key,
        json!({"siren": "443061841", "amount": "120000.00", "product": "bnpl"}),
    )
    .await;

    // A sales rep's application from the workspace.
    app.sign_in_role(Role::SalesRep).await;
    let response = app
        .submit(
            "/applications",
            "submit_application",
            &[
                ("siren", "380129866"),
                ("amount", "9000"),
                ("product", "bnpl"),
            ],
        )
        .await;
    assert!(location(&response).starts_with("/applications/dec_"));
    app.jar_clear().await;

    // Managers decide referred cases: one approval above the four-eyes amount (proposed, then
    // confirmed by a second manager), one counter-offer, one decline.
    app.sign_in_role(Role::CreditManager).await;
    assert!(referred.len() >= 3, "{referred:?}");
    for (i, (siren, id)) in referred.iter().take(3).enumerate() {
        act(&app, id, &[("action", "claim")]).await;
        let justification = format!("Reviewed {siren}: decided on the documents in the file.");
        let mut form = vec![
            ("action", "decide"),
            ("category", "additional_documents"),
            ("justification", justification.as_str()),
        ];
        match i {
            0 => form.push(("outcome", "approve")),
            1 => {
                form.push(("outcome", "counter_offer"));
                form.push(("limit", "5000"));
            }
            _ => form.push(("outcome", "decline")),
        }
        act(&app, id, &form).await;
    }
    let proposed = &referred[0].1;
    assert_eq!(
        store.case(proposed).await.unwrap().unwrap().status,
        "awaiting_confirmation"
    );
    app.jar_clear().await;
    let response = app
        .sign_in_as("manager2", crate::helpers::demo_password("manager2"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    act(&app, proposed, &[("action", "confirm")]).await;
    assert_eq!(
        store.case(proposed).await.unwrap().unwrap().status,
        "resolved"
    );
    app.jar_clear().await;

    // Monitoring: a check that finds nothing, then a collective proceeding that opens a review.
    app.sign_in_role(Role::Admin).await;
    app.submit(
        "/admin/webhooks",
        "check_monitoring_now",
        &[("siren", "100000009")],
    )
    .await;
    until_some(10, "the first check", || async {
        let m = store.monitored_companies("sandbox", 10).await.unwrap();
        m.iter()
            .find(|m| m.siren == "100000009")
            .and_then(|m| m.last_checked)
    })
    .await;
    app.submit(
        "/admin/webhooks",
        "set_sandbox_condition",
        &[("siren", "100000009"), ("condition", "proceeding")],
    )
    .await;
    until_some(20, "company.risk_changed delivered", || async {
        receiver.event("company.risk_changed")
    })
    .await;
    until_some(20, "decision.updated delivered", || async {
        receiver.event("decision.updated")
    })
    .await;
    // Every queued event delivered before the copy is taken.
    until_some(20, "every event delivered", || async {
        let messages = store.webhook_messages(None, 1000).await.unwrap();
        (receiver.delivered().len() >= messages.len()).then_some(())
    })
    .await;
    store.close().await;
    app.stop().await;

    let name = format!("{}.db", server::engine::ENGINE_VERSION);
    std::fs::create_dir_all(fixtures_dir()).unwrap();
    let target = fixtures_dir().join(&name);
    assert!(
        !target.exists(),
        "{name} exists: a fixture is never rewritten"
    );
    // A self-contained copy (the write-ahead log folded in, free pages dropped).
    use sqlx::Connection;
    let source = app.data_dir.path().join("aval.db");
    let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", source.display()))
        .await
        .unwrap();
    sqlx::query("VACUUM INTO ?")
        .bind(target.to_str().unwrap())
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
}

/// Every fixture, by file name.
fn fixtures() -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "db"))
        .collect();
    found.sort();
    found
}

#[tokio::test]
async fn every_decision_of_every_earlier_engine_version_replays_bit_for_bit() {
    let found = fixtures();
    assert!(
        !found.is_empty(),
        "no replay fixture in {:?}",
        fixtures_dir()
    );
    for fixture in found {
        // A copy: opening runs today's migrations on it, as an upgrade would.
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&fixture, dir.path().join("aval.db")).unwrap();
        let settings = crate::helpers::test_settings(&dir);
        let store = server::startup::open_store(&settings).await.unwrap();
        let chain = server::audit::verify(store.as_ref()).await.unwrap();
        assert!(chain.intact(), "{fixture:?}: {chain:?}");
        let records = store.audit_records(0, 10_000).await.unwrap();
        let decisions: Vec<&str> = records
            .iter()
            .filter(|r| r.kind == "decision")
            .map(|r| r.id.as_str())
            .collect();
        assert!(decisions.len() >= 18, "{fixture:?}: {}", decisions.len());
        assert!(
            records.iter().any(|r| r.kind != "decision"),
            "{fixture:?} holds managers' decisions"
        );
        let engine = server::decisions::Engine::current();
        for id in decisions {
            let report = server::decisions::replay(store.as_ref(), engine, id, false)
                .await
                .unwrap();
            assert!(
                report.identical,
                "{fixture:?}: {id} no longer replays identically: {:?}",
                report.differences
            );
            // Under today's versions the same snapshots go through today's engine and model,
            // and the report says what changed.
            let today = server::decisions::replay(store.as_ref(), engine, id, true)
                .await
                .unwrap();
            if report.versions != today.versions {
                assert!(!today.identical, "{id}");
                assert!(
                    today
                        .differences
                        .iter()
                        .any(|(path, ..)| path == "/versions/engine")
                        || report.versions.engine == today.versions.engine,
                    "{id}: {:?}",
                    today.differences
                );
            }
        }
        store.close().await;
    }
}

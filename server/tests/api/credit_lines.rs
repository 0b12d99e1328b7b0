//! The credit-line ledger and automatic increases, end to end: a grant opens a line, a
//! monitoring check raises it when the company's inflows grow (one replayable decision, the
//! ledger's change and `credit_limit.changed`, in one transaction), the cooldown holds the next
//! one back, the company is readable through the API, an increase beyond the authority waits
//! for a manager, a check that loses the race to a person changes nothing, and two schedulers on
//! one PostgreSQL database never apply the same increase twice. Each runs on SQLite and on
//! PostgreSQL.

use crate::helpers::{api, fresh_postgres_url, until_some, Receiver, TestApp};
use app::model::Role;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::json;
use server::sources::World;
use server::store::Store;
use std::sync::Arc;

async fn fast_app(database_url: Option<String>) -> TestApp {
    TestApp::spawn_with(|s| {
        for l in s.sources.sandbox.latency.values_mut() {
            l.median_ms = 0.0;
            l.p99_ms = 0.0;
        }
        s.webhooks.retry_schedule_seconds = vec![1; 10];
        s.webhooks.poll_interval_ms = 100;
        s.monitoring.poll_interval_ms = 100;
        s.database_url = database_url.map(|u| u.into());
    })
    .await
}

async fn sandbox_key(store: &dyn Store) -> String {
    let k = server::api_keys::create(store, World::Sandbox, "test", chrono::Utc::now())
        .await
        .unwrap();
    k.secret.expose_secret().to_owned()
}

async fn grant(app: &TestApp, key: &str, siren: &str, amount: &str) -> String {
    let (status, d) = api(
        app,
        reqwest::Method::POST,
        "/api/v1/decisions",
        key,
        Some(json!({"siren": siren, "amount": amount, "product": "bnpl"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    assert_eq!(d["outcome"], "approve", "{d}");
    d["id"].as_str().unwrap().to_owned()
}

/// A change to the BNPL line of `siren` resting on `granted`, for the fields a test sets.
fn line_write(granted: &str, siren: &str) -> server::store::LineWrite {
    server::store::LineWrite {
        world: "sandbox".into(),
        siren: siren.into(),
        product: aval_core::vocabulary::Product::Bnpl,
        expected_version: None,
        change: aval_core::vocabulary::LineChange::Increased,
        limit_cents: 0,
        by: aval_core::vocabulary::LineActor::Person,
        by_user_id: None,
        by_name: None,
        decision_id: granted.into(),
        grant_grade: None,
        at: chrono::Utc::now(),
        reasons: Vec::new(),
    }
}

/// An audit record about `granted` that makes only the line change `line`.
fn line_change_record(
    granted: &str,
    line: server::store::LineWrite,
) -> server::store::NewAuditRecord {
    server::store::NewAuditRecord {
        id: format!("evt_{}", uuid::Uuid::new_v4().simple()),
        kind: "note".into(),
        decision_id: granted.into(),
        world: "sandbox".into(),
        recorded_at: chrono::Utc::now(),
        payload: "{}".into(),
        lines: vec![line],
        ..Default::default()
    }
}

/// Asks for a check now and waits until one more check has ended.
async fn check_now(store: &Arc<dyn Store>, siren: &str) -> server::store::MonitoredCompany {
    let before = store
        .monitored_company("sandbox", siren)
        .await
        .unwrap()
        .and_then(|m| m.last_checked);
    assert!(store
        .check_monitoring_now("sandbox", siren, chrono::Utc::now())
        .await
        .unwrap());
    until_some(20, "the check", || async {
        let m = store
            .monitored_company("sandbox", siren)
            .await
            .unwrap()
            .unwrap();
        (m.last_checked.is_some() && m.last_checked != before && m.last_result.is_some())
            .then_some(m)
    })
    .await
}

#[tokio::test]
async fn a_growing_company_s_line_rises_by_itself_tells_the_lender_and_replays() {
    a_growing_company_s_line_rises_by_itself_tells_the_lender_and_replays_on(None).await;
}

#[tokio::test]
async fn a_growing_company_s_line_rises_by_itself_tells_the_lender_and_replays_on_postgres() {
    a_growing_company_s_line_rises_by_itself_tells_the_lender_and_replays_on(Some(
        fresh_postgres_url().await,
    ))
    .await;
}

async fn a_growing_company_s_line_rises_by_itself_tells_the_lender_and_replays_on(
    database_url: Option<String>,
) {
    let app = fast_app(database_url).await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let key = sandbox_key(store.as_ref()).await;
    let receiver = Receiver::start(204).await;
    let (status, e) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/webhook-endpoints",
        &key,
        Some(json!({"url": receiver.url, "event_types": ["credit_limit.changed"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    let secret = e["secret"].as_str().unwrap().to_owned();

    // The grant opens the line, and says so.
    let granted = grant(&app, &key, "200000008", "5000").await;
    let (lines, changes) = store.credit_lines("sandbox", "200000008").await.unwrap();
    assert_eq!(lines.len(), 1);
    assert_eq!((lines[0].limit_cents, lines[0].version), (500_000, 1));
    assert_eq!(changes[0].change.as_str(), "granted");
    assert_eq!(changes[0].by.as_str(), "engine");
    assert_eq!(changes[0].decision_id, granted);

    // Its inflows grow about 9 % a month: the first check raises the line.
    let m = check_now(&store, "200000008").await;
    let checked = server::decisions::load(store.as_ref(), m.last_decision_id.as_ref().unwrap())
        .await
        .unwrap();
    assert_eq!(
        m.last_result.as_deref(),
        Some("increased"),
        "{:?}",
        checked.origin.line_review
    );
    let increase_id = m.last_decision_id.clone().unwrap();
    let (lines, changes) = store.credit_lines("sandbox", "200000008").await.unwrap();
    let line = &lines[0];
    assert_eq!(line.version, 2);
    assert!(line.limit_cents > 500_000, "{line:?}");
    assert!(
        line.limit_cents <= 625_000,
        "at most one step of 25 %: {line:?}"
    );
    let change = &changes[0];
    assert_eq!(
        (change.change.as_str(), change.by.as_str()),
        ("increased", "monitoring")
    );
    assert_eq!(change.previous_limit_cents, Some(500_000));
    assert_eq!(change.decision_id, increase_id);
    assert!(
        change.reasons.iter().any(|r| r.code == "IN01"),
        "{change:?}"
    );

    // The increase is a decision of its own: a credit-line increase, replayed identically.
    let recorded = server::decisions::load(store.as_ref(), &increase_id)
        .await
        .unwrap();
    assert_eq!(
        recorded.request.application.product.as_str(),
        "credit_line_increase"
    );
    assert_eq!(
        recorded.request.application.current_limit_cents,
        Some(500_000)
    );
    assert_eq!(
        recorded.request.application.amount_cents,
        line.limit_cents - 500_000
    );
    let review = recorded.origin.line_review.clone().unwrap();
    assert_eq!(review.line_version, 1);
    let report = server::decisions::replay(
        store.as_ref(),
        server::decisions::Engine::current(),
        &increase_id,
        false,
    )
    .await
    .unwrap();
    assert!(report.identical, "{report:?}");

    // The lender hears of both changes, signed.
    let events = until_some(20, "two credit_limit.changed delivered", || async {
        let d = receiver.delivered();
        (d.len() >= 2).then_some(d)
    })
    .await;
    let verifier = standardwebhooks::Webhook::new(&secret).unwrap();
    for (headers, body, _) in receiver.received.lock().unwrap().iter() {
        verifier.verify(body, headers).unwrap();
    }
    let raised = events
        .iter()
        .map(|(_, e)| e)
        .find(|e| e["data"]["change"] == "increased")
        .unwrap();
    assert_eq!(raised["type"], "credit_limit.changed");
    assert_eq!(raised["data"]["previous_limit_cents"], 500_000);
    assert_eq!(raised["data"]["limit_cents"], line.limit_cents);
    assert_eq!(raised["data"]["decision_id"], increase_id.as_str());
    assert_eq!(raised["data"]["grant_decision_id"], granted.as_str());
    assert_eq!(raised["data"]["by"], "monitoring");

    // The next check is within the cooldown: the line stays, and the check says why.
    let m = check_now(&store, "200000008").await;
    assert_eq!(m.last_result.as_deref(), Some("unchanged"), "{m:?}");
    let held = server::decisions::load(store.as_ref(), m.last_decision_id.as_ref().unwrap())
        .await
        .unwrap();
    let review = held.origin.line_review.unwrap();
    assert!(
        review.reasons.iter().any(|r| r.code == "IN14"),
        "{review:?}"
    );
    let (again, _) = store.credit_lines("sandbox", "200000008").await.unwrap();
    assert_eq!(again[0], lines[0]);

    // The lender's systems read the company: lines, history, grade over time, monitoring.
    let (status, company) = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/companies/200000008",
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{company}");
    assert_eq!(company["lines"][0]["limit_cents"], line.limit_cents);
    assert_eq!(company["lines"][0]["history"].as_array().unwrap().len(), 2);
    assert_eq!(company["exposure_cents"], line.limit_cents);
    assert!(company["expected_loss_cents"].as_i64().unwrap() > 0);
    assert_eq!(company["assessments"].as_array().unwrap().len(), 3);
    assert_eq!(company["monitoring"]["last_result"], "unchanged");
    // Bad input is named; an unknown company is not found.
    let (status, problem) = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/companies/12345",
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "siren", "{problem}");
    let (status, _) = api(
        &app,
        reqwest::Method::GET,
        "/api/v1/companies/100000009",
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // And people see it on the company page.
    app.sign_in_role(Role::CreditManager).await;
    let page = app.get("/companies/200000008").await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("data-testid=\"line-history\""), "{page}");
    assert!(page.contains(&increase_id));
}

#[tokio::test]
async fn a_change_computed_from_an_old_version_of_a_line_is_refused_and_changes_nothing() {
    a_change_computed_from_an_old_version_of_a_line_is_refused_and_changes_nothing_on(None).await;
}

#[tokio::test]
async fn a_change_computed_from_an_old_version_of_a_line_is_refused_and_changes_nothing_on_postgres(
) {
    a_change_computed_from_an_old_version_of_a_line_is_refused_and_changes_nothing_on(Some(
        fresh_postgres_url().await,
    ))
    .await;
}

async fn a_change_computed_from_an_old_version_of_a_line_is_refused_and_changes_nothing_on(
    database_url: Option<String>,
) {
    let app = fast_app(database_url).await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let key = sandbox_key(store.as_ref()).await;
    let granted = grant(&app, &key, "100000009", "4000").await;
    let write = |expected: Option<i64>, limit: i64| {
        line_change_record(
            &granted,
            server::store::LineWrite {
                expected_version: expected,
                change: aval_core::vocabulary::LineChange::Increased,
                limit_cents: limit,
                by: aval_core::vocabulary::LineActor::Monitoring,
                by_user_id: None,
                by_name: None,
                ..line_write(&granted, "100000009")
            },
        )
    };
    // An endpoint hears of every line change, in the transaction that makes it.
    let receiver = Receiver::start(204).await;
    let (status, _) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/webhook-endpoints",
        &key,
        Some(json!({"url": receiver.url, "event_types": ["credit_limit.changed"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let queued = || async {
        store
            .webhook_messages(None, 100)
            .await
            .unwrap()
            .into_iter()
            .filter(|m| m.event_type == "credit_limit.changed")
            .count()
    };
    let head = store.audit_records(0, 1_000).await.unwrap().len();
    let refused = store.append_audit(write(Some(7), 999_900), &[]).await;
    assert!(
        matches!(refused, Err(server::store::StoreError::Superseded(_))),
        "{refused:?}"
    );
    assert_eq!(store.audit_records(0, 1_000).await.unwrap().len(), head);
    let (lines, changes) = store.credit_lines("sandbox", "100000009").await.unwrap();
    assert_eq!((lines[0].version, lines[0].limit_cents), (1, 400_000));
    assert_eq!(changes.len(), 1);
    assert_eq!(
        queued().await,
        0,
        "no event for a change that did not happen"
    );
    store
        .append_audit(write(Some(1), 450_000), &[])
        .await
        .unwrap();
    let (lines, _) = store.credit_lines("sandbox", "100000009").await.unwrap();
    assert_eq!((lines[0].version, lines[0].limit_cents), (2, 450_000));
    assert_eq!(queued().await, 1, "the change's event, queued with it");
}

/// The sandbox's sources, as a second instance would gather them; `latency_ms` for each.
fn gatherer(store: Arc<dyn Store>, latency_ms: f64) -> server::sources::gather::Gatherer {
    let mut settings = server::config::SourcesSettings::instant_sandbox();
    for l in settings.sandbox.latency.values_mut() {
        l.median_ms = latency_ms;
        l.p99_ms = latency_ms;
    }
    settings.deadline_ms = 5_000;
    for timeout in [
        &mut settings.sirene.timeout_ms,
        &mut settings.bodacc.timeout_ms,
        &mut settings.open_banking.timeout_ms,
        &mut settings.accounting.timeout_ms,
        &mut settings.filed_accounts.timeout_ms,
    ] {
        *timeout = 5_000;
    }
    let mut sources = server::sources::sandbox::sources(&settings.sandbox, Default::default());
    sources.push(Arc::new(server::sources::sector::SectorSource));
    sources.push(Arc::new(server::sources::internal::InternalSource {
        store,
    }));
    server::sources::gather::Gatherer::new(&settings, sources, Vec::new())
}

/// An engine under the default policy with one setting changed (and its own version).
fn engine_with(setting: &str, value: &str) -> server::decisions::Engine {
    let policy = server::engine::policy::DEFAULT_POLICY;
    let line = policy
        .lines()
        .find(|l| l.starts_with(&format!("{setting} = ")))
        .unwrap();
    let policy = policy
        .replace(
            "version = \"policy-2026.12-1\"",
            &format!("version = \"policy-test-{setting}\""),
        )
        .replace(line, &format!("{setting} = {value}"));
    server::decisions::Engine::from_sources(server::engine::model::COMMITTED_JSON, &policy).unwrap()
}

/// The reasons a check gave for not raising the line.
async fn blocked_by(
    store: &Arc<dyn Store>,
    engine: &server::decisions::Engine,
    siren: &str,
) -> Vec<String> {
    let m = store
        .monitored_company("sandbox", siren)
        .await
        .unwrap()
        .unwrap();
    let checked = server::monitoring::check(
        store,
        &gatherer(store.clone(), 0.0),
        engine,
        &m,
        chrono::Duration::days(1),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let server::monitoring::CheckResult::Unchanged { decision_id } = checked else {
        panic!("{checked:?}")
    };
    let recorded = server::decisions::load(store.as_ref(), &decision_id)
        .await
        .unwrap();
    let review = recorded.origin.line_review.unwrap();
    assert_eq!(review.new_limit_cents, None);
    let (lines, _) = store.credit_lines("sandbox", siren).await.unwrap();
    assert_eq!(
        lines[0].version, review.line_version,
        "the line did not move"
    );
    review.reasons.into_iter().map(|r| r.code).collect()
}

#[tokio::test]
async fn each_condition_blocks_the_increase_and_the_check_says_which() {
    each_condition_blocks_the_increase_and_the_check_says_which_on(None).await;
}

#[tokio::test]
async fn each_condition_blocks_the_increase_and_the_check_says_which_on_postgres() {
    each_condition_blocks_the_increase_and_the_check_says_which_on(Some(
        fresh_postgres_url().await,
    ))
    .await;
}

/// Conditions that are not a deterioration on their own (a deterioration opens a review first):
/// growth below the minimum, the line at its ceiling, a fraud signal.
async fn each_condition_blocks_the_increase_and_the_check_says_which_on(
    database_url: Option<String>,
) {
    let app = fast_app(database_url).await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let key = sandbox_key(store.as_ref()).await;
    grant(&app, &key, "200000008", "5000").await;
    let codes = blocked_by(
        &store,
        &engine_with("minimum_growth_pct", "50"),
        "200000008",
    )
    .await;
    assert_eq!(codes, ["IN15"]);
    let codes = blocked_by(
        &store,
        &engine_with("ceiling_pct_of_grant", "100"),
        "200000008",
    )
    .await;
    assert_eq!(codes, ["IN16"]);
    // Three applications for one company within 24 hours: the third is a fraud signal (FR03),
    // which the check sees too.
    grant(&app, &key, "100000009", "2000").await;
    grant(&app, &key, "100000009", "2000").await;
    let (status, third) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/decisions",
        &key,
        Some(json!({"siren": "100000009", "amount": "2000", "product": "bnpl"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(third["outcome"], "refer", "{third}");
    let codes = blocked_by(&store, server::decisions::Engine::current(), "100000009").await;
    assert!(codes.contains(&"IN11".to_owned()), "{codes:?}");
}

/// An engine whose policy lets the engine grant BNPL lines up to 5,000 euros only.
fn low_authority_engine() -> server::decisions::Engine {
    let policy = server::engine::policy::DEFAULT_POLICY
        .replace(
            "version = \"policy-2026.12-1\"",
            "version = \"policy-low-authority\"",
        )
        .replace("bnpl_eur = 50000", "bnpl_eur = 5000");
    server::decisions::Engine::from_sources(server::engine::model::COMMITTED_JSON, &policy).unwrap()
}

#[tokio::test]
async fn above_the_automatic_authority_the_increase_waits_for_a_manager_who_approves_it() {
    above_the_automatic_authority_the_increase_waits_for_a_manager_who_approves_it_on(None).await;
}

#[tokio::test]
async fn above_the_automatic_authority_the_increase_waits_for_a_manager_who_approves_it_on_postgres(
) {
    above_the_automatic_authority_the_increase_waits_for_a_manager_who_approves_it_on(Some(
        fresh_postgres_url().await,
    ))
    .await;
}

async fn above_the_automatic_authority_the_increase_waits_for_a_manager_who_approves_it_on(
    database_url: Option<String>,
) {
    let app = fast_app(database_url).await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let key = sandbox_key(store.as_ref()).await;
    let granted = grant(&app, &key, "200000008", "5000").await;
    let m = store
        .monitored_company("sandbox", "200000008")
        .await
        .unwrap()
        .unwrap();
    let engine = low_authority_engine();
    let checked = server::monitoring::check(
        &store,
        &gatherer(store.clone(), 0.0),
        &engine,
        &m,
        chrono::Duration::days(1),
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let server::monitoring::CheckResult::IncreaseProposed { decision_id } = checked else {
        panic!("{checked:?}")
    };
    // Nothing applied: a case waits in the queue, the increase its first reason.
    let (lines, _) = store.credit_lines("sandbox", "200000008").await.unwrap();
    assert_eq!((lines[0].version, lines[0].limit_cents), (1, 500_000));
    let case = store.case(&decision_id).await.unwrap().unwrap();
    assert_eq!(case.status, "in_review");
    assert!(case.referrals.starts_with("increase_proposed"), "{case:?}");
    let recorded = server::decisions::load(store.as_ref(), &decision_id)
        .await
        .unwrap();
    let review = recorded.origin.line_review.clone().unwrap();
    assert!(
        review.reasons.iter().any(|r| r.code == "IN04"),
        "{review:?}"
    );
    let new_limit = review.new_limit_cents.unwrap();
    assert!(new_limit > 500_000);

    // The manager sees why, and approves.
    app.sign_in_role(Role::CreditManager).await;
    let queue = app.get("/queue").await.text().await.unwrap();
    assert!(queue.contains(&decision_id));
    let page = app
        .get(&format!("/cases/{decision_id}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("data-testid=\"line-review\""), "{page}");
    app.act_on_case(&decision_id, &[("action", "claim")]).await;
    let response = app
        .act_on_case(
            &decision_id,
            &[
                ("action", "decide"),
                ("outcome", "approve"),
                ("category", "risk_appetite"),
                (
                    "justification",
                    "Growth confirmed with the customer's order book.",
                ),
            ],
        )
        .await;
    assert!(crate::helpers::location(&response).contains("done="));
    let (lines, changes) = store.credit_lines("sandbox", "200000008").await.unwrap();
    assert_eq!((lines[0].version, lines[0].limit_cents), (2, new_limit));
    assert_eq!(
        (changes[0].change.as_str(), changes[0].by.as_str()),
        ("increased", "person")
    );
    assert!(changes[0].by_name.is_some());
    assert_eq!(changes[0].decision_id, decision_id);
    // Monitoring still watches the grant, not the increase.
    let watched = store
        .monitored_company("sandbox", "200000008")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(watched.decision_id, granted);
}

/// A person changes the line while a check is gathering its sources: the check's increase,
/// computed from the line it read, is superseded and changes nothing; the next check starts
/// from the person's line.
#[tokio::test]
async fn a_check_that_loses_the_race_to_a_person_s_change_is_superseded() {
    a_check_that_loses_the_race_to_a_person_s_change_is_superseded_on(None).await;
}

#[tokio::test]
async fn a_check_that_loses_the_race_to_a_person_s_change_is_superseded_on_postgres() {
    a_check_that_loses_the_race_to_a_person_s_change_is_superseded_on(Some(
        fresh_postgres_url().await,
    ))
    .await;
}

async fn a_check_that_loses_the_race_to_a_person_s_change_is_superseded_on(
    database_url: Option<String>,
) {
    let app = fast_app(database_url).await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let key = sandbox_key(store.as_ref()).await;
    let granted = grant(&app, &key, "200000008", "5000").await;
    let m = store
        .monitored_company("sandbox", "200000008")
        .await
        .unwrap()
        .unwrap();
    let head = store.audit_records(0, 1_000).await.unwrap().len();
    // The check reads the line at once, then gathers for a second; the person acts meanwhile.
    let slow = gatherer(store.clone(), 1_000.0);
    let person = line_change_record(
        &granted,
        server::store::LineWrite {
            expected_version: None,
            change: aval_core::vocabulary::LineChange::Reduced,
            limit_cents: 300_000,
            by: aval_core::vocabulary::LineActor::Person,
            by_user_id: Some(1),
            by_name: Some("A manager".into()),
            ..line_write(&granted, "200000008")
        },
    );
    let (checked, changed) = tokio::join!(
        server::monitoring::check(
            &store,
            &slow,
            server::decisions::Engine::current(),
            &m,
            chrono::Duration::days(1),
            chrono::Utc::now(),
        ),
        async {
            tokio::time::sleep(std::time::Duration::from_millis(400)).await;
            store.append_audit(person, &[]).await
        }
    );
    changed.unwrap();
    assert_eq!(
        checked.unwrap(),
        server::monitoring::CheckResult::Superseded
    );
    let (lines, changes) = store.credit_lines("sandbox", "200000008").await.unwrap();
    assert_eq!((lines[0].version, lines[0].limit_cents), (2, 300_000));
    assert_eq!(changes.len(), 2);
    // Only the person's record was added; the company is due again at once.
    assert_eq!(store.audit_records(0, 1_000).await.unwrap().len(), head + 1);
    let m = store
        .monitored_company("sandbox", "200000008")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(m.last_result.as_deref(), Some("superseded"));
    assert!(m.next_check <= chrono::Utc::now());
}

/// Two instances on one PostgreSQL database check the same company at the same moment (their
/// leases bypassed): one increase is applied, the other check is superseded and records nothing.
#[tokio::test]
async fn two_schedulers_never_apply_the_same_increase_twice() {
    let url = fresh_postgres_url().await;
    let app = fast_app(Some(url.clone())).await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let key = sandbox_key(store.as_ref()).await;
    grant(&app, &key, "200000008", "5000").await;
    let m = store
        .monitored_company("sandbox", "200000008")
        .await
        .unwrap()
        .unwrap();
    // Moved out of the running server's reach, so that only the two checks below run.
    store
        .finish_monitoring_check(
            "sandbox",
            &server::store::MonitoringWrite::Checked {
                world: "sandbox".into(),
                siren: "200000008".into(),
                result: "unchanged".into(),
                decision_id: None,
                at: chrono::Utc::now(),
                next_check: chrono::Utc::now() + chrono::Duration::days(365),
            },
            &[],
        )
        .await
        .unwrap();
    let other: Arc<dyn Store> = Arc::new(
        server::store::postgres::PostgresStore::connect(&url)
            .await
            .unwrap(),
    );
    let gatherer = |store: Arc<dyn Store>| {
        let settings = server::config::SourcesSettings::instant_sandbox();
        let mut sources = server::sources::sandbox::sources(&settings.sandbox, Default::default());
        sources.push(Arc::new(server::sources::sector::SectorSource));
        sources.push(Arc::new(server::sources::internal::InternalSource {
            store,
        }));
        server::sources::gather::Gatherer::new(&settings, sources, Vec::new())
    };
    let (a, b) = (gatherer(store.clone()), gatherer(other.clone()));
    let engine = server::decisions::Engine::current();
    let every = chrono::Duration::days(1);
    let now = chrono::Utc::now();
    let (first, second) = tokio::join!(
        server::monitoring::check(&store, &a, engine, &m, every, now),
        server::monitoring::check(&other, &b, engine, &m, every, now),
    );
    let mut labels = vec![first.unwrap().label(), second.unwrap().label()];
    labels.sort_unstable();
    assert!(
        labels == ["increased", "superseded"] || labels == ["increased", "unchanged"],
        "{labels:?}"
    );
    let (lines, changes) = store.credit_lines("sandbox", "200000008").await.unwrap();
    assert_eq!(lines[0].version, 2, "one increase");
    assert_eq!(
        changes
            .iter()
            .filter(|c| c.change.as_str() == "increased")
            .count(),
        1
    );
}

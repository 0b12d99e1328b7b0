//! Events to the lenders' endpoints and monitoring, over HTTP with a real local receiver:
//! retries until the receiver is back (duplicates carry the same id), the dead letter and
//! redelivery, the automatic disable, endpoints through the API, and a monitored company that
//! deteriorates in the sandbox, from the grant to the review case and the lender's event.

use crate::helpers::{api, eventually, location, new_key, until_some, Receiver, TestApp};
use app::model::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};
use server::sources::World;

/// Sandbox sources answer at once; deliveries are retried every second; the scheduler and the
/// dispatcher look every 100 ms.
async fn fast_app(configure: impl FnOnce(&mut server::config::Settings)) -> TestApp {
    TestApp::spawn_with(|s| {
        for l in s.sources.sandbox.latency.values_mut() {
            l.median_ms = 0.0;
            l.p99_ms = 0.0;
        }
        s.webhooks.retry_schedule_seconds = vec![1; 10];
        s.webhooks.poll_interval_ms = 100;
        s.monitoring.poll_interval_ms = 100;
        configure(s);
    })
    .await
}

async fn get(app: &TestApp, path: &str, key: &str) -> (StatusCode, Value) {
    api(app, reqwest::Method::GET, path, key, None).await
}

async fn decide(app: &TestApp, key: &str, siren: &str, amount: &str) -> Value {
    let (status, d) = api(
        app,
        reqwest::Method::POST,
        "/api/v1/decisions",
        key,
        Some(json!({"siren": siren, "amount": amount, "product": "bnpl"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    d
}

/// Registers an endpoint through the API; returns (id, secret).
async fn endpoint(app: &TestApp, key: &str, url: &str, events: &[&str]) -> (String, String) {
    let (status, e) = api(
        app,
        reqwest::Method::POST,
        "/api/v1/webhook-endpoints",
        key,
        Some(json!({"url": url, "event_types": events})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{e}");
    (
        e["id"].as_str().unwrap().to_owned(),
        e["secret"].as_str().unwrap().to_owned(),
    )
}

fn verify_all(receiver: &Receiver, secret: &str) {
    let verifier = standardwebhooks::Webhook::new(secret).unwrap();
    let received = receiver.received.lock().unwrap();
    let mut bodies = std::collections::HashMap::new();
    for (headers, body, _) in received.iter() {
        verifier
            .verify(body, headers)
            .expect("every delivery verifies with the published library");
        let id = headers["webhook-id"].to_str().unwrap().to_owned();
        // A repeat is the same event: same id, same body.
        let first = bodies.entry(id).or_insert_with(|| body.clone());
        assert_eq!(first, body);
    }
}

#[tokio::test]
async fn events_are_retried_until_the_receiver_is_back_and_repeats_keep_their_id() {
    let app = fast_app(|_| {}).await;
    let key = new_key(&app, World::Sandbox).await;
    let receiver = Receiver::start(503).await;
    let (id, secret) = endpoint(
        &app,
        &key,
        &receiver.url,
        &["decision.created", "decision.updated"],
    )
    .await;
    let mut decided = Vec::new();
    for siren in ["100000009", "200000008", "999999998"] {
        decided.push(
            decide(&app, &key, siren, "4000").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // Down for a while: each event is tried at least twice.
    eventually(30, "two failed attempts per event", || {
        receiver.received.lock().unwrap().len() >= 6
    })
    .await;
    assert!(receiver.delivered().is_empty());
    receiver.answer(204);
    eventually(30, "every event delivered", || {
        let ids: std::collections::HashSet<String> =
            receiver.delivered().into_iter().map(|(id, _)| id).collect();
        ids.len() == 3
    })
    .await;
    verify_all(&receiver, &secret);
    let mut announced: Vec<String> = receiver
        .delivered()
        .iter()
        .map(|(_, e)| {
            assert_eq!(e["type"], "decision.created");
            e["data"]["decision_id"].as_str().unwrap().to_owned()
        })
        .collect();
    announced.sort();
    announced.dedup();
    decided.sort();
    assert_eq!(announced, decided);

    // The delivery log, through the API: every attempt with its answer. The receiver sees a
    // delivery before the server has its answer and records it: wait for the records.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let log = loop {
        let (status, log) = get(
            &app,
            &format!("/api/v1/webhook-endpoints/{id}/deliveries"),
            &key,
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        let recorded = log["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|row| row["status"] == "delivered");
        if recorded || std::time::Instant::now() > deadline {
            break log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    let rows = log["data"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for row in rows {
        assert_eq!(row["status"], "delivered", "{row}");
        let attempts = row["attempts"].as_array().unwrap();
        assert!(attempts.len() >= 3, "{row}");
        assert_eq!(attempts[0]["status"], 503);
        assert_eq!(attempts.last().unwrap()["status"], 204);
        assert_eq!(attempts[0]["response_excerpt"], "seen");
    }

    // A human decision is an event too.
    let thin = &decided[decided.len() - 1];
    app.sign_in_role(Role::CreditManager).await;
    let case_id = thin.clone();
    app.act_on_case(&case_id, &[("action", "claim")]).await;
    let response = app
        .act_on_case(
            &case_id,
            &[
                ("action", "decide"),
                ("outcome", "decline"),
                ("category", "risk_appetite"),
                (
                    "justification",
                    "Registry data only: nothing to judge repayment on.",
                ),
            ],
        )
        .await;
    assert!(location(&response).contains("done=human_decision"));
    let updated = until_some(10, "decision.updated delivered", || async {
        receiver.event("decision.updated")
    })
    .await;
    assert_eq!(updated["data"]["decision_id"], thin.as_str());
    assert_eq!(updated["data"]["final_outcome"], "decline");
    assert_eq!(
        updated["data"]["human_decision"]["category"],
        "risk_appetite"
    );
    verify_all(&receiver, &secret);
}

#[tokio::test]
async fn a_dead_event_can_be_delivered_again_and_an_endpoint_that_keeps_failing_is_disabled() {
    let app = fast_app(|s| {
        // Two attempts per event; the third failure in a row disables the endpoint.
        s.webhooks.retry_schedule_seconds = vec![1];
        s.webhooks.disable_after_failures = 3;
        s.webhooks.disable_after_minutes = 0;
    })
    .await;
    let key = new_key(&app, World::Sandbox).await;
    let receiver = Receiver::start(500).await;
    let (id, secret) = endpoint(&app, &key, &receiver.url, &["decision.created"]).await;
    let store = server::startup::open_store(&app.settings).await.unwrap();

    decide(&app, &key, "100000009", "2000").await;
    let first = store.webhook_messages(None, 10).await.unwrap()[0].clone();
    eventually(20, "the first event is dead", || {
        receiver.received.lock().unwrap().len() >= 2
    })
    .await;
    let dead = until_some(10, "dead after two attempts", || async {
        let m = store.webhook_message(first.seq).await.unwrap().unwrap();
        (m.status == "dead").then_some(m)
    })
    .await;
    assert_eq!(dead.attempts, 2);
    let (_, e) = get(&app, &format!("/api/v1/webhook-endpoints/{id}"), &key).await;
    assert_eq!(
        (e["enabled"].as_bool(), e["consecutive_failures"].as_i64()),
        (Some(true), Some(2))
    );

    // The next failure is the third in a row: the endpoint is disabled and says why.
    decide(&app, &key, "200000008", "2000").await;
    let disabled = until_some(10, "the endpoint disabled", || async {
        let (_, e) = get(&app, &format!("/api/v1/webhook-endpoints/{id}"), &key).await;
        (e["enabled"] == false).then_some(e)
    })
    .await;
    assert!(
        disabled["disabled_reason"]
            .as_str()
            .unwrap_or("")
            .contains("3 failed attempts"),
        "{disabled}"
    );
    app.sign_in_role(Role::Admin).await;
    let page = app.get("/admin/webhooks").await.text().await.unwrap();
    assert!(page.contains("Disabled automatically"), "the page says so");
    assert!(page.contains("data-status=\"dead\""));
    let tried = receiver.received.lock().unwrap().len();
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(
        receiver.received.lock().unwrap().len(),
        tried,
        "nothing is sent while disabled"
    );

    // Back: the endpoint is enabled again, the waiting event goes, and the dead one is
    // delivered again from the workspace.
    receiver.answer(200);
    let (status, e) = api(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/webhook-endpoints/{id}"),
        &key,
        Some(json!({"enabled": true})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        (e["enabled"].as_bool(), e["disabled_reason"].is_null()),
        (Some(true), true)
    );
    let response = app
        .submit(
            "/admin/webhooks",
            "redeliver_webhook",
            &[("seq", &first.seq.to_string())],
        )
        .await;
    assert!(
        location(&response).contains("redelivered="),
        "{}",
        location(&response)
    );
    eventually(20, "both events delivered", || {
        receiver.delivered().len() == 2
    })
    .await;
    // The receiver sees the delivery before the server records its answer.
    let m = until_some(10, "the redelivery recorded", || async {
        let m = store.webhook_message(first.seq).await.unwrap().unwrap();
        (m.status != "pending").then_some(m)
    })
    .await;
    assert_eq!((m.status.as_str(), m.attempts), ("delivered", 3));
    verify_all(&receiver, &secret);
    // A pending or unknown delivery cannot be queued again.
    let (status, _) = api(
        &app,
        reqwest::Method::POST,
        &format!("/api/v1/webhook-endpoints/{id}/deliveries/999999/redeliver"),
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn endpoints_through_the_api_are_validated_and_kept_to_the_keys_mode() {
    let app = fast_app(|_| {}).await;
    let sandbox = new_key(&app, World::Sandbox).await;
    let live = new_key(&app, World::Live).await;
    for (body, field) in [
        (
            json!({"url": "http://lender.example/hooks", "event_types": ["decision.created"]}),
            "/url",
        ),
        (json!({"event_types": ["decision.created"]}), "/url"),
        (
            json!({"url": "https://lender.example/hooks", "event_types": ["x.y"]}),
            "/event_types",
        ),
        (
            json!({"url": "https://lender.example/hooks", "event_types": [1]}),
            "/event_types/0",
        ),
        (
            json!({"url": "https://lender.example/hooks"}),
            "/event_types",
        ),
    ] {
        let (status, problem) = api(
            &app,
            reqwest::Method::POST,
            "/api/v1/webhook-endpoints",
            &sandbox,
            Some(body),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
    }
    let (id, secret) = endpoint(
        &app,
        &sandbox,
        "https://lender.example/hooks",
        &["company.risk_changed"],
    )
    .await;
    assert!(secret.starts_with("whsec_"));
    let (status, e) = get(&app, &format!("/api/v1/webhook-endpoints/{id}"), &sandbox).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(e["mode"], "sandbox");
    assert!(e.get("secret").is_none(), "the secret is shown once");
    // The live key does not see the sandbox's endpoint.
    let (status, _) = get(&app, &format!("/api/v1/webhook-endpoints/{id}"), &live).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = get(&app, "/api/v1/webhook-endpoints", &live).await;
    assert_eq!(list["data"], json!([]));
    let (status, problem) = api(
        &app,
        reqwest::Method::PATCH,
        &format!("/api/v1/webhook-endpoints/{id}"),
        &sandbox,
        Some(json!({"enabled": "no"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(problem["errors"][0]["field"], "/enabled");
    let (_, list) = get(&app, "/api/v1/webhook-endpoints", &sandbox).await;
    assert_eq!(
        list["data"][0]["enabled"], true,
        "a refused change changes nothing"
    );
    // The creation answers what a read gives back.
    let (_, created) = api(
        &app,
        reqwest::Method::POST,
        "/api/v1/webhook-endpoints",
        &sandbox,
        Some(json!({"url": "https://lender.example/other", "event_types": ["decision.created"]})),
    )
    .await;
    let (_, read) = get(
        &app,
        &format!(
            "/api/v1/webhook-endpoints/{}",
            created["id"].as_str().unwrap()
        ),
        &sandbox,
    )
    .await;
    assert_eq!(created["created_at"], read["created_at"]);
    let (status, problem) = api(
        &app,
        reqwest::Method::DELETE,
        &format!("/api/v1/webhook-endpoints/{id}"),
        &sandbox,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(problem["status"], 405, "a problem document");
}

#[tokio::test]
async fn a_monitored_company_that_deteriorates_opens_a_review_and_tells_the_lender() {
    let app = fast_app(|_| {}).await;
    let key = new_key(&app, World::Sandbox).await;
    let receiver = Receiver::start(204).await;
    let (_, secret) = endpoint(
        &app,
        &key,
        &receiver.url,
        &["company.risk_changed", "decision.updated"],
    )
    .await;
    let granted = decide(&app, &key, "100000009", "5000").await;
    assert_eq!(granted["outcome"], "approve", "{granted}");
    let granted_id = granted["id"].as_str().unwrap().to_owned();
    app.sign_in_role(Role::Admin).await;
    let state: app::model::MonitoringView = app
        .server_fn("monitoring_state")
        .await
        .json()
        .await
        .unwrap();
    assert!(state.sandbox && state.enabled);
    assert_eq!(state.companies.len(), 1, "the grant enrolled its company");
    assert_eq!(state.companies[0].decision_id, granted_id);
    assert_eq!(state.companies[0].last_result, None);

    // Nothing changed: the check says so and tells nobody.
    let response = app
        .submit(
            "/admin/webhooks",
            "check_monitoring_now",
            &[("siren", "100000009")],
        )
        .await;
    assert!(location(&response).contains("checking=100000009"));
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let first = until_some(10, "the first check", || async {
        let m = store.monitored_companies("sandbox", 10).await.unwrap();
        m[0].last_checked.is_some().then(|| m[0].clone())
    })
    .await;
    assert_eq!(first.last_result.as_deref(), Some("unchanged"));
    let unchanged = first.last_decision_id.clone().unwrap();
    // The check is a decision of its own, replayable, with no case.
    assert!(store.case(&unchanged).await.unwrap().is_none());
    let (status, d) = get(&app, &format!("/api/v1/decisions/{unchanged}"), &key).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["monitoring_of"], granted_id.as_str());

    // A proceeding opens: the check runs at once and finds it.
    let response = app
        .submit(
            "/admin/webhooks",
            "set_sandbox_condition",
            &[("siren", "100000009"), ("condition", "proceeding")],
        )
        .await;
    assert!(
        location(&response).contains("condition=100000009"),
        "{}",
        location(&response)
    );
    let event = until_some(20, "company.risk_changed delivered", || async {
        receiver.event("company.risk_changed")
    })
    .await;
    verify_all(&receiver, &secret);
    let data = &event["data"];
    assert_eq!(data["siren"], "100000009");
    assert_eq!(data["granted_decision_id"], granted_id.as_str());
    assert_eq!(data["previous"]["decision_id"], unchanged.as_str());
    let changes: Vec<&str> = data["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["change"].as_str().unwrap())
        .collect();
    assert!(changes.contains(&"proceeding"), "{data}");
    let review = data["new"]["decision_id"].as_str().unwrap().to_owned();
    assert!(data["new"]["reason_codes"].as_array().is_some());

    // The review waits in the credit managers' queue.
    let case = store.case(&review).await.unwrap().unwrap();
    assert_eq!(case.status, "in_review");
    assert!(
        case.referrals.starts_with("risk_changed"),
        "{}",
        case.referrals
    );
    let (_, d) = get(&app, &format!("/api/v1/decisions/{review}"), &key).await;
    assert_eq!(d["status"], "in_review");
    // Replayed from its snapshots, identically.
    let report = server::decisions::replay(
        store.as_ref(),
        server::decisions::Engine::current(),
        &review,
        false,
    )
    .await
    .unwrap();
    assert!(report.identical, "{report:?}");
    let page = app.get("/admin/webhooks").await.text().await.unwrap();
    assert!(page.contains("data-result=\"risk_changed\""));

    // The manager lowers the line; the lender hears of it.
    app.jar_clear().await;
    app.sign_in_role(Role::CreditManager).await;
    let queue = app.get("/queue").await.text().await.unwrap();
    assert!(queue.contains(&review), "the review is in the queue");
    let page = app
        .get(&format!("/cases/{review}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("data-testid=\"monitoring-review\""),
        "the case says why"
    );
    assert!(
        page.contains("Collective proceeding: status 0 → 2"),
        "{page}"
    );
    assert!(page.contains(&granted_id));
    let case_id = review.clone();
    app.act_on_case(&case_id, &[("action", "claim")]).await;
    let response = app
        .act_on_case(
            &case_id,
            &[
                ("action", "decide"),
                ("outcome", "counter_offer"),
                ("limit", "1000"),
                ("category", "risk_appetite"),
                (
                    "justification",
                    "Redressement judiciaire opened: limit cut to 1,000 EUR.",
                ),
            ],
        )
        .await;
    assert!(
        location(&response).contains("done="),
        "{}",
        location(&response)
    );
    until_some(10, "decision.updated delivered", || async {
        receiver.event("decision.updated")
    })
    .await;
    // The counter-offer is the new grant monitoring watches.
    let watched = &store.monitored_companies("sandbox", 10).await.unwrap()[0];
    assert_eq!(
        (watched.decision_id.as_str(), watched.granted_limit_cents),
        (review.as_str(), 100_000)
    );
}

#[tokio::test]
async fn a_source_that_stops_answering_is_reported_and_nothing_is_decided() {
    let app = fast_app(|_| {}).await;
    let key = new_key(&app, World::Sandbox).await;
    let receiver = Receiver::start(204).await;
    let (_, secret) = endpoint(&app, &key, &receiver.url, &["monitoring.source_failed"]).await;
    let granted = decide(&app, &key, "100000009", "3000").await;
    assert_eq!(granted["outcome"], "approve");
    // The bank now answers after the deadline.
    let mut app = app;
    app.settings.sources.sandbox.latency.insert(
        "open_banking".into(),
        server::config::LatencySettings {
            median_ms: 3_000.0,
            p99_ms: 3_500.0,
        },
    );
    let app = app.restart().await;
    app.sign_in_role(Role::Admin).await;
    app.submit(
        "/admin/webhooks",
        "check_monitoring_now",
        &[("siren", "100000009")],
    )
    .await;
    eventually(20, "monitoring.source_failed delivered", || {
        !receiver.delivered().is_empty()
    })
    .await;
    verify_all(&receiver, &secret);
    let event = &receiver.delivered()[0].1;
    assert_eq!(event["type"], "monitoring.source_failed");
    assert_eq!(
        event["data"]["sources"][0]["source"], "open_banking",
        "{event}"
    );
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let m = &store.monitored_companies("sandbox", 10).await.unwrap()[0];
    assert_eq!(m.last_result.as_deref(), Some("source_failed"));
    assert_eq!(m.last_decision_id, None, "nothing decided");
    assert!(
        m.next_check <= chrono::Utc::now() + chrono::Duration::hours(1),
        "checked again sooner"
    );
}

/// The queue's "why referred" filter offers every referral, monitoring's included, and the
/// server accepts each of them.
#[tokio::test]
async fn the_queue_filters_the_reviews_monitoring_opened() {
    let app = fast_app(|_| {}).await;
    let key = new_key(&app, World::Sandbox).await;
    let granted = decide(&app, &key, "100000009", "5000").await;
    assert_eq!(granted["outcome"], "approve", "{granted}");
    app.sign_in_role(Role::Admin).await;
    app.submit(
        "/admin/webhooks",
        "set_sandbox_condition",
        &[("siren", "100000009"), ("condition", "proceeding")],
    )
    .await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let review = until_some(20, "the review case", || async {
        let m = store.monitored_companies("sandbox", 10).await.unwrap();
        m.iter()
            .find(|m| m.last_result.as_deref() == Some("risk_changed"))
            .and_then(|m| m.last_decision_id.clone())
    })
    .await;
    app.jar_clear().await;
    app.sign_in_role(Role::CreditManager).await;

    let page = app.get("/queue").await.text().await.unwrap();
    assert!(
        page.contains("value=\"risk_changed\""),
        "the filter offers it"
    );
    let filtered = app
        .get("/queue?referral=risk_changed")
        .await
        .text()
        .await
        .unwrap();
    assert!(filtered.contains(&review), "the review is listed");
    let other = app
        .get("/queue?referral=thin_file")
        .await
        .text()
        .await
        .unwrap();
    assert!(!other.contains(&review), "and only under its referral");
    // Through the workspace's data call, every word the filter offers is accepted, and the
    // review is listed under its own.
    for referral in app::model::Referral::WORDS {
        let response = app
            .server_fn_with(
                "review_queue",
                &format!("query[page]=1&query[referral]={referral}"),
            )
            .await;
        assert_eq!(response.status(), StatusCode::OK, "{referral}");
        let list: app::model::CaseList = response.json().await.unwrap();
        let listed = list.cases.iter().any(|c| c.decision_id == review);
        assert_eq!(listed, *referral == "risk_changed", "{referral}");
    }
}

/// A delivery is named by its number; any other segment is a delivery that does not exist,
/// answered as problem+json like every other error of the API.
#[tokio::test]
async fn a_delivery_named_by_anything_but_its_number_is_not_found() {
    let app = fast_app(|_| {}).await;
    let key = new_key(&app, World::Sandbox).await;
    let (id, _) = endpoint(
        &app,
        &key,
        "http://127.0.0.1:9/hooks",
        &["decision.created"],
    )
    .await;
    for delivery in ["abc", "1.5", "-", "99999999999999999999"] {
        let response = reqwest::Client::new()
            .post(app.url(&format!(
                "/api/v1/webhook-endpoints/{id}/deliveries/{delivery}/redeliver"
            )))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{delivery}");
        assert_eq!(
            response.headers()["content-type"],
            "application/problem+json",
            "{delivery}"
        );
        let problem: Value = response.json().await.unwrap();
        assert_eq!(
            problem["type"], "https://aval.example/problems/delivery-not-found",
            "{delivery}"
        );
    }
}

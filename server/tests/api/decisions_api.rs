//! The lenders' REST API over HTTP: authentication by key and world, decisions, validation
//! problems, limits on bodies and routes.

use crate::helpers::TestApp;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use serde_json::{json, Value};
use server::sources::World;

async fn instant_app() -> TestApp {
    TestApp::spawn_with(|s| {
        for l in s.sources.sandbox.latency.values_mut() {
            l.median_ms = 0.0;
            l.p99_ms = 0.0;
        }
    })
    .await
}

async fn key(app: &TestApp, world: World) -> (String, String) {
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let k = server::api_keys::create(store.as_ref(), world, "test", chrono::Utc::now())
        .await
        .unwrap();
    store.close().await;
    (k.secret.expose_secret().to_owned(), k.record.id)
}

async fn call(
    app: &TestApp,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value, reqwest::header::HeaderMap) {
    let client = reqwest::Client::new();
    let url = app.url(path);
    let mut request = match method {
        "POST" => client.post(url),
        _ => client.get(url),
    };
    if let Some(k) = key {
        request = request.bearer_auth(k);
    }
    if let Some(b) = body {
        request = request.json(&b);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let value = response.json().await.unwrap_or(Value::Null);
    (status, value, headers)
}

fn problem(headers: &reqwest::header::HeaderMap) -> bool {
    headers.get("content-type").and_then(|v| v.to_str().ok()) == Some("application/problem+json")
}

#[tokio::test]
async fn ping_needs_a_valid_key_and_says_which_mode_it_is() {
    let app = instant_app().await;
    let (status, body, headers) = call(&app, "GET", "/api/v1/ping", None, None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(problem(&headers));
    assert!(body["detail"].as_str().unwrap().contains("Bearer"));
    let (k, _) = key(&app, World::Sandbox).await;
    let (status, body, headers) = call(&app, "GET", "/api/v1/ping", Some(&k), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["mode"], "sandbox");
    assert!(headers.contains_key("x-request-id"));
    let (status, _, _) = call(&app, "GET", "/api/v1/ping", Some("aval_test_nope"), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_sandbox_decision_is_answered_in_the_same_request_and_can_be_read_back() {
    let app = instant_app().await;
    let (k, _) = key(&app, World::Sandbox).await;
    let (status, d, _) = call(
        &app,
        "POST",
        "/api/v1/decisions",
        Some(&k),
        Some(json!({"siren": "100000009", "amount": "15000.00", "product": "bnpl", "external_reference": "order-42"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    assert_eq!(d["outcome"], "approve");
    assert_eq!(d["grade"], "C");
    assert!(d["score"].as_u64().unwrap() > 700);
    assert!(d["proposed_limit_cents"].as_i64().unwrap() >= 1_500_000);
    assert_eq!(d["external_reference"], "order-42");
    assert!(!d["reasons"].as_array().unwrap().is_empty());
    assert!(d["reasons"][0]["text_fr"].as_str().is_some());
    assert!(d["sources"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["source"] == "sirene_unit" && s["answered"] == true));
    assert_eq!(
        d["versions"]["model"],
        server::engine::model::Model::committed().version()
    );
    assert_eq!(d["versions"]["engine"], server::engine::ENGINE_VERSION);
    let id = d["id"].as_str().unwrap();
    let (status, again, _) = call(
        &app,
        "GET",
        &format!("/api/v1/decisions/{id}"),
        Some(&k),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["outcome"], d["outcome"]);
    assert_eq!(again["score"], d["score"]);
    // A live key does not see sandbox decisions.
    let (live, _) = key(&app, World::Live).await;
    let (status, _, headers) = call(
        &app,
        "GET",
        &format!("/api/v1/decisions/{id}"),
        Some(&live),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(problem(&headers));
    // And the decision is in the audit chain, which verifies.
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let chain = server::audit::verify(store.as_ref()).await.unwrap();
    assert!(chain.intact());
    assert_eq!(chain.records, 1);
}

#[tokio::test]
async fn a_revoked_key_is_refused() {
    let app = instant_app().await;
    let (k, id) = key(&app, World::Sandbox).await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    store.revoke_api_key(&id, chrono::Utc::now()).await.unwrap();
    let (status, _, _) = call(&app, "GET", "/api/v1/ping", Some(&k), None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn bad_input_gets_a_problem_naming_each_field_and_nothing_is_recorded() {
    let app = instant_app().await;
    let (k, _) = key(&app, World::Sandbox).await;
    let (status, body, headers) = call(
        &app,
        "POST",
        "/api/v1/decisions",
        Some(&k),
        Some(json!({"siren": "732829321", "amount": "12,50", "product": "loan"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(problem(&headers));
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["/siren", "/amount", "/product"]);
    assert!(body["errors"][0]["problem"]
        .as_str()
        .unwrap()
        .contains("check digits"));
    // Oversized body.
    let huge = json!({"siren": "100000009", "amount": "10", "product": "bnpl", "external_reference": "x".repeat(100_000)});
    let (status, body, headers) =
        call(&app, "POST", "/api/v1/decisions", Some(&k), Some(huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(problem(&headers), "{body}");
    // Unknown route.
    let (status, body, headers) = call(&app, "GET", "/api/v1/nothing-here", Some(&k), None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(problem(&headers), "{body}");
    let store = server::startup::open_store(&app.settings).await.unwrap();
    assert_eq!(
        server::audit::verify(store.as_ref()).await.unwrap().records,
        0
    );
}

#[tokio::test]
async fn the_same_idempotency_key_and_body_get_the_original_answer_and_another_body_a_conflict() {
    let app = instant_app().await;
    let (k, _) = key(&app, World::Sandbox).await;
    let client = reqwest::Client::new();
    let post = |body: Value, idem: &'static str| {
        client
            .post(app.url("/api/v1/decisions"))
            .bearer_auth(&k)
            .header("Idempotency-Key", idem)
            .json(&body)
            .send()
    };
    let body = json!({"siren": "200000008", "amount": "5000", "product": "bnpl"});
    let first = post(body.clone(), "order-1").await.unwrap();
    assert_eq!(first.status(), StatusCode::CREATED);
    let first: Value = first.json().await.unwrap();
    let second = post(body.clone(), "order-1").await.unwrap();
    assert_eq!(second.status(), StatusCode::CREATED);
    assert_eq!(second.headers().get("idempotent-replayed").unwrap(), "true");
    let second: Value = second.json().await.unwrap();
    assert_eq!(first, second, "the original answer, not a new decision");
    let other = post(
        json!({"siren": "200000008", "amount": "6000", "product": "bnpl"}),
        "order-1",
    )
    .await
    .unwrap();
    assert_eq!(other.status(), StatusCode::CONFLICT);
    let problem: Value = other.json().await.unwrap();
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("different request body"));
    // One decision was recorded.
    let store = server::startup::open_store(&app.settings).await.unwrap();
    assert_eq!(
        server::audit::verify(store.as_ref()).await.unwrap().records,
        1
    );
    // Keys are per API key: another key may use the same Idempotency-Key.
    let (k2, _) = key(&app, World::Sandbox).await;
    let third = client
        .post(app.url("/api/v1/decisions"))
        .bearer_auth(&k2)
        .header("Idempotency-Key", "order-1")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(third.headers().get("idempotent-replayed").is_none());
}

#[tokio::test]
async fn a_key_over_its_rate_gets_429_with_retry_after() {
    let app = TestApp::spawn_with(|s| {
        s.api.requests_per_second = 1;
        s.api.burst = 2;
    })
    .await;
    let (k, _) = key(&app, World::Sandbox).await;
    for _ in 0..2 {
        let (status, _, _) = call(&app, "GET", "/api/v1/ping", Some(&k), None).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body, headers) = call(&app, "GET", "/api/v1/ping", Some(&k), None).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!(problem(&headers), "{body}");
    assert_eq!(headers.get("retry-after").unwrap(), "1");
    let (other, _) = key(&app, World::Sandbox).await;
    let (status, _, _) = call(&app, "GET", "/api/v1/ping", Some(&other), None).await;
    assert_eq!(status, StatusCode::OK, "another key has its own allowance");
}

#[tokio::test]
async fn the_api_is_documented_by_an_openapi_document_and_the_developer_portal() {
    let app = instant_app().await;
    let (status, spec, _) = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(spec["openapi"], "3.1.0");
    let paths: Vec<&String> = spec["paths"].as_object().unwrap().keys().collect();
    assert_eq!(
        paths,
        vec![
            "/audit/checkpoints",
            "/audit/consistency",
            "/audit/public-key",
            "/companies/{siren}",
            "/decisions",
            "/decisions/{id}",
            "/decisions/{id}/proof",
            "/ping",
            "/readiness",
            "/reason-codes",
            "/webhook-endpoints",
            "/webhook-endpoints/{id}",
            "/webhook-endpoints/{id}/deliveries",
            "/webhook-endpoints/{id}/deliveries/{delivery}/redeliver",
            "/webhook-endpoints/{id}/test",
        ]
    );
    let events: Vec<&String> = spec["webhooks"].as_object().unwrap().keys().collect();
    // The subscribable events, and the test event an endpoint is sent on request.
    assert_eq!(events.len(), app::model::WEBHOOK_EVENT_TYPES.len() + 1);
    assert!(events.iter().any(|e| *e == "endpoint.test"));
    for t in app::model::WEBHOOK_EVENT_TYPES {
        assert!(events.iter().any(|e| *e == t), "{t} is documented");
    }
    // Every request field the server reads is documented, and only those.
    let documented: Vec<&String> = spec["components"]["schemas"]["DecisionRequest"]["properties"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    for field in [
        "siren",
        "amount",
        "amount_cents",
        "product",
        "invoice_amount",
        "debtor_siren",
        "current_limit",
        "bank_connection",
        "accounting_ref",
        "iban",
        "external_reference",
    ] {
        assert!(documented.iter().any(|d| *d == field), "{field}");
    }
    // The readable documentation is the developer portal.
    let docs = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url("/api/v1/docs"))
        .send()
        .await
        .unwrap();
    assert_eq!(docs.status(), StatusCode::PERMANENT_REDIRECT);
    assert_eq!(docs.headers()["location"], "/developers");
    let page = reqwest::get(app.url("/developers/decision-request"))
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("POST /api/v1/decisions"), "{html}");
    assert!(html.contains("<code>debtor_siren</code>"));
}

#[tokio::test]
async fn the_document_states_what_the_server_refuses() {
    let app = instant_app().await;
    let (_, spec, _) = call(&app, "GET", "/api/v1/openapi.json", None, None).await;
    let request = &spec["components"]["schemas"]["DecisionRequest"];
    // An amount is required, in euros or in cents; an empty SIREN or amount does not match.
    let rules = request["allOf"].to_string();
    assert!(rules.contains(r#""required":["amount"]}"#), "{rules}");
    assert!(rules.contains(r#""required":["amount_cents"]}"#), "{rules}");
    // An optional field with a format is a choice between null and the string (see
    // document.rs): its pattern is in the string's branch.
    let string_schema = |property: &Value| -> Value {
        property["oneOf"]
            .as_array()
            .and_then(|choices| choices.iter().find(|c| c["type"] == "string").cloned())
            .unwrap_or_else(|| property.clone())
    };
    for field in ["siren", "amount", "debtor_siren"] {
        let schema = string_schema(&request["properties"][field]);
        let pattern = schema["pattern"].as_str().unwrap();
        assert!(
            pattern.starts_with('^') && pattern.ends_with('$'),
            "{field}: {pattern}"
        );
        assert!(
            pattern.contains("{9}") || pattern.contains("[1-9]"),
            "{field}: {pattern}"
        );
    }
    assert_eq!(request["properties"]["siren"]["format"], "siren");
    assert_eq!(
        request["properties"]["iban"]["oneOf"],
        serde_json::json!([{"type": "null"}, {"type": "string", "format": "iban"}]),
        "null or an IBAN, so that null is not read as breaking the format"
    );
    let url = &spec["components"]["schemas"]["NewWebhookEndpoint"]["properties"]["url"];
    assert!(
        url["pattern"].as_str().unwrap().contains("https://"),
        "{url}"
    );
    // The Idempotency-Key header is documented with its rules; a delivery is a number.
    let header = spec["paths"]["/decisions"]["post"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Idempotency-Key")
        .unwrap()
        .clone();
    assert_eq!(header["in"], "header");
    assert_eq!(header["schema"]["type"], "string");
    assert_eq!(header["schema"]["maxLength"], 255);
    let redeliver =
        &spec["paths"]["/webhook-endpoints/{id}/deliveries/{delivery}/redeliver"]["post"];
    let delivery = redeliver["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "delivery")
        .unwrap();
    assert_eq!(delivery["schema"]["type"], "integer");
    assert!(redeliver["responses"]["404"]["content"]["application/problem+json"].is_object());
}

#[tokio::test]
async fn an_auditor_verifies_the_chain_and_replays_a_decision_identically() {
    let app = instant_app().await;
    let (k, _) = key(&app, World::Sandbox).await;
    let (_, d, _) = call(
        &app,
        "POST",
        "/api/v1/decisions",
        Some(&k),
        Some(json!({"siren": "500000005", "amount": "2000", "product": "bnpl"})),
    )
    .await;
    let id = d["id"].as_str().unwrap().to_owned();
    app.sign_in_role(app::model::Role::Auditor).await;
    let chain: Value = app.server_fn("audit_chain").await.json().await.unwrap();
    // The decision and the auditor's sign-in.
    assert_eq!(chain["records"], 2);
    assert_eq!(chain["intact"], true);
    let replay = app
        .client
        .post(app.url("/api/app/replay"))
        .header("accept", "application/json")
        .form(&[("id", id.as_str()), ("current", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(replay.status(), StatusCode::OK);
    let verdict: Value = replay.json().await.unwrap();
    assert_eq!(verdict["identical"], true, "{verdict}");
    assert_eq!(verdict["mode"], "recorded");
    let missing = app
        .client
        .post(app.url("/api/app/replay"))
        .header("accept", "application/json")
        .form(&[("id", "dec_missing"), ("current", "false")])
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn reading_a_decision_back_shows_the_human_decisions_since() {
    use app::model::{CaseCommand, HumanDecision, HumanOutcome, Role};
    use server::cases::{act, Actor};
    let app = instant_app().await;
    let (k, _) = key(&app, World::Sandbox).await;
    let (status, d, _) = call(
        &app,
        "POST",
        "/api/v1/decisions",
        Some(&k),
        Some(json!({"siren": "999999998", "amount": "8000.00", "product": "bnpl"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{d}");
    assert_eq!(d["outcome"], "refer", "{d}");
    assert_eq!(d["status"], "in_review");
    assert_eq!(d["final_outcome"], Value::Null);
    assert_eq!(d["events"], json!([]));
    let id = d["id"].as_str().unwrap();

    let store = server::startup::open_store(&app.settings).await.unwrap();
    let manager = Actor {
        user_id: 42,
        username: "claire".into(),
        display_name: "Claire Martin".into(),
        role: Role::CreditManager,
    };
    let rules = app.settings.case_rules();
    let now = chrono::Utc::now();
    act(
        store.as_ref(),
        id,
        &manager,
        &CaseCommand::Claim,
        rules,
        now,
    )
    .await
    .unwrap();
    let counter = CaseCommand::Decide {
        decision: HumanDecision {
            outcome: HumanOutcome::CounterOffer,
            limit_cents: Some(500_000),
            category: "relationship_history".into(),
            justification: "New company, but the founders ran our client ABC for ten years.".into(),
        },
    };
    act(store.as_ref(), id, &manager, &counter, rules, now)
        .await
        .unwrap();

    let (status, now_state, _) = call(
        &app,
        "GET",
        &format!("/api/v1/decisions/{id}"),
        Some(&k),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        now_state["outcome"], "refer",
        "the automated decision stays"
    );
    assert_eq!(now_state["status"], "resolved");
    assert_eq!(now_state["final_outcome"], "counter_offer");
    assert_eq!(now_state["final_limit_cents"], 500_000);
    let events = now_state["events"].as_array().unwrap();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["claimed", "human_decision"]);
    assert_eq!(events[1]["by"]["display_name"], "Claire Martin");
    assert_eq!(events[1]["decision"]["limit_cents"], 500_000);
    assert!(events[1]["id"].as_str().unwrap().starts_with("evt_"));
    let chain = server::audit::verify(store.as_ref()).await.unwrap();
    assert!(chain.intact());
    assert_eq!(chain.records, 3);
}

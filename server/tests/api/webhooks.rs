//! Webhook endpoints over HTTP: an admin registers one, its secret is shown once, a test event
//! reaches a real local receiver signed so that the published Standard Webhooks library accepts
//! it, and a disabled endpoint receives nothing.

use crate::helpers::{form_problem, location, TestApp};
use app::model::Role;
use axum::body::Bytes;
use axum::http::HeaderMap;
use reqwest::StatusCode;
use std::sync::{Arc, Mutex};

type Received = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A receiver on a free local port that keeps every request and answers `status`.
async fn receiver(status: u16) -> (String, Received) {
    let received: Received = Arc::default();
    let keep = received.clone();
    let app = axum::Router::new().route(
        "/hooks",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let keep = keep.clone();
            async move {
                keep.lock().unwrap().push((headers, body));
                (axum::http::StatusCode::from_u16(status).unwrap(), "thanks")
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, received)
}

/// Registers an endpoint from the webhooks page.
async fn register(app: &TestApp, form: &[(&str, &str)]) -> reqwest::Response {
    app.submit("/admin/webhooks", "create_webhook_endpoint", form)
        .await
}

/// `enable`, `disable` or `test` the endpoint `id` from the webhooks page.
async fn change(app: &TestApp, id: &str, action: &str) -> reqwest::Response {
    app.submit(
        "/admin/webhooks",
        "change_webhook_endpoint",
        &[("id", id), ("action", action)],
    )
    .await
}

#[tokio::test]
async fn a_registered_endpoint_receives_a_test_event_signed_per_standard_webhooks() {
    let app = TestApp::spawn().await;
    app.sign_in_role(Role::Admin).await;
    let (url, received) = receiver(204).await;

    let response = register(
        &app,
        &[
            ("url", url.as_str()),
            ("event_types[]", "decision.created"),
            ("event_types[]", "company.risk_changed"),
        ],
    )
    .await;
    let to = location(&response);
    assert!(to.starts_with("/admin/webhooks?created=wh_"), "{to}");
    let id = to.trim_start_matches("/admin/webhooks?created=").to_owned();
    let secret: Option<String> = app.server_fn("webhook_secret").await.json().await.unwrap();
    let secret = secret.expect("the secret is shown once");
    assert!(secret.starts_with("whsec_"));
    let again: Option<String> = app.server_fn("webhook_secret").await.json().await.unwrap();
    assert_eq!(again, None, "and only once");
    let listed: Vec<app::model::WebhookSummary> = app
        .server_fn("webhook_endpoints")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].event_types,
        ["decision.created", "company.risk_changed"]
    );
    let page = app.get("/admin/webhooks").await.text().await.unwrap();
    assert!(
        page.contains(&url) && !page.contains(&secret),
        "never the secret again"
    );

    // The test event: signed, verified by the published library, and its answer shown.
    let response = change(&app, &id, "test").await;
    let to = location(&response);
    assert!(to.contains("status=204"), "{to}");
    let (headers, body) = received.lock().unwrap().pop().expect("one delivery");
    let verifier = standardwebhooks::Webhook::new(&secret).unwrap();
    verifier
        .verify(&body, &headers)
        .expect("the signature verifies");
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["type"], "endpoint.test");
    assert_eq!(event["data"]["endpoint_id"], id.as_str());
    assert!(to.contains(headers["webhook-id"].to_str().unwrap()));
    // Another secret does not verify it.
    let other = standardwebhooks::Webhook::new(secrecy::ExposeSecret::expose_secret(
        &server::webhooks::new_secret(),
    ))
    .unwrap();
    assert!(other.verify(&body, &headers).is_err());
    // The same test event as the API's: in the endpoint's log, delivered, and it verifies the
    // endpoint for the go-live checklist.
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let log = store.webhook_messages(Some(&id), 10).await.unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].event_type.as_str(), log[0].status.as_str()),
        ("endpoint.test", "delivered")
    );
    let verified = store.verified_endpoints("sandbox").await.unwrap();
    assert_eq!(verified.len(), 1);
    assert_eq!(verified[0].endpoint_id, id);
    store.close().await;

    // Disabled: no test is sent.
    change(&app, &id, "disable").await;
    let response = change(&app, &id, "test").await;
    assert!(form_problem(&response).starts_with("action:"));
    assert!(received.lock().unwrap().is_empty());
    change(&app, &id, "enable").await;
    let listed: Vec<app::model::WebhookSummary> = app
        .server_fn("webhook_endpoints")
        .await
        .json()
        .await
        .unwrap();
    assert!(listed[0].enabled);

    // An endpoint the receiver refuses: the answer is reported, not hidden.
    let (refusing, _) = receiver(503).await;
    register(
        &app,
        &[
            ("url", refusing.as_str()),
            ("event_types[]", "decision.updated"),
        ],
    )
    .await;
    let listed: Vec<app::model::WebhookSummary> = app
        .server_fn("webhook_endpoints")
        .await
        .json()
        .await
        .unwrap();
    let refusing_id = listed
        .iter()
        .find(|e| e.url == refusing)
        .unwrap()
        .id
        .clone();
    let response = change(&app, &refusing_id, "test").await;
    assert!(location(&response).contains("status=503"));

    // Bad input is named; nothing is registered.
    for (form, field) in [
        (
            vec![
                ("url", "http://lender.example/hooks"),
                ("event_types[]", "decision.created"),
            ],
            "url",
        ),
        (
            vec![
                ("url", "https://lender.example/hooks"),
                ("event_types[]", "nothing.happened"),
            ],
            "event_types",
        ),
        (vec![("url", "https://lender.example/hooks")], "event_types"),
    ] {
        let response = register(&app, &form).await;
        assert!(
            form_problem(&response).starts_with(&format!("{field}:")),
            "{field}"
        );
    }
    let listed: Vec<app::model::WebhookSummary> = app
        .server_fn("webhook_endpoints")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2);

    // Other roles are refused.
    app.jar_clear().await;
    app.sign_in_role(Role::CreditManager).await;
    let response = change(&app, &id, "test").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    for (function, form) in [
        ("redeliver_webhook", vec![("seq", "1")]),
        ("check_monitoring_now", vec![("siren", "100000009")]),
        (
            "set_sandbox_condition",
            vec![("siren", "100000009"), ("condition", "proceeding")],
        ),
    ] {
        let response = app.submit("/admin/webhooks", function, &form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{function}");
    }
}

/// Endpoints that reach inside the lender's network are refused when registered, whether the
/// address is written out or a name resolves to it (the names resolve through the test table at
/// the resolver seam: nothing is looked up or sent beyond this machine).
#[tokio::test]
async fn endpoints_inside_the_network_are_refused_at_registration() {
    let app = TestApp::spawn_with(|s| s.webhooks.allowed_networks = Some(Vec::new())).await;
    let key = crate::helpers::new_key(&app, server::sources::World::Sandbox).await;
    for (url, said) in [
        (
            "http://127.0.0.1:9/hooks",
            "127.0.0.1 is a loopback address",
        ),
        ("http://localhost:9/hooks", "loopback"),
        ("https://10.0.0.1/hooks", "10.0.0.1 is a private address"),
        (
            "https://169.254.169.254/latest/meta-data",
            "169.254.169.254 is a link-local address",
        ),
        ("https://[::1]/hooks", "::1 is a loopback address"),
        (
            "https://rebind.lender.example/hooks",
            "rebind.lender.example resolves to 127.0.0.1 is a loopback address",
        ),
        (
            "https://intranet.lender.example/hooks",
            "resolves to 10.0.0.1 is a private address",
        ),
        (
            "https://metadata.lender.example/hooks",
            "resolves to 169.254.169.254 is a link-local address",
        ),
        (
            "https://six.lender.example/hooks",
            "resolves to ::1 is a loopback",
        ),
        (
            "https://nowhere.lender.example/hooks",
            "nowhere.lender.example does not resolve",
        ),
    ] {
        let started = std::time::Instant::now();
        let (status, problem) = crate::helpers::api(
            &app,
            reqwest::Method::POST,
            "/api/v1/webhook-endpoints",
            &key,
            Some(serde_json::json!({"url": url, "event_types": ["decision.created"]})),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{url}: {problem}");
        assert_eq!(problem["errors"][0]["field"], "/url", "{url}");
        let why = problem["errors"][0]["problem"].as_str().unwrap();
        assert!(why.contains(said), "{url}: {why}");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(4),
            "{url}: fast"
        );
    }
    let (_, listed) = crate::helpers::api(
        &app,
        reqwest::Method::GET,
        "/api/v1/webhook-endpoints",
        &key,
        None,
    )
    .await;
    assert_eq!(listed["data"].as_array().map(Vec::len), Some(0), "{listed}");
}

/// A name that pointed outside when registered may point inside later: each delivery checks the
/// addresses it connects to, and a literal address stored before the guard is checked too.
#[tokio::test]
async fn a_delivery_to_an_address_inside_the_network_is_refused_and_sends_nothing() {
    let (url, received) = receiver(200).await;
    let port = url
        .split(':')
        .nth(2)
        .unwrap()
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let app = TestApp::spawn_with(|s| s.webhooks.allowed_networks = Some(Vec::new())).await;
    let key = crate::helpers::new_key(&app, server::sources::World::Sandbox).await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let mut ids = Vec::new();
    for (i, url) in [
        url.clone(),
        format!("http://rebind.lender.example:{port}/hooks"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut endpoint = server::webhooks::new_endpoint(
            "sandbox",
            "https://placeholder.example/",
            &["decision.created".to_owned()],
            chrono::Utc::now(),
        )
        .unwrap();
        endpoint.id = format!("wh_inside{i}");
        endpoint.url = url;
        store.create_webhook_endpoint(&endpoint).await.unwrap();
        ids.push(endpoint.id);
    }
    store.close().await;
    for id in &ids {
        let (status, answer) = crate::helpers::api(
            &app,
            reqwest::Method::POST,
            &format!("/api/v1/webhook-endpoints/{id}/test"),
            &key,
            None,
        )
        .await;
        assert_eq!(status, StatusCode::ACCEPTED, "{answer}");
        let attempt = crate::helpers::until_some(10, "the test event's attempt", || async {
            let (_, log) = crate::helpers::api(
                &app,
                reqwest::Method::GET,
                &format!("/api/v1/webhook-endpoints/{id}/deliveries"),
                &key,
                None,
            )
            .await;
            log["data"][0]["attempts"][0].as_object().cloned()
        })
        .await;
        assert_eq!(attempt["status"], serde_json::Value::Null, "{id}");
        let excerpt = attempt["response_excerpt"].as_str().unwrap();
        assert!(
            excerpt.contains("127.0.0.1 is a loopback address"),
            "{id}: {excerpt}"
        );
    }
    assert!(
        received.lock().unwrap().is_empty(),
        "nothing reached the receiver"
    );
}

/// Secrets are sealed in the database; one stored in clear before sealing is sealed at the next
/// start and still signs with the same secret.
#[tokio::test]
async fn webhook_secrets_are_sealed_at_rest() {
    let (url, received) = receiver(200).await;
    let app = TestApp::spawn().await;
    let key = crate::helpers::new_key(&app, server::sources::World::Sandbox).await;
    let (status, created) = crate::helpers::api(
        &app,
        reqwest::Method::POST,
        "/api/v1/webhook-endpoints",
        &key,
        Some(serde_json::json!({"url": url, "event_types": ["decision.created"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let shown = created["secret"].as_str().unwrap().to_owned();
    let database = app.settings.database_url();
    let stored_secret = |id: String| {
        let url = database.clone();
        async move {
            let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
            let s: String =
                sqlx::query_scalar("SELECT secret FROM webhook_endpoints WHERE id = $1")
                    .bind(id)
                    .fetch_one(&pool)
                    .await
                    .unwrap();
            pool.close().await;
            s
        }
    };
    let id = created["id"].as_str().unwrap().to_owned();
    let at_rest = stored_secret(id.clone()).await;
    assert!(at_rest.starts_with("sealed:v1:"), "{at_rest}");
    assert!(!at_rest.contains(shown.trim_start_matches("whsec_")));

    // An endpoint stored in clear (before sealing existed).
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let mut legacy = server::webhooks::new_endpoint(
        "sandbox",
        &url,
        &["decision.created".to_owned()],
        chrono::Utc::now(),
    )
    .unwrap();
    legacy.id = "wh_legacy".into();
    let legacy_secret = secrecy::ExposeSecret::expose_secret(&legacy.secret).to_owned();
    store.create_webhook_endpoint(&legacy).await.unwrap();
    store.close().await;
    assert_eq!(stored_secret("wh_legacy".into()).await, legacy_secret);
    let app = app.restart().await;
    let at_rest = stored_secret("wh_legacy".into()).await;
    assert!(
        at_rest.starts_with("sealed:v1:"),
        "sealed at start: {at_rest}"
    );
    let (status, _) = crate::helpers::api(
        &app,
        reqwest::Method::POST,
        "/api/v1/webhook-endpoints/wh_legacy/test",
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED);
    crate::helpers::eventually(10, "the test event", || {
        !received.lock().unwrap().is_empty()
    })
    .await;
    let (headers, body) = received.lock().unwrap()[0].clone();
    standardwebhooks::Webhook::new(&legacy_secret)
        .unwrap()
        .verify(&body, &headers)
        .expect("signed with the same secret as before");
}

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

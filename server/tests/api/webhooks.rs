//! Webhook endpoints over HTTP: an admin registers one, its secret is shown once, a test event
//! reaches a real local receiver signed so that the published Standard Webhooks library accepts
//! it, and a disabled endpoint receives nothing.

use crate::helpers::{location, TestApp};
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

async fn post(app: &TestApp, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .form(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_registered_endpoint_receives_a_test_event_signed_per_standard_webhooks() {
    let app = TestApp::spawn().await;
    app.sign_in_role(Role::Admin).await;
    let (url, received) = receiver(204).await;

    let response = post(
        &app,
        "/admin/webhooks",
        &[
            ("url", url.as_str()),
            ("event_types", "decision.created"),
            ("event_types", "company.risk_changed"),
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
    let response = post(
        &app,
        &format!("/admin/webhooks/{id}"),
        &[("action", "test")],
    )
    .await;
    let to = location(&response);
    assert!(to.contains("status=204"), "{to}");
    let (headers, body) = received.lock().unwrap().pop().expect("one delivery");
    let verifier = standardwebhooks::Webhook::new(&secret).unwrap();
    verifier
        .verify(&body, &headers)
        .expect("the signature verifies");
    let event: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["type"], "webhook.test");
    assert_eq!(event["data"]["endpoint_id"], id.as_str());
    assert!(to.contains(headers["webhook-id"].to_str().unwrap()));
    // Another secret does not verify it.
    let other = standardwebhooks::Webhook::new(secrecy::ExposeSecret::expose_secret(
        &server::webhooks::new_secret(),
    ))
    .unwrap();
    assert!(other.verify(&body, &headers).is_err());

    // Disabled: no test is sent.
    post(
        &app,
        &format!("/admin/webhooks/{id}"),
        &[("action", "disable")],
    )
    .await;
    let response = post(
        &app,
        &format!("/admin/webhooks/{id}"),
        &[("action", "test")],
    )
    .await;
    assert!(location(&response).contains("error=action"));
    assert!(received.lock().unwrap().is_empty());
    post(
        &app,
        &format!("/admin/webhooks/{id}"),
        &[("action", "enable")],
    )
    .await;
    let listed: Vec<app::model::WebhookSummary> = app
        .server_fn("webhook_endpoints")
        .await
        .json()
        .await
        .unwrap();
    assert!(listed[0].enabled);

    // An endpoint the receiver refuses: the answer is reported, not hidden.
    let (refusing, _) = receiver(503).await;
    post(
        &app,
        "/admin/webhooks",
        &[
            ("url", refusing.as_str()),
            ("event_types", "decision.updated"),
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
    let response = post(
        &app,
        &format!("/admin/webhooks/{refusing_id}"),
        &[("action", "test")],
    )
    .await;
    assert!(location(&response).contains("status=503"));

    // Bad input is named; nothing is registered.
    for (form, field) in [
        (
            vec![
                ("url", "http://lender.example/hooks"),
                ("event_types", "decision.created"),
            ],
            "url",
        ),
        (
            vec![
                ("url", "https://lender.example/hooks"),
                ("event_types", "nothing.happened"),
            ],
            "event_types",
        ),
        (vec![("url", "https://lender.example/hooks")], "event_types"),
    ] {
        let response = post(&app, "/admin/webhooks", &form).await;
        assert!(
            location(&response).contains(&format!("error={field}")),
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
    let response = post(
        &app,
        &format!("/admin/webhooks/{id}"),
        &[("action", "test")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    for (path, form) in [
        ("/admin/webhooks/deliveries/1/redeliver", vec![]),
        ("/admin/monitoring/check", vec![("siren", "100000009")]),
        (
            "/admin/sandbox/conditions",
            vec![("siren", "100000009"), ("condition", "proceeding")],
        ),
    ] {
        let response = post(&app, path, &form).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{path}");
    }
}

//! API key scopes: every operation of the API document × every scope. The document says which
//! scope each operation needs; a key holding only another scope is refused with a 403 problem
//! naming it, a key holding it is let through. An operation added to the API is covered here
//! without editing this test: it must declare its scope, or be one of the few open to any key.

use crate::helpers::TestApp;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use server::api_keys::ApiScope;
use server::sources::World;

/// Operations any valid key may call, and the public ones.
const ANY_KEY: &[&str] = &["get /ping", "get /readiness"];
const PUBLIC: &[&str] = &[
    "get /openapi.json",
    "get /reason-codes",
    "get /audit/public-key",
];

fn concrete(path: &str) -> String {
    path.replace("{siren}", "552100554")
        .replace("{delivery}", "1")
        .replace("/webhook-endpoints/{id}", "/webhook-endpoints/wh_nope")
        .replace("{id}", "dec_nope")
}

#[tokio::test]
async fn every_operation_checks_its_scope_and_names_it_when_missing() {
    let app = TestApp::spawn().await;
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let mut keys = Vec::new();
    for scope in ApiScope::ALL {
        let k = server::api_keys::create_scoped(
            store.as_ref(),
            World::Sandbox,
            scope.as_str(),
            &[scope],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(k.record.scopes, vec![scope]);
        keys.push((scope, k.secret.expose_secret().to_owned()));
    }
    // Stored and read back as created.
    let listed = store.list_api_keys().await.unwrap();
    assert!(listed
        .iter()
        .all(|k| k.scopes.len() == 1 && k.scopes[0].as_str() == k.name));
    store.close().await;

    let doc: serde_json::Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let client = reqwest::Client::new();
    let mut checked = 0;
    let mut open = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{method} {path}");
            // `[{}]`: no scheme required.
            if op["security"] == serde_json::json!([{}]) {
                assert!(PUBLIC.contains(&name.as_str()), "{name} is public");
                let r = reqwest::get(app.url(&format!("/api/v1{path}")))
                    .await
                    .unwrap();
                assert_eq!(r.status(), StatusCode::OK, "{name} without a key");
                continue;
            }
            let Some(required) = op["x-required-scope"].as_str() else {
                open.push(name);
                continue;
            };
            let required: ApiScope = required.parse().unwrap();
            assert_eq!(
                op["security"],
                serde_json::json!([{"apiKey": [required.as_str()]}]),
                "{name}"
            );
            assert!(
                op["responses"]["403"].is_object(),
                "{name} documents its 403"
            );
            for (scope, key) in &keys {
                let url = app.url(&format!("/api/v1{}", concrete(path)));
                let mut request = client
                    .request(method.to_uppercase().parse().unwrap(), url)
                    .bearer_auth(key);
                if method == "post" || method == "patch" {
                    request = request.json(&serde_json::json!({}));
                }
                let response = request.send().await.unwrap();
                let status = response.status();
                let body: serde_json::Value = response.json().await.unwrap_or_default();
                if *scope == required {
                    assert!(
                        status != StatusCode::FORBIDDEN && status != StatusCode::UNAUTHORIZED,
                        "{name} with {}: {status} {body}",
                        scope.as_str()
                    );
                } else {
                    assert_eq!(
                        status,
                        StatusCode::FORBIDDEN,
                        "{name} with {}: {body}",
                        scope.as_str()
                    );
                    assert_eq!(
                        body["type"], "https://aval.example/problems/insufficient-scope",
                        "{name}"
                    );
                    let detail = body["detail"].as_str().unwrap();
                    assert!(
                        detail.contains(&format!("needs the scope {}", required.as_str()))
                            && detail.contains(scope.as_str()),
                        "{name}: {detail}"
                    );
                }
                checked += 1;
            }
        }
    }
    open.sort();
    assert_eq!(open, ANY_KEY, "operations open to any key");
    assert!(checked >= 13 * 4, "only {checked} checks");
    // Any key calls the open ones.
    for (_, key) in &keys {
        let r = client
            .get(app.url("/api/v1/ping"))
            .bearer_auth(key)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
    }
}

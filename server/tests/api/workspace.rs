//! The workspace's forms over HTTP: a sales rep's application, a credit manager's actions,
//! each refused to the wrong role, and bad input sent back naming the field.

use crate::helpers::{location, TestApp};
use app::model::Role;
use reqwest::StatusCode;

async fn instant_app() -> TestApp {
    TestApp::spawn_with(|s| {
        for l in s.sources.sandbox.latency.values_mut() {
            l.median_ms = 0.0;
            l.p99_ms = 0.0;
        }
    })
    .await
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
async fn a_sales_rep_applies_and_reads_the_decision_and_bad_input_comes_back_named() {
    let app = instant_app().await;
    app.sign_in_role(Role::SalesRep).await;
    let response = post(
        &app,
        "/applications/new",
        &[
            ("siren", "100000009"),
            ("amount", "1 500,00"),
            ("product", "bnpl"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert!(to.starts_with("/applications/dec_"), "{to}");
    let page = app.get(&to).await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("data-status=\"decided\""), "{html}");
    assert!(html.contains("Approved"));
    let mine = app.get("/applications").await.text().await.unwrap();
    assert!(mine.contains(to.trim_start_matches("/applications/")));

    // Bad input: back to the form, filled in, with each problem named; nothing recorded.
    let response = post(
        &app,
        "/applications/new",
        &[
            ("siren", "100000008"),
            ("amount", "-5"),
            ("product", "bnpl"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let back = location(&response);
    assert!(back.starts_with("/applications?error="), "{back}");
    assert!(back.contains("siren") && back.contains("amount"), "{back}");
    let page = app.get(&back).await.text().await.unwrap();
    assert!(
        page.contains("application-error"),
        "the form shows the problems"
    );
    let store = server::startup::open_store(&app.settings).await.unwrap();
    assert_eq!(
        server::audit::verify(store.as_ref()).await.unwrap().records,
        1
    );

    // Another rep's or a manager's view of the case.
    app.jar_clear().await;
    app.sign_in_role(Role::CreditManager).await;
    let id = to.trim_start_matches("/applications/");
    assert_eq!(
        app.get(&format!("/cases/{id}")).await.status(),
        StatusCode::OK
    );
    let response = post(
        &app,
        "/applications/new",
        &[
            ("siren", "100000009"),
            ("amount", "10"),
            ("product", "bnpl"),
        ],
    )
    .await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "managers do not apply"
    );
}

#[tokio::test]
async fn a_manager_claims_and_decides_and_other_roles_are_refused() {
    let app = instant_app().await;
    app.sign_in_role(Role::SalesRep).await;
    let response = post(
        &app,
        "/applications/new",
        &[
            ("siren", "999999998"),
            ("amount", "8000"),
            ("product", "bnpl"),
        ],
    )
    .await;
    let id = location(&response)
        .trim_start_matches("/applications/")
        .to_owned();
    let actions = format!("/cases/{id}/actions");
    // A sales rep cannot act on cases.
    let response = post(&app, &actions, &[("action", "claim")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    app.jar_clear().await;
    let response = post(&app, &actions, &[("action", "claim")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&response).starts_with("/signin"),
        "anonymous: sign in first"
    );

    app.sign_in_role(Role::CreditManager).await;
    let response = post(&app, &actions, &[("action", "claim")]).await;
    assert_eq!(location(&response), format!("/cases/{id}?done=claimed"));
    // An incomplete decision comes back with the problem and what was typed.
    let response = post(
        &app,
        &actions,
        &[
            ("action", "decide"),
            ("outcome", "approve"),
            ("category", "other"),
            ("justification", "short"),
        ],
    )
    .await;
    let back = location(&response);
    assert!(back.contains("error=justification"), "{back}");
    assert!(back.contains("justification=short"), "{back}");
    let response = post(
        &app,
        &actions,
        &[
            ("action", "decide"),
            ("outcome", "decline"),
            ("category", "risk_appetite"),
            (
                "justification",
                "No accounts and no bank data: we cannot assess it.",
            ),
        ],
    )
    .await;
    assert_eq!(
        location(&response),
        format!("/cases/{id}?done=human_decision")
    );
    let page = app.get(&format!("/cases/{id}")).await.text().await.unwrap();
    assert!(page.contains("data-status=\"resolved\""));
    // Lineage: each feature with its snapshot and the payload part, marked.
    assert!(
        page.contains("data-feature=\"lg_active\""),
        "lineage listed"
    );
    assert!(
        page.contains("data-testid=\"lineage-mark\""),
        "payload part marked"
    );
    assert!(page.contains("etatAdministratifUniteLegale"));
    // The score's build-up, drawn on the server as SVG with its title and axis.
    assert!(page.contains("data-testid=\"waterfall\""));
    assert!(page.contains("How the score is built") && page.contains("Score points"));
    assert!(page.contains("No accounts and no bank data"));

    // A foreign page cannot post actions (origin check).
    let response = app
        .client
        .post(app.url(&actions))
        .header("origin", "https://evil.example")
        .form(&[("action", "note"), ("text", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    // The auditor reads, and cannot act.
    app.jar_clear().await;
    app.sign_in_role(Role::Auditor).await;
    assert_eq!(
        app.get(&format!("/cases/{id}")).await.status(),
        StatusCode::OK
    );
    let response = post(&app, &actions, &[("action", "note"), ("text", "hello")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let dossier: serde_json::Value = app
        .get(&format!("/cases/{id}/dossier.json"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(dossier["decision"]["id"], id.as_str());
    assert_eq!(dossier["case"]["status"], "resolved");
    assert_eq!(dossier["audit_records"].as_array().unwrap().len(), 3);
    let replay: app::model::ReplayVerdict = app
        .server_fn_with("replay", &format!("id={id}&current=false"))
        .await
        .json()
        .await
        .unwrap();
    assert!(replay.identical, "{replay:?}");
    app.jar_clear().await;
    app.sign_in_role(Role::SalesRep).await;
    let response = app.get(&format!("/cases/{id}/dossier.json")).await;
    assert_eq!(
        response.status(),
        StatusCode::FORBIDDEN,
        "reps do not export dossiers"
    );
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let chain = server::audit::verify(store.as_ref()).await.unwrap();
    assert!(chain.intact());
    assert_eq!(chain.records, 3, "decision, claim, decline");
}

#[tokio::test]
async fn an_admin_creates_a_key_shown_once_and_revokes_it() {
    let app = instant_app().await;
    app.sign_in_role(Role::Admin).await;
    let response = post(
        &app,
        "/admin/keys",
        &[("name", "checkout"), ("mode", "sandbox")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert!(to.starts_with("/admin/keys?created=key_"), "{to}");
    assert!(
        !to.contains("aval_test_"),
        "the key never travels in an address"
    );
    let page = app.get(&to).await.text().await.unwrap();
    let start = page.find("aval_test_").expect("the new key is shown");
    let key: String = page[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    assert_eq!(key.len(), "aval_test_".len() + 32, "{key}");
    let again = app.get("/admin/keys").await.text().await.unwrap();
    assert!(!again.contains(&key), "shown once only");
    assert!(again.contains("checkout"));

    let ping = |key: String| {
        let url = app.url("/api/v1/ping");
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(ping(key.clone()).await, StatusCode::OK);
    let id = to.trim_start_matches("/admin/keys?created=").to_owned();
    let response = post(&app, &format!("/admin/keys/{id}/revoke"), &[]).await;
    assert_eq!(location(&response), format!("/admin/keys?revoked={id}"));
    assert_eq!(ping(key).await, StatusCode::UNAUTHORIZED);

    // Bad input is named; other roles are refused.
    let response = post(&app, "/admin/keys", &[("name", " "), ("mode", "sandbox")]).await;
    assert!(location(&response).contains("error=name"));
    app.jar_clear().await;
    app.sign_in_role(Role::CreditManager).await;
    let response = post(&app, "/admin/keys", &[("name", "x"), ("mode", "live")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

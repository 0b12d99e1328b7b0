use crate::helpers::{demo_password, location, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn a_session_survives_a_server_restart() {
    let app = TestApp::spawn().await;
    app.sign_in_as("admin", demo_password("admin")).await;
    assert_eq!(app.session_username().await.as_deref(), Some("admin"));

    let app = app.restart().await;
    assert_eq!(app.session_username().await.as_deref(), Some("admin"));
    assert_eq!(app.get("/admin/users").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_anonymous_visitor_goes_to_sign_in_and_then_back_to_the_page() {
    let app = TestApp::spawn().await;
    let response = app.get("/audit?from=2026-01-01").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert_eq!(to, "/signin?next=/audit%3Ffrom%3D2026-01-01");

    let page = app.get(&to).await.text().await.unwrap();
    assert!(
        page.contains(r#"name="next" value="/audit?from=2026-01-01""#),
        "{page}"
    );
    let signed_in = app
        .sign_in_with_next(
            "auditor",
            demo_password("auditor"),
            Some("/audit?from=2026-01-01"),
        )
        .await;
    assert_eq!(location(&signed_in), "/audit?from=2026-01-01");
}

#[tokio::test]
async fn an_expired_session_goes_to_sign_in_with_a_notice_and_then_back() {
    let app = TestApp::spawn().await;
    let response = app
        .get_with_cookie("/queue", "aval_session=gone-or-expired")
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert_eq!(to, "/signin?expired=1&next=/queue");
    let page = app.get(&to).await.text().await.unwrap();
    assert!(page.contains("Your session has expired."));
}

#[tokio::test]
async fn a_signed_in_user_opening_sign_in_goes_to_the_next_page() {
    let app = TestApp::spawn().await;
    app.sign_in_as("rep", demo_password("rep")).await;
    let response = app.get("/signin?next=/applications").await;
    assert_eq!(location(&response), "/applications");
}

#[tokio::test]
async fn pages_with_personal_data_are_not_cached() {
    let app = TestApp::spawn().await;
    app.sign_in_as("rep", demo_password("rep")).await;
    let response = app.get("/").await;
    assert_eq!(response.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_session_expires_after_the_configured_idle_time() {
    let app = TestApp::spawn_with(|s| s.session.idle_timeout_minutes = 7).await;
    let response = app.sign_in_as("rep", demo_password("rep")).await;
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(cookie.contains("Max-Age=420"), "{cookie}");
    let id = cookie
        .split(';')
        .next()
        .and_then(|kv| kv.strip_prefix("aval_session="))
        .unwrap()
        .parse()
        .unwrap();
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let record = store
        .session_store()
        .load(&id)
        .await
        .unwrap()
        .expect("stored");
    let left = record.expiry_date - tower_sessions::cookie::time::OffsetDateTime::now_utc();
    assert!(
        left.whole_seconds() > 400 && left.whole_seconds() <= 420,
        "{left}"
    );
}

#[tokio::test]
async fn on_postgresql_sign_in_and_sessions_across_a_restart_work_the_same() {
    let url = crate::helpers::fresh_postgres_url().await;
    let app = TestApp::spawn_with(|s| s.database_url = Some(url.into())).await;
    assert_eq!(
        app.sign_in_as("rep", "wrong-password-x").await.status(),
        StatusCode::SEE_OTHER
    );
    app.sign_in_as("manager", demo_password("manager")).await;
    assert_eq!(app.get("/queue").await.status(), StatusCode::OK);
    let app = app.restart().await;
    assert_eq!(app.session_username().await.as_deref(), Some("manager"));
    assert_eq!(
        app.get("/admin/users").await.status(),
        StatusCode::FORBIDDEN
    );
    let ready: serde_json::Value = app.get("/readyz").await.json().await.unwrap();
    assert_eq!(ready["database"], "ok");
}

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
    let stale = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = stale
        .get(app.url("/queue"))
        .header("cookie", "aval_session=gone-or-expired")
        .send()
        .await
        .unwrap();
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

use crate::helpers::TestApp;
use reqwest::StatusCode;

#[tokio::test]
async fn healthz_answers_and_every_response_carries_a_request_id() {
    let app = TestApp::spawn().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), StatusCode::OK);
    let id = response
        .headers()
        .get("x-request-id")
        .expect("a request id");
    assert_eq!(id.to_str().unwrap().len(), 36);
}

#[tokio::test]
async fn readyz_reports_the_database_reachable() {
    let app = TestApp::spawn().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["database"], "ok");
}

#[tokio::test]
async fn an_unknown_address_is_a_404_page() {
    let app = TestApp::spawn().await;
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(response.text().await.unwrap().contains("Page not found"));
}

#[tokio::test]
async fn responses_carry_protective_headers() {
    let app = TestApp::spawn().await;
    let response = app.get("/signin").await;
    assert_eq!(response.status(), StatusCode::OK);
    let h = response.headers();
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["x-frame-options"], "DENY");
}

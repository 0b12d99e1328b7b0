use crate::helpers::{location, TestApp};
use reqwest::StatusCode;

#[tokio::test]
async fn choosing_french_is_remembered_and_the_pages_speak_it() {
    let app = TestApp::spawn().await;
    let response = app
        .submit(
            "/signin?next=/queue",
            "set_language",
            &[("lang", "fr"), ("next", "/signin?next=/queue")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/signin?next=/queue");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(
        cookie.starts_with("lang=fr;") && cookie.contains("Max-Age=31536000"),
        "{cookie}"
    );

    let page = app.get("/signin").await.text().await.unwrap();
    assert!(page.contains(r#"<html lang="fr""#), "{page}");
    assert!(page.contains("Connexion à Aval"));
}

#[tokio::test]
async fn the_browser_language_is_used_until_a_choice_is_made() {
    let app = TestApp::spawn().await;
    let page = app
        .client
        .get(app.url("/signin"))
        .header("accept-language", "fr-FR,fr;q=0.9,en;q=0.5")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Connexion à Aval"));
    let english = app.get("/signin").await.text().await.unwrap();
    assert!(english.contains("Sign in to Aval"));
}

#[tokio::test]
async fn an_unknown_language_changes_nothing() {
    let app = TestApp::spawn().await;
    let response = app
        .submit("/", "set_language", &[("lang", "xx"), ("next", "/")])
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(response.headers().get("set-cookie").is_none());
}

#[tokio::test]
async fn switching_language_comes_back_to_the_same_page_with_its_query() {
    let app = TestApp::spawn().await;
    app.sign_in_role(app::model::Role::CreditManager).await;
    let page = app
        .get("/queue?sort=newest&page=2")
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(r#"name="next" value="/queue?sort=newest&amp;page=2""#),
        "the switch returns to the page as it was"
    );
    let page = app.get("/queue").await.text().await.unwrap();
    assert!(page.contains(r#"name="next" value="/queue""#));
}

use crate::helpers::{demo_password, location, TestApp};
use reqwest::StatusCode;
use server::store::UserChange;

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("aval_session="))
}

#[tokio::test]
async fn a_user_signs_in_with_the_right_password_and_lands_on_the_page_asked_for() {
    let app = TestApp::spawn().await;
    let response = app
        .sign_in_with_next("manager", demo_password("manager"), Some("/queue?sort=age"))
        .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/queue?sort=age");
    let cookie = session_cookie(&response).expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(
        !cookie.contains("Secure"),
        "plain http must not set Secure: {cookie}"
    );
    assert_eq!(app.session_username().await.as_deref(), Some("manager"));
    let page = app.get("/queue").await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("Camille Credit"));
}

#[tokio::test]
async fn usernames_are_not_case_sensitive() {
    let app = TestApp::spawn().await;
    let response = app.sign_in_as("  Manager ", demo_password("manager")).await;
    assert_eq!(location(&response), "/");
}

#[tokio::test]
async fn behind_https_the_session_cookie_is_secure() {
    let app = TestApp::spawn_with(|s| s.public_url = "https://credit.example".into()).await;
    let response = app.sign_in_as("rep", demo_password("rep")).await;
    let cookie = session_cookie(&response).expect("a session cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_with_a_clear_message_and_no_session() {
    let app = TestApp::spawn().await;
    let response = app.sign_in_as("manager", "not-the-password").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let to = location(&response);
    assert!(to.starts_with("/signin?error=invalid"), "{to}");
    assert!(session_cookie(&response).is_none());
    assert_eq!(app.session_username().await, None);

    let page = app.get(&to).await;
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("The username or password is incorrect."));
}

#[tokio::test]
async fn an_unknown_user_gets_the_same_answer_as_a_wrong_password() {
    let app = TestApp::spawn().await;
    let response = app.sign_in_as("nobody", "whatever-password").await;
    assert!(location(&response).starts_with("/signin?error=invalid"));
}

#[tokio::test]
async fn an_empty_form_asks_for_both_fields() {
    let app = TestApp::spawn().await;
    let response = app.sign_in_as("", "").await;
    assert!(location(&response).starts_with("/signin?error=missing"));
}

#[tokio::test]
async fn the_next_page_cannot_send_the_user_to_another_site() {
    let app = TestApp::spawn().await;
    let response = app
        .sign_in_with_next("rep", demo_password("rep"), Some("https://evil.example/"))
        .await;
    assert_eq!(location(&response), "/");
}

#[tokio::test]
async fn signing_in_renews_the_session_id_and_the_old_one_stops_working() {
    let app = TestApp::spawn().await;
    let first = session_cookie(&app.sign_in_as("rep", demo_password("rep")).await).unwrap();
    let second = session_cookie(&app.sign_in_as("admin", demo_password("admin")).await).unwrap();
    let id = |c: &str| c.split(';').next().unwrap().to_owned();
    assert_ne!(id(&first), id(&second));

    let response = app.get_with_cookie("/applications", &id(&first)).await;
    assert_eq!(
        response.status(),
        StatusCode::SEE_OTHER,
        "the old session id still works"
    );
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let app = TestApp::spawn().await;
    app.sign_in_as("auditor", demo_password("auditor")).await;
    let response = app.client.post(app.url("/signout")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/signin?signed_out=1");
    assert_eq!(app.session_username().await, None);
    assert_eq!(app.get("/audit").await.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_even_for_the_right_password() {
    let app = TestApp::spawn_with(|s| s.sign_in.max_failures_per_account = 3).await;
    for _ in 0..3 {
        let r = app.sign_in_as("rep", "wrong-password-x").await;
        assert!(location(&r).starts_with("/signin?error=invalid"));
    }
    let locked = app.sign_in_as("rep", demo_password("rep")).await;
    let to = location(&locked);
    assert!(
        to.starts_with("/signin?error=locked_account&minutes=15"),
        "{to}"
    );
    assert_eq!(app.session_username().await, None);
    let page = app.get(&to).await.text().await.unwrap();
    assert!(
        page.contains("Too many failed sign-in attempts for this account. Try again in 15 min.")
    );

    // Another account from the same address is not affected.
    let other = app.sign_in_as("manager", demo_password("manager")).await;
    assert_eq!(location(&other), "/");
}

#[tokio::test]
async fn a_successful_sign_in_resets_the_account_failure_count() {
    let app = TestApp::spawn_with(|s| s.sign_in.max_failures_per_account = 3).await;
    for _ in 0..2 {
        app.sign_in_as("rep", "wrong-password-x").await;
    }
    assert_eq!(
        location(&app.sign_in_as("rep", demo_password("rep")).await),
        "/"
    );
    for _ in 0..2 {
        app.sign_in_as("rep", "wrong-password-x").await;
    }
    assert_eq!(
        location(&app.sign_in_as("rep", demo_password("rep")).await),
        "/"
    );
}

#[tokio::test]
async fn repeated_failures_from_one_address_lock_that_address_for_every_account() {
    let app = TestApp::spawn_with(|s| {
        s.sign_in.max_failures_per_address = 4;
        s.sign_in.max_failures_per_account = 10;
    })
    .await;
    for name in ["a1", "a2", "a3", "a4"] {
        app.sign_in_as(name, "wrong-password-x").await;
    }
    let locked = app.sign_in_as("admin", demo_password("admin")).await;
    assert!(
        location(&locked).starts_with("/signin?error=locked_address&minutes="),
        "{}",
        location(&locked)
    );
}

#[tokio::test]
async fn a_deactivated_user_can_no_longer_sign_in_nor_use_an_open_session() {
    let app = TestApp::spawn().await;
    app.sign_in_as("rep", demo_password("rep")).await;
    assert_eq!(app.get("/applications").await.status(), StatusCode::OK);

    let store = server::startup::open_store(&app.settings).await.unwrap();
    let rep = store.user_by_username("rep").await.unwrap().unwrap();
    store
        .update_user(rep.id, UserChange::Active(false), chrono::Utc::now(), None)
        .await
        .unwrap();

    let response = app.get("/applications").await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&response), "/signin?expired=1&next=/applications");
    let again = app.sign_in_as("rep", demo_password("rep")).await;
    assert!(location(&again).starts_with("/signin?error=invalid"));
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .post(app.url("/signin"))
        .header("origin", "https://evil.example")
        .form(&[("username", "rep"), ("password", demo_password("rep"))])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(app.session_username().await, None);

    let same_site = app
        .client
        .post(app.url("/signin"))
        .header("origin", app.address.clone())
        .form(&[("username", "rep"), ("password", demo_password("rep"))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&same_site), "/");
}

//! Every role against every page and every server function: allowed, or refused with 403.

use crate::helpers::{location, TestApp};
use app::access::{Access, PAGES, SIGN_IN};
use app::model::Role;
use reqwest::StatusCode;
use std::sync::Arc;
use std::time::Duration;

/// Server functions, the arguments they are called with, the roles allowed to call them
/// (`None`: everyone, signed in or not) and the status an allowed caller gets.
const SERVER_FUNCTIONS: &[(&str, &str, Option<&[Role]>, StatusCode)] = &[
    ("session", "", None, StatusCode::OK),
    ("users", "", Some(&[Role::Admin]), StatusCode::OK),
    ("role_counts", "", Some(&[Role::Admin]), StatusCode::OK),
    ("audit_chain", "", Some(&[Role::Auditor]), StatusCode::OK),
    ("api_keys", "", Some(&[Role::Admin]), StatusCode::OK),
    (
        "engine_versions",
        "",
        Some(&[Role::Admin, Role::Auditor]),
        StatusCode::OK,
    ),
    ("created_key", "", Some(&[Role::Admin]), StatusCode::OK),
    ("issued_password", "", Some(&[Role::Admin]), StatusCode::OK),
    (
        "webhook_endpoints",
        "",
        Some(&[Role::Admin]),
        StatusCode::OK,
    ),
    ("webhook_secret", "", Some(&[Role::Admin]), StatusCode::OK),
    ("webhook_log", "", Some(&[Role::Admin]), StatusCode::OK),
    ("monitoring_state", "", Some(&[Role::Admin]), StatusCode::OK),
    (
        "preview_company",
        "siren=100000009",
        Some(&[Role::SalesRep]),
        StatusCode::OK,
    ),
    (
        "my_applications",
        "page=1",
        Some(&[Role::SalesRep]),
        StatusCode::OK,
    ),
    (
        "review_queue",
        "query[page]=1",
        Some(&[Role::CreditManager]),
        StatusCode::OK,
    ),
    (
        "search_decisions",
        "query[page]=1",
        Some(&[Role::Auditor]),
        StatusCode::OK,
    ),
    (
        "dashboard",
        "days=30",
        Some(&[Role::CreditManager, Role::Auditor, Role::Admin]),
        StatusCode::OK,
    ),
    (
        "get_case",
        "id=dec_missing",
        Some(&[Role::SalesRep, Role::CreditManager, Role::Auditor]),
        StatusCode::NOT_FOUND,
    ),
];

/// The address to try a page at: parameters filled with an id that does not exist.
fn probe_path(pattern: &str) -> String {
    // A company page names a SIREN: a valid one nothing was decided on.
    let missing = if pattern.contains("{siren}") {
        "100000009"
    } else {
        "dec_missing"
    };
    app::access::link(pattern, missing)
}

#[tokio::test]
async fn every_page_the_router_serves_has_an_access_rule() {
    let routes = server::startup::page_routes();
    let mut routed: Vec<String> = routes.iter().map(|r| r.path().to_owned()).collect();
    routed.sort();
    routed.dedup();
    let mut declared: Vec<String> = PAGES.iter().map(|p| p.path.to_owned()).collect();
    declared.sort();
    assert_eq!(routed, declared);
}

#[tokio::test]
async fn each_role_gets_its_pages_and_a_403_for_the_others() {
    let app = TestApp::spawn().await;
    for role in Role::ALL {
        app.jar_clear().await;
        app.sign_in_role(role).await;
        for page in PAGES.iter().filter(|p| p.path != SIGN_IN) {
            let path = probe_path(page.path);
            let response = app.get(&path).await;
            let expected = if page.access.allows(Some(role)) {
                if path != page.path {
                    StatusCode::NOT_FOUND
                } else {
                    StatusCode::OK
                }
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(response.status(), expected, "{role} on {}", page.path);
            let body = response.text().await.unwrap_or_else(|e| {
                panic!("{role} on {}: the body did not arrive: {e}", page.path)
            });
            if expected == StatusCode::FORBIDDEN {
                assert!(body.contains("Access denied"), "{role} on {}", page.path);
            }
        }
    }
}

/// Listing the pages switches data loading off for the whole process while it runs; asking
/// for the list again (another server starting in the same process, a restart) must not stall
/// the pages being rendered meanwhile.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_keep_loading_their_data_while_the_page_list_is_asked_for_again() {
    use std::sync::atomic::{AtomicBool, Ordering};
    let app = TestApp::spawn().await;
    app.sign_in_role(Role::Auditor).await;
    /// Stops the lister even when the test fails.
    struct Done(Arc<AtomicBool>);
    impl Drop for Done {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let done = Arc::new(AtomicBool::new(false));
    let stop = Done(done.clone());
    let lister = std::thread::spawn({
        let done = done.clone();
        move || {
            let mut listed = 0u64;
            while !done.load(Ordering::Relaxed) {
                assert!(!server::startup::page_routes().is_empty());
                listed += 1;
                std::thread::yield_now();
            }
            listed
        }
    });
    for attempt in 0..20 {
        let body = tokio::time::timeout(Duration::from_secs(15), async {
            let response = app.get(app::access::AUDIT).await;
            assert_eq!(response.status(), StatusCode::OK);
            response.text().await.unwrap()
        })
        .await
        .unwrap_or_else(|_| panic!("attempt {attempt}: the audit page stalled"));
        assert!(body.contains("audit-filters"), "attempt {attempt}");
    }
    drop(stop);
    assert!(lister.join().unwrap() > 0);
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_from_every_protected_page() {
    let app = TestApp::spawn().await;
    for page in PAGES {
        let response = app.get(&probe_path(page.path)).await;
        if page.access == Access::Public {
            assert_eq!(response.status(), StatusCode::OK, "{}", page.path);
        } else {
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{}", page.path);
            assert!(
                location(&response).starts_with("/signin?next="),
                "{}",
                page.path
            );
        }
    }
}

#[tokio::test]
async fn each_role_may_call_only_its_server_functions() {
    let app = TestApp::spawn().await;
    for role in Role::ALL {
        app.jar_clear().await;
        app.sign_in_role(role).await;
        for (name, body, allowed, ok) in SERVER_FUNCTIONS {
            let response = app.server_fn_with(name, body).await;
            let expected = match allowed {
                Some(roles) if !roles.contains(&role) => StatusCode::FORBIDDEN,
                _ => *ok,
            };
            let status = response.status();
            let text = response.text().await.unwrap_or_default();
            assert_eq!(status, expected, "{role} calling {name}: {text}");
        }
    }
}

#[tokio::test]
async fn anonymous_callers_get_401_from_protected_server_functions() {
    let app = TestApp::spawn().await;
    for (name, body, allowed, _) in SERVER_FUNCTIONS {
        let response = app.server_fn_with(name, body).await;
        let expected = if allowed.is_some() {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::OK
        };
        assert_eq!(response.status(), expected, "anonymous calling {name}");
    }
}

#[tokio::test]
async fn the_admin_sees_every_user_and_the_counts_by_role() {
    let app = TestApp::spawn().await;
    app.sign_in_role(Role::Admin).await;
    let users: Vec<app::model::UserSummary> = app.server_fn("users").await.json().await.unwrap();
    let mut names: Vec<_> = users.iter().map(|u| u.username.as_str()).collect();
    names.sort();
    assert_eq!(names, ["admin", "auditor", "manager", "manager2", "rep"]);
    let counts: Vec<app::model::RoleCount> =
        app.server_fn("role_counts").await.json().await.unwrap();
    let count = |role| counts.iter().find(|c| c.role == role).unwrap().active_users;
    assert_eq!(count(Role::CreditManager), 2, "{counts:?}");
    assert_eq!(count(Role::SalesRep), 1, "{counts:?}");
    let page = app.get("/admin/users").await.text().await.unwrap();
    assert!(page.contains("Camille Credit"));
    // The versions in force, registered at start-up, are listed on the admin's home page.
    let versions: Vec<app::model::VersionSummary> =
        app.server_fn("engine_versions").await.json().await.unwrap();
    assert_eq!(versions.len(), 2, "{versions:?}");
    assert!(versions.iter().all(|v| v.active));
    let home = app.get("/").await.text().await.unwrap();
    let model = server::engine::model::Model::committed().version();
    assert!(home.contains(model) && home.contains("policy-2026.12-1"));
}

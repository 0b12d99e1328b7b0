//! The workspace's forms over HTTP: a sales rep's application, a credit manager's actions,
//! each refused to the wrong role, and bad input sent back naming the field.

use crate::helpers::{form_problem, location, TestApp};
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

/// An application from the sales rep's page.
async fn apply(app: &TestApp, form: &[(&str, &str)]) -> reqwest::Response {
    app.submit("/applications", "submit_application", form)
        .await
}

#[tokio::test]
async fn a_sales_rep_applies_and_reads_the_decision_and_bad_input_comes_back_named() {
    let app = instant_app().await;
    app.sign_in_role(Role::SalesRep).await;
    let response = apply(
        &app,
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

    // Bad input: back to the form with each problem named; nothing recorded.
    let response = apply(
        &app,
        &[
            ("siren", "100000008"),
            ("amount", "-5"),
            ("product", "bnpl"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    // Back to the page the form was posted from (the browser's Referer, an absolute address).
    let back = location(&response);
    assert!(back.starts_with(&app.url("/applications?")), "{back}");
    let problems = form_problem(&response);
    assert!(
        problems.contains("siren:") && problems.contains("amount:"),
        "{problems}"
    );
    let page = app.get_url(&back).await.text().await.unwrap();
    assert!(
        page.contains("application-error") && page.contains("amount: "),
        "the form shows the problems"
    );
    let store = server::startup::open_store(&app.settings).await.unwrap();
    assert!(server::audit::verify(store.as_ref())
        .await
        .unwrap()
        .intact());
    assert_eq!(
        decision_records(store.as_ref()).await.len(),
        1,
        "one decision; the refused form recorded nothing"
    );

    // Another rep's or a manager's view of the case.
    app.jar_clear().await;
    app.sign_in_role(Role::CreditManager).await;
    let id = to.trim_start_matches("/applications/");
    assert_eq!(
        app.get(&format!("/cases/{id}")).await.status(),
        StatusCode::OK
    );
    let response = apply(
        &app,
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
    let response = apply(
        &app,
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
    // A sales rep cannot act on cases.
    let response = app.act_on_case(&id, &[("action", "claim")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);

    app.jar_clear().await;
    let response = app.act_on_case(&id, &[("action", "claim")]).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(
        location(&response).starts_with("/signin"),
        "anonymous: sign in first"
    );

    app.sign_in_role(Role::CreditManager).await;
    let response = app.act_on_case(&id, &[("action", "claim")]).await;
    assert_eq!(location(&response), format!("/cases/{id}?done=claimed"));
    // An incomplete decision comes back to the case page with the problem named; the address
    // does not carry what was typed.
    let response = app
        .act_on_case(
            &id,
            &[
                ("action", "decide"),
                ("outcome", "approve"),
                ("category", "other"),
                ("justification", "short"),
            ],
        )
        .await;
    let back = location(&response);
    assert!(
        back.starts_with(&app.url(&format!("/cases/{id}?"))),
        "{back}"
    );
    assert!(
        form_problem(&response).starts_with("justification:"),
        "{back}"
    );
    assert!(!back.contains("short"), "{back}");
    let page = app.get_url(&back).await.text().await.unwrap();
    assert!(page.contains("case-error") && page.contains("justification: "));
    let response = app
        .act_on_case(
            &id,
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
        .post(app.url("/api/app/act_on_case"))
        .header("origin", "https://evil.example")
        .form(&[("id", id.as_str()), ("action", "note"), ("text", "x")])
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
    let response = app
        .act_on_case(&id, &[("action", "note"), ("text", "hello")])
        .await;
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
    // Each record comes with its inclusion proof, which holds with the key the dossier names.
    let key = server::audit::PublicKey::parse(&dossier["audit_public_key"].to_string()).unwrap();
    let proofs = dossier["inclusion_proofs"].as_array().unwrap();
    assert_eq!(proofs.len(), 3);
    for (proof, record) in proofs
        .iter()
        .zip(dossier["audit_records"].as_array().unwrap())
    {
        assert_eq!(proof["record"]["id"], record["id"]);
        server::audit::proof::verify_file(&proof.to_string(), &key).unwrap();
    }
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
    assert_eq!(
        decision_records(store.as_ref()).await.len(),
        3,
        "decision, claim, decline"
    );
}

#[tokio::test]
async fn an_admin_creates_a_key_shown_once_and_revokes_it() {
    let app = instant_app().await;
    app.sign_in_role(Role::Admin).await;
    let response = app
        .submit(
            "/admin/keys",
            "create_api_key",
            &[("name", "checkout"), ("mode", "sandbox")],
        )
        .await;
    // Every scope unticked: refused, naming the scopes.
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert!(form_problem(&response).contains("choose at least one scope"));
    let response = app
        .submit(
            "/admin/keys",
            "create_api_key",
            &[
                ("name", "checkout"),
                ("mode", "sandbox"),
                ("scope_decisions_write", "on"),
                ("scope_decisions_read", "on"),
            ],
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
    assert!(again.contains("decisions:write") && again.contains("decisions:read"));
    let listed = server::startup::open_store(&app.settings).await.unwrap();
    let made = listed.list_api_keys().await.unwrap();
    let made = made.iter().find(|k| k.name == "checkout").unwrap();
    assert_eq!(
        made.scopes,
        [
            server::api_keys::ApiScope::DecisionsWrite,
            server::api_keys::ApiScope::DecisionsRead
        ]
    );
    listed.close().await;

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
    let response = app
        .submit("/admin/keys", "revoke_api_key", &[("id", &id)])
        .await;
    assert_eq!(location(&response), format!("/admin/keys?revoked={id}"));
    assert_eq!(ping(key).await, StatusCode::UNAUTHORIZED);

    // Bad input is named; other roles are refused.
    let response = app
        .submit(
            "/admin/keys",
            "create_api_key",
            &[("name", " "), ("mode", "sandbox")],
        )
        .await;
    assert!(form_problem(&response).starts_with("name:"));
    app.jar_clear().await;
    app.sign_in_role(Role::CreditManager).await;
    let response = app
        .submit(
            "/admin/keys",
            "create_api_key",
            &[("name", "x"), ("mode", "live")],
        )
        .await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// An admin's change to the account `id`, from the users page.
async fn change_user(app: &TestApp, id: &str, form: &[(&str, &str)]) -> reqwest::Response {
    let mut fields = vec![("id", id)];
    fields.extend_from_slice(form);
    app.submit("/admin/users", "change_user", &fields).await
}

/// Signs in from a new browser and returns its client, or the redirect it got.
async fn browser_signed_in(app: &TestApp, username: &str, password: &str) -> reqwest::Client {
    let browser = crate::helpers::client(std::sync::Arc::new(reqwest::cookie::Jar::default()));
    let response = browser
        .post(app.url("/signin"))
        .form(&[
            ("username", username),
            ("password", password),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&response), "/", "{username} signs in");
    browser
}

async fn session_of(app: &TestApp, browser: &reqwest::Client) -> Option<String> {
    let user: Option<app::model::SessionUser> = browser
        .post(app.url("/api/app/session"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    user.map(|u| u.username)
}

/// The audit records about decisions (leaving out the accounts' sign-ins and changes).
async fn decision_records(store: &dyn server::store::Store) -> Vec<server::store::AuditRecord> {
    store
        .audit_records(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|r| !r.kind.starts_with("account."))
        .collect()
}

/// A browser's form post to a server function, as from `page`.
async fn browser_submit(
    app: &TestApp,
    browser: &reqwest::Client,
    page: &str,
    function: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    browser
        .post(app.url(&format!("/api/app/{function}")))
        .header("accept", "text/html,application/xhtml+xml")
        .header("referer", app.url(page))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// Changes a generated password: every page leads to the password page until it is done; a
/// weak, mistyped or wrongly confirmed one is refused, each field named.
async fn choose_own_password(
    app: &TestApp,
    browser: &reqwest::Client,
    generated: &str,
    chosen: &str,
) {
    let page = browser.get(app.url("/queue")).send().await.unwrap();
    assert_eq!(location(&page), "/account/password?required=1");
    let form = browser
        .get(app.url("/account/password?required=1"))
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), StatusCode::OK);
    assert!(form
        .text()
        .await
        .unwrap()
        .contains("data-testid=\"password-required\""));
    // Server functions other than the change are refused meanwhile.
    let refused = browser
        .post(app.url("/api/app/users"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_ne!(refused.status(), StatusCode::OK);
    for (form, field) in [
        (["not-the-password", chosen, chosen], "current_password"),
        ([generated, "password1234", "password1234"], "new_password"),
        ([generated, "short", "short"], "new_password"),
        (
            [generated, chosen, "something-else-entirely"],
            "repeat_password",
        ),
    ] {
        let response = browser_submit(
            app,
            browser,
            "/account/password",
            "change_own_password",
            &[
                ("current_password", form[0]),
                ("new_password", form[1]),
                ("repeat_password", form[2]),
            ],
        )
        .await;
        let problem = form_problem(&response);
        assert!(problem.contains(field), "{field}: {problem}");
    }
    let response = browser_submit(
        app,
        browser,
        "/account/password",
        "change_own_password",
        &[
            ("current_password", generated),
            ("new_password", chosen),
            ("repeat_password", chosen),
        ],
    )
    .await;
    assert_eq!(location(&response), "/account/password?changed=1");
    let page = browser.get(app.url("/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK, "free to go on");
}

async fn issued_password(app: &TestApp) -> app::model::IssuedPassword {
    let response = app.server_fn("issued_password").await;
    assert_eq!(response.status(), StatusCode::OK);
    let issued: Option<app::model::IssuedPassword> = response.json().await.unwrap();
    let again: Option<app::model::IssuedPassword> =
        app.server_fn("issued_password").await.json().await.unwrap();
    assert_eq!(again, None, "a one-time password is shown once");
    issued.expect("a password was issued")
}

#[tokio::test]
async fn an_admin_manages_accounts_and_the_changes_reach_open_sessions() {
    let app = instant_app().await;
    app.sign_in_role(Role::Admin).await;

    // Create: the one-time password signs the new account in.
    let response = app
        .submit(
            "/admin/users",
            "create_user",
            &[
                ("username", " Marie.Dupont "),
                ("display_name", "Marie Dupont"),
                ("role", "sales_rep"),
            ],
        )
        .await;
    assert_eq!(location(&response), "/admin/users?created=marie.dupont");
    let issued = issued_password(&app).await;
    assert_eq!(issued.username, "marie.dupont");
    assert!(!location(&response).contains(&issued.password));
    let marie = browser_signed_in(&app, "marie.dupont", &issued.password).await;
    assert_eq!(
        session_of(&app, &marie).await.as_deref(),
        Some("marie.dupont")
    );
    choose_own_password(&app, &marie, &issued.password, "lantern-orchid-quarry-59").await;
    let page = app.get("/admin/users").await.text().await.unwrap();
    assert!(page.contains("Marie Dupont"));
    assert!(
        !page.contains(&issued.password),
        "the page shows it once only"
    );
    let id = {
        let users: Vec<app::model::UserSummary> =
            app.server_fn("users").await.json().await.unwrap();
        users
            .iter()
            .find(|u| u.username == "marie.dupont")
            .unwrap()
            .id
    };
    let account = id.to_string();

    // Role change applies to the open session at its next request.
    let response = change_user(
        &app,
        &account,
        &[("action", "role"), ("role", "credit_manager")],
    )
    .await;
    assert!(location(&response).starts_with("/admin/users?changed=marie.dupont"));
    let queue = marie.get(app.url("/queue")).send().await.unwrap();
    assert_eq!(queue.status(), StatusCode::OK, "now a credit manager");

    // Reset: the old session ends, the old password fails, the new one works.
    let response = change_user(&app, &account, &[("action", "reset_password")]).await;
    assert!(location(&response).contains("changed=marie.dupont"));
    let reset = issued_password(&app).await;
    assert_ne!(reset.password, issued.password);
    assert_eq!(
        session_of(&app, &marie).await,
        None,
        "the reset ends open sessions"
    );
    let refused = crate::helpers::client(std::sync::Arc::new(reqwest::cookie::Jar::default()))
        .post(app.url("/signin"))
        .form(&[
            ("username", "marie.dupont"),
            ("password", issued.password.as_str()),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(location(&refused), "/", "the old password no longer works");
    let marie = browser_signed_in(&app, "marie.dupont", &reset.password).await;
    choose_own_password(&app, &marie, &reset.password, "saddle-comet-walnut-83").await;

    // Deactivate: the session ends at once; reactivate: sign-in works again.
    change_user(&app, &account, &[("action", "deactivate")]).await;
    assert_eq!(session_of(&app, &marie).await, None);
    change_user(&app, &account, &[("action", "activate")]).await;
    browser_signed_in(&app, "marie.dupont", "saddle-comet-walnut-83").await;

    // Every change is an audit record in the chain, with who made it.
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let records = store.decision_records(&format!("user_{id}")).await.unwrap();
    let kinds: Vec<&str> = records.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "account.created",
            "account.signed_in",
            "account.password_changed",
            "account.role_changed",
            "account.password_reset",
            "account.signed_in",
            "account.password_changed",
            "account.deactivated",
            "account.reactivated",
            "account.signed_in",
        ]
    );
    let role_change: serde_json::Value = serde_json::from_str(&records[3].payload).unwrap();
    assert_eq!(role_change["role"], "credit_manager");
    assert_eq!(role_change["previous_role"], "sales_rep");
    assert_eq!(role_change["by"]["role"], "admin");
    let changed: serde_json::Value = serde_json::from_str(&records[2].payload).unwrap();
    assert_eq!(changed["by"]["username"], "marie.dupont");
    assert_eq!(changed["was_generated"], true);
    assert!(
        !records.iter().any(|r| r.payload.contains("lantern-orchid")),
        "no password logged"
    );
    assert!(server::audit::verify(store.as_ref())
        .await
        .unwrap()
        .intact());
    store.close().await;

    // Bad input is named and nothing changes.
    let response = app
        .submit(
            "/admin/users",
            "create_user",
            &[
                ("username", "marie.dupont"),
                ("display_name", "Again"),
                ("role", "auditor"),
            ],
        )
        .await;
    assert!(
        form_problem(&response).starts_with("username:"),
        "{}",
        location(&response)
    );
    let response = app
        .submit(
            "/admin/users",
            "create_user",
            &[
                ("username", "x y"),
                ("display_name", "X"),
                ("role", "admin"),
            ],
        )
        .await;
    assert!(form_problem(&response).starts_with("username:"));
    let response = change_user(&app, &account, &[("action", "role"), ("role", "boss")]).await;
    assert!(form_problem(&response).starts_with("role:"));
    let response = change_user(&app, "999999", &[("action", "activate")]).await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);

    // The last active admin can neither step down nor be deactivated; nobody deactivates
    // themselves.
    let users: Vec<app::model::UserSummary> = app.server_fn("users").await.json().await.unwrap();
    let admin = users.iter().find(|u| u.role == Role::Admin).unwrap();
    let own = admin.id.to_string();
    let response = change_user(&app, &own, &[("action", "role"), ("role", "auditor")]).await;
    let to = form_problem(&response);
    assert!(to.starts_with("action:") && to.contains("last"), "{to}");
    let response = change_user(&app, &own, &[("action", "deactivate")]).await;
    assert!(form_problem(&response).starts_with("action:"));
    assert_eq!(
        app.session_username().await.as_deref(),
        Some(admin.username.as_str())
    );

    // Other roles are refused.
    app.jar_clear().await;
    app.sign_in_role(Role::CreditManager).await;
    let response = change_user(&app, &account, &[("action", "deactivate")]).await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let response = app.server_fn("issued_password").await;
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
}

/// Submits an application as the demo sales rep and returns its decision id.
async fn applied(app: &TestApp, siren: &str) -> String {
    let response = apply(
        app,
        &[("siren", siren), ("amount", "15000"), ("product", "bnpl")],
    )
    .await;
    let to = location(&response);
    assert!(to.starts_with("/applications/"), "{to}");
    to.trim_start_matches("/applications/").to_owned()
}

#[tokio::test]
async fn the_case_page_shows_the_balance_the_ratios_among_the_reference_companies_and_the_legal_events(
) {
    let app = instant_app().await;
    app.sign_in_role(Role::SalesRep).await;
    let strapped = applied(&app, "400000006").await;
    let proceeding = applied(&app, "500000005").await;
    let thin = applied(&app, "999999998").await;
    let rep_view: app::model::CaseDetail = app
        .server_fn_with("get_case", &format!("id={strapped}"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        rep_view.balance.is_none() && rep_view.ratios.is_empty(),
        "not for sales reps"
    );

    app.jar_clear().await;
    app.sign_in_role(Role::Auditor).await;
    let case = |id: String| {
        let app = &app;
        async move {
            let response = app.server_fn_with("get_case", &format!("id={id}")).await;
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<app::model::CaseDetail>().await.unwrap()
        }
    };

    // The balance agrees with the feature the score used.
    let d = case(strapped.clone()).await;
    let balance = d.balance.as_ref().expect("a bank is connected");
    let feature = d
        .lineage
        .iter()
        .find(|l| l.feature == "cf_negative_days_90")
        .and_then(|l| l.value)
        .unwrap();
    assert_eq!(balance.days, 90);
    assert!(balance.negative_days > 0);
    assert_eq!(f64::from(balance.negative_days), feature);
    assert!(balance.lowest_cents < 0 && balance.svg.contains("<svg"));

    // Every ratio of the accounts, each known one with its decile among the reference
    // companies; a ratio whose denominator is zero says so. The ratios' points are the model's
    // contributions: with the rest of the terms they add up to the score.
    let known: Vec<_> = d.ratios.iter().filter(|r| r.value.is_some()).collect();
    assert!(
        known.len() >= 50,
        "the accounts give ratios: {}",
        known.len()
    );
    for r in &known {
        assert!(r.decile.is_some_and(|k| (1..=10).contains(&k)), "{r:?}");
        assert!(
            r.median.is_some() && r.label.is_some() && r.group.is_some(),
            "{r:?}"
        );
    }
    for r in d.ratios.iter().filter(|r| r.value.is_none()) {
        assert!(r.missing.is_some(), "{r:?}");
    }

    // The opened proceeding is on the timeline, critical, newest first.
    let d = case(proceeding).await;
    assert!(!d.legal_unavailable);
    let critical: Vec<_> = d
        .legal_events
        .iter()
        .filter(|e| e.severity == "critical")
        .collect();
    assert!(
        critical.iter().any(|e| e.text.contains("receivership")),
        "{:?}",
        d.legal_events
    );
    assert!(d.legal_events.windows(2).all(|w| w[0].date >= w[1].date));

    // Without a bank or accounts, the page says so instead of drawing nothing.
    let d = case(thin.clone()).await;
    assert!(d.balance.is_none());
    assert!(d.ratios.iter().all(|r| r.value.is_none()));
    let page = app
        .get(&format!("/cases/{thin}"))
        .await
        .text()
        .await
        .unwrap();
    for part in [
        "data-testid=\"balance\"",
        "data-testid=\"ratios\"",
        "data-testid=\"legal-events\"",
        "No bank account was connected",
    ] {
        assert!(page.contains(part), "{part} missing");
    }
    let page = app
        .get(&format!("/cases/{strapped}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("End-of-day balance, last 90 days"));
    // The ratios with their exact contributions and their place among the reference companies,
    // and the reasons and the waterfall by group of ratios.
    assert!(
        page.contains("exact contribution to the score (TreeSHAP)"),
        "ratios explained"
    );
    assert!(page.contains("data-feature=\"x27_operating_profit_to_financial_expenses\""));
    assert!(page.contains("decile "), "deciles shown");
    assert!(
        page.contains("Liquidity raises the risk"),
        "a grouped reason"
    );
    assert!(
        page.contains("Liquidity ("),
        "the waterfall groups the ratios"
    );
    // The same page in French.
    app.jar
        .add_cookie_str("lang=fr; Path=/", &app.address.parse().unwrap());
    let french = app
        .get(&format!("/cases/{strapped}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        french.contains("La liquidité accroît le risque"),
        "reasons in French"
    );
    assert!(french.contains("Liquidité ("), "the waterfall in French");
    assert!(french.contains("décile "), "deciles in French");
}

#[tokio::test]
async fn the_dashboard_counts_the_decisions_made_and_refuses_a_window_it_does_not_offer() {
    let app = instant_app().await;
    app.sign_in_role(Role::SalesRep).await;
    for siren in ["100000009", "400000006", "999999998", "100000009"] {
        applied(&app, siren).await;
    }
    app.jar_clear().await;
    app.sign_in_role(Role::CreditManager).await;
    let response = app.server_fn_with("dashboard", "days=7").await;
    assert_eq!(response.status(), StatusCode::OK);
    let d: app::model::DashboardView = response.json().await.unwrap();
    assert_eq!(d.decisions, 4);
    assert_eq!(d.queue_size, 1, "the thin file waits in the queue");
    assert_eq!(d.automatic_decisions, 3);
    assert_eq!(d.approval_rate, Some(2.0 / 3.0));
    assert!(d.latency_p50_ms.is_some() && d.latency_p99_ms >= d.latency_p50_ms);
    assert_eq!(d.charts.len(), 5);
    // The model's drift: its score and every input, each decision counted once per position.
    let drift = d.drift.expect("decisions of the model in force");
    let model = server::engine::model::Model::committed();
    assert_eq!(drift.model_version, model.version());
    assert_eq!(drift.decisions, 4);
    assert_eq!(drift.rows.len(), model.input_keys().count() + 1);
    assert_eq!(drift.rows[0].key, "score");
    assert!(drift
        .rows
        .iter()
        .all(|r| r.by_month.len() == drift.months.len()));
    assert!(drift
        .rows
        .windows(2)
        .skip(1)
        .all(|w| w[0].psi.unwrap_or(-1.0) >= w[1].psi.unwrap_or(-1.0)));
    // The thin file has no accounts: every ratio of its decision is unknown.
    assert!(drift
        .missing
        .iter()
        .all(|m| (m.unknown_share - 0.25).abs() < 1e-9 || m.undefined_share > 0.0));
    let response = app.server_fn_with("dashboard", "days=365").await;
    assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = app.get("/dashboard?days=7").await.text().await.unwrap();
    for part in [
        "data-testid=\"chart-outcomes_per_day\"",
        "data-testid=\"chart-scores\"",
        "Decisions per day by automated outcome",
        "<svg",
        "data-testid=\"drift-table\"",
        "Population stability (PSI)",
        "data-input=\"score\"",
    ] {
        assert!(page.contains(part), "{part} missing");
    }
}

#[tokio::test]
async fn an_admin_who_resets_their_own_password_stays_signed_in_to_read_it() {
    let app = instant_app().await;
    app.sign_in_role(Role::Admin).await;
    let other_browser =
        browser_signed_in(&app, "admin", crate::helpers::demo_password("admin")).await;
    let users: Vec<app::model::UserSummary> = app.server_fn("users").await.json().await.unwrap();
    let me = users.iter().find(|u| u.username == "admin").unwrap().id;
    let response = change_user(&app, &me.to_string(), &[("action", "reset_password")]).await;
    assert!(location(&response).contains("changed=admin"));
    let issued = issued_password(&app).await;
    assert_eq!(app.session_username().await.as_deref(), Some("admin"));
    assert_eq!(
        session_of(&app, &other_browser).await,
        None,
        "other sessions end"
    );
    browser_signed_in(&app, "admin", &issued.password).await;
}

#[tokio::test]
async fn a_form_the_server_cannot_read_is_refused_naming_the_problem() {
    let app = instant_app().await;
    app.sign_in_role(Role::Admin).await;
    for (function, body, field) in [
        ("change_user", "id=abc&action=role&role=auditor", "id"),
        ("change_user", "id=1&id=2&action=role", "form"),
        ("redeliver_webhook", "seq=first", "seq"),
        (
            "create_webhook_endpoint",
            "url=https://lender.example/hooks&event_types=decision.created",
            "form",
        ),
    ] {
        let response = app.server_fn_with(function, body).await;
        assert_eq!(
            response.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{function} {body}"
        );
        let error: app::error::AppError = response.json().await.unwrap();
        assert!(
            matches!(&error, app::error::AppError::Validation { field: f, .. } if f == field),
            "{function} {body}: {error:?}"
        );
    }
    let users: Vec<app::model::UserSummary> = app.server_fn("users").await.json().await.unwrap();
    assert!(users
        .iter()
        .all(|u| u.role != Role::Auditor || u.username == "auditor"));
    let endpoints: Vec<app::model::WebhookSummary> = app
        .server_fn("webhook_endpoints")
        .await
        .json()
        .await
        .unwrap();
    assert!(endpoints.is_empty(), "nothing registered");
}

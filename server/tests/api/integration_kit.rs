//! The integration kit a lender's engineers use: the developer portal and its examples, the
//! reason-code catalogue, the signature snippets run against a real delivery, the test event,
//! `server loadtest` and the go-live checklist it feeds.

use crate::helpers::{
    api, fresh_postgres_url, new_key, until_some, workspace_root, Receiver, TestApp,
};
use async_trait::async_trait;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use server::config::SourcesSettings;
use server::sources::World;
use server::web::api::examples::{self, Answer, Call, Transport};
use std::collections::BTreeSet;

/// The script sent over HTTP to a running server.
struct Http {
    base: String,
    client: reqwest::Client,
}

#[async_trait]
impl Transport for Http {
    async fn send(&self, call: &Call, key: &str) -> anyhow::Result<Answer> {
        let method = Method::from_bytes(call.method.as_bytes())?;
        let mut request = self
            .client
            .request(method, format!("{}{}", self.base, call.path));
        if call.key {
            request = request.bearer_auth(key);
        }
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        if let Some(body) = &call.body {
            request = request.body(body.clone());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = examples::shown_headers(response.headers());
        let bytes = response.bytes().await?;
        Ok(Answer {
            status,
            headers,
            body: serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        })
    }
}

/// The example's credit manager, signed in to the workspace of the test's server.
struct Manager<'a>(&'a TestApp);

#[async_trait]
impl examples::Reviewer for Manager<'_> {
    async fn decline(&self, decision_id: &str) -> anyhow::Result<()> {
        for form in [
            vec![("action", "claim")],
            vec![
                ("action", "decide"),
                ("outcome", "decline"),
                ("category", "risk_appetite"),
                ("justification", examples::JUSTIFICATION),
            ],
        ] {
            let response = self.0.act_on_case(decision_id, &form).await;
            let refused = crate::helpers::form_problem(&response);
            anyhow::ensure!(
                response.status() == StatusCode::SEE_OTHER && refused.is_empty(),
                "{form:?}: {} {refused}",
                response.status()
            );
        }
        Ok(())
    }
}

async fn fast_app(database_url: Option<String>) -> TestApp {
    TestApp::spawn_with(|s| {
        s.sources = SourcesSettings::instant_sandbox();
        s.database_url = database_url.map(Into::into);
        s.integration.expected_rate_per_second = 10;
        s.integration.load_test_min_seconds = 2;
    })
    .await
}

#[tokio::test]
async fn every_example_has_the_status_and_the_shape_of_the_live_server_s_answer() {
    let recorded = server::startup::record_examples()
        .await
        .expect("the examples are produced");
    assert!(recorded.examples.len() >= 25, "the script covers the API");
    for event in [
        "decision.created",
        "credit_limit.changed",
        "company.risk_changed",
        "decision.updated",
        "endpoint.test",
    ] {
        assert!(
            recorded.events.iter().any(|(t, _)| t == event),
            "the example run queues {event}: {:?}",
            recorded.events.iter().map(|(t, _)| t).collect::<Vec<_>>()
        );
    }
    let app = fast_app(None).await;
    let key = new_key(&app, World::Sandbox).await;
    // A receiver that is down: the test delivery stays pending, as in the recorded run.
    let receiver = Receiver::start(503).await;
    let http = Http {
        base: app.url(""),
        client: reqwest::Client::new(),
    };
    app.sign_in_role(app::model::Role::CreditManager).await;
    let live = examples::run_script(&http, &Manager(&app), &key, &receiver.url)
        .await
        .expect("the script runs against the live server");
    assert_eq!(
        live.iter().map(|e| e.id).collect::<Vec<_>>(),
        recorded.examples.iter().map(|e| e.id).collect::<Vec<_>>()
    );
    for (r, l) in recorded.examples.iter().zip(&live) {
        assert_eq!(r.answer.status, l.answer.status, "{}: status", r.id);
        let names = |a: &Answer| a.headers.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
        assert_eq!(names(&r.answer), names(&l.answer), "{}: headers", r.id);
        let differences = examples::shape_differences(&r.answer.body, &l.answer.body);
        assert!(differences.is_empty(), "{}: {differences:?}", r.id);
    }
    // The served contract carries the same examples.
    let document: Value = reqwest::get(app.url("/api/v1/openapi.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let create = &document["paths"]["/decisions"]["post"];
    let answered = &create["responses"]["201"]["content"]["application/json"]["examples"]
        ["decision_bnpl"]["value"];
    assert!(examples::shape_differences(
        &recorded.get("decision_bnpl").unwrap().answer.body,
        answered
    )
    .is_empty());
    assert_eq!(answered["outcome"], "approve");
    assert_eq!(
        create["requestBody"]["content"]["application/json"]["examples"]["decision_bnpl"]["value"]
            ["siren"],
        "100000009"
    );
    assert!(
        create["responses"]["422"]["content"]["application/problem+json"]["examples"]
            ["validation_error"]
            .is_object()
    );
    // The comparison can fail: a changed field is seen.
    let mut changed = recorded.examples[2].answer.body.clone();
    changed["score"] = json!("815");
    assert!(!examples::shape_differences(&recorded.examples[2].answer.body, &changed).is_empty());
}

/// Fetches a page and the portal's own links in it, recursively.
async fn crawl(app: &TestApp, start: &str) -> Vec<(String, String)> {
    let client = reqwest::Client::new();
    let mut todo = vec![start.to_owned()];
    let mut seen = BTreeSet::new();
    let mut pages = Vec::new();
    while let Some(path) = todo.pop() {
        if !seen.insert(path.clone()) {
            continue;
        }
        let response = client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        if !path.starts_with("/developers") {
            continue;
        }
        let html = response.text().await.unwrap();
        for link in html.split("href=\"").skip(1) {
            let target = link.split(['"', '#']).next().unwrap_or("");
            // Assets are built by the browser build (the browser tests fetch them).
            let asset = target.starts_with("/pkg/") || target == "/favicon.svg";
            if target.starts_with('/') && !target.starts_with("//") && !asset {
                todo.push(target.to_owned());
            }
        }
        pages.push((path, html));
    }
    pages
}

#[tokio::test]
async fn the_portal_answers_every_page_in_both_languages_complete_and_every_link_works() {
    let app = TestApp::spawn_with(|s| s.sources = SourcesSettings::instant_sandbox()).await;
    for (lang, title) in [
        ("en", "First decision in 10 minutes"),
        ("fr", "Première décision en 10 minutes"),
    ] {
        let pages = crawl(&app, &format!("/developers?lang={lang}")).await;
        let guide: Vec<_> = pages
            .iter()
            .filter(|(p, _)| p.starts_with("/developers"))
            .collect();
        assert_eq!(
            guide.len(),
            server::web::portal::PAGES.len(),
            "{lang}: every page is reached"
        );
        for (path, html) in guide {
            assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{path}");
            assert!(
                !html.contains("portal-missing"),
                "{path}: a placeholder is not filled"
            );
            assert!(
                !html.contains("alert-warning"),
                "{path}: the examples are missing"
            );
            assert!(!html.contains("{{"), "{path}: a placeholder is left");
        }
        let first = &pages
            .iter()
            .find(|(p, _)| p.starts_with("/developers?"))
            .unwrap()
            .1;
        assert!(first.contains(title));
        assert!(first.contains("data-example=\"decision_bnpl\""));
    }
    let reasons = app
        .get("/developers/reason-codes")
        .await
        .text()
        .await
        .unwrap();
    for (code, ..) in aval_core::engine::reasons::CATALOGUE {
        assert!(
            reasons.contains(&format!("id=\"code-{code}\"")),
            "{code} is listed"
        );
    }
    // The test companies' outcomes are read from the engine's snapshot.
    let companies = app
        .get("/developers/test-companies")
        .await
        .text()
        .await
        .unwrap();
    for expected in [
        "badge-approve",
        "badge-refer",
        "badge-decline",
        "code-LG10",
        "code-LG04",
    ] {
        assert!(
            companies.contains(expected),
            "{expected} on the test companies' page"
        );
    }
    assert!(
        !companies.contains("badge-?"),
        "every test company has its decision"
    );
    assert_eq!(
        app.get("/developers/nothing").await.status(),
        StatusCode::NOT_FOUND
    );
}

/// Undoes the portal's HTML escaping.
fn unescape(html: &str) -> String {
    html.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn the_portal_s_generated_code_in_each_language_gets_a_decision() {
    let app = fast_app(None).await;
    let key = new_key(&app, World::Sandbox).await;
    let page = app.get("/developers").await.text().await.unwrap();
    let example = &page[page.find("data-example=\"decision_bnpl\"").unwrap()..];
    let codes: Vec<String> = example
        .split("<pre><code>")
        .skip(1)
        .take(3)
        .map(|c| unescape(c.split("</code></pre>").next().unwrap()))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    for ((program, file), code) in [
        ("bash", "call.sh"),
        ("python3", "call.py"),
        ("node", "call.mjs"),
    ]
    .into_iter()
    .zip(&codes)
    {
        assert!(code.contains(&app.url("/api/v1/decisions")), "{code}");
        let path = dir.path().join(file);
        std::fs::write(&path, code).unwrap();
        // Run beside the server (a blocking wait would stop this test's runtime, which serves
        // the request), and never longer than the test allows.
        let output = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            tokio::process::Command::new(program)
                .arg(&path)
                .env("AVAL_KEY", &key)
                .kill_on_drop(true)
                .output(),
        )
        .await
        .unwrap_or_else(|_| panic!("{program} answered within 30 s"))
        .unwrap();
        let out = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{program}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            out.contains("order-10042") && out.contains("dec_"),
            "{program}: {out}"
        );
        if program != "bash" {
            assert!(out.starts_with("201"), "{program}: {out}");
        }
    }
}

#[tokio::test]
async fn the_reason_code_catalogue_is_public_and_is_the_engine_s() {
    let app = TestApp::spawn().await;
    let response = reqwest::get(app.url("/api/v1/reason-codes")).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let codes: Vec<Value> = response.json().await.unwrap();
    assert_eq!(codes.len(), aval_core::engine::reasons::CATALOGUE.len());
    let knock_out = codes.iter().find(|c| c["code"] == "LG02").unwrap();
    assert_eq!(knock_out["role"], "knock_out");
    assert!(knock_out["trigger_fr"].as_str().unwrap().len() > 20);
    assert!(codes
        .iter()
        .all(|c| c["remedy_en"].as_str().is_some_and(|r| !r.is_empty())));
    // Only the catalogue's own path is public.
    for path in [
        "/api/v1/companies/reason-codes",
        "/api/v1/webhook-endpoints/docs",
    ] {
        let response = reqwest::get(app.url(path)).await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
}

/// Runs a snippet with a delivery's headers; its exit status and output.
fn run_snippet(
    program: &str,
    args: &[&str],
    secret: &str,
    headers: &[(&str, String)],
) -> (bool, String) {
    let mut command = std::process::Command::new(program);
    command.args(args).env("AVAL_WEBHOOK_SECRET", secret);
    for (name, value) in headers {
        command.env(name, value);
    }
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
            + &String::from_utf8_lossy(&output.stderr),
    )
}

#[tokio::test]
async fn the_portal_s_signature_snippets_verify_a_real_delivery_and_refuse_a_tampered_one() {
    let app = fast_app(None).await;
    let key = new_key(&app, World::Sandbox).await;
    let receiver = Receiver::start(204).await;
    let (status, endpoint) = api(
        &app,
        Method::POST,
        "/api/v1/webhook-endpoints",
        &key,
        Some(json!({"url": receiver.url, "event_types": ["decision.created"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let secret = endpoint["secret"].as_str().unwrap().to_owned();
    let id = endpoint["id"].as_str().unwrap();
    let (status, queued) = api(
        &app,
        Method::POST,
        &format!("/api/v1/webhook-endpoints/{id}/test"),
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::ACCEPTED, "{queued}");
    let (headers, body) = until_some(20, "the test event is delivered", || async {
        receiver
            .received
            .lock()
            .unwrap()
            .first()
            .map(|(h, b, _)| (h.clone(), b.clone()))
    })
    .await;
    let event: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(event["type"], "endpoint.test");
    assert_eq!(event["data"]["endpoint_id"], id);
    assert_eq!(headers["webhook-id"].to_str().unwrap(), queued["event_id"]);
    let env: Vec<(&str, String)> = [
        ("WEBHOOK_ID", "webhook-id"),
        ("WEBHOOK_TIMESTAMP", "webhook-timestamp"),
        ("WEBHOOK_SIGNATURE", "webhook-signature"),
    ]
    .iter()
    .map(|(var, header)| (*var, headers[*header].to_str().unwrap().to_owned()))
    .collect();
    let dir = tempfile::tempdir().unwrap();
    let genuine = dir.path().join("body.json");
    std::fs::write(&genuine, &body).unwrap();
    let tampered = dir.path().join("tampered.json");
    let mut changed = body.to_vec();
    changed.extend_from_slice(b" ");
    std::fs::write(&tampered, &changed).unwrap();
    let snippets = workspace_root().join("server/src/web/portal/snippets");
    let snippet = |name: &str| snippets.join(name).to_string_lossy().into_owned();
    let mut programs: Vec<(&str, Vec<String>)> = vec![
        ("python3", vec![snippet("verify.py")]),
        ("node", vec![snippet("verify.js")]),
        ("bash", vec![snippet("verify.sh")]),
    ];
    let java = std::process::Command::new("javac")
        .arg("-version")
        .output()
        .is_ok();
    if java {
        let classes = dir.path().join("classes");
        let compiled = std::process::Command::new("javac")
            .args(["-d", &classes.to_string_lossy(), &snippet("Verify.java")])
            .status()
            .unwrap();
        assert!(compiled.success(), "Verify.java compiles");
        programs.push((
            "java",
            vec![
                "-cp".into(),
                classes.to_string_lossy().into_owned(),
                "Verify".into(),
            ],
        ));
    } else {
        eprintln!("no JDK on this machine (javac not found): the Java snippet is not compiled");
    }
    for (program, args) in &programs {
        let with = |file: &std::path::Path, secret: &str| {
            let file = file.to_string_lossy();
            let all: Vec<&str> = args
                .iter()
                .map(String::as_str)
                .chain([file.as_ref()])
                .collect();
            run_snippet(program, &all, secret, &env)
        };
        let (ok, out) = with(&genuine, &secret);
        assert!(
            ok && out.starts_with("valid"),
            "{program} verifies the delivery: {out}"
        );
        let (ok, out) = with(&tampered, &secret);
        assert!(
            !ok && out.contains("invalid"),
            "{program} refuses a changed body: {out}"
        );
        let other = "whsec_QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo0NTY3ODkwMTI=";
        let (ok, out) = with(&genuine, other);
        assert!(
            !ok && out.contains("invalid"),
            "{program} refuses another secret: {out}"
        );
    }
    // The delivered test event verifies the endpoint for going live.
    let (_, readiness) = api(&app, Method::GET, "/api/v1/readiness", &key, None).await;
    let sandbox = &readiness["worlds"][0];
    let step = sandbox["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["step"] == "webhook_verified")
        .unwrap();
    assert_eq!(step["done"], true, "{readiness}");
}

fn step<'a>(readiness: &'a Value, world: &str, name: &str) -> &'a Value {
    readiness["worlds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["world"] == world)
        .and_then(|w| {
            w["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["step"] == name)
        })
        .unwrap_or_else(|| panic!("{world} has {name}: {readiness}"))
}

#[tokio::test]
async fn the_checklist_follows_a_lender_s_integration_to_go_live() {
    checklist_on(None).await;
}

#[tokio::test]
async fn the_checklist_follows_a_lender_s_integration_to_go_live_on_postgres() {
    checklist_on(Some(fresh_postgres_url().await)).await;
}

async fn checklist_on(database_url: Option<String>) {
    let app = fast_app(database_url).await;
    let key = new_key(&app, World::Sandbox).await;
    let readiness = || async {
        let (status, r) = api(&app, Method::GET, "/api/v1/readiness", &key, None).await;
        assert_eq!(status, StatusCode::OK, "{r}");
        r
    };
    let r = readiness().await;
    assert_eq!(r["ready"], false);
    assert_eq!(step(&r, "sandbox", "ping")["done"], false);
    assert_eq!(step(&r, "live", "live_key")["done"], false);

    api(&app, Method::GET, "/api/v1/ping", &key, None).await;
    for body in [
        json!({"siren": "100000009", "amount": "1500.00", "product": "bnpl"}),
        json!({"siren": "200000008", "amount": "800.00", "product": "factoring",
               "invoice_amount": "1000.00", "debtor_siren": "100000009"}),
    ] {
        let (status, answer) = api(&app, Method::POST, "/api/v1/decisions", &key, Some(body)).await;
        assert_eq!(status, StatusCode::CREATED, "{answer}");
    }
    let r = readiness().await;
    assert_eq!(step(&r, "sandbox", "ping")["done"], true);
    let products = step(&r, "sandbox", "decisions_every_product");
    assert_eq!(products["done"], false);
    assert!(
        products["missing"]
            .as_str()
            .unwrap()
            .contains("credit_line_increase"),
        "{r}"
    );
    let (status, _) = api(
        &app,
        Method::POST,
        "/api/v1/decisions",
        &key,
        Some(
            json!({"siren": "200000008", "amount": "500.00", "product": "credit_line_increase",
                    "current_limit": "2000.00"}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(
        step(&readiness().await, "sandbox", "decisions_every_product")["done"],
        true
    );

    // A run too short for the checklist is recorded with what it lacks; the next one passes.
    let plan = |seconds| server::loadtest::Plan {
        url: app.url(""),
        key: key.clone(),
        rate: 10,
        duration: std::time::Duration::from_secs(seconds),
        connections: 8,
        timeout: std::time::Duration::from_secs(10),
    };
    let short = server::loadtest::run(plan(1)).await.unwrap();
    assert_eq!(short.scheduled, 10);
    assert_eq!(short.completed, 10);
    let lacking = until_some(10, "the short run is recorded", || async {
        let r = readiness().await;
        let s = step(&r, "sandbox", "load_test").clone();
        s["evidence"]
            .as_str()
            .is_some_and(|e| e.contains(&short.run_id))
            .then_some(s)
    })
    .await;
    assert_eq!(lacking["done"], false);
    assert!(
        lacking["missing"].as_str().unwrap().contains("shorter"),
        "{lacking}"
    );
    let long = server::loadtest::run(plan(3)).await.unwrap();
    assert!(long.verdict.pass, "{long:?}");
    assert_eq!(long.completed, 30);
    assert!(long.errors.is_empty(), "{long:?}");
    assert!(
        long.latency_ms.p50 <= long.latency_ms.p99 && long.latency_ms.p99 <= long.latency_ms.max
    );
    let passed = until_some(10, "the passing run is recorded", || async {
        let r = readiness().await;
        let s = step(&r, "sandbox", "load_test").clone();
        let recorded = r["load_tests"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["run_id"] == long.run_id.as_str() && x["requests"] == 30);
        (s["done"] == true && recorded).then_some(r)
    })
    .await;
    let run = passed["load_tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["run_id"] == long.run_id.as_str())
        .unwrap();
    assert_eq!(run["requests"], 30);
    assert!(run["rate_per_second"].as_f64().unwrap() > 9.5, "{run}");

    // The live world: a key, then its ping.
    let live = new_key(&app, World::Live).await;
    let r = readiness().await;
    assert_eq!(step(&r, "live", "live_key")["done"], true);
    assert_eq!(step(&r, "live", "ping")["done"], false);
    api(&app, Method::GET, "/api/v1/ping", &live, None).await;
    assert_eq!(step(&readiness().await, "live", "ping")["done"], true);

    // A load test refuses a live key before sending anything, and names a wrong address.
    let refused = server::loadtest::run(server::loadtest::Plan {
        key: live.clone(),
        ..plan(1)
    })
    .await
    .unwrap_err();
    assert!(refused.to_string().contains("--key"), "{refused}");
    let nowhere = server::loadtest::run(server::loadtest::Plan {
        url: "http://127.0.0.1:9".into(),
        ..plan(1)
    })
    .await
    .unwrap_err();
    assert!(nowhere.to_string().contains("--url"), "{nowhere}");
    // A malformed run id is refused, naming the header; nothing is decided.
    let response = reqwest::Client::new()
        .post(app.url("/api/v1/decisions"))
        .bearer_auth(&key)
        .header("Aval-Load-Test-Run", "run #1")
        .json(&json!({"siren": "100000009", "amount": "1500.00", "product": "bnpl"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let problem: Value = response.json().await.unwrap();
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("Aval-Load-Test-Run"));
}

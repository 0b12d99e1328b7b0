//! The server binary itself: production start-up, the first admin, bad settings, SIGTERM.

use crate::helpers::workspace_root;
use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn server(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_server"));
    cmd.current_dir(workspace_root())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AVAL_DATA_DIR", data_dir)
        .env("AVAL_LOG__LEVEL", "warn")
        // The tests' webhook receivers run on this machine.
        .env("AVAL_WEBHOOKS__ALLOWED_NETWORKS", "[\"127.0.0.0/8\"]");
    cmd
}

/// Runs `server users create` with (username, name, role), typing `password` on stdin.
fn create_user(cmd: &mut Command, [username, name, role]: [&str; 3], password: &str) -> Output {
    let mut child = cmd
        .args([
            "users",
            "create",
            "--username",
            username,
            "--name",
            name,
            "--role",
            role,
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    // The process may exit before reading (a bad argument): a broken pipe is fine then.
    let _ = stdin.write_all(format!("{password}\n").as_bytes());
    drop(stdin);
    child.wait_with_output().unwrap()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn in_production_no_demo_user_exists_and_the_first_admin_is_made_by_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = create_user(
        server(dir.path()).env("AVAL_MODE", "production"),
        ["Chief", "Chief Admin", "admin"],
        "a-long-enough-password",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("created user `chief` (admin)"), "{stdout}");

    let mut settings = crate::helpers::test_settings(&dir);
    settings.mode = server::config::Mode::Production;
    let store = server::startup::open_store(&settings).await.unwrap();
    let users = store.list_users().await.unwrap();
    assert_eq!(users.len(), 1, "no demo user in production");
    assert_eq!(users[0].role, app::model::Role::Admin);
    assert!(!users[0].is_demo);
    // The creation is in the audit chain, made by no signed-in user.
    let records = store.audit_records(0, 10).await.unwrap();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].kind, "account.created");
    let payload: serde_json::Value = serde_json::from_str(&records[0].payload).unwrap();
    assert_eq!(payload["username"], "chief");
    assert_eq!(payload["by"], serde_json::Value::Null);
    assert_eq!(payload["via"], "command line");
}

#[test]
fn a_short_password_or_a_bad_role_is_refused_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = create_user(&mut server(dir.path()), ["x1", "X", "admin"], "short");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 12 characters"));

    let out = create_user(
        &mut server(dir.path()),
        ["x1", "X", "boss"],
        "a-long-enough-password",
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown role `boss`"));
}

#[test]
fn a_bad_setting_stops_start_up_with_a_message_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = server(dir.path())
        .env("AVAL_SESSION__IDLE_TIMEOUT_MINUTES", "0")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("`session.idle_timeout_minutes`"),
        "{stderr}"
    );

    let out = server(dir.path())
        .env("AVAL_MODE", "staging")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("mode"), "{stderr}");
}

#[test]
fn the_server_prints_demo_sign_in_help_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = server(dir.path())
        .env("AVAL_MODE", "demo")
        .env("AVAL_LISTEN", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    // Ready means answering HTTP (serving, its SIGTERM handler in place), not only bound.
    loop {
        use std::io::{Read, Write};
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.write_all(b"GET /healthz HTTP/1.0\r\n\r\n");
            let mut answer = String::new();
            let _ = stream.read_to_string(&mut answer);
            if answer.starts_with("HTTP/1.0 200") || answer.starts_with("HTTP/1.1 200") {
                break;
            }
        }
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(20);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    let mut stdout = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut stdout).unwrap();
    assert!(stdout.contains("DEMO mode"), "{stdout}");
    assert!(stdout.contains("username: manager"), "{stdout}");
    // The first start creates a sandbox API key and shows it once.
    assert!(stdout.contains("sandbox API key"), "{stdout}");
    assert!(stdout.contains("aval_test_"), "{stdout}");
}

fn inspect(args: &[&str]) -> (Output, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let out = server(dir.path())
        .arg("inspect")
        .args(args)
        .output()
        .unwrap();
    let value = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
    (out, value)
}

#[test]
fn inspect_fec_prints_the_counts_and_totals_of_a_real_file() {
    let file = workspace_root().join("testdata/fec/neolegal_fec_reader/123456789FEC20500930.txt");
    let (out, report) = inspect(&["fec", file.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for key in ["lines", "entries", "journals"] {
        assert!(report[key].as_u64().unwrap() > 0, "{key}: {report}");
    }
    assert_eq!(report["balanced"], true);
    assert_eq!(report["total_debit"], report["total_credit"]);
    let total = report["total_debit"].as_str().unwrap();
    assert!(
        total
            .split_once('.')
            .is_some_and(|(_, cents)| cents.len() == 2),
        "{total}"
    );
}

#[test]
fn inspect_fec_refuses_a_bad_file_with_one_line_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.txt");
    std::fs::write(
        &path,
        "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise\n\
         VE\tVentes\t1\t20240131\t411000\tClients\t\t\t1\t20240131\tFacture\t12,3x\t0,00\t\t\t20240131\t\t\n",
    )
    .unwrap();
    let (out, _) = inspect(&["fec", path.to_str().unwrap()]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("line 2") && stderr.contains("Debit"),
        "{stderr}"
    );
    let (out, _) = inspect(&["fec", "/no/such/file.txt"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read"));
}

#[test]
fn inspect_id_guesses_the_kind_and_says_why_a_value_is_invalid() {
    let (out, v) = inspect(&["id", "FR7630006000011234567890189"]);
    assert!(out.status.success());
    assert_eq!(v["kind"], "iban");
    assert_eq!(v["valid"], true);
    let (_, v) = inspect(&["id", "356000000"]);
    assert_eq!(v["kind"], "siren");
    let (_, v) = inspect(&["id", "35600000000376"]);
    assert_eq!(
        (v["kind"].as_str(), v["valid"].as_bool()),
        (Some("siret"), Some(true)),
        "La Poste rule"
    );
    let (out, v) = inspect(&["id", "732829321"]);
    assert!(out.status.success());
    assert_eq!(v["valid"], false);
    assert!(v["reason"].as_str().unwrap().contains("check digits"));
    let (out, _) = inspect(&["id", ""]);
    assert!(!out.status.success());
}

#[test]
fn model_evaluate_prints_the_committed_model_and_baseline_metrics_for_a_labelled_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = workspace_root().join("testdata/polish/5year-train.arff");
    let out = server(dir.path())
        .args(["model", "evaluate", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["rows"], 4089);
    for who in ["model", "baseline"] {
        for metric in ["auc", "ks", "brier"] {
            let m = v[who][metric]
                .as_f64()
                .unwrap_or_else(|| panic!("{who}.{metric}: {v}"));
            assert!((0.0..=1.0).contains(&m), "{who}.{metric} = {m}");
        }
    }
    assert!(v["model"]["auc"].as_f64() > v["baseline"]["auc"].as_f64());
    let bad = dir.path().join("bad.arff");
    std::fs::write(
        &bad,
        "@relation x\n@attribute Attr1 numeric\n@data\nnot,a,row\n",
    )
    .unwrap();
    let out = server(dir.path())
        .args(["model", "evaluate", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim().lines().count(),
        1
    );
}

/// `server audit verify` on the database in `data_dir`: its report.
fn audit_verify(data_dir: &std::path::Path) -> serde_json::Value {
    audit_verify_with(data_dir, &[])
}

/// `server audit verify` with more arguments: its report, once it exited 0.
fn audit_verify_with(data_dir: &std::path::Path, args: &[&std::ffi::OsStr]) -> serde_json::Value {
    let out = server(data_dir)
        .args(["audit", "verify"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn audit_verify_reports_an_intact_empty_chain() {
    let dir = tempfile::tempdir().unwrap();
    let v = audit_verify(dir.path());
    assert_eq!(v["records"], 0);
    assert_eq!(v["verdict"], "intact");
}

#[test]
fn audit_replay_of_an_unknown_decision_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = server(dir.path())
        .args(["audit", "replay", "dec_unknown"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("decision dec_unknown not found"));
}

#[tokio::test]
async fn keys_are_created_with_the_scopes_asked_and_all_of_them_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let out = server(dir.path())
        .args(["keys", "create", "--mode", "sandbox", "--name", "auditor"])
        .args(["--scope", "audit:read", "--scope", "decisions:read"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = server(dir.path())
        .args(["keys", "create", "--mode", "live", "--name", "everything"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = server(dir.path())
        .args([
            "keys",
            "create",
            "--mode",
            "live",
            "--name",
            "x",
            "--scope",
            "decisions:delete",
        ])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("decisions:delete") && said.contains("audit:read"),
        "{said}"
    );
    let settings = server::config::Settings {
        data_dir: dir.path().to_path_buf(),
        ..Default::default()
    };
    let store = server::startup::open_store(&settings).await.unwrap();
    let keys = store.list_api_keys().await.unwrap();
    let scopes = |name: &str| {
        keys.iter()
            .find(|k| k.name == name)
            .unwrap()
            .scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
    };
    assert_eq!(scopes("auditor"), ["decisions:read", "audit:read"]);
    assert_eq!(
        scopes("everything"),
        [
            "decisions:write",
            "decisions:read",
            "webhooks:manage",
            "audit:read"
        ]
    );
    assert_eq!(keys.len(), 2, "the refused one was not created");
    store.close().await;
}

#[test]
fn keys_create_prints_only_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (mode, prefix) in [("sandbox", "aval_test_"), ("live", "aval_live_")] {
        let out = server(dir.path())
            .args(["keys", "create", "--mode", mode, "--name", "Checkout"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        assert!(stdout.trim().starts_with(prefix), "{stdout}");
    }
    let out = server(dir.path())
        .args(["keys", "create", "--mode", "test", "--name", "x"])
        .output()
        .unwrap();
    assert!(!out.status.success());
}

/// A sandbox key created with `server keys create` on the database in `data_dir`.
fn sandbox_key(data_dir: &std::path::Path, name: &str) -> String {
    let out = server(data_dir)
        .args(["keys", "create", "--mode", "sandbox", "--name", name])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

fn start_server(data_dir: &std::path::Path, port: u16) -> std::process::Child {
    start_server_with(data_dir, port, &[])
}

fn start_server_with(
    data_dir: &std::path::Path,
    port: u16,
    env: &[(&str, &str)],
) -> std::process::Child {
    let child = server(data_dir)
        .envs(env.iter().copied())
        .env("AVAL_LISTEN", format!("127.0.0.1:{port}"))
        .env(
            "AVAL_SOURCES__SANDBOX__LATENCY__OPEN_BANKING__MEDIAN_MS",
            "0",
        )
        .env("AVAL_SOURCES__SANDBOX__LATENCY__OPEN_BANKING__P99_MS", "0")
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "the server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    child
}

/// After a clean stop the database file alone holds every answered decision: the server closes
/// its connections, then copies SQLite's log into the file and removes it.
#[tokio::test]
async fn after_a_clean_stop_the_database_file_alone_holds_every_decision() {
    let dir = tempfile::tempdir().unwrap();
    let key = sandbox_key(dir.path(), "stop");
    let port = free_port();
    let mut child = start_server(dir.path(), port);
    let client = reqwest::Client::new();
    for siren in ["100000009", "400000006", "200000008"] {
        let r = client
            .post(format!("http://127.0.0.1:{port}/api/v1/decisions"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"siren": siren, "amount": "1500.00", "product": "bnpl"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), reqwest::StatusCode::CREATED);
    }
    let log = dir.path().join("aval.db-wal");
    assert!(
        log.exists(),
        "the server writes through a log while it runs"
    );
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    assert!(!log.exists(), "the log is gone after the stop");
    let elsewhere = tempfile::tempdir().unwrap();
    // The database file, with the keys that check its signatures.
    for file in ["aval.db", "master.key", "audit-signing.key"] {
        std::fs::copy(dir.path().join(file), elsewhere.path().join(file)).unwrap();
    }
    let report = audit_verify(elsewhere.path());
    assert_eq!(report["records"], 3);
    assert_eq!(report["verdict"], "intact");
    // The last records were signed at the stop.
    assert!(report["stored_checkpoints"].as_u64().unwrap() >= 1);
}

#[tokio::test]
async fn a_server_killed_under_load_loses_no_acknowledged_decision_and_the_chain_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let key = sandbox_key(dir.path(), "load");
    let port = free_port();
    // Checkpoints are signed continuously: the kill lands while one is being signed.
    let signing = [("AVAL_AUDIT__CHECKPOINT_BATCH_MS", "1")];
    let mut child = start_server_with(dir.path(), port, &signing);
    let base = format!("http://127.0.0.1:{port}");
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let workers: Vec<_> = (0..8)
        .map(|w| {
            let (key, base, acknowledged) = (key.clone(), base.clone(), acknowledged.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                for i in 0.. {
                    let siren = ["100000009", "200000008", "400000006", "552100554"][(w + i) % 4];
                    let sent = client
                        .post(format!("{base}/api/v1/decisions"))
                        .bearer_auth(&key)
                        .json(&serde_json::json!({"siren": siren, "amount": "1000", "product": "bnpl"}))
                        .send()
                        .await;
                    let Ok(response) = sent else { break };
                    if response.status() != reqwest::StatusCode::CREATED {
                        break;
                    }
                    let Ok(body) = response.json::<serde_json::Value>().await else { break };
                    acknowledged.lock().unwrap().push(body["id"].as_str().unwrap().to_owned());
                }
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(1500)).await;
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        acknowledged.len() >= 5,
        "only {} decisions before the kill",
        acknowledged.len()
    );
    let mut child = start_server_with(dir.path(), port, &signing);
    let client = reqwest::Client::new();
    for id in &acknowledged {
        let r = client
            .get(format!("{base}/api/v1/decisions/{id}"))
            .bearer_auth(&key)
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            reqwest::StatusCode::OK,
            "{id} was acknowledged, then lost"
        );
    }
    // The checkpoints signed before and after the kill, kept outside as a lender would.
    let kept: Vec<serde_json::Value> = client
        .get(format!("{base}/api/v1/audit/checkpoints"))
        .bearer_auth(&key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(kept.len() >= 2, "checkpoints were signed: {}", kept.len());
    let file = dir.path().join("kept-checkpoints.jsonl");
    std::fs::write(
        &file,
        kept.iter().map(|c| format!("{c}\n")).collect::<String>(),
    )
    .unwrap();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    let report = audit_verify(dir.path());
    assert!(report["records"].as_u64().unwrap() >= acknowledged.len() as u64);
    let report = audit_verify_with(dir.path(), &["--checkpoints".as_ref(), file.as_os_str()]);
    assert_eq!(report["verdict"], "intact");
    assert_eq!(report["external_checkpoints"], kept.len());
}

#[tokio::test]
async fn webhooks_being_retried_when_the_server_is_killed_are_delivered_after_the_restart() {
    let dir = tempfile::tempdir().unwrap();
    let key = sandbox_key(dir.path(), "hooks");
    let receiver = crate::helpers::Receiver::start(503).await;
    let env = [
        (
            "AVAL_WEBHOOKS__RETRY_SCHEDULE_SECONDS",
            "[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
        ),
        ("AVAL_WEBHOOKS__POLL_INTERVAL_MS", "100"),
    ];
    let port = free_port();
    let mut child = start_server_with(dir.path(), port, &env);
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let created: serde_json::Value = client
        .post(format!("{base}/api/v1/webhook-endpoints"))
        .bearer_auth(&key)
        .json(&serde_json::json!({"url": receiver.url, "event_types": ["decision.created"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = created["secret"].as_str().unwrap().to_owned();
    let mut decided = Vec::new();
    for siren in ["100000009", "200000008", "400000006"] {
        let d: serde_json::Value = client
            .post(format!("{base}/api/v1/decisions"))
            .bearer_auth(&key)
            .json(&serde_json::json!({"siren": siren, "amount": "1500", "product": "bnpl"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        decided.push(d["id"].as_str().unwrap().to_owned());
    }
    crate::helpers::eventually(30, "every event tried", || {
        receiver.received.lock().unwrap().len() >= 4
    })
    .await;
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    assert!(
        receiver.delivered().is_empty(),
        "nothing was accepted before the kill"
    );

    receiver.answer(204);
    let mut child = start_server_with(dir.path(), port, &env);
    // A delivery in flight at the kill stays leased for `dispatcher::LEASE` (60 s) from its
    // claim: the wait leaves room beyond that.
    crate::helpers::eventually(90, "every event delivered after the restart", || {
        let ids: std::collections::HashSet<String> =
            receiver.delivered().into_iter().map(|(id, _)| id).collect();
        ids.len() == 3
    })
    .await;
    let mut announced: Vec<String> = receiver
        .delivered()
        .iter()
        .map(|(_, e)| e["data"]["decision_id"].as_str().unwrap().to_owned())
        .collect();
    announced.sort();
    announced.dedup();
    decided.sort();
    assert_eq!(announced, decided);
    let verifier = standardwebhooks::Webhook::new(&secret).unwrap();
    for (headers, body, _) in receiver.received.lock().unwrap().iter() {
        verifier
            .verify(body, headers)
            .expect("signed with the endpoint's secret");
    }
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
}

#[test]
fn a_load_test_that_cannot_start_says_why_and_exits_2_not_1() {
    let dir = tempfile::tempdir().unwrap();
    for (key, url, named) in [
        ("aval_live_0123456789", "http://127.0.0.1:9", "--key"),
        ("aval_test_0123456789", "http://127.0.0.1:9", "--url"),
    ] {
        let out = server(dir.path())
            .args([
                "loadtest",
                "--url",
                url,
                "--key",
                key,
                "--rate",
                "5",
                "--duration",
                "1",
            ])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(named), "{stderr}");
        assert!(out.stdout.is_empty(), "no report");
    }
}

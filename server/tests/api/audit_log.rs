//! The verifiable audit log against an insider with write access to the database: truncation,
//! a chain rewritten with valid hashes, a swapped snapshot body and a fork are each detected by
//! the checkpoints kept outside, named with what was found; proofs verify offline with the
//! public key alone, and a proof of a forged record fails. On SQLite and PostgreSQL.

use crate::helpers::{api, new_key, TestApp};
use chrono::Utc;
use reqwest::Method;
use reqwest::StatusCode;
use server::audit::log::Log;
use server::audit::proof::{verify_file, ProofError};
use server::audit::verification::{read_checkpoints, verify_all, Quiet, Report, Verdict};
use server::audit::{Checkpoint, SigningIdentity};
use server::sources::World;
use server::store::{NewAuditRecord, Store};
use std::sync::Arc;
use std::time::Duration;

async fn backends() -> Vec<(&'static str, Arc<dyn Store>, tempfile::TempDir, String)> {
    crate::storage::backends_with_urls().await
}

/// Runs SQL as someone with full access to the database.
async fn sql(url: &str, statements: &[String]) {
    if url.starts_with("sqlite") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        for s in statements {
            sqlx::query(s)
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        for s in statements {
            sqlx::query(s)
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{s}: {e}"));
        }
        pool.close().await;
    }
}

/// Removes every append-only guard, as an insider would.
fn drop_guards(url: &str) -> Vec<String> {
    if url.starts_with("sqlite") {
        [
            "audit_records_no_update",
            "audit_records_no_delete",
            "snapshot_bodies_no_update",
            "snapshot_bodies_no_delete",
            "audit_tree_nodes_no_update",
            "audit_tree_nodes_no_delete",
            "audit_checkpoints_no_update",
            "audit_checkpoints_no_delete",
        ]
        .iter()
        .map(|t| format!("DROP TRIGGER {t}"))
        .collect()
    } else {
        [
            ("audit_records_append_only", "audit_records"),
            ("audit_records_no_truncate", "audit_records"),
            ("snapshot_bodies_append_only", "snapshot_bodies"),
            ("audit_tree_nodes_append_only", "audit_tree_nodes"),
            ("audit_checkpoints_append_only", "audit_checkpoints"),
        ]
        .iter()
        .map(|(t, table)| format!("DROP TRIGGER {t} ON {table}"))
        .collect()
    }
}

/// Also erases the stored tree and checkpoints, so that only the ones kept outside remain.
fn erase_traces() -> Vec<String> {
    vec![
        "DELETE FROM audit_tree_nodes".into(),
        "DELETE FROM audit_checkpoints".into(),
    ]
}

use crate::storage::body;

fn entry(i: usize, payload: String) -> NewAuditRecord {
    NewAuditRecord {
        id: format!("dec_{i:04}"),
        kind: "decision".to_owned(),
        decision_id: format!("dec_{i:04}"),
        world: "sandbox".to_owned(),
        recorded_at: Utc::now(),
        payload,
        ..Default::default()
    }
}

/// Appends records `from..to`, each reading its own snapshot.
async fn append(store: &dyn Store, from: usize, to: usize) {
    for i in from..to {
        let b = body(&format!("{{\"transactions\": [{i}]}}"));
        let payload = format!(
            "{{\"n\":{i},\"snapshots\":[{{\"sha256\":\"{}\"}}]}}",
            b.sha256
        );
        store.append_audit(entry(i, payload), &[b]).await.unwrap();
    }
}

fn identity() -> Arc<SigningIdentity> {
    Arc::new(SigningIdentity::from_seed(
        &[42; 32],
        "aval.test/audit".into(),
    ))
}

/// A log of 40 records with checkpoints at 25 and 40, kept outside as lines.
async fn kept_log(store: &Arc<dyn Store>) -> (Log, String) {
    let log = Log::new(store.clone(), identity());
    append(store.as_ref(), 0, 25).await;
    let first = log
        .checkpoint(Utc::now(), true, Duration::ZERO)
        .await
        .unwrap()
        .unwrap();
    append(store.as_ref(), 25, 40).await;
    let second = log
        .checkpoint(Utc::now(), true, Duration::ZERO)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((first.tree_size, second.tree_size), (25, 40));
    (log, format!("{}\n{}\n", first.to_line(), second.to_line()))
}

async fn verify(store: &dyn Store, kept: &str) -> Report {
    verify_all(
        store,
        Some(&identity().public),
        &read_checkpoints(kept),
        &Quiet,
    )
    .await
    .unwrap()
}

fn first_problem(report: &Report) -> &str {
    &report.findings.first().expect("something is found").problem
}

#[tokio::test]
async fn an_intact_log_verifies_against_its_kept_checkpoints() {
    for (backend, store, _dir, _) in backends().await {
        let (log, kept) = kept_log(&store).await;
        let report = verify(store.as_ref(), &kept).await;
        assert_eq!(
            report.verdict,
            Verdict::Intact,
            "{backend}: {:?}",
            report.findings
        );
        assert_eq!((report.records, report.external_checkpoints), (40, 2));
        assert_eq!(report.stored_checkpoints, 2, "{backend}");
        assert_eq!(report.throughput.snapshot_bodies, 40, "{backend}");
        // With no new record, a round signs nothing until the idle interval passes.
        assert!(log
            .checkpoint(Utc::now(), false, Duration::from_secs(60))
            .await
            .unwrap()
            .is_none());
        let idle = log
            .checkpoint(Utc::now(), false, Duration::ZERO)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            idle.tree_size, 40,
            "{backend}: an idle checkpoint of the same log"
        );
    }
}

#[tokio::test]
async fn deleting_the_newest_records_is_detected_and_named() {
    for (backend, store, _dir, url) in backends().await {
        let (_, kept) = kept_log(&store).await;
        let mut attack = drop_guards(&url);
        attack.push("DELETE FROM audit_records WHERE seq > 30".into());
        attack.extend(erase_traces());
        sql(&url, &attack).await;
        // The chain alone still looks whole: that is the hole the checkpoints close.
        assert!(server::audit::verify(store.as_ref())
            .await
            .unwrap()
            .intact());
        let report = verify(store.as_ref(), &kept).await;
        assert_eq!(report.verdict, Verdict::Broken, "{backend}");
        assert_eq!(report.findings.len(), 1, "{backend}: {:?}", report.findings);
        let problem = first_problem(&report);
        assert!(
            problem.contains("line 2 (40 records") && problem.contains("truncated"),
            "{backend}: {problem}"
        );
    }
}

/// Rewrites every record from `from` on with `payload` changed, recomputing a valid chain.
async fn rewrite(store: &dyn Store, url: &str, from: i64, change: &str) {
    let all = store.audit_records(0, 10_000).await.unwrap();
    let mut statements = drop_guards(url);
    statements.extend(erase_traces());
    statements.push(format!("DELETE FROM audit_records WHERE seq >= {from}"));
    let mut prev = all[(from - 2).max(0) as usize].hash.clone();
    if from == 1 {
        prev = server::audit::GENESIS.to_owned();
    }
    for r in all.iter().filter(|r| r.seq >= from) {
        let payload = r.payload.replace("\"n\":", change);
        let ms = r.recorded_at.timestamp_millis();
        let hash = server::audit::record_hash(
            &prev,
            r.seq,
            &r.id,
            &r.kind,
            &r.decision_id,
            &r.world,
            ms,
            &payload,
        );
        statements.push(format!(
            "INSERT INTO audit_records (seq, id, kind, decision_id, world, recorded_at_ms, \
             payload, prev_hash, hash) VALUES ({}, '{}', '{}', '{}', '{}', {ms}, '{}', '{prev}', \
             '{hash}')",
            r.seq, r.id, r.kind, r.decision_id, r.world, payload
        ));
        prev = hash;
    }
    sql(url, &statements).await;
}

#[tokio::test]
async fn a_chain_rewritten_with_valid_hashes_is_detected_and_named() {
    for (backend, store, _dir, url) in backends().await {
        let (_, kept) = kept_log(&store).await;
        rewrite(store.as_ref(), &url, 1, "\"n\":1000+").await;
        assert!(
            server::audit::verify(store.as_ref())
                .await
                .unwrap()
                .intact(),
            "{backend}: the rewritten chain is a valid chain"
        );
        let report = verify(store.as_ref(), &kept).await;
        assert_eq!(report.verdict, Verdict::Broken, "{backend}");
        let problem = first_problem(&report);
        assert!(
            problem.contains("line 1 (25 records") && problem.contains("rewritten or forked"),
            "{backend}: {problem}"
        );
    }
}

#[tokio::test]
async fn a_forked_log_is_detected_at_the_first_checkpoint_it_contradicts() {
    for (backend, store, _dir, url) in backends().await {
        let (_, kept) = kept_log(&store).await;
        // The log is the same up to record 30, then goes its own way.
        rewrite(store.as_ref(), &url, 31, "\"n\":-").await;
        let report = verify(store.as_ref(), &kept).await;
        assert_eq!(report.verdict, Verdict::Broken, "{backend}");
        assert_eq!(report.findings.len(), 1, "{backend}: {:?}", report.findings);
        let problem = first_problem(&report);
        assert!(
            problem.contains("line 2 (40 records") && problem.contains("first 40 records"),
            "{backend}: the checkpoint at 25 still holds; {problem}"
        );
    }
}

#[tokio::test]
async fn a_swapped_snapshot_body_is_detected_and_named() {
    for (backend, store, _dir, url) in backends().await {
        let (_, kept) = kept_log(&store).await;
        let victim = body("{\"transactions\": [7]}");
        let forged = body("{\"transactions\": [7000000]}").compressed;
        let literal = if url.starts_with("sqlite") {
            format!("X'{}'", hex::encode(&forged))
        } else {
            format!("'\\x{}'::bytea", hex::encode(&forged))
        };
        let mut attack = drop_guards(&url);
        attack.push(format!(
            "UPDATE snapshot_bodies SET compressed = {literal} WHERE sha256 = '{}'",
            victim.sha256
        ));
        sql(&url, &attack).await;
        assert!(server::audit::verify(store.as_ref())
            .await
            .unwrap()
            .intact());
        let report = verify(store.as_ref(), &kept).await;
        assert_eq!(report.verdict, Verdict::Broken, "{backend}");
        let problem = first_problem(&report);
        assert!(
            problem.contains(&victim.sha256) && problem.contains("replaced"),
            "{backend}: {problem}"
        );
        // A body removed altogether is named too.
        sql(
            &url,
            &[format!(
                "DELETE FROM snapshot_bodies WHERE sha256 = '{}'",
                victim.sha256
            )],
        )
        .await;
        let report = verify(store.as_ref(), &kept).await;
        assert!(
            report
                .findings
                .iter()
                .any(|f| f.problem.contains("is missing")),
            "{backend}: {:?}",
            report.findings
        );
    }
}

#[tokio::test]
async fn a_checkpoint_signed_by_another_key_or_unreadable_is_unverifiable_not_broken() {
    for (backend, store, _dir, _) in backends().await {
        let (_, kept) = kept_log(&store).await;
        let stranger = SigningIdentity::from_seed(&[7; 32], "aval.test/audit".into());
        let other = stranger.sign(40, &[0; 32], Utc::now()).to_line();
        let report = verify(store.as_ref(), &format!("{kept}{other}\nnot json\n")).await;
        assert_eq!(
            report.verdict,
            Verdict::Unverifiable,
            "{backend}: {:?}",
            report.findings
        );
        assert_eq!(report.findings.len(), 2, "{backend}");
        assert!(
            report.findings[0].problem.contains("signed by key"),
            "{backend}"
        );
        assert!(
            report.findings[1].problem.starts_with("line 4"),
            "{backend}"
        );
        // A checkpoint whose content was edited after signing.
        let mut edited = Checkpoint::from_line(kept.lines().next().unwrap()).unwrap();
        edited.tree_size = 24;
        let report = verify(store.as_ref(), &edited.to_line()).await;
        assert_eq!(report.verdict, Verdict::Unverifiable, "{backend}");
        assert!(first_problem(&report).contains("signature"), "{backend}");
    }
}

#[tokio::test]
async fn proofs_verify_offline_and_a_forged_record_fails() {
    for (backend, store, _dir, url) in backends().await {
        let (log, _) = kept_log(&store).await;
        let key = identity().public.clone();
        for r in store.audit_records(0, 100).await.unwrap() {
            let proof = log.prove(&r).await.unwrap();
            let text = serde_json::to_string(&proof).unwrap();
            let proven =
                verify_file(&text, &key).unwrap_or_else(|e| panic!("{backend} {}: {e}", r.seq));
            assert!(proven.statement.contains(&r.id), "{backend}");
            // The same record with one byte of its content changed is not in the log.
            let mut forged = proof.clone();
            forged.record.payload = forged.record.payload.replace("\"n\":", "\"n\":9");
            let err = verify_file(&serde_json::to_string(&forged).unwrap(), &key).unwrap_err();
            assert!(matches!(err, ProofError::Fails(_)), "{backend}: {err}");
            // A forged record given a matching hash is not on the signed tree.
            forged.record.hash = forged.record.recomputed_hash();
            let err = verify_file(&serde_json::to_string(&forged).unwrap(), &key).unwrap_err();
            assert!(
                err.to_string().contains("is not in the log"),
                "{backend}: {err}"
            );
        }
        let consistency = log.consistency(25, 40).await.unwrap().unwrap();
        verify_file(&serde_json::to_string(&consistency).unwrap(), &key).unwrap();
        assert_eq!(log.consistency(24, 40).await.unwrap().unwrap_err(), 24);
        // A fork: the rewritten log's checkpoint does not extend the one kept at 25.
        rewrite(store.as_ref(), &url, 10, "\"n\":-").await;
        let forked = log
            .checkpoint(Utc::now(), true, Duration::ZERO)
            .await
            .unwrap()
            .unwrap();
        let mut lie = consistency.clone();
        lie.to = forked;
        let err = verify_file(&serde_json::to_string(&lie).unwrap(), &key).unwrap_err();
        assert!(
            err.to_string().contains("does not extend"),
            "{backend}: {err}"
        );
        // Another key's signature is refused before any arithmetic.
        let stranger = SigningIdentity::from_seed(&[7; 32], "x".into());
        let err = verify_file(
            &serde_json::to_string(&consistency).unwrap(),
            &stranger.public,
        )
        .unwrap_err();
        assert!(
            matches!(err, ProofError::Checkpoint { .. }),
            "{backend}: {err}"
        );
    }
}

#[tokio::test]
async fn the_api_serves_the_key_checkpoints_and_proofs_that_verify_proof_checks_offline() {
    let receiver = crate::helpers::Receiver::start(200).await;
    let app = TestApp::spawn_with(|s| s.audit.checkpoint_batch_ms = 50).await;
    let key = new_key(&app, World::Sandbox).await;
    let (status, endpoint) = api(
        &app,
        Method::POST,
        "/api/v1/webhook-endpoints",
        &key,
        Some(serde_json::json!({"url": receiver.url, "event_types": ["audit.checkpoint"]})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{endpoint}");
    let (status, decision) = api(
        &app,
        Method::POST,
        "/api/v1/decisions",
        &key,
        Some(serde_json::json!({"siren": "552100554", "amount": "1000", "product": "bnpl"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{decision}");
    let id = decision["id"].as_str().unwrap();

    // The public key needs no key at all.
    let public = reqwest::get(app.url("/api/v1/audit/public-key"))
        .await
        .unwrap();
    assert_eq!(public.status(), StatusCode::OK);
    let public: serde_json::Value = public.json().await.unwrap();
    assert_eq!(public["algorithm"], "Ed25519");

    let (status, proof) = api(
        &app,
        Method::GET,
        &format!("/api/v1/decisions/{id}/proof"),
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{proof}");
    assert_eq!(proof["record"]["id"], id);
    assert!(
        proof["checkpoint"]["tree_size"].as_u64().unwrap() > proof["leaf_index"].as_u64().unwrap()
    );

    // Checked offline by the command, with the public key alone (no data directory).
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("aval-audit-key.json");
    std::fs::write(&key_file, public.to_string()).unwrap();
    let proof_file = dir.path().join("proof.json");
    std::fs::write(&proof_file, proof.to_string()).unwrap();
    let verify_proof = |file: &std::path::Path| {
        let file = file.to_owned();
        let key_file = key_file.clone();
        async move {
            tokio::process::Command::new(env!("CARGO_BIN_EXE_server"))
                .env_clear()
                .arg("audit")
                .arg("verify-proof")
                .arg(&file)
                .arg("--public-key")
                .arg(&key_file)
                .output()
                .await
                .unwrap()
        }
    };
    let out = verify_proof(&proof_file).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(said["holds"], true);
    assert!(said["statement"].as_str().unwrap().contains(id));
    // A forged record: exit 1, naming the problem.
    let mut forged = proof.clone();
    forged["record"]["payload"] = serde_json::Value::String(
        proof["record"]["payload"]
            .as_str()
            .unwrap()
            .replace("552100554", "552100555"),
    );
    std::fs::write(&proof_file, forged.to_string()).unwrap();
    let out = verify_proof(&proof_file).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not match its hash"));
    let said: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(said["holds"], false);
    // A checkpoint whose signature does not cover it: exit 1, said the same way.
    let mut redated = proof.clone();
    redated["checkpoint"]["timestamp"] = "2020-01-01T00:00:00.000Z".into();
    std::fs::write(&proof_file, redated.to_string()).unwrap();
    let out = verify_proof(&proof_file).await;
    assert_eq!(out.status.code(), Some(1));
    let said: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(said["holds"], false);
    assert!(
        said["problem"]
            .as_str()
            .unwrap()
            .contains("checkpoint cannot be trusted"),
        "{said}"
    );
    // Not a proof: exit 2.
    std::fs::write(&proof_file, "{\"type\": \"receipt\"}").unwrap();
    assert_eq!(verify_proof(&proof_file).await.status.code(), Some(2));

    // The other mode's key does not see the decision.
    let live = new_key(&app, World::Live).await;
    let (status, problem) = api(
        &app,
        Method::GET,
        &format!("/api/v1/decisions/{id}/proof"),
        &live,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");

    // The checkpoints, and a consistency proof between two of them.
    let checkpoints =
        crate::helpers::until_some(10, "two checkpoints of different sizes", || async {
            api(
                &app,
                Method::POST,
                "/api/v1/decisions",
                &key,
                Some(
                    serde_json::json!({"siren": "100000009", "amount": "1000", "product": "bnpl"}),
                ),
            )
            .await;
            let (_, all) = api(&app, Method::GET, "/api/v1/audit/checkpoints", &key, None).await;
            let all = all.as_array().cloned().unwrap_or_default();
            let sizes: std::collections::BTreeSet<u64> =
                all.iter().filter_map(|c| c["tree_size"].as_u64()).collect();
            (sizes.iter().filter(|s| **s > 0).count() >= 2).then_some(all)
        })
        .await;
    let sizes: Vec<u64> = checkpoints
        .iter()
        .filter_map(|c| c["tree_size"].as_u64())
        .filter(|s| *s > 0)
        .collect();
    let (from, to) = (sizes[0], *sizes.last().unwrap());
    let (status, consistency) = api(
        &app,
        Method::GET,
        &format!("/api/v1/audit/consistency?from={from}&to={to}"),
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{consistency}");
    std::fs::write(&proof_file, consistency.to_string()).unwrap();
    let out = verify_proof(&proof_file).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for (query, field) in [
        ("from=0", "from"),
        ("from=abc", "from"),
        ("to=3", "from"),
        ("from=1&sort=asc", "sort"),
        ("from=1&to=-2", "to"),
    ] {
        let (status, problem) = api(
            &app,
            Method::GET,
            &format!("/api/v1/audit/consistency?{query}"),
            &key,
            None,
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{query}: {problem}"
        );
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
    // The two sizes in either order: the same proof.
    let (status, swapped) = api(
        &app,
        Method::GET,
        &format!("/api/v1/audit/consistency?from={to}&to={from}"),
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        swapped["consistency_proof"],
        consistency["consistency_proof"]
    );
    let (status, problem) = api(
        &app,
        Method::GET,
        &format!(
            "/api/v1/audit/consistency?from={}&to={}",
            to + 1000,
            to + 1000
        ),
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    let (status, _) = api(
        &app,
        Method::GET,
        "/api/v1/audit/checkpoints?after=yesterday",
        &key,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // The same checkpoints reach the subscribed endpoint, each exactly as served.
    let delivered = crate::helpers::until_some(15, "an audit.checkpoint delivery", || async {
        receiver.event("audit.checkpoint")
    })
    .await;
    let sent: Checkpoint = serde_json::from_value(delivered["data"].clone()).unwrap();
    sent.verify(&server::audit::PublicKey::parse(&public.to_string()).unwrap())
        .unwrap();
}

//! The storage contract. Each check takes a `Store` and nothing backend-specific, so the same
//! checks run against every backend: `backends()` lists them.

use app::model::Role;
use app::model::{CaseCommand, HumanDecision, HumanOutcome};
use chrono::{DateTime, Duration, Utc};
use server::auth::password::PasswordHash;
use server::cases::{self, Actor, CaseError, CaseRules};
use server::store::postgres::PostgresStore;
use server::store::sqlite::SqliteStore;
use server::store::{
    CaseFilter, CaseRow, CreditHistoryEntry, EngineVersion, FailureKey, Ledger, NewAuditRecord,
    NewUser, SnapshotBody, Store, StoreError, UserChange,
};
use std::sync::Arc;
use tempfile::TempDir;

/// Every storage backend under test, each on a fresh database.
async fn backends() -> Vec<(&'static str, Arc<dyn Store>, TempDir)> {
    backends_with_urls()
        .await
        .into_iter()
        .map(|(name, store, dir, _)| (name, store, dir))
        .collect()
}

/// The backends with their database URLs, for tests that reach under the `Store` interface.
pub(crate) async fn backends_with_urls() -> Vec<(&'static str, Arc<dyn Store>, TempDir, String)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let sqlite = SqliteStore::connect(&url).await.unwrap();
    let pg_url = crate::helpers::fresh_postgres_url().await;
    let postgres = PostgresStore::connect(&pg_url).await.unwrap();
    vec![
        ("sqlite", Arc::new(sqlite), dir, url),
        (
            "postgres",
            Arc::new(postgres),
            tempfile::tempdir().unwrap(),
            pg_url,
        ),
    ]
}

fn new_user(username: &str, role: Role) -> NewUser {
    NewUser {
        username: username.to_owned(),
        display_name: format!("{username} name"),
        role,
        password_hash: PasswordHash::from_stored("$argon2id$v=19$stub".to_owned()),
        is_demo: false,
        must_change_password: false,
    }
}

#[tokio::test]
async fn a_created_user_is_found_by_id_and_by_username() {
    for (backend, store, _dir) in backends().await {
        let now = Utc::now();
        let created = store
            .create_user(new_user("ana", Role::Auditor), now, None)
            .await
            .unwrap();
        let by_id = store.user_by_id(created.id).await.unwrap().unwrap();
        let by_name = store.user_by_username("ana").await.unwrap().unwrap();
        assert_eq!(by_id.id, by_name.id, "{backend}");
        assert_eq!(by_id.role, Role::Auditor, "{backend}");
        assert!(by_id.active, "{backend}");
        assert_eq!(
            by_id.created_at.timestamp_millis(),
            now.timestamp_millis(),
            "{backend}"
        );
        assert_eq!(
            by_id.password_hash.as_stored(),
            "$argon2id$v=19$stub",
            "{backend}"
        );
        assert!(
            store.user_by_username("nobody").await.unwrap().is_none(),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn a_taken_username_is_a_conflict_and_the_first_user_is_untouched() {
    for (backend, store, _dir) in backends().await {
        store
            .create_user(new_user("ana", Role::Auditor), Utc::now(), None)
            .await
            .unwrap();
        let err = store
            .create_user(new_user("ana", Role::Admin), Utc::now(), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{backend}: {err}");
        let ana = store.user_by_username("ana").await.unwrap().unwrap();
        assert_eq!(ana.role, Role::Auditor, "{backend}");
        assert_eq!(store.count_users().await.unwrap(), 1, "{backend}");
    }
}

#[tokio::test]
async fn the_database_refuses_a_role_or_username_outside_the_rules() {
    for (backend, store, _dir) in backends().await {
        let err = store
            .create_user(new_user("Upper", Role::Admin), Utc::now(), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Database(_)), "{backend}: {err}");
    }
}

#[tokio::test]
async fn account_changes_never_leave_the_lender_without_an_active_admin() {
    for (backend, store, _dir) in backends().await {
        let now = Utc::now();
        let first = store
            .create_user(new_user("root1", Role::Admin), now, None)
            .await
            .unwrap();
        let rep = store
            .create_user(new_user("rep1", Role::SalesRep), now, None)
            .await
            .unwrap();
        for change in [UserChange::Role(Role::Auditor), UserChange::Active(false)] {
            let err = store
                .update_user(first.id, change, now, None)
                .await
                .unwrap_err();
            assert!(matches!(err, StoreError::Refused(_)), "{backend}: {err}");
        }
        let still = store.user_by_id(first.id).await.unwrap().unwrap();
        assert!(
            still.active && still.role == Role::Admin,
            "{backend}: nothing changed"
        );

        // With a second admin, the first may step down.
        let second = store
            .update_user(rep.id, UserChange::Role(Role::Admin), now, None)
            .await
            .unwrap();
        assert_eq!(second.role, Role::Admin);
        let first = store
            .update_user(first.id, UserChange::Role(Role::Auditor), now, None)
            .await
            .unwrap();
        assert_eq!(first.role, Role::Auditor, "{backend}");
        let err = store
            .update_user(second.id, UserChange::Active(false), now, None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Refused(_)), "{backend}: {err}");

        // A reset replaces the hash and records when.
        assert_eq!(first.credentials_changed_at, None);
        let hash = PasswordHash::from_stored("$argon2id$v=19$m=19456,t=2,p=1$new$hash".into());
        let reset = store
            .update_user(first.id, UserChange::Password(hash), now, None)
            .await
            .unwrap();
        assert_eq!(
            reset.password_hash.as_stored(),
            "$argon2id$v=19$m=19456,t=2,p=1$new$hash"
        );
        assert_eq!(
            reset.credentials_changed_at.map(|t| t.timestamp_millis()),
            Some(now.timestamp_millis()),
            "{backend}"
        );
        let err = store
            .update_user(424242, UserChange::Active(true), now, None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::NotFound(_)), "{backend}: {err}");
    }
}

/// An account change and its audit record are written in one transaction: both, or neither.
#[tokio::test]
async fn an_account_change_and_its_audit_record_stand_or_fall_together() {
    use server::accounts::{record, AccountEvent};
    let settings = server::config::Settings::default();
    let now = Utc::now();
    let admin = app::model::SessionUser {
        id: 0,
        username: "root1".into(),
        display_name: "Root".into(),
        role: Role::Admin,
        must_change_password: false,
    };
    let kinds = |records: Vec<server::store::AuditRecord>| {
        records.into_iter().map(|r| r.kind).collect::<Vec<_>>()
    };
    for (backend, store, _dir) in backends().await {
        let created = |event| Some(record(&settings, event, None, serde_json::json!({}), now));
        let root = store
            .create_user(
                new_user("root1", Role::Admin),
                now,
                created(AccountEvent::Created),
            )
            .await
            .unwrap();
        let rep = store
            .create_user(new_user("rep1", Role::SalesRep), now, None)
            .await
            .unwrap();
        let by = |event| {
            Some(record(
                &settings,
                event,
                Some(&admin),
                serde_json::json!({}),
                now,
            ))
        };
        store
            .update_user(
                rep.id,
                UserChange::Role(Role::Auditor),
                now,
                by(AccountEvent::RoleChanged),
            )
            .await
            .unwrap();
        store
            .record_sign_in(rep.id, now, by(AccountEvent::SignedIn))
            .await
            .unwrap();
        let chain = store.audit_records(0, 100).await.unwrap();
        assert_eq!(
            kinds(chain.clone()),
            [
                "account.created",
                "account.role_changed",
                "account.signed_in"
            ],
            "{backend}"
        );
        // The role before the change is read in the change's transaction.
        let changed: serde_json::Value = serde_json::from_str(&chain[1].payload).unwrap();
        assert_eq!(changed["previous_role"], "sales_rep", "{backend}");
        assert_eq!(changed["role"], "auditor", "{backend}");
        assert_eq!(changed["by"]["username"], "root1", "{backend}");

        // A refused change (the last active admin) records nothing.
        let err = store
            .update_user(
                root.id,
                UserChange::Active(false),
                now,
                by(AccountEvent::Deactivated),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Refused(_)), "{backend}: {err}");
        assert_eq!(
            store.audit_records(0, 100).await.unwrap().len(),
            3,
            "{backend}"
        );

        // A record that cannot be written (its id is taken) undoes the change.
        let taken = chain[0].id.clone();
        let clashing: server::store::AccountRecord = Box::new(move |before, after| {
            let mut r = record(
                &server::config::Settings::default(),
                AccountEvent::Reactivated,
                None,
                serde_json::json!({}),
                now,
            )(before, after);
            r.id = taken;
            r
        });
        store
            .update_user(rep.id, UserChange::Active(false), now, None)
            .await
            .unwrap();
        assert!(store
            .update_user(rep.id, UserChange::Active(true), now, Some(clashing))
            .await
            .is_err());
        let rep = store.user_by_id(rep.id).await.unwrap().unwrap();
        assert!(!rep.active, "{backend}: the change went with its record");
        assert_eq!(
            store.audit_records(0, 100).await.unwrap().len(),
            3,
            "{backend}"
        );
    }
}

#[tokio::test]
async fn deactivation_sign_in_time_and_role_counts_are_stored() {
    for (backend, store, _dir) in backends().await {
        let a = store
            .create_user(new_user("a1", Role::SalesRep), Utc::now(), None)
            .await
            .unwrap();
        store
            .create_user(new_user("a2", Role::SalesRep), Utc::now(), None)
            .await
            .unwrap();
        store
            .create_user(new_user("a3", Role::Admin), Utc::now(), None)
            .await
            .unwrap();
        store
            .update_user(a.id, UserChange::Active(false), chrono::Utc::now(), None)
            .await
            .unwrap();
        let at = Utc::now();
        store.record_sign_in(a.id, at, None).await.unwrap();
        let a = store.user_by_id(a.id).await.unwrap().unwrap();
        assert!(!a.active, "{backend}");
        assert_eq!(
            a.last_sign_in_at.map(|t| t.timestamp_millis()),
            Some(at.timestamp_millis())
        );
        let counts = store.role_counts().await.unwrap();
        let count = |r| counts.iter().find(|c| c.role == r).unwrap().active_users;
        assert_eq!(
            (
                count(Role::SalesRep),
                count(Role::Admin),
                count(Role::Auditor)
            ),
            (1, 1, 0)
        );
        let names: Vec<_> = store
            .list_users()
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, ["a1", "a2", "a3"], "{backend}");
    }
}

#[tokio::test]
async fn sign_in_failures_are_counted_per_username_and_per_address_and_pruned() {
    for (backend, store, _dir) in backends().await {
        let now = Utc::now();
        let old = now - Duration::minutes(30);
        store
            .record_sign_in_failure("ana", "10.0.0.1", old)
            .await
            .unwrap();
        store
            .record_sign_in_failure("ana", "10.0.0.1", now)
            .await
            .unwrap();
        store
            .record_sign_in_failure("bob", "10.0.0.1", now)
            .await
            .unwrap();
        let since = now - Duration::minutes(15);
        let ana = store
            .sign_in_failures_since(FailureKey::Username("ana"), since)
            .await
            .unwrap();
        let addr = store
            .sign_in_failures_since(FailureKey::Address("10.0.0.1"), since)
            .await
            .unwrap();
        let all = store
            .sign_in_failures_since(FailureKey::Address("10.0.0.1"), old)
            .await
            .unwrap();
        assert_eq!((ana.len(), addr.len(), all.len()), (1, 2, 3), "{backend}");
        assert!(
            all.windows(2).all(|w| w[0] <= w[1]),
            "{backend}: oldest first"
        );

        store.clear_sign_in_failures("ana").await.unwrap();
        let ana = store
            .sign_in_failures_since(FailureKey::Username("ana"), old)
            .await
            .unwrap();
        assert!(ana.is_empty(), "{backend}");

        store
            .record_sign_in_failure("cid", "10.0.0.2", old)
            .await
            .unwrap();
        let removed = store.prune(since, now).await.unwrap();
        assert_eq!(removed, 1, "{backend}");
        let bob = store
            .sign_in_failures_since(FailureKey::Username("bob"), old)
            .await
            .unwrap();
        assert_eq!(bob.len(), 1, "{backend}: recent failures are kept");
    }
}

#[tokio::test]
async fn expired_sessions_are_pruned_and_live_ones_kept() {
    use tower_sessions::cookie::time::{Duration as TimeDuration, OffsetDateTime};
    use tower_sessions::session::{Id, Record};
    for (backend, store, _dir) in backends().await {
        let sessions = store.session_store();
        let mut expired = Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: OffsetDateTime::now_utc() - TimeDuration::minutes(5),
        };
        let mut live = Record {
            id: Id::default(),
            data: Default::default(),
            expiry_date: OffsetDateTime::now_utc() + TimeDuration::hours(1),
        };
        sessions.create(&mut expired).await.unwrap();
        sessions.create(&mut live).await.unwrap();
        let now = Utc::now();
        let removed = store.prune(now - Duration::hours(1), now).await.unwrap();
        assert_eq!(removed, 1, "{backend}");
        assert!(
            sessions.load(&live.id).await.unwrap().is_some(),
            "{backend}"
        );
    }
}

#[tokio::test]
async fn the_store_answers_a_ping() {
    for (backend, store, _dir) in backends().await {
        store
            .ping()
            .await
            .unwrap_or_else(|e| panic!("{backend}: {e}"));
    }
}

fn history_entry(
    id: &str,
    world: &str,
    siren: &str,
    outcome: &str,
    outstanding: i64,
    at: DateTime<Utc>,
) -> CreditHistoryEntry {
    CreditHistoryEntry {
        id: id.to_owned(),
        world: world.to_owned(),
        siren: siren.to_owned(),
        product: "bnpl".to_owned(),
        amount_cents: 1_000_000,
        outcome: outcome.to_owned(),
        outstanding_cents: outstanding,
        received_at: at,
    }
}

#[tokio::test]
async fn the_internal_source_reports_exposure_history_and_velocity_per_world() {
    use server::sources::internal::{parse, InternalSource};
    use server::sources::{Source, SourceRequest, World};
    let now = Utc::now();
    for (backend, store, _dir) in backends().await {
        let h = |id, world, outcome, outstanding, hours_ago| {
            history_entry(
                id,
                world,
                "732829320",
                outcome,
                outstanding,
                now - Duration::hours(hours_ago),
            )
        };
        for e in [
            h("a", "live", "approve", 500_000, 2),
            h("b", "live", "approve", 250_000, 20),
            h("c", "live", "decline", 0, 24 * 10),
            h("d", "live", "approve", 0, 24 * 90),
            h("e", "sandbox", "approve", 9_999_900, 1),
            history_entry("f", "live", "552100554", "approve", 7_777_700, now),
        ] {
            store.record_credit_history(&e).await.unwrap();
        }
        let duplicate = store
            .record_credit_history(&h("a", "live", "approve", 1, 1))
            .await;
        assert!(
            matches!(duplicate, Err(StoreError::Conflict(_))),
            "{backend}"
        );
        let source = InternalSource {
            store: store.clone(),
        };
        let request = |world| SourceRequest {
            world,
            siren: app::ids::Siren::parse("732829320").unwrap(),
            bank_connection: None,
            accounting_ref: None,
            iban: None,
            as_of: now,
        };
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
        let fetched = source.fetch(&request(World::Live), deadline).await;
        assert_eq!(fetched.error, None, "{backend}");
        let facts = parse(&fetched.snapshots[0].body().unwrap())
            .unwrap()
            .facts();
        assert_eq!(facts.exposure_cents, 750_000, "{backend}");
        assert_eq!(facts.past_applications, 4, "{backend}");
        assert_eq!(
            (facts.past_approvals, facts.past_declines),
            (3, 1),
            "{backend}"
        );
        assert_eq!(facts.applications_last_24h, 2, "{backend}");
        assert_eq!(facts.applications_last_30d, 3, "{backend}");
        let sandbox = source.fetch(&request(World::Sandbox), deadline).await;
        let facts = parse(&sandbox.snapshots[0].body().unwrap())
            .unwrap()
            .facts();
        assert_eq!(
            facts.exposure_cents, 9_999_900,
            "{backend}: the sandbox sees only its own"
        );
        assert_eq!(facts.past_applications, 1, "{backend}");
    }
}

fn audit_entry(id: &str, payload: &str) -> NewAuditRecord {
    NewAuditRecord {
        id: id.to_owned(),
        kind: "decision".to_owned(),
        decision_id: id.to_owned(),
        world: "sandbox".to_owned(),
        recorded_at: Utc::now(),
        payload: payload.to_owned(),
        ..Default::default()
    }
}

pub(crate) fn body(text: &str) -> SnapshotBody {
    let snapshot = server::sources::Snapshot::capture(
        server::sources::SourceId::Bodacc,
        "test",
        "GET /x".into(),
        200,
        "application/json",
        Utc::now(),
        1,
        text.as_bytes(),
    );
    SnapshotBody {
        sha256: snapshot.sha256,
        size: snapshot.size as i64,
        compressed: snapshot.compressed,
    }
}

#[tokio::test]
async fn audit_records_form_a_hash_chain_and_snapshot_bodies_are_kept_once() {
    for (backend, store, _dir) in backends().await {
        let shared = body("{\"same\": true}");
        for i in 1..=5 {
            let r = store
                .append_audit(
                    audit_entry(&format!("d{i}"), &format!("{{\"n\":{i}}}")),
                    &[shared.clone(), body(&format!("own {i}"))],
                )
                .await
                .unwrap();
            assert_eq!(r.seq, i, "{backend}");
        }
        let all = store.audit_records(0, 100).await.unwrap();
        assert_eq!(all.len(), 5, "{backend}");
        assert_eq!(all[0].prev_hash, server::audit::GENESIS);
        assert!(
            all.windows(2).all(|w| w[1].prev_hash == w[0].hash),
            "{backend}"
        );
        let report = server::audit::verify(store.as_ref()).await.unwrap();
        assert!(report.intact(), "{backend}: {report:?}");
        assert_eq!(report.records, 5);
        assert_eq!(report.head, all[4].hash);
        let third = store.audit_record("d3").await.unwrap().unwrap();
        assert_eq!(
            (third.seq, third.hash.as_str()),
            (3, all[2].hash.as_str()),
            "{backend}"
        );
        assert!(store.audit_record("nope").await.unwrap().is_none());
        let kept = store.snapshot_body(&shared.sha256).await.unwrap().unwrap();
        assert_eq!(kept, shared, "{backend}");
        assert!(store
            .snapshot_body(&"0".repeat(64))
            .await
            .unwrap()
            .is_none());
        let duplicate = store.append_audit(audit_entry("d1", "{}"), &[]).await;
        assert!(
            matches!(duplicate, Err(StoreError::Conflict(_))),
            "{backend}"
        );
        assert_eq!(
            store.audit_records(0, 100).await.unwrap().len(),
            5,
            "nothing appended"
        );
    }
}

/// SQLite: no connection copies the write-ahead log into the database file when it commits;
/// the store's checkpointer does, in the background, within seconds.
#[tokio::test]
async fn sqlite_copies_committed_records_from_the_log_into_the_database_file_in_the_background() {
    use sqlx::Connection;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.db");
    let store = SqliteStore::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    store
        .append_audit(audit_entry("d1", "{\"n\":1}"), &[body("kept")])
        .await
        .unwrap();
    // A copy of the database file alone holds only what was copied out of the log.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    for attempt in 0.. {
        let copy = dir.path().join(format!("file-only-{attempt}.db"));
        std::fs::copy(&path, &copy).unwrap();
        let counted = async {
            let mut conn =
                sqlx::SqliteConnection::connect(&format!("sqlite://{}", copy.display())).await?;
            let counted = sqlx::query_scalar::<_, i64>("SELECT count(*) FROM audit_records")
                .fetch_one(&mut conn)
                .await;
            conn.close().await?;
            counted
        }
        .await;
        if matches!(counted, Ok(1)) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the record never reached the database file: {counted:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// SQLite: once the store is closed the database file alone holds every record, with no log
/// beside it, even when every connection is busy at the close and they are all given back, and
/// closed, at the same moment.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_closed_while_every_connection_is_busy_leaves_no_log_beside_the_file() {
    for round in 0..100 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("store.db");
        let store = Arc::new(
            SqliteStore::connect(&format!("sqlite://{}", path.display()))
                .await
                .unwrap(),
        );
        store
            .append_audit(audit_entry(&format!("d{round}"), "{}"), &[body("kept")])
            .await
            .unwrap();
        // More callers than connections: each connection is given back with a caller waiting.
        let busy: Vec<_> = (0..12)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { while store.ping().await.is_ok() {} })
            })
            .collect();
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        store.close().await;
        for caller in busy {
            caller.await.unwrap();
        }
        assert!(
            !dir.path().join("store.db-wal").exists(),
            "round {round}: the log is still beside the database file"
        );
    }
}

#[tokio::test]
async fn concurrent_appends_keep_one_unbroken_chain() {
    for (backend, store, _dir) in backends().await {
        let tasks: Vec<_> = (0..40)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .append_audit(
                            audit_entry(&format!("c{i}"), "{}"),
                            &[body(&format!("b{}", i % 7))],
                        )
                        .await
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let report = server::audit::verify(store.as_ref()).await.unwrap();
        assert!(report.intact(), "{backend}: {report:?}");
        assert_eq!(report.records, 40, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_succeed_while_other_writes_commit_between_them() {
    // Sign-in failures, sessions and webhook claims are written on other connections while
    // decisions are appended: an append must wait for its turn to write, never fail because
    // another write committed after it started.
    for (backend, store, _dir) in backends().await {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let writer = {
            let (store, stop) = (store.clone(), stop.clone());
            tokio::spawn(async move {
                let mut written = 0_u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    store
                        .record_sign_in_failure("someone", "198.51.100.7", Utc::now())
                        .await
                        .unwrap();
                    written += 1;
                }
                written
            })
        };
        let appends: Vec<_> = (0..200)
            .map(|i| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .append_audit(
                            audit_entry(&format!("w{i}"), "{}"),
                            &[body(&format!("w{i}")), body(&format!("v{}", i % 5))],
                        )
                        .await
                })
            })
            .collect();
        for (i, t) in appends.into_iter().enumerate() {
            if let Err(e) = t.await.unwrap() {
                panic!("{backend}: append {i} failed: {e}");
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        assert!(writer.await.unwrap() > 0, "{backend}: the other writer ran");
        let report = server::audit::verify(store.as_ref()).await.unwrap();
        assert!(report.intact(), "{backend}: {report:?}");
        assert_eq!(report.records, 200, "{backend}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn appends_committed_together_keep_every_part_of_each_record_and_leave_out_a_refused_one() {
    // Decisions appended at the same time are committed together: each must still arrive with
    // its case, credit-history row, webhook messages and enrolment, in order, and a refused
    // one (an id already in the trail) must leave the others written and add nothing itself.
    use server::store::MonitoringWrite;
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    for (backend, store, _dir) in backends().await {
        for e in [
            endpoint("wh_a", "sandbox", &["decision.created"], now),
            endpoint(
                "wh_b",
                "sandbox",
                &["decision.created", "decision.updated"],
                now,
            ),
            endpoint("wh_live", "live", &["decision.created"], now),
        ] {
            store.create_webhook_endpoint(&e).await.unwrap();
        }
        let decision = |i: usize| {
            let id = format!("g{i}");
            let siren = format!("{:09}", 100 + i % 10);
            let mut r = audit_entry(&id, &format!("{{\"n\":{i}}}"));
            r.recorded_at = now;
            r.history = Some(history_entry(&id, "sandbox", &siren, "approve", 100, now));
            r.case = Some(case_row(&id, &siren, "approve", 1_000 + i as i64, now));
            r.events = vec![server::events::event(
                "decision.created",
                now,
                serde_json::json!({"n": i}),
            )];
            r.monitoring = Some(MonitoringWrite::Enrol {
                world: "sandbox".into(),
                siren,
                decision_id: id,
                granted_limit_cents: 1_000 + i as i64,
                at: now,
                next_check: now + Duration::days(1),
            });
            r
        };
        let first = decision(0);
        store.append_audit(first.clone(), &[]).await.unwrap();
        let mut again = first.clone();
        again.events = vec![server::events::event(
            "decision.created",
            now,
            serde_json::json!({}),
        )];
        again.history.as_mut().unwrap().id = "g0-again".into();
        let appends: Vec<_> = (1..60)
            .map(|i| {
                let store = store.clone();
                let record = if i == 30 { again.clone() } else { decision(i) };
                tokio::spawn(async move {
                    let bodies = [body(&format!("g{}", i % 4))];
                    store.append_audit(record, &bodies).await
                })
            })
            .collect();
        for (i, t) in (1..60).zip(appends) {
            let result = t.await.unwrap();
            if i == 30 {
                assert!(
                    matches!(result, Err(StoreError::Conflict(_))),
                    "{backend}: {result:?}"
                );
            } else if let Err(e) = result {
                panic!("{backend}: append {i} failed: {e}");
            }
        }
        let report = server::audit::verify(store.as_ref()).await.unwrap();
        assert!(report.intact(), "{backend}: {report:?}");
        assert_eq!(report.records, 59, "{backend}");
        let messages = store.webhook_messages(None, 1_000).await.unwrap();
        assert_eq!(
            messages.len(),
            2 * 59,
            "{backend}: two endpoints per decision"
        );
        let monitored = store.monitored_companies("sandbox", 100).await.unwrap();
        assert_eq!(monitored.len(), 10, "{backend}");
        for i in (0..60).filter(|&i| i != 30) {
            let id = format!("g{i}");
            let record = store.audit_record(&id).await.unwrap().expect("appended");
            assert_eq!(record.payload, format!("{{\"n\":{i}}}"), "{backend}");
            let case = store.case(&id).await.unwrap().expect("its case");
            assert_eq!(case.amount_cents, 1_000 + i as i64, "{backend}");
            let mut sent: Vec<_> = messages
                .iter()
                .filter(|m| m.body.contains(&format!("\"n\":{i}}}")))
                .map(|m| m.endpoint_id.as_str())
                .collect();
            sent.sort_unstable();
            assert_eq!(sent, ["wh_a", "wh_b"], "{backend}: {id}");
            let siren = format!("{:09}", 100 + i % 10);
            let history = store
                .credit_history("sandbox", &siren, now + Duration::seconds(1), 100)
                .await
                .unwrap();
            assert!(history.iter().any(|h| h.id == id), "{backend}: {id}");
        }
        // The refused record added nothing: no history row, no message, its case untouched.
        let history = store
            .credit_history("sandbox", "000000100", now + Duration::seconds(1), 100)
            .await
            .unwrap();
        assert!(history.iter().all(|h| h.id != "g0-again"), "{backend}");
        assert!(
            messages.iter().all(|m| m.event_id != again.events[0].id),
            "{backend}"
        );
        // Messages are queued in the order of their records, each record's endpoints together.
        let order: Vec<_> = messages.iter().map(|m| m.event_id.as_str()).collect();
        let mut seen = Vec::new();
        for id in order {
            if seen.last() != Some(&id) {
                assert!(!seen.contains(&id), "{backend}: {id} split");
                seen.push(id);
            }
        }
        // Each company is watched against the last grant appended for it.
        let seqs: std::collections::HashMap<String, i64> = store
            .audit_records(0, 100)
            .await
            .unwrap()
            .into_iter()
            .map(|r| (r.id, r.seq))
            .collect();
        for m in monitored {
            let latest = (0..60)
                .filter(|&i| i != 30 && format!("{:09}", 100 + i % 10) == m.siren)
                .map(|i| format!("g{i}"))
                .max_by_key(|id| seqs[id])
                .unwrap();
            assert_eq!(m.decision_id, latest, "{backend}: {}", m.siren);
        }
    }
}

#[tokio::test]
async fn the_database_refuses_to_change_or_delete_audit_records_and_verification_names_an_altered_one(
) {
    for (backend, store, _dir, url) in backends_with_urls().await {
        for i in 1..=3 {
            store
                .append_audit(
                    audit_entry(&format!("t{i}"), &format!("{{\"amount\":{i}00}}")),
                    &[body(&format!("answer {i}"))],
                )
                .await
                .unwrap();
        }
        let refused = |sql: &'static str| {
            let url = url.clone();
            async move {
                if url.starts_with("sqlite") {
                    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                    sqlx::query(sql).execute(&pool).await.map(drop)
                } else {
                    let pool = sqlx::PgPool::connect(&url).await.unwrap();
                    sqlx::query(sql).execute(&pool).await.map(drop)
                }
            }
        };
        for sql in [
            "UPDATE audit_records SET payload = '{\"amount\":1}' WHERE seq = 2",
            "DELETE FROM audit_records WHERE seq = 3",
            "UPDATE snapshot_bodies SET size = 0",
        ] {
            let e = refused(sql).await.expect_err(sql);
            assert!(e.to_string().contains("append-only"), "{backend}: {e}");
        }
        // Someone with full access to the database removes the protection and alters a row.
        let drop_guard = if url.starts_with("sqlite") {
            "DROP TRIGGER audit_records_no_update"
        } else {
            "DROP TRIGGER audit_records_append_only ON audit_records"
        };
        refused(drop_guard).await.unwrap();
        refused("UPDATE audit_records SET payload = '{\"amount\":1}' WHERE seq = 2")
            .await
            .unwrap();
        let report = server::audit::verify(store.as_ref()).await.unwrap();
        let broken = report.first_broken.expect("the change is detected");
        assert_eq!((broken.seq, broken.id.as_str()), (2, "t2"), "{backend}");
        assert!(
            broken.problem.contains("altered"),
            "{backend}: {}",
            broken.problem
        );
        assert_eq!(report.records, 1, "{backend}: the records before it verify");
    }
}

#[tokio::test]
async fn api_keys_are_stored_as_hashes_bound_to_their_world_and_revocable() {
    use secrecy::ExposeSecret;
    use server::api_keys::{authenticate, create, hash};
    use server::sources::World;
    for (backend, store, _dir) in backends().await {
        let sandbox = create(store.as_ref(), World::Sandbox, "checkout", Utc::now())
            .await
            .unwrap();
        let live = create(store.as_ref(), World::Live, "back office", Utc::now())
            .await
            .unwrap();
        let s = sandbox.secret.expose_secret();
        assert!(
            s.starts_with("aval_test_") && s.len() == 42,
            "{backend}: {s}"
        );
        assert!(live.secret.expose_secret().starts_with("aval_live_"));
        let listed = store.list_api_keys().await.unwrap();
        assert_eq!(listed.len(), 2, "{backend}");
        assert!(listed
            .iter()
            .all(|k| k.key_hash.len() == 64 && !k.key_hash.contains("aval_")));
        let stored = listed.iter().find(|k| k.id == sandbox.record.id).unwrap();
        assert_eq!(stored.key_hash, hash(s), "{backend}");
        let (record, world) = authenticate(store.as_ref(), s).await.unwrap().unwrap();
        assert_eq!(
            (record.id.as_str(), world),
            (sandbox.record.id.as_str(), World::Sandbox)
        );
        // A key changed to claim the other world is unknown.
        let forged = s.replacen("aval_test_", "aval_live_", 1);
        assert!(
            authenticate(store.as_ref(), &forged)
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        assert!(authenticate(store.as_ref(), "aval_test_0000")
            .await
            .unwrap()
            .is_none());
        assert!(store
            .revoke_api_key(&sandbox.record.id, Utc::now())
            .await
            .unwrap());
        assert!(
            !store
                .revoke_api_key(&sandbox.record.id, Utc::now())
                .await
                .unwrap(),
            "already revoked"
        );
        assert!(
            authenticate(store.as_ref(), s).await.unwrap().is_none(),
            "{backend}: revoked"
        );
        assert!(authenticate(store.as_ref(), live.secret.expose_secret())
            .await
            .unwrap()
            .is_some());
    }
}

#[tokio::test]
async fn an_idempotency_key_is_claimed_once_then_replays_its_answer() {
    use server::store::Idempotency;
    for (backend, store, _dir) in backends().await {
        let now = Utc::now();
        assert_eq!(
            store.idempotency_begin("k1", "a", "h1", now).await.unwrap(),
            Idempotency::New,
            "{backend}"
        );
        assert_eq!(
            store.idempotency_begin("k1", "a", "h1", now).await.unwrap(),
            Idempotency::InProgress
        );
        store
            .idempotency_finish("k1", "a", 201, "{\"id\":1}")
            .await
            .unwrap();
        assert_eq!(
            store.idempotency_begin("k1", "a", "h1", now).await.unwrap(),
            Idempotency::Answered {
                status: 201,
                response: "{\"id\":1}".into()
            },
            "{backend}"
        );
        assert_eq!(
            store.idempotency_begin("k1", "a", "h2", now).await.unwrap(),
            Idempotency::Mismatch
        );
        assert_eq!(
            store.idempotency_begin("k2", "a", "h2", now).await.unwrap(),
            Idempotency::New
        );
    }
}

/// Appends one decision record per case, each opening its case.
async fn append_cases(store: &dyn Store, cases: &[CaseRow]) {
    for c in cases {
        store
            .append_audit(
                NewAuditRecord {
                    case: Some(c.clone()),
                    ..audit_entry(&c.decision_id, "{}")
                },
                &[],
            )
            .await
            .unwrap();
    }
}

fn case_row(
    id: &str,
    siren: &str,
    automated: &str,
    amount_cents: i64,
    at: DateTime<Utc>,
) -> CaseRow {
    CaseRow {
        decision_id: id.to_owned(),
        world: "sandbox".into(),
        siren: siren.into(),
        company_name: Some(format!("Company {siren}")),
        product: "bnpl".into(),
        amount_cents,
        automated_outcome: automated.into(),
        status: if automated == "refer" {
            "in_review"
        } else {
            "decided"
        }
        .into(),
        final_outcome: (automated != "refer").then(|| automated.to_owned()),
        final_limit_cents: (automated != "refer").then_some(amount_cents),
        referrals: if automated == "refer" {
            "uncertain_score,low_coverage"
        } else {
            ""
        }
        .into(),
        score: 480,
        grade: "C".into(),
        probability_of_default: 0.031,
        proposed_limit_cents: amount_cents,
        coverage: 80,
        fraud: 0,
        decided_at: at,
        updated_at: at,
        latency_ms: 20,
        submitted_by: Some(7),
        api_key_id: None,
        external_reference: None,
        claimed_by: None,
        claimed_by_name: None,
        claimed_at: None,
        pending_action: None,
        pending_by: None,
        overridden: false,
        events: 0,
        model_bins: None,
    }
}

fn manager(id: i64) -> Actor {
    Actor {
        user_id: id,
        username: format!("manager{id}"),
        display_name: format!("Manager {id}"),
        role: Role::CreditManager,
    }
}

#[tokio::test]
async fn case_events_are_chained_and_the_case_row_follows_them() {
    let rules = CaseRules {
        four_eyes_above_cents: 5_000_000,
        monitor_every: None,
    };
    // Stored times keep milliseconds.
    let t0 = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap()
        - Duration::hours(3);
    for (backend, store, _dir) in backends().await {
        let cases = [
            case_row("dec_big", "100000009", "refer", 8_000_000, t0),
            case_row(
                "dec_small",
                "200000008",
                "refer",
                300_000,
                t0 + Duration::minutes(1),
            ),
            case_row(
                "dec_auto",
                "100000009",
                "decline",
                100_000,
                t0 + Duration::minutes(2),
            ),
        ];
        append_cases(store.as_ref(), &cases).await;
        assert_eq!(
            store.case("dec_big").await.unwrap().unwrap(),
            cases[0],
            "{backend}"
        );

        // Two managers claim at once: exactly one holds the case.
        let (a, b) = (manager(1), manager(2));
        let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
        let (ra, rb) = tokio::join!(
            cases::act(
                store.as_ref(),
                "dec_big",
                &a,
                &CaseCommand::Claim,
                rules,
                now
            ),
            cases::act(
                store.as_ref(),
                "dec_big",
                &b,
                &CaseCommand::Claim,
                rules,
                now
            ),
        );
        assert!(
            ra.is_ok() != rb.is_ok(),
            "{backend}: exactly one claim wins"
        );
        let (holder, other) = if ra.is_ok() { (a, b) } else { (b, a) };
        let err = cases::act(
            store.as_ref(),
            "dec_big",
            &other,
            &CaseCommand::Claim,
            rules,
            now,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, CaseError::Refused(_)), "{backend}: {err}");

        // The holder approves above the four-eyes amount: held for a second manager.
        let approve = CaseCommand::Decide {
            decision: HumanDecision {
                outcome: HumanOutcome::Approve,
                limit_cents: None,
                category: "guarantee".into(),
                justification: "Personal guarantee of the founder received.".into(),
            },
        };
        let (proposed, _) = cases::act(store.as_ref(), "dec_big", &holder, &approve, rules, now)
            .await
            .unwrap();
        assert_eq!(proposed.status, "awaiting_confirmation", "{backend}");
        let err = cases::act(
            store.as_ref(),
            "dec_big",
            &holder,
            &CaseCommand::Confirm,
            rules,
            now,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, CaseError::Refused(_)), "{backend}: {err}");
        let (confirmed, event) = cases::act(
            store.as_ref(),
            "dec_big",
            &other,
            &CaseCommand::Confirm,
            rules,
            now,
        )
        .await
        .unwrap();
        assert_eq!(confirmed.status, "resolved", "{backend}");
        assert_eq!(confirmed.final_outcome.as_deref(), Some("approve"));
        assert_eq!(
            confirmed.events, 3,
            "{backend}: claim, proposal, confirmation"
        );
        assert_eq!(event.event.kind(), "decision_confirmed");
        assert_eq!(store.case("dec_big").await.unwrap().unwrap(), confirmed);

        // An automated decline overridden by one manager (below the four-eyes amount).
        cases::act(
            store.as_ref(),
            "dec_auto",
            &holder,
            &CaseCommand::Claim,
            rules,
            now,
        )
        .await
        .unwrap();
        cases::act(store.as_ref(), "dec_auto", &holder, &approve, rules, now)
            .await
            .unwrap();
        let err = cases::act(
            store.as_ref(),
            "dec_none",
            &holder,
            &CaseCommand::Claim,
            rules,
            now,
        )
        .await
        .unwrap_err();
        assert!(matches!(err, CaseError::NotFound(_)), "{backend}: {err}");

        // The audit trail holds the decision and every event, in order, and still verifies.
        let records = store.decision_records("dec_big").await.unwrap();
        let kinds: Vec<&str> = records.iter().map(|r| r.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "decision",
                "claimed",
                "decision_proposed",
                "decision_confirmed"
            ],
            "{backend}"
        );
        let report = server::audit::verify(store.as_ref()).await.unwrap();
        assert!(report.intact(), "{backend}: {report:?}");
        assert_eq!(report.records, 3 + 3 + 2, "{backend}");

        // Lists: filters, sorting and pages.
        let list = |f: CaseFilter| {
            let store = store.clone();
            async move {
                store
                    .list_cases(&CaseFilter { per_page: 50, ..f })
                    .await
                    .unwrap()
            }
        };
        let queue = list(CaseFilter {
            statuses: vec!["in_review".into(), "awaiting_confirmation".into()],
            ..Default::default()
        })
        .await;
        assert_eq!(queue.total, 1, "{backend}");
        assert_eq!(queue.cases[0].decision_id, "dec_small");
        let by_siren = list(CaseFilter {
            siren: Some("100000009".into()),
            sort: Some("newest".into()),
            ..Default::default()
        })
        .await;
        let ids: Vec<&str> = by_siren
            .cases
            .iter()
            .map(|c| c.decision_id.as_str())
            .collect();
        assert_eq!(ids, ["dec_auto", "dec_big"], "{backend}");
        let overridden = list(CaseFilter {
            overridden: Some(true),
            ..Default::default()
        })
        .await;
        assert_eq!(overridden.total, 1, "{backend}");
        assert_eq!(overridden.cases[0].decision_id, "dec_auto");
        let referred_for_coverage = list(CaseFilter {
            referral: Some("low_coverage".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(referred_for_coverage.total, 2, "{backend}");
        let none = list(CaseFilter {
            referral: Some("coverage".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(none.total, 0, "{backend}: whole reasons only");
        let window = list(CaseFilter {
            decided_from: Some(t0 + Duration::seconds(30)),
            decided_before: Some(t0 + Duration::seconds(90)),
            outcome: Some("refer".into()),
            ..Default::default()
        })
        .await;
        assert_eq!(window.total, 1, "{backend}");
        let page2 = store
            .list_cases(&CaseFilter {
                per_page: 2,
                page: 2,
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!((page2.total, page2.cases.len()), (3, 1), "{backend}");
        assert_eq!(page2.cases[0].decision_id, "dec_auto");
    }
}

#[tokio::test]
async fn an_engine_version_names_one_content_for_ever() {
    for (backend, store, _dir) in backends().await {
        let version = |content: &str| EngineVersion {
            kind: "policy".into(),
            version: "policy-x".into(),
            sha256: format!("{:0>64}", content.len()),
            content: content.into(),
            registered_at: Utc::now(),
        };
        store.register_engine_version(&version("a")).await.unwrap();
        store.register_engine_version(&version("a")).await.unwrap();
        let err = store
            .register_engine_version(&version("bb"))
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{backend}: {err}");
        let kept = store
            .engine_version("policy", "policy-x")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(kept.content, "a", "{backend}");
        assert!(store
            .engine_version("model", "policy-x")
            .await
            .unwrap()
            .is_none());
        assert_eq!(store.engine_versions().await.unwrap().len(), 1, "{backend}");
    }
}

#[tokio::test]
async fn the_drift_counts_are_added_to_as_decisions_are_recorded_the_same_way_in_both() {
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let today = now.timestamp_millis() / 86_400_000;
    for (backend, store, _dir) in backends().await {
        let mut rows = Vec::new();
        for (i, (bins, at, world)) in [
            (Some("pd-test-2:3u-"), now - Duration::minutes(5), "sandbox"),
            (Some("pd-test-2:3u0"), now - Duration::minutes(4), "sandbox"),
            (Some("pd-test-2:97-"), now - Duration::minutes(3), "sandbox"),
            // Another model, no bins, another world, out of the window: not counted.
            (Some("pd-test-1:999"), now - Duration::minutes(2), "sandbox"),
            (None, now - Duration::minutes(2), "sandbox"),
            (Some("pd-test-2:000"), now - Duration::minutes(1), "live"),
            (Some("pd-test-2:000"), now - Duration::days(40), "sandbox"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut c = case_row(&format!("dr{i}"), "100000009", "approve", 100, at);
            c.model_bins = bins.map(str::to_owned);
            c.world = world.into();
            rows.push(c);
        }
        append_cases(store.as_ref(), &rows).await;
        // A later event about a decision (its case updated) does not count it again.
        store
            .append_audit(
                NewAuditRecord {
                    kind: "claimed".into(),
                    decision_id: rows[0].decision_id.clone(),
                    case: Some(rows[0].clone()),
                    ..audit_entry("ev-dr0", "{}")
                },
                &[],
            )
            .await
            .unwrap();
        let counts = store
            .drift_counts(
                "sandbox",
                now - Duration::days(7),
                now + Duration::seconds(1),
                "pd-test-2",
            )
            .await
            .unwrap();
        let expected: Vec<(i64, i64, String, i64)> = vec![
            (today, 1, "3".into(), 2),
            (today, 1, "9".into(), 1),
            (today, 2, "7".into(), 1),
            (today, 2, "u".into(), 2),
            (today, 3, "-".into(), 2),
            (today, 3, "0".into(), 1),
        ];
        // Decisions made just before midnight fall on the day before: merge the days.
        let mut counts: Vec<(i64, i64, String, i64)> = counts
            .into_iter()
            .map(|(day, p, b, n)| {
                assert!(day == today || day == today - 1, "{backend}: day {day}");
                (today, p, b, n)
            })
            .collect();
        counts.sort();
        let counts: Vec<(i64, i64, String, i64)> =
            counts.into_iter().fold(Vec::new(), |mut acc, row| {
                match acc.last_mut() {
                    Some(last) if last.1 == row.1 && last.2 == row.2 => last.3 += row.3,
                    _ => acc.push(row),
                }
                acc
            });
        assert_eq!(counts, expected, "{backend}");
    }
}

#[tokio::test]
async fn the_dashboard_counts_are_grouped_by_the_database_the_same_way_in_both() {
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    let day = |c: &CaseRow| c.decided_at.timestamp_millis() / 86_400_000;
    for (backend, store, _dir) in backends().await {
        let mut rows = vec![
            case_row(
                "db1",
                "100000009",
                "approve",
                100_000,
                now - Duration::hours(30),
            ),
            case_row(
                "db2",
                "100000009",
                "approve",
                100_000,
                now - Duration::hours(2),
            ),
            case_row(
                "db3",
                "200000008",
                "refer",
                100_000,
                now - Duration::hours(6),
            ),
            case_row(
                "db4",
                "200000008",
                "decline",
                100_000,
                now - Duration::minutes(5),
            ),
            // Outside the window, and in the other world: not counted.
            case_row(
                "db5",
                "200000008",
                "approve",
                100_000,
                now - Duration::days(40),
            ),
            case_row(
                "db6",
                "200000008",
                "approve",
                100_000,
                now - Duration::hours(1),
            ),
        ];
        rows[1].overridden = true;
        rows[1].final_outcome = Some("decline".into());
        rows[3].latency_ms = 350;
        rows[3].score = 149;
        rows[3].product = "factoring".into();
        rows[5].world = "live".into();
        append_cases(store.as_ref(), &rows).await;
        let counts = store
            .dashboard(
                "sandbox",
                now - Duration::days(7),
                now + Duration::seconds(1),
                now,
            )
            .await
            .unwrap();
        let mut by_day = counts.by_day.clone();
        by_day.sort();
        let mut expected = vec![
            (day(&rows[0]), "approve".to_owned(), 1),
            (day(&rows[1]), "approve".to_owned(), 1),
            (day(&rows[2]), "refer".to_owned(), 1),
            (day(&rows[3]), "decline".to_owned(), 1),
        ];
        // Rows on the same day are one group.
        expected.sort();
        let mut merged: Vec<(i64, String, i64)> = Vec::new();
        for (d, o, n) in expected {
            match merged.last_mut() {
                Some(last) if last.0 == d && last.1 == o => last.2 += n,
                _ => merged.push((d, o, n)),
            }
        }
        assert_eq!(by_day, merged, "{backend}");
        let mut by_product = counts.by_product.clone();
        by_product.sort();
        assert_eq!(
            by_product,
            vec![
                ("bnpl".into(), "approve".into(), "approve".into(), false, 1),
                ("bnpl".into(), "approve".into(), "decline".into(), true, 1),
                ("bnpl".into(), "refer".into(), "".into(), false, 1),
                (
                    "factoring".into(),
                    "decline".into(),
                    "decline".into(),
                    false,
                    1
                ),
            ],
            "{backend}"
        );
        let mut latency: Vec<(i64, i64)> =
            counts.latency.iter().map(|(_, ms, n)| (*ms, *n)).collect();
        latency.sort();
        let twenty: i64 = latency
            .iter()
            .filter(|(ms, _)| *ms == 20)
            .map(|(_, n)| n)
            .sum();
        assert_eq!(
            (twenty, latency.last().copied()),
            (3, Some((350, 1))),
            "{backend}"
        );
        let mut scores = counts.scores.clone();
        scores.sort();
        assert_eq!(scores[0], (100, "decline".to_owned(), 1), "{backend}");
        assert_eq!(
            counts.queue_hours,
            vec![(6, 1)],
            "{backend}: the referred case waited 6 h"
        );
    }
}

#[tokio::test]
async fn webhook_endpoints_are_stored_with_their_secret_and_can_be_disabled() {
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    for (backend, store, _dir) in backends().await {
        let endpoint = server::store::WebhookEndpoint {
            id: "wh_1".into(),
            world: "sandbox".into(),
            url: "https://lender.example/hooks".into(),
            event_types: vec!["decision.created".into(), "company.risk_changed".into()],
            secret: server::webhooks::new_secret(),
            enabled: true,
            created_at: now,
            updated_at: now,
            consecutive_failures: 0,
            failing_since: None,
            disabled_reason: None,
        };
        store.create_webhook_endpoint(&endpoint).await.unwrap();
        let again = store.create_webhook_endpoint(&endpoint).await.unwrap_err();
        assert!(
            matches!(again, StoreError::Conflict(_)),
            "{backend}: {again}"
        );
        assert_eq!(
            store.webhook_endpoint("wh_1").await.unwrap(),
            Some(endpoint.clone()),
            "{backend}"
        );
        assert!(store.set_webhook_enabled("wh_1", false, now).await.unwrap());
        assert!(!store
            .set_webhook_enabled("wh_none", false, now)
            .await
            .unwrap());
        let listed = store.webhook_endpoints().await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(!listed[0].enabled, "{backend}");
    }
}

fn endpoint(
    id: &str,
    world: &str,
    events: &[&str],
    now: DateTime<Utc>,
) -> server::store::WebhookEndpoint {
    server::store::WebhookEndpoint {
        id: id.into(),
        world: world.into(),
        url: format!("https://lender.example/{id}"),
        event_types: events.iter().map(|e| (*e).to_owned()).collect(),
        secret: server::webhooks::new_secret(),
        enabled: true,
        created_at: now,
        updated_at: now,
        consecutive_failures: 0,
        failing_since: None,
        disabled_reason: None,
    }
}

#[tokio::test]
async fn events_reach_the_outbox_with_their_record_and_deliveries_follow_their_attempts() {
    use server::store::{AttemptOutcome, DisableRule, WebhookAttempt};
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    for (backend, store, _dir) in backends().await {
        for e in [
            endpoint("wh_created", "sandbox", &["decision.created"], now),
            endpoint("wh_risk", "sandbox", &["company.risk_changed"], now),
            endpoint("wh_live", "live", &["decision.created"], now),
            endpoint(
                "wh_off",
                "sandbox",
                &["decision.created", "decision.updated"],
                now,
            ),
        ] {
            store.create_webhook_endpoint(&e).await.unwrap();
        }
        store
            .set_webhook_enabled("wh_off", false, now)
            .await
            .unwrap();
        let event = server::events::event("decision.created", now, serde_json::json!({"n": 1}));
        let mut record = audit_entry("dec_outbox", "{}");
        record.recorded_at = now;
        record.events = vec![event.clone()];
        store.append_audit(record.clone(), &[]).await.unwrap();
        // Only the enabled endpoint of the record's world subscribed to the type.
        let queued = store.webhook_messages(None, 10).await.unwrap();
        assert_eq!(queued.len(), 1, "{backend}: {queued:?}");
        assert_eq!(queued[0].endpoint_id, "wh_created", "{backend}");
        assert_eq!(queued[0].event_id, event.id);
        assert_eq!(queued[0].body, event.body);
        assert_eq!(queued[0].status, "pending");
        // A refused record queues nothing.
        let refused = store.append_audit(record, &[]).await.unwrap_err();
        assert!(
            matches!(refused, StoreError::Conflict(_)),
            "{backend}: {refused}"
        );
        assert_eq!(
            store.webhook_messages(None, 10).await.unwrap().len(),
            1,
            "{backend}"
        );

        // Taken once until the lease ends.
        let lease = now + Duration::seconds(60);
        let taken = store.claim_webhook_messages(now, lease, 10).await.unwrap();
        assert_eq!(taken.len(), 1, "{backend}");
        assert!(
            store
                .claim_webhook_messages(now, lease, 10)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        let seq = taken[0].seq;
        let attempt = |n: i64, status: Option<i64>, at: DateTime<Utc>| WebhookAttempt {
            message_seq: seq,
            attempt: n,
            at,
            status,
            latency_ms: 12,
            excerpt: "busy".into(),
        };
        let rule = DisableRule {
            after_failures: 3,
            for_ms: 0,
        };
        let retry_at = now + Duration::seconds(5);
        let disabled = store
            .record_webhook_attempt(
                &attempt(1, Some(503), now),
                "wh_created",
                AttemptOutcome::Retry(retry_at),
                rule,
            )
            .await
            .unwrap();
        assert!(!disabled, "{backend}");
        // Not due before its time, due after, even though the lease has not ended.
        assert!(store
            .claim_webhook_messages(now + Duration::seconds(1), lease, 10)
            .await
            .unwrap()
            .is_empty());
        let again = store
            .claim_webhook_messages(retry_at, retry_at + Duration::seconds(60), 10)
            .await
            .unwrap();
        assert_eq!(again.len(), 1, "{backend}");
        assert_eq!(again[0].attempts, 1);
        let failing = store.webhook_endpoint("wh_created").await.unwrap().unwrap();
        assert_eq!(failing.consecutive_failures, 1, "{backend}");
        assert_eq!(failing.failing_since, Some(now), "{backend}");
        store
            .record_webhook_attempt(
                &attempt(2, None, retry_at),
                "wh_created",
                AttemptOutcome::Dead,
                rule,
            )
            .await
            .unwrap();
        let dead = store.webhook_message(seq).await.unwrap().unwrap();
        assert_eq!(
            (dead.status.as_str(), dead.attempts, dead.last_status),
            ("dead", 2, None),
            "{backend}"
        );
        assert!(store
            .claim_webhook_messages(retry_at + Duration::hours(99), lease, 10)
            .await
            .unwrap()
            .is_empty());
        // Redelivery queues it again; a 2xx delivers it and clears the endpoint's failures.
        let later = retry_at + Duration::seconds(10);
        assert!(
            store.redeliver_webhook(seq, later).await.unwrap(),
            "{backend}"
        );
        assert!(
            !store.redeliver_webhook(seq, later).await.unwrap(),
            "still pending"
        );
        assert_eq!(
            store
                .claim_webhook_messages(later, later + Duration::seconds(60), 10)
                .await
                .unwrap()
                .len(),
            1
        );
        store
            .record_webhook_attempt(
                &attempt(3, Some(204), later),
                "wh_created",
                AttemptOutcome::Delivered,
                rule,
            )
            .await
            .unwrap();
        let delivered = store.webhook_message(seq).await.unwrap().unwrap();
        assert_eq!(
            (delivered.status.as_str(), delivered.attempts),
            ("delivered", 3),
            "{backend}"
        );
        let attempts = store.webhook_attempts(seq).await.unwrap();
        assert_eq!(
            attempts.iter().map(|a| a.status).collect::<Vec<_>>(),
            vec![Some(503), None, Some(204)],
            "{backend}"
        );
        let healthy = store.webhook_endpoint("wh_created").await.unwrap().unwrap();
        assert_eq!(
            (healthy.consecutive_failures, healthy.failing_since),
            (0, None),
            "{backend}"
        );

        // Three failures in a row disable the endpoint, with the reason; enabling clears it.
        for n in 4..=6 {
            let disabled = store
                .record_webhook_attempt(
                    &attempt(n, Some(500), later),
                    "wh_created",
                    AttemptOutcome::Retry(later),
                    rule,
                )
                .await
                .unwrap();
            assert_eq!(disabled, n == 6, "{backend}: attempt {n}");
        }
        let off = store.webhook_endpoint("wh_created").await.unwrap().unwrap();
        assert!(!off.enabled, "{backend}");
        assert!(
            off.disabled_reason
                .as_deref()
                .unwrap()
                .contains("3 failed attempts"),
            "{backend}"
        );
        // A disabled endpoint's messages wait.
        assert!(
            store
                .claim_webhook_messages(later, lease, 10)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        store
            .set_webhook_enabled("wh_created", true, later)
            .await
            .unwrap();
        let on = store.webhook_endpoint("wh_created").await.unwrap().unwrap();
        assert_eq!(
            (on.enabled, on.consecutive_failures, on.disabled_reason),
            (true, 0, None),
            "{backend}"
        );
        assert_eq!(
            store
                .claim_webhook_messages(later, later + Duration::seconds(60), 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn grants_enrol_companies_and_checks_are_leased_and_recorded() {
    use server::store::{MonitoringWrite, SandboxCondition};
    let now = DateTime::from_timestamp_millis(Utc::now().timestamp_millis()).unwrap();
    for (backend, store, _dir) in backends().await {
        let mut record = audit_entry("dec_grant", "{}");
        record.monitoring = Some(MonitoringWrite::Enrol {
            world: "sandbox".into(),
            siren: "100000009".into(),
            decision_id: "dec_grant".into(),
            granted_limit_cents: 1_000_000,
            at: now,
            next_check: now + Duration::hours(24),
        });
        store.append_audit(record, &[]).await.unwrap();
        let listed = store.monitored_companies("sandbox", 10).await.unwrap();
        assert_eq!(listed.len(), 1, "{backend}");
        assert_eq!(listed[0].granted_limit_cents, 1_000_000);
        assert!(store
            .monitored_companies("live", 10)
            .await
            .unwrap()
            .is_empty());
        // Not due yet; "check now" makes it due, and a claim holds it for the lease.
        assert!(
            store
                .claim_monitoring(now, now + Duration::minutes(5), 10)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        assert!(store
            .check_monitoring_now("sandbox", "100000009", now)
            .await
            .unwrap());
        assert!(!store
            .check_monitoring_now("sandbox", "999999999", now)
            .await
            .unwrap());
        let due = store
            .claim_monitoring(now, now + Duration::minutes(5), 10)
            .await
            .unwrap();
        assert_eq!(due.len(), 1, "{backend}");
        assert!(store
            .claim_monitoring(now, now + Duration::minutes(5), 10)
            .await
            .unwrap()
            .is_empty());
        // After a crash the lease runs out and it is taken again.
        let after = now + Duration::minutes(6);
        assert_eq!(
            store
                .claim_monitoring(after, after + Duration::minutes(5), 10)
                .await
                .unwrap()
                .len(),
            1
        );
        store
            .finish_monitoring_check(
                "sandbox",
                &MonitoringWrite::Checked {
                    world: "sandbox".into(),
                    siren: "100000009".into(),
                    result: "source_failed".into(),
                    decision_id: None,
                    at: after,
                    next_check: after + Duration::hours(1),
                },
                &[],
            )
            .await
            .unwrap();
        let checked = &store.monitored_companies("sandbox", 10).await.unwrap()[0];
        assert_eq!(
            checked.last_result.as_deref(),
            Some("source_failed"),
            "{backend}"
        );
        assert_eq!(checked.last_checked, Some(after));
        assert_eq!(checked.next_check, after + Duration::hours(1));
        assert!(store
            .claim_monitoring(after, after + Duration::minutes(5), 10)
            .await
            .unwrap()
            .is_empty());

        let condition = SandboxCondition {
            siren: "100000009".into(),
            kind: "proceeding".into(),
            since: now,
        };
        store.set_sandbox_condition(&condition).await.unwrap();
        store
            .set_sandbox_condition(&SandboxCondition {
                since: after,
                ..condition.clone()
            })
            .await
            .unwrap();
        assert_eq!(
            store.sandbox_conditions().await.unwrap(),
            vec![condition],
            "{backend}: first moment kept"
        );

        // A decline withdraws the grant it is about, and only that one.
        for (id, about, left) in [("evt_w1", "dec_other", 1), ("evt_w2", "dec_grant", 0)] {
            let mut record = audit_entry(id, "{}");
            record.kind = "human_decision".into();
            record.decision_id = "dec_grant".into();
            record.monitoring = Some(MonitoringWrite::Withdraw {
                world: "sandbox".into(),
                siren: "100000009".into(),
                decision_id: about.into(),
            });
            store.append_audit(record, &[]).await.unwrap();
            assert_eq!(
                store
                    .monitored_companies("sandbox", 10)
                    .await
                    .unwrap()
                    .len(),
                left,
                "{backend}: {about}"
            );
        }
    }
}

//! The storage contract. Each check takes a `Store` and nothing backend-specific, so the same
//! checks run against every backend: `backends()` lists them.

use app::model::Role;
use chrono::{DateTime, Duration, Utc};
use server::auth::password::PasswordHash;
use server::store::postgres::PostgresStore;
use server::store::sqlite::SqliteStore;
use server::store::{CreditHistoryEntry, FailureKey, NewUser, Store, StoreError};
use std::sync::Arc;
use tempfile::TempDir;

/// Every storage backend under test, each on a fresh database.
async fn backends() -> Vec<(&'static str, Arc<dyn Store>, TempDir)> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("store.db").display());
    let sqlite = SqliteStore::connect(&url).await.unwrap();
    let postgres = PostgresStore::connect(&crate::helpers::fresh_postgres_url().await)
        .await
        .unwrap();
    vec![
        ("sqlite", Arc::new(sqlite), dir),
        ("postgres", Arc::new(postgres), tempfile::tempdir().unwrap()),
    ]
}

fn new_user(username: &str, role: Role) -> NewUser {
    NewUser {
        username: username.to_owned(),
        display_name: format!("{username} name"),
        role,
        password_hash: PasswordHash::from_stored("$argon2id$v=19$stub".to_owned()),
        is_demo: false,
    }
}

#[tokio::test]
async fn a_created_user_is_found_by_id_and_by_username() {
    for (backend, store, _dir) in backends().await {
        let now = Utc::now();
        let created = store
            .create_user(new_user("ana", Role::Auditor), now)
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
            .create_user(new_user("ana", Role::Auditor), Utc::now())
            .await
            .unwrap();
        let err = store
            .create_user(new_user("ana", Role::Admin), Utc::now())
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
            .create_user(new_user("Upper", Role::Admin), Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Database(_)), "{backend}: {err}");
    }
}

#[tokio::test]
async fn deactivation_sign_in_time_and_role_counts_are_stored() {
    for (backend, store, _dir) in backends().await {
        let a = store
            .create_user(new_user("a1", Role::SalesRep), Utc::now())
            .await
            .unwrap();
        store
            .create_user(new_user("a2", Role::SalesRep), Utc::now())
            .await
            .unwrap();
        store
            .create_user(new_user("a3", Role::Admin), Utc::now())
            .await
            .unwrap();
        store.set_user_active(a.id, false).await.unwrap();
        let at = Utc::now();
        store.record_sign_in(a.id, at).await.unwrap();
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

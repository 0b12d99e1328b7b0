//! API keys for the lenders' systems. A key is `aval_test_…` (sandbox) or `aval_live_…` (live)
//! followed by 32 random hexadecimal characters; only its SHA-256 is stored, so it is shown
//! once, when created. Each key is bound to its world.

use crate::sources::World;
use crate::store::{ApiKeyRecord, Keys, StoreResult};
pub use app::model::ApiScope;
use chrono::{DateTime, Utc};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

pub const SANDBOX_PREFIX: &str = "aval_test_";
pub const LIVE_PREFIX: &str = "aval_live_";

/// A key as created: the secret (to show once) and its stored record.
pub struct CreatedKey {
    pub secret: SecretString,
    pub record: ApiKeyRecord,
}

pub fn hash(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// Creates and stores a key for `world` holding every scope.
pub async fn create(
    store: &dyn Keys,
    world: World,
    name: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<CreatedKey> {
    create_scoped(store, world, name, &ApiScope::ALL, now).await
}

/// Creates and stores a key for `world` holding `scopes` (at least one).
pub async fn create_scoped(
    store: &dyn Keys,
    world: World,
    name: &str,
    scopes: &[ApiScope],
    now: DateTime<Utc>,
) -> anyhow::Result<CreatedKey> {
    anyhow::ensure!(!scopes.is_empty(), "a key holds at least one scope");
    let mut scopes = scopes.to_vec();
    scopes.sort();
    scopes.dedup();
    let name = name.trim();
    anyhow::ensure!(
        (1..=100).contains(&name.chars().count()),
        "the key name must have 1 to 100 characters"
    );
    let prefix = match world {
        World::Sandbox => SANDBOX_PREFIX,
        World::Live => LIVE_PREFIX,
    };
    let secret = format!("{prefix}{}", uuid::Uuid::new_v4().simple());
    let record = ApiKeyRecord {
        id: format!("key_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]),
        name: name.to_owned(),
        mode: world.as_str().to_owned(),
        key_hash: hash(&secret),
        display_prefix: secret[..prefix.len() + 6].to_owned(),
        created_at: now,
        revoked_at: None,
        scopes,
    };
    store.create_api_key(&record).await?;
    Ok(CreatedKey {
        secret: SecretString::from(secret),
        record,
    })
}

/// The active key presented, and its world; `None` for an unknown or revoked key.
pub async fn authenticate(
    store: &dyn Keys,
    presented: &str,
) -> StoreResult<Option<(ApiKeyRecord, World)>> {
    let world = if presented.starts_with(SANDBOX_PREFIX) {
        World::Sandbox
    } else if presented.starts_with(LIVE_PREFIX) {
        World::Live
    } else {
        return Ok(None);
    };
    let Some(record) = store.api_key_by_hash(&hash(presented)).await? else {
        return Ok(None);
    };
    // The prefix and the stored mode must agree: a key never crosses worlds.
    let active = record.revoked_at.is_none() && record.mode == world.as_str();
    Ok(active.then_some((record, world)))
}

/// On a first start (no key at all), creates one sandbox key and returns it to be printed.
pub async fn first_sandbox_key(store: &dyn Keys) -> anyhow::Result<Option<String>> {
    if !store.list_api_keys().await?.is_empty() {
        return Ok(None);
    }
    let key = create(
        store,
        World::Sandbox,
        "Sandbox key created at first start",
        Utc::now(),
    )
    .await?;
    Ok(Some(key.secret.expose_secret().to_owned()))
}

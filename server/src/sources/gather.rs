//! Gathering: every source of the request's world fetched concurrently under one deadline, each
//! with its own timeout; answers reused from a short-lived cache; a late or failing source is
//! recorded as missing with its reason and lowers data coverage. Gathering never fails.

use super::{
    Fetched, Snapshot, Source, SourceError, SourceId, SourceOutcome, SourceRequest, World,
};
use crate::config::SourcesSettings;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::time::Instant;

/// The result of one gathering: the raw snapshots and what happened to each source.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Gathering {
    /// The request as the sources saw it (in the sandbox, with the implied bank connection and
    /// accounting file filled in).
    pub request: SourceRequest,
    pub snapshots: Vec<Snapshot>,
    pub outcomes: Vec<SourceOutcome>,
    /// Share of the sources' weight that answered, 0–100.
    pub coverage: u32,
    pub elapsed_ms: u64,
    pub deadline_ms: u64,
}

impl Gathering {
    pub fn outcome(&self, source: SourceId) -> Option<&SourceOutcome> {
        self.outcomes.iter().find(|o| o.source == source)
    }
    pub fn answered(&self, source: SourceId) -> bool {
        self.outcome(source).is_some_and(|o| o.missing.is_none())
    }
    /// Each source that gave nothing, with why, as a decision records it.
    pub fn missing_sources(&self) -> Vec<(SourceId, String)> {
        self.outcomes
            .iter()
            .filter_map(|o| o.missing.as_ref().map(|m| (o.source, m.to_string())))
            .collect()
    }
}

/// Data coverage: the weights of the sources that answered, out of 100. A source the request
/// did not ask for (no bank connection, no accounting file) counts as missing: the decision
/// knows less.
pub fn coverage(outcomes: &[SourceOutcome]) -> u32 {
    outcomes
        .iter()
        .filter(|o| o.missing.is_none())
        .map(|o| o.source.coverage_weight())
        .sum()
}

type CacheKey = (World, SourceId, String);

struct CacheEntry {
    stored: Instant,
    snapshots: Vec<Snapshot>,
}

/// Recent successful answers, per source, for the source's time-to-live.
#[derive(Default)]
pub struct Cache {
    ttl: HashMap<SourceId, Duration>,
    entries: Mutex<HashMap<CacheKey, CacheEntry>>,
}

/// Entries kept at most; expired ones are dropped first.
const CACHE_CAPACITY: usize = 10_000;

impl Cache {
    pub fn new(ttl: HashMap<SourceId, Duration>) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn key(source: SourceId, request: &SourceRequest) -> CacheKey {
        let discriminant = match source {
            SourceId::OpenBanking => format!(
                "{}|{}",
                request.siren,
                request
                    .bank_connection
                    .as_ref()
                    .map(|c| c.consent_id.as_str())
                    .unwrap_or("")
            ),
            SourceId::Accounting => format!(
                "{}|{}",
                request.siren,
                request.accounting_ref.as_deref().unwrap_or("")
            ),
            _ => request.siren.to_string(),
        };
        (request.world, source, discriminant)
    }

    fn get(&self, source: SourceId, request: &SourceRequest) -> Option<Vec<Snapshot>> {
        let ttl = *self.ttl.get(&source)?;
        let entries = self.entries.lock().ok()?;
        let entry = entries.get(&Self::key(source, request))?;
        (entry.stored.elapsed() < ttl).then(|| entry.snapshots.clone())
    }

    fn put(&self, source: SourceId, request: &SourceRequest, snapshots: &[Snapshot]) {
        let Some(ttl) = self.ttl.get(&source).copied().filter(|t| !t.is_zero()) else {
            return;
        };
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        if entries.len() >= CACHE_CAPACITY {
            entries.retain(|_, e| e.stored.elapsed() < ttl);
            if entries.len() >= CACHE_CAPACITY {
                entries.clear();
            }
        }
        entries.insert(
            Self::key(source, request),
            CacheEntry {
                stored: Instant::now(),
                // Kept compressed only: the cache holds up to CACHE_CAPACITY answers.
                snapshots: snapshots
                    .iter()
                    .map(|s| Snapshot {
                        captured: Default::default(),
                        ..s.clone()
                    })
                    .collect(),
            },
        );
    }
}

/// The sources of both worlds and the rules of a gathering.
pub struct Gatherer {
    sandbox: Vec<Arc<dyn Source>>,
    live: Vec<Arc<dyn Source>>,
    deadline: Duration,
    timeouts: HashMap<SourceId, Duration>,
    cache: Cache,
}

impl Gatherer {
    pub fn new(
        settings: &SourcesSettings,
        sandbox: Vec<Arc<dyn Source>>,
        live: Vec<Arc<dyn Source>>,
    ) -> Self {
        let ms = Duration::from_millis;
        let filed = settings.filed_accounts.live();
        let remote = [
            (SourceId::SireneUnit, &settings.sirene),
            (SourceId::SireneEstablishments, &settings.sirene),
            (SourceId::Bodacc, &settings.bodacc),
            (SourceId::OpenBanking, &settings.open_banking),
            (SourceId::Accounting, &settings.accounting),
            (SourceId::FiledAccounts, &filed),
        ];
        Self {
            sandbox,
            live,
            deadline: ms(settings.deadline_ms),
            timeouts: remote
                .iter()
                .map(|(id, s)| (*id, ms(s.timeout_ms)))
                .collect(),
            cache: Cache::new(
                remote
                    .iter()
                    .map(|(id, s)| (*id, Duration::from_secs(s.cache_ttl_seconds)))
                    .collect(),
            ),
        }
    }

    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// Fetches every source of the request's world at once and waits at most the deadline.
    pub async fn gather(&self, request: &SourceRequest) -> Gathering {
        self.gather_with(request, false).await
    }

    /// Like [`Gatherer::gather`]; `fresh` asks every source again instead of reusing a cached
    /// answer (monitoring: the point is to see what changed).
    pub async fn gather_with(&self, request: &SourceRequest, fresh: bool) -> Gathering {
        let started = Instant::now();
        let (request, _held) = match request.world {
            World::Sandbox => {
                let (implied, company) = super::sandbox::implied_request(request);
                (implied, Some(company))
            }
            World::Live => (request.clone(), None),
        };
        let request = &request;
        let deadline = started + self.deadline;
        let sources = match request.world {
            World::Sandbox => &self.sandbox,
            World::Live => &self.live,
        };
        let tasks = sources.iter().map(|source| {
            let source = Arc::clone(source);
            async move {
                let id = source.id();
                if let Some(snapshots) = (!fresh).then(|| self.cache.get(id, request)).flatten() {
                    return (source, snapshots, None, 0, true);
                }
                let own = self
                    .timeouts
                    .get(&id)
                    .map(|t| (Instant::now() + *t).min(deadline))
                    .unwrap_or(deadline);
                let begun = Instant::now();
                let fetched = match tokio::time::timeout_at(own, source.fetch(request, own)).await {
                    Ok(f) => f,
                    Err(_) => Fetched::failed(SourceError::Timeout {
                        after_ms: millis(begun.elapsed()),
                    }),
                };
                let latency = millis(begun.elapsed());
                if fetched.error.is_none() {
                    self.cache.put(id, request, &fetched.snapshots);
                }
                (source, fetched.snapshots, fetched.error, latency, false)
            }
        });
        let results = futures::future::join_all(tasks).await;
        let mut snapshots = Vec::new();
        let mut outcomes = Vec::new();
        for (source, snaps, error, latency_ms, from_cache) in results {
            outcomes.push(SourceOutcome {
                source: source.id(),
                provider: source.provider().to_owned(),
                missing: error,
                latency_ms,
                from_cache,
                snapshots: snaps.iter().map(|s| s.sha256.clone()).collect(),
            });
            snapshots.extend(snaps);
        }
        outcomes.sort_by_key(|o| o.source);
        Gathering {
            request: request.clone(),
            coverage: coverage(&outcomes),
            snapshots,
            outcomes,
            elapsed_ms: millis(started.elapsed()),
            deadline_ms: millis(self.deadline),
        }
    }

    /// Asks one source of the request's world (through the cache), within the deadline: for
    /// previews such as the company's name while an application is typed.
    pub async fn fetch_one(&self, request: &SourceRequest, id: SourceId) -> Fetched {
        let sources = match request.world {
            World::Sandbox => &self.sandbox,
            World::Live => &self.live,
        };
        let Some(source) = sources.iter().find(|s| s.id() == id) else {
            return Fetched::failed(SourceError::NotRequested {
                reason: format!("no {} source in this world", id.as_str()),
            });
        };
        if let Some(snapshots) = self.cache.get(id, request) {
            return Fetched::ok(snapshots);
        }
        let until = Instant::now() + self.timeouts.get(&id).copied().unwrap_or(self.deadline);
        let fetched = match tokio::time::timeout_at(until, source.fetch(request, until)).await {
            Ok(f) => f,
            Err(_) => Fetched::failed(SourceError::Timeout {
                after_ms: millis(self.deadline),
            }),
        };
        if fetched.error.is_none() {
            self.cache.put(id, request, &fetched.snapshots);
        }
        fetched
    }

    /// Per-source latency summary of a gathering, for logs.
    pub fn summary(gathering: &Gathering) -> BTreeMap<&'static str, String> {
        gathering
            .outcomes
            .iter()
            .map(|o| {
                let state = match &o.missing {
                    None if o.from_cache => "cached".to_owned(),
                    None => format!("{} ms", o.latency_ms),
                    Some(e) => format!("missing: {e}"),
                };
                (o.source.as_str(), state)
            })
            .collect()
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

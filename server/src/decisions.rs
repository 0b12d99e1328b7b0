//! Deciding and recording: gather the sources, run the engine, and write the decision to the
//! audit trail (with its snapshots and the lender's credit-history row, in one transaction)
//! before anyone is told the result. Replay re-runs a recorded decision from its stored
//! snapshots and reports whether the result is identical.

use crate::engine::model::Model;
use crate::engine::policy::Policy;
use crate::engine::{self, Decision, DecisionInput, Outcome, Product};
use crate::sources::facts::Facts;
use crate::sources::gather::Gatherer;
use crate::sources::{Snapshot, SourceRequest, World};
use crate::store::{
    Assessment, CaseRow, CreditHistoryEntry, EngineVersion, LineWrite, MonitoringWrite,
    NewAuditRecord, OutboxEvent, SnapshotBody, Store, StoreError,
};
use app::ids::Siren;
use aval_core::record::ReasonText;
use aval_core::vocabulary::{LineActor, LineChange};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::sync::Arc;

use crate::record::Origin;
pub use crate::record::{DecisionRequest, Latency, RecordedDecision, SnapshotMeta};

#[derive(Debug, thiserror::Error)]
pub enum DecisionError {
    #[error("storage failed: {0}")]
    Store(#[from] StoreError),
    #[error("decision {0} not found")]
    NotFound(String),
    #[error("the recorded decision cannot be read: {0}")]
    Corrupt(String),
    #[error("{what} version {version} is not available to replay")]
    VersionUnavailable { what: &'static str, version: String },
}

/// A model and a policy, built from the exact texts the version registry keeps.
pub struct Engine {
    pub model: Arc<Model>,
    pub policy: Arc<Policy>,
    model_source: Arc<str>,
    policy_source: Arc<str>,
    /// The registry entries, hashed once.
    entries: [EngineVersion; 2],
}

impl Engine {
    /// Builds an engine from a model file and a policy document.
    pub fn from_sources(model_json: &str, policy_toml: &str) -> Result<Engine, String> {
        let model = Model::from_json(model_json).map_err(|e| format!("model: {e}"))?;
        let policy = Policy::from_toml(policy_toml).map_err(|e| format!("policy: {e}"))?;
        let entry = |kind: &str, version: &str, content: &str| EngineVersion {
            kind: kind.to_owned(),
            version: version.to_owned(),
            sha256: hex::encode(Sha256::digest(content.as_bytes())),
            content: content.to_owned(),
            registered_at: Utc::now(),
        };
        let entries = [
            entry("model", model.version(), model_json),
            entry("policy", &policy.version, policy_toml),
        ];
        Ok(Engine {
            model: Arc::new(model),
            policy: Arc::new(policy),
            model_source: model_json.into(),
            policy_source: policy_toml.into(),
            entries,
        })
    }

    /// The model and policy in force, built once (the policy is parsed and validated once).
    pub fn current() -> &'static Engine {
        static CURRENT: std::sync::OnceLock<Engine> = std::sync::OnceLock::new();
        CURRENT.get_or_init(|| {
            // Both texts are embedded and checked by tests: failing here is a build defect.
            Engine::from_sources(
                crate::engine::model::COMMITTED_JSON,
                crate::engine::policy::DEFAULT_POLICY,
            )
            .expect("the embedded model and policy are valid")
        })
    }

    pub fn model_version(&self) -> &str {
        self.model.version()
    }

    /// Keeps this engine's model and policy in the registry (once per store and version). A
    /// version already registered with other content is refused: a version names one content.
    pub async fn register(&self, store: &dyn Store) -> Result<(), DecisionError> {
        for entry in &self.entries {
            store.register_engine_version(entry).await?;
        }
        Ok(())
    }

    /// The engine with a recorded decision's model and policy: this one when they match,
    /// otherwise rebuilt from the registry.
    pub async fn for_versions(
        &self,
        store: &dyn Store,
        versions: &engine::Versions,
    ) -> Result<Option<Engine>, DecisionError> {
        if self.model.version() == versions.model && self.policy.version == versions.policy {
            return Ok(None);
        }
        let fetch = |kind: &'static str, version: String| async move {
            store
                .engine_version(kind, &version)
                .await?
                .map(|v| v.content)
                .ok_or(DecisionError::VersionUnavailable {
                    what: kind,
                    version,
                })
        };
        let model = if self.model.version() == versions.model {
            self.model_source.to_string()
        } else {
            fetch("model", versions.model.clone()).await?
        };
        let policy = if self.policy.version == versions.policy {
            self.policy_source.to_string()
        } else {
            fetch("policy", versions.policy.clone()).await?
        };
        Engine::from_sources(&model, &policy)
            .map(Some)
            .map_err(DecisionError::Corrupt)
    }
}

fn source_request(
    world: World,
    siren: &Siren,
    r: &DecisionRequest,
    at: DateTime<Utc>,
) -> SourceRequest {
    SourceRequest {
        world,
        siren: siren.clone(),
        bank_connection: r.bank_connection.clone(),
        accounting_ref: r.accounting_ref.clone(),
        iban: r.iban.clone(),
        as_of: at,
    }
}

fn millis(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

fn body_of(s: &Snapshot) -> SnapshotBody {
    SnapshotBody {
        sha256: s.sha256.clone(),
        size: i64::try_from(s.size).unwrap_or(i64::MAX),
        compressed: s.compressed.clone(),
    }
}

/// Decides and records durably; returns only once the record is committed. The company is not
/// enrolled in monitoring (see [`decide_with`]).
pub async fn decide(
    gatherer: &Gatherer,
    store: &Arc<dyn Store>,
    engine: &Engine,
    request: DecisionRequest,
    origin: Origin,
    now: DateTime<Utc>,
) -> Result<RecordedDecision, DecisionError> {
    decide_with(gatherer, store, engine, request, origin, now, None).await
}

/// Decides and records durably, with the `decision.created` event for webhooks; an approval
/// enrols the company in monitoring, first checked `monitor_every` later (when given).
pub async fn decide_with(
    gatherer: &Gatherer,
    store: &Arc<dyn Store>,
    engine: &Engine,
    request: DecisionRequest,
    origin: Origin,
    now: DateTime<Utc>,
    monitor_every: Option<chrono::Duration>,
) -> Result<RecordedDecision, DecisionError> {
    engine.register(store.as_ref()).await?;
    let evaluated = evaluate(gatherer, engine, request, origin, now, false).await;
    let case = aval_core::case::Case::opened_by(
        &evaluated.recorded,
        evaluated.company_name.clone(),
        &evaluated.recorded.origin,
    );
    let r = &evaluated.recorded;
    let monitoring = match (monitor_every, r.decision.outcome) {
        (Some(every), Outcome::Approve) => Some(MonitoringWrite::Enrol {
            world: r.request.world.as_str().to_owned(),
            siren: r.request.siren.to_string(),
            decision_id: r.id.clone(),
            // What the lender extends: the amount asked (the policy may allow more).
            granted_limit_cents: r
                .decision
                .requested_cents
                .min(r.decision.proposed_limit_cents),
            at: now,
            next_check: now + every,
        }),
        _ => None,
    };
    let events = vec![crate::events::decision_created(r, &case)];
    let lines: Vec<LineWrite> = grant_line(r).into_iter().collect();
    let case = CaseRow::from(&case);
    record(
        store,
        evaluated,
        Some(case),
        events,
        monitoring,
        lines,
        true,
    )
    .await
}

/// The line an automated approval opens (or sets again): the amount granted for a purchase or
/// an advance; for a credit-line increase, the credit line raised by the increase.
pub fn grant_line(r: &RecordedDecision) -> Option<LineWrite> {
    if r.decision.outcome != Outcome::Approve {
        return None;
    }
    let app = &r.request.application;
    let granted = r
        .decision
        .requested_cents
        .min(r.decision.proposed_limit_cents);
    let (change, limit) = match app.product {
        Product::CreditLineIncrease => (
            LineChange::Increased,
            app.current_limit_cents.unwrap_or(0).saturating_add(granted),
        ),
        _ => (LineChange::Granted, granted),
    };
    Some(LineWrite {
        world: r.request.world.as_str().to_owned(),
        siren: r.request.siren.to_string(),
        product: app.product,
        expected_version: None,
        change,
        limit_cents: limit,
        by: LineActor::Engine,
        by_user_id: None,
        by_name: None,
        decision_id: r.id.clone(),
        grant_grade: Some(r.decision.grade.clone()),
        at: r.decided_at,
        reasons: r
            .decision
            .reasons
            .iter()
            .take(4)
            .map(ReasonText::from)
            .collect(),
    })
}

/// A decision made but not yet recorded.
pub struct Evaluated {
    pub recorded: RecordedDecision,
    pub company_name: Option<String>,
    bodies: Vec<SnapshotBody>,
    input: DecisionInput,
}

impl Evaluated {
    /// The engine's decision on the same sources for another application (a monitoring check
    /// deciding the increase of a line).
    pub fn decide_for(&self, engine: &Engine, application: &engine::Application) -> Decision {
        let mut input = self.input.clone();
        input.application = application.clone();
        if application.product != Product::Factoring {
            input.debtor_facts = None;
        }
        engine::decide(&input, engine.model.as_ref(), &engine.policy)
    }

    /// Records `decision` (from [`Evaluated::decide_for`]) instead: the same sources, the other
    /// application, replayable like any decision.
    pub fn with_decision(mut self, application: engine::Application, decision: Decision) -> Self {
        if application.product != Product::Factoring {
            self.recorded.debtor_source_request = None;
            self.recorded.debtor_snapshots = Vec::new();
        }
        self.input.application = application.clone();
        self.recorded.request.application = application;
        self.recorded.decision = decision;
        self
    }
}

/// Gathers the sources (`fresh`: none from the cache) and runs the engine; records nothing.
pub async fn evaluate(
    gatherer: &Gatherer,
    engine: &Engine,
    request: DecisionRequest,
    origin: Origin,
    now: DateTime<Utc>,
    fresh: bool,
) -> Evaluated {
    let started = std::time::Instant::now();
    let id = format!("dec_{}", uuid::Uuid::new_v4().simple());
    let main = source_request(request.world, &request.siren, &request, now);
    let debtor_request = match (request.application.product, &request.debtor_siren) {
        (Product::Factoring, Some(debtor)) => Some(SourceRequest {
            bank_connection: None,
            accounting_ref: None,
            iban: None,
            ..source_request(request.world, debtor, &request, now)
        }),
        _ => None,
    };
    let (gathering, debtor) = tokio::join!(gatherer.gather_with(&main, fresh), async {
        match &debtor_request {
            Some(r) => Some(gatherer.gather_with(r, fresh).await),
            None => None,
        }
    });
    let gathering_ms = millis(started.elapsed());
    let engine_started = std::time::Instant::now();
    let facts = Facts::from_snapshots(&gathering.request, &gathering.snapshots);
    let company_name = facts.legal_unit.as_ref().map(|u| u.name.clone());
    let debtor_facts = debtor
        .as_ref()
        .map(|d| Facts::from_snapshots(&d.request, &d.snapshots));
    let input = DecisionInput {
        application: request.application.clone(),
        facts,
        debtor_facts,
        coverage: gathering.coverage,
        missing_sources: gathering.missing_sources(),
        decided_at: now,
    };
    let decision = engine::decide(&input, engine.model.as_ref(), &engine.policy);
    let engine_us = u64::try_from(engine_started.elapsed().as_micros()).unwrap_or(u64::MAX);
    let mut bodies: Vec<SnapshotBody> = gathering.snapshots.iter().map(body_of).collect();
    if let Some(d) = &debtor {
        bodies.extend(d.snapshots.iter().map(body_of));
    }
    bodies.sort_by(|a, b| a.sha256.cmp(&b.sha256));
    bodies.dedup_by(|a, b| a.sha256 == b.sha256);
    let recorded = RecordedDecision {
        id: id.clone(),
        decided_at: now,
        source_request: gathering.request.clone(),
        sources: gathering.outcomes.clone(),
        snapshots: gathering.snapshots.iter().map(SnapshotMeta::of).collect(),
        debtor_source_request: debtor.as_ref().map(|d| d.request.clone()),
        debtor_snapshots: debtor
            .as_ref()
            .map(|d| d.snapshots.iter().map(SnapshotMeta::of).collect())
            .unwrap_or_default(),
        request,
        decision,
        latency: Latency {
            gathering_ms,
            engine_us,
            total_ms: millis(started.elapsed()),
        },
        origin,
    };
    Evaluated {
        recorded,
        company_name,
        bodies,
        input,
    }
}

/// Writes a decision to the audit trail with its snapshots, and in the same transaction its
/// case (if any), its webhook events, its monitoring change, its credit-line changes, its
/// assessment and, when `history`, the lender's credit-history row.
pub async fn record(
    store: &Arc<dyn Store>,
    evaluated: Evaluated,
    case: Option<CaseRow>,
    events: Vec<OutboxEvent>,
    monitoring: Option<MonitoringWrite>,
    lines: Vec<LineWrite>,
    history: bool,
) -> Result<RecordedDecision, DecisionError> {
    let Evaluated {
        recorded, bodies, ..
    } = evaluated;
    let id = recorded.id.clone();
    let now = recorded.decided_at;
    let payload =
        serde_json::to_string(&recorded).map_err(|e| DecisionError::Corrupt(e.to_string()))?;
    let outcome = recorded.decision.outcome.as_str();
    let entry = CreditHistoryEntry {
        id: id.clone(),
        world: recorded.request.world.as_str().to_owned(),
        siren: recorded.request.siren.to_string(),
        product: recorded.request.application.product.as_str().to_owned(),
        amount_cents: recorded.request.application.amount_cents,
        outcome: outcome.to_owned(),
        outstanding_cents: if recorded.decision.outcome == Outcome::Approve {
            recorded.request.application.amount_cents
        } else {
            0
        },
        received_at: now,
    };
    store
        .append_audit(
            NewAuditRecord {
                id: id.clone(),
                kind: "decision".into(),
                decision_id: id,
                world: recorded.request.world.as_str().to_owned(),
                recorded_at: now,
                payload,
                history: history.then_some(entry),
                case,
                events,
                monitoring,
                lines,
                assessment: Some(assessment_of(&recorded)),
            },
            &bodies,
        )
        .await?;
    Ok(recorded)
}

/// What the company page keeps of a decision: its grade and probability of default.
fn assessment_of(r: &RecordedDecision) -> Assessment {
    let origin = if r.origin.monitoring_of.is_some() {
        "monitoring"
    } else if r.origin.api_key_id.is_some() {
        "api"
    } else {
        "workspace"
    };
    Assessment {
        decision_id: r.id.clone(),
        world: r.request.world.as_str().to_owned(),
        siren: r.request.siren.to_string(),
        product: r.request.application.product,
        at: r.decided_at,
        score: i64::from(r.decision.score),
        grade: r.decision.grade.clone(),
        probability_of_default: r.decision.probability_of_default,
        outcome: r.decision.outcome.as_str().to_owned(),
        origin: origin.to_owned(),
    }
}

/// The verdict of a replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayReport {
    pub decision_id: String,
    /// `recorded` (the versions it was decided with) or `current`.
    pub mode: String,
    pub versions: engine::Versions,
    pub identical: bool,
    /// Each difference: JSON pointer inside the decision, recorded value, replayed value.
    pub differences: Vec<(String, serde_json::Value, serde_json::Value)>,
    /// What else the auditor should know, for example a different engine build.
    pub notes: Vec<String>,
}

/// Loads a recorded decision from the audit trail.
pub async fn load(store: &dyn Store, id: &str) -> Result<RecordedDecision, DecisionError> {
    match store.audit_record(id).await? {
        Some(r) if r.kind == "decision" => {
            serde_json::from_str(&r.payload).map_err(|e| DecisionError::Corrupt(e.to_string()))
        }
        _ => Err(DecisionError::NotFound(id.to_owned())),
    }
}

/// A recorded decision with every audit record about it (the decision first, then the human
/// events), read in one query.
pub async fn load_with_records(
    store: &dyn Store,
    id: &str,
) -> Result<(RecordedDecision, Vec<crate::store::AuditRecord>), DecisionError> {
    let records = store.decision_records(id).await?;
    let recorded = match records.first() {
        Some(r) if r.kind == "decision" && r.id == id => {
            serde_json::from_str(&r.payload).map_err(|e| DecisionError::Corrupt(e.to_string()))?
        }
        _ => return Err(DecisionError::NotFound(id.to_owned())),
    };
    Ok((recorded, records))
}

/// The stored snapshots described by `metas`, with their bodies (checked when read).
pub async fn snapshots(
    store: &dyn Store,
    metas: &[SnapshotMeta],
) -> Result<Vec<Snapshot>, DecisionError> {
    let mut out = Vec::with_capacity(metas.len());
    for m in metas {
        let body = store
            .snapshot_body(&m.sha256)
            .await?
            .ok_or_else(|| DecisionError::Corrupt(format!("snapshot {} is missing", m.sha256)))?;
        out.push(Snapshot {
            source: m.source,
            provider: m.provider.clone(),
            request: m.request.clone(),
            status: m.status,
            content_type: m.content_type.clone(),
            fetched_at: m.fetched_at,
            latency_ms: m.latency_ms,
            sha256: m.sha256.clone(),
            size: m.size,
            compressed: body.compressed,
            // Replays read the stored bytes, checked against their hash.
            captured: Default::default(),
        });
    }
    Ok(out)
}

fn differences(
    path: &str,
    a: &serde_json::Value,
    b: &serde_json::Value,
    out: &mut Vec<(String, serde_json::Value, serde_json::Value)>,
) {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                let null = Value::Null;
                differences(
                    &format!("{path}/{k}"),
                    x.get(k).unwrap_or(&null),
                    y.get(k).unwrap_or(&null),
                    out,
                );
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                differences(&format!("{path}/{i}"), p, q, out);
            }
        }
        _ if a != b => out.push((path.to_owned(), a.clone(), b.clone())),
        _ => {}
    }
}

/// Re-runs parsing, features and scoring from the stored snapshots. With `current` false the
/// recorded versions are required (and must be available); with `current` true today's engine
/// decides, to show what would change.
pub async fn replay(
    store: &dyn Store,
    engine: &Engine,
    id: &str,
    current: bool,
) -> Result<ReplayReport, DecisionError> {
    let recorded = load(store, id).await?;
    let (replayed, notes) = rerun(store, engine, &recorded, current).await?;
    let mut diffs = Vec::new();
    let to_json = |d: &Decision| serde_json::to_value(d).unwrap_or(serde_json::Value::Null);
    differences(
        "",
        &to_json(&recorded.decision),
        &to_json(&replayed),
        &mut diffs,
    );
    Ok(ReplayReport {
        decision_id: recorded.id,
        mode: if current { "current" } else { "recorded" }.into(),
        versions: replayed.versions,
        identical: diffs.is_empty(),
        differences: diffs,
        notes,
    })
}

/// The decision a replay makes (see [`replay`]), without comparing it.
pub async fn replayed(
    store: &dyn Store,
    engine: &Engine,
    id: &str,
    current: bool,
) -> Result<Decision, DecisionError> {
    let recorded = load(store, id).await?;
    Ok(rerun(store, engine, &recorded, current).await?.0)
}

async fn rerun(
    store: &dyn Store,
    engine: &Engine,
    recorded: &RecordedDecision,
    current: bool,
) -> Result<(Decision, Vec<String>), DecisionError> {
    let versions = &recorded.decision.versions;
    let historical = if current {
        None
    } else {
        engine.for_versions(store, versions).await?
    };
    let engine = historical.as_ref().unwrap_or(engine);
    // The engine's own code paths: the recorded version's, or today's.
    let generation = if current {
        engine::Generation::CURRENT
    } else {
        engine::Generation::of(&versions.engine).ok_or_else(|| {
            DecisionError::VersionUnavailable {
                what: "engine",
                version: versions.engine.clone(),
            }
        })?
    };
    let mut notes = Vec::new();
    if versions.engine != generation.version() {
        notes.push(format!(
            "decided by engine {}, replayed by engine {}",
            versions.engine,
            generation.version()
        ));
    }
    let main = snapshots(store, &recorded.snapshots).await?;
    let debtor = snapshots(store, &recorded.debtor_snapshots).await?;
    let input = DecisionInput {
        application: recorded.request.application.clone(),
        facts: Facts::from_snapshots(&recorded.source_request, &main),
        debtor_facts: recorded
            .debtor_source_request
            .as_ref()
            .map(|r| Facts::from_snapshots(r, &debtor)),
        coverage: recorded.decision.coverage,
        missing_sources: recorded.decision.missing_sources.clone(),
        decided_at: recorded.decided_at,
    };
    let replayed = engine::decide_as(generation, &input, engine.model.as_ref(), &engine.policy);
    Ok((replayed, notes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SourcesSettings;
    use crate::engine::Application;
    use crate::sources::{internal::InternalSource, sandbox, sector::SectorSource, Source};
    use crate::store::sqlite::SqliteStore;

    async fn setup() -> (Gatherer, Arc<dyn Store>, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("d.db").display());
        let store: Arc<dyn Store> = Arc::new(SqliteStore::connect(&url).await.unwrap());
        let mut settings = SourcesSettings::instant_sandbox();
        settings.sandbox.slow_source_ms = 400;
        settings.deadline_ms = 200;
        let mut sources: Vec<Arc<dyn Source>> =
            sandbox::sources(&settings.sandbox, Default::default());
        sources.push(Arc::new(SectorSource));
        sources.push(Arc::new(InternalSource {
            store: store.clone(),
        }));
        (Gatherer::new(&settings, sources, Vec::new()), store, dir)
    }

    fn request(siren: &str, product: Product) -> DecisionRequest {
        DecisionRequest {
            world: World::Sandbox,
            siren: Siren::parse(siren).unwrap(),
            application: Application {
                product,
                amount_cents: 1_500_000,
                invoice_amount_cents: (product == Product::Factoring).then_some(2_000_000),
                current_limit_cents: (product == Product::CreditLineIncrease).then_some(5_000_000),
                iban_given: false,
            },
            debtor_siren: (product == Product::Factoring)
                .then(|| Siren::parse("100000009").unwrap()),
            bank_connection: None,
            accounting_ref: None,
            iban: None,
            external_reference: None,
        }
    }

    #[tokio::test]
    async fn every_test_company_decision_is_recorded_and_replays_identically() {
        let (gatherer, store, _dir) = setup().await;
        let engine = Engine::current();
        let now = Utc::now();
        let mut ids = Vec::new();
        for (siren, _, _) in sandbox::TEST_COMPANIES {
            let d = decide(
                &gatherer,
                &store,
                engine,
                request(siren, Product::Bnpl),
                Origin::default(),
                now,
            )
            .await
            .unwrap();
            ids.push(d.id);
        }
        let d = decide(
            &gatherer,
            &store,
            engine,
            request("200000008", Product::Factoring),
            Origin::default(),
            now,
        )
        .await
        .unwrap();
        assert!(
            !d.debtor_snapshots.is_empty(),
            "the paying customer was gathered"
        );
        ids.push(d.id);
        let d = decide(
            &gatherer,
            &store,
            engine,
            request("200000008", Product::CreditLineIncrease),
            Origin::default(),
            now,
        )
        .await
        .unwrap();
        ids.push(d.id);
        for id in &ids {
            let report = replay(store.as_ref(), engine, id, false).await.unwrap();
            assert!(report.identical, "{id}: {:?}", report.differences);
            let today = replay(store.as_ref(), engine, id, true).await.unwrap();
            assert!(today.identical, "same versions today");
        }
        let chain = crate::audit::verify(store.as_ref()).await.unwrap();
        assert!(chain.intact());
        assert_eq!(chain.records, ids.len() as u64);
        // The lender's history now counts these applications.
        let h = store
            .credit_history(
                "sandbox",
                "200000008",
                now + chrono::Duration::seconds(1),
                10,
            )
            .await
            .unwrap();
        assert_eq!(h.len(), 3);
    }

    #[tokio::test]
    async fn replay_with_another_policy_shows_what_would_change() {
        let (gatherer, store, _dir) = setup().await;
        let engine = Engine::current();
        let d = decide(
            &gatherer,
            &store,
            engine,
            request("100000009", Product::Bnpl),
            Origin::default(),
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(d.decision.outcome, Outcome::Approve);
        let stricter = Engine::from_sources(
            crate::engine::model::COMMITTED_JSON,
            &crate::engine::policy::DEFAULT_POLICY
                .replace(
                    "version = \"policy-2026.12-1\"",
                    "version = \"policy-strict\"",
                )
                .replace("bnpl_eur = 50000", "bnpl_eur = 1000"),
        )
        .unwrap();
        // The default policy decided and is in the registry: replaying with its own versions
        // under an engine whose policy is another one rebuilds the recorded policy.
        let report = replay(store.as_ref(), &stricter, &d.id, false)
            .await
            .unwrap();
        assert!(report.identical, "{:?}", report.differences);
        assert_eq!(report.versions.policy, "policy-2026.12-1");
        let report = replay(store.as_ref(), &stricter, &d.id, true)
            .await
            .unwrap();
        assert!(!report.identical);
        assert!(
            report
                .differences
                .iter()
                .any(|(p, _, v)| p == "/outcome" && v == "refer"),
            "{:?}",
            report.differences
        );
        assert!(matches!(
            replay(store.as_ref(), engine, "dec_nope", false).await,
            Err(DecisionError::NotFound(_))
        ));

        // A decision by the stricter policy replays under today's default engine by
        // fetching the stricter policy from the registry.
        let strict = decide(
            &gatherer,
            &store,
            &stricter,
            request("100000009", Product::Bnpl),
            Origin::default(),
            Utc::now(),
        )
        .await
        .unwrap();
        assert_eq!(strict.decision.outcome, Outcome::Refer);
        let report = replay(store.as_ref(), engine, &strict.id, false)
            .await
            .unwrap();
        assert!(report.identical, "{:?}", report.differences);
        assert_eq!(report.versions.policy, "policy-strict");
        let versions = store.engine_versions().await.unwrap();
        assert_eq!(versions.len(), 3, "one model, two policies");

        // Reusing a version name for other content is refused, and nothing is decided.
        let impostor = Engine::from_sources(
            crate::engine::model::COMMITTED_JSON,
            &crate::engine::policy::DEFAULT_POLICY.replace("bnpl_eur = 50000", "bnpl_eur = 2000"),
        )
        .unwrap();
        let err = decide(
            &gatherer,
            &store,
            &impostor,
            request("100000009", Product::Bnpl),
            Origin::default(),
            Utc::now(),
        )
        .await
        .unwrap_err();
        assert!(
            matches!(err, DecisionError::Store(StoreError::Conflict(_))),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_version_missing_from_the_registry_is_reported() {
        let (gatherer, store, _dir) = setup().await;
        let engine = Engine::current();
        let d = decide(
            &gatherer,
            &store,
            engine,
            request("100000009", Product::Bnpl),
            Origin::default(),
            Utc::now(),
        )
        .await
        .unwrap();
        let mut recorded = load(store.as_ref(), &d.id).await.unwrap();
        recorded.decision.versions.model = "pd-never-registered".into();
        let err = engine
            .for_versions(store.as_ref(), &recorded.decision.versions)
            .await
            .err()
            .unwrap();
        assert!(
            matches!(err, DecisionError::VersionUnavailable { what: "model", .. }),
            "{err}"
        );
    }
}

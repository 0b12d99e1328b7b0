//! Two engines side by side: the outcomes an earlier engine version and model, and today's,
//! give the same companies under the same policy. On the sandbox population (the test
//! companies and ordinary SIRENs, gathered once and decided by both) and on the decisions of a
//! database (each replayed under its recorded versions and under today's). This is how a new
//! model's effect on the policy bands is measured before it decides (`server model compare`).

use crate::config::SourcesSettings;
use crate::engine::model::Model;
use crate::engine::policy::Policy;
use crate::engine::{self, Application, DecisionInput, Generation, Outcome, Product};
use crate::sources::facts::Facts;
use crate::sources::gather::Gatherer;
use crate::sources::{sandbox, sector, SourceRequest, World};
use crate::store::Store;
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Decisions by outcome, and by grade.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Tally {
    pub decisions: usize,
    pub approve: usize,
    pub refer: usize,
    pub decline: usize,
    pub grades: BTreeMap<String, usize>,
    /// The probabilities of default, for their quartiles.
    #[serde(skip)]
    pds: Vec<f64>,
    pub pd_quartiles: Vec<f64>,
}

impl Tally {
    fn add(&mut self, d: &engine::Decision) {
        self.decisions += 1;
        match d.outcome {
            Outcome::Approve => self.approve += 1,
            Outcome::Refer => self.refer += 1,
            Outcome::Decline => self.decline += 1,
        }
        *self.grades.entry(d.grade.clone()).or_default() += 1;
        self.pds.push(d.probability_of_default);
    }

    fn finish(mut self) -> Tally {
        self.pds.sort_by(f64::total_cmp);
        let n = self.pds.len();
        self.pd_quartiles = if n == 0 {
            Vec::new()
        } else {
            [1, 2, 3]
                .iter()
                .map(|q| (self.pds[(n - 1) * q / 4] * 10_000.0).round() / 10_000.0)
                .collect()
        };
        self
    }
}

/// One side of a comparison.
pub struct Side<'a> {
    pub generation: Generation,
    pub model: &'a Model,
}

/// The outcomes of both sides, and how many decisions changed outcome.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub population: String,
    pub before: Tally,
    pub after: Tally,
    /// (before, after) → decisions.
    pub moves: BTreeMap<String, usize>,
}

impl Comparison {
    /// Counts one application decided by both sides.
    fn add(&mut self, before: &engine::Decision, after: &engine::Decision) {
        self.before.add(before);
        self.after.add(after);
        *self
            .moves
            .entry(format!("{} → {}", before.outcome, after.outcome))
            .or_default() += 1;
    }
}

/// The check digit that makes eight digits a valid SIREN.
fn siren_from(base: u32) -> String {
    let body = format!("{:08}", base % 100_000_000);
    for check in 0..10 {
        let candidate = format!("{body}{check}");
        if app::ids::Siren::parse(&candidate).is_ok() {
            return candidate;
        }
    }
    body
}

/// The sandbox population: the test companies and `ordinary` other SIRENs (a fixed sequence),
/// each asked for a 15,000 € BNPL at `as_of`, decided by both sides under `policy`.
pub async fn sandbox(
    ordinary: usize,
    as_of: DateTime<Utc>,
    before: &Side<'_>,
    after: &Side<'_>,
    policy: &Policy,
) -> Comparison {
    let settings = SourcesSettings::instant_sandbox();
    let mut sources = sandbox::sources(&settings.sandbox, Default::default());
    sources.push(Arc::new(sector::SectorSource));
    let gatherer = Gatherer::new(&settings, sources, Vec::new());
    let mut sirens: Vec<String> = sandbox::TEST_COMPANIES
        .iter()
        .map(|(s, ..)| s.to_string())
        .collect();
    sirens.extend((0..ordinary).map(|i| siren_from(31_000_000 + 7_919 * i as u32)));
    let mut result = Comparison {
        population: format!(
            "sandbox: the {} test companies and {ordinary} ordinary companies, 15,000 € BNPL",
            sandbox::TEST_COMPANIES.len()
        ),
        before: Tally::default(),
        after: Tally::default(),
        moves: BTreeMap::new(),
    };
    for siren in sirens {
        let Ok(siren) = app::ids::Siren::parse(&siren) else {
            continue;
        };
        let request = SourceRequest {
            world: World::Sandbox,
            siren,
            bank_connection: None,
            accounting_ref: None,
            iban: None,
            as_of,
        };
        let g = gatherer.gather(&request).await;
        let input = DecisionInput {
            application: Application {
                product: Product::Bnpl,
                amount_cents: 1_500_000,
                invoice_amount_cents: None,
                current_limit_cents: None,
                iban_given: false,
            },
            facts: Facts::from_snapshots(&g.request, &g.snapshots),
            debtor_facts: None,
            coverage: g.coverage,
            missing_sources: g.missing_sources(),
            decided_at: as_of,
        };
        let a = engine::decide_as(before.generation, &input, before.model, policy);
        let b = engine::decide_as(after.generation, &input, after.model, policy);
        result.add(&a, &b);
    }
    result.before = result.before.finish();
    result.after = result.after.finish();
    result
}

/// Every decision of a database, replayed under its recorded versions and under today's.
pub async fn recorded(
    store: &dyn Store,
    engine: &crate::decisions::Engine,
) -> anyhow::Result<Comparison> {
    let mut result = Comparison {
        population: "recorded decisions, each under its recorded versions and under today's"
            .to_owned(),
        before: Tally::default(),
        after: Tally::default(),
        moves: BTreeMap::new(),
    };
    let mut after_seq = 0;
    loop {
        let records = store.audit_records(after_seq, 500).await?;
        let Some(last) = records.last() else {
            break;
        };
        after_seq = last.seq;
        for r in records.iter().filter(|r| r.kind == "decision") {
            let then = crate::decisions::replayed(store, engine, &r.id, false).await?;
            let now = crate::decisions::replayed(store, engine, &r.id, true).await?;
            result.add(&then, &now);
        }
    }
    result.before = result.before.finish();
    result.after = result.after.finish();
    Ok(result)
}

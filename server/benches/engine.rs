//! The engine alone, for one decision: features, model, scorecard, policy, fraud signals,
//! limits and reasons, from facts already gathered. Run with `cargo bench -p server --bench
//! engine`; results are written down in `docs/benchmarks.md`.
//!
//! With `ENGINE_CALLS=N` set, the binary skips criterion and makes N decisions per case, for
//! counting instructions under callgrind (`bench/engine-instructions.sh`), which does not vary
//! with the machine's load as time does.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, Criterion};
use server::config::SourcesSettings;
use server::engine::model::Model;
use server::engine::policy::Policy;
use server::engine::{decide, Application, DecisionInput, Product};
use server::sources::facts::Facts;
use server::sources::gather::Gatherer;
use server::sources::{sandbox, sector, SourceRequest, World};
use std::hint::black_box;
use std::sync::Arc;

fn input(siren: &str) -> DecisionInput {
    // A deadline no source misses, even under callgrind (fifty times slower): the input must
    // not depend on how fast the machine gathers it.
    let mut settings = SourcesSettings::instant_sandbox();
    settings.deadline_ms = 60_000;
    let mut sources = sandbox::sources(&settings.sandbox, Default::default());
    sources.push(Arc::new(sector::SectorSource));
    let gatherer = Gatherer::new(&settings, sources, Vec::new());
    let as_of = Utc.with_ymd_and_hms(2026, 11, 25, 10, 30, 0).unwrap();
    let request = SourceRequest {
        world: World::Sandbox,
        siren: app::ids::Siren::parse(siren).unwrap(),
        bank_connection: None,
        accounting_ref: None,
        iban: None,
        as_of,
    };
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let g = runtime.block_on(gatherer.gather(&request));
    let missing: Vec<_> = g.outcomes.iter().filter(|o| o.missing.is_some()).collect();
    assert!(missing.is_empty(), "{siren}: sources missing {missing:?}");
    DecisionInput {
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
        missing_sources: Vec::new(),
        decided_at: as_of,
    }
}

const CASES: [(&str, &str); 2] = [("healthy", "100000009"), ("cash_strapped", "400000006")];

fn engine(c: &mut Criterion) {
    let model = Model::committed();
    let policy = Policy::default_policy();
    for (name, siren) in CASES {
        let input = input(siren);
        c.bench_function(&format!("decide/{name}"), |b| {
            b.iter(|| decide(black_box(&input), model, &policy))
        });
    }
}

/// `calls` decisions for the case `name`, in a function of their own so that callgrind can
/// count the instructions spent there and nowhere else.
#[inline(never)]
fn decide_repeatedly(input: &DecisionInput, model: &Model, policy: &Policy, calls: u64) {
    for _ in 0..calls {
        black_box(decide(black_box(input), model, policy));
    }
}

criterion_group!(benches, engine);

fn main() {
    if let Some(calls) = std::env::var("ENGINE_CALLS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        let (model, policy) = (Model::committed(), Policy::default_policy());
        let case = std::env::var("ENGINE_CASE").unwrap_or_else(|_| "healthy".into());
        let (_, siren) = CASES
            .iter()
            .find(|(name, _)| *name == case)
            .expect("a known case");
        let input = input(siren);
        decide_repeatedly(&input, model, &policy, calls);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

//! The engine alone, for one decision: features, model, scorecard, policy, fraud signals,
//! limits and reasons, from facts already gathered. Run with `cargo bench -p server --bench
//! engine`; results are written down in `docs/benchmarks.md`.

use chrono::{TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
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
    let settings = SourcesSettings::instant_sandbox();
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

fn engine(c: &mut Criterion) {
    let model = Model::committed();
    let policy = Policy::default_policy();
    for (name, siren) in [("healthy", "100000009"), ("cash_strapped", "400000006")] {
        let input = input(siren);
        c.bench_function(&format!("decide/{name}"), |b| {
            b.iter(|| decide(black_box(&input), model, &policy))
        });
    }
}

criterion_group!(benches, engine);
criterion_main!(benches);

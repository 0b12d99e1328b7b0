use super::*;
use crate::config::SourcesSettings;
use crate::sources::bodacc::{ProceedingKind, ProceedingStatus};
use crate::sources::facts::Facts;
use crate::sources::gather::{Gatherer, Gathering};
use crate::sources::kyb::NameMatch;
use crate::sources::{sector, World};
use app::ids::{Iban, Siren};
use chrono::{DateTime, NaiveDate, TimeZone};
use proptest::prelude::*;

fn as_of() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 25, 10, 30, 0).unwrap()
}

fn request(siren: &str) -> SourceRequest {
    SourceRequest {
        world: World::Sandbox,
        siren: Siren::parse(siren).unwrap(),
        bank_connection: None,
        accounting_ref: None,
        iban: None,
        as_of: as_of(),
    }
}

fn instant_settings() -> SourcesSettings {
    let mut s = SourcesSettings::instant_sandbox();
    s.sandbox.slow_source_ms = 600;
    s.deadline_ms = 200;
    s
}

fn gatherer(settings: &SourcesSettings) -> Gatherer {
    let mut sandbox = sources(&settings.sandbox, Default::default());
    sandbox.push(Arc::new(sector::SectorSource));
    Gatherer::new(settings, sandbox, Vec::new())
}

async fn facts_of(siren: &str) -> (Gathering, Facts) {
    let g = gatherer(&instant_settings()).gather(&request(siren)).await;
    let facts = Facts::from_snapshots(&g.request, &g.snapshots);
    assert!(
        facts.unreadable.is_empty(),
        "{siren}: {:?}",
        facts.unreadable
    );
    (g, facts)
}

fn yesterday() -> NaiveDate {
    as_of().date_naive() - chrono::Days::new(1)
}

fn accounting_balanced(f: &Facts) -> bool {
    f.accounting.as_ref().unwrap()["balanced"]
        .as_bool()
        .unwrap()
}

#[tokio::test]
async fn the_same_siren_gives_the_same_payloads_every_time() {
    let settings = instant_settings();
    for siren in ["100000009", "400000006", "552100554", "732829320"] {
        let a = gatherer(&settings).gather(&request(siren)).await;
        let b = gatherer(&settings).gather(&request(siren)).await;
        let hashes = |g: &Gathering| {
            g.snapshots
                .iter()
                .map(|s| s.sha256.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(hashes(&a), hashes(&b), "{siren}");
        assert!(
            a.snapshots.len() >= 8,
            "{siren}: {} snapshots",
            a.snapshots.len()
        );
    }
}

#[tokio::test]
async fn the_healthy_company_is_active_solvent_and_profitable() {
    let (g, f) = facts_of("100000009").await;
    assert_eq!(
        g.coverage,
        100 - crate::sources::SourceId::Internal.coverage_weight()
    );
    let unit = f.legal_unit.as_ref().unwrap();
    assert!(unit.active);
    assert_eq!(unit.naf.as_deref(), Some("62.02A"));
    assert_eq!(f.sector.as_ref().unwrap().section, "J");
    assert_eq!(
        f.legal_events.as_ref().unwrap().proceeding,
        ProceedingStatus::None
    );
    let balances = f
        .bank
        .as_ref()
        .unwrap()
        .end_of_day_balances(yesterday(), 90)
        .unwrap();
    assert_eq!(balances.len(), 90);
    assert!(balances.iter().all(|(_, b)| *b > 0), "never negative");
    assert_eq!(f.kyb.name_match, NameMatch::Exact);
    assert!(accounting_balanced(&f));
    assert!(f.bank_connected_at.unwrap() < as_of() - chrono::Duration::days(1));
    let filed = &f.filed_accounts.as_ref().unwrap()[0];
    assert_eq!(filed.year, 2025);
    assert!(filed.equity().unwrap() > 0);
    assert!(filed.net_result().unwrap() > 0);
}

#[tokio::test]
async fn the_fast_growing_company_has_inflows_well_above_its_past() {
    let (_, f) = facts_of("200000008").await;
    let bank = f.bank.unwrap();
    let inflow = |from: i64, to: i64| -> i64 {
        bank.transactions
            .iter()
            .map(|(_, _, t)| t)
            .filter(|t| t.amount_cents > 0)
            .filter(|t| {
                let age = (yesterday() - t.booking_date.unwrap()).num_days();
                age >= from && age < to
            })
            .map(|t| t.amount_cents)
            .sum()
    };
    let last_30 = inflow(0, 30) as f64;
    let previous_60_per_30 = inflow(30, 90) as f64 / 2.0;
    assert!(
        last_30 > previous_60_per_30 * 1.15,
        "{last_30} vs {previous_60_per_30}"
    );
}

#[tokio::test]
async fn the_young_startup_has_no_accounts_yet() {
    let (g, f) = facts_of("300000007").await;
    let created = f.legal_unit.unwrap().created_on.unwrap();
    assert!((as_of().date_naive() - created).num_days() < 183);
    assert!(f.accounting.is_none());
    assert!(f.filed_accounts.is_none());
    assert!(g
        .outcome(crate::sources::SourceId::Accounting)
        .unwrap()
        .missing
        .is_some());
    assert!(f.bank.is_some());
}

#[tokio::test]
async fn the_cash_strapped_company_shows_negative_days_rejected_debits_and_losses() {
    let (_, f) = facts_of("400000006").await;
    let bank = f.bank.as_ref().unwrap();
    let balances = bank.end_of_day_balances(yesterday(), 90).unwrap();
    let negative = balances.iter().filter(|(_, b)| *b < 0).count();
    assert!(negative >= 15, "{negative} negative days");
    let rejected: Vec<_> = bank
        .transactions
        .iter()
        .map(|(_, _, t)| t)
        .filter(|t| t.bank_transaction_code.as_deref() == Some("PMNT-RDDT-UPDD"))
        .collect();
    assert!(rejected.len() >= 2);
    assert!(rejected
        .iter()
        .all(|t| t.remittance.as_deref().unwrap().contains("URSSAF")));
    assert!(accounting_balanced(&f));
    let filed = &f.filed_accounts.as_ref().unwrap()[0];
    assert!(filed.net_result().unwrap() < 0, "a loss");
    assert!(filed.equity().unwrap() < 0, "negative equity");
}

#[tokio::test]
async fn the_company_in_proceedings_has_an_open_redressement() {
    let (_, f) = facts_of("500000005").await;
    match f.legal_events.unwrap().proceeding {
        ProceedingStatus::Open { kind, since } => {
            assert_eq!(kind, ProceedingKind::Redressement);
            assert_eq!((as_of().date_naive() - since).num_days(), 40);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_ceased_company_is_ceased_and_struck_off() {
    let (_, f) = facts_of("600000004").await;
    let unit = f.legal_unit.unwrap();
    assert!(!unit.active);
    assert_eq!(
        (as_of().date_naive() - unit.ceased_on.unwrap()).num_days(),
        200
    );
    assert!(f.establishments.unwrap().iter().all(|e| !e.active));
    assert!(f.legal_events.unwrap().radiated_on.is_some());
}

#[tokio::test]
async fn the_fraud_pattern_is_a_new_company_with_a_new_foreign_account() {
    let (_, f) = facts_of("700000003").await;
    let created = f.legal_unit.unwrap().created_on.unwrap();
    assert_eq!((as_of().date_naive() - created).num_days(), 9);
    assert_eq!(
        f.bank_connected_at,
        Some(as_of() - chrono::Duration::minutes(4))
    );
    assert_eq!(f.kyb.name_match, NameMatch::Mismatch);
    let first = f
        .bank
        .unwrap()
        .transactions
        .iter()
        .filter_map(|(_, _, t)| t.booking_date)
        .min()
        .unwrap();
    assert_eq!((as_of().date_naive() - first).num_days(), 3);
}

#[tokio::test]
async fn the_slow_source_misses_the_deadline_and_the_gathering_does_not_wait_for_it() {
    let settings = instant_settings();
    let started = std::time::Instant::now();
    let g = gatherer(&settings).gather(&request("800000002")).await;
    let waited = started.elapsed();
    assert!(waited < Duration::from_millis(450), "waited {waited:?}");
    let bank = g.outcome(crate::sources::SourceId::OpenBanking).unwrap();
    assert!(
        matches!(bank.missing, Some(SourceError::Timeout { .. })),
        "{bank:?}"
    );
    assert!(g.answered(crate::sources::SourceId::SireneUnit));
    assert!(g.coverage < 100 - crate::sources::SourceId::OpenBanking.coverage_weight() + 1);
}

#[tokio::test]
async fn the_unknown_company_is_not_in_the_registry() {
    let (g, f) = facts_of("900000001").await;
    assert!(f.registry_not_found);
    assert!(f.legal_unit.is_none());
    assert_eq!(
        g.outcome(crate::sources::SourceId::SireneUnit)
            .unwrap()
            .missing,
        Some(SourceError::NotFound)
    );
    assert!(f.legal_events.unwrap().announcements.is_empty());
}

#[tokio::test]
async fn the_thin_file_has_registry_data_only() {
    let (g, f) = facts_of("999999998").await;
    assert!(f.legal_unit.is_some());
    assert!(f.bank.is_none());
    assert!(f.accounting.is_none());
    assert!(g.coverage <= 55, "coverage {}", g.coverage);
}

#[test]
fn the_test_companies_are_valid_sirens_with_distinct_personas() {
    let mut seen = std::collections::HashSet::new();
    for (siren, persona, what) in TEST_COMPANIES {
        assert!(Siren::parse(siren).is_ok(), "{siren}");
        assert!(seen.insert(persona), "{persona:?} twice");
        assert!(!what.is_empty());
    }
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/sandbox.md"))
        .unwrap();
    for (siren, _, _) in TEST_COMPANIES {
        assert!(doc.contains(siren), "docs/sandbox.md lists {siren}");
    }
}

#[test]
fn bodacc_answers_are_written_as_a_json_object_of_the_same_content_would_be() {
    // Typed fields, declared in the sorted order of their keys: the bytes are those of the
    // same answer built as a JSON value (whose objects sort their keys), so the format and
    // the snapshots' hashes do not depend on how the answer is built.
    let (mut judgments, mut deposits) = (0, 0);
    for (siren, _, _) in TEST_COMPANIES {
        let c = company(&Siren::parse(siren).unwrap(), as_of());
        let typed = serde_json::to_string(&world::bodacc(&c)).unwrap();
        let value = serde_json::to_value(world::bodacc(&c)).unwrap();
        assert_eq!(typed, value.to_string(), "{siren}");
        for r in value["records"].as_array().unwrap() {
            judgments += usize::from(r["fields"].get("jugement").is_some());
            deposits += usize::from(r["fields"].get("depot").is_some());
        }
        crate::sources::bodacc::parse(typed.as_bytes()).unwrap();
    }
    assert!(
        judgments > 0 && deposits > 0,
        "{judgments} judgments, {deposits} deposits"
    );
}

#[test]
fn latency_follows_the_configured_distribution() {
    let l = LatencySettings {
        median_ms: 50.0,
        p99_ms: 200.0,
    };
    let mut rng = world::Rng::new(7);
    let mut draws: Vec<f64> = (0..20_000)
        .map(|_| sample_latency(&l, (rng.unit(), rng.unit())).as_secs_f64() * 1000.0)
        .collect();
    draws.sort_by(f64::total_cmp);
    let median = draws[draws.len() / 2];
    let p99 = draws[draws.len() * 99 / 100];
    assert!((45.0..55.0).contains(&median), "median {median}");
    assert!((170.0..235.0).contains(&p99), "p99 {p99}");
    let none = LatencySettings {
        median_ms: 0.0,
        p99_ms: 0.0,
    };
    assert_eq!(sample_latency(&none, (0.3, 0.7)), Duration::ZERO);
}

fn valid_siren() -> impl Strategy<Value = Siren> {
    (0u32..100_000_000).prop_map(|n| {
        let stem = format!("{n:08}");
        (0..10)
            .find_map(|d| Siren::parse(&format!("{stem}{d}")).ok())
            .expect("one check digit fits")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]
    #[test]
    fn any_valid_siren_is_a_coherent_company_in_the_real_formats(siren in valid_siren(), days in 0i64..3000) {
        let when = as_of() - chrono::Duration::days(days);
        let c = company(&siren, when);
        let unit = world::sirene_unit(&c).unwrap();
        let parsed = crate::sources::sirene::parse_legal_unit(&serde_json::to_vec(&unit).unwrap()).unwrap();
        prop_assert_eq!(&parsed.siren, siren.as_str());
        prop_assert!(parsed.created_on.unwrap() < when.date_naive());
        let est = world::sirene_establishments(&c).unwrap();
        let list = crate::sources::sirene::parse_establishments(&serde_json::to_vec(&est).unwrap()).unwrap();
        prop_assert!(list.iter().all(|e| app::ids::Siret::parse(&e.siret).is_ok()));
        crate::sources::bodacc::parse(&serde_json::to_vec(&world::bodacc(&c)).unwrap()).unwrap();
        let bank = c.bank.as_ref().unwrap();
        prop_assert!(Iban::parse(&bank.iban).is_ok(), "{}", bank.iban);
        let (txs, _) = crate::sources::psd2::parse_transactions(
            &serde_json::to_vec(&world::psd2_transactions(&c, when.date_naive() - chrono::Days::new(120))).unwrap()).unwrap();
        prop_assert!(txs.len() > 20);
        if let Some((name, text)) = fec_writer::write(&c) {
            prop_assert!(name.starts_with(siren.as_str()));
            let report = crate::sources::fec::inspect_report(text.as_bytes()).unwrap();
            prop_assert_eq!(report["balanced"].as_bool(), Some(true));
        }
    }
}

#[test]
fn generated_dates_follow_the_decision_day() {
    let siren = Siren::parse("100000009").unwrap();
    let a = company(&siren, as_of());
    let b = company(&siren, as_of() + chrono::Duration::days(10));
    assert_eq!(a.name, b.name);
    assert_eq!(b.created_on - a.created_on, chrono::Duration::days(10));
}

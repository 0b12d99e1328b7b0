//! The sandbox world: any valid SIREN is a coherent company generated from a seed (the SIREN
//! itself), the same every time for the same decision day, and every source answers in the real
//! payload formats (Sirene JSON, BODACC records, NextGenPSD2 JSON, FEC text) so the real parsers
//! run. A table of test SIRENs produces each situation on purpose; see `docs/sandbox.md`.
//!
//! Dates are relative to the request's day (`as_of`): a company "created 9 days ago" is so on
//! every day it is asked about. In the sandbox the bank connection and the accounting file are
//! implied: every company has them unless its persona says otherwise.

mod fec_writer;
pub(crate) mod world;

pub use world::{company, persona, Company, Condition, Persona, TEST_COMPANIES};

use super::{BankConnection, Fetched, Snapshot, Source, SourceError, SourceId, SourceRequest};
use crate::config::{LatencySettings, SandboxSettings};
use async_trait::async_trait;
use chrono::{Datelike, Utc};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

pub const PROVIDER: &str = "sandbox";

/// One sandbox source.
pub struct SandboxSource {
    id: SourceId,
    latency: Option<LatencySettings>,
    slow_source: Duration,
    conditions: Arc<Conditions>,
}

/// The conditions admins set on sandbox companies, by SIREN. A company is generated with the
/// conditions whose `since` is at or before its moment, so a moment before a condition was set
/// still looks as it did.
#[derive(Debug, Default)]
pub struct Conditions(std::sync::RwLock<ConditionMap>);

type ConditionMap = std::collections::HashMap<String, Vec<(Condition, chrono::DateTime<Utc>)>>;

impl Conditions {
    /// Sets a condition; one already set keeps its first moment.
    pub fn set(&self, siren: &str, condition: Condition, since: chrono::DateTime<Utc>) {
        if let Ok(mut map) = self.0.write() {
            let list = map.entry(siren.to_owned()).or_default();
            if !list.iter().any(|(c, _)| *c == condition) {
                list.push((condition, since));
                list.sort();
            }
        }
    }

    /// The conditions of `siren` in effect at `as_of`.
    pub fn at(
        &self,
        siren: &str,
        as_of: chrono::DateTime<Utc>,
    ) -> Vec<(Condition, chrono::DateTime<Utc>)> {
        self.0
            .read()
            .ok()
            .and_then(|map| {
                map.get(siren).map(|l| {
                    l.iter()
                        .filter(|(_, since)| *since <= as_of)
                        .copied()
                        .collect()
                })
            })
            .unwrap_or_default()
    }

    /// The conditions kept in storage.
    pub async fn load(store: &dyn crate::store::Store) -> crate::store::StoreResult<Arc<Self>> {
        let conditions = Conditions::default();
        for c in store.sandbox_conditions().await? {
            if let Some(kind) = Condition::parse(&c.kind) {
                conditions.set(&c.siren, kind, c.since);
            }
        }
        Ok(Arc::new(conditions))
    }
}

/// The sandbox sources of every remote source, with the configured latencies and the
/// conditions admins set.
pub fn sources(settings: &SandboxSettings, conditions: Arc<Conditions>) -> Vec<Arc<dyn Source>> {
    [
        SourceId::SireneUnit,
        SourceId::SireneEstablishments,
        SourceId::Bodacc,
        SourceId::OpenBanking,
        SourceId::Accounting,
        SourceId::FiledAccounts,
    ]
    .into_iter()
    .map(|id| {
        Arc::new(SandboxSource {
            id,
            latency: settings.latency.get(id.as_str()).copied(),
            slow_source: Duration::from_millis(settings.slow_source_ms),
            conditions: conditions.clone(),
        }) as Arc<dyn Source>
    })
    .collect()
}

static LATENCY_SEED: AtomicU64 = AtomicU64::new(0x5eed);

/// A draw from the log-normal distribution with this median and 99th percentile.
pub fn sample_latency(l: &LatencySettings, uniform: (f64, f64)) -> Duration {
    if l.median_ms <= 0.0 {
        return Duration::ZERO;
    }
    // z of the 99th percentile of the standard normal distribution.
    const Z99: f64 = 2.326_347_874;
    let sigma = (l.p99_ms / l.median_ms).ln() / Z99;
    let (u1, u2) = uniform;
    let z = (-2.0 * u1.max(f64::MIN_POSITIVE).ln()).sqrt() * (std::f64::consts::TAU * u2).cos();
    let ms = l.median_ms * (sigma * z).exp();
    Duration::from_secs_f64((ms / 1000.0).clamp(0.0, 60.0))
}

fn uniform_pair() -> (f64, f64) {
    let seed = LATENCY_SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        ^ u64::from(Utc::now().timestamp_subsec_nanos());
    let mut rng = world::Rng::new(seed);
    (rng.unit(), rng.unit())
}

/// A JSON answer as APIs send it: compact.
fn json_bytes(v: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

impl SandboxSource {
    fn snapshot(
        &self,
        request: String,
        status: u16,
        content_type: &str,
        body: &[u8],
        latency: Duration,
    ) -> Snapshot {
        Snapshot::capture(
            self.id,
            PROVIDER,
            request,
            status,
            content_type,
            Utc::now(),
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            body,
        )
    }

    /// A Sirene answer: the body, or INSEE's 404 for a company it does not know.
    fn registry_answer(
        &self,
        url: String,
        body: Option<Value>,
        siren: &str,
        latency: Duration,
    ) -> Fetched {
        let json = "application/json";
        match body {
            Some(body) => Fetched::ok(vec![self.snapshot(
                url,
                200,
                json,
                &json_bytes(&body),
                latency,
            )]),
            None => Fetched {
                snapshots: vec![self.snapshot(
                    url,
                    404,
                    json,
                    &json_bytes(&world::sirene_not_found(siren)),
                    latency,
                )],
                error: Some(SourceError::NotFound),
            },
        }
    }

    fn answer(&self, generated: &Generated, request: &SourceRequest, latency: Duration) -> Fetched {
        let company = &generated.company;
        let siren = company.siren.as_str();
        let json = "application/json";
        match self.id {
            SourceId::SireneUnit => self.registry_answer(
                format!("GET sandbox:/siren/{siren}"),
                world::sirene_unit(company),
                siren,
                latency,
            ),
            SourceId::SireneEstablishments => self.registry_answer(
                format!("GET sandbox:/siret?q=siren:{siren}&nombre=100"),
                world::sirene_establishments(company),
                siren,
                latency,
            ),
            SourceId::Bodacc => {
                let url = format!(
                    "GET sandbox:/api/records/1.0/search/?dataset=annonces-commerciales&q=registre:{siren}&rows=100&sort=dateparution"
                );
                Fetched::ok(vec![self.snapshot(
                    url,
                    200,
                    json,
                    &json_bytes(&world::bodacc(company)),
                    latency,
                )])
            }
            SourceId::OpenBanking => match company
                .bank
                .as_ref()
                .filter(|_| request.bank_connection.is_some())
            {
                None => Fetched::failed(SourceError::NotRequested {
                    reason: "no bank connection in the request".into(),
                }),
                Some(bank) => {
                    let id = &bank.resource_id;
                    let from =
                        request.as_of.date_naive() - chrono::Days::new(super::psd2::HISTORY_DAYS);
                    let calls = [
                        ("/v1/accounts".to_owned(), json_bytes(&world::psd2_accounts(company))),
                        (format!("/v1/accounts/{id}"), json_bytes(&world::psd2_details(company))),
                        (format!("/v1/accounts/{id}/balances"), json_bytes(&world::psd2_balances(company))),
                        (
                            format!("/v1/accounts/{id}/transactions?bookingStatus=booked&dateFrom={from}"),
                            json_bytes(&world::psd2_transactions(company, from)),
                        ),
                    ];
                    Fetched::ok(
                        calls
                            .into_iter()
                            .map(|(path, body)| {
                                self.snapshot(
                                    format!("GET sandbox:{path}"),
                                    200,
                                    json,
                                    &body,
                                    latency,
                                )
                            })
                            .collect(),
                    )
                }
            },
            SourceId::Accounting => {
                let Some(reference) = request.accounting_ref.clone() else {
                    return Fetched::failed(SourceError::NotRequested {
                        reason: "no accounting file in the request".into(),
                    });
                };
                let url = format!("GET sandbox:/fec/{reference}");
                match generated.fec() {
                    Some((name, text)) => Fetched::ok(vec![self.snapshot(
                        format!("{url} ({name})"),
                        200,
                        "text/plain; charset=utf-8",
                        text.as_bytes(),
                        latency,
                    )]),
                    None => Fetched {
                        snapshots: vec![self.snapshot(
                            url,
                            404,
                            "text/plain",
                            b"no accounting file for this company",
                            latency,
                        )],
                        error: Some(SourceError::NotFound),
                    },
                }
            }
            SourceId::FiledAccounts => {
                let url = format!(
                    "GET sandbox:/v3/banque_de_france/unites_legales/{siren}/bilans?context=sandbox&recipient=sandbox&object=sandbox"
                );
                match filed_years(generated) {
                    Some(years) => Fetched::ok(vec![self.snapshot(
                        url,
                        200,
                        json,
                        &json_bytes(&super::api_entreprise::bilans_payload(siren, &years)),
                        latency,
                    )]),
                    None => Fetched {
                        snapshots: vec![self.snapshot(url, 404, json, &json_bytes(&json!({"errors": [{
                            "code": "04003",
                            "title": "Entité non trouvée",
                            "detail": "Le siren indiqué n'existe pas, n'est pas connu ou ne comporte aucune information pour cet appel.",
                            "source": null,
                            "meta": {"provider": "Banque de France"}
                        }]})), latency)],
                        error: Some(SourceError::NotFound),
                    },
                }
            }
            SourceId::SectorRisk | SourceId::Internal => {
                Fetched::failed(SourceError::NotConfigured {
                    detail: "local source, not simulated".into(),
                })
            }
        }
    }
}

#[async_trait]
impl Source for SandboxSource {
    fn id(&self) -> SourceId {
        self.id
    }
    fn provider(&self) -> &str {
        PROVIDER
    }
    async fn fetch(&self, request: &SourceRequest, _deadline: Instant) -> Fetched {
        let conditions = self.conditions.at(request.siren.as_str(), request.as_of);
        let generated = generated(&request.siren, request.as_of, &conditions);
        let company = &generated.company;
        let mut latency = self
            .latency
            .map(|l| sample_latency(&l, uniform_pair()))
            .unwrap_or_default();
        if company.persona == Persona::SlowSource && self.id == SourceId::OpenBanking {
            latency = self.slow_source;
        }
        let started = Instant::now();
        let fetched = self.answer(&generated, request, latency);
        // Generating takes time too; sleep only the rest of the simulated latency.
        tokio::time::sleep(latency.saturating_sub(started.elapsed())).await;
        fetched
    }
}

/// The balance sheet the company filed for its last closed year, as the Banque de France
/// publishes it (amounts in thousands of euros, times 1000), computed from its FEC file.
fn filed_years(generated: &Generated) -> Option<Vec<super::api_entreprise::FiledYear>> {
    let company = &generated.company;
    use super::api_entreprise::{
        Closing, ComputedValue, Figure, FiledLine, FiledOrigin, FiledYear,
    };
    let (_, text) = generated.fec()?;
    // The decision reads the same file from its accounting snapshot: parsed once.
    let bytes = text.as_bytes();
    let fec = super::fec::parse_and_hand_over(bytes, &super::snapshot::sha256_hex(bytes)).ok()?;
    let st = fec.statements();
    let (b, p) = (&st.balance_sheet, &st.income_statement);
    let k = |cents: i64| (cents as f64 / 100_000.0).round() as i64 * 1000;
    let year = company.accounts.as_ref()?.year_end.year();
    let line = |form: &str, code: &str, cents: i64| FiledLine::amounts(form, code, &[k(cents)]);
    let computed = |name: &str, cents: i64| ComputedValue {
        name: name.to_owned(),
        value: Some(Figure::Euros(k(cents))),
        evolution: None,
    };
    Some(vec![FiledYear {
        origin: FiledOrigin::BanqueDeFrance,
        year,
        closing: Some(Closing::Month { year, month: 12 }),
        duration_days: None,
        filed_on: None,
        regime: None,
        lines: vec![
            line("2051", "EE", b.total_equity_and_liabilities),
            line("2051", "DL", b.equity),
            line("2051", "DA", b.share_capital),
            line("2051", "DR", b.provisions),
            line("2051", "DS", 0),
            line("2051", "DT", 0),
            line("2051", "DU", b.borrowings + b.bank_overdrafts),
            line("2051", "DV", b.other_financial_debts),
            line("2052", "FL", p.revenue),
            line("2053", "HN", p.net_result),
            line("2057", "VI", 0),
        ],
        computed: Some(vec![
            computed("disponibilites", b.cash),
            computed("excedent_brut_exploitation", p.ebitda),
        ]),
    }])
}

/// A sandbox company as generated for one moment, with its FEC file once written.
pub struct Generated {
    pub company: Company,
    fec: std::sync::OnceLock<Option<(String, String)>>,
}

impl Generated {
    /// The company's FEC file (name, text), written on first use.
    pub fn fec(&self) -> Option<&(String, String)> {
        self.fec
            .get_or_init(|| fec_writer::write(&self.company))
            .as_ref()
    }
}

/// Companies generated for the decisions in progress. Every source of one decision asks about
/// the same company at the same moment (the decision's time), so it is generated once and its
/// FEC file written once; entries for other moments (or other conditions) are never reused.
/// The memo holds its entries weakly: a company lives as long as a source of a decision in
/// progress holds it, not until the memo fills (each holds a FEC file of tens of kilobytes).
pub fn generated(
    siren: &app::ids::Siren,
    as_of: chrono::DateTime<chrono::Utc>,
    conditions: &[(Condition, chrono::DateTime<Utc>)],
) -> Arc<Generated> {
    type Key = (String, i64, Vec<(Condition, i64)>);
    type Memo = std::sync::Mutex<std::collections::HashMap<Key, std::sync::Weak<Generated>>>;
    static MEMO: std::sync::OnceLock<Memo> = std::sync::OnceLock::new();
    /// Entries beyond which the ones no longer held are swept out.
    const SWEEP_AT: usize = 1024;
    let memo = MEMO.get_or_init(Default::default);
    let key = (
        siren.to_string(),
        as_of
            .timestamp_nanos_opt()
            .unwrap_or(as_of.timestamp_micros()),
        conditions
            .iter()
            .map(|(c, since)| (*c, since.timestamp_millis()))
            .collect(),
    );
    if let Some(found) = memo
        .lock()
        .ok()
        .and_then(|m| m.get(&key).and_then(std::sync::Weak::upgrade))
    {
        return found;
    }
    let mut made = company(siren, as_of);
    world::apply(&mut made, conditions);
    let made = Arc::new(Generated {
        company: made,
        fec: std::sync::OnceLock::new(),
    });
    if let Ok(mut m) = memo.lock() {
        if m.len() >= SWEEP_AT {
            m.retain(|_, held| held.strong_count() > 0);
        }
        m.insert(key, Arc::downgrade(&made));
    }
    made
}

/// The request with what the sandbox implies: the company's bank connection (consent id and
/// the time it was connected) and its accounting file, when it has them and the request does
/// not name others. Returns the company too: holding it while the sources answer lets them
/// share it instead of generating it again.
pub fn implied_request(request: &SourceRequest) -> (SourceRequest, Arc<Generated>) {
    let mut r = request.clone();
    let generated = generated(&r.siren, r.as_of, &[]);
    let c = &generated.company;
    if r.bank_connection.is_none() {
        r.bank_connection = c.bank.as_ref().map(|b| BankConnection {
            consent_id: format!("sbx-consent-{}", c.siren.as_str()),
            connected_at: Some(b.connected_at),
        });
    }
    if r.accounting_ref.is_none() {
        r.accounting_ref = c
            .accounts
            .as_ref()
            .map(|a| format!("{}FEC{}", c.siren.as_str(), a.year_end.format("%Y%m%d")));
    }
    (r, generated)
}

/// What `docs/sandbox.md` shows: the test companies, as a JSON document.
pub fn test_companies_json() -> Value {
    Value::Array(
        TEST_COMPANIES
            .iter()
            .map(|(siren, persona, what)| json!({"siren": siren, "persona": persona, "what": what}))
            .collect(),
    )
}

#[cfg(test)]
mod tests;

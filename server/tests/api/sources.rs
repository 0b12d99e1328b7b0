//! The live connectors against local stub servers that serve the real payloads and misbehave on
//! purpose: 404, 429 with Retry-After, 5xx, malformed bodies, a stalled answer.

use crate::helpers::workspace_root;
use app::ids::Siren;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use chrono::Utc;
use secrecy::SecretString;
use server::config::SourcesSettings;
use server::sources::facts::Facts;
use server::sources::gather::Gatherer;
use server::sources::{live, sector, BankConnection, SourceError, SourceId, SourceRequest, World};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

fn shared(relative: &str) -> Vec<u8> {
    let path = workspace_root().join("testdata").join(relative);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The Berlin Group examples wrap the body in an OpenAPI example object.
fn example(file: &str) -> Vec<u8> {
    let v: serde_json::Value = serde_json::from_slice(&shared(&format!(
        "payloads/berlin_group_nextgenpsd2/{file}"
    )))
    .unwrap();
    serde_json::to_vec(&v["value"]).unwrap()
}

const GANYMEDE: &str = "880878145";
/// SIRENs that make the stub misbehave.
const RATE_LIMITED: &str = "100000009";
const RATE_LIMITED_LONG: &str = "200000008";
const BROKEN: &str = "400000006";
const FLAKY: &str = "500000005";
const MALFORMED: &str = "600000004";
const STALLED: &str = "800000002";

#[derive(Default)]
struct Stub {
    hits: Mutex<HashMap<String, usize>>,
    seen_headers: Mutex<Vec<(String, String)>>,
}

type Mutex<T> = std::sync::Mutex<T>;

impl Stub {
    fn hit(&self, key: &str) -> usize {
        let mut hits = self.hits.lock().unwrap();
        let n = hits.entry(key.to_owned()).or_default();
        *n += 1;
        *n
    }
    fn hits(&self, key: &str) -> usize {
        self.hits.lock().unwrap().get(key).copied().unwrap_or(0)
    }
}

fn json(status: StatusCode, body: Vec<u8>) -> Response {
    (status, [("content-type", "application/json")], body).into_response()
}

async fn siren(
    State(stub): State<Arc<Stub>>,
    Path(siren): Path<String>,
    headers: HeaderMap,
) -> Response {
    let n = stub.hit(&format!("siren/{siren}"));
    if let Some(key) = headers.get("x-insee-api-key-integration") {
        stub.seen_headers
            .lock()
            .unwrap()
            .push(("insee".into(), key.to_str().unwrap().to_owned()));
    }
    match siren.as_str() {
        GANYMEDE => json(StatusCode::OK, shared("payloads/insee_sirene_v3/siren__ganymede.json")),
        RATE_LIMITED if n == 1 => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "slow down").into_response(),
        RATE_LIMITED => json(StatusCode::OK, shared("payloads/insee_sirene_v3/siren__sauvage.json")),
        RATE_LIMITED_LONG => (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "120")], "").into_response(),
        BROKEN => (StatusCode::INTERNAL_SERVER_ERROR, "upstream exploded").into_response(),
        FLAKY if n == 1 => (StatusCode::SERVICE_UNAVAILABLE, "try again").into_response(),
        FLAKY => json(StatusCode::OK, shared("payloads/insee_sirene_v3/siren__finassure.json")),
        MALFORMED => json(StatusCode::OK, b"{\"header\":{\"statut\":200},\"uniteLegale\":".to_vec()),
        STALLED => {
            tokio::time::sleep(Duration::from_secs(5)).await;
            json(StatusCode::OK, shared("payloads/insee_sirene_v3/siren__ganymede.json"))
        }
        other => json(
            StatusCode::NOT_FOUND,
            format!("{{\"header\":{{\"statut\":404,\"message\":\"Aucun élément trouvé pour le siren {other}\"}}}}").into_bytes(),
        ),
    }
}

async fn siret(
    State(stub): State<Arc<Stub>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    stub.hit("siret");
    match q.get("q").map(String::as_str) {
        Some(q) if q == format!("siren:{GANYMEDE}") => json(
            StatusCode::OK,
            shared("payloads/insee_sirene_v3/siret-by-siren__ganymede.json"),
        ),
        _ => json(
            StatusCode::NOT_FOUND,
            b"{\"header\":{\"statut\":404,\"message\":\"Aucun element\"}}".to_vec(),
        ),
    }
}

async fn bodacc(
    State(stub): State<Arc<Stub>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    stub.hit("bodacc");
    if q.get("dataset").map(String::as_str) != Some("annonces-commerciales") {
        return StatusCode::BAD_REQUEST.into_response();
    }
    match q.get("q").map(String::as_str) {
        Some(q) if q == format!("registre:{GANYMEDE}") => json(
            StatusCode::OK,
            shared("payloads/bodacc/annuaire_fixture_bodacc_v1_search_880878145.json"),
        ),
        _ => json(StatusCode::OK, br#"{"nhits":0,"records":[]}"#.to_vec()),
    }
}

fn authorised(headers: &HeaderMap) -> bool {
    headers.get("authorization").and_then(|v| v.to_str().ok()) == Some("Bearer tpp-token")
        && headers.get("consent-id").and_then(|v| v.to_str().ok()) == Some("consent-1")
        && headers.contains_key("x-request-id")
}

async fn accounts(State(stub): State<Arc<Stub>>, headers: HeaderMap) -> Response {
    stub.hit("accounts");
    if !authorised(&headers) {
        return (
            StatusCode::UNAUTHORIZED,
            r#"{"tppMessages":[{"category":"ERROR","code":"CONSENT_INVALID"}]}"#,
        )
            .into_response();
    }
    json(StatusCode::OK, example("accountListExample1.json"))
}

async fn account(
    State(stub): State<Arc<Stub>>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    stub.hit(&format!("account/{id}"));
    if !authorised(&headers) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    json(StatusCode::OK, example("accountDetailsRegularAccount.json"))
}

async fn balances(State(stub): State<Arc<Stub>>, Path(id): Path<String>) -> Response {
    stub.hit(&format!("balances/{id}"));
    json(
        StatusCode::OK,
        example("balancesExample1_RegularAccount.json"),
    )
}

/// Two pages: the first links to the second.
async fn transactions(
    State(stub): State<Arc<Stub>>,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    stub.hit(&format!("transactions/{id}"));
    assert_eq!(q.get("bookingStatus").map(String::as_str), Some("booked"));
    assert!(q.contains_key("dateFrom"));
    let mut body: serde_json::Value =
        serde_json::from_slice(&example("transactionsExample1_RegularAccount_json.json")).unwrap();
    if !q.contains_key("page") {
        body["transactions"]["_links"]["next"] = serde_json::json!({"href": format!("/v1/accounts/{id}/transactions?bookingStatus=booked&dateFrom=2017-01-01&page=2")});
    } else {
        for t in body["transactions"]["booked"].as_array_mut().unwrap() {
            let id = t["transactionId"].as_str().unwrap().to_owned();
            t["transactionId"] = format!("{id}-p2").into();
        }
    }
    json(StatusCode::OK, serde_json::to_vec(&body).unwrap())
}

async fn fec(
    State(stub): State<Arc<Stub>>,
    Path(reference): Path<String>,
    headers: HeaderMap,
) -> Response {
    stub.hit("fec");
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer docs-token") {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    match reference.as_str() {
        "123456789FEC20500930" => {
            shared("fec/neolegal_fec_reader/123456789FEC20500930.txt").into_response()
        }
        "broken" => "JournalCode\tNothing\n".into_response(),
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

async fn bilans(
    State(stub): State<Arc<Stub>>,
    Path(siren): Path<String>,
    Query(q): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    stub.hit("bilans");
    let complete = ["context", "recipient", "object"]
        .iter()
        .all(|k| q.contains_key(*k));
    if !complete
        || headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer ae-token")
    {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    if siren == GANYMEDE {
        json(
            StatusCode::OK,
            shared("payloads/annuaire_e2e_fixtures/banque-de-france-bilans.json"),
        )
    } else {
        json(
            StatusCode::NOT_FOUND,
            br#"{"errors":[{"code":"04003","title":"Entite non trouvee","detail":"inconnu","source":null,"meta":{"provider":"Banque de France"}}]}"#.to_vec(),
        )
    }
}

async fn spawn_stub() -> (String, Arc<Stub>) {
    let stub = Arc::new(Stub::default());
    let app = Router::new()
        .route("/insee/siren/{siren}", get(siren))
        .route("/insee/siret", get(siret))
        .route("/bodacc/api/records/1.0/search/", get(bodacc))
        .route("/psd2/v1/accounts", get(accounts))
        .route("/psd2/v1/accounts/{id}", get(account))
        .route("/psd2/v1/accounts/{id}/balances", get(balances))
        .route("/psd2/v1/accounts/{id}/transactions", get(transactions))
        .route("/docs/{reference}", get(fec))
        .route(
            "/ae/v3/banque_de_france/unites_legales/{siren}/bilans",
            get(bilans),
        )
        .with_state(Arc::clone(&stub));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, stub)
}

fn settings(base: &str, deadline_ms: u64) -> SourcesSettings {
    let mut s = SourcesSettings {
        deadline_ms,
        ..SourcesSettings::default()
    };
    s.sirene.base_url = format!("{base}/insee");
    s.sirene.api_key = Some(SecretString::from("insee-key"));
    s.bodacc.base_url = format!("{base}/bodacc");
    s.open_banking.base_url = format!("{base}/psd2");
    s.open_banking.api_key = Some(SecretString::from("tpp-token"));
    s.accounting.base_url = format!("{base}/docs");
    s.accounting.api_key = Some(SecretString::from("docs-token"));
    s.filed_accounts.base_url = format!("{base}/ae");
    s.filed_accounts.api_key = Some(SecretString::from("ae-token"));
    s.filed_accounts.recipient = "13002526500013".into();
    s.filed_accounts.timeout_ms = deadline_ms;
    for live in [
        &mut s.sirene,
        &mut s.bodacc,
        &mut s.open_banking,
        &mut s.accounting,
    ] {
        live.timeout_ms = deadline_ms;
    }
    s
}

fn gatherer(settings: &SourcesSettings) -> Gatherer {
    let mut sources = live::connectors(settings, &reqwest::Client::new());
    sources.push(Arc::new(sector::SectorSource));
    Gatherer::new(settings, Vec::new(), sources)
}

fn request(siren: &str) -> SourceRequest {
    SourceRequest {
        world: World::Live,
        siren: Siren::parse(siren).unwrap(),
        bank_connection: Some(BankConnection {
            consent_id: "consent-1".into(),
            connected_at: None,
        }),
        accounting_ref: Some("123456789FEC20500930".into()),
        iban: None,
        as_of: Utc::now(),
    }
}

#[tokio::test]
async fn live_connectors_fetch_every_source_and_keep_the_bytes_as_received() {
    let (base, stub) = spawn_stub().await;
    let g = gatherer(&settings(&base, 3_000))
        .gather(&request(GANYMEDE))
        .await;
    for o in &g.outcomes {
        assert_eq!(o.missing, None, "{o:?}");
    }
    assert_eq!(
        g.coverage, 95,
        "everything but the internal source, not wired here"
    );
    let unit = g
        .snapshots
        .iter()
        .find(|s| s.source == SourceId::SireneUnit)
        .unwrap();
    let original = shared("payloads/insee_sirene_v3/siren__ganymede.json");
    assert_eq!(unit.body().unwrap(), original, "kept byte for byte");
    assert_eq!(
        unit.sha256,
        server::sources::snapshot::sha256_hex(&original)
    );
    assert!(unit.request.ends_with("/insee/siren/880878145"));
    assert_eq!(unit.provider, "insee-sirene-3.11");
    assert_eq!(
        stub.seen_headers.lock().unwrap().first().cloned(),
        Some(("insee".to_owned(), "insee-key".to_owned()))
    );
    // Two accounts, each: details, balances and two pages of transactions.
    assert_eq!(stub.hits("accounts"), 1);
    let facts = Facts::from_snapshots(&g.request, &g.snapshots);
    assert!(facts.unreadable.is_empty(), "{:?}", facts.unreadable);
    assert_eq!(facts.legal_unit.as_ref().unwrap().name, "GANYMEDE");
    assert_eq!(facts.establishments.as_ref().unwrap().len(), 1);
    assert!(facts.legal_events.as_ref().unwrap().radiated_on.is_some());
    let bank = facts.bank.as_ref().unwrap();
    assert_eq!(bank.accounts.len(), 2);
    assert_eq!(
        bank.transactions.len(),
        2 * 2 * 2,
        "2 accounts × 2 pages × 2 booked"
    );
    assert!(bank.accounts.iter().all(|a| a.owner_name.is_some()));
    assert_eq!(facts.accounting.as_ref().unwrap()["balanced"], true);
    assert_eq!(facts.sector.as_ref().unwrap().section, "J");
    let filed = facts.filed_accounts.as_ref().unwrap();
    assert_eq!(filed.len(), 3);
    assert_eq!(filed[0].equity(), Some(16_412_590_000));
}

#[tokio::test]
async fn an_unknown_company_is_reported_not_found_with_the_registry_answer_kept() {
    let (base, _) = spawn_stub().await;
    let g = gatherer(&settings(&base, 2_000))
        .gather(&request("732829320"))
        .await;
    let o = g.outcome(SourceId::SireneUnit).unwrap();
    assert_eq!(o.missing, Some(SourceError::NotFound));
    assert_eq!(o.snapshots.len(), 1);
    let facts = Facts::from_snapshots(&g.request, &g.snapshots);
    assert!(facts.registry_not_found);
    assert!(facts.legal_unit.is_none());
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_when_retry_after_fits_the_deadline() {
    let (base, stub) = spawn_stub().await;
    let started = std::time::Instant::now();
    let g = gatherer(&settings(&base, 3_000))
        .gather(&request(RATE_LIMITED))
        .await;
    assert!(
        g.answered(SourceId::SireneUnit),
        "{:?}",
        g.outcome(SourceId::SireneUnit)
    );
    assert_eq!(stub.hits(&format!("siren/{RATE_LIMITED}")), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was honoured"
    );
}

#[tokio::test]
async fn a_rate_limit_longer_than_the_deadline_is_reported_at_once() {
    let (base, stub) = spawn_stub().await;
    let started = std::time::Instant::now();
    let g = gatherer(&settings(&base, 1_000))
        .gather(&request(RATE_LIMITED_LONG))
        .await;
    assert_eq!(
        g.outcome(SourceId::SireneUnit).unwrap().missing,
        Some(SourceError::RateLimited {
            retry_after_s: Some(120)
        })
    );
    assert_eq!(stub.hits(&format!("siren/{RATE_LIMITED_LONG}")), 1);
    assert!(started.elapsed() < Duration::from_millis(900));
}

#[tokio::test]
async fn server_errors_are_reported_and_a_gateway_error_is_retried_once() {
    let (base, stub) = spawn_stub().await;
    let s = settings(&base, 2_000);
    let g = gatherer(&s).gather(&request(BROKEN)).await;
    assert_eq!(
        g.outcome(SourceId::SireneUnit).unwrap().missing,
        Some(SourceError::Http { status: 500 })
    );
    assert_eq!(
        stub.hits(&format!("siren/{BROKEN}")),
        1,
        "a 500 is not retried"
    );
    let g = gatherer(&s).gather(&request(FLAKY)).await;
    assert!(g.answered(SourceId::SireneUnit));
    assert_eq!(
        stub.hits(&format!("siren/{FLAKY}")),
        2,
        "a 503 is retried once"
    );
}

#[tokio::test]
async fn a_malformed_body_is_kept_as_evidence_and_the_source_is_missing() {
    let (base, _) = spawn_stub().await;
    let g = gatherer(&settings(&base, 2_000))
        .gather(&request(MALFORMED))
        .await;
    let o = g.outcome(SourceId::SireneUnit).unwrap();
    assert!(
        matches!(o.missing, Some(SourceError::Malformed { .. })),
        "{o:?}"
    );
    assert_eq!(o.snapshots.len(), 1);
    let mut req = request(GANYMEDE);
    req.accounting_ref = Some("broken".into());
    let g = gatherer(&settings(&base, 2_000)).gather(&req).await;
    assert!(matches!(
        g.outcome(SourceId::Accounting).unwrap().missing,
        Some(SourceError::Malformed { .. })
    ));
}

#[tokio::test]
async fn a_stalled_source_is_cut_at_the_deadline_and_reported_missing() {
    let (base, _) = spawn_stub().await;
    // The deadline leaves the stub's other answers time to arrive on a loaded machine (the
    // whole suite runs in parallel on two cores): a source cut for being late here would be
    // the machine's doing, not the stub's.
    let s = settings(&base, 1_000);
    let started = std::time::Instant::now();
    let g = gatherer(&s).gather(&request(STALLED)).await;
    let waited = started.elapsed();
    assert!(
        waited < Duration::from_millis(1_600),
        "waited {waited:?} for a 1 s deadline"
    );
    assert!(matches!(
        g.outcome(SourceId::SireneUnit).unwrap().missing,
        Some(SourceError::Timeout { .. })
    ));
    // The others answered and say how long they took.
    let bank = g.outcome(SourceId::OpenBanking).unwrap();
    assert_eq!(bank.missing, None);
    assert!(bank.latency_ms < 1_000);
    // The stub knows the establishments of one company only.
    assert_eq!(
        g.outcome(SourceId::SireneEstablishments).unwrap().missing,
        Some(SourceError::NotFound)
    );
    // Nor does it have filed accounts for it.
    assert_eq!(
        g.outcome(SourceId::FiledAccounts).unwrap().missing,
        Some(SourceError::NotFound)
    );
    assert_eq!(
        g.coverage,
        95 - SourceId::SireneUnit.coverage_weight()
            - SourceId::SireneEstablishments.coverage_weight()
            - SourceId::FiledAccounts.coverage_weight()
    );
}

#[tokio::test]
async fn answers_are_reused_within_their_time_to_live() {
    let (base, stub) = spawn_stub().await;
    let g = gatherer(&settings(&base, 3_000));
    let first = g.gather(&request(GANYMEDE)).await;
    let second = g.gather(&request(GANYMEDE)).await;
    assert_eq!(stub.hits(&format!("siren/{GANYMEDE}")), 1);
    assert_eq!(stub.hits("accounts"), 1);
    let cached = second.outcome(SourceId::SireneUnit).unwrap();
    assert!(cached.from_cache);
    assert_eq!(
        cached.snapshots,
        first.outcome(SourceId::SireneUnit).unwrap().snapshots
    );
    // Without a time-to-live every gathering fetches.
    let mut s = settings(&base, 3_000);
    s.sirene.cache_ttl_seconds = 0;
    let g = gatherer(&s);
    g.gather(&request(GANYMEDE)).await;
    g.gather(&request(GANYMEDE)).await;
    assert_eq!(stub.hits(&format!("siren/{GANYMEDE}")), 3);
}

#[tokio::test]
async fn without_a_bank_connection_or_a_file_those_sources_are_not_requested() {
    let (base, stub) = spawn_stub().await;
    let mut req = request(GANYMEDE);
    req.bank_connection = None;
    req.accounting_ref = None;
    let g = gatherer(&settings(&base, 2_000)).gather(&req).await;
    assert!(matches!(
        g.outcome(SourceId::OpenBanking).unwrap().missing,
        Some(SourceError::NotRequested { .. })
    ));
    assert!(matches!(
        g.outcome(SourceId::Accounting).unwrap().missing,
        Some(SourceError::NotRequested { .. })
    ));
    assert_eq!(stub.hits("accounts"), 0);
    assert_eq!(stub.hits("fec"), 0);
}

#[tokio::test]
async fn a_live_source_without_its_credential_is_reported_not_configured_without_a_call() {
    let (base, stub) = spawn_stub().await;
    let mut s = settings(&base, 2_000);
    s.open_banking.api_key = None;
    s.filed_accounts.recipient = String::new();
    let g = gatherer(&s).gather(&request(GANYMEDE)).await;
    for (source, setting) in [
        (SourceId::OpenBanking, "sources.open_banking.api_key"),
        (SourceId::FiledAccounts, "sources.filed_accounts.recipient"),
    ] {
        match &g.outcome(source).unwrap().missing {
            Some(SourceError::NotConfigured { detail }) => {
                assert!(detail.contains(setting), "{detail}")
            }
            other => panic!("{source}: {other:?}"),
        }
    }
    assert_eq!(stub.hits("accounts"), 0);
    assert_eq!(stub.hits("bilans"), 0);
}

#[tokio::test]
async fn a_wrong_credential_is_an_http_error_not_a_crash() {
    let (base, _) = spawn_stub().await;
    let mut s = settings(&base, 2_000);
    s.open_banking.api_key = Some(SecretString::from("expired"));
    let g = gatherer(&s).gather(&request(GANYMEDE)).await;
    assert_eq!(
        g.outcome(SourceId::OpenBanking).unwrap().missing,
        Some(SourceError::Http { status: 401 })
    );
}

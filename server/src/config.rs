//! Settings in layers: built-in defaults < config file (TOML) < environment variables
//! (`AVAL_` prefix, `__` between levels, plus `DATABASE_URL`). Validated once at start-up;
//! an error names the setting and where its value came from.

use figment::providers::{Env, Format, Serialized, Toml};
use figment::Figment;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Demo mode creates one user per role on first start; production mode (the default) creates
/// none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    Demo,
    Production,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines, for a terminal.
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogSettings {
    /// A `tracing` filter, for example `info` or `info,server=debug`.
    pub level: String,
    pub format: LogFormat,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SessionSettings {
    /// A session unused this long ends.
    pub idle_timeout_minutes: u32,
    /// A session ends this long after sign-in, however active.
    pub absolute_timeout_hours: u32,
}

impl SessionSettings {
    pub fn idle_timeout(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.idle_timeout_minutes))
    }
    pub fn absolute_timeout(&self) -> chrono::Duration {
        chrono::Duration::hours(i64::from(self.absolute_timeout_hours))
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignInSettings {
    /// Failed sign-ins for one account within the window before it is refused.
    pub max_failures_per_account: usize,
    /// Failed sign-ins from one network address within the window before it is refused.
    pub max_failures_per_address: usize,
    pub window_minutes: u32,
}

impl SignInSettings {
    pub fn window(&self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.window_minutes))
    }
}

/// Every setting of the server.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub mode: Mode,
    /// Address the HTTP server listens on (port 0 picks a free port).
    pub listen: SocketAddr,
    /// The address people use to reach the application; `https://` turns on Secure cookies.
    pub public_url: String,
    /// Where the embedded database and other local files live.
    pub data_dir: PathBuf,
    /// Overrides the embedded database: `sqlite://…` or `postgres://…`. Never logged.
    #[serde(serialize_with = "no_secret", default)]
    pub database_url: Option<SecretString>,
    /// Trust the last `X-Forwarded-For` entry as the client address (behind a reverse proxy).
    pub trust_proxy_headers: bool,
    pub log: LogSettings,
    pub session: SessionSettings,
    pub sign_in: SignInSettings,
    pub sources: SourcesSettings,
    pub api: ApiSettings,
    pub cases: CaseSettings,
    pub webhooks: WebhookSettings,
    pub monitoring: MonitoringSettings,
    pub integration: IntegrationSettings,
    pub audit: AuditSettings,
    pub secrets: SecretSettings,
}

/// The audit log's signed checkpoints.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// New records are signed into a checkpoint at most this long after they are written
    /// (records written meanwhile share the checkpoint).
    pub checkpoint_batch_ms: u64,
    /// With no new record, a checkpoint is still signed this often (the log shows it is alive).
    pub checkpoint_idle_seconds: u64,
    /// The checkpoints' origin line, naming this log; the public URL's host when empty.
    pub origin: String,
    /// The Ed25519 signing key's 32-byte seed, base64; without it, a key is generated at first
    /// start and kept sealed in the data directory. Never logged.
    #[serde(serialize_with = "no_secret", default)]
    pub signing_key: Option<SecretString>,
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self {
            checkpoint_batch_ms: 1_000,
            checkpoint_idle_seconds: 60,
            origin: String::new(),
            signing_key: None,
        }
    }
}

/// The master key that seals the secrets kept at rest.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretSettings {
    /// 32 bytes, base64 (`openssl rand -base64 32`). Without it, one is generated at first start
    /// in the data directory (mode 0600), with a warning. Never logged.
    #[serde(serialize_with = "no_secret", default)]
    pub master_key: Option<SecretString>,
    /// Earlier master keys: what they sealed still opens, and is sealed again with the current
    /// key at start-up. Never logged.
    #[serde(serialize_with = "no_secrets", default)]
    pub previous_master_keys: Vec<SecretString>,
}

fn no_secrets<S: serde::Serializer>(v: &[SecretString], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(|_| "(secret)"))
}

/// What the go-live checklist (`GET /api/v1/readiness`) asks of a lender's integration.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IntegrationSettings {
    /// Decisions per second the lender expects at its peak: the rate a load test must sustain.
    pub expected_rate_per_second: u32,
    /// How long that load test must last, in seconds.
    pub load_test_min_seconds: u32,
}

impl Default for IntegrationSettings {
    fn default() -> Self {
        Self {
            expected_rate_per_second: 20,
            load_test_min_seconds: 60,
        }
    }
}

/// Delivery of webhooks to the lenders' endpoints.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookSettings {
    /// Seconds to wait before each retry after a failed attempt (each wait varies by up to a
    /// fifth, at random, so that retries spread out). After the last, the event is dead.
    pub retry_schedule_seconds: Vec<u64>,
    /// An endpoint is disabled after this many failed attempts in a row…
    pub disable_after_failures: u32,
    /// …when the first of them is at least this old.
    pub disable_after_minutes: u32,
    /// How often the dispatcher looks for due deliveries.
    pub poll_interval_ms: u64,
    /// Networks webhooks may reach although they are not public (CIDR, `127.0.0.0/8`); every
    /// other loopback, private, link-local or reserved address is refused. Unset: loopback in
    /// the demo (its example receivers run on this machine), none otherwise.
    #[serde(default)]
    pub allowed_networks: Option<Vec<String>>,
    /// Fixed addresses for endpoint host names, looked up before the system's resolver (as in
    /// a hosts file; for split-horizon DNS, or to pin a receiver). The guard checks them like
    /// any other address.
    #[serde(default)]
    pub hosts: std::collections::BTreeMap<String, Vec<std::net::IpAddr>>,
}

impl WebhookSettings {
    /// The networks allowed in `mode`.
    pub fn allowed_networks(&self, mode: Mode) -> Vec<String> {
        match &self.allowed_networks {
            Some(n) => n.clone(),
            None if mode == Mode::Demo => vec!["127.0.0.0/8".into(), "::1/128".into()],
            None => Vec::new(),
        }
    }
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            // Exponential: 5 s, then four times longer each time, at most 10 h; about 28 hours
            // in all, 10 attempts.
            retry_schedule_seconds: vec![5, 20, 80, 320, 1_280, 5_120, 20_480, 36_000, 36_000],
            disable_after_failures: 15,
            disable_after_minutes: 24 * 60,
            poll_interval_ms: 1_000,
            allowed_networks: None,
            hosts: Default::default(),
        }
    }
}

/// Monitoring of the companies a grant enrolled.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MonitoringSettings {
    /// Grants enrol their company and the scheduler checks the enrolled ones.
    pub enabled: bool,
    /// How often each monitored company is re-decided.
    pub every_minutes: u32,
    /// How often the scheduler looks for companies due.
    pub poll_interval_ms: u64,
}

impl Default for MonitoringSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            every_minutes: 24 * 60,
            poll_interval_ms: 5_000,
        }
    }
}

impl MonitoringSettings {
    /// The cadence, when monitoring is on.
    pub fn every(&self) -> Option<chrono::Duration> {
        self.enabled
            .then(|| chrono::Duration::minutes(i64::from(self.every_minutes)))
    }
}

/// The world of applications entered in the workspace: the sandbox in demo mode, live otherwise.
pub fn workspace_world(settings: &Settings) -> crate::sources::World {
    match settings.mode {
        Mode::Demo => crate::sources::World::Sandbox,
        Mode::Production => crate::sources::World::Live,
    }
}

/// Human decisions on cases.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSettings {
    /// Granting more than this many euros (approval or counter-offer) needs a second credit
    /// manager's confirmation; nobody confirms their own proposal.
    pub four_eyes_above_eur: u64,
    /// Service target for a referred case, in hours: the queue shows each case's age against it.
    pub service_target_hours: u32,
}

impl Default for CaseSettings {
    fn default() -> Self {
        Self {
            four_eyes_above_eur: 50_000,
            service_target_hours: 4,
        }
    }
}

/// The lenders' REST API.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSettings {
    /// Sustained requests per second allowed per API key (token bucket).
    pub requests_per_second: u32,
    /// Requests a key may send at once above the sustained rate.
    pub burst: u32,
    /// Decisions made at once; the others wait in arrival order.
    pub max_concurrent_decisions: u32,
}

impl Default for ApiSettings {
    fn default() -> Self {
        Self {
            requests_per_second: 500,
            burst: 1000,
            max_concurrent_decisions: 128,
        }
    }
}

fn no_secret<S: serde::Serializer>(_: &Option<SecretString>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_none()
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            mode: Mode::Production,
            listen: SocketAddr::from(([127, 0, 0, 1], 3000)),
            public_url: "http://127.0.0.1:3000".to_owned(),
            data_dir: PathBuf::from("data"),
            database_url: None,
            trust_proxy_headers: false,
            log: LogSettings {
                level: "info".to_owned(),
                format: LogFormat::Pretty,
            },
            session: SessionSettings {
                idle_timeout_minutes: 30,
                absolute_timeout_hours: 12,
            },
            sign_in: SignInSettings {
                max_failures_per_account: 5,
                max_failures_per_address: 50,
                window_minutes: 15,
            },
            sources: SourcesSettings::default(),
            api: ApiSettings::default(),
            cases: CaseSettings::default(),
            webhooks: WebhookSettings::default(),
            monitoring: MonitoringSettings::default(),
            integration: IntegrationSettings::default(),
            audit: AuditSettings::default(),
            secrets: SecretSettings::default(),
        }
    }
}

/// One live data source: where it is, its credential, how long to wait for it and how long
/// its answers may be reused.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiveSourceSettings {
    pub base_url: String,
    /// API key or access token. Never logged.
    #[serde(serialize_with = "no_secret", default)]
    pub api_key: Option<SecretString>,
    pub timeout_ms: u64,
    /// Answers are reused for this long (0: never), so a burst of decisions about one company
    /// fetches once.
    pub cache_ttl_seconds: u64,
}

impl LiveSourceSettings {
    fn new(base_url: &str, timeout_ms: u64, cache_ttl_seconds: u64) -> Self {
        Self {
            base_url: base_url.to_owned(),
            api_key: None,
            timeout_ms,
            cache_ttl_seconds,
        }
    }
}

/// API Entreprise v3 (Banque de France balance sheets): a live source with the parameters the
/// API requires on every call.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiEntrepriseSettings {
    pub base_url: String,
    /// The API Entreprise token (JWT). Never logged.
    #[serde(serialize_with = "no_secret", default)]
    pub api_key: Option<SecretString>,
    pub timeout_ms: u64,
    pub cache_ttl_seconds: u64,
    /// SIRET of the organisation the data is for (`recipient`).
    pub recipient: String,
    /// Why the data is requested (`context`), for the API's audit.
    pub context: String,
    /// The file or procedure it serves (`object`).
    pub object: String,
}

impl ApiEntrepriseSettings {
    pub fn live(&self) -> LiveSourceSettings {
        LiveSourceSettings {
            base_url: self.base_url.clone(),
            api_key: self.api_key.clone(),
            timeout_ms: self.timeout_ms,
            cache_ttl_seconds: self.cache_ttl_seconds,
        }
    }
}

/// Latency of one sandbox source: log-normal with this median and 99th percentile
/// (both 0: answers at once).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LatencySettings {
    pub median_ms: f64,
    pub p99_ms: f64,
}

/// The sandbox world's simulated source latencies, per source.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxSettings {
    pub latency: std::collections::BTreeMap<String, LatencySettings>,
    /// How long the "slow source" test company's bank takes to answer.
    pub slow_source_ms: u64,
}

impl SandboxSettings {
    /// Latencies in the range public registries and banks show: tens of milliseconds for
    /// registries, about a hundred for banks.
    pub fn realistic() -> Self {
        let l = |median_ms, p99_ms| LatencySettings { median_ms, p99_ms };
        Self {
            latency: [
                ("sirene_unit", l(45.0, 150.0)),
                ("sirene_establishments", l(45.0, 150.0)),
                ("bodacc", l(60.0, 180.0)),
                ("open_banking", l(90.0, 220.0)),
                ("accounting", l(25.0, 90.0)),
                ("filed_accounts", l(70.0, 200.0)),
                ("sector_risk", l(0.0, 0.0)),
                ("internal", l(0.0, 0.0)),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
            slow_source_ms: 2_000,
        }
    }
}

/// Data sources: the deadline of one gathering, the live connectors and the sandbox world.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourcesSettings {
    /// All sources are waited for at most this long per decision.
    pub deadline_ms: u64,
    /// INSEE Sirene API (V3.11, API key of the INSEE portal).
    pub sirene: LiveSourceSettings,
    /// BODACC open data (Opendatasoft), no credential.
    pub bodacc: LiveSourceSettings,
    /// The bank or aggregator's NextGenPSD2 interface (OAuth access token).
    pub open_banking: LiveSourceSettings,
    /// The document store that holds the companies' FEC files (bearer token).
    pub accounting: LiveSourceSettings,
    /// Filed annual accounts through API Entreprise v3.
    pub filed_accounts: ApiEntrepriseSettings,
    pub sandbox: SandboxSettings,
}

impl Default for SourcesSettings {
    fn default() -> Self {
        Self {
            deadline_ms: 300,
            sirene: LiveSourceSettings::new("https://api.insee.fr/api-sirene/3.11", 250, 3_600),
            bodacc: LiveSourceSettings::new("https://bodacc-datadila.opendatasoft.com", 250, 3_600),
            open_banking: LiveSourceSettings::new("https://psd2.example-bank.invalid", 280, 300),
            accounting: LiveSourceSettings::new(
                "https://documents.example-lender.invalid/fec",
                250,
                86_400,
            ),
            filed_accounts: ApiEntrepriseSettings {
                base_url: "https://entreprise.api.gouv.fr".to_owned(),
                api_key: None,
                timeout_ms: 250,
                cache_ttl_seconds: 86_400,
                recipient: String::new(),
                context: "Decision de credit".to_owned(),
                object: "Analyse du risque de credit".to_owned(),
            },
            sandbox: SandboxSettings::realistic(),
        }
    }
}

impl SourcesSettings {
    /// The default settings with every sandbox source answering at once: for comparisons,
    /// benchmarks and tests that decide many companies.
    pub fn instant_sandbox() -> Self {
        let mut settings = Self::default();
        for l in settings.sandbox.latency.values_mut() {
            *l = LatencySettings {
                median_ms: 0.0,
                p99_ms: 0.0,
            };
        }
        settings
    }
}

/// The storage backend a database URL selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

/// A setting that cannot be used, named as in the config file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("configuration file {0} does not exist")]
    MissingFile(PathBuf),
    #[error("invalid configuration: {0}")]
    Invalid(String),
    #[error("invalid setting `{key}`: {problem}")]
    Setting { key: String, problem: String },
}

/// One extraction error as a sentence: the setting (lower case, dotted), where its value came
/// from, and what is wrong with it.
fn describe(error: figment::Error) -> String {
    let key = error
        .path
        .iter()
        .map(|p| p.to_lowercase())
        .collect::<Vec<_>>()
        .join(".");
    let source = error
        .metadata
        .as_ref()
        .map(|m| format!(" (from {})", m.name))
        .unwrap_or_default();
    if key.is_empty() {
        format!("{}{source}", error.kind)
    } else {
        format!("setting `{key}`{source}: {}", error.kind)
    }
}

/// Where the embedded database lives when `database_url` is not set.
pub const DEFAULT_DB_FILE: &str = "aval.db";

impl Settings {
    /// Loads the layers. `file` is the config file named on the command line or in
    /// `AVAL_CONFIG`; without one, `aval.toml` is read if it exists.
    pub fn load(file: Option<&Path>) -> Result<Settings, ConfigError> {
        Self::from_figment(Self::figment(file)?)
    }

    fn figment(file: Option<&Path>) -> Result<Figment, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        match file {
            Some(path) if !path.exists() => return Err(ConfigError::MissingFile(path.into())),
            Some(path) => figment = figment.merge(Toml::file_exact(path)),
            None if Path::new("aval.toml").exists() => {
                figment = figment.merge(Toml::file_exact("aval.toml"))
            }
            None => {}
        }
        Ok(figment
            .merge(Env::prefixed("AVAL_").split("__").ignore(&["config"]))
            .merge(Env::raw().only(&["DATABASE_URL"])))
    }

    pub(crate) fn from_figment(figment: Figment) -> Result<Settings, ConfigError> {
        let settings: Settings = figment.extract().map_err(|e| {
            ConfigError::Invalid(e.into_iter().map(describe).collect::<Vec<_>>().join("; "))
        })?;
        settings.validate()?;
        Ok(settings)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        let bad = |key: &str, problem: &str| {
            Err(ConfigError::Setting {
                key: key.to_owned(),
                problem: problem.to_owned(),
            })
        };
        if !(self.public_url.starts_with("http://") || self.public_url.starts_with("https://")) {
            return bad("public_url", "must start with http:// or https://");
        }
        if self.session.idle_timeout_minutes == 0 {
            return bad("session.idle_timeout_minutes", "must be at least 1");
        }
        if self.session.absolute_timeout_hours == 0 {
            return bad("session.absolute_timeout_hours", "must be at least 1");
        }
        if self.session.idle_timeout() > self.session.absolute_timeout() {
            return bad(
                "session.idle_timeout_minutes",
                "must not exceed session.absolute_timeout_hours",
            );
        }
        if self.sign_in.max_failures_per_account == 0 {
            return bad("sign_in.max_failures_per_account", "must be at least 1");
        }
        if self.sign_in.max_failures_per_address == 0 {
            return bad("sign_in.max_failures_per_address", "must be at least 1");
        }
        if self.sign_in.window_minutes == 0 {
            return bad("sign_in.window_minutes", "must be at least 1");
        }
        if self.api.requests_per_second == 0 || self.api.burst == 0 {
            return bad(
                "api.requests_per_second",
                "must be at least 1 (and api.burst too)",
            );
        }
        if self.integration.expected_rate_per_second == 0 {
            return bad("integration.expected_rate_per_second", "must be at least 1");
        }
        for n in self.webhooks.allowed_networks.iter().flatten() {
            if n.parse::<ipnet::IpNet>().is_err() {
                return bad(
                    "webhooks.allowed_networks",
                    &format!("{n} is not a network in CIDR notation (127.0.0.0/8, ::1/128)"),
                );
            }
        }
        if self.audit.checkpoint_batch_ms == 0 {
            return bad("audit.checkpoint_batch_ms", "must be at least 1");
        }
        if self.audit.checkpoint_idle_seconds == 0 {
            return bad("audit.checkpoint_idle_seconds", "must be at least 1");
        }
        if self.integration.load_test_min_seconds == 0 {
            return bad("integration.load_test_min_seconds", "must be at least 1");
        }
        if self.webhooks.retry_schedule_seconds.len() > 30 {
            return bad("webhooks.retry_schedule_seconds", "at most 30 retries");
        }
        if self.webhooks.disable_after_failures == 0 {
            return bad("webhooks.disable_after_failures", "must be at least 1");
        }
        if self.webhooks.poll_interval_ms == 0 {
            return bad("webhooks.poll_interval_ms", "must be at least 1");
        }
        if self.monitoring.every_minutes == 0 {
            return bad("monitoring.every_minutes", "must be at least 1");
        }
        if self.monitoring.poll_interval_ms == 0 {
            return bad("monitoring.poll_interval_ms", "must be at least 1");
        }
        if !(1..=10_000).contains(&self.api.max_concurrent_decisions) {
            return bad(
                "api.max_concurrent_decisions",
                "must be between 1 and 10000",
            );
        }
        if self.sources.deadline_ms == 0 || self.sources.deadline_ms > 60_000 {
            return bad("sources.deadline_ms", "must be between 1 and 60000");
        }
        let filed = self.sources.filed_accounts.live();
        for (key, live) in [
            ("sources.sirene", &self.sources.sirene),
            ("sources.bodacc", &self.sources.bodacc),
            ("sources.open_banking", &self.sources.open_banking),
            ("sources.accounting", &self.sources.accounting),
            ("sources.filed_accounts", &filed),
        ] {
            if !(live.base_url.starts_with("http://") || live.base_url.starts_with("https://")) {
                return Err(ConfigError::Setting {
                    key: format!("{key}.base_url"),
                    problem: "must start with http:// or https://".to_owned(),
                });
            }
            if live.timeout_ms == 0 {
                return Err(ConfigError::Setting {
                    key: format!("{key}.timeout_ms"),
                    problem: "must be at least 1".to_owned(),
                });
            }
        }
        for (name, l) in &self.sources.sandbox.latency {
            if name.parse::<crate::sources::SourceId>().is_err() {
                return Err(ConfigError::Setting {
                    key: "sources.sandbox.latency".to_owned(),
                    problem: format!("{name:?} is not a source"),
                });
            }
            let valid = l.median_ms.is_finite()
                && l.p99_ms.is_finite()
                && l.median_ms >= 0.0
                && l.p99_ms >= l.median_ms
                && (l.median_ms > 0.0 || l.p99_ms == 0.0);
            if !valid {
                return Err(ConfigError::Setting {
                    key: "sources.sandbox.latency".to_owned(),
                    problem: format!(
                        "{name}: needs 0 <= median_ms <= p99_ms (median 0 only with p99 0)"
                    ),
                });
            }
        }
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&self.log.level) {
            return bad("log.level", &e.to_string());
        }
        if let Some(url) = &self.database_url {
            let url = url.expose_secret();
            if !(url.starts_with("sqlite:")
                || url.starts_with("postgres://")
                || url.starts_with("postgresql://"))
            {
                return bad(
                    "database_url",
                    "must be a sqlite:, postgres:// or postgresql:// URL",
                );
            }
        }
        Ok(())
    }

    /// The audit checkpoints' origin line: `audit.origin`, or the public URL's host and
    /// port followed by `/audit`.
    pub fn audit_origin(&self) -> String {
        if !self.audit.origin.is_empty() {
            return self.audit.origin.clone();
        }
        let host = self
            .public_url
            .split_once("://")
            .map_or(self.public_url.as_str(), |(_, rest)| rest)
            .trim_end_matches('/');
        format!("{host}/audit")
    }

    /// Whether cookies must carry the Secure flag.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// The database to open: `database_url`, or the embedded file in `data_dir`.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.expose_secret().to_owned(),
            None => format!("sqlite://{}", self.data_dir.join(DEFAULT_DB_FILE).display()),
        }
    }

    /// The kind of database in use, safe to log.
    pub fn database_kind(&self) -> DatabaseKind {
        if self.database_url().starts_with("sqlite:") {
            DatabaseKind::Sqlite
        } else {
            DatabaseKind::Postgres
        }
    }
}

#[cfg(test)]
// figment's `Jail` closures must return its own large error type.
#[allow(clippy::result_large_err)]
mod tests {
    use super::*;
    use figment::Jail;

    #[test]
    fn environment_overrides_file_which_overrides_defaults() {
        Jail::expect_with(|jail| {
            jail.create_file(
                "aval.toml",
                "mode = \"demo\"\n[session]\nidle_timeout_minutes = 10\nabsolute_timeout_hours = 2\n",
            )?;
            jail.set_env("AVAL_SESSION__IDLE_TIMEOUT_MINUTES", "20");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.mode, Mode::Demo);
            assert_eq!(s.session.idle_timeout_minutes, 20);
            assert_eq!(s.session.absolute_timeout_hours, 2);
            assert_eq!(s.sign_in.max_failures_per_account, 5);
            Ok(())
        });
    }

    #[test]
    fn a_bad_value_names_the_setting() {
        Jail::expect_with(|jail| {
            jail.set_env("AVAL_SIGN_IN__WINDOW_MINUTES", "soon");
            let err = Settings::load(None).unwrap_err().to_string();
            assert!(err.contains("`sign_in.window_minutes`"), "{err}");
            assert!(err.contains("AVAL_"), "{err}");
            jail.set_env("AVAL_SIGN_IN__WINDOW_MINUTES", "0");
            let err = Settings::load(None).unwrap_err().to_string();
            assert!(err.contains("`sign_in.window_minutes`"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn webhook_monitoring_and_decision_bounds_are_checked_by_name() {
        for (var, value, key) in [
            (
                "AVAL_API__MAX_CONCURRENT_DECISIONS",
                "0",
                "api.max_concurrent_decisions",
            ),
            (
                "AVAL_WEBHOOKS__DISABLE_AFTER_FAILURES",
                "0",
                "webhooks.disable_after_failures",
            ),
            (
                "AVAL_WEBHOOKS__POLL_INTERVAL_MS",
                "0",
                "webhooks.poll_interval_ms",
            ),
            (
                "AVAL_MONITORING__EVERY_MINUTES",
                "0",
                "monitoring.every_minutes",
            ),
            (
                "AVAL_MONITORING__POLL_INTERVAL_MS",
                "0",
                "monitoring.poll_interval_ms",
            ),
        ] {
            Jail::expect_with(|jail| {
                jail.set_env(var, value);
                let err = Settings::load(None).unwrap_err().to_string();
                assert!(err.contains(key), "{var}: {err}");
                Ok(())
            });
        }
        Jail::expect_with(|jail| {
            jail.set_env("AVAL_WEBHOOKS__RETRY_SCHEDULE_SECONDS", "[1, 2, 3]");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.webhooks.retry_schedule_seconds, vec![1, 2, 3]);
            Ok(())
        });
    }

    #[test]
    fn an_unknown_setting_is_refused_by_name() {
        Jail::expect_with(|jail| {
            jail.create_file("aval.toml", "[session]\nidle_timeout = 3\n")?;
            let err = Settings::load(None).unwrap_err().to_string();
            assert!(err.contains("idle_timeout"), "{err}");
            Ok(())
        });
    }

    #[test]
    fn the_database_url_never_prints() {
        Jail::expect_with(|jail| {
            jail.set_env("DATABASE_URL", "sqlite://secret-place.db");
            let s = Settings::load(None).map_err(|e| e.to_string())?;
            assert_eq!(s.database_url(), "sqlite://secret-place.db");
            assert!(!format!("{s:?}").contains("secret-place"));
            Ok(())
        });
    }

    #[test]
    fn https_public_url_makes_cookies_secure() {
        let mut s = Settings::default();
        assert!(!s.secure_cookies());
        s.public_url = "https://credit.example".into();
        assert!(s.secure_cookies());
    }
}

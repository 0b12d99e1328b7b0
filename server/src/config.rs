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
        }
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
    Setting { key: &'static str, problem: String },
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
        let bad = |key, problem: &str| {
            Err(ConfigError::Setting {
                key,
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

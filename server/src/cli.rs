//! The command line: `server` (or `server serve`) runs the application; `server users create`
//! creates an account, which is how the first admin of a production install is made.

use crate::auth::password;
use crate::config::{Mode, Settings};
use crate::startup::{open_store, shutdown_signal, Application};
use crate::store::{NewUser, StoreError};
use crate::{demo, leptos_config, telemetry};
use app::model::Role;
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "server",
    version,
    about = "Aval: real-time B2B credit decisions"
)]
pub struct Cli {
    /// Configuration file (TOML). Default: aval.toml in the working directory, if present.
    #[arg(long, env = "AVAL_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web application (the default).
    Serve,
    /// Manage user accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// API keys for lenders' systems.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// The probability-of-default model: evaluate the committed one on a file, or compare it with an
    /// earlier one. Training is the separate `aval-train` command (crate `aval-training`).
    Model {
        #[command(subcommand)]
        command: ModelCommand,
    },
    /// Check data by hand: prints what the product reads in a file or an identifier, as JSON.
    Inspect {
        #[command(subcommand)]
        command: InspectCommand,
    },
    /// Load-tests a deployment's decision API the way a lender's go-live asks: decisions for
    /// distinct sandbox companies at a fixed arrival rate (open model), then throughput, latency
    /// percentiles from each request's scheduled time, errors and a verdict against the 500 ms
    /// budget. Exits non-zero when the budget is missed. Needs a sandbox key.
    Loadtest {
        /// The deployment's address, e.g. https://aval.example.com (without /api/v1).
        #[arg(long)]
        url: String,
        /// A sandbox API key (aval_test_…).
        #[arg(long, env = "AVAL_KEY", hide_env_values = true)]
        key: String,
        /// Decisions per second.
        #[arg(long)]
        rate: u32,
        /// Seconds.
        #[arg(long)]
        duration: u64,
        /// Connections, and so requests in flight, at most.
        #[arg(long, default_value_t = 64)]
        connections: usize,
        /// Seconds one request may take before it counts as a timeout.
        #[arg(long, default_value_t = 10)]
        timeout: u64,
        /// Prints the report as one JSON object (for CI) instead of text.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Creates a key and prints only the key (it is not stored and cannot be shown again).
    Create {
        /// `sandbox` (the synthetic world) or `live` (the real sources).
        #[arg(long, value_parser = ["sandbox", "live"])]
        mode: String,
        #[arg(long)]
        name: String,
        /// What the key may do; repeat for several. Without it, the key holds every scope.
        #[arg(
            long = "scope",
            value_parser = ["decisions:write", "decisions:read", "webhooks:manage", "audit:read"],
        )]
        scopes: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Checks everything stored: the hash chain, every snapshot body against its SHA-256, the
    /// Merkle tree and every stored checkpoint; with `--checkpoints FILE` (checkpoints kept
    /// elsewhere, one JSON per line), that the log still extends each of them. Prints a JSON
    /// report; exits 0 when intact, 1 when broken (naming what it found first), 2 when it cannot
    /// be verified (a checkpoint given is malformed or signed by another key).
    Verify {
        /// Checkpoints kept outside the database, one JSON per line (as served by
        /// `GET /api/v1/audit/checkpoints` or sent as `audit.checkpoint`).
        #[arg(long)]
        checkpoints: Option<PathBuf>,
        /// The public key to check signatures with (the JSON of `/api/v1/audit/public-key`,
        /// a file holding it, or the key in base64); by default this server's own.
        #[arg(long)]
        public_key: Option<String>,
    },
    /// Checks a proof file offline (from `GET /api/v1/decisions/{id}/proof` or
    /// `GET /api/v1/audit/consistency`) with the public key alone: exits 0 when it holds, 1 when
    /// it does not, 2 when the file or the key cannot be read.
    VerifyProof {
        file: PathBuf,
        /// The JSON of `/api/v1/audit/public-key`, a file holding it, or the key in base64.
        #[arg(long)]
        public_key: String,
    },
    /// Signs a checkpoint of every record now and prints it.
    Checkpoint,
    /// Re-runs a recorded decision from its stored snapshots with its recorded versions and
    /// reports "identical" or the differences; `--current` uses today's versions instead.
    Replay {
        id: String,
        #[arg(long)]
        current: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelCommand {
    /// Prints the committed model's and the baseline's AUC, KS and Brier score on a labelled
    /// ARFF file, as one JSON object.
    Evaluate { file: PathBuf },
    /// Compares an earlier engine version and model with today's under today's policy: the
    /// outcome rates, grades and PD quartiles each gives on the sandbox population and, with
    /// `--database`, on every recorded decision (replayed under its versions and under today's).
    Compare {
        /// Ordinary sandbox companies besides the test companies.
        #[arg(long, default_value_t = 500)]
        sandbox: usize,
        /// The earlier model file, decided with the first engine version.
        #[arg(long, default_value = "models/history/pd-polish-5y-1.json")]
        old_model: PathBuf,
        /// A database whose recorded decisions to compare (`sqlite://…` or `postgres://…`).
        #[arg(long)]
        database: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum InspectCommand {
    /// Reads an FEC accounting file: counts, totals, balance, statements, ratios.
    Fec {
        /// The FEC file (tab or pipe separated, UTF-8 or ISO-8859-15).
        file: PathBuf,
    },
    /// Checks a SIREN, SIRET or IBAN (the kind is guessed from the value).
    Id { value: String },
    /// Gathers everything the sources say about a company, as a decision would, and prints
    /// which sources answered, how fast, and the facts read from them.
    Company {
        siren: String,
        /// Ask the live sources (default: the sandbox world).
        #[arg(long)]
        live: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create a user. The password is read from standard input (first line) or prompted for.
    Create {
        #[arg(long)]
        username: String,
        /// The name shown in the interface.
        #[arg(long)]
        name: String,
        /// sales_rep, credit_manager, auditor or admin.
        #[arg(long)]
        role: Role,
    },
}

/// Runs the command; the returned error is printed and the process exits non-zero.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // The model commands need no settings either.
    if let Some(Command::Model { command }) = &cli.command {
        return model_command(command).await;
    }
    // Inspecting files and identifiers needs no settings: it works anywhere, on any file.
    if let Some(Command::Inspect { command }) = &cli.command {
        if !matches!(command, InspectCommand::Company { .. }) {
            return print_out(&inspect(command)?);
        }
    }
    // A proof is checked offline: no settings, no database.
    if let Some(Command::Audit {
        command: AuditCommand::VerifyProof { file, public_key },
    }) = &cli.command
    {
        let outcome = read_public_key(public_key).and_then(|key| {
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            Ok(crate::audit::proof::verify_file(&text, &key))
        });
        match outcome {
            Ok(Ok(proven)) => {
                print_out(&serde_json::to_string_pretty(&serde_json::json!({
                    "holds": true,
                    "type": proven.proof_type,
                    "statement": proven.statement,
                }))?)?;
                return Ok(());
            }
            // The record, the arithmetic or the checkpoint's signature: it does not hold.
            Ok(Err(
                e @ (crate::audit::proof::ProofError::Fails(_)
                | crate::audit::proof::ProofError::Checkpoint { .. }),
            )) => {
                let why = e.to_string();
                print_out(&serde_json::to_string_pretty(&serde_json::json!({
                    "holds": false,
                    "problem": why,
                }))?)?;
                eprintln!("server: the proof does not hold: {why}");
                std::process::exit(1);
            }
            Ok(Err(e)) => {
                eprintln!("server: {e}");
                std::process::exit(2);
            }
            Err(e) => {
                eprintln!("server: {e:#}");
                std::process::exit(2);
            }
        }
    }
    // The load test runs against any deployment, with no settings of its own.
    if let Some(Command::Loadtest {
        url,
        key,
        rate,
        duration,
        connections,
        timeout,
        json,
    }) = &cli.command
    {
        let report = match crate::loadtest::run(crate::loadtest::Plan {
            url: url.clone(),
            key: key.clone(),
            rate: *rate,
            duration: std::time::Duration::from_secs(*duration),
            connections: *connections,
            timeout: std::time::Duration::from_secs(*timeout),
        })
        .await
        {
            Ok(report) => report,
            // A run that could not start is not a missed budget: exit status 2, not 1.
            Err(error) => {
                eprintln!("server: {error:#}");
                std::process::exit(2);
            }
        };
        print_out(&if *json {
            serde_json::to_string_pretty(&report)? + "\n"
        } else {
            crate::loadtest::text(&report)
        })?;
        if !report.verdict.pass {
            std::process::exit(1);
        }
        return Ok(());
    }
    let settings = Settings::load(cli.config.as_deref())?;
    telemetry::init(&settings.log);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(settings).await,
        Command::Users {
            command:
                UsersCommand::Create {
                    username,
                    name,
                    role,
                },
        } => create_user(settings, username, name, role).await,
        Command::Inspect {
            command: InspectCommand::Company { siren, live },
        } => inspect_company(settings, &siren, live).await,
        Command::Audit {
            command:
                AuditCommand::Verify {
                    checkpoints,
                    public_key,
                },
        } => verify_audit(&settings, checkpoints.as_deref(), public_key.as_deref()).await,
        Command::Audit {
            command: AuditCommand::Checkpoint,
        } => {
            let store = open_store(&settings).await?;
            let sealer = crate::secrets::Sealer::load(
                settings.secrets.master_key.as_ref(),
                &settings.secrets.previous_master_keys,
                &settings.data_dir,
            )?;
            let identity = crate::audit::checkpoint::load_identity(&settings, &sealer, true)?
                .ok_or_else(|| anyhow::anyhow!("no audit signing key"))?;
            let log = crate::audit::log::Log::new(store.clone(), std::sync::Arc::new(identity));
            let checkpoint = log
                .checkpoint(chrono::Utc::now(), true, std::time::Duration::ZERO)
                .await?
                .ok_or_else(|| anyhow::anyhow!("no checkpoint was signed"))?;
            store.close().await;
            print_out(&checkpoint.to_line())
        }
        Command::Audit {
            command: AuditCommand::VerifyProof { .. },
        } => unreachable!("handled before loading settings"),
        Command::Audit {
            command: AuditCommand::Replay { id, current },
        } => {
            let store = open_store(&settings).await?;
            let engine = crate::decisions::Engine::current();
            let report = crate::decisions::replay(store.as_ref(), engine, &id, current).await?;
            print_out(&serde_json::to_string_pretty(&report)?)
        }
        Command::Keys {
            command: KeysCommand::Create { mode, name, scopes },
        } => {
            let store = open_store(&settings).await?;
            let world = if mode == "live" {
                crate::sources::World::Live
            } else {
                crate::sources::World::Sandbox
            };
            let scopes = if scopes.is_empty() {
                crate::api_keys::ApiScope::ALL.to_vec()
            } else {
                scopes
                    .iter()
                    .map(|s| s.parse().map_err(|e| anyhow::anyhow!("--scope: {e}")))
                    .collect::<anyhow::Result<Vec<_>>>()?
            };
            let key = crate::api_keys::create_scoped(
                store.as_ref(),
                world,
                &name,
                &scopes,
                chrono::Utc::now(),
            )
            .await?;
            print_out(secrecy::ExposeSecret::expose_secret(&key.secret))
        }
        Command::Inspect { .. } | Command::Model { .. } | Command::Loadtest { .. } => {
            unreachable!("handled before loading settings")
        }
    }
}

async fn serve(settings: Settings) -> anyhow::Result<()> {
    let leptos = leptos_config::load()?;
    tracing::info!(
        mode = ?settings.mode,
        listen = %settings.listen,
        data_dir = %settings.data_dir.display(),
        database = ?settings.database_kind(),
        "starting"
    );
    let demo_banner = (settings.mode == Mode::Demo).then(|| demo::banner(&settings.public_url));
    let app = Application::build(settings, leptos).await?;
    tracing::info!(port = app.port(), "listening");
    if app.state().store.count_users().await? == 0 {
        println!(
            "\n  No user exists yet. Create the first administrator with:\n    \
             server users create --username <NAME> --name \"<FULL NAME>\" --role admin\n"
        );
    }
    if let Some(banner) = demo_banner {
        println!("{banner}");
    }
    if let Some(key) = crate::api_keys::first_sandbox_key(app.state().store.as_ref()).await? {
        println!(
            "\n  A sandbox API key was created for this first start (shown once, keep it):\n    {key}\n  \
             Create others with: server keys create --mode sandbox|live --name <NAME>\n"
        );
    }
    app.run_until(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let second = rpassword::prompt_password("Repeat password: ")?;
        anyhow::ensure!(first == second, "the two passwords differ");
        Ok(first)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(line.trim_end_matches(['\r', '\n']).to_owned())
    }
}

async fn create_user(
    settings: Settings,
    username: String,
    name: String,
    role: Role,
) -> anyhow::Result<()> {
    let username = app::forms::check_username(&username)
        .map_err(|e| anyhow::anyhow!("invalid username: {e}"))?;
    let name =
        app::forms::check_display_name(&name).map_err(|e| anyhow::anyhow!("invalid name: {e}"))?;
    let hash = password::hash(read_password()?).await?;
    let store = open_store(&settings).await?;
    let user = NewUser {
        username,
        display_name: name,
        role,
        password_hash: hash,
        is_demo: false,
        must_change_password: false,
    };
    let now = chrono::Utc::now();
    // Recorded like an admin's creation, made by no signed-in user.
    let record = crate::accounts::record(
        &settings,
        crate::accounts::AccountEvent::Created,
        None,
        serde_json::json!({"via": "command line"}),
        now,
    );
    match store.create_user(user, now, Some(record)).await {
        Ok(user) => {
            println!(
                "created user `{}` ({}) with id {}",
                user.username, user.role, user.id
            );
            Ok(())
        }
        Err(StoreError::Conflict(what)) => anyhow::bail!("{what} already exists"),
        Err(e) => Err(e.into()),
    }
}

fn inspect(command: &InspectCommand) -> anyhow::Result<String> {
    let value = match command {
        InspectCommand::Fec { file } => {
            let bytes = std::fs::read(file)
                .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
            crate::sources::fec::inspect_report(&bytes)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?
        }
        InspectCommand::Id { value } => inspect_id(value)?,
        InspectCommand::Company { .. } => anyhow::bail!("needs the settings"),
    };
    Ok(serde_json::to_string_pretty(&value)?)
}

async fn model_command(command: &ModelCommand) -> anyhow::Result<()> {
    use crate::engine::model;
    match command {
        ModelCommand::Evaluate { file } => {
            let report =
                model::evaluate(file).map_err(|e| anyhow::anyhow!("{}: {e:#}", file.display()))?;
            print_out(&serde_json::to_string_pretty(&report)?)
        }
        ModelCommand::Compare {
            sandbox,
            old_model,
            database,
        } => {
            let text = std::fs::read_to_string(old_model)
                .map_err(|e| anyhow::anyhow!("{}: {e}", old_model.display()))?;
            let old = model::Model::from_json(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", old_model.display()))?;
            let report = async {
                use crate::comparison::{self, Side};
                use crate::engine::Generation;
                let engine = crate::decisions::Engine::current();
                let before = Side {
                    generation: Generation::First,
                    model: &old,
                };
                let after = Side {
                    generation: Generation::CURRENT,
                    model: engine.model.as_ref(),
                };
                let mut out = vec![
                    comparison::sandbox(
                        *sandbox,
                        chrono::Utc::now(),
                        &before,
                        &after,
                        &engine.policy,
                    )
                    .await,
                ];
                if let Some(url) = database {
                    let settings = Settings {
                        database_url: Some(url.clone().into()),
                        ..Settings::default()
                    };
                    let store = open_store(&settings).await?;
                    out.push(comparison::recorded(store.as_ref(), engine).await?);
                    store.close().await;
                }
                anyhow::Ok(serde_json::json!({
                    "before": {"engine": Generation::First.version(), "model": old.version()},
                    "after": {"engine": Generation::CURRENT.version(), "model": engine.model.version()},
                    "policy": engine.policy.version,
                    "comparisons": out,
                }))
            }
            .await?;
            print_out(&serde_json::to_string_pretty(&report)?)
        }
    }
}

async fn inspect_company(settings: Settings, siren: &str, live: bool) -> anyhow::Result<()> {
    use crate::sources::{facts::Facts, SourceRequest, World};
    let siren = app::ids::Siren::parse(siren).map_err(|e| anyhow::anyhow!("siren: {e}"))?;
    let store = open_store(&settings).await?;
    let conditions = crate::sources::sandbox::Conditions::load(store.as_ref()).await?;
    let gatherer = crate::startup::build_gatherer(&settings, store, conditions)?;
    let request = SourceRequest {
        world: if live { World::Live } else { World::Sandbox },
        siren,
        bank_connection: None,
        accounting_ref: None,
        iban: None,
        as_of: chrono::Utc::now(),
    };
    let gathering = gatherer.gather(&request).await;
    let mut facts = serde_json::to_value(Facts::from_snapshots(
        &gathering.request,
        &gathering.snapshots,
    ))?;
    // Transactions are many; their count and dates say enough here.
    if let Some(bank) = facts.get_mut("bank").filter(|b| b.is_object()) {
        let transactions = bank["transactions"].as_array().map(Vec::len).unwrap_or(0);
        bank["transactions"] = serde_json::json!({ "count": transactions });
    }
    let report = serde_json::json!({
        "world": request.world,
        "coverage": gathering.coverage,
        "elapsed_ms": gathering.elapsed_ms,
        "deadline_ms": gathering.deadline_ms,
        "sources": gathering.outcomes,
        "facts": facts,
    });
    print_out(&serde_json::to_string_pretty(&report)?)
}

/// Prints to standard output; a reader that stopped reading (`| head`) is not an error.
/// A public key given on the command line: a file holding it, or the key itself (the JSON of
/// `/api/v1/audit/public-key` or base64).
fn read_public_key(given: &str) -> anyhow::Result<crate::audit::PublicKey> {
    let path = std::path::Path::new(given);
    let text = if !given.trim_start().starts_with('{') && path.is_file() {
        std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{given}: {e}"))?
    } else {
        given.to_owned()
    };
    crate::audit::PublicKey::parse(&text).map_err(|e| anyhow::anyhow!("--public-key: {e}"))
}

/// A progress bar on standard error when it is a terminal.
struct Bar(indicatif::ProgressBar);

impl crate::audit::verification::Progress for Bar {
    fn records(&self, n: u64) {
        self.0.inc(n);
    }
    fn snapshot_bytes(&self, n: u64) {
        self.0.inc(n);
    }
    fn phase(&self, name: &str) {
        self.0.set_position(0);
        let style = if name == "records" {
            "{spinner} records checked: {pos} ({per_sec})"
        } else {
            "{spinner} snapshot bytes re-hashed: {bytes} ({bytes_per_sec})"
        };
        if let Ok(style) = indicatif::ProgressStyle::with_template(style) {
            self.0.set_style(style);
        }
    }
}

async fn verify_audit(
    settings: &Settings,
    checkpoints: Option<&std::path::Path>,
    public_key: Option<&str>,
) -> anyhow::Result<()> {
    use crate::audit::verification::{read_checkpoints, verify_all, Verdict};
    let unverifiable = |why: String| -> ! {
        eprintln!("server: the audit log cannot be verified: {why}");
        std::process::exit(2)
    };
    let external = match checkpoints {
        None => Vec::new(),
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => read_checkpoints(&text),
            Err(e) => unverifiable(format!("{}: {e}", path.display())),
        },
    };
    let key = match public_key {
        Some(given) => {
            Some(read_public_key(given).unwrap_or_else(|e| unverifiable(format!("{e:#}"))))
        }
        None => {
            let sealer = crate::secrets::Sealer::load(
                settings.secrets.master_key.as_ref(),
                &settings.secrets.previous_master_keys,
                &settings.data_dir,
            )
            .unwrap_or_else(|e| unverifiable(e.to_string()));
            match crate::audit::checkpoint::load_identity(settings, &sealer, false) {
                Ok(Some(identity)) => Some(identity.public.clone()),
                // Nothing was signed here: any checkpoint found is reported unverifiable.
                Ok(None) => None,
                Err(e) => unverifiable(format!("{e:#}")),
            }
        }
    };
    let store = open_store(settings)
        .await
        .unwrap_or_else(|e| unverifiable(format!("{e:#}")));
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    let report = verify_all(store.as_ref(), key.as_ref(), &external, &Bar(bar.clone()))
        .await
        .unwrap_or_else(|e| unverifiable(e.to_string()));
    bar.finish_and_clear();
    store.close().await;
    print_out(&serde_json::to_string_pretty(&report)?)?;
    if let Some(first) = report.findings.first() {
        eprintln!(
            "server: the audit log is {}: {} ({} finding{} in all)",
            match report.verdict {
                Verdict::Broken => "broken",
                _ => "unverifiable",
            },
            first.problem,
            report.findings.len(),
            if report.findings.len() == 1 { "" } else { "s" }
        );
    }
    match report.verdict {
        Verdict::Intact => Ok(()),
        v => std::process::exit(v.exit_code()),
    }
}

fn print_out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(()),
    }
}

/// Guesses the kind of identifier from its shape: two letters first is an IBAN, otherwise
/// digits are a SIREN (up to 11) or a SIRET (12 and more); then checks it.
pub fn inspect_id(value: &str) -> anyhow::Result<serde_json::Value> {
    use app::ids::{Iban, Siren, Siret};
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '.'))
        .collect();
    anyhow::ensure!(!compact.is_empty(), "the value is empty");
    let starts_with_letters = compact.chars().take(2).all(|c| c.is_ascii_alphabetic());
    let has_letters = compact.chars().any(|c| c.is_alphabetic());
    let (kind, result) = if starts_with_letters || (has_letters && compact.len() > 14) {
        ("iban", Iban::parse(value).map(|i| i.to_string()))
    } else if compact.len() >= 12 {
        ("siret", Siret::parse(value).map(|s| s.to_string()))
    } else {
        ("siren", Siren::parse(value).map(|s| s.to_string()))
    };
    Ok(match result {
        Ok(normalised) => serde_json::json!({
            "kind": kind, "valid": true, "reason": null, "normalised": normalised
        }),
        Err(e) => serde_json::json!({"kind": kind, "valid": false, "reason": e.to_string()}),
    })
}

#[cfg(test)]
mod tests {
    use super::inspect_id;

    #[test]
    fn the_kind_of_an_identifier_is_guessed_from_its_shape() {
        let v = inspect_id("732 829 320").unwrap();
        assert_eq!(
            (v["kind"].as_str(), v["valid"].as_bool()),
            (Some("siren"), Some(true))
        );
        let v = inspect_id("356 000 000 00048").unwrap();
        assert_eq!(v["kind"], "siret");
        assert_eq!(v["valid"], true);
        let v = inspect_id("FR76 3000 6000 0112 3456 7890 189").unwrap();
        assert_eq!(v["kind"], "iban");
        assert_eq!(v["valid"], true);
        let v = inspect_id("732829321").unwrap();
        assert_eq!(v["valid"], false);
        assert!(v["reason"].as_str().unwrap().contains("check digits"));
        let v = inspect_id("12345").unwrap();
        assert_eq!(v["kind"], "siren");
        assert!(v["reason"].as_str().unwrap().contains("9"));
        let v = inspect_id("GB82WEST1234569876543").unwrap();
        assert_eq!(v["kind"], "iban");
        assert_eq!(v["valid"], false);
        assert!(inspect_id("  ").is_err());
    }
}

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
    let username = username.trim().to_lowercase();
    anyhow::ensure!(
        (2..=64).contains(&username.len())
            && username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c)),
        "invalid username `{username}`: 2 to 64 characters, letters, digits, '.', '_' or '-'"
    );
    let name = name.trim().to_owned();
    anyhow::ensure!(
        (1..=128).contains(&name.chars().count()),
        "invalid name: 1 to 128 characters"
    );
    let hash = password::hash(read_password()?).await?;
    let store = open_store(&settings).await?;
    let user = NewUser {
        username,
        display_name: name,
        role,
        password_hash: hash,
        is_demo: false,
    };
    match store.create_user(user, chrono::Utc::now()).await {
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

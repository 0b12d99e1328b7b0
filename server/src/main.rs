//! Entry point: parses the command line and runs it.
#![forbid(unsafe_code)]

use clap::Parser;

/// mimalloc: decisions allocate many short-lived strings and buffers; it handles that load
/// with less time in the allocator than the system's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = server::cli::Cli::parse();
    match server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("server: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

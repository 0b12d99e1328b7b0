//! The one integration-test binary: each test starts the real application on port 0 with a
//! fresh database and drives it over HTTP.

mod access;
mod audit_log;
mod cli;
mod credit_lines;
mod decisions_api;
mod health;
mod helpers;
mod integration_kit;
mod language;
mod monitoring;
mod replay_fixture;
mod scopes;
mod sessions;
mod sign_in;
mod sources;
mod storage;
mod webhooks;
mod workspace;

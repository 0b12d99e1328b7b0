//! What every handler can reach: the application's state, built once by `startup` and
//! shared by the router. A handler names the part it needs (`State<Arc<dyn Store>>`,
//! `State<Arc<Settings>>`…) through the `FromRef` implementations below, or the whole state.

use crate::config::Settings;
use crate::sources::gather::Gatherer;
use crate::sources::sandbox;
use crate::store::Store;
use app::actions::SharedActions;
use app::api::SharedServices;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Arc<dyn Store>,
    pub services: SharedServices,
    /// The workspace's writes, called by the application's server functions.
    pub actions: SharedActions,
    pub leptos: LeptosOptions,
    /// Gathers company data from the sandbox world or the live sources.
    pub gatherer: Arc<Gatherer>,
    /// Posts webhooks to the lenders' endpoints: through the egress guard, no redirects.
    pub courier: Arc<crate::webhooks::Courier>,
    /// Starts a delivery round at once.
    pub dispatcher_wake: Arc<tokio::sync::Notify>,
    /// Starts a monitoring round at once.
    pub monitoring_wake: Arc<tokio::sync::Notify>,
    /// What admins made happen to sandbox companies.
    pub sandbox_conditions: Arc<sandbox::Conditions>,
    /// API decisions in progress at once (`api.max_concurrent_decisions`); others wait in order.
    pub decision_slots: Arc<tokio::sync::Semaphore>,
    /// What this instance saw of the lenders' integration (pings, load-test runs).
    pub integration: Arc<crate::integration::Tracker>,
    /// The API's examples, produced on first use (portal and OpenAPI document).
    pub examples: Arc<crate::web::api::examples::ExampleCache>,
    /// The verifiable audit log: signs checkpoints, builds proofs.
    pub audit_log: Arc<crate::audit::log::Log>,
    /// Seals the secrets kept at rest.
    pub sealer: Arc<crate::secrets::Sealer>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

impl FromRef<AppState> for Arc<dyn Store> {
    fn from_ref(state: &AppState) -> Self {
        state.store.clone()
    }
}

impl FromRef<AppState> for Arc<Settings> {
    fn from_ref(state: &AppState) -> Self {
        state.settings.clone()
    }
}

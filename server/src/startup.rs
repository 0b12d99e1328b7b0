//! Builds the application from settings: storage, sessions, routes, middleware. Binding port
//! 0 gives a free port, which is how the tests start one server per test.

use crate::actions::AppActions;
use crate::auth::{routes as auth_routes, session};
use crate::config::{DatabaseKind, Mode, Settings};
use crate::demo;
use crate::services::AppServices;
use crate::sources::gather::Gatherer;
use crate::sources::internal::InternalSource;
use crate::sources::sector::SectorSource;
use crate::sources::{live, sandbox, Source};
use crate::store::postgres::PostgresStore;
use crate::store::sqlite::SqliteStore;
use crate::store::Store;
use crate::web::health;
use app::actions::SharedActions;
use app::api::SharedServices;
use app::{shell, App};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{middleware, Router};
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{
    generate_route_list, handle_server_fns_with_context, AxumRouteListing, LeptosRoutes,
};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use crate::state::AppState;
use crate::web::api::examples;

/// The data sources of both worlds: sandbox requests reach the sandbox world, live requests the
/// live connectors; the sector table and the lender's own history serve both.
pub fn build_gatherer(
    settings: &Settings,
    store: Arc<dyn Store>,
    conditions: Arc<sandbox::Conditions>,
) -> anyhow::Result<Gatherer> {
    let client = reqwest::Client::builder()
        .user_agent(concat!("aval/", env!("CARGO_PKG_VERSION")))
        .pool_idle_timeout(std::time::Duration::from_secs(60))
        .build()
        .map_err(|e| anyhow::anyhow!("cannot build the HTTP client: {e}"))?;
    let local = || -> Vec<Arc<dyn Source>> {
        vec![
            Arc::new(SectorSource),
            Arc::new(InternalSource {
                store: store.clone(),
            }),
        ]
    };
    let mut sandbox = sandbox::sources(&settings.sources.sandbox, conditions);
    sandbox.extend(local());
    let mut live = live::connectors(&settings.sources, &client);
    live.extend(local());
    Ok(Gatherer::new(&settings.sources, sandbox, live))
}

/// A built application, bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: AppState,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Opens the storage the settings name, applying migrations.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Arc<dyn Store>> {
    std::fs::create_dir_all(&settings.data_dir).map_err(|e| {
        anyhow::anyhow!(
            "cannot create data_dir {}: {e}",
            settings.data_dir.display()
        )
    })?;
    let url = settings.database_url();
    Ok(match settings.database_kind() {
        DatabaseKind::Sqlite => Arc::new(SqliteStore::connect(&url).await?),
        DatabaseKind::Postgres => Arc::new(PostgresStore::connect(&url).await?),
    })
}

impl Application {
    pub async fn build(settings: Settings, leptos: LeptosOptions) -> anyhow::Result<Self> {
        let hosts = settings
            .webhooks
            .hosts
            .iter()
            .map(|(name, ips)| (name.to_ascii_lowercase(), ips.clone()))
            .collect();
        let lookup = crate::egress::HostsThen(hosts, crate::egress::SystemLookup);
        Self::build_with(settings, leptos, Arc::new(lookup)).await
    }

    /// Builds with `lookup` resolving webhook endpoints' names (the system's resolver in
    /// service; a table in tests and for the examples' private instance).
    pub async fn build_with(
        settings: Settings,
        leptos: LeptosOptions,
        lookup: Arc<dyn crate::egress::Lookup>,
    ) -> anyhow::Result<Self> {
        let store = open_store(&settings).await?;
        // The model and policy in force join the version registry before anything is decided,
        // so every decision can be replayed with them later.
        crate::decisions::Engine::current()
            .register(store.as_ref())
            .await
            .map_err(|e| {
                anyhow::anyhow!(
                    "cannot register the engine's versions (a changed model or policy needs a new \
                     version name): {e}"
                )
            })?;
        if settings.mode == Mode::Demo {
            let created = demo::ensure_demo_users(store.as_ref()).await?;
            if created > 0 {
                tracing::info!(created, "demo users created");
            }
        }
        let sealer = Arc::new(crate::secrets::Sealer::load(
            settings.secrets.master_key.as_ref(),
            &settings.secrets.previous_master_keys,
            &settings.data_dir,
        )?);
        match &sealer.origin {
            crate::secrets::KeyOrigin::Generated(path) => tracing::warn!(
                path = %path.display(),
                "no master key is configured (secrets.master_key): generated one in the data \
                 directory; a production deployment configures its own and keeps it apart from \
                 the database"
            ),
            crate::secrets::KeyOrigin::File(path) => tracing::warn!(
                path = %path.display(),
                "no master key is configured (secrets.master_key): using the one generated in \
                 the data directory"
            ),
            crate::secrets::KeyOrigin::Configured => {}
        }
        let identity = crate::audit::checkpoint::load_identity(&settings, &sealer, true)?
            .ok_or_else(|| anyhow::anyhow!("the audit signing key could not be created"))?;
        tracing::info!(key_id = %identity.public.id, origin = %identity.origin, "audit checkpoints are signed");
        let audit_log = Arc::new(crate::audit::log::Log::new(
            store.clone(),
            Arc::new(identity),
        ));
        let listener = TcpListener::bind(settings.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.listen))?;
        let sandbox_conditions = sandbox::Conditions::load(store.as_ref()).await?;
        let gatherer = Arc::new(build_gatherer(
            &settings,
            store.clone(),
            sandbox_conditions.clone(),
        )?);
        let decision_slots = Arc::new(tokio::sync::Semaphore::new(
            settings.api.max_concurrent_decisions as usize,
        ));
        let settings = Arc::new(settings);
        let guard =
            crate::egress::Guard::new(&settings.webhooks.allowed_networks(settings.mode), lookup)
                .map_err(|e| anyhow::anyhow!(e))?;
        let courier = Arc::new(
            crate::webhooks::Courier::new(Arc::new(guard), sealer.clone())
                .map_err(|e| anyhow::anyhow!("cannot build the webhook client: {e}"))?,
        );
        let resealed = crate::webhooks::reseal_secrets(store.as_ref(), &courier).await?;
        if resealed > 0 {
            tracing::info!(
                resealed,
                "webhook secrets sealed with the current master key"
            );
        }
        let dispatcher_wake: Arc<tokio::sync::Notify> = Arc::default();
        let monitoring_wake: Arc<tokio::sync::Notify> = Arc::default();
        let actions: SharedActions = Arc::new(AppActions {
            store: store.clone(),
            gatherer: gatherer.clone(),
            settings: settings.clone(),
            courier: courier.clone(),
            dispatcher_wake: dispatcher_wake.clone(),
            monitoring_wake: monitoring_wake.clone(),
            sandbox_conditions: sandbox_conditions.clone(),
        });
        let services: SharedServices = Arc::new(AppServices {
            store: store.clone(),
            gatherer: gatherer.clone(),
            settings: settings.clone(),
        });
        let state = AppState {
            settings,
            store,
            services,
            courier,
            leptos,
            gatherer,
            dispatcher_wake,
            monitoring_wake,
            sandbox_conditions,
            actions,
            decision_slots,
            integration: Arc::default(),
            examples: Arc::new(examples::ExampleCache::new(example_recorder)),
            audit_log,
            sealer,
        };
        let router = router(state.clone());
        Ok(Self {
            listener,
            router,
            state,
        })
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// The whole router, to call it in process.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// Serves until `shutdown` completes, then finishes in-flight requests and returns.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let pruner = tokio::spawn(prune_periodically(self.state.clone()));
        let state = &self.state;
        let dispatcher = tokio::spawn(crate::dispatcher::run(
            state.store.clone(),
            state.courier.clone(),
            state.settings.webhooks.clone(),
            state.dispatcher_wake.clone(),
        ));
        let monitoring = state.settings.monitoring.every().map(|every| {
            tokio::spawn(crate::monitoring::run(
                state.store.clone(),
                state.gatherer.clone(),
                every,
                Duration::from_millis(state.settings.monitoring.poll_interval_ms),
                state.monitoring_wake.clone(),
            ))
        });
        let integration = tokio::spawn(crate::integration::run_flusher(
            state.store.clone(),
            state.integration.clone(),
        ));
        let (stop_signer, signer_stop) = tokio::sync::watch::channel(false);
        let signer = tokio::spawn(crate::audit::log::run_signer(
            state.audit_log.clone(),
            Duration::from_millis(state.settings.audit.checkpoint_batch_ms),
            Duration::from_secs(state.settings.audit.checkpoint_idle_seconds),
            signer_stop,
        ));
        let result = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        pruner.abort();
        dispatcher.abort();
        integration.abort();
        // The signer finishes its round and signs the records of the last requests before the
        // connections close.
        let _ = stop_signer.send(true);
        if let Err(error) = signer.await {
            tracing::warn!(%error, "the audit checkpoint signer stopped abnormally");
        }
        // The load-test runs measured since the last second's flush.
        if let Err(error) = self
            .state
            .integration
            .flush(self.state.store.as_ref())
            .await
        {
            tracing::warn!(%error, "saving the load-test runs failed");
        }
        if let Some(m) = monitoring {
            m.abort();
        }
        // In-flight requests are finished: nothing else will write.
        if tokio::time::timeout(Duration::from_secs(10), self.state.store.close())
            .await
            .is_err()
        {
            tracing::warn!("the database connections were still in use after 10 s; not closed");
        }
        result
    }
}

/// Removes expired sessions and old sign-in failures every few minutes.
async fn prune_periodically(state: AppState) {
    let mut tick = tokio::time::interval(Duration::from_secs(600));
    loop {
        tick.tick().await;
        let now = chrono::Utc::now();
        let keep = state.settings.sign_in.window() * 2;
        match state.store.prune(now - keep, now).await {
            Ok(0) => {}
            Ok(removed) => tracing::debug!(removed, "pruned expired sessions and sign-in failures"),
            Err(error) => tracing::warn!(%error, "pruning failed"),
        }
    }
}

fn leptos_context(state: &AppState) -> impl Fn() + Clone + Send + Sync + 'static {
    let services = state.services.clone();
    let actions = state.actions.clone();
    move || {
        provide_context(services.clone());
        provide_context(actions.clone());
    }
}

async fn server_fn_handler(State(state): State<AppState>, req: Request) -> impl IntoResponse {
    handle_server_fns_with_context(leptos_context(&state), req).await
}

/// A form posted to a server function without JavaScript is sent on with `303 See Other`, the
/// status that tells the browser to fetch the next page with GET (the server functions'
/// redirects say `302`).
async fn see_other_after_form_post(req: Request, next: middleware::Next) -> Response {
    let form_post =
        req.method() == axum::http::Method::POST && req.uri().path().starts_with("/api/app/");
    let mut response = next.run(req).await;
    if form_post && response.status() == StatusCode::FOUND {
        *response.status_mut() = StatusCode::SEE_OTHER;
    }
    response
}

/// Static files from the site root, else the application's 404 page.
async fn fallback(State(state): State<AppState>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let probe = Request::from_parts(parts.clone(), Body::empty());
    let root = state.leptos.site_root.to_string();
    let Ok(found) = ServeDir::new(root).oneshot(probe).await;
    if found.status().is_success() || found.status() == StatusCode::NOT_MODIFIED {
        return found.map(Body::new);
    }
    let options = state.leptos.clone();
    let render = leptos_axum::render_app_async_with_context(leptos_context(&state), move || {
        shell(options.clone())
    });
    let mut response = render(Request::from_parts(parts, body)).await;
    *response.status_mut() = StatusCode::NOT_FOUND;
    response
}

/// The application's pages, as the router serves them, listed once per process.
///
/// Listing them renders the whole application with data loading switched off, and that switch
/// is one flag for the whole process (leptos_server's `SuppressResourceLoad`): a page rendered
/// anywhere in the process while the list is being made would wait for its data forever. So
/// the list is made the first time it is asked for, before any router exists to serve a page,
/// and every later router (a restart, another server in the same process) reuses it.
pub fn page_routes() -> &'static [AxumRouteListing] {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App))
}

fn router(state: AppState) -> Router {
    let leptos_routes = page_routes().to_vec();
    let options = state.leptos.clone();
    let idle = state.settings.session.idle_timeout();
    let sessions = session::layer(
        state.store.session_store(),
        tower_sessions::cookie::time::Duration::seconds(idle.num_seconds()),
        state.settings.secure_cookies(),
    );
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request| {
            let request_id = req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!(
                "request",
                method = %req.method(),
                path = %req.uri().path(),
                request_id = %request_id,
                user_id = tracing::field::Empty,
            )
        })
        .on_response(DefaultOnResponse::new().level(Level::INFO));

    let pages = Router::new()
        .merge(health::router())
        .merge(auth_routes::router())
        .merge(crate::web::workspace::router())
        .merge(crate::web::portal::router())
        .route(
            "/api/app/{*fn_name}",
            get(server_fn_handler).post(server_fn_handler),
        )
        .leptos_routes_with_context(&state, leptos_routes, leptos_context(&state), move || {
            shell(options.clone())
        })
        .fallback(fallback)
        .layer(middleware::from_fn(see_other_after_form_post))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::authorize,
        ))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::origin::refuse_cross_site,
        ));

    // The lenders' API has its own authentication (API keys): no sessions, no cookies.
    Router::new()
        .nest("/api/v1", crate::web::api::router(state.clone()))
        .merge(pages)
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Completes on SIGTERM or Ctrl-C.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown signal received: finishing in-flight requests");
}

// The API's examples (`web::api::examples`): recorded here, where a private instance of the
// application can be built.

/// Runs the examples' script against a private instance; the recorder of every application's
/// [`ExampleCache`](crate::web::api::examples::ExampleCache).
fn example_recorder() -> futures::future::BoxFuture<'static, anyhow::Result<examples::Examples>> {
    Box::pin(record_examples())
}

/// The example's credit manager, acting through the workspace's own actions.
struct InProcessReviewer {
    actions: app::actions::SharedActions,
    user: app::model::SessionUser,
}

#[async_trait::async_trait]
impl examples::Reviewer for InProcessReviewer {
    async fn decline(&self, decision_id: &str) -> anyhow::Result<()> {
        use aval_core::case::CaseCommand;
        use aval_core::record::HumanDecision;
        use aval_core::vocabulary::HumanOutcome;
        let act = |command| {
            self.actions
                .act_on_case(self.user.clone(), decision_id.to_owned(), command)
        };
        act(CaseCommand::Claim)
            .await
            .map_err(|e| anyhow::anyhow!("claiming the case: {e}"))?;
        act(CaseCommand::Decide {
            decision: HumanDecision {
                outcome: HumanOutcome::Decline,
                limit_cents: None,
                category: "risk_appetite".to_owned(),
                justification: examples::JUSTIFICATION.to_owned(),
            },
        })
        .await
        .map_err(|e| anyhow::anyhow!("declining the case: {e}"))?;
        Ok(())
    }
}

/// Runs the script against a private server: its own database in a temporary directory, the
/// sandbox answering at once, no dispatcher (nothing is delivered) and no listener serving.
/// After the script, the approved company deteriorates and monitoring re-checks it, so that
/// the run also queues `company.risk_changed`.
/// The examples' webhook endpoint host.
const EXAMPLE_HOST: &str = "lender.example";

pub async fn record_examples() -> anyhow::Result<examples::Examples> {
    let dir = std::env::temp_dir().join(format!("aval-examples-{}", uuid::Uuid::new_v4().simple()));
    let result = record_examples_in(&dir).await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn record_examples_in(dir: &std::path::Path) -> anyhow::Result<examples::Examples> {
    let settings = Settings {
        mode: Mode::Production,
        listen: "127.0.0.1:0".parse()?,
        data_dir: dir.to_path_buf(),
        sources: crate::config::SourcesSettings::instant_sandbox(),
        webhooks: crate::config::WebhookSettings {
            // The examples' endpoint is a name on this machine: the test event's delivery is
            // refused by the machine itself and nothing leaves it.
            allowed_networks: Some(vec!["127.0.0.0/8".into()]),
            ..Default::default()
        },
        ..Settings::default()
    };
    let leptos = leptos::config::LeptosOptions::builder()
        .output_name("aval")
        .build();
    let lookup = crate::egress::TableLookup(
        [(
            EXAMPLE_HOST.to_owned(),
            vec![std::net::Ipv4Addr::LOCALHOST.into()],
        )]
        .into(),
    );
    let application = Application::build_with(settings, leptos, Arc::new(lookup)).await?;
    let state = application.state().clone();
    let now = chrono::Utc::now();
    let key = crate::api_keys::create(
        state.store.as_ref(),
        crate::sources::World::Sandbox,
        "examples",
        now,
    )
    .await?;
    use secrecy::ExposeSecret;
    let transport = examples::InProcess(application.router());
    let manager = state
        .store
        .create_user(
            crate::store::NewUser {
                username: "camille".to_owned(),
                display_name: "Camille Credit".to_owned(),
                role: app::model::Role::CreditManager,
                password_hash: crate::auth::password::hash(uuid::Uuid::new_v4().to_string())
                    .await
                    .map_err(|e| anyhow::anyhow!("{e}"))?,
                is_demo: false,
                must_change_password: false,
            },
            now,
            None,
        )
        .await?;
    let reviewer = InProcessReviewer {
        actions: state.actions.clone(),
        user: app::model::SessionUser {
            id: manager.id,
            username: manager.username,
            display_name: manager.display_name,
            role: manager.role,
            must_change_password: false,
        },
    };
    let examples = examples::run_script(
        &transport,
        &reviewer,
        key.secret.expose_secret(),
        &format!("https://{EXAMPLE_HOST}/webhooks/aval"),
    )
    .await;
    let events = match &examples {
        Ok(_) => deteriorate_and_collect(&state).await,
        Err(_) => Ok(Vec::new()),
    };
    state.store.close().await;
    Ok(examples::Examples {
        examples: examples?,
        events: events?,
    })
}

async fn deteriorate_and_collect(
    state: &crate::state::AppState,
) -> anyhow::Result<Vec<(String, serde_json::Value)>> {
    let since = chrono::Utc::now() - chrono::Duration::seconds(1);
    let condition = crate::store::SandboxCondition {
        siren: examples::HEALTHY.to_owned(),
        kind: sandbox::Condition::Proceeding.as_str().to_owned(),
        since,
    };
    state.store.set_sandbox_condition(&condition).await?;
    state
        .sandbox_conditions
        .set(examples::HEALTHY, sandbox::Condition::Proceeding, since);
    if let (Some(m), Some(every)) = (
        state
            .store
            .monitored_company(crate::sources::World::Sandbox.as_str(), examples::HEALTHY)
            .await?,
        state.settings.monitoring.every(),
    ) {
        crate::monitoring::check(
            &state.store,
            &state.gatherer,
            crate::decisions::Engine::current(),
            &m,
            every,
            chrono::Utc::now(),
        )
        .await?;
    }
    let mut events: Vec<(String, serde_json::Value)> = Vec::new();
    let mut messages = state.store.webhook_messages(None, 500).await?;
    messages.sort_by_key(|m| m.seq);
    for m in messages {
        if !events.iter().any(|(t, _)| *t == m.event_type) {
            events.push((
                m.event_type.clone(),
                serde_json::from_str(&m.body).unwrap_or(serde_json::Value::Null),
            ));
        }
    }
    Ok(events)
}

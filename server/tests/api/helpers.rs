use app::model::Role;
use leptos::config::LeptosOptions;
use reqwest::redirect::Policy;
use reqwest::{Client, Response, StatusCode};
use server::config::{Mode, Settings};
use server::demo::DEMO_USERS;
use server::startup::Application;
use std::path::PathBuf;
use std::sync::Arc;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A running application and an HTTP client with its own cookie jar.
pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    pub settings: Settings,
    pub data_dir: Arc<TempDir>,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<()>>,
}

pub fn test_settings(data_dir: &TempDir) -> Settings {
    Settings {
        listen: "127.0.0.1:0".parse().unwrap(),
        data_dir: data_dir.path().to_path_buf(),
        mode: Mode::Demo,
        ..Settings::default()
    }
}

fn leptos_options() -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("aval")
        .site_root("target/site")
        .build()
}

pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

pub fn client(jar: Arc<reqwest::cookie::Jar>) -> Client {
    // A request the server never answers fails the test instead of stalling the suite.
    Client::builder()
        .redirect(Policy::none())
        .cookie_provider(jar)
        .timeout(std::time::Duration::from_secs(60))
        .build()
        .unwrap()
}

/// The names tests register webhook endpoints under, resolved by a table instead of the
/// system: `lender.example` is this machine (allowed in the demo, so nothing leaves it), the
/// others point where the egress guard must refuse.
pub fn test_lookup() -> Arc<dyn server::egress::Lookup> {
    let table = [
        ("lender.example", "127.0.0.1"),
        ("localhost", "127.0.0.1"),
        ("rebind.lender.example", "127.0.0.1"),
        ("intranet.lender.example", "10.0.0.1"),
        ("metadata.lender.example", "169.254.169.254"),
        ("six.lender.example", "::1"),
    ];
    Arc::new(server::egress::TableLookup(
        table
            .iter()
            .map(|(n, ip)| (n.to_string(), vec![ip.parse().unwrap()]))
            .collect(),
    ))
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
        let data_dir = Arc::new(tempfile::tempdir().unwrap());
        let mut settings = test_settings(&data_dir);
        configure(&mut settings);
        let jar = Arc::new(reqwest::cookie::Jar::default());
        Self::start(settings, data_dir, jar).await
    }

    async fn start(
        settings: Settings,
        data_dir: Arc<TempDir>,
        jar: Arc<reqwest::cookie::Jar>,
    ) -> TestApp {
        let app = Application::build_with(settings.clone(), leptos_options(), test_lookup())
            .await
            .expect("the application builds");
        let address = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = oneshot::channel::<()>();
        let handle = tokio::spawn(async move {
            app.run_until(async {
                let _ = stopped.await;
            })
            .await
            .expect("the server runs");
        });
        TestApp {
            address,
            client: client(jar.clone()),
            jar,
            settings,
            data_dir,
            stop: Some(stop),
            handle: Some(handle),
        }
    }

    /// Stops the server gracefully and starts a new one on the same database, keeping the
    /// client's cookies.
    pub async fn restart(mut self) -> TestApp {
        self.stop().await;
        let mut settings = self.settings.clone();
        settings.listen = "127.0.0.1:0".parse().unwrap();
        Self::start(settings, self.data_dir.clone(), self.jar.clone()).await
    }

    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.await.unwrap();
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    pub async fn sign_in_as(&self, username: &str, password: &str) -> Response {
        self.sign_in_with_next(username, password, None).await
    }

    pub async fn sign_in_with_next(
        &self,
        username: &str,
        password: &str,
        next: Option<&str>,
    ) -> Response {
        let mut form = vec![("username", username), ("password", password)];
        if let Some(next) = next {
            form.push(("next", next));
        }
        self.client
            .post(self.url("/signin"))
            .form(&form)
            .send()
            .await
            .unwrap()
    }

    /// Signs in as the demo user holding `role` and checks it worked.
    pub async fn sign_in_role(&self, role: Role) {
        let demo = DEMO_USERS.iter().find(|d| d.role == role).unwrap();
        let response = self.sign_in_as(demo.username, demo.password).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&response), "/", "sign-in as {role} failed");
    }

    /// Calls a server function the way the browser does.
    pub async fn server_fn(&self, name: &str) -> Response {
        self.server_fn_with(name, "").await
    }

    /// Calls a server function with URL-encoded arguments.
    pub async fn server_fn_with(&self, name: &str, body: &str) -> Response {
        self.client
            .post(self.url(&format!("/api/app/{name}")))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("accept", "application/json")
            .body(body.to_owned())
            .send()
            .await
            .unwrap()
    }

    /// The user in the session, as the application's own server function reports it.
    pub async fn session_username(&self) -> Option<String> {
        let response = self.server_fn("session").await;
        assert_eq!(response.status(), StatusCode::OK);
        let user: Option<app::model::SessionUser> = response.json().await.unwrap();
        user.map(|u| u.username)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub fn location(response: &Response) -> String {
    response
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The error a refused form was sent back with, as the page shows it: the server function
/// puts it in the address of the form's page.
pub fn form_error(response: &Response) -> Option<app::error::AppError> {
    let to = location(response);
    let url = reqwest::Url::parse("http://aval.test")
        .ok()?
        .join(&to)
        .ok()?;
    let (_, err) = url.query_pairs().find(|(k, _)| k == "__err")?;
    Some(leptos::server_fn::error::ServerFnUrlError::<
        app::error::AppError,
    >::decode_err(&err))
}

/// The text of a refused form's error (`field: problem`), or "" when it was not refused.
pub fn form_problem(response: &Response) -> String {
    form_error(response)
        .map(|e| e.to_string())
        .unwrap_or_default()
}

pub fn demo_password(username: &str) -> &'static str {
    DEMO_USERS
        .iter()
        .find(|d| d.username == username)
        .unwrap()
        .password
}

impl TestApp {
    /// A GET from a browser that holds only the given cookie, not this client's jar.
    pub async fn get_with_cookie(&self, path: &str, cookie: &str) -> Response {
        client(Arc::new(reqwest::cookie::Jar::default()))
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap()
    }

    /// A GET of a whole address (a redirect's `Location`) with this client's cookies.
    pub async fn get_url(&self, url: &str) -> Response {
        self.client.get(url).send().await.unwrap()
    }

    /// A workspace form as a browser without JavaScript sends it: posted from `page` to the
    /// application's server function `function`, the answer a redirect to follow.
    pub async fn submit(&self, page: &str, function: &str, form: &[(&str, &str)]) -> Response {
        self.client
            .post(self.url(&format!("/api/app/{function}")))
            .header("accept", "text/html,application/xhtml+xml")
            .header("referer", self.url(page))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// A credit manager's action on a case, from the case's page.
    pub async fn act_on_case(&self, id: &str, form: &[(&str, &str)]) -> Response {
        let mut fields = vec![("id", id)];
        fields.extend_from_slice(form);
        self.submit(&format!("/cases/{id}"), "act_on_case", &fields)
            .await
    }

    /// Forgets the session, as a new browser would.
    pub async fn jar_clear(&self) {
        let response = self.client.post(self.url("/signout")).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
    }
}

/// A new, empty PostgreSQL database on the test server, as a URL. The server is the one
/// `TEST_POSTGRES_URL` names (default: the local one, trust auth); tests fail if it is down.
pub async fn fresh_postgres_url() -> String {
    use sqlx::Connection;
    let admin = std::env::var("TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let name = format!("aval_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("PostgreSQL is reachable (TEST_POSTGRES_URL)");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
    format!("{base}/{name}")
}

/// A webhook receiver on a free local port: keeps every request with the status it answered,
/// and answers whatever status the test sets (503 while "down").
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    status: Arc<std::sync::atomic::AtomicU16>,
    pub received: Arc<std::sync::Mutex<Vec<(axum::http::HeaderMap, axum::body::Bytes, u16)>>>,
}

impl Receiver {
    pub async fn start(status: u16) -> Receiver {
        let r = Receiver {
            url: String::new(),
            status: Arc::new(std::sync::atomic::AtomicU16::new(status)),
            received: Arc::default(),
        };
        let (keep, answer) = (r.received.clone(), r.status.clone());
        let app = axum::Router::new().route(
            "/hooks",
            axum::routing::post(
                move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                    let (keep, answer) = (keep.clone(), answer.clone());
                    async move {
                        let status = answer.load(std::sync::atomic::Ordering::SeqCst);
                        keep.lock().unwrap().push((headers, body, status));
                        (axum::http::StatusCode::from_u16(status).unwrap(), "seen")
                    }
                },
            ),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver { url, ..r }
    }

    pub fn answer(&self, status: u16) {
        self.status
            .store(status, std::sync::atomic::Ordering::SeqCst);
    }

    /// The bodies of the events answered 2xx, as JSON with their `webhook-id`.
    pub fn delivered(&self) -> Vec<(String, serde_json::Value)> {
        self.received
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, _, s)| (200..300).contains(s))
            .map(|(h, b, _)| {
                (
                    h["webhook-id"].to_str().unwrap().to_owned(),
                    serde_json::from_slice(b).unwrap(),
                )
            })
            .collect()
    }
}

/// Waits until `done` holds, up to `seconds`; panics with `what` otherwise.
pub async fn eventually<F: Fn() -> bool>(seconds: u64, what: &str, done: F) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while !done() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Asks `probe` until it returns something, up to `seconds`; panics with `what` otherwise.
pub async fn until_some<T, F, Fut>(seconds: u64, what: &str, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    loop {
        if let Some(found) = probe().await {
            return found;
        }
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

impl Receiver {
    /// The first event of `event_type` answered 2xx, if any.
    pub fn event(&self, event_type: &str) -> Option<serde_json::Value> {
        self.delivered()
            .into_iter()
            .map(|(_, e)| e)
            .find(|e| e["type"] == event_type)
    }
}

/// A request to the lenders' API with a key: the status and the JSON answer (null when none).
pub async fn api(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    key: &str,
    body: Option<serde_json::Value>,
) -> (StatusCode, serde_json::Value) {
    let mut request = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(key);
    if let Some(b) = body {
        request = request.json(&b);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (
        status,
        response.json().await.unwrap_or(serde_json::Value::Null),
    )
}

/// A new API key of `world` for the test's server: its secret.
pub async fn new_key(app: &TestApp, world: server::sources::World) -> String {
    let store = server::startup::open_store(&app.settings).await.unwrap();
    let k = server::api_keys::create(store.as_ref(), world, "test", chrono::Utc::now())
        .await
        .unwrap();
    store.close().await;
    secrecy::ExposeSecret::expose_secret(&k.secret).to_owned()
}

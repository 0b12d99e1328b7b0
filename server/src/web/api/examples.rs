//! The API's examples, produced by the product itself: a script of calls (a first ping, a
//! webhook endpoint, a decision for each product and outcome, the problems a client meets…)
//! run against a private instance of this very server, with its own throw-away database and
//! the sandbox world answering at once. The developer portal and the served OpenAPI document
//! show what it answered; a test runs the same script against a live server and holds every
//! answer to the shape recorded here, so no example can drift from the product.

use super::contract::DecisionRequestBody;
use async_trait::async_trait;
use aval_core::vocabulary::Product;
use axum::body::Body;
use serde_json::{json, Value};
use std::sync::Arc;
use tokio::sync::OnceCell;
use tower::ServiceExt;

/// One request of the script. `key` says whether it carries the API key.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: &'static str,
    pub path: String,
    pub key: bool,
    pub headers: Vec<(String, String)>,
    /// The body as sent (JSON unless a header says otherwise).
    pub body: Option<String>,
}

impl Call {
    fn get(path: impl Into<String>) -> Call {
        Call {
            method: "GET",
            path: path.into(),
            key: true,
            headers: Vec::new(),
            body: None,
        }
    }

    fn post(path: impl Into<String>, body: &Value) -> Call {
        Call {
            method: "POST",
            path: path.into(),
            key: true,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(serde_json::to_string_pretty(body).unwrap_or_default()),
        }
    }

    /// A POST without a body.
    fn post_empty(path: impl Into<String>) -> Call {
        Call {
            method: "POST",
            path: path.into(),
            key: true,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: Some(String::new()),
        }
    }

    fn without_key(mut self) -> Call {
        self.key = false;
        self
    }

    fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    fn raw(mut self, content_type: &str, body: &str) -> Call {
        self.headers = vec![("Content-Type".into(), content_type.to_owned())];
        self.body = Some(body.to_owned());
        self
    }
}

/// What the server answered: its status, the headers a client acts on, and the body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Value,
}

/// The headers an answer is shown with.
pub const SHOWN_HEADERS: [&str; 3] = ["content-type", "idempotent-replayed", "retry-after"];

/// One call of the script and its answer.
#[derive(Debug, Clone)]
pub struct Example {
    pub id: &'static str,
    pub call: Call,
    pub answer: Answer,
}

/// How the script reaches a server.
#[async_trait]
pub trait Transport: Send + Sync {
    async fn send(&self, call: &Call, key: &str) -> anyhow::Result<Answer>;
}

/// A credit manager working in the workspace, for the examples that show a decision after a
/// person's review.
#[async_trait]
pub trait Reviewer: Send + Sync {
    /// Claims the referred decision `decision_id` and declines it, with a justification.
    async fn decline(&self, decision_id: &str) -> anyhow::Result<()>;
}

/// The justification the example's credit manager writes.
pub const JUSTIFICATION: &str =
    "Five months of trading and no closed year: too early for this amount.";

/// A test company of the sandbox.
pub const HEALTHY: &str = "100000009";
const GROWING: &str = "200000008";
const YOUNG: &str = "300000007";
const PROCEEDING: &str = "500000005";
const THIN_FILE: &str = "999999998";

fn request(siren: &str, product: Product, amount: &str) -> DecisionRequestBody {
    DecisionRequestBody {
        siren: siren.to_owned(),
        amount: Some(amount.to_owned()),
        amount_cents: None,
        currency: Some("EUR".to_owned()),
        product,
        invoice_amount: None,
        invoice_amount_cents: None,
        debtor_siren: None,
        current_limit: None,
        current_limit_cents: None,
        bank_connection: None,
        accounting_ref: None,
        iban: None,
        external_reference: None,
        metadata: None,
        idempotency_key: None,
    }
}

fn json_of(body: &DecisionRequestBody) -> Value {
    serde_json::to_value(body).unwrap_or(Value::Null)
}

async fn step(
    t: &dyn Transport,
    key: &str,
    out: &mut Vec<Example>,
    id: &'static str,
    call: Call,
) -> anyhow::Result<Value> {
    let answer = t
        .send(&call, key)
        .await
        .map_err(|e| anyhow::anyhow!("example {id}: {e}"))?;
    let body = answer.body.clone();
    out.push(Example { id, call, answer });
    Ok(body)
}

fn text(v: &Value, field: &str) -> anyhow::Result<String> {
    v.get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("the answer has no {field}: {v}"))
}

/// Runs the script with `key` (a sandbox key) through `t`; `webhook_url` is the address the
/// example endpoint is registered with.
pub async fn run_script(
    t: &dyn Transport,
    reviewer: &dyn Reviewer,
    key: &str,
    webhook_url: &str,
) -> anyhow::Result<Vec<Example>> {
    let mut out = Vec::new();
    let o = &mut out;
    const DECISIONS: &str = "/api/v1/decisions";
    step(t, key, o, "ping", Call::get("/api/v1/ping")).await?;
    let endpoint = step(
        t,
        key,
        o,
        "webhook_endpoint_create",
        Call::post(
            "/api/v1/webhook-endpoints",
            &json!({"url": webhook_url, "event_types": aval_core::events::EVENT_TYPES}),
        ),
    )
    .await?;
    let endpoint_id = text(&endpoint, "id")?;
    let mut bnpl = request(HEALTHY, Product::Bnpl, "15000.00");
    bnpl.external_reference = Some("order-10042".to_owned());
    let approved = step(
        t,
        key,
        o,
        "decision_bnpl",
        Call::post(DECISIONS, &json_of(&bnpl)),
    )
    .await?;
    let mut factoring = request(GROWING, Product::Factoring, "8000.00");
    factoring.invoice_amount = Some("10000.00".to_owned());
    factoring.debtor_siren = Some(HEALTHY.to_owned());
    factoring.external_reference = Some("invoice-2026-0457".to_owned());
    step(
        t,
        key,
        o,
        "decision_factoring",
        Call::post(DECISIONS, &json_of(&factoring)),
    )
    .await?;
    let mut increase = request(GROWING, Product::CreditLineIncrease, "5000.00");
    increase.current_limit = Some("20000.00".to_owned());
    step(
        t,
        key,
        o,
        "decision_credit_line_increase",
        Call::post(DECISIONS, &json_of(&increase)),
    )
    .await?;
    step(
        t,
        key,
        o,
        "decision_decline",
        Call::post(
            DECISIONS,
            &json_of(&request(PROCEEDING, Product::Bnpl, "15000.00")),
        ),
    )
    .await?;
    let referred = step(
        t,
        key,
        o,
        "decision_refer",
        Call::post(
            DECISIONS,
            &json_of(&request(YOUNG, Product::Bnpl, "15000.00")),
        ),
    )
    .await?;
    let decision_id = text(&approved, "id")?;
    step(
        t,
        key,
        o,
        "get_decision",
        Call::get(format!("{DECISIONS}/{decision_id}")),
    )
    .await?;
    let referred_id = text(&referred, "id")?;
    reviewer.decline(&referred_id).await?;
    step(
        t,
        key,
        o,
        "get_decision_reviewed",
        Call::get(format!("{DECISIONS}/{referred_id}")),
    )
    .await?;
    step(
        t,
        key,
        o,
        "get_company",
        Call::get(format!("/api/v1/companies/{HEALTHY}")),
    )
    .await?;
    let mut order = request(HEALTHY, Product::Bnpl, "2500.00");
    order.external_reference = Some("order-10043".to_owned());
    let idempotent =
        Call::post(DECISIONS, &json_of(&order)).header("Idempotency-Key", "order-10043");
    t.send(&idempotent, key).await?;
    step(t, key, o, "idempotent_replay", idempotent.clone()).await?;
    step(
        t,
        key,
        o,
        "validation_error",
        Call::post(
            DECISIONS,
            &json!({"siren": "123456780", "product": "factoring", "amount": "-5"}),
        ),
    )
    .await?;
    step(
        t,
        key,
        o,
        "unauthorized",
        Call::get("/api/v1/ping").without_key(),
    )
    .await?;
    let test = step(
        t,
        key,
        o,
        "webhook_endpoint_test",
        Call::post_empty(format!("/api/v1/webhook-endpoints/{endpoint_id}/test")),
    )
    .await?;
    step(
        t,
        key,
        o,
        "reason_codes",
        Call::get("/api/v1/reason-codes").without_key(),
    )
    .await?;
    step(t, key, o, "readiness", Call::get("/api/v1/readiness")).await?;
    // The problems a client can cause.
    step(
        t,
        key,
        o,
        "problem_malformed_json",
        Call::post_empty(DECISIONS).raw("application/json", "{\"siren\": \"100000009\","),
    )
    .await?;
    step(
        t,
        key,
        o,
        "problem_unsupported_media_type",
        Call::post_empty(DECISIONS).raw(
            "application/x-www-form-urlencoded",
            "siren=100000009&amount=1500",
        ),
    )
    .await?;
    step(
        t,
        key,
        o,
        "problem_bad_idempotency_key",
        Call::post(DECISIONS, &json_of(&order)).header("Idempotency-Key", &"k".repeat(256)),
    )
    .await?;
    step(
        t,
        key,
        o,
        "problem_bad_load_test_run",
        Call::post(DECISIONS, &json_of(&order)).header("Aval-Load-Test-Run", "run #1"),
    )
    .await?;
    order.amount = Some("2600.00".to_owned());
    step(
        t,
        key,
        o,
        "problem_idempotency_key_reused",
        Call::post(DECISIONS, &json_of(&order)).header("Idempotency-Key", "order-10043"),
    )
    .await?;
    step(
        t,
        key,
        o,
        "problem_not_found",
        Call::get("/api/v1/decision"),
    )
    .await?;
    step(
        t,
        key,
        o,
        "problem_method_not_allowed",
        Call {
            method: "DELETE",
            ..Call::get(format!("{DECISIONS}/{decision_id}"))
        },
    )
    .await?;
    step(
        t,
        key,
        o,
        "problem_decision_not_found",
        Call::get(format!("{DECISIONS}/dec_00000000000000000000000000000000")),
    )
    .await?;
    step(
        t,
        key,
        o,
        "problem_company_not_found",
        Call::get(format!("/api/v1/companies/{THIN_FILE}")),
    )
    .await?;
    step(
        t,
        key,
        o,
        "problem_webhook_endpoint_not_found",
        Call::get("/api/v1/webhook-endpoints/wh_00000000000000000000000000000000"),
    )
    .await?;
    step(
        t,
        key,
        o,
        "problem_delivery_not_found",
        Call::post_empty(format!(
            "/api/v1/webhook-endpoints/{endpoint_id}/deliveries/999999999/redeliver"
        )),
    )
    .await?;
    let seq = test.get("id").and_then(Value::as_i64).unwrap_or_default();
    step(
        t,
        key,
        o,
        "problem_delivery_pending",
        Call::post_empty(format!(
            "/api/v1/webhook-endpoints/{endpoint_id}/deliveries/{seq}/redeliver"
        )),
    )
    .await?;
    let disable = Call {
        method: "PATCH",
        ..Call::post(
            format!("/api/v1/webhook-endpoints/{endpoint_id}"),
            &json!({"enabled": false}),
        )
    };
    t.send(&disable, key).await?;
    step(
        t,
        key,
        o,
        "problem_webhook_endpoint_disabled",
        Call::post_empty(format!("/api/v1/webhook-endpoints/{endpoint_id}/test")),
    )
    .await?;
    let enable = Call {
        method: "PATCH",
        ..Call::post(
            format!("/api/v1/webhook-endpoints/{endpoint_id}"),
            &json!({"enabled": true}),
        )
    };
    t.send(&enable, key).await?;
    Ok(out)
}

/// The examples, and the body of the first event of each type the run queued.
#[derive(Debug, Clone)]
pub struct Examples {
    pub examples: Vec<Example>,
    pub events: Vec<(String, Value)>,
}

impl Examples {
    pub fn get(&self, id: &str) -> Option<&Example> {
        self.examples.iter().find(|e| e.id == id)
    }
}

/// The script run in process against a router.
pub struct InProcess(pub axum::Router);

#[async_trait]
impl Transport for InProcess {
    async fn send(&self, call: &Call, key: &str) -> anyhow::Result<Answer> {
        let mut request = axum::http::Request::builder()
            .method(call.method)
            .uri(&call.path);
        if call.key {
            request = request.header("authorization", format!("Bearer {key}"));
        }
        for (name, value) in &call.headers {
            request = request.header(name, value);
        }
        let mut request = request.body(Body::from(call.body.clone().unwrap_or_default()))?;
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                [127, 0, 0, 1],
                0,
            ))));
        let response = self.0.clone().oneshot(request).await?;
        let status = response.status().as_u16();
        let headers = shown_headers(response.headers());
        let bytes = axum::body::to_bytes(response.into_body(), 8 << 20).await?;
        Ok(Answer {
            status,
            headers,
            body: serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        })
    }
}

/// The headers of `SHOWN_HEADERS` an answer has.
pub fn shown_headers(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    SHOWN_HEADERS
        .iter()
        .filter_map(|name| {
            headers
                .get(*name)
                .and_then(|v| v.to_str().ok())
                .map(|v| ((*name).to_owned(), v.to_owned()))
        })
        .collect()
}

/// Produces the examples (`startup::record_examples`: a private instance runs the script).
pub type Recorder = fn() -> futures::future::BoxFuture<'static, anyhow::Result<Examples>>;

/// A server's examples, produced on first use by its recorder, and the OpenAPI document served
/// with them (filled by the API's handler).
pub struct ExampleCache {
    recorder: Recorder,
    examples: OnceCell<Result<Arc<Examples>, String>>,
    pub served_document: OnceCell<String>,
}

impl ExampleCache {
    pub fn new(recorder: Recorder) -> Self {
        Self {
            recorder,
            examples: OnceCell::new(),
            served_document: OnceCell::new(),
        }
    }

    /// The examples, or why they could not be produced.
    pub async fn get(&self) -> Result<Arc<Examples>, String> {
        self.examples
            .get_or_init(|| async {
                (self.recorder)().await.map(Arc::new).map_err(|e| {
                    tracing::error!(error = %e, "the API examples could not be produced");
                    format!("{e:#}")
                })
            })
            .await
            .clone()
    }
}

/// Whether `live` has the shape of `recorded`: the same JSON types (null standing for any),
/// objects with the same fields, arrays whose items have the shape of the recorded item at the
/// same place (or of the first, beyond the recorded ones).
/// The differences, as JSON pointers.
pub fn shape_differences(recorded: &Value, live: &Value) -> Vec<String> {
    let mut out = Vec::new();
    compare(recorded, live, "", &mut out);
    out
}

fn compare(recorded: &Value, live: &Value, at: &str, out: &mut Vec<String>) {
    match (recorded, live) {
        (Value::Null, _) | (_, Value::Null) => {}
        (Value::Object(a), Value::Object(b)) => {
            for k in a.keys().filter(|k| !b.contains_key(*k)) {
                out.push(format!("{at}/{k}: missing in the live answer"));
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                out.push(format!("{at}/{k}: not in the example"));
            }
            for (k, v) in a {
                if let Some(w) = b.get(k) {
                    compare(v, w, &format!("{at}/{k}"), out);
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            // Item by item where the example has one (a case's events differ in kind), else
            // against the example's first.
            for (i, w) in b.iter().enumerate() {
                if let Some(v) = a.get(i).or(a.first()) {
                    compare(v, w, &format!("{at}/{i}"), out);
                }
            }
        }
        (Value::Number(_), Value::Number(_))
        | (Value::String(_), Value::String(_))
        | (Value::Bool(_), Value::Bool(_)) => {}
        _ => out.push(format!("{at}: {recorded} in the example, {live} live")),
    }
}

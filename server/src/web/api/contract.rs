//! The API's contract: the types of its requests and answers, from which `document.rs`
//! generates the OpenAPI 3.1 document (utoipa). The handlers build their answers from these
//! types. Request
//! bodies are read field by field (so that one answer names every field in error); their types
//! here only describe them, and the contract test (`contract/run.sh`) holds the server to that
//! description.

use aval_core::engine::reasons::{Reason, ReasonKind};
use aval_core::engine::{FraudFlag, Outcome, Product, Referral, Versions};
use aval_core::ids::Siren;
use aval_core::record::{EventRecord, Latency};
use aval_core::sources::World;
use aval_core::vocabulary::{CaseStatus, HumanOutcome};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Answer to `GET /ping`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ping {
    pub ok: bool,
    pub mode: World,
    /// The key's id.
    pub key: String,
    pub time: DateTime<Utc>,
}

/// A bank connection given with an application.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[allow(dead_code)]
pub struct BankConnectionBody {
    /// NextGenPSD2 consent id from the open-banking aggregator: 1 to 200 characters once the
    /// spaces around it are removed.
    #[schema(
        pattern = r"^[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*[^\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000](([^\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]|[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]){0,198}[^\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000])?[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub consent_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connected_at: Option<DateTime<Utc>>,
}

// The patterns spell out the characters Rust counts as white space (`char::is_whitespace`,
// which the server trims and ignores) rather than `\s`, whose meaning differs between regular
// expression engines.

/// The body of `POST /decisions`. The server reads it field by field (`request::parse`) so that
/// one answer names every field in error. An amount is given either in decimal euros or in cents
/// (not both); factoring also needs the invoice's amount and the paying customer's SIREN, a
/// credit-line increase the limit today. A field given as `null` is a field not given. Besides
/// what this schema says, a SIREN's last digit is a Luhn check digit, an IBAN's check digits
/// must hold and a factoring amount must not exceed the invoice: each is answered 422 naming
/// the field.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = DecisionRequest)]
#[allow(dead_code)]
pub struct DecisionRequestBody {
    /// The company's SIREN: 9 digits, the last a Luhn check digit; spaces, dots and dashes
    /// are ignored.
    #[schema(
        format = "siren",
        pattern = r"^[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000.\-]*([0-9][\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000.\-]*){9}$"
    )]
    pub siren: String,
    /// Amount asked, decimal euros (`"1500.00"`). Or give `amount_cents`.
    // A positive amount of at most 1,000,000,000.00 euros as the server reads it: digits, then
    // optionally a point and one or two decimals; spaces around it are ignored.
    #[schema(
        pattern = r"^[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*\+?(0*[1-9][0-9]{0,8}(\.[0-9]{1,2})?|0*1000000000(\.0{1,2})?|0+\.(0[1-9]|[1-9][0-9]?))[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<String>,
    #[schema(minimum = 1, maximum = 100_000_000_000_i64)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_cents: Option<i64>,
    #[schema(pattern = "^EUR$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    pub product: Product,
    /// Factoring: the invoice's amount (or `invoice_amount_cents`).
    // A positive amount of at most 1,000,000,000.00 euros as the server reads it: digits, then
    // optionally a point and one or two decimals; spaces around it are ignored.
    #[schema(
        pattern = r"^[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*\+?(0*[1-9][0-9]{0,8}(\.[0-9]{1,2})?|0*1000000000(\.0{1,2})?|0+\.(0[1-9]|[1-9][0-9]?))[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_amount: Option<String>,
    #[schema(minimum = 1, maximum = 100_000_000_000_i64)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_amount_cents: Option<i64>,
    /// Factoring: the paying customer's SIREN.
    #[schema(
        format = "siren",
        pattern = r"^[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000.\-]*([0-9][\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000.\-]*){9}$"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debtor_siren: Option<String>,
    /// Credit-line increase: the limit today (or `current_limit_cents`).
    // A positive amount of at most 1,000,000,000.00 euros as the server reads it: digits, then
    // optionally a point and one or two decimals; spaces around it are ignored.
    #[schema(
        pattern = r"^[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*\+?(0*[1-9][0-9]{0,8}(\.[0-9]{1,2})?|0*1000000000(\.0{1,2})?|0+\.(0[1-9]|[1-9][0-9]?))[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_limit: Option<String>,
    #[schema(minimum = 1, maximum = 100_000_000_000_i64)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_limit_cents: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bank_connection: Option<BankConnectionBody>,
    /// Reference of the company's FEC file in the lender's document store: 1 to 200 letters,
    /// digits, `-`, `_` or `.`, not starting with `.`.
    #[schema(pattern = r"^[A-Za-z0-9_\-][A-Za-z0-9._\-]{0,199}$")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accounting_ref: Option<String>,
    /// The account the credit is paid to (an IBAN, spaces allowed); checked against the
    /// connected accounts.
    #[schema(format = "iban")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
    #[schema(max_length = 200)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_reference: Option<String>,
    /// Anything: accepted and not read.
    #[schema(value_type = Value)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
    /// Anything: accepted and not read. The `Idempotency-Key` header is what makes a request
    /// idempotent.
    #[schema(value_type = Value)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub idempotency_key: Option<serde_json::Value>,
}

/// A reason code as the API states it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonAnswer {
    #[schema(examples("CF01"))]
    pub code: String,
    pub kind: ReasonKind,
    pub text_en: String,
    pub text_fr: String,
    pub value: Option<String>,
    pub threshold: Option<String>,
    /// Effect on the log-odds of default (positive raises the risk), for scored reasons.
    pub contribution_log_odds: Option<f64>,
    /// The same effect in score points (positive raises the score).
    pub contribution_points: Option<f64>,
}

impl From<&Reason> for ReasonAnswer {
    fn from(x: &Reason) -> Self {
        ReasonAnswer {
            code: x.code.clone(),
            kind: x.kind,
            text_en: x.text_en.clone(),
            text_fr: x.text_fr.clone(),
            value: x.value.clone(),
            threshold: x.threshold.clone(),
            contribution_log_odds: x.log_odds,
            contribution_points: x.points,
        }
    }
}

/// How one source answered for a decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceAnswer {
    pub source: String,
    pub provider: String,
    pub answered: bool,
    pub missing_reason: Option<String>,
    pub latency_ms: u64,
    pub from_cache: bool,
}

/// A human action on the decision's case, with the id of its audit record.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseEventAnswer {
    pub id: String,
    #[serde(flatten)]
    pub record: EventRecord,
}

/// A decision and where its case stands now.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Decision)]
pub struct DecisionAnswer {
    pub id: String,
    pub decided_at: DateTime<Utc>,
    pub mode: World,
    pub external_reference: Option<String>,
    /// For a decision made by monitoring: the granted decision it re-checked.
    pub monitoring_of: Option<String>,
    pub siren: Siren,
    pub product: Product,
    /// Where the case stands now: decided automatically, in review by a credit manager, a
    /// human decision awaiting a second manager's confirmation, or resolved by a person.
    #[schema(value_type = CaseStatus)]
    pub status: String,
    /// The automated decision; it never changes.
    pub outcome: Outcome,
    /// The outcome in force, including human decisions since; null while in review.
    #[schema(value_type = Option<HumanOutcome>)]
    pub final_outcome: Option<String>,
    /// The limit in force (0 when declined); null while in review.
    pub final_limit_cents: Option<i64>,
    /// A person changed the automated outcome.
    pub overridden: bool,
    #[schema(minimum = 0, maximum = 1000)]
    pub score: u32,
    pub probability_of_default: f64,
    pub grade: String,
    pub requested_cents: i64,
    pub proposed_limit_cents: i64,
    #[schema(pattern = "^EUR$")]
    pub currency: String,
    pub reasons: Vec<ReasonAnswer>,
    pub referrals: Vec<Referral>,
    pub fraud_flags: Vec<FraudFlag>,
    #[schema(minimum = 0, maximum = 100)]
    pub data_coverage: u32,
    pub sources: Vec<SourceAnswer>,
    pub versions: Versions,
    pub latency: Latency,
    /// Human actions since the decision, oldest first.
    pub events: Vec<CaseEventAnswer>,
}

/// A webhook endpoint of the key's mode.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEndpointAnswer {
    pub id: String,
    /// The key's mode: an endpoint receives the events of its mode only.
    #[schema(value_type = World)]
    pub mode: String,
    /// `https://` (`http://` only to 127.0.0.1, localhost or [::1]).
    pub url: String,
    #[schema(value_type = Vec<EventType>)]
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Set when the dispatcher disabled the endpoint after sustained failures.
    pub disabled_reason: Option<String>,
    pub consecutive_failures: i64,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// `whsec_…`: only in the answer to the creation, never again.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

/// The body of `POST /webhook-endpoints`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct NewWebhookEndpoint {
    /// `https://` (`http://` only to 127.0.0.1, localhost or [::1]), at most 2048 characters
    /// once the spaces around it are removed.
    #[schema(
        pattern = r"^[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*(https://[^\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]{1,2040}|http://(127\.0\.0\.1|localhost)([:/][^\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]{0,2031})?|http://\[::1\]([:/][^\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]{0,2035})?)[\t\n\x0B\x0C\r \x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000]*$"
    )]
    pub url: String,
    #[schema(value_type = Vec<EventType>, min_items = 1)]
    pub event_types: Vec<String>,
}

/// The body of `PATCH /webhook-endpoints/{id}`.
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct WebhookEndpointChange {
    pub enabled: bool,
}

/// A webhook event type.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub enum EventType {
    #[schema(rename = "decision.created")]
    DecisionCreated,
    #[schema(rename = "decision.updated")]
    DecisionUpdated,
    #[schema(rename = "company.risk_changed")]
    RiskChanged,
    #[schema(rename = "monitoring.source_failed")]
    SourceFailed,
    #[schema(rename = "credit_limit.changed")]
    CreditLimitChanged,
    #[schema(rename = "audit.checkpoint")]
    AuditCheckpoint,
}

/// The type of an event delivered to an endpoint: one it subscribes to, or the test event its
/// owner asked for.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub enum DeliveryEventType {
    #[schema(rename = "decision.created")]
    DecisionCreated,
    #[schema(rename = "decision.updated")]
    DecisionUpdated,
    #[schema(rename = "company.risk_changed")]
    RiskChanged,
    #[schema(rename = "monitoring.source_failed")]
    SourceFailed,
    #[schema(rename = "credit_limit.changed")]
    CreditLimitChanged,
    #[schema(rename = "audit.checkpoint")]
    AuditCheckpoint,
    #[schema(rename = "endpoint.test")]
    EndpointTest,
}

/// One delivery attempt.
#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptAnswer {
    pub attempt: i64,
    pub at: DateTime<Utc>,
    /// The endpoint's HTTP status; null when it did not answer.
    pub status: Option<i64>,
    pub latency_ms: i64,
    pub response_excerpt: String,
}

/// One event's delivery to an endpoint.
#[derive(Debug, Serialize, ToSchema)]
#[schema(as = Delivery)]
pub struct DeliveryAnswer {
    pub id: i64,
    /// The `webhook-id` header.
    pub event_id: String,
    #[schema(value_type = DeliveryEventType)]
    pub event_type: String,
    pub created_at: DateTime<Utc>,
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub attempts: Vec<AttemptAnswer>,
}

/// Where a delivery stands.
#[derive(Debug, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum DeliveryStatus {
    Pending,
    Delivered,
    Dead,
}

/// A queued redelivery.
#[derive(Debug, Serialize, ToSchema)]
pub struct Redelivery {
    pub id: i64,
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
}

/// A test event queued for one endpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct TestDelivery {
    /// The delivery's number in the endpoint's log (`/deliveries`).
    pub id: i64,
    /// The `webhook-id` header it is sent with.
    pub event_id: String,
    #[schema(pattern = "^endpoint\\.test$")]
    pub event_type: String,
    #[schema(value_type = DeliveryStatus)]
    pub status: String,
}

/// A reason code as the catalogue (`GET /reason-codes`) states it: its texts with `{value}` and
/// `{threshold}` (and, for ratio groups, `{name}` and `{reference}`) where a decision fills them
/// in, what triggers it and what a company can do about it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReasonCodeAnswer {
    #[schema(examples("CF01"))]
    pub code: String,
    pub kind: ReasonKind,
    pub role: aval_core::engine::reasons::guide::Role,
    pub text_en: String,
    pub text_fr: String,
    pub trigger_en: String,
    pub trigger_fr: String,
    pub remedy_en: String,
    pub remedy_fr: String,
}

impl ReasonCodeAnswer {
    /// The whole catalogue, in the engine's order.
    pub fn catalogue() -> Vec<ReasonCodeAnswer> {
        use aval_core::engine::reasons::{guide::guide, CATALOGUE};
        CATALOGUE
            .iter()
            .filter_map(|(code, kind, en, fr)| {
                let g = guide(code)?;
                Some(ReasonCodeAnswer {
                    code: (*code).to_owned(),
                    kind: *kind,
                    role: g.role,
                    text_en: (*en).to_owned(),
                    text_fr: (*fr).to_owned(),
                    trigger_en: g.trigger_en.to_owned(),
                    trigger_fr: g.trigger_fr.to_owned(),
                    remedy_en: g.remedy_en.to_owned(),
                    remedy_fr: g.remedy_fr.to_owned(),
                })
            })
            .collect()
    }
}

/// A list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T: ToSchema> {
    pub data: Vec<T>,
}

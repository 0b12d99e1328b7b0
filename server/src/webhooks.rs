//! Webhooks to the lenders' systems: the endpoints admins register, and the signature every
//! delivery carries, per the Standard Webhooks convention: headers `webhook-id`,
//! `webhook-timestamp` and `webhook-signature`, the last being `v1,` and the base64 HMAC-SHA256
//! of `id.timestamp.body` under the endpoint's secret (`whsec_` and the key in base64).
//!
//! The product's events reach the endpoints through the outbox (`store::outbox`) and the
//! dispatcher (`crate::dispatcher`). This module holds the signature, one delivery and a new
//! endpoint's checks; the admin's forms are in `webhook_admin`.

use crate::store::WebhookEndpoint;
use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use sha2::Sha256;
use std::time::{Duration, Instant};

pub use app::access::ADMIN_WEBHOOKS;
pub use app::model::WEBHOOK_EVENT_TYPES as EVENT_TYPES;

/// The session entry holding a new endpoint's secret until the page shows it once.
pub const CREATED_SECRET: &str = "created_webhook_secret";

/// How long a receiver has to answer.
pub const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// Deliveries (and monitored companies) the admin page lists.
pub const LOG_ROWS: i64 = 100;

/// Characters of a receiver's answer kept with a delivery.
pub const EXCERPT_CHARS: usize = 200;

const SECRET_PREFIX: &str = "whsec_";

/// A new signing secret: `whsec_` and 32 random bytes in base64. It never prints in `Debug`.
pub fn new_secret() -> SecretString {
    let mut key = Vec::with_capacity(32);
    key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    key.extend_from_slice(uuid::Uuid::new_v4().as_bytes());
    SecretString::from(format!("{SECRET_PREFIX}{}", STANDARD.encode(key)))
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignError {
    #[error("the signing secret is not `whsec_` followed by base64")]
    Secret,
}

/// `v1,` and the base64 HMAC-SHA256 of `id.timestamp.body` under `secret`.
pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, SignError> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD.decode(encoded).map_err(|_| SignError::Secret)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|_| SignError::Secret)?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The three headers of a signed delivery.
pub fn headers(
    secret: &str,
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<[(&'static str, String); 3], SignError> {
    Ok([
        ("webhook-id", id.to_owned()),
        ("webhook-timestamp", timestamp.to_string()),
        ("webhook-signature", sign(secret, id, timestamp, body)?),
    ])
}

/// An endpoint address: `https://…`, or `http://` to this machine (for the sandbox and tests).
pub fn check_url(raw: &str) -> Result<String, String> {
    let url = raw.trim();
    // The host must end right after the name: `http://localhost.example` is not this machine.
    let local = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .filter_map(|p| url.strip_prefix(p))
        .any(|rest| rest.is_empty() || rest.starts_with([':', '/']));
    let rest = url
        .strip_prefix("https://")
        .or_else(|| local.then_some(url));
    match rest {
        Some(r)
            if !r.is_empty()
                && url.chars().count() <= 2048
                && !url.contains(char::is_whitespace) =>
        {
            Ok(url.to_owned())
        }
        _ => Err(
            "must be an https:// address (http:// only to this machine), up to 2048 characters"
                .into(),
        ),
    }
}

/// What a receiver answered to one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    /// The HTTP status, `None` when there was no answer (refused, timed out).
    pub status: Option<u16>,
    pub latency_ms: u64,
    /// The start of the answer's body, or why there was none.
    pub excerpt: String,
}

impl Delivery {
    /// A 2xx answer is a delivery; anything else will be tried again.
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

/// The body of an event: `{"type", "timestamp", "data"}`.
pub fn body(event_type: &str, at: DateTime<Utc>, data: serde_json::Value) -> Vec<u8> {
    serde_json::json!({
        "type": event_type,
        "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
    .into_bytes()
}

/// Posts one signed event to `endpoint` and reports what it answered.
pub async fn deliver(
    client: &reqwest::Client,
    endpoint: &WebhookEndpoint,
    id: &str,
    body: Vec<u8>,
    at: DateTime<Utc>,
) -> Result<Delivery, SignError> {
    let headers = headers(endpoint.secret.expose_secret(), id, at.timestamp(), &body)?;
    let mut request = client
        .post(&endpoint.url)
        .timeout(DELIVERY_TIMEOUT)
        .header("content-type", "application/json")
        .header("user-agent", "aval-webhooks/1");
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let started = Instant::now();
    let answer = request.body(body).send().await;
    let (status, excerpt) = match answer {
        Ok(response) => {
            let status = response.status().as_u16();
            let text = response.text().await.unwrap_or_default();
            (Some(status), text.chars().take(EXCERPT_CHARS).collect())
        }
        Err(error) => (
            None,
            error.to_string().chars().take(EXCERPT_CHARS).collect(),
        ),
    };
    Ok(Delivery {
        id: id.to_owned(),
        status,
        latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        excerpt,
    })
}

/// A new endpoint of `world` with a new secret, or the field that is wrong and why.
pub fn new_endpoint(
    world: &str,
    url: &str,
    event_types: &[String],
    now: DateTime<Utc>,
) -> Result<WebhookEndpoint, (&'static str, String)> {
    let url = check_url(url).map_err(|e| ("url", e))?;
    // Stored to the millisecond: the answer shows what a later read will.
    let now = DateTime::from_timestamp_millis(now.timestamp_millis()).unwrap_or(now);
    let mut events: Vec<String> = Vec::new();
    for e in event_types {
        if !EVENT_TYPES.contains(&e.as_str()) {
            return Err((
                "event_types",
                format!(
                    "`{e}` is not an event type (one of {})",
                    EVENT_TYPES.join(", ")
                ),
            ));
        }
        if !events.contains(e) {
            events.push(e.clone());
        }
    }
    if events.is_empty() {
        return Err(("event_types", "choose at least one event type".into()));
    }
    Ok(WebhookEndpoint {
        id: format!("wh_{}", &uuid::Uuid::new_v4().simple().to_string()[..16]),
        world: world.to_owned(),
        url,
        event_types: events,
        secret: new_secret(),
        enabled: true,
        created_at: now,
        updated_at: now,
        consecutive_failures: 0,
        failing_since: None,
        disabled_reason: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_matches_the_published_test_vector() {
        // From the Standard Webhooks reference libraries.
        assert_eq!(
            sign(
                "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
                "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
                1649367553,
                br#"{"email":"test@example.com","username":"test_user"}"#,
            )
            .unwrap(),
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        );
        assert_eq!(sign("whsec_***", "id", 1, b""), Err(SignError::Secret));
    }

    #[test]
    fn secrets_are_new_each_time_and_decode_to_32_bytes() {
        let (a, b) = (new_secret(), new_secret());
        let (a, b) = (a.expose_secret(), b.expose_secret());
        assert_ne!(a, b);
        let key = STANDARD.decode(a.strip_prefix("whsec_").unwrap()).unwrap();
        assert_eq!(key.len(), 32);
    }

    #[test]
    fn an_endpoint_never_prints_its_secret() {
        let e = new_endpoint(
            "sandbox",
            "https://lender.example/hooks",
            &["decision.created".to_owned()],
            Utc::now(),
        )
        .unwrap();
        let secret = e.secret.expose_secret().to_owned();
        assert!(secret.starts_with("whsec_"));
        let printed = format!("{e:?} {:?}", e.secret);
        assert!(!printed.contains(&secret), "{printed}");
        assert!(!printed.contains("whsec_"), "{printed}");
    }

    #[test]
    fn endpoint_addresses_are_https_or_local() {
        assert!(check_url(" https://lender.example/hooks ").is_ok());
        assert!(check_url("http://127.0.0.1:9000/hook").is_ok());
        assert!(check_url("http://lender.example/hooks").is_err());
        assert!(check_url("http://localhost.lender.example/hooks").is_err());
        assert!(check_url("http://127.0.0.1.nip.io/hooks").is_err());
        assert!(check_url("http://localhost/hooks").is_ok());
        assert!(check_url("https://").is_err());
        assert!(check_url("ftp://x").is_err());
    }
}

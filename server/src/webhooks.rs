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
    #[error("the signing secret does not open with the master key")]
    Sealed,
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

/// What posts webhooks: the client (through the egress guard's resolver, no redirects, no
/// proxy), the guard itself, and the sealer that opens the endpoints' stored secrets.
pub struct Courier {
    pub client: reqwest::Client,
    pub guard: std::sync::Arc<crate::egress::Guard>,
    pub sealer: std::sync::Arc<crate::secrets::Sealer>,
}

/// What a sealed webhook secret is bound to.
fn purpose(endpoint_id: &str) -> String {
    format!("webhook-secret:{endpoint_id}")
}

impl Courier {
    pub fn new(
        guard: std::sync::Arc<crate::egress::Guard>,
        sealer: std::sync::Arc<crate::secrets::Sealer>,
    ) -> reqwest::Result<Self> {
        Ok(Self {
            client: crate::egress::webhook_client(guard.clone())?,
            guard,
            sealer,
        })
    }

    /// The endpoint as stored: its secret sealed.
    pub fn sealed(&self, endpoint: &WebhookEndpoint) -> WebhookEndpoint {
        WebhookEndpoint {
            secret: SecretString::from(self.sealer.seal(
                endpoint.secret.expose_secret().as_bytes(),
                &purpose(&endpoint.id),
            )),
            ..endpoint.clone()
        }
    }

    /// The secret of a stored endpoint, opened (one stored before sealing is used as it is),
    /// and whether it should be sealed again (in clear, or sealed with a previous master key).
    pub fn secret(&self, endpoint: &WebhookEndpoint) -> Result<(SecretString, bool), SignError> {
        let stored = endpoint.secret.expose_secret();
        if !crate::secrets::Sealer::is_sealed(stored) {
            return Ok((endpoint.secret.clone(), true));
        }
        let (plain, old) = self
            .sealer
            .open(stored, &purpose(&endpoint.id))
            .map_err(|_| SignError::Sealed)?;
        let plain = String::from_utf8(plain).map_err(|_| SignError::Sealed)?;
        Ok((SecretString::from(plain), old))
    }

    /// Refuses an endpoint address that is, or resolves to, a non-public address (unless
    /// allowed).
    pub async fn check_destination(&self, url: &str) -> Result<(), String> {
        self.guard
            .check_url(url)
            .await
            .map_err(|why| format!("refused: {why}; webhooks go to public addresses only"))
    }
}

/// Seals every webhook secret stored in clear or with a previous master key (at start-up).
pub async fn reseal_secrets(
    store: &dyn crate::store::Outbox,
    courier: &Courier,
) -> crate::store::StoreResult<usize> {
    let mut resealed = 0;
    for endpoint in store.webhook_endpoints().await? {
        match courier.secret(&endpoint) {
            Ok((plain, true)) => {
                let sealed = courier.sealed(&WebhookEndpoint {
                    secret: plain,
                    ..endpoint.clone()
                });
                store
                    .set_webhook_secret(&endpoint.id, sealed.secret.expose_secret())
                    .await?;
                resealed += 1;
            }
            Ok((_, false)) => {}
            Err(e) => {
                tracing::error!(endpoint = %endpoint.id, error = %e, "a webhook secret does not open")
            }
        }
    }
    Ok(resealed)
}

/// Posts one signed event to `endpoint` and reports what it answered.
pub async fn deliver(
    courier: &Courier,
    endpoint: &WebhookEndpoint,
    id: &str,
    body: Vec<u8>,
    at: DateTime<Utc>,
) -> Result<Delivery, SignError> {
    let (secret, _) = courier.secret(endpoint)?;
    let headers = headers(secret.expose_secret(), id, at.timestamp(), &body)?;
    // A literal address reaches no resolver: it is checked here. A name is checked by the
    // client's resolver, which gives the connection only the addresses it allowed.
    let literal = reqwest::Url::parse(&endpoint.url).ok().and_then(|u| {
        u.host_str().and_then(|h| {
            h.trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .ok()
        })
    });
    if let Some(why) = literal.and_then(|ip| courier.guard.refusal(ip)) {
        return Ok(Delivery {
            id: id.to_owned(),
            status: None,
            latency_ms: 0,
            excerpt: format!("refused: {why}, not a public address"),
        });
    }
    let mut request = courier
        .client
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
        Err(error) => {
            // The innermost cause says why (a refused address, a timeout, a reset).
            let mut why = error.to_string();
            let mut source = std::error::Error::source(&error);
            while let Some(cause) = source {
                why = format!("{why}: {cause}");
                source = cause.source();
            }
            (None, why.chars().take(EXCERPT_CHARS).collect())
        }
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

//! The HTTP side shared by the live connectors: one GET with a timeout that never passes the
//! gathering's deadline, `Retry-After` honoured on 429 when the wait fits, one retry on a
//! gateway error, and every answer captured as a [`Snapshot`].

use super::json::FormatError;
use super::{Fetched, Snapshot, SourceError, SourceId};
use chrono::Utc;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use std::time::Duration;
use tokio::time::Instant;

/// Where a live source is and how to authenticate to it.
#[derive(Clone)]
pub struct Endpoint {
    client: reqwest::Client,
    base_url: String,
    /// Header carrying the credential (`Authorization` gets a `Bearer` prefix).
    auth: Option<(HeaderName, SecretString)>,
    timeout: Duration,
    provider: String,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("base_url", &self.base_url)
            .field("provider", &self.provider)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// A failed GET, with the answer when there was one (a 404 or a malformed body is evidence).
#[derive(Debug)]
pub struct Failed {
    pub error: SourceError,
    pub snapshot: Option<Snapshot>,
}

/// Keeps the answer and checks that it parses: an answer in the wrong format is kept as
/// evidence and the source counts as missing.
pub(crate) fn checked(
    result: Result<Snapshot, Failed>,
    parse: impl Fn(&[u8]) -> Result<(), FormatError>,
) -> Fetched {
    match result {
        Ok(snapshot) => {
            let problem = match snapshot.body() {
                Ok(body) => parse(&body).err().map(|e| e.to_string()),
                Err(e) => Some(e.to_string()),
            };
            Fetched {
                snapshots: vec![snapshot],
                error: problem.map(|detail| SourceError::Malformed { detail }),
            }
        }
        Err(Failed { error, snapshot }) => Fetched {
            snapshots: snapshot.into_iter().collect(),
            error: Some(error),
        },
    }
}

impl Endpoint {
    pub fn new(
        client: reqwest::Client,
        provider: &str,
        base_url: &str,
        auth: Option<(HeaderName, SecretString)>,
        timeout: Duration,
    ) -> Self {
        Self {
            client,
            base_url: base_url.trim_end_matches('/').to_owned(),
            auth,
            timeout,
            provider: provider.to_owned(),
        }
    }

    pub fn provider(&self) -> &str {
        &self.provider
    }

    /// GETs `path_and_query` (starting with `/`) with extra `headers`. Success is a 2xx answer.
    pub async fn get(
        &self,
        source: SourceId,
        path_and_query: &str,
        headers: HeaderMap,
        deadline: Instant,
    ) -> Result<Snapshot, Failed> {
        let url = format!("{}{}", self.base_url, path_and_query);
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let now = Instant::now();
            let budget = deadline.saturating_duration_since(now).min(self.timeout);
            if budget.is_zero() {
                return Err(fail(SourceError::Timeout { after_ms: 0 }, None));
            }
            let mut request = self
                .client
                .get(&url)
                .headers(headers.clone())
                .timeout(budget);
            if let Some((name, secret)) = &self.auth {
                let value = if name == reqwest::header::AUTHORIZATION {
                    format!("Bearer {}", secret.expose_secret())
                } else {
                    secret.expose_secret().to_owned()
                };
                match HeaderValue::from_str(&value) {
                    Ok(mut v) => {
                        v.set_sensitive(true);
                        request = request.header(name.clone(), v);
                    }
                    Err(_) => {
                        return Err(fail(
                            SourceError::NotConfigured {
                                detail: "the credential is not a valid header value".into(),
                            },
                            None,
                        ))
                    }
                }
            }
            let fetched_at = Utc::now();
            let response = match request.send().await {
                Ok(r) => r,
                Err(e) => return Err(transport_failure(&e, now)),
            };
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            let content_type = response
                .headers()
                .get(reqwest::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            let body = match response.bytes().await {
                Ok(b) => b,
                Err(e) => return Err(transport_failure(&e, now)),
            };
            let snapshot = Snapshot::capture(
                source,
                &self.provider,
                format!("GET {url}"),
                status.as_u16(),
                &content_type,
                fetched_at,
                millis(now.elapsed()),
                &body,
            );
            if status.is_success() {
                return Ok(snapshot);
            }
            if status == reqwest::StatusCode::NOT_FOUND {
                return Err(fail(SourceError::NotFound, Some(snapshot)));
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                match retry_after {
                    // Wait as asked when the wait leaves time for the retry itself.
                    Some(wait) if attempts < 3 && wait < remaining => {
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    _ => {
                        return Err(fail(
                            SourceError::RateLimited {
                                retry_after_s: retry_after.map(|d| d.as_secs()),
                            },
                            Some(snapshot),
                        ))
                    }
                }
            }
            let transient = matches!(status.as_u16(), 502..=504);
            if transient && attempts < 2 && !remaining.is_zero() {
                continue;
            }
            return Err(fail(
                SourceError::Http {
                    status: status.as_u16(),
                },
                Some(snapshot),
            ));
        }
    }
}

/// A request that broke before an answer: timed out, or could not connect or read.
fn transport_failure(e: &reqwest::Error, started: Instant) -> Failed {
    let error = if e.is_timeout() {
        SourceError::Timeout {
            after_ms: millis(started.elapsed()),
        }
    } else {
        SourceError::Unreachable {
            detail: without_url(e),
        }
    };
    fail(error, None)
}

fn fail(error: SourceError, snapshot: Option<Snapshot>) -> Failed {
    Failed { error, snapshot }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// Why a request failed, without the URL (it is in the snapshot's request already).
fn without_url(e: &reqwest::Error) -> String {
    let kind = if e.is_connect() {
        "connection failed"
    } else if e.is_body() || e.is_decode() {
        "the answer broke off"
    } else if e.is_redirect() {
        "too many redirects"
    } else {
        "request failed"
    };
    match std::error::Error::source(e) {
        Some(cause) => format!("{kind}: {cause}"),
        None => kind.to_owned(),
    }
}

/// `Retry-After` as delay-seconds or an HTTP date.
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&Utc) - Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_read_as_seconds_or_as_a_date() {
        assert_eq!(parse_retry_after("2"), Some(Duration::from_secs(2)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}

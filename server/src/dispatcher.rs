//! Delivers the outbox: takes the due messages (leased, so a crash or a second server never
//! loses one and rarely sends one twice), posts each signed to its endpoint, and records every
//! attempt. A 2xx answer is a delivery; anything else is tried again after the next wait of
//! the retry schedule (with jitter), and the message is dead after the last. An endpoint that
//! keeps failing is disabled, and the workspace says why.
//!
//! Delivery is at least once: a receiver recognises a repeat by its `webhook-id`.

use crate::config::WebhookSettings;
use crate::store::{
    AttemptOutcome, Outbox, Store, WebhookAttempt, WebhookEndpoint, WebhookMessage,
};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use std::sync::Arc;

/// How long a dispatcher holds the messages it took: longer than any delivery can take.
pub const LEASE: Duration = Duration::seconds(60);

/// Messages taken per round.
const BATCH: i64 = 32;

/// When the dispatcher disables an endpoint that keeps failing.
fn disable_rule(settings: &crate::config::WebhookSettings) -> crate::store::DisableRule {
    crate::store::DisableRule {
        after_failures: i64::from(settings.disable_after_failures),
        for_ms: i64::from(settings.disable_after_minutes) * 60_000,
    }
}

/// When the next attempt is due after `attempts` failed ones, or `None` when none is left.
/// `jitter` in [0, 1) spreads the wait by up to a fifth either way.
pub fn next_attempt(
    schedule: &[u64],
    attempts: i64,
    at: DateTime<Utc>,
    jitter: f64,
) -> Option<DateTime<Utc>> {
    let wait = *schedule.get(usize::try_from(attempts - 1).ok()?)?;
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 1.0);
    let ms = (wait as f64 * 1000.0 * factor).round() as i64;
    Some(at + Duration::milliseconds(ms))
}

fn jitter() -> f64 {
    (uuid::Uuid::new_v4().as_u128() % 1_000_000) as f64 / 1_000_000.0
}

/// Makes one attempt to deliver `message` to `endpoint` and records it.
pub async fn attempt(
    store: &dyn Outbox,
    courier: &crate::webhooks::Courier,
    settings: &WebhookSettings,
    endpoint: &WebhookEndpoint,
    message: &WebhookMessage,
) -> Result<AttemptOutcome, crate::store::StoreError> {
    let at = Utc::now();
    let number = message.attempts + 1;
    let answer = crate::webhooks::deliver(
        courier,
        endpoint,
        &message.event_id,
        message.body.clone().into_bytes(),
        at,
    )
    .await;
    let (delivery, signable) = match answer {
        Ok(d) => (d, true),
        Err(e) => (
            crate::webhooks::Delivery {
                id: message.event_id.clone(),
                status: None,
                latency_ms: 0,
                excerpt: e.to_string(),
            },
            false,
        ),
    };
    let outcome = if delivery.delivered() {
        AttemptOutcome::Delivered
    } else if !signable {
        AttemptOutcome::Dead
    } else {
        match next_attempt(&settings.retry_schedule_seconds, number, at, jitter()) {
            Some(when) => AttemptOutcome::Retry(when),
            None => AttemptOutcome::Dead,
        }
    };
    let record = WebhookAttempt {
        message_seq: message.seq,
        attempt: number,
        at,
        status: delivery.status.map(i64::from),
        latency_ms: i64::try_from(delivery.latency_ms).unwrap_or(i64::MAX),
        excerpt: delivery.excerpt,
    };
    let disabled = store
        .record_webhook_attempt(&record, &endpoint.id, outcome, disable_rule(settings))
        .await?;
    if disabled {
        tracing::warn!(endpoint = %endpoint.id, url = %endpoint.url, "webhook endpoint disabled after repeated failures");
    }
    match outcome {
        AttemptOutcome::Delivered => {
            tracing::debug!(event = %message.event_id, endpoint = %endpoint.id, "webhook delivered")
        }
        AttemptOutcome::Retry(when) => {
            tracing::info!(event = %message.event_id, endpoint = %endpoint.id, attempt = number, status = ?record.status, next = %when, "webhook not delivered; will retry")
        }
        AttemptOutcome::Dead => {
            tracing::warn!(event = %message.event_id, endpoint = %endpoint.id, attempt = number, "webhook not delivered after the last attempt: dead letter")
        }
    }
    Ok(outcome)
}

/// Takes and delivers due messages; returns how many it took.
pub async fn round(
    store: &Arc<dyn Store>,
    courier: &Arc<crate::webhooks::Courier>,
    settings: &WebhookSettings,
) -> Result<usize, crate::store::StoreError> {
    let now = Utc::now();
    let due = store
        .claim_webhook_messages(now, now + LEASE, BATCH)
        .await?;
    if due.is_empty() {
        return Ok(0);
    }
    let endpoints: HashMap<String, WebhookEndpoint> = store
        .webhook_endpoints()
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let mut tasks = tokio::task::JoinSet::new();
    for message in due.iter().cloned() {
        let Some(endpoint) = endpoints.get(&message.endpoint_id).cloned() else {
            continue;
        };
        let (store, courier, settings) = (store.clone(), courier.clone(), settings.clone());
        tasks.spawn(async move {
            if let Err(error) =
                attempt(store.as_ref(), &courier, &settings, &endpoint, &message).await
            {
                // The lease runs out and the message is taken again.
                tracing::error!(%error, event = %message.event_id, "recording a webhook attempt failed");
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    Ok(due.len())
}

/// Delivers until the task is stopped; `wake` starts a round at once.
pub async fn run(
    store: Arc<dyn Store>,
    courier: Arc<crate::webhooks::Courier>,
    settings: WebhookSettings,
    wake: Arc<tokio::sync::Notify>,
) {
    let poll = std::time::Duration::from_millis(settings.poll_interval_ms);
    loop {
        match round(&store, &courier, &settings).await {
            Ok(n) if n > 0 => continue,
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "cannot read the webhook outbox"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = wake.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_schedule_with_at_most_a_fifth_of_jitter_and_then_stop() {
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let schedule = [5, 300, 1800];
        let wait = |n, j| (next_attempt(&schedule, n, at, j).unwrap() - at).num_milliseconds();
        assert_eq!(wait(1, 0.5), 5_000);
        assert_eq!(wait(1, 0.0), 4_000);
        assert_eq!(wait(1, 0.999_999), 6_000);
        assert_eq!(wait(2, 0.5), 300_000);
        assert_eq!(wait(3, 0.5), 1_800_000);
        assert_eq!(next_attempt(&schedule, 4, at, 0.5), None);
        assert_eq!(next_attempt(&[], 1, at, 0.5), None);
        assert_eq!(next_attempt(&schedule, 0, at, 0.5), None);
    }

    #[test]
    fn the_default_schedule_backs_off_exponentially_over_more_than_a_day() {
        let s = WebhookSettings::default().retry_schedule_seconds;
        for w in s.windows(2) {
            assert!(w[1] == w[0] * 4 || w[1] == 36_000, "{s:?}");
        }
        let total: u64 = s.iter().sum();
        assert!((24 * 3600..30 * 3600).contains(&total), "{total}");
    }

    #[test]
    fn jitter_stays_in_the_unit_interval() {
        for _ in 0..1000 {
            let j = jitter();
            assert!((0.0..1.0).contains(&j));
        }
    }
}

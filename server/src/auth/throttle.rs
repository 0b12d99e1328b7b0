//! Throttling of failed sign-ins: after too many failures within a window, an account (or a
//! network address) is refused until the oldest counted failure leaves the window.

use chrono::{DateTime, Duration, Utc};

/// Limits, from configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottlePolicy {
    pub max_failures: usize,
    pub window: Duration,
}

impl ThrottlePolicy {
    /// When the subject with these failures (oldest first, all within the window) may try
    /// again, or `None` if it may try now.
    pub fn locked_until(
        &self,
        failures: &[DateTime<Utc>],
        now: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let recent: Vec<_> = failures
            .iter()
            .filter(|t| now - **t < self.window)
            .collect();
        if recent.len() < self.max_failures {
            return None;
        }
        // The subject is free once enough of the oldest failures have aged out that fewer
        // than `max_failures` remain.
        let pivot = recent[recent.len() - self.max_failures];
        Some(*pivot + self.window)
    }
}

/// Whole minutes to wait, rounded up, at least one.
pub fn minutes_until(until: DateTime<Utc>, now: DateTime<Utc>) -> i64 {
    let secs = (until - now).num_seconds().max(1);
    (secs + 59) / 60
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_700_000_000 + min * 60, 0).unwrap()
    }

    const POLICY: ThrottlePolicy = ThrottlePolicy {
        max_failures: 3,
        window: Duration::minutes(15),
    };

    #[test]
    fn fewer_failures_than_the_limit_do_not_lock() {
        assert_eq!(POLICY.locked_until(&[at(0), at(1)], at(2)), None);
    }

    #[test]
    fn reaching_the_limit_locks_until_the_oldest_failure_ages_out() {
        let failures = [at(0), at(1), at(2)];
        assert_eq!(POLICY.locked_until(&failures, at(3)), Some(at(15)));
        assert_eq!(minutes_until(at(15), at(3)), 12);
        assert_eq!(POLICY.locked_until(&failures, at(15)), None);
    }

    #[test]
    fn with_more_failures_than_the_limit_the_newest_ones_decide() {
        let failures = [at(0), at(1), at(2), at(10)];
        assert_eq!(POLICY.locked_until(&failures, at(11)), Some(at(16)));
    }
}

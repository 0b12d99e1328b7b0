//! What a lender's integration has done, for the go-live checklist: the steps seen once per
//! world (a ping), the load-test runs the server measured, and what the other tables already
//! say (decisions sent through the API per product, endpoints that received a test event).

use chrono::{DateTime, Utc};

/// The event type of the test event an endpoint is sent on request; a delivery of it that the
/// endpoint answered with a 2xx verifies the endpoint.
pub const TEST_EVENT_TYPE: &str = "endpoint.test";

/// A step seen in one world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Milestone {
    pub world: String,
    pub step: String,
    /// The key that made it (the last time).
    pub key_id: String,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
}

/// A load-test run as one server instance measured it: from each request's arrival to its
/// answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadTestRun {
    pub run_id: String,
    pub instance_id: String,
    pub world: String,
    pub key_id: String,
    pub started_at: DateTime<Utc>,
    pub ended_at: DateTime<Utc>,
    pub requests: i64,
    /// Answers other than 201.
    pub errors: i64,
    /// Answers that took longer than the budget.
    pub over_budget: i64,
    pub p50_us: i64,
    pub p99_us: i64,
    pub max_us: i64,
}

/// An endpoint's verification: when it last received the test event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedEndpoint {
    pub endpoint_id: String,
    pub url: String,
    pub delivered_at: DateTime<Utc>,
}

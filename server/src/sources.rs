//! Company data sources: one adapter interface, a live connector and a sandbox implementation per
//! source, and the concurrent gathering under a deadline. The formats, their parsers and the
//! typed facts are `aval_core::sources` (re-exported here); this module adds what does I/O.

pub use aval_core::sources::*;

pub mod api_entreprise;
pub mod bodacc;
pub mod gather;
pub mod http;
pub mod internal;
pub mod live;
pub mod psd2;
pub mod sandbox;
pub mod sector;
pub mod sirene;

use async_trait::async_trait;

/// What one fetch produced: the raw responses, and, if the source failed, why. A failed fetch
/// may still carry snapshots (a malformed body is kept as evidence).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub snapshots: Vec<Snapshot>,
    pub error: Option<SourceError>,
}

impl Fetched {
    pub fn ok(snapshots: Vec<Snapshot>) -> Self {
        Self {
            snapshots,
            error: None,
        }
    }
    pub fn failed(error: SourceError) -> Self {
        Self {
            snapshots: Vec::new(),
            error: Some(error),
        }
    }
}

/// One data source. Implementations: a live connector and a sandbox one per source.
#[async_trait]
pub trait Source: Send + Sync {
    fn id(&self) -> SourceId;
    /// Who answers, stored with each snapshot (for example `insee-sirene-v3.11` or `sandbox`).
    fn provider(&self) -> &str;
    /// Fetches what the source knows about the request's company. `deadline` is when the
    /// gathering stops waiting: connectors use it to decide whether a retry still fits.
    async fn fetch(&self, request: &SourceRequest, deadline: tokio::time::Instant) -> Fetched;
}

#[cfg(test)]
pub(crate) use aval_core::test_support as tests_support;

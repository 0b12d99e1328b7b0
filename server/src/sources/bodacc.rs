//! BODACC: the live connector. The format and its parser are `aval_core::sources::bodacc`.

pub use aval_core::sources::bodacc::*;

use super::http::Endpoint;
use super::{Fetched, Source, SourceId, SourceRequest};
use async_trait::async_trait;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// Live connector: the Opendatasoft records search of the DILA BODACC portal. No credential.
pub struct LiveBodacc {
    pub endpoint: Endpoint,
}

#[async_trait]
impl Source for LiveBodacc {
    fn id(&self) -> SourceId {
        SourceId::Bodacc
    }
    fn provider(&self) -> &str {
        self.endpoint.provider()
    }
    async fn fetch(&self, request: &SourceRequest, deadline: Instant) -> Fetched {
        let path = format!(
            "/api/records/1.0/search/?dataset=annonces-commerciales&q=registre:{}&rows=100&sort=dateparution",
            request.siren.as_str()
        );
        super::http::checked(
            self.endpoint
                .get(SourceId::Bodacc, &path, HeaderMap::new(), deadline)
                .await,
            |body| parse(body).map(drop),
        )
    }
}

//! INSEE Sirene: the live connector. The format and its parser are `aval_core::sources::sirene`.

pub use aval_core::sources::sirene::*;

use super::http::Endpoint;
use super::{Fetched, Source, SourceId, SourceRequest};
use async_trait::async_trait;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// Live connector for one of the two Sirene calls. Authentication: the API key of the INSEE
/// API portal in the `X-INSEE-Api-Key-Integration` header.
pub struct LiveSirene {
    pub endpoint: Endpoint,
    pub which: SourceId,
}

#[async_trait]
impl Source for LiveSirene {
    fn id(&self) -> SourceId {
        self.which
    }
    fn provider(&self) -> &str {
        self.endpoint.provider()
    }
    async fn fetch(&self, request: &SourceRequest, deadline: Instant) -> Fetched {
        let path = match self.which {
            SourceId::SireneEstablishments => {
                format!("/siret?q=siren:{}&nombre=100", request.siren.as_str())
            }
            _ => format!("/siren/{}", request.siren.as_str()),
        };
        let which = self.which;
        super::http::checked(
            self.endpoint
                .get(which, &path, HeaderMap::new(), deadline)
                .await,
            |body| match which {
                SourceId::SireneEstablishments => parse_establishments(body).map(drop),
                _ => parse_legal_unit(body).map(drop),
            },
        )
    }
}

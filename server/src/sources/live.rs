//! The live world: connectors to the real services, built from the settings. Sandbox requests
//! never reach these.

use super::http::{checked, Endpoint};
use super::{
    api_entreprise, bodacc, psd2, sirene, Fetched, Source, SourceError, SourceId, SourceRequest,
};
use crate::config::{LiveSourceSettings, SourcesSettings};
use async_trait::async_trait;
use reqwest::header::{HeaderMap, HeaderName, AUTHORIZATION};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

fn endpoint(
    client: &reqwest::Client,
    provider: &str,
    settings: &LiveSourceSettings,
    auth_header: HeaderName,
) -> Endpoint {
    Endpoint::new(
        client.clone(),
        provider,
        &settings.base_url,
        settings.api_key.clone().map(|key| (auth_header, key)),
        Duration::from_millis(settings.timeout_ms),
    )
}

/// A live source that cannot be used until it is configured: it answers at once that it is
/// missing and why, so decisions name it rather than wait for a refusal.
pub struct Unconfigured {
    pub id: SourceId,
    pub detail: String,
}

#[async_trait]
impl Source for Unconfigured {
    fn id(&self) -> SourceId {
        self.id
    }
    fn provider(&self) -> &str {
        "unconfigured"
    }
    async fn fetch(&self, _request: &SourceRequest, _deadline: Instant) -> Fetched {
        Fetched::failed(SourceError::NotConfigured {
            detail: self.detail.clone(),
        })
    }
}

/// The live connectors for the remote sources, from the settings. A source whose credential is
/// not set is [`Unconfigured`].
pub fn connectors(settings: &SourcesSettings, client: &reqwest::Client) -> Vec<Arc<dyn Source>> {
    let all = all_connectors(settings, client);
    let needs_key = |id: SourceId| match id {
        SourceId::SireneUnit | SourceId::SireneEstablishments => settings
            .sirene
            .api_key
            .is_none()
            .then_some("sources.sirene.api_key"),
        SourceId::OpenBanking => settings
            .open_banking
            .api_key
            .is_none()
            .then_some("sources.open_banking.api_key"),
        SourceId::Accounting => settings
            .accounting
            .api_key
            .is_none()
            .then_some("sources.accounting.api_key"),
        SourceId::FiledAccounts => {
            if settings.filed_accounts.api_key.is_none() {
                Some("sources.filed_accounts.api_key")
            } else if settings.filed_accounts.recipient.is_empty() {
                Some("sources.filed_accounts.recipient")
            } else {
                None
            }
        }
        _ => None,
    };
    all.into_iter()
        .map(|source| match needs_key(source.id()) {
            Some(setting) => Arc::new(Unconfigured {
                id: source.id(),
                detail: format!("{setting} is not set"),
            }) as Arc<dyn Source>,
            None => source,
        })
        .collect()
}

fn all_connectors(settings: &SourcesSettings, client: &reqwest::Client) -> Vec<Arc<dyn Source>> {
    let insee_key = HeaderName::from_static("x-insee-api-key-integration");
    vec![
        Arc::new(sirene::LiveSirene {
            endpoint: endpoint(
                client,
                "insee-sirene-3.11",
                &settings.sirene,
                insee_key.clone(),
            ),
            which: SourceId::SireneUnit,
        }),
        Arc::new(sirene::LiveSirene {
            endpoint: endpoint(client, "insee-sirene-3.11", &settings.sirene, insee_key),
            which: SourceId::SireneEstablishments,
        }),
        Arc::new(bodacc::LiveBodacc {
            endpoint: endpoint(
                client,
                "bodacc-opendatasoft",
                &settings.bodacc,
                AUTHORIZATION,
            ),
        }),
        Arc::new(psd2::LiveOpenBanking {
            endpoint: endpoint(
                client,
                "nextgenpsd2-1.3",
                &settings.open_banking,
                AUTHORIZATION,
            ),
        }),
        Arc::new(LiveAccounting {
            endpoint: endpoint(
                client,
                "fec-document-store",
                &settings.accounting,
                AUTHORIZATION,
            ),
        }),
        Arc::new(api_entreprise::LiveFiledAccounts {
            endpoint: endpoint(
                client,
                "api-entreprise-v3-banque-de-france",
                &settings.filed_accounts.live(),
                AUTHORIZATION,
            ),
            recipient: settings.filed_accounts.recipient.clone(),
            context: settings.filed_accounts.context.clone(),
            object: settings.filed_accounts.object.clone(),
        }),
    ]
}

/// Fetches the company's FEC file from the lender's document store:
/// `GET {base_url}/{accounting_ref}` with a bearer token, the answer being the file itself.
pub struct LiveAccounting {
    pub endpoint: Endpoint,
}

/// Characters allowed in an accounting reference (it becomes a URL path segment).
pub fn valid_reference(reference: &str) -> bool {
    !reference.is_empty()
        && reference.len() <= 200
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !reference.starts_with('.')
}

#[async_trait]
impl Source for LiveAccounting {
    fn id(&self) -> SourceId {
        SourceId::Accounting
    }
    fn provider(&self) -> &str {
        self.endpoint.provider()
    }
    async fn fetch(&self, request: &SourceRequest, deadline: Instant) -> Fetched {
        let Some(reference) = &request.accounting_ref else {
            return Fetched::failed(SourceError::NotRequested {
                reason: "no accounting file in the request".into(),
            });
        };
        if !valid_reference(reference) {
            return Fetched::failed(SourceError::NotRequested {
                reason: "the accounting reference has characters other than letters, digits, '-', '_' and '.'".into(),
            });
        }
        checked(
            self.endpoint
                .get(
                    SourceId::Accounting,
                    &format!("/{reference}"),
                    HeaderMap::new(),
                    deadline,
                )
                .await,
            |body| {
                super::fec::parse(body)
                    .map(drop)
                    .map_err(|e| super::json::format_error("", e.to_string()))
            },
        )
    }
}

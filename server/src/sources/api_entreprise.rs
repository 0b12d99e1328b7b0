//! API Entreprise: the live connector for the filed accounts. The formats and their parsers are
//! `aval_core::sources::api_entreprise`.

pub use aval_core::sources::api_entreprise::*;

use super::http::Endpoint;
use super::{Fetched, Source, SourceError, SourceId, SourceRequest};
use async_trait::async_trait;
use aval_core::ids::Siren;
use reqwest::header::HeaderMap;
use tokio::time::Instant;

/// Live connector for [`SourceId::FiledAccounts`]: the Banque de France balance sheets of the
/// request's company, `GET {base_url}/v3/banque_de_france/unites_legales/{siren}/bilans` with
/// the bearer token of the [`Endpoint`] and the mandatory `context`, `recipient` and `object`
/// parameters. A 404 (API Entreprise code `04003`, the Banque de France does not know the unit)
/// is [`SourceError::NotFound`].
pub struct LiveFiledAccounts {
    pub endpoint: Endpoint,
    /// SIRET of the organisation the data is for.
    pub recipient: String,
    /// Why the data is requested.
    pub context: String,
    /// The file or procedure it serves.
    pub object: String,
}

impl LiveFiledAccounts {
    /// The path and query of the balance-sheet call for `siren`, the parameters form-encoded
    /// (`Décision` becomes `D%C3%A9cision`, a space `+`).
    pub fn bilans_path(&self, siren: &Siren) -> Result<String, SourceError> {
        let url = reqwest::Url::parse_with_params(
            &format!(
                "http://api-entreprise.invalid/v3/banque_de_france/unites_legales/{siren}/bilans"
            ),
            [
                ("context", self.context.as_str()),
                ("recipient", self.recipient.as_str()),
                ("object", self.object.as_str()),
            ],
        )
        .map_err(|e| SourceError::Internal {
            detail: format!("cannot build the API Entreprise URL: {e}"),
        })?;
        Ok(format!(
            "{}?{}",
            url.path(),
            url.query().unwrap_or_default()
        ))
    }
}

#[async_trait]
impl Source for LiveFiledAccounts {
    fn id(&self) -> SourceId {
        SourceId::FiledAccounts
    }
    fn provider(&self) -> &str {
        self.endpoint.provider()
    }
    async fn fetch(&self, request: &SourceRequest, deadline: Instant) -> Fetched {
        if self.recipient.trim().is_empty() {
            return Fetched::failed(SourceError::NotConfigured {
                detail: "API Entreprise needs the recipient's SIRET".into(),
            });
        }
        let path = match self.bilans_path(&request.siren) {
            Ok(path) => path,
            Err(e) => return Fetched::failed(e),
        };
        super::http::checked(
            self.endpoint
                .get(SourceId::FiledAccounts, &path, HeaderMap::new(), deadline)
                .await,
            |body| parse_bilans_bdf(body).map(drop),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::{SourceRequest, World};
    use aval_core::test_support::*;
    use axum::extract::{Path, RawQuery, State};
    use axum::http::{HeaderMap as Headers, StatusCode};
    use axum::response::{IntoResponse, Response};
    use chrono::Utc;
    use secrecy::SecretString;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    fn connector(base_url: &str) -> LiveFiledAccounts {
        LiveFiledAccounts {
            endpoint: Endpoint::new(
                reqwest::Client::new(),
                "api-entreprise-v3",
                base_url,
                Some((
                    reqwest::header::AUTHORIZATION,
                    SecretString::from("jeton-de-test"),
                )),
                Duration::from_secs(5),
            ),
            recipient: "13002526500013".into(),
            context: "Décision de crédit".into(),
            object: "Dossier 42 & co=1".into(),
        }
    }

    #[test]
    fn the_mandatory_parameters_are_url_encoded() {
        let path = connector("http://localhost")
            .bilans_path(&Siren::parse("552049447").unwrap())
            .unwrap();
        assert_eq!(
            path,
            "/v3/banque_de_france/unites_legales/552049447/bilans?context=D%C3%A9cision+de+cr%C3%A9dit&recipient=13002526500013&object=Dossier+42+%26+co%3D1"
        );
    }

    /// What the stub received: the SIREN in the path, the raw query, the `Authorization` header.
    #[derive(Debug, Clone)]
    struct Call {
        siren: String,
        query: Option<String>,
        auth: Option<String>,
    }

    #[derive(Default)]
    struct Seen {
        calls: Mutex<Vec<Call>>,
    }

    async fn bilans(
        State(seen): State<Arc<Seen>>,
        Path(siren): Path<String>,
        RawQuery(query): RawQuery,
        headers: Headers,
    ) -> Response {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        seen.calls.lock().unwrap().push(Call {
            siren: siren.clone(),
            query,
            auth,
        });
        let staging = staging("api_entreprise_v3_banque_de_france_bilans_entreprise");
        let of = |status| {
            staging
                .iter()
                .find(|e| e.status == status)
                .unwrap()
                .body
                .clone()
        };
        match siren.as_str() {
            "552049447" => (
                StatusCode::OK,
                [("content-type", "application/json")],
                annuaire("banque-de-france-bilans.json"),
            )
                .into_response(),
            "200000008" => (
                StatusCode::OK,
                [("content-type", "application/json")],
                of(200),
            )
                .into_response(),
            "600000004" => (
                StatusCode::OK,
                [("content-type", "application/json")],
                r#"{"data":{"bilans":[]}}"#,
            )
                .into_response(),
            _ => (
                StatusCode::NOT_FOUND,
                [("content-type", "application/json")],
                of(404),
            )
                .into_response(),
        }
    }

    fn request(siren: &str) -> SourceRequest {
        SourceRequest {
            world: World::Live,
            siren: Siren::parse(siren).unwrap(),
            bank_connection: None,
            accounting_ref: None,
            iban: None,
            as_of: Utc::now(),
        }
    }

    #[tokio::test]
    async fn the_live_connector_fetches_the_bdf_balance_sheets_with_the_token_and_parameters() {
        let seen = Arc::new(Seen::default());
        let app = axum::Router::new()
            .route(
                "/v3/banque_de_france/unites_legales/{siren}/bilans",
                axum::routing::get(bilans),
            )
            .with_state(Arc::clone(&seen));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let source = connector(&base);
        assert_eq!(source.id(), SourceId::FiledAccounts);
        let deadline = Instant::now() + Duration::from_secs(5);

        let fetched = source.fetch(&request("552049447"), deadline).await;
        assert_eq!(fetched.error, None);
        assert_eq!(fetched.snapshots.len(), 1);
        let years = parse_bilans_bdf(&fetched.snapshots[0].body().unwrap()).unwrap();
        assert_eq!(years.len(), 3);
        let Call { siren, query, auth } = seen.calls.lock().unwrap()[0].clone();
        assert_eq!(siren, "552049447");
        assert_eq!(
            query.as_deref(),
            Some("context=D%C3%A9cision+de+cr%C3%A9dit&recipient=13002526500013&object=Dossier+42+%26+co%3D1")
        );
        assert_eq!(auth.as_deref(), Some("Bearer jeton-de-test"));

        let staging_answer = source.fetch(&request("200000008"), deadline).await;
        assert_eq!(
            staging_answer.error, None,
            "the staging 200 payload is in the format too"
        );

        let unknown = source.fetch(&request("100000009"), deadline).await;
        assert_eq!(unknown.error, Some(SourceError::NotFound));
        assert_eq!(
            unknown.snapshots.len(),
            1,
            "the 404 body is kept as evidence"
        );
        assert_eq!(
            parse_error(&unknown.snapshots[0].body().unwrap()).unwrap()[0].code,
            "04003"
        );

        let malformed = source.fetch(&request("600000004"), deadline).await;
        match malformed.error {
            Some(SourceError::Malformed { detail }) => {
                assert!(detail.starts_with("/data:"), "{detail}")
            }
            other => panic!("expected a malformed answer, got {other:?}"),
        }
        assert_eq!(malformed.snapshots.len(), 1);

        let mut unconfigured = connector(&base);
        unconfigured.recipient = " ".into();
        let refused = unconfigured.fetch(&request("552049447"), deadline).await;
        assert!(matches!(
            refused.error,
            Some(SourceError::NotConfigured { .. })
        ));
        assert_eq!(
            seen.calls.lock().unwrap().len(),
            4,
            "no call without a recipient"
        );
        server.abort();
    }
}

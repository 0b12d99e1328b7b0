//! Open banking (Berlin Group NextGenPSD2): the live connector. The format and its parsers are
//! `aval_core::sources::psd2`.

pub use aval_core::sources::psd2::*;

use super::http::{Endpoint, Failed};
use super::json::FormatError;
use super::{Fetched, Source, SourceError, SourceId, SourceRequest};
use async_trait::async_trait;
use chrono::{Days, NaiveDate};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use tokio::time::Instant;

/// Live connector to a bank's (or an aggregator's) NextGenPSD2 interface. The credential is the
/// TPP's OAuth access token (`Authorization: Bearer`); the consent comes with each request.
pub struct LiveOpenBanking {
    pub endpoint: Endpoint,
}

/// At most this many pages of transactions per account.
const MAX_PAGES: usize = 20;

#[async_trait]
impl Source for LiveOpenBanking {
    fn id(&self) -> SourceId {
        SourceId::OpenBanking
    }
    fn provider(&self) -> &str {
        self.endpoint.provider()
    }
    async fn fetch(&self, request: &SourceRequest, deadline: Instant) -> Fetched {
        let Some(connection) = &request.bank_connection else {
            return Fetched::failed(SourceError::NotRequested {
                reason: "no bank connection in the request".into(),
            });
        };
        let mut headers = HeaderMap::new();
        match HeaderValue::from_str(&connection.consent_id) {
            Ok(v) => {
                headers.insert(HeaderName::from_static("consent-id"), v);
            }
            Err(_) => {
                return Fetched::failed(SourceError::NotRequested {
                    reason: "the consent id is not a valid header value".into(),
                })
            }
        }
        let request_id = uuid::Uuid::new_v4().to_string();
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            headers.insert(HeaderName::from_static("x-request-id"), v);
        }
        let mut snapshots = Vec::new();
        let get = |path: String| {
            let headers = headers.clone();
            async move {
                self.endpoint
                    .get(SourceId::OpenBanking, &path, headers, deadline)
                    .await
            }
        };
        macro_rules! step {
            ($result:expr, $parse:expr) => {
                match $result {
                    Ok(snapshot) => {
                        let parsed = snapshot
                            .body()
                            .map_err(|e| e.to_string())
                            .and_then(|b| $parse(&b).map_err(|e: FormatError| e.to_string()));
                        snapshots.push(snapshot);
                        match parsed {
                            Ok(v) => v,
                            Err(detail) => {
                                return Fetched {
                                    snapshots,
                                    error: Some(SourceError::Malformed { detail }),
                                }
                            }
                        }
                    }
                    Err(Failed { error, snapshot }) => {
                        snapshots.extend(snapshot);
                        return Fetched {
                            snapshots,
                            error: Some(error),
                        };
                    }
                }
            };
        }
        let accounts = step!(get("/v1/accounts".to_owned()).await, parse_account_list);
        let from = request
            .as_of
            .date_naive()
            .checked_sub_days(Days::new(HISTORY_DAYS))
            .unwrap_or(NaiveDate::MIN);
        for account in accounts
            .iter()
            .filter(|a| a.currency.as_deref() != Some("XXX"))
        {
            let Some(id) = &account.resource_id else {
                continue;
            };
            if account.owner_name.is_none() {
                step!(
                    get(format!("/v1/accounts/{id}")).await,
                    parse_account_details
                );
            }
            step!(
                get(format!("/v1/accounts/{id}/balances")).await,
                parse_balances
            );
            let mut next = Some(format!(
                "/v1/accounts/{id}/transactions?bookingStatus=booked&dateFrom={from}"
            ));
            let mut pages = 0;
            while let Some(path) = next.take() {
                pages += 1;
                let (_, link) = step!(get(path).await, parse_transactions);
                // Links are relative to the API root or absolute; keep the path and query.
                next = link
                    .filter(|_| pages < MAX_PAGES)
                    .map(|l| match l.find("/v1/") {
                        Some(i) => l[i..].to_owned(),
                        None => l,
                    });
            }
        }
        Fetched::ok(snapshots)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::tests_support::openapi_example_value as example;

    #[test]
    fn well_formed_transaction_reports_take_the_typed_reading() {
        let sandbox =
            crate::sources::sandbox::company(&"732829320".parse().unwrap(), chrono::Utc::now());
        let sandbox = serde_json::to_vec(&crate::sources::sandbox::world::psd2_transactions(
            &sandbox,
            chrono::Utc::now().date_naive() - Days::new(HISTORY_DAYS),
        ))
        .unwrap();
        let example =
            example("berlin_group_nextgenpsd2/transactionsExample1_RegularAccount_json.json");
        for body in [sandbox, example] {
            let typed = typed::transactions(&body).expect("read into typed fields");
            assert!(!typed.0.is_empty());
            assert_eq!(typed, transactions_from_value(&body).unwrap());
        }
    }
}

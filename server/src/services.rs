//! The server's side of the interface the Leptos application calls through.

use crate::store::Store;
use app::api::Services;
use app::error::AppError;
use app::model::{ChainStatus, ReplayVerdict, RoleCount, UserSummary};
use async_trait::async_trait;
use std::sync::Arc;

pub struct AppServices {
    pub store: Arc<dyn Store>,
}

fn internal(error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "service call failed");
    AppError::Internal {
        request_id: String::new(),
    }
}

#[async_trait]
impl Services for AppServices {
    async fn list_users(&self) -> Result<Vec<UserSummary>, AppError> {
        let users = self.store.list_users().await.map_err(internal)?;
        Ok(users.iter().map(|u| u.summary()).collect())
    }

    async fn role_counts(&self) -> Result<Vec<RoleCount>, AppError> {
        self.store.role_counts().await.map_err(internal)
    }

    async fn audit_chain(&self) -> Result<ChainStatus, AppError> {
        let report = crate::audit::verify(self.store.as_ref())
            .await
            .map_err(internal)?;
        Ok(ChainStatus {
            records: report.records,
            intact: report.intact(),
            first_broken: report.first_broken.map(|b| (b.seq, b.id, b.problem)),
        })
    }

    async fn replay_decision(&self, id: String, current: bool) -> Result<ReplayVerdict, AppError> {
        use crate::decisions::{replay, DecisionError, Engine};
        match replay(self.store.as_ref(), Engine::current(), &id, current).await {
            Ok(r) => Ok(ReplayVerdict {
                decision_id: r.decision_id,
                mode: r.mode,
                identical: r.identical,
                differences: r
                    .differences
                    .into_iter()
                    .map(|(path, a, b)| (path, a.to_string(), b.to_string()))
                    .collect(),
                model_version: r.versions.model,
                policy_version: r.versions.policy,
                notes: r.notes,
            }),
            Err(DecisionError::NotFound(_)) => Err(AppError::NotFound),
            Err(DecisionError::VersionUnavailable { what, version }) => Err(AppError::Validation {
                field: "id".into(),
                message: format!("the {what} version {version} is not available to replay"),
            }),
            Err(e) => Err(internal(e)),
        }
    }
}

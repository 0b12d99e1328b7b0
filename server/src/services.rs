//! The server's side of the interface the Leptos application calls through.

use crate::store::Store;
use app::api::Services;
use app::error::AppError;
use app::model::{RoleCount, UserSummary};
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
}

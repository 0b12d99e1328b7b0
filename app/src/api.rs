//! Server functions: thin adapters that find the user in the session, check the role and call
//! the server's [`Services`]. No storage access happens here.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::model::CaseScope;
#[cfg(feature = "ssr")]
use crate::model::Role;
use crate::model::{
    ApiKeySummary, CaseDetail, CaseList, CaseQuery, ChainStatus, CompanyPreview, DashboardView,
    DeliveryRow, IssuedPassword, MonitoringView, ReplayVerdict, RoleCount, SessionUser,
    UserSummary, VersionSummary, WebhookSummary,
};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use std::sync::Arc;

    /// What the server provides to the application. Implemented by the `server` crate and
    /// placed in the Leptos context for every page render and server function call.
    #[async_trait::async_trait]
    pub trait Services: Send + Sync + 'static {
        async fn list_users(&self) -> Result<Vec<UserSummary>, AppError>;
        async fn role_counts(&self) -> Result<Vec<RoleCount>, AppError>;
        async fn audit_chain(&self) -> Result<ChainStatus, AppError>;
        async fn replay_decision(
            &self,
            id: String,
            current: bool,
        ) -> Result<ReplayVerdict, AppError>;
        /// The registry's view of a company, for the application form.
        async fn company_preview(&self, siren: String) -> Result<CompanyPreview, AppError>;
        /// A page of cases in `scope`, as `user` may see them.
        async fn list_cases(
            &self,
            user: SessionUser,
            scope: CaseScope,
            query: CaseQuery,
        ) -> Result<CaseList, AppError>;
        async fn list_api_keys(&self) -> Result<Vec<ApiKeySummary>, AppError>;
        /// Every model and policy version kept in the registry, the active ones marked.
        async fn engine_versions(&self) -> Result<Vec<VersionSummary>, AppError>;
        /// The key created by this session's last request, once: it is forgotten as it is read.
        async fn take_created_key(
            &self,
            parts: http::request::Parts,
        ) -> Result<Option<String>, AppError>;
        /// The generated password issued by this session's last request, once.
        async fn take_issued_password(
            &self,
            parts: http::request::Parts,
        ) -> Result<Option<IssuedPassword>, AppError>;
        /// Every webhook endpoint (never its secret).
        async fn webhook_endpoints(&self) -> Result<Vec<WebhookSummary>, AppError>;
        /// The newest deliveries with their attempts.
        async fn webhook_log(&self) -> Result<Vec<DeliveryRow>, AppError>;
        /// The monitored companies of the workspace's world and the sandbox conditions.
        async fn monitoring_view(&self) -> Result<MonitoringView, AppError>;
        /// The secret of the endpoint this session just registered, once.
        async fn take_webhook_secret(
            &self,
            parts: http::request::Parts,
        ) -> Result<Option<String>, AppError>;
        /// The dashboard over the last `days` days.
        async fn dashboard(
            &self,
            days: u32,
            lang: crate::i18n::Lang,
        ) -> Result<DashboardView, AppError>;
        /// A company of the workspace's world as the lender holds it.
        async fn company(
            &self,
            siren: String,
            lang: crate::i18n::Lang,
        ) -> Result<crate::model::CompanyPageView, AppError>;
        /// A case with what `user` may do on it.
        async fn case_detail(
            &self,
            user: SessionUser,
            id: String,
            lang: crate::i18n::Lang,
        ) -> Result<CaseDetail, AppError>;
    }

    /// The services handle kept in context.
    pub type SharedServices = Arc<dyn Services>;

    /// The user behind the request, as resolved by the server's session middleware and
    /// stored in the request's extensions.
    #[derive(Debug, Clone, Default)]
    pub struct CurrentUser(pub Option<SessionUser>);

    /// The signed-in user of the current request, if any.
    pub fn current_user() -> Option<SessionUser> {
        use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<CurrentUser>().cloned())
            .and_then(|c| c.0)
    }

    /// Fails with the right error (and HTTP status) unless the user holds one of `roles`.
    pub fn require_role(roles: &[Role]) -> Result<SessionUser, AppError> {
        let result = match current_user() {
            None => Err(AppError::Unauthorized),
            // A generated password is changed before anything else is done.
            Some(user) if user.must_change_password => Err(AppError::Conflict(
                "change the password you were given first".into(),
            )),
            Some(user) if roles.contains(&user.role) => Ok(user),
            Some(_) => Err(AppError::Forbidden),
        };
        result.map_err(fail)
    }

    pub use crate::error::fail;

    pub fn services() -> Result<SharedServices, AppError> {
        use_context::<SharedServices>().ok_or_else(|| {
            tracing::error!("services missing from the Leptos context");
            fail(AppError::Internal {
                request_id: String::new(),
            })
        })
    }
}

/// The request behind a server function (its session travels in the extensions).
#[cfg(feature = "ssr")]
fn request_parts() -> Result<http::request::Parts, AppError> {
    use_context::<http::request::Parts>().ok_or_else(|| {
        fail(AppError::Internal {
            request_id: String::new(),
        })
    })
}

/// The signed-in user, or `None`. Open to everyone.
#[server(prefix = "/api/app", endpoint = "session")]
pub async fn get_session_user() -> Result<Option<SessionUser>, AppError> {
    Ok(current_user())
}

/// Every user account. Admins only.
#[server(prefix = "/api/app", endpoint = "users")]
pub async fn list_users() -> Result<Vec<UserSummary>, AppError> {
    require_role(&[Role::Admin])?;
    services()?.list_users().await.map_err(fail)
}

/// Active users per role. Admins only.
#[server(prefix = "/api/app", endpoint = "role_counts")]
pub async fn role_counts() -> Result<Vec<RoleCount>, AppError> {
    require_role(&[Role::Admin])?;
    services()?.role_counts().await.map_err(fail)
}

/// Verifies the audit trail's hash chain. Auditors only.
#[server(prefix = "/api/app", endpoint = "audit_chain")]
pub async fn audit_chain() -> Result<ChainStatus, AppError> {
    require_role(&[Role::Auditor])?;
    services()?.audit_chain().await.map_err(fail)
}

/// Re-runs a recorded decision from its stored snapshots, with its own versions or today's.
/// Auditors only.
#[server(prefix = "/api/app", endpoint = "replay")]
pub async fn replay_decision(id: String, current: bool) -> Result<ReplayVerdict, AppError> {
    require_role(&[Role::Auditor])?;
    services()?.replay_decision(id, current).await.map_err(fail)
}

/// The registry's view of a company while an application is typed. Sales reps only.
#[server(prefix = "/api/app", endpoint = "preview_company")]
pub async fn preview_company(siren: String) -> Result<CompanyPreview, AppError> {
    require_role(&[Role::SalesRep])?;
    if crate::ids::Siren::parse(&siren).is_err() {
        return Err(fail(AppError::Validation {
            field: "siren".into(),
            message: "not a valid SIREN".into(),
        }));
    }
    services()?.company_preview(siren).await.map_err(fail)
}

/// The signed-in sales rep's applications, newest first.
#[server(prefix = "/api/app", endpoint = "my_applications")]
pub async fn my_applications(page: i64) -> Result<CaseList, AppError> {
    let user = require_role(&[Role::SalesRep])?;
    let query = CaseQuery {
        page,
        sort: "newest".into(),
        ..CaseQuery::default()
    };
    services()?
        .list_cases(user, CaseScope::Mine, query)
        .await
        .map_err(fail)
}

/// Cases waiting for a credit manager. Credit managers only.
#[server(prefix = "/api/app", endpoint = "review_queue")]
pub async fn review_queue(query: CaseQuery) -> Result<CaseList, AppError> {
    let user = require_role(&[Role::CreditManager])?;
    services()?
        .list_cases(user, CaseScope::Queue, query)
        .await
        .map_err(fail)
}

/// Any decision, by filters. Auditors only.
#[server(prefix = "/api/app", endpoint = "search_decisions")]
pub async fn search_decisions(query: CaseQuery) -> Result<CaseList, AppError> {
    let user = require_role(&[Role::Auditor])?;
    services()?
        .list_cases(user, CaseScope::All, query)
        .await
        .map_err(fail)
}

/// A case: credit managers and auditors see any; a sales rep only their own applications.
#[server(prefix = "/api/app", endpoint = "get_case")]
pub async fn get_case(id: String) -> Result<CaseDetail, AppError> {
    let user = require_role(&[Role::SalesRep, Role::CreditManager, Role::Auditor])?;
    let lang = crate::i18n::detect_lang();
    services()?.case_detail(user, id, lang).await.map_err(fail)
}

/// A company's lines, history, grade over time, monitoring and open cases.
#[server(prefix = "/api/app", endpoint = "get_company")]
pub async fn get_company(siren: String) -> Result<crate::model::CompanyPageView, AppError> {
    require_role(&[
        Role::SalesRep,
        Role::CreditManager,
        Role::Auditor,
        Role::Admin,
    ])?;
    let lang = crate::i18n::detect_lang();
    services()?.company(siren, lang).await.map_err(fail)
}

/// Every API key (never the keys themselves). Admins only.
#[server(prefix = "/api/app", endpoint = "api_keys")]
pub async fn list_api_keys() -> Result<Vec<ApiKeySummary>, AppError> {
    require_role(&[Role::Admin])?;
    services()?.list_api_keys().await.map_err(fail)
}

/// The key this admin just created, shown once. Admins only.
#[server(prefix = "/api/app", endpoint = "created_key")]
pub async fn take_created_key() -> Result<Option<String>, AppError> {
    require_role(&[Role::Admin])?;
    let parts = request_parts()?;
    services()?.take_created_key(parts).await.map_err(fail)
}

/// The generated password this admin just issued, shown once. Admins only.
#[server(prefix = "/api/app", endpoint = "issued_password")]
pub async fn take_issued_password() -> Result<Option<IssuedPassword>, AppError> {
    require_role(&[Role::Admin])?;
    let parts = request_parts()?;
    services()?.take_issued_password(parts).await.map_err(fail)
}

/// The dashboard over the last `days` days (7, 30 or 90). Credit managers, auditors, admins.
#[server(prefix = "/api/app", endpoint = "dashboard")]
pub async fn dashboard(days: u32) -> Result<DashboardView, AppError> {
    require_role(&[Role::CreditManager, Role::Auditor, Role::Admin])?;
    if !crate::model::DASHBOARD_WINDOWS.contains(&days) {
        return Err(fail(AppError::Validation {
            field: "days".into(),
            message: "must be 7, 30 or 90".into(),
        }));
    }
    let lang = crate::i18n::detect_lang();
    services()?.dashboard(days, lang).await.map_err(fail)
}

/// Every webhook endpoint (never its secret). Admins only.
#[server(prefix = "/api/app", endpoint = "webhook_endpoints")]
pub async fn webhook_endpoints() -> Result<Vec<WebhookSummary>, AppError> {
    require_role(&[Role::Admin])?;
    services()?.webhook_endpoints().await.map_err(fail)
}

/// The newest webhook deliveries, with every attempt. Admins only.
#[server(prefix = "/api/app", endpoint = "webhook_log")]
pub async fn webhook_log() -> Result<Vec<DeliveryRow>, AppError> {
    require_role(&[Role::Admin])?;
    services()?.webhook_log().await.map_err(fail)
}

/// The monitored companies and the sandbox's conditions. Admins only.
#[server(prefix = "/api/app", endpoint = "monitoring_state")]
pub async fn monitoring_state() -> Result<MonitoringView, AppError> {
    require_role(&[Role::Admin])?;
    services()?.monitoring_view().await.map_err(fail)
}

/// The signing secret of the endpoint this admin just registered, shown once. Admins only.
#[server(prefix = "/api/app", endpoint = "webhook_secret")]
pub async fn take_webhook_secret() -> Result<Option<String>, AppError> {
    require_role(&[Role::Admin])?;
    let parts = request_parts()?;
    services()?.take_webhook_secret(parts).await.map_err(fail)
}

/// The model and policy versions kept for replay, the active ones marked. Admins and auditors.
#[server(prefix = "/api/app", endpoint = "engine_versions")]
pub async fn engine_versions() -> Result<Vec<VersionSummary>, AppError> {
    require_role(&[Role::Admin, Role::Auditor])?;
    services()?.engine_versions().await.map_err(fail)
}

//! The workspace's writes: every form that changes data is one of these server functions,
//! used through `ActionForm`. Before the wasm has loaded the same form posts to the same
//! address as plain HTML and the browser follows the redirect; once hydrated it is sent in
//! the background and the router follows it. Each function finds the user in the session,
//! checks the role, reads the form and calls the server's [`Actions`]; on success it sends
//! the browser to the page that shows the result.

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::forms::ApplicationFields;
use crate::forms::CaseActionFields;
#[cfg(feature = "ssr")]
use crate::model::Role;
use leptos::prelude::*;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use crate::api::fail;
    use crate::error::AppError;
    use crate::forms::ApplicationFields;
    use crate::ids::Siren;
    use crate::model::{CaseCommand, Role, SessionUser};
    use aval_core::sources::World;
    use leptos::prelude::*;
    use std::sync::Arc;

    /// What a test of a webhook endpoint answered.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct TestDelivery {
        pub event_id: String,
        /// The receiver's HTTP status, when it answered.
        pub status: Option<u16>,
        pub latency_ms: u64,
    }

    /// What an action on a webhook endpoint did.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum EndpointChange {
        Enabled,
        Disabled,
        Tested(TestDelivery),
    }

    /// The changes the workspace can make. Implemented by the `server` crate and placed in the
    /// Leptos context beside [`crate::api::Services`]. Arguments arrive parsed; the role is
    /// already checked. Secrets to show once are kept in the session of `parts`.
    #[async_trait::async_trait]
    pub trait Actions: Send + Sync + 'static {
        /// Decides a sales rep's application at once; the new decision's id.
        async fn submit_application(
            &self,
            user: SessionUser,
            fields: ApplicationFields,
        ) -> Result<String, AppError>;
        /// Applies a credit manager's command to a case; the kind of the event recorded.
        async fn act_on_case(
            &self,
            user: SessionUser,
            decision_id: String,
            command: CaseCommand,
        ) -> Result<String, AppError>;
        /// Creates an API key, kept in the session to be shown once; the key's id.
        async fn create_api_key(
            &self,
            parts: http::request::Parts,
            world: World,
            name: String,
            scopes: Vec<crate::model::ApiScope>,
        ) -> Result<String, AppError>;
        async fn revoke_api_key(&self, id: String) -> Result<(), AppError>;
        /// The signed-in user changes their own password (the current one required).
        async fn change_own_password(
            &self,
            user: SessionUser,
            parts: http::request::Parts,
            current: String,
            new: String,
            repeat: String,
        ) -> Result<(), AppError>;
        /// Creates an account with a generated password, kept in the session to be shown once.
        async fn create_user(
            &self,
            admin: SessionUser,
            parts: http::request::Parts,
            username: String,
            display_name: String,
            role: Role,
        ) -> Result<(), AppError>;
        /// Changes an account (`role`, `deactivate`, `activate`, `reset_password`); its username.
        async fn change_user(
            &self,
            admin: SessionUser,
            parts: http::request::Parts,
            id: i64,
            change: UserChange,
        ) -> Result<String, AppError>;
        /// Registers a webhook endpoint, its secret kept in the session; the endpoint's id.
        async fn create_webhook_endpoint(
            &self,
            admin: SessionUser,
            parts: http::request::Parts,
            url: String,
            event_types: Vec<String>,
        ) -> Result<String, AppError>;
        /// `enable`, `disable` or `test` an endpoint.
        async fn change_webhook_endpoint(
            &self,
            admin: SessionUser,
            id: String,
            action: String,
        ) -> Result<EndpointChange, AppError>;
        /// Queues a delivered or dead message again.
        async fn redeliver_webhook(&self, admin: SessionUser, seq: i64) -> Result<(), AppError>;
        /// Checks a monitored company of the workspace's world now.
        async fn check_monitoring_now(&self, siren: Siren) -> Result<(), AppError>;
        /// Sandbox only: puts a company in a condition from now on, checked at once if monitored.
        async fn set_sandbox_condition(
            &self,
            admin: SessionUser,
            siren: Siren,
            condition: String,
        ) -> Result<(), AppError>;
    }

    /// A change to an account, as the admin asked for it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum UserChange {
        Role(Role),
        Active(bool),
        ResetPassword,
    }

    /// The actions handle kept in context.
    pub type SharedActions = Arc<dyn Actions>;

    pub fn actions() -> Result<SharedActions, AppError> {
        use_context::<SharedActions>().ok_or_else(|| {
            tracing::error!("actions missing from the Leptos context");
            fail(AppError::Internal {
                request_id: String::new(),
            })
        })
    }

    /// Sends the browser to `path` once the action succeeded: a redirect for a plain form
    /// post, client-side navigation once hydrated.
    pub fn show(path: &str) {
        leptos_axum::redirect(path);
    }

    pub fn invalid(field: &str, message: impl Into<String>) -> AppError {
        fail(AppError::Validation {
            field: field.into(),
            message: message.into(),
        })
    }

    pub fn siren(raw: &str) -> Result<Siren, AppError> {
        Siren::parse(raw.trim()).map_err(|e| invalid("siren", e.to_string()))
    }

    /// A record's number, as a form sends it (text), or the field named.
    pub fn number(field: &str, raw: &str) -> Result<i64, AppError> {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| invalid(field, "must be a whole number"))
    }

    pub fn role(raw: &str) -> Result<Role, AppError> {
        raw.parse::<Role>().map_err(|_| {
            invalid(
                "role",
                "must be sales_rep, credit_manager, auditor or admin",
            )
        })
    }

    /// The request behind the server function (its session travels in the extensions).
    pub fn parts() -> Result<http::request::Parts, AppError> {
        use_context::<http::request::Parts>().ok_or_else(|| {
            fail(AppError::Internal {
                request_id: String::new(),
            })
        })
    }
}

/// A sales rep's application: decided at once, then shown on its own page.
#[server(prefix = "/api/app", endpoint = "submit_application")]
pub async fn submit_application(
    #[server(default)] siren: String,
    #[server(default)] amount: String,
    #[server(default)] product: String,
    #[server(default)] invoice_amount: String,
    #[server(default)] debtor_siren: String,
    #[server(default)] current_limit: String,
    #[server(default)] external_reference: String,
) -> Result<(), AppError> {
    let user = crate::api::require_role(&[Role::SalesRep])?;
    let fields = ApplicationFields {
        siren,
        amount,
        product,
        invoice_amount,
        debtor_siren,
        current_limit,
        external_reference,
    };
    let id = actions()?
        .submit_application(user, fields)
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "{}/{}",
        crate::access::APPLICATIONS,
        crate::access::url_encode(&id)
    ));
    Ok(())
}

/// A credit manager's action on a case (`action`: claim, release, note, decide, confirm,
/// reject), then the case page saying what happened.
#[server(prefix = "/api/app", endpoint = "act_on_case")]
pub async fn act_on_case(
    #[server(default)] id: String,
    #[server(flatten)] form: CaseActionFields,
) -> Result<(), AppError> {
    let user = crate::api::require_role(&[Role::CreditManager])?;
    let command = form.command().map_err(crate::api::fail)?;
    let done = actions()?
        .act_on_case(user, id.clone(), command)
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "/cases/{}?done={}",
        crate::access::url_encode(&id),
        crate::access::url_encode(&done)
    ));
    Ok(())
}

/// Creates an API key (`mode`: sandbox or live); the page shows it once.
#[server(prefix = "/api/app", endpoint = "create_api_key")]
pub async fn create_api_key(
    #[server(default)] name: String,
    #[server(default)] mode: String,
    #[server(default)] scope_decisions_write: Option<String>,
    #[server(default)] scope_decisions_read: Option<String>,
    #[server(default)] scope_webhooks_manage: Option<String>,
    #[server(default)] scope_audit_read: Option<String>,
) -> Result<(), AppError> {
    use crate::model::ApiScope;
    crate::api::require_role(&[Role::Admin])?;
    let world = match mode.as_str() {
        "sandbox" => aval_core::sources::World::Sandbox,
        "live" => aval_core::sources::World::Live,
        _ => return Err(invalid("mode", "must be sandbox or live")),
    };
    let scopes: Vec<ApiScope> = [
        (ApiScope::DecisionsWrite, scope_decisions_write),
        (ApiScope::DecisionsRead, scope_decisions_read),
        (ApiScope::WebhooksManage, scope_webhooks_manage),
        (ApiScope::AuditRead, scope_audit_read),
    ]
    .into_iter()
    .filter_map(|(scope, ticked)| ticked.is_some().then_some(scope))
    .collect();
    let id = actions()?
        .create_api_key(parts()?, world, name, scopes)
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "{}?created={}",
        crate::access::ADMIN_KEYS,
        crate::access::url_encode(&id)
    ));
    Ok(())
}

/// The signed-in user changes their own password; a generated one must be changed this way
/// before anything else.
#[server(prefix = "/api/app", endpoint = "change_own_password")]
pub async fn change_own_password(
    #[server(default)] current_password: String,
    #[server(default)] new_password: String,
    #[server(default)] repeat_password: String,
) -> Result<(), AppError> {
    let Some(user) = crate::api::current_user() else {
        return Err(crate::api::fail(AppError::Unauthorized));
    };
    actions()?
        .change_own_password(
            user,
            parts()?,
            current_password,
            new_password,
            repeat_password,
        )
        .await
        .map_err(crate::api::fail)?;
    show(&format!("{}?changed=1", crate::access::ACCOUNT_PASSWORD));
    Ok(())
}

/// Revokes an API key: requests with it are refused from then on.
#[server(prefix = "/api/app", endpoint = "revoke_api_key")]
pub async fn revoke_api_key(#[server(default)] id: String) -> Result<(), AppError> {
    crate::api::require_role(&[Role::Admin])?;
    actions()?
        .revoke_api_key(id.clone())
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "{}?revoked={}",
        crate::access::ADMIN_KEYS,
        crate::access::url_encode(&id)
    ));
    Ok(())
}

/// Creates an account with a generated password, shown once on the page.
#[server(prefix = "/api/app", endpoint = "create_user")]
pub async fn create_user(
    #[server(default)] username: String,
    #[server(default)] display_name: String,
    #[server(default)] role: String,
) -> Result<(), AppError> {
    let admin = crate::api::require_role(&[Role::Admin])?;
    let username = crate::forms::check_username(&username).map_err(|e| invalid("username", e))?;
    let display_name =
        crate::forms::check_display_name(&display_name).map_err(|e| invalid("display_name", e))?;
    let role = self::role(&role)?;
    actions()?
        .create_user(admin, parts()?, username.clone(), display_name, role)
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "{}?created={}",
        crate::access::ADMIN_USERS,
        crate::access::url_encode(&username)
    ));
    Ok(())
}

/// Changes an account: `action` is `role` (with `role`), `deactivate`, `activate` or
/// `reset_password` (a new generated password, shown once).
#[server(prefix = "/api/app", endpoint = "change_user")]
pub async fn change_user(
    #[server(default)] id: String,
    #[server(default)] action: String,
    #[server(default)] role: String,
) -> Result<(), AppError> {
    let admin = crate::api::require_role(&[Role::Admin])?;
    let id = number("id", &id)?;
    let change = match action.as_str() {
        "role" => UserChange::Role(self::role(&role)?),
        "deactivate" if id == admin.id => {
            return Err(invalid("action", "you cannot deactivate your own account"))
        }
        "deactivate" => UserChange::Active(false),
        "activate" => UserChange::Active(true),
        "reset_password" => UserChange::ResetPassword,
        _ => {
            return Err(invalid(
                "action",
                "must be role, deactivate, activate or reset_password",
            ))
        }
    };
    let username = actions()?
        .change_user(admin, parts()?, id, change)
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "{}?changed={}&action={}",
        crate::access::ADMIN_USERS,
        crate::access::url_encode(&username),
        crate::access::url_encode(&action)
    ));
    Ok(())
}

/// Registers a webhook endpoint for the subscribed `event_types`; its secret is shown once.
#[server(prefix = "/api/app", endpoint = "create_webhook_endpoint")]
pub async fn create_webhook_endpoint(
    #[server(default)] url: String,
    #[server(default)] event_types: Vec<String>,
) -> Result<(), AppError> {
    let admin = crate::api::require_role(&[Role::Admin])?;
    let id = actions()?
        .create_webhook_endpoint(admin, parts()?, url, event_types)
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "{}?created={}",
        crate::access::ADMIN_WEBHOOKS,
        crate::access::url_encode(&id)
    ));
    Ok(())
}

/// `enable`, `disable`, or `test` a webhook endpoint: a test sends a signed `endpoint.test`
/// event now (the same as the API's, logged with the endpoint's deliveries) and the page shows
/// the answer.
#[server(prefix = "/api/app", endpoint = "change_webhook_endpoint")]
pub async fn change_webhook_endpoint(
    #[server(default)] id: String,
    #[server(default)] action: String,
) -> Result<(), AppError> {
    let admin = crate::api::require_role(&[Role::Admin])?;
    let change = actions()?
        .change_webhook_endpoint(admin, id.clone(), action)
        .await
        .map_err(crate::api::fail)?;
    let id = crate::access::url_encode(&id);
    let page = crate::access::ADMIN_WEBHOOKS;
    show(&match change {
        EndpointChange::Enabled | EndpointChange::Disabled => format!("{page}?changed={id}"),
        EndpointChange::Tested(t) => format!(
            "{page}?tested={id}&event={}&status={}&ms={}",
            crate::access::url_encode(&t.event_id),
            t.status
                .map_or_else(|| "none".to_owned(), |s| s.to_string()),
            t.latency_ms
        ),
    });
    Ok(())
}

/// Queues a delivered or dead webhook message again.
#[server(prefix = "/api/app", endpoint = "redeliver_webhook")]
pub async fn redeliver_webhook(#[server(default)] seq: String) -> Result<(), AppError> {
    let admin = crate::api::require_role(&[Role::Admin])?;
    let seq = number("seq", &seq)?;
    actions()?
        .redeliver_webhook(admin, seq)
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "{}?redelivered={seq}",
        crate::access::ADMIN_WEBHOOKS
    ));
    Ok(())
}

/// Checks a monitored company of the workspace's world now.
#[server(prefix = "/api/app", endpoint = "check_monitoring_now")]
pub async fn check_monitoring_now(#[server(default)] siren: String) -> Result<(), AppError> {
    crate::api::require_role(&[Role::Admin])?;
    let siren = self::siren(&siren)?;
    actions()?
        .check_monitoring_now(siren.clone())
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "{}?checking={siren}",
        crate::access::ADMIN_WEBHOOKS
    ));
    Ok(())
}

/// Sandbox only: puts a company in a condition (`proceeding`, `negative_balance`) from now on
/// and checks it at once if it is monitored.
#[server(prefix = "/api/app", endpoint = "set_sandbox_condition")]
pub async fn set_sandbox_condition(
    #[server(default)] siren: String,
    #[server(default)] condition: String,
) -> Result<(), AppError> {
    let admin = crate::api::require_role(&[Role::Admin])?;
    let siren = self::siren(&siren)?;
    actions()?
        .set_sandbox_condition(admin, siren.clone(), condition)
        .await
        .map_err(crate::api::fail)?;
    show(&format!(
        "{}?condition={siren}",
        crate::access::ADMIN_WEBHOOKS
    ));
    Ok(())
}

/// Remembers the chosen interface language (`lang`: en or fr) for a year and goes back to the
/// page (`next`, a path of this site). The switch is a plain form to this function's address,
/// so that the page is rendered again in the new language. An unknown language changes nothing.
#[server(prefix = "/api/app", endpoint = "set_language")]
pub async fn set_language(
    #[server(default)] lang: String,
    #[server(default)] next: String,
) -> Result<(), AppError> {
    let next = crate::access::safe_next(Some(&next));
    if let Some(lang) = crate::i18n::Lang::from_code(&lang) {
        let cookie = format!(
            "{}={}; Path=/; Max-Age=31536000; SameSite=Lax",
            crate::i18n::LANG_COOKIE,
            lang.code()
        );
        if let (Some(options), Ok(value)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            http::HeaderValue::from_str(&cookie),
        ) {
            options.append_header(http::header::SET_COOKIE, value);
        }
    }
    show(&next);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_language_switch_posts_to_its_server_function() {
        assert_eq!(
            crate::access::LANGUAGE,
            <super::SetLanguage as leptos::server_fn::ServerFn>::PATH
        );
    }
}

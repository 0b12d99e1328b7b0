//! The server's side of the workspace's writes ([`app::actions::Actions`]): what each form
//! changes, called by the application's server functions once they have checked the session's
//! role and read the form.

use crate::accounts::AccountEvent;
use crate::auth::password;
use crate::cases::{self, Actor, CaseError, Origin};
use crate::config::{workspace_world, Settings};
use crate::decisions::{self, Engine};
use crate::sources::gather::Gatherer;
use crate::sources::{sandbox, World};
use crate::store::{NewUser, SandboxCondition, Store, StoreError};
use crate::webhooks::{new_endpoint, CREATED_SECRET};
use app::actions::{Actions, EndpointChange, TestDelivery, UserChange};
use app::error::{AppError, FieldProblem};
use app::forms::{normalise_amount, ApplicationFields};
use app::ids::Siren;
use app::model::{CaseCommand, IssuedPassword, Product, Role, SessionUser};
use async_trait::async_trait;
use chrono::Utc;
use secrecy::ExposeSecret;
use serde_json::{json, Map, Value};
use std::sync::Arc;

/// The session entry holding a key just created, until the page shows it once.
pub const CREATED_KEY: &str = "created_api_key";
/// The session entry holding a generated password until the page shows it once.
pub const ISSUED_PASSWORD: &str = "issued_password";

pub struct AppActions {
    pub store: Arc<dyn Store>,
    pub gatherer: Arc<Gatherer>,
    pub settings: Arc<Settings>,
    /// Posts webhooks to the lenders' endpoints: through the egress guard, no redirects.
    pub courier: Arc<crate::webhooks::Courier>,
    pub dispatcher_wake: Arc<tokio::sync::Notify>,
    pub monitoring_wake: Arc<tokio::sync::Notify>,
    pub sandbox_conditions: Arc<sandbox::Conditions>,
}

impl AppActions {
    /// The audit record of `event`, made by `by`: written with the change.
    fn account_record(
        &self,
        event: AccountEvent,
        by: &SessionUser,
        at: chrono::DateTime<Utc>,
    ) -> crate::store::AccountRecord {
        crate::accounts::record(&self.settings, event, Some(by), json!({}), at)
    }
}

fn internal(what: &str, error: impl std::fmt::Display) -> AppError {
    tracing::error!(%error, "{what} failed");
    AppError::Internal {
        request_id: String::new(),
    }
}

fn invalid(field: &str, message: impl Into<String>) -> AppError {
    AppError::Validation {
        field: field.into(),
        message: message.into(),
    }
}

/// Keeps `value` in the request's session for the page to show once.
async fn keep<T: serde::Serialize + Send + Sync>(
    parts: &http::request::Parts,
    key: &str,
    value: T,
) -> Result<(), String> {
    let session = parts
        .extensions
        .get::<tower_sessions::Session>()
        .ok_or("no session")?;
    session.insert(key, value).await.map_err(|e| e.to_string())
}

/// The application form as the API's request object, so that it is read by the same rules;
/// only the fields of the chosen product are given.
pub fn as_request(form: &ApplicationFields) -> Map<String, Value> {
    let mut body = Map::new();
    body.insert("siren".into(), json!(form.siren.trim()));
    body.insert("amount".into(), json!(normalise_amount(&form.amount)));
    body.insert("product".into(), json!(form.product.trim()));
    let product = Product::parse(form.product.trim()).ok();
    if product == Some(Product::Factoring) {
        body.insert(
            "invoice_amount".into(),
            json!(normalise_amount(&form.invoice_amount)),
        );
        body.insert("debtor_siren".into(), json!(form.debtor_siren.trim()));
    }
    if product == Some(Product::CreditLineIncrease) {
        body.insert(
            "current_limit".into(),
            json!(normalise_amount(&form.current_limit)),
        );
    }
    if !form.external_reference.trim().is_empty() {
        body.insert(
            "external_reference".into(),
            json!(form.external_reference.trim()),
        );
    }
    body
}

#[async_trait]
impl Actions for AppActions {
    async fn submit_application(
        &self,
        user: SessionUser,
        fields: ApplicationFields,
    ) -> Result<String, AppError> {
        let world = workspace_world(&self.settings);
        let request =
            crate::web::api::request::read(&as_request(&fields), world).map_err(|problem| {
                if problem.errors.is_empty() {
                    invalid("application", problem.detail)
                } else {
                    AppError::Invalid(
                        problem
                            .errors
                            .into_iter()
                            .map(|e| FieldProblem {
                                field: e.field.trim_start_matches('/').to_owned(),
                                problem: e.problem,
                            })
                            .collect(),
                    )
                }
            })?;
        let recorded = decisions::decide_with(
            &self.gatherer,
            &self.store,
            Engine::current(),
            request,
            Origin {
                api_key_id: None,
                user_id: Some(user.id),
                monitoring_of: None,
                monitoring_review: None,
                line_review: None,
            },
            Utc::now(),
            self.settings.monitoring.every(),
        )
        .await
        .map_err(|e| internal("a workspace decision", e))?;
        Ok(recorded.id)
    }

    async fn act_on_case(
        &self,
        user: SessionUser,
        decision_id: String,
        command: CaseCommand,
    ) -> Result<String, AppError> {
        let result = cases::act(
            self.store.as_ref(),
            &decision_id,
            &Actor::from(&user),
            &command,
            self.settings.case_rules(),
            Utc::now(),
        )
        .await;
        match result {
            Ok((_, record)) => Ok(record.event.kind().to_owned()),
            Err(CaseError::Invalid { field, message }) => Err(invalid(&field, message)),
            Err(CaseError::Refused(why)) => Err(AppError::Conflict(why)),
            Err(CaseError::NotFound(_)) => Err(AppError::NotFound),
            Err(CaseError::Forbidden) => Err(AppError::Forbidden),
            Err(CaseError::Store(error)) => Err(internal("a case action", error)),
        }
    }

    async fn create_api_key(
        &self,
        parts: http::request::Parts,
        world: World,
        name: String,
        scopes: Vec<app::model::ApiScope>,
    ) -> Result<String, AppError> {
        if !(1..=100).contains(&name.trim().chars().count()) {
            return Err(invalid("name", "must have 1 to 100 characters"));
        }
        if scopes.is_empty() {
            return Err(invalid("scopes", "choose at least one scope"));
        }
        let created =
            crate::api_keys::create_scoped(self.store.as_ref(), world, &name, &scopes, Utc::now())
                .await
                .map_err(|e| internal("creating an API key", e))?;
        if let Err(error) = keep(
            &parts,
            CREATED_KEY,
            created.secret.expose_secret().to_owned(),
        )
        .await
        {
            tracing::error!(%error, "cannot keep the new key in the session");
            return Err(AppError::Conflict(
                "the key was created but cannot be shown: revoke it and create another".into(),
            ));
        }
        tracing::info!(key = %created.record.id, mode = %created.record.mode, "API key created");
        Ok(created.record.id)
    }

    async fn change_own_password(
        &self,
        user: SessionUser,
        parts: http::request::Parts,
        current: String,
        new: String,
        repeat: String,
    ) -> Result<(), AppError> {
        let record = self
            .store
            .user_by_id(user.id)
            .await
            .map_err(|e| internal("reading an account", e))?
            .ok_or(AppError::Unauthorized)?;
        let mut problems = Vec::new();
        let matches = password::verify(current.clone(), Some(record.password_hash.clone()))
            .await
            .map_err(|e| internal("checking a password", e))?;
        if !matches {
            problems.push(FieldProblem {
                field: "current_password".into(),
                problem: "is not your current password".into(),
            });
        }
        if let Some(why) =
            crate::accounts::weak_password(&new, &record.username, &record.display_name)
        {
            problems.push(FieldProblem {
                field: "new_password".into(),
                problem: why,
            });
        } else if new == current {
            problems.push(FieldProblem {
                field: "new_password".into(),
                problem: "must differ from the current password".into(),
            });
        }
        if repeat != new {
            problems.push(FieldProblem {
                field: "repeat_password".into(),
                problem: "does not match the new password".into(),
            });
        }
        if !problems.is_empty() {
            return Err(AppError::Invalid(problems));
        }
        let hash = password::hash(new)
            .await
            .map_err(|e| internal("hashing a new password", e))?;
        let now = Utc::now();
        let changed = self
            .store
            .update_user(
                user.id,
                crate::store::UserChange::OwnPassword(hash),
                now,
                Some(self.account_record(AccountEvent::PasswordChanged, &user, now)),
            )
            .await
            .map_err(|e| internal("changing a password", e))?;
        // This session stays signed in; the user's other sessions end.
        if let Some(session) = parts.extensions.get::<tower_sessions::Session>() {
            if let Err(error) = crate::auth::session::outlive_reset(session, now).await {
                tracing::error!(%error, "cannot keep the session after a password change");
            }
        }
        tracing::info!(user = changed.id, "password changed by its owner");
        Ok(())
    }

    async fn revoke_api_key(&self, id: String) -> Result<(), AppError> {
        match self.store.revoke_api_key(&id, Utc::now()).await {
            Ok(true) => {
                tracing::info!(key = %id, "API key revoked");
                Ok(())
            }
            Ok(false) => Err(AppError::NotFound),
            Err(error) => Err(internal("revoking a key", error)),
        }
    }

    async fn create_user(
        &self,
        admin: SessionUser,
        parts: http::request::Parts,
        username: String,
        display_name: String,
        role: Role,
    ) -> Result<(), AppError> {
        let secret = crate::web::users::one_time_password();
        let hash = password::hash(secret.clone())
            .await
            .map_err(|e| internal("hashing a new password", e))?;
        let new = NewUser {
            username: username.clone(),
            display_name,
            role,
            password_hash: hash,
            is_demo: false,
            must_change_password: true,
        };
        let now = Utc::now();
        let record = self.account_record(AccountEvent::Created, &admin, now);
        match self.store.create_user(new, now, Some(record)).await {
            Ok(created) => {
                tracing::info!(user = created.id, %role, by = %admin.username, "account created");
                let issued = IssuedPassword {
                    username,
                    password: secret,
                };
                if let Err(error) = keep(&parts, ISSUED_PASSWORD, issued).await {
                    tracing::error!(%error, "cannot keep the generated password in the session");
                    return Err(invalid(
                        "password",
                        "the account was created but its password cannot be shown: reset it",
                    ));
                }
                Ok(())
            }
            Err(StoreError::Conflict(_)) => {
                Err(invalid("username", format!("`{username}` is taken")))
            }
            Err(error) => Err(internal("creating an account", error)),
        }
    }

    async fn change_user(
        &self,
        admin: SessionUser,
        parts: http::request::Parts,
        id: i64,
        change: UserChange,
    ) -> Result<String, AppError> {
        let mut secret = None;
        let event = match &change {
            UserChange::Role(_) => AccountEvent::RoleChanged,
            UserChange::Active(true) => AccountEvent::Reactivated,
            UserChange::Active(false) => AccountEvent::Deactivated,
            UserChange::ResetPassword => AccountEvent::PasswordReset,
        };
        let change = match change {
            UserChange::Role(role) => crate::store::UserChange::Role(role),
            UserChange::Active(active) => crate::store::UserChange::Active(active),
            UserChange::ResetPassword => {
                let new = crate::web::users::one_time_password();
                let hash = password::hash(new.clone())
                    .await
                    .map_err(|e| internal("hashing a new password", e))?;
                secret = Some(new);
                // An admin resetting their own password reads it now; anyone else's generated
                // password is changed by its owner at the next sign-in.
                if id == admin.id {
                    crate::store::UserChange::OwnPassword(hash)
                } else {
                    crate::store::UserChange::Password(hash)
                }
            }
        };
        let now = Utc::now();
        let record = self.account_record(event, &admin, now);
        match self.store.update_user(id, change, now, Some(record)).await {
            Ok(changed) => {
                if secret.is_some() && id == admin.id {
                    if let Some(session) = parts.extensions.get::<tower_sessions::Session>() {
                        if let Err(error) = crate::auth::session::outlive_reset(session, now).await
                        {
                            tracing::error!(%error, "cannot keep the admin's own session after a reset");
                        }
                    }
                }
                tracing::info!(user = id, by = %admin.username, "account changed");
                if let Some(password) = secret {
                    let issued = IssuedPassword {
                        username: changed.username.clone(),
                        password,
                    };
                    if let Err(error) = keep(&parts, ISSUED_PASSWORD, issued).await {
                        tracing::error!(%error, "cannot keep the generated password in the session");
                        return Err(invalid(
                            "password",
                            "the password was reset but cannot be shown: reset it again",
                        ));
                    }
                }
                Ok(changed.username)
            }
            Err(StoreError::NotFound(_)) => Err(AppError::NotFound),
            Err(StoreError::Refused(why)) => Err(invalid("action", why)),
            Err(error) => Err(internal("changing an account", error)),
        }
    }

    async fn create_webhook_endpoint(
        &self,
        admin: SessionUser,
        parts: http::request::Parts,
        url: String,
        event_types: Vec<String>,
    ) -> Result<String, AppError> {
        let endpoint = new_endpoint(
            workspace_world(&self.settings).as_str(),
            &url,
            &event_types,
            Utc::now(),
        )
        .map_err(|(field, problem)| invalid(field, problem))?;
        self.courier
            .check_destination(&endpoint.url)
            .await
            .map_err(|why| invalid("url", why))?;
        self.store
            .create_webhook_endpoint(&self.courier.sealed(&endpoint))
            .await
            .map_err(|e| internal("registering a webhook endpoint", e))?;
        tracing::info!(endpoint = %endpoint.id, by = %admin.username, "webhook endpoint registered");
        if let Err(error) = keep(
            &parts,
            CREATED_SECRET,
            endpoint.secret.expose_secret().to_owned(),
        )
        .await
        {
            tracing::error!(%error, "cannot keep the new secret in the session");
            return Err(invalid(
                "secret",
                "the endpoint was registered but its secret cannot be shown: disable it and register another",
            ));
        }
        Ok(endpoint.id)
    }

    async fn change_webhook_endpoint(
        &self,
        admin: SessionUser,
        id: String,
        action: String,
    ) -> Result<EndpointChange, AppError> {
        let endpoint = self
            .store
            .webhook_endpoint(&id)
            .await
            .map_err(|e| internal("reading a webhook endpoint", e))?
            .ok_or(AppError::NotFound)?;
        let now = Utc::now();
        match action.as_str() {
            "enable" | "disable" => {
                let enabled = action == "enable";
                match self.store.set_webhook_enabled(&id, enabled, now).await {
                    Ok(_) => {
                        tracing::info!(endpoint = %id, %action, by = %admin.username, "webhook endpoint changed");
                        Ok(if enabled {
                            EndpointChange::Enabled
                        } else {
                            EndpointChange::Disabled
                        })
                    }
                    Err(StoreError::NotFound(_)) => Err(AppError::NotFound),
                    Err(error) => Err(internal("changing a webhook endpoint", error)),
                }
            }
            "test" if !endpoint.enabled => Err(invalid("action", "the endpoint is disabled")),
            "test" => {
                // The same test event as the API's (`POST /webhook-endpoints/{id}/test`), in
                // the endpoint's delivery log like any event, but attempted at once so that
                // the page shows the answer; held from the dispatcher meanwhile. A failed
                // attempt is retried like any event; a delivered one verifies the endpoint.
                let event = crate::events::endpoint_test(&endpoint, now);
                let hold = now
                    + chrono::Duration::from_std(crate::webhooks::DELIVERY_TIMEOUT)
                        .unwrap_or_default()
                    + chrono::Duration::seconds(30);
                let seq = self
                    .store
                    .queue_for_endpoint(&endpoint.id, &event, Some(hold))
                    .await
                    .map_err(|e| internal("queuing a test event", e))?;
                let message = self
                    .store
                    .webhook_message(seq)
                    .await
                    .map_err(|e| internal("reading a test event", e))?
                    .ok_or(AppError::NotFound)?;
                crate::dispatcher::attempt(
                    self.store.as_ref(),
                    &self.courier,
                    &self.settings.webhooks,
                    &endpoint,
                    &message,
                )
                .await
                .map_err(|e| internal("delivering a test event", e))?;
                let answer = self
                    .store
                    .webhook_attempts(seq)
                    .await
                    .map_err(|e| internal("reading a test event's attempt", e))?
                    .pop();
                Ok(EndpointChange::Tested(TestDelivery {
                    event_id: event.id,
                    status: answer
                        .as_ref()
                        .and_then(|a| a.status)
                        .and_then(|s| u16::try_from(s).ok()),
                    latency_ms: answer
                        .map(|a| u64::try_from(a.latency_ms).unwrap_or_default())
                        .unwrap_or_default(),
                }))
            }
            _ => Err(invalid("action", "must be enable, disable or test")),
        }
    }

    async fn redeliver_webhook(&self, admin: SessionUser, seq: i64) -> Result<(), AppError> {
        match self.store.redeliver_webhook(seq, Utc::now()).await {
            Ok(true) => {
                tracing::info!(message = seq, by = %admin.username, "webhook queued again");
                self.dispatcher_wake.notify_one();
                Ok(())
            }
            Ok(false) => Err(invalid(
                "delivery",
                "no such delivery, or it is still pending",
            )),
            Err(error) => Err(internal("queuing a webhook again", error)),
        }
    }

    async fn check_monitoring_now(&self, siren: Siren) -> Result<(), AppError> {
        let world = workspace_world(&self.settings);
        match self
            .store
            .check_monitoring_now(world.as_str(), siren.as_str(), Utc::now())
            .await
        {
            Ok(true) => {
                self.monitoring_wake.notify_one();
                Ok(())
            }
            Ok(false) => Err(invalid("siren", "this company is not monitored")),
            Err(error) => Err(internal("scheduling a monitoring check", error)),
        }
    }

    async fn set_sandbox_condition(
        &self,
        admin: SessionUser,
        siren: Siren,
        condition: String,
    ) -> Result<(), AppError> {
        if workspace_world(&self.settings) != World::Sandbox {
            return Err(invalid(
                "condition",
                "only the sandbox world can be changed",
            ));
        }
        let Some(kind) = sandbox::Condition::parse(&condition) else {
            return Err(invalid(
                "condition",
                "must be proceeding, negative_balance or inflows_grow",
            ));
        };
        let now = Utc::now();
        let condition = SandboxCondition {
            siren: siren.to_string(),
            kind: kind.as_str().to_owned(),
            since: now,
        };
        self.store
            .set_sandbox_condition(&condition)
            .await
            .map_err(|e| internal("storing a sandbox condition", e))?;
        // Kept at the moment first set, as storage has it.
        let since = self
            .store
            .sandbox_conditions()
            .await
            .ok()
            .and_then(|all| {
                all.into_iter()
                    .find(|c| c.siren == condition.siren && c.kind == condition.kind)
            })
            .map_or(now, |c| c.since);
        self.sandbox_conditions.set(siren.as_str(), kind, since);
        tracing::info!(%siren, condition = kind.as_str(), by = %admin.username, "sandbox condition set");
        if let Ok(true) = self
            .store
            .check_monitoring_now(World::Sandbox.as_str(), siren.as_str(), now)
            .await
        {
            self.monitoring_wake.notify_one();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_becomes_the_api_request_with_only_the_product_fields() {
        let form = ApplicationFields {
            siren: " 100000009 ".into(),
            amount: "1 500".into(),
            product: "bnpl".into(),
            invoice_amount: "99".into(),
            debtor_siren: "200000008".into(),
            current_limit: String::new(),
            external_reference: String::new(),
        };
        assert_eq!(
            Value::Object(as_request(&form)),
            json!({"siren": "100000009", "amount": "1500", "product": "bnpl"})
        );
    }
}

//! Accounts, as admins manage them in the workspace: create (with a generated password shown
//! once), change role, deactivate or reactivate, reset the password. Plain HTML posts answered
//! with a redirect, like the other workspace forms. The store refuses any change that would
//! leave no active admin; a reset ends the account's open sessions.

use crate::auth::password;
use crate::auth::require;
use crate::state::AppState;
use crate::store::{NewUser, StoreError, UserChange};
use app::access::url_encode;
use app::api::CurrentUser;
use app::model::{IssuedPassword, Role};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use axum::{Extension, Form};
use serde::Deserialize;

pub use app::access::ADMIN_USERS;

/// The session entry holding a generated password until the page shows it once.
pub const ISSUED_PASSWORD: &str = "issued_password";

/// The administrator's forms on people: create a user, change a role, disable, reset.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(ADMIN_USERS, post(create))
        .route("/admin/users/{id}", post(act))
}

/// A username as stored: lower case, 2 to 64 letters, digits, `.`, `_` or `-`.
pub fn check_username(raw: &str) -> Result<String, String> {
    let username = raw.trim().to_lowercase();
    if (2..=64).contains(&username.len())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
    {
        Ok(username)
    } else {
        Err(format!(
            "`{username}` is not valid: 2 to 64 characters, letters, digits, '.', '_' or '-'"
        ))
    }
}

/// A display name: 1 to 128 characters once trimmed.
pub fn check_display_name(raw: &str) -> Result<String, String> {
    let name = raw.trim();
    if (1..=128).contains(&name.chars().count()) {
        Ok(name.to_owned())
    } else {
        Err("must have 1 to 128 characters".into())
    }
}

/// Letters and digits that cannot be mistaken for one another when read aloud or copied.
const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// A random generated password: four groups of five characters (about 99 bits), from the
/// operating system's generator, without modulo bias.
pub fn one_time_password() -> String {
    let mut out = String::with_capacity(23);
    let mut taken = 0;
    while taken < 20 {
        for byte in uuid::Uuid::new_v4().into_bytes() {
            // 248 = 8 × 31: bytes above it would favour the first letters.
            if taken == 20 || byte >= 248 {
                continue;
            }
            if taken > 0 && taken % 5 == 0 {
                out.push('-');
            }
            out.push(ALPHABET[usize::from(byte) % ALPHABET.len()] as char);
            taken += 1;
        }
    }
    out
}

async fn issue(session: &tower_sessions::Session, username: &str, password: &str) -> bool {
    let issued = IssuedPassword {
        username: username.to_owned(),
        password: password.to_owned(),
    };
    match session.insert(ISSUED_PASSWORD, issued).await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!(%error, "cannot keep the generated password in the session");
            false
        }
    }
}

fn back(query: &str) -> Response {
    Redirect::to(&format!("{ADMIN_USERS}?{query}")).into_response()
}

fn back_error(field: &str, message: &str) -> Response {
    back(&format!(
        "error={}",
        url_encode(&format!("{field}: {message}"))
    ))
}

#[derive(Debug, Deserialize)]
pub struct NewUserForm {
    pub username: String,
    pub display_name: String,
    pub role: String,
}

/// Creates an account with a generated password, shown once on the page.
pub async fn create(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    session: tower_sessions::Session,
    Form(form): Form<NewUserForm>,
) -> Response {
    let admin = match require(user, Role::Admin, ADMIN_USERS) {
        Ok(u) => u,
        Err(response) => return *response,
    };
    let username = match check_username(&form.username) {
        Ok(u) => u,
        Err(e) => return back_error("username", &e),
    };
    let display_name = match check_display_name(&form.display_name) {
        Ok(n) => n,
        Err(e) => return back_error("display_name", &e),
    };
    let Ok(role) = form.role.parse::<Role>() else {
        return back_error(
            "role",
            "must be sales_rep, credit_manager, auditor or admin",
        );
    };
    let secret = one_time_password();
    let hash = match password::hash(secret.clone()).await {
        Ok(h) => h,
        Err(error) => {
            tracing::error!(%error, "hashing a new password failed");
            return back_error("password", "could not be prepared; try again");
        }
    };
    let new = NewUser {
        username: username.clone(),
        display_name,
        role,
        password_hash: hash,
        is_demo: false,
    };
    match state.store.create_user(new, chrono::Utc::now()).await {
        Ok(created) => {
            tracing::info!(user = created.id, %role, by = %admin.username, "account created");
            if !issue(&session, &username, &secret).await {
                return back_error(
                    "password",
                    "the account was created but its password cannot be shown: reset it",
                );
            }
            back(&format!("created={}", url_encode(&username)))
        }
        Err(StoreError::Conflict(_)) => back_error("username", &format!("`{username}` is taken")),
        Err(error) => {
            tracing::error!(%error, "creating an account failed");
            back_error(
                "account",
                "could not be created; nothing changed, try again",
            )
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct UserActionForm {
    pub action: String,
    #[serde(default)]
    pub role: String,
}

/// Changes an account: `role`, `deactivate`, `activate` or `reset_password`.
pub async fn act(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    session: tower_sessions::Session,
    Path(id): Path<i64>,
    Form(form): Form<UserActionForm>,
) -> Response {
    let admin = match require(user, Role::Admin, ADMIN_USERS) {
        Ok(u) => u,
        Err(response) => return *response,
    };
    let mut secret = None;
    let change = match form.action.as_str() {
        "role" => match form.role.parse::<Role>() {
            Ok(role) => UserChange::Role(role),
            Err(_) => {
                return back_error(
                    "role",
                    "must be sales_rep, credit_manager, auditor or admin",
                )
            }
        },
        "deactivate" if id == admin.id => {
            return back_error("action", "you cannot deactivate your own account")
        }
        "deactivate" => UserChange::Active(false),
        "activate" => UserChange::Active(true),
        "reset_password" => {
            let new = one_time_password();
            match password::hash(new.clone()).await {
                Ok(hash) => {
                    secret = Some(new);
                    UserChange::Password(hash)
                }
                Err(error) => {
                    tracing::error!(%error, "hashing a new password failed");
                    return back_error("password", "could not be prepared; try again");
                }
            }
        }
        _ => {
            return back_error(
                "action",
                "must be role, deactivate, activate or reset_password",
            )
        }
    };
    let now = chrono::Utc::now();
    match state.store.update_user(id, change, now).await {
        Ok(changed) => {
            if secret.is_some() && id == admin.id {
                if let Err(error) = crate::auth::session::outlive_reset(&session, now).await {
                    tracing::error!(%error, "cannot keep the admin's own session after a reset");
                }
            }
            tracing::info!(user = id, action = %form.action, by = %admin.username, "account changed");
            if let Some(secret) = secret {
                if !issue(&session, &changed.username, &secret).await {
                    return back_error(
                        "password",
                        "the password was reset but cannot be shown: reset it again",
                    );
                }
            }
            back(&format!(
                "changed={}&action={}",
                url_encode(&changed.username),
                url_encode(&form.action)
            ))
        }
        Err(StoreError::NotFound(_)) => (StatusCode::NOT_FOUND, "no such account").into_response(),
        Err(StoreError::Refused(why)) => back_error("action", &why),
        Err(error) => {
            tracing::error!(%error, "changing an account failed");
            back_error(
                "account",
                "could not be changed; nothing changed, try again",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_time_passwords_are_long_grouped_and_different() {
        let a = one_time_password();
        let b = one_time_password();
        assert_ne!(a, b);
        assert_eq!(a.len(), 23);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(groups.len(), 4);
        assert!(groups.iter().all(|g| g.len() == 5));
        assert!(a.bytes().all(|c| c == b'-' || ALPHABET.contains(&c)));
        assert!(a.replace('-', "").len() >= password::MIN_PASSWORD_LEN);
    }

    #[test]
    fn usernames_are_lower_case_and_plain() {
        assert_eq!(check_username(" Marie.Dupont ").unwrap(), "marie.dupont");
        assert!(check_username("a").is_err());
        assert!(check_username("marie dupont").is_err());
        assert!(check_username("marie@bank").is_err());
        assert!(check_display_name("   ").is_err());
        assert_eq!(check_display_name(" Marie ").unwrap(), "Marie");
    }
}

//! What happens to accounts, in the audit chain: creations, role changes, deactivations,
//! reactivations, password resets, a user's own password change and every sign-in are audit
//! records (`account.…`), hashed into the chain and covered by its checkpoints like decisions,
//! each written in the transaction of the change it records. And the rule a chosen password must meet.

use crate::config::{workspace_world, Settings};
use crate::store::{AccountRecord, NewAuditRecord, UserRecord};
use app::model::SessionUser;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

/// The shortest password a person may choose.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// What happened to an account: the record's kind is `account.` followed by its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountEvent {
    Created,
    /// The record names the role before the change (`previous_role`).
    RoleChanged,
    Deactivated,
    Reactivated,
    /// An admin generated a new password.
    PasswordReset,
    /// The user chose a new password; the record says whether the old one was generated
    /// (`was_generated`).
    PasswordChanged,
    SignedIn,
}

impl AccountEvent {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::RoleChanged => "role_changed",
            Self::Deactivated => "deactivated",
            Self::Reactivated => "reactivated",
            Self::PasswordReset => "password_reset",
            Self::PasswordChanged => "password_changed",
            Self::SignedIn => "signed_in",
        }
    }
}

/// The audit record of `event`, made by `by` (none for the user's own sign-in), with `detail`;
/// the store makes it from the account as the change finds and leaves it, and writes it in
/// the change's transaction.
pub fn record(
    settings: &Settings,
    event: AccountEvent,
    by: Option<&SessionUser>,
    detail: Value,
    at: DateTime<Utc>,
) -> AccountRecord {
    let world = workspace_world(settings).as_str().to_owned();
    let by = by.map(|u| json!({"user_id": u.id, "username": u.username, "role": u.role.as_str()}));
    Box::new(move |before: Option<&UserRecord>, subject: &UserRecord| {
        let mut payload = json!({
            "user_id": subject.id,
            "username": subject.username,
            "role": subject.role.as_str(),
            "active": subject.active,
            "by": by,
        });
        if let Some(p) = payload.as_object_mut() {
            match (event, before) {
                (AccountEvent::RoleChanged, Some(b)) => {
                    p.insert("previous_role".into(), json!(b.role.as_str()));
                }
                (AccountEvent::PasswordChanged, Some(b)) => {
                    p.insert("was_generated".into(), json!(b.must_change_password));
                }
                _ => {}
            }
            if let Value::Object(extra) = detail {
                p.extend(extra);
            }
        }
        NewAuditRecord {
            id: format!("acc_{}", uuid::Uuid::new_v4().simple()),
            kind: format!("account.{}", event.as_str()),
            decision_id: format!("user_{}", subject.id),
            world,
            recorded_at: at,
            payload: payload.to_string(),
            ..Default::default()
        }
    })
}

/// Why a chosen password is refused, or `None`: at least 12 characters, not the username or the
/// name, and hard to guess (zxcvbn's score of at least 3 of 4: it matches the password against
/// ranked lists of common passwords, names and words, and keyboard, date and repeat patterns).
pub fn weak_password(password: &str, username: &str, display_name: &str) -> Option<String> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Some(format!(
            "must have at least {MIN_PASSWORD_CHARS} characters"
        ));
    }
    if password.chars().count() > 256 {
        return Some("must have at most 256 characters".into());
    }
    let entropy = zxcvbn::zxcvbn(password, &[username, display_name, "aval"]);
    if entropy.score() >= zxcvbn::Score::Three {
        return None;
    }
    let why = entropy
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| w.to_string())
        .unwrap_or_else(|| "it is too easy to guess".into());
    let hint = entropy
        .feedback()
        .and_then(|f| f.suggestions().first())
        .map(|s| format!(" {s}"))
        .unwrap_or_default();
    Some(format!("is too easy to guess: {why}{hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn common_short_and_personal_passwords_are_refused_and_a_strong_one_is_not() {
        for (p, said) in [
            ("short", "at least 12"),
            ("password1234", "too easy"),
            ("qwertyuiop123", "too easy"),
            ("123456789012", "too easy"),
            ("camillecamille", "too easy"),
        ] {
            let why = weak_password(p, "camille", "Camille Credit").unwrap_or_default();
            assert!(why.contains(said), "{p}: {why}");
        }
        assert_eq!(
            weak_password("vivid-otter-planks-ledger", "camille", "Camille Credit"),
            None
        );
    }
}

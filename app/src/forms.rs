//! What the workspace's forms send, read as people type it. Pure functions, used by the write
//! server functions before they call the server.

use crate::error::AppError;
use crate::model::{CaseCommand, HumanDecision, HumanOutcome};
use serde::{Deserialize, Serialize};

/// An amount as people type it: `15000`, `15 000,50`, `15000.50 €`, in the API's decimal form.
pub fn normalise_amount(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}' && *c != '€')
        .map(|c| if c == ',' { '.' } else { c })
        .collect()
}

/// The application form's fields as typed; read by the same rules as an API request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationFields {
    pub siren: String,
    pub amount: String,
    pub product: String,
    pub invoice_amount: String,
    pub debtor_siren: String,
    pub current_limit: String,
    pub external_reference: String,
}

fn invalid(field: &str, message: &str) -> AppError {
    AppError::Validation {
        field: field.into(),
        message: message.into(),
    }
}

/// The fields of the case page's forms; `action` says which form was sent. A field a form does
/// not have is empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct CaseActionFields {
    pub action: String,
    pub outcome: String,
    /// The limit offered, in euros, for a counter-offer.
    pub limit: String,
    pub category: String,
    pub justification: String,
    pub text: String,
    pub reason: String,
}

impl CaseActionFields {
    /// The command the form asks for. The case's own rules (who holds it, the justification's
    /// length, the four-eyes amount) are checked when it is applied.
    pub fn command(&self) -> Result<CaseCommand, AppError> {
        Ok(match self.action.as_str() {
            "claim" => CaseCommand::Claim,
            "release" => CaseCommand::Release,
            "note" => CaseCommand::Note {
                text: self.text.clone(),
            },
            "confirm" => CaseCommand::Confirm,
            "reject" => CaseCommand::Reject {
                reason: self.reason.clone(),
            },
            "decide" => {
                let outcome = HumanOutcome::parse(&self.outcome)
                    .map_err(|_| invalid("outcome", "choose approve, decline or counter-offer"))?;
                let limit_cents = if outcome == HumanOutcome::CounterOffer {
                    let limit = normalise_amount(&self.limit);
                    Some(aval_core::sources::psd2::cents(&limit).ok_or_else(|| {
                        invalid("limit", "enter the limit offered in euros, such as 12000")
                    })?)
                } else {
                    None
                };
                CaseCommand::Decide {
                    decision: HumanDecision {
                        outcome,
                        limit_cents,
                        category: self.category.clone(),
                        justification: self.justification.clone(),
                    },
                }
            }
            _ => {
                return Err(invalid(
                    "action",
                    "must be claim, release, note, decide, confirm or reject",
                ))
            }
        })
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_read_as_people_type_them() {
        assert_eq!(normalise_amount(" 15 000,50 € "), "15000.50");
        assert_eq!(normalise_amount("15\u{202f}000"), "15000");
        assert_eq!(normalise_amount("1500.00"), "1500.00");
    }

    #[test]
    fn a_counter_offer_needs_a_limit_in_euros() {
        let form = CaseActionFields {
            action: "decide".into(),
            outcome: "counter_offer".into(),
            limit: "douze".into(),
            ..CaseActionFields::default()
        };
        assert!(
            matches!(form.command(), Err(AppError::Validation { ref field, .. }) if field == "limit")
        );
        let form = CaseActionFields {
            limit: "12 000".into(),
            ..form
        };
        assert!(matches!(
            form.command(),
            Ok(CaseCommand::Decide { decision }) if decision.limit_cents == Some(1_200_000)
        ));
    }

    #[test]
    fn an_unknown_action_is_named() {
        let form = CaseActionFields {
            action: "approve_everything".into(),
            ..CaseActionFields::default()
        };
        assert!(
            matches!(form.command(), Err(AppError::Validation { ref field, .. }) if field == "action")
        );
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

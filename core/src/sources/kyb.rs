//! KYB checks that need no extra call: the IBAN the company gave is valid and belongs to the
//! connected bank accounts, and the account holder's name matches the legal name.
//!
//! Names are compared after normalisation: upper case, accents and punctuation removed, legal
//! forms (SAS, SARL, …) and civil titles (M., Mme, …) dropped, then compared as sets of words,
//! so word order and `ET CIE`-style suffixes do not matter.

use crate::ids::Iban;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Words that say what kind of company or person, not which one.
const NOISE: [&str; 32] = [
    "SA",
    "SAS",
    "SASU",
    "SARL",
    "EURL",
    "SNC",
    "SCI",
    "SCS",
    "SCA",
    "SCOP",
    "SEL",
    "SELARL",
    "SELAS",
    "GIE",
    "EI",
    "EIRL",
    "SOCIETE",
    "STE",
    "STES",
    "ETS",
    "ETABLISSEMENTS",
    "CIE",
    "COMPAGNIE",
    "ET",
    "M",
    "MR",
    "MME",
    "MLLE",
    "MONSIEUR",
    "MADAME",
    "LES",
    "LA",
];

/// The words of a name that identify it.
pub fn normalise(name: &str) -> BTreeSet<String> {
    let folded: String = super::bodacc::fold(name)
        .to_uppercase()
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    folded
        .split_whitespace()
        .filter(|w| !NOISE.contains(w))
        .map(str::to_owned)
        .collect()
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameMatch {
    /// Same words.
    Exact,
    /// Most words shared (one name holds the other, or 3/4 of the words in common).
    Close,
    Mismatch,
    /// No holder name to compare (the bank did not give one).
    Unknown,
}

/// Compares an account holder's name with the company's legal name.
pub fn compare_names(holder: &str, legal: &str) -> NameMatch {
    let a = normalise(holder);
    let b = normalise(legal);
    if a.is_empty() || b.is_empty() {
        return if a == b && !holder.trim().is_empty() {
            NameMatch::Exact
        } else {
            NameMatch::Mismatch
        };
    }
    if a == b {
        return NameMatch::Exact;
    }
    let common = a.intersection(&b).count();
    if common == a.len().min(b.len()) || common * 4 >= a.len().max(b.len()) * 3 {
        NameMatch::Close
    } else {
        NameMatch::Mismatch
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KybCheck {
    /// The IBAN given with the application (already validated when the request was parsed).
    pub iban: Option<String>,
    /// Whether that IBAN is one of the accounts seen through open banking (`None` without
    /// bank data).
    pub iban_among_connected_accounts: Option<bool>,
    pub holder_name: Option<String>,
    pub legal_name: Option<String>,
    pub name_match: NameMatch,
}

/// Runs the checks on what the sources gave.
pub fn check(
    iban: Option<&Iban>,
    connected_ibans: Option<&[String]>,
    holder_name: Option<&str>,
    legal_name: Option<&str>,
) -> KybCheck {
    let name_match = match (holder_name, legal_name) {
        (Some(h), Some(l)) => compare_names(h, l),
        _ => NameMatch::Unknown,
    };
    let compact = |s: &str| {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase()
    };
    KybCheck {
        iban: iban.map(|i| i.as_str().to_owned()),
        iban_among_connected_accounts: match (iban, connected_ibans) {
            (Some(i), Some(list)) => Some(list.iter().any(|c| compact(c) == compact(i.as_str()))),
            _ => None,
        },
        holder_name: holder_name.map(str::to_owned),
        legal_name: legal_name.map(str::to_owned),
        name_match,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_despite_case_accents_legal_forms_and_order() {
        assert_eq!(compare_names("Ganymède SAS", "GANYMEDE"), NameMatch::Exact);
        assert_eq!(
            compare_names("SARL Boulangerie Dupont", "BOULANGERIE DUPONT"),
            NameMatch::Exact
        );
        assert_eq!(
            compare_names("M. Michel Sauvage", "MICHEL SAUVAGE"),
            NameMatch::Exact
        );
        assert_eq!(
            compare_names("SAUVAGE MICHEL", "MICHEL SAUVAGE"),
            NameMatch::Exact
        );
        assert_eq!(
            compare_names("Jauno et Cie", "SA JAUNO ET CIE"),
            NameMatch::Exact
        );
        assert_eq!(
            compare_names("RED NEEDLES STUDIO", "RED NEEDLES"),
            NameMatch::Close
        );
    }

    #[test]
    fn a_different_holder_is_a_mismatch() {
        assert_eq!(
            compare_names("Heike Mustermann", "GANYMEDE"),
            NameMatch::Mismatch
        );
        assert_eq!(compare_names("SAS", "GANYMEDE"), NameMatch::Mismatch);
        assert_eq!(compare_names("", "GANYMEDE"), NameMatch::Mismatch);
    }

    #[test]
    fn the_given_iban_is_looked_for_among_the_connected_accounts() {
        let iban = Iban::parse("FR76 3000 6000 0112 3456 7890 189").unwrap();
        let connected = vec!["FR7630006000011234567890189".to_owned()];
        let c = check(
            Some(&iban),
            Some(&connected),
            Some("Acme"),
            Some("ACME SAS"),
        );
        assert_eq!(c.iban_among_connected_accounts, Some(true));
        assert_eq!(c.name_match, NameMatch::Exact);
        let c = check(Some(&iban), Some(&[]), None, Some("ACME"));
        assert_eq!(c.iban_among_connected_accounts, Some(false));
        assert_eq!(c.name_match, NameMatch::Unknown);
    }
}

//! The reason-code catalogue: stable codes with French and English texts, filled in with the
//! value and the threshold that triggered them.

use serde::{Deserialize, Serialize};

/// What kind of reason a code is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReasonKind {
    /// Raised the probability of default.
    Adverse,
    /// Lowered it.
    Favourable,
    /// A policy rule: knock-out or referral.
    Policy,
    /// A fraud signal.
    Fraud,
}

/// `(code, kind, English, French)`; `{value}` and `{threshold}` are filled in.
pub const CATALOGUE: &[(&str, ReasonKind, &str, &str)] = &[
    ("CF01", ReasonKind::Adverse, "Negative balance on {value} of the last 90 days", "Trésorerie négative {value} jours sur les 90 derniers"),
    ("CF11", ReasonKind::Favourable, "Balance positive every day of the last 90", "Trésorerie positive chaque jour des 90 derniers"),
    ("CF02", ReasonKind::Adverse, "Cash covers {value} months of outflows", "La trésorerie couvre {value} mois de décaissements"),
    ("CF12", ReasonKind::Favourable, "Cash covers {value} months of outflows", "La trésorerie couvre {value} mois de décaissements"),
    ("CF03", ReasonKind::Adverse, "Inflows of the last 30 days changed by {value} against the 60 before", "Encaissements des 30 derniers jours en variation de {value} par rapport aux 60 précédents"),
    ("CF13", ReasonKind::Favourable, "Inflows of the last 30 days grew by {value} against the 60 before", "Encaissements des 30 derniers jours en hausse de {value} par rapport aux 60 précédents"),
    ("CF04", ReasonKind::Adverse, "{value} direct debits returned unpaid in the last 90 days", "{value} prélèvements rejetés sur les 90 derniers jours"),
    ("CF14", ReasonKind::Favourable, "No direct debit returned unpaid in the last 90 days", "Aucun prélèvement rejeté sur les 90 derniers jours"),
    ("CF05", ReasonKind::Adverse, "{value} social-charge or tax payments rejected in the last 90 days", "{value} paiements URSSAF ou fiscaux rejetés sur les 90 derniers jours"),
    ("CF15", ReasonKind::Favourable, "Social charges and taxes paid", "Charges sociales et impôts payés"),
    ("CF06", ReasonKind::Adverse, "{value} of inflows come from a single customer", "{value} des encaissements proviennent d'un seul client"),
    ("CF16", ReasonKind::Favourable, "Inflows spread over many customers", "Encaissements répartis sur de nombreux clients"),
    ("LG01", ReasonKind::Adverse, "Collective proceeding open ({value})", "Procédure collective en cours ({value})"),
    ("LG02", ReasonKind::Policy, "The company has ceased trading (since {value})", "L'entreprise a cessé son activité (depuis le {value})"),
    ("LG03", ReasonKind::Policy, "The company was struck off the register", "L'entreprise a été radiée du registre"),
    ("LG04", ReasonKind::Policy, "The SIREN is unknown to the company register", "Le SIREN est inconnu du répertoire Sirene"),
    ("LG05", ReasonKind::Adverse, "The company is under a court-approved plan", "L'entreprise est sous plan de sauvegarde ou de redressement"),
    ("LG06", ReasonKind::Adverse, "Young company: {value} days old", "Entreprise jeune : {value} jours d'existence"),
    ("LG16", ReasonKind::Favourable, "Established company: {value} days old", "Entreprise établie : {value} jours d'existence"),
    ("LG08", ReasonKind::Adverse, "Directors changed {value} days ago", "Changement de dirigeants il y a {value} jours"),
    ("LG09", ReasonKind::Adverse, "A past proceeding closed for insufficient assets", "Une procédure passée a été clôturée pour insuffisance d'actif"),
    ("LG10", ReasonKind::Policy, "Collective proceeding open ({value})", "Procédure collective en cours ({value})"),
    ("SE01", ReasonKind::Adverse, "Sector with a high default rate ({value})", "Secteur à taux de défaillance élevé ({value})"),
    ("SE11", ReasonKind::Favourable, "Sector with a low default rate ({value})", "Secteur à faible taux de défaillance ({value})"),
    ("PR01", ReasonKind::Adverse, "Net profit to total assets of {value} ({threshold})", "Résultat net sur total du bilan de {value} ({threshold})"),
    ("PR11", ReasonKind::Favourable, "Net profit to total assets of {value}", "Résultat net sur total du bilan de {value}"),
    ("LV02", ReasonKind::Adverse, "Debt ratio of {value} ({threshold})", "Taux d'endettement de {value} ({threshold})"),
    ("LV12", ReasonKind::Favourable, "Debt ratio of {value}", "Taux d'endettement de {value}"),
    ("WC01", ReasonKind::Adverse, "Working capital to total assets of {value} ({threshold})", "Fonds de roulement sur total du bilan de {value} ({threshold})"),
    ("WC11", ReasonKind::Favourable, "Working capital to total assets of {value}", "Fonds de roulement sur total du bilan de {value}"),
    ("LQ01", ReasonKind::Adverse, "Current assets cover short-term debts {value} times ({threshold})", "L'actif circulant couvre {value} fois les dettes à court terme ({threshold})"),
    ("LQ11", ReasonKind::Favourable, "Current assets cover short-term debts {value} times", "L'actif circulant couvre {value} fois les dettes à court terme"),
    ("RE01", ReasonKind::Adverse, "Retained earnings to total assets of {value} ({threshold})", "Report à nouveau sur total du bilan de {value} ({threshold})"),
    ("RE11", ReasonKind::Favourable, "Retained earnings to total assets of {value}", "Report à nouveau sur total du bilan de {value}"),
    ("EB01", ReasonKind::Adverse, "Operating result to total assets of {value} ({threshold})", "Résultat d'exploitation sur total du bilan de {value} ({threshold})"),
    ("EB11", ReasonKind::Favourable, "Operating result to total assets of {value}", "Résultat d'exploitation sur total du bilan de {value}"),
    ("LV01", ReasonKind::Adverse, "Equity to liabilities of {value} ({threshold})", "Capitaux propres sur dettes de {value} ({threshold})"),
    ("LV11", ReasonKind::Favourable, "Equity to liabilities of {value}", "Capitaux propres sur dettes de {value}"),
    ("AC01", ReasonKind::Adverse, "Sales to total assets of {value} ({threshold})", "Chiffre d'affaires sur total du bilan de {value} ({threshold})"),
    ("AC11", ReasonKind::Favourable, "Sales to total assets of {value}", "Chiffre d'affaires sur total du bilan de {value}"),
    ("EQ01", ReasonKind::Adverse, "Equity to total assets of {value} ({threshold})", "Capitaux propres sur total du bilan de {value} ({threshold})"),
    ("EQ11", ReasonKind::Favourable, "Equity to total assets of {value}", "Capitaux propres sur total du bilan de {value}"),
    ("AC00", ReasonKind::Adverse, "No accounts available", "Aucun compte annuel disponible"),
    ("KY01", ReasonKind::Policy, "The IBAN given is not one of the company's connected accounts", "L'IBAN fourni ne fait pas partie des comptes connectés de l'entreprise"),
    ("FR01", ReasonKind::Fraud, "The bank account holder ({value}) is not the company", "Le titulaire du compte bancaire ({value}) n'est pas l'entreprise"),
    ("FR02", ReasonKind::Fraud, "Company {value} days old, bank connected minutes ago, large request", "Entreprise de {value} jours, banque connectée il y a quelques minutes, montant élevé"),
    ("FR03", ReasonKind::Fraud, "{value} applications for this company within 24 hours", "{value} demandes pour cette entreprise en 24 heures"),
    ("FR04", ReasonKind::Fraud, "Directors changed recently and the bank account is new", "Changement récent de dirigeants et compte bancaire récent"),
    ("DC02", ReasonKind::Policy, "No accounts available: the probability of default of {value} alone does not decline", "Aucun compte annuel disponible : la probabilité de défaut de {value} ne suffit pas à refuser"),
    ("DC01", ReasonKind::Policy, "Data coverage of {value} is below the minimum of {threshold}", "Couverture des données de {value}, sous le minimum de {threshold}"),
    ("AU01", ReasonKind::Policy, "Amount above the automatic authority of {threshold}", "Montant au-delà de la délégation automatique de {threshold}"),
    ("BD01", ReasonKind::Policy, "Probability of default of {value} is in the review band ({threshold})", "Probabilité de défaut de {value} dans la zone d'examen ({threshold})"),
    ("BD02", ReasonKind::Policy, "Probability of default of {value} is above the limit of {threshold}", "Probabilité de défaut de {value} au-delà du seuil de {threshold}"),
    ("LM01", ReasonKind::Policy, "Amount requested above the proposed limit of {threshold}", "Montant demandé au-delà de la limite proposée de {threshold}"),
    ("LM02", ReasonKind::Policy, "No limit can be computed: {value}", "Aucune limite calculable : {value}"),
    ("LM03", ReasonKind::Policy, "The paying customer's risk cuts the advance ({value})", "Le risque du client payeur réduit l'avance ({value})"),
];

/// A reason as a decision states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub kind: ReasonKind,
    pub text_en: String,
    pub text_fr: String,
    pub value: Option<String>,
    pub threshold: Option<String>,
    /// Effect on the log-odds of default (positive raises the risk), for scored reasons.
    pub log_odds: Option<f64>,
    /// The same effect in score points (positive raises the score).
    pub points: Option<f64>,
}

/// A code outside the catalogue: a defect, caught by the tests that run every persona.
fn unknown(code: &str) -> (ReasonKind, &'static str, &'static str) {
    debug_assert!(false, "reason code {code} is not in the catalogue");
    (ReasonKind::Policy, "{value}", "{value}")
}

/// Fills in a reason's texts.
pub fn reason(code: &str, value: Option<String>, threshold: Option<String>) -> Reason {
    let (kind, en, fr) = CATALOGUE
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, k, en, fr)| (*k, *en, *fr))
        .unwrap_or_else(|| unknown(code));
    let fill = |t: &str| {
        t.replace("{value}", value.as_deref().unwrap_or("?"))
            .replace("{threshold}", threshold.as_deref().unwrap_or("?"))
    };
    Reason {
        code: code.to_owned(),
        kind,
        text_en: fill(en),
        text_fr: fill(fr),
        value,
        threshold,
        log_odds: None,
        points: None,
    }
}

/// Euros from cents, with a thin space between thousands: `12 500 €`.
pub fn euros(cents: i64) -> String {
    let units = (cents / 100).unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in units.chars().enumerate() {
        if i > 0 && (units.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    format!("{}{out} €", if cents < 0 { "-" } else { "" })
}

pub fn percent(share: f64) -> String {
    format!("{:.1} %", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_every_text_is_given_in_both_languages() {
        let mut seen = std::collections::HashSet::new();
        for (code, _, en, fr) in CATALOGUE {
            assert!(seen.insert(code), "{code} twice");
            assert_eq!(code.len(), 4);
            assert!(!en.is_empty() && !fr.is_empty());
            assert_eq!(en.contains("{value}"), fr.contains("{value}"), "{code}");
            assert_eq!(
                en.contains("{threshold}"),
                fr.contains("{threshold}"),
                "{code}"
            );
        }
    }

    #[test]
    fn texts_are_filled_in_with_value_and_threshold() {
        let r = reason("CF01", Some("41".into()), None);
        assert_eq!(r.text_en, "Negative balance on 41 of the last 90 days");
        assert_eq!(
            r.text_fr,
            "Trésorerie négative 41 jours sur les 90 derniers"
        );
        assert_eq!(euros(1_250_000), "12\u{202f}500 €");
        assert_eq!(euros(-99), "-0 €");
        assert_eq!(percent(0.4567), "45.7 %");
    }
}

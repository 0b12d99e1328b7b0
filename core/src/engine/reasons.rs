//! The reason-code catalogue: stable codes with French and English texts, filled in with the
//! value and the threshold that triggered them.

use super::features::Features;
use super::{scored_reason, Contribution, Outcome, PdModel, POINTS_PER_LOG_ODDS};
use crate::sources::accounts::{self, Attribute, Group};
use crate::sources::facts::Facts;
use serde::{Deserialize, Serialize};

pub mod guide;

/// What kind of reason a code is.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    ("PF01", ReasonKind::Adverse, "Profitability raises the risk: {name} of {value}{reference}", "La rentabilité accroît le risque : {name} de {value}{reference}"),
    ("PF11", ReasonKind::Favourable, "Profitability lowers the risk: {name} of {value}{reference}", "La rentabilité réduit le risque : {name} de {value}{reference}"),
    ("DS01", ReasonKind::Adverse, "Debt service raises the risk: {name} of {value}{reference}", "Le service de la dette accroît le risque : {name} de {value}{reference}"),
    ("DS11", ReasonKind::Favourable, "Debt service lowers the risk: {name} of {value}{reference}", "Le service de la dette réduit le risque : {name} de {value}{reference}"),
    ("LI01", ReasonKind::Adverse, "Liquidity raises the risk: {name} of {value}{reference}", "La liquidité accroît le risque : {name} de {value}{reference}"),
    ("LI11", ReasonKind::Favourable, "Liquidity lowers the risk: {name} of {value}{reference}", "La liquidité réduit le risque : {name} de {value}{reference}"),
    ("LE01", ReasonKind::Adverse, "Leverage raises the risk: {name} of {value}{reference}", "L'endettement accroît le risque : {name} de {value}{reference}"),
    ("LE11", ReasonKind::Favourable, "Leverage lowers the risk: {name} of {value}{reference}", "L'endettement réduit le risque : {name} de {value}{reference}"),
    ("AT01", ReasonKind::Adverse, "Activity and turnover raise the risk: {name} of {value}{reference}", "L'activité et la rotation accroissent le risque : {name} de {value}{reference}"),
    ("AT11", ReasonKind::Favourable, "Activity and turnover lower the risk: {name} of {value}{reference}", "L'activité et la rotation réduisent le risque : {name} de {value}{reference}"),
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
    ("IN01", ReasonKind::Policy, "Inflows of the last 30 days grew by {value} against the 60 before (at least {threshold} needed)", "Encaissements des 30 derniers jours en hausse de {value} par rapport aux 60 précédents (au moins {threshold} requis)"),
    ("IN02", ReasonKind::Policy, "Increase held to {threshold} of the line per step", "Hausse limitée à {threshold} de la ligne par étape"),
    ("IN03", ReasonKind::Policy, "Line held to its ceiling of {threshold}", "Ligne limitée à son plafond de {threshold}"),
    ("IN04", ReasonKind::Policy, "New limit of {value} above the automatic authority of {threshold}: a credit manager decides", "Nouvelle limite de {value} au-delà de la délégation automatique de {threshold} : un analyste crédit décide"),
    ("IN10", ReasonKind::Policy, "Grade {value} is worse than at the grant ({threshold})", "Note {value} moins bonne qu'à l'octroi ({threshold})"),
    ("IN11", ReasonKind::Policy, "A fraud signal stops automatic increases ({value})", "Un signal de fraude bloque les hausses automatiques ({value})"),
    ("IN12", ReasonKind::Policy, "A collective proceeding stops automatic increases", "Une procédure collective bloque les hausses automatiques"),
    ("IN13", ReasonKind::Policy, "Data coverage of {value} is below the minimum of {threshold}", "Couverture des données de {value}, sous le minimum de {threshold}"),
    ("IN14", ReasonKind::Policy, "Last increase on {value}: the next one no earlier than {threshold}", "Dernière hausse le {value} : pas de nouvelle hausse avant le {threshold}"),
    ("IN15", ReasonKind::Policy, "Inflow growth of {value} is below the minimum of {threshold}", "Croissance des encaissements de {value}, sous le minimum de {threshold}"),
    ("IN16", ReasonKind::Policy, "The line is at its ceiling of {threshold}", "La ligne est à son plafond de {threshold}"),
    ("IN17", ReasonKind::Policy, "The engine does not approve the increase ({value})", "Le moteur n'approuve pas la hausse ({value})"),
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

/// A reason whose text names something (`{name}`) in each language, with a value given in each
/// language (a number reads the same; "undefined" does not) and, when known, the reference it
/// is read against (`{reference}`: the median of the companies the model learned from).
pub fn named_reason(
    code: &str,
    name: (&str, &str),
    value: (String, String),
    threshold: Option<String>,
) -> Reason {
    let mut r = reason(code, Some(value.0.clone()), threshold.clone());
    let (en, fr) = CATALOGUE
        .iter()
        .find(|(c, ..)| *c == code)
        .map(|(_, _, en, fr)| (*en, *fr))
        .unwrap_or(("{value}", "{value}"));
    let reference = |words: &str| {
        threshold
            .as_deref()
            .map(|t| format!(" ({words} {t})"))
            .unwrap_or_default()
    };
    let fill = |t: &str, name: &str, value: &str, reference: &str| {
        t.replace("{name}", name)
            .replace("{value}", value)
            .replace("{reference}", reference)
    };
    r.text_en = fill(
        en,
        name.0,
        &value.0,
        &reference("median of the reference companies"),
    );
    r.text_fr = fill(
        fr,
        name.1,
        &value.1,
        &reference("médiane des entreprises de référence"),
    );
    r
}

/// The codes of a group of ratios: (adverse, favourable).
pub fn group_codes(group: Group) -> (&'static str, &'static str) {
    match group {
        Group::Profitability => ("PF01", "PF11"),
        Group::DebtService => ("DS01", "DS11"),
        Group::Liquidity => ("LI01", "LI11"),
        Group::Leverage => ("LE01", "LE11"),
        Group::Activity => ("AT01", "AT11"),
    }
}

/// The code of one attribute's contribution: its group's, adverse or favourable by sign.
pub fn group_code(key: &str, log_odds: f64) -> Option<&'static str> {
    let (adverse, favourable) = group_codes(accounts::attribute(key)?.group);
    if log_odds > 0.0 {
        Some(adverse)
    } else if log_odds < 0.0 {
        Some(favourable)
    } else {
        None
    }
}

/// A ratio's value for a reason text: days whole, other ratios to three significant digits.
fn ratio_text(value: f64, days: bool) -> String {
    if days {
        return format!("{value:.0}");
    }
    let magnitude = value.abs();
    if magnitude >= 100.0 {
        format!("{value:.0}")
    } else if magnitude >= 10.0 {
        format!("{value:.1}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}

/// The second generation's scored reasons: the model's contributions summed by group of ratios
/// (profitability, debt service, liquidity, leverage, activity), each naming the ratio of the
/// group that moved the risk most with the company's value and the reference companies'
/// median, together with the expert scorecard's reasons; the four largest in the outcome's
/// direction.
pub(crate) fn grouped(
    contributions: &[Contribution],
    features: &Features,
    model: &dyn PdModel,
    outcome: Outcome,
    facts: &Facts,
) -> Vec<Reason> {
    let adverse = outcome != Outcome::Approve;
    let in_direction = |log_odds: f64| {
        if adverse {
            log_odds > 0.0
        } else {
            log_odds < 0.0
        }
    };
    let mut candidates: Vec<(f64, String, Reason)> = Vec::new();
    for group in Group::ALL {
        let members: Vec<(&Contribution, &Attribute)> = contributions
            .iter()
            .filter(|c| c.origin == "model")
            .filter_map(|c| Some((c, accounts::attribute(&c.feature)?)))
            .filter(|(_, a)| a.group == group)
            .collect();
        let total: f64 = members.iter().map(|(c, _)| c.log_odds).sum();
        if !in_direction(total) {
            continue;
        }
        // The ratio named: among those that moved the risk this way and whose value sits on the
        // side of the reference companies' median that finance reads the same way (a low
        // profitability raising the risk, not a high one), the one that moved it most; any of
        // them if none does.
        let reads_as_finance = |c: &Contribution, a: &Attribute| {
            let (Some(v), Some(m)) = (c.value, model.reference(&c.feature)) else {
                return true;
            };
            match accounts::direction(a) {
                Some(higher_is_safer) => (v < m) == (higher_is_safer == adverse) || v == m,
                None => true,
            }
        };
        let by_weight = |a: &(&Contribution, &Attribute), b: &(&Contribution, &Attribute)| {
            a.0.log_odds
                .abs()
                .total_cmp(&b.0.log_odds.abs())
                .then_with(|| b.0.feature.cmp(&a.0.feature))
        };
        let moved: Vec<(&Contribution, &Attribute)> = members
            .iter()
            .copied()
            .filter(|(c, _)| in_direction(c.log_odds))
            .collect();
        let Some((lead, attribute)) = moved
            .iter()
            .copied()
            .filter(|(c, a)| reads_as_finance(c, a))
            .max_by(|a, b| by_weight(a, b))
            .or_else(|| moved.iter().copied().max_by(|a, b| by_weight(a, b)))
        else {
            continue;
        };
        let (code_adverse, code_favourable) = group_codes(group);
        let code = if adverse {
            code_adverse
        } else {
            code_favourable
        };
        let value = match lead.value {
            Some(v) => (ratio_text(v, attribute.days), ratio_text(v, attribute.days)),
            None => match features
                .feature(&lead.feature)
                .and_then(|f| f.missing.as_deref())
            {
                Some("zero_denominator") => (
                    "undefined (zero denominator)".to_owned(),
                    "non défini (dénominateur nul)".to_owned(),
                ),
                _ => ("unknown".to_owned(), "inconnu".to_owned()),
            },
        };
        let threshold = model
            .reference(&lead.feature)
            .map(|m| ratio_text(m, attribute.days));
        let mut r = named_reason(
            code,
            (attribute.name_en, attribute.name_fr),
            value,
            threshold,
        );
        r.log_odds = Some(total);
        r.points = Some(-POINTS_PER_LOG_ODDS * total);
        candidates.push((total, group.as_str().to_owned(), r));
    }
    for c in contributions.iter().filter(|c| {
        (c.origin == "expert" || c.code.as_deref() == Some("AC00"))
            && c.code.is_some()
            && in_direction(c.log_odds)
    }) {
        if let Some(r) = scored_reason(c, facts) {
            candidates.push((c.log_odds, c.feature.clone(), r));
        }
    }
    candidates.sort_by(|a, b| b.0.abs().total_cmp(&a.0.abs()).then_with(|| a.1.cmp(&b.1)));
    candidates.into_iter().map(|(_, _, r)| r).take(4).collect()
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
            assert_eq!(en.contains("{name}"), fr.contains("{name}"), "{code}");
            assert_eq!(
                en.contains("{reference}"),
                fr.contains("{reference}"),
                "{code}"
            );
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

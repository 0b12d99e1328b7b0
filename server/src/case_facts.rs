//! What the case page shows about the company beyond the score: the end-of-day balance over the
//! 90 days before the decision, the financial ratios against the thresholds of the model that
//! scored them, and the published legal events. All of it is read again from the decision's
//! stored snapshots and recorded versions, so it is what the decision saw.

use crate::charts::{self, AxisText, Line};
use crate::engine::model::Model;
use crate::engine::{Decision, POINTS_PER_LOG_ODDS};
use crate::sources::bodacc::{Event, JudgmentStage, ProceedingKind};
use crate::sources::facts::Facts;
use app::i18n::{Lang, Msg};
use app::model::{BalanceView, BandView, LegalEventView, RatioView};
use chrono::{DateTime, Utc};

/// Days of balance history shown, as the cash-flow features read them.
pub const BALANCE_DAYS: u32 = 90;

/// The end-of-day balances up to the day before the decision, drawn as a line; `None` without
/// a connected bank account (or without a closing balance to walk back from).
pub fn balance(facts: &Facts, decided_at: DateTime<Utc>, lang: Lang) -> Option<BalanceView> {
    let today = decided_at.date_naive();
    let last = today.pred_opt().unwrap_or(today);
    let series = facts
        .bank
        .as_ref()?
        .end_of_day_balances(last, BALANCE_DAYS)?;
    let labels: Vec<String> = series
        .iter()
        .map(|(d, _)| d.format("%d/%m").to_string())
        .collect();
    let svg = charts::lines(
        &labels,
        &[Line {
            name: Msg::BalanceAxis.text(lang),
            colour: charts::BLUE,
            values: series.iter().map(|(_, c)| Some(*c as f64)).collect(),
        }],
        &AxisText {
            title: Msg::BalanceTitle.text(lang),
            x_axis: Msg::AxisDay.text(lang),
            y_axis: Msg::BalanceAxis.text(lang),
        },
        &charts::euros_axis,
    );
    Some(BalanceView {
        svg,
        days: series.len() as u32,
        negative_days: series.iter().filter(|(_, c)| *c < 0).count() as u32,
        lowest_cents: series.iter().map(|(_, c)| *c).min().unwrap_or(0),
        last_cents: series.last().map(|(_, c)| *c).unwrap_or(0),
    })
}

/// The ratios the model read, each with its value, the points it gave and, for a model that
/// scores by band, every band with its points, so that the thresholds around the value can be
/// read; for trees, where the value sits among the companies the model learned from (decile,
/// median) and why a missing one is missing. Trees' ratios come with the largest effects first.
pub fn ratios(decision: &Decision, model: &Model, lang: Lang) -> Vec<RatioView> {
    use crate::sources::accounts::attribute;
    let french = lang == Lang::Fr;
    let mut out: Vec<RatioView> = decision
        .contributions
        .iter()
        .filter(|c| c.origin == "model" && attribute(&c.feature).is_some())
        .map(|c| RatioView {
            feature: c.feature.clone(),
            value: c.value,
            points: c.points,
            band: c.detail.clone(),
            bands: model
                .bands(&c.feature)
                .unwrap_or_default()
                .into_iter()
                .map(|(lower, upper, log_odds)| BandView {
                    lower,
                    upper,
                    points: -POINTS_PER_LOG_ODDS * log_odds,
                })
                .collect(),
            source: decision
                .features
                .feature(&c.feature)
                .filter(|f| f.value.is_some())
                .map(|f| f.source.as_str().to_owned()),
            label: attribute(&c.feature).map(|a| {
                let name = if french { a.name_fr } else { a.name_en };
                let mut chars = name.chars();
                let first = chars.next().map(|c| c.to_uppercase().collect::<String>());
                format!(
                    "{}{} ({})",
                    first.unwrap_or_default(),
                    chars.as_str(),
                    a.attribute.replace("Attr", "X")
                )
            }),
            group: attribute(&c.feature).map(|a| a.group.label(french).to_owned()),
            median: model.training_median(&c.feature),
            decile: c.value.and_then(|v| {
                let r = model.input_reference(&c.feature)?;
                Some(r.cuts.partition_point(|&cut| cut <= v).min(9) as u8 + 1)
            }),
            missing: decision
                .features
                .feature(&c.feature)
                .and_then(|f| f.missing.clone()),
        })
        .collect();
    if out.iter().all(|r| r.bands.is_empty()) {
        out.sort_by(|a, b| {
            b.points
                .abs()
                .total_cmp(&a.points.abs())
                .then_with(|| a.feature.cmp(&b.feature))
        });
    }
    out
}

fn kind_text(kind: ProceedingKind, lang: Lang) -> &'static str {
    match (kind, lang) {
        (ProceedingKind::Sauvegarde, Lang::En) => "safeguard",
        (ProceedingKind::Sauvegarde, Lang::Fr) => "sauvegarde",
        (ProceedingKind::Redressement, Lang::En) => "receivership (redressement judiciaire)",
        (ProceedingKind::Redressement, Lang::Fr) => "redressement judiciaire",
        (ProceedingKind::Liquidation, Lang::En) => "judicial liquidation",
        (ProceedingKind::Liquidation, Lang::Fr) => "liquidation judiciaire",
        (ProceedingKind::Unspecified, Lang::En) => "collective proceeding",
        (ProceedingKind::Unspecified, Lang::Fr) => "procédure collective",
    }
}

/// `(severity, text)` of one announcement.
fn describe(event: &Event, lang: Lang) -> (&'static str, String) {
    let fr = lang == Lang::Fr;
    match event {
        Event::CollectiveProceeding {
            kind,
            stage,
            nature,
            insufficient_assets,
        } => {
            let k = kind_text(*kind, lang);
            let (severity, what) = match (stage, fr) {
                (JudgmentStage::Opening, false) => ("critical", format!("Opening of {k}")),
                (JudgmentStage::Opening, true) => ("critical", format!("Ouverture : {k}")),
                (JudgmentStage::Plan, false) => ("warning", format!("Plan adopted ({k})")),
                (JudgmentStage::Plan, true) => ("warning", format!("Plan arrêté ({k})")),
                (JudgmentStage::Closure, false) if *insufficient_assets => (
                    "critical",
                    format!("Closure of {k} for insufficient assets"),
                ),
                (JudgmentStage::Closure, true) if *insufficient_assets => (
                    "critical",
                    format!("Clôture ({k}) pour insuffisance d'actif"),
                ),
                (JudgmentStage::Closure, false) => ("warning", format!("Closure of {k}")),
                (JudgmentStage::Closure, true) => ("warning", format!("Clôture : {k}")),
                (JudgmentStage::Other, false) => ("warning", format!("Judgment in {k}")),
                (JudgmentStage::Other, true) => ("warning", format!("Jugement ({k})")),
            };
            let nature = nature.trim();
            if nature.is_empty() {
                (severity, what)
            } else {
                (severity, format!("{what}: {nature}"))
            }
        }
        Event::Radiation if fr => ("critical", "Radiation du registre".into()),
        Event::Radiation => ("critical", "Struck off the register".into()),
        Event::AccountsFiled { closing_date } => {
            let closing = closing_date
                .map(|d| d.format("%d/%m/%Y").to_string())
                .unwrap_or_else(|| "?".into());
            if fr {
                ("info", format!("Dépôt des comptes (clôture au {closing})"))
            } else {
                ("info", format!("Accounts filed (year ending {closing})"))
            }
        }
        Event::DirectorChange if fr => ("warning", "Changement de dirigeants".into()),
        Event::DirectorChange => ("warning", "Change of directors".into()),
        Event::Registration if fr => ("info", "Immatriculation".into()),
        Event::Registration => ("info", "Registration".into()),
        Event::Other { family } if fr => ("info", format!("Annonce : {family}")),
        Event::Other { family } => ("info", format!("Announcement: {family}")),
    }
}

/// The legal events, newest first: the registry's creation and cessation dates and every
/// published announcement. `None` when the announcements source did not answer.
pub fn legal_events(facts: &Facts, lang: Lang) -> Option<Vec<LegalEventView>> {
    let fr = lang == Lang::Fr;
    let mut events: Vec<LegalEventView> = facts
        .legal_events
        .as_ref()?
        .announcements
        .iter()
        .map(|a| {
            let (severity, text) = describe(&a.event, lang);
            LegalEventView {
                date: a.effective_on,
                published_on: Some(a.published_on),
                severity: severity.into(),
                text,
                court: a.court.clone(),
                reference: Some(a.id.clone()),
            }
        })
        .collect();
    if let Some(unit) = &facts.legal_unit {
        let registry = |date, severity: &str, en: &str, fr_text: &str| LegalEventView {
            date,
            published_on: None,
            severity: severity.into(),
            text: if fr { fr_text } else { en }.to_owned(),
            court: None,
            reference: None,
        };
        if let Some(created) = unit.created_on {
            events.push(registry(
                created,
                "info",
                "Company created (Sirene register)",
                "Création de l'entreprise (répertoire Sirene)",
            ));
        }
        if let Some(ceased) = unit.ceased_on {
            events.push(registry(
                ceased,
                "critical",
                "Company ceased (Sirene register)",
                "Cessation de l'entreprise (répertoire Sirene)",
            ));
        }
    }
    events.sort_by_key(|e| std::cmp::Reverse(e.date));
    Some(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_liquidation_opening_is_critical_and_named_in_both_languages() {
        let event = Event::CollectiveProceeding {
            kind: ProceedingKind::Liquidation,
            stage: JudgmentStage::Opening,
            nature: "Jugement d'ouverture de liquidation judiciaire".into(),
            insufficient_assets: false,
        };
        let (severity, en) = describe(&event, Lang::En);
        assert_eq!(severity, "critical");
        assert!(en.starts_with("Opening of judicial liquidation"), "{en}");
        let (_, fr) = describe(&event, Lang::Fr);
        assert!(fr.starts_with("Ouverture : liquidation judiciaire"), "{fr}");
        let (severity, _) = describe(&Event::AccountsFiled { closing_date: None }, Lang::En);
        assert_eq!(severity, "info");
    }
}

//! BODACC announcements from the DILA open-data service (Opendatasoft, dataset
//! `annonces-commerciales`). The parser reads the v1 search answer (`records[].fields`), the
//! Explore v2.1 answer (`results[]`) and a single record; `jugement`, `listepersonnes`,
//! `modificationsgenerales` and `depot` are JSON documents inside string fields.
//!
//! Collective proceedings (sauvegarde, redressement, liquidation) are recognised from the
//! judgment's `famille` / `nature` text and dated by the judgment date; radiations are dated by
//! their publication.

use super::json::{format_error, parse_json, FormatError};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProceedingKind {
    Sauvegarde,
    Redressement,
    Liquidation,
    /// A collective-proceeding judgment whose kind the text does not say.
    Unspecified,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JudgmentStage {
    /// Opening, or conversion into another kind (which opens it).
    Opening,
    /// A plan adopted (sauvegarde or redressement continues under the plan).
    Plan,
    /// Closure of the proceeding.
    Closure,
    /// Anything else (extension, modification of the plan, appointment of an administrator…).
    Other,
}

/// What one announcement means for credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    CollectiveProceeding {
        kind: ProceedingKind,
        stage: JudgmentStage,
        /// The judgment's `nature`, as published.
        nature: String,
        /// Closure for insufficient assets: the creditors were not paid.
        insufficient_assets: bool,
    },
    Radiation,
    AccountsFiled {
        closing_date: Option<NaiveDate>,
    },
    /// A change of directors (modification announcement naming them).
    DirectorChange,
    Registration,
    Other {
        family: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Announcement {
    pub id: String,
    /// `dateparution`.
    pub published_on: NaiveDate,
    /// The judgment date for proceedings, the publication date otherwise.
    pub effective_on: NaiveDate,
    pub family: String,
    pub event: Event,
    pub court: Option<String>,
    /// JSON pointer of the record in the payload, for lineage.
    pub pointer: String,
}

/// Where the company stands, from all its announcements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ProceedingStatus {
    None,
    Open {
        kind: ProceedingKind,
        since: NaiveDate,
    },
    UnderPlan {
        kind: ProceedingKind,
        since: NaiveDate,
    },
    Closed {
        on: NaiveDate,
        insufficient_assets: bool,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalEvents {
    /// Sorted by effective date, oldest first.
    pub announcements: Vec<Announcement>,
    pub proceeding: ProceedingStatus,
    pub radiated_on: Option<NaiveDate>,
    pub last_director_change: Option<NaiveDate>,
    pub last_accounts_closing: Option<NaiveDate>,
}

/// Lower case without French accents, for matching published text.
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            other => other,
        })
        .collect()
}

fn classify_judgment(judgment: &Value) -> Event {
    let text = |k: &str| judgment.get(k).and_then(Value::as_str).unwrap_or("");
    let nature = text("nature").to_owned();
    let all = fold(&format!(
        "{} {} {}",
        text("famille"),
        nature,
        text("complementJugement")
    ));
    let kind = if all.contains("liquidation") {
        ProceedingKind::Liquidation
    } else if all.contains("redressement") {
        ProceedingKind::Redressement
    } else if all.contains("sauvegarde") {
        ProceedingKind::Sauvegarde
    } else {
        ProceedingKind::Unspecified
    };
    let stage = if all.contains("cloture") {
        JudgmentStage::Closure
    } else if all.contains("ouverture")
        || all.contains("conversion")
        || all.contains("prononcant la liquidation")
        || all.contains("prononcant la resolution")
    {
        JudgmentStage::Opening
    } else if all.contains("arretant le plan") || all.contains("homologuant le plan") {
        JudgmentStage::Plan
    } else {
        JudgmentStage::Other
    };
    Event::CollectiveProceeding {
        kind,
        stage,
        nature,
        insufficient_assets: all.contains("insuffisance d'actif"),
    }
}

fn inner_json(fields: &Value, key: &str) -> Option<Value> {
    match fields.get(key)? {
        Value::String(s) => serde_json::from_str(s).ok(),
        v @ Value::Object(_) => Some(v.clone()),
        _ => None,
    }
}

fn parse_record(fields: &Value, pointer: String) -> Result<Announcement, FormatError> {
    let s = |k: &str| fields.get(k).and_then(Value::as_str);
    let id = match fields.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => return Err(format_error(&format!("{pointer}/id"), "missing")),
    };
    let published = s("dateparution")
        .ok_or_else(|| format_error(&format!("{pointer}/dateparution"), "missing"))?;
    let published_on = super::iso_date(published).ok_or_else(|| {
        format_error(
            &format!("{pointer}/dateparution"),
            format!("{published:?} is not a date"),
        )
    })?;
    let family = s("familleavis").unwrap_or("").to_owned();
    let mut effective_on = published_on;
    let event = match family.as_str() {
        "collective" => {
            let judgment = inner_json(fields, "jugement").ok_or_else(|| {
                format_error(&format!("{pointer}/jugement"), "missing or not JSON")
            })?;
            if let Some(d) = judgment
                .get("date")
                .and_then(Value::as_str)
                .and_then(super::iso_date)
            {
                effective_on = d;
            }
            classify_judgment(&judgment)
        }
        "radiation" => Event::Radiation,
        "dpc" => Event::AccountsFiled {
            closing_date: inner_json(fields, "depot")
                .and_then(|d| {
                    d.get("dateCloture")
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                })
                .and_then(|d| super::iso_date(&d)),
        },
        "creation" | "immatriculation" => Event::Registration,
        "modification" => {
            let text = inner_json(fields, "modificationsgenerales")
                .map(|m| fold(&m.to_string()))
                .unwrap_or_default();
            if ["dirigeant", "gerant", "president", "administrateur"]
                .iter()
                .any(|w| text.contains(w))
            {
                Event::DirectorChange
            } else {
                Event::Other {
                    family: family.clone(),
                }
            }
        }
        _ => Event::Other {
            family: family.clone(),
        },
    };
    Ok(Announcement {
        id,
        published_on,
        effective_on,
        family,
        event,
        court: s("tribunal").map(str::to_owned),
        pointer,
    })
}

/// Parses a BODACC answer about one company.
pub fn parse(body: &[u8]) -> Result<LegalEvents, FormatError> {
    let root = parse_json(body)?;
    let mut announcements = Vec::new();
    if let Some(records) = root.get("records") {
        let list = records
            .as_array()
            .ok_or_else(|| format_error("/records", "expected an array"))?;
        for (i, r) in list.iter().enumerate() {
            let fields = r
                .get("fields")
                .ok_or_else(|| format_error(&format!("/records/{i}/fields"), "missing"))?;
            announcements.push(parse_record(fields, format!("/records/{i}/fields"))?);
        }
    } else if let Some(results) = root.get("results") {
        let list = results
            .as_array()
            .ok_or_else(|| format_error("/results", "expected an array"))?;
        for (i, r) in list.iter().enumerate() {
            announcements.push(parse_record(r, format!("/results/{i}"))?);
        }
    } else if let Some(fields) = root.get("fields") {
        announcements.push(parse_record(fields, "/fields".to_owned())?);
    } else {
        return Err(format_error(
            "/records",
            "missing (nor results, nor fields)",
        ));
    }
    Ok(summarise(announcements))
}

fn summarise(mut announcements: Vec<Announcement>) -> LegalEvents {
    announcements.sort_by(|a, b| (a.effective_on, &a.id).cmp(&(b.effective_on, &b.id)));
    let mut proceeding = ProceedingStatus::None;
    let mut radiated_on = None;
    let mut last_director_change = None;
    let mut last_accounts_closing = None;
    for a in &announcements {
        match &a.event {
            Event::CollectiveProceeding {
                kind,
                stage,
                insufficient_assets,
                ..
            } => {
                proceeding = match stage {
                    JudgmentStage::Opening => ProceedingStatus::Open {
                        kind: *kind,
                        since: a.effective_on,
                    },
                    JudgmentStage::Plan => ProceedingStatus::UnderPlan {
                        kind: *kind,
                        since: a.effective_on,
                    },
                    JudgmentStage::Closure => ProceedingStatus::Closed {
                        on: a.effective_on,
                        insufficient_assets: *insufficient_assets,
                    },
                    // Other judgments about an open proceeding keep it open; one without a
                    // known opening still shows a proceeding exists.
                    JudgmentStage::Other => match proceeding {
                        ProceedingStatus::None | ProceedingStatus::Closed { .. } => {
                            ProceedingStatus::Open {
                                kind: *kind,
                                since: a.effective_on,
                            }
                        }
                        other => other,
                    },
                }
            }
            Event::Radiation => radiated_on = Some(a.effective_on),
            Event::DirectorChange => last_director_change = Some(a.effective_on),
            Event::AccountsFiled { closing_date } => {
                last_accounts_closing = last_accounts_closing.max(*closing_date)
            }
            Event::Registration | Event::Other { .. } => {}
        }
    }
    LegalEvents {
        announcements,
        proceeding,
        radiated_on,
        last_director_change,
        last_accounts_closing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::tests_support::payload;

    #[test]
    fn the_ganymede_announcements_give_a_radiation_and_two_filed_accounts() {
        let events = parse(&payload(
            "bodacc/annuaire_fixture_bodacc_v1_search_880878145.json",
        ))
        .unwrap();
        assert_eq!(events.announcements.len(), 3);
        assert_eq!(events.radiated_on, NaiveDate::from_ymd_opt(2022, 11, 23));
        assert_eq!(
            events.last_accounts_closing,
            NaiveDate::from_ymd_opt(2021, 12, 31)
        );
        assert_eq!(events.proceeding, ProceedingStatus::None);
        assert!(events
            .announcements
            .windows(2)
            .all(|w| w[0].effective_on <= w[1].effective_on));
    }

    #[test]
    fn a_closure_for_insufficient_assets_is_recognised_and_dated_by_the_judgment() {
        let events = parse(&payload(
            "bodacc/collective_example_DJ_BATIMENT_from_code_comments.json",
        ))
        .unwrap();
        let a = &events.announcements[0];
        assert_eq!(
            a.published_on,
            NaiveDate::from_ymd_opt(2020, 11, 30).unwrap()
        );
        assert_eq!(
            a.effective_on,
            NaiveDate::from_ymd_opt(2020, 11, 19).unwrap()
        );
        assert!(matches!(
            a.event,
            Event::CollectiveProceeding {
                kind: ProceedingKind::Liquidation,
                stage: JudgmentStage::Closure,
                insufficient_assets: true,
                ..
            }
        ));
        assert_eq!(
            events.proceeding,
            ProceedingStatus::Closed {
                on: NaiveDate::from_ymd_opt(2020, 11, 19).unwrap(),
                insufficient_assets: true
            }
        );
    }

    fn judgment(date: &str, famille: &str, nature: &str) -> Value {
        serde_json::json!({
            "id": format!("A{date}"), "dateparution": date, "familleavis": "collective",
            "jugement": serde_json::json!({"date": date, "famille": famille, "nature": nature}).to_string()
        })
    }

    #[test]
    fn each_proceeding_kind_and_stage_is_recognised_in_order() {
        let body = serde_json::json!({"total_count": 3, "results": [
            judgment("2024-05-02", "Jugement d'ouverture", "Jugement d'ouverture d'une procédure de redressement judiciaire"),
            judgment("2023-01-10", "Jugement d'ouverture", "Jugement d'ouverture d'une procédure de sauvegarde"),
            judgment("2023-09-01", "Jugement arrêtant le plan", "Jugement arrêtant le plan de sauvegarde"),
        ]});
        let events = parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            events.proceeding,
            ProceedingStatus::Open {
                kind: ProceedingKind::Redressement,
                since: NaiveDate::from_ymd_opt(2024, 5, 2).unwrap()
            }
        );
        let body = serde_json::json!({"results": [
            judgment("2023-09-01", "Jugement arrêtant le plan", "Jugement arrêtant le plan de sauvegarde"),
        ]});
        assert!(matches!(
            parse(body.to_string().as_bytes()).unwrap().proceeding,
            ProceedingStatus::UnderPlan {
                kind: ProceedingKind::Sauvegarde,
                ..
            }
        ));
        let body = serde_json::json!({"results": [
            judgment("2025-02-03", "Jugement prononçant", "Jugement de conversion en liquidation judiciaire"),
        ]});
        assert!(matches!(
            parse(body.to_string().as_bytes()).unwrap().proceeding,
            ProceedingStatus::Open {
                kind: ProceedingKind::Liquidation,
                ..
            }
        ));
    }

    #[test]
    fn a_director_change_is_recognised() {
        let body = serde_json::json!({"results": [{
            "id": "B1", "dateparution": "2025-10-01", "familleavis": "modification",
            "modificationsgenerales": "{\"descriptif\": \"Modification survenue sur l'administration. Président : départ de M. X, nomination de Mme Y\"}"
        }]});
        let events = parse(body.to_string().as_bytes()).unwrap();
        assert_eq!(
            events.last_director_change,
            NaiveDate::from_ymd_opt(2025, 10, 1)
        );
    }

    proptest::proptest! {
        #[test]
        fn the_bodacc_parser_never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse(&body);
        }

        #[test]
        fn the_bodacc_parser_never_panics_on_record_shaped_input(
            family in "(collective|radiation|dpc|modification|[a-z]{0,8})",
            date in "[0-9-]{0,12}",
            nature in "\\PC{0,40}",
            inner in "\\PC{0,40}",
        ) {
            let judgment = serde_json::json!({"date": date, "nature": nature}).to_string();
            for jugement in [judgment.as_str(), inner.as_str()] {
                let body = serde_json::json!({"records": [{"fields": {
                    "id": "x", "dateparution": date, "familleavis": family,
                    "jugement": jugement, "depot": inner, "modificationsgenerales": inner
                }}]});
                let _ = parse(body.to_string().as_bytes());
            }
        }
    }

    #[test]
    fn a_malformed_bodacc_answer_names_the_field() {
        let e = parse(br#"{"records":[{"fields":{"id":"x","dateparution":"hier"}}]}"#).unwrap_err();
        assert_eq!(e.pointer, "/records/0/fields/dateparution");
        let e = parse(br#"{"records":[{"fields":{"id":"x","dateparution":"2020-01-01","familleavis":"collective"}}]}"#).unwrap_err();
        assert_eq!(e.pointer, "/records/0/fields/jugement");
        assert!(parse(b"{}").is_err());
    }
}

//! INSEE Sirene API (V3.11): the legal unit (`GET /siren/{siren}`) and its establishments
//! (`GET /siret?q=siren:{siren}`). Parsers for the documented JSON, and the live connector.
//!
//! Field names follow INSEE's documentation: the legal unit's current state is the period whose
//! `dateFin` is null in `periodesUniteLegale`; `etatAdministratifUniteLegale` is `A` (active) or
//! `C` (ceased, the period's `dateDebut` being the cessation date).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use super::json::FormatError;
use super::json::{format_error, opt_date, opt_str, parse_json};

/// The legal unit as the decision uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LegalUnit {
    pub siren: String,
    /// Company name, or first name and name for a sole trader.
    pub name: String,
    pub active: bool,
    /// When the unit ceased, if it did.
    pub ceased_on: Option<NaiveDate>,
    pub created_on: Option<NaiveDate>,
    /// INSEE legal category (`catégorie juridique`), for example `5710` for an SAS.
    pub legal_form: Option<String>,
    /// NAF rev. 2 code, for example `62.02A`.
    pub naf: Option<String>,
    /// INSEE headcount band (`tranche d'effectifs`), for example `12` for 20–49 employees.
    pub headcount_band: Option<String>,
    /// PME, ETI or GE.
    pub category: Option<String>,
    /// A natural person trading in their own name.
    pub sole_trader: bool,
    /// Whether INSEE may publish the unit's data (`O`) or not (`P`, partially diffusible).
    pub diffusible: bool,
    /// The latest date the name or the legal form changed, from the history of periods.
    pub last_identity_change: Option<NaiveDate>,
    /// JSON pointer of the current period in the payload, for lineage.
    pub current_period_pointer: String,
}

/// One establishment (SIRET).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Establishment {
    pub siret: String,
    pub head_office: bool,
    pub active: bool,
    pub created_on: Option<NaiveDate>,
    pub naf: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
}

/// What an INSEE answer that is not a 200 says (`header.statut`, `header.message`).
pub fn header_status(body: &[u8]) -> Option<(u16, String)> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let status = v.pointer("/header/statut")?.as_u64()?;
    let message = v
        .pointer("/header/message")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    Some((u16::try_from(status).ok()?, message))
}

/// Parses a `/siren/{siren}` answer.
pub fn parse_legal_unit(body: &[u8]) -> Result<LegalUnit, FormatError> {
    let root = parse_json(body)?;
    let unit = root
        .get("uniteLegale")
        .filter(|u| u.is_object())
        .ok_or_else(|| format_error("/uniteLegale", "missing"))?;
    let base = "/uniteLegale";
    let siren = opt_str(unit, base, "siren")?
        .ok_or_else(|| format_error("/uniteLegale/siren", "missing"))?
        .to_owned();
    let periods = match unit.get("periodesUniteLegale") {
        Some(Value::Array(p)) if !p.is_empty() => p.as_slice(),
        _ => {
            return Err(format_error(
                "/uniteLegale/periodesUniteLegale",
                "missing or empty",
            ))
        }
    };
    let current_index = periods
        .iter()
        .position(|p| p.get("dateFin").is_none_or(Value::is_null))
        .unwrap_or(0);
    let current = &periods[current_index];
    let pbase = format!("{base}/periodesUniteLegale/{current_index}");
    let state = opt_str(current, &pbase, "etatAdministratifUniteLegale")?;
    let active = match state {
        Some("A") => true,
        Some("C") => false,
        other => {
            return Err(format_error(
                &format!("{pbase}/etatAdministratifUniteLegale"),
                format!("expected \"A\" or \"C\", found {other:?}"),
            ))
        }
    };
    let ceased_on = if active {
        None
    } else {
        opt_date(current, &pbase, "dateDebut")?
    };
    let last_name = opt_str(current, &pbase, "nomUniteLegale")?;
    let sole_trader = opt_str(current, &pbase, "categorieJuridiqueUniteLegale")? == Some("1000");
    let name = match opt_str(current, &pbase, "denominationUniteLegale")? {
        Some(d) if !d.trim().is_empty() => d.trim().to_owned(),
        _ => {
            let first = opt_str(unit, base, "prenomUsuelUniteLegale")?.or(opt_str(
                unit,
                base,
                "prenom1UniteLegale",
            )?);
            let last = opt_str(current, &pbase, "nomUsageUniteLegale")?.or(last_name);
            match (first, last) {
                (Some(f), Some(l)) => format!("{} {}", f.trim(), l.trim()),
                (None, Some(l)) => l.trim().to_owned(),
                // Non-diffusible units have their name withheld.
                _ => "[NON-DIFFUSIBLE]".to_owned(),
            }
        }
    };
    let mut last_identity_change = None;
    for (i, p) in periods.iter().enumerate() {
        let pb = format!("{base}/periodesUniteLegale/{i}");
        let changed = [
            "changementDenominationUniteLegale",
            "changementCategorieJuridiqueUniteLegale",
            "changementNomUniteLegale",
        ]
        .iter()
        .any(|k| p.get(*k).and_then(Value::as_bool).unwrap_or(false));
        // The first period of a unit is its creation, not a change.
        if changed && i + 1 < periods.len() {
            let start = opt_date(p, &pb, "dateDebut")?;
            last_identity_change = last_identity_change.max(start);
        }
    }
    Ok(LegalUnit {
        siren,
        name,
        active,
        ceased_on,
        created_on: opt_date(unit, base, "dateCreationUniteLegale")?,
        legal_form: opt_str(current, &pbase, "categorieJuridiqueUniteLegale")?.map(str::to_owned),
        naf: opt_str(current, &pbase, "activitePrincipaleUniteLegale")?.map(str::to_owned),
        headcount_band: opt_str(unit, base, "trancheEffectifsUniteLegale")?.map(str::to_owned),
        category: opt_str(unit, base, "categorieEntreprise")?.map(str::to_owned),
        sole_trader,
        diffusible: opt_str(unit, base, "statutDiffusionUniteLegale")? != Some("P"),
        last_identity_change,
        current_period_pointer: pbase,
    })
}

/// Parses a `/siret?q=…` answer (`etablissements` array) or a `/siret/{siret}` answer
/// (`etablissement` object).
pub fn parse_establishments(body: &[u8]) -> Result<Vec<Establishment>, FormatError> {
    let root = parse_json(body)?;
    let (items, base): (Vec<&Value>, &str) =
        match (root.get("etablissements"), root.get("etablissement")) {
            (Some(Value::Array(list)), _) => (list.iter().collect(), "/etablissements"),
            (_, Some(one @ Value::Object(_))) => (vec![one], "/etablissement"),
            _ => return Err(format_error("/etablissements", "missing")),
        };
    items
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let eb = if base == "/etablissement" {
                base.to_owned()
            } else {
                format!("{base}/{i}")
            };
            let siret = opt_str(e, &eb, "siret")?
                .ok_or_else(|| format_error(&format!("{eb}/siret"), "missing"))?
                .to_owned();
            let current = match e.get("periodesEtablissement") {
                Some(Value::Array(p)) => p
                    .iter()
                    .find(|p| p.get("dateFin").is_none_or(Value::is_null))
                    .or(p.first()),
                _ => None,
            };
            let state = current
                .and_then(|p| p.get("etatAdministratifEtablissement"))
                .and_then(Value::as_str);
            let naf = current
                .and_then(|p| p.get("activitePrincipaleEtablissement"))
                .and_then(Value::as_str)
                .map(str::to_owned);
            let address = e.get("adresseEtablissement");
            let addr = |k: &str| {
                address
                    .and_then(|a| a.get(k))
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            Ok(Establishment {
                siret,
                head_office: e
                    .get("etablissementSiege")
                    .and_then(Value::as_bool)
                    .unwrap_or(false),
                active: state != Some("F"),
                created_on: opt_date(e, &eb, "dateCreationEtablissement")?,
                naf,
                postcode: addr("codePostalEtablissement"),
                city: addr("libelleCommuneEtablissement"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::tests_support::payload;

    #[test]
    fn every_sirene_legal_unit_payload_parses_with_its_status_and_dates() {
        for name in [
            "finassure",
            "ganymede",
            "grand-paris",
            "manakin-production",
            "raphael",
            "red-needles",
            "sauvage",
            "solution-energie",
        ] {
            let body = payload(&format!("insee_sirene_v3/siren__{name}.json"));
            let unit = parse_legal_unit(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(unit.siren.len(), 9, "{name}");
            assert!(crate::ids::Siren::parse(&unit.siren).is_ok(), "{name}");
            assert!(unit.created_on.is_some(), "{name}");
            assert!(unit.naf.is_some(), "{name}");
            assert!(!unit.name.is_empty(), "{name}");
            assert_eq!(unit.active, unit.ceased_on.is_none(), "{name}");
        }
        let ganymede = parse_legal_unit(&payload("insee_sirene_v3/siren__ganymede.json")).unwrap();
        assert!(!ganymede.active, "Ganymède is ceased in its payload");
        assert_eq!(ganymede.name, "GANYMEDE");
        assert_eq!(ganymede.legal_form.as_deref(), Some("5710"));
        let sauvage = parse_legal_unit(&payload("insee_sirene_v3/siren__sauvage.json")).unwrap();
        assert!(sauvage.sole_trader);
        assert_eq!(sauvage.name, "MICHEL SAUVAGE");
        assert_eq!(sauvage.created_on, NaiveDate::from_ymd_opt(1981, 10, 1));
        assert_eq!(sauvage.naf.as_deref(), Some("68.20A"));
    }

    #[test]
    fn every_sirene_establishment_payload_parses() {
        for name in [
            "finassure",
            "ganymede",
            "grand-paris",
            "manakin-production",
            "raphael",
            "red-needles",
            "sauvage",
            "solution-energie",
        ] {
            let body = payload(&format!("insee_sirene_v3/siret-by-siren__{name}.json"));
            let list = parse_establishments(&body).unwrap_or_else(|e| panic!("{name}: {e}"));
            let total = serde_json::from_slice::<Value>(&body).unwrap()["header"]["total"]
                .as_u64()
                .unwrap();
            assert_eq!(list.len() as u64, total, "{name}");
            assert!(list.iter().all(|e| e.siret.len() == 14));
        }
        let one = parse_establishments(&payload("insee_sirene_v3/siret__ganymede.json")).unwrap();
        assert_eq!(one.len(), 1);
        assert!(!one[0].active, "the establishment is closed (F)");
    }

    #[test]
    fn a_malformed_sirene_answer_names_the_field() {
        let e = parse_legal_unit(br#"{"uniteLegale":{"siren":"880878145","periodesUniteLegale":[{"dateFin":null,"etatAdministratifUniteLegale":"X"}]}}"#).unwrap_err();
        assert_eq!(
            e.pointer,
            "/uniteLegale/periodesUniteLegale/0/etatAdministratifUniteLegale"
        );
        let e = parse_legal_unit(b"<html>").unwrap_err();
        assert!(e.problem.contains("not JSON"));
        let e = parse_legal_unit(br#"{"uniteLegale":{"siren":"880878145","dateCreationUniteLegale":"2020-13-45","periodesUniteLegale":[{"dateFin":null,"etatAdministratifUniteLegale":"A"}]}}"#).unwrap_err();
        assert_eq!(e.pointer, "/uniteLegale/dateCreationUniteLegale");
    }

    proptest::proptest! {
        #[test]
        fn the_sirene_parsers_never_panic(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse_legal_unit(&body);
            let _ = parse_establishments(&body);
            let _ = header_status(&body);
        }

        #[test]
        fn the_sirene_parsers_never_panic_on_payload_shaped_input(
            state in "[AC F]{0,2}", date in "[0-9-]{0,12}", name in "\\PC{0,20}", end in proptest::option::of("[0-9-]{0,12}"),
        ) {
            let unit = serde_json::json!({"uniteLegale": {"siren": "880878145", "dateCreationUniteLegale": date,
                "periodesUniteLegale": [{"dateFin": end, "dateDebut": date, "etatAdministratifUniteLegale": state,
                    "denominationUniteLegale": name, "changementDenominationUniteLegale": true}, {"dateDebut": date}]}});
            let _ = parse_legal_unit(unit.to_string().as_bytes());
            let list = serde_json::json!({"etablissements": [{"siret": name, "dateCreationEtablissement": date,
                "periodesEtablissement": [{"dateFin": end, "etatAdministratifEtablissement": state}]}]});
            let _ = parse_establishments(list.to_string().as_bytes());
        }
    }

    #[test]
    fn an_insee_error_header_is_read() {
        assert_eq!(
            header_status(br#"{"header":{"statut":404,"message":"Aucun element trouve"}}"#),
            Some((404, "Aucun element trouve".to_owned()))
        );
    }
}

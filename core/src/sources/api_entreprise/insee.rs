//! The INSEE Sirene data as API Entreprise v3 serves it: the legal unit
//! (`/v3/insee/sirene/unites_legales/{siren}`) and one establishment
//! (`/v3/insee/sirene/etablissements/{siret}`), read into the same [`LegalUnit`] and
//! [`Establishment`] the INSEE parser produces.
//!
//! API Entreprise gives the current state only (no history of periods): `etat_administratif` is
//! `A` (active) or `C` (ceased, `date_cessation`) for a unit, `A` or `F` (closed) for an
//! establishment; dates are Unix timestamps of midnight, Paris time; codes come as objects
//! (`forme_juridique.code`, `activite_principale.code`, `tranche_effectif_salarie.code`).
//! `status_diffusion` is `diffusible`, `partiellement_diffusible` or `non_diffusible`.

use super::{
    data_object, opt_bool, opt_code, opt_day, opt_object, opt_text, FormatError, LegalUnit,
};
use crate::sources::json::{format_error, opt_str, parse_json};
use crate::sources::sirene::Establishment;
use serde_json::Value;

/// What the decision shows instead of a natural person's name they asked INSEE not to publish.
const WITHHELD: &str = "[NON-DIFFUSIBLE]";

/// Parses a `/v3/insee/sirene/unites_legales/{siren}` answer.
///
/// The name is the `raison_sociale`, or for a natural person the first name (`prenom_usuel`,
/// else `prenom_1`) and the name (`nom_usage`, else `nom_naissance`). A natural person whose
/// data is not fully diffusible has the name withheld (`[NON-DIFFUSIBLE]`): API Entreprise
/// gives it to administrations, a lender must not show it. `current_period_pointer` is `/data`
/// (the answer holds one state, not periods) and `last_identity_change` is unknown.
pub fn parse_unite_legale(body: &[u8]) -> Result<LegalUnit, FormatError> {
    let root = parse_json(body)?;
    let unit = data_object(&root)?;
    let base = "/data";
    let siren =
        opt_text(unit, base, "siren")?.ok_or_else(|| format_error("/data/siren", "missing"))?;
    let active = match opt_str(unit, base, "etat_administratif")? {
        Some("A") => true,
        Some("C") => false,
        other => {
            return Err(format_error(
                "/data/etat_administratif",
                format!("expected \"A\" or \"C\", found {other:?}"),
            ))
        }
    };
    let ceased_on = if active {
        None
    } else {
        opt_day(unit, base, "date_cessation")?
    };
    let legal_form = code_of(unit, base, "forme_juridique")?;
    let physical = opt_str(unit, base, "type")? == Some("personne_physique");
    let sole_trader = physical || legal_form.as_deref() == Some("1000");
    let diffusible = diffusible(unit, base)?;
    let name = name(unit, base, sole_trader && !diffusible)?;
    Ok(LegalUnit {
        siren,
        name,
        active,
        ceased_on,
        created_on: opt_day(unit, base, "date_creation")?,
        legal_form,
        naf: code_of(unit, base, "activite_principale")?.map(|c| naf(&c)),
        headcount_band: code_of(unit, base, "tranche_effectif_salarie")?,
        category: opt_text(unit, base, "categorie_entreprise")?,
        sole_trader,
        diffusible,
        last_identity_change: None,
        current_period_pointer: base.to_owned(),
    })
}

/// Parses a `/v3/insee/sirene/etablissements/{siret}` answer.
///
/// An establishment of a partially diffusible unit keeps its city but not its postcode, as in
/// INSEE's own rules for partial diffusion.
pub fn parse_etablissement(body: &[u8]) -> Result<Establishment, FormatError> {
    let root = parse_json(body)?;
    let establishment = data_object(&root)?;
    let base = "/data";
    let siret = opt_text(establishment, base, "siret")?
        .ok_or_else(|| format_error("/data/siret", "missing"))?;
    let active = match opt_str(establishment, base, "etat_administratif")? {
        Some("A") => true,
        Some("F") => false,
        other => {
            return Err(format_error(
                "/data/etat_administratif",
                format!("expected \"A\" or \"F\", found {other:?}"),
            ))
        }
    };
    let address = opt_object(establishment, base, "adresse")?;
    let (postcode, city) = match address {
        Some(a) => {
            let abase = "/data/adresse";
            let public = diffusible(a, abase)? && diffusible(establishment, base)?;
            let postcode = if public {
                opt_text(a, abase, "code_postal")?
            } else {
                None
            };
            let city = match opt_text(a, abase, "libelle_commune")? {
                Some(city) => Some(city),
                None => opt_text(a, abase, "libelle_commune_etranger")?,
            };
            (postcode, city)
        }
        None => (None, None),
    };
    Ok(Establishment {
        siret,
        head_office: opt_bool(establishment, base, "siege_social")?.unwrap_or(false),
        active,
        created_on: opt_day(establishment, base, "date_creation")?,
        naf: code_of(establishment, base, "activite_principale")?.map(|c| naf(&c)),
        postcode,
        city,
    })
}

/// `status_diffusion` decides; older answers only have `diffusable_commercialement`.
fn diffusible(v: &Value, base: &str) -> Result<bool, FormatError> {
    Ok(match opt_str(v, base, "status_diffusion")? {
        Some(status) => status == "diffusible",
        None => opt_bool(v, base, "diffusable_commercialement")?.unwrap_or(true),
    })
}

fn name(unit: &Value, base: &str, withheld: bool) -> Result<String, FormatError> {
    if withheld {
        return Ok(WITHHELD.to_owned());
    }
    if let Some(legal) = opt_object(unit, base, "personne_morale_attributs")? {
        let lbase = format!("{base}/personne_morale_attributs");
        if let Some(raison_sociale) = opt_text(legal, &lbase, "raison_sociale")? {
            return Ok(raison_sociale);
        }
    }
    let Some(person) = opt_object(unit, base, "personne_physique_attributs")? else {
        return Ok(WITHHELD.to_owned());
    };
    let pbase = format!("{base}/personne_physique_attributs");
    let first = match opt_text(person, &pbase, "prenom_usuel")? {
        Some(first) => Some(first),
        None => opt_text(person, &pbase, "prenom_1")?,
    };
    let last = match opt_text(person, &pbase, "nom_usage")? {
        Some(last) => Some(last),
        None => opt_text(person, &pbase, "nom_naissance")?,
    };
    Ok(match (first, last) {
        (Some(first), Some(last)) => format!("{first} {last}"),
        (None, Some(last)) => last,
        _ => WITHHELD.to_owned(),
    })
}

/// The `code` (text, or a number read as text) of a coded object such as `{"code": "5710", "libelle": "SAS, société par actions
/// simplifiée"}`.
fn code_of(v: &Value, base: &str, key: &str) -> Result<Option<String>, FormatError> {
    match opt_object(v, base, key)? {
        Some(coded) => {
            Ok(opt_code(coded, &format!("{base}/{key}"), "code")?.filter(|code| code != "[ND]"))
        }
        None => Ok(None),
    }
}

/// NAF rev. 2 codes in the INSEE spelling (`84.11Z`): some answers drop the dot (`8411Z`).
fn naf(code: &str) -> String {
    let b = code.as_bytes();
    if b.len() == 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4].is_ascii_uppercase() {
        format!("{}.{}", &code[..2], &code[2..])
    } else {
        code.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::staging;
    use chrono::NaiveDate;

    fn unit(name: &str) -> LegalUnit {
        let example = staging("api_entreprise_v3_insee_unites_legales")
            .into_iter()
            .find(|e| e.name.starts_with(name))
            .unwrap_or_else(|| panic!("no example {name}"));
        parse_unite_legale(&example.body).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn establishment(name: &str) -> Establishment {
        let example = staging("api_entreprise_v3_insee_etablissements")
            .into_iter()
            .find(|e| e.name.starts_with(name))
            .unwrap_or_else(|| panic!("no example {name}"));
        parse_etablissement(&example.body).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    #[test]
    fn every_staging_legal_unit_parses() {
        let examples = staging("api_entreprise_v3_insee_unites_legales");
        assert!(examples.iter().filter(|e| e.status == 200).count() >= 6);
        for example in examples.iter().filter(|e| e.status == 200) {
            let unit = parse_unite_legale(&example.body)
                .unwrap_or_else(|e| panic!("{}: {e}", example.name));
            assert!(
                crate::ids::Siren::parse(&unit.siren).is_ok(),
                "{}",
                example.name
            );
            assert!(!unit.name.is_empty(), "{}", example.name);
            assert!(unit.legal_form.is_some(), "{}", example.name);
            assert!(unit.naf.is_some(), "{}", example.name);
            assert!(unit.created_on.is_some(), "{}", example.name);
            assert!(
                unit.active || unit.ceased_on.is_some() || !unit.diffusible,
                "{}",
                example.name
            );
            assert_eq!(unit.current_period_pointer, "/data");
        }
    }

    #[test]
    fn sncf_is_an_active_sa_with_its_registered_name() {
        let sncf = unit("personne_morale.yaml");
        assert_eq!(sncf.siren, "552049447");
        assert_eq!(sncf.name, "SOCIETE NATIONALE SNCF");
        assert_eq!(sncf.legal_form.as_deref(), Some("5599"));
        assert_eq!(sncf.naf.as_deref(), Some("49.10Z"));
        assert_eq!(sncf.headcount_band.as_deref(), Some("53"));
        assert_eq!(sncf.category.as_deref(), Some("GE"));
        assert_eq!(sncf.created_on, NaiveDate::from_ymd_opt(1955, 1, 1));
        assert!(sncf.active && sncf.ceased_on.is_none());
        assert!(sncf.diffusible && !sncf.sole_trader);
    }

    #[test]
    fn the_ceased_sci_is_ceased_since_its_cessation_date() {
        let sci = unit("personne_morale_etat_cesse");
        assert_eq!(sci.siren, "350051447");
        assert_eq!(sci.name, "SCI SERGENT");
        assert!(!sci.active);
        assert_eq!(sci.ceased_on, NaiveDate::from_ymd_opt(1995, 11, 15));
        assert_eq!(sci.created_on, NaiveDate::from_ymd_opt(1989, 3, 13));
        assert_eq!(sci.legal_form.as_deref(), Some("6540"));
        assert_eq!(
            sci.naf.as_deref(),
            Some("70.2C"),
            "the NAF 1993 code is kept as given"
        );
        assert_eq!(sci.headcount_band, None);
        assert_eq!(sci.category, None);
    }

    #[test]
    fn a_diffusible_sole_trader_is_named_by_first_name_and_name() {
        let person = unit("personne_physique_diffusible");
        assert_eq!(person.name, "MAXIME DUPONT");
        assert!(person.sole_trader && person.diffusible && person.active);
        assert_eq!(person.headcount_band.as_deref(), Some("NN"));
    }

    #[test]
    fn a_non_diffusible_sole_trader_has_the_name_withheld() {
        let person = unit("personne_physique_non-diffusible");
        assert_eq!(person.siren, "350042925");
        assert_eq!(person.name, "[NON-DIFFUSIBLE]");
        assert!(!person.diffusible && person.sole_trader);
        assert!(!person.active);
        assert_eq!(person.ceased_on, NaiveDate::from_ymd_opt(2022, 6, 24));
        let older = br#"{"data":{"siren":"350042925","diffusable_commercialement":false,"type":"personne_physique",
            "personne_physique_attributs":{"prenom_usuel":"AURELIE","nom_naissance":"MOREAU"},"etat_administratif":"A"}}"#;
        let person = parse_unite_legale(older).unwrap();
        assert_eq!(
            person.name, "[NON-DIFFUSIBLE]",
            "answers without status_diffusion use diffusable_commercialement"
        );
    }

    #[test]
    fn associations_are_read_with_their_legal_category() {
        let red_cross = unit("association.yaml");
        assert_eq!(red_cross.name, "CROIX ROUGE FRANCAISE");
        assert_eq!(red_cross.legal_form.as_deref(), Some("9230"));
        let local = unit("association_regime_alsace_moselle");
        assert_eq!(local.legal_form.as_deref(), Some("9260"));
        assert_eq!(local.created_on, NaiveDate::from_ymd_opt(1999, 7, 7));
    }

    #[test]
    fn every_staging_establishment_parses() {
        let examples = staging("api_entreprise_v3_insee_etablissements");
        assert!(examples.iter().filter(|e| e.status == 200).count() >= 7);
        for example in examples.iter().filter(|e| e.status == 200) {
            let e = parse_etablissement(&example.body)
                .unwrap_or_else(|e| panic!("{}: {e}", example.name));
            assert!(
                e.siret.len() == 14 && e.siret.bytes().all(|b| b.is_ascii_digit()),
                "{}",
                example.name
            );
            assert!(e.city.is_some(), "{}", example.name);
            assert!(e.naf.is_some(), "{}", example.name);
        }
    }

    #[test]
    fn establishments_give_head_office_state_activity_and_place() {
        let sncf = establishment("personne_morale.yaml");
        assert_eq!(sncf.siret, "55204944776279");
        assert!(sncf.head_office && sncf.active);
        assert_eq!(sncf.naf.as_deref(), Some("49.10Z"));
        assert_eq!(sncf.postcode.as_deref(), Some("93210"));
        assert_eq!(sncf.city.as_deref(), Some("SAINT-DENIS"));
        assert_eq!(sncf.created_on, NaiveDate::from_ymd_opt(1986, 6, 23));
        let closed = establishment("personne_morale_etat_cesse");
        assert!(!closed.active);
        assert_eq!(closed.created_on, None);
        let dinum = establishment("200.yaml");
        assert_eq!(
            dinum.naf.as_deref(),
            Some("84.11Z"),
            "a code without its dot gets it back"
        );
        let hidden = establishment("personne_physique_non-diffusible");
        assert_eq!(
            hidden.postcode, None,
            "a partially diffusible address keeps only its city"
        );
        assert_eq!(hidden.city.as_deref(), Some("MEDILLAC"));
    }

    fn any_scalar() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| serde_json::json!(n)),
            any::<f64>().prop_map(|f| serde_json::json!(f)),
            "[ACF]|[0-9-]{0,12}|\\PC{0,12}".prop_map(Value::String),
            Just(serde_json::json!({"code": 1})),
        ]
    }

    proptest::proptest! {
        #[test]
        fn the_insee_parsers_never_panic_on_bytes(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            let _ = parse_unite_legale(&body);
            let _ = parse_etablissement(&body);
        }

        #[test]
        fn the_insee_parsers_never_panic_on_payload_shaped_input(
            state in any_scalar(), date in any_scalar(), name in any_scalar(), code in any_scalar(),
            kind in any_scalar(), status in any_scalar(), flag in any_scalar(),
        ) {
            let unit = serde_json::json!({"data": {"siren": name, "type": kind, "status_diffusion": status,
                "diffusable_commercialement": flag, "etat_administratif": state, "date_cessation": date,
                "date_creation": date, "forme_juridique": {"code": code}, "activite_principale": {"code": code},
                "tranche_effectif_salarie": code, "categorie_entreprise": name,
                "personne_morale_attributs": {"raison_sociale": name},
                "personne_physique_attributs": {"prenom_usuel": name, "nom_naissance": code}}});
            let _ = parse_unite_legale(unit.to_string().as_bytes());
            let establishment = serde_json::json!({"data": {"siret": name, "siege_social": flag,
                "etat_administratif": state, "date_creation": date, "status_diffusion": status,
                "activite_principale": {"code": code},
                "adresse": {"code_postal": code, "libelle_commune": name, "status_diffusion": status}}});
            let _ = parse_etablissement(establishment.to_string().as_bytes());
        }
    }

    #[test]
    fn a_malformed_insee_answer_names_the_field() {
        let e = parse_unite_legale(br#"{"data":{"siren":"552049447","etat_administratif":"X"}}"#)
            .unwrap_err();
        assert_eq!(e.pointer, "/data/etat_administratif");
        let e = parse_unite_legale(br#"{"data":{"siren":"552049447","etat_administratif":"A","date_creation":"1955-13-01"}}"#).unwrap_err();
        assert_eq!(e.pointer, "/data/date_creation");
        let e = parse_unite_legale(
            br#"{"data":{"siren":"552049447","etat_administratif":"A","forme_juridique":"5599"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/data/forme_juridique");
        let e = parse_unite_legale(br#"{"errors":[]}"#).unwrap_err();
        assert_eq!(e.pointer, "/data");
        let e = parse_etablissement(
            br#"{"data":{"siret":"55204944776279","etat_administratif":"A","siege_social":"yes"}}"#,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/data/siege_social");
        let e = parse_etablissement(b"not json").unwrap_err();
        assert!(e.problem.contains("not JSON"));
    }
}

//! API Entreprise v3 (`entreprise.api.gouv.fr`): parsers for the answers the decision can use and
//! the live connector for the Banque de France balance sheets.
//!
//! | endpoint | parser |
//! |---|---|
//! | `GET /v3/insee/sirene/unites_legales/{siren}` | [`parse_unite_legale`] → [`LegalUnit`] |
//! | `GET /v3/insee/sirene/etablissements/{siret}` | [`parse_etablissement`] → [`Establishment`] |
//! | `GET /v3/banque_de_france/unites_legales/{siren}/bilans` | [`parse_bilans_bdf`] → [`FiledYear`]s |
//! | `GET /v3/dgfip/unites_legales/{siren}/liasses_fiscales/{year}` | [`parse_liasses_fiscales`] → [`FiledYear`]s |
//! | `GET /v3/dgfip/etablissements/{siret}/chiffres_affaires` | [`parse_chiffres_affaires`] → [`Turnover`]s |
//! | Opendatasoft dataset `ratios_inpi_bce` (public ratios of filed accounts) | [`parse_ratios_inpi`] → [`FiledRatios`] |
//! | any error answer (`{"errors": [...]}`) | [`parse_error`] → [`ApiError`]s |
//!
//! Every call takes three mandatory query parameters, kept by API Entreprise for its audit:
//! `context` (why), `recipient` (SIRET of the organisation the data is for) and `object` (the file
//! it serves); the credential is a bearer token. Successful bodies wrap their content in
//! `{"data": …, "links": …, "meta": …}`; collections are `data` arrays of such wrappers.
//!
//! The parsers are pure and never panic; a body out of the documented format gives a
//! [`FormatError`] naming the JSON pointer of the problem.

mod filed;
mod insee;
mod ratios;
mod turnover;

pub use filed::{
    bilans_payload, parse_bilans_bdf, parse_liasses_fiscales, Closing, ComputedValue, Figure,
    FiledLine, FiledOrigin, FiledYear, LineValue,
};
pub use insee::{parse_etablissement, parse_unite_legale};
pub use ratios::{parse_ratios_inpi, FiledRatios};
pub use turnover::{parse_chiffres_affaires, Turnover};

pub use super::json::FormatError;
pub use super::sirene::{Establishment, LegalUnit};

use super::json::{format_error, opt_str};
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One entry of an API Entreprise error answer (`{"errors": [{"code", "title", "detail",
/// "source", "meta": {"provider"}}]}`). The code is API Entreprise's, for example `04003`
/// (the entity is unknown to the provider).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    pub code: String,
    pub title: String,
    pub detail: String,
    /// The request parameter (or body pointer) at fault, when the answer names one.
    pub source: Option<String>,
    /// The upstream provider that answered (`INSEE`, `Banque de France`, `DGFIP - Adélie`…).
    pub provider: Option<String>,
}

/// Reads an error answer; `None` when the body is not one (not JSON, or no `errors` entries).
pub fn parse_error(body: &[u8]) -> Option<Vec<ApiError>> {
    let root: Value = serde_json::from_slice(body).ok()?;
    let errors: Vec<ApiError> = root
        .get("errors")?
        .as_array()?
        .iter()
        .filter(|e| e.is_object())
        .map(|e| {
            let text = |key: &str| scalar_text(e.get(key)).unwrap_or_default();
            let source = match e.get("source") {
                Some(Value::Object(s)) => {
                    scalar_text(s.get("parameter")).or_else(|| scalar_text(s.get("pointer")))
                }
                other => scalar_text(other),
            };
            ApiError {
                code: text("code"),
                title: text("title"),
                detail: text("detail"),
                source,
                provider: scalar_text(e.pointer("/meta/provider")),
            }
        })
        .collect();
    (!errors.is_empty()).then_some(errors)
}

/// A string or a number as text; `None` for anything else.
fn scalar_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

// Reading helpers shared by the parsers. Absent and `null` are the same thing in these answers.

/// Escapes a key for use in a JSON pointer (RFC 6901).
fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn present<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.get(key).filter(|x| !x.is_null())
}

/// The `data` object of a single-resource answer.
fn data_object(root: &Value) -> Result<&Value, FormatError> {
    present(root, "data")
        .filter(|d| d.is_object())
        .ok_or_else(|| format_error("/data", "missing or not an object"))
}

fn opt_object<'a>(v: &'a Value, base: &str, key: &str) -> Result<Option<&'a Value>, FormatError> {
    match present(v, key) {
        None => Ok(None),
        Some(o @ Value::Object(_)) => Ok(Some(o)),
        Some(_) => Err(format_error(&format!("{base}/{key}"), "expected an object")),
    }
}

fn opt_array<'a>(v: &'a Value, base: &str, key: &str) -> Result<&'a [Value], FormatError> {
    match present(v, key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a.as_slice()),
        Some(_) => Err(format_error(&format!("{base}/{key}"), "expected an array")),
    }
}

fn opt_bool(v: &Value, base: &str, key: &str) -> Result<Option<bool>, FormatError> {
    match present(v, key) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(format_error(
            &format!("{base}/{key}"),
            "expected true or false",
        )),
    }
}

/// A string field, trimmed; empty strings and INSEE's `[ND]` (withheld) read as absent.
fn opt_text(v: &Value, base: &str, key: &str) -> Result<Option<String>, FormatError> {
    Ok(opt_str(v, base, key)?
        .map(str::trim)
        .filter(|s| !s.is_empty() && *s != "[ND]")
        .map(str::to_owned))
}

/// A field that is a string or a number, as text (codes and years come both ways).
fn opt_code(v: &Value, base: &str, key: &str) -> Result<Option<String>, FormatError> {
    match present(v, key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_owned()).filter(|s| !s.is_empty())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(_) => Err(format_error(
            &format!("{base}/{key}"),
            "expected a string or a number",
        )),
    }
}

/// Whole euros written as text (`"-1938094000"`, `"12 500"`, `"1250.00"`); `None` when the
/// text is not a whole number.
fn whole_number(text: &str) -> Option<i64> {
    let compact: String = text
        .trim()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}')
        .collect();
    if let Ok(n) = compact.parse::<i64>() {
        return Some(n);
    }
    let (int, frac) = compact.split_once(['.', ','])?;
    if frac.is_empty() || !frac.bytes().all(|b| b == b'0') {
        return None;
    }
    int.parse::<i64>().ok()
}

/// A JSON number as whole euros, rounded half away from zero when it has decimals.
fn number_to_euros(n: &serde_json::Number) -> Option<i64> {
    if let Some(i) = n.as_i64() {
        return Some(i);
    }
    let f = n.as_f64()?.round();
    // 2^63 is exactly representable; anything at or beyond it does not fit.
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    (-TWO_63..TWO_63).contains(&f).then_some(f as i64)
}

/// An amount in euros given as a number or as numeric text.
fn opt_euros(v: &Value, base: &str, key: &str) -> Result<Option<i64>, FormatError> {
    let pointer = || format!("{base}/{key}");
    match present(v, key) {
        None => Ok(None),
        Some(Value::Number(n)) => number_to_euros(n)
            .map(Some)
            .ok_or_else(|| format_error(&pointer(), format!("{n} does not fit in euros"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => whole_number(s)
            .or_else(|| {
                s.trim()
                    .parse::<serde_json::Number>()
                    .ok()
                    .and_then(|n| number_to_euros(&n))
            })
            .map(Some)
            .ok_or_else(|| format_error(&pointer(), format!("{s:?} is not an amount"))),
        Some(_) => Err(format_error(&pointer(), "expected an amount")),
    }
}

/// A ratio or a percentage given as a number or as numeric text.
fn opt_number(v: &Value, base: &str, key: &str) -> Result<Option<f64>, FormatError> {
    let pointer = || format!("{base}/{key}");
    match present(v, key) {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .replace(',', ".")
            .parse::<f64>()
            .ok()
            .filter(|f| f.is_finite())
            .map(Some)
            .ok_or_else(|| format_error(&pointer(), format!("{s:?} is not a number"))),
        Some(_) => Err(format_error(&pointer(), "expected a number")),
    }
}

/// A `YYYY-MM-DD` date; a longer ISO 8601 date-time is read for its date part.
fn parse_iso_date(text: &str) -> Option<NaiveDate> {
    super::iso_date(text.get(..10)?)
}

fn opt_iso_date(v: &Value, base: &str, key: &str) -> Result<Option<NaiveDate>, FormatError> {
    opt_str(v, base, key)?
        .map(|s| {
            parse_iso_date(s.trim()).ok_or_else(|| {
                format_error(&format!("{base}/{key}"), format!("{s:?} is not a date"))
            })
        })
        .transpose()
}

/// API Entreprise gives the INSEE dates as Unix timestamps of midnight, Paris time (a string
/// `YYYY-MM-DD` is read too).
fn opt_day(v: &Value, base: &str, key: &str) -> Result<Option<NaiveDate>, FormatError> {
    let pointer = || format!("{base}/{key}");
    match present(v, key) {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() < 1e15)
                    .map(|f| f as i64)
            })
            .and_then(paris_date)
            .map(Some)
            .ok_or_else(|| format_error(&pointer(), format!("{n} is not a timestamp"))),
        Some(Value::String(s)) => parse_iso_date(s.trim())
            .map(Some)
            .ok_or_else(|| format_error(&pointer(), format!("{s:?} is not a date"))),
        Some(_) => Err(format_error(&pointer(), "expected a timestamp")),
    }
}

/// The calendar day in Paris of a Unix timestamp: UTC+1, UTC+2 in summer time (last Sunday of
/// March to last Sunday of October, at 01:00 UTC). Before 1996 the French summer time rules
/// differed; the error is at most one hour, which never moves the midnight timestamps INSEE
/// dates are made of to another day.
fn paris_date(timestamp: i64) -> Option<NaiveDate> {
    let utc = DateTime::<Utc>::from_timestamp(timestamp, 0)?.naive_utc();
    let year = utc.year();
    let switch = |month: u32| -> Option<chrono::NaiveDateTime> {
        let last = NaiveDate::from_ymd_opt(year, month, 31)?;
        let back = last.weekday().days_since(Weekday::Sun);
        last.checked_sub_days(Days::new(u64::from(back)))?
            .and_hms_opt(1, 0, 0)
    };
    let summer = match (switch(3), switch(10)) {
        (Some(start), Some(end)) => utc >= start && utc < end,
        _ => false,
    };
    let offset = TimeDelta::hours(if summer { 2 } else { 1 });
    Some(utc.checked_add_signed(offset)?.date())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::*;

    #[test]
    fn the_yaml_helper_reads_the_payload_block_and_its_status() {
        let yaml = "---\ndescription: 'x'\nparams:\n  siren: '1'\nstatus: 404\npayload: |-\n  {\n    \"a\": [\n\n      1\n    ]\n  }\n";
        let block = yaml_block(yaml, "payload").unwrap();
        assert_eq!(block, "{\n  \"a\": [\n\n    1\n  ]\n}");
        assert_eq!(serde_json::from_str::<Value>(&block).unwrap()["a"][0], 1);
        assert!(
            yaml_block(yaml, "params").is_none(),
            "params is a mapping, not a block"
        );
    }

    #[test]
    fn every_error_payload_gives_its_api_entreprise_code() {
        let mut seen = 0;
        for folder_name in [
            "api_entreprise_v3_insee_unites_legales",
            "api_entreprise_v3_insee_etablissements",
            "api_entreprise_v3_banque_de_france_bilans_entreprise",
            "api_entreprise_v3_dgfip_liasses_fiscales",
            "api_entreprise_v3_dgfip_chiffres_affaires",
        ] {
            for example in staging(folder_name).into_iter().filter(|e| e.status >= 400) {
                let errors = parse_error(&example.body)
                    .unwrap_or_else(|| panic!("{folder_name}/{}: no error envelope", example.name));
                assert!(
                    errors
                        .iter()
                        .all(|e| !e.code.is_empty() && !e.title.is_empty()),
                    "{}",
                    example.name
                );
                seen += 1;
            }
        }
        assert!(seen >= 4, "the staging data has 404 examples");
        let bdf = staging("api_entreprise_v3_banque_de_france_bilans_entreprise")
            .into_iter()
            .find(|e| e.status == 404)
            .unwrap();
        let errors = parse_error(&bdf.body).unwrap();
        assert_eq!(errors[0].code, "04003");
        assert_eq!(errors[0].title, "Entité non trouvée");
        assert_eq!(errors[0].provider.as_deref(), Some("Banque de France"));
        let liasses = staging("api_entreprise_v3_dgfip_liasses_fiscales")
            .into_iter()
            .find(|e| e.status == 404)
            .unwrap();
        assert_eq!(parse_error(&liasses.body).unwrap()[0].code, "03003");
    }

    /// Which parser reads the successful answers of each reference folder or file.
    fn parse_success(kind: &str, body: &[u8]) -> Result<(), FormatError> {
        match kind {
            "api_entreprise_v3_insee_unites_legales" => parse_unite_legale(body).map(drop),
            "api_entreprise_v3_insee_etablissements" => parse_etablissement(body).map(drop),
            "api_entreprise_v3_banque_de_france_bilans_entreprise"
            | "banque-de-france-bilans.json" => parse_bilans_bdf(body).map(drop),
            "api_entreprise_v3_dgfip_liasses_fiscales" | "dgfip-liasses-fiscales.json" => {
                parse_liasses_fiscales(body).map(drop)
            }
            "api_entreprise_v3_dgfip_chiffres_affaires" => parse_chiffres_affaires(body).map(drop),
            "donnees-financieres.json" => parse_ratios_inpi(body).map(drop),
            other => panic!("no parser for the reference payloads {other}"),
        }
    }

    #[test]
    fn every_reference_payload_file_parses() {
        let mut parsed = 0;
        let staging_dir = folder("api_entreprise_staging");
        let mut folders: Vec<_> = std::fs::read_dir(&staging_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        folders.sort();
        for dir in folders {
            let kind = dir.file_name().unwrap().to_string_lossy().into_owned();
            for example in staging(&kind) {
                if example.status < 300 {
                    parse_success(&kind, &example.body)
                        .unwrap_or_else(|e| panic!("{kind}/{}: {e}", example.name));
                } else {
                    assert!(
                        parse_error(&example.body).is_some(),
                        "{kind}/{}",
                        example.name
                    );
                }
                parsed += 1;
            }
        }
        for path in files("annuaire_e2e_fixtures", &["json"]) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            parse_success(&name, &annuaire(&name)).unwrap_or_else(|e| panic!("{name}: {e}"));
            parsed += 1;
        }
        assert!(parsed >= 25, "{parsed} payloads");
    }

    #[test]
    fn a_success_body_or_garbage_is_not_an_error_answer() {
        let ok = staging("api_entreprise_v3_banque_de_france_bilans_entreprise")
            .into_iter()
            .find(|e| e.status == 200)
            .unwrap();
        assert_eq!(parse_error(&ok.body), None);
        assert_eq!(parse_error(b"<html>502</html>"), None);
        assert_eq!(parse_error(br#"{"errors": []}"#), None);
        let errors = parse_error(
            r#"{"errors":[{"code":"00301","title":"Entité non traitable","detail":"Le siren est invalide","source":{"parameter":"siren"}}]}"#.as_bytes(),
        )
        .unwrap();
        assert_eq!(errors[0].source.as_deref(), Some("siren"));
        assert_eq!(errors[0].provider, None);
    }

    proptest::proptest! {
        #[test]
        fn the_error_parser_never_panics(body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300), code in "\\PC{0,8}", n in proptest::prelude::any::<i64>()) {
            let _ = parse_error(&body);
            let shaped = serde_json::json!({"errors": [{"code": code, "title": n, "detail": null, "source": code, "meta": {"provider": n}}, 3]});
            let errors = parse_error(shaped.to_string().as_bytes());
            proptest::prop_assert_eq!(errors.map(|e| e.len()), Some(1));
        }
    }

    #[test]
    fn insee_timestamps_are_read_as_the_day_in_paris() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        // Midnight in winter (UTC+1) and in summer (UTC+2).
        assert_eq!(paris_date(816_390_000), day(1995, 11, 15));
        assert_eq!(paris_date(1_656_021_600), day(2022, 6, 24));
        assert_eq!(paris_date(-473_389_200), day(1955, 1, 1));
        // Around the switch to summer time on 2024-03-31 at 01:00 UTC.
        assert_eq!(paris_date(1_711_846_800 - 1), day(2024, 3, 31));
        assert_eq!(
            paris_date(1_711_922_400),
            day(2024, 4, 1),
            "22:00 UTC is midnight in summer"
        );
        assert_eq!(paris_date(i64::MAX), None);
    }

    #[test]
    fn amounts_are_read_from_text_or_numbers_in_whole_euros() {
        assert_eq!(whole_number("-1938094000"), Some(-1_938_094_000));
        assert_eq!(whole_number(" 12 500 "), Some(12_500));
        assert_eq!(whole_number("1250.00"), Some(1250));
        assert_eq!(whole_number("1250.5"), None);
        assert_eq!(whole_number("Déposé néant"), None);
        let v = serde_json::json!({"a": 12.5, "b": "7", "c": true, "d": 1e300});
        assert_eq!(opt_euros(&v, "", "a"), Ok(Some(13)));
        assert_eq!(opt_euros(&v, "", "b"), Ok(Some(7)));
        assert_eq!(opt_euros(&v, "/x", "c").unwrap_err().pointer, "/x/c");
        assert_eq!(opt_euros(&v, "/x", "d").unwrap_err().pointer, "/x/d");
        assert_eq!(opt_euros(&v, "", "missing"), Ok(None));
    }
}

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

use super::http::Endpoint;
use super::json::{format_error, opt_str};
use super::{Fetched, Source, SourceError, SourceId, SourceRequest};
use app::ids::Siren;
use async_trait::async_trait;
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeDelta, Utc, Weekday};
use reqwest::header::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tokio::time::Instant;

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

/// Live connector for [`SourceId::FiledAccounts`]: the Banque de France balance sheets of the
/// request's company, `GET {base_url}/v3/banque_de_france/unites_legales/{siren}/bilans` with
/// the bearer token of the [`Endpoint`] and the mandatory `context`, `recipient` and `object`
/// parameters. A 404 (API Entreprise code `04003`, the Banque de France does not know the unit)
/// is [`SourceError::NotFound`].
pub struct LiveFiledAccounts {
    pub endpoint: Endpoint,
    /// SIRET of the organisation the data is for.
    pub recipient: String,
    /// Why the data is requested.
    pub context: String,
    /// The file or procedure it serves.
    pub object: String,
}

impl LiveFiledAccounts {
    /// The path and query of the balance-sheet call for `siren`, the parameters form-encoded
    /// (`Décision` becomes `D%C3%A9cision`, a space `+`).
    pub fn bilans_path(&self, siren: &Siren) -> Result<String, SourceError> {
        let url = reqwest::Url::parse_with_params(
            &format!(
                "http://api-entreprise.invalid/v3/banque_de_france/unites_legales/{siren}/bilans"
            ),
            [
                ("context", self.context.as_str()),
                ("recipient", self.recipient.as_str()),
                ("object", self.object.as_str()),
            ],
        )
        .map_err(|e| SourceError::Internal {
            detail: format!("cannot build the API Entreprise URL: {e}"),
        })?;
        Ok(format!(
            "{}?{}",
            url.path(),
            url.query().unwrap_or_default()
        ))
    }
}

#[async_trait]
impl Source for LiveFiledAccounts {
    fn id(&self) -> SourceId {
        SourceId::FiledAccounts
    }
    fn provider(&self) -> &str {
        self.endpoint.provider()
    }
    async fn fetch(&self, request: &SourceRequest, deadline: Instant) -> Fetched {
        if self.recipient.trim().is_empty() {
            return Fetched::failed(SourceError::NotConfigured {
                detail: "API Entreprise needs the recipient's SIRET".into(),
            });
        }
        let path = match self.bilans_path(&request.siren) {
            Ok(path) => path,
            Err(e) => return Fetched::failed(e),
        };
        super::http::checked(
            self.endpoint
                .get(SourceId::FiledAccounts, &path, HeaderMap::new(), deadline)
                .await,
            |body| parse_bilans_bdf(body).map(drop),
        )
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
pub(crate) mod test_support {
    //! The reference payloads of `testdata/payloads`, read the way the tests need them.

    use std::path::PathBuf;

    pub fn folder(relative: &str) -> PathBuf {
        PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../testdata/payloads/"
        ))
        .join(relative)
    }

    /// The files of a folder with one of the extensions, sorted by name.
    pub fn files(relative: &str, extensions: &[&str]) -> Vec<PathBuf> {
        let dir = folder(relative);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.unwrap().path())
            .filter(|p| {
                p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| extensions.contains(&e))
            })
            .collect();
        files.sort();
        files
    }

    /// One API Entreprise staging example: its HTTP status and the JSON body held in the YAML
    /// `payload: |-` block.
    pub struct Example {
        pub name: String,
        pub status: u16,
        pub body: Vec<u8>,
    }

    pub fn example(path: &std::path::Path) -> Example {
        let text =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let status = text
            .lines()
            .find_map(|l| l.strip_prefix("status:"))
            .and_then(|s| s.trim().trim_matches(['\'', '"']).parse().ok())
            .unwrap_or_else(|| panic!("{}: no status", path.display()));
        Example {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            status,
            body: yaml_block(&text, "payload")
                .unwrap_or_else(|| panic!("{}: no payload block", path.display()))
                .into_bytes(),
        }
    }

    /// The text of a YAML literal block (`key: |-` or `key: |`) at the top level: the following
    /// lines that are indented or blank, with the block's indentation removed.
    pub fn yaml_block(yaml: &str, key: &str) -> Option<String> {
        let mut lines = yaml.lines();
        lines.find(|l| {
            l.strip_prefix(key)
                .and_then(|rest| rest.strip_prefix(':'))
                .is_some_and(|rest| rest.trim().starts_with('|'))
        })?;
        let block: Vec<&str> = lines
            .take_while(|l| l.trim().is_empty() || l.starts_with(' '))
            .collect();
        let indent = block
            .iter()
            .filter(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start().len())
            .min()?;
        let text: Vec<&str> = block
            .iter()
            .map(|l| l.get(indent..).unwrap_or(""))
            .collect();
        Some(text.join("\n").trim_end().to_owned())
    }

    /// The examples of one API Entreprise staging folder.
    pub fn staging(folder_name: &str) -> Vec<Example> {
        files(
            &format!("api_entreprise_staging/{folder_name}"),
            &["yaml", "yml"],
        )
        .iter()
        .map(|p| example(p))
        .collect()
    }

    pub fn annuaire(file: &str) -> Vec<u8> {
        let path = folder("annuaire_e2e_fixtures").join(file);
        std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
    use super::*;
    use crate::sources::{SourceRequest, World};
    use axum::extract::{Path, RawQuery, State};
    use axum::http::{HeaderMap as Headers, StatusCode};
    use axum::response::{IntoResponse, Response};
    use secrecy::SecretString;
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

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

    fn connector(base_url: &str) -> LiveFiledAccounts {
        LiveFiledAccounts {
            endpoint: Endpoint::new(
                reqwest::Client::new(),
                "api-entreprise-v3",
                base_url,
                Some((
                    reqwest::header::AUTHORIZATION,
                    SecretString::from("jeton-de-test"),
                )),
                Duration::from_secs(5),
            ),
            recipient: "13002526500013".into(),
            context: "Décision de crédit".into(),
            object: "Dossier 42 & co=1".into(),
        }
    }

    #[test]
    fn the_mandatory_parameters_are_url_encoded() {
        let path = connector("http://localhost")
            .bilans_path(&Siren::parse("552049447").unwrap())
            .unwrap();
        assert_eq!(
            path,
            "/v3/banque_de_france/unites_legales/552049447/bilans?context=D%C3%A9cision+de+cr%C3%A9dit&recipient=13002526500013&object=Dossier+42+%26+co%3D1"
        );
    }

    /// What the stub received: the SIREN in the path, the raw query, the `Authorization` header.
    #[derive(Debug, Clone)]
    struct Call {
        siren: String,
        query: Option<String>,
        auth: Option<String>,
    }

    #[derive(Default)]
    struct Seen {
        calls: Mutex<Vec<Call>>,
    }

    async fn bilans(
        State(seen): State<Arc<Seen>>,
        Path(siren): Path<String>,
        RawQuery(query): RawQuery,
        headers: Headers,
    ) -> Response {
        let auth = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        seen.calls.lock().unwrap().push(Call {
            siren: siren.clone(),
            query,
            auth,
        });
        let staging = staging("api_entreprise_v3_banque_de_france_bilans_entreprise");
        let of = |status| {
            staging
                .iter()
                .find(|e| e.status == status)
                .unwrap()
                .body
                .clone()
        };
        match siren.as_str() {
            "552049447" => (
                StatusCode::OK,
                [("content-type", "application/json")],
                annuaire("banque-de-france-bilans.json"),
            )
                .into_response(),
            "200000008" => (
                StatusCode::OK,
                [("content-type", "application/json")],
                of(200),
            )
                .into_response(),
            "600000004" => (
                StatusCode::OK,
                [("content-type", "application/json")],
                r#"{"data":{"bilans":[]}}"#,
            )
                .into_response(),
            _ => (
                StatusCode::NOT_FOUND,
                [("content-type", "application/json")],
                of(404),
            )
                .into_response(),
        }
    }

    fn request(siren: &str) -> SourceRequest {
        SourceRequest {
            world: World::Live,
            siren: Siren::parse(siren).unwrap(),
            bank_connection: None,
            accounting_ref: None,
            iban: None,
            as_of: Utc::now(),
        }
    }

    #[tokio::test]
    async fn the_live_connector_fetches_the_bdf_balance_sheets_with_the_token_and_parameters() {
        let seen = Arc::new(Seen::default());
        let app = axum::Router::new()
            .route(
                "/v3/banque_de_france/unites_legales/{siren}/bilans",
                axum::routing::get(bilans),
            )
            .with_state(Arc::clone(&seen));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let source = connector(&base);
        assert_eq!(source.id(), SourceId::FiledAccounts);
        let deadline = Instant::now() + Duration::from_secs(5);

        let fetched = source.fetch(&request("552049447"), deadline).await;
        assert_eq!(fetched.error, None);
        assert_eq!(fetched.snapshots.len(), 1);
        let years = parse_bilans_bdf(&fetched.snapshots[0].body().unwrap()).unwrap();
        assert_eq!(years.len(), 3);
        let Call { siren, query, auth } = seen.calls.lock().unwrap()[0].clone();
        assert_eq!(siren, "552049447");
        assert_eq!(
            query.as_deref(),
            Some("context=D%C3%A9cision+de+cr%C3%A9dit&recipient=13002526500013&object=Dossier+42+%26+co%3D1")
        );
        assert_eq!(auth.as_deref(), Some("Bearer jeton-de-test"));

        let staging_answer = source.fetch(&request("200000008"), deadline).await;
        assert_eq!(
            staging_answer.error, None,
            "the staging 200 payload is in the format too"
        );

        let unknown = source.fetch(&request("100000009"), deadline).await;
        assert_eq!(unknown.error, Some(SourceError::NotFound));
        assert_eq!(
            unknown.snapshots.len(),
            1,
            "the 404 body is kept as evidence"
        );
        assert_eq!(
            parse_error(&unknown.snapshots[0].body().unwrap()).unwrap()[0].code,
            "04003"
        );

        let malformed = source.fetch(&request("600000004"), deadline).await;
        match malformed.error {
            Some(SourceError::Malformed { detail }) => {
                assert!(detail.starts_with("/data:"), "{detail}")
            }
            other => panic!("expected a malformed answer, got {other:?}"),
        }
        assert_eq!(malformed.snapshots.len(), 1);

        let mut unconfigured = connector(&base);
        unconfigured.recipient = " ".into();
        let refused = unconfigured.fetch(&request("552049447"), deadline).await;
        assert!(matches!(
            refused.error,
            Some(SourceError::NotConfigured { .. })
        ));
        assert_eq!(
            seen.calls.lock().unwrap().len(),
            4,
            "no call without a recipient"
        );
        server.abort();
    }
}

//! The turnover the DGFiP knows from the VAT and corporate tax returns of an establishment:
//! `/v3/dgfip/etablissements/{siret}/chiffres_affaires`, a `data` array of
//! `{"data": {"chiffre_affaires", "date_fin_exercice"}}`, one per financial year.

use super::{opt_euros, opt_iso_date, present, FormatError};
use crate::sources::json::{format_error, parse_json};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The turnover of one financial year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Turnover {
    /// The financial year: the year of its closing date.
    pub year: i32,
    /// `date_fin_exercice`.
    pub closing: NaiveDate,
    /// `chiffre_affaires` in euros; `None` when the answer gives none for the year.
    pub revenue: Option<i64>,
}

/// Parses a `/v3/dgfip/etablissements/{siret}/chiffres_affaires` answer, in the order given.
pub fn parse_chiffres_affaires(body: &[u8]) -> Result<Vec<Turnover>, FormatError> {
    let root = parse_json(body)?;
    let items = match present(&root, "data") {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(format_error(
                "/data",
                "missing or not an array of financial years",
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let base = format!("/data/{i}/data");
            let d = present(item, "data")
                .filter(|d| d.is_object())
                .ok_or_else(|| format_error(&base, "missing or not an object"))?;
            let closing = opt_iso_date(d, &base, "date_fin_exercice")?
                .ok_or_else(|| format_error(&format!("{base}/date_fin_exercice"), "missing"))?;
            Ok(Turnover {
                year: closing.year(),
                closing,
                revenue: opt_euros(d, &base, "chiffre_affaires")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::staging;
    use proptest::prelude::*;

    #[test]
    fn every_staging_turnover_payload_gives_the_turnover_of_its_year() {
        let mut by_year = Vec::new();
        for example in staging("api_entreprise_v3_dgfip_chiffres_affaires") {
            if example.status != 200 {
                continue;
            }
            let turnovers = parse_chiffres_affaires(&example.body)
                .unwrap_or_else(|e| panic!("{}: {e}", example.name));
            assert!(!turnovers.is_empty(), "{}", example.name);
            for t in turnovers {
                assert_eq!(t.year, t.closing.year());
                by_year.push((t.year, t.revenue));
            }
        }
        by_year.sort();
        for expected in [
            (2022, Some(900_001)),
            (2023, Some(900_001)),
            (2024, Some(900_001)),
        ] {
            assert!(by_year.contains(&expected), "{expected:?} in {by_year:?}");
        }
    }

    #[test]
    fn several_years_are_read_in_order_and_a_missing_turnover_is_none() {
        let body = br#"{"data":[{"data":{"chiffre_affaires":500000,"date_fin_exercice":"2023-12-31"},"links":{},"meta":{}},
            {"data":{"chiffre_affaires":"450000","date_fin_exercice":"2022-12-31"}},
            {"data":{"chiffre_affaires":null,"date_fin_exercice":"2021-06-30"}}],"meta":{},"links":{}}"#;
        let turnovers = parse_chiffres_affaires(body).unwrap();
        assert_eq!(
            turnovers
                .iter()
                .map(|t| (t.year, t.revenue))
                .collect::<Vec<_>>(),
            [(2023, Some(500_000)), (2022, Some(450_000)), (2021, None)]
        );
    }

    #[test]
    fn a_malformed_turnover_answer_names_the_pointer() {
        let e = parse_chiffres_affaires(
            br#"{"data":[{"data":{"chiffre_affaires":1,"date_fin_exercice":"31/12/2023"}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/data/0/data/date_fin_exercice");
        let e = parse_chiffres_affaires(br#"{"data":[{"data":{"chiffre_affaires":"beaucoup","date_fin_exercice":"2023-12-31"}}]}"#).unwrap_err();
        assert_eq!(e.pointer, "/data/0/data/chiffre_affaires");
        let e = parse_chiffres_affaires(br#"{"data":{"chiffre_affaires":1}}"#).unwrap_err();
        assert_eq!(e.pointer, "/data");
    }

    proptest! {
        #[test]
        fn the_turnover_parser_never_panics(
            body in prop::collection::vec(any::<u8>(), 0..300),
            amount in prop_oneof![any::<i64>().prop_map(|n| serde_json::json!(n)), any::<f64>().prop_map(|f| serde_json::json!(f)), "\\PC{0,12}".prop_map(Value::String)],
            date in "[0-9-]{0,12}",
        ) {
            let _ = parse_chiffres_affaires(&body);
            let shaped = serde_json::json!({"data": [{"data": {"chiffre_affaires": amount, "date_fin_exercice": date}}]});
            let _ = parse_chiffres_affaires(shaped.to_string().as_bytes());
        }
    }
}

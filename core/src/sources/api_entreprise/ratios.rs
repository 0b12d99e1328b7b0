//! The public ratios computed from filed annual accounts: the Opendatasoft dataset
//! `ratios_inpi_bce` (data.economie.gouv.fr, from the INPI and the Banque de France), one
//! record per published set of accounts. The search answer of the v1 API
//! (`{"records": [{"fields": {...}}]}`), of the v2.0 API (`records[].record.fields`), of the
//! v2.1 API (`{"results": [{...}]}`) and the JSON export (an array of records) are read.
//!
//! Amounts are euros; the ratios are as the dataset computes them (most in percent, the
//! `_jours` ones in days).

use super::{opt_euros, opt_iso_date, opt_number, opt_text, present, FormatError};
use crate::sources::json::{format_error, parse_json};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One record of `ratios_inpi_bce`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiledRatios {
    pub siren: Option<String>,
    /// `date_cloture_exercice`.
    pub closing: NaiveDate,
    /// `type_bilan`: `C` complete, `S` simplified, `K` consolidated accounts.
    pub accounts_type: Option<String>,
    /// `confidentiality`: `Public` for the published accounts.
    pub confidentiality: Option<String>,
    /// `chiffre_d_affaires`, euros.
    pub revenue: Option<i64>,
    /// `marge_brute`, euros.
    pub gross_margin: Option<i64>,
    /// `ebe` (excédent brut d'exploitation), euros.
    pub ebitda: Option<i64>,
    /// `ebit`, euros.
    pub ebit: Option<i64>,
    /// `resultat_net`, euros.
    pub net_result: Option<i64>,
    /// `marge_ebe`: EBITDA over revenue, percent.
    pub ebitda_margin: Option<f64>,
    /// `resultat_courant_avant_impots_sur_ca`, percent.
    pub current_result_to_revenue: Option<f64>,
    /// `caf_sur_ca`: self-financing capacity over revenue, percent.
    pub self_financing_to_revenue: Option<f64>,
    /// `taux_d_endettement`: debts over equity, percent.
    pub debt_ratio: Option<f64>,
    /// `autonomie_financiere`: equity over total liabilities, percent.
    pub financial_autonomy: Option<f64>,
    /// `capacite_de_remboursement`: financial debts over self-financing capacity.
    pub repayment_capacity: Option<f64>,
    /// `couverture_des_interets`.
    pub interest_coverage: Option<f64>,
    /// `ratio_de_liquidite`.
    pub liquidity_ratio: Option<f64>,
    /// `poids_bfr_exploitation_sur_ca`: operating working capital need over revenue, percent.
    pub working_capital_to_revenue: Option<f64>,
    /// `poids_bfr_exploitation_sur_ca_jours`, days of revenue.
    pub working_capital_days: Option<f64>,
    /// `credit_clients_jours`, days.
    pub customer_credit_days: Option<f64>,
    /// `credit_fournisseurs_jours`, days.
    pub supplier_credit_days: Option<f64>,
    /// `rotation_des_stocks_jours`, days.
    pub inventory_days: Option<f64>,
    /// `ratio_de_vetuste`: depreciation over gross fixed assets, percent.
    pub asset_age_ratio: Option<f64>,
}

/// Parses a `ratios_inpi_bce` search answer, the records in the order given.
pub fn parse_ratios_inpi(body: &[u8]) -> Result<Vec<FiledRatios>, FormatError> {
    let root = parse_json(body)?;
    let (records, base): (&[Value], &str) =
        match (&root, present(&root, "records"), present(&root, "results")) {
            (Value::Array(records), _, _) => (records, ""),
            (_, Some(Value::Array(records)), _) => (records, "/records"),
            (_, _, Some(Value::Array(results))) => (results, "/results"),
            _ => {
                return Err(format_error(
                    "/records",
                    "missing: expected the records of a dataset search",
                ))
            }
        };
    records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let p = format!("{base}/{i}");
            let (fields, fbase) =
                match (present(record, "fields"), record.pointer("/record/fields")) {
                    (Some(f @ Value::Object(_)), _) => (f, format!("{p}/fields")),
                    (None, Some(f @ Value::Object(_))) => (f, format!("{p}/record/fields")),
                    (None, None) if record.is_object() => (record, p),
                    _ => return Err(format_error(&p, "expected a record with its fields")),
                };
            ratios(fields, &fbase)
        })
        .collect()
}

fn ratios(f: &Value, b: &str) -> Result<FiledRatios, FormatError> {
    let siren = match present(f, "siren") {
        Some(Value::Number(n)) => Some(format!("{:0>9}", n.to_string())),
        _ => opt_text(f, b, "siren")?,
    };
    Ok(FiledRatios {
        siren,
        closing: opt_iso_date(f, b, "date_cloture_exercice")?
            .ok_or_else(|| format_error(&format!("{b}/date_cloture_exercice"), "missing"))?,
        accounts_type: opt_text(f, b, "type_bilan")?,
        confidentiality: opt_text(f, b, "confidentiality")?,
        revenue: opt_euros(f, b, "chiffre_d_affaires")?,
        gross_margin: opt_euros(f, b, "marge_brute")?,
        ebitda: opt_euros(f, b, "ebe")?,
        ebit: opt_euros(f, b, "ebit")?,
        net_result: opt_euros(f, b, "resultat_net")?,
        ebitda_margin: opt_number(f, b, "marge_ebe")?,
        current_result_to_revenue: opt_number(f, b, "resultat_courant_avant_impots_sur_ca")?,
        self_financing_to_revenue: opt_number(f, b, "caf_sur_ca")?,
        debt_ratio: opt_number(f, b, "taux_d_endettement")?,
        financial_autonomy: opt_number(f, b, "autonomie_financiere")?,
        repayment_capacity: opt_number(f, b, "capacite_de_remboursement")?,
        interest_coverage: opt_number(f, b, "couverture_des_interets")?,
        liquidity_ratio: opt_number(f, b, "ratio_de_liquidite")?,
        working_capital_to_revenue: opt_number(f, b, "poids_bfr_exploitation_sur_ca")?,
        working_capital_days: opt_number(f, b, "poids_bfr_exploitation_sur_ca_jours")?,
        customer_credit_days: opt_number(f, b, "credit_clients_jours")?,
        supplier_credit_days: opt_number(f, b, "credit_fournisseurs_jours")?,
        inventory_days: opt_number(f, b, "rotation_des_stocks_jours")?,
        asset_age_ratio: opt_number(f, b, "ratio_de_vetuste")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::annuaire;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn every_ratio_record_of_the_annuaire_fixture_parses() {
        let body = annuaire("donnees-financieres.json");
        let ratios = parse_ratios_inpi(&body).unwrap();
        let records = serde_json::from_slice::<Value>(&body).unwrap()["records"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(ratios.len(), records);
        assert!(ratios
            .iter()
            .all(|r| r.siren.as_deref() == Some("552032534") && r.revenue.is_some()));
        let first = &ratios[0];
        assert_eq!(
            first.closing,
            NaiveDate::from_ymd_opt(2018, 12, 31).unwrap()
        );
        assert_eq!(first.accounts_type.as_deref(), Some("K"));
        assert_eq!(first.confidentiality.as_deref(), Some("Public"));
        assert_eq!(first.revenue, Some(24_812_000_000));
        assert_eq!(first.net_result, Some(2_559_000_000));
        assert_eq!(first.financial_autonomy, Some(32.827));
        assert_eq!(first.ebitda_margin, Some(100.0));
        assert_eq!(
            first.asset_age_ratio, None,
            "not every record has every ratio"
        );
        let complete_2019 = &ratios[1];
        assert_eq!(complete_2019.accounts_type.as_deref(), Some("C"));
        assert_eq!(complete_2019.debt_ratio, Some(119.827));
        assert_eq!(complete_2019.ebit, Some(-163_000_000));
        assert_eq!(complete_2019.liquidity_ratio, Some(8.532));
    }

    #[test]
    fn the_explore_api_answers_are_read_too() {
        let v21 = json!({"total_count": 1, "results": [{"siren": "552032534", "date_cloture_exercice": "2023-12-31", "chiffre_d_affaires": 1.5e9, "marge_ebe": "12,5"}]});
        let r = parse_ratios_inpi(v21.to_string().as_bytes()).unwrap();
        assert_eq!(r[0].revenue, Some(1_500_000_000));
        assert_eq!(r[0].ebitda_margin, Some(12.5));
        let v20 = json!({"records": [{"record": {"fields": {"siren": 5520325, "date_cloture_exercice": "2022-12-31"}}}]});
        let r = parse_ratios_inpi(v20.to_string().as_bytes()).unwrap();
        assert_eq!(r[0].siren.as_deref(), Some("005520325"));
        let export = json!([{"siren": "552032534", "date_cloture_exercice": "2021-12-31"}]);
        assert_eq!(
            parse_ratios_inpi(export.to_string().as_bytes())
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn a_malformed_ratio_record_names_the_pointer() {
        let e =
            parse_ratios_inpi(br#"{"records":[{"fields":{"siren":"552032534"}}]}"#).unwrap_err();
        assert_eq!(e.pointer, "/records/0/fields/date_cloture_exercice");
        let e = parse_ratios_inpi(r#"{"records":[{"fields":{"date_cloture_exercice":"2020-12-31","taux_d_endettement":"élevé"}}]}"#.as_bytes()).unwrap_err();
        assert_eq!(e.pointer, "/records/0/fields/taux_d_endettement");
        let e = parse_ratios_inpi(br#"{"nhits":0}"#).unwrap_err();
        assert_eq!(e.pointer, "/records");
        let e = parse_ratios_inpi(br#"{"records":[3]}"#).unwrap_err();
        assert_eq!(e.pointer, "/records/0");
    }

    proptest! {
        #[test]
        fn the_ratio_parser_never_panics(
            body in prop::collection::vec(any::<u8>(), 0..300),
            amount in prop_oneof![any::<i64>().prop_map(|n| json!(n)), any::<f64>().prop_map(|f| json!(f)), "\\PC{0,12}".prop_map(Value::String), Just(Value::Null)],
            ratio in prop_oneof![any::<f64>().prop_map(|f| json!(f)), "[0-9.,-]{0,8}".prop_map(Value::String), Just(json!([]))],
            date in "[0-9-]{0,12}",
            siren in prop_oneof![any::<u64>().prop_map(|n| json!(n)), "\\PC{0,12}".prop_map(Value::String)],
        ) {
            let _ = parse_ratios_inpi(&body);
            let shaped = json!({"records": [{"fields": {"siren": siren, "date_cloture_exercice": date,
                "chiffre_d_affaires": amount, "resultat_net": amount, "taux_d_endettement": ratio}}]});
            let _ = parse_ratios_inpi(shaped.to_string().as_bytes());
        }
    }
}

//! Filed annual accounts: the Banque de France balance sheets
//! (`/v3/banque_de_france/unites_legales/{siren}/bilans`) and the DGFiP tax returns
//! (`/v3/dgfip/unites_legales/{siren}/liasses_fiscales/{year}`), read into [`FiledYear`]s, and
//! the writer of the Banque de France answer for the sandbox.
//!
//! Both answers give the figures as the lines of the tax forms (`declarations`, one per form
//! `numero_imprime`, each with `donnees`): a line has the form's line `code` (`EE`, `FL`…), the
//! DGFiP identifiers `code_nref`, `code_absolu` and `code_EDI`, a label, a data type (`MOA` for
//! an amount) and its `valeurs`, strings of whole euros (several for a repeatable line). API
//! Entreprise adds the code and the label from the DGFiP dictionary of the year; a line it
//! cannot find there comes with its `code_nref` only. The Banque de France answer has one item
//! per financial year (`annee`, `date_arrete_exercice` as `YYYY-MM`, the line `evolution` in
//! percent from the year before) and the Banque de France's own `valeurs_calculees` (value
//! added, EBITDA, working capital…). The DGFiP answer is one filing year; each declaration
//! carries its closing date (`date_fin_exercice`), length in days (`duree_exercice`) and filing
//! date.
//!
//! Line codes of the "régime réel normal" forms used by the accessors of [`FiledYear`]:
//!
//! | form | code | line |
//! |---|---|---|
//! | 2050 (bilan actif) | `CO` / `1A` | total général: gross / amortisations and provisions |
//! | 2050 | `CF` / `CG` | disponibilités: gross / provisions |
//! | 2051 (bilan passif) | `DL` | capitaux propres (total I) |
//! | 2051 | `DI` | résultat de l'exercice |
//! | 2051 | `DS`, `DT`, `DU`, `DV` | emprunts obligataires convertibles, autres emprunts obligataires, emprunts auprès des établissements de crédit, emprunts et dettes financières divers |
//! | 2051 | `EC` | dettes (total IV) |
//! | 2051 | `EE` | total général du passif (= total du bilan) |
//! | 2052 (compte de résultat) | `FL` | chiffre d'affaires net (France and export) |
//! | 2052 | `GG` | résultat d'exploitation |
//! | 2053 | `HN` | bénéfice ou perte |
//!
//! The simplified forms (2033-A to 2033-G) are kept as lines but not read by the accessors.

use super::{
    data_object, escape, opt_array, opt_code, opt_iso_date, opt_number, parse_iso_date, present,
    whole_number, FormatError,
};
use crate::sources::json::{format_error, opt_str, parse_json};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

/// Who published the figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FiledOrigin {
    /// The Banque de France's balance sheet file (FIBEN), through API Entreprise.
    BanqueDeFrance,
    /// The tax return filed with the DGFiP (liasse fiscale), through API Entreprise.
    Dgfip,
}

/// When the financial year closed, as precisely as the source says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Closing {
    /// The closing date (DGFiP `date_fin_exercice`).
    Date(NaiveDate),
    /// The closing month (Banque de France `date_arrete_exercice`, `2023-12` or `202312`).
    Month { year: i32, month: u32 },
}

impl Closing {
    pub fn year(self) -> i32 {
        match self {
            Closing::Date(d) => d.year(),
            Closing::Month { year, .. } => year,
        }
    }

    pub fn month(self) -> u32 {
        match self {
            Closing::Date(d) => d.month(),
            Closing::Month { month, .. } => month,
        }
    }

    /// Reads `YYYY-MM`, `YYYYMM`, `YYYY-MM-DD` or `YYYYMMDD`.
    fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let month = |y: &str, m: &str| -> Option<Closing> {
            if !(digits(y) && digits(m)) {
                return None;
            }
            let (year, month) = (y.parse().ok()?, m.parse().ok()?);
            (1..=12)
                .contains(&month)
                .then_some(Closing::Month { year, month })
        };
        match t.len() {
            6 => month(t.get(..4)?, t.get(4..)?),
            7 if t.as_bytes()[4] == b'-' => month(t.get(..4)?, t.get(5..)?),
            8 if digits(t) => NaiveDate::from_ymd_opt(
                t.get(..4)?.parse().ok()?,
                t.get(4..6)?.parse().ok()?,
                t.get(6..)?.parse().ok()?,
            )
            .map(Closing::Date),
            _ => parse_iso_date(t).map(Closing::Date),
        }
    }
}

/// One value of a line: whole euros, or the text as given when it is not a whole number (a
/// date, a label, a decimal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineValue {
    Amount(i64),
    Text(String),
}

impl LineValue {
    fn text(&self) -> String {
        match self {
            LineValue::Amount(euros) => euros.to_string(),
            LineValue::Text(text) => text.clone(),
        }
    }
}

/// One line of a tax form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiledLine {
    /// The form (`numero_imprime`): `2050`, `2051`, `2052`, `2053`, `2033A`…
    pub form: String,
    /// The form's line code (`EE`), or the DGFiP `code_nref` (six digits) when the answer gives
    /// no code for the line.
    pub code: String,
    /// The values in order (a repeatable line has several).
    pub values: Vec<LineValue>,
    /// `intitule`.
    pub label: Option<String>,
    /// `code_nref`, the DGFiP's stable identifier of the line.
    pub nref: Option<String>,
    /// `code_absolu`.
    pub absolute_code: Option<String>,
    /// `code_EDI`, for example `EE:C516:5004:1`.
    pub edi_code: Option<String>,
    /// `code_type_donnee`: `MOA` for an amount.
    pub data_type: Option<String>,
    /// Banque de France: change from the year before, in percent.
    pub evolution: Option<f64>,
}

/// The lines the Banque de France publishes through API Entreprise, with the identifiers and
/// labels API Entreprise gives them: (`code_nref`, form, code, `code_absolu`, `intitule`).
const BDF_LINES: [(&str, &str, &str, &str, &str); 11] = [
    ("300476", "2051", "EE", "2000536", "Total général bilan passif n , exercice n total i + total ii + total iii + total iv + total v"),
    ("300438", "2051", "DL", "2000497", "Total (i) exercice n , total des capitaux propres n"),
    ("300414", "2051", "DA", "2000472", "Capital social ou individuel n"),
    ("302359", "2051", "DR", "2002767", "Total (iii) exercice n , total des provisions pour risques et charges n"),
    ("300451", "2051", "DS", "2000511", "Emprunts obligataires convertibles n"),
    ("300453", "2051", "DT", "2000513", "Autres emprunts obligataires n"),
    ("300455", "2051", "DU", "2000515", "Emprunts et dettes auprès des établissements de crédit n"),
    ("300458", "2051", "DV", "2000518", "Emprunts et dettes financières divers n"),
    ("300506", "2052", "FL", "2000566", "Produits d'exploitation chiffre d'affaires net total"),
    ("300606", "2053", "HN", "2000666", "5 - bénéfice ou perte (total des produits - total des charges)"),
    ("301195", "2057", "VI", "2001265", "Dettes groupe, communauté d'exploitation et associés, montant brut"),
];

impl FiledLine {
    /// A line of amounts in euros. The lines the Banque de France publishes get the identifiers
    /// and label API Entreprise gives them, so that a sandbox answer reads like a real one.
    pub fn amounts(form: &str, code: &str, euros: &[i64]) -> Self {
        let known = BDF_LINES.iter().find(|l| l.1 == form && l.2 == code);
        FiledLine {
            form: form.to_owned(),
            code: code.to_owned(),
            values: euros.iter().copied().map(LineValue::Amount).collect(),
            label: known.map(|l| l.4.to_owned()),
            nref: known.map(|l| l.0.to_owned()),
            absolute_code: known.map(|l| l.3.to_owned()),
            edi_code: known.map(|_| format!("{code}:C516:5004:1")),
            data_type: Some("MOA".to_owned()),
            evolution: None,
        }
    }

    /// The first amount of the line.
    pub fn amount(&self) -> Option<i64> {
        self.values.iter().find_map(|v| match v {
            LineValue::Amount(euros) => Some(*euros),
            LineValue::Text(_) => None,
        })
    }
}

/// A value of the Banque de France's `valeurs_calculees`: euros for amounts (given as text),
/// a number for the ratio.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Figure {
    Euros(i64),
    Number(f64),
}

impl Figure {
    /// The value in whole euros (a number without decimals counts).
    pub fn euros(self) -> Option<i64> {
        match self {
            Figure::Euros(euros) => Some(euros),
            Figure::Number(n) if n.is_finite() && n.fract() == 0.0 && n.abs() < 9.0e18 => {
                Some(n as i64)
            }
            Figure::Number(_) => None,
        }
    }
}

/// One of the Banque de France's computed values, for example `excedent_brut_exploitation`,
/// `capacite_autofinancement`, `besoin_en_fonds_de_roulement`, `fonds_roulement_net_global`,
/// `disponibilites`, `total_dettes_stables`, `valeur_ajoutee_bdf`,
/// `dettes4_maturite_a_un_an_au_plus` (euros) or
/// `ratio_fonds_roulement_net_global_sur_besoin_en_fonds_de_roulement` (percent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComputedValue {
    pub name: String,
    pub value: Option<Figure>,
    /// Change from the year before, in percent.
    pub evolution: Option<f64>,
}

/// The accounts of one financial year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FiledYear {
    pub origin: FiledOrigin,
    /// The financial year (Banque de France `annee`; the year of the DGFiP closing date).
    pub year: i32,
    pub closing: Option<Closing>,
    /// Length of the financial year in days, when given (DGFiP `duree_exercice`).
    pub duration_days: Option<u32>,
    /// When the return was filed (DGFiP `date_declaration`).
    pub filed_on: Option<NaiveDate>,
    /// Tax regime code (DGFiP `regime.code`, for example `RN` réel normal).
    pub regime: Option<String>,
    /// The lines, grouped by form in the order the forms first appear.
    pub lines: Vec<FiledLine>,
    /// The Banque de France `valeurs_calculees`, by name, when given.
    pub computed: Option<Vec<ComputedValue>>,
}

impl FiledYear {
    pub fn line(&self, form: &str, code: &str) -> Option<&FiledLine> {
        self.lines.iter().find(|l| l.form == form && l.code == code)
    }

    /// The first amount of a line, in euros: `amount("2051", "DL")`.
    pub fn amount(&self, form: &str, code: &str) -> Option<i64> {
        self.line(form, code)?.amount()
    }

    /// A Banque de France computed value by name.
    pub fn computed(&self, name: &str) -> Option<&ComputedValue> {
        self.computed.as_ref()?.iter().find(|c| c.name == name)
    }

    fn computed_euros(&self, name: &str) -> Option<i64> {
        self.computed(name)?.value?.euros()
    }

    /// Total assets, net (total du bilan): 2051 `EE` (total général du passif, equal to the net
    /// total of the assets), else 2050 `CO` (total général, gross) minus `1A` (its amortisations
    /// and provisions; a line not filed is zero).
    pub fn total_assets(&self) -> Option<i64> {
        self.amount("2051", "EE").or_else(|| {
            let gross = self.amount("2050", "CO")?;
            gross.checked_sub(self.amount("2050", "1A").unwrap_or(0))
        })
    }

    /// Equity (capitaux propres, total I): 2051 `DL`.
    pub fn equity(&self) -> Option<i64> {
        self.amount("2051", "DL")
    }

    /// Revenue (chiffre d'affaires net, France and export): 2052 `FL`.
    pub fn revenue(&self) -> Option<i64> {
        self.amount("2052", "FL")
    }

    /// Operating result (résultat d'exploitation): 2052 `GG`.
    pub fn operating_result(&self) -> Option<i64> {
        self.amount("2052", "GG")
    }

    /// Net result (bénéfice ou perte): 2053 `HN`, else 2051 `DI` (résultat de l'exercice).
    pub fn net_result(&self) -> Option<i64> {
        self.amount("2053", "HN")
            .or_else(|| self.amount("2051", "DI"))
    }

    /// Total debts (dettes, total IV): 2051 `EC`. The Banque de France answer does not carry it;
    /// see [`FiledYear::financial_debts`].
    pub fn total_debts(&self) -> Option<i64> {
        self.amount("2051", "EC")
    }

    /// Financial debts: the sum of the 2051 lines `DS` (emprunts obligataires convertibles),
    /// `DT` (autres emprunts obligataires), `DU` (emprunts et dettes auprès des établissements
    /// de crédit) and `DV` (emprunts et dettes financières divers) that are filed.
    pub fn financial_debts(&self) -> Option<i64> {
        let filed: Vec<i64> = ["DS", "DT", "DU", "DV"]
            .iter()
            .filter_map(|code| self.amount("2051", code))
            .collect();
        if filed.is_empty() {
            return None;
        }
        filed
            .iter()
            .try_fold(0i64, |sum, euros| sum.checked_add(*euros))
    }

    /// Cash (disponibilités), net: 2050 `CF` minus `CG`, else the Banque de France's computed
    /// `disponibilites`.
    pub fn cash(&self) -> Option<i64> {
        match self.amount("2050", "CF") {
            Some(gross) => gross.checked_sub(self.amount("2050", "CG").unwrap_or(0)),
            None => self.computed_euros("disponibilites"),
        }
    }

    /// EBITDA (excédent brut d'exploitation), as computed by the Banque de France.
    pub fn ebitda(&self) -> Option<i64> {
        self.computed_euros("excedent_brut_exploitation")
    }

    /// Self-financing capacity (capacité d'autofinancement), as computed by the Banque de
    /// France.
    pub fn self_financing_capacity(&self) -> Option<i64> {
        self.computed_euros("capacite_autofinancement")
    }
}

/// Parses a `/v3/banque_de_france/unites_legales/{siren}/bilans` answer: one [`FiledYear`] per
/// item of `data`, in the order given (the latest first).
pub fn parse_bilans_bdf(body: &[u8]) -> Result<Vec<FiledYear>, FormatError> {
    let root = parse_json(body)?;
    let items = match present(&root, "data") {
        Some(Value::Array(items)) => items,
        _ => {
            return Err(format_error(
                "/data",
                "missing or not an array of balance sheets",
            ))
        }
    };
    items
        .iter()
        .enumerate()
        .map(|(i, item)| bdf_year(item, &format!("/data/{i}")))
        .collect()
}

fn bdf_year(item: &Value, base: &str) -> Result<FiledYear, FormatError> {
    let dbase = format!("{base}/data");
    let d = present(item, "data")
        .filter(|d| d.is_object())
        .ok_or_else(|| format_error(&dbase, "missing or not an object"))?;
    let closing = match opt_code(d, &dbase, "date_arrete_exercice")? {
        Some(text) => Some(Closing::parse(&text).ok_or_else(|| {
            format_error(
                &format!("{dbase}/date_arrete_exercice"),
                format!("{text:?} is not a closing month"),
            )
        })?),
        None => None,
    };
    let year = match opt_code(d, &dbase, "annee")? {
        Some(text) => text.parse::<i32>().map_err(|_| {
            format_error(&format!("{dbase}/annee"), format!("{text:?} is not a year"))
        })?,
        None => closing
            .map(Closing::year)
            .ok_or_else(|| format_error(&format!("{dbase}/annee"), "missing"))?,
    };
    let mut lines = Vec::new();
    for (j, declaration) in opt_array(d, &dbase, "declarations")?.iter().enumerate() {
        let p = format!("{dbase}/declarations/{j}");
        let form = form_of(declaration, &p)?;
        read_lines(
            &form,
            opt_array(declaration, &p, "donnees")?,
            &format!("{p}/donnees"),
            &mut lines,
        )?;
    }
    canonical_order(&mut lines);
    Ok(FiledYear {
        origin: FiledOrigin::BanqueDeFrance,
        year,
        closing,
        duration_days: None,
        filed_on: None,
        regime: None,
        lines,
        computed: computed_values(d, &dbase)?,
    })
}

fn computed_values(d: &Value, dbase: &str) -> Result<Option<Vec<ComputedValue>>, FormatError> {
    let mut values: Vec<ComputedValue> = Vec::new();
    for (j, group) in opt_array(d, dbase, "valeurs_calculees")?.iter().enumerate() {
        let gbase = format!("{dbase}/valeurs_calculees/{j}");
        let Value::Object(group) = group else {
            return Err(format_error(&gbase, "expected an object"));
        };
        for (name, entry) in group {
            let p = format!("{gbase}/{}", escape(name));
            if values.iter().any(|v| &v.name == name) {
                continue;
            }
            let (value, evolution) = match entry {
                Value::Null => (None, None),
                Value::Object(_) => (figure(entry, &p)?, opt_number(entry, &p, "evolution")?),
                _ => {
                    return Err(format_error(
                        &p,
                        "expected an object with valeur and evolution",
                    ))
                }
            };
            values.push(ComputedValue {
                name: name.clone(),
                value,
                evolution,
            });
        }
    }
    values.sort_by(|a, b| a.name.cmp(&b.name));
    Ok((!values.is_empty()).then_some(values))
}

fn figure(entry: &Value, p: &str) -> Result<Option<Figure>, FormatError> {
    let pointer = || format!("{p}/valeur");
    match present(entry, "valeur") {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64().map(Figure::Number)),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => match whole_number(s) {
            Some(euros) => Ok(Some(Figure::Euros(euros))),
            None => s
                .trim()
                .replace(',', ".")
                .parse::<f64>()
                .ok()
                .filter(|f| f.is_finite())
                .map(|f| Some(Figure::Number(f)))
                .ok_or_else(|| format_error(&pointer(), format!("{s:?} is not a number"))),
        },
        Some(_) => Err(format_error(
            &pointer(),
            "expected a number or numeric text",
        )),
    }
}

/// Parses a `/v3/dgfip/unites_legales/{siren}/liasses_fiscales/{year}` answer: one
/// [`FiledYear`] per financial year among the declarations (same closing date and length), in
/// the order they first appear.
pub fn parse_liasses_fiscales(body: &[u8]) -> Result<Vec<FiledYear>, FormatError> {
    let root = parse_json(body)?;
    let data = data_object(&root)?;
    let mut years: Vec<FiledYear> = Vec::new();
    for (i, declaration) in opt_array(data, "/data", "declarations")?.iter().enumerate() {
        let p = format!("/data/declarations/{i}");
        let form = form_of(declaration, &p)?;
        let closing = opt_iso_date(declaration, &p, "date_fin_exercice")?
            .ok_or_else(|| format_error(&format!("{p}/date_fin_exercice"), "missing"))?;
        let duration_days = duration(declaration, &p)?;
        let filed_on = opt_iso_date(declaration, &p, "date_declaration")?;
        let regime = match present(declaration, "regime") {
            None => None,
            Some(r @ Value::Object(_)) => opt_code(r, &format!("{p}/regime"), "code")?,
            Some(_) => opt_code(declaration, &p, "regime")?,
        };
        let index = match years.iter().position(|y| {
            y.closing == Some(Closing::Date(closing)) && y.duration_days == duration_days
        }) {
            Some(index) => index,
            None => {
                years.push(FiledYear {
                    origin: FiledOrigin::Dgfip,
                    year: closing.year(),
                    closing: Some(Closing::Date(closing)),
                    duration_days,
                    filed_on: None,
                    regime: None,
                    lines: Vec::new(),
                    computed: None,
                });
                years.len() - 1
            }
        };
        let year = &mut years[index];
        year.filed_on = year.filed_on.or(filed_on);
        if year.regime.is_none() {
            year.regime = regime;
        }
        read_lines(
            &form,
            opt_array(declaration, &p, "donnees")?,
            &format!("{p}/donnees"),
            &mut year.lines,
        )?;
    }
    for year in &mut years {
        canonical_order(&mut year.lines);
    }
    Ok(years)
}

/// `duree_exercice`: days, as a number or as text (`"365 jours"` in older answers).
fn duration(declaration: &Value, p: &str) -> Result<Option<u32>, FormatError> {
    let pointer = || format!("{p}/duree_exercice");
    match present(declaration, "duree_exercice") {
        None => Ok(None),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|d| u32::try_from(d).ok())
            .map(Some)
            .ok_or_else(|| format_error(&pointer(), format!("{n} is not a number of days"))),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => {
            let digits: String = s.trim().chars().take_while(char::is_ascii_digit).collect();
            digits
                .parse::<u32>()
                .map(Some)
                .map_err(|_| format_error(&pointer(), format!("{s:?} is not a number of days")))
        }
        Some(_) => Err(format_error(&pointer(), "expected a number of days")),
    }
}

fn form_of(declaration: &Value, p: &str) -> Result<String, FormatError> {
    if !declaration.is_object() {
        return Err(format_error(p, "expected an object"));
    }
    opt_code(declaration, p, "numero_imprime")?
        .ok_or_else(|| format_error(&format!("{p}/numero_imprime"), "missing"))
}

/// Reads the `donnees` of one form into `lines`; a line given twice gets the values of both.
fn read_lines(
    form: &str,
    donnees: &[Value],
    base: &str,
    lines: &mut Vec<FiledLine>,
) -> Result<(), FormatError> {
    for (i, donnee) in donnees.iter().enumerate() {
        let p = format!("{base}/{i}");
        if !donnee.is_object() {
            return Err(format_error(&p, "expected an object"));
        }
        let nref = opt_code(donnee, &p, "code_nref")?;
        let code = match opt_code(donnee, &p, "code")? {
            Some(code) => code,
            None => match nref.as_deref() {
                Some(nref) => BDF_LINES
                    .iter()
                    .find(|l| l.0 == nref)
                    .map_or(nref, |l| l.2)
                    .to_owned(),
                None => {
                    return Err(format_error(
                        &format!("{p}/code"),
                        "missing, and no code_nref",
                    ))
                }
            },
        };
        let line = FiledLine {
            form: form.to_owned(),
            code,
            values: line_values(donnee, &p)?,
            label: opt_str(donnee, &p, "intitule")?.map(str::to_owned),
            nref,
            absolute_code: opt_code(donnee, &p, "code_absolu")?,
            edi_code: opt_str(donnee, &p, "code_EDI")?.map(str::to_owned),
            data_type: opt_str(donnee, &p, "code_type_donnee")?.map(str::to_owned),
            evolution: opt_number(donnee, &p, "evolution")?,
        };
        match lines
            .iter_mut()
            .find(|l| l.form == line.form && l.code == line.code)
        {
            Some(existing) => {
                existing.values.extend(line.values);
                existing.label = existing.label.take().or(line.label);
                existing.nref = existing.nref.take().or(line.nref);
                existing.absolute_code = existing.absolute_code.take().or(line.absolute_code);
                existing.edi_code = existing.edi_code.take().or(line.edi_code);
                existing.data_type = existing.data_type.take().or(line.data_type);
                existing.evolution = existing.evolution.or(line.evolution);
            }
            None => lines.push(line),
        }
    }
    Ok(())
}

/// `valeurs` (or the single `valeur` of older answers): text or numbers; empty ones are skipped.
fn line_values(donnee: &Value, p: &str) -> Result<Vec<LineValue>, FormatError> {
    let (items, key): (Vec<&Value>, &str) =
        match (present(donnee, "valeurs"), present(donnee, "valeur")) {
            (Some(Value::Array(values)), _) => (values.iter().collect(), "valeurs"),
            (Some(one), _) => (vec![one], "valeurs"),
            (None, Some(one)) => (vec![one], "valeur"),
            (None, None) => (Vec::new(), "valeurs"),
        };
    let mut values = Vec::new();
    for (j, item) in items.into_iter().enumerate() {
        match item {
            Value::Null => {}
            Value::String(s) if s.trim().is_empty() => {}
            Value::String(s) => values.push(match whole_number(s) {
                Some(euros) => LineValue::Amount(euros),
                None => LineValue::Text(s.clone()),
            }),
            Value::Number(n) => values.push(match n.as_i64() {
                Some(euros) => LineValue::Amount(euros),
                None => match n.as_f64() {
                    Some(f) if f.fract() == 0.0 && f.abs() < 9.0e18 => LineValue::Amount(f as i64),
                    _ => LineValue::Text(n.to_string()),
                },
            }),
            _ => {
                let pointer = if key == "valeur" {
                    format!("{p}/valeur")
                } else if present(donnee, "valeurs").is_some_and(Value::is_array) {
                    format!("{p}/valeurs/{j}")
                } else {
                    format!("{p}/valeurs")
                };
                return Err(format_error(&pointer, "expected a string or a number"));
            }
        }
    }
    Ok(values)
}

/// Lines grouped by form, forms in the order they first appear, lines in their order within a
/// form: the order the writer produces, so that reading back gives the same lines.
fn canonical_order(lines: &mut [FiledLine]) {
    let mut forms: Vec<String> = Vec::new();
    for line in lines.iter() {
        if !forms.contains(&line.form) {
            forms.push(line.form.clone());
        }
    }
    lines.sort_by_key(|line| forms.iter().position(|f| *f == line.form));
}

/// The answer of `/v3/banque_de_france/unites_legales/{siren}/bilans` for `years`, in the v3
/// format [`parse_bilans_bdf`] reads: `{"data": [{"data": {"annee", "date_arrete_exercice",
/// "declarations", "valeurs_calculees"}, "links": {}, "meta": {}}…], "links": {}, "meta":
/// {"count"}}`. The closing is written as `YYYY-MM` (a closing date loses its day); the DGFiP
/// details (length, filing date, regime) have no place in it. The body does not repeat the
/// SIREN, which the caller has in the URL.
pub fn bilans_payload(_siren: &str, years: &[FiledYear]) -> Value {
    let items: Vec<Value> = years
        .iter()
        .map(|year| json!({"data": bdf_item(year), "links": {}, "meta": {}}))
        .collect();
    json!({"data": items, "links": {}, "meta": {"count": years.len()}})
}

fn bdf_item(year: &FiledYear) -> Value {
    let mut forms: Vec<(&str, Vec<Value>)> = Vec::new();
    for line in &year.lines {
        let donnee = line_json(line);
        match forms.iter_mut().find(|(form, _)| *form == line.form) {
            Some((_, donnees)) => donnees.push(donnee),
            None => forms.push((&line.form, vec![donnee])),
        }
    }
    let declarations: Vec<Value> = forms
        .into_iter()
        .map(|(form, donnees)| json!({"numero_imprime": form, "donnees": donnees}))
        .collect();
    let computed: Vec<Value> = match &year.computed {
        Some(values) if !values.is_empty() => {
            let group: Map<String, Value> = values
                .iter()
                .map(|c| {
                    let value = match c.value {
                        Some(Figure::Euros(euros)) => Value::String(euros.to_string()),
                        Some(Figure::Number(n)) => json!(n),
                        None => Value::Null,
                    };
                    (
                        c.name.clone(),
                        json!({"valeur": value, "evolution": c.evolution}),
                    )
                })
                .collect();
            vec![Value::Object(group)]
        }
        _ => Vec::new(),
    };
    json!({
        "annee": year.year.to_string(),
        "date_arrete_exercice": year.closing.map(|c| format!("{:04}-{:02}", c.year(), c.month())),
        "declarations": declarations,
        "valeurs_calculees": computed,
    })
}

fn line_json(line: &FiledLine) -> Value {
    // A line known only by its NREF has no code in the answer.
    let code = (line.nref.as_deref() != Some(line.code.as_str())).then_some(line.code.as_str());
    json!({
        "code_nref": line.nref,
        "valeurs": line.values.iter().map(LineValue::text).collect::<Vec<_>>(),
        "evolution": line.evolution,
        "code_absolu": line.absolute_code,
        "intitule": line.label,
        "code_EDI": line.edi_code,
        "code": code,
        "code_type_donnee": line.data_type,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{annuaire, staging};
    use proptest::prelude::*;

    fn staging_200(folder: &str) -> Vec<Vec<u8>> {
        staging(folder)
            .into_iter()
            .filter(|e| e.status == 200)
            .map(|e| e.body)
            .collect()
    }

    #[test]
    fn every_bdf_balance_sheet_payload_parses() {
        let mut bodies = staging_200("api_entreprise_v3_banque_de_france_bilans_entreprise");
        assert!(!bodies.is_empty());
        bodies.push(annuaire("banque-de-france-bilans.json"));
        for body in bodies {
            let years = parse_bilans_bdf(&body).unwrap();
            if let Some(count) =
                serde_json::from_slice::<Value>(&body).unwrap()["meta"]["count"].as_u64()
            {
                assert_eq!(years.len() as u64, count);
            }
            for year in &years {
                assert_eq!(year.origin, FiledOrigin::BanqueDeFrance);
                if let Some(closing) = year.closing {
                    assert_eq!(closing.year(), year.year);
                }
            }
            assert!(years
                .iter()
                .any(|y| !y.lines.is_empty() && y.computed.is_some()));
        }
    }

    #[test]
    fn the_annuaire_bdf_balance_sheets_give_assets_equity_revenue_and_result() {
        let years = parse_bilans_bdf(&annuaire("banque-de-france-bilans.json")).unwrap();
        assert_eq!(
            years.iter().map(|y| y.year).collect::<Vec<_>>(),
            [2023, 2022, 2021]
        );
        let last = &years[0];
        assert_eq!(
            last.closing,
            Some(Closing::Month {
                year: 2023,
                month: 12
            })
        );
        assert_eq!(last.total_assets(), Some(33_053_963_000));
        assert_eq!(last.equity(), Some(16_412_590_000));
        assert_eq!(last.revenue(), Some(890_353_000));
        assert_eq!(last.net_result(), Some(2_279_827_000));
        assert_eq!(last.financial_debts(), Some(12_521_998_000 + 1_619_193_000));
        assert_eq!(
            last.total_debts(),
            None,
            "the Banque de France does not publish 2051 EC"
        );
        assert_eq!(last.cash(), Some(1000), "from the computed disponibilités");
        assert_eq!(last.ebitda(), Some(-144_735_000));
        assert_eq!(last.self_financing_capacity(), Some(2_486_107_000));
        assert_eq!(last.amount("2057", "VI"), Some(0));
        let equity = last.line("2051", "DL").unwrap();
        assert_eq!(equity.nref.as_deref(), Some("300438"));
        assert_eq!(equity.evolution, Some(6.89));
        assert_eq!(equity.data_type.as_deref(), Some("MOA"));
        let ratio = last
            .computed("ratio_fonds_roulement_net_global_sur_besoin_en_fonds_de_roulement")
            .unwrap();
        assert_eq!(ratio.value, Some(Figure::Number(0.0)));
        assert_eq!(ratio.evolution, None);
        assert_eq!(
            last.computed("besoin_en_fonds_de_roulement").unwrap().value,
            Some(Figure::Euros(-1_938_094_000))
        );
        assert_eq!(years[2].total_assets(), Some(33_890_722_000));
        assert_eq!(years[2].equity(), Some(16_000_374_000));
    }

    #[test]
    fn the_staging_bdf_answer_reads_its_compact_closing_month_and_ratio() {
        let body = &staging_200("api_entreprise_v3_banque_de_france_bilans_entreprise")[0];
        let years = parse_bilans_bdf(body).unwrap();
        assert_eq!(years.len(), 1);
        assert_eq!(years[0].year, 2022);
        assert_eq!(
            years[0].closing,
            Some(Closing::Month {
                year: 2022,
                month: 12
            })
        );
        assert_eq!(years[0].amount("2051", "GR"), Some(4245));
        assert_eq!(years[0].cash(), Some(9001));
        let ratio = years[0]
            .computed("ratio_fonds_roulement_net_global_sur_besoin_en_fonds_de_roulement")
            .unwrap();
        assert_eq!(ratio.value, Some(Figure::Number(23.45)));
        assert_eq!(ratio.evolution, Some(12.34));
    }

    #[test]
    fn every_dgfip_tax_return_payload_parses() {
        let mut bodies = staging_200("api_entreprise_v3_dgfip_liasses_fiscales");
        assert!(!bodies.is_empty());
        bodies.push(annuaire("dgfip-liasses-fiscales.json"));
        for body in bodies {
            let years = parse_liasses_fiscales(&body).unwrap();
            assert!(!years.is_empty());
            for year in &years {
                assert_eq!(year.origin, FiledOrigin::Dgfip);
                assert!(matches!(year.closing, Some(Closing::Date(d)) if d.year() == year.year));
            }
            assert!(years.iter().any(|y| !y.lines.is_empty()));
        }
    }

    #[test]
    fn tax_return_amounts_are_read_by_form_and_line() {
        let years = parse_liasses_fiscales(&annuaire("dgfip-liasses-fiscales.json")).unwrap();
        assert_eq!(years.len(), 1);
        let year = &years[0];
        assert_eq!(year.year, 2022);
        assert_eq!(
            year.closing,
            Some(Closing::Date(
                NaiveDate::from_ymd_opt(2022, 12, 31).unwrap()
            ))
        );
        assert_eq!(year.duration_days, Some(365));
        assert_eq!(year.filed_on, NaiveDate::from_ymd_opt(2023, 7, 24));
        assert_eq!(year.regime.as_deref(), Some("RN"));
        assert_eq!(year.amount("2050", "AF"), Some(222_216_704));
        assert_eq!(
            year.line("2050", "AF").unwrap().label.as_deref(),
            Some("Concessions, brevets et droits similaires, brut")
        );
        let staging =
            parse_liasses_fiscales(&staging_200("api_entreprise_v3_dgfip_liasses_fiscales")[0])
                .unwrap();
        let simplified = &staging[0];
        assert_eq!(simplified.year, 2012);
        assert_eq!(simplified.regime.as_deref(), Some("RN"));
        assert_eq!(
            simplified.line("2033A", "GR").unwrap().values,
            [LineValue::Amount(4245), LineValue::Amount(5672)],
            "a repeatable line keeps all its values"
        );
    }

    #[test]
    fn the_accessors_read_the_regime_normal_lines() {
        let body = json!({"data": {"declarations": [
            {"numero_imprime": "2050", "date_fin_exercice": "2023-06-30", "duree_exercice": "365 jours", "donnees": [
                {"code": "CO", "valeurs": ["1 500 000"]}, {"code": "1A", "valeurs": [400000]},
                {"code": "CF", "valeurs": ["120000"]}, {"code": "CG", "valeurs": ["5000"]}]},
            {"numero_imprime": "2051", "date_fin_exercice": "2023-06-30", "duree_exercice": 365, "donnees": [
                {"code": "DL", "valeurs": ["300000"]}, {"code": "DI", "valeurs": ["-20000"]}, {"code": "EC", "valeurs": ["700000"]}]},
            {"numero_imprime": "2052", "date_fin_exercice": "2023-06-30", "duree_exercice": 365, "donnees": [
                {"code": "FL", "valeurs": ["2100000"]}, {"code": "GG", "valeurs": ["-15000"]}]},
            {"numero_imprime": "2033B", "date_fin_exercice": "2022-06-30", "duree_exercice": 365, "donnees": [
                {"code": "218", "valeurs": ["90000"]}]}
        ]}});
        let years = parse_liasses_fiscales(json!(body).to_string().as_bytes()).unwrap();
        assert_eq!(years.len(), 2, "two closing dates are two financial years");
        let year = &years[0];
        assert_eq!(year.total_assets(), Some(1_100_000));
        assert_eq!(year.cash(), Some(115_000));
        assert_eq!(year.equity(), Some(300_000));
        assert_eq!(
            year.net_result(),
            Some(-20_000),
            "2051 DI when 2053 HN is not filed"
        );
        assert_eq!(year.total_debts(), Some(700_000));
        assert_eq!(year.revenue(), Some(2_100_000));
        assert_eq!(year.operating_result(), Some(-15_000));
        assert_eq!(year.financial_debts(), None);
        assert_eq!(years[1].year, 2022);
        assert_eq!(
            years[1].revenue(),
            None,
            "simplified forms are not read by the accessors"
        );
    }

    #[test]
    fn a_line_without_its_code_is_known_by_its_nref() {
        let body = json!({"data": [{"data": {"annee": "2024", "date_arrete_exercice": "2024-12",
            "declarations": [{"numero_imprime": "2051", "donnees": [
                {"code_nref": "300438", "valeurs": ["1000"], "evolution": null},
                {"code_nref": "399999", "valeurs": [0], "evolution": 1.5}]}],
            "valeurs_calculees": [{"disponibilites": {"valeur": 0, "evolution": null}}]}}]});
        let years = parse_bilans_bdf(body.to_string().as_bytes()).unwrap();
        assert_eq!(years[0].equity(), Some(1000));
        assert_eq!(years[0].amount("2051", "399999"), Some(0));
        assert_eq!(
            years[0].cash(),
            Some(0),
            "a blank computed amount comes as the number 0"
        );
        let again =
            parse_bilans_bdf(bilans_payload("123456789", &years).to_string().as_bytes()).unwrap();
        assert_eq!(again, years);
    }

    #[test]
    fn a_malformed_filed_accounts_answer_names_the_pointer() {
        let e = parse_bilans_bdf(br#"{"data": {"annee": "2023"}}"#).unwrap_err();
        assert_eq!(e.pointer, "/data");
        let e = parse_bilans_bdf(
            br#"{"data": [{"data": {"annee": "deux mille", "declarations": []}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/data/0/data/annee");
        let e = parse_bilans_bdf(
            br#"{"data": [{"data": {"annee": "2023", "date_arrete_exercice": "2023-13"}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/data/0/data/date_arrete_exercice");
        let e = parse_bilans_bdf(
            br#"{"data": [{"data": {"annee": "2023", "declarations": [{"numero_imprime": "2051", "donnees": [{"code": "DL", "valeurs": [{"x": 1}]}]}]}}]}"#,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/data/0/data/declarations/0/donnees/0/valeurs/0");
        let e = parse_bilans_bdf(
            br#"{"data": [{"data": {"annee": "2023", "valeurs_calculees": [{"capacite/autofinancement": {"valeur": "beaucoup"}}]}}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.pointer,
            "/data/0/data/valeurs_calculees/0/capacite~1autofinancement/valeur"
        );
        let e = parse_liasses_fiscales(
            br#"{"data": {"declarations": [{"numero_imprime": "2050", "donnees": []}]}}"#,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/data/declarations/0/date_fin_exercice");
        let e = parse_liasses_fiscales(
            br#"{"data": {"declarations": [{"numero_imprime": "2050", "date_fin_exercice": "2023-12-31", "duree_exercice": -3}]}}"#,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/data/declarations/0/duree_exercice");
        let e = parse_liasses_fiscales(
            br#"{"data": {"declarations": [{"numero_imprime": "2050", "date_fin_exercice": "2023-12-31", "donnees": [{"valeurs": ["1"]}]}]}}"#,
        )
        .unwrap_err();
        assert_eq!(e.pointer, "/data/declarations/0/donnees/0/code");
    }

    #[test]
    fn the_bdf_payload_writer_round_trips_the_real_answers() {
        for body in [
            annuaire("banque-de-france-bilans.json"),
            staging_200("api_entreprise_v3_banque_de_france_bilans_entreprise").remove(0),
        ] {
            let years = parse_bilans_bdf(&body).unwrap();
            let written = bilans_payload("552049447", &years);
            assert_eq!(
                parse_bilans_bdf(written.to_string().as_bytes()).unwrap(),
                years
            );
        }
        // The writer reproduces the real answer's shape, key for key.
        let real: Value =
            serde_json::from_slice(&annuaire("banque-de-france-bilans.json")).unwrap();
        let written = bilans_payload(
            "552049447",
            &parse_bilans_bdf(&annuaire("banque-de-france-bilans.json")).unwrap(),
        );
        assert_eq!(written["meta"], real["meta"]);
        assert_eq!(
            written["data"][0]["data"]["declarations"],
            real["data"][0]["data"]["declarations"]
        );
        assert_eq!(
            written["data"][0]["data"]["date_arrete_exercice"],
            "2023-12"
        );
    }

    #[test]
    fn a_sandbox_balance_sheet_is_written_in_the_v3_format_and_read_back() {
        let year = FiledYear {
            origin: FiledOrigin::BanqueDeFrance,
            year: 2024,
            closing: Some(Closing::Month {
                year: 2024,
                month: 6,
            }),
            duration_days: None,
            filed_on: None,
            regime: None,
            lines: vec![
                FiledLine::amounts("2051", "EE", &[1_250_000]),
                FiledLine::amounts("2051", "DL", &[-40_000]),
                FiledLine::amounts("2052", "FL", &[3_400_000]),
                FiledLine::amounts("2053", "HN", &[-65_000]),
            ],
            computed: Some(vec![
                ComputedValue {
                    name: "disponibilites".into(),
                    value: Some(Figure::Euros(18_000)),
                    evolution: Some(-12.5),
                },
                ComputedValue {
                    name: "excedent_brut_exploitation".into(),
                    value: Some(Figure::Euros(-9_000)),
                    evolution: None,
                },
            ]),
        };
        let written = bilans_payload("732829320", std::slice::from_ref(&year));
        let item = &written["data"][0]["data"];
        assert_eq!(item["annee"], "2024");
        assert_eq!(item["date_arrete_exercice"], "2024-06");
        assert_eq!(item["declarations"][0]["numero_imprime"], "2051");
        assert_eq!(item["declarations"][0]["donnees"][0]["code_nref"], "300476");
        assert_eq!(
            item["declarations"][0]["donnees"][0]["valeurs"],
            json!(["1250000"])
        );
        assert_eq!(
            item["valeurs_calculees"][0]["disponibilites"]["valeur"],
            "18000"
        );
        assert_eq!(written["meta"]["count"], 1);
        let read = parse_bilans_bdf(written.to_string().as_bytes()).unwrap();
        assert_eq!(read, std::slice::from_ref(&year));
        assert_eq!(read[0].total_assets(), Some(1_250_000));
        assert_eq!(read[0].equity(), Some(-40_000));
        assert_eq!(read[0].cash(), Some(18_000));
    }

    fn any_json() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(|n| json!(n)),
            any::<f64>().prop_map(|f| json!(f)),
            "[0-9 .,-]{0,12}".prop_map(Value::String),
            "\\PC{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
                prop::collection::btree_map("[a-z_]{1,8}", inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_filed_accounts_parsers_never_panic_on_bytes(body in prop::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_bilans_bdf(&body);
            let _ = parse_liasses_fiscales(&body);
        }

        #[test]
        fn the_filed_accounts_parsers_never_panic_on_payload_shaped_input(
            annee in any_json(), closing in any_json(), form in any_json(), code in any_json(),
            nref in any_json(), valeurs in any_json(), evolution in any_json(), computed in any_json(),
            date in any_json(), duree in any_json(), regime in any_json(),
        ) {
            let bdf = json!({"data": [{"data": {"annee": annee, "date_arrete_exercice": closing,
                "declarations": [{"numero_imprime": form, "donnees": [{"code": code, "code_nref": nref,
                    "valeurs": valeurs, "evolution": evolution}]}],
                "valeurs_calculees": [{"disponibilites": computed}]}}]});
            if let Ok(years) = parse_bilans_bdf(bdf.to_string().as_bytes()) {
                for year in &years {
                    let _ = (year.total_assets(), year.cash(), year.financial_debts(), year.ebitda());
                }
                let _ = parse_bilans_bdf(bilans_payload("552049447", &years).to_string().as_bytes());
            }
            let dgfip = json!({"data": {"declarations": [{"numero_imprime": form, "date_fin_exercice": date,
                "duree_exercice": duree, "regime": regime, "donnees": [{"code": code, "code_nref": nref, "valeurs": valeurs}]}]}});
            let _ = parse_liasses_fiscales(dgfip.to_string().as_bytes());
        }

        #[test]
        fn written_balance_sheets_read_back_the_same(
            year in 1990i32..2100, month in 1u32..=12,
            amounts in prop::collection::vec((prop::sample::select(vec!["EE", "DL", "DU", "FL", "HN", "ZZ"]), any::<i64>()), 0..6),
            cash in prop::option::of(any::<i64>()),
        ) {
            let mut lines: Vec<FiledLine> = Vec::new();
            for (code, euros) in amounts {
                let form = match code { "FL" => "2052", "HN" => "2053", _ => "2051" };
                match lines.iter_mut().find(|l| l.code == code) {
                    Some(line) => line.values.push(LineValue::Amount(euros)),
                    None => lines.push(FiledLine::amounts(form, code, &[euros])),
                }
            }
            canonical_order(&mut lines);
            let filed = FiledYear {
                origin: FiledOrigin::BanqueDeFrance, year, closing: Some(Closing::Month { year, month }),
                duration_days: None, filed_on: None, regime: None, lines,
                computed: cash.map(|c| vec![ComputedValue { name: "disponibilites".into(), value: Some(Figure::Euros(c)), evolution: None }]),
            };
            let read = parse_bilans_bdf(bilans_payload("552049447", std::slice::from_ref(&filed)).to_string().as_bytes()).unwrap();
            prop_assert_eq!(read, vec![filed]);
        }
    }
}

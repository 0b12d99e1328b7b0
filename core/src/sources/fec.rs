//! FEC (Fichier des Écritures Comptables) reader, and the accounting statements, tax-form
//! amounts and financial ratios computed from it.
//!
//! The FEC is the flat export of a French company's general ledger that the tax
//! administration may demand (Livre des procédures fiscales, art. A47 A-1). [`parse`] reads
//! every variant of the format: tab or `|` separators, UTF-8 or ISO 8859-15, any line end,
//! 18, 21 or 22 columns, `Debit`/`Credit` or `Montant`/`Sens`, fixed-width padding, split
//! files. Amounts are exact integer cents. A file that does not fit gets a [`FecError`]
//! naming the line and the column.
//!
//! From a [`Fec`]: [`Fec::summary`] (counts, totals, balance checks, period),
//! [`Fec::trial_balance`], [`Fec::statements`] (balance sheet and income statement by PCG
//! account ranges), [`Fec::liasse`] (2050–2053 and 2033 repères) and [`Fec::ratios`].
//! [`inspect_report`] puts it all in one JSON object. `docs/fec.md` documents the account
//! mapping and the ratio formulas.

mod decode;
mod error;
mod liasse;
mod pcg;
mod ratios;
mod reader;
mod statements;
mod value;

pub use decode::Encoding;
pub use error::{FecError, ValueProblem};
pub use ratios::Ratios;
pub use statements::{AccountBalance, BalanceSheet, IncomeStatement, Statements};
pub use value::{format_cents, round_to_euros};

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value};
use statements::Totals;
use std::collections::{BTreeMap, BTreeSet};

/// Reads a FEC file. The header line names the columns (matched case-insensitively); the
/// separator is the one the header uses most, tab or `|`.
pub fn parse(bytes: &[u8]) -> Result<Fec, FecError> {
    let (text, encoding) = decode::decode(bytes);
    let read = reader::read(&text, encoding)?;
    Ok(Fec {
        lines: read.lines,
        format: read.format,
        warnings: read.warnings,
        totals: std::sync::OnceLock::new(),
    })
}

/// Files parsed by one source and waiting for another reader of the same content, by hex
/// SHA-256: in the sandbox the filed-accounts answer is computed from the company's FEC file,
/// which the decision then reads again from its accounting snapshot.
static HANDED_OVER: std::sync::Mutex<Vec<(String, std::sync::Arc<Fec>)>> =
    std::sync::Mutex::new(Vec::new());
/// More than the decisions in flight on one server.
const HANDED_OVER_MAX: usize = 256;

/// Parses `bytes` (whose hex SHA-256 is `sha256`) and keeps the result for one later
/// [`take_parsed`] of the same content.
pub fn parse_and_hand_over(bytes: &[u8], sha256: &str) -> Result<std::sync::Arc<Fec>, FecError> {
    let fec = std::sync::Arc::new(parse(bytes)?);
    if let Ok(mut waiting) = HANDED_OVER.lock() {
        if waiting.len() >= HANDED_OVER_MAX {
            waiting.remove(0);
        }
        waiting.push((sha256.to_owned(), fec.clone()));
    }
    Ok(fec)
}

/// The file with this content parsed by [`parse_and_hand_over`], or parsed now. Parsing is a
/// function of the bytes alone, so both give the same result.
pub fn take_parsed(bytes: &[u8], sha256: &str) -> Result<std::sync::Arc<Fec>, FecError> {
    let handed = HANDED_OVER.lock().ok().and_then(|mut waiting| {
        let at = waiting.iter().position(|(hash, _)| hash == sha256)?;
        Some(waiting.swap_remove(at).1)
    });
    match handed {
        Some(fec) => Ok(fec),
        None => parse(bytes).map(std::sync::Arc::new),
    }
}

/// One line (écriture line) of the file. Amounts are in cents; text values are trimmed of
/// their padding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FecLine {
    /// Line of the file, counted from 1 (the header is line 1).
    pub line_number: usize,
    /// `JournalCode`.
    pub journal_code: String,
    /// `JournalLib`.
    pub journal_label: String,
    /// `EcritureNum`.
    pub entry_number: String,
    /// `EcritureDate`.
    pub entry_date: NaiveDate,
    /// `CompteNum`.
    pub account_number: String,
    /// `CompteLib`.
    pub account_label: String,
    /// `CompAuxNum`, blank when unused.
    pub aux_account_number: String,
    /// `CompAuxLib`.
    pub aux_account_label: String,
    /// `PieceRef`.
    pub piece_ref: String,
    /// `PieceDate`.
    pub piece_date: Option<NaiveDate>,
    /// `EcritureLib`.
    pub label: String,
    /// `Debit` (or `Montant` when `Sens` is debit), in cents.
    pub debit: i64,
    /// `Credit` (or `Montant` when `Sens` is credit), in cents.
    pub credit: i64,
    /// `EcritureLet`.
    pub lettering: String,
    /// `DateLet`.
    pub lettering_date: Option<NaiveDate>,
    /// `ValidDate`.
    pub validation_date: Option<NaiveDate>,
    /// `Montantdevise`, as written (currencies have different numbers of decimals).
    pub currency_amount: String,
    /// `Idevise`.
    pub currency: String,
    /// `DateRglt` (21- and 22-column variants).
    pub payment_date: Option<NaiveDate>,
    /// `ModeRglt`.
    pub payment_method: String,
    /// `NatOp`.
    pub operation_nature: String,
    /// `IdClient` (22-column variant).
    pub client_id: String,
}

impl FecLine {
    /// Debit − credit, in cents.
    pub fn balance(&self) -> i64 {
        self.debit.saturating_sub(self.credit)
    }
}

/// The field separator of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Separator {
    Tab,
    Pipe,
}

impl Separator {
    fn as_char(self) -> char {
        match self {
            Separator::Tab => '\t',
            Separator::Pipe => '|',
        }
    }
}

/// How the amounts are given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountLayout {
    /// `Debit` and `Credit` columns (VII 1°).
    DebitCredit,
    /// `Montant` and `Sens` columns (VII 2°).
    MontantSens,
}

/// What the reader found about the file's form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FecFormat {
    pub encoding: Encoding,
    pub separator: Separator,
    /// The header's column names, as written.
    pub columns: Vec<String>,
    pub amounts: AmountLayout,
    /// How many times the header is repeated inside the file (parts of a split file).
    pub repeated_headers: usize,
}

/// A FEC file that has been read. Its amounts add up to less than `i64::MAX` cents in
/// absolute value (the reader refuses larger files), so no sum over it can overflow.
#[derive(Debug, Clone)]
pub struct Fec {
    lines: Vec<FecLine>,
    format: FecFormat,
    warnings: Vec<String>,
    /// The balances per line of the forms, summed on first use: the statements, the liasse
    /// and the report all start from them (in the sandbox, the filed accounts and then the
    /// decision's report read the same parsed file).
    totals: std::sync::OnceLock<Totals>,
}

/// An entry (écriture) whose debits and credits differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnbalancedEntry {
    pub journal_code: String,
    pub entry_number: String,
    /// First line of the entry in the file.
    pub first_line: usize,
    /// Sum of the debits, in cents.
    pub debit: i64,
    /// Sum of the credits, in cents.
    pub credit: i64,
}

/// The accounting period the file covers: its first and last entry dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    /// Days from start to end, both included.
    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }
}

/// Counts and checks of a FEC file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FecSummary {
    /// Lines of entries (the header, repeated headers and blank lines are not counted).
    pub lines: usize,
    /// Entries: distinct (`JournalCode`, `EcritureNum`) pairs, since an entry number is only
    /// unique within its journal. A file that numbers every entry 0 counts one per journal.
    pub entries: usize,
    /// Distinct `JournalCode`s.
    pub journals: usize,
    /// Sum of the debits, in cents.
    pub total_debit: i64,
    /// Sum of the credits, in cents.
    pub total_credit: i64,
    /// Total debit equals total credit and every entry balances.
    pub balanced: bool,
    /// Entries whose debits and credits differ, in file order.
    pub unbalanced_entries: Vec<UnbalancedEntry>,
    /// The period of the file (see [`Fec::period`]); `None` for a file without lines.
    pub period: Option<Period>,
    /// Journals recognised as carrying the opening balances (à-nouveaux).
    pub opening_journals: Vec<String>,
}

impl Fec {
    /// The lines, in file order.
    pub fn lines(&self) -> &[FecLine] {
        &self.lines
    }

    /// The file's form: encoding, separator, columns, amount layout.
    pub fn format(&self) -> &FecFormat {
        &self.format
    }

    /// Departures from the format that did not prevent reading (a missing optional column,
    /// a repeated header).
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Counts, totals, balance checks and period.
    pub fn summary(&self) -> FecSummary {
        struct Entry {
            first_line: usize,
            debit: i64,
            credit: i64,
        }
        let mut entries: BTreeMap<(&str, &str), Entry> = BTreeMap::new();
        let mut journals = BTreeSet::new();
        let (mut total_debit, mut total_credit) = (0_i64, 0_i64);
        // The lines of an entry usually follow each other: each run of them is summed before
        // it goes into the map (with the sums of earlier lines of the same entry, if any).
        fn add<'a>(
            entries: &mut BTreeMap<(&'a str, &'a str), Entry>,
            journals: &mut BTreeSet<&'a str>,
            key: (&'a str, &'a str),
            run: Entry,
        ) {
            journals.insert(key.0);
            let entry = entries.entry(key).or_insert(Entry {
                first_line: run.first_line,
                debit: 0,
                credit: 0,
            });
            entry.debit = entry.debit.saturating_add(run.debit);
            entry.credit = entry.credit.saturating_add(run.credit);
        }
        let mut run: Option<((&str, &str), Entry)> = None;
        for line in &self.lines {
            total_debit = total_debit.saturating_add(line.debit);
            total_credit = total_credit.saturating_add(line.credit);
            let key = (line.journal_code.as_str(), line.entry_number.as_str());
            match &mut run {
                Some((current, sums)) if *current == key => {
                    sums.debit = sums.debit.saturating_add(line.debit);
                    sums.credit = sums.credit.saturating_add(line.credit);
                }
                _ => {
                    let started = Entry {
                        first_line: line.line_number,
                        debit: line.debit,
                        credit: line.credit,
                    };
                    if let Some((key, sums)) = run.replace((key, started)) {
                        add(&mut entries, &mut journals, key, sums);
                    }
                }
            }
        }
        if let Some((key, sums)) = run {
            add(&mut entries, &mut journals, key, sums);
        }
        let mut unbalanced_entries: Vec<UnbalancedEntry> = entries
            .iter()
            .filter(|(_, entry)| entry.debit != entry.credit)
            .map(|(&(journal, number), entry)| UnbalancedEntry {
                journal_code: journal.to_owned(),
                entry_number: number.to_owned(),
                first_line: entry.first_line,
                debit: entry.debit,
                credit: entry.credit,
            })
            .collect();
        unbalanced_entries.sort_by_key(|entry| entry.first_line);
        let opening = self.opening_journals();
        FecSummary {
            lines: self.lines.len(),
            entries: entries.len(),
            journals: journals.len(),
            total_debit,
            total_credit,
            balanced: total_debit == total_credit && unbalanced_entries.is_empty(),
            unbalanced_entries,
            period: self.period_after(&opening),
            opening_journals: opening.into_iter().map(str::to_owned).collect(),
        }
    }

    /// The accounting period: from the date of the opening entries (or the first entry when
    /// there are none) to the last entry. Opening journals that keep open items at their
    /// original dates ("à-nouveaux détaillés") would otherwise stretch the period back.
    pub fn period(&self) -> Option<Period> {
        self.period_after(&self.opening_journals())
    }

    fn period_after(&self, opening: &BTreeSet<&str>) -> Option<Period> {
        let is_opening = |line: &&FecLine| opening.contains(line.journal_code.as_str());
        let regular = || self.lines.iter().filter(|line| !is_opening(line));
        let Some(first_regular) = regular().map(|line| line.entry_date).min() else {
            let dates = self.lines.iter().map(|line| line.entry_date);
            return Some(Period {
                start: dates.clone().min()?,
                end: dates.max()?,
            });
        };
        let end = regular().map(|line| line.entry_date).max()?;
        let start = self
            .lines
            .iter()
            .filter(is_opening)
            .map(|line| line.entry_date)
            .filter(|&date| date <= first_regular)
            .max()
            .unwrap_or(first_regular);
        Some(Period { start, end })
    }

    /// Journals carrying the opening balances: a code or label naming the à-nouveaux (`AN`,
    /// `ANO`, `RAN`, "A nouveaux", "Report à nouveau", "Ouverture"), provided the journal only
    /// moves balance-sheet accounts (classes 1 to 5).
    pub fn opening_journals(&self) -> BTreeSet<&str> {
        let mut journals = BTreeSet::new();
        let mut beyond_balance_sheet = BTreeSet::new();
        // Lines of one journal mostly follow each other: a line like the one before adds
        // nothing to either set.
        let mut last = None;
        let mut last_beyond = None;
        for line in &self.lines {
            let journal = (line.journal_code.as_str(), line.journal_label.as_str());
            if last != Some(journal) {
                journals.insert(journal);
                last = Some(journal);
            }
            if last_beyond != Some(journal.0)
                && !matches!(pcg::class(&line.account_number), Some(1..=5))
            {
                beyond_balance_sheet.insert(journal.0);
                last_beyond = Some(journal.0);
            }
        }
        journals
            .into_iter()
            .filter(|&(code, label)| looks_like_opening(code, label))
            .map(|(code, _)| code)
            .filter(|code| !beyond_balance_sheet.contains(code))
            .collect()
    }

    fn totals(&self) -> &Totals {
        self.totals.get_or_init(|| Totals::of(self))
    }

    /// Debit, credit and balance of every account, sorted by account number.
    pub fn trial_balance(&self) -> Vec<AccountBalance> {
        statements::trial_balance(self)
    }

    /// Balance sheet and income statement, aggregated by PCG account ranges.
    pub fn statements(&self) -> Statements {
        Statements::from_totals(self.totals())
    }

    /// The 2050–2053 (letters) and 2033-A/B (digits) repères, in whole euros. The module
    /// documentation of `liasse` lists what is not computed.
    pub fn liasse(&self) -> BTreeMap<String, i64> {
        liasse::compute(self.totals())
            .into_iter()
            .map(|(code, cents)| (code.to_owned(), round_to_euros(cents)))
            .collect()
    }

    /// Financial ratios of the period for the credit model.
    pub fn ratios(&self) -> Ratios {
        let statements = self.statements();
        Ratios::compute(
            &statements.balance_sheet,
            &statements.income_statement,
            self.period().map(|p| p.days()),
        )
    }
}

/// Whether a journal's code or label names the opening balances.
fn looks_like_opening(code: &str, label: &str) -> bool {
    let words = |text: &str| -> String {
        text.chars()
            .map(|c| match c.to_ascii_uppercase() {
                'à' | 'À' | 'â' | 'Â' => 'A',
                'é' | 'É' | 'è' | 'È' | 'ê' | 'Ê' => 'E',
                c if c.is_ascii_alphanumeric() => c,
                _ => ' ',
            })
            .collect()
    };
    let code: String = words(code).split_whitespace().collect();
    let label = words(label);
    matches!(
        code.as_str(),
        "AN" | "ANO" | "AN0" | "RAN" | "ANX" | "OUV" | "ANOUV" | "ANOUVEAU" | "ANOUVEAUX"
    ) || label.contains("NOUVEAU")
        || label.contains("OUVERTURE")
        || label.split_whitespace().collect::<String>() == "AN"
}

/// Most unbalanced entries listed in the report; the count is always given.
const REPORTED_UNBALANCED_ENTRIES: usize = 100;

/// Everything the reader computes about a FEC file, as one JSON object: `lines`, `entries`,
/// `journals`, `total_debit` and `total_credit` (decimal strings), `balanced`,
/// `unbalanced_entries`, `period`, `format`, `warnings`, `statements`, `liasse`, `ratios` and
/// the model's `attributes` (each with its value or why it has none, and the lines it read).
pub fn inspect_report(bytes: &[u8]) -> Result<Value, FecError> {
    let mut out = report(&parse(bytes)?);
    // The model's attributes, computed from the report's repères as a decision computes them.
    let days = out.pointer("/period/days").and_then(Value::as_i64);
    let lines = {
        let liasse = out.get("liasse");
        super::accounts::Lines::from_reperes(|code| liasse?.get(code)?.as_i64(), days)
    };
    let attributes: serde_json::Map<String, Value> = super::accounts::compute(&lines)
        .into_iter()
        .map(|(a, v)| {
            (
                a.key.to_owned(),
                json!({
                    "attribute": a.attribute,
                    "definition": a.definition,
                    "value": v.ok(),
                    "missing": v.err().map(super::accounts::Missing::as_str),
                    "reads": super::accounts::lineage(a),
                }),
            )
        })
        .collect();
    if let Some(object) = out.as_object_mut() {
        object.insert("attributes".to_owned(), Value::Object(attributes));
    }
    Ok(out)
}

/// [`inspect_report`] of a parsed file.
pub fn report(fec: &Fec) -> Value {
    let summary = fec.summary();
    let totals = fec.totals();
    let statements = Statements::from_totals(totals);
    let ratios = Ratios::compute(
        &statements.balance_sheet,
        &statements.income_statement,
        summary.period.map(|p| p.days()),
    );
    let liasse: BTreeMap<&str, i64> = liasse::compute(totals)
        .into_iter()
        .map(|(code, cents)| (code, round_to_euros(cents)))
        .collect();
    let unbalanced: Vec<Value> = summary
        .unbalanced_entries
        .iter()
        .take(REPORTED_UNBALANCED_ENTRIES)
        .map(|entry| {
            json!({
                "journal_code": entry.journal_code,
                "entry_number": entry.entry_number,
                "first_line": entry.first_line,
                "debit": format_cents(entry.debit),
                "credit": format_cents(entry.credit),
                "difference": format_cents(entry.debit.saturating_sub(entry.credit)),
            })
        })
        .collect();
    let mut warnings = fec.warnings.clone();
    if !statements.unclassified_accounts.is_empty() {
        warnings.push(format!(
            "{} account(s) do not start with a PCG class digit and are left out of the statements",
            statements.unclassified_accounts.len()
        ));
    }
    if summary.entries == summary.journals && summary.lines > summary.entries {
        warnings.push(
            "EcritureNum does not tell entries apart (one number per journal): \
             entries are counted and checked for balance per journal"
                .to_owned(),
        );
    }
    if !statements.balance_sheet.is_balanced() {
        warnings.push("the balance sheet does not balance".to_owned());
    }
    json!({
        "lines": summary.lines,
        "entries": summary.entries,
        "journals": summary.journals,
        "total_debit": format_cents(summary.total_debit),
        "total_credit": format_cents(summary.total_credit),
        "balanced": summary.balanced,
        "unbalanced_entries_count": summary.unbalanced_entries.len(),
        "unbalanced_entries": unbalanced,
        "opening_journals": summary.opening_journals,
        "period": summary.period.map(|p| json!({
            "start": p.start.to_string(),
            "end": p.end.to_string(),
            "days": p.days(),
        })),
        "format": fec.format,
        "warnings": warnings,
        "statements": statements.to_json(),
        "liasse": liasse,
        "ratios": ratios,
    })
}

#[cfg(test)]
mod tests;

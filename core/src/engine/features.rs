//! Features with lineage: every value the engine uses, where it came from (source, snapshot,
//! place inside the payload) and how it was computed. Pure functions of the facts and the
//! decision time.

use super::Generation;
use crate::sources::bodacc::ProceedingStatus;
use crate::sources::facts::Facts;
use crate::sources::psd2::Transaction;
use crate::sources::SourceId;
use chrono::{DateTime, Days, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Days of bank history the cash-flow features look at.
pub const WINDOW_DAYS: u32 = 90;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    /// Stable name, for example `cf_negative_days_90`.
    pub name: String,
    /// `None` when the data needed is missing.
    pub value: Option<f64>,
    pub source: SourceId,
    /// SHA-256 of the snapshot the value came from.
    pub snapshot: Option<String>,
    /// Where inside the payload: JSON pointers, FEC account ranges or transaction ids.
    pub path: String,
    /// How the value was computed.
    pub transform: String,
    /// Why there is no value, when the engine tells apart a zero denominator
    /// (`zero_denominator`) from a value nobody knows (`not_given`, `no_earlier_year`,
    /// `no_accounts`). Absent in decisions of the first engine version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<String>,
}

/// All features of one decision, by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Features {
    pub list: Vec<Feature>,
}

impl Features {
    pub fn get(&self, name: &str) -> Option<f64> {
        self.list
            .iter()
            .find(|f| f.name == name)
            .and_then(|f| f.value)
    }
    pub fn feature(&self, name: &str) -> Option<&Feature> {
        self.list.iter().find(|f| f.name == name)
    }
    /// Sets a feature by name (tests build feature sets directly).
    #[cfg(test)]
    pub(crate) fn set(&mut self, name: &str, value: Option<f64>) {
        self.list.retain(|f| f.name != name);
        self.push(
            name,
            value,
            SourceId::Accounting,
            None,
            String::new(),
            "set by a test",
        );
    }
    fn push(
        &mut self,
        name: &str,
        value: Option<f64>,
        source: SourceId,
        snapshot: Option<&String>,
        path: String,
        transform: &str,
    ) {
        self.list.push(Feature {
            name: name.to_owned(),
            value: value.filter(|v| v.is_finite()),
            source,
            snapshot: snapshot.cloned(),
            path,
            transform: transform.to_owned(),
            missing: None,
        });
    }
}

/// The ratios the statistical model reads, in the model's input names.
pub const MODEL_RATIOS: [&str; 9] = [
    "x1_net_profit_to_total_assets",
    "x2_total_liabilities_to_total_assets",
    "x3_working_capital_to_total_assets",
    "x4_current_assets_to_short_term_liabilities",
    "x6_retained_earnings_to_total_assets",
    "x7_ebit_to_total_assets",
    "x8_book_equity_to_total_liabilities",
    "x9_sales_to_total_assets",
    "x10_equity_to_total_assets",
];

fn tx_ids(txs: &[&Transaction], limit: usize) -> String {
    let mut ids: Vec<&str> = txs.iter().map(|t| t.id.as_str()).take(limit).collect();
    if txs.len() > limit {
        ids.push("…");
    }
    ids.join(",")
}

/// Words that mark a payment to the tax office or the social-security collector.
const TAX_SOCIAL: [&str; 5] = ["URSSAF", "DGFIP", "IMPOT", "TVA", "SIE "];

/// Whether `haystack` contains `needle` (upper-case ASCII), ignoring ASCII case, without
/// allocating: this runs for every transaction of every decision.
fn contains_upper(haystack: &str, needle: &str) -> bool {
    let (h, n) = (haystack.as_bytes(), needle.as_bytes());
    n.is_empty()
        || h.windows(n.len())
            .any(|w| w.iter().zip(n).all(|(a, b)| a.to_ascii_uppercase() == *b))
}

fn is_rejected_debit(t: &Transaction) -> bool {
    let code = t.bank_transaction_code.as_deref().unwrap_or("");
    let text = t.remittance.as_deref().unwrap_or("");
    code.ends_with("-UPDD")
        || code.ends_with("-RCDD")
        || contains_upper(text, "REJET PRLV")
        || contains_upper(text, "IMPAYE")
}

fn is_tax_or_social(t: &Transaction) -> bool {
    let party = t.counterparty.as_deref().unwrap_or("");
    let text = t.remittance.as_deref().unwrap_or("");
    TAX_SOCIAL
        .iter()
        .any(|w| contains_upper(party, w) || contains_upper(text, w))
}

/// Computes every feature. `decided_at` fixes "today"; `generation` is the engine version whose
/// features these are (each keeps its own, so old decisions replay as they were made).
pub fn compute(facts: &Facts, decided_at: DateTime<Utc>, generation: Generation) -> Features {
    let mut f = Features::default();
    let today = decided_at.date_naive();
    let snap = |id: SourceId| facts.snapshot_of.get(&id);

    // Legal (Sirene, BODACC).
    let unit = facts.legal_unit.as_ref();
    let unit_snap = snap(SourceId::SireneUnit);
    f.push(
        "lg_known_company",
        if facts.registry_not_found {
            Some(0.0)
        } else {
            unit.map(|_| 1.0)
        },
        SourceId::SireneUnit,
        unit_snap,
        "/uniteLegale".into(),
        "1 when the registry knows the SIREN, 0 when it answered 404",
    );
    f.push(
        "lg_active",
        unit.map(|u| if u.active { 1.0 } else { 0.0 }),
        SourceId::SireneUnit,
        unit_snap,
        unit.map(|u| format!("{}/etatAdministratifUniteLegale", u.current_period_pointer))
            .unwrap_or_default(),
        "1 for A (active), 0 for C (ceased)",
    );
    f.push(
        "lg_company_age_days",
        unit.and_then(|u| u.created_on)
            .map(|c| (today - c).num_days() as f64),
        SourceId::SireneUnit,
        unit_snap,
        "/uniteLegale/dateCreationUniteLegale".into(),
        "days from creation to the decision day",
    );
    f.push(
        "lg_sole_trader",
        unit.map(|u| if u.sole_trader { 1.0 } else { 0.0 }),
        SourceId::SireneUnit,
        unit_snap,
        unit.map(|u| format!("{}/categorieJuridiqueUniteLegale", u.current_period_pointer))
            .unwrap_or_default(),
        &format!(
            "1 for a natural person trading in their own name (legal category {})",
            unit.and_then(|u| u.legal_form.clone())
                .unwrap_or_else(|| "unknown".into())
        ),
    );
    let events = facts.legal_events.as_ref();
    let bodacc_snap = snap(SourceId::Bodacc);
    let (proceeding, proceeding_path) = match events.map(|e| &e.proceeding) {
        Some(ProceedingStatus::Open { .. }) => (Some(2.0), "open"),
        Some(ProceedingStatus::UnderPlan { .. }) => (Some(1.0), "under plan"),
        Some(ProceedingStatus::Closed {
            insufficient_assets: true,
            ..
        }) => (Some(3.0), "closed for insufficient assets"),
        Some(ProceedingStatus::Closed { .. }) | Some(ProceedingStatus::None) => {
            (Some(0.0), "none open")
        }
        None => (None, ""),
    };
    let proceeding_pointers = events
        .map(|e| {
            e.announcements
                .iter()
                .filter(|a| a.family == "collective")
                .map(|a| a.pointer.clone())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    f.push(
        "lg_proceeding",
        proceeding,
        SourceId::Bodacc,
        bodacc_snap,
        proceeding_pointers,
        &format!("0 none open, 1 under a plan, 2 open, 3 closed for insufficient assets ({proceeding_path})"),
    );
    let radiation_pointer = events
        .and_then(|e| {
            e.announcements
                .iter()
                .rev()
                .find(|a| a.family == "radiation")
        })
        .map(|a| a.pointer.clone())
        .unwrap_or_default();
    f.push(
        "lg_struck_off",
        events.map(|e| if e.radiated_on.is_some() { 1.0 } else { 0.0 }),
        SourceId::Bodacc,
        bodacc_snap,
        radiation_pointer,
        "1 when a radiation was published",
    );
    f.push(
        "lg_days_since_director_change",
        events
            .and_then(|e| e.last_director_change)
            .map(|d| (today - d).num_days() as f64),
        SourceId::Bodacc,
        bodacc_snap,
        "familleavis=modification naming directors".into(),
        "days since the latest change of directors",
    );

    // Cash flow (open banking).
    bank_features(&mut f, facts, today, decided_at);

    // Accounts: FEC first, filed accounts otherwise.
    match generation {
        Generation::First => first_ratios(&mut f, facts),
        Generation::Second => account_attributes(&mut f, facts),
    }
    let filed = facts.filed_accounts.as_ref().and_then(|y| y.first());
    let equity_cents = facts
        .accounting
        .as_ref()
        .and_then(|a| a.pointer("/statements/balance_sheet/equity"))
        .and_then(serde_json::Value::as_str)
        .and_then(crate::sources::psd2::cents)
        .map(|c| c as f64)
        .or_else(|| filed.and_then(|y| y.equity()).map(|e| e as f64 * 100.0));
    f.push(
        "ac_equity_cents",
        equity_cents,
        if facts.accounting.is_some() {
            SourceId::Accounting
        } else {
            SourceId::FiledAccounts
        },
        snap(if facts.accounting.is_some() {
            SourceId::Accounting
        } else {
            SourceId::FiledAccounts
        }),
        "classes 10-14 (FEC) or 2051 DL".into(),
        "equity at the last closing, cents",
    );

    // Sector.
    f.push(
        "sector_default_rate",
        facts
            .sector
            .as_ref()
            .map(|s| f64::from(s.default_rate_bp) / 10_000.0),
        SourceId::SectorRisk,
        snap(SourceId::SectorRisk),
        facts
            .sector
            .as_ref()
            .map(|s| format!("section {} (NAF {})", s.section, s.naf))
            .unwrap_or_default(),
        "reference one-year default rate of the NAF section",
    );

    // The lender's own history.
    let internal = facts.internal.as_ref();
    let isnap = snap(SourceId::Internal);
    f.push(
        "in_exposure_cents",
        internal.map(|i| i.exposure_cents as f64),
        SourceId::Internal,
        isnap,
        "/history/*/outstanding_cents".into(),
        "sum of the limits outstanding",
    );
    f.push(
        "in_applications_24h",
        internal.map(|i| i.applications_last_24h as f64 + 1.0),
        SourceId::Internal,
        isnap,
        "/history/*/received_at".into(),
        "applications in the last 24 hours, this one included",
    );
    f.push(
        "in_past_declines",
        internal.map(|i| i.past_declines as f64),
        SourceId::Internal,
        isnap,
        "/history/*/outcome".into(),
        "earlier declined applications",
    );

    // KYB.
    let kyb = &facts.kyb;
    f.push(
        "kyb_name_match",
        match kyb.name_match {
            crate::sources::kyb::NameMatch::Exact => Some(2.0),
            crate::sources::kyb::NameMatch::Close => Some(1.0),
            crate::sources::kyb::NameMatch::Mismatch => Some(0.0),
            crate::sources::kyb::NameMatch::Unknown => None,
        },
        SourceId::OpenBanking,
        snap(SourceId::OpenBanking),
        "/account/ownerName against /uniteLegale/…/denominationUniteLegale".into(),
        "2 same name, 1 close, 0 different (normalised words)",
    );
    f.push(
        "kyb_iban_connected",
        kyb.iban_among_connected_accounts
            .map(|b| if b { 1.0 } else { 0.0 }),
        SourceId::OpenBanking,
        snap(SourceId::OpenBanking),
        "/accounts/*/iban".into(),
        "1 when the IBAN given is one of the connected accounts",
    );
    f.push(
        "fr_minutes_since_bank_connection",
        facts
            .bank_connected_at
            .map(|c| (decided_at - c).num_seconds() as f64 / 60.0),
        SourceId::OpenBanking,
        None,
        "bank_connection.connected_at (request)".into(),
        "minutes between the bank connection and the decision",
    );
    f
}

/// The nine ratios of the first engine version, read from the FEC report's `ratios` or the
/// last filed balance sheet.
fn first_ratios(f: &mut Features, facts: &Facts) {
    let snap = |id: SourceId| facts.snapshot_of.get(&id);
    let fec_ratios = facts.accounting.as_ref().and_then(|a| a.get("ratios"));
    let filed = facts.filed_accounts.as_ref().and_then(|y| y.first());
    for name in MODEL_RATIOS {
        let from_fec = fec_ratios
            .and_then(|r| r.get(name))
            .and_then(serde_json::Value::as_f64);
        let from_filed = filed.and_then(|y| match name {
            "x10_equity_to_total_assets" => ratio(y.equity(), y.total_assets()),
            "x1_net_profit_to_total_assets" => ratio(y.net_result(), y.total_assets()),
            "x9_sales_to_total_assets" => ratio(y.revenue(), y.total_assets()),
            "x2_total_liabilities_to_total_assets" => y
                .equity()
                .zip(y.total_assets())
                .and_then(|(e, t)| ratio(Some(t - e), Some(t))),
            _ => None,
        });
        match (from_fec, from_filed) {
            (Some(v), _) => f.push(
                name,
                Some(v),
                SourceId::Accounting,
                snap(SourceId::Accounting),
                format!("/ratios/{name} (FEC account ranges, see docs/fec.md)"),
                "ratio of the statements built from the FEC",
            ),
            (None, Some(v)) => f.push(
                name,
                Some(v),
                SourceId::FiledAccounts,
                snap(SourceId::FiledAccounts),
                "/data/0/data/declarations (2051 EE, DL; 2052 FL; 2053 HN)".into(),
                "ratio of the last filed balance sheet",
            ),
            (None, None) => f.push(
                name,
                None,
                SourceId::Accounting,
                None,
                String::new(),
                "no accounts",
            ),
        }
    }
}

/// The repère's form (2050 assets, 2051 liabilities, 2052–2053 income statement).
fn form_of(code: &str) -> &'static str {
    match code.as_bytes().first() {
        Some(b'D' | b'E') => "2051",
        Some(b'F' | b'G') => "2052",
        Some(b'H') => "2053",
        _ => "2050",
    }
}

/// Every attribute of the accounts (`sources::accounts`), FEC first, filed accounts otherwise,
/// each with the repères it read and, when it has no value, why.
fn account_attributes(f: &mut Features, facts: &Facts) {
    use crate::sources::accounts::{self, Lines};
    let fec = facts.accounting.as_ref();
    let filed = facts.filed_accounts.as_deref().unwrap_or_default();
    let (lines, source, where_) = if let Some(report) = fec {
        let liasse = report.get("liasse");
        let days = report
            .pointer("/period/days")
            .and_then(serde_json::Value::as_i64);
        let lines = Lines::from_reperes(|code| liasse?.get(code)?.as_i64(), days);
        (
            Some(lines),
            SourceId::Accounting,
            "/liasse (repères computed from the FEC)",
        )
    } else if let Some(year) = filed.first() {
        let of = |y: &crate::sources::api_entreprise::FiledYear, code: &str| {
            y.amount(form_of(code), code)
        };
        let mut lines =
            Lines::from_reperes(|code| of(year, code), year.duration_days.map(i64::from));
        let earlier = |back: i32| filed.iter().find(|y| y.year == year.year - back);
        lines.previous_sales = earlier(1).and_then(|y| of(y, "FL")).map(|v| v as f64);
        let gross = |y: &crate::sources::api_entreprise::FiledYear| {
            Some(of(y, "HN")? as f64 + of(y, "HK")? as f64)
        };
        lines.gross_profit_three_years =
            (|| Some(gross(year)? + gross(earlier(1)?)? + gross(earlier(2)?)?))();
        (
            Some(lines),
            SourceId::FiledAccounts,
            "/data/*/declarations (2050–2053 lines of the filed accounts)",
        )
    } else {
        (None, SourceId::Accounting, "")
    };
    let snapshot = facts.snapshot_of.get(&source);
    for a in &accounts::ATTRIBUTES {
        let (value, missing, transform) = match &lines {
            Some(lines) => match (a.compute)(lines) {
                Ok(v) => (Some(v), None, format!("{}: {}", a.attribute, a.definition)),
                Err(why) => (
                    None,
                    Some(why.as_str()),
                    format!("{}: {} — {}", a.attribute, a.definition, why.describe()),
                ),
            },
            None => (None, Some("no_accounts"), "no accounts".to_owned()),
        };
        f.list.push(Feature {
            name: a.key.to_owned(),
            value: value.filter(|v| v.is_finite()),
            source,
            snapshot: lines.as_ref().and(snapshot).cloned(),
            path: if lines.is_some() {
                format!("{where_}: {}", accounts::lineage(a))
            } else {
                String::new()
            },
            transform,
            missing: missing.map(str::to_owned),
        });
    }
}

fn ratio(num: Option<i64>, den: Option<i64>) -> Option<f64> {
    let (n, d) = (num?, den?);
    (d != 0).then(|| n as f64 / d as f64)
}

fn bank_features(f: &mut Features, facts: &Facts, today: NaiveDate, _decided_at: DateTime<Utc>) {
    let src = SourceId::OpenBanking;
    let snap = facts.snapshot_of.get(&src);
    let Some(bank) = facts.bank.as_ref() else {
        for name in [
            "cf_negative_days_90",
            "cf_runway_months",
            "cf_inflow_trend",
            "cf_rejected_debits_90",
            "cf_missed_tax_social_90",
            "cf_inflow_concentration",
            "cf_monthly_inflows_cents",
            "cf_history_days",
            "cf_closing_balance_cents",
        ] {
            f.push(name, None, src, None, String::new(), "no bank data");
        }
        return;
    };
    let yesterday = today.pred_opt().unwrap_or(today);
    let start = today
        .checked_sub_days(Days::new(u64::from(WINDOW_DAYS)))
        .unwrap_or(today);
    // Each transaction of the window, with whether it is a returned debit (computed once).
    let window: Vec<(&Transaction, bool)> = bank
        .transactions
        .iter()
        .map(|(_, _, t)| t)
        .filter(|t| t.currency == "EUR")
        .filter(|t| t.booking_date.is_some_and(|d| d >= start && d < today))
        .map(|t| (t, is_rejected_debit(t)))
        .collect();
    let in_window: Vec<&Transaction> = window.iter().map(|(t, _)| *t).collect();
    let tx_snap = bank.transactions.first().map(|(_, sha, _)| sha.clone());
    let balances = bank.end_of_day_balances(yesterday, WINDOW_DAYS);
    let negative_days = balances
        .as_ref()
        .map(|b| b.iter().filter(|(_, v)| *v < 0).count() as f64);
    f.push(
        "cf_negative_days_90",
        negative_days,
        src,
        tx_snap.as_ref().or(snap),
        "/balances/*[closingBooked] walked back through /transactions/booked".into(),
        "days with a negative end-of-day balance in the last 90",
    );
    let outflows: i64 = in_window
        .iter()
        .filter(|t| t.amount_cents < 0)
        .map(|t| -t.amount_cents)
        .sum();
    let closing = bank.closing_balance().map(|(_, c)| c);
    let monthly_outflows = outflows as f64 / 3.0;
    f.push(
        "cf_runway_months",
        closing.and_then(|c| (monthly_outflows > 0.0).then(|| c as f64 / monthly_outflows)),
        src,
        snap,
        "/balances/*[closingBooked]; /transactions/booked (amount < 0)".into(),
        "closing balance / average monthly outflows over 90 days",
    );
    let inflows_between = |from_days: u64, to_days: u64| -> i64 {
        let newest = today
            .checked_sub_days(Days::new(from_days))
            .unwrap_or(today);
        let oldest = today.checked_sub_days(Days::new(to_days)).unwrap_or(today);
        window
            .iter()
            .filter(|(t, rejected)| t.amount_cents > 0 && !rejected)
            .filter(|(t, _)| t.booking_date.is_some_and(|d| d >= oldest && d < newest))
            .map(|(t, _)| t.amount_cents)
            .sum()
    };
    let last_30 = inflows_between(0, 30) as f64;
    let previous_60 = inflows_between(30, 90) as f64;
    let history_days = in_window
        .iter()
        .filter_map(|t| t.booking_date)
        .min()
        .map(|d| (today - d).num_days() as f64);
    f.push(
        "cf_inflow_trend",
        (previous_60 > 0.0 && history_days.is_some_and(|h| h >= 75.0))
            .then(|| last_30 / (previous_60 / 2.0) - 1.0),
        src,
        tx_snap.as_ref().or(snap),
        "/transactions/booked (amount > 0)".into(),
        "inflows of the last 30 days / half the inflows of the 60 before, minus 1",
    );
    let rejected: Vec<&Transaction> = window.iter().filter(|(_, r)| *r).map(|(t, _)| *t).collect();
    f.push(
        "cf_rejected_debits_90",
        Some(rejected.len() as f64),
        src,
        tx_snap.as_ref().or(snap),
        tx_ids(&rejected, 10),
        "direct debits returned unpaid (ISO code …-UPDD or 'REJET PRLV') in 90 days",
    );
    let missed: Vec<&Transaction> = rejected
        .iter()
        .copied()
        .filter(|t| is_tax_or_social(t))
        .collect();
    f.push(
        "cf_missed_tax_social_90",
        Some(missed.len() as f64),
        src,
        tx_snap.as_ref().or(snap),
        tx_ids(&missed, 10),
        "rejected payments to URSSAF or the tax office in 90 days",
    );
    let mut by_payer: BTreeMap<std::borrow::Cow<str>, i64> = BTreeMap::new();
    for (t, _) in window.iter().filter(|(t, r)| t.amount_cents > 0 && !r) {
        let name = t.counterparty.as_deref().unwrap_or("?");
        let key = if name.bytes().any(|b| b.is_ascii_lowercase()) || !name.is_ascii() {
            std::borrow::Cow::Owned(name.to_uppercase())
        } else {
            std::borrow::Cow::Borrowed(name)
        };
        *by_payer.entry(key).or_default() += t.amount_cents;
    }
    let total_in: i64 = by_payer.values().sum();
    let top = by_payer
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)));
    f.push(
        "cf_inflow_concentration",
        top.filter(|_| total_in > 0)
            .map(|(_, v)| *v as f64 / total_in as f64),
        src,
        tx_snap.as_ref().or(snap),
        top.map(|(name, _)| format!("/transactions/booked[debtorName={name}]"))
            .unwrap_or_default(),
        "share of the 90-day inflows from the largest payer",
    );
    let window_months = history_days.map(|h| (h.min(f64::from(WINDOW_DAYS)) / 30.0).max(1.0));
    f.push(
        "cf_monthly_inflows_cents",
        window_months.map(|m| total_in as f64 / m),
        src,
        tx_snap.as_ref().or(snap),
        "/transactions/booked (amount > 0)".into(),
        "average monthly inflows over the history (at most 90 days)",
    );
    f.push(
        "cf_history_days",
        history_days,
        src,
        tx_snap.as_ref().or(snap),
        "/transactions/booked/*/bookingDate".into(),
        "days since the oldest booked transaction (at most 90)",
    );
    f.push(
        "cf_closing_balance_cents",
        closing.map(|c| c as f64),
        src,
        snap,
        "/balances/*[closingBooked]".into(),
        "latest booked balance of the euro accounts",
    );
}

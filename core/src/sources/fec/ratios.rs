//! Financial ratios for the credit model, computed from the statements. Names follow the
//! attributes of the Polish companies bankruptcy dataset (X1…X64) where a ratio corresponds.
//! A ratio is `None` when its denominator is zero (or, for debt/EBITDA, not positive).

use super::statements::{BalanceSheet, IncomeStatement};
use serde::Serialize;

/// Ratios of one FEC file. The formulas are in terms of the statement lines (`docs/fec.md`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ratios {
    /// X1: net result / total assets.
    pub x1_net_profit_to_total_assets: Option<f64>,
    /// X2: total liabilities / total assets.
    pub x2_total_liabilities_to_total_assets: Option<f64>,
    /// X3: working capital (current assets − short-term liabilities) / total assets.
    pub x3_working_capital_to_total_assets: Option<f64>,
    /// X4: current assets / short-term liabilities.
    pub x4_current_assets_to_short_term_liabilities: Option<f64>,
    /// X6: retained earnings (reserves + retained earnings brought forward) / total assets.
    pub x6_retained_earnings_to_total_assets: Option<f64>,
    /// X7: EBIT (operating result) / total assets.
    pub x7_ebit_to_total_assets: Option<f64>,
    /// X8: book value of equity / total liabilities.
    pub x8_book_equity_to_total_liabilities: Option<f64>,
    /// X9: sales (revenue) / total assets.
    pub x9_sales_to_total_assets: Option<f64>,
    /// X10: equity / total assets.
    pub x10_equity_to_total_assets: Option<f64>,
    /// (revenue − cost of goods sold) / revenue.
    pub gross_margin: Option<f64>,
    /// EBITDA / revenue.
    pub ebitda_margin: Option<f64>,
    /// Financial debts / EBITDA; `None` when EBITDA is zero or negative.
    pub debt_to_ebitda: Option<f64>,
    /// Trade receivables / revenue × days of the period.
    pub days_sales_outstanding: Option<f64>,
    /// Trade payables / (purchases + external charges) × days of the period.
    pub days_payables_outstanding: Option<f64>,
    /// Current assets / short-term liabilities (the same as X4).
    pub current_ratio: Option<f64>,
    /// EBIT (operating result) / interest expense (661).
    pub interest_coverage: Option<f64>,
}

/// Length of a year, used when the period is unknown.
const YEAR_DAYS: i64 = 365;

/// `numerator / denominator`, `None` when the denominator is zero. Cents convert to `f64`
/// exactly up to 2^53 cents (90 trillion euros).
fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

impl Ratios {
    /// Computes the ratios; `period_days` scales the day counts (365 when `None`).
    pub(super) fn compute(
        balance: &BalanceSheet,
        income: &IncomeStatement,
        period_days: Option<i64>,
    ) -> Ratios {
        let days = period_days.filter(|&d| d > 0).unwrap_or(YEAR_DAYS) as f64;
        let working_capital = balance
            .current_assets
            .saturating_sub(balance.short_term_liabilities);
        let retained = balance.reserves.saturating_add(balance.retained_earnings);
        let ebit = income.operating_result;
        let purchases = income.purchases.saturating_add(income.external_charges);
        let current = ratio(balance.current_assets, balance.short_term_liabilities);
        Ratios {
            x1_net_profit_to_total_assets: ratio(income.net_result, balance.total_assets),
            x2_total_liabilities_to_total_assets: ratio(
                balance.total_liabilities,
                balance.total_assets,
            ),
            x3_working_capital_to_total_assets: ratio(working_capital, balance.total_assets),
            x4_current_assets_to_short_term_liabilities: current,
            x6_retained_earnings_to_total_assets: ratio(retained, balance.total_assets),
            x7_ebit_to_total_assets: ratio(ebit, balance.total_assets),
            x8_book_equity_to_total_liabilities: ratio(balance.equity, balance.total_liabilities),
            x9_sales_to_total_assets: ratio(income.revenue, balance.total_assets),
            x10_equity_to_total_assets: ratio(balance.equity, balance.total_assets),
            gross_margin: ratio(
                income.revenue.saturating_sub(income.cost_of_goods_sold),
                income.revenue,
            ),
            ebitda_margin: ratio(income.ebitda, income.revenue),
            debt_to_ebitda: if income.ebitda > 0 {
                ratio(balance.financial_debts, income.ebitda)
            } else {
                None
            },
            days_sales_outstanding: ratio(balance.trade_receivables, income.revenue)
                .map(|r| r * days),
            days_payables_outstanding: ratio(balance.trade_payables, purchases).map(|r| r * days),
            current_ratio: current,
            interest_coverage: ratio(ebit, income.interest_expense),
        }
    }
}

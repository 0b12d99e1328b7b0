//! The attributes of the Polish companies bankruptcy data (X1…X64) that one year of French
//! accounts yields, computed from the lines of the 2050–2053 tax forms (repères). The same
//! arithmetic serves the FEC (whose repères `fec::report` computes) and the accounts a company
//! filed (whose lines API Entreprise gives), so both sources mean the same thing by a ratio.
//!
//! Every attribute is a `Result`: a value, or why there is none (a zero denominator, a line the
//! source does not give, an earlier year that is not available). The PCG mapping and the
//! approximations are written down in `docs/fec.md` ("Model attributes").

use serde::{Deserialize, Serialize};

/// Why an attribute has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    /// Its denominator is zero in these accounts (a fact about the company).
    ZeroDenominator,
    /// A line it reads is not in the accounts the source gave (nothing is known).
    NotGiven,
    /// It needs an earlier financial year, which is not available.
    NoEarlierYear,
}

impl Missing {
    pub fn as_str(self) -> &'static str {
        match self {
            Missing::ZeroDenominator => "zero_denominator",
            Missing::NotGiven => "not_given",
            Missing::NoEarlierYear => "no_earlier_year",
        }
    }

    /// The reason in words, for lineage.
    pub fn describe(self) -> &'static str {
        match self {
            Missing::ZeroDenominator => "undefined: its denominator is zero in these accounts",
            Missing::NotGiven => "unknown: a line it reads is not in the accounts given",
            Missing::NoEarlierYear => "unknown: it needs the accounts of an earlier year",
        }
    }
}

/// An attribute's value or why it has none.
pub type Value = Result<f64, Missing>;

/// The statement lines the attributes read, in euros, each from named repères. `None` when the
/// source does not give a line it needs. Flows (income statement) are for one year: a
/// financial year of another length is scaled to 365 days.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lines {
    pub total_assets: Option<f64>,
    pub fixed_assets: Option<f64>,
    pub inventories: Option<f64>,
    pub receivables: Option<f64>,
    pub short_term_securities: Option<f64>,
    pub cash: Option<f64>,
    pub current_assets: Option<f64>,
    pub equity: Option<f64>,
    pub share_capital: Option<f64>,
    pub retained_earnings: Option<f64>,
    pub total_liabilities: Option<f64>,
    pub long_term_liabilities: Option<f64>,
    pub short_term_liabilities: Option<f64>,
    pub constant_capital: Option<f64>,
    pub sales: Option<f64>,
    pub total_sales: Option<f64>,
    pub operating_expenses: Option<f64>,
    pub depreciation: Option<f64>,
    pub operating_profit: Option<f64>,
    pub financial_expenses: Option<f64>,
    pub interest: Option<f64>,
    pub extraordinary_items: Option<f64>,
    pub gross_profit: Option<f64>,
    pub net_profit: Option<f64>,
    pub profit_on_sales: Option<f64>,
    pub total_costs: Option<f64>,
    /// The year before: sales.
    pub previous_sales: Option<f64>,
    /// Gross profit of this year and the two before, summed.
    pub gross_profit_three_years: Option<f64>,
}

/// Where each line comes from, in repères of the 2050–2053 forms (net amounts: gross minus
/// depreciation columns). Shown as lineage and written in `docs/fec.md`.
pub const LINE_SOURCES: [(&str, &str); 28] = [
    ("total_assets", "EE (else CO − 1A)"),
    ("fixed_assets", "BJ − BK"),
    (
        "inventories",
        "BL + BN + BP + BR + BT − (BM + BO + BQ + BS + BU)",
    ),
    ("receivables", "BV + BX + BZ + CB − (BW + BY + CA + CC)"),
    ("short_term_securities", "CD − CE"),
    ("cash", "CF − CG"),
    ("current_assets", "CJ − CK"),
    ("equity", "DL"),
    ("share_capital", "DA"),
    ("retained_earnings", "DD + DE + DF + DG + DH"),
    ("total_liabilities", "EE − DL"),
    ("long_term_liabilities", "DS + DT + DU − EH + DV"),
    ("short_term_liabilities", "EC − long-term liabilities"),
    ("constant_capital", "DL + DO + DR + long-term liabilities"),
    ("sales", "FL"),
    ("total_sales", "FR"),
    ("operating_expenses", "GF"),
    ("depreciation", "GA"),
    ("operating_profit", "GG"),
    ("financial_expenses", "GU"),
    ("interest", "GR"),
    ("extraordinary_items", "HI (HD − HH)"),
    ("gross_profit", "HN + HK"),
    ("net_profit", "HN"),
    ("profit_on_sales", "GG − FO − FP − FQ + GE"),
    ("total_costs", "HM"),
    ("previous_sales", "FL of the year before"),
    (
        "gross_profit_three_years",
        "HN + HK of this year and the two before",
    ),
];

impl Lines {
    /// The lines from repères in euros. `repere` answers a repère's amount, or `None` when the
    /// source does not give it. `year_days` is the length of the financial year (flows are
    /// scaled to 365 days).
    pub fn from_reperes(repere: impl Fn(&str) -> Option<i64>, year_days: Option<i64>) -> Lines {
        let r = |code: &str| repere(code).map(|v| v as f64);
        let sum = |codes: &[&str]| -> Option<f64> {
            codes
                .iter()
                .try_fold(0.0, |total, code| Some(total + r(code)?))
        };
        let net = |gross: &[&str], depreciation: &[&str]| -> Option<f64> {
            Some(sum(gross)? - sum(depreciation)?)
        };
        let scale = match year_days {
            Some(days) if days > 0 => 365.0 / days as f64,
            _ => 1.0,
        };
        let flow = |v: Option<f64>| v.map(|v| v * scale);
        let total_assets = r("EE").or_else(|| net(&["CO"], &["1A"]));
        let equity = r("DL");
        let long_term = sum(&["DS", "DT", "DU", "DV"]).map(|debts| debts - r("EH").unwrap_or(0.0));
        let net_profit = r("HN");
        let gross_profit = net_profit.and_then(|n| Some(n + r("HK")?));
        Lines {
            total_assets,
            fixed_assets: net(&["BJ"], &["BK"]),
            inventories: net(
                &["BL", "BN", "BP", "BR", "BT"],
                &["BM", "BO", "BQ", "BS", "BU"],
            ),
            receivables: net(&["BV", "BX", "BZ", "CB"], &["BW", "BY", "CA", "CC"]),
            short_term_securities: net(&["CD"], &["CE"]),
            cash: net(&["CF"], &["CG"]),
            current_assets: net(&["CJ"], &["CK"]),
            equity,
            share_capital: r("DA"),
            retained_earnings: sum(&["DD", "DE", "DF", "DG", "DH"]),
            total_liabilities: total_assets.zip(equity).map(|(t, e)| t - e),
            long_term_liabilities: long_term,
            short_term_liabilities: r("EC").zip(long_term).map(|(d, l)| d - l),
            constant_capital: equity
                .zip(sum(&["DO", "DR"]))
                .zip(long_term)
                .map(|((e, o), l)| e + o + l),
            sales: flow(r("FL")),
            total_sales: flow(r("FR")),
            operating_expenses: flow(r("GF")),
            depreciation: flow(r("GA")),
            operating_profit: flow(r("GG")),
            financial_expenses: flow(r("GU")),
            interest: flow(r("GR")),
            extraordinary_items: flow(r("HI").or_else(|| Some(r("HD")? - r("HH")?))),
            gross_profit: flow(gross_profit),
            net_profit: flow(net_profit),
            profit_on_sales: flow(
                r("GG")
                    .zip(sum(&["FO", "FP", "FQ"]))
                    .zip(r("GE"))
                    .map(|((g, other_income), other_charges)| g - other_income + other_charges),
            ),
            total_costs: flow(r("HM")),
            previous_sales: None,
            gross_profit_three_years: None,
        }
    }

    fn cost_of_products_sold(&self) -> Option<f64> {
        Some(self.sales? - self.profit_on_sales?)
    }

    fn working_capital(&self) -> Option<f64> {
        Some(self.current_assets? - self.short_term_liabilities?)
    }
}

/// `numerator / denominator`: not given when either is unknown, undefined when the denominator
/// is zero.
fn div(numerator: Option<f64>, denominator: Option<f64>) -> Value {
    let (n, d) = (
        numerator.ok_or(Missing::NotGiven)?,
        denominator.ok_or(Missing::NotGiven)?,
    );
    if d == 0.0 {
        return Err(Missing::ZeroDenominator);
    }
    let v = n / d;
    if v.is_finite() {
        Ok(v)
    } else {
        Err(Missing::ZeroDenominator)
    }
}

fn add(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? + b?)
}

fn sub(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    Some(a? - b?)
}

fn times(v: Value, k: f64) -> Value {
    v.map(|v| v * k)
}

/// The groups reason codes speak of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    Profitability,
    DebtService,
    Liquidity,
    Leverage,
    Activity,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::Profitability,
        Group::DebtService,
        Group::Liquidity,
        Group::Leverage,
        Group::Activity,
    ];

    /// The group's name for people, in English or French.
    pub fn label(self, french: bool) -> &'static str {
        match (self, french) {
            (Group::Profitability, false) => "Profitability",
            (Group::Profitability, true) => "Rentabilité",
            (Group::DebtService, false) => "Debt service",
            (Group::DebtService, true) => "Service de la dette",
            (Group::Liquidity, false) => "Liquidity",
            (Group::Liquidity, true) => "Liquidité",
            (Group::Leverage, false) => "Leverage",
            (Group::Leverage, true) => "Endettement",
            (Group::Activity, false) => "Activity",
            (Group::Activity, true) => "Activité",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Group::Profitability => "profitability",
            Group::DebtService => "debt_service",
            Group::Liquidity => "liquidity",
            Group::Leverage => "leverage",
            Group::Activity => "activity",
        }
    }
}

/// One attribute: its key (the model's input name), the Polish attribute, the definition of
/// the data set, its names for people, its group and its arithmetic.
pub struct Attribute {
    pub key: &'static str,
    pub attribute: &'static str,
    pub definition: &'static str,
    pub name_en: &'static str,
    pub name_fr: &'static str,
    pub group: Group,
    /// The lines it reads (`LINE_SOURCES` names), for lineage.
    pub reads: &'static [&'static str],
    /// Whether it is a number of days (shown as such rather than as a ratio).
    pub days: bool,
    pub compute: fn(&Lines) -> Value,
}

use Group::*;

macro_rules! attribute {
    ($key:literal, $attr:literal, $def:literal, $en:literal, $fr:literal, $group:expr, [$($read:literal),*], $days:literal, $f:expr) => {
        Attribute {
            key: $key,
            attribute: $attr,
            definition: $def,
            name_en: $en,
            name_fr: $fr,
            group: $group,
            reads: &[$($read),*],
            days: $days,
            compute: $f,
        }
    };
}

/// Every attribute one year of accounts yields (and the two that need earlier years), in the
/// order of the Polish data. X29 (logarithm of total assets) and X55 (working capital) are
/// amounts in Polish zloty of 2000–2013 and are left out.
pub const ATTRIBUTES: [Attribute; 62] = [
    attribute!("x1_net_profit_to_total_assets", "Attr1", "net profit / total assets", "net profit / total assets", "résultat net / total du bilan", Profitability, ["net_profit", "total_assets"], false, |l| div(l.net_profit, l.total_assets)),
    attribute!("x2_total_liabilities_to_total_assets", "Attr2", "total liabilities / total assets", "total liabilities / total assets", "dettes et provisions / total du bilan", Leverage, ["total_liabilities", "total_assets"], false, |l| div(l.total_liabilities, l.total_assets)),
    attribute!("x3_working_capital_to_total_assets", "Attr3", "working capital / total assets", "working capital / total assets", "fonds de roulement / total du bilan", Liquidity, ["current_assets", "short_term_liabilities", "total_assets"], false, |l| div(l.working_capital(), l.total_assets)),
    attribute!("x4_current_assets_to_short_term_liabilities", "Attr4", "current assets / short-term liabilities", "current assets / short-term debts", "actif circulant / dettes à court terme", Liquidity, ["current_assets", "short_term_liabilities"], false, |l| div(l.current_assets, l.short_term_liabilities)),
    attribute!("x5_liquid_assets_net_of_short_term_debts_in_days_of_costs", "Attr5", "[(cash + short-term securities + receivables - short-term liabilities) / (operating expenses - depreciation)] * 365", "liquid assets net of short-term debts, in days of cash costs", "actifs liquides nets des dettes à court terme, en jours de charges décaissées", Liquidity, ["cash", "short_term_securities", "receivables", "short_term_liabilities", "operating_expenses", "depreciation"], true, |l| times(div(sub(add(add(l.cash, l.short_term_securities), l.receivables), l.short_term_liabilities), sub(l.operating_expenses, l.depreciation)), 365.0)),
    attribute!("x6_retained_earnings_to_total_assets", "Attr6", "retained earnings / total assets", "retained earnings / total assets", "réserves et report à nouveau / total du bilan", Leverage, ["retained_earnings", "total_assets"], false, |l| div(l.retained_earnings, l.total_assets)),
    attribute!("x7_ebit_to_total_assets", "Attr7", "EBIT / total assets", "operating result / total assets", "résultat d'exploitation / total du bilan", Profitability, ["operating_profit", "total_assets"], false, |l| div(l.operating_profit, l.total_assets)),
    attribute!("x8_book_equity_to_total_liabilities", "Attr8", "book value of equity / total liabilities", "equity / total liabilities", "capitaux propres / dettes et provisions", Leverage, ["equity", "total_liabilities"], false, |l| div(l.equity, l.total_liabilities)),
    attribute!("x9_sales_to_total_assets", "Attr9", "sales / total assets", "sales / total assets", "chiffre d'affaires / total du bilan", Activity, ["sales", "total_assets"], false, |l| div(l.sales, l.total_assets)),
    attribute!("x10_equity_to_total_assets", "Attr10", "equity / total assets", "equity / total assets", "capitaux propres / total du bilan", Leverage, ["equity", "total_assets"], false, |l| div(l.equity, l.total_assets)),
    attribute!("x11_gross_profit_extraordinary_financial_expenses_to_total_assets", "Attr11", "(gross profit + extraordinary items + financial expenses) / total assets", "(profit before tax + exceptional result + financial expenses) / total assets", "(résultat avant impôt + résultat exceptionnel + charges financières) / total du bilan", Profitability, ["gross_profit", "extraordinary_items", "financial_expenses", "total_assets"], false, |l| div(add(add(l.gross_profit, l.extraordinary_items), l.financial_expenses), l.total_assets)),
    attribute!("x12_gross_profit_to_short_term_liabilities", "Attr12", "gross profit / short-term liabilities", "profit before tax / short-term debts", "résultat avant impôt / dettes à court terme", DebtService, ["gross_profit", "short_term_liabilities"], false, |l| div(l.gross_profit, l.short_term_liabilities)),
    attribute!("x13_gross_profit_and_depreciation_to_sales", "Attr13", "(gross profit + depreciation) / sales", "(profit before tax + depreciation) / sales", "(résultat avant impôt + dotations aux amortissements) / chiffre d'affaires", Profitability, ["gross_profit", "depreciation", "sales"], false, |l| div(add(l.gross_profit, l.depreciation), l.sales)),
    attribute!("x14_gross_profit_and_interest_to_total_assets", "Attr14", "(gross profit + interest) / total assets", "(profit before tax + interest) / total assets", "(résultat avant impôt + intérêts) / total du bilan", Profitability, ["gross_profit", "interest", "total_assets"], false, |l| div(add(l.gross_profit, l.interest), l.total_assets)),
    attribute!("x15_total_liabilities_in_days_of_gross_profit_and_depreciation", "Attr15", "(total liabilities * 365) / (gross profit + depreciation)", "total liabilities in days of (profit before tax + depreciation)", "dettes et provisions en jours de (résultat avant impôt + amortissements)", DebtService, ["total_liabilities", "gross_profit", "depreciation"], true, |l| times(div(l.total_liabilities, add(l.gross_profit, l.depreciation)), 365.0)),
    attribute!("x16_gross_profit_and_depreciation_to_total_liabilities", "Attr16", "(gross profit + depreciation) / total liabilities", "(profit before tax + depreciation) / total liabilities", "(résultat avant impôt + amortissements) / dettes et provisions", DebtService, ["gross_profit", "depreciation", "total_liabilities"], false, |l| div(add(l.gross_profit, l.depreciation), l.total_liabilities)),
    attribute!("x17_total_assets_to_total_liabilities", "Attr17", "total assets / total liabilities", "total assets / total liabilities", "total du bilan / dettes et provisions", Leverage, ["total_assets", "total_liabilities"], false, |l| div(l.total_assets, l.total_liabilities)),
    attribute!("x18_gross_profit_to_total_assets", "Attr18", "gross profit / total assets", "profit before tax / total assets", "résultat avant impôt / total du bilan", Profitability, ["gross_profit", "total_assets"], false, |l| div(l.gross_profit, l.total_assets)),
    attribute!("x19_gross_profit_to_sales", "Attr19", "gross profit / sales", "profit before tax / sales", "résultat avant impôt / chiffre d'affaires", Profitability, ["gross_profit", "sales"], false, |l| div(l.gross_profit, l.sales)),
    attribute!("x20_inventory_days_of_sales", "Attr20", "(inventory * 365) / sales", "inventory in days of sales", "stocks en jours de chiffre d'affaires", Activity, ["inventories", "sales"], true, |l| times(div(l.inventories, l.sales), 365.0)),
    attribute!("x21_sales_growth", "Attr21", "sales (n) / sales (n-1)", "sales this year / sales the year before", "chiffre d'affaires de l'année / celui de l'année précédente", Activity, ["sales", "previous_sales"], false, |l| match l.previous_sales { None => Err(Missing::NoEarlierYear), p => div(l.sales, p) }),
    attribute!("x22_operating_profit_to_total_assets", "Attr22", "profit on operating activities / total assets", "operating result / total assets", "résultat d'exploitation / total du bilan", Profitability, ["operating_profit", "total_assets"], false, |l| div(l.operating_profit, l.total_assets)),
    attribute!("x23_net_profit_to_sales", "Attr23", "net profit / sales", "net margin", "marge nette", Profitability, ["net_profit", "sales"], false, |l| div(l.net_profit, l.sales)),
    attribute!("x24_three_year_gross_profit_to_total_assets", "Attr24", "gross profit (in 3 years) / total assets", "profit before tax over three years / total assets", "résultat avant impôt sur trois ans / total du bilan", Profitability, ["gross_profit_three_years", "total_assets"], false, |l| match l.gross_profit_three_years { None => Err(Missing::NoEarlierYear), g => div(g, l.total_assets) }),
    attribute!("x25_equity_less_share_capital_to_total_assets", "Attr25", "(equity - share capital) / total assets", "(equity − share capital) / total assets", "(capitaux propres − capital social) / total du bilan", Leverage, ["equity", "share_capital", "total_assets"], false, |l| div(sub(l.equity, l.share_capital), l.total_assets)),
    attribute!("x26_net_profit_and_depreciation_to_total_liabilities", "Attr26", "(net profit + depreciation) / total liabilities", "(net profit + depreciation) / total liabilities", "(résultat net + amortissements) / dettes et provisions", DebtService, ["net_profit", "depreciation", "total_liabilities"], false, |l| div(add(l.net_profit, l.depreciation), l.total_liabilities)),
    attribute!("x27_operating_profit_to_financial_expenses", "Attr27", "profit on operating activities / financial expenses", "operating result / financial expenses", "résultat d'exploitation / charges financières", DebtService, ["operating_profit", "financial_expenses"], false, |l| div(l.operating_profit, l.financial_expenses)),
    attribute!("x28_working_capital_to_fixed_assets", "Attr28", "working capital / fixed assets", "working capital / fixed assets", "fonds de roulement / actif immobilisé", Liquidity, ["current_assets", "short_term_liabilities", "fixed_assets"], false, |l| div(l.working_capital(), l.fixed_assets)),
    attribute!("x30_liabilities_less_cash_to_sales", "Attr30", "(total liabilities - cash) / sales", "(total liabilities − cash) / sales", "(dettes et provisions − disponibilités) / chiffre d'affaires", DebtService, ["total_liabilities", "cash", "sales"], false, |l| div(sub(l.total_liabilities, l.cash), l.sales)),
    attribute!("x31_gross_profit_and_interest_to_sales", "Attr31", "(gross profit + interest) / sales", "(profit before tax + interest) / sales", "(résultat avant impôt + intérêts) / chiffre d'affaires", Profitability, ["gross_profit", "interest", "sales"], false, |l| div(add(l.gross_profit, l.interest), l.sales)),
    attribute!("x32_current_liabilities_days_of_cost_of_sales", "Attr32", "(current liabilities * 365) / cost of products sold", "short-term debts in days of cost of sales", "dettes à court terme en jours de coût des ventes", Activity, ["short_term_liabilities", "sales", "profit_on_sales"], true, |l| times(div(l.short_term_liabilities, l.cost_of_products_sold()), 365.0)),
    attribute!("x33_operating_expenses_to_short_term_liabilities", "Attr33", "operating expenses / short-term liabilities", "operating expenses / short-term debts", "charges d'exploitation / dettes à court terme", Activity, ["operating_expenses", "short_term_liabilities"], false, |l| div(l.operating_expenses, l.short_term_liabilities)),
    attribute!("x34_operating_expenses_to_total_liabilities", "Attr34", "operating expenses / total liabilities", "operating expenses / total liabilities", "charges d'exploitation / dettes et provisions", Activity, ["operating_expenses", "total_liabilities"], false, |l| div(l.operating_expenses, l.total_liabilities)),
    attribute!("x35_profit_on_sales_to_total_assets", "Attr35", "profit on sales / total assets", "profit on sales / total assets", "résultat sur ventes / total du bilan", Profitability, ["profit_on_sales", "total_assets"], false, |l| div(l.profit_on_sales, l.total_assets)),
    attribute!("x36_total_sales_to_total_assets", "Attr36", "total sales / total assets", "operating income / total assets", "produits d'exploitation / total du bilan", Activity, ["total_sales", "total_assets"], false, |l| div(l.total_sales, l.total_assets)),
    attribute!("x37_current_assets_less_inventories_to_long_term_liabilities", "Attr37", "(current assets - inventories) / long-term liabilities", "(current assets − inventories) / long-term debts", "(actif circulant − stocks) / dettes à long terme", Liquidity, ["current_assets", "inventories", "long_term_liabilities"], false, |l| div(sub(l.current_assets, l.inventories), l.long_term_liabilities)),
    attribute!("x38_constant_capital_to_total_assets", "Attr38", "constant capital / total assets", "long-term capital / total assets", "capitaux permanents / total du bilan", Leverage, ["constant_capital", "total_assets"], false, |l| div(l.constant_capital, l.total_assets)),
    attribute!("x39_profit_on_sales_to_sales", "Attr39", "profit on sales / sales", "profit on sales / sales", "résultat sur ventes / chiffre d'affaires", Profitability, ["profit_on_sales", "sales"], false, |l| div(l.profit_on_sales, l.sales)),
    attribute!("x40_cash_and_securities_to_short_term_liabilities", "Attr40", "(current assets - inventory - receivables) / short-term liabilities", "(current assets − inventories − receivables) / short-term debts", "(actif circulant − stocks − créances) / dettes à court terme", Liquidity, ["current_assets", "inventories", "receivables", "short_term_liabilities"], false, |l| div(sub(sub(l.current_assets, l.inventories), l.receivables), l.short_term_liabilities)),
    attribute!("x41_total_liabilities_to_operating_cash_flow", "Attr41", "total liabilities / ((profit on operating activities + depreciation) * (12/365))", "total liabilities / (operating result + depreciation)", "dettes et provisions / (résultat d'exploitation + amortissements)", DebtService, ["total_liabilities", "operating_profit", "depreciation"], false, |l| times(div(l.total_liabilities, add(l.operating_profit, l.depreciation)), 12.0 / 365.0)),
    attribute!("x42_operating_profit_to_sales", "Attr42", "profit on operating activities / sales", "operating margin", "marge d'exploitation", Profitability, ["operating_profit", "sales"], false, |l| div(l.operating_profit, l.sales)),
    attribute!("x43_receivable_and_inventory_days", "Attr43", "rotation receivables + inventory turnover in days", "receivable days + inventory days", "délai clients + rotation des stocks, en jours", Activity, ["receivables", "inventories", "sales"], true, |l| Ok(times(div(l.receivables, l.sales), 365.0)? + times(div(l.inventories, l.sales), 365.0)?)),
    attribute!("x44_receivable_days", "Attr44", "(receivables * 365) / sales", "receivable days", "délai clients en jours", Activity, ["receivables", "sales"], true, |l| times(div(l.receivables, l.sales), 365.0)),
    attribute!("x45_net_profit_to_inventory", "Attr45", "net profit / inventory", "net profit / inventories", "résultat net / stocks", Profitability, ["net_profit", "inventories"], false, |l| div(l.net_profit, l.inventories)),
    attribute!("x46_quick_ratio", "Attr46", "(current assets - inventory) / short-term liabilities", "quick ratio", "liquidité réduite", Liquidity, ["current_assets", "inventories", "short_term_liabilities"], false, |l| div(sub(l.current_assets, l.inventories), l.short_term_liabilities)),
    attribute!("x47_inventory_days_of_cost_of_sales", "Attr47", "(inventory * 365) / cost of products sold", "inventory in days of cost of sales", "stocks en jours de coût des ventes", Activity, ["inventories", "sales", "profit_on_sales"], true, |l| times(div(l.inventories, l.cost_of_products_sold()), 365.0)),
    attribute!("x48_operating_profit_less_depreciation_to_total_assets", "Attr48", "EBITDA (profit on operating activities - depreciation) / total assets", "(operating result − depreciation) / total assets", "(résultat d'exploitation − amortissements) / total du bilan", Profitability, ["operating_profit", "depreciation", "total_assets"], false, |l| div(sub(l.operating_profit, l.depreciation), l.total_assets)),
    attribute!("x49_operating_profit_less_depreciation_to_sales", "Attr49", "EBITDA (profit on operating activities - depreciation) / sales", "(operating result − depreciation) / sales", "(résultat d'exploitation − amortissements) / chiffre d'affaires", Profitability, ["operating_profit", "depreciation", "sales"], false, |l| div(sub(l.operating_profit, l.depreciation), l.sales)),
    attribute!("x50_current_assets_to_total_liabilities", "Attr50", "current assets / total liabilities", "current assets / total liabilities", "actif circulant / dettes et provisions", Liquidity, ["current_assets", "total_liabilities"], false, |l| div(l.current_assets, l.total_liabilities)),
    attribute!("x51_short_term_liabilities_to_total_assets", "Attr51", "short-term liabilities / total assets", "short-term debts / total assets", "dettes à court terme / total du bilan", Leverage, ["short_term_liabilities", "total_assets"], false, |l| div(l.short_term_liabilities, l.total_assets)),
    attribute!("x52_short_term_liabilities_to_cost_of_sales", "Attr52", "(short-term liabilities *365) / cost of products sold", "short-term debts / cost of sales (in years, as in the data)", "dettes à court terme / coût des ventes (en années, comme dans les données)", Activity, ["short_term_liabilities", "sales", "profit_on_sales"], false, |l| div(l.short_term_liabilities, l.cost_of_products_sold())),
    attribute!("x53_equity_to_fixed_assets", "Attr53", "equity / fixed assets", "equity / fixed assets", "capitaux propres / actif immobilisé", Leverage, ["equity", "fixed_assets"], false, |l| div(l.equity, l.fixed_assets)),
    attribute!("x54_constant_capital_to_fixed_assets", "Attr54", "constant capital / fixed assets", "long-term capital / fixed assets", "capitaux permanents / actif immobilisé", Leverage, ["constant_capital", "fixed_assets"], false, |l| div(l.constant_capital, l.fixed_assets)),
    attribute!("x56_gross_margin", "Attr56", "(sales - cost of products sold) / sales", "gross margin on sales", "marge sur ventes", Profitability, ["sales", "profit_on_sales"], false, |l| div(sub(l.sales, l.cost_of_products_sold()), l.sales)),
    attribute!("x57_net_liquid_assets_to_cash_costs", "Attr57", "(current assets - inventory - short-term liabilities) / (sales - gross profit - depreciation)", "(current assets − inventories − short-term debts) / (sales − profit before tax − depreciation)", "(actif circulant − stocks − dettes à court terme) / (chiffre d'affaires − résultat avant impôt − amortissements)", Liquidity, ["current_assets", "inventories", "short_term_liabilities", "sales", "gross_profit", "depreciation"], false, |l| div(sub(sub(l.current_assets, l.inventories), l.short_term_liabilities), sub(sub(l.sales, l.gross_profit), l.depreciation))),
    attribute!("x58_total_costs_to_total_sales", "Attr58", "total costs /total sales", "total costs / operating income", "total des charges / produits d'exploitation", Profitability, ["total_costs", "total_sales"], false, |l| div(l.total_costs, l.total_sales)),
    attribute!("x59_long_term_liabilities_to_equity", "Attr59", "long-term liabilities / equity", "long-term debts / equity", "dettes à long terme / capitaux propres", Leverage, ["long_term_liabilities", "equity"], false, |l| div(l.long_term_liabilities, l.equity)),
    attribute!("x60_sales_to_inventory", "Attr60", "sales / inventory", "sales / inventories", "chiffre d'affaires / stocks", Activity, ["sales", "inventories"], false, |l| div(l.sales, l.inventories)),
    attribute!("x61_sales_to_receivables", "Attr61", "sales / receivables", "sales / receivables", "chiffre d'affaires / créances", Activity, ["sales", "receivables"], false, |l| div(l.sales, l.receivables)),
    attribute!("x62_short_term_liabilities_days_of_sales", "Attr62", "(short-term liabilities *365) / sales", "short-term debts in days of sales", "dettes à court terme en jours de chiffre d'affaires", Activity, ["short_term_liabilities", "sales"], true, |l| times(div(l.short_term_liabilities, l.sales), 365.0)),
    attribute!("x63_sales_to_short_term_liabilities", "Attr63", "sales / short-term liabilities", "sales / short-term debts", "chiffre d'affaires / dettes à court terme", Activity, ["sales", "short_term_liabilities"], false, |l| div(l.sales, l.short_term_liabilities)),
    attribute!("x64_sales_to_fixed_assets", "Attr64", "sales / fixed assets", "sales / fixed assets", "chiffre d'affaires / actif immobilisé", Activity, ["sales", "fixed_assets"], false, |l| div(l.sales, l.fixed_assets)),
];

/// The attributes that need an earlier year: computed and shown, never fed to the model (in
/// the training data a missing sales growth means a company that stopped reporting).
pub const NEEDS_EARLIER_YEARS: [&str; 2] = [
    "x21_sales_growth",
    "x24_three_year_gross_profit_to_total_assets",
];

/// The direction finance reads an attribute in: `Some(true)` when more of it never raises the
/// risk (profit, equity, liquidity, coverage), `Some(false)` when more of it never lowers it
/// (debt), `None` when finance gives none (turnover, day counts, ratios whose denominator can
/// be negative).
pub fn direction(attribute: &Attribute) -> Option<bool> {
    const HIGHER_IS_SAFER: [u8; 38] = [
        1, 3, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14, 16, 17, 18, 19, 22, 23, 25, 26, 27, 28, 31, 35,
        37, 38, 39, 40, 42, 45, 46, 48, 49, 50, 53, 54, 56, 57,
    ];
    const HIGHER_IS_RISKIER: [u8; 5] = [2, 30, 51, 58, 62];
    let number: u8 = attribute
        .attribute
        .trim_start_matches("Attr")
        .parse()
        .ok()?;
    if HIGHER_IS_SAFER.contains(&number) {
        Some(true)
    } else if HIGHER_IS_RISKIER.contains(&number) {
        Some(false)
    } else {
        None
    }
}

/// The attribute with this key.
pub fn attribute(key: &str) -> Option<&'static Attribute> {
    ATTRIBUTES.iter().find(|a| a.key == key)
}

/// Every attribute of `lines`, in the order of [`ATTRIBUTES`].
pub fn compute(lines: &Lines) -> Vec<(&'static Attribute, Value)> {
    ATTRIBUTES.iter().map(|a| (a, (a.compute)(lines))).collect()
}

/// The repères behind an attribute, for lineage: `net_profit (HN) ÷ total_assets (EE …)`.
pub fn lineage(attribute: &Attribute) -> String {
    attribute
        .reads
        .iter()
        .map(|line| {
            let from = LINE_SOURCES
                .iter()
                .find(|(name, _)| name == line)
                .map_or("", |(_, s)| s);
            format!("{line} [{from}]")
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    fn lines_of(reperes: &[(&str, i64)], days: Option<i64>) -> Lines {
        let map: BTreeMap<&str, i64> = reperes.iter().copied().collect();
        Lines::from_reperes(|c| map.get(c).copied(), days)
    }

    /// A small company's forms, in euros.
    fn forms() -> Vec<(&'static str, i64)> {
        let mut f = vec![
            ("EE", 1_000_000),
            ("CO", 1_200_000),
            ("1A", 200_000),
            ("BJ", 600_000),
            ("BK", 200_000),
            ("BL", 50_000),
            ("BM", 0),
            ("BN", 0),
            ("BO", 0),
            ("BP", 0),
            ("BQ", 0),
            ("BR", 30_000),
            ("BS", 0),
            ("BT", 20_000),
            ("BU", 0),
            ("BV", 0),
            ("BW", 0),
            ("BX", 250_000),
            ("BY", 10_000),
            ("BZ", 40_000),
            ("CA", 0),
            ("CB", 0),
            ("CC", 0),
            ("CD", 30_000),
            ("CE", 0),
            ("CF", 140_000),
            ("CG", 0),
            ("CJ", 600_000),
            ("CK", 0),
            ("DA", 100_000),
            ("DD", 10_000),
            ("DE", 0),
            ("DF", 0),
            ("DG", 90_000),
            ("DH", 50_000),
            ("DL", 400_000),
            ("DO", 0),
            ("DR", 20_000),
            ("DS", 0),
            ("DT", 0),
            ("DU", 250_000),
            ("EH", 50_000),
            ("DV", 30_000),
            ("EC", 580_000),
            ("FL", 2_000_000),
            ("FR", 2_050_000),
            ("FO", 10_000),
            ("FP", 20_000),
            ("FQ", 20_000),
            ("GE", 5_000),
            ("GF", 1_900_000),
            ("GA", 60_000),
            ("GG", 150_000),
            ("GU", 12_000),
            ("GR", 10_000),
            ("HD", 3_000),
            ("HH", 1_000),
            ("HK", 35_000),
            ("HN", 105_000),
            ("HM", 1_995_000),
        ];
        f.sort();
        f
    }

    #[test]
    fn the_lines_follow_the_forms() {
        let l = lines_of(&forms(), Some(365));
        assert_eq!(l.total_assets, Some(1_000_000.0));
        assert_eq!(l.fixed_assets, Some(400_000.0));
        assert_eq!(l.inventories, Some(100_000.0));
        assert_eq!(l.receivables, Some(280_000.0));
        assert_eq!(l.total_liabilities, Some(600_000.0));
        // Bank loans without the overdrafts, and other financial debts.
        assert_eq!(l.long_term_liabilities, Some(230_000.0));
        assert_eq!(l.short_term_liabilities, Some(350_000.0));
        assert_eq!(l.constant_capital, Some(650_000.0));
        assert_eq!(l.gross_profit, Some(140_000.0));
        assert_eq!(l.extraordinary_items, Some(2_000.0));
        assert_eq!(l.profit_on_sales, Some(105_000.0));
        assert_eq!(l.cost_of_products_sold(), Some(1_895_000.0));
    }

    #[test]
    fn attributes_follow_their_definitions() {
        let l = lines_of(&forms(), Some(365));
        let got: BTreeMap<&str, Value> = compute(&l).into_iter().map(|(a, v)| (a.key, v)).collect();
        let close = |key: &str, want: f64| {
            let v = got[key].unwrap();
            assert!((v - want).abs() < 1e-9, "{key}: {v} against {want}");
        };
        close("x1_net_profit_to_total_assets", 0.105);
        close("x2_total_liabilities_to_total_assets", 0.6);
        close("x3_working_capital_to_total_assets", 0.25);
        close("x4_current_assets_to_short_term_liabilities", 600.0 / 350.0);
        close(
            "x5_liquid_assets_net_of_short_term_debts_in_days_of_costs",
            (140.0 + 30.0 + 280.0 - 350.0) / (1900.0 - 60.0) * 365.0,
        );
        close("x27_operating_profit_to_financial_expenses", 12.5);
        close(
            "x41_total_liabilities_to_operating_cash_flow",
            600.0 / 210.0 * 12.0 / 365.0,
        );
        close(
            "x43_receivable_and_inventory_days",
            (280.0 + 100.0) / 2000.0 * 365.0,
        );
        close(
            "x52_short_term_liabilities_to_cost_of_sales",
            350.0 / 1895.0,
        );
        close("x58_total_costs_to_total_sales", 1995.0 / 2050.0);
        assert_eq!(got["x21_sales_growth"], Err(Missing::NoEarlierYear));
        assert_eq!(
            got["x24_three_year_gross_profit_to_total_assets"],
            Err(Missing::NoEarlierYear)
        );
    }

    #[test]
    fn a_zero_denominator_is_undefined_and_a_missing_line_is_unknown() {
        let mut f = forms();
        for (code, v) in f.iter_mut() {
            if *code == "GU" {
                *v = 0;
            }
        }
        let l = lines_of(&f, Some(365));
        let x27 = (attribute("x27_operating_profit_to_financial_expenses")
            .unwrap()
            .compute)(&l);
        assert_eq!(x27, Err(Missing::ZeroDenominator));
        // The Banque de France gives no income-statement detail: those ratios are unknown.
        let l = lines_of(&[("EE", 100), ("DL", 40), ("FL", 300), ("HN", 5)], None);
        let got: BTreeMap<&str, Value> = compute(&l).into_iter().map(|(a, v)| (a.key, v)).collect();
        assert_eq!(
            got["x27_operating_profit_to_financial_expenses"],
            Err(Missing::NotGiven)
        );
        assert_eq!(got["x1_net_profit_to_total_assets"], Ok(0.05));
        assert_eq!(got["x2_total_liabilities_to_total_assets"], Ok(0.6));
    }

    #[test]
    fn a_short_financial_year_is_scaled_to_twelve_months() {
        let six_months = lines_of(&forms(), Some(182));
        let year = lines_of(&forms(), Some(365));
        let x9 = |l: &Lines| (attribute("x9_sales_to_total_assets").unwrap().compute)(l).unwrap();
        assert!((x9(&six_months) - x9(&year) * 365.0 / 182.0).abs() < 1e-9);
        // A margin is a flow over a flow: the length of the year does not change it.
        let x23 = |l: &Lines| (attribute("x23_net_profit_to_sales").unwrap().compute)(l).unwrap();
        assert!((x23(&six_months) - x23(&year)).abs() < 1e-12);
    }

    #[test]
    fn every_attribute_reads_lines_that_exist_and_keys_are_unique() {
        let mut keys = std::collections::BTreeSet::new();
        for a in &ATTRIBUTES {
            assert!(keys.insert(a.key), "{} twice", a.key);
            assert!(
                a.key.starts_with(&format!("x{}_", &a.attribute[4..])),
                "{}",
                a.key
            );
            for read in a.reads {
                assert!(
                    LINE_SOURCES.iter().any(|(n, _)| n == read),
                    "{}: {read}",
                    a.key
                );
            }
        }
        assert!(!ATTRIBUTES
            .iter()
            .any(|a| a.attribute == "Attr29" || a.attribute == "Attr55"));
    }

    proptest! {
        /// Scaling every amount of the accounts leaves every ratio unchanged and every
        /// attribute is finite or says why not.
        #[test]
        fn ratios_do_not_depend_on_the_currency_unit(
            amounts in proptest::collection::vec(-5_000_000i64..5_000_000, 64),
            k in 2i64..50,
        ) {
            let codes: Vec<&str> = forms().iter().map(|(c, _)| *c).collect();
            let base: Vec<(&str, i64)> = codes.iter().copied().zip(amounts.iter().copied()).collect();
            let scaled: Vec<(&str, i64)> = base.iter().map(|(c, v)| (*c, v * k)).collect();
            let a = compute(&lines_of(&base, Some(365)));
            let b = compute(&lines_of(&scaled, Some(365)));
            for ((attr, x), (_, y)) in a.iter().zip(&b) {
                match (x, y) {
                    (Ok(x), Ok(y)) => prop_assert!(x.is_finite() && ((x - y).abs() <= 1e-9 * x.abs().max(1.0)), "{}: {x} {y}", attr.key),
                    (Err(e), Err(f)) => prop_assert_eq!(e, f),
                    _ => prop_assert!(false, "{}: {x:?} against {y:?}", attr.key),
                }
            }
        }

        /// A ratio's denominator at zero makes it undefined, never infinite.
        #[test]
        fn a_zero_total_assets_leaves_every_asset_ratio_undefined(
            amounts in proptest::collection::vec(-5_000_000i64..5_000_000, 64),
        ) {
            let mut base: Vec<(&str, i64)> = forms().iter().map(|(c, _)| *c).zip(amounts).collect();
            for (c, v) in base.iter_mut() {
                if *c == "EE" { *v = 0; }
            }
            for (attr, v) in compute(&lines_of(&base, Some(365))) {
                if attr.reads.last() == Some(&"total_assets") && !NEEDS_EARLIER_YEARS.contains(&attr.key) {
                    prop_assert_eq!(v, Err(Missing::ZeroDenominator), "{}", attr.key);
                }
            }
        }
    }
}

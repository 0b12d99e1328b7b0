//! The statements computed from a FEC: the trial balance per account, and the balance sheet
//! and income statement aggregated by PCG class from the 2050–2053 lines of [`super::pcg`].
//! All amounts are integer cents.

use super::pcg::{class, place, splits_by_sign, Line, Place};
use super::value::format_cents;
use super::Fec;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use Line::*;

/// One account of the trial balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountBalance {
    /// `CompteNum`.
    pub account: String,
    /// The first non-blank `CompteLib` of the account.
    pub label: String,
    /// Sum of the debits, in cents.
    pub debit: i64,
    /// Sum of the credits, in cents.
    pub credit: i64,
    /// Debit − credit, in cents.
    pub balance: i64,
}

/// Balances per line of the forms, each counted in its natural direction (assets and expenses
/// as debit − credit, the rest as credit − debit).
#[derive(Debug, Clone, Default)]
pub(super) struct Totals {
    amounts: BTreeMap<Place, i64>,
    /// Accounts whose number is not a PCG account, with their balance (debit − credit).
    pub(super) unclassified: BTreeMap<String, i64>,
    /// Balance (debit − credit) of the class 8 and 9 accounts, kept out of the statements.
    pub(super) off_balance: i64,
    /// Whether the file closes classes 6 and 7 into account 12 (which the format excludes);
    /// the income statement then leaves those closing entries out.
    pub(super) closing_entries: bool,
}

impl Totals {
    pub(super) fn of(fec: &Fec) -> Totals {
        let mut totals = Totals::default();

        // Third-party accounts are split by sign per auxiliary account, unless the account is
        // used both with and without one (an opening balance posted globally, for instance).
        let without_aux: BTreeSet<&str> = fec
            .lines
            .iter()
            .filter(|line| line.aux_account_number.is_empty())
            .map(|line| line.account_number.as_str())
            .collect();
        let mut by_party: BTreeMap<(&str, &str), i64> = BTreeMap::new();
        for line in &fec.lines {
            let account = line.account_number.as_str();
            let aux = if splits_by_sign(account) && !without_aux.contains(account) {
                line.aux_account_number.as_str()
            } else {
                ""
            };
            let balance = by_party.entry((account, aux)).or_default();
            *balance = balance.saturating_add(line.balance());
        }
        for (&(account, _), &balance) in &by_party {
            match place(account, balance) {
                Place::Expense(_) | Place::Income(_) => {
                    totals.add(Place::Liability(Line::NetResult), balance.saturating_neg());
                }
                Place::OffBalance => {
                    totals.off_balance = totals.off_balance.saturating_add(balance)
                }
                Place::Unclassified => {
                    let sum = totals.unclassified.entry(account.to_owned()).or_default();
                    *sum = sum.saturating_add(balance);
                }
                other => totals.add(other, other.oriented(balance)),
            }
        }

        let closing = closing_entries(fec);
        totals.closing_entries = !closing.is_empty();
        let mut profit_and_loss: BTreeMap<&str, i64> = BTreeMap::new();
        for line in &fec.lines {
            if matches!(class(&line.account_number), Some(6 | 7))
                && !closing.contains(&(line.journal_code.as_str(), line.entry_number.as_str()))
            {
                let balance = profit_and_loss.entry(&line.account_number).or_default();
                *balance = balance.saturating_add(line.balance());
            }
        }
        for (account, balance) in profit_and_loss {
            let place = place(account, balance);
            totals.add(place, place.oriented(balance));
        }
        totals
    }

    fn add(&mut self, place: Place, amount: i64) {
        let sum = self.amounts.entry(place).or_default();
        *sum = sum.saturating_add(amount);
    }

    pub(super) fn get(&self, place: Place) -> i64 {
        self.amounts.get(&place).copied().unwrap_or(0)
    }

    pub(super) fn gross(&self, line: Line) -> i64 {
        self.get(Place::Asset(line))
    }

    pub(super) fn depreciation(&self, line: Line) -> i64 {
        self.get(Place::Depreciation(line))
    }

    pub(super) fn net(&self, lines: &[Line]) -> i64 {
        sum(lines
            .iter()
            .map(|&line| self.gross(line).saturating_sub(self.depreciation(line))))
    }

    pub(super) fn liabilities(&self, lines: &[Line]) -> i64 {
        sum(lines.iter().map(|&line| self.get(Place::Liability(line))))
    }

    pub(super) fn income(&self, lines: &[Line]) -> i64 {
        sum(lines.iter().map(|&line| self.get(Place::Income(line))))
    }

    pub(super) fn expenses(&self, lines: &[Line]) -> i64 {
        sum(lines.iter().map(|&line| self.get(Place::Expense(line))))
    }
}

/// Sums cents without overflow: the reader bounds the file's total of absolute amounts to
/// `i64`, so no partial sum can exceed it; saturation only guards that invariant.
pub(super) fn sum(amounts: impl IntoIterator<Item = i64>) -> i64 {
    amounts.into_iter().fold(0, i64::saturating_add)
}

/// Entries that close classes 6 and 7 into account 12. The format excludes them, so they are
/// looked for only when every class 6 and 7 account nets to zero although it moved; they are
/// then the entries that touch both account 12 and a class 6 or 7 account.
fn closing_entries(fec: &Fec) -> BTreeSet<(&str, &str)> {
    let mut profit_and_loss: BTreeMap<&str, i64> = BTreeMap::new();
    for line in &fec.lines {
        if matches!(class(&line.account_number), Some(6 | 7)) {
            let balance = profit_and_loss.entry(&line.account_number).or_default();
            *balance = balance.saturating_add(line.balance());
        }
    }
    let all_closed = !profit_and_loss.is_empty() && profit_and_loss.values().all(|&b| b == 0);
    if !all_closed {
        return BTreeSet::new();
    }
    let mut touches_result = BTreeSet::new();
    let mut touches_profit_and_loss = BTreeSet::new();
    for line in &fec.lines {
        let key = (line.journal_code.as_str(), line.entry_number.as_str());
        if line.account_number.starts_with("12") {
            touches_result.insert(key);
        } else if matches!(class(&line.account_number), Some(6 | 7)) {
            touches_profit_and_loss.insert(key);
        }
    }
    touches_result
        .intersection(&touches_profit_and_loss)
        .copied()
        .collect()
}

/// The trial balance: debit, credit and balance of every account, sorted by account number.
pub(super) fn trial_balance(fec: &Fec) -> Vec<AccountBalance> {
    let mut accounts: BTreeMap<&str, AccountBalance> = BTreeMap::new();
    for line in &fec.lines {
        let entry = accounts
            .entry(&line.account_number)
            .or_insert_with(|| AccountBalance {
                account: line.account_number.clone(),
                label: String::new(),
                debit: 0,
                credit: 0,
                balance: 0,
            });
        if entry.label.is_empty() {
            entry.label.clone_from(&line.account_label);
        }
        entry.debit = entry.debit.saturating_add(line.debit);
        entry.credit = entry.credit.saturating_add(line.credit);
        entry.balance = entry.balance.saturating_add(line.balance());
    }
    accounts.into_values().collect()
}

const INTANGIBLES: &[Line] = &[
    EstablishmentCosts,
    DevelopmentCosts,
    Concessions,
    Goodwill,
    OtherIntangibles,
    IntangibleAdvances,
];
const TANGIBLES: &[Line] = &[
    Land,
    Buildings,
    PlantAndMachinery,
    OtherTangibles,
    AssetsInProgress,
    TangibleAdvances,
];
const FINANCIAL_ASSETS: &[Line] = &[
    Participations,
    ParticipationReceivables,
    OtherInvestments,
    Loans,
    OtherFinancialAssets,
];
const STOCKS: &[Line] = &[
    RawMaterials,
    GoodsInProgress,
    ServicesInProgress,
    FinishedGoods,
    Merchandise,
];
const RESERVES: &[Line] = &[
    LegalReserve,
    StatutoryReserves,
    RegulatedReserves,
    OtherReserves,
];
const EQUITY: &[Line] = &[
    ShareCapital,
    SharePremium,
    Revaluation,
    LegalReserve,
    StatutoryReserves,
    RegulatedReserves,
    OtherReserves,
    RetainedEarnings,
    NetResult,
    InvestmentSubsidies,
    RegulatedProvisions,
];
const LONG_TERM_BORROWINGS: &[Line] = &[ConvertibleBonds, OtherBonds, BankLoans, OtherBorrowings];
const OPERATING_DEPRECIATION: &[Line] = &[
    DepreciationCharges,
    FixedAssetImpairment,
    CurrentAssetImpairment,
    RiskProvisionCharges,
];

/// The balance sheet at the end of the file, in cents, assets net of depreciation. Lines
/// follow the 2050/2051 forms (the repère in brackets); `docs/fec.md` lists the accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BalanceSheet {
    /// Intangible assets: 20, 232, 237, net of 280, 290, 2932 (AB…AL).
    pub intangible_assets: i64,
    /// Tangible assets: 21–25 except 232/237, net of 281–283, 291–293 (AN…AX).
    pub tangible_assets: i64,
    /// Financial assets: 26, 27 except 269/279, net of 296, 297 (CU, BB…BH).
    pub financial_assets: i64,
    /// Fixed assets, the three above (BJ − BK).
    pub fixed_assets: i64,
    /// Inventories: class 3 net of 39 (BL…BT).
    pub inventories: i64,
    /// Advances paid to suppliers: 4091 (BV).
    pub advances_paid: i64,
    /// Trade receivables: debit balances of 41, net of 491 (BX − BY).
    pub trade_receivables: i64,
    /// Other receivables: debit balances of 40 (except 4091), 42–47, 18; 4562; net of 495,
    /// 496 (BZ + CB − CA).
    pub other_receivables: i64,
    /// Marketable securities: 50 (except 509), 52, net of 59 (CD − CE).
    pub marketable_securities: i64,
    /// Cash: debit balances of 51; 53, 54, 58 (CF).
    pub cash: i64,
    /// Prepaid expenses: 486 (CH).
    pub prepaid_expenses: i64,
    /// Current assets: inventories to prepaid expenses (CJ − CK).
    pub current_assets: i64,
    /// Uncalled capital 109, deferred charges 481, bond premiums 169, conversion assets 476
    /// (AA, CW, CM, CN).
    pub other_assets: i64,
    /// Total assets (CO − 1A).
    pub total_assets: i64,
    /// Share capital: 101, 108, other 10 except 104–107, 109 (DA).
    pub share_capital: i64,
    /// Share premium: 104 (DB).
    pub share_premium: i64,
    /// Revaluation reserve: 105, 107 (DC).
    pub revaluation_reserve: i64,
    /// Reserves: 106 (DD…DG).
    pub reserves: i64,
    /// Retained earnings brought forward: 11 (DH).
    pub retained_earnings: i64,
    /// Result: account 12 plus the unclosed balance of classes 6 and 7 (DI).
    pub net_result: i64,
    /// Investment subsidies: 13 (DJ).
    pub investment_subsidies: i64,
    /// Regulated provisions: 14 (DK).
    pub regulated_provisions: i64,
    /// Equity, the lines above (DL).
    pub equity: i64,
    /// Other equity: participating securities 1671, conditional advances 1674 (DO).
    pub other_equity: i64,
    /// Provisions for risks and charges: 15 (DR).
    pub provisions: i64,
    /// Borrowings: 16 (except 1671, 1674, 169), 17 (DS, DT, DU without overdrafts, DV part).
    pub borrowings: i64,
    /// Bank overdrafts: credit balances of 51, 519 (DU part).
    pub bank_overdrafts: i64,
    /// Associates' current accounts and employee deposits: credit balances of 45 (except
    /// 457), 426 (DV part).
    pub other_financial_debts: i64,
    /// Financial debts: borrowings, overdrafts and the above (DS + DT + DU + DV).
    pub financial_debts: i64,
    /// Advances received from customers: 4191 (DW).
    pub advances_received: i64,
    /// Trade payables: credit balances of 40 except 404, 405, 4084 (DX).
    pub trade_payables: i64,
    /// Tax and social payables: credit balances of 42 (except 426), 43, 44 (DY).
    pub tax_and_social_payables: i64,
    /// Payables on fixed assets: 404, 405, 4084, 269, 279 (DZ).
    pub fixed_asset_payables: i64,
    /// Other payables: other credit balances of 41, 457, 46–48, 18; 509 (EA).
    pub other_payables: i64,
    /// Deferred income: 487 (EB).
    pub deferred_income: i64,
    /// Debts: financial debts to deferred income (EC).
    pub total_debts: i64,
    /// Conversion liabilities: 477 (ED).
    pub conversion_liabilities: i64,
    /// Total equity and liabilities (EE).
    pub total_equity_and_liabilities: i64,
    /// Short-term liabilities: debts except the class 16–17 borrowings (the FEC does not
    /// give maturities; class 4 and 5 debts are short-term by nature).
    pub short_term_liabilities: i64,
    /// Total liabilities: everything but equity (other equity, provisions, debts,
    /// conversion liabilities).
    pub total_liabilities: i64,
}

impl BalanceSheet {
    pub(super) fn from_totals(t: &Totals) -> BalanceSheet {
        let intangible_assets = t.net(INTANGIBLES);
        let tangible_assets = t.net(TANGIBLES);
        let financial_assets = t.net(FINANCIAL_ASSETS);
        let fixed_assets = sum([intangible_assets, tangible_assets, financial_assets]);
        let inventories = t.net(STOCKS);
        let advances_paid = t.net(&[AdvancesPaid]);
        let trade_receivables = t.net(&[TradeReceivables]);
        let other_receivables = t.net(&[OtherReceivables, CalledUnpaidCapital]);
        let marketable_securities = t.net(&[MarketableSecurities]);
        let cash = t.net(&[Cash]);
        let prepaid_expenses = t.net(&[PrepaidExpenses]);
        let current_assets = sum([
            inventories,
            advances_paid,
            trade_receivables,
            other_receivables,
            marketable_securities,
            cash,
            prepaid_expenses,
        ]);
        let other_assets = t.net(&[
            UncalledCapital,
            DeferredCharges,
            BondPremiums,
            ConversionAssets,
        ]);
        let total_assets = sum([fixed_assets, current_assets, other_assets]);

        let equity = t.liabilities(EQUITY);
        let other_equity = t.liabilities(&[ParticipatingSecurities, ConditionalAdvances]);
        let provisions = t.liabilities(&[RiskProvisions, ChargeProvisions]);
        let borrowings = t.liabilities(LONG_TERM_BORROWINGS);
        let bank_overdrafts = t.liabilities(&[BankOverdrafts]);
        let other_financial_debts = t.liabilities(&[AssociatesAccounts, EmployeeDeposits]);
        let financial_debts = sum([borrowings, bank_overdrafts, other_financial_debts]);
        let advances_received = t.liabilities(&[AdvancesReceived]);
        let trade_payables = t.liabilities(&[TradePayables]);
        let tax_and_social_payables = t.liabilities(&[TaxAndSocial]);
        let fixed_asset_payables = t.liabilities(&[FixedAssetPayables]);
        let other_payables = t.liabilities(&[OtherPayables]);
        let deferred_income = t.liabilities(&[DeferredIncome]);
        let total_debts = sum([
            financial_debts,
            advances_received,
            trade_payables,
            tax_and_social_payables,
            fixed_asset_payables,
            other_payables,
            deferred_income,
        ]);
        let conversion_liabilities = t.liabilities(&[ConversionLiabilities]);
        let total_liabilities = sum([
            other_equity,
            provisions,
            total_debts,
            conversion_liabilities,
        ]);
        BalanceSheet {
            intangible_assets,
            tangible_assets,
            financial_assets,
            fixed_assets,
            inventories,
            advances_paid,
            trade_receivables,
            other_receivables,
            marketable_securities,
            cash,
            prepaid_expenses,
            current_assets,
            other_assets,
            total_assets,
            share_capital: t.liabilities(&[ShareCapital]),
            share_premium: t.liabilities(&[SharePremium]),
            revaluation_reserve: t.liabilities(&[Revaluation]),
            reserves: t.liabilities(RESERVES),
            retained_earnings: t.liabilities(&[RetainedEarnings]),
            net_result: t.liabilities(&[NetResult]),
            investment_subsidies: t.liabilities(&[InvestmentSubsidies]),
            regulated_provisions: t.liabilities(&[RegulatedProvisions]),
            equity,
            other_equity,
            provisions,
            borrowings,
            bank_overdrafts,
            other_financial_debts,
            financial_debts,
            advances_received,
            trade_payables,
            tax_and_social_payables,
            fixed_asset_payables,
            other_payables,
            deferred_income,
            total_debts,
            conversion_liabilities,
            total_equity_and_liabilities: sum([equity, total_liabilities]),
            short_term_liabilities: total_debts.saturating_sub(borrowings),
            total_liabilities,
        }
    }

    /// Whether total assets equal total equity and liabilities.
    pub fn is_balanced(&self) -> bool {
        self.total_assets == self.total_equity_and_liabilities
    }
}

/// The income statement of the period, in cents, from the class 6 and 7 balances (closing
/// entries left out). Lines follow the 2052/2053 forms; `docs/fec.md` lists the accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncomeStatement {
    /// Net revenue (chiffre d'affaires): 70 (FL).
    pub revenue: i64,
    /// Of which sales of goods for resale: 707, 7097 (FC).
    pub sales_of_goods: i64,
    /// Change in finished goods and work in progress: 71 (FM).
    pub stored_production: i64,
    /// Own work capitalised: 72 (FN).
    pub capitalised_production: i64,
    /// Operating subsidies: 74 (FO).
    pub operating_subsidies: i64,
    /// Other operating income: 73, 75 except 755 (FQ).
    pub other_operating_income: i64,
    /// Reversals of operating depreciation and provisions 781, other 78/79 (FP part).
    pub operating_reversals: i64,
    /// Expense transfers: 791 (FP part).
    pub charge_transfers: i64,
    /// Operating income: the six lines above (FR).
    pub operating_income: i64,
    /// Purchases of goods and raw materials, with their stock changes: 601, 602, 603, 607,
    /// 6081, 6082, 6087, 6091, 6092, 6097 (FS + FT + FU + FV).
    pub purchases: i64,
    /// Other purchases and external charges: 604–606, other 60, 61, 62 (FW).
    pub external_charges: i64,
    /// Taxes other than on income: 63 (FX).
    pub taxes: i64,
    /// Staff costs: 64 (FY + FZ).
    pub staff_costs: i64,
    /// Operating depreciation, impairment and provisions: 681 (GA…GD).
    pub depreciation_and_provisions: i64,
    /// Other operating expenses: 65 except 655 (GE).
    pub other_operating_expenses: i64,
    /// Operating expenses: the six lines above (GF).
    pub operating_expenses: i64,
    /// Operating result (GG).
    pub operating_result: i64,
    /// Share of joint operations: 755 − 655 (GH − GI).
    pub joint_operations: i64,
    /// Financial income: 76, 786, 796 (GP).
    pub financial_income: i64,
    /// Financial expenses: 66, 686 (GU).
    pub financial_expenses: i64,
    /// Of which interest: 661.
    pub interest_expense: i64,
    /// Financial result (GV).
    pub financial_result: i64,
    /// Exceptional income: 77, 787, 797 (HD).
    pub exceptional_income: i64,
    /// Exceptional expenses: 67, 687 (HH).
    pub exceptional_expenses: i64,
    /// Exceptional result (HI).
    pub exceptional_result: i64,
    /// Employee profit sharing: 691 (HJ).
    pub employee_profit_sharing: i64,
    /// Income tax: 69 except 691 (HK).
    pub income_tax: i64,
    /// Net result: class 7 − class 6 (HN).
    pub net_result: i64,
    /// EBITDA: operating result + operating depreciation and provisions (681) − their
    /// reversals (781).
    pub ebitda: i64,
    /// Cost of goods sold, for the gross margin: the `purchases` line.
    pub cost_of_goods_sold: i64,
}

impl IncomeStatement {
    pub(super) fn from_totals(t: &Totals) -> IncomeStatement {
        let revenue = t.income(&[SalesOfGoods, SalesOfProducts, SalesOfServices]);
        let operating_income = t.income(&[
            SalesOfGoods,
            SalesOfProducts,
            SalesOfServices,
            StoredProduction,
            CapitalisedProduction,
            OperatingSubsidies,
            OtherOperatingIncome,
            OperatingReversals,
            ChargeTransfers,
        ]);
        let purchases = t.expenses(&[
            PurchasesOfGoods,
            GoodsStockChange,
            PurchasesOfMaterials,
            MaterialsStockChange,
        ]);
        let depreciation_and_provisions = t.expenses(OPERATING_DEPRECIATION);
        let operating_expenses = sum([
            purchases,
            t.expenses(&[
                ExternalCharges,
                Taxes,
                Wages,
                SocialCharges,
                OtherOperatingCharges,
            ]),
            depreciation_and_provisions,
        ]);
        let operating_result = operating_income.saturating_sub(operating_expenses);
        let joint_operations = t
            .income(&[JointOperationsProfit])
            .saturating_sub(t.expenses(&[JointOperationsLoss]));
        let financial_income = t.income(&[
            ParticipationIncome,
            InvestmentIncome,
            OtherInterestIncome,
            FinancialReversals,
            ExchangeGains,
            SecuritiesDisposalGains,
        ]);
        let financial_expenses = t.expenses(&[
            FinancialProvisions,
            InterestCharges,
            OtherFinancialCharges,
            ExchangeLosses,
            SecuritiesDisposalLosses,
        ]);
        let exceptional_income = t.income(&[
            ExceptionalManagementIncome,
            ExceptionalCapitalIncome,
            ExceptionalReversals,
        ]);
        let exceptional_expenses = t.expenses(&[
            ExceptionalManagementCharges,
            ExceptionalCapitalCharges,
            ExceptionalProvisions,
        ]);
        let employee_profit_sharing = t.expenses(&[ProfitSharing]);
        let income_tax = t.expenses(&[IncomeTax]);
        let financial_result = financial_income.saturating_sub(financial_expenses);
        let exceptional_result = exceptional_income.saturating_sub(exceptional_expenses);
        let operating_reversals = t.income(&[OperatingReversals]);
        IncomeStatement {
            revenue,
            sales_of_goods: t.income(&[SalesOfGoods]),
            stored_production: t.income(&[StoredProduction]),
            capitalised_production: t.income(&[CapitalisedProduction]),
            operating_subsidies: t.income(&[OperatingSubsidies]),
            other_operating_income: t.income(&[OtherOperatingIncome]),
            operating_reversals,
            charge_transfers: t.income(&[ChargeTransfers]),
            operating_income,
            purchases,
            external_charges: t.expenses(&[ExternalCharges]),
            taxes: t.expenses(&[Taxes]),
            staff_costs: t.expenses(&[Wages, SocialCharges]),
            depreciation_and_provisions,
            other_operating_expenses: t.expenses(&[OtherOperatingCharges]),
            operating_expenses,
            operating_result,
            joint_operations,
            financial_income,
            financial_expenses,
            interest_expense: t.expenses(&[InterestCharges]),
            financial_result,
            exceptional_income,
            exceptional_expenses,
            exceptional_result,
            employee_profit_sharing,
            income_tax,
            net_result: sum([
                operating_result,
                joint_operations,
                financial_result,
                exceptional_result,
                employee_profit_sharing.saturating_neg(),
                income_tax.saturating_neg(),
            ]),
            ebitda: sum([
                operating_result,
                depreciation_and_provisions,
                operating_reversals.saturating_neg(),
            ]),
            cost_of_goods_sold: purchases,
        }
    }
}

/// The statements of a FEC file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statements {
    pub balance_sheet: BalanceSheet,
    pub income_statement: IncomeStatement,
    /// Accounts whose number does not start with a PCG class digit, with their balance
    /// (debit − credit, cents); they are left out of the statements.
    pub unclassified_accounts: BTreeMap<String, i64>,
    /// Balance of classes 8 and 9 (debit − credit, cents), left out of the statements.
    pub off_balance: i64,
    /// Whether the file closes classes 6 and 7 into account 12 (the income statement then
    /// leaves those entries out).
    pub closing_entries: bool,
}

impl Statements {
    pub(super) fn from_totals(totals: &Totals) -> Statements {
        Statements {
            balance_sheet: BalanceSheet::from_totals(totals),
            income_statement: IncomeStatement::from_totals(totals),
            unclassified_accounts: totals.unclassified.clone(),
            off_balance: totals.off_balance,
            closing_entries: totals.closing_entries,
        }
    }

    /// The statements as JSON, amounts as decimal strings (`"1234.56"`).
    pub fn to_json(&self) -> Value {
        let mut json = Map::new();
        json.insert(
            "balance_sheet".into(),
            cents_as_decimals(&self.balance_sheet),
        );
        json.insert(
            "income_statement".into(),
            cents_as_decimals(&self.income_statement),
        );
        json.insert(
            "balance_sheet_balanced".into(),
            Value::Bool(self.balance_sheet.is_balanced()),
        );
        json.insert(
            "unclassified_accounts".into(),
            Value::Object(
                self.unclassified_accounts
                    .iter()
                    .map(|(account, &balance)| {
                        (account.clone(), Value::String(format_cents(balance)))
                    })
                    .collect(),
            ),
        );
        json.insert(
            "off_balance".into(),
            Value::String(format_cents(self.off_balance)),
        );
        json.insert("closing_entries".into(), Value::Bool(self.closing_entries));
        Value::Object(json)
    }
}

/// Serializes a struct of cents and turns every integer into a decimal string.
fn cents_as_decimals(value: &impl Serialize) -> Value {
    match serde_json::to_value(value) {
        Ok(Value::Object(fields)) => Value::Object(
            fields
                .into_iter()
                .map(|(name, value)| {
                    let value = match value.as_i64() {
                        Some(cents) => Value::String(format_cents(cents)),
                        None => value,
                    };
                    (name, value)
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

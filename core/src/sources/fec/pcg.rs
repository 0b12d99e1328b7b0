//! Where each account of the plan comptable général (PCG) is carried on the statements: the
//! lines of the 2050–2053 tax forms (bilan actif, bilan passif, compte de résultat), from which
//! the statements, the simplified 2033 forms and the ratios are all aggregated. The mapping is
//! by account-number prefix, the longest prefix winning; `docs/fec.md` lists it in full.
//!
//! Accounts of classes 1–3 and the regularisation accounts (476, 477, 481, 486, 487) are
//! netted within their line. Third-party accounts (classes 4 and 51) are classified by the
//! sign of their balance: a supplier with a debit balance is a receivable, a bank account in
//! overdraft is a debt. Depreciation accounts (28, 29, 39, 49, 59) reduce the asset line whose
//! account they mirror (`2815` depreciates `215`).

/// A line of the 2050–2053 forms; the comment gives its repère.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Line {
    // 2050, bilan actif (gross / depreciation repères).
    /// AA — 109.
    UncalledCapital,
    /// AB / AC — 201.
    EstablishmentCosts,
    /// CX / CQ — 203.
    DevelopmentCosts,
    /// AF / AG — 205.
    Concessions,
    /// AH / AI — 206, 207.
    Goodwill,
    /// AJ / AK — 208, 232, other 20.
    OtherIntangibles,
    /// AL / AM — 237.
    IntangibleAdvances,
    /// AN / AO — 211, 212.
    Land,
    /// AP / AQ — 213, 214.
    Buildings,
    /// AR / AS — 215.
    PlantAndMachinery,
    /// AT / AU — 218, 22, 24, 25, other 21.
    OtherTangibles,
    /// AV / AW — 231, other 23.
    AssetsInProgress,
    /// AX / AY — 238.
    TangibleAdvances,
    /// CU / CV — 261, 266, other 26.
    Participations,
    /// BB / BC — 267, 268.
    ParticipationReceivables,
    /// BD / BE — 271, 272, 273, 277, 27682.
    OtherInvestments,
    /// BF / BG — 274, 27684.
    Loans,
    /// BH / BI — 275, 276, other 27.
    OtherFinancialAssets,
    /// BL / BM — 31, 32, 36, 38.
    RawMaterials,
    /// BN / BO — 33.
    GoodsInProgress,
    /// BP / BQ — 34.
    ServicesInProgress,
    /// BR / BS — 35.
    FinishedGoods,
    /// BT / BU — 37.
    Merchandise,
    /// BV / BW — 4091 with a debit balance.
    AdvancesPaid,
    /// BX / BY — 41 with a debit balance.
    TradeReceivables,
    /// BZ / CA — debit balances of 40, 42–48 (except the lines above and below), 18.
    OtherReceivables,
    /// CB / CC — 4562.
    CalledUnpaidCapital,
    /// CD / CE — 50 (except 509), 52.
    MarketableSecurities,
    /// CF / CG — 51 with a debit balance, 53, 54, 58.
    Cash,
    /// CH / CI — 486.
    PrepaidExpenses,
    /// CW — 481.
    DeferredCharges,
    /// CM — 169.
    BondPremiums,
    /// CN — 476.
    ConversionAssets,

    // 2051, bilan passif.
    /// DA — 101, 108, other 10.
    ShareCapital,
    /// DB — 104.
    SharePremium,
    /// DC — 105, 107.
    Revaluation,
    /// DD — 1061.
    LegalReserve,
    /// DE — 1063.
    StatutoryReserves,
    /// DF — 1062, 1064.
    RegulatedReserves,
    /// DG — 1068, other 106.
    OtherReserves,
    /// DH — 11.
    RetainedEarnings,
    /// DI — 12, plus the result of classes 6 and 7 when the file does not close them.
    NetResult,
    /// DJ — 13.
    InvestmentSubsidies,
    /// DK — 14.
    RegulatedProvisions,
    /// DM — 1671.
    ParticipatingSecurities,
    /// DN — 1674.
    ConditionalAdvances,
    /// DP — 151.
    RiskProvisions,
    /// DQ — other 15.
    ChargeProvisions,
    /// DS — 161, 16881.
    ConvertibleBonds,
    /// DT — 163, 16883.
    OtherBonds,
    /// DU — 164, 16884.
    BankLoans,
    /// DU — 51 with a credit balance, 519.
    BankOverdrafts,
    /// DV — other 16, 17.
    OtherBorrowings,
    /// DV — 426 with a credit balance.
    EmployeeDeposits,
    /// DV — 45 with a credit balance (associates' current accounts), except 457.
    AssociatesAccounts,
    /// DW — 4191 with a credit balance.
    AdvancesReceived,
    /// DX — 40 with a credit balance, except 404, 405, 4084.
    TradePayables,
    /// DY — 42 (except 426), 43, 44 with a credit balance.
    TaxAndSocial,
    /// DZ — 404, 405, 4084 with a credit balance, 269, 279.
    FixedAssetPayables,
    /// EA — other credit balances of 41, 45 (457), 46, 47, 48, 18; 509.
    OtherPayables,
    /// EB — 487.
    DeferredIncome,
    /// ED — 477.
    ConversionLiabilities,

    // 2052–2053, produits.
    /// FA — 707, 7097.
    SalesOfGoods,
    /// FD — 701, 702, 703, 7091, 7092, 7093.
    SalesOfProducts,
    /// FG — 704, 705, 706, 708, other 70.
    SalesOfServices,
    /// FM — 71.
    StoredProduction,
    /// FN — 72.
    CapitalisedProduction,
    /// FO — 74.
    OperatingSubsidies,
    /// FP — 781, other 78 and 79.
    OperatingReversals,
    /// FP — 791.
    ChargeTransfers,
    /// FQ — 75 (except 755), 73.
    OtherOperatingIncome,
    /// GH — 755.
    JointOperationsProfit,
    /// GJ — 761.
    ParticipationIncome,
    /// GK — 762.
    InvestmentIncome,
    /// GL — 763, 764, 765, 768, other 76.
    OtherInterestIncome,
    /// GM — 786, 796.
    FinancialReversals,
    /// GN — 766.
    ExchangeGains,
    /// GO — 767.
    SecuritiesDisposalGains,
    /// HA — 771, other 77.
    ExceptionalManagementIncome,
    /// HB — 775, 777, 778.
    ExceptionalCapitalIncome,
    /// HC — 787, 797.
    ExceptionalReversals,

    // 2052–2053, charges.
    /// FS — 607, 6087, 6097.
    PurchasesOfGoods,
    /// FT — 6037.
    GoodsStockChange,
    /// FU — 601, 602, 6081, 6082, 6091, 6092.
    PurchasesOfMaterials,
    /// FV — 603 (except 6037).
    MaterialsStockChange,
    /// FW — 604, 605, 606, other 60, 61, 62.
    ExternalCharges,
    /// FX — 63.
    Taxes,
    /// FY — 641, 644, 648, other 64.
    Wages,
    /// FZ — 645, 646, 647.
    SocialCharges,
    /// GA — 6811, 6812, other 68.
    DepreciationCharges,
    /// GB — 6816.
    FixedAssetImpairment,
    /// GC — 6817.
    CurrentAssetImpairment,
    /// GD — 6815.
    RiskProvisionCharges,
    /// GE — 65 (except 655).
    OtherOperatingCharges,
    /// GI — 655.
    JointOperationsLoss,
    /// GQ — 686.
    FinancialProvisions,
    /// GR — 661.
    InterestCharges,
    /// GR — 664, 665, 668, other 66.
    OtherFinancialCharges,
    /// GS — 666.
    ExchangeLosses,
    /// GT — 667.
    SecuritiesDisposalLosses,
    /// HE — 671, other 67.
    ExceptionalManagementCharges,
    /// HF — 675, 678.
    ExceptionalCapitalCharges,
    /// HG — 687.
    ExceptionalProvisions,
    /// HJ — 691.
    ProfitSharing,
    /// HK — 695–699, other 69.
    IncomeTax,
}

/// Where an account balance goes, and in which direction it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Place {
    /// Gross asset: a debit balance counts positively.
    Asset(Line),
    /// Depreciation or impairment of an asset line: a credit balance counts positively.
    Depreciation(Line),
    /// Equity or liability: a credit balance counts positively.
    Liability(Line),
    /// Expense (class 6): a debit balance counts positively.
    Expense(Line),
    /// Income (class 7): a credit balance counts positively.
    Income(Line),
    /// Classes 8 (commitments) and 9 (cost accounting), outside the statements.
    OffBalance,
    /// An account number that does not start with a PCG class digit.
    Unclassified,
}

impl Place {
    /// The amount a balance (debit − credit, in cents) contributes to this place.
    pub(super) fn oriented(self, debit_balance: i64) -> i64 {
        match self {
            Place::Asset(_) | Place::Expense(_) => debit_balance,
            _ => debit_balance.saturating_neg(),
        }
    }
}

/// First matching prefix wins: tables list the longer prefixes first.
fn lookup(account: &str, table: &[(&[&str], Line)], default: Line) -> Line {
    table
        .iter()
        .find(|(prefixes, _)| prefixes.iter().any(|p| account.starts_with(p)))
        .map_or(default, |&(_, line)| line)
}

const FIXED_ASSETS: &[(&[&str], Line)] = &[
    (&["201"], Line::EstablishmentCosts),
    (&["203"], Line::DevelopmentCosts),
    (&["205"], Line::Concessions),
    (&["206", "207"], Line::Goodwill),
    (&["237"], Line::IntangibleAdvances),
    (&["232", "20"], Line::OtherIntangibles),
    (&["211", "212"], Line::Land),
    (&["213", "214"], Line::Buildings),
    (&["215"], Line::PlantAndMachinery),
    (&["238"], Line::TangibleAdvances),
    (&["23"], Line::AssetsInProgress),
    (&["267", "268"], Line::ParticipationReceivables),
    (&["26"], Line::Participations),
    (
        &["271", "272", "273", "277", "27682"],
        Line::OtherInvestments,
    ),
    (&["274", "27684"], Line::Loans),
    (&["27"], Line::OtherFinancialAssets),
];

const STOCKS: &[(&[&str], Line)] = &[
    (&["33"], Line::GoodsInProgress),
    (&["34"], Line::ServicesInProgress),
    (&["35"], Line::FinishedGoods),
    (&["37"], Line::Merchandise),
];

const EQUITY_AND_LONG_TERM: &[(&[&str], Line)] = &[
    (&["1061"], Line::LegalReserve),
    (&["1063"], Line::StatutoryReserves),
    (&["1062", "1064"], Line::RegulatedReserves),
    (&["106"], Line::OtherReserves),
    (&["104"], Line::SharePremium),
    (&["105", "107"], Line::Revaluation),
    (&["10"], Line::ShareCapital),
    (&["11"], Line::RetainedEarnings),
    (&["12"], Line::NetResult),
    (&["13"], Line::InvestmentSubsidies),
    (&["14"], Line::RegulatedProvisions),
    (&["151"], Line::RiskProvisions),
    (&["15"], Line::ChargeProvisions),
    (&["1671"], Line::ParticipatingSecurities),
    (&["1674"], Line::ConditionalAdvances),
    (&["161", "16881"], Line::ConvertibleBonds),
    (&["163", "16883"], Line::OtherBonds),
    (&["164", "16884"], Line::BankLoans),
];

const THIRD_PARTY_DEBITS: &[(&[&str], Line)] = &[
    (&["4091"], Line::AdvancesPaid),
    (&["41"], Line::TradeReceivables),
    (&["4562"], Line::CalledUnpaidCapital),
];

const THIRD_PARTY_CREDITS: &[(&[&str], Line)] = &[
    (&["404", "405", "4084"], Line::FixedAssetPayables),
    (&["40"], Line::TradePayables),
    (&["4191"], Line::AdvancesReceived),
    (&["426"], Line::EmployeeDeposits),
    (&["42", "43", "44"], Line::TaxAndSocial),
    (&["457"], Line::OtherPayables),
    (&["45"], Line::AssociatesAccounts),
];

const EXPENSES: &[(&[&str], Line)] = &[
    (&["6037"], Line::GoodsStockChange),
    (&["603"], Line::MaterialsStockChange),
    (&["607", "6087", "6097"], Line::PurchasesOfGoods),
    (
        &["601", "602", "6081", "6082", "6091", "6092"],
        Line::PurchasesOfMaterials,
    ),
    (&["60", "61", "62"], Line::ExternalCharges),
    (&["63"], Line::Taxes),
    (&["645", "646", "647"], Line::SocialCharges),
    (&["64"], Line::Wages),
    (&["655"], Line::JointOperationsLoss),
    (&["65"], Line::OtherOperatingCharges),
    (&["661"], Line::InterestCharges),
    (&["666"], Line::ExchangeLosses),
    (&["667"], Line::SecuritiesDisposalLosses),
    (&["66"], Line::OtherFinancialCharges),
    (&["675", "678"], Line::ExceptionalCapitalCharges),
    (&["67"], Line::ExceptionalManagementCharges),
    (&["6815"], Line::RiskProvisionCharges),
    (&["6816"], Line::FixedAssetImpairment),
    (&["6817"], Line::CurrentAssetImpairment),
    (&["686"], Line::FinancialProvisions),
    (&["687"], Line::ExceptionalProvisions),
    (&["68"], Line::DepreciationCharges),
    (&["691"], Line::ProfitSharing),
    (&["69"], Line::IncomeTax),
];

const INCOME: &[(&[&str], Line)] = &[
    (&["707", "7097"], Line::SalesOfGoods),
    (
        &["701", "702", "703", "7091", "7092", "7093"],
        Line::SalesOfProducts,
    ),
    (&["70"], Line::SalesOfServices),
    (&["71"], Line::StoredProduction),
    (&["72"], Line::CapitalisedProduction),
    (&["74"], Line::OperatingSubsidies),
    (&["755"], Line::JointOperationsProfit),
    (&["761"], Line::ParticipationIncome),
    (&["762"], Line::InvestmentIncome),
    (&["766"], Line::ExchangeGains),
    (&["767"], Line::SecuritiesDisposalGains),
    (&["76"], Line::OtherInterestIncome),
    (&["775", "777", "778"], Line::ExceptionalCapitalIncome),
    (&["77"], Line::ExceptionalManagementIncome),
    (&["786", "796"], Line::FinancialReversals),
    (&["787", "797"], Line::ExceptionalReversals),
    (&["791"], Line::ChargeTransfers),
    (&["78", "79"], Line::OperatingReversals),
];

/// The PCG class of an account: its first character, when it is a digit 1–9.
pub(super) fn class(account: &str) -> Option<u8> {
    match account.as_bytes().first() {
        Some(&digit @ b'1'..=b'9') => Some(digit - b'0'),
        _ => None,
    }
}

/// The account a depreciation account mirrors: `2815` → `215`, `391` → `31`, `491` → `41`.
fn mirrored(account: &str, class_digit: char) -> String {
    let rest = account.get(2..).unwrap_or("");
    format!("{class_digit}{rest}")
}

/// Where a balance of `account` (debit − credit, in cents) is carried. Classes 6 and 7 give
/// their P&L line; the balance sheet carries their unclosed total in [`Line::NetResult`].
pub(super) fn place(account: &str, debit_balance: i64) -> Place {
    let is_debit = debit_balance >= 0;
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| account.starts_with(p));
    match class(account) {
        Some(1) => {
            if starts(&["109"]) {
                Place::Asset(Line::UncalledCapital)
            } else if starts(&["169"]) {
                Place::Asset(Line::BondPremiums)
            } else if starts(&["18", "19"]) {
                split(is_debit, Line::OtherReceivables, Line::OtherPayables)
            } else {
                Place::Liability(lookup(account, EQUITY_AND_LONG_TERM, Line::OtherBorrowings))
            }
        }
        Some(2) => {
            if starts(&["28", "29"]) {
                let mirror = mirrored(account, '2');
                Place::Depreciation(lookup(&mirror, FIXED_ASSETS, Line::OtherTangibles))
            } else if starts(&["269", "279"]) {
                Place::Liability(Line::FixedAssetPayables)
            } else {
                Place::Asset(lookup(account, FIXED_ASSETS, Line::OtherTangibles))
            }
        }
        Some(3) => {
            if starts(&["39"]) {
                let mirror = mirrored(account, '3');
                Place::Depreciation(lookup(&mirror, STOCKS, Line::RawMaterials))
            } else {
                Place::Asset(lookup(account, STOCKS, Line::RawMaterials))
            }
        }
        Some(4) => {
            if starts(&["491"]) {
                Place::Depreciation(Line::TradeReceivables)
            } else if starts(&["49"]) {
                Place::Depreciation(Line::OtherReceivables)
            } else if starts(&["476"]) {
                Place::Asset(Line::ConversionAssets)
            } else if starts(&["477"]) {
                Place::Liability(Line::ConversionLiabilities)
            } else if starts(&["481"]) {
                Place::Asset(Line::DeferredCharges)
            } else if starts(&["486"]) {
                Place::Asset(Line::PrepaidExpenses)
            } else if starts(&["487"]) {
                Place::Liability(Line::DeferredIncome)
            } else if is_debit {
                Place::Asset(lookup(account, THIRD_PARTY_DEBITS, Line::OtherReceivables))
            } else {
                Place::Liability(lookup(account, THIRD_PARTY_CREDITS, Line::OtherPayables))
            }
        }
        Some(5) => {
            if starts(&["59"]) {
                Place::Depreciation(Line::MarketableSecurities)
            } else if starts(&["509"]) {
                Place::Liability(Line::OtherPayables)
            } else if starts(&["519"]) {
                Place::Liability(Line::BankOverdrafts)
            } else if starts(&["50", "52"]) {
                Place::Asset(Line::MarketableSecurities)
            } else if starts(&["51"]) {
                split(is_debit, Line::Cash, Line::BankOverdrafts)
            } else {
                Place::Asset(Line::Cash)
            }
        }
        Some(6) => Place::Expense(lookup(account, EXPENSES, Line::ExternalCharges)),
        Some(7) => Place::Income(lookup(account, INCOME, Line::OtherOperatingIncome)),
        Some(_) => Place::OffBalance,
        None => Place::Unclassified,
    }
}

fn split(is_debit: bool, asset: Line, liability: Line) -> Place {
    if is_debit {
        Place::Asset(asset)
    } else {
        Place::Liability(liability)
    }
}

/// Whether the balance sheet splits this account's balance per auxiliary account (third
/// parties), rather than netting the account as a whole.
pub(super) fn splits_by_sign(account: &str) -> bool {
    matches!(place(account, 1), Place::Asset(_)) && place(account, 1) != place(account, -1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_assets_and_their_depreciation_share_a_line() {
        assert_eq!(place("215400", 1), Place::Asset(Line::PlantAndMachinery));
        assert_eq!(
            place("281540", -1),
            Place::Depreciation(Line::PlantAndMachinery)
        );
        assert_eq!(place("2807", -1), Place::Depreciation(Line::Goodwill));
        assert_eq!(
            place("2932", -1),
            Place::Depreciation(Line::OtherIntangibles)
        );
        assert_eq!(place("2911", -1), Place::Depreciation(Line::Land));
        assert_eq!(place("297400", -1), Place::Depreciation(Line::Loans));
        assert_eq!(place("28", -1), Place::Depreciation(Line::OtherTangibles));
    }

    #[test]
    fn third_parties_are_classified_by_the_sign_of_their_balance() {
        assert_eq!(place("401000", -5), Place::Liability(Line::TradePayables));
        assert_eq!(place("401000", 5), Place::Asset(Line::OtherReceivables));
        assert_eq!(place("411000", 5), Place::Asset(Line::TradeReceivables));
        assert_eq!(place("411000", -5), Place::Liability(Line::OtherPayables));
        assert_eq!(place("445660", 5), Place::Asset(Line::OtherReceivables));
        assert_eq!(place("445710", -5), Place::Liability(Line::TaxAndSocial));
        assert_eq!(
            place("455100", -5),
            Place::Liability(Line::AssociatesAccounts)
        );
        assert_eq!(place("457000", -5), Place::Liability(Line::OtherPayables));
        assert_eq!(
            place("404100", -5),
            Place::Liability(Line::FixedAssetPayables)
        );
        assert_eq!(place("512000", 5), Place::Asset(Line::Cash));
        assert_eq!(place("512000", -5), Place::Liability(Line::BankOverdrafts));
    }

    #[test]
    fn regularisation_and_class_1_accounts_are_netted_whatever_their_sign() {
        assert_eq!(place("486000", -5), Place::Asset(Line::PrepaidExpenses));
        assert_eq!(place("487000", 5), Place::Liability(Line::DeferredIncome));
        assert_eq!(place("164101", 5), Place::Liability(Line::BankLoans));
        assert_eq!(place("120000", 5), Place::Liability(Line::NetResult));
        assert!(!splits_by_sign("164101"));
        assert!(!splits_by_sign("486000"));
        assert!(splits_by_sign("401000"));
        assert!(splits_by_sign("512000"));
    }

    #[test]
    fn p_and_l_accounts_get_their_form_line() {
        assert_eq!(place("607000", 1), Place::Expense(Line::PurchasesOfGoods));
        assert_eq!(place("603700", 1), Place::Expense(Line::GoodsStockChange));
        assert_eq!(
            place("603200", 1),
            Place::Expense(Line::MaterialsStockChange)
        );
        assert_eq!(place("606300", 1), Place::Expense(Line::ExternalCharges));
        assert_eq!(
            place("681120", 1),
            Place::Expense(Line::DepreciationCharges)
        );
        assert_eq!(place("708000", -1), Place::Income(Line::SalesOfServices));
        assert_eq!(place("709700", 1), Place::Income(Line::SalesOfGoods));
        assert_eq!(place("791000", -1), Place::Income(Line::ChargeTransfers));
    }

    #[test]
    fn accounts_outside_the_classes_are_set_apart() {
        assert_eq!(place("801000", 1), Place::OffBalance);
        assert_eq!(place("FOURN", 1), Place::Unclassified);
        assert_eq!(place("", 1), Place::Unclassified);
        assert_eq!(place("0401", 1), Place::Unclassified);
    }
}

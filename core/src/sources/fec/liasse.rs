//! Tax-form amounts (repères) computed from the accounts: the 2050–2053 forms of the régime
//! réel normal and the 2033-A/B forms of the régime simplifié. Each repère is computed in
//! exact cents from the lines of [`super::pcg`], then rounded to whole euros half away from
//! zero; totals are rounded from their exact value, not summed from rounded lines.
//!
//! Not computed, because the accounts do not tell them: the export columns (FB, FE, FH, FK
//! and 2033 209, 215, 217 are 0: the PCG has no export sub-accounts, so all sales sit in the
//! France column), equity-method participations (CS/CT), the maturity and "dont" notes (CP,
//! CR, EG, EI…) other than EH and 169, and the tax forms 2054 onwards (2058-A reintegrations
//! and deductions, 2058-C allocation of the previous result).

use super::pcg::Line::{self, *};
use super::pcg::Place;
use super::statements::{sum, Totals};
use std::collections::BTreeMap;

/// Repères in cents, from the totals of the forms' lines.
pub(super) fn compute(t: &Totals) -> BTreeMap<&'static str, i64> {
    let mut forms = Forms::default();
    forms.balance_sheet_assets(t);
    forms.balance_sheet_liabilities(t);
    forms.profit_and_loss(t);
    forms.simplified(t);
    forms.0
}

#[derive(Default)]
struct Forms(BTreeMap<&'static str, i64>);

impl Forms {
    fn set(&mut self, code: &'static str, cents: i64) {
        self.0.insert(code, cents);
    }

    fn get(&self, code: &str) -> i64 {
        self.0.get(code).copied().unwrap_or(0)
    }

    /// Sets `code` to the sum of repères already set.
    fn total(&mut self, code: &'static str, parts: &[&str]) {
        let value = sum(parts.iter().map(|part| self.get(part)));
        self.set(code, value);
    }

    /// Sets `code` to `plus` − `minus`, both already set.
    fn difference(&mut self, code: &'static str, plus: &str, minus: &str) {
        let value = self.get(plus).saturating_sub(self.get(minus));
        self.set(code, value);
    }

    /// 2050: gross amounts and depreciation of the assets.
    fn balance_sheet_assets(&mut self, t: &Totals) {
        const ASSETS: &[(&str, &str, Line)] = &[
            ("AB", "AC", EstablishmentCosts),
            ("CX", "CQ", DevelopmentCosts),
            ("AF", "AG", Concessions),
            ("AH", "AI", Goodwill),
            ("AJ", "AK", OtherIntangibles),
            ("AL", "AM", IntangibleAdvances),
            ("AN", "AO", Land),
            ("AP", "AQ", Buildings),
            ("AR", "AS", PlantAndMachinery),
            ("AT", "AU", OtherTangibles),
            ("AV", "AW", AssetsInProgress),
            ("AX", "AY", TangibleAdvances),
            ("CU", "CV", Participations),
            ("BB", "BC", ParticipationReceivables),
            ("BD", "BE", OtherInvestments),
            ("BF", "BG", Loans),
            ("BH", "BI", OtherFinancialAssets),
            ("BL", "BM", RawMaterials),
            ("BN", "BO", GoodsInProgress),
            ("BP", "BQ", ServicesInProgress),
            ("BR", "BS", FinishedGoods),
            ("BT", "BU", Merchandise),
            ("BV", "BW", AdvancesPaid),
            ("BX", "BY", TradeReceivables),
            ("BZ", "CA", OtherReceivables),
            ("CB", "CC", CalledUnpaidCapital),
            ("CD", "CE", MarketableSecurities),
            ("CF", "CG", Cash),
            ("CH", "CI", PrepaidExpenses),
        ];
        for &(gross, depreciation, line) in ASSETS {
            self.set(gross, t.gross(line));
            self.set(depreciation, t.depreciation(line));
        }
        self.set("AA", t.gross(UncalledCapital));
        self.set("CW", t.gross(DeferredCharges));
        self.set("CM", t.gross(BondPremiums));
        self.set("CN", t.gross(ConversionAssets));
        self.total(
            "BJ",
            &[
                "AB", "CX", "AF", "AH", "AJ", "AL", "AN", "AP", "AR", "AT", "AV", "AX", "CU", "BB",
                "BD", "BF", "BH",
            ],
        );
        self.total(
            "BK",
            &[
                "AC", "CQ", "AG", "AI", "AK", "AM", "AO", "AQ", "AS", "AU", "AW", "AY", "CV", "BC",
                "BE", "BG", "BI",
            ],
        );
        self.total(
            "CJ",
            &[
                "BL", "BN", "BP", "BR", "BT", "BV", "BX", "BZ", "CB", "CD", "CF", "CH",
            ],
        );
        self.total(
            "CK",
            &[
                "BM", "BO", "BQ", "BS", "BU", "BW", "BY", "CA", "CC", "CE", "CG", "CI",
            ],
        );
        self.total("CO", &["AA", "BJ", "CJ", "CW", "CM", "CN"]);
        self.total("1A", &["BK", "CK"]);
    }

    /// 2051: equity and liabilities.
    fn balance_sheet_liabilities(&mut self, t: &Totals) {
        let liabilities = |lines: &[Line]| sum(lines.iter().map(|&l| t.get(Place::Liability(l))));
        const LINES: &[(&str, &[Line])] = &[
            ("DA", &[ShareCapital]),
            ("DB", &[SharePremium]),
            ("DC", &[Revaluation]),
            ("DD", &[LegalReserve]),
            ("DE", &[StatutoryReserves]),
            ("DF", &[RegulatedReserves]),
            ("DG", &[OtherReserves]),
            ("DH", &[RetainedEarnings]),
            ("DI", &[NetResult]),
            ("DJ", &[InvestmentSubsidies]),
            ("DK", &[RegulatedProvisions]),
            ("DM", &[ParticipatingSecurities]),
            ("DN", &[ConditionalAdvances]),
            ("DP", &[RiskProvisions]),
            ("DQ", &[ChargeProvisions]),
            ("DS", &[ConvertibleBonds]),
            ("DT", &[OtherBonds]),
            ("DU", &[BankLoans, BankOverdrafts]),
            (
                "DV",
                &[OtherBorrowings, EmployeeDeposits, AssociatesAccounts],
            ),
            ("DW", &[AdvancesReceived]),
            ("DX", &[TradePayables]),
            ("DY", &[TaxAndSocial]),
            ("DZ", &[FixedAssetPayables]),
            ("EA", &[OtherPayables]),
            ("EB", &[DeferredIncome]),
            ("ED", &[ConversionLiabilities]),
            ("EH", &[BankOverdrafts]),
        ];
        for &(code, lines) in LINES {
            self.set(code, liabilities(lines));
        }
        self.total(
            "DL",
            &[
                "DA", "DB", "DC", "DD", "DE", "DF", "DG", "DH", "DI", "DJ", "DK",
            ],
        );
        self.total("DO", &["DM", "DN"]);
        self.total("DR", &["DP", "DQ"]);
        self.total(
            "EC",
            &["DS", "DT", "DU", "DV", "DW", "DX", "DY", "DZ", "EA", "EB"],
        );
        self.total("EE", &["DL", "DO", "DR", "EC", "ED"]);
    }

    /// 2052 and 2053: income statement.
    fn profit_and_loss(&mut self, t: &Totals) {
        let income = |lines: &[Line]| t.income(lines);
        let expenses = |lines: &[Line]| t.expenses(lines);
        self.set("FA", income(&[SalesOfGoods]));
        self.set("FB", 0);
        self.set("FD", income(&[SalesOfProducts]));
        self.set("FE", 0);
        self.set("FG", income(&[SalesOfServices]));
        self.set("FH", 0);
        self.total("FC", &["FA", "FB"]);
        self.total("FF", &["FD", "FE"]);
        self.total("FI", &["FG", "FH"]);
        self.total("FJ", &["FA", "FD", "FG"]);
        self.total("FK", &["FB", "FE", "FH"]);
        self.total("FL", &["FJ", "FK"]);
        self.set("FM", income(&[StoredProduction]));
        self.set("FN", income(&[CapitalisedProduction]));
        self.set("FO", income(&[OperatingSubsidies]));
        self.set("FP", income(&[OperatingReversals, ChargeTransfers]));
        self.set("FQ", income(&[OtherOperatingIncome]));
        self.total("FR", &["FL", "FM", "FN", "FO", "FP", "FQ"]);

        self.set("FS", expenses(&[PurchasesOfGoods]));
        self.set("FT", expenses(&[GoodsStockChange]));
        self.set("FU", expenses(&[PurchasesOfMaterials]));
        self.set("FV", expenses(&[MaterialsStockChange]));
        self.set("FW", expenses(&[ExternalCharges]));
        self.set("FX", expenses(&[Taxes]));
        self.set("FY", expenses(&[Wages]));
        self.set("FZ", expenses(&[SocialCharges]));
        self.set("GA", expenses(&[DepreciationCharges]));
        self.set("GB", expenses(&[FixedAssetImpairment]));
        self.set("GC", expenses(&[CurrentAssetImpairment]));
        self.set("GD", expenses(&[RiskProvisionCharges]));
        self.set("GE", expenses(&[OtherOperatingCharges]));
        self.total(
            "GF",
            &[
                "FS", "FT", "FU", "FV", "FW", "FX", "FY", "FZ", "GA", "GB", "GC", "GD", "GE",
            ],
        );
        self.difference("GG", "FR", "GF");

        self.set("GH", income(&[JointOperationsProfit]));
        self.set("GI", expenses(&[JointOperationsLoss]));
        self.set("GJ", income(&[ParticipationIncome]));
        self.set("GK", income(&[InvestmentIncome]));
        self.set("GL", income(&[OtherInterestIncome]));
        self.set("GM", income(&[FinancialReversals]));
        self.set("GN", income(&[ExchangeGains]));
        self.set("GO", income(&[SecuritiesDisposalGains]));
        self.total("GP", &["GJ", "GK", "GL", "GM", "GN", "GO"]);
        self.set("GQ", expenses(&[FinancialProvisions]));
        self.set("GR", expenses(&[InterestCharges, OtherFinancialCharges]));
        self.set("GS", expenses(&[ExchangeLosses]));
        self.set("GT", expenses(&[SecuritiesDisposalLosses]));
        self.total("GU", &["GQ", "GR", "GS", "GT"]);
        self.difference("GV", "GP", "GU");
        let current = sum([
            self.get("GG"),
            self.get("GH"),
            self.get("GI").saturating_neg(),
            self.get("GV"),
        ]);
        self.set("GW", current);

        self.set("HA", income(&[ExceptionalManagementIncome]));
        self.set("HB", income(&[ExceptionalCapitalIncome]));
        self.set("HC", income(&[ExceptionalReversals]));
        self.total("HD", &["HA", "HB", "HC"]);
        self.set("HE", expenses(&[ExceptionalManagementCharges]));
        self.set("HF", expenses(&[ExceptionalCapitalCharges]));
        self.set("HG", expenses(&[ExceptionalProvisions]));
        self.total("HH", &["HE", "HF", "HG"]);
        self.difference("HI", "HD", "HH");
        self.set("HJ", expenses(&[ProfitSharing]));
        self.set("HK", expenses(&[IncomeTax]));
        self.total("HL", &["FR", "GH", "GP", "HD"]);
        self.total("HM", &["GF", "GI", "GU", "HH", "HJ", "HK"]);
        self.difference("HN", "HL", "HM");
    }

    /// 2033-A (simplified balance sheet) and 2033-B (simplified income statement), as
    /// groupings of the 2050–2053 repères already set.
    fn simplified(&mut self, t: &Totals) {
        self.total("010", &["AH"]);
        self.total("012", &["AI"]);
        self.total("014", &["AB", "CX", "AF", "AJ", "AL"]);
        self.total("016", &["AC", "CQ", "AG", "AK", "AM"]);
        self.total("028", &["AN", "AP", "AR", "AT", "AV", "AX"]);
        self.total("030", &["AO", "AQ", "AS", "AU", "AW", "AY"]);
        self.total("040", &["CU", "BB", "BD", "BF", "BH"]);
        self.total("042", &["CV", "BC", "BE", "BG", "BI"]);
        self.total("044", &["010", "014", "028", "040"]);
        self.total("048", &["012", "016", "030", "042"]);
        self.total("050", &["BL", "BN", "BP", "BR"]);
        self.total("052", &["BM", "BO", "BQ", "BS"]);
        self.total("060", &["BT"]);
        self.total("062", &["BU"]);
        self.total("064", &["BV"]);
        self.total("066", &["BW"]);
        self.total("068", &["BX"]);
        self.total("070", &["BY"]);
        // No 2033-A line for uncalled capital or conversion assets: they join the other
        // receivables; deferred charges and bond premiums join the prepaid expenses.
        self.total("072", &["BZ", "CB", "AA", "CN"]);
        self.total("074", &["CA", "CC"]);
        self.total("080", &["CD"]);
        self.total("082", &["CE"]);
        self.total("084", &["CF"]);
        self.total("086", &["CG"]);
        self.total("092", &["CH", "CW", "CM"]);
        self.total("094", &["CI"]);
        self.total(
            "096",
            &["050", "060", "064", "068", "072", "080", "084", "092"],
        );
        self.total(
            "098",
            &["052", "062", "066", "070", "074", "082", "086", "094"],
        );
        self.total("110", &["044", "096"]);
        self.total("112", &["048", "098"]);

        // The 2033-A has no line for the share premium: it joins the capital it was paid with.
        self.total("120", &["DA", "DB"]);
        self.total("124", &["DC"]);
        self.total("126", &["DD"]);
        self.total("130", &["DF"]);
        self.total("132", &["DE", "DG"]);
        self.total("134", &["DH"]);
        self.total("136", &["DI"]);
        // The 2033-A has no line for investment subsidies: they join the regulated
        // provisions, as both are untaxed equity.
        self.total("140", &["DK", "DJ"]);
        self.total(
            "142",
            &["120", "124", "126", "130", "132", "134", "136", "140"],
        );
        self.total("154", &["DR"]);
        let associates = t.get(Place::Liability(AssociatesAccounts));
        let borrowings = sum([
            self.get("DS"),
            self.get("DT"),
            self.get("DU"),
            self.get("DV"),
            self.get("DO"),
            associates.saturating_neg(),
        ]);
        self.set("156", borrowings);
        self.total("164", &["DW"]);
        self.total("166", &["DX"]);
        self.set("169", associates);
        let others = sum([
            self.get("DY"),
            self.get("DZ"),
            self.get("EA"),
            self.get("ED"),
            associates,
        ]);
        self.set("172", others);
        self.total("174", &["EB"]);
        self.total("176", &["156", "164", "166", "172", "174"]);
        self.total("180", &["142", "154", "176"]);

        self.set("209", 0);
        self.total("210", &["FA"]);
        self.total("214", &["FD"]);
        self.set("215", 0);
        self.set("217", 0);
        self.total("218", &["FG"]);
        self.total("222", &["FM"]);
        self.total("224", &["FN"]);
        self.total("226", &["FO"]);
        self.total("230", &["FP", "FQ", "GH"]);
        self.total("232", &["210", "214", "218", "222", "224", "226", "230"]);
        self.total("234", &["FS"]);
        self.total("236", &["FT"]);
        self.total("238", &["FU"]);
        self.total("240", &["FV"]);
        self.total("242", &["FW"]);
        self.total("244", &["FX"]);
        self.total("250", &["FY"]);
        self.total("252", &["FZ"]);
        self.total("254", &["GA"]);
        self.total("256", &["GB", "GC", "GD"]);
        self.total("262", &["GE", "GI"]);
        self.total(
            "264",
            &[
                "234", "236", "238", "240", "242", "244", "250", "252", "254", "256", "262",
            ],
        );
        self.difference("270", "232", "264");
        self.total("280", &["GP"]);
        self.total("290", &["HD"]);
        self.total("294", &["GU"]);
        self.total("300", &["HH"]);
        self.total("306", &["HJ", "HK"]);
        let result = sum([
            self.get("232"),
            self.get("280"),
            self.get("290"),
            self.get("264").saturating_neg(),
            self.get("294").saturating_neg(),
            self.get("300").saturating_neg(),
            self.get("306").saturating_neg(),
        ]);
        self.set("310", result);
    }
}

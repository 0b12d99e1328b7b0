//! Tests of the FEC reader on the three real files of the neolegal fec-reader project (with
//! their expected tax-form amounts), on small files for each variant of the format, on bad
//! files, and property tests.

use super::*;
use proptest::prelude::*;

const SHARED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../testdata/fec/neolegal_fec_reader/"
);

fn shared_file(name: &str) -> Vec<u8> {
    let path = format!("{SHARED}{name}");
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn read_shared(name: &str) -> Fec {
    parse(&shared_file(&format!("{name}.txt"))).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// One line of an `*-expected.csv`: `code, amount[, // comment]`. The authors' tool printed
/// `printed`; where a comment gives another amount (`// Expected : 20858`), it is `corrected`.
struct Expected {
    code: String,
    printed: Option<f64>,
    corrected: Option<f64>,
}

fn expected_amounts(name: &str) -> Vec<Expected> {
    let bytes = shared_file(&format!("{name}-expected.csv"));
    let text = String::from_utf8(bytes).expect("the expected amounts are UTF-8");
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let (values, comment) = line.split_once("//").unwrap_or((line, ""));
            let mut fields = values.split(',').map(str::trim);
            let code = fields.next().unwrap_or("").to_owned();
            let printed = fields.next().and_then(|v| v.parse().ok());
            let corrected = comment
                .split(|c: char| !c.is_ascii_digit())
                .rfind(|digits| !digits.is_empty())
                .and_then(|digits| digits.parse().ok());
            Expected {
                code,
                printed,
                corrected,
            }
        })
        .collect()
}

/// Which amount of an expected line is right, when the accounts disagree with the printed
/// amount or with the comment. `reason` says how the accounts decide.
struct Verdict {
    code: &'static str,
    amount: i64,
    reason: &'static str,
}

/// Compares every computed repère with the expected file: the corrected amount when the
/// comment gives one, the printed one otherwise, except where a verdict decides. Returns the
/// codes compared.
fn assert_liasse_matches(name: &str, verdicts: &[Verdict], not_computed: &[&str]) -> usize {
    let liasse = read_shared(name).liasse();
    let mut compared = 0;
    let mut failures = Vec::new();
    for expected in expected_amounts(name) {
        let Some(&computed) = liasse.get(&expected.code) else {
            assert!(
                not_computed.contains(&expected.code.as_str()),
                "{name}: {} is expected but neither computed nor listed as not computed",
                expected.code
            );
            continue;
        };
        let wanted = match verdicts.iter().find(|v| v.code == expected.code) {
            Some(verdict) => {
                assert!(!verdict.reason.is_empty());
                verdict.amount as f64
            }
            None => expected
                .corrected
                .or(expected.printed)
                .unwrap_or_else(|| panic!("{name}: no amount for {}", expected.code)),
        };
        compared += 1;
        if computed as f64 != wanted {
            failures.push(format!(
                "{}: computed {computed}, expected {wanted}",
                expected.code
            ));
        }
    }
    assert!(failures.is_empty(), "{name}:\n{}", failures.join("\n"));
    compared
}

#[test]
fn the_2050_file_has_the_counts_the_authors_assert_and_balances() {
    // neolegal FecReaderTest: 10 756 lines, 4 001 entries, 12 journals. Its lines end in
    // CR CR LF.
    let fec = read_shared("123456789FEC20500930");
    let summary = fec.summary();
    assert_eq!(
        (summary.lines, summary.entries, summary.journals),
        (10_756, 4_001, 12)
    );
    assert_eq!(summary.total_debit, summary.total_credit);
    assert_eq!(summary.total_debit, 825_808_373);
    assert!(summary.balanced, "{:?}", summary.unbalanced_entries);
    let period = summary.period.expect("a period");
    assert_eq!(period.start, NaiveDate::from_ymd_opt(2022, 4, 1).unwrap());
    assert_eq!(summary.opening_journals, vec!["ANO".to_owned()]);
    assert_eq!(fec.format().separator, Separator::Tab);
    assert_eq!(fec.format().columns.len(), 18);
}

#[test]
fn the_2033_file_counts_one_entry_per_journal_since_every_entry_number_is_0() {
    // The authors count entries as distinct (JournalCode, EcritureNum) pairs; this file
    // numbers every line 0, so each of its 6 journals is one entry. 22 columns, no BOM.
    let fec = read_shared("000000000FEC20231231");
    let summary = fec.summary();
    assert_eq!(
        (summary.lines, summary.entries, summary.journals),
        (2_102, 6, 6)
    );
    assert_eq!(summary.total_debit, summary.total_credit);
    assert!(summary.balanced, "{:?}", summary.unbalanced_entries);
    assert_eq!(fec.format().columns.len(), 22);
    let line = &fec.lines()[0];
    assert_eq!(line.payment_method, "CH");
    // Its opening journal keeps open items at their 2021–2022 dates: the period starts at
    // the date of the opening entries proper.
    assert_eq!(summary.opening_journals, vec!["AD".to_owned()]);
    let period = summary.period.expect("a period");
    assert_eq!(
        (period.start, period.end),
        (
            NaiveDate::from_ymd_opt(2023, 1, 1).unwrap(),
            NaiveDate::from_ymd_opt(2023, 6, 30).unwrap()
        )
    );
    assert_eq!(line.payment_date, NaiveDate::from_ymd_opt(2023, 1, 31));
}

#[test]
fn the_agricultural_file_with_a_bom_counts_its_entries_per_journal_and_number() {
    // Counted the authors' way (their tests assert no counts for this file).
    let fec = read_shared("0000000001FEC20220831");
    let summary = fec.summary();
    assert_eq!(
        (summary.lines, summary.entries, summary.journals),
        (5_422, 2_033, 9)
    );
    assert_eq!(summary.total_debit, summary.total_credit);
    assert!(summary.balanced, "{:?}", summary.unbalanced_entries);
    assert_eq!(
        fec.lines()[0].account_label,
        "Capital souscrit appelé, versé"
    );
    assert_eq!(summary.opening_journals, vec!["ANO".to_owned()]);
    let period = summary.period.expect("a period");
    assert_eq!(
        (period.start, period.end),
        (
            NaiveDate::from_ymd_opt(2021, 9, 1).unwrap(),
            NaiveDate::from_ymd_opt(2022, 8, 31).unwrap()
        )
    );
}

#[test]
fn every_computed_repere_of_the_2050_file_matches_its_expected_amount() {
    let compared = assert_liasse_matches(
        "123456789FEC20500930",
        &[
            Verdict {
                code: "GH",
                amount: 0,
                reason: "the comment (118157) belongs to GG; the file has no 755 account",
            },
            Verdict {
                code: "FA",
                amount: 1_212_827,
                reason: "708 (16.80) is a service (FG = 17 per its comment), so FA = FC = 1212827",
            },
            Verdict {
                code: "DL",
                amount: 639_230,
                reason: "DA 356000 + DD 35600 + DH 121396.22 + DI 126233.91 (DI's comment)",
            },
        ],
        // 2058-A (WE, WF) and 2058-C (ZB, ZD, ZE, ZG) are tax adjustments and the allocation
        // of the previous result, not balances of the accounts.
        &["WE", "WF", "ZB", "ZD", "ZE", "ZG"],
    );
    assert_eq!(compared, 96);
}

#[test]
fn every_computed_repere_of_the_2033_file_matches_its_expected_amount() {
    let compared = assert_liasse_matches(
        "000000000FEC20231231",
        &[
            Verdict {
                code: "310",
                amount: 3_988,
                reason: "class 7 − class 6 = 3988.38; the comment's 3989 is not in the accounts",
            },
            Verdict {
                code: "166",
                amount: 9_795,
                reason: "072's comment moves the suppliers with a debit balance (5164.40) to \
                         receivables; the suppliers with a credit balance are then 9795.40",
            },
        ],
        &[],
    );
    assert_eq!(compared, 60);
}

/// Cents truncated to euros, as the agricultural file's expected amounts are.
fn truncated(cents: i64) -> i64 {
    cents / 100
}

#[test]
fn the_agricultural_file_statements_match_its_expected_form_totals() {
    // This file's expected amounts are the agricultural forms 2144–2147, whose repères reuse
    // the 2050 letters for other lines (CA is the capital there, a depreciation here), so no
    // repère is compared. Its form totals are compared with the statements instead; that
    // file truncates to whole euros.
    let fec = read_shared("0000000001FEC20220831");
    let statements = fec.statements();
    let b = &statements.balance_sheet;
    let p = &statements.income_statement;
    let expected: BTreeMap<String, f64> = expected_amounts("0000000001FEC20220831")
        .into_iter()
        .filter_map(|e| Some((e.code, e.printed?)))
        .collect();
    let checks = [
        ("AY inventories", b.inventories, "AY"),
        ("BA advances paid", b.advances_paid, "BA"),
        ("BC trade receivables", b.trade_receivables, "BC"),
        ("BE other receivables", b.other_receivables, "BE"),
        ("BG marketable securities", b.marketable_securities, "BG"),
        ("BJ cash", b.cash, "BJ"),
        ("BN prepaid expenses", b.prepaid_expenses, "BN"),
        ("BP current assets", b.current_assets, "BP"),
        ("CA capital", b.share_capital, "CA"),
        ("CC share premium", b.share_premium, "CC"),
        ("CE result", b.net_result, "CE"),
        ("CG equity", b.equity, "CG"),
        ("CK trade payables", b.trade_payables, "CK"),
        ("CO borrowings", b.borrowings, "CO"),
        ("CN debts", b.total_debts, "CN"),
        ("EP operating income", p.operating_income, "EP"),
        ("FC operating expenses", p.operating_expenses, "FC"),
        ("FD operating result", p.operating_result, "FD"),
        ("FE financial income", p.financial_income, "FE"),
        ("FG financial expenses", p.financial_expenses, "FG"),
        ("EV taxes", p.taxes, "EV"),
        ("EZ depreciation", p.depreciation_and_provisions, "EZ"),
        ("FK net result", p.net_result, "FK"),
    ];
    for (what, cents, code) in checks {
        assert_eq!(
            Some(truncated(cents) as f64),
            expected.get(code).copied(),
            "{what}"
        );
    }
    // Gross totals of the 2144: fixed assets AW, their depreciation AX, all assets BR.
    let liasse = liasse::compute(&Totals::of(&fec));
    assert_eq!(truncated(liasse["BJ"]), 1_675_867);
    assert_eq!(truncated(liasse["BK"]), 850_469);
    assert_eq!(truncated(liasse["CO"]), 2_352_527);
    assert!(b.is_balanced());
    assert_eq!(truncated(b.total_equity_and_liabilities), 1_502_057);
}

#[test]
fn the_three_files_give_balanced_statements_whose_result_is_class_7_minus_class_6() {
    for name in [
        "123456789FEC20500930",
        "000000000FEC20231231",
        "0000000001FEC20220831",
    ] {
        let fec = read_shared(name);
        let statements = fec.statements();
        assert!(statements.balance_sheet.is_balanced(), "{name}");
        assert!(statements.unclassified_accounts.is_empty(), "{name}");
        let result: i64 = fec
            .lines()
            .iter()
            .filter(|l| l.account_number.starts_with(['6', '7']))
            .map(|l| l.credit - l.debit)
            .sum();
        assert_eq!(statements.income_statement.net_result, result, "{name}");
        let liasse = fec.liasse();
        assert_eq!(liasse["HN"], round_to_euros(result), "{name}");
        assert_eq!(liasse["310"], liasse["HN"], "{name}");
        assert_eq!(liasse["CO"] - liasse["1A"], liasse["EE"], "{name}");
        assert_eq!(liasse["110"] - liasse["112"], liasse["180"], "{name}");
    }
}

#[test]
fn the_2050_file_ratios_follow_from_its_statements() {
    let fec = read_shared("123456789FEC20500930");
    let statements = fec.statements();
    let b = &statements.balance_sheet;
    let p = &statements.income_statement;
    let ratios = fec.ratios();
    let close = |a: Option<f64>, b: f64| a.is_some_and(|a| (a - b).abs() < 1e-9);
    assert!(close(
        ratios.x1_net_profit_to_total_assets,
        p.net_result as f64 / b.total_assets as f64
    ));
    assert!(close(
        ratios.x10_equity_to_total_assets,
        b.equity as f64 / b.total_assets as f64
    ));
    assert!(close(
        ratios.interest_coverage,
        p.operating_result as f64 / p.interest_expense as f64
    ));
    // 1 212 843.90 of sales over 1 016 587.33 of assets (EE, as corrected).
    assert_eq!(b.total_assets, 101_658_733);
    assert!(close(
        ratios.x9_sales_to_total_assets,
        121_284_390.0 / 101_658_733.0
    ));
    assert_eq!(
        ratios.current_ratio,
        ratios.x4_current_assets_to_short_term_liabilities
    );
}

#[test]
fn the_inspect_report_gives_counts_totals_and_the_computed_sections() {
    let report = inspect_report(&shared_file("123456789FEC20500930.txt")).unwrap();
    assert_eq!(report["lines"], 10_756);
    assert_eq!(report["entries"], 4_001);
    assert_eq!(report["journals"], 12);
    assert_eq!(report["total_debit"], "8258083.73");
    assert_eq!(report["total_credit"], "8258083.73");
    assert_eq!(report["balanced"], true);
    assert_eq!(report["period"]["start"], "2022-04-01");
    assert_eq!(report["format"]["separator"], "tab");
    assert_eq!(report["format"]["encoding"], "utf8");
    assert_eq!(report["liasse"]["HN"], 126_234);
    assert_eq!(report["statements"]["balance_sheet_balanced"], true);
    assert_eq!(
        report["statements"]["income_statement"]["net_result"],
        "126233.91"
    );
    assert!(report["ratios"]["x1_net_profit_to_total_assets"].is_f64());
    assert_eq!(report["warnings"], json!([]));
    let report = inspect_report(&shared_file("000000000FEC20231231.txt")).unwrap();
    assert_eq!(report["entries"], 6);
    assert!(report["warnings"][0]
        .as_str()
        .is_some_and(|w| w.starts_with("EcritureNum does not tell entries apart")));
    assert_eq!(report["period"]["days"], 181);
}

// ------------------------------------------------------------------------------------------
// Small files, one per variant of the format.

const HEADER_18: &str =
    "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\t\
CompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\t\
ValidDate\tMontantdevise\tIdevise";

/// A tab-separated 18-column line.
fn line18(journal: &str, number: &str, account: &str, debit: &str, credit: &str) -> String {
    format!(
        "{journal}\tJournal\t{number}\t20230115\t{account}\tCompte\t\t\tP1\t20230115\tLibellé\t\
         {debit}\t{credit}\t\t\t20230120\t\t"
    )
}

/// A small balanced file: capital paid in, a sale, a purchase.
fn small_file() -> String {
    [
        HEADER_18.to_owned(),
        line18("BQ", "1", "512000", "1000,00", "0,00"),
        line18("BQ", "1", "101000", "0,00", "1000,00"),
        line18("VE", "2", "411000", "600,00", "0,00"),
        line18("VE", "2", "707000", "0,00", "500,00"),
        line18("VE", "2", "445710", "0,00", "100,00"),
        line18("AC", "3", "607000", "200,00", "0,00"),
        line18("AC", "3", "401000", "0,00", "200,00"),
    ]
    .join("\n")
}

fn totals_of(fec: &Fec) -> (usize, usize, usize, i64, i64) {
    let s = fec.summary();
    (
        s.lines,
        s.entries,
        s.journals,
        s.total_debit,
        s.total_credit,
    )
}

const SMALL_TOTALS: (usize, usize, usize, i64, i64) = (7, 3, 3, 180_000, 180_000);

#[test]
fn a_small_tab_separated_file_is_read_with_exact_cents() {
    let fec = parse(small_file().as_bytes()).unwrap();
    assert_eq!(totals_of(&fec), SMALL_TOTALS);
    let line = &fec.lines()[3];
    assert_eq!(line.line_number, 5);
    assert_eq!(line.account_number, "707000");
    assert_eq!((line.debit, line.credit), (0, 50_000));
    assert_eq!(line.label, "Libellé");
    assert!(fec.warnings().is_empty(), "{:?}", fec.warnings());
}

#[test]
fn a_pipe_separated_file_is_read_like_a_tab_separated_one() {
    let text = small_file().replace('\t', "|");
    let fec = parse(text.as_bytes()).unwrap();
    assert_eq!(fec.format().separator, Separator::Pipe);
    assert_eq!(totals_of(&fec), SMALL_TOTALS);
}

#[test]
fn a_latin_1_file_is_read_when_it_is_not_utf8() {
    let text = small_file();
    let bytes: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).expect("the small file is Latin-1"))
        .collect();
    let fec = parse(&bytes).unwrap();
    assert_eq!(fec.format().encoding, Encoding::Iso8859_15);
    assert_eq!(fec.lines()[0].label, "Libellé");
    assert_eq!(totals_of(&fec), SMALL_TOTALS);
}

#[test]
fn a_utf8_bom_and_crlf_line_ends_are_accepted() {
    let text = format!("\u{feff}{}\r\n", small_file().replace('\n', "\r\n"));
    let fec = parse(text.as_bytes()).unwrap();
    assert_eq!(totals_of(&fec), SMALL_TOTALS);
    assert_eq!(fec.lines()[6].line_number, 8);
}

#[test]
fn cr_cr_lf_and_lone_cr_line_ends_count_one_line_each() {
    let text = small_file().replace('\n', "\r\r\n");
    let fec = parse(text.as_bytes()).unwrap();
    assert_eq!(totals_of(&fec), SMALL_TOTALS);
    assert_eq!(fec.lines()[6].line_number, 8);
    let fec = parse(small_file().replace('\n', "\r").as_bytes()).unwrap();
    assert_eq!(totals_of(&fec), SMALL_TOTALS);
}

#[test]
fn header_names_are_matched_case_insensitively_whatever_their_order() {
    let header = HEADER_18
        .to_uppercase()
        .replace("DEBIT\tCREDIT", "CREDIT\tDEBIT");
    let text = small_file().replacen(HEADER_18, &header, 1);
    let fec = parse(text.as_bytes()).unwrap();
    // The columns are swapped in the header only: the amounts follow the names.
    assert_eq!(fec.lines()[0].credit, 100_000);
    assert_eq!(fec.summary().total_debit, 180_000);
}

#[test]
fn montant_and_sens_with_d_and_c_replace_debit_and_credit() {
    let header = HEADER_18.replace("Debit\tCredit", "Montant\tSens");
    let text = [
        header,
        line18("BQ", "1", "512000", "1000,00", "D"),
        line18("BQ", "1", "101000", "1000,00", "C"),
    ]
    .join("\n");
    let fec = parse(text.as_bytes()).unwrap();
    assert_eq!(fec.format().amounts, AmountLayout::MontantSens);
    assert_eq!((fec.lines()[0].debit, fec.lines()[0].credit), (100_000, 0));
    assert_eq!((fec.lines()[1].debit, fec.lines()[1].credit), (0, 100_000));
    assert!(fec.summary().balanced);
}

#[test]
fn montant_and_sens_with_plus_and_minus_one_replace_debit_and_credit() {
    let header = HEADER_18.replace("Debit\tCredit", "Montant\tSens");
    let text = [
        header,
        line18("BQ", "1", "512000", "1000,00", "+1"),
        line18("BQ", "1", "101000", "1000,00", "-1"),
    ]
    .join("\n");
    let fec = parse(text.as_bytes()).unwrap();
    assert_eq!(fec.summary().total_debit, 100_000);
    assert_eq!(fec.summary().total_credit, 100_000);
    assert_eq!(fec.lines()[1].credit, 100_000);
}

#[test]
fn the_21_and_22_column_variants_are_read_with_their_extra_columns() {
    let header21 = format!("{HEADER_18}\tDateRglt\tModeRglt\tNatOp");
    let header22 = format!("{header21}\tIdClient");
    let base = line18("BQ", "1", "512000", "10,00", "0,00");
    let other = line18("BQ", "1", "706000", "0,00", "10,00");
    let fec =
        parse(format!("{header21}\n{base}\t20230131\tVIR\tHonoraires\n{other}\t\t\t").as_bytes())
            .unwrap();
    assert_eq!(
        fec.lines()[0].payment_date,
        NaiveDate::from_ymd_opt(2023, 1, 31)
    );
    assert_eq!(fec.lines()[0].payment_method, "VIR");
    assert_eq!(fec.lines()[0].operation_nature, "Honoraires");
    let fec =
        parse(format!("{header22}\n{base}\t\tCB\t\tCLI42\n{other}\t\t\t\t").as_bytes()).unwrap();
    assert_eq!(fec.lines()[0].client_id, "CLI42");
    assert_eq!(fec.summary().total_credit, 1_000);
}

#[test]
fn fixed_width_padding_and_zero_padded_numbers_are_trimmed() {
    let header = HEADER_18.replace('\t', "|");
    let padded = |account: &str, debit: &str, credit: &str| {
        format!(
            "BQ  |Banque    |0000001|20230115|{account:<10}|Compte    |          |          |\
             P1        |20230115|Libellé   |{debit:>15}|{credit:>15}|   |        |20230120|\
             {:>15}|   ",
            ""
        )
    };
    let text = [
        header,
        padded("512000", "000000001000,00", "000000000000,00"),
        padded("101000", "000000000000,00", "000000001000,00"),
    ]
    .join("\n");
    let fec = parse(text.as_bytes()).unwrap();
    let line = &fec.lines()[0];
    assert_eq!(
        (line.journal_code.as_str(), line.entry_number.as_str()),
        ("BQ", "0000001")
    );
    assert_eq!(
        (line.account_number.as_str(), line.debit),
        ("512000", 100_000)
    );
    assert!(fec.summary().balanced);
}

#[test]
fn a_sign_at_the_end_of_an_amount_makes_it_negative() {
    let text = [
        HEADER_18.to_owned(),
        line18("OD", "1", "512000", "1000,00", "0,00"),
        line18("OD", "1", "101000", "0,00", "1000,00"),
        line18("OD", "1", "512000", "500,00-", "0,00"),
        line18("OD", "1", "101000", "0,00", "-500,00"),
    ]
    .join("\n");
    let fec = parse(text.as_bytes()).unwrap();
    assert_eq!(fec.lines()[2].debit, -50_000);
    assert_eq!(fec.lines()[3].credit, -50_000);
    let balances: Vec<(String, i64)> = fec
        .trial_balance()
        .into_iter()
        .map(|account| (account.account, account.balance))
        .collect();
    assert_eq!(
        balances,
        vec![
            ("101000".to_owned(), -50_000),
            ("512000".to_owned(), 50_000)
        ]
    );
    assert!(fec.summary().balanced);
}

#[test]
fn blank_lines_trailing_empty_columns_and_a_repeated_header_are_skipped() {
    let lines: Vec<String> = small_file().lines().map(str::to_owned).collect();
    let text = format!(
        "\n{}\n\n{}\t\t\t\n   \n\u{feff}{}\n{}\n",
        lines[0],
        lines[1..4].join("\n"),
        HEADER_18,
        lines[4..].join("\n"),
    );
    let fec = parse(text.as_bytes()).unwrap();
    assert_eq!(totals_of(&fec), SMALL_TOTALS);
    assert_eq!(fec.format().repeated_headers, 1);
    assert_eq!(fec.warnings().len(), 1, "{:?}", fec.warnings());
}

#[test]
fn a_short_header_is_read_and_its_missing_mandatory_columns_reported() {
    let text = "JournalCode|EcritureNum|EcritureDate|CompteNum|Debit|Credit\n\
                VE|1|20230101|411000|12,00|\nVE|1|20230101|706000||12,00\n";
    let fec = parse(text.as_bytes()).unwrap();
    assert_eq!(fec.summary().total_debit, 1_200);
    assert!(fec
        .warnings()
        .iter()
        .any(|w| w.contains("mandatory column JournalLib")));
}

#[test]
fn opening_journals_are_recognised_by_name_when_they_only_move_balance_sheet_accounts() {
    assert!(looks_like_opening("AN", ""));
    assert!(looks_like_opening("a-n", ""));
    assert!(looks_like_opening("AD", "A Nouveaux Détaillés"));
    assert!(looks_like_opening("J00", "Report à nouveau"));
    assert!(looks_like_opening("OUV", ""));
    assert!(!looks_like_opening("VE", "Ventes"));
    assert!(!looks_like_opening("BQ", "Banque"));
    let text = format!(
        "{}\n{}\n{}",
        small_file(),
        line18("AN", "0", "512000", "5,00", "0,00"),
        line18("AN", "0", "706000", "0,00", "5,00"),
    );
    let fec = parse(text.as_bytes()).unwrap();
    assert!(
        fec.opening_journals().is_empty(),
        "AN moves a class 7 account"
    );
}

// ------------------------------------------------------------------------------------------
// Statements on a small file.

#[test]
fn the_small_file_gives_a_balanced_balance_sheet_with_the_unclosed_result_in_equity() {
    let fec = parse(small_file().as_bytes()).unwrap();
    let statements = fec.statements();
    let b = &statements.balance_sheet;
    let p = &statements.income_statement;
    assert_eq!(p.revenue, 50_000);
    assert_eq!(p.purchases, 20_000);
    assert_eq!(p.net_result, 30_000);
    assert_eq!(b.cash, 100_000);
    assert_eq!(b.trade_receivables, 60_000);
    assert_eq!(b.total_assets, 160_000);
    assert_eq!(b.share_capital, 100_000);
    assert_eq!(b.net_result, 30_000);
    assert_eq!(b.equity, 130_000);
    assert_eq!(b.trade_payables, 20_000);
    assert_eq!(b.tax_and_social_payables, 10_000);
    assert!(b.is_balanced());
    let ratios = fec.ratios();
    assert_eq!(ratios.gross_margin, Some(0.6));
    assert_eq!(
        ratios.x10_equity_to_total_assets,
        Some(130_000.0 / 160_000.0)
    );
    assert_eq!(ratios.interest_coverage, None);
    assert_eq!(ratios.debt_to_ebitda, Some(0.0));
    // One day of period: 600 receivable over 500 of sales.
    assert_eq!(ratios.days_sales_outstanding, Some(1.2));
}

#[test]
fn closing_entries_are_left_out_of_the_income_statement_and_kept_in_equity() {
    let text = format!(
        "{}\n{}\n{}\n{}",
        small_file(),
        line18("CL", "9", "707000", "500,00", "0,00"),
        line18("CL", "9", "607000", "0,00", "200,00"),
        line18("CL", "9", "120000", "0,00", "300,00"),
    );
    let fec = parse(text.as_bytes()).unwrap();
    let statements = fec.statements();
    assert!(statements.closing_entries);
    assert_eq!(statements.income_statement.net_result, 30_000);
    assert_eq!(statements.balance_sheet.net_result, 30_000);
    assert!(statements.balance_sheet.is_balanced());
}

#[test]
fn suppliers_and_banks_are_split_by_the_sign_of_each_balance() {
    let aux = |account: &str, aux: &str, debit: &str, credit: &str| {
        line18("OD", "1", account, debit, credit).replacen("\t\t\tP1", &format!("\t{aux}\t\tP1"), 1)
    };
    let text = [
        HEADER_18.to_owned(),
        aux("401000", "F1", "0,00", "300,00"),
        aux("401000", "F2", "50,00", "0,00"),
        line18("OD", "1", "512000", "0,00", "80,00"),
        line18("OD", "1", "512100", "330,00", "0,00"),
    ]
    .join("\n");
    let fec = parse(text.as_bytes()).unwrap();
    let b = fec.statements().balance_sheet;
    assert_eq!(b.trade_payables, 30_000);
    assert_eq!(b.other_receivables, 5_000);
    assert_eq!(b.bank_overdrafts, 8_000);
    assert_eq!(b.cash, 33_000);
    assert!(b.is_balanced());
}

#[test]
fn ratios_are_none_when_their_denominator_is_zero() {
    let text = [
        HEADER_18.to_owned(),
        line18("BQ", "1", "512000", "10,00", "0,00"),
        line18("BQ", "1", "101000", "0,00", "10,00"),
    ]
    .join("\n");
    let ratios = parse(text.as_bytes()).unwrap().ratios();
    assert_eq!(ratios.gross_margin, None);
    assert_eq!(ratios.ebitda_margin, None);
    assert_eq!(ratios.debt_to_ebitda, None);
    assert_eq!(ratios.days_sales_outstanding, None);
    assert_eq!(ratios.x2_total_liabilities_to_total_assets, Some(0.0));
    assert_eq!(ratios.x8_book_equity_to_total_liabilities, None);
    assert_eq!(ratios.x4_current_assets_to_short_term_liabilities, None);
}

#[test]
fn an_unbalanced_entry_is_listed_and_the_file_is_not_balanced() {
    let text = [
        HEADER_18.to_owned(),
        line18("VE", "1", "411000", "120,00", "0,00"),
        line18("VE", "1", "706000", "0,00", "100,00"),
        line18("VE", "2", "411000", "12,00", "0,00"),
        line18("VE", "2", "706000", "0,00", "12,00"),
    ]
    .join("\n");
    let summary = parse(text.as_bytes()).unwrap().summary();
    assert!(!summary.balanced);
    assert_eq!(
        summary.unbalanced_entries,
        vec![UnbalancedEntry {
            journal_code: "VE".into(),
            entry_number: "1".into(),
            first_line: 2,
            debit: 12_000,
            credit: 10_000,
        }]
    );
}

#[test]
fn an_entry_whose_lines_are_apart_is_summed_as_one_and_listed_at_its_first_line() {
    // Entry VE 1 balances only with its last line, written after another entry's lines;
    // VE 3 never balances, and its lines are split around VE 1's last one.
    let text = [
        HEADER_18.to_owned(),
        line18("VE", "1", "411000", "120,00", "0,00"),
        line18("VE", "2", "411000", "12,00", "0,00"),
        line18("VE", "3", "411000", "7,00", "0,00"),
        line18("VE", "2", "706000", "0,00", "12,00"),
        line18("VE", "1", "706000", "0,00", "100,00"),
        line18("VE", "3", "706000", "0,00", "2,00"),
        line18("VE", "1", "445710", "0,00", "20,00"),
        line18("VE", "3", "706000", "0,00", "3,00"),
        line18("AC", "1", "401000", "0,00", "5,00"),
    ]
    .join("\n");
    let summary = parse(text.as_bytes()).unwrap().summary();
    assert_eq!(
        (summary.lines, summary.entries, summary.journals),
        (9, 4, 2)
    );
    assert_eq!(
        summary.unbalanced_entries,
        vec![
            UnbalancedEntry {
                journal_code: "VE".into(),
                entry_number: "3".into(),
                first_line: 4,
                debit: 700,
                credit: 500,
            },
            UnbalancedEntry {
                journal_code: "AC".into(),
                entry_number: "1".into(),
                first_line: 10,
                debit: 0,
                credit: 500,
            },
        ]
    );
}

// ------------------------------------------------------------------------------------------
// Bad files.

fn error_of(text: &str) -> String {
    parse(text.as_bytes()).unwrap_err().to_string()
}

#[test]
fn a_bad_amount_is_reported_with_its_line_and_column() {
    let text = small_file().replacen("600,00", "12,3x", 1);
    assert_eq!(
        error_of(&text),
        r#"line 4, column Debit: "12,3x" is not a decimal amount"#
    );
}

#[test]
fn an_amount_with_three_decimals_is_refused() {
    let text = small_file().replacen("0,00\t500,00", "0,00\t500,005", 1);
    assert_eq!(
        error_of(&text),
        r#"line 5, column Credit: "500,005" has more than 2 decimals"#
    );
}

#[test]
fn a_bad_or_missing_date_is_reported_with_its_line_and_column() {
    let text = small_file().replacen("20230115", "2023-13-45", 2);
    assert_eq!(
        error_of(&text),
        r#"line 2, column EcritureDate: "2023-13-45" is not a date (AAAAMMJJ)"#
    );
    let lines: Vec<String> = small_file().lines().map(str::to_owned).collect();
    let text = format!("{}\n{}", lines[0], lines[1].replacen("20230115", "", 1));
    assert_eq!(
        error_of(&text),
        "line 2, column EcritureDate: the value is missing"
    );
}

#[test]
fn a_bad_sens_is_reported_with_its_line_and_column() {
    let header = HEADER_18.replace("Debit\tCredit", "Montant\tSens");
    let text = format!("{header}\n{}", line18("BQ", "1", "512000", "10,00", "X"));
    assert_eq!(
        error_of(&text),
        r#"line 2, column Sens: "X" is not a direction (D, C, +1 or -1)"#
    );
}

#[test]
fn missing_required_columns_are_named() {
    let header = HEADER_18
        .replace("\tCredit", "")
        .replace("EcritureDate\t", "");
    assert_eq!(
        error_of(&format!("{header}\n")),
        "line 1: missing required column(s) EcritureDate, Credit"
    );
    assert_eq!(
        error_of("JournalCode\tEcritureNum\tEcritureDate\tCompteNum\n"),
        "line 1: missing required column(s) Debit and Credit (or Montant and Sens)"
    );
}

#[test]
fn a_file_without_header_separators_or_content_is_refused() {
    assert_eq!(parse(b"").unwrap_err(), FecError::Empty);
    assert_eq!(parse(b"\n \r\n").unwrap_err(), FecError::Empty);
    assert_eq!(
        error_of("\nJournalCode;CompteNum;Debit\n"),
        "line 2: the header line has neither tab nor \"|\" separators \
         (a FEC separates its fields with one or the other)"
    );
}

#[test]
fn a_line_with_more_fields_than_the_header_is_refused() {
    let text = format!(
        "{}\n{}\textra",
        HEADER_18,
        line18("BQ", "1", "512000", "1,00", "")
    );
    assert_eq!(
        error_of(&text),
        "line 2: 19 fields where the header has 18 (a value probably contains the separator)"
    );
}

#[test]
fn a_duplicated_column_is_refused() {
    let header = format!("{HEADER_18}\tdebit");
    assert_eq!(
        error_of(&header),
        "line 1: column Debit appears twice in the header"
    );
}

#[test]
fn amounts_adding_up_beyond_64_bit_cents_are_refused() {
    let text = [
        HEADER_18.to_owned(),
        line18("OD", "1", "512000", "90000000000000000,00", "0,00"),
        line18("OD", "1", "101000", "0,00", "90000000000000000,00"),
    ]
    .join("\n");
    assert_eq!(
        parse(text.as_bytes()).unwrap_err(),
        FecError::Overflow { line: 3 }
    );
}

// ------------------------------------------------------------------------------------------
// Property tests.

/// Everything that can be computed from a file, so that none of it may panic.
fn compute_everything(bytes: &[u8]) {
    if let Ok(fec) = parse(bytes) {
        let _ = fec.summary();
        let _ = fec.trial_balance();
        let _ = fec.liasse();
        let _ = fec.ratios();
        let _ = inspect_report(bytes);
    }
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\t".to_owned()),
        Just("|".to_owned()),
        Just("\n".to_owned()),
        Just("\r".to_owned()),
        Just("\r\r\n".to_owned()),
        Just(",".to_owned()),
        Just(".".to_owned()),
        Just("-".to_owned()),
        Just("+".to_owned()),
        Just(" ".to_owned()),
        Just("\u{feff}".to_owned()),
        Just("é".to_owned()),
        Just("20230131".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("JournalCode".to_owned()),
        Just("CompteNum".to_owned()),
        Just("Montant".to_owned()),
        Just("Sens".to_owned()),
        Just("D".to_owned()),
        Just("-1".to_owned()),
        "[0-9]{1,12}",
        "[1-9][0-9]{2,8}",
    ]
}

/// A random balanced entry over accounts of every class, as text lines.
fn balanced_entry() -> impl Strategy<Value = Vec<(String, String, i64)>> {
    let account = prop_oneof![
        "10[1-9]0",
        "1[1-7][0-9]{2}",
        "2[0-9]{3}",
        "28[0-9]{2}",
        "3[0-9]{3}",
        "39[0-9]{2}",
        "4[0-9]{3}",
        "49[0-9]{2}",
        "5[0-9]{3}",
        "6[0-9]{3}",
        "7[0-9]{3}",
    ];
    let aux = prop_oneof![Just(String::new()), "[A-C]"];
    prop::collection::vec((account, aux, 1_i64..10_000_000), 1..6).prop_map(|mut lines| {
        let total: i64 = lines.iter().map(|(_, _, cents)| cents).sum();
        lines.push(("471000".to_owned(), String::new(), -total));
        lines
    })
}

// 256 cases each by default; `PROPTEST_CASES` raises it.
proptest! {
    #[test]
    fn parse_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        compute_everything(&bytes);
    }

    #[test]
    fn parse_never_panics_on_fec_like_fragments(
        header in prop::bool::ANY,
        fragments in prop::collection::vec(fragment(), 0..120),
    ) {
        let mut text = if header { format!("{HEADER_18}\n") } else { String::new() };
        text.extend(fragments);
        compute_everything(text.as_bytes());
        compute_everything(text.replace('\t', "|").as_bytes());
    }

    #[test]
    fn parse_never_panics_on_a_valid_file_with_one_byte_changed(
        at in any::<prop::sample::Index>(),
        byte in any::<u8>(),
    ) {
        let mut bytes = small_file().into_bytes();
        let at = at.index(bytes.len());
        bytes[at] = byte;
        compute_everything(&bytes);
    }

    #[test]
    fn any_balanced_file_gives_a_balanced_balance_sheet(
        entries in prop::collection::vec(balanced_entry(), 1..8),
    ) {
        let mut text = format!("{HEADER_18}\n");
        for (number, entry) in entries.iter().enumerate() {
            for (account, aux, cents) in entry {
                let (debit, credit) = if *cents >= 0 { (*cents, 0) } else { (0, -cents) };
                let line = line18("OD", &number.to_string(), account, &format_cents(debit), &format_cents(credit))
                    .replacen("\t\t\tP1", &format!("\t{aux}\t\tP1"), 1);
                text.push_str(&line);
                text.push('\n');
            }
        }
        let fec = parse(text.as_bytes()).unwrap();
        prop_assert!(fec.summary().balanced);
        let statements = fec.statements();
        prop_assert!(statements.balance_sheet.is_balanced(), "{:?}", statements.balance_sheet);
        let result: i64 = fec.lines().iter()
            .filter(|l| l.account_number.starts_with(['6', '7']))
            .map(|l| l.credit - l.debit)
            .sum();
        prop_assert_eq!(statements.income_statement.net_result, result);
        let liasse = liasse::compute(&Totals::of(&fec));
        prop_assert_eq!(liasse["CO"] - liasse["1A"], liasse["EE"]);
        prop_assert_eq!(liasse["110"] - liasse["112"], liasse["180"]);
        prop_assert_eq!(liasse["HN"], result);
        prop_assert_eq!(liasse["310"], result);
    }
}

#[test]
fn a_file_handed_over_is_read_once_and_the_report_is_the_same_as_reading_it_again() {
    let bytes = shared_file("123456789FEC20500930.txt");
    let sha = crate::sources::snapshot::sha256_hex(&bytes);
    let first = parse_and_hand_over(&bytes, &sha).unwrap();
    let taken = take_parsed(&bytes, &sha).unwrap();
    assert!(
        std::sync::Arc::ptr_eq(&first, &taken),
        "the parsed file is reused"
    );
    // Taken once: the next reader parses again, with the same result.
    let again = take_parsed(&bytes, &sha).unwrap();
    assert!(!std::sync::Arc::ptr_eq(&first, &again));
    let mut inspected = inspect_report(&bytes).unwrap();
    // `inspect fec` adds the model's attributes to the report a decision reads.
    let attributes = inspected
        .as_object_mut()
        .and_then(|o| o.remove("attributes"))
        .unwrap();
    assert_eq!(attributes.as_object().unwrap().len(), 62);
    assert_eq!(report(&again), inspected);
    assert_eq!(report(&taken), report(&again));
}

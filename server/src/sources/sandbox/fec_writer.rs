//! Writes a sandbox company's year of accounts as an FEC file (18 tab-separated columns, the
//! header line first, comma decimals, dates AAAAMMJJ), every entry balanced.

use super::world::{Accounts, Company};
use chrono::{Datelike, NaiveDate};
use std::fmt::Write;

const HEADER: &str = "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise";

fn amount(cents: i64) -> String {
    format!("{},{:02}", cents / 100, cents % 100)
}

struct Writer {
    text: String,
    number: u32,
    valid: String,
}

impl Writer {
    /// One entry: `lines` are (account, label, debit, credit); they must balance.
    fn entry(
        &mut self,
        journal: (&str, &str),
        date: NaiveDate,
        label: &str,
        lines: &[(&str, &str, i64, i64)],
    ) {
        debug_assert_eq!(
            lines.iter().map(|l| l.2).sum::<i64>(),
            lines.iter().map(|l| l.3).sum::<i64>(),
            "unbalanced sandbox entry {label}"
        );
        self.number += 1;
        let d = format!("{:04}{:02}{:02}", date.year(), date.month(), date.day());
        for (account, account_label, debit, credit) in lines {
            if *debit == 0 && *credit == 0 {
                continue;
            }
            let _ = writeln!(
                self.text,
                "{}\t{}\t{}\t{d}\t{account}\t{account_label}\t\t\t{}{:05}\t{d}\t{label}\t{}\t{}\t\t\t{}\t\t",
                journal.0,
                journal.1,
                self.number,
                journal.0,
                self.number,
                amount(*debit),
                amount(*credit),
                self.valid
            );
        }
    }
}

/// The FEC of the company's last closed year, with its file name; `None` when it has none.
pub fn write(company: &Company) -> Option<(String, String)> {
    let a: &Accounts = company.accounts.as_ref()?;
    let start = NaiveDate::from_ymd_opt(a.year_end.year(), 1, 1)?;
    let mut w = Writer {
        text: String::with_capacity(64 * 1024),
        number: 0,
        valid: NaiveDate::from_ymd_opt(a.year_end.year() + 1, 3, 31)?
            .format("%Y%m%d")
            .to_string(),
    };
    w.text.push_str(HEADER);
    w.text.push('\n');
    let an = ("AN", "A nouveaux");
    let (retained_debit, retained_credit) = if a.retained >= 0 {
        (0, a.retained)
    } else {
        (-a.retained, 0)
    };
    // Opening: fixed assets and cash against capital, reserves and the loan. Cash balances it.
    let cash = a.capital + a.retained + a.loan - a.fixed_assets;
    let (cash_debit, overdraft) = if cash >= 0 { (cash, 0) } else { (0, -cash) };
    w.entry(
        an,
        start,
        "Reprise des soldes",
        &[
            ("101300", "Capital souscrit appele verse", 0, a.capital),
            (
                "110000",
                "Report a nouveau",
                retained_debit,
                retained_credit,
            ),
            (
                "164000",
                "Emprunts aupres des etablissements de credit",
                0,
                a.loan,
            ),
            ("215400", "Materiel industriel", a.fixed_assets, 0),
            ("512000", "Banque", cash_debit, 0),
            ("519000", "Concours bancaires courants", 0, overdraft),
        ],
    );
    let sales = ("VE", "Ventes");
    let buys = ("AC", "Achats");
    let bank = ("BQ", "Banque");
    let od = ("OD", "Operations diverses");
    let twelfth = |x: i64| x / 12;
    for month in 1..=12u32 {
        let day = |d: u32| NaiveDate::from_ymd_opt(a.year_end.year(), month, d).unwrap_or(start);
        // The last month takes the rounding remainder so the year adds up exactly.
        let part = |x: i64| {
            if month == 12 {
                x - twelfth(x) * 11
            } else {
                twelfth(x)
            }
        };
        let revenue = part(a.revenue);
        let vat_out = revenue / 5;
        w.entry(
            sales,
            day(10),
            "Factures clients du mois",
            &[
                ("411000", "Clients", revenue + vat_out, 0),
                ("706000", "Prestations de services", 0, revenue),
                ("445710", "TVA collectee", 0, vat_out),
            ],
        );
        let purchases = part(a.purchases);
        let external = part(a.external);
        let vat_in = (purchases + external) / 5;
        w.entry(
            buys,
            day(12),
            "Factures fournisseurs du mois",
            &[
                (
                    "601000",
                    "Achats stockes - matieres premieres",
                    purchases,
                    0,
                ),
                ("622600", "Honoraires", external, 0),
                ("445660", "TVA deductible sur ABS", vat_in, 0),
                ("401000", "Fournisseurs", 0, purchases + external + vat_in),
            ],
        );
        let staff = part(a.staff);
        let social = part(a.social);
        w.entry(
            od,
            day(28),
            "Salaires du mois",
            &[
                ("641100", "Salaires, appointements", staff, 0),
                ("645100", "Cotisations a l'URSSAF", social, 0),
                ("421000", "Personnel - remunerations dues", 0, staff),
                ("431000", "Securite sociale", 0, social),
            ],
        );
        let vat_due = vat_out - vat_in;
        // December's invoices are paid after the closing: they stay as receivables and payables.
        let (received, paid) = if month == 12 {
            (0, 0)
        } else {
            (revenue + vat_out, purchases + external + vat_in)
        };
        w.entry(
            bank,
            day(20),
            "Encaissements et paiements",
            &[
                ("512000", "Banque", received, 0),
                ("411000", "Clients", 0, received),
                ("401000", "Fournisseurs", paid, 0),
                ("421000", "Personnel - remunerations dues", staff, 0),
                ("431000", "Securite sociale", social, 0),
                ("445510", "TVA a decaisser", vat_due.max(0), 0),
                ("445670", "Credit de TVA a reporter", 0, (-vat_due).max(0)),
                ("512000", "Banque", 0, paid + staff + social + vat_due),
            ],
        );
        w.entry(
            sales,
            day(20),
            "TVA du mois",
            &[
                ("445710", "TVA collectee", vat_out, 0),
                ("445660", "TVA deductible sur ABS", 0, vat_in),
                ("445510", "TVA a decaisser", 0, vat_due.max(0)),
                ("445670", "Credit de TVA a reporter", (-vat_due).max(0), 0),
            ],
        );
        let interest = part(a.interest);
        let principal = part(a.loan / 5);
        w.entry(
            bank,
            day(25),
            "Echeance d'emprunt",
            &[
                (
                    "164000",
                    "Emprunts aupres des etablissements de credit",
                    principal,
                    0,
                ),
                ("661100", "Interets des emprunts et dettes", interest, 0),
                ("512000", "Banque", 0, principal + interest),
            ],
        );
    }
    w.entry(
        od,
        a.year_end,
        "Dotation aux amortissements",
        &[
            (
                "681120",
                "Dotations aux amortissements des immobilisations corporelles",
                a.depreciation,
                0,
            ),
            (
                "281540",
                "Amortissements du materiel industriel",
                0,
                a.depreciation,
            ),
        ],
    );
    let profit =
        a.revenue - a.purchases - a.external - a.staff - a.social - a.depreciation - a.interest;
    if profit > 0 {
        let tax = profit / 4;
        w.entry(
            od,
            a.year_end,
            "Impot sur les societes",
            &[
                ("695000", "Impots sur les benefices", tax, 0),
                ("444000", "Etat - impots sur les benefices", 0, tax),
            ],
        );
    }
    let name = format!(
        "{}FEC{}.txt",
        company.siren.as_str(),
        a.year_end.format("%Y%m%d")
    );
    Some((name, w.text))
}

//! Writes a sandbox company's year of accounts as an FEC file (18 tab-separated columns, the
//! header line first, comma decimals, dates AAAAMMJJ), every entry balanced.

use super::world::{Accounts, Company};
use chrono::{Datelike, NaiveDate};

const HEADER: &str = "JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\tEcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise";

/// Appends `n` in decimal, at least `width` digits (zeros in front).
fn push_number(text: &mut String, mut n: u64, width: usize) {
    let mut digits = [b'0'; 20];
    let mut start = digits.len();
    while n > 0 || start == digits.len() {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let start = start.min(digits.len().saturating_sub(width));
    text.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
}

/// Appends an amount in the FEC's spelling: comma decimals, no thousands separator.
fn push_amount(text: &mut String, cents: i64) {
    if cents < 0 {
        text.push('-');
    }
    push_number(text, cents.unsigned_abs() / 100, 1);
    text.push(',');
    push_number(text, cents.unsigned_abs() % 100, 2);
}

/// Appends a date as AAAAMMJJ.
fn push_date(text: &mut String, date: NaiveDate) {
    push_number(text, u64::try_from(date.year()).unwrap_or_default(), 4);
    push_number(text, u64::from(date.month()), 2);
    push_number(text, u64::from(date.day()), 2);
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
        let number = u64::from(self.number);
        let t = &mut self.text;
        for (account, account_label, debit, credit) in lines {
            if *debit == 0 && *credit == 0 {
                continue;
            }
            // JournalCode JournalLib EcritureNum EcritureDate CompteNum CompteLib CompAuxNum
            // CompAuxLib PieceRef PieceDate EcritureLib Debit Credit EcritureLet DateLet
            // ValidDate Montantdevise Idevise
            for text in [journal.0, "\t", journal.1, "\t"] {
                t.push_str(text);
            }
            push_number(t, number, 1);
            t.push('\t');
            push_date(t, date);
            for text in ["\t", account, "\t", account_label, "\t\t\t", journal.0] {
                t.push_str(text);
            }
            push_number(t, number, 5);
            t.push('\t');
            push_date(t, date);
            for text in ["\t", label, "\t"] {
                t.push_str(text);
            }
            push_amount(t, *debit);
            t.push('\t');
            push_amount(t, *credit);
            for text in ["\t\t\t", &self.valid, "\t\t\n"] {
                t.push_str(text);
            }
        }
    }
}

/// The FEC of the company's last closed year, with its file name; `None` when it has none.
pub fn write(company: &Company) -> Option<(String, String)> {
    let a: &Accounts = company.accounts.as_ref()?;
    let start = NaiveDate::from_ymd_opt(a.year_end.year(), 1, 1)?;
    let mut w = Writer {
        text: String::with_capacity(96 * 1024),
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
    // Opening: fixed assets, stock and cash against capital, reserves and the loan. Cash
    // balances it.
    let cash = a.capital + a.retained + a.loan - a.fixed_assets - a.inventory;
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
            ("310000", "Stocks de matieres premieres", a.inventory, 0),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_amounts_and_dates_are_spelled_as_the_format_macros_would() {
        for n in [
            0_u64,
            1,
            9,
            10,
            99,
            100,
            12_345,
            123_456,
            u64::from(u32::MAX),
            u64::MAX,
        ] {
            for width in [1, 2, 4, 5] {
                let mut text = String::new();
                push_number(&mut text, n, width);
                assert_eq!(text, format!("{n:0width$}"));
            }
        }
        for cents in [
            0_i64,
            5,
            50,
            99,
            100,
            101,
            123_456_789,
            -1,
            -99,
            -100,
            -12_345,
            i64::MIN,
        ] {
            let mut text = String::new();
            push_amount(&mut text, cents);
            let sign = if cents < 0 { "-" } else { "" };
            let (units, hundredths) = (cents.unsigned_abs() / 100, cents.unsigned_abs() % 100);
            assert_eq!(text, format!("{sign}{units},{hundredths:02}"));
        }
        let mut text = String::new();
        push_date(&mut text, NaiveDate::from_ymd_opt(2025, 3, 7).unwrap());
        assert_eq!(text, "20250307");
    }
}

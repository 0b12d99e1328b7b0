//! Open banking, Berlin Group NextGenPSD2 (1.3.x) account information service: the account list
//! (`GET /v1/accounts`), account details with the owner's name (`GET /v1/accounts/{id}`),
//! balances (`GET /v1/accounts/{id}/balances`) and booked transactions
//! (`GET /v1/accounts/{id}/transactions?bookingStatus=booked&dateFrom=…`, following `_links.next`).

use super::json::{format_error, parse_json, FormatError};
use super::Snapshot;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// How far back transactions are asked for: the 90 days the features use, plus a margin.
pub const HISTORY_DAYS: u64 = 120;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub resource_id: Option<String>,
    pub iban: Option<String>,
    pub currency: Option<String>,
    pub name: Option<String>,
    pub product: Option<String>,
    pub owner_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balance {
    /// `closingBooked`, `expected`, `interimAvailable`, …
    pub balance_type: String,
    pub amount_cents: i64,
    pub currency: String,
    pub reference_date: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transaction {
    /// `transactionId`, else `entryReference`, else the position in the answer.
    pub id: String,
    pub booking_date: Option<NaiveDate>,
    pub value_date: Option<NaiveDate>,
    /// Signed: positive is money in.
    pub amount_cents: i64,
    pub currency: String,
    /// The other party: the debtor for money in, the creditor for money out.
    pub counterparty: Option<String>,
    pub remittance: Option<String>,
    /// ISO 20022 bank transaction code (`PMNT-RDDT-ESDD`…), when given.
    pub bank_transaction_code: Option<String>,
    pub proprietary_code: Option<String>,
    /// JSON pointer inside its snapshot, for lineage.
    pub pointer: String,
}

/// A decimal amount string (`"-100.03"`, `"256.6"`, `"12"`) in cents; more than two decimals,
/// exponents or thousands separators are refused.
pub fn cents(text: &str) -> Option<i64> {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (whole, fraction) = match digits.split_once('.') {
        Some((_, "")) => return None,
        Some(parts) => parts,
        None => (digits, ""),
    };
    if whole.is_empty() || fraction.len() > 2 {
        return None;
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let fraction: i64 = match fraction.len() {
        0 => 0,
        1 => fraction.parse::<i64>().ok()? * 10,
        _ => fraction.parse().ok()?,
    };
    let value = whole.checked_mul(100)?.checked_add(fraction)?;
    Some(if negative { -value } else { value })
}

fn amount(v: &Value, pointer: &str) -> Result<(i64, String), FormatError> {
    let amount = v
        .get("amount")
        .and_then(Value::as_str)
        .ok_or_else(|| format_error(&format!("{pointer}/amount"), "missing"))?;
    let cents = cents(amount).ok_or_else(|| {
        format_error(
            &format!("{pointer}/amount"),
            format!("{amount:?} is not a decimal amount"),
        )
    })?;
    let currency = v
        .get("currency")
        .and_then(Value::as_str)
        .ok_or_else(|| format_error(&format!("{pointer}/currency"), "missing"))?;
    Ok((cents, currency.to_owned()))
}

fn date(v: &Value, pointer: &str, key: &str) -> Result<Option<NaiveDate>, FormatError> {
    super::json::opt_date(v, pointer, key)
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn parse_account(v: &Value) -> Account {
    Account {
        resource_id: text(v, "resourceId"),
        iban: text(v, "iban"),
        currency: text(v, "currency"),
        name: text(v, "name"),
        product: text(v, "product"),
        owner_name: text(v, "ownerName"),
    }
}

/// `GET /v1/accounts`.
pub fn parse_account_list(body: &[u8]) -> Result<Vec<Account>, FormatError> {
    let root = parse_json(body)?;
    let list = root
        .get("accounts")
        .and_then(Value::as_array)
        .ok_or_else(|| format_error("/accounts", "missing or not an array"))?;
    Ok(list.iter().map(parse_account).collect())
}

/// `GET /v1/accounts/{id}`.
pub fn parse_account_details(body: &[u8]) -> Result<Account, FormatError> {
    let root = parse_json(body)?;
    let account = root
        .get("account")
        .filter(|a| a.is_object())
        .ok_or_else(|| format_error("/account", "missing"))?;
    Ok(parse_account(account))
}

/// `GET /v1/accounts/{id}/balances`.
pub fn parse_balances(body: &[u8]) -> Result<Vec<Balance>, FormatError> {
    let root = parse_json(body)?;
    let list = root
        .get("balances")
        .and_then(Value::as_array)
        .ok_or_else(|| format_error("/balances", "missing or not an array"))?;
    list.iter()
        .enumerate()
        // Card accounts carry flags such as `{"debitAccounting": true}` in the same array.
        .filter(|(_, b)| b.get("balanceAmount").is_some() || b.get("balanceType").is_some())
        .map(|(i, b)| {
            let p = format!("/balances/{i}");
            let (amount_cents, currency) = amount(
                b.get("balanceAmount")
                    .ok_or_else(|| format_error(&format!("{p}/balanceAmount"), "missing"))?,
                &format!("{p}/balanceAmount"),
            )?;
            Ok(Balance {
                balance_type: text(b, "balanceType")
                    .ok_or_else(|| format_error(&format!("{p}/balanceType"), "missing"))?,
                amount_cents,
                currency,
                reference_date: date(b, &p, "referenceDate")?,
            })
        })
        .collect()
}

/// One page of `GET /v1/accounts/{id}/transactions`: the booked transactions, and the next
/// page's link if any. A download-only answer (`_links.download`) is an error: the connector
/// does not fetch files.
pub fn parse_transactions(body: &[u8]) -> Result<(Vec<Transaction>, Option<String>), FormatError> {
    // Months of bookings make this the largest answer a decision reads. An answer whose fields
    // all have their expected types is read straight into typed fields; any other (a wrong
    // type, a duplicated key, an escaped text, a value that does not parse) is read by the
    // general path, which gives the same result or names what is wrong.
    match typed::transactions(body) {
        Some(read) => Ok(read),
        None => transactions_from_value(body),
    }
}

#[doc(hidden)]
pub fn transactions_from_value(
    body: &[u8],
) -> Result<(Vec<Transaction>, Option<String>), FormatError> {
    let root = parse_json(body)?;
    let Some(report) = root.get("transactions") else {
        if root.pointer("/_links/download").is_some() {
            return Err(format_error(
                "/_links/download",
                "the bank offers the transactions only as a download",
            ));
        }
        return Err(format_error("/transactions", "missing"));
    };
    let booked = match report.get("booked") {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(list)) => list.as_slice(),
        Some(_) => return Err(format_error("/transactions/booked", "expected an array")),
    };
    let transactions = booked
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let p = format!("/transactions/booked/{i}");
            let (amount_cents, currency) = amount(
                t.get("transactionAmount")
                    .ok_or_else(|| format_error(&format!("{p}/transactionAmount"), "missing"))?,
                &format!("{p}/transactionAmount"),
            )?;
            let text = |key: &str| t.get(key).and_then(Value::as_str);
            Ok(transaction(
                i,
                TransactionFields {
                    transaction_id: text("transactionId"),
                    entry_reference: text("entryReference"),
                    booking_date: date(t, &p, "bookingDate")?,
                    value_date: date(t, &p, "valueDate")?,
                    amount_cents,
                    currency,
                    debtor_name: text("debtorName"),
                    creditor_name: text("creditorName"),
                    remittance: text("remittanceInformationUnstructured"),
                    bank_transaction_code: text("bankTransactionCode"),
                    proprietary_code: text("proprietaryBankTransactionCode"),
                },
                p,
            ))
        })
        .collect::<Result<Vec<_>, FormatError>>()?;
    let next = report
        .pointer("/_links/next/href")
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok((transactions, next))
}

/// What a booked transaction says, as read by either path.
struct TransactionFields<'a> {
    transaction_id: Option<&'a str>,
    entry_reference: Option<&'a str>,
    booking_date: Option<NaiveDate>,
    value_date: Option<NaiveDate>,
    amount_cents: i64,
    currency: String,
    debtor_name: Option<&'a str>,
    creditor_name: Option<&'a str>,
    remittance: Option<&'a str>,
    bank_transaction_code: Option<&'a str>,
    proprietary_code: Option<&'a str>,
}

/// The `i`-th booked transaction, at JSON pointer `pointer`.
fn transaction(i: usize, f: TransactionFields<'_>, pointer: String) -> Transaction {
    let owned = |s: Option<&str>| s.map(str::to_owned);
    let counterparty = if f.amount_cents >= 0 {
        f.debtor_name.or(f.creditor_name)
    } else {
        f.creditor_name.or(f.debtor_name)
    };
    Transaction {
        id: f
            .transaction_id
            .or(f.entry_reference)
            .map_or_else(|| format!("#{i}"), str::to_owned),
        booking_date: f.booking_date,
        value_date: f.value_date,
        amount_cents: f.amount_cents,
        currency: f.currency,
        counterparty: owned(counterparty),
        remittance: owned(f.remittance),
        bank_transaction_code: owned(f.bank_transaction_code),
        proprietary_code: owned(f.proprietary_code),
        pointer,
    }
}

/// The transaction report read into typed fields, borrowing its texts from the body.
#[doc(hidden)]
pub mod typed {
    use super::{transaction, Transaction, TransactionFields};
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct Root<'a> {
        #[serde(borrow)]
        transactions: Report<'a>,
    }

    #[derive(Deserialize)]
    struct Report<'a> {
        #[serde(borrow, default)]
        booked: Option<Vec<Booked<'a>>>,
        #[serde(borrow, default, rename = "_links")]
        links: Option<Links<'a>>,
    }

    #[derive(Deserialize)]
    struct Links<'a> {
        #[serde(borrow, default)]
        next: Option<Href<'a>>,
    }

    #[derive(Deserialize)]
    struct Href<'a> {
        #[serde(borrow, default)]
        href: Option<&'a str>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Booked<'a> {
        #[serde(borrow, default)]
        transaction_id: Option<&'a str>,
        #[serde(borrow, default)]
        entry_reference: Option<&'a str>,
        #[serde(borrow, default)]
        booking_date: Option<&'a str>,
        #[serde(borrow, default)]
        value_date: Option<&'a str>,
        #[serde(borrow, default)]
        transaction_amount: Option<Amount<'a>>,
        #[serde(borrow, default)]
        debtor_name: Option<&'a str>,
        #[serde(borrow, default)]
        creditor_name: Option<&'a str>,
        #[serde(borrow, default)]
        remittance_information_unstructured: Option<&'a str>,
        #[serde(borrow, default)]
        bank_transaction_code: Option<&'a str>,
        #[serde(borrow, default)]
        proprietary_bank_transaction_code: Option<&'a str>,
    }

    #[derive(Deserialize)]
    struct Amount<'a> {
        #[serde(borrow, default)]
        amount: Option<&'a str>,
        #[serde(borrow, default)]
        currency: Option<&'a str>,
    }

    /// `None` when the answer is not of this shape or a value does not parse.
    pub fn transactions(body: &[u8]) -> Option<(Vec<Transaction>, Option<String>)> {
        let root: Root<'_> = serde_json::from_slice(body).ok()?;
        let date = |text: Option<&str>| match text {
            None => Some(None),
            Some(text) => crate::sources::iso_date(text).map(Some),
        };
        let transactions = root
            .transactions
            .booked
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, t)| {
                let amount = t.transaction_amount?;
                Some(transaction(
                    i,
                    TransactionFields {
                        transaction_id: t.transaction_id,
                        entry_reference: t.entry_reference,
                        booking_date: date(t.booking_date)?,
                        value_date: date(t.value_date)?,
                        amount_cents: super::cents(amount.amount?)?,
                        currency: amount.currency?.to_owned(),
                        debtor_name: t.debtor_name,
                        creditor_name: t.creditor_name,
                        remittance: t.remittance_information_unstructured,
                        bank_transaction_code: t.bank_transaction_code,
                        proprietary_code: t.proprietary_bank_transaction_code,
                    },
                    format!("/transactions/booked/{i}"),
                ))
            })
            .collect::<Option<Vec<_>>>()?;
        let next = root
            .transactions
            .links
            .and_then(|l| l.next)
            .and_then(|n| n.href)
            .map(str::to_owned);
        Some((transactions, next))
    }
}

/// What the open-banking snapshots say, put together.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankData {
    pub accounts: Vec<Account>,
    /// Balances per account resource id.
    pub balances: Vec<(String, Balance)>,
    /// Booked transactions per account resource id, with the snapshot hash they came from.
    pub transactions: Vec<(String, String, Transaction)>,
}

impl BankData {
    /// The latest booked balance of the euro accounts, summed: (reference date, cents).
    pub fn closing_balance(&self) -> Option<(Option<NaiveDate>, i64)> {
        let mut total = None::<(Option<NaiveDate>, i64)>;
        for (id, b) in &self.balances {
            let euro = b.currency == "EUR";
            let account_known = self
                .accounts
                .iter()
                .any(|a| a.resource_id.as_deref() == Some(id.as_str()));
            if euro
                && account_known
                && matches!(b.balance_type.as_str(), "closingBooked" | "interimBooked")
            {
                let (date, sum) = total.unwrap_or((b.reference_date, 0));
                total = Some((
                    date.max(b.reference_date),
                    sum.saturating_add(b.amount_cents),
                ));
            }
        }
        total
    }

    /// End-of-day balances for the `days` days up to `last` (oldest first), walked back from the
    /// closing balance through the booked euro transactions. `None` without a closing balance.
    pub fn end_of_day_balances(&self, last: NaiveDate, days: u32) -> Option<Vec<(NaiveDate, i64)>> {
        let (_, closing) = self.closing_balance()?;
        let mut balance = closing;
        let mut out = Vec::with_capacity(days as usize);
        let mut moves: Vec<(NaiveDate, i64)> = self
            .transactions
            .iter()
            .filter(|(_, _, t)| t.currency == "EUR")
            .filter_map(|(_, _, t)| t.booking_date.map(|d| (d, t.amount_cents)))
            .collect();
        moves.sort_unstable();
        // Walk back from the newest move: those booked after `last` are undone first, then each
        // day's moves once that day's end-of-day balance is recorded.
        let mut next = moves.len();
        while next > 0 && moves[next - 1].0 > last {
            next -= 1;
            balance -= moves[next].1;
        }
        let mut day = last;
        for _ in 0..days {
            out.push((day, balance));
            while next > 0 && moves[next - 1].0 == day {
                next -= 1;
                balance -= moves[next].1;
            }
            day = match day.pred_opt() {
                Some(d) => d,
                None => break,
            };
        }
        out.reverse();
        Some(out)
    }
}

/// The account resource id in a request like `GET …/v1/accounts/{id}/balances`.
fn account_in_request(request: &str) -> Option<String> {
    let path = request.split_once("/v1/accounts/")?.1;
    let id = path.split(['/', '?']).next()?;
    (!id.is_empty()).then(|| id.to_owned())
}

/// Builds [`BankData`] from the open-banking snapshots, recognising each by its request.
pub fn assemble(snapshots: &[&Snapshot]) -> Result<BankData, FormatError> {
    let mut data = BankData::default();
    for s in snapshots {
        let body = s.body().map_err(|e| format_error("", e.to_string()))?;
        let path = s.request.split('?').next().unwrap_or("");
        match account_in_request(&s.request) {
            None => data.accounts = parse_account_list(&body)?,
            Some(id) if path.ends_with("/balances") => data
                .balances
                .extend(parse_balances(&body)?.into_iter().map(|b| (id.clone(), b))),
            Some(id) if path.ends_with("/transactions") => data.transactions.extend(
                parse_transactions(&body)?
                    .0
                    .into_iter()
                    .map(|t| (id.clone(), s.sha256.clone(), t)),
            ),
            Some(id) => {
                let details = parse_account_details(&body)?;
                if let Some(a) = data
                    .accounts
                    .iter_mut()
                    .find(|a| a.resource_id.as_deref() == Some(id.as_str()))
                {
                    if details.owner_name.is_some() {
                        a.owner_name = details.owner_name;
                    }
                } else {
                    data.accounts.push(details);
                }
            }
        }
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::tests_support::openapi_example_value as example;
    use proptest::prelude::*;

    #[test]
    fn amounts_are_exact_cents() {
        assert_eq!(cents("256.67"), Some(25_667));
        assert_eq!(cents("-100.03"), Some(-10_003));
        assert_eq!(cents("12"), Some(1_200));
        assert_eq!(cents("0.5"), Some(50));
        assert_eq!(cents("+7.00"), Some(700));
        for bad in [
            "",
            "-",
            "1.234",
            "1,00",
            "1e3",
            " 1",
            "1.",
            ".5",
            "--1",
            "99999999999999999999",
        ] {
            assert_eq!(cents(bad), None, "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn cents_round_trips_any_amount(v in -1_000_000_000_000i64..1_000_000_000_000) {
            let text = format!("{}{}.{:02}", if v < 0 { "-" } else { "" }, v.abs() / 100, v.abs() % 100);
            prop_assert_eq!(cents(&text), Some(v));
        }

        #[test]
        fn the_psd2_parsers_never_panic(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let _ = parse_account_list(&body);
            let _ = parse_account_details(&body);
            let _ = parse_balances(&body);
            let _ = parse_transactions(&body);
        }

        #[test]
        fn the_psd2_parsers_never_panic_on_json_shaped_input(
            amount in "[-+0-9.,e]{0,12}", date in "[0-9-]{0,12}", key in "(booked|pending|balances|accounts)"
        ) {
            let body = format!(r#"{{"transactions":{{"{key}":[{{"transactionAmount":{{"amount":"{amount}","currency":"EUR"}},"bookingDate":"{date}"}}]}},"balances":[{{"balanceAmount":{{"amount":"{amount}","currency":"EUR"}},"balanceType":"x","referenceDate":"{date}"}}]}}"#);
            let _ = parse_transactions(body.as_bytes());
            let _ = parse_balances(body.as_bytes());
        }
    }

    #[test]
    fn every_account_list_example_parses() {
        for (file, count) in [
            ("accountListExample1.json", 2),
            ("accountListExample2.json", 2),
            ("accountListExample3.json", 3),
        ] {
            let accounts =
                parse_account_list(&example(&format!("berlin_group_nextgenpsd2/{file}"))).unwrap();
            assert_eq!(accounts.len(), count, "{file}");
            assert!(accounts.iter().all(|a| a.resource_id.is_some()), "{file}");
        }
    }

    #[test]
    fn account_details_give_the_owner_name() {
        let a = parse_account_details(&example(
            "berlin_group_nextgenpsd2/accountDetailsRegularAccount.json",
        ))
        .unwrap();
        assert_eq!(a.owner_name.as_deref(), Some("Heike Mustermann"));
        assert_eq!(a.iban.as_deref(), Some("FR7612345987650123456789014"));
        let m = parse_account_details(&example(
            "berlin_group_nextgenpsd2/accountDetailsMulticurrencyAccount.json",
        ))
        .unwrap();
        assert_eq!(m.currency.as_deref(), Some("XXX"));
    }

    #[test]
    fn every_balance_example_parses() {
        for file in [
            "balancesExample1_RegularAccount.json",
            "balancesExample2_MulticurrencyAcount.json",
            "balancesExample3_RegularAccount.json",
            "balancesExample_CardAccount.json",
        ] {
            let b = parse_balances(&example(&format!("berlin_group_nextgenpsd2/{file}")))
                .unwrap_or_else(|e| panic!("{file}: {e}"));
            assert!(!b.is_empty(), "{file}");
        }
        let b = parse_balances(&example(
            "berlin_group_nextgenpsd2/balancesExample2_MulticurrencyAcount.json",
        ))
        .unwrap();
        assert_eq!(b[0].amount_cents, 50_000);
        assert_eq!(b[0].balance_type, "closingBooked");
        assert_eq!(b[0].reference_date, NaiveDate::from_ymd_opt(2017, 10, 25));
    }

    #[test]
    fn booked_transactions_are_read_and_pending_ones_left_out() {
        let (t, next) = parse_transactions(&example(
            "berlin_group_nextgenpsd2/transactionsExample1_RegularAccount_json.json",
        ))
        .unwrap();
        assert_eq!(next, None);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].id, "1234567");
        assert_eq!(t[0].amount_cents, 25_667);
        assert_eq!(t[1].counterparty.as_deref(), Some("Paul Simpson"));
        assert_eq!(t[1].pointer, "/transactions/booked/1");
        // A standing-order report has no booked transactions.
        let (t, _) = parse_transactions(&example(
            "berlin_group_nextgenpsd2/transactionsResponse200JsonExample.json",
        ))
        .unwrap();
        assert!(t.is_empty());
        let e = parse_transactions(&example(
            "berlin_group_nextgenpsd2/transactionsExample2_Download_json.json",
        ))
        .unwrap_err();
        assert_eq!(e.pointer, "/_links/download");
    }

    #[test]
    fn transaction_details_example_is_a_valid_amount() {
        let v: Value = serde_json::from_slice(&example(
            "berlin_group_nextgenpsd2/transactionDetailsExample.json",
        ))
        .unwrap();
        let (c, cur) = amount(&v["transactionsDetails"]["transactionAmount"], "").unwrap();
        assert_eq!((c, cur.as_str()), (-25_667, "EUR"));
    }

    /// A booked transaction with each field present as a string, null, a number or absent.
    fn transaction_json() -> impl Strategy<Value = String> {
        let field = |name: &'static str, text: &'static str| {
            prop_oneof![
                Just(format!(r#""{name}":"{text}","#)),
                Just(format!(r#""{name}":null,"#)),
                Just(format!(r#""{name}":7,"#)),
                Just(String::new()),
            ]
        };
        (
            field("transactionId", "tx-1"),
            field("entryReference", r#"ref \"quoted\""#),
            prop_oneof![Just("2024-02-29"), Just("2024-02-30"), Just("24-2-1")],
            field("debtorName", "Dupont SA"),
            field("creditorName", "Café Martin"),
            prop_oneof![Just("-12.50"), Just("300"), Just("1,5"), Just("")],
            prop_oneof![Just(r#""currency":"EUR""#), Just(r#""currency":null"#)],
            field("remittanceInformationUnstructured", "FACT 2024-001"),
        )
            .prop_map(|(id, reference, date, debtor, creditor, amount, currency, remittance)| {
                format!(
                    r#"{{{id}{reference}{debtor}{creditor}{remittance}"bookingDate":"{date}","transactionAmount":{{"amount":"{amount}",{currency}}}}}"#
                )
            })
    }

    proptest! {
        #[test]
        fn the_typed_reading_of_transactions_agrees_with_the_general_one(
            booked in proptest::collection::vec(transaction_json(), 0..6),
            next in prop_oneof![Just(""), Just(r#","_links":{"next":{"href":"/v1/accounts/a/transactions?page=2"}}"#)],
        ) {
            let body = format!(r#"{{"transactions":{{"booked":[{}]{next}}}}}"#, booked.join(","));
            let general = transactions_from_value(body.as_bytes());
            if let Some(typed) = typed::transactions(body.as_bytes()) {
                prop_assert_eq!(Some(typed), general.as_ref().ok().cloned());
            }
            prop_assert_eq!(parse_transactions(body.as_bytes()).ok(), general.ok());
        }
    }

    #[test]
    fn a_bad_amount_names_its_place() {
        let e = parse_transactions(br#"{"transactions":{"booked":[{"transactionAmount":{"amount":"1,5","currency":"EUR"}}]}}"#).unwrap_err();
        assert_eq!(e.pointer, "/transactions/booked/0/transactionAmount/amount");
    }
}

//! The decision request body, read field by field so that every problem is reported at once,
//! each naming its field.

use super::problem::{FieldError, Problem};
use crate::engine::{Application, Product};
use crate::record::DecisionRequest;
use crate::sources::{BankConnection, World};
use app::ids::{Iban, Siren};
use axum::http::StatusCode;
use serde_json::{Map, Value};

const FIELDS: [&str; 16] = [
    "siren",
    "amount",
    "amount_cents",
    "currency",
    "product",
    "invoice_amount",
    "invoice_amount_cents",
    "debtor_siren",
    "current_limit",
    "current_limit_cents",
    "bank_connection",
    "accounting_ref",
    "iban",
    "external_reference",
    "metadata",
    "idempotency_key",
];

/// Largest amount accepted: one billion euros.
const MAX_CENTS: i64 = 100_000_000_000;

/// Below this, every whole number is exact as a JSON float (2^53).
const WHOLE_FLOATS: f64 = 9_007_199_254_740_992.0;

struct Reader<'a> {
    body: &'a Map<String, Value>,
    errors: Vec<FieldError>,
}

impl Reader<'_> {
    fn fail(&mut self, field: &str, problem: impl Into<String>) {
        self.errors.push(FieldError {
            field: format!("/{field}"),
            problem: problem.into(),
        });
    }

    fn text(&mut self, field: &str) -> Option<&str> {
        match self.body.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(_) => {
                self.fail(field, "must be a string");
                None
            }
        }
    }

    fn siren(&mut self, field: &str) -> Option<Siren> {
        let text = self.text(field)?.to_owned();
        match Siren::parse(&text) {
            Ok(s) => Some(s),
            Err(e) => {
                self.fail(field, e.to_string());
                None
            }
        }
    }

    /// An amount given as `<field>_cents` (integer) or `<field>` (decimal string, euros).
    fn money(&mut self, field: &str) -> Option<i64> {
        let cents_field = format!("{field}_cents");
        let cents = match self.body.get(&cents_field) {
            None | Some(Value::Null) => None,
            // A whole number written with a fraction of zero (`150050.0`) is a whole number.
            Some(Value::Number(n)) => match n.as_i64().or_else(|| {
                n.as_f64()
                    .filter(|f| f.fract() == 0.0 && f.abs() <= WHOLE_FLOATS)
                    .map(|f| f as i64)
            }) {
                Some(c) => Some(c),
                None => {
                    self.fail(&cents_field, "must be a whole number of cents");
                    return None;
                }
            },
            Some(_) => {
                self.fail(&cents_field, "must be a whole number of cents");
                return None;
            }
        };
        let decimal = match self.body.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => match crate::sources::psd2::cents(s.trim()) {
                Some(c) => Some(c),
                None => {
                    self.fail(
                        field,
                        format!("{s:?} is not a decimal amount in euros such as \"1500.00\""),
                    );
                    return None;
                }
            },
            Some(_) => {
                self.fail(
                    field,
                    "must be a decimal string such as \"1500.00\" (or use the _cents field)",
                );
                return None;
            }
        };
        let value = match (cents, decimal) {
            (Some(_), Some(_)) => {
                self.fail(field, format!("give {field} or {cents_field}, not both"));
                return None;
            }
            (Some(c), None) | (None, Some(c)) => c,
            (None, None) => return None,
        };
        if value <= 0 {
            self.fail(field, "must be more than zero");
            None
        } else if value > MAX_CENTS {
            self.fail(field, "must be at most 1000000000.00");
            None
        } else {
            Some(value)
        }
    }
}

/// Reads and validates a decision request for a key of `world`.
pub fn parse(body: &[u8], world: World) -> Result<DecisionRequest, Problem> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "The body is not JSON",
            &format!("the body must be a JSON object: {e}"),
        )
    })?;
    let Value::Object(map) = value else {
        return Err(Problem::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "The body is not a JSON object",
            "the body must be a JSON object",
        ));
    };
    read(&map, world)
}

/// A decision request from its fields (the API's JSON object, or the workspace's form read as
/// one), every problem named by its field.
pub fn read(map: &Map<String, Value>, world: World) -> Result<DecisionRequest, Problem> {
    let mut r = Reader {
        body: map,
        errors: Vec::new(),
    };
    for key in map.keys() {
        if !FIELDS.contains(&key.as_str()) {
            r.fail(key, "is not a field of a decision request");
        }
    }
    // A field given as null is a field not given: it is then reported as required, like an
    // absent one. A field given with a value that is not valid has its own error already.
    let given = |key: &str| map.get(key).is_some_and(|v| !v.is_null());
    let siren = r.siren("siren");
    if !given("siren") {
        r.fail("siren", "is required");
    }
    let amount = r.money("amount");
    if amount.is_none() && !given("amount") && !given("amount_cents") {
        r.fail(
            "amount",
            "is required (decimal string in euros, or amount_cents)",
        );
    }
    if let Some(currency) = r.text("currency") {
        if currency != "EUR" {
            let c = currency.to_owned();
            r.fail("currency", format!("{c:?} is not supported: only EUR"));
        }
    }
    let product = match r.text("product").map(|p| (p, Product::parse(p))) {
        Some((_, Ok(product))) => Some(product),
        Some((other, Err(_))) => {
            let other = other.to_owned();
            r.fail(
                "product",
                format!("{other:?} is not one of {}", Product::WORDS.join(", ")),
            );
            None
        }
        None => {
            if !given("product") {
                r.fail(
                    "product",
                    "is required: bnpl, factoring or credit_line_increase",
                );
            }
            None
        }
    };
    let invoice = r.money("invoice_amount");
    let debtor = r.siren("debtor_siren");
    let current_limit = r.money("current_limit");
    match product {
        Some(Product::Factoring) => {
            if invoice.is_none() && !given("invoice_amount") && !given("invoice_amount_cents") {
                r.fail("invoice_amount", "is required for factoring");
            }
            if debtor.is_none() && !given("debtor_siren") {
                r.fail(
                    "debtor_siren",
                    "is required for factoring (the paying customer's SIREN)",
                );
            }
            if let (Some(a), Some(i)) = (amount, invoice) {
                if a > i {
                    r.fail("amount", "must not exceed the invoice amount");
                }
            }
        }
        Some(Product::CreditLineIncrease)
            if current_limit.is_none()
                && !given("current_limit")
                && !given("current_limit_cents") =>
        {
            r.fail("current_limit", "is required for credit_line_increase");
        }
        _ => {}
    }
    let bank_connection = match map.get("bank_connection") {
        None | Some(Value::Null) => None,
        Some(Value::Object(b)) => {
            let consent = b.get("consent_id").and_then(Value::as_str).map(str::trim);
            let connected_at = match b.get("connected_at") {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(t)) => chrono::DateTime::parse_from_rfc3339(t)
                    .map(|d| Some(d.with_timezone(&chrono::Utc)))
                    .map_err(|_| ()),
                Some(_) => Err(()),
            };
            match (consent, connected_at) {
                (Some(c), Ok(at)) if !c.is_empty() && c.chars().count() <= 200 => {
                    Some(BankConnection {
                        consent_id: c.to_owned(),
                        connected_at: at,
                    })
                }
                (_, Err(())) => {
                    r.fail(
                        "bank_connection/connected_at",
                        "must be an RFC 3339 date-time",
                    );
                    None
                }
                _ => {
                    r.fail(
                        "bank_connection/consent_id",
                        "is required: 1 to 200 characters",
                    );
                    None
                }
            }
        }
        Some(_) => {
            r.fail(
                "bank_connection",
                "must be an object with consent_id (and connected_at)",
            );
            None
        }
    };
    let accounting_ref = r.text("accounting_ref").map(str::to_owned);
    if let Some(a) = &accounting_ref {
        if !crate::sources::live::valid_reference(a) {
            r.fail(
                "accounting_ref",
                "must be 1 to 200 letters, digits, '-', '_' or '.'",
            );
        }
    }
    let iban = match r.text("iban").map(str::to_owned) {
        Some(text) => match Iban::parse(&text) {
            Ok(i) => Some(i),
            Err(e) => {
                r.fail("iban", e.to_string());
                None
            }
        },
        None => None,
    };
    let external_reference = r.text("external_reference").map(str::to_owned);
    if external_reference
        .as_ref()
        .is_some_and(|e| e.chars().count() > 200)
    {
        r.fail("external_reference", "must be at most 200 characters");
    }
    if !r.errors.is_empty() {
        return Err(Problem::validation(r.errors));
    }
    // Every required field was checked above; a missing one is an error already returned.
    let (Some(siren), Some(amount), Some(product)) = (siren, amount, product) else {
        return Err(Problem::validation(vec![]));
    };
    Ok(DecisionRequest {
        world,
        siren,
        application: Application {
            product,
            amount_cents: amount,
            invoice_amount_cents: invoice,
            current_limit_cents: current_limit,
            iban_given: iban.is_some(),
        },
        debtor_siren: debtor,
        bank_connection,
        accounting_ref,
        iban,
        external_reference,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(body: &str) -> Vec<String> {
        match parse(body.as_bytes(), World::Sandbox) {
            Ok(_) => vec![],
            Err(p) => p.errors.iter().map(|e| e.field.clone()).collect(),
        }
    }

    #[test]
    fn a_valid_request_is_read_in_cents_or_decimal_euros() {
        let r = parse(
            br#"{"siren":"732 829 320","amount":"1500.50","product":"bnpl"}"#,
            World::Live,
        )
        .unwrap();
        assert_eq!(r.application.amount_cents, 150_050);
        assert_eq!(r.world, World::Live);
        let r = parse(br#"{"siren":"732829320","amount_cents":150050,"product":"factoring","invoice_amount":"2000","debtor_siren":"552100554"}"#, World::Sandbox).unwrap();
        assert_eq!(r.application.invoice_amount_cents, Some(200_000));
    }

    #[test]
    fn cents_written_as_a_whole_float_are_read_and_a_fraction_is_refused() {
        let r = parse(
            br#"{"siren":"732829320","amount_cents":150050.0,"product":"bnpl"}"#,
            World::Sandbox,
        )
        .unwrap();
        assert_eq!(r.application.amount_cents, 150_050);
        assert_eq!(
            errors(r#"{"siren":"732829320","amount_cents":150050.5,"product":"bnpl"}"#),
            vec!["/amount_cents"]
        );
    }

    #[test]
    fn a_required_field_given_as_null_is_named_as_missing() {
        assert_eq!(
            errors(r#"{"siren":null,"amount":null,"product":null}"#),
            vec!["/siren", "/amount", "/product"]
        );
        assert_eq!(
            errors(
                r#"{"siren":"732829320","amount_cents":null,"product":"factoring","invoice_amount":null,"debtor_siren":null}"#
            ),
            vec!["/amount", "/invoice_amount", "/debtor_siren"]
        );
        assert_eq!(
            errors(
                r#"{"siren":"732829320","amount":"10","product":"credit_line_increase","current_limit_cents":null}"#
            ),
            vec!["/current_limit"]
        );
    }

    #[test]
    fn every_problem_is_named_by_its_field() {
        assert_eq!(errors("{}"), vec!["/siren", "/amount", "/product"]);
        assert_eq!(
            errors(r#"{"siren":"732829321","amount":"1,5","product":"loan","colour":"red"}"#),
            vec!["/colour", "/siren", "/amount", "/product"]
        );
        assert_eq!(
            errors(r#"{"siren":"732829320","amount_cents":-5,"product":"bnpl"}"#),
            vec!["/amount"]
        );
        assert_eq!(
            errors(r#"{"siren":"732829320","amount":"10","product":"factoring"}"#),
            vec!["/invoice_amount", "/debtor_siren"]
        );
        assert_eq!(
            errors(
                r#"{"siren":"732829320","amount":"10","product":"bnpl","iban":"FR7630006000011234567890180","currency":"USD"}"#
            ),
            vec!["/currency", "/iban"]
        );
        assert_eq!(
            errors(
                r#"{"siren":"732829320","amount":"10","product":"bnpl","bank_connection":{"consent_id":"c","connected_at":"yesterday"}}"#
            ),
            vec!["/bank_connection/connected_at"]
        );
        assert!(parse(b"[1]", World::Sandbox).is_err());
        assert_eq!(parse(b"not json", World::Sandbox).unwrap_err().status, 400);
    }
}

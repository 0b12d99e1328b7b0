//! The value forms of the format (LPF A47 A-1, XII): decimal amounts with a comma (a dot is
//! also accepted), no thousands separator, an optional sign first or last, zero padding;
//! dates `AAAAMMJJ`; the `Sens` column (X). Amounts are exact integer cents.

use super::error::ValueProblem;
use chrono::NaiveDate;

/// Parses an amount into cents. A blank value is `None` (the column is not filled).
///
/// Accepted: `1234,56`, `1234.5`, `-12,00`, `12,00-`, `+3`, `000012,30`, `,5`, and more than
/// two decimals when the extra ones are zeros (`1,2300`). Spaces between groups of three
/// digits (`1 234,56`) are tolerated, since some exports add them. Anything else is refused:
/// the reader never guesses an amount.
pub(super) fn parse_amount(raw: &str) -> Result<Option<i64>, ValueProblem> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let (negative, body) = split_sign(text)?;
    let (integer, fraction) = match body.find([',', '.']) {
        Some(at) => (
            body.get(..at).unwrap_or(""),
            body.get(at + 1..).unwrap_or(""),
        ),
        None => (body, ""),
    };
    let integer = ungroup(integer)?;
    if integer.is_empty() && fraction.is_empty() {
        return Err(ValueProblem::NotAmount);
    }
    if !integer.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(ValueProblem::NotAmount);
    }
    let (kept, dropped) = fraction.split_at(fraction.len().min(2));
    if dropped.bytes().any(|b| b != b'0') {
        return Err(ValueProblem::TooManyDecimals);
    }
    let mut cents: i64 = 0;
    for digit in integer.bytes() {
        cents = cents
            .checked_mul(10)
            .and_then(|c| c.checked_add(i64::from(digit - b'0')))
            .ok_or(ValueProblem::TooLarge)?;
    }
    let mut decimals = kept.bytes().map(|b| i64::from(b - b'0'));
    let tenths = decimals.next().unwrap_or(0);
    let hundredths = decimals.next().unwrap_or(0);
    cents = cents
        .checked_mul(100)
        .and_then(|c| c.checked_add(tenths * 10 + hundredths))
        .ok_or(ValueProblem::TooLarge)?;
    Ok(Some(if negative { -cents } else { cents }))
}

/// Takes the sign off, wherever the format allows it: first character, or last character
/// right of the decimal part.
fn split_sign(text: &str) -> Result<(bool, &str), ValueProblem> {
    let leading = text
        .strip_prefix(['-', '+'])
        .map(|rest| (text.starts_with('-'), rest));
    let trailing = text
        .strip_suffix(['-', '+'])
        .map(|rest| (text.ends_with('-'), rest));
    match (leading, trailing) {
        (Some(_), Some(_)) => Err(ValueProblem::NotAmount),
        (Some((negative, rest)), None) | (None, Some((negative, rest))) => {
            Ok((negative, rest.trim()))
        }
        (None, None) => Ok((false, text)),
    }
}

/// Removes thousands grouping made of spaces (`1 234 567`), refusing irregular groups.
fn ungroup(integer: &str) -> Result<String, ValueProblem> {
    let is_space = |c: char| c == ' ' || c == '\u{a0}' || c == '\u{202f}';
    if !integer.contains(is_space) {
        return Ok(integer.to_owned());
    }
    let mut groups = integer.split(is_space);
    let first = groups.next().unwrap_or("");
    if first.is_empty() || first.len() > 3 {
        return Err(ValueProblem::NotAmount);
    }
    let mut digits = first.to_owned();
    for group in groups {
        if group.len() != 3 {
            return Err(ValueProblem::NotAmount);
        }
        digits.push_str(group);
    }
    Ok(digits)
}

/// Debit or credit, from the `Sens` column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    Debit,
    Credit,
}

/// Reads `Sens`: `D`/`C` or `+1`/`-1` per the format; `1`, `Débit` and `Crédit` are also read.
pub(super) fn parse_direction(raw: &str) -> Result<Direction, ValueProblem> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ValueProblem::Missing);
    }
    match text.to_lowercase().as_str() {
        "d" | "+1" | "1" | "debit" | "débit" => Ok(Direction::Debit),
        "c" | "-1" | "credit" | "crédit" => Ok(Direction::Credit),
        _ => Err(ValueProblem::NotDirection),
    }
}

/// Parses a date. The format is `AAAAMMJJ`; `AAAA-MM-JJ` and `JJ/MM/AAAA` are read too since
/// they cannot be mistaken, and a time after the date (`20230131 00:00:00`) is ignored.
/// A blank value is `None`.
pub(super) fn parse_date(raw: &str) -> Result<Option<NaiveDate>, ValueProblem> {
    let text = raw.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let day = text.split([' ', 'T']).next().unwrap_or(text);
    // The fixed-width spellings are read digit by digit; chrono reads any other.
    use crate::sources::{fixed_date, iso_date};
    let b = day.as_bytes();
    let parsed = match b.len() {
        8 => fixed_date(day, 0..4, 4..6, 6..8)
            .or_else(|| NaiveDate::parse_from_str(day, "%Y%m%d").ok()),
        10 if day.contains('-') => iso_date(day),
        10 if b[2] == b'/' && b[5] == b'/' => fixed_date(day, 6..10, 3..5, 0..2)
            .or_else(|| NaiveDate::parse_from_str(day, "%d/%m/%Y").ok()),
        10 => NaiveDate::parse_from_str(day, "%d/%m/%Y").ok(),
        _ => return Err(ValueProblem::NotDate),
    };
    match parsed {
        Some(date)
            if day
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'-' || b == b'/') =>
        {
            Ok(Some(date))
        }
        _ => Err(ValueProblem::NotDate),
    }
}

/// Formats cents as a decimal string with a dot: `-1234.50`.
pub fn format_cents(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let magnitude = cents.unsigned_abs();
    format!("{sign}{}.{:02}", magnitude / 100, magnitude % 100)
}

/// Rounds cents to whole euros, halves away from zero (as the tax forms are filled).
pub fn round_to_euros(cents: i64) -> i64 {
    let (euros, rest) = (cents / 100, cents % 100);
    if rest >= 50 {
        euros + 1
    } else if rest <= -50 {
        euros - 1
    } else {
        euros
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn amount(text: &str) -> Result<Option<i64>, ValueProblem> {
        parse_amount(text)
    }

    #[test]
    fn comma_and_dot_decimals_are_read_as_exact_cents() {
        assert_eq!(amount("1888,31"), Ok(Some(188_831)));
        assert_eq!(amount("1888.31"), Ok(Some(188_831)));
        assert_eq!(amount("0,5"), Ok(Some(50)));
        assert_eq!(amount(",5"), Ok(Some(50)));
        assert_eq!(amount("12"), Ok(Some(1_200)));
        assert_eq!(amount("12,"), Ok(Some(1_200)));
        assert_eq!(amount("0,00"), Ok(Some(0)));
    }

    #[test]
    fn a_sign_may_come_first_or_last() {
        assert_eq!(amount("-1888,31"), Ok(Some(-188_831)));
        assert_eq!(amount("1888,31-"), Ok(Some(-188_831)));
        assert_eq!(amount("+12,00"), Ok(Some(1_200)));
        assert_eq!(amount("12,00+"), Ok(Some(1_200)));
        assert_eq!(amount("-12,00-"), Err(ValueProblem::NotAmount));
    }

    #[test]
    fn padding_and_leading_zeros_are_ignored() {
        assert_eq!(amount("   000012,30  "), Ok(Some(1_230)));
        assert_eq!(amount("0000000000000000000000012,30"), Ok(Some(1_230)));
    }

    #[test]
    fn blank_amounts_are_absent_not_zero() {
        assert_eq!(amount(""), Ok(None));
        assert_eq!(amount("   "), Ok(None));
    }

    #[test]
    fn more_than_two_decimals_are_refused_unless_they_are_zeros() {
        assert_eq!(amount("1,2300"), Ok(Some(123)));
        assert_eq!(amount("1,234"), Err(ValueProblem::TooManyDecimals));
    }

    #[test]
    fn regular_space_grouping_is_tolerated_and_anything_else_refused() {
        assert_eq!(amount("1 888,31"), Ok(Some(188_831)));
        assert_eq!(amount("12 345 678,00"), Ok(Some(1_234_567_800)));
        assert_eq!(amount("1 88,31"), Err(ValueProblem::NotAmount));
        assert_eq!(amount("1.234,56"), Err(ValueProblem::NotAmount));
        assert_eq!(amount("12,3x"), Err(ValueProblem::NotAmount));
        assert_eq!(amount("1e5"), Err(ValueProblem::NotAmount));
        assert_eq!(amount("-"), Err(ValueProblem::NotAmount));
        assert_eq!(amount(","), Err(ValueProblem::NotAmount));
        assert_eq!(amount("mille euros"), Err(ValueProblem::NotAmount));
    }

    #[test]
    fn amounts_beyond_64_bit_cents_are_refused() {
        assert_eq!(amount("92233720368547758,07"), Ok(Some(i64::MAX)));
        assert_eq!(amount("92233720368547758,08"), Err(ValueProblem::TooLarge));
        assert_eq!(
            amount("99999999999999999999999"),
            Err(ValueProblem::TooLarge)
        );
    }

    #[test]
    fn sens_is_read_as_letters_or_signed_ones() {
        assert_eq!(parse_direction("D"), Ok(Direction::Debit));
        assert_eq!(parse_direction(" c "), Ok(Direction::Credit));
        assert_eq!(parse_direction("+1"), Ok(Direction::Debit));
        assert_eq!(parse_direction("-1"), Ok(Direction::Credit));
        assert_eq!(parse_direction("- 1"), Err(ValueProblem::NotDirection));
        assert_eq!(parse_direction(""), Err(ValueProblem::Missing));
    }

    #[test]
    fn dates_are_read_in_the_format_and_in_unambiguous_variants() {
        let date = NaiveDate::from_ymd_opt(2023, 1, 31);
        assert_eq!(parse_date("20230131"), Ok(date));
        assert_eq!(parse_date(" 20230131 "), Ok(date));
        assert_eq!(parse_date("2023-01-31"), Ok(date));
        assert_eq!(parse_date("31/01/2023"), Ok(date));
        assert_eq!(parse_date("20230131 00:00:00"), Ok(date));
        assert_eq!(parse_date(""), Ok(None));
        assert_eq!(parse_date("20230230"), Err(ValueProblem::NotDate));
        assert_eq!(parse_date("2023013"), Err(ValueProblem::NotDate));
        assert_eq!(parse_date("+2023013"), Err(ValueProblem::NotDate));
        assert_eq!(parse_date("01/31/2023"), Err(ValueProblem::NotDate));
    }

    #[test]
    fn cents_format_with_a_dot_and_two_decimals() {
        assert_eq!(format_cents(123_456), "1234.56");
        assert_eq!(format_cents(-5), "-0.05");
        assert_eq!(format_cents(0), "0.00");
        assert_eq!(format_cents(i64::MIN), "-92233720368547758.08");
    }

    #[test]
    fn euros_are_rounded_half_away_from_zero() {
        assert_eq!(round_to_euros(196_890), 1_969);
        assert_eq!(round_to_euros(122_577_650), 1_225_777);
        assert_eq!(round_to_euros(122_577_649), 1_225_776);
        assert_eq!(round_to_euros(-304_358), -3_044);
        assert_eq!(round_to_euros(-150), -2);
        assert_eq!(round_to_euros(i64::MAX), 92_233_720_368_547_758);
    }

    proptest! {
        #[test]
        fn formatted_cents_read_back_to_the_same_cents(cents in any::<i64>().prop_filter("i64::MIN has no positive twin", |c| *c != i64::MIN)) {
            prop_assert_eq!(parse_amount(&format_cents(cents)), Ok(Some(cents)));
        }

        #[test]
        fn amount_parsing_never_panics(text in "\\PC{0,30}") {
            let _ = parse_amount(&text);
            let _ = parse_date(&text);
            let _ = parse_direction(&text);
        }
    }
}

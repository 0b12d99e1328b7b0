//! Identifiers parsed once, at the edge: French company numbers (SIREN, SIRET) and IBANs.
//! Each type can only hold a valid value; a failed parse says what is wrong.

mod iban_registry;

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Why an identifier was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum IdError {
    #[error("{kind} must have {expected} characters, got {got}")]
    Length {
        kind: &'static str,
        expected: String,
        got: usize,
    },
    #[error("{kind} contains `{found}` at position {position}, where {expected} is expected")]
    Character {
        kind: &'static str,
        found: char,
        position: usize,
        expected: &'static str,
    },
    #[error("{kind} check digits do not match: the number is mistyped or invented")]
    Checksum { kind: &'static str },
    #[error("IBAN country `{0}` is not in the IBAN registry")]
    UnknownCountry(String),
}

/// Drops the spaces, dots and dashes people type in numbers.
fn compact(input: &str) -> String {
    input
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '-'))
        .collect()
}

fn digits(kind: &'static str, value: &str, len: usize) -> Result<(), IdError> {
    if let Some((position, found)) = value.chars().enumerate().find(|(_, c)| !c.is_ascii_digit()) {
        return Err(IdError::Character {
            kind,
            found,
            position: position + 1,
            expected: "a digit",
        });
    }
    if value.len() != len {
        return Err(IdError::Length {
            kind,
            expected: len.to_string(),
            got: value.chars().count(),
        });
    }
    Ok(())
}

/// The Luhn check over ASCII digits.
fn luhn_ok(value: &str) -> bool {
    let sum: u32 = value
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let d2 = d * 2;
                if d2 > 9 {
                    d2 - 9
                } else {
                    d2
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for Siren {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9]{9}$"))
            .description(Some("A SIREN: nine digits, the last a Luhn check digit."))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for Siren {}

/// A French company number (SIREN): nine digits with a Luhn check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siren(String);

impl Siren {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let value = compact(input);
        digits("SIREN", &value, 9)?;
        if !luhn_ok(&value) {
            return Err(IdError::Checksum { kind: "SIREN" });
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The SIREN of La Poste, whose establishments' SIRETs use their own check rule.
const LA_POSTE: &str = "356000000";

/// A French establishment number (SIRET): the SIREN and a five-digit establishment code,
/// checked with Luhn; La Poste's establishments, too many for Luhn, may instead have digits
/// adding up to a multiple of five.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Siret(String);

impl Siret {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        let value = compact(input);
        digits("SIRET", &value, 14)?;
        let luhn = luhn_ok(&value) && luhn_ok(&value[..9]);
        let valid = luhn
            || (value.starts_with(LA_POSTE)
                && value
                    .bytes()
                    .map(|b| u32::from(b - b'0'))
                    .sum::<u32>()
                    .is_multiple_of(5));
        if !valid {
            return Err(IdError::Checksum { kind: "SIRET" });
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The company the establishment belongs to.
    pub fn siren(&self) -> Siren {
        Siren(self.0[..9].to_owned())
    }
}

/// An International Bank Account Number: known country, the registry's length and BBAN
/// structure for it, and ISO 7064 mod-97 check digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Iban(String);

/// Whether `c` fits a BBAN character class of the registry notation.
fn fits(class: char, c: char) -> bool {
    match class {
        'n' => c.is_ascii_digit(),
        'a' => c.is_ascii_uppercase(),
        'c' => c.is_ascii_alphanumeric(),
        'e' => c == ' ',
        _ => false,
    }
}

/// The registry format as (count, class) pairs: `4!n4!a` → [(4, 'n'), (4, 'a')].
fn bban_parts(format: &str) -> Vec<(usize, char)> {
    let mut parts = Vec::new();
    let mut number = String::new();
    for ch in format.chars() {
        match ch {
            '0'..='9' => number.push(ch),
            '!' => {}
            class => {
                parts.push((number.parse().unwrap_or(0), class));
                number.clear();
            }
        }
    }
    parts
}

fn mod97(rearranged: &str) -> u32 {
    rearranged.chars().fold(0u32, |acc, c| {
        let v = c.to_digit(36).unwrap_or(0);
        if v >= 10 {
            (acc * 100 + v) % 97
        } else {
            (acc * 10 + v) % 97
        }
    })
}

impl Iban {
    pub fn parse(input: &str) -> Result<Self, IdError> {
        const KIND: &str = "IBAN";
        let value = compact(input).to_ascii_uppercase();
        if value.len() < 5 {
            return Err(IdError::Length {
                kind: KIND,
                expected: "at least 5".into(),
                got: value.chars().count(),
            });
        }
        if let Some((i, found)) = value
            .chars()
            .enumerate()
            .find(|(_, c)| !c.is_ascii_alphanumeric())
        {
            return Err(IdError::Character {
                kind: KIND,
                found,
                position: i + 1,
                expected: "a letter or a digit",
            });
        }
        let country = &value[..2];
        let format = iban_registry::REGISTRY
            .binary_search_by(|(code, _)| code.cmp(&country))
            .map(|i| iban_registry::REGISTRY[i].1)
            .map_err(|_| IdError::UnknownCountry(country.to_owned()))?;
        let parts = bban_parts(format);
        let expected_len = 4 + parts.iter().map(|(n, _)| n).sum::<usize>();
        if value.len() != expected_len {
            return Err(IdError::Length {
                kind: KIND,
                expected: format!("{expected_len} for {country}"),
                got: value.len(),
            });
        }
        for (i, c) in value[2..4].chars().enumerate() {
            if !c.is_ascii_digit() {
                return Err(IdError::Character {
                    kind: KIND,
                    found: c,
                    position: i + 3,
                    expected: "a check digit",
                });
            }
        }
        let mut bban = value[4..].chars().enumerate();
        for (count, class) in parts {
            for _ in 0..count {
                if let Some((i, c)) = bban.next() {
                    if !fits(class, c) {
                        return Err(IdError::Character {
                            kind: KIND,
                            found: c,
                            position: i + 5,
                            expected: match class {
                                'n' => "a digit",
                                'a' => "a capital letter",
                                _ => "a letter or a digit",
                            },
                        });
                    }
                }
            }
        }
        let rearranged = format!("{}{}", &value[4..], &value[..4]);
        if mod97(&rearranged) != 1 || !national_check_ok(country, &value[4..]) {
            return Err(IdError::Checksum { kind: KIND });
        }
        Ok(Self(value))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn country(&self) -> &str {
        &self.0[..2]
    }
}

/// The national check digits inside the BBAN, for the countries where they are known here:
/// France (RIB key) and Spain (two mod-11 digits). Other countries: mod-97 only.
fn national_check_ok(country: &str, bban: &str) -> bool {
    match country {
        "FR" => {
            // Letters in the account number stand for digits (A,J → 1 … I,R,Z → 9).
            let digit = |c: char| match c {
                '0'..='9' => c.to_digit(10),
                'A'..='I' => Some(c as u32 - 'A' as u32 + 1),
                'J'..='R' => Some(c as u32 - 'J' as u32 + 1),
                'S'..='Z' => Some(c as u32 - 'S' as u32 + 2),
                _ => None,
            };
            let number = |s: &str| {
                s.chars()
                    .try_fold(0u64, |acc, c| digit(c).map(|d| acc * 10 + u64::from(d)))
            };
            match (
                number(&bban[..5]),
                number(&bban[5..10]),
                number(&bban[10..21]),
                number(&bban[21..23]),
            ) {
                (Some(bank), Some(branch), Some(account), Some(key)) => {
                    (89 * bank + 15 * branch + 3 * account + key).is_multiple_of(97)
                }
                _ => false,
            }
        }
        "ES" => {
            const WEIGHTS: [u32; 10] = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6];
            let check = |digits: &str| {
                let sum: u32 = digits
                    .chars()
                    .zip(WEIGHTS)
                    .map(|(c, w)| c.to_digit(10).unwrap_or(0) * w)
                    .sum();
                match 11 - sum % 11 {
                    11 => 0,
                    10 => 1,
                    d => d,
                }
            };
            let first = check(&format!("00{}", &bban[..8]));
            let second = check(&bban[10..20]);
            bban[8..10] == format!("{first}{second}")
        }
        _ => true,
    }
}

macro_rules! string_conversions {
    ($($ty:ident),*) => {$(
        impl FromStr for $ty {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }
        impl From<$ty> for String {
            fn from(id: $ty) -> String {
                id.0
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}

string_conversions!(Siren, Siret, Iban);

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn vectors(name: &str) -> Vec<Vec<String>> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../testdata/testvectors")
            .join(name);
        let text =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        text.lines().skip(1).map(split_csv_line).collect()
    }

    /// Splits one CSV line, honouring double-quoted fields that contain commas.
    fn split_csv_line(line: &str) -> Vec<String> {
        let mut fields = vec![String::new()];
        let mut quoted = false;
        for c in line.chars() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(String::new()),
                c => fields.last_mut().expect("one field at least").push(c),
            }
        }
        fields
    }

    #[test]
    fn siren_and_siret_vectors_are_classified_as_expected() {
        let rows = vectors("siren_siret_vectors.csv");
        assert!(rows.len() > 50);
        for row in rows {
            let (kind, value, expected) = (&row[0], &row[1], &row[3]);
            let ok = match kind.as_str() {
                "siren" => Siren::parse(value).is_ok(),
                "siret" => Siret::parse(value).is_ok(),
                other => panic!("unknown kind {other}"),
            };
            assert_eq!(ok, expected == "valid", "{kind} {value}");
        }
    }

    #[test]
    fn iban_vectors_are_classified_as_expected() {
        let rows = vectors("iban_vectors.csv");
        let mut checked = 0;
        for row in rows {
            let (value, expected) = (&row[0], &row[2]);
            let want = match expected.as_str() {
                "valid" => true,
                "invalid"
                | "invalid_wrong_length_checksum_ok"
                | "mod97_ok_but_country_bban_check_fails" => false,
                _ => continue,
            };
            assert_eq!(
                Iban::parse(value).is_ok(),
                want,
                "{value}: {:?}",
                Iban::parse(value)
            );
            checked += 1;
        }
        assert!(checked > 140, "{checked}");
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(
            Siren::parse("12345678").unwrap_err().to_string(),
            "SIREN must have 9 characters, got 8"
        );
        assert_eq!(
            Siren::parse("123456ABC").unwrap_err().to_string(),
            "SIREN contains `A` at position 7, where a digit is expected"
        );
        assert!(Siren::parse("123456789")
            .unwrap_err()
            .to_string()
            .contains("check digits"));
        assert!(Iban::parse("FR76 3000 6000 0112 3456 7890 18")
            .unwrap_err()
            .to_string()
            .contains("27 for FR"));
        assert!(Iban::parse("XX00123")
            .unwrap_err()
            .to_string()
            .contains("`XX`"));
    }

    #[test]
    fn parsers_never_panic_on_arbitrary_input() {
        // A fixed pseudo-random walk over an alphabet with digits, letters, separators and
        // multi-byte characters, at every length up to 40.
        const ALPHABET: &[char] = &[
            '0',
            '1',
            '5',
            '9',
            'A',
            'f',
            'Z',
            ' ',
            '-',
            '.',
            'é',
            '€',
            '\u{1F600}',
            'F',
            'R',
            'E',
            'S',
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            let len = (state >> 58) as usize % 41;
            let input: String = (0..len)
                .map(|i| {
                    let x = state.rotate_left(i as u32 * 7) as usize;
                    ALPHABET[x % ALPHABET.len()]
                })
                .collect();
            let _ = (
                Siren::parse(&input),
                Siret::parse(&input),
                Iban::parse(&input),
            );
            let _ = Iban::parse(&format!("FR76{input}"));
            let _ = Iban::parse(&format!("ES{input}"));
        }
    }

    #[test]
    fn typed_spaces_are_ignored_and_siret_knows_its_siren() {
        let siret = Siret::parse("732 829 320 00074").unwrap();
        assert_eq!(siret.siren(), Siren::parse("732829320").unwrap());
        assert_eq!(
            Iban::parse("fr14 2004 1010 0505 0001 3m02 606")
                .unwrap()
                .country(),
            "FR"
        );
    }
}

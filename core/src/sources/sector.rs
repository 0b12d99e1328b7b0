//! Sector risk: the NAF code's section → a reference one-year default rate.
//!
//! The table below is an expert calibration (version `sector-risk-2026.1`): rates per NAF rev. 2
//! section, in basis points, in the order of magnitude of published French business-failure
//! statistics by sector (construction, hospitality and transport above the average; public
//! administration, energy and health below). They are not measured by this product and are
//! meant to be recalibrated on the lender's own defaults. The whole table is the source's
//! snapshot, so each decision records the exact table it used.

use serde::{Deserialize, Serialize};

pub const TABLE_VERSION: &str = "sector-risk-2026.1";

/// NAF rev. 2 sections: (section, first division, last division, label, default rate in bp).
pub const SECTIONS: [(&str, u8, u8, &str, u32); 21] = [
    ("A", 1, 3, "Agriculture, forestry and fishing", 100),
    ("B", 5, 9, "Mining and quarrying", 100),
    ("C", 10, 33, "Manufacturing", 120),
    (
        "D",
        35,
        35,
        "Electricity, gas, steam and air conditioning supply",
        60,
    ),
    ("E", 36, 39, "Water supply, sewerage, waste management", 90),
    ("F", 41, 43, "Construction", 260),
    (
        "G",
        45,
        47,
        "Wholesale and retail trade, repair of vehicles",
        160,
    ),
    ("H", 49, 53, "Transportation and storage", 200),
    (
        "I",
        55,
        56,
        "Accommodation and food service activities",
        320,
    ),
    ("J", 58, 63, "Information and communication", 140),
    ("K", 64, 66, "Financial and insurance activities", 80),
    ("L", 68, 68, "Real estate activities", 90),
    (
        "M",
        69,
        75,
        "Professional, scientific and technical activities",
        110,
    ),
    (
        "N",
        77,
        82,
        "Administrative and support service activities",
        190,
    ),
    ("O", 84, 84, "Public administration and defence", 20),
    ("P", 85, 85, "Education", 130),
    ("Q", 86, 88, "Human health and social work activities", 60),
    ("R", 90, 93, "Arts, entertainment and recreation", 200),
    ("S", 94, 96, "Other service activities", 170),
    ("T", 97, 98, "Activities of households as employers", 100),
    (
        "U",
        99,
        99,
        "Activities of extraterritorial organisations",
        50,
    ),
];

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorRow {
    pub section: String,
    pub first_division: u8,
    pub last_division: u8,
    pub label: String,
    pub default_rate_bp: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorTable {
    pub version: String,
    pub rows: Vec<SectorRow>,
}

/// The sector of one company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectorRisk {
    pub naf: String,
    pub section: String,
    pub label: String,
    pub default_rate_bp: u32,
    pub table_version: String,
}

pub fn table() -> SectorTable {
    SectorTable {
        version: TABLE_VERSION.to_owned(),
        rows: SECTIONS
            .iter()
            .map(|(section, first, last, label, bp)| SectorRow {
                section: (*section).to_owned(),
                first_division: *first,
                last_division: *last,
                label: (*label).to_owned(),
                default_rate_bp: *bp,
            })
            .collect(),
    }
}

pub fn parse(body: &[u8]) -> Result<SectorTable, super::json::FormatError> {
    serde_json::from_slice(body)
        .map_err(|e| super::json::format_error("", format!("not a sector table: {e}")))
}

impl SectorTable {
    /// The row for a NAF code such as `62.02A` or `6202A` (its first two digits are the
    /// division); `None` for a code that is not NAF rev. 2.
    pub fn lookup(&self, naf: &str) -> Option<SectorRisk> {
        let digits: String = naf.chars().filter(char::is_ascii_digit).take(2).collect();
        let division: u8 = digits.parse().ok().filter(|_| digits.len() == 2)?;
        let row = self
            .rows
            .iter()
            .find(|r| (r.first_division..=r.last_division).contains(&division))?;
        Some(SectorRisk {
            naf: naf.to_owned(),
            section: row.section.clone(),
            label: row.label.clone(),
            default_rate_bp: row.default_rate_bp,
            table_version: self.version.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_naf_division_has_exactly_one_section() {
        let t = table();
        for division in 1u8..=99 {
            let n = t
                .rows
                .iter()
                .filter(|r| (r.first_division..=r.last_division).contains(&division))
                .count();
            assert!(n <= 1, "division {division} in {n} sections");
        }
        assert_eq!(t.lookup("62.02A").unwrap().section, "J");
        assert_eq!(t.lookup("4120A").unwrap().section, "F");
        assert_eq!(t.lookup("56.10A").unwrap().default_rate_bp, 320);
        assert_eq!(
            t.lookup("04.00Z"),
            None,
            "division 04 does not exist in NAF rev. 2"
        );
        assert_eq!(t.lookup("x"), None);
    }

    #[test]
    fn the_table_survives_its_snapshot() {
        let t = table();
        assert_eq!(parse(&serde_json::to_vec(&t).unwrap()).unwrap(), t);
    }
}

//! Company data as the sources give it: the identity of each source, the request they answer,
//! raw snapshots, the parsers of the real formats (INSEE Sirene, BODACC, NextGenPSD2, API
//! Entreprise, FEC) and the typed facts a decision reads.
//!
//! The flow is a fetch (the server's connectors) → [`Snapshot`]s (bytes exactly as received,
//! hashed, compressed) → [`facts::Facts::from_snapshots`] (pure parsing, here). Nothing after the
//! fetch does I/O, so a decision can be recomputed from its snapshots alone.

pub mod accounts;
pub mod api_entreprise;
pub mod bodacc;
pub mod facts;
pub mod fec;
pub mod internal;
pub mod json;
pub mod kyb;
pub mod psd2;
pub mod sector;
pub mod sirene;
pub mod snapshot;

use crate::ids::{Iban, Siren};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

pub use snapshot::Snapshot;

/// A date written with fixed-width digits (`year`, `month` and `day` are the byte ranges of each
/// part in `text`), read without a format parser: the dates of every source payload take this
/// path. `None` when a part is not all digits or the date does not exist.
pub fn fixed_date(
    text: &str,
    year: std::ops::Range<usize>,
    month: std::ops::Range<usize>,
    day: std::ops::Range<usize>,
) -> Option<chrono::NaiveDate> {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = text.as_bytes().get(range)?;
        digits.iter().try_fold(0_u32, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + u32::from(b - b'0'))
        })
    };
    chrono::NaiveDate::from_ymd_opt(
        i32::try_from(number(year)?).ok()?,
        number(month)?,
        number(day)?,
    )
}

/// An ISO date, `YYYY-MM-DD`; other spellings chrono's `%Y-%m-%d` accepts are read by chrono.
pub fn iso_date(text: &str) -> Option<chrono::NaiveDate> {
    let b = text.as_bytes();
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let Some(date) = fixed_date(text, 0..4, 5..7, 8..10) {
            return Some(date);
        }
    }
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// Every source the decision gathers. The string form is stable: it is stored with snapshots
/// and named in decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceId {
    /// INSEE Sirene: the legal unit (`/siren/{siren}`).
    SireneUnit,
    /// INSEE Sirene: the establishments (`/siret?q=siren:{siren}`).
    SireneEstablishments,
    /// BODACC announcements (collective proceedings, radiations, filed accounts).
    Bodacc,
    /// Open banking, Berlin Group NextGenPSD2 account information: accounts, owner, balances,
    /// booked transactions.
    OpenBanking,
    /// The company's FEC accounting file.
    Accounting,
    /// Annual accounts filed by the company (Banque de France balance sheets through API
    /// Entreprise v3).
    FiledAccounts,
    /// Reference default rate of the company's sector (NAF code).
    SectorRisk,
    /// This lender's own exposure, decision history and application velocity.
    Internal,
}

impl SourceId {
    pub const ALL: [SourceId; 8] = [
        SourceId::SireneUnit,
        SourceId::SireneEstablishments,
        SourceId::Bodacc,
        SourceId::OpenBanking,
        SourceId::Accounting,
        SourceId::FiledAccounts,
        SourceId::SectorRisk,
        SourceId::Internal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SourceId::SireneUnit => "sirene_unit",
            SourceId::SireneEstablishments => "sirene_establishments",
            SourceId::Bodacc => "bodacc",
            SourceId::OpenBanking => "open_banking",
            SourceId::Accounting => "accounting",
            SourceId::FiledAccounts => "filed_accounts",
            SourceId::SectorRisk => "sector_risk",
            SourceId::Internal => "internal",
        }
    }

    /// How much this source counts in data coverage (the weights add up to 100).
    pub fn coverage_weight(self) -> u32 {
        match self {
            SourceId::SireneUnit => 25,
            SourceId::SireneEstablishments => 5,
            SourceId::Bodacc => 15,
            SourceId::OpenBanking => 25,
            SourceId::Accounting => 15,
            SourceId::FiledAccounts => 5,
            SourceId::SectorRisk => 5,
            SourceId::Internal => 5,
        }
    }
}

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for SourceId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        SourceId::ALL
            .into_iter()
            .find(|id| id.as_str() == s)
            .ok_or_else(|| format!("unknown source {s:?}"))
    }
}

/// Which world a request lives in: sandbox requests only ever reach the sandbox sources, live
/// requests only the live connectors.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum World {
    Sandbox,
    Live,
}

impl World {
    pub fn as_str(self) -> &'static str {
        match self {
            World::Sandbox => "sandbox",
            World::Live => "live",
        }
    }

    /// The inverse of [`World::as_str`].
    pub fn parse(text: &str) -> Option<World> {
        [World::Sandbox, World::Live]
            .into_iter()
            .find(|w| w.as_str() == text)
    }
}

/// The company's bank connection, as given by the lender's open-banking aggregator: the
/// NextGenPSD2 consent and, when known, when the customer connected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankConnection {
    pub consent_id: String,
    pub connected_at: Option<DateTime<Utc>>,
}

/// What the sources are asked about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourceRequest {
    pub world: World,
    pub siren: Siren,
    pub bank_connection: Option<BankConnection>,
    /// The lender's reference of the company's FEC file in its document store.
    pub accounting_ref: Option<String>,
    /// The IBAN the company gave, checked by KYB.
    pub iban: Option<Iban>,
    /// The moment of the decision; sources report data as of then.
    pub as_of: DateTime<Utc>,
}

/// How one source fared in one gathering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceOutcome {
    pub source: SourceId,
    pub provider: String,
    /// `None` when the source answered usably.
    pub missing: Option<SourceError>,
    /// Time this gathering waited for the source (0 when served from the cache).
    pub latency_ms: u64,
    pub from_cache: bool,
    /// SHA-256 of the snapshots the source produced, in order.
    pub snapshots: Vec<String>,
}

/// Why a source gave nothing usable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SourceError {
    /// The source does not know the company (HTTP 404 from a registry).
    #[error("not found")]
    NotFound,
    /// The request lacks what this source needs (no bank connection, no accounting file).
    #[error("not requested: {reason}")]
    NotRequested { reason: String },
    /// The source did not answer within its time budget.
    #[error("timed out after {after_ms} ms")]
    Timeout { after_ms: u64 },
    /// Rate limited, and the wait it asked for does not fit in the budget.
    #[error("rate limited (retry after {retry_after_s:?} s)")]
    RateLimited { retry_after_s: Option<u64> },
    /// HTTP status other than success or 404.
    #[error("HTTP {status}")]
    Http { status: u16 },
    /// Could not connect or the connection broke.
    #[error("unreachable: {detail}")]
    Unreachable { detail: String },
    /// The answer is not in the documented format.
    #[error("malformed answer: {detail}")]
    Malformed { detail: String },
    /// Not configured for this world (for example no live credentials).
    #[error("not configured: {detail}")]
    NotConfigured { detail: String },
    /// Internal failure (storage).
    #[error("internal error: {detail}")]
    Internal { detail: String },
}

#[cfg(test)]
pub(crate) use crate::test_support as tests_support;

#[cfg(test)]
mod date_tests {
    use super::{fixed_date, iso_date};
    use chrono::NaiveDate;

    #[test]
    fn dates_read_digit_by_digit_agree_with_chrono() {
        for text in [
            "2024-02-29",
            "2023-02-29",
            "2023-12-31",
            "0001-01-01",
            "2023-13-01",
            "2023-00-10",
            "2023-1-05",
            "2023-01-5",
            "+2023-01-05",
            "2023/01/05",
            "2023-01-05 ",
            "2023-0a-05",
            "",
            "20230105",
        ] {
            assert_eq!(
                iso_date(text),
                NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
                "{text:?}"
            );
        }
        assert_eq!(
            fixed_date("31/01/2023", 6..10, 3..5, 0..2),
            NaiveDate::from_ymd_opt(2023, 1, 31)
        );
        assert_eq!(fixed_date("2023013", 0..4, 4..6, 6..8), None);
        assert_eq!(fixed_date("2023+105", 0..4, 4..6, 6..8), None);
    }
}

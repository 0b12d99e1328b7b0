//! Typed facts from raw snapshots: a pure function (no I/O, no clock), so a decision's facts can
//! be recomputed from its stored snapshots at any time and come out the same.

use super::api_entreprise::{self, FiledYear};
use super::bodacc::LegalEvents;
use super::internal::InternalFacts;
use super::kyb::KybCheck;
use super::psd2::BankData;
use super::sector::SectorRisk;
use super::sirene::{Establishment, LegalUnit};
use super::{bodacc, fec, internal, kyb, psd2, sector, sirene, Snapshot, SourceId, SourceRequest};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Everything the sources said about the company, parsed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    pub siren: String,
    pub legal_unit: Option<LegalUnit>,
    /// The registry answered that it does not know this SIREN.
    pub registry_not_found: bool,
    pub establishments: Option<Vec<Establishment>>,
    pub legal_events: Option<LegalEvents>,
    pub bank: Option<BankData>,
    pub bank_connected_at: Option<DateTime<Utc>>,
    /// The FEC report: counts, totals, statements by PCG class, tax-form amounts, ratios.
    pub accounting: Option<serde_json::Value>,
    /// Balance sheets the company filed (Banque de France), newest first as published.
    pub filed_accounts: Option<Vec<FiledYear>>,
    pub sector: Option<SectorRisk>,
    pub internal: Option<InternalFacts>,
    pub kyb: KybCheck,
    /// Snapshots that answered but could not be read: (source, problem).
    pub unreadable: Vec<(SourceId, String)>,
    /// The SHA-256 of the snapshot each fact came from, per source (the first one for sources
    /// with several answers; bank transactions carry their own).
    pub snapshot_of: std::collections::BTreeMap<SourceId, String>,
}

impl Facts {
    /// Parses the snapshots of one gathering. Error answers (non-2xx) are evidence, not data,
    /// except the registry's 404 which says the company is unknown.
    pub fn from_snapshots(request: &SourceRequest, snapshots: &[Snapshot]) -> Facts {
        let mut unreadable = Vec::new();
        let of = |id: SourceId| -> Vec<&Snapshot> {
            snapshots
                .iter()
                .filter(|s| s.source == id && (200..300).contains(&s.status))
                .collect()
        };
        let mut read = |id: SourceId| -> Vec<(std::borrow::Cow<'_, [u8]>, &Snapshot)> {
            of(id)
                .into_iter()
                .filter_map(|s| match s.body() {
                    Ok(b) => Some((b, s)),
                    Err(e) => {
                        unreadable.push((id, e.to_string()));
                        None
                    }
                })
                .collect()
        };
        let note = |id: SourceId, problem: String| (id, problem);
        let mut problems = Vec::new();

        let legal_unit = read(SourceId::SireneUnit).first().and_then(|(b, _)| {
            match sirene::parse_legal_unit(b) {
                Ok(u) => Some(u),
                Err(e) => {
                    problems.push(note(SourceId::SireneUnit, e.to_string()));
                    None
                }
            }
        });
        let registry_not_found = snapshots
            .iter()
            .any(|s| s.source == SourceId::SireneUnit && s.status == 404);
        let establishments = read(SourceId::SireneEstablishments)
            .first()
            .and_then(|(b, _)| match sirene::parse_establishments(b) {
                Ok(e) => Some(e),
                Err(e) => {
                    problems.push(note(SourceId::SireneEstablishments, e.to_string()));
                    None
                }
            });
        let legal_events =
            read(SourceId::Bodacc)
                .first()
                .and_then(|(b, _)| match bodacc::parse(b) {
                    Ok(e) => Some(e),
                    Err(e) => {
                        problems.push(note(SourceId::Bodacc, e.to_string()));
                        None
                    }
                });
        let bank_snapshots = of(SourceId::OpenBanking);
        let bank = if bank_snapshots.is_empty() {
            None
        } else {
            match psd2::assemble(&bank_snapshots) {
                Ok(b) => Some(b),
                Err(e) => {
                    problems.push(note(SourceId::OpenBanking, e.to_string()));
                    None
                }
            }
        };
        let accounting =
            read(SourceId::Accounting).first().and_then(|(b, s)| {
                match fec::take_parsed(b, &s.sha256) {
                    Ok(fec) => Some(fec::report(&fec)),
                    Err(e) => {
                        problems.push(note(SourceId::Accounting, e.to_string()));
                        None
                    }
                }
            });
        let filed_accounts = read(SourceId::FiledAccounts).first().and_then(|(b, _)| {
            match api_entreprise::parse_bilans_bdf(b) {
                Ok(years) => Some(years),
                Err(e) => {
                    problems.push(note(SourceId::FiledAccounts, e.to_string()));
                    None
                }
            }
        });
        let sector = read(SourceId::SectorRisk)
            .first()
            .and_then(|(b, _)| match sector::parse(b) {
                Ok(table) => legal_unit
                    .as_ref()
                    .and_then(|u| u.naf.as_deref())
                    .and_then(|naf| table.lookup(naf)),
                Err(e) => {
                    problems.push(note(SourceId::SectorRisk, e.to_string()));
                    None
                }
            });
        let internal =
            read(SourceId::Internal)
                .first()
                .and_then(|(b, _)| match internal::parse(b) {
                    Ok(a) => Some(a.facts()),
                    Err(e) => {
                        problems.push(note(SourceId::Internal, e.to_string()));
                        None
                    }
                });
        let connected_ibans: Option<Vec<String>> = bank
            .as_ref()
            .map(|b| b.accounts.iter().filter_map(|a| a.iban.clone()).collect());
        let holder = bank
            .as_ref()
            .and_then(|b| b.accounts.iter().find_map(|a| a.owner_name.clone()));
        let kyb = kyb::check(
            request.iban.as_ref(),
            connected_ibans.as_deref(),
            holder.as_deref(),
            legal_unit.as_ref().map(|u| u.name.as_str()),
        );
        unreadable.extend(problems);
        let mut snapshot_of = std::collections::BTreeMap::new();
        for s in snapshots.iter().filter(|s| (200..300).contains(&s.status)) {
            snapshot_of
                .entry(s.source)
                .or_insert_with(|| s.sha256.clone());
        }
        Facts {
            siren: request.siren.to_string(),
            legal_unit,
            registry_not_found,
            establishments,
            legal_events,
            bank,
            bank_connected_at: request
                .bank_connection
                .as_ref()
                .and_then(|c| c.connected_at),
            accounting,
            filed_accounts,
            sector,
            internal,
            kyb,
            unreadable,
            snapshot_of,
        }
    }
}

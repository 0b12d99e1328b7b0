//! Aval's domain, free of I/O: nothing here opens a socket or a database or reads the clock, so
//! a decision computed here from recorded snapshots is the same decision every time, and the
//! browser (compiled to WebAssembly) shares the vocabulary and the identifiers as they are.
//!
//! - [`vocabulary`]: the words a decision and its case are described with (product, outcome,
//!   referral, case status, a person's outcome), each an enum with the one spelling used in
//!   JSON, in the database and in URLs.
//! - [`ids`]: SIREN, SIRET and IBAN, parsed once at the edge.
//! - [`sources`]: what each source is, the request they answer, raw snapshots, the parsers of
//!   the real formats (INSEE Sirene, BODACC, NextGenPSD2, API Entreprise, FEC) and the typed
//!   facts a decision reads.
//! - [`people`]: roles and who is behind a session.
//! - [`case`]: a decision's case, the commands people give it and the state machine.
//! - [`events`]: what each webhook event's `data` holds.
//! - [`audit`]: the hash-chain rule of the audit trail.
//! - [`record`]: what the audit trail keeps of a decision and of each later action on its case.
//! - [`engine`]: features, the probability-of-default model at run time, the policy, reason
//!   codes and `decide`.
//!
//! The only file read here is one a caller names to evaluate the model on (`engine::model::evaluate`).
#![forbid(unsafe_code)]
// A panic in production code is a bug: outside tests, no `unwrap` or `expect`.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

pub mod audit;
pub mod case;
pub mod company;
pub mod engine;
pub mod events;
pub mod ids;
pub mod people;
pub mod record;
pub mod sources;
#[cfg(any(test, feature = "test-support"))]
pub mod test_support;
pub mod vocabulary;

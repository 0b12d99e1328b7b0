//! What the audit trail keeps (the decision record, its origin, case events) is
//! `aval_core::record`, re-exported under the name the server's modules use.

pub use aval_core::record::*;

//! The decision engine is `aval_core::engine` (pure: features, model, policy, reasons,
//! `decide`); it is re-exported here under the name the server's modules use. Its tests against
//! the sandbox world, which need the server's gathering, live here.

pub use aval_core::engine::*;

#[cfg(test)]
pub(crate) mod tests;

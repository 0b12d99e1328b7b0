//! Aval's domain, free of I/O: nothing here reads a clock, a file, a socket or a database, so
//! the server and the browser (compiled to WebAssembly) share it as it is.
//!
//! - [`vocabulary`]: the words a decision and its case are described with (product, outcome,
//!   referral, case status, a person's outcome), each an enum with the one spelling used in
//!   JSON, in the database and in URLs.
#![forbid(unsafe_code)]

pub mod vocabulary;

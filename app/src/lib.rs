//! The Leptos application shared by the server (SSR) and the browser (hydration): pages,
//! components, shared types and server functions. It never touches storage itself: server
//! functions check the session's role and call the server through [`api::Services`].
#![forbid(unsafe_code)]
#![recursion_limit = "256"]

pub mod access;
pub mod actions;
pub mod api;
pub mod components;
pub mod error;
pub mod forms;
pub mod i18n;
pub mod model;
pub mod pages;
mod shell;

pub use aval_core::ids;
pub use shell::{shell, App};

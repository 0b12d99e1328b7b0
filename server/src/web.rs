//! The HTTP handlers that are not Leptos pages: the lenders' REST API (`api`, under `/api/v1`),
//! the developer portal (`portal`, under `/developers`), the dossier download (`workspace`),
//! account helpers (`users`) and the probes (`health`).
//! Each module that serves routes gives its own `router()`; `startup` merges them.

pub mod api;
pub mod health;
pub mod portal;
pub mod users;
pub mod workspace;

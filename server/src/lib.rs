//! The Aval server: configuration, storage, authentication and the HTTP application that
//! serves the Leptos pages and (in later modules) the lender API.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod actions;
pub mod api_keys;
pub mod audit;
pub mod auth;
pub mod case_facts;
pub mod cases;
pub mod charts;
pub mod cli;
pub mod companies;
pub mod comparison;
pub mod config;
pub mod dashboard;
pub mod decisions;
pub mod demo;
pub mod dispatcher;
pub mod egress;
pub mod engine;
pub mod events;
pub mod integration;
pub mod leptos_config;
pub mod lineage;
pub mod loadtest;
pub mod monitoring;
pub mod record;
pub mod secrets;
pub mod services;
pub mod sources;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;
pub mod webhooks;

//! One module per page.

pub mod account_password;
pub mod admin_keys;
pub mod admin_users;
pub mod admin_webhooks;
pub mod application;
pub mod applications;
pub mod audit;
pub mod case;
pub mod company;
pub mod dashboard;
pub mod home;
pub mod not_found;
pub mod queue;
pub mod sign_in;

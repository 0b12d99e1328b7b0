//! Authentication: password hashing, sign-in throttling, sessions and the page access check.

pub mod origin;
pub mod password;
pub mod routes;
pub mod session;
pub mod throttle;

//! Reusable pieces of the interface.

pub mod cases;
pub mod evidence;
pub mod format;
pub mod guard;
pub mod layout;
pub mod session;
pub mod shortcuts;
pub mod states;

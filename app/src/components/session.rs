//! The signed-in user of the page being rendered.

use crate::model::{CurrentSession, SessionUser};
use leptos::prelude::*;

/// The signed-in user of this page, from context.
pub fn use_session_user() -> Option<SessionUser> {
    use_context::<CurrentSession>().and_then(|s| s.0)
}

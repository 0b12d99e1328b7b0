//! Reusable pieces of the interface.

pub mod cases;
pub mod evidence;
pub mod format;
pub mod guard;
pub mod layout;
pub mod shortcuts;
pub mod states;

use crate::i18n::{Lang, Msg};
use leptos::prelude::*;

/// The interface language from context.
pub fn use_lang() -> Lang {
    use_context::<Lang>().unwrap_or_default()
}

/// A message in the interface language.
pub fn tr(msg: Msg) -> &'static str {
    msg.text(use_lang())
}

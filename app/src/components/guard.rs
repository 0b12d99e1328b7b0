//! Page-level access control in the browser. The server applies the same table before it
//! renders (redirect or 403); this covers navigation that happens without a page load.

use crate::access::page_for;
use crate::components::session::use_session_user;
use crate::components::states::{ErrorView, Forbidden};
use crate::error::AppError;
use leptos::prelude::*;

/// Renders `children` only for users the access table lets in at `path`.
#[component]
pub fn Guarded(path: &'static str, children: Children) -> impl IntoView {
    let user = use_session_user();
    let role = user.as_ref().map(|u| u.role);
    let access = page_for(path).map(|p| p.access);
    match (access.is_some_and(|a| a.allows(role)), user) {
        (true, _) => children().into_any(),
        (false, None) => view! { <ErrorView error=AppError::Unauthorized /> }.into_any(),
        (false, Some(_)) => view! { <Forbidden /> }.into_any(),
    }
}

//! Page-level access control in the browser. The server applies the same table before it
//! renders (redirect or 403); this covers navigation that happens without a page load.

use crate::access::page_for;
use crate::components::layout::use_session_user;
use crate::components::states::ErrorView;
use crate::components::tr;
use crate::error::AppError;
use crate::i18n::Msg;
use leptos::prelude::*;
use leptos_meta::Title;

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

/// The 403 page. The server sets the status code; this is what the person reads.
#[component]
pub fn Forbidden() -> impl IntoView {
    view! {
        <Title text=tr(Msg::ForbiddenTitle) />
        <section class="error-page" data-testid="forbidden">
            <p class="error-code">"403"</p>
            <h1>{tr(Msg::ForbiddenTitle)}</h1>
            <p>{tr(Msg::ForbiddenBody)}</p>
            <a class="btn btn-primary" href="/">
                {tr(Msg::BackHome)}
            </a>
        </section>
    }
}

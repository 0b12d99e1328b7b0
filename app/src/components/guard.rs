//! Page-level access control in the browser. The server applies the same table before it
//! renders (redirect or 403); this covers navigation that happens without a page load.

use crate::access::page_for;
use crate::components::layout::UserResource;
use crate::components::states::{ErrorView, Loading};
use crate::components::tr;
use crate::error::AppError;
use crate::i18n::Msg;
use leptos::prelude::*;
use leptos_meta::Title;

/// Renders `children` only for users the access table lets in at `path`.
#[component]
pub fn Guarded(path: &'static str, children: ChildrenFn) -> impl IntoView {
    let user = expect_context::<UserResource>();
    let access = page_for(path).map(|p| p.access);
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let user = user.await.ok().flatten();
                    let role = user.as_ref().map(|u| u.role);
                    match (access.is_some_and(|a| a.allows(role)), user) {
                        (true, _) => children().into_any(),
                        (false, None) => view! { <ErrorView error=AppError::Unauthorized /> }.into_any(),
                        (false, Some(_)) => view! { <Forbidden /> }.into_any(),
                    }
                })
            }}
        </Suspense>
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

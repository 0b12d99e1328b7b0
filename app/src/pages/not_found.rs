use crate::i18n::{tr, Msg};
use leptos::prelude::*;
use leptos_meta::Title;

/// Shown for any address with no page. The server answers it with 404.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <Title text=tr(Msg::NotFoundTitle) />
        <section class="error-page" data-testid="not-found">
            <p class="error-code">"404"</p>
            <h1>{tr(Msg::NotFoundTitle)}</h1>
            <p>{tr(Msg::NotFoundBody)}</p>
            <a class="btn btn-primary" href="/">
                {tr(Msg::BackHome)}
            </a>
        </section>
    }
}

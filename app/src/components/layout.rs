//! The frame around every page: header with navigation by role, user menu, language switch.

use crate::access::{self, nav_for};
use crate::components::session::use_session_user;
use crate::components::shortcuts::Shortcuts;
use crate::i18n::{role_label, tr, use_lang, Lang, Msg};
use crate::model::SessionUser;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

#[component]
pub fn Layout(children: ChildrenFn) -> impl IntoView {
    let user = use_session_user();
    let signed_in = user.is_some();
    view! {
        <a class="skip-link" href="#main">
            {tr(Msg::SkipToContent)}
        </a>
        <Header user />
        <main id="main" class="container" tabindex="-1">
            {children()}
        </main>
        {signed_in.then(|| view! { <footer class="container footer"><Shortcuts /></footer> })}
    }
}

#[component]
fn Header(user: Option<SessionUser>) -> impl IntoView {
    let lang = use_lang();
    let location = use_location();
    let path = location.pathname;
    let nav = user.as_ref().map(|u| {
        let items = nav_for(u.role)
            .map(|page| {
                let href = page.path;
                let current = move || {
                    let p = path.get();
                    if href == access::HOME {
                        p == "/"
                    } else {
                        p.starts_with(href)
                    }
                };
                let label = page.nav.map(|m| m.text(lang)).unwrap_or_default();
                view! {
                    <li>
                        <a href=href aria-current=move || current().then_some("page")>
                            {label}
                        </a>
                    </li>
                }
            })
            .collect_view();
        view! {
            <nav class="mainnav" aria-label=tr(Msg::MainNavigation)>
                <ul>{items}</ul>
            </nav>
        }
    });
    let menu = user.as_ref().map(|u| {
        let role = role_label(u.role, lang);
        view! {
            <div class="usermenu">
                <span class="usermenu-who">
                    <span class="visually-hidden">{tr(Msg::SignedInAs)} " "</span>
                    <span class="usermenu-name" data-testid="user-name">
                        {u.display_name.clone()}
                    </span>
                    <span class="badge badge-role" data-testid="user-role">
                        {role}
                    </span>
                </span>
                <a class="btn btn-quiet btn-small" href=access::ACCOUNT_PASSWORD data-testid="my-password">
                    {tr(Msg::NavPassword)}
                </a>
                <form method="post" action=access::SIGN_OUT class="inline-form">
                    <button type="submit" class="btn btn-quiet btn-small">
                        {tr(Msg::SignOut)}
                    </button>
                </form>
            </div>
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"A"</span>
                <span class="brand-name">{tr(Msg::AppName)}</span>
                <span class="brand-tagline">{tr(Msg::AppTagline)}</span>
            </a>
            {nav}
            <div class="topbar-end">
                <LanguageSwitch />
                {menu}
            </div>
        </header>
    }
}

/// Two buttons in a plain form: works before (and without) the wasm, and the server
/// remembers the choice in a cookie.
#[component]
fn LanguageSwitch() -> impl IntoView {
    let current = use_lang();
    let location = use_location();
    // The router's search string comes without its `?`.
    let here = move || {
        let search = location.search.get();
        let search = search.trim_start_matches('?');
        if search.is_empty() {
            location.pathname.get()
        } else {
            format!("{}?{search}", location.pathname.get())
        }
    };
    let buttons = Lang::ALL
        .into_iter()
        .map(|lang| {
            view! {
                <button
                    type="submit"
                    name="lang"
                    value=lang.code()
                    lang=lang.code()
                    class="langswitch-option"
                    aria-pressed=if lang == current { "true" } else { "false" }
                    title=lang.native_name()
                >
                    {lang.code().to_uppercase()}
                </button>
            }
        })
        .collect_view();
    view! {
        <form method="post" action=access::LANGUAGE class="langswitch" data-testid="language-switch">
            <input type="hidden" name="next" value=here />
            <span class="visually-hidden">{tr(Msg::Language)}</span>
            {buttons}
        </form>
    }
}

//! The HTML document, the router and the top-level contexts (language, session user).

use crate::components::layout::Layout;
use crate::i18n::Lang;
use crate::pages::{
    admin_users::UsersPage, applications::ApplicationsPage, audit::AuditPage, home::HomePage,
    not_found::NotFound, queue::QueuePage, sign_in::SignInPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

/// The whole HTML document, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = detect_lang();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The interface language of this render: from the request on the server, from the
/// server-rendered `<html lang>` in the browser, so hydration sees the same value.
pub fn detect_lang() -> Lang {
    #[cfg(feature = "ssr")]
    {
        use_context::<http::request::Parts>()
            .map(|parts| {
                let header = |name| {
                    parts
                        .headers
                        .get(name)
                        .and_then(|v: &http::HeaderValue| v.to_str().ok())
                };
                Lang::negotiate(
                    header(http::header::COOKIE),
                    header(http::header::ACCEPT_LANGUAGE),
                )
            })
            .unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        document()
            .document_element()
            .and_then(|e| e.get_attribute("lang"))
            .and_then(|code| Lang::from_code(&code))
            .unwrap_or_default()
    }
}

/// The application: routes inside the shared layout.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(detect_lang());
    view! {
        <Stylesheet id="leptos" href="/pkg/aval.css" />
        <Title formatter=|page: String| {
            if page.is_empty() { "Aval".to_owned() } else { format!("{page} · Aval") }
        } />
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=HomePage />
                    <Route path=path!("/signin") view=SignInPage />
                    <Route path=path!("/applications") view=ApplicationsPage />
                    <Route path=path!("/queue") view=QueuePage />
                    <Route path=path!("/audit") view=AuditPage />
                    <Route path=path!("/admin/users") view=UsersPage />
                </Routes>
            </Layout>
        </Router>
    }
}

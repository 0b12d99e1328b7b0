//! The HTML document, the router and the top-level contexts (language, session user).

use crate::components::layout::Layout;
use crate::i18n::detect_lang;
use crate::model::CurrentSession;
use crate::pages::{
    admin_keys::KeysPage, admin_users::UsersPage, admin_webhooks::WebhooksPage,
    application::ApplicationPage, applications::ApplicationsPage, audit::AuditPage, case::CasePage,
    dashboard::DashboardPage, home::HomePage, not_found::NotFound, queue::QueuePage,
    sign_in::SignInPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

/// The whole HTML document, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    let lang = detect_lang();
    let session = session_json();
    view! {
        <!DOCTYPE html>
        <html lang=lang.code()>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <link rel="stylesheet" id="leptos" href="/pkg/aval.css" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
                <script id=SESSION_SCRIPT_ID type="application/json" inner_html=session></script>
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

const SESSION_SCRIPT_ID: &str = "aval-session";

/// The signed-in user as JSON for the page, safe inside a `<script>` element.
#[cfg(feature = "ssr")]
fn session_json() -> String {
    serde_json::to_string(&crate::api::current_user())
        .unwrap_or_else(|_| "null".to_owned())
        .replace('<', "\\u003c")
}

#[cfg(not(feature = "ssr"))]
fn session_json() -> String {
    String::new()
}

/// The user of this page: from the request on the server, from the JSON the server embedded
/// in the page in the browser. Sign-in and sign-out are full page loads, so it never changes
/// during a page's life.
pub fn detect_session() -> CurrentSession {
    #[cfg(feature = "ssr")]
    {
        CurrentSession(crate::api::current_user())
    }
    #[cfg(not(feature = "ssr"))]
    {
        let user = document()
            .get_element_by_id(SESSION_SCRIPT_ID)
            .and_then(|e| e.text_content())
            .and_then(|json| serde_json::from_str(&json).ok())
            .flatten();
        CurrentSession(user)
    }
}

/// The application: routes inside the shared layout. Pages render completely on the server
/// before they are sent (`SsrMode::Async`), so they work without JavaScript and their status
/// code is final.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_context(detect_lang());
    provide_context(detect_session());
    view! {
        <Title formatter=|page: String| {
            if page.is_empty() { "Aval".to_owned() } else { format!("{page} · Aval") }
        } />
        <Router>
            <Layout>
                <Routes fallback=|| view! { <NotFound /> }>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async />
                    <Route path=path!("/signin") view=SignInPage ssr=SsrMode::Async />
                    <Route path=path!("/applications") view=ApplicationsPage ssr=SsrMode::Async />
                    <Route path=path!("/applications/:id") view=ApplicationPage ssr=SsrMode::Async />
                    <Route path=path!("/queue") view=QueuePage ssr=SsrMode::Async />
                    <Route path=path!("/cases/:id") view=CasePage ssr=SsrMode::Async />
                    <Route path=path!("/companies/:siren") view=crate::pages::company::CompanyPage ssr=SsrMode::Async />
                    <Route path=path!("/audit") view=AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/dashboard") view=DashboardPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=UsersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/keys") view=KeysPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/webhooks") view=WebhooksPage ssr=SsrMode::Async />
                    <Route path=path!("/account/password") view=crate::pages::account_password::PasswordPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}

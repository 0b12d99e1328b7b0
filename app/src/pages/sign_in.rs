use crate::access;
use crate::i18n::{tr, use_lang, Msg};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Why the sign-in page is shown again, as carried in its query string by the server.
fn notice(
    error: Option<&str>,
    minutes: Option<&str>,
    expired: bool,
    signed_out: bool,
) -> Option<(&'static str, Msg, String)> {
    let minutes = minutes.unwrap_or("15").to_owned();
    match error {
        Some("invalid") => Some(("alert-error", Msg::ErrInvalidCredentials, String::new())),
        Some("missing") => Some(("alert-error", Msg::ErrMissingCredentials, String::new())),
        Some("locked_account") => Some(("alert-error", Msg::ErrAccountLocked, minutes)),
        Some("locked_address") => Some(("alert-error", Msg::ErrAddressLocked, minutes)),
        Some(_) => Some(("alert-error", Msg::ErrServer, String::new())),
        None if expired => Some(("alert-warning", Msg::SessionExpired, String::new())),
        None if signed_out => Some(("alert-info", Msg::SignedOut, String::new())),
        None => None,
    }
}

/// A plain HTML form posted to the server: it works before the wasm has loaded.
#[component]
pub fn SignInPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let q = move |k: &str| query.with(|q| q.get(k));
    let next = move || access::safe_next(q("next").as_deref());
    let username = move || q("username").unwrap_or_default();
    let message = move || {
        notice(
            q("error").as_deref(),
            q("minutes").as_deref(),
            q("expired").is_some(),
            q("signed_out").is_some(),
        )
        .map(|(class, msg, minutes)| {
            let text = msg.format(lang, &[("minutes", &minutes)]);
            let role = if class == "alert-error" {
                "alert"
            } else {
                "status"
            };
            view! {
                <div class=format!("alert {class}") role=role data-testid="signin-message">
                    {text}
                </div>
            }
        })
    };
    view! {
        <Title text=tr(Msg::SignIn) />
        <section class="auth-card">
            <h1>{tr(Msg::SignInTitle)}</h1>
            <p class="muted">{tr(Msg::SignInIntro)}</p>
            {message}
            <form method="post" action=access::SIGN_IN class="form" data-testid="signin-form">
                <input type="hidden" name="next" value=next />
                <div class="field">
                    <label for="username">{tr(Msg::Username)}</label>
                    <input
                        id="username"
                        name="username"
                        type="text"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        required
                        autofocus
                        value=username
                    />
                </div>
                <div class="field">
                    <label for="password">{tr(Msg::Password)}</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                    />
                </div>
                <button type="submit" class="btn btn-primary btn-block">
                    {tr(Msg::SignIn)}
                </button>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lockout_notice_carries_the_minutes_left() {
        let (class, msg, minutes) =
            notice(Some("locked_account"), Some("12"), false, false).unwrap();
        assert_eq!(
            (class, msg, minutes.as_str()),
            ("alert-error", Msg::ErrAccountLocked, "12")
        );
    }

    #[test]
    fn an_error_takes_precedence_over_the_expired_notice() {
        let (_, msg, _) = notice(Some("invalid"), None, true, false).unwrap();
        assert_eq!(msg, Msg::ErrInvalidCredentials);
        assert!(notice(None, None, false, false).is_none());
    }
}

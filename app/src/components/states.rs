//! Designed states for pages: empty, loading, error, notice.

use crate::error::AppError;
use crate::i18n::{tr, Msg};
use leptos::prelude::*;
use leptos_meta::Title;

/// Nothing to show, and why.
#[component]
pub fn EmptyState(message: Msg, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <div class="empty-state" role="status">
            <svg class="empty-state-icon" viewBox="0 0 24 24" aria-hidden="true">
                <path d="M4 7h16M4 12h16M4 17h10" />
            </svg>
            <p class="empty-state-text">{tr(message)}</p>
            {children.map(|c| c())}
        </div>
    }
}

/// A feature that is not in this version yet, said plainly.
#[component]
pub fn NotYetAvailable(message: Msg) -> impl IntoView {
    view! {
        <div class="alert alert-info" role="note">
            <strong>{tr(Msg::NotYetAvailable)}</strong>
            " "
            {tr(message)}
        </div>
    }
}

#[component]
pub fn Loading() -> impl IntoView {
    view! {
        <p class="loading" aria-live="polite">
            <span class="spinner" aria-hidden="true"></span>
            {tr(Msg::Loading)}
        </p>
    }
}

/// A failed server call, as the user should see it. An expired session goes to sign-in and
/// comes back here afterwards.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    match error {
        AppError::Unauthorized => {
            #[cfg(not(feature = "ssr"))]
            {
                let here = window().location();
                let next = format!(
                    "{}{}",
                    here.pathname().unwrap_or_default(),
                    here.search().unwrap_or_default()
                );
                let _ = here.set_href(&crate::access::sign_in_then(&next, true));
            }
            view! {
                <div class="alert alert-warning" role="alert">
                    {tr(Msg::SessionExpired)}
                </div>
            }
            .into_any()
        }
        AppError::Forbidden => view! { <Forbidden /> }.into_any(),
        AppError::NotFound => view! {
            <div class="alert alert-warning" role="alert" data-testid="not-found">
                <strong>{tr(Msg::NotFoundTitle)}</strong>
            </div>
        }
        .into_any(),
        input if input.is_input() => view! {
            <div class="alert alert-error" role="alert">
                {input.to_string()}
            </div>
        }
        .into_any(),
        other => {
            let detail = match other {
                AppError::Internal { request_id } if !request_id.is_empty() => {
                    format!(" ({request_id})")
                }
                _ => String::new(),
            };
            view! {
                <div class="alert alert-error" role="alert">
                    {tr(Msg::ErrServer)}
                    {detail}
                </div>
            }
            .into_any()
        }
    }
}

/// A form's refused submission, shown above the form: what was wrong with what was typed,
/// each problem naming its field, or the general error view for anything else.
#[component]
pub fn FormError(error: AppError, testid: &'static str) -> impl IntoView {
    if error.is_input() {
        view! {
            <div class="alert alert-error" role="alert" data-testid=testid>{error.to_string()}</div>
        }
        .into_any()
    } else {
        view! { <div data-testid=testid><ErrorView error /></div> }.into_any()
    }
}

/// Counts an action's successful completions, so that what a page reads reloads after a change
/// went through, but not after a refused form, whose fields keep what was typed.
pub fn successes<S>(action: ServerAction<S>) -> Signal<usize>
where
    S: leptos::server_fn::ServerFn + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
{
    let count = RwSignal::new(0_usize);
    Effect::new(move |_| {
        action.version().track();
        if action.value().with_untracked(|v| matches!(v, Some(Ok(_)))) {
            count.update(|n| *n += 1);
        }
    });
    count.into()
}

/// The error of an action's last submission, if it failed.
pub fn failure<S>(action: ServerAction<S>) -> Option<AppError>
where
    S: leptos::server_fn::ServerFn<Error = AppError> + Send + Sync + Clone + 'static,
    S::Output: Send + Sync + 'static,
{
    action.value().with(|v| match v {
        Some(Err(error)) => Some(error.clone()),
        _ => None,
    })
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

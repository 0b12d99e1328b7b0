//! The signed-in user's own password: the current one, the new one twice. A generated password
//! (a new account, or an admin's reset) leads here before any other page.

use crate::access;
use crate::actions::ChangeOwnPassword;
use crate::components::guard::Guarded;
use crate::components::states::{failure, FormError};
use crate::i18n::{tr, Msg};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let query = use_query_map();
    let required = move || query.with(|m| m.get("required")).is_some();
    let changed = move || query.with(|m| m.get("changed")).is_some();
    let change = ServerAction::<ChangeOwnPassword>::new();
    view! {
        <Guarded path=access::ACCOUNT_PASSWORD>
            <Title text=tr(Msg::PasswordTitle) />
            <header class="page-header">
                <h1>{tr(Msg::PasswordTitle)}</h1>
                <p class="lead">{tr(Msg::PasswordIntro)}</p>
            </header>
            {move || required().then(|| view! {
                <div class="alert alert-info" role="status" data-testid="password-required">{tr(Msg::PasswordRequired)}</div>
            })}
            {move || changed().then(|| view! {
                <div class="alert alert-success" role="status" data-testid="password-changed">{tr(Msg::PasswordChanged)}</div>
            })}
            {move || failure(change).map(|error| view! { <FormError error testid="password-error" /> })}
            <section class="card">
                <ActionForm action=change attr:class="stacked" attr:data-testid="change-password">
                    <div class="field">
                        <label for="current_password">{tr(Msg::PasswordCurrent)}</label>
                        <input id="current_password" name="current_password" type="password" required autocomplete="current-password" />
                    </div>
                    <div class="field">
                        <label for="new_password">{tr(Msg::PasswordNew)}</label>
                        <input id="new_password" name="new_password" type="password" required minlength="12" maxlength="256" autocomplete="new-password" />
                    </div>
                    <div class="field">
                        <label for="repeat_password">{tr(Msg::PasswordRepeat)}</label>
                        <input id="repeat_password" name="repeat_password" type="password" required minlength="12" maxlength="256" autocomplete="new-password" />
                    </div>
                    <button class="btn btn-primary">{tr(Msg::PasswordSubmit)}</button>
                </ActionForm>
            </section>
        </Guarded>
    }
}

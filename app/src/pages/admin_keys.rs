//! The admin's API keys: create (the key shown once), list, revoke. Plain HTML forms.

use crate::access;
use crate::api::{list_api_keys, take_created_key};
use crate::components::guard::Guarded;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::components::{tr, use_lang};
use crate::i18n::Msg;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn KeysPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let error = query.with_untracked(|m| m.get("error")).unwrap_or_default();
    let revoked = query.with_untracked(|m| m.get("revoked")).is_some();
    let keys = Resource::new(|| (), |_| list_api_keys());
    let created = Resource::new(|| (), |_| take_created_key());
    view! {
        <Guarded path=access::ADMIN_KEYS>
            <Title text=tr(Msg::NavKeys) />
            <header class="page-header">
                <h1>{tr(Msg::NavKeys)}</h1>
                <p class="lead">{tr(Msg::KeysIntro)}</p>
            </header>
            {(!error.is_empty()).then(|| view! { <div class="alert alert-error" role="alert">{error.clone()}</div> })}
            {revoked.then(|| view! { <div class="alert alert-info" role="status" data-testid="key-revoked">{tr(Msg::KeyRevokedNotice)}</div> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match created.await {
                        Ok(Some(secret)) => view! {
                            <div class="alert alert-success" role="status">
                                <strong>{Msg::KeyCreatedOnce.text(lang)}</strong>
                                <p><code class="secret" data-testid="created-key">{secret}</code></p>
                            </div>
                        }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
            <section class="card">
                <h2>{tr(Msg::CreateKey)}</h2>
                <form method="post" action=access::ADMIN_KEYS class="filters" data-testid="create-key">
                    <div class="field">
                        <label for="name">{tr(Msg::KeyName)}</label>
                        <input id="name" name="name" type="text" required maxlength="100" />
                    </div>
                    <div class="field">
                        <label for="mode">{tr(Msg::KeyMode)}</label>
                        <select id="mode" name="mode">
                            <option value="sandbox">"sandbox"</option>
                            <option value="live">"live"</option>
                        </select>
                    </div>
                    <button class="btn btn-primary">{tr(Msg::CreateKey)}</button>
                </form>
            </section>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(rows) if rows.is_empty() => view! { <EmptyState message=Msg::KeysEmpty /> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="keys-table">
                                    <thead><tr>
                                        <th scope="col">{Msg::KeyName.text(lang)}</th>
                                        <th scope="col">{Msg::KeyMode.text(lang)}</th>
                                        <th scope="col">{Msg::KeyPrefix.text(lang)}</th>
                                        <th scope="col">{Msg::ColCreated.text(lang)}</th>
                                        <th scope="col">{Msg::ColStatus.text(lang)}</th>
                                        <th scope="col"></th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|k| {
                                            let revoke = format!("{}/{}/revoke", access::ADMIN_KEYS, access::url_encode(&k.id));
                                            let active = k.revoked_at.is_none();
                                            view! {
                                                <tr data-testid="key-row" data-name=k.name.clone()>
                                                    <td>{k.name.clone()}</td>
                                                    <td><span class="badge">{k.mode.clone()}</span></td>
                                                    <td><code>{format!("{}…", k.display_prefix)}</code></td>
                                                    <td>{k.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                                    <td>{if active {
                                                        view! { <span class="badge badge-ok">{Msg::KeyActive.text(lang)}</span> }.into_any()
                                                    } else {
                                                        view! { <span class="badge badge-muted">{Msg::KeyRevoked.text(lang)}</span> }.into_any()
                                                    }}</td>
                                                    <td>{active.then(|| view! {
                                                        <form method="post" action=revoke class="inline-form">
                                                            <button class="btn btn-small" data-testid="revoke">{Msg::RevokeKey.text(lang)}</button>
                                                        </form>
                                                    })}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

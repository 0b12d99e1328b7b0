//! The admin's API keys: create (the key shown once), list, revoke. Each form is a server
//! function used through `ActionForm`, so it works before the wasm has loaded.

use crate::access;
use crate::actions::{CreateApiKey, RevokeApiKey};
use crate::api::{list_api_keys, take_created_key};
use crate::components::guard::Guarded;
use crate::components::states::{failure, successes, EmptyState, ErrorView, FormError, Loading};
use crate::i18n::{tr, use_lang, Msg};
use crate::model::ApiScope;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn KeysPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let revoked = move || query.with(|m| m.get("revoked")).is_some();
    let create = ServerAction::<CreateApiKey>::new();
    let revoke = ServerAction::<RevokeApiKey>::new();
    let (created_n, revoked_n) = (successes(create), successes(revoke));
    let keys = Resource::new(
        move || (created_n.get(), revoked_n.get()),
        |_| list_api_keys(),
    );
    let created = Resource::new(move || created_n.get(), |_| take_created_key());
    view! {
        <Guarded path=access::ADMIN_KEYS>
            <Title text=tr(Msg::NavKeys) />
            <header class="page-header">
                <h1>{tr(Msg::NavKeys)}</h1>
                <p class="lead">{tr(Msg::KeysIntro)}</p>
            </header>
            {move || failure(create).or_else(|| failure(revoke)).map(|error| view! { <FormError error testid="key-error" /> })}
            {move || revoked().then(|| view! { <div class="alert alert-info" role="status" data-testid="key-revoked">{tr(Msg::KeyRevokedNotice)}</div> })}
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
                <ActionForm action=create attr:class="filters" attr:data-testid="create-key">
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
                    <fieldset class="field" data-testid="key-scopes">
                        <legend>{tr(Msg::KeyScopes)}</legend>
                        {ApiScope::ALL.into_iter().map(|s| view! {
                            <label class="checkbox">
                                <input type="checkbox" name=s.field() value="on" checked />
                                " "<code>{s.as_str()}</code>
                            </label>
                        }).collect_view()}
                    </fieldset>
                    <button class="btn btn-primary">{tr(Msg::CreateKey)}</button>
                </ActionForm>
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
                                        <th scope="col">{Msg::KeyScopes.text(lang)}</th>
                                        <th scope="col">{Msg::ColCreated.text(lang)}</th>
                                        <th scope="col">{Msg::ColStatus.text(lang)}</th>
                                        <th scope="col"></th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|k| {
                                            let active = k.revoked_at.is_none();
                                            view! {
                                                <tr data-testid="key-row" data-name=k.name.clone()>
                                                    <td>{k.name.clone()}</td>
                                                    <td><span class="badge">{k.mode.clone()}</span></td>
                                                    <td><code>{format!("{}…", k.display_prefix)}</code></td>
                                                    <td data-testid="key-scopes-cell">{k.scopes.iter().map(|s| view! { <span class="badge">{s.as_str()}</span>" " }).collect_view()}</td>
                                                    <td>{k.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                                    <td>{if active {
                                                        view! { <span class="badge badge-ok">{Msg::KeyActive.text(lang)}</span> }.into_any()
                                                    } else {
                                                        view! { <span class="badge badge-muted">{Msg::KeyRevoked.text(lang)}</span> }.into_any()
                                                    }}</td>
                                                    <td>{active.then(|| view! {
                                                        <ActionForm action=revoke attr:class="inline-form">
                                                            <input type="hidden" name="id" value=k.id.clone() />
                                                            <button class="btn btn-small" data-testid="revoke">{Msg::RevokeKey.text(lang)}</button>
                                                        </ActionForm>
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

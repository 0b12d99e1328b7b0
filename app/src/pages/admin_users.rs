//! The admin's accounts page: create an account (generated password shown once), change a role,
//! deactivate or reactivate, reset a password. Each form is a server function used through
//! `ActionForm`, so it works before the wasm has loaded; the server refuses leaving no active
//! admin and deactivating oneself.

use crate::access;
use crate::actions::{ChangeUser, CreateUser};
use crate::api::{list_users, take_issued_password};
use crate::components::guard::Guarded;
use crate::components::session::use_session_user;
use crate::components::states::{failure, successes, EmptyState, ErrorView, FormError, Loading};
use crate::i18n::{role_label, tr, use_lang, Lang, Msg};
use crate::model::{Role, UserSummary};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let changed = move || query.with(|m| m.get("changed")).unwrap_or_default();
    let create = ServerAction::<CreateUser>::new();
    let change = ServerAction::<ChangeUser>::new();
    let done = {
        let (created, changed) = (successes(create), successes(change));
        Signal::derive(move || created.get() + changed.get())
    };
    view! {
        <Guarded path=access::ADMIN_USERS>
            <Title text=tr(Msg::UsersTitle) />
            <header class="page-header">
                <h1>{tr(Msg::UsersTitle)}</h1>
                <p class="lead">{tr(Msg::UsersIntro)}</p>
            </header>
            {move || failure(create).or_else(|| failure(change)).map(|error| view! { <FormError error testid="users-error" /> })}
            {move || {
                let changed = changed();
                (!changed.is_empty()).then(|| view! {
                    <div class="alert alert-info" role="status" data-testid="user-changed">
                        {tr(Msg::UserChanged)} " " <code>{changed}</code>
                    </div>
                })
            }}
            <IssuedPasswordNotice done />
            <CreateUserForm create />
            <UsersTable change done />
        </Guarded>
    }
}

/// The generated password of the account just created or reset; the server forgets it as it
/// is read.
#[component]
fn IssuedPasswordNotice(done: Signal<usize>) -> impl IntoView {
    let issued = Resource::new(move || done.get(), |_| take_issued_password());
    let lang = use_lang();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match issued.await {
                    Ok(Some(issued)) => view! {
                        <div class="alert alert-success" role="status">
                            <p>
                                {Msg::PasswordIssuedFor.text(lang)} " " <code>{issued.username}</code>
                            </p>
                            <p><code class="secret" data-testid="issued-password">{issued.password}</code></p>
                            <p><strong>{Msg::PasswordShownOnce.text(lang)}</strong></p>
                        </div>
                    }.into_any(),
                    _ => ().into_any(),
                }
            })}
        </Suspense>
    }
}

fn role_options(lang: Lang, selected: Role) -> impl IntoView {
    Role::ALL
        .into_iter()
        .map(|r| {
            view! {
                <option value=r.as_str() selected=r == selected>{role_label(r, lang)}</option>
            }
        })
        .collect_view()
}

#[component]
fn CreateUserForm(create: ServerAction<CreateUser>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{tr(Msg::CreateUser)}</h2>
            <ActionForm action=create attr:class="filters" attr:data-testid="create-user">
                <div class="field">
                    <label for="new-username">{tr(Msg::ColUsername)}</label>
                    <input id="new-username" name="username" type="text" required minlength="2"
                        maxlength="64" pattern="[A-Za-z0-9._\\-]+" autocomplete="off" />
                </div>
                <div class="field">
                    <label for="new-display-name">{tr(Msg::ColDisplayName)}</label>
                    <input id="new-display-name" name="display_name" type="text" required maxlength="128" />
                </div>
                <div class="field">
                    <label for="new-role">{tr(Msg::ColRole)}</label>
                    <select id="new-role" name="role">{role_options(lang, Role::SalesRep)}</select>
                </div>
                <button class="btn btn-primary">{tr(Msg::CreateUser)}</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn UsersTable(change: ServerAction<ChangeUser>, done: Signal<usize>) -> impl IntoView {
    let users = Resource::new(move || done.get(), |_| list_users());
    let lang = use_lang();
    let me = use_session_user().map(|u| u.id);
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match users.await {
                    Ok(rows) if rows.is_empty() => view! { <EmptyState message=Msg::UsersTitle /> }.into_any(),
                    Ok(rows) => view! {
                        <div class="table-wrap">
                            <table class="table" data-testid="users-table">
                                <thead>
                                    <tr>
                                        <th scope="col">{Msg::ColName.text(lang)}</th>
                                        <th scope="col">{Msg::ColUsername.text(lang)}</th>
                                        <th scope="col">{Msg::ColRole.text(lang)}</th>
                                        <th scope="col">{Msg::ColStatus.text(lang)}</th>
                                        <th scope="col">{Msg::ColCreated.text(lang)}</th>
                                        <th scope="col">{Msg::ColLastSignIn.text(lang)}</th>
                                        <th scope="col">{Msg::ColActions.text(lang)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|u| user_row(u, lang, me, change)).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn user_row(
    u: UserSummary,
    lang: Lang,
    me: Option<i64>,
    change: ServerAction<ChangeUser>,
) -> impl IntoView {
    let (status_class, status) = if u.active {
        ("badge badge-ok", Msg::StatusActive)
    } else {
        ("badge badge-muted", Msg::StatusInactive)
    };
    let last = u
        .last_sign_in_at
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| Msg::Never.text(lang).to_owned());
    let (role_id, reset_id, active_id) = (u.id.to_string(), u.id.to_string(), u.id.to_string());
    let is_me = me == Some(u.id);
    let role_select = format!("role-{}", u.id);
    view! {
        <tr data-testid="user-row" data-username=u.username.clone()>
            <td>
                {u.display_name}
                {is_me.then(|| view! { " " <span class="muted">"(" {Msg::You.text(lang)} ")"</span> })}
            </td>
            <td><code>{u.username.clone()}</code></td>
            <td><span class="badge badge-role">{role_label(u.role, lang)}</span></td>
            <td><span class=status_class data-testid="user-status">{status.text(lang)}</span></td>
            <td class="nowrap">{u.created_at.format("%Y-%m-%d").to_string()}</td>
            <td class="nowrap">{last}</td>
            <td class="row-actions">
                <ActionForm action=change attr:class="inline-form">
                    <input type="hidden" name="id" value=role_id />
                    <input type="hidden" name="action" value="role" />
                    <label class="visually-hidden" for=role_select.clone()>{Msg::ChangeRole.text(lang)}</label>
                    <select id=role_select name="role" class="select-small">{role_options(lang, u.role)}</select>
                    <button class="btn btn-small" data-testid="change-role">{Msg::ChangeRole.text(lang)}</button>
                </ActionForm>
                <ActionForm action=change attr:class="inline-form">
                    <input type="hidden" name="id" value=reset_id />
                    <input type="hidden" name="action" value="reset_password" />
                    <button class="btn btn-small" data-testid="reset-password">{Msg::ResetPassword.text(lang)}</button>
                </ActionForm>
                {(!is_me).then(|| {
                    let (value, label, testid) = if u.active {
                        ("deactivate", Msg::Deactivate, "deactivate")
                    } else {
                        ("activate", Msg::Reactivate, "activate")
                    };
                    view! {
                        <ActionForm action=change attr:class="inline-form">
                            <input type="hidden" name="id" value=active_id />
                            <input type="hidden" name="action" value=value />
                            <button class="btn btn-small" data-testid=testid>{label.text(lang)}</button>
                        </ActionForm>
                    }
                })}
            </td>
        </tr>
    }
}

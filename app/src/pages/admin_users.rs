use crate::access;
use crate::api::list_users;
use crate::components::guard::Guarded;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::components::{tr, use_lang};
use crate::i18n::{role_label, Lang, Msg};
use crate::model::UserSummary;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn UsersPage() -> impl IntoView {
    view! {
        <Guarded path=access::ADMIN_USERS>
            <Title text=tr(Msg::UsersTitle) />
            <header class="page-header">
                <h1>{tr(Msg::UsersTitle)}</h1>
                <p class="lead">{tr(Msg::UsersIntro)}</p>
            </header>
            <UsersTable />
        </Guarded>
    }
}

#[component]
fn UsersTable() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users());
    let lang = use_lang();
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
                                    </tr>
                                </thead>
                                <tbody>
                                    {rows.into_iter().map(|u| user_row(u, lang)).collect_view()}
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

fn user_row(u: UserSummary, lang: Lang) -> impl IntoView {
    let (status_class, status) = if u.active {
        ("badge badge-ok", Msg::StatusActive)
    } else {
        ("badge badge-muted", Msg::StatusInactive)
    };
    let last = u
        .last_sign_in_at
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_else(|| Msg::Never.text(lang).to_owned());
    view! {
        <tr>
            <td>{u.display_name}</td>
            <td><code>{u.username}</code></td>
            <td><span class="badge badge-role">{role_label(u.role, lang)}</span></td>
            <td><span class=status_class>{status.text(lang)}</span></td>
            <td>{u.created_at.format("%Y-%m-%d").to_string()}</td>
            <td>{last}</td>
        </tr>
    }
}

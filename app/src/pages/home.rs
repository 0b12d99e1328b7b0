use crate::access;
use crate::api::role_counts;
use crate::components::guard::Guarded;
use crate::components::layout::use_session_user;
use crate::components::states::{ErrorView, Loading};
use crate::components::{tr, use_lang};
use crate::i18n::{role_label, Msg};
use crate::model::Role;
use leptos::prelude::*;
use leptos_meta::Title;

/// Each role's starting point.
#[component]
pub fn HomePage() -> impl IntoView {
    let user = use_session_user();
    view! {
        <Title text=tr(Msg::NavHome) />
        <Guarded path=access::HOME>
            {user.map(|u| view! { <RoleHome role=u.role name=u.display_name /> })}
        </Guarded>
    }
}

#[component]
fn RoleHome(role: Role, name: String) -> impl IntoView {
    let lang = use_lang();
    let (intro, next) = match role {
        Role::SalesRep => (
            Msg::HomeSalesRep,
            Some((access::APPLICATIONS, Msg::NavApplications)),
        ),
        Role::CreditManager => (Msg::HomeCreditManager, Some((access::QUEUE, Msg::NavQueue))),
        Role::Auditor => (Msg::HomeAuditor, Some((access::AUDIT, Msg::NavAudit))),
        Role::Admin => (Msg::HomeAdmin, Some((access::ADMIN_USERS, Msg::NavUsers))),
    };
    view! {
        <header class="page-header">
            <p class="eyebrow" data-testid="home-role">
                {role_label(role, lang)}
            </p>
            <h1>{format!("{}, {name}", Msg::Welcome.text(lang))}</h1>
            <p class="lead">{intro.text(lang)}</p>
        </header>
        {next.map(|(href, label)| view! {
            <p>
                <a class="btn btn-primary" href=href>{label.text(lang)}</a>
            </p>
        })}
        {(role == Role::Admin).then(|| view! { <RoleCounts /> })}
    }
}

#[component]
fn RoleCounts() -> impl IntoView {
    let counts = Resource::new(|| (), |_| role_counts());
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{tr(Msg::UsersByRole)}</h2>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match counts.await {
                        Ok(rows) => view! {
                            <dl class="stat-grid">
                                {rows.into_iter().map(|row| view! {
                                    <div class="stat">
                                        <dt>{role_label(row.role, lang)}</dt>
                                        <dd data-testid=format!("count-{}", row.role)>{row.active_users}</dd>
                                    </div>
                                }).collect_view()}
                            </dl>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

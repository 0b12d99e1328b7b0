use crate::access;
use crate::api::{engine_versions, role_counts};
use crate::components::guard::Guarded;
use crate::components::session::use_session_user;
use crate::components::states::{ErrorView, Loading};
use crate::i18n::{role_label, tr, use_lang, Msg};
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
        {(role == Role::Admin).then(|| view! { <RoleCounts /> <Versions /> })}
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

/// The model and policy versions in force, and those kept for replay.
#[component]
fn Versions() -> impl IntoView {
    let versions = Resource::new(|| (), |_| engine_versions());
    let lang = use_lang();
    view! {
        <section class="card">
            <h2>{tr(Msg::EngineVersions)}</h2>
            <p class="muted">{tr(Msg::EngineVersionsIntro)}</p>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match versions.await {
                        Ok(rows) => view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="versions-table">
                                    <thead><tr>
                                        <th scope="col">{Msg::VersionKind.text(lang)}</th>
                                        <th scope="col">{Msg::VersionName.text(lang)}</th>
                                        <th scope="col">"SHA-256"</th>
                                        <th scope="col">{Msg::ColCreated.text(lang)}</th>
                                        <th scope="col">{Msg::ColStatus.text(lang)}</th>
                                    </tr></thead>
                                    <tbody>
                                        {rows.into_iter().map(|v| view! {
                                            <tr>
                                                <td>{v.kind}</td>
                                                <td><code>{v.version}</code></td>
                                                <td><code>{format!("{}…", &v.sha256[..12.min(v.sha256.len())])}</code></td>
                                                <td>{v.registered_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                                                <td>{if v.active {
                                                    view! { <span class="badge badge-ok">{Msg::InForce.text(lang)}</span> }.into_any()
                                                } else {
                                                    view! { <span class="badge badge-muted">{Msg::KeptForReplay.text(lang)}</span> }.into_any()
                                                }}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

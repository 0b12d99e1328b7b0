//! The admin's webhook endpoints: register one (its signing secret shown once), enable or
//! disable it, send it a signed test event and read the answer. Plain HTML forms.

use crate::access;
use crate::api::{take_webhook_secret, webhook_endpoints};
use crate::components::guard::Guarded;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::components::{tr, use_lang};
use crate::i18n::{Lang, Msg};
use crate::model::{WebhookSummary, WEBHOOK_EVENT_TYPES};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let q = move |k: &str| query.with_untracked(|m| m.get(k)).unwrap_or_default();
    let error = q("error");
    let tested = (!q("tested").is_empty()).then(|| {
        let (event, status, ms) = (q("event"), q("status"), q("ms"));
        if status == "none" {
            Msg::TestNoAnswer.format(lang, &[("event", &event), ("ms", &ms)])
        } else {
            Msg::TestAnswered.format(lang, &[("event", &event), ("status", &status), ("ms", &ms)])
        }
    });
    let endpoints = Resource::new(|| (), |_| webhook_endpoints());
    let secret = Resource::new(|| (), |_| take_webhook_secret());
    view! {
        <Guarded path=access::ADMIN_WEBHOOKS>
            <Title text=tr(Msg::NavWebhooks) />
            <header class="page-header">
                <h1>{tr(Msg::NavWebhooks)}</h1>
                <p class="lead">{tr(Msg::WebhooksIntro)}</p>
            </header>
            {(!error.is_empty()).then(|| view! { <div class="alert alert-error" role="alert" data-testid="webhooks-error">{error.clone()}</div> })}
            {tested.map(|t| view! { <div class="alert alert-info" role="status" data-testid="test-result">{t}</div> })}
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    match secret.await {
                        Ok(Some(secret)) => view! {
                            <div class="alert alert-success" role="status">
                                <strong>{Msg::SecretShownOnce.text(lang)}</strong>
                                <p><code class="secret" data-testid="created-secret">{secret}</code></p>
                            </div>
                        }.into_any(),
                        _ => ().into_any(),
                    }
                })}
            </Suspense>
            <section class="card">
                <h2>{tr(Msg::AddEndpoint)}</h2>
                <form method="post" action=access::ADMIN_WEBHOOKS class="form" data-testid="create-endpoint">
                    <div class="field">
                        <label for="url">{tr(Msg::EndpointUrl)}</label>
                        <input id="url" name="url" type="url" required maxlength="2048" placeholder="https://" />
                    </div>
                    <fieldset class="field">
                        <legend>{tr(Msg::EventTypes)}</legend>
                        {WEBHOOK_EVENT_TYPES.into_iter().map(|e| view! {
                            <label class="check"><input type="checkbox" name="event_types" value=e checked=true />" "<code>{e}</code></label>
                        }).collect_view()}
                    </fieldset>
                    <button class="btn btn-primary">{tr(Msg::AddEndpoint)}</button>
                </form>
            </section>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match endpoints.await {
                        Ok(rows) if rows.is_empty() => view! { <EmptyState message=Msg::WebhooksEmpty /> }.into_any(),
                        Ok(rows) => view! {
                            <div class="table-wrap">
                                <table class="table" data-testid="endpoints-table">
                                    <thead><tr>
                                        <th scope="col">{Msg::EndpointUrl.text(lang)}</th>
                                        <th scope="col">{Msg::EventTypes.text(lang)}</th>
                                        <th scope="col">{Msg::ColStatus.text(lang)}</th>
                                        <th scope="col">{Msg::ColCreated.text(lang)}</th>
                                        <th scope="col">{Msg::ColActions.text(lang)}</th>
                                    </tr></thead>
                                    <tbody>{rows.into_iter().map(|e| endpoint_row(e, lang)).collect_view()}</tbody>
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

fn endpoint_row(e: WebhookSummary, lang: Lang) -> impl IntoView {
    let action = format!("{}/{}", access::ADMIN_WEBHOOKS, access::url_encode(&e.id));
    let (status_class, status) = if e.enabled {
        ("badge badge-ok", Msg::StatusEnabled)
    } else {
        ("badge badge-muted", Msg::StatusDisabled)
    };
    let (toggle, toggle_label) = if e.enabled {
        ("disable", Msg::Disable)
    } else {
        ("enable", Msg::Enable)
    };
    view! {
        <tr data-testid="endpoint-row" data-url=e.url.clone()>
            <td><code class="wrap">{e.url.clone()}</code><br /><span class="muted small">{e.id.clone()}" · "{e.world.clone()}</span></td>
            <td>{e.event_types.iter().map(|t| view! { <code class="tag">{t.clone()}</code>" " }).collect_view()}</td>
            <td><span class=status_class>{status.text(lang)}</span></td>
            <td class="nowrap">{e.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
            <td class="row-actions">
                {e.enabled.then(|| view! {
                    <form method="post" action=action.clone() class="inline-form">
                        <input type="hidden" name="action" value="test" />
                        <button class="btn btn-small" data-testid="send-test">{Msg::SendTest.text(lang)}</button>
                    </form>
                })}
                <form method="post" action=action.clone() class="inline-form">
                    <input type="hidden" name="action" value=toggle />
                    <button class="btn btn-small" data-testid=toggle>{toggle_label.text(lang)}</button>
                </form>
            </td>
        </tr>
    }
}

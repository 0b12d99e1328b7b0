//! The admin's webhook endpoints: register one (its signing secret shown once), enable or
//! disable it, send it a signed test event and read the answer; the delivery log with every
//! attempt and redelivery; the monitored companies with a "check now"; and, in the sandbox,
//! the control that makes a company deteriorate. Each form is a server function used through
//! `ActionForm`, so it works before the wasm has loaded.

use crate::access;
use crate::actions::{
    ChangeWebhookEndpoint, CheckMonitoringNow, CreateWebhookEndpoint, RedeliverWebhook,
    SetSandboxCondition,
};
use crate::api::{monitoring_state, take_webhook_secret, webhook_endpoints, webhook_log};
use crate::components::format::eur;
use crate::components::guard::Guarded;
use crate::components::states::{failure, successes, EmptyState, ErrorView, FormError, Loading};
use crate::i18n::{tr, use_lang, Lang, Msg};
use crate::model::{
    DeliveryRow, MonitoredRow, MonitoringView, WebhookSummary, SANDBOX_CONDITIONS,
    WEBHOOK_EVENT_TYPES,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The page's forms.
#[derive(Clone, Copy)]
struct Forms {
    create: ServerAction<CreateWebhookEndpoint>,
    change: ServerAction<ChangeWebhookEndpoint>,
    redeliver: ServerAction<RedeliverWebhook>,
    check: ServerAction<CheckMonitoringNow>,
    condition: ServerAction<SetSandboxCondition>,
}

impl Forms {
    fn new() -> Self {
        Self {
            create: ServerAction::new(),
            change: ServerAction::new(),
            redeliver: ServerAction::new(),
            check: ServerAction::new(),
            condition: ServerAction::new(),
        }
    }

    /// How many changes went through (`created`: the endpoints registered): what the page
    /// reads is read again after each.
    fn done(self, created: Signal<usize>) -> Signal<usize> {
        let all = [
            created,
            successes(self.change),
            successes(self.redeliver),
            successes(self.check),
            successes(self.condition),
        ];
        Signal::derive(move || all.iter().map(|s| s.get()).sum())
    }

    fn failure(self) -> Option<crate::error::AppError> {
        failure(self.create)
            .or_else(|| failure(self.change))
            .or_else(|| failure(self.redeliver))
            .or_else(|| failure(self.check))
            .or_else(|| failure(self.condition))
    }
}

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let q = move |k: &str| query.with(|m| m.get(k)).unwrap_or_default();
    let tested = move || {
        (!q("tested").is_empty()).then(|| {
            let (event, status, ms) = (q("event"), q("status"), q("ms"));
            if status == "none" {
                Msg::TestNoAnswer.format(lang, &[("event", &event), ("ms", &ms)])
            } else {
                Msg::TestAnswered
                    .format(lang, &[("event", &event), ("status", &status), ("ms", &ms)])
            }
        })
    };
    let notice = move || {
        if !q("redelivered").is_empty() {
            Some(Msg::Redelivered.text(lang).to_owned())
        } else if !q("checking").is_empty() {
            Some(Msg::CheckScheduled.format(lang, &[("siren", &q("checking"))]))
        } else if !q("condition").is_empty() {
            Some(Msg::ConditionSet.format(lang, &[("siren", &q("condition"))]))
        } else {
            None
        }
    };
    let forms = Forms::new();
    let create_done = successes(forms.create);
    let done = forms.done(create_done);
    let endpoints = Resource::new(move || done.get(), |_| webhook_endpoints());
    let log = Resource::new(move || done.get(), |_| webhook_log());
    let monitoring = Resource::new(move || done.get(), |_| monitoring_state());
    let secret = Resource::new(move || create_done.get(), |_| take_webhook_secret());
    view! {
        <Guarded path=access::ADMIN_WEBHOOKS>
            <Title text=tr(Msg::NavWebhooks) />
            <header class="page-header">
                <h1>{tr(Msg::NavWebhooks)}</h1>
                <p class="lead">{tr(Msg::WebhooksIntro)}</p>
            </header>
            {move || forms.failure().map(|error| view! { <FormError error testid="webhooks-error" /> })}
            {move || tested().map(|t| view! { <div class="alert alert-info" role="status" data-testid="test-result">{t}</div> })}
            {move || notice().map(|t| view! { <div class="alert alert-info" role="status" data-testid="webhooks-notice">{t}</div> })}
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
                <ActionForm action=forms.create attr:class="form" attr:data-testid="create-endpoint">
                    <div class="field">
                        <label for="url">{tr(Msg::EndpointUrl)}</label>
                        <input id="url" name="url" type="url" required maxlength="2048" placeholder="https://" />
                    </div>
                    <fieldset class="field">
                        <legend>{tr(Msg::EventTypes)}</legend>
                        {WEBHOOK_EVENT_TYPES.into_iter().map(|e| view! {
                            <label class="check"><input type="checkbox" name="event_types[]" value=e checked=true />" "<code>{e}</code></label>
                        }).collect_view()}
                    </fieldset>
                    <button class="btn btn-primary">{tr(Msg::AddEndpoint)}</button>
                </ActionForm>
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
                                    <tbody>{rows.into_iter().map(|e| endpoint_row(e, lang, forms)).collect_view()}</tbody>
                                </table>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
            <section class="card" data-testid="delivery-log">
                <h2>{tr(Msg::DeliveryLog)}</h2>
                <p class="muted small">{tr(Msg::PendingWhileDisabled)}</p>
                <Suspense fallback=|| view! { <Loading /> }>
                    {move || Suspend::new(async move {
                        match log.await {
                            Ok(rows) if rows.is_empty() => view! { <EmptyState message=Msg::DeliveryLogEmpty /> }.into_any(),
                            Ok(rows) => view! {
                                <div class="table-wrap">
                                    <table class="table" data-testid="deliveries-table">
                                        <thead><tr>
                                            <th scope="col">{Msg::ColEvent.text(lang)}</th>
                                            <th scope="col">{Msg::ColEndpoint.text(lang)}</th>
                                            <th scope="col">{Msg::ColStatus.text(lang)}</th>
                                            <th scope="col">{Msg::ColAttempts.text(lang)}</th>
                                            <th scope="col">{Msg::ColActions.text(lang)}</th>
                                        </tr></thead>
                                        <tbody>{rows.into_iter().map(|d| delivery_row(d, lang, forms)).collect_view()}</tbody>
                                    </table>
                                </div>
                            }.into_any(),
                            Err(error) => view! { <ErrorView error /> }.into_any(),
                        }
                    })}
                </Suspense>
            </section>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match monitoring.await {
                        Ok(m) => monitoring_section(m, lang, forms).into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn delivery_row(d: DeliveryRow, lang: Lang, forms: Forms) -> impl IntoView {
    let (class, label) = match d.status.as_str() {
        "delivered" => ("badge badge-ok", Msg::DeliveryDelivered),
        "dead" => ("badge badge-decline", Msg::DeliveryDead),
        _ => ("badge badge-refer", Msg::DeliveryPending),
    };
    let seq = d.seq.to_string();
    let pending = d.status == "pending";
    let next = time(d.next_attempt_at);
    view! {
        <tr data-testid="delivery-row" data-event-type=d.event_type.clone() data-status=d.status.clone()>
            <td>
                <code class="tag">{d.event_type.clone()}</code>
                <br /><span class="muted small"><code>{d.event_id.clone()}</code>" · "{time(d.created_at)}</span>
            </td>
            <td><code class="wrap">{d.endpoint_url.clone()}</code></td>
            <td>
                <span class=class>{label.text(lang)}</span>
                {pending.then(|| view! { <br /><span class="muted small">{Msg::ColNextAttempt.text(lang)}": "{next.clone()}</span> })}
            </td>
            <td>
                {if d.attempts.is_empty() {
                    view! { <span class="muted">"0"</span> }.into_any()
                } else {
                    view! {
                        <details>
                            <summary>{d.attempts.len()}</summary>
                            <ol class="attempts" data-testid="attempts">
                                {d.attempts.into_iter().map(|a| {
                                    let answer = a.status.map_or_else(|| Msg::NoAnswer.text(lang).to_owned(), |s| s.to_string());
                                    view! {
                                        <li>
                                            {time(a.at)}" · "<strong>{answer}</strong>" · "{a.latency_ms}" ms"
                                            {(!a.excerpt.is_empty()).then(|| view! { <br /><code class="wrap small">{a.excerpt.clone()}</code> })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ol>
                        </details>
                    }.into_any()
                }}
            </td>
            <td class="row-actions">
                {(!pending).then(|| view! {
                    <ActionForm action=forms.redeliver attr:class="inline-form">
                        <input type="hidden" name="seq" value=seq.clone() />
                        <button class="btn btn-small" data-testid="redeliver">{Msg::Redeliver.text(lang)}</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}

fn monitoring_section(m: MonitoringView, lang: Lang, forms: Forms) -> impl IntoView {
    let every = if m.every_minutes.is_multiple_of(60) {
        format!("{} h", m.every_minutes / 60)
    } else {
        format!("{} min", m.every_minutes)
    };
    let intro = Msg::MonitoringIntro.format(lang, &[("every", &every)]);
    let sandbox = m.sandbox;
    let conditions = m.conditions.clone();
    view! {
        <section class="card" data-testid="monitoring">
            <h2>{Msg::MonitoringTitle.text(lang)}</h2>
            <p class="muted">{intro}</p>
            {(!m.enabled).then(|| view! { <div class="alert alert-info" role="status">{Msg::MonitoringOff.text(lang)}</div> })}
            {if m.companies.is_empty() {
                view! { <EmptyState message=Msg::MonitoringEmpty /> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="monitored-table">
                            <thead><tr>
                                <th scope="col">"SIREN"</th>
                                <th scope="col">{Msg::ColGranted.text(lang)}</th>
                                <th scope="col">{Msg::ColLastCheck.text(lang)}</th>
                                <th scope="col">{Msg::ColResult.text(lang)}</th>
                                <th scope="col">{Msg::ColNextCheck.text(lang)}</th>
                                <th scope="col">{Msg::ColActions.text(lang)}</th>
                            </tr></thead>
                            <tbody>{m.companies.into_iter().map(|c| monitored_row(c, lang, forms)).collect_view()}</tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        {sandbox.then(|| view! {
            <section class="card" data-testid="sandbox-conditions">
                <h2>{Msg::SandboxDeteriorate.text(lang)}</h2>
                <p class="muted">{Msg::SandboxDeteriorateIntro.text(lang)}</p>
                <ActionForm action=forms.condition attr:class="form" attr:data-testid="condition-form">
                    <div class="field">
                        <label for="condition-siren">"SIREN"</label>
                        <input id="condition-siren" name="siren" required inputmode="numeric" maxlength="11" />
                    </div>
                    <fieldset class="field">
                        <legend>{Msg::ColEvent.text(lang)}</legend>
                        {SANDBOX_CONDITIONS.into_iter().enumerate().map(|(i, c)| {
                            let label = match c {
                                "proceeding" => Msg::ConditionProceeding,
                                "inflows_grow" => Msg::ConditionInflowsGrow,
                                _ => Msg::ConditionNegativeBalance,
                            };
                            view! { <label class="check"><input type="radio" name="condition" value=c checked={i == 0} />" "{label.text(lang)}</label> }
                        }).collect_view()}
                    </fieldset>
                    <button class="btn btn-primary" data-testid="apply-condition">{Msg::ApplyCondition.text(lang)}</button>
                </ActionForm>
                {(!conditions.is_empty()).then(|| view! {
                    <h3>{Msg::ConditionsInEffect.text(lang)}</h3>
                    <ul data-testid="conditions-list">
                        {conditions.into_iter().map(|(siren, kind, since)| view! {
                            <li><code>{siren}</code>" · "<code>{kind}</code>" · "{time(since)}</li>
                        }).collect_view()}
                    </ul>
                })}
            </section>
        })}
    }
}

fn monitored_row(c: MonitoredRow, lang: Lang, forms: Forms) -> impl IntoView {
    let (class, result) = match c.last_result.as_deref() {
        Some("unchanged") => ("badge badge-ok", Msg::ResultUnchanged.text(lang)),
        Some("risk_changed") => ("badge badge-decline", Msg::ResultRiskChanged.text(lang)),
        Some("source_failed") => ("badge badge-refer", Msg::ResultSourceFailed.text(lang)),
        Some("increased") => ("badge badge-ok", Msg::ResultIncreased.text(lang)),
        Some("increase_proposed") => ("badge badge-refer", Msg::ResultIncreaseProposed.text(lang)),
        Some("superseded") => ("muted", Msg::ResultSuperseded.text(lang)),
        _ => ("muted", Msg::NotCheckedYet.text(lang)),
    };
    let case_link = c
        .last_decision_id
        .clone()
        .filter(|_| {
            matches!(
                c.last_result.as_deref(),
                Some("risk_changed" | "increase_proposed")
            )
        })
        .map(|id| access::link(access::CASE, &id))
        .or_else(|| {
            (c.last_result.as_deref() == Some("increased"))
                .then(|| access::link(access::COMPANY, &c.siren))
        });
    let check_siren = c.siren.clone();
    view! {
        <tr data-testid="monitored-row" data-siren=c.siren.clone() data-result=c.last_result.clone().unwrap_or_default()>
            <td><a href=access::link(access::COMPANY, &c.siren) data-testid="company-link"><code>{c.siren.clone()}</code></a></td>
            <td class="num">{eur(c.granted_limit_cents, lang)}</td>
            <td class="nowrap">{c.last_checked.map_or_else(|| Msg::NotCheckedYet.text(lang).to_owned(), time)}</td>
            <td>
                {match case_link {
                    Some(href) => view! { <a href=href class=class>{result}</a> }.into_any(),
                    None => view! { <span class=class>{result}</span> }.into_any(),
                }}
            </td>
            <td class="nowrap">{time(c.next_check)}</td>
            <td class="row-actions">
                <ActionForm action=forms.check attr:class="inline-form">
                    <input type="hidden" name="siren" value=check_siren />
                    <button class="btn btn-small" data-testid="check-now">{Msg::CheckNow.text(lang)}</button>
                </ActionForm>
            </td>
        </tr>
    }
}

fn endpoint_row(e: WebhookSummary, lang: Lang, forms: Forms) -> impl IntoView {
    let (test_id, toggle_id) = (e.id.clone(), e.id.clone());
    let (status_class, status) = if e.enabled {
        ("badge badge-ok", Msg::StatusEnabled)
    } else if e.disabled_reason.is_some() {
        ("badge badge-decline", Msg::DisabledAutomatically)
    } else {
        ("badge badge-muted", Msg::StatusDisabled)
    };
    let failures = (e.consecutive_failures > 0)
        .then(|| Msg::FailuresInARow.format(lang, &[("n", &e.consecutive_failures.to_string())]));
    let (toggle, toggle_label) = if e.enabled {
        ("disable", Msg::Disable)
    } else {
        ("enable", Msg::Enable)
    };
    view! {
        <tr data-testid="endpoint-row" data-url=e.url.clone()>
            <td><code class="wrap">{e.url.clone()}</code><br /><span class="muted small">{e.id.clone()}" · "{e.world.clone()}</span></td>
            <td>{e.event_types.iter().map(|t| view! { <code class="tag">{t.clone()}</code>" " }).collect_view()}</td>
            <td>
                <span class=status_class data-testid="endpoint-status">{status.text(lang)}</span>
                {failures.map(|f| view! { <br /><span class="muted small">{f}</span> })}
            </td>
            <td class="nowrap">{e.created_at.format("%Y-%m-%d %H:%M").to_string()}</td>
            <td class="row-actions">
                {e.enabled.then(|| view! {
                    <ActionForm action=forms.change attr:class="inline-form">
                        <input type="hidden" name="id" value=test_id />
                        <input type="hidden" name="action" value="test" />
                        <button class="btn btn-small" data-testid="send-test">{Msg::SendTest.text(lang)}</button>
                    </ActionForm>
                })}
                <ActionForm action=forms.change attr:class="inline-form">
                    <input type="hidden" name="id" value=toggle_id />
                    <input type="hidden" name="action" value=toggle />
                    <button class="btn btn-small" data-testid=toggle>{toggle_label.text(lang)}</button>
                </ActionForm>
            </td>
        </tr>
    }
}

//! The supervisors' dashboard: key figures and charts drawn on the server (plotters, SVG) over
//! 7, 30 or 90 days, chosen with plain links so it works before the wasm has loaded.

use crate::access;
use crate::api::dashboard;
use crate::components::format::{eur, label, percent, product};
use crate::components::guard::Guarded;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::i18n::{tr, use_lang, Msg};
use crate::model::{DashboardView, DriftView, PortfolioView, DASHBOARD_WINDOWS};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Default window, in days.
const DEFAULT_DAYS: u32 = 30;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let days = move || {
        query
            .with(|m| m.get("days"))
            .and_then(|d| d.parse().ok())
            .filter(|d| DASHBOARD_WINDOWS.contains(d))
            .unwrap_or(DEFAULT_DAYS)
    };
    let data = Resource::new(days, dashboard);
    view! {
        <Guarded path=access::DASHBOARD>
            <Title text=tr(Msg::NavDashboard) />
            <header class="page-header">
                <h1>{tr(Msg::NavDashboard)}</h1>
                <p class="lead">{tr(Msg::DashboardIntro)}</p>
            </header>
            <nav class="segmented" aria-label=tr(Msg::NavDashboard)>
                {DASHBOARD_WINDOWS.into_iter().map(|d| {
                    let href = format!("{}?days={d}", access::DASHBOARD);
                    let text = Msg::LastDays.format(lang, &[("n", &d.to_string())]);
                    view! {
                        <a href=href class=move || if days() == d { "segment active" } else { "segment" }
                            aria-current=move || (days() == d).then_some("page")>{text}</a>
                    }
                }).collect_view()}
            </nav>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match data.await {
                        Ok(d) => view! { <Dashboard d /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

#[component]
fn Dashboard(d: DashboardView) -> impl IntoView {
    let lang = use_lang();
    let rate = move |r: Option<f64>| r.map_or_else(|| "—".to_owned(), |r| percent(r, lang));
    let latency = match (d.latency_p50_ms, d.latency_p99_ms) {
        (Some(a), Some(b)) => format!("{a} / {b} ms"),
        _ => "—".to_owned(),
    };
    let queue_class = if d.queue_over_target > 0 {
        "stat-value negative"
    } else {
        "stat-value"
    };
    view! {
        <dl class="stat-grid" data-testid="kpis">
            <div class="stat"><dt>{tr(Msg::KpiDecisions)}</dt>
                <dd data-testid="kpi-decisions">{d.decisions}</dd>
                <span class="muted small">{format!("{} → {}", d.from.format("%d/%m/%Y"), d.to.format("%d/%m/%Y"))}</span></div>
            <div class="stat"><dt>{tr(Msg::KpiAutomatic)}</dt><dd>{rate(d.automatic_share)}</dd></div>
            <div class="stat"><dt>{tr(Msg::KpiApproval)}</dt><dd>{rate(d.approval_rate)}</dd></div>
            <div class="stat"><dt>{tr(Msg::KpiOverride)}</dt><dd data-testid="kpi-override">{rate(d.override_rate)}</dd>
                <span class="muted small">{Msg::KpiOverrideDetail.format(lang, &[("n", &d.overrides.to_string()), ("m", &d.automatic_decisions.to_string())])}</span></div>
            <div class="stat"><dt>{tr(Msg::KpiQueue)}</dt><dd class=queue_class data-testid="kpi-queue">{d.queue_size}</dd>
                <span class="muted small">{Msg::KpiQueueDetail.format(lang, &[("n", &d.queue_over_target.to_string()), ("h", &d.service_target_hours.to_string())])}</span></div>
            <div class="stat"><dt>{tr(Msg::KpiLatency)}</dt><dd data-testid="kpi-latency">{latency}</dd></div>
        </dl>
        {(d.decisions == 0).then(|| view! { <EmptyState message=Msg::DashboardEmpty /> })}
        <div class="chart-grid">
            {d.charts.into_iter().map(|c| view! {
                <section class="card" data-testid=format!("chart-{}", c.id)>
                    <h2>{c.title.clone()}</h2>
                    <div class="chart" role="img" aria-label=c.title inner_html=c.svg></div>
                </section>
            }).collect_view()}
        </div>
        {d.portfolio.map(|p| view! { <Portfolio p /> })}
        <section class="card" data-testid="drift">
            <h2>{tr(Msg::DriftTitle)}</h2>
            {match d.drift {
                Some(drift) => view! { <Drift drift /> }.into_any(),
                None => view! { <p class="muted">{tr(Msg::DriftNone)}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn Portfolio(p: PortfolioView) -> impl IntoView {
    let lang = use_lang();
    let chart = p.increases_chart.clone();
    view! {
        <section class="card" data-testid="portfolio">
            <h2>{tr(Msg::PortfolioTitle)}</h2>
            <p data-testid="portfolio-summary">{Msg::PortfolioSummary.format(lang, &[
                ("lines", &p.lines.to_string()),
                ("exposure", &eur(p.exposure_cents, lang)),
                ("loss", &eur(p.expected_loss_cents, lang)),
                ("lgd", &percent(p.loss_given_default, lang)),
            ])}</p>
            <p data-testid="portfolio-increases">{Msg::PortfolioIncreases.format(lang, &[
                ("n", &p.automatic_increases.to_string()),
                ("amount", &eur(p.automatic_increase_cents, lang)),
                ("referred", &p.referred_increases.to_string()),
            ])}</p>
            {if p.rows.is_empty() {
                view! { <p class="muted">{tr(Msg::PortfolioEmpty)}</p> }.into_any()
            } else {
                view! {
                    <table class="table" data-testid="portfolio-table">
                        <thead><tr>
                            <th>{tr(Msg::ColProduct)}</th><th>{tr(Msg::ColGrade)}</th>
                            <th class="num">{tr(Msg::ColLines)}</th><th class="num">{tr(Msg::ColExposure)}</th>
                            <th class="num">{tr(Msg::ColExpectedLoss)}</th>
                        </tr></thead>
                        <tbody>
                            {p.rows.into_iter().map(|r| view! {
                                <tr>
                                    <td>{label(&r.product, product, lang)}</td><td>{r.grade}</td>
                                    <td class="num">{r.lines}</td><td class="num">{eur(r.exposure_cents, lang)}</td>
                                    <td class="num">{eur(r.expected_loss_cents, lang)}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <div class="chart" role="img" aria-label=chart.title.clone() data-testid="chart-automatic_increases" inner_html=chart.svg></div>
        </section>
    }
}

/// Inputs shown before the "other inputs" fold.
const DRIFT_SHOWN: usize = 12;

fn psi_text(value: Option<f64>) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format!("{v:.3}"))
}

fn band_class(band: &str) -> &'static str {
    match band {
        "act" => "badge badge-decline",
        "watch" => "badge badge-refer",
        _ => "badge badge-ok",
    }
}

#[component]
fn Drift(drift: DriftView) -> impl IntoView {
    let lang = use_lang();
    let band_text = move |band: &str| match band {
        "act" => tr(Msg::DriftAct),
        "watch" => tr(Msg::DriftWatch),
        _ => tr(Msg::DriftStable),
    };
    let months = drift.months.clone();
    let header = move || {
        view! {
            <thead><tr>
                <th scope="col">{tr(Msg::DriftInput)}</th>
                <th scope="col" class="num">{tr(Msg::DriftPeriod)}</th>
                {months.iter().map(|m| view! { <th scope="col" class="num">{m.clone()}</th> }).collect_view()}
            </tr></thead>
        }
    };
    let row = move |r: crate::model::DriftRow| {
        let class = band_class(&r.band);
        let text = band_text(&r.band);
        view! {
            <tr data-input=r.key.clone() data-band=r.band.clone()>
                <td>{r.label}</td>
                <td class="num">{psi_text(r.psi)}" "<span class=class>{text}</span></td>
                {r.by_month.into_iter().map(|v| view! { <td class="num">{psi_text(v)}</td> }).collect_view()}
            </tr>
        }
    };
    let mut rows = drift.rows.into_iter();
    let shown: Vec<_> = rows.by_ref().take(DRIFT_SHOWN + 1).collect();
    let rest: Vec<_> = rows.collect();
    let intro = Msg::DriftIntro.format(
        lang,
        &[
            ("model", &drift.model_version),
            ("n", &drift.decisions.to_string()),
        ],
    );
    let pct = move |v: f64| percent(v, lang);
    let few = drift.decisions < 200;
    view! {
        <p class="muted small">{intro}</p>
        {few.then(|| view! { <p class="muted small" data-testid="drift-few">{tr(Msg::DriftFew)}</p> })}
        <div class="table-wrap">
            <table class="table" data-testid="drift-table">
                {header.clone()()}
                <tbody>{shown.into_iter().map(row).collect_view()}</tbody>
            </table>
        </div>
        {(!rest.is_empty()).then(|| view! {
            <details>
                <summary>{tr(Msg::DriftMore)}</summary>
                <div class="table-wrap">
                    <table class="table">
                        {header()}
                        <tbody>{rest.into_iter().map(row).collect_view()}</tbody>
                    </table>
                </div>
            </details>
        })}
        <h3>{tr(Msg::DriftMissingTitle)}</h3>
        <table class="table" data-testid="drift-missing">
            <thead><tr>
                <th scope="col">{tr(Msg::DriftInput)}</th>
                <th scope="col" class="num">{tr(Msg::DriftUnknown)}</th>
                <th scope="col" class="num">{tr(Msg::DriftUndefined)}</th>
            </tr></thead>
            <tbody>
                {drift.missing.into_iter().map(|m| view! {
                    <tr data-input=m.key>
                        <td>{m.label}</td>
                        <td class="num">{pct(m.unknown_share)}</td>
                        <td class="num">{pct(m.undefined_share)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

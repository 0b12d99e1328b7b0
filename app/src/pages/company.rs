//! A company as the lender holds it: its credit lines per product with every change (who or
//! what made it, when, why, linked to the decision), its grade and probability of default
//! over time, its monitoring and its open cases, with the total exposure and expected loss.
//! The same view the lenders' API gives at `GET /api/v1/companies/{siren}`.

use crate::access;
use crate::api::get_company;
use crate::components::format::{eur, percent};
use crate::components::guard::Guarded;
use crate::components::states::{ErrorView, Loading};
use crate::i18n::{tr, use_lang, Lang, Msg};
use crate::model::ChartView;
use aval_core::company::{CompanyView, LineView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn time(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%d %H:%M UTC").to_string()
}

#[component]
pub fn CompanyPage() -> impl IntoView {
    let params = use_params_map();
    let siren = move || params.with(|p| p.get("siren")).unwrap_or_default();
    let company = Resource::new(siren, get_company);
    view! {
        <Guarded path=access::COMPANY>
            <Title text=tr(Msg::CompanyTitle) />
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match company.await {
                        Ok(p) => view! { <CompanyBody c=p.company chart=p.pd_chart /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

#[component]
fn CompanyBody(c: CompanyView, chart: ChartView) -> impl IntoView {
    let lang = use_lang();
    let name = c.company_name.clone().unwrap_or_else(|| c.siren.clone());
    let lines = c.lines.clone();
    let assessments = c.assessments.clone();
    let cases = c.open_cases.clone();
    let monitoring = c.monitoring.clone().map(|m| {
        let last = m.last_decision_id.clone();
        view! {
            <section class="card" data-testid="company-monitoring">
                <h2>{Msg::CompanyMonitoring.text(lang)}</h2>
                <p>
                    {Msg::CompanyLastCheck.text(lang)}" "
                    {m.last_checked_at.map_or_else(|| "—".to_owned(), time)}
                    " · "<code data-testid="monitoring-result">{m.last_result.clone().unwrap_or_default()}</code>
                    {last.map(|id| view! { " · "<a href=access::link(access::CASE, &id)><code>{id.clone()}</code></a> })}
                </p>
                <p>{Msg::CompanyNextCheck.text(lang)}" "{time(m.next_check_at)}</p>
            </section>
        }
    });
    view! {
        <h1>{name}" "<small class="muted"><code>{c.siren.clone()}</code></small></h1>
        <section class="card" data-testid="company-exposure">
            <p>
                {Msg::CompanyExposure.text(lang)}" "<strong data-testid="exposure">{eur(c.exposure_cents, lang)}</strong>
                " · "{Msg::CompanyExpectedLoss.text(lang)}" "<strong data-testid="expected-loss">{eur(c.expected_loss_cents, lang)}</strong>
                " ("{Msg::CompanyLgd.text(lang)}" "{percent(c.loss_given_default, lang)}")"
            </p>
        </section>
        {lines.into_iter().map(|l| line_card(l, lang)).collect_view()}
        {monitoring}
        <section class="card" data-testid="company-cases">
            <h2>{Msg::CompanyOpenCases.text(lang)}</h2>
            {if cases.is_empty() {
                view! { <p class="muted">{Msg::CompanyNoOpenCase.text(lang)}</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {cases.into_iter().map(|o| view! {
                            <li>
                                <a href=access::link(access::CASE, &o.decision_id)><code>{o.decision_id.clone()}</code></a>
                                " · "{o.product.as_str()}" · "{eur(o.amount_cents, lang)}" · "{o.status.as_str()}
                                " · "{o.referrals.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
        <section class="card" data-testid="company-assessments">
            <h2>{Msg::CompanyGradeOverTime.text(lang)}</h2>
            <div class="chart" role="img" aria-label=chart.title.clone() data-testid="chart-company_pd" inner_html=chart.svg></div>
            <table class="table">
                <thead><tr>
                    <th>{Msg::CompanyWhen.text(lang)}</th><th>"Grade"</th><th class="num">"PD"</th>
                    <th class="num">"Score"</th><th>{Msg::CompanyOrigin.text(lang)}</th><th>"Decision"</th>
                </tr></thead>
                <tbody>
                    {assessments.into_iter().rev().map(|a| view! {
                        <tr>
                            <td class="nowrap">{time(a.at)}</td>
                            <td>{a.grade.clone()}</td>
                            <td class="num">{percent(a.probability_of_default, lang)}</td>
                            <td class="num">{a.score}</td>
                            <td>{a.origin.clone()}" · "{a.product.as_str()}" · "{a.outcome.clone()}</td>
                            <td><code>{a.decision_id.clone()}</code></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

fn line_card(l: LineView, lang: Lang) -> impl IntoView {
    view! {
        <section class="card" data-testid="credit-line" data-product=l.product.as_str()>
            <h2>{l.product.as_str()}" · "<span data-testid="line-limit">{eur(l.limit_cents, lang)}</span>" · "{l.status.clone()}</h2>
            <p class="muted">
                {Msg::CompanyGranted.text(lang)}" "{eur(l.granted_limit_cents, lang)}" ("{l.grant_grade.clone()}") · "
                <code>{l.grant_decision_id.clone()}</code>
            </p>
            <table class="table" data-testid="line-history">
                <thead><tr>
                    <th>{Msg::CompanyWhen.text(lang)}</th><th>{Msg::CompanyChange.text(lang)}</th>
                    <th class="num">{Msg::CompanyLimit.text(lang)}</th><th>{Msg::CompanyBy.text(lang)}</th>
                    <th>{Msg::CompanyWhy.text(lang)}</th><th>"Decision"</th>
                </tr></thead>
                <tbody>
                    {l.history.into_iter().map(|h| {
                        let from = h.previous_limit_cents.map(|p| format!("{} → ", eur(p, lang))).unwrap_or_default();
                        let by = match &h.by_name {
                            Some(n) => format!("{} ({n})", h.by.as_str()),
                            None => h.by.as_str().to_owned(),
                        };
                        let why: Vec<String> = h.reasons.iter().map(|r| {
                            let text = if lang == Lang::Fr { &r.text_fr } else { &r.text_en };
                            format!("{} {text}", r.code)
                        }).collect();
                        view! {
                            <tr data-change=h.change.as_str()>
                                <td class="nowrap">{time(h.at)}</td>
                                <td>{h.change.as_str()}</td>
                                <td class="num">{from}{eur(h.limit_cents, lang)}</td>
                                <td>{by}</td>
                                <td><ul class="plain">{why.into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}</ul></td>
                                <td><code>{h.decision_id.clone()}</code></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

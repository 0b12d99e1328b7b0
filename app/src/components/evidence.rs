//! The company's evidence on the case page: the 90-day balance chart, the financial ratios
//! against the model's thresholds, and the legal events as a timeline.

use crate::components::format::eur;
use crate::i18n::{ratio_label, tr, use_lang, Lang, Msg};
use crate::model::{BalanceView, BandView, LegalEventView, RatioView};
use leptos::prelude::*;

#[component]
pub fn BalanceCard(balance: Option<BalanceView>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card" data-testid="balance">
            <h2>{tr(Msg::BalanceTitle)}</h2>
            {match balance {
                None => view! { <p class="empty-inline muted">{tr(Msg::BalanceNone)}</p> }.into_any(),
                Some(b) => {
                    let negative = if b.negative_days > 0 { "stat-value negative" } else { "stat-value" };
                    view! {
                        <dl class="stat-grid compact">
                            <div class="stat"><dt>{tr(Msg::NegativeDays)}</dt>
                                <dd class=negative data-testid="negative-days">{format!("{} / {}", b.negative_days, b.days)}</dd></div>
                            <div class="stat"><dt>{tr(Msg::LowestBalance)}</dt><dd>{eur(b.lowest_cents, lang)}</dd></div>
                            <div class="stat"><dt>{tr(Msg::LatestBalance)}</dt><dd>{eur(b.last_cents, lang)}</dd></div>
                        </dl>
                        <div class="chart" role="img" aria-label=tr(Msg::BalanceTitle) inner_html=b.svg></div>
                    }.into_any()
                }
            }}
        </section>
    }
}

/// A number as a ratio is read: two decimals, or three below 0.1.
fn ratio_number(v: f64) -> String {
    if v.abs() < 0.1 && v != 0.0 {
        format!("{v:.3}")
    } else {
        format!("{v:.2}")
    }
}

fn band_text(b: &BandView) -> String {
    match (b.lower, b.upper) {
        (None, Some(u)) => format!("< {}", ratio_number(u)),
        (Some(l), None) => format!("≥ {}", ratio_number(l)),
        (Some(l), Some(u)) => format!("{} – {}", ratio_number(l), ratio_number(u)),
        (None, None) => "—".into(),
    }
}

fn in_band(b: &BandView, v: f64) -> bool {
    b.lower.is_none_or(|l| v >= l) && b.upper.is_none_or(|u| v < u)
}

#[component]
pub fn RatiosCard(ratios: Vec<RatioView>) -> impl IntoView {
    let lang = use_lang();
    let no_accounts = ratios.iter().all(|r| r.value.is_none());
    let trees = ratios.iter().all(|r| r.bands.is_empty());
    if trees && !no_accounts {
        let total = ratios.len();
        let mut rows = ratios.into_iter();
        let first: Vec<RatioView> = rows.by_ref().take(RATIOS_SHOWN).collect();
        let rest: Vec<RatioView> = rows.collect();
        let header = move || {
            view! {
                <thead><tr>
                    <th scope="col">{tr(Msg::ColGroup)}</th>
                    <th scope="col">{tr(Msg::ColRatio)}</th>
                    <th scope="col" class="num">{tr(Msg::ColValue)}</th>
                    <th scope="col" class="num">{tr(Msg::Points)}</th>
                    <th scope="col">{tr(Msg::ColReference)}</th>
                </tr></thead>
            }
        };
        return view! {
            <section class="card" data-testid="ratios">
                <h2>{tr(Msg::RatiosTitleTrees)}</h2>
                <p class="muted">{tr(Msg::RatiosIntroTrees)}</p>
                <div class="table-wrap">
                    <table class="table ratios">
                        {header()}
                        <tbody>
                            {first.into_iter().map(|r| tree_ratio_row(r, lang)).collect_view()}
                        </tbody>
                    </table>
                </div>
                {(!rest.is_empty()).then(|| view! {
                    <details data-testid="ratios-rest">
                        <summary>{Msg::RatiosAll.format(lang, &[("n", &total.to_string())])}</summary>
                        <div class="table-wrap">
                            <table class="table ratios">
                                {header()}
                                <tbody>
                                    {rest.into_iter().map(|r| tree_ratio_row(r, lang)).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </details>
                })}
            </section>
        }
        .into_any();
    }
    view! {
        <section class="card" data-testid="ratios">
            <h2>{tr(Msg::RatiosTitle)}</h2>
            {if no_accounts {
                view! { <p class="empty-inline muted">{tr(Msg::RatiosNone)}</p> }.into_any()
            } else {
                view! {
                    <p class="muted">{tr(Msg::RatiosIntro)}</p>
                    <div class="table-wrap">
                        <table class="table ratios">
                            <thead><tr>
                                <th scope="col">{tr(Msg::ColRatio)}</th>
                                <th scope="col" class="num">{tr(Msg::ColValue)}</th>
                                <th scope="col" class="num">{tr(Msg::Points)}</th>
                                <th scope="col">{tr(Msg::ColBands)}</th>
                            </tr></thead>
                            <tbody>
                                {ratios.into_iter().map(|r| ratio_row(r, lang)).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
    .into_any()
}

/// Ratios of a tree model shown before the fold (the largest effects).
const RATIOS_SHOWN: usize = 12;

/// A ratio of a tree model: its value (or why there is none), its exact contribution, and where
/// it sits among the reference companies.
fn tree_ratio_row(r: RatioView, lang: Lang) -> impl IntoView {
    let value = match (r.value, r.missing.as_deref()) {
        (Some(v), _) => ratio_number(v),
        (None, Some("zero_denominator")) => Msg::RatioUndefined.text(lang).to_owned(),
        _ => Msg::RatioUnknown.text(lang).to_owned(),
    };
    let class = if r.points > 0.0 {
        "num up"
    } else if r.points < 0.0 {
        "num down"
    } else {
        "num"
    };
    let reference = match (r.decile, r.median) {
        (Some(d), Some(m)) => {
            Msg::RatioDecile.format(lang, &[("d", &d.to_string()), ("m", &ratio_number(m))])
        }
        _ => String::new(),
    };
    view! {
        <tr data-testid="ratio" data-feature=r.feature.clone() data-missing=r.missing.clone()>
            <td class="muted small">{r.group}</td>
            <th scope="row">{r.label.unwrap_or_else(|| ratio_label(&r.feature, lang))}
                {r.source.map(|s| view! { <br /><span class="muted small"><code>{s}</code></span> })}
            </th>
            <td class="num">{value}</td>
            <td class=class>{format!("{:+.1}", r.points)}</td>
            <td class="muted small">{reference}</td>
        </tr>
    }
}

fn ratio_row(r: RatioView, lang: Lang) -> impl IntoView {
    let value = r
        .value
        .map(ratio_number)
        .unwrap_or_else(|| Msg::MissingValue.text(lang).to_owned());
    let class = if r.points >= 0.0 {
        "num up"
    } else {
        "num down"
    };
    let bands = r
        .bands
        .iter()
        .map(|b| {
            let active = r.value.is_some_and(|v| in_band(b, v));
            let class = match (active, b.points >= 0.0) {
                (true, true) => "band band-active band-up",
                (true, false) => "band band-active band-down",
                (false, true) => "band band-up",
                (false, false) => "band band-down",
            };
            view! {
                <li class=class aria-current=active.then_some("true")>
                    <span class="band-range">{band_text(b)}</span>
                    <span class="band-points">{format!("{:+.0}", b.points)}</span>
                </li>
            }
        })
        .collect_view();
    view! {
        <tr data-testid="ratio" data-feature=r.feature.clone()>
            <th scope="row">{ratio_label(&r.feature, lang)}
                {r.source.map(|s| view! { <br /><span class="muted small"><code>{s}</code></span> })}
            </th>
            <td class="num">{value}</td>
            <td class=class>{format!("{:+.0}", r.points)}</td>
            <td><ul class="bands" title=r.band>{bands}</ul></td>
        </tr>
    }
}

#[component]
pub fn LegalTimeline(events: Vec<LegalEventView>, unavailable: bool) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card" data-testid="legal-events">
            <h2>{tr(Msg::LegalTitle)}</h2>
            {if unavailable {
                view! { <p class="empty-inline muted">{tr(Msg::LegalUnavailable)}</p> }.into_any()
            } else if events.is_empty() {
                view! { <p class="empty-inline muted">{tr(Msg::LegalNone)}</p> }.into_any()
            } else {
                view! {
                    <ol class="timeline">
                        {events.into_iter().map(|e| view! {
                            <li class=format!("timeline-item severity-{}", e.severity) data-testid="legal-event" data-severity=e.severity.clone()>
                                <time datetime=e.date.to_string()>{e.date.format("%d/%m/%Y").to_string()}</time>
                                <div>
                                    <p class="timeline-text">{e.text}</p>
                                    <p class="muted small">
                                        {e.court.map(|c| format!("{c} · "))}
                                        {e.published_on.map(|p| format!("{} {}", Msg::PublishedOn.text(lang), p.format("%d/%m/%Y")))}
                                        {e.reference.map(|r| view! { " · " <code>{r}</code> })}
                                    </p>
                                </div>
                            </li>
                        }).collect_view()}
                    </ol>
                }.into_any()
            }}
        </section>
    }
}

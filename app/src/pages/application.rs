//! One application as its sales rep sees it: the decision, why, and what happens next. A case
//! in review updates by itself when a credit manager decides.

use crate::access;
use crate::api::get_case;
use crate::components::cases::OutcomeBadge;
use crate::components::format::{self, eur};
use crate::components::guard::Guarded;
use crate::components::states::{ErrorView, Loading};
use crate::i18n::{tr, use_lang, Lang, Msg};
use crate::model::{CaseDetail, ReasonView};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

/// Whether a case may still change without anyone asking (a manager has yet to decide).
pub fn still_open(status: &str) -> bool {
    crate::model::CaseStatus::parse(status).is_ok_and(|s| s.is_open())
}

pub fn reason_text(r: &ReasonView, lang: Lang) -> String {
    match lang {
        Lang::En => r.text_en.clone(),
        Lang::Fr => r.text_fr.clone(),
    }
}

#[component]
pub fn ApplicationPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let detail = Resource::new(id, get_case);
    // While a manager has yet to decide, ask again every few seconds.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || {
                let open = detail
                    .get_untracked()
                    .and_then(|r| r.ok())
                    .is_some_and(|d| still_open(&d.summary.status));
                if open {
                    detail.refetch();
                }
            },
            std::time::Duration::from_secs(3),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
    view! {
        <Guarded path=access::APPLICATION>
            <Title text=tr(Msg::NavApplications) />
            <p><a href=access::APPLICATIONS>{"← "}{tr(Msg::BackToApplications)}</a></p>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => view! { <DecisionView d /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Transition>
        </Guarded>
    }
}

#[component]
fn DecisionView(d: CaseDetail) -> impl IntoView {
    let lang = use_lang();
    let s = d.summary.clone();
    let code = s
        .final_outcome
        .clone()
        .unwrap_or_else(|| crate::model::Outcome::Refer.as_str().into());
    let next = match crate::model::HumanOutcome::parse(&code) {
        Ok(crate::model::HumanOutcome::Approve) => Msg::NextApprove,
        Ok(crate::model::HumanOutcome::Decline) => Msg::NextDecline,
        Ok(crate::model::HumanOutcome::CounterOffer) => Msg::NextCounterOffer,
        Err(_) => Msg::NextRefer,
    };
    let limit = match s.final_limit_cents {
        Some(l) => (Msg::GrantedLimit, eur(l, lang)),
        None => (Msg::ProposedLimit, eur(s.proposed_limit_cents, lang)),
    };
    let human = d
        .events
        .iter()
        .rev()
        .find(|e| matches!(e.kind.as_str(), "human_decision" | "decision_confirmed"))
        .and_then(|e| e.decision.clone().map(|x| (e.by.clone(), x)));
    view! {
        <header class="page-header decision-header">
            <p class="eyebrow">{format::label(&s.product, format::product, lang)}" · "{eur(s.amount_cents, lang)}</p>
            <h1>{s.company_name.clone().unwrap_or_else(|| s.siren.clone())}" "<a href=access::link(access::COMPANY, &s.siren) data-testid="company-link"><code>{s.siren.clone()}</code></a></h1>
            <p class="decision-outcome" data-testid="decision-status" data-status=s.status.clone()>
                <OutcomeBadge summary=s.clone() />" "
                <span class="muted">{format::label(&s.status, format::status, lang)}</span>
            </p>
        </header>
        <dl class="stat-grid summary-stats">
            <div class="stat">
                <dt>{limit.0.text(lang)}</dt>
                <dd data-testid="decision-limit">{limit.1}</dd>
            </div>
            <div class="stat">
                <dt>{tr(Msg::ScoreAndGrade)}</dt>
                <dd>{s.score}" · "{s.grade.clone()}</dd>
            </div>
            <div class="stat">
                <dt>{tr(Msg::ProbabilityOfDefault)}</dt>
                <dd>{format::percent(s.probability_of_default, lang)}</dd>
            </div>
        </dl>
        <section class="card next-step" data-testid="next-step">
            <h2>{tr(Msg::WhatNext)}</h2>
            <p>{next.text(lang)}</p>
            {human.map(|(by, h)| view! {
                <p class="muted">
                    {by}" — "{format::label(&h.category, format::category, lang)}": "{h.justification}
                </p>
            })}
        </section>
        <section class="card">
            <h2>{tr(Msg::WhyThisDecision)}</h2>
            <ul class="reasons">
                {d.reasons.iter().map(|r| view! {
                    <li class=format!("reason-line reason-{}", r.kind)>
                        <code>{r.code.clone()}</code>" "{reason_text(r, lang)}
                    </li>
                }).collect_view()}
            </ul>
        </section>
    }
}

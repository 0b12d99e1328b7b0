//! A case as credit managers work it and auditors read it: summary, reasons with their
//! contributions, fraud signals, sources, history, and the actions (claim, decide with a
//! category and justification, second-manager confirmation, notes). Each action is the
//! `act_on_case` server function used through `ActionForm`: it works before the wasm has
//! loaded, and once hydrated a refused form keeps what was typed.

use crate::access;
use crate::actions::ActOnCase;
use crate::api::{get_case, replay_decision};
use crate::components::cases::OutcomeBadge;
use crate::components::evidence::{BalanceCard, LegalTimeline, RatiosCard};
use crate::components::format::{self, eur};
use crate::components::guard::Guarded;
use crate::components::session::use_session_user;
use crate::components::states::{failure, successes, ErrorView, FormError, Loading};
use crate::i18n::{tr, use_lang, Lang, Msg};
use crate::model::{
    CaseDetail, HumanDecision, HumanOutcome, LineageView, Role, DECISION_CATEGORIES,
};
use crate::pages::application::reason_text;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

#[component]
pub fn CasePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id")).unwrap_or_default();
    let act = ServerAction::<ActOnCase>::new();
    let done = successes(act);
    let detail = Resource::new(move || (id(), done.get()), |(id, _)| get_case(id));
    let back = use_session_user()
        .filter(|u| u.role == Role::CreditManager)
        .map(|_| view! { <p><a href=access::QUEUE>{"← "}{tr(Msg::BackToQueue)}</a></p> });
    view! {
        <Guarded path=access::CASE>
            <Title text=tr(Msg::CaseTitle) />
            {back}
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(d) => view! { <CaseView d act /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </Guarded>
    }
}

fn decision_text(h: &HumanDecision, lang: Lang) -> String {
    let outcome = format::label(h.outcome.as_str(), format::outcome, lang);
    match h.limit_cents {
        Some(l) if h.outcome != HumanOutcome::Decline => format!("{outcome} · {}", eur(l, lang)),
        _ => outcome,
    }
}

#[component]
fn CaseView(d: CaseDetail, act: ServerAction<ActOnCase>) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let s = d.summary.clone();
    let notice = move || match (failure(act), query.with(|m| m.get("done"))) {
        (Some(error), _) => Some(view! { <FormError error testid="case-error" /> }.into_any()),
        (None, Some(_)) => Some(
            view! {
                <div class="alert alert-success" role="status" data-testid="case-done">
                    {Msg::ActionDone.text(lang)}
                </div>
            }
            .into_any(),
        ),
        (None, None) => None,
    };
    let max_points = d
        .reasons
        .iter()
        .filter_map(|r| r.points)
        .fold(1.0_f64, |m, p| m.max(p.abs()));
    let holder = s.claimed_by_name.clone();
    view! {
        <header class="page-header">
            <p class="eyebrow">{format::label(&s.product, format::product, lang)}" · "{eur(s.amount_cents, lang)}</p>
            <h1>{s.company_name.clone().unwrap_or_else(|| s.siren.clone())}" "<a href=access::link(access::COMPANY, &s.siren) data-testid="company-link"><code>{s.siren.clone()}</code></a></h1>
            <p data-testid="case-status" data-status=s.status.clone()>
                <OutcomeBadge summary=s.clone() />" "
                <span class="muted">{format::label(&s.status, format::status, lang)}</span>
                {holder.map(|n| view! { " · " <strong data-testid="case-holder">{Msg::HeldBy.format(lang, &[("name", &n)])}</strong> })}
            </p>
        </header>
        {notice}
        {d.monitoring.clone().map(|m| view! {
            <div class="alert alert-info" role="status" data-testid="monitoring-review">
                <strong>{Msg::MonitoringReview.text(lang)}</strong>
                <p>{Msg::MonitoringReviewText.format(lang, &[("granted", &eur(m.granted_limit_cents, lang))])}</p>
                <ul>{m.changes.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
                <p class="small">
                    {Msg::GrantDecision.text(lang)}": "<a href=access::link(access::CASE, &m.granted_decision_id)><code>{m.granted_decision_id.clone()}</code></a>
                    " · "{Msg::PreviousCheck.text(lang)}": "<code>{m.previous_decision_id.clone()}</code>
                </p>
            </div>
        })}
        {d.line_review.clone().map(|r| view! {
            <div class="alert alert-info" role="status" data-testid="line-review">
                <strong>{r.product.clone()}": "{eur(r.previous_limit_cents, lang)}
                    {r.new_limit_cents.map(|n| format!(" → {}", eur(n, lang)))}
                    {r.proposed_limit_cents.map(|n| format!(" · {} {}", Msg::ProposedReducedLimit.text(lang), eur(n, lang)))}
                </strong>
                <ul>{r.reasons.iter().map(|c| view! { <li>{c.clone()}</li> }).collect_view()}</ul>
            </div>
        })}
        <dl class="stat-grid summary-stats">
            <div class="stat"><dt>{tr(Msg::ScoreAndGrade)}</dt><dd>{s.score}" · "{s.grade.clone()}</dd></div>
            <div class="stat"><dt>{tr(Msg::ProbabilityOfDefault)}</dt><dd>{format::percent(s.probability_of_default, lang)}</dd></div>
            <div class="stat"><dt>{tr(Msg::ProposedLimit)}</dt><dd>{eur(s.proposed_limit_cents, lang)}</dd></div>
            <div class="stat"><dt>{tr(Msg::ColReferral)}</dt><dd class="stat-text">{
                s.referrals.iter().map(|r| format::label(r, format::referral, lang)).collect::<Vec<_>>().join(", ")
            }</dd></div>
        </dl>
        <div class="case-grid">
            <div class="case-main">
                <section class="card">
                    <h2>{tr(Msg::Reasons)}</h2>
                    <ul class="reasons" data-testid="reasons">
                        {d.reasons.iter().map(|r| {
                            let bar = r.points.map(|p| {
                                let width = (p.abs() / max_points * 100.0).clamp(2.0, 100.0);
                                let class = if p >= 0.0 { "bar bar-up" } else { "bar bar-down" };
                                view! {
                                    <span class="bar-track" aria-hidden="true"><span class=class style=format!("width:{width:.0}%")></span></span>
                                    <span class="points">{format!("{p:+.0} ")}{Msg::Points.text(lang)}</span>
                                }
                            });
                            view! {
                                <li class=format!("reason reason-{}", r.kind)>
                                    <span><code>{r.code.clone()}</code>" "{reason_text(r, lang)}
                                        {r.value.clone().map(|v| view! { " " <span class="muted">"("{v}{r.threshold.clone().map(|t| format!(" / {t}"))}")"</span> })}
                                    </span>
                                    {bar}
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                </section>
                {d.waterfall_svg.clone().map(|svg| view! {
                    <section class="card">
                        <h2>{tr(Msg::ChartScoreTitle)}</h2>
                        <div class="chart" role="img" aria-label=tr(Msg::ChartScoreTitle) data-testid="waterfall" inner_html=svg></div>
                    </section>
                })}
                {d.waterfall_svg.is_some().then(|| view! {
                    <BalanceCard balance=d.balance.clone() />
                    <RatiosCard ratios=d.ratios.clone() />
                    <LegalTimeline events=d.legal_events.clone() unavailable=d.legal_unavailable />
                })}
                <section class="card">
                    <h2>{tr(Msg::FraudSignals)}</h2>
                    {if d.fraud_flags.is_empty() {
                        view! { <p class="muted">{tr(Msg::NoFraudSignals)}</p> }.into_any()
                    } else {
                        view! {
                            <ul data-testid="fraud-flags">
                                {d.fraud_flags.iter().map(|(code, evidence)| view! {
                                    <li><code>{code.clone()}</code>
                                        <ul>{evidence.iter().map(|e| view! { <li>{e.clone()}</li> }).collect_view()}</ul>
                                    </li>
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }}
                </section>
                {(!d.lineage.is_empty()).then(|| view! { <Lineage items=d.lineage.clone() /> })}
                <section class="card">
                    <h2>{tr(Msg::SourcesUsed)}</h2>
                    <ul class="sources">
                        {d.sources.iter().map(|x| view! {
                            <li>
                                <code>{x.source.clone()}</code>" "{x.provider.clone()}" · "
                                {if x.answered {
                                    format!("{} ms", x.latency_ms)
                                } else {
                                    format!("{}: {}", Msg::SourceMissing.text(lang), x.missing_reason.clone().unwrap_or_default())
                                }}
                            </li>
                        }).collect_view()}
                    </ul>
                    <p class="muted">{tr(Msg::Versions)}": "{d.engine_version.clone()}" · "{d.model_version.clone()}" · "{d.policy_version.clone()}</p>
                </section>
            </div>
            <aside class="case-side">
                <Actions d=d.clone() act />
                {use_session_user()
                    .filter(|u| u.role == Role::Auditor)
                    .map(|_| view! { <AuditorTools id=s.decision_id.clone() /> })}
                <section class="card">
                    <h2>{tr(Msg::History)}</h2>
                    {if d.events.is_empty() {
                        view! { <p class="muted">{tr(Msg::NoEvents)}</p> }.into_any()
                    } else {
                        view! {
                            <ol class="timeline" data-testid="history">
                                {d.events.iter().map(|e| view! {
                                    <li data-kind=e.kind.clone()>
                                        <span class="muted">{e.at.format("%Y-%m-%d %H:%M").to_string()}</span>" "
                                        <strong>{e.by.clone()}</strong>" "{format::label(&e.kind, format::event, lang)}
                                        {e.decision.as_ref().map(|h| view! {
                                            <p>{decision_text(h, lang)}" — "{format::label(&h.category, format::category, lang)}<br />{h.justification.clone()}</p>
                                        })}
                                        {e.text.clone().map(|t| view! { <p class="note">{t}</p> })}
                                    </li>
                                }).collect_view()}
                            </ol>
                        }.into_any()
                    }}
                </section>
            </aside>
        </div>
    }
}

/// What the viewer may do, as forms.
#[component]
fn Actions(d: CaseDetail, act: ServerAction<ActOnCase>) -> impl IntoView {
    let lang = use_lang();
    let id = d.summary.decision_id.clone();
    let four_eyes =
        Msg::FourEyesNotice.format(lang, &[("amount", &eur(d.four_eyes_above_cents, lang))]);
    let hidden = |a: &'static str| {
        view! {
            <input type="hidden" name="id" value=id.clone() />
            <input type="hidden" name="action" value=a />
        }
    };
    let (claim_fields, release_fields, decide_fields) =
        (hidden("claim"), hidden("release"), hidden("decide"));
    let (confirm_fields, reject_fields, note_fields) =
        (hidden("confirm"), hidden("reject"), hidden("note"));
    let claim = d.can_claim.then(|| view! {
        <ActionForm action=act>
            {claim_fields}
            <button class="btn btn-primary btn-block" data-testid="claim">{tr(Msg::Claim)}</button>
        </ActionForm>
    });
    let release = d.can_release.then(|| {
        view! {
            <ActionForm action=act>
                {release_fields}
                <button class="btn btn-small" data-testid="release">{tr(Msg::Release)}</button>
            </ActionForm>
        }
    });
    let decide = d.can_decide.then(|| view! {
        <ActionForm action=act attr:class="form" attr:data-testid="decide-form">
            {decide_fields}
            <h3>{tr(Msg::Decide)}</h3>
            <p class="muted">{tr(Msg::DecideIntro)}" "{four_eyes.clone()}</p>
            <fieldset class="field">
                <legend>{tr(Msg::FieldOutcome)}</legend>
                {HumanOutcome::ALL.iter().copied().map(|o| view! {
                    <label class="radio">
                        <input type="radio" name="outcome" value=o.as_str() required />
                        " "{format::label(o.as_str(), format::outcome, lang)}
                    </label>
                }).collect_view()}
            </fieldset>
            <div class="field">
                <label for="limit">{tr(Msg::FieldLimit)}</label>
                <input id="limit" name="limit" type="text" inputmode="decimal" autocomplete="off" />
            </div>
            <div class="field">
                <label for="category">{tr(Msg::FieldCategory)}</label>
                <select id="category" name="category" required>
                    <option value="">"—"</option>
                    {DECISION_CATEGORIES.into_iter().map(|c| view! {
                        <option value=c>{format::label(c, format::category, lang)}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="justification">{tr(Msg::FieldJustification)}</label>
                <textarea id="justification" name="justification" rows="4" required minlength="20"></textarea>
                <span class="field-hint">{tr(Msg::FieldJustificationHint)}</span>
            </div>
            <button class="btn btn-primary" data-testid="record-decision">{tr(Msg::RecordDecision)}</button>
        </ActionForm>
    });
    let pending = d.pending.clone().map(|(h, by)| {
        let confirm = d.can_confirm;
        view! {
            <div class="pending" data-testid="pending">
                <h3>{tr(Msg::Pending)}</h3>
                <p><strong>{decision_text(&h, lang)}</strong>" — "{format::label(&h.category, format::category, lang)}</p>
                <p>{h.justification.clone()}</p>
                <p class="muted">{Msg::PendingBy.format(lang, &[("name", &by)])}</p>
                {if confirm {
                    view! {
                        <ActionForm action=act>
                            {confirm_fields}
                            <button class="btn btn-primary" data-testid="confirm">{tr(Msg::Confirm)}</button>
                        </ActionForm>
                        <ActionForm action=act attr:class="form">
                            {reject_fields}
                            <div class="field">
                                <label for="reason">{tr(Msg::RejectReason)}</label>
                                <input id="reason" name="reason" type="text" required />
                            </div>
                            <button class="btn" data-testid="reject">{tr(Msg::Reject)}</button>
                        </ActionForm>
                    }.into_any()
                } else {
                    view! { <p class="alert alert-info">{tr(Msg::OwnProposal)}</p> }.into_any()
                }}
            </div>
        }
    });
    let note = d.can_note.then(|| {
        view! {
            <ActionForm action=act attr:class="form">
                {note_fields}
                <div class="field">
                    <label for="text">{tr(Msg::AddNote)}</label>
                    <textarea id="text" name="text" rows="2" required></textarea>
                </div>
                <button class="btn btn-small" data-testid="add-note">{tr(Msg::AddNote)}</button>
            </ActionForm>
        }
    });
    let any = d.can_claim || d.can_release || d.can_decide || d.pending.is_some() || d.can_note;
    any.then(|| {
        view! {
            <section class="card actions" data-testid="actions">
                {claim}
                {pending}
                {decide}
                {release}
                {note}
            </section>
        }
    })
}

/// Replay (with the recorded versions or today's) and the dossier's exports. Replay is asked
/// for with a plain link, so it works before the wasm has loaded.
#[component]
fn AuditorTools(id: String) -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    // Follows the address, so that the links work after hydration (client-side navigation)
    // as well as before.
    let current = move || {
        query.with(|m| match m.get("replay").as_deref() {
            Some("recorded") => Some(false),
            Some("current") => Some(true),
            _ => None,
        })
    };
    let target = id.clone();
    let verdict = Resource::new(current, move |current| {
        let id = target.clone();
        async move {
            match current {
                Some(c) => Some(replay_decision(id, c).await),
                None => None,
            }
        }
    });
    let here = format!("/cases/{}", access::url_encode(&id));
    view! {
        <section class="card" data-testid="auditor-tools">
            <h2>{tr(Msg::Replay)}</h2>
            <p class="muted">{tr(Msg::ReplayIntro)}</p>
            <p class="button-row">
                <a class="btn btn-primary btn-small" data-testid="replay-recorded" href=format!("{here}?replay=recorded")>{tr(Msg::ReplayRecorded)}</a>
                <a class="btn btn-small" data-testid="replay-current" href=format!("{here}?replay=current")>{tr(Msg::ReplayCurrent)}</a>
            </p>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match verdict.await {
                        Some(Ok(v)) if v.identical => view! {
                            <div class="alert alert-success" data-testid="replay-verdict" data-identical="true">
                                <strong>{Msg::ReplayIdentical.text(lang)}</strong>
                                <br />{format!("{} · {}", v.model_version, v.policy_version)}
                                {v.notes.into_iter().map(|n| view! { <br />{n} }).collect_view()}
                            </div>
                        }.into_any(),
                        Some(Ok(v)) => view! {
                            <div class="alert alert-warning" data-testid="replay-verdict" data-identical="false">
                                <strong>{Msg::ReplayDifferent.format(lang, &[("count", &v.differences.len().to_string())])}</strong>
                                <br />{format!("{} · {}", v.model_version, v.policy_version)}
                                <ul class="diff">
                                    {v.differences.into_iter().take(50).map(|(path, was, now)| view! {
                                        <li><code>{path}</code>": "{was}" → "{now}</li>
                                    }).collect_view()}
                                </ul>
                                {v.notes.into_iter().map(|n| view! { <p>{n}</p> }).collect_view()}
                            </div>
                        }.into_any(),
                        Some(Err(error)) => view! { <ErrorView error /> }.into_any(),
                        None => ().into_any(),
                    }
                })}
            </Suspense>
            <h3>{tr(Msg::Export)}</h3>
            <p class="button-row">
                <a class="btn btn-small" data-testid="export-json" href=format!("{here}/dossier.json") download>{tr(Msg::ExportJson)}</a>
            </p>
            <p class="muted">{tr(Msg::PrintHint)}</p>
        </section>
    }
}

/// Each feature with its source, snapshot (time, hash) and the part of the raw payload it was
/// read at, highlighted. `<details>` opens without JavaScript.
#[component]
fn Lineage(items: Vec<LineageView>) -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="card" data-testid="lineage">
            <h2>{tr(Msg::Lineage)}</h2>
            <p class="muted">{tr(Msg::LineageIntro)}</p>
            <div class="lineage">
                {items.into_iter().map(|l| {
                    let value = l.value.map(|v| {
                        if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.4}") }
                    }).unwrap_or_else(|| Msg::Missing.text(lang).to_owned());
                    let snapshot = match (&l.snapshot, l.fetched_at) {
                        (Some(sha), Some(at)) => format!("{} · sha256 {}…", at.format("%Y-%m-%d %H:%M:%S UTC"), &sha[..12.min(sha.len())]),
                        (Some(sha), None) => format!("sha256 {}…", &sha[..12.min(sha.len())]),
                        _ => Msg::NoSnapshot.text(lang).to_owned(),
                    };
                    let highlight = l.highlight;
                    view! {
                        <details class="lineage-item" data-feature=l.feature.clone()>
                            <summary>
                                <code>{l.feature.clone()}</code>" = "<strong>{value}</strong>
                                <span class="muted">" · "{l.source.clone()}" · "{snapshot}</span>
                            </summary>
                            <dl class="lineage-meta">
                                <dt>{tr(Msg::LineagePath)}</dt><dd><code>{l.path.clone()}</code></dd>
                                <dt>{tr(Msg::LineageTransform)}</dt><dd>{l.transform.clone()}</dd>
                                {l.request.clone().map(|r| view! { <dt>{tr(Msg::LineageRequest)}</dt><dd><code>{r}</code></dd> })}
                            </dl>
                            {(!l.excerpt.is_empty()).then(|| view! {
                                <pre class="payload">{l.excerpt.into_iter().enumerate().map(|(i, line)| {
                                    if Some(i) == highlight {
                                        view! { <mark data-testid="lineage-mark">{line}</mark>"\n" }.into_any()
                                    } else {
                                        view! { {line}"\n" }.into_any()
                                    }
                                }).collect_view()}</pre>
                            })}
                        </details>
                    }
                }).collect_view()}
            </div>
        </section>
    }
}

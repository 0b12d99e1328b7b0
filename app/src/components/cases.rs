//! Pieces shared by the pages that list and show cases.

use crate::access::{self, link};
use crate::components::format::{self, eur};
use crate::i18n::{use_lang, Lang, Msg};
use crate::model::{CaseList, CaseSummary};
use leptos::prelude::*;

/// The outcome in force as a badge: the human decision if any, else the automated one.
#[component]
pub fn OutcomeBadge(summary: CaseSummary) -> impl IntoView {
    let lang = use_lang();
    let code = summary
        .final_outcome
        .clone()
        .unwrap_or_else(|| crate::model::Outcome::Refer.as_str().to_owned());
    let text = if crate::model::CaseStatus::AwaitingConfirmation == summary.status.as_str() {
        Msg::StatusAwaiting.text(lang).to_owned()
    } else {
        format::label(&code, format::outcome, lang)
    };
    view! { <span class=format::outcome_class(&code) data-testid="outcome">{text}</span> }
}

/// Which columns a case table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    /// A sales rep's own applications.
    Mine,
    /// The credit managers' queue.
    Queue,
    /// The auditors' search.
    Search,
}

fn company(c: &CaseSummary) -> impl IntoView {
    view! {
        <span class="company">
            <span class="company-name">{c.company_name.clone().unwrap_or_else(|| "—".into())}</span>
            <code class="company-siren">{c.siren.clone()}</code>
        </span>
    }
}

fn row(c: CaseSummary, kind: TableKind, target_minutes: i64, lang: Lang) -> impl IntoView {
    let href = match kind {
        TableKind::Mine => link(access::APPLICATION, &c.decision_id),
        TableKind::Queue | TableKind::Search => link(access::CASE, &c.decision_id),
    };
    let late = c.age_minutes > target_minutes;
    let referrals = c
        .referrals
        .iter()
        .map(|r| format::label(r, format::referral, lang))
        .collect::<Vec<_>>()
        .join(", ");
    let limit = c
        .final_limit_cents
        .map(|l| eur(l, lang))
        .unwrap_or_else(|| "—".into());
    let holder = c
        .claimed_by_name
        .clone()
        .unwrap_or_else(|| Msg::Free.text(lang).to_owned());
    view! {
        <tr data-testid="case-row" data-decision=c.decision_id.clone()>
            <td>
                <a href=href.clone()>{company(&c)}</a>
                " "<a class="small" href=link(access::COMPANY, &c.siren) data-testid="company-link">{Msg::CompanyTitle.text(lang)}</a>
            </td>
            <td>{format::label(&c.product, format::product, lang)}</td>
            <td class="num">{eur(c.amount_cents, lang)}</td>
            {match kind {
                TableKind::Queue => view! {
                    <td>{referrals}</td>
                    <td class="num">{c.score}" · "{c.grade.clone()}</td>
                    <td class=if late { "num late" } else { "num" }>
                        {format::age(c.age_minutes, lang)}
                        {late.then(|| view! { <span class="badge badge-decline">{Msg::OverTarget.text(lang)}</span> })}
                    </td>
                    <td>{holder}</td>
                    <td><OutcomeBadge summary=c.clone() /></td>
                }.into_any(),
                TableKind::Mine | TableKind::Search => view! {
                    <td><OutcomeBadge summary=c.clone() />
                        {c.overridden.then(|| view! { " " <span class="badge badge-muted">{Msg::Overridden.text(lang)}</span> })}
                    </td>
                    <td class="num">{limit}</td>
                    <td class="num">{c.score}" · "{c.grade.clone()}</td>
                    <td>{c.decided_at.format("%Y-%m-%d %H:%M").to_string()}</td>
                }.into_any(),
            }}
        </tr>
    }
}

/// A page of cases as a table, with the pager under it.
#[component]
pub fn CaseTable(list: CaseList, kind: TableKind, base: String) -> impl IntoView {
    let lang = use_lang();
    let head = match kind {
        TableKind::Queue => vec![
            Msg::ColCompany,
            Msg::ColProduct,
            Msg::ColAmount,
            Msg::ColReferral,
            Msg::ColScore,
            Msg::ColAge,
            Msg::ColHolder,
            Msg::ColStatus,
        ],
        TableKind::Mine | TableKind::Search => vec![
            Msg::ColCompany,
            Msg::ColProduct,
            Msg::ColAmount,
            Msg::ColOutcome,
            Msg::ColLimit,
            Msg::ColScore,
            Msg::ColDecided,
        ],
    };
    let numeric = [Msg::ColAmount, Msg::ColLimit, Msg::ColScore, Msg::ColAge];
    let target = list.target_minutes;
    let pager = pager(&list, &base, lang);
    view! {
        <div class="table-wrap">
            <table class="table" data-testid="case-table">
                <thead>
                    <tr>
                        {head.into_iter().map(|m| {
                            let class = if numeric.contains(&m) { "num" } else { "" };
                            view! { <th scope="col" class=class>{m.text(lang)}</th> }
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {list.cases.into_iter().map(|c| row(c, kind, target, lang)).collect_view()}
                </tbody>
            </table>
        </div>
        {pager}
    }
}

/// "Page 2 of 7 · 160 cases" with links to the pages around it. `base` is the list's address
/// with its filters and without `page`.
fn pager(list: &CaseList, base: &str, lang: Lang) -> impl IntoView {
    let pages = ((list.total + list.per_page - 1) / list.per_page.max(1)).max(1);
    let sep = if base.contains('?') { '&' } else { '?' };
    let href = move |p: i64| format!("{base}{sep}page={p}");
    let text = Msg::PageOf.format(
        lang,
        &[
            ("page", &list.page.to_string()),
            ("pages", &pages.to_string()),
            ("total", &list.total.to_string()),
        ],
    );
    let prev = (list.page > 1).then(|| href(list.page - 1));
    let next = (list.page < pages).then(|| href(list.page + 1));
    view! {
        <nav class="pager" aria-label="pagination">
            <span class="muted" data-testid="pager-text">{text}</span>
            {prev.map(|h| view! { <a class="btn btn-small" rel="prev" href=h>{Msg::PagePrevious.text(lang)}</a> })}
            {next.map(|h| view! { <a class="btn btn-small" rel="next" href=h>{Msg::PageNext.text(lang)}</a> })}
        </nav>
    }
}

/// One filter of a GET form: "any" or one of `codes`, each shown with its label.
#[component]
pub fn CodeFilter(
    name: &'static str,
    label: Msg,
    codes: Vec<&'static str>,
    label_of: fn(&str) -> Option<Msg>,
    selected: String,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="field">
            <label for=name>{label.text(lang)}</label>
            <select id=name name=name>
                <option value="">{Msg::FilterAny.text(lang)}</option>
                {codes.into_iter().map(|c| view! {
                    <option value=c selected=selected == c>{format::label(c, label_of, lang)}</option>
                }).collect_view()}
            </select>
        </div>
    }
}

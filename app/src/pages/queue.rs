//! The credit managers' queue: referred cases with their reason, product, amount, company and
//! age against the service target; filters and sorting are a plain GET form, pages are
//! fetched from the server.

use crate::access;
use crate::api::review_queue;
use crate::components::cases::{CaseTable, CodeFilter, TableKind};
use crate::components::format;
use crate::components::guard::Guarded;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::i18n::{tr, use_lang, Msg};
use crate::model::CaseQuery;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The list's address with its filters, without the page number.
fn base(q: &CaseQuery) -> String {
    let mut parts = Vec::new();
    for (k, v) in [
        ("referral", &q.referral),
        ("product", &q.product),
        ("sort", &q.sort),
    ] {
        if !v.is_empty() {
            parts.push(format!("{k}={}", access::url_encode(v)));
        }
    }
    if parts.is_empty() {
        access::QUEUE.to_owned()
    } else {
        format!("{}?{}", access::QUEUE, parts.join("&"))
    }
}

#[component]
pub fn QueuePage() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let current = move || {
        query.with(|m| {
            let get = |k: &str| m.get(k).unwrap_or_default();
            CaseQuery {
                referral: get("referral"),
                product: get("product"),
                sort: get("sort"),
                page: get("page").parse().unwrap_or(1),
                ..CaseQuery::default()
            }
        })
    };
    let list = Resource::new(current, review_queue);
    let initial = move |k: &str| query.with_untracked(|m| m.get(k)).unwrap_or_default();
    let selected = move |k: &str, v: &str| initial(k) == v;
    let sorts = [
        ("oldest", Msg::SortOldest),
        ("newest", Msg::SortNewest),
        ("amount_desc", Msg::SortAmountDesc),
        ("score_asc", Msg::SortScoreAsc),
    ];
    view! {
        <Guarded path=access::QUEUE>
            <Title text=tr(Msg::NavQueue) />
            <header class="page-header">
                <h1>{tr(Msg::NavQueue)}</h1>
                <p class="lead">{tr(Msg::QueueIntro)}</p>
            </header>
            <form method="get" action=access::QUEUE class="filters" data-testid="queue-filters">
                <CodeFilter name="referral" label=Msg::FilterReferral codes=format::REFERRALS.to_vec() label_of=format::referral selected=initial("referral") />
                <CodeFilter name="product" label=Msg::FilterProduct codes=format::PRODUCTS.to_vec() label_of=format::product selected=initial("product") />
                <div class="field">
                    <label for="sort">{tr(Msg::FilterSort)}</label>
                    <select id="sort" name="sort">
                        {sorts.into_iter().map(|(v, m)| view! {
                            <option value=v selected=selected("sort", v)>{m.text(lang)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="btn">{tr(Msg::ApplyFilters)}</button>
            </form>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    let q = current();
                    match list.await {
                        Ok(l) if l.total == 0 => view! { <EmptyState message=Msg::QueueEmpty /> }.into_any(),
                        Ok(l) => view! { <CaseTable list=l kind=TableKind::Queue base=base(&q) /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Transition>
        </Guarded>
    }
}

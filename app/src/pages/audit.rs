//! The auditors' search: any decision by SIREN, date range, outcome, product, overridden or
//! not; each opens its case page (the dossier).

use crate::access;
use crate::api::{audit_chain, search_decisions};
use crate::components::cases::{CaseTable, CodeFilter, TableKind};
use crate::components::format;
use crate::components::guard::Guarded;
use crate::components::states::{EmptyState, ErrorView, Loading};
use crate::i18n::{tr, use_lang, Msg};
use crate::model::CaseQuery;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const FIELDS: [&str; 6] = ["siren", "from", "to", "outcome", "product", "overridden"];

#[component]
pub fn AuditPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.with(|m| m.get(k)).unwrap_or_default();
    let current = move || CaseQuery {
        siren: get("siren"),
        from: get("from"),
        to: get("to"),
        outcome: get("outcome"),
        product: get("product"),
        overridden: get("overridden"),
        sort: "newest".into(),
        page: get("page").parse().unwrap_or(1),
        ..CaseQuery::default()
    };
    let base = move || {
        let parts: Vec<String> = FIELDS
            .iter()
            .filter_map(|k| {
                let v = get(k);
                (!v.is_empty()).then(|| format!("{k}={}", access::url_encode(&v)))
            })
            .collect();
        if parts.is_empty() {
            access::AUDIT.to_owned()
        } else {
            format!("{}?{}", access::AUDIT, parts.join("&"))
        }
    };
    let list = Resource::new(current, search_decisions);
    let initial = move |k: &str| query.with_untracked(|m| m.get(k)).unwrap_or_default();
    let selected = move |k: &str, v: &str| initial(k) == v;
    let outcomes = crate::model::OUTCOMES_IN_FORCE;
    view! {
        <Guarded path=access::AUDIT>
            <Title text=tr(Msg::NavAudit) />
            <header class="page-header">
                <h1>{tr(Msg::NavAudit)}</h1>
            </header>
            <ChainState />
            <form method="get" action=access::AUDIT class="filters" data-testid="audit-filters">
                <div class="field">
                    <label for="siren">"SIREN"</label>
                    <input id="siren" name="siren" type="text" inputmode="numeric" value=initial("siren") />
                </div>
                <div class="field">
                    <label for="from">{tr(Msg::FilterFrom)}</label>
                    <input id="from" name="from" type="date" value=initial("from") />
                </div>
                <div class="field">
                    <label for="to">{tr(Msg::FilterTo)}</label>
                    <input id="to" name="to" type="date" value=initial("to") />
                </div>
                <CodeFilter name="outcome" label=Msg::ColOutcome codes=outcomes.to_vec() label_of=format::outcome selected=initial("outcome") />
                <CodeFilter name="product" label=Msg::FilterProduct codes=format::PRODUCTS.to_vec() label_of=format::product selected=initial("product") />
                <div class="field">
                    <label for="overridden">{tr(Msg::Overridden)}</label>
                    <select id="overridden" name="overridden">
                        <option value="">{tr(Msg::FilterAny)}</option>
                        <option value="yes" selected=selected("overridden", "yes")>{tr(Msg::Yes)}</option>
                        <option value="no" selected=selected("overridden", "no")>{tr(Msg::No)}</option>
                    </select>
                </div>
                <button type="submit" class="btn">{tr(Msg::ApplyFilters)}</button>
            </form>
            <Transition fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    let base = base();
                    match list.await {
                        Ok(l) if l.total == 0 => view! { <EmptyState message=Msg::AuditEmpty /> }.into_any(),
                        Ok(l) => view! { <CaseTable list=l kind=TableKind::Search base /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Transition>
        </Guarded>
    }
}

/// The audit trail's verification, run when the page is shown.
#[component]
fn ChainState() -> impl IntoView {
    let lang = use_lang();
    let chain = Resource::new(|| (), |_| audit_chain());
    view! {
        <Suspense fallback=|| view! { <Loading /> }>
            {move || Suspend::new(async move {
                match chain.await {
                    Ok(c) => match c.first_broken {
                        None => view! {
                            <div class="alert alert-success" role="status" data-testid="chain-status" data-intact="true">
                                {Msg::ChainIntact.format(lang, &[("records", &c.records.to_string())])}
                            </div>
                        }.into_any(),
                        Some((seq, id, problem)) => view! {
                            <div class="alert alert-error" role="alert" data-testid="chain-status" data-intact="false">
                                {Msg::ChainBroken.format(lang, &[("seq", &seq.to_string()), ("id", &id), ("problem", &problem)])}
                            </div>
                        }.into_any(),
                    },
                    Err(error) => view! { <ErrorView error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

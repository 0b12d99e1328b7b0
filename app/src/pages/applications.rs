//! The sales rep's page: the application form and "my applications".

use crate::access;
use crate::actions::SubmitApplication;
use crate::api::{my_applications, preview_company};
use crate::components::cases::{CaseTable, TableKind};
use crate::components::format;
use crate::components::guard::Guarded;
use crate::components::states::{failure, EmptyState, ErrorView, FormError, Loading};
use crate::i18n::{tr, use_lang, Msg};
use crate::ids::Siren;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    view! {
        <Guarded path=access::APPLICATIONS>
            <Title text=tr(Msg::NavApplications) />
            <header class="page-header">
                <h1>{tr(Msg::NavApplications)}</h1>
            </header>
            <ApplicationForm />
            <MyApplications />
        </Guarded>
    }
}

/// The form is a server function used through `ActionForm`: it posts as plain HTML before the
/// wasm has loaded; once hydrated, the SIREN is checked as it is typed and the company shown
/// before submitting, and a refused form keeps what was typed. A link can fill it in
/// (`?siren=…&amount=…&product=…`).
#[component]
fn ApplicationForm() -> impl IntoView {
    let lang = use_lang();
    let query = use_query_map();
    let q = move |k: &str| query.with_untracked(|m| m.get(k)).unwrap_or_default();
    let submit = ServerAction::<SubmitApplication>::new();
    let siren = RwSignal::new(q("siren"));
    let product = {
        let p = q("product");
        if format::PRODUCTS.contains(&p.as_str()) {
            p
        } else {
            "bnpl".to_owned()
        }
    };
    let valid = move || Siren::parse(&siren.get()).ok().map(|s| s.to_string());
    let invalid = move || {
        let digits = siren.with(|s| s.chars().filter(char::is_ascii_digit).count());
        digits >= 9 && valid().is_none()
    };
    let preview = Resource::new(valid, |s| async move {
        match s {
            Some(s) => Some(preview_company(s).await),
            None => None,
        }
    });
    let field = move |name: &'static str, label: Msg, kind: &'static str, value: String| {
        view! {
            <div class="field">
                <label for=name>{label.text(lang)}</label>
                <input id=name name=name type=kind inputmode="decimal" value=value autocomplete="off" />
            </div>
        }
    };
    view! {
        <section class="card">
            <h2>{tr(Msg::NewApplication)}</h2>
            <p class="muted">{tr(Msg::NewApplicationIntro)}</p>
            {move || failure(submit).map(|error| view! { <FormError error testid="application-error" /> })}
            <ActionForm action=submit attr:class="form application-form" attr:data-testid="application-form">
                <div class="form-row">
                    <div class="field">
                        <label for="siren">{tr(Msg::FieldSiren)}</label>
                        <input
                            id="siren"
                            name="siren"
                            type="text"
                            inputmode="numeric"
                            autocomplete="off"
                            required
                            autofocus
                            maxlength="11"
                            prop:value=move || siren.get()
                            on:input=move |ev| siren.set(event_target_value(&ev))
                            aria-invalid=move || invalid().to_string()
                            aria-describedby="siren-hint siren-preview"
                        />
                        <span id="siren-hint" class="field-hint">{tr(Msg::FieldSirenHint)}</span>
                        <div id="siren-preview" aria-live="polite" data-testid="siren-preview">
                            {move || invalid().then(|| view! { <span class="field-error">{Msg::SirenInvalid.text(lang)}</span> })}
                            <Transition fallback=|| ()>
                                {move || Suspend::new(async move {
                                    match preview.await {
                                        Some(Ok(p)) => match p.name {
                                            Some(name) => {
                                                let (class, state) = if p.active == Some(false) {
                                                    ("badge badge-decline", Msg::CompanyCeased)
                                                } else {
                                                    ("badge badge-ok", Msg::CompanyActive)
                                                };
                                                view! {
                                                    <p class="company-preview">
                                                        <strong>{name}</strong>" "
                                                        <span class=class>{state.text(lang)}</span>
                                                        {p.created_on.map(|d| view! { " " <span class="muted">{Msg::CompanyCreated.text(lang)}" "{d}</span> })}
                                                    </p>
                                                }.into_any()
                                            }
                                            None => view! {
                                                <p class="company-preview muted">{Msg::CompanyUnknown.text(lang)}
                                                    {p.unavailable.map(|u| format!(" ({u})"))}
                                                </p>
                                            }.into_any(),
                                        },
                                        _ => ().into_any(),
                                    }
                                })}
                            </Transition>
                        </div>
                    </div>
                    {field("amount", Msg::FieldAmount, "text", q("amount"))}
                    <div class="field">
                        <label for="product">{tr(Msg::FieldProduct)}</label>
                        <select id="product" name="product">
                            {format::PRODUCTS.iter().copied().map(|p| view! {
                                <option value=p selected=p == product>{format::label(p, format::product, lang)}</option>
                            }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="form-row only-factoring">
                    {field("invoice_amount", Msg::FieldInvoiceAmount, "text", q("invoice_amount"))}
                    <div class="field">
                        <label for="debtor_siren">{tr(Msg::FieldDebtorSiren)}</label>
                        <input id="debtor_siren" name="debtor_siren" type="text" inputmode="numeric" value=q("debtor_siren") autocomplete="off" />
                        <span class="field-hint">{tr(Msg::FactoringOnly)}</span>
                    </div>
                </div>
                <div class="form-row only-credit-line">
                    <div class="field">
                        <label for="current_limit">{tr(Msg::FieldCurrentLimit)}</label>
                        <input id="current_limit" name="current_limit" type="text" inputmode="decimal" value=q("current_limit") autocomplete="off" />
                        <span class="field-hint">{tr(Msg::CreditLineOnly)}</span>
                    </div>
                </div>
                <div class="form-row">
                    <div class="field">
                        <label for="external_reference">{tr(Msg::FieldExternalReference)}</label>
                        <input id="external_reference" name="external_reference" type="text" value=q("external_reference") maxlength="100" />
                    </div>
                </div>
                <div>
                    <button type="submit" class="btn btn-primary" data-testid="submit-application">{tr(Msg::SubmitApplication)}</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
fn MyApplications() -> impl IntoView {
    let query = use_query_map();
    let page = move || {
        query
            .with(|q| q.get("page"))
            .and_then(|p| p.parse::<i64>().ok())
            .unwrap_or(1)
    };
    let list = Resource::new(page, my_applications);
    view! {
        <section>
            <h2>{tr(Msg::NavApplications)}</h2>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(l) if l.total == 0 => view! { <EmptyState message=Msg::ApplicationsEmpty /> }.into_any(),
                        Ok(l) => view! { <CaseTable list=l kind=TableKind::Mine base=access::APPLICATIONS.to_owned() /> }.into_any(),
                        Err(error) => view! { <ErrorView error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

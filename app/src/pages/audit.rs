use crate::access;
use crate::components::guard::Guarded;
use crate::components::states::{EmptyState, NotYetAvailable};
use crate::components::tr;
use crate::i18n::Msg;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <Guarded path=access::AUDIT>
            <Title text=tr(Msg::NavAudit) />
            <header class="page-header">
                <h1>{tr(Msg::NavAudit)}</h1>
            </header>
            <EmptyState message=Msg::AuditEmpty />
            <NotYetAvailable message=Msg::DecisionsNotEnabled />
        </Guarded>
    }
}

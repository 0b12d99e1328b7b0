use crate::access;
use crate::components::guard::Guarded;
use crate::components::states::{EmptyState, NotYetAvailable};
use crate::components::tr;
use crate::i18n::Msg;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ApplicationsPage() -> impl IntoView {
    view! {
        <Guarded path=access::APPLICATIONS>
            <Title text=tr(Msg::NavApplications) />
            <header class="page-header">
                <h1>{tr(Msg::NavApplications)}</h1>
            </header>
            <EmptyState message=Msg::ApplicationsEmpty />
            <NotYetAvailable message=Msg::DecisionsNotEnabled />
        </Guarded>
    }
}

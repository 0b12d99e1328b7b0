use crate::access;
use crate::components::guard::Guarded;
use crate::components::states::{EmptyState, NotYetAvailable};
use crate::components::tr;
use crate::i18n::Msg;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn QueuePage() -> impl IntoView {
    view! {
        <Guarded path=access::QUEUE>
            <Title text=tr(Msg::NavQueue) />
            <header class="page-header">
                <h1>{tr(Msg::NavQueue)}</h1>
            </header>
            <EmptyState message=Msg::QueueEmpty />
            <NotYetAvailable message=Msg::DecisionsNotEnabled />
        </Guarded>
    }
}

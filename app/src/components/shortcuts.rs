//! Keyboard shortcuts for people who work the queue all day: `j` / `k` move through the rows of
//! a list and Enter opens one, `/` goes to the page's first filter or field, `g` then a letter
//! goes to a page of the user's navigation, `?` shows the list. Keys typed in a field are left
//! alone (Escape leaves the field).

use crate::access::{self, nav_for};
use crate::components::session::use_session_user;
use crate::i18n::{tr, use_lang, Msg};
use leptos::prelude::*;

/// `g` + key → page, for the pages of the user's navigation.
pub const GO_TO: [(&str, &str); 6] = [
    ("h", access::HOME),
    ("a", access::APPLICATIONS),
    ("q", access::QUEUE),
    ("s", access::AUDIT),
    ("d", access::DASHBOARD),
    ("u", access::ADMIN_USERS),
];

/// The rows `j` and `k` move through: the first link of each row of a list.
pub const ROW_LINKS: &str = "main tbody tr td a";

/// The field `/` goes to.
pub const FIRST_FIELD: &str =
    "main form input:not([type=hidden]), main form select, main form textarea";

#[component]
pub fn Shortcuts() -> impl IntoView {
    let (open, set_open) = signal(false);
    let lang = use_lang();
    let pages: Vec<(&'static str, &'static str)> = use_session_user()
        .map(|u| {
            GO_TO
                .iter()
                .filter(|(_, path)| nav_for(u.role).any(|p| p.path == *path))
                .copied()
                .collect()
        })
        .unwrap_or_default();
    #[cfg(feature = "hydrate")]
    listen(pages.clone(), set_open);
    #[cfg(not(feature = "hydrate"))]
    let _ = set_open;
    let rows: Vec<(&'static str, &'static str)> = pages
        .iter()
        .filter_map(|(key, path)| Some((*key, access::page_for(path)?.nav?.text(lang))))
        .collect();
    view! {
        <p class="shortcut-hint muted small">{tr(Msg::ShortcutHint)}</p>
        <Show when=move || open.get()>
            <div class="shortcuts-help card" role="dialog" aria-label=tr(Msg::ShortcutsTitle) data-testid="shortcuts-help">
                <h2>{tr(Msg::ShortcutsTitle)}</h2>
                <dl class="shortcut-list">
                    <div><dt><kbd>"j"</kbd>" / "<kbd>"k"</kbd></dt><dd>{tr(Msg::ShortcutRows)}</dd></div>
                    <div><dt><kbd>"Enter"</kbd></dt><dd>{tr(Msg::ShortcutOpen)}</dd></div>
                    <div><dt><kbd>"/"</kbd></dt><dd>{tr(Msg::ShortcutField)}</dd></div>
                    <div><dt><kbd>"Esc"</kbd></dt><dd>{tr(Msg::ShortcutEscape)}</dd></div>
                    {rows.iter().map(|(key, name)| view! {
                        <div><dt><kbd>"g"</kbd>" "<kbd>{*key}</kbd></dt><dd>{*name}</dd></div>
                    }).collect_view()}
                    <div><dt><kbd>"?"</kbd></dt><dd>{tr(Msg::ShortcutsTitle)}</dd></div>
                </dl>
            </div>
        </Show>
    }
}

#[cfg(feature = "hydrate")]
fn listen(pages: Vec<(&'static str, &'static str)>, set_open: WriteSignal<bool>) {
    use leptos::wasm_bindgen::JsCast;
    use leptos::web_sys::{HtmlElement, KeyboardEvent};
    let navigate = leptos_router::hooks::use_navigate();
    let pending_go = StoredValue::new(false);
    let handle = window_event_listener(leptos::ev::keydown, move |e: KeyboardEvent| {
        if e.ctrl_key() || e.meta_key() || e.alt_key() || e.default_prevented() {
            return;
        }
        let doc = document();
        let key = e.key();
        let active = doc.active_element();
        if let Some(active) = &active {
            let tag = active.tag_name().to_ascii_lowercase();
            if matches!(tag.as_str(), "input" | "textarea" | "select") {
                if key == "Escape" {
                    if let Ok(el) = active.clone().dyn_into::<HtmlElement>() {
                        let _ = el.blur();
                    }
                }
                return;
            }
        }
        if pending_go.get_value() {
            pending_go.set_value(false);
            if let Some((_, path)) = pages.iter().find(|(k, _)| *k == key) {
                e.prevent_default();
                navigate(path, Default::default());
            }
            return;
        }
        let focus = |el: Option<leptos::web_sys::Element>| {
            if let Some(el) = el.and_then(|el| el.dyn_into::<HtmlElement>().ok()) {
                let _ = el.focus();
            }
        };
        match key.as_str() {
            "g" => pending_go.set_value(true),
            "?" => {
                e.prevent_default();
                set_open.update(|o| *o = !*o);
            }
            "Escape" => set_open.set(false),
            "/" => {
                e.prevent_default();
                focus(doc.query_selector(FIRST_FIELD).ok().flatten());
            }
            "j" | "k" => {
                // From the focused row to the next or previous one; from nowhere to the first.
                let row = active
                    .as_ref()
                    .filter(|a| a.matches(ROW_LINKS).unwrap_or(false))
                    .and_then(|a| a.closest("tr").ok().flatten());
                let target = match row {
                    None => doc.query_selector(ROW_LINKS).ok().flatten(),
                    Some(row) => {
                        let sibling = if key == "j" {
                            row.next_element_sibling()
                        } else {
                            row.previous_element_sibling()
                        };
                        sibling.and_then(|r| r.query_selector("td a").ok().flatten())
                    }
                };
                if target.is_some() {
                    e.prevent_default();
                    focus(target);
                }
            }
            _ => {}
        }
    });
    on_cleanup(move || handle.remove());
}

//! The developer portal, `/developers`: the guide a lender's engineers integrate from, in
//! English and French, rendered on the server (it needs neither JavaScript nor the network).
//! Its prose is Markdown (`portal/pages/{en,fr}/<slug>.md`); everything else on it is
//! generated: the examples are the product's own answers (`api::examples`), the field tables
//! come from the OpenAPI document, the reason codes from the engine's catalogue, the problem
//! types from the API's table, the test companies from the engine's checked snapshot, the
//! signature snippets from files the tests run, and the go-live checklist from this
//! deployment's store.

use crate::state::AppState;
use crate::web::api::contract::ReasonCodeAnswer;
use crate::web::api::examples::{Example, Examples};
use crate::web::api::problem::{Problem, PROBLEM_TYPES, TYPE_BASE};
use app::api::CurrentUser;
use app::i18n::Lang;
use app::model::Role;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write as _;

/// The portal's address.
pub const ROOT: &str = crate::web::api::DEVELOPER_PORTAL;

/// A page: its slug (the first page's is `index`) and its Markdown in each language.
pub struct Page {
    pub slug: &'static str,
    pub en: &'static str,
    pub fr: &'static str,
}

macro_rules! pages {
    ($($slug:literal),* $(,)?) => {
        &[$(Page {
            slug: $slug,
            en: include_str!(concat!("portal/pages/en/", $slug, ".md")),
            fr: include_str!(concat!("portal/pages/fr/", $slug, ".md")),
        }),*]
    };
}

/// The pages, in the order of the 48 hours.
pub const PAGES: &[Page] = pages![
    "index",
    "keys",
    "sandbox-and-live",
    "decision-request",
    "decision-answer",
    "idempotency",
    "rate-limits",
    "errors",
    "webhooks",
    "test-companies",
    "reason-codes",
    "load-test",
    "going-live",
];

/// The signature-check programs, as the webhooks page shows them (and the tests run them).
pub const SNIPPETS: [(&str, &str, &str); 4] = [
    (
        "shell",
        "curl + openssl (bash)",
        include_str!("portal/snippets/verify.sh"),
    ),
    (
        "python",
        "Python",
        include_str!("portal/snippets/verify.py"),
    ),
    ("node", "Node.js", include_str!("portal/snippets/verify.js")),
    ("java", "Java", include_str!("portal/snippets/Verify.java")),
];

pub fn router() -> Router<AppState> {
    Router::new()
        .route(ROOT, get(index))
        .route("/developers/{slug}", get(page))
}

fn href(slug: &str) -> String {
    if slug == "index" {
        ROOT.to_owned()
    } else {
        format!("{ROOT}/{slug}")
    }
}

fn markdown(page: &Page, lang: Lang) -> &'static str {
    match lang {
        Lang::En => page.en,
        Lang::Fr => page.fr,
    }
}

/// A page's title: its first line without the `# `.
pub fn title(page: &Page, lang: Lang) -> &'static str {
    markdown(page, lang)
        .lines()
        .next()
        .unwrap_or("")
        .trim_start_matches('#')
        .trim()
}

async fn index(
    state: State<AppState>,
    user: Extension<CurrentUser>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    render(state, user, query, headers, "index").await
}

async fn page(
    state: State<AppState>,
    user: Extension<CurrentUser>,
    query: Query<HashMap<String, String>>,
    headers: HeaderMap,
    Path(slug): Path<String>,
) -> Response {
    if slug == "index" {
        return axum::response::Redirect::permanent(ROOT).into_response();
    }
    render(state, user, query, headers, &slug).await
}

/// The language: `?lang=` first, then the workspace's cookie, then the browser's languages.
fn language(query: &HashMap<String, String>, headers: &HeaderMap) -> Lang {
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok());
    query
        .get("lang")
        .and_then(|l| Lang::from_code(l))
        .unwrap_or_else(|| Lang::negotiate(header(header::COOKIE), header(header::ACCEPT_LANGUAGE)))
}

async fn render(
    State(state): State<AppState>,
    Extension(CurrentUser(user)): Extension<CurrentUser>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    slug: &str,
) -> Response {
    let lang = language(&query, &headers);
    let Some(page) = PAGES.iter().find(|p| p.slug == slug) else {
        let body = layout(
            lang,
            None,
            "404",
            &format!(
                "<h1>{}</h1><p><a href=\"{ROOT}\">{}</a></p>",
                t(lang, "No such page", "Cette page n'existe pas"),
                t(
                    lang,
                    "Back to the developer guide",
                    "Retour au guide du développeur"
                )
            ),
        );
        return (StatusCode::NOT_FOUND, Html(body)).into_response();
    };
    let examples = state.examples.get().await;
    let admin = user.is_some_and(|u| u.role == Role::Admin);
    let context = Context {
        state: &state,
        lang,
        examples: examples.as_deref().map_err(String::as_str),
        admin,
        host: headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .map(str::to_owned),
    };
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(
        markdown(page, lang),
        pulldown_cmark::Options::ENABLE_TABLES,
    );
    pulldown_cmark::html::push_html(&mut html, parser);
    let html = fill(&html, &context).await;
    let page = layout(lang, Some(page), title(page, lang), &html);
    // A language chosen in the address stays chosen from page to page.
    let page = match query.get("lang").and_then(|l| Lang::from_code(l)) {
        Some(l) => keep_language(&page, l),
        None => page,
    };
    Html(page).into_response()
}

/// Adds `?lang=` to the portal's own links.
fn keep_language(html: &str, lang: Lang) -> String {
    let mut out = String::with_capacity(html.len() + 512);
    let mut rest = html;
    let marker = "href=\"/developers";
    while let Some(at) = rest.find(marker) {
        out.push_str(&rest[..at + marker.len()]);
        rest = &rest[at + marker.len()..];
        let end = rest.find(['"', '#']).unwrap_or(rest.len());
        out.push_str(&rest[..end]);
        if !rest[..end].contains('?') {
            let _ = write!(out, "?lang={}", lang.code());
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

fn t(lang: Lang, en: &'static str, fr: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Fr => fr,
    }
}

/// Escapes text for HTML.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Inline code (`like this`) in a generated text.
fn code_spans(text: &str) -> String {
    esc(text)
        .split('`')
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{part}</code>")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

fn layout(lang: Lang, current: Option<&Page>, heading: &str, main: &str) -> String {
    let here = current
        .map(|p| href(p.slug))
        .unwrap_or_else(|| ROOT.to_owned());
    let mut nav = String::new();
    for p in PAGES {
        let _ = write!(
            nav,
            "<li><a href=\"{}\"{}>{}</a></li>",
            href(p.slug),
            if current.is_some_and(|c| c.slug == p.slug) {
                " aria-current=\"page\""
            } else {
                ""
            },
            esc(title(p, lang))
        );
    }
    let switch: String = Lang::ALL
        .into_iter()
        .map(|l| {
            format!(
                "<button type=\"submit\" name=\"lang\" value=\"{code}\" lang=\"{code}\" \
                 class=\"langswitch-option\" aria-pressed=\"{pressed}\" title=\"{name}\">{upper}</button>",
                code = l.code(),
                pressed = l == lang,
                name = l.native_name(),
                upper = l.code().to_uppercase()
            )
        })
        .collect();
    format!(
        "<!DOCTYPE html><html lang=\"{lang_code}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"color-scheme\" content=\"light\">\
         <title>{title} · {site}</title>\
         <link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/pkg/aval.css\"></head><body>\
         <a class=\"skip-link\" href=\"#main\">{skip}</a>\
         <header class=\"topbar\"><a class=\"brand\" href=\"{ROOT}\">\
         <span class=\"brand-mark\" aria-hidden=\"true\">A</span>\
         <span class=\"brand-name\">Aval</span><span class=\"brand-tagline\">{site}</span></a>\
         <nav class=\"mainnav\" aria-label=\"{links}\"><ul>\
         <li><a href=\"/api/v1/openapi.json\">OpenAPI</a></li>\
         <li><a href=\"/api/v1/reason-codes\">reason-codes.json</a></li></ul></nav>\
         <div class=\"topbar-end\"><form method=\"post\" action=\"{action}\" class=\"langswitch\" \
         data-testid=\"language-switch\"><input type=\"hidden\" name=\"next\" value=\"{here}\">\
         <span class=\"visually-hidden\">{language}</span>{switch}</form></div></header>\
         <div class=\"container portal\"><nav class=\"portal-nav\" aria-label=\"{guide}\">\
         <ol>{nav}</ol></nav><main id=\"main\" class=\"portal-main\" tabindex=\"-1\">{main}</main>\
         </div></body></html>",
        lang_code = lang.code(),
        title = esc(heading),
        site = t(lang, "Developers", "Développeurs"),
        skip = t(lang, "Skip to content", "Aller au contenu"),
        links = t(lang, "Machine-readable", "Formats machine"),
        action = app::access::LANGUAGE,
        language = t(lang, "Language", "Langue"),
        guide = t(lang, "Developer guide", "Guide du développeur"),
    )
}

/// What a page's placeholders are filled from.
struct Context<'a> {
    state: &'a AppState,
    lang: Lang,
    examples: Result<&'a Examples, &'a str>,
    admin: bool,
    /// The `Host` the visitor used, when it is a plain host name and port.
    host: Option<String>,
}

/// Replaces the placeholders of the rendered Markdown: `{{kind:argument}}` alone in a
/// paragraph is a block, anywhere else an inline text.
async fn fill(html: &str, c: &Context<'_>) -> String {
    let mut out = String::with_capacity(html.len() * 2);
    let mut rest = html;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let name = &rest[start + 2..start + len];
        let before = &rest[..start];
        let after = &rest[start + len + 2..];
        // A block placeholder comes wrapped in its own paragraph: drop the wrapper.
        let block = before.ends_with("<p>") && after.starts_with("</p>");
        out.push_str(if block {
            &before[..before.len() - 3]
        } else {
            before
        });
        out.push_str(&placeholder(name, c).await);
        rest = if block { &after[4..] } else { after };
    }
    out.push_str(rest);
    out
}

async fn placeholder(name: &str, c: &Context<'_>) -> String {
    let (kind, arg) = name.split_once(':').unwrap_or((name, ""));
    match kind {
        "example" => match c.examples {
            Ok(all) => match all.get(arg) {
                Some(e) => example(e, c),
                None => missing(name),
            },
            Err(e) => unavailable(c.lang, e),
        },
        "fields" => fields(arg, c.lang),
        "problems" => problems(c),
        "events" => events(c),
        "snippet" => SNIPPETS
            .iter()
            .find(|(id, ..)| *id == arg)
            .map(|(id, label, text)| {
                format!(
                    "<figure class=\"snippet\" id=\"snippet-{id}\"><figcaption>{label}</figcaption>\
                     <pre><code>{}</code></pre></figure>",
                    esc(text)
                )
            })
            .unwrap_or_else(|| missing(name)),
        "reason_codes" => reason_codes(c.lang),
        "test_companies" => test_companies(c.lang),
        "checklist" => checklist(c).await,
        "setting" => setting(arg, c),
        _ => missing(name),
    }
}

fn missing(name: &str) -> String {
    // A page names something the portal does not have: shown, and caught by the tests.
    format!("<span class=\"portal-missing\">[{}]</span>", esc(name))
}

fn unavailable(lang: Lang, why: &str) -> String {
    format!(
        "<p class=\"alert alert-warning\">{}: {}</p>",
        t(
            lang,
            "The examples could not be produced on this server",
            "Les exemples n'ont pas pu être produits sur ce serveur"
        ),
        esc(why)
    )
}

fn setting(name: &str, c: &Context<'_>) -> String {
    let s = &c.state.settings;
    match name {
        "rate_per_second" => s.api.requests_per_second.to_string(),
        "burst" => s.api.burst.to_string(),
        "deadline_ms" => s.sources.deadline_ms.to_string(),
        "budget_ms" => crate::integration::BUDGET.as_millis().to_string(),
        "expected_rate" => s.integration.expected_rate_per_second.to_string(),
        "load_test_min_seconds" => s.integration.load_test_min_seconds.to_string(),
        _ => missing(&format!("setting:{name}")),
    }
}

/// The base address examples are shown with: this deployment's, as the visitor reached it.
fn base_url(c: &Context<'_>) -> String {
    let public = c.state.settings.public_url.trim_end_matches('/');
    let scheme = public.split_once("://").map(|(s, _)| s).unwrap_or("http");
    match &c.host {
        Some(host) => format!("{scheme}://{host}"),
        None => public.to_owned(),
    }
}

fn content_type(e: &Example) -> Option<&str> {
    e.call
        .headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-type"))
        .map(|(_, v)| v.as_str())
}

fn curl(e: &Example, base: &str) -> String {
    let mut s = format!("curl -sS -X {} \"{base}{}\"", e.call.method, e.call.path);
    if e.call.key {
        s.push_str(" \\\n  -H \"Authorization: Bearer $AVAL_KEY\"");
    }
    for (n, v) in &e.call.headers {
        let _ = write!(s, " \\\n  -H '{n}: {}'", v.replace('\'', "'\\''"));
    }
    match e.call.body.as_deref() {
        Some(b) if !b.is_empty() => {
            let _ = write!(s, " \\\n  --data-binary @- <<'BODY'\n{b}\nBODY");
        }
        _ => {}
    }
    s
}

fn python(e: &Example, base: &str) -> String {
    let mut headers: Vec<String> = Vec::new();
    if e.call.key {
        headers.push("\"Authorization\": \"Bearer \" + os.environ[\"AVAL_KEY\"]".into());
    }
    for (n, v) in &e.call.headers {
        headers.push(format!(
            "{}: {}",
            serde_json::to_string(n).unwrap_or_default(),
            serde_json::to_string(v).unwrap_or_default()
        ));
    }
    let data = match e.call.body.as_deref() {
        Some(b) if !b.is_empty() => format!("    data=r'''{b}'''.encode(),\n"),
        _ => String::new(),
    };
    format!(
        "import json, os, urllib.error, urllib.request\n\n\
         request = urllib.request.Request(\n    \"{base}{}\",\n    method=\"{}\",\n    \
         headers={{{}}},\n{data})\n\
         try:\n    with urllib.request.urlopen(request, timeout=2) as response:\n        \
         print(response.status, json.load(response))\n\
         except urllib.error.HTTPError as error:\n    print(error.code, json.load(error))",
        e.call.path,
        e.call.method,
        headers.join(", ")
    )
}

fn node(e: &Example, base: &str) -> String {
    let mut headers: Vec<String> = Vec::new();
    if e.call.key {
        headers.push("Authorization: `Bearer ${process.env.AVAL_KEY}`".into());
    }
    for (n, v) in &e.call.headers {
        headers.push(format!(
            "{}: {}",
            serde_json::to_string(n).unwrap_or_default(),
            serde_json::to_string(v).unwrap_or_default()
        ));
    }
    let body = match (e.call.body.as_deref(), content_type(e)) {
        (Some(b), Some("application/json")) if !b.is_empty() => {
            format!("  body: JSON.stringify({}),\n", b.replace('\n', "\n  "))
        }
        (Some(b), _) if !b.is_empty() => {
            format!(
                "  body: {},\n",
                serde_json::to_string(b).unwrap_or_default()
            )
        }
        _ => String::new(),
    };
    format!(
        "// Node.js 18 or later; save as example.mjs and run: node example.mjs\n\
         const response = await fetch(\"{base}{}\", {{\n  method: \"{}\",\n  \
         headers: {{ {} }},\n{body}  signal: AbortSignal.timeout(2000),\n}});\n\
         console.log(response.status, await response.json());",
        e.call.path,
        e.call.method,
        headers.join(", ")
    )
}

/// A long list shown by its first items.
fn excerpt(body: &Value) -> (Value, usize) {
    match body {
        Value::Array(items) if items.len() > 3 => {
            (Value::Array(items[..2].to_vec()), items.len() - 2)
        }
        v => (v.clone(), 0),
    }
}

fn example(e: &Example, c: &Context<'_>) -> String {
    let base = base_url(c);
    let lang = c.lang;
    let (shown, more) = excerpt(&e.answer.body);
    let answer = serde_json::to_string_pretty(&shown).unwrap_or_default();
    let status = StatusCode::from_u16(e.answer.status)
        .map(|s| s.to_string())
        .unwrap_or_else(|_| e.answer.status.to_string());
    let headers: String = e
        .answer
        .headers
        .iter()
        .map(|(n, v)| format!("{n}: {v}\n"))
        .collect();
    let mut html = format!(
        "<div class=\"example\" id=\"example-{id}\" data-example=\"{id}\">\
         <p class=\"example-call\"><code>{method} {path}</code></p>",
        id = e.id,
        method = e.call.method,
        path = esc(&e.call.path)
    );
    for (i, (label, code)) in [
        ("curl", curl(e, &base)),
        ("Python", python(e, &base)),
        ("Node.js", node(e, &base)),
    ]
    .into_iter()
    .enumerate()
    {
        let _ = write!(
            html,
            "<details class=\"example-code\"{}><summary>{label}</summary><pre><code>{}</code></pre></details>",
            if i == 0 { " open" } else { "" },
            esc(&code)
        );
    }
    let _ = write!(
        html,
        "<p class=\"example-status\">{} <code>{}</code></p><pre class=\"example-answer\"><code>{}{}</code></pre>",
        t(lang, "Answer:", "Réponse :"),
        esc(&status),
        esc(&headers),
        esc(&answer)
    );
    if more > 0 {
        let _ = write!(
            html,
            "<p class=\"muted small\">{}</p>",
            match lang {
                Lang::En => format!("… and {more} more items."),
                Lang::Fr => format!("… et {more} éléments de plus."),
            }
        );
    }
    html.push_str("</div>");
    html
}

/// The OpenAPI document, read once.
fn contract_document() -> &'static Value {
    static DOCUMENT: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    DOCUMENT.get_or_init(|| {
        serde_json::from_str(crate::web::api::document::document()).unwrap_or_default()
    })
}

/// The field table of a schema of the OpenAPI document.
fn fields(which: &str, lang: Lang) -> String {
    let schema = match which {
        "request" => "DecisionRequest",
        "answer" => "Decision",
        other => other,
    };
    let doc = contract_document();
    let Some(s) = doc.pointer(&format!("/components/schemas/{schema}")) else {
        return missing(&format!("fields:{which}"));
    };
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut html = format!(
        "<div class=\"table-wrap\"><table class=\"table fields\" data-schema=\"{schema}\"><thead><tr>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        t(lang, "Field", "Champ"),
        t(lang, "Type", "Type"),
        t(lang, "Meaning (from the contract, in English)", "Sens (tiré du contrat, en anglais)")
    );
    for (name, p) in s
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let _ = write!(
            html,
            "<tr><td><code>{}</code>{}</td><td>{}</td><td>{}</td></tr>",
            esc(name),
            if required.contains(&name.as_str()) {
                format!(
                    " <span class=\"badge badge-muted\">{}</span>",
                    t(lang, "required", "obligatoire")
                )
            } else {
                String::new()
            },
            esc(&type_of(p, doc)),
            code_spans(p.get("description").and_then(Value::as_str).unwrap_or(""))
        );
    }
    html.push_str("</tbody></table></div>");
    html
}

/// A property's type as a reader says it: `string`, `integer`, `one of a | b`, `Reason[]`…
fn type_of(p: &Value, doc: &Value) -> String {
    if let Some(r) = p.get("$ref").and_then(Value::as_str) {
        let name = r.rsplit('/').next().unwrap_or(r);
        let target = doc.pointer(&format!("/components/schemas/{name}"));
        if let Some(values) = target.and_then(|t| t.get("enum")).and_then(Value::as_array) {
            return values
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(" | ");
        }
        return name.to_owned();
    }
    if let Some(values) = p.get("enum").and_then(Value::as_array) {
        return values
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | ");
    }
    for choice in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = p.get(choice).and_then(Value::as_array) {
            let kinds: Vec<String> = options
                .iter()
                .map(|o| type_of(o, doc))
                .filter(|k| k != "null")
                .collect();
            let nullable = options
                .iter()
                .any(|o| o.get("type") == Some(&Value::from("null")));
            return format!(
                "{}{}",
                kinds.join(" | "),
                if nullable { " | null" } else { "" }
            );
        }
    }
    let kind = match p.get("type") {
        Some(Value::String(k)) => k.clone(),
        Some(Value::Array(ks)) => ks
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" | "),
        _ => "any".to_owned(),
    };
    let kind = if kind.starts_with("array") {
        let item = p.get("items").map(|i| type_of(i, doc)).unwrap_or_default();
        kind.replacen("array", &format!("{item}[]"), 1)
    } else {
        kind
    };
    match p.get("format").and_then(Value::as_str) {
        Some(f) => format!("{kind} ({f})"),
        None => kind,
    }
}

/// The example of a problem type: the product's answer from the examples where the script
/// causes it, otherwise the problem as the handler builds it.
fn problem_example(slug: &str, all: Option<&Examples>) -> Option<Value> {
    let id = match slug {
        "unauthorized" => "unauthorized".to_owned(),
        "validation" => "validation_error".to_owned(),
        s => format!("problem_{}", s.replace('-', "_")),
    };
    if let Some(e) = all.and_then(|a| a.get(&id)) {
        return Some(e.answer.body.clone());
    }
    let built = match slug {
        "rate-limited" => Problem::rate_limited(1),
        "idempotency-key-in-progress" => Problem::in_progress(),
        "unreadable-body" => Problem::body_too_large(),
        "internal" => Problem::internal_answer(),
        _ => return None,
    };
    serde_json::to_value(built).ok()
}

fn problems(c: &Context<'_>) -> String {
    let lang = c.lang;
    let all = c.examples.ok();
    let mut html = String::from("<div class=\"problems\">");
    for p in PROBLEM_TYPES {
        let _ = write!(
            html,
            "<section class=\"problem card\" id=\"problem-{slug}\"><h3><code>{slug}</code> \
             <span class=\"badge badge-muted\">{status}</span>{retry}</h3>\
             <p class=\"small muted\"><code>{TYPE_BASE}{slug}</code></p>\
             <p>{when}</p><p><strong>{todo_label}</strong> {todo}</p>",
            slug = p.slug,
            status = p.status,
            retry = if p.retry {
                format!(
                    " <span class=\"badge badge-refer\">{}</span>",
                    t(lang, "retry", "à réessayer")
                )
            } else {
                String::new()
            },
            when = code_spans(t(lang, p.when_en, p.when_fr)),
            todo_label = t(lang, "What to do:", "Que faire :"),
            todo = code_spans(t(lang, p.todo_en, p.todo_fr)),
        );
        if let Some(example) = problem_example(p.slug, all) {
            let _ = write!(
                html,
                "<pre class=\"example-answer\"><code>{}</code></pre>",
                esc(&serde_json::to_string_pretty(&example).unwrap_or_default())
            );
        }
        html.push_str("</section>");
    }
    html.push_str("</div>");
    html
}

fn events(c: &Context<'_>) -> String {
    let lang = c.lang;
    let doc = contract_document();
    let produced = c.examples.ok().map(|e| e.events.as_slice()).unwrap_or(&[]);
    let mut html = String::from("<div class=\"events\">");
    let Some(hooks) = doc.get("webhooks").and_then(Value::as_object) else {
        return missing("events");
    };
    for (name, hook) in hooks {
        let _ = write!(
            html,
            "<section class=\"event card\" id=\"event-{id}\"><h3><code>{name}</code></h3><p>{summary}</p>",
            id = name.replace('.', "-"),
            name = esc(name),
            summary = code_spans(
                hook.pointer("/post/summary")
                    .and_then(Value::as_str)
                    .unwrap_or("")
            ),
        );
        match produced.iter().find(|(t, _)| t == name) {
            Some((_, body)) => {
                let _ = write!(
                    html,
                    "<pre class=\"example-answer\"><code>{}</code></pre>",
                    esc(&serde_json::to_string_pretty(body).unwrap_or_default())
                );
            }
            None => {
                // Not produced by the example run (it needs a person's action or a source
                // failing during monitoring): its fields, from the contract.
                let schema = hook
                    .pointer(
                        "/post/requestBody/content/application~1json/schema/properties/data/$ref",
                    )
                    .and_then(Value::as_str)
                    .and_then(|r| r.rsplit('/').next())
                    .unwrap_or("");
                let _ = write!(
                    html,
                    "<p class=\"small muted\">{}</p>{}",
                    t(
                        lang,
                        "The fields of its data (the example run does not cause this event):",
                        "Les champs de ses données (l'exécution d'exemple ne provoque pas cet événement) :"
                    ),
                    fields(schema, lang)
                );
            }
        }
        html.push_str("</section>");
    }
    html.push_str("</div>");
    html
}

fn role_label(role: aval_core::engine::reasons::guide::Role, lang: Lang) -> &'static str {
    use aval_core::engine::reasons::guide::Role;
    match role {
        Role::KnockOut => t(lang, "knock-out", "refus d'office"),
        Role::Referral => t(lang, "referral", "renvoi à un analyste"),
        Role::ScoreFactor => t(lang, "score factor", "facteur de score"),
        Role::Limit => t(lang, "limit", "limite"),
        Role::Increase => t(lang, "automatic increase", "hausse automatique"),
    }
}

fn reason_codes(lang: Lang) -> String {
    let mut html = format!(
        "<div class=\"table-wrap\"><table class=\"table reason-codes\"><thead><tr>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        t(lang, "Code", "Code"),
        t(lang, "Role", "Rôle"),
        t(lang, "Text (EN / FR)", "Texte (FR / EN)"),
        t(lang, "What triggers it", "Ce qui le déclenche"),
        t(
            lang,
            "What the company can do",
            "Ce que l'entreprise peut faire"
        ),
    );
    for r in ReasonCodeAnswer::catalogue() {
        let (first, second) = match lang {
            Lang::En => (&r.text_en, &r.text_fr),
            Lang::Fr => (&r.text_fr, &r.text_en),
        };
        let _ = write!(
            html,
            "<tr id=\"code-{code}\"><th scope=\"row\"><code>{code}</code></th>\
             <td><span class=\"badge badge-muted\">{role}</span></td>\
             <td>{first}<br><span class=\"muted small\">{second}</span></td><td>{trigger}</td><td>{remedy}</td></tr>",
            code = esc(&r.code),
            role = role_label(r.role, lang),
            first = esc(first),
            second = esc(second),
            trigger = code_spans(match lang {
                Lang::En => &r.trigger_en,
                Lang::Fr => &r.trigger_fr,
            }),
            remedy = code_spans(match lang {
                Lang::En => &r.remedy_en,
                Lang::Fr => &r.remedy_fr,
            }),
        );
    }
    html.push_str("</tbody></table></div>");
    html
}

/// The engine's snapshot of the test companies' decisions (held by the engine's tests).
const TEST_COMPANY_DECISIONS: &str =
    include_str!("../engine/snapshots/server__engine__tests__test_companies.snap");

/// The decisions of the snapshot, by "SIREN Persona".
fn snapshot() -> serde_json::Map<String, Value> {
    // The file is a header between two `---` lines, then the JSON.
    let json = TEST_COMPANY_DECISIONS
        .splitn(3, "---")
        .nth(2)
        .unwrap_or("{}");
    serde_json::from_str(json).unwrap_or_default()
}

/// What the sources say of a test company, in French (`TEST_COMPANIES` says it in English).
fn persona_fr(persona: crate::sources::sandbox::Persona) -> Option<&'static str> {
    use crate::sources::sandbox::Persona;
    Some(match persona {
        Persona::Healthy => "SAS établie (12 ans), chiffre d'affaires régulier, solde positif chaque jour, comptes bénéficiaires, aucune annonce défavorable.",
        Persona::FastGrowing => "SAS de 4 ans dont les encaissements croissent d'environ 9 % par mois : les 30 derniers jours dépassent nettement les 60 précédents ; marge mince mais positive.",
        Persona::YoungStartup => "SAS créée il y a 5 mois : aucun exercice clos, donc pas encore de fichier comptable ; historique bancaire court, petit chiffre d'affaires en croissance.",
        Persona::CashStrapped => "SARL de 8 ans en perte : solde négatif de nombreux jours sur les 90 derniers, prélèvements URSSAF rejetés (AM04) ces deux derniers mois, pertes dans les comptes.",
        Persona::ProceedingOpen => "SARL en redressement judiciaire ouvert il y a 40 jours (BODACC A), trésorerie affaiblie.",
        Persona::Ceased => "SAS cessée il y a 200 jours (état C dans Sirene, établissements fermés) et radiée (radiation au BODACC).",
        Persona::Fraud => "SAS créée il y a 9 jours ; son compte bancaire a 3 jours d'historique, a été connecté 4 minutes avant la demande et appartient à un particulier, pas à l'entreprise.",
        Persona::SlowSource => "Entreprise saine dont la banque répond après 2 secondes : l'open banking manque le délai et est déclaré manquant.",
        Persona::Unknown => "Inconnue du répertoire : Sirene répond 404, le BODACC n'a aucune annonce, ni connexion bancaire ni comptes.",
        Persona::ThinFile => "SARL de 3 ans sans connexion bancaire ni fichier comptable : seulement les données du registre, faible couverture.",
        Persona::Generated => return None,
    })
}

fn test_companies(lang: Lang) -> String {
    let decisions = snapshot();
    let mut html = format!(
        "<div class=\"table-wrap\"><table class=\"table test-companies\"><thead><tr>\
         <th scope=\"col\">SIREN</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th>\
         <th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        t(lang, "Persona", "Profil"),
        t(lang, "What the sources say", "Ce que disent les sources"),
        t(
            lang,
            "Decision for 15,000 € BNPL",
            "Décision pour 15 000 € en BNPL"
        ),
        t(lang, "Reason codes", "Codes motifs"),
    );
    for (siren, persona, what) in crate::sources::sandbox::TEST_COMPANIES {
        let persona_name = format!("{persona:?}");
        let what = match lang {
            Lang::En => what,
            Lang::Fr => persona_fr(persona).unwrap_or(what),
        };
        let d = decisions.get(&format!("{siren} {persona_name}"));
        let field = |k: &str| d.and_then(|d| d.get(k)).cloned().unwrap_or(Value::Null);
        let outcome = field("outcome").as_str().unwrap_or("?").to_owned();
        let codes: Vec<String> = field("reasons")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|r| r.split_whitespace().next().unwrap_or(r).to_owned())
            .collect();
        let pd = field("probability_of_default")
            .as_str()
            .and_then(|p| p.parse::<f64>().ok())
            .map(|p| format!("{:.1} %", p * 100.0))
            .unwrap_or_default();
        let _ = write!(
            html,
            "<tr><th scope=\"row\"><code>{siren}</code></th><td>{persona_name}</td><td>{what}</td>\
             <td><span class=\"badge badge-{outcome}\">{outcome}</span> {grade_label} {grade}, PD {pd}, \
             {limit_label} {limit} €</td><td>{codes}</td></tr>",
            what = esc(what),
            grade_label = t(lang, "grade", "note"),
            grade = esc(field("grade").as_str().unwrap_or("?")),
            limit_label = t(lang, "limit", "limite"),
            limit = field("proposed_limit_eur"),
            codes = codes
                .iter()
                .map(|c| format!("<a href=\"{ROOT}/reason-codes#code-{c}\"><code>{c}</code></a>", c = esc(c)))
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    html.push_str("</tbody></table></div>");
    html
}

fn step_label(step: crate::integration::StepName, lang: Lang) -> &'static str {
    use crate::integration::StepName;
    match step {
        StepName::Ping => t(lang, "A ping seen", "Un ping reçu"),
        StepName::DecisionsEveryProduct => t(
            lang,
            "Decisions with every product",
            "Des décisions pour chaque produit",
        ),
        StepName::WebhookVerified => t(
            lang,
            "A webhook endpoint verified by a delivered test event",
            "Un endpoint de webhook vérifié par un événement de test livré",
        ),
        StepName::LoadTest => t(
            lang,
            "A load test at the expected rate within the budget",
            "Un test de charge au débit attendu, dans le budget",
        ),
        StepName::LiveKey => t(lang, "A live key created", "Une clé live créée"),
    }
}

async fn checklist(c: &Context<'_>) -> String {
    let lang = c.lang;
    let readiness = match crate::integration::readiness(
        c.state.store.as_ref(),
        &c.state.settings.integration,
        lang,
        chrono::Utc::now(),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return unavailable(lang, &e.to_string()),
    };
    let mut html = String::from("<div class=\"checklist\" data-testid=\"checklist\">");
    if !c.admin {
        let _ = write!(
            html,
            "<p class=\"alert alert-info\">{}</p>",
            t(
                lang,
                "Sign in to the workspace as an admin to see where this deployment stands; the steps are:",
                "Connectez-vous à l'espace de travail en administrateur pour voir où en est ce déploiement ; les étapes sont :"
            )
        );
    }
    for w in &readiness.worlds {
        let _ = write!(
            html,
            "<h3>{}</h3><ul class=\"checklist-steps\">",
            match (w.world, lang) {
                (crate::sources::World::Sandbox, Lang::En) => "Sandbox",
                (crate::sources::World::Sandbox, Lang::Fr) => "Sandbox (bac à sable)",
                (crate::sources::World::Live, _) => "Live",
            }
        );
        for s in &w.steps {
            if c.admin {
                let _ = write!(
                    html,
                    "<li data-step=\"{step:?}\" data-done=\"{done}\"><span class=\"badge {badge}\">{mark}</span> {label}{detail}</li>",
                    step = s.step,
                    done = s.done,
                    badge = if s.done { "badge-approve" } else { "badge-refer" },
                    mark = if s.done { t(lang, "done", "fait") } else { t(lang, "to do", "à faire") },
                    label = step_label(s.step, lang),
                    detail = s
                        .evidence
                        .iter()
                        .chain(s.missing.iter())
                        .map(|d| format!("<br><span class=\"small muted\">{}</span>", esc(d)))
                        .collect::<String>(),
                );
            } else {
                let _ = write!(html, "<li>{}</li>", step_label(s.step, lang));
            }
        }
        html.push_str("</ul>");
    }
    html.push_str("</div>");
    html
}

//! The OpenAPI 3.1 document of the lenders' API, generated from the handlers' annotations and
//! the contract's types (utoipa); its webhooks section comes from the event types of
//! `aval_core::events`. Served at `/api/v1/openapi.json`.

use super::contract::{DecisionAnswer, DecisionRequestBody, DeliveryAnswer, WebhookEndpointAnswer};
use super::problem::{FieldError, Problem};
use aval_core::events::{
    CreditLimitChanged, DecisionCreated, DecisionUpdated, EndpointTest, RiskChanged, SourceFailed,
};
use std::sync::OnceLock;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::{ContentBuilder, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Aval decision API",
        version = "1.0.0",
        description = include_str!("description.md"),
    ),
    servers((url = "/api/v1")),
    security(("apiKey" = [])),
    paths(
        super::ping,
        super::create_decision,
        super::get_decision,
        super::get_company,
        super::webhook_endpoints::list,
        super::webhook_endpoints::create,
        super::webhook_endpoints::get,
        super::webhook_endpoints::update,
        super::webhook_endpoints::deliveries,
        super::webhook_endpoints::redeliver,
        super::webhook_endpoints::test,
        super::readiness,
        super::reason_codes,
        super::audit::public_key,
        super::audit::checkpoints,
        super::audit::proof,
        super::audit::consistency,
    ),
    components(schemas(
        Problem,
        FieldError,
        DecisionRequestBody,
        DecisionAnswer,
        WebhookEndpointAnswer,
        DeliveryAnswer,
        DecisionCreated,
        DecisionUpdated,
        RiskChanged,
        SourceFailed,
        CreditLimitChanged,
        EndpointTest,
        crate::audit::Checkpoint,
    )),
    modifiers(&Security),
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "apiKey",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("Authorization: Bearer aval_test_… or aval_live_…"))
                    .build(),
            ),
        );
    }
}

/// One webhook: the request Aval sends to the lender's endpoint for an event type.
fn webhook(event_type: &str, summary: &str, data: &str) -> PathItem {
    let envelope = ObjectBuilder::new()
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some([event_type])),
        )
        .property(
            "timestamp",
            ObjectBuilder::new().schema_type(Type::String).format(Some(
                utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime),
            )),
        )
        .property(
            "data",
            RefOr::Ref(utoipa::openapi::Ref::from_schema_name(data)),
        )
        .required("type")
        .required("timestamp")
        .required("data");
    let operation = OperationBuilder::new()
        .summary(Some(summary))
        .request_body(Some(
            RequestBodyBuilder::new()
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(RefOr::T(Schema::Object(envelope.build()))))
                        .build(),
                )
                .required(Some(utoipa::openapi::Required::True))
                .build(),
        ))
        .response(
            "2XX",
            ResponseBuilder::new().description("Delivered; anything else is retried"),
        )
        .build();
    PathItem::new(HttpMethod::Post, operation)
}

/// What the decision request's fields require of each other, which a type cannot say: one
/// amount (in euros or in cents, not both), and what each product needs besides.
fn decision_request_rules() -> serde_json::Value {
    let given = |field: &str, kind: &str| serde_json::json!({"required": [field], "properties": {field: {"type": kind}}});
    let one_of = |euros: &str| {
        let cents = format!("{euros}_cents");
        serde_json::json!([
            {"anyOf": [given(euros, "string"), given(&cents, "integer")]},
            {"not": {
                "required": [euros, cents],
                "properties": {euros: {"type": "string"}, cents.as_str(): {"type": "integer"}}
            }}
        ])
    };
    let not_both = |euros: &str| one_of(euros)[1].clone();
    let product = |p: &str| serde_json::json!({"properties": {"product": {"const": p}}});
    let mut factoring = product("factoring");
    factoring["allOf"] =
        serde_json::json!([given("debtor_siren", "string"), one_of("invoice_amount")[0]]);
    let mut increase = product("credit_line_increase");
    increase["allOf"] = serde_json::json!([one_of("current_limit")[0]]);
    serde_json::json!([
        one_of("amount")[0],
        not_both("amount"),
        not_both("invoice_amount"),
        not_both("current_limit"),
        {"oneOf": [product("bnpl"), factoring, increase]},
    ])
}

/// A `format` constrains strings only, but a fuzzer reading `{"type": ["string", "null"],
/// "format": "iban"}` may send null as a value that breaks the format. Each such property is
/// said instead as a choice between null and the formatted string.
fn nullable_formats(document: &mut serde_json::Value) {
    let Some(schemas) = document
        .pointer_mut("/components/schemas")
        .and_then(serde_json::Value::as_object_mut)
    else {
        return;
    };
    let nullable_string = serde_json::json!(["string", "null"]);
    for property in schemas
        .values_mut()
        .filter_map(|s| s.get_mut("properties"))
        .filter_map(serde_json::Value::as_object_mut)
        .flat_map(|p| p.values_mut())
    {
        if property["type"] != nullable_string || property.get("format").is_none() {
            continue;
        }
        let Some(mut string) = property.as_object().cloned() else {
            continue;
        };
        let description = string.remove("description");
        string.insert("type".into(), "string".into());
        let mut choice = serde_json::json!({"oneOf": [{"type": "null"}, string]});
        if let Some(description) = description {
            choice["description"] = description;
        }
        *property = choice;
    }
}

/// The document, generated once.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut value = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
        let webhooks: serde_json::Map<String, serde_json::Value> = [
            (
                aval_core::events::DECISION_CREATED,
                "A decision was made (through the API, the workspace or monitoring).",
                "DecisionCreated",
            ),
            (
                aval_core::events::DECISION_UPDATED,
                "A credit manager changed where a decision stands.",
                "DecisionUpdated",
            ),
            (
                aval_core::events::RISK_CHANGED,
                "Monitoring re-decided a granted company and found it worse: the previous and \
                 the new decision, with their limits and reason codes. The new decision waits in \
                 the credit managers' queue.",
                "RiskChanged",
            ),
            (
                aval_core::events::SOURCE_FAILED,
                "Monitoring could not re-check a granted company because a source did not \
                 answer; it tries again at next_check_at.",
                "SourceFailed",
            ),
            (
                aval_core::events::CREDIT_LIMIT_CHANGED,
                "A company's credit line changed: granted, raised automatically by monitoring \
                 when its inflows grew (the decision_id is the replayable credit_line_increase \
                 decision), or set by a credit manager; with the previous and new limit and \
                 the reasons.",
                "CreditLimitChanged",
            ),
            (
                aval_core::events::AUDIT_CHECKPOINT,
                "The audit log signed a checkpoint: its size and Merkle root, signed with the \
                 key published at GET /api/v1/audit/public-key. Keep every one (one JSON per \
                 line): `server audit verify --checkpoints FILE` then proves the log still \
                 extends each of them. Sent to the subscribed endpoints of both modes, within \
                 a second of new records and at least every minute.",
                "Checkpoint",
            ),
            (
                aval_core::events::ENDPOINT_TEST,
                "Sent to one endpoint when its owner asks (POST /webhook-endpoints/{id}/test), \
                 whatever it subscribes to: a real signed delivery to try the receiver on. An \
                 endpoint that answers it with a 2xx counts as verified for going live.",
                "EndpointTest",
            ),
        ]
        .into_iter()
        .map(|(t, summary, data)| {
            (
                t.to_owned(),
                serde_json::to_value(webhook(t, summary, data)).unwrap_or_default(),
            )
        })
        .collect();
        if let Some(doc) = value.as_object_mut() {
            doc.insert("webhooks".into(), webhooks.into());
        }
        if let Some(request) = value.pointer_mut("/components/schemas/DecisionRequest") {
            request["allOf"] = decision_request_rules();
        }
        nullable_formats(&mut value);
        required_scopes(&mut value);
        // A header is a string when it is sent at all; optional is not nullable.
        if let Some(paths) = value
            .get_mut("paths")
            .and_then(serde_json::Value::as_object_mut)
        {
            for operation in paths
                .values_mut()
                .filter_map(serde_json::Value::as_object_mut)
            {
                for op in operation.values_mut() {
                    for p in op
                        .get_mut("parameters")
                        .and_then(serde_json::Value::as_array_mut)
                        .into_iter()
                        .flatten()
                    {
                        if p["in"] == "header" {
                            p["schema"]["type"] = "string".into();
                        }
                    }
                }
            }
        }
        serde_json::to_string_pretty(&value).unwrap_or_default()
    })
}

/// Whether a path of a request (`/decisions/dec_…`) is an instance of a template of the
/// document (`/decisions/{id}`).
fn instance_of(path: &str, template: &str) -> bool {
    let (p, t): (Vec<&str>, Vec<&str>) = (path.split('/').collect(), template.split('/').collect());
    p.len() == t.len()
        && p.iter()
            .zip(&t)
            .all(|(p, t)| p == t || (t.starts_with('{') && t.ends_with('}') && !p.is_empty()))
}

/// The document with the examples the product produced (`examples::record`): each answer under
/// its operation's status, each successful request's body under its operation's request body.
pub fn with_examples(all: &super::examples::Examples) -> String {
    let mut doc: serde_json::Value = serde_json::from_str(document()).unwrap_or_default();
    let templates: Vec<String> = doc
        .get("paths")
        .and_then(serde_json::Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    for e in &all.examples {
        let Some(path) = e.call.path.strip_prefix("/api/v1") else {
            continue;
        };
        let Some(template) = templates.iter().find(|t| instance_of(path, t)) else {
            continue;
        };
        let method = e.call.method.to_lowercase();
        let Some(op) = doc
            .pointer_mut(&format!(
                "/paths/{}/{method}",
                template.replace('~', "~0").replace('/', "~1")
            ))
            .filter(|op| op.is_object())
        else {
            continue;
        };
        let example = serde_json::json!({"summary": e.id, "value": e.answer.body});
        if let Some(content) = op
            .pointer_mut(&format!("/responses/{}/content", e.answer.status))
            .and_then(serde_json::Value::as_object_mut)
        {
            for media in content.values_mut() {
                media["examples"][e.id] = example.clone();
            }
        }
        let body = e
            .call
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
            .filter(|b| b.is_object());
        if let (Some(body), true) = (body, (200..300).contains(&e.answer.status)) {
            if let Some(media) = op.pointer_mut("/requestBody/content/application~1json") {
                media["examples"][e.id] = serde_json::json!({"summary": e.id, "value": body});
            }
        }
    }
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// Each operation's scope: in its security requirement (OpenAPI 3.1 lets a bearer scheme name
/// the roles it needs), as `x-required-scope`, in its description, and its 403 answer.
fn required_scopes(doc: &mut serde_json::Value) {
    for (method, path, scope) in super::REQUIRED_SCOPES {
        let pointer = format!(
            "/paths/{}/{method}",
            path.replace('~', "~0").replace('/', "~1")
        );
        let Some(op) = doc.pointer_mut(&pointer) else {
            continue;
        };
        op["security"] = serde_json::json!([{ "apiKey": [scope.as_str()] }]);
        op["x-required-scope"] = scope.as_str().into();
        let description = op["description"].as_str().unwrap_or_default().to_owned();
        op["description"] = format!("{description}\n\nRequires the scope `{}`.", scope.as_str())
            .trim_start()
            .into();
        let responses = &mut op["responses"];
        if responses.get("403").is_none() {
            responses["403"] = serde_json::json!({
                "description": format!("The key lacks the scope {}", scope.as_str()),
                "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_path_is_matched_to_its_template() {
        assert!(instance_of("/decisions/dec_1", "/decisions/{id}"));
        assert!(instance_of("/decisions", "/decisions"));
        assert!(!instance_of("/decisions", "/decisions/{id}"));
        assert!(!instance_of("/decisions/", "/decisions/{id}"));
        assert!(!instance_of("/companies/1", "/decisions/{id}"));
    }
}

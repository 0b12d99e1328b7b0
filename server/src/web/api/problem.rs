//! RFC 9457 problem details: `application/problem+json` with a stable `type`, a title, a human
//! detail and, for validation, one entry per field.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field, as a JSON pointer into the request body (`/amount`, `/bank_connection/consent_id`).
    pub field: String,
    pub problem: String,
}

/// An error (RFC 9457): `type` is stable and names the problem, `errors` lists each field in
/// error.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: &str) -> Problem {
        Problem {
            kind: format!("{TYPE_BASE}{slug}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.to_owned(),
            errors: Vec::new(),
        }
    }

    pub fn unauthorized(detail: &str) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            detail,
        )
    }

    pub fn validation(errors: Vec<FieldError>) -> Problem {
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        Problem {
            errors: errors.clone(),
            ..Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation",
                "The application is not valid",
                &format!("check {}", fields.join(", ")),
            )
        }
    }

    /// An internal failure: logged with its cause, answered without it.
    pub fn internal(cause: &str) -> Problem {
        tracing::error!(cause, "request failed");
        Problem::internal_answer()
    }

    /// An internal failure as the client sees it.
    pub fn internal_answer() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the request could not be completed; quote the x-request-id header when reporting it",
        )
    }

    /// Above the key's rate limit; it may send again in `seconds`.
    pub fn rate_limited(seconds: u64) -> Problem {
        Problem::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            &format!("this API key sent too many requests; retry in {seconds} s"),
        )
    }

    /// The first request with the same Idempotency-Key is still being decided.
    pub fn in_progress() -> Problem {
        Problem::new(
            StatusCode::CONFLICT,
            "idempotency-key-in-progress",
            "Request in progress",
            "the first request with this Idempotency-Key is still being decided; retry shortly",
        )
    }

    /// The body cannot be read (`status`), for the reason given.
    pub fn unreadable(status: StatusCode, detail: &str) -> Problem {
        Problem::new(status, "unreadable-body", "The body cannot be read", detail)
    }

    /// The body is larger than the API accepts.
    pub fn body_too_large() -> Problem {
        Problem::unreadable(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the body must be at most {} bytes", super::MAX_BODY_BYTES),
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(&self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        response
    }
}

/// One problem type the API answers with: its slug (the end of `type`), its status, when it
/// happens and what the client should do, in English and French. The developer portal's error
/// catalogue is this table; a test holds it to the slugs the handlers use.
pub struct ProblemType {
    pub slug: &'static str,
    pub status: u16,
    pub when_en: &'static str,
    pub when_fr: &'static str,
    pub todo_en: &'static str,
    pub todo_fr: &'static str,
    /// Sending the same request again later may succeed.
    pub retry: bool,
}

/// The address every problem type starts with.
pub const TYPE_BASE: &str = "https://aval.example/problems/";

pub const PROBLEM_TYPES: &[ProblemType] = &[
    ProblemType {
        slug: "insufficient-scope",
        status: 403,
        when_en: "The key is valid but lacks the scope the request needs (`decisions:write`, `decisions:read`, `webhooks:manage` or `audit:read`); `detail` names it and the scopes the key holds.",
        when_fr: "La clé est valide mais n'a pas la portée que la requête demande (`decisions:write`, `decisions:read`, `webhooks:manage` ou `audit:read`) ; `detail` la nomme, avec les portées de la clé.",
        todo_en: "Use a key that holds the scope, or ask an admin for one (`server keys create --scope …` or the API keys page).",
        todo_fr: "Utilisez une clé qui a cette portée, ou demandez-en une à un administrateur (`server keys create --scope …` ou la page des clés d'API).",
        retry: false,
    },
    ProblemType {
        slug: "checkpoint-not-found",
        status: 404,
        when_en: "A consistency proof was asked between tree sizes no checkpoint was signed at.",
        when_fr: "Une preuve de cohérence a été demandée entre des tailles d'arbre auxquelles aucun point de contrôle n'a été signé.",
        todo_en: "Ask between sizes listed by `GET /api/v1/audit/checkpoints` (the ones you kept).",
        todo_fr: "Demandez-la entre des tailles listées par `GET /api/v1/audit/checkpoints` (celles que vous avez conservées).",
        retry: false,
    },
    ProblemType {
        slug: "unauthorized",
        status: 401,
        when_en: "No `Authorization: Bearer` header, or a key that is unknown or revoked.",
        when_fr: "Pas d'en-tête `Authorization: Bearer`, ou une clé inconnue ou révoquée.",
        todo_en: "Send the key as `Authorization: Bearer <key>`; if it was revoked, ask an admin for a new one.",
        todo_fr: "Envoyez la clé dans `Authorization: Bearer <clé>` ; si elle a été révoquée, demandez-en une nouvelle à un administrateur.",
        retry: false,
    },
    ProblemType {
        slug: "validation",
        status: 422,
        when_en: "A field is missing or not valid. `errors` names each one as a JSON pointer with the problem; a SIREN whose check digit is wrong is one.",
        when_fr: "Un champ manque ou n'est pas valide. `errors` nomme chacun par un pointeur JSON, avec le problème ; un SIREN dont la clé de contrôle est fausse en fait partie.",
        todo_en: "Fix every field listed in `errors` and send again; nothing was recorded.",
        todo_fr: "Corrigez chaque champ listé dans `errors` et renvoyez ; rien n'a été enregistré.",
        retry: false,
    },
    ProblemType {
        slug: "malformed-json",
        status: 400,
        when_en: "The body is not JSON, or not a JSON object.",
        when_fr: "Le corps n'est pas du JSON, ou pas un objet JSON.",
        todo_en: "Send a JSON object; `detail` says where parsing stopped.",
        todo_fr: "Envoyez un objet JSON ; `detail` indique où la lecture s'est arrêtée.",
        retry: false,
    },
    ProblemType {
        slug: "unreadable-body",
        status: 413,
        when_en: "The body cannot be read: larger than 64 KiB (413), or cut off.",
        when_fr: "Le corps ne peut pas être lu : plus de 64 Kio (413), ou tronqué.",
        todo_en: "Keep requests under 64 KiB: `metadata` is for references, not documents.",
        todo_fr: "Gardez les requêtes sous 64 Kio : `metadata` sert aux références, pas aux documents.",
        retry: false,
    },
    ProblemType {
        slug: "unsupported-media-type",
        status: 415,
        when_en: "The body was sent with a `Content-Type` other than `application/json`.",
        when_fr: "Le corps a été envoyé avec un `Content-Type` autre que `application/json`.",
        todo_en: "Send `Content-Type: application/json`.",
        todo_fr: "Envoyez `Content-Type: application/json`.",
        retry: false,
    },
    ProblemType {
        slug: "bad-idempotency-key",
        status: 400,
        when_en: "The `Idempotency-Key` header is empty, longer than 255 characters or not visible ASCII.",
        when_fr: "L'en-tête `Idempotency-Key` est vide, dépasse 255 caractères ou n'est pas en ASCII visible.",
        todo_en: "Use your own application's id, or a UUID, as the key.",
        todo_fr: "Prenez l'identifiant de la demande dans votre système, ou un UUID.",
        retry: false,
    },
    ProblemType {
        slug: "bad-load-test-run",
        status: 400,
        when_en: "The `Aval-Load-Test-Run` header is not 1 to 64 letters, digits, `-` or `_`.",
        when_fr: "L'en-tête `Aval-Load-Test-Run` ne fait pas 1 à 64 lettres, chiffres, `-` ou `_`.",
        todo_en: "Let `server loadtest` set it, or drop the header.",
        todo_fr: "Laissez `server loadtest` le fixer, ou retirez l'en-tête.",
        retry: false,
    },
    ProblemType {
        slug: "idempotency-key-reused",
        status: 409,
        when_en: "The `Idempotency-Key` was used before with a different body.",
        when_fr: "L'`Idempotency-Key` a déjà servi avec un autre corps.",
        todo_en: "A new application needs a new key; a retry must send the same bytes again.",
        todo_fr: "Une nouvelle demande exige une nouvelle clé ; une reprise doit renvoyer exactement le même corps.",
        retry: false,
    },
    ProblemType {
        slug: "idempotency-key-in-progress",
        status: 409,
        when_en: "The first request with this `Idempotency-Key` is still being decided.",
        when_fr: "La première requête avec cette `Idempotency-Key` est encore en cours de décision.",
        todo_en: "Wait a second and send the same request again: you will get the original answer.",
        todo_fr: "Attendez une seconde et renvoyez la même requête : vous recevrez la réponse d'origine.",
        retry: true,
    },
    ProblemType {
        slug: "rate-limited",
        status: 429,
        when_en: "The key sent more requests than its rate limit allows.",
        when_fr: "La clé a envoyé plus de requêtes que sa limite de débit ne le permet.",
        todo_en: "Wait the seconds given in `retry-after`, then send again (with the same `Idempotency-Key`).",
        todo_fr: "Attendez le nombre de secondes de `retry-after`, puis renvoyez (avec la même `Idempotency-Key`).",
        retry: true,
    },
    ProblemType {
        slug: "not-found",
        status: 404,
        when_en: "No such route under `/api/v1`.",
        when_fr: "Aucune route de ce nom sous `/api/v1`.",
        todo_en: "Check the path against the contract (`/api/v1/openapi.json`).",
        todo_fr: "Vérifiez le chemin dans le contrat (`/api/v1/openapi.json`).",
        retry: false,
    },
    ProblemType {
        slug: "method-not-allowed",
        status: 405,
        when_en: "The route exists but does not answer this HTTP method.",
        when_fr: "La route existe mais ne répond pas à cette méthode HTTP.",
        todo_en: "Check the method against the contract (`/api/v1/openapi.json`).",
        todo_fr: "Vérifiez la méthode dans le contrat (`/api/v1/openapi.json`).",
        retry: false,
    },
    ProblemType {
        slug: "decision-not-found",
        status: 404,
        when_en: "No decision with this id in the key's world (a sandbox key never sees live decisions).",
        when_fr: "Aucune décision de cet identifiant dans le monde de la clé (une clé sandbox ne voit jamais les décisions live).",
        todo_en: "Check the id and that the key is of the world the decision was made in.",
        todo_fr: "Vérifiez l'identifiant, et que la clé est du monde où la décision a été prise.",
        retry: false,
    },
    ProblemType {
        slug: "company-not-found",
        status: 404,
        when_en: "No decision on this SIREN in the key's world yet.",
        when_fr: "Aucune décision sur ce SIREN dans le monde de la clé pour l'instant.",
        todo_en: "Ask for a decision first; the company page exists from the first one.",
        todo_fr: "Demandez d'abord une décision ; la fiche entreprise existe dès la première.",
        retry: false,
    },
    ProblemType {
        slug: "webhook-endpoint-not-found",
        status: 404,
        when_en: "No webhook endpoint with this id in the key's world.",
        when_fr: "Aucun endpoint de webhook de cet identifiant dans le monde de la clé.",
        todo_en: "List the endpoints (`GET /api/v1/webhook-endpoints`) with a key of the same world.",
        todo_fr: "Listez les endpoints (`GET /api/v1/webhook-endpoints`) avec une clé du même monde.",
        retry: false,
    },
    ProblemType {
        slug: "webhook-endpoint-disabled",
        status: 409,
        when_en: "A test event was asked for a disabled endpoint.",
        when_fr: "Un événement de test a été demandé pour un endpoint désactivé.",
        todo_en: "Enable it (`PATCH` with `{\"enabled\": true}`), then send the test again.",
        todo_fr: "Réactivez-le (`PATCH` avec `{\"enabled\": true}`), puis renvoyez le test.",
        retry: false,
    },
    ProblemType {
        slug: "delivery-not-found",
        status: 404,
        when_en: "No delivery with this number for this endpoint.",
        when_fr: "Aucune livraison de ce numéro pour cet endpoint.",
        todo_en: "Take the number from the endpoint's delivery log (`/deliveries`).",
        todo_fr: "Prenez le numéro dans le journal des livraisons de l'endpoint (`/deliveries`).",
        retry: false,
    },
    ProblemType {
        slug: "delivery-pending",
        status: 409,
        when_en: "A redelivery was asked for a delivery that is still being tried.",
        when_fr: "Une nouvelle livraison a été demandée alors que la livraison est encore en cours d'essais.",
        todo_en: "Wait until it is delivered or dead (see `/deliveries`); pending deliveries are retried by themselves.",
        todo_fr: "Attendez qu'elle soit livrée ou abandonnée (voir `/deliveries`) ; une livraison en attente est retentée d'elle-même.",
        retry: false,
    },
    ProblemType {
        slug: "internal",
        status: 500,
        when_en: "The server could not complete the request (a database or bug failure); nothing half-done is kept.",
        when_fr: "Le serveur n'a pas pu terminer la requête (panne de base de données ou défaut) ; rien de partiel n'est conservé.",
        todo_en: "Retry with backoff; for a decision, with a new `Idempotency-Key` (the answer to a key is kept, this one included). Quote the `x-request-id` header if it persists.",
        todo_fr: "Réessayez avec un délai croissant ; pour une décision, avec une nouvelle `Idempotency-Key` (la réponse à une clé est conservée, celle-ci comprise). Citez l'en-tête `x-request-id` si cela persiste.",
        retry: true,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The slug (first lower-case string literal) of every problem built with `Problem::new` in
    /// the server's sources.
    fn slugs_in_sources() -> std::collections::BTreeSet<String> {
        let mut found = std::collections::BTreeSet::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/src"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    let text = std::fs::read_to_string(&path).unwrap();
                    for (at, _) in text.match_indices("Problem::new(") {
                        let call = &text[at..(at + 300).min(text.len())];
                        let slug = call.split('"').skip(1).step_by(2).find(|s| {
                            !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                        });
                        if let Some(slug) = slug {
                            found.insert(slug.to_owned());
                        }
                    }
                }
            }
        }
        // The helpers name theirs the same way.
        found.extend(["unauthorized", "validation", "internal"].map(String::from));
        found
    }

    #[test]
    fn the_catalogue_lists_every_problem_type_the_handlers_answer_and_no_other() {
        let used = slugs_in_sources();
        let listed: std::collections::BTreeSet<String> =
            PROBLEM_TYPES.iter().map(|p| p.slug.to_owned()).collect();
        assert!(used.len() > 15, "the scan found too few: {used:?}");
        assert_eq!(listed, used);
        assert_eq!(listed.len(), PROBLEM_TYPES.len(), "a slug is listed twice");
    }
}

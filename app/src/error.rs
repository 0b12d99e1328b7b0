//! The error every server function returns: user-safe variants only. Internal failures are
//! logged on the server with their cause and reach the browser as a request id.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// No valid session: sign in (again).
    #[error("sign-in required")]
    Unauthorized,
    /// Signed in, but the role does not allow this.
    #[error("your role does not allow this")]
    Forbidden,
    #[error("not found")]
    NotFound,
    /// An argument is invalid; `field` names it.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// Several arguments of a form are invalid, each named with its problem.
    #[error("{}", problems_text(.0))]
    Invalid(Vec<FieldProblem>),
    #[error("{0}")]
    Conflict(String),
    /// Something failed on the server; details are in its log under this request id.
    #[error("internal error (request id {request_id})")]
    Internal { request_id: String },
    /// The call itself failed (network, encoding).
    #[error("request failed: {0}")]
    Transport(String),
}

/// One field of a form and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub problem: String,
}

fn problems_text(problems: &[FieldProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("{}: {}", p.field, p.problem))
        .collect::<Vec<_>>()
        .join("; ")
}

impl AppError {
    /// Whether the error is about what was typed (the form can be corrected and sent again).
    pub fn is_input(&self) -> bool {
        matches!(
            self,
            AppError::Validation { .. } | AppError::Invalid(_) | AppError::Conflict(_)
        )
    }

    /// The HTTP status the server answers this error with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::Validation { .. } | AppError::Invalid(_) => 422,
            AppError::Conflict(_) => 409,
            AppError::Internal { .. } | AppError::Transport(_) => 500,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            // The arguments a form sent cannot be read (a repeated field, a list where one
            // value was expected): the request is at fault, not the server.
            ServerFnErrorErr::Args(message) | ServerFnErrorErr::MissingArg(message) => {
                let error = AppError::Validation {
                    field: "form".into(),
                    message,
                };
                #[cfg(feature = "ssr")]
                let error = fail(error);
                error
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

#[cfg(feature = "ssr")]
pub use ssr::fail;

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use leptos::prelude::use_context;

    /// Sets the response status for an error about to be returned by a server function, and
    /// gives an internal error the request id under which the server logged its cause.
    pub fn fail(err: AppError) -> AppError {
        let err = match err {
            AppError::Internal { request_id } if request_id.is_empty() => AppError::Internal {
                request_id: use_context::<http::request::Parts>()
                    .and_then(|p| {
                        p.headers
                            .get("x-request-id")
                            .and_then(|v| v.to_str().ok())
                            .map(str::to_owned)
                    })
                    .unwrap_or_default(),
            },
            other => other,
        };
        match plain_form_post() {
            // A form posted before the wasm loaded: the browser follows a redirect. Without a
            // session it goes to sign-in and comes back to the page; a refused role or a
            // missing record keeps its status; anything else goes back to the form's page,
            // which shows the error (server functions put it in the address for the action).
            Some(page) => match err {
                AppError::Unauthorized => {
                    leptos_axum::redirect(&crate::access::sign_in_then(&page, true));
                }
                AppError::Forbidden | AppError::NotFound => set_status(err.status()),
                _ => {}
            },
            None => set_status(err.status()),
        }
        err
    }

    fn set_status(status: u16) {
        if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(status) = http::StatusCode::from_u16(status) {
                options.set_status(status);
            }
        }
    }

    /// When the current request is a plain HTML form posted to a server function (no
    /// JavaScript), the path of the page it was posted from.
    fn plain_form_post() -> Option<String> {
        let parts = use_context::<http::request::Parts>()?;
        let accepts_html = parts
            .headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
        if parts.method != http::Method::POST
            || !accepts_html
            || !parts.uri.path().starts_with("/api/app/")
        {
            return None;
        }
        let from = parts
            .headers
            .get(http::header::REFERER)
            .and_then(|v| v.to_str().ok())
            .and_then(|r| {
                // Same-origin only (the origin check refuses others): keep path and query.
                let rest = r.split_once("://").map_or(r, |(_, rest)| rest);
                rest.find('/').map(|i| rest[i..].to_owned())
            });
        Some(from.unwrap_or_else(|| crate::access::HOME.to_owned()))
    }
}

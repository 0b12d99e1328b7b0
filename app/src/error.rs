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
                let error = crate::api::fail(error);
                error
            }
            other => AppError::Transport(other.to_string()),
        }
    }
}

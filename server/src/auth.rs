//! Authentication: password hashing, sign-in throttling, sessions and the page access check.

pub mod origin;
pub mod password;
pub mod routes;
pub mod session;
pub mod throttle;

use app::access::sign_in_then;
use app::model::{Role, SessionUser};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

/// The signed-in user if they hold `role`; otherwise the response to give.
pub fn require(
    user: Option<SessionUser>,
    role: Role,
    back: &str,
) -> Result<SessionUser, Box<Response>> {
    match user {
        None => Err(Box::new(
            Redirect::to(&sign_in_then(back, true)).into_response(),
        )),
        Some(u) if u.role == role => Ok(u),
        Some(_) => Err(Box::new(
            (StatusCode::FORBIDDEN, "your role does not allow this").into_response(),
        )),
    }
}

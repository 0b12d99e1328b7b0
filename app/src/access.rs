//! Who may open which page. One table, used by the server before it renders a page (status
//! code, redirect to sign-in) and by the browser when it navigates without a page load.

use crate::i18n::Msg;
use crate::model::Role;

/// The condition a page puts on the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone, signed in or not.
    Public,
    /// Any signed-in user.
    SignedIn,
    /// Signed-in users holding one of these roles.
    Roles(&'static [Role]),
}

impl Access {
    /// Whether a user with this role (or nobody, when `None`) may open the page.
    pub fn allows(self, role: Option<Role>) -> bool {
        match (self, role) {
            (Access::Public, _) => true,
            (_, None) => false,
            (Access::SignedIn, Some(_)) => true,
            (Access::Roles(roles), Some(role)) => roles.contains(&role),
        }
    }
}

/// A page of the application.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub path: &'static str,
    pub access: Access,
    /// The label in the navigation, when the page is listed there.
    pub nav: Option<Msg>,
}

pub const HOME: &str = "/";
pub const SIGN_IN: &str = "/signin";
pub const SIGN_OUT: &str = "/signout";
/// The language switch: the address of its server function (`actions::set_language`, whose
/// test checks the two agree).
pub const LANGUAGE: &str = "/api/app/set_language";
pub const APPLICATIONS: &str = "/applications";
pub const QUEUE: &str = "/queue";
pub const AUDIT: &str = "/audit";
pub const DASHBOARD: &str = "/dashboard";
pub const ADMIN_USERS: &str = "/admin/users";
pub const ADMIN_KEYS: &str = "/admin/keys";
pub const ADMIN_WEBHOOKS: &str = "/admin/webhooks";
/// The signed-in user's own password.
pub const ACCOUNT_PASSWORD: &str = "/account/password";
/// A sales rep's application and its decision.
pub const APPLICATION: &str = "/applications/{id}";
/// A case, for credit managers and auditors.
pub const CASE: &str = "/cases/{id}";
/// A company's lines, their history, its grade over time and its open cases.
pub const COMPANY: &str = "/companies/{siren}";

/// Every page, in navigation order.
pub const PAGES: &[Page] = &[
    Page {
        path: HOME,
        access: Access::SignedIn,
        nav: Some(Msg::NavHome),
    },
    Page {
        path: SIGN_IN,
        access: Access::Public,
        nav: None,
    },
    Page {
        path: APPLICATIONS,
        access: Access::Roles(&[Role::SalesRep]),
        nav: Some(Msg::NavApplications),
    },
    Page {
        path: APPLICATION,
        access: Access::Roles(&[Role::SalesRep]),
        nav: None,
    },
    Page {
        path: QUEUE,
        access: Access::Roles(&[Role::CreditManager]),
        nav: Some(Msg::NavQueue),
    },
    Page {
        path: CASE,
        access: Access::Roles(&[Role::CreditManager, Role::Auditor]),
        nav: None,
    },
    Page {
        path: COMPANY,
        access: Access::Roles(&[
            Role::SalesRep,
            Role::CreditManager,
            Role::Auditor,
            Role::Admin,
        ]),
        nav: None,
    },
    Page {
        path: AUDIT,
        access: Access::Roles(&[Role::Auditor]),
        nav: Some(Msg::NavAudit),
    },
    Page {
        path: ADMIN_USERS,
        access: Access::Roles(&[Role::Admin]),
        nav: Some(Msg::NavUsers),
    },
    Page {
        path: ADMIN_KEYS,
        access: Access::Roles(&[Role::Admin]),
        nav: Some(Msg::NavKeys),
    },
    Page {
        path: ADMIN_WEBHOOKS,
        access: Access::Roles(&[Role::Admin]),
        nav: Some(Msg::NavWebhooks),
    },
    Page {
        path: ACCOUNT_PASSWORD,
        access: Access::SignedIn,
        nav: None,
    },
    Page {
        path: DASHBOARD,
        access: Access::Roles(&[Role::CreditManager, Role::Auditor, Role::Admin]),
        nav: Some(Msg::NavDashboard),
    },
];

/// The page registered for a path, ignoring any query string and trailing slash.
pub fn page_for(path: &str) -> Option<&'static Page> {
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let path = if path.len() > 1 {
        path.trim_end_matches('/')
    } else {
        path
    };
    PAGES.iter().find(|p| matches_pattern(p.path, path))
}

/// Whether `path` fits `pattern`, where a `{name}` segment stands for any one segment.
fn matches_pattern(pattern: &str, path: &str) -> bool {
    let (mut a, mut b) = (pattern.split('/'), path.split('/'));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(p), Some(s)) if p.starts_with('{') && p.ends_with('}') && !s.is_empty() => {}
            (Some(p), Some(s)) if p == s => {}
            _ => return false,
        }
    }
}

/// The link to a path pattern with its one parameter filled in.
pub fn link(pattern: &str, id: &str) -> String {
    match (pattern.find('{'), pattern.find('}')) {
        (Some(start), Some(end)) if start < end => {
            format!(
                "{}{}{}",
                &pattern[..start],
                url_encode(id),
                &pattern[end + 1..]
            )
        }
        _ => pattern.to_owned(),
    }
}

/// The navigation entries a role sees, in order.
pub fn nav_for(role: Role) -> impl Iterator<Item = &'static Page> {
    PAGES
        .iter()
        .filter(move |p| p.nav.is_some() && p.access.allows(Some(role)))
}

/// A safe place to go after signing in: a local path only, never another site.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_owned(),
        _ => HOME.to_owned(),
    }
}

/// Percent-encodes a value for a URL query string.
pub fn url_encode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Where an anonymous visitor of `target` is sent: the sign-in page, then back.
pub fn sign_in_then(target: &str, expired: bool) -> String {
    let expired = if expired { "expired=1&" } else { "" };
    format!("{SIGN_IN}?{expired}next={}", url_encode(target))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_sees_home_and_only_its_own_pages() {
        for role in Role::ALL {
            let paths: Vec<_> = nav_for(role).map(|p| p.path).collect();
            let expected: &[&str] = match role {
                Role::SalesRep => &[HOME, APPLICATIONS],
                Role::CreditManager => &[HOME, QUEUE, DASHBOARD],
                Role::Auditor => &[HOME, AUDIT, DASHBOARD],
                Role::Admin => &[HOME, ADMIN_USERS, ADMIN_KEYS, ADMIN_WEBHOOKS, DASHBOARD],
            };
            assert_eq!(paths, expected, "{role}");
        }
    }

    #[test]
    fn signed_out_visitors_may_open_only_public_pages() {
        for page in PAGES {
            assert_eq!(page.access.allows(None), page.access == Access::Public);
        }
    }

    #[test]
    fn a_path_with_query_or_trailing_slash_finds_its_page() {
        assert_eq!(page_for("/queue/?sort=age").map(|p| p.path), Some(QUEUE));
        assert_eq!(page_for("/").map(|p| p.path), Some(HOME));
        assert!(page_for("/nowhere").is_none());
        assert_eq!(page_for("/cases/dec_1").map(|p| p.path), Some(CASE));
        assert_eq!(
            page_for("/applications/dec_1?x").map(|p| p.path),
            Some(APPLICATION)
        );
        assert!(page_for("/cases/").is_none());
        assert!(page_for("/cases/a/b").is_none());
        assert_eq!(link(CASE, "dec_1"), "/cases/dec_1");
    }

    #[test]
    fn the_next_page_after_sign_in_never_leaves_the_site() {
        assert_eq!(safe_next(Some("/queue?x=1")), "/queue?x=1");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(Some("/\\evil.example")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn the_sign_in_redirect_carries_the_target_encoded() {
        assert_eq!(
            sign_in_then("/queue?sort=age&x=é", true),
            "/signin?expired=1&next=/queue%3Fsort%3Dage%26x%3D%C3%A9"
        );
    }
}

//! Demo mode: one user per role (and a second credit manager, so that four-eyes confirmation
//! can be tried), created on first start, so the application can be tried at once. Production
//! mode never creates them.

use crate::auth::password;
use crate::store::{Accounts, NewUser, StoreError};
use app::model::Role;
use chrono::Utc;

/// A demo account and its published password.
pub struct DemoUser {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub password: &'static str,
}

pub const DEMO_USERS: [DemoUser; 5] = [
    DemoUser {
        username: "rep",
        display_name: "Rémi Sales",
        role: Role::SalesRep,
        password: "demo-sales-rep",
    },
    DemoUser {
        username: "manager",
        display_name: "Camille Credit",
        role: Role::CreditManager,
        password: "demo-credit-manager",
    },
    DemoUser {
        username: "manager2",
        display_name: "Dominique Second",
        role: Role::CreditManager,
        password: "demo-second-manager",
    },
    DemoUser {
        username: "auditor",
        display_name: "Alex Audit",
        role: Role::Auditor,
        password: "demo-auditor-pass",
    },
    DemoUser {
        username: "admin",
        display_name: "Ada Admin",
        role: Role::Admin,
        password: "demo-admin-pass",
    },
];

/// Creates the demo users when the database has no user at all. Returns how many were
/// created.
pub async fn ensure_demo_users(store: &dyn Accounts) -> Result<usize, anyhow::Error> {
    if store.count_users().await? > 0 {
        return Ok(0);
    }
    let mut created = 0;
    for demo in &DEMO_USERS {
        let hash = password::hash(demo.password.to_owned()).await?;
        let user = NewUser {
            username: demo.username.to_owned(),
            display_name: demo.display_name.to_owned(),
            role: demo.role,
            password_hash: hash,
            is_demo: true,
            must_change_password: false,
        };
        // Demo accounts are part of the demo's set-up, not changes anyone made: no record.
        match store.create_user(user, Utc::now(), None).await {
            Ok(_) => created += 1,
            // Another instance created it first.
            Err(StoreError::Conflict(_)) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(created)
}

/// The sign-in instructions printed at start-up in demo mode.
pub fn banner(public_url: &str) -> String {
    let mut text = format!(
        "\n  Aval is running in DEMO mode at {public_url}\n  Sign in with one of these demo accounts:\n\n"
    );
    for demo in &DEMO_USERS {
        text.push_str(&format!(
            "    {:<16} username: {:<10} password: {}\n",
            app::i18n::role_label(demo.role, app::i18n::Lang::En),
            demo.username,
            demo.password
        ));
    }
    text.push_str(
        "\n  Demo mode is for trying the product; production mode creates no demo user.\n",
    );
    text
}

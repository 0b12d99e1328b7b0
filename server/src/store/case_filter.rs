//! The `WHERE` and `ORDER BY` of case lists, written once for both databases.

use super::{millis, CaseFilter};
use sqlx::{Database, Encode, QueryBuilder, Type};

/// Largest page a list returns.
pub const MAX_PER_PAGE: i64 = 200;

/// Appends `WHERE …` for every filter set.
pub(crate) fn push_case_filter<'a, DB>(q: &mut QueryBuilder<'a, DB>, f: &CaseFilter)
where
    DB: Database,
    String: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
{
    let mut first = true;
    let mut and = |q: &mut QueryBuilder<'a, DB>| {
        q.push(if first { " WHERE " } else { " AND " });
        first = false;
    };
    if let Some(world) = &f.world {
        and(q);
        q.push("world = ").push_bind(world.clone());
    }
    if !f.statuses.is_empty() {
        and(q);
        q.push("status IN (");
        let mut sep = q.separated(", ");
        for status in &f.statuses {
            sep.push_bind(status.clone());
        }
        q.push(")");
    }
    if let Some(siren) = &f.siren {
        and(q);
        q.push("siren = ").push_bind(siren.clone());
    }
    if let Some(product) = &f.product {
        and(q);
        q.push("product = ").push_bind(product.clone());
    }
    if let Some(outcome) = &f.outcome {
        and(q);
        if outcome == "refer" {
            q.push("final_outcome IS NULL");
        } else {
            q.push("final_outcome = ").push_bind(outcome.clone());
        }
    }
    if let Some(overridden) = f.overridden {
        and(q);
        q.push("overridden = ").push_bind(i64::from(overridden));
    }
    if let Some(user) = f.submitted_by {
        and(q);
        q.push("submitted_by = ").push_bind(user);
    }
    if let Some(user) = f.claimed_by {
        and(q);
        q.push("claimed_by = ").push_bind(user);
    }
    if let Some(referral) = &f.referral {
        and(q);
        // Reasons are stored comma-separated; match whole items only.
        let escaped = referral
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        q.push("(',' || referrals || ',') LIKE ")
            .push_bind(format!("%,{escaped},%"))
            .push(" ESCAPE '\\'");
    }
    if let Some(from) = f.decided_from {
        and(q);
        q.push("decided_at_ms >= ").push_bind(millis(from));
    }
    if let Some(before) = f.decided_before {
        and(q);
        q.push("decided_at_ms < ").push_bind(millis(before));
    }
}

/// Appends `ORDER BY … LIMIT … OFFSET …` (pages from 1, at most [`MAX_PER_PAGE`] rows).
pub(crate) fn push_case_order<'a, DB>(q: &mut QueryBuilder<'a, DB>, f: &CaseFilter)
where
    DB: Database,
    i64: Encode<'a, DB> + Type<DB>,
{
    q.push(match f.sort.as_deref() {
        Some("newest") => " ORDER BY decided_at_ms DESC, decision_id DESC",
        Some("amount_desc") => " ORDER BY amount_cents DESC, decided_at_ms",
        Some("amount_asc") => " ORDER BY amount_cents, decided_at_ms",
        Some("score_asc") => " ORDER BY score, decided_at_ms",
        _ => " ORDER BY decided_at_ms, decision_id",
    });
    let per_page = f.per_page.clamp(1, MAX_PER_PAGE);
    let page = f.page.max(1);
    q.push(" LIMIT ")
        .push_bind(per_page)
        .push(" OFFSET ")
        .push_bind((page - 1).saturating_mul(per_page));
}

//! A company as the lender holds it (`aval_core::company::CompanyView`): read from the
//! credit-line ledger, the assessments, monitoring and the open cases. The company page and
//! `GET /api/v1/companies/{siren}` both show it.

use crate::store::{CaseFilter, Store, StoreResult};
use aval_core::company::{
    AssessmentView, CompanyView, LineChangeView, LineView, MonitoringStatus, OpenCaseView,
};
use aval_core::engine::policy::Policy;
use aval_core::vocabulary::{CaseStatus, Product, Referral};

/// Assessments shown, the newest.
const ASSESSMENTS: i64 = 100;

/// The company `siren` in `world`; `None` when the lender has never decided on it.
pub async fn view(
    store: &dyn Store,
    policy: &Policy,
    world: &str,
    siren: &str,
) -> StoreResult<Option<CompanyView>> {
    let (lines, changes) = store.credit_lines(world, siren).await?;
    let assessments = store.company_assessments(world, siren, ASSESSMENTS).await?;
    let cases = store
        .list_cases(&CaseFilter {
            world: Some(world.to_owned()),
            siren: Some(siren.to_owned()),
            sort: Some("newest".into()),
            page: 1,
            per_page: 50,
            ..CaseFilter::default()
        })
        .await?;
    if lines.is_empty() && assessments.is_empty() && cases.total == 0 {
        return Ok(None);
    }
    let monitoring = store
        .monitored_company(world, siren)
        .await?
        .map(|m| MonitoringStatus {
            decision_id: m.decision_id,
            enrolled_at: m.enrolled_at,
            last_checked_at: m.last_checked,
            last_result: m.last_result,
            last_decision_id: m.last_decision_id,
            next_check_at: m.next_check,
        });
    let lines: Vec<LineView> = lines
        .into_iter()
        .map(|l| LineView {
            history: changes
                .iter()
                .filter(|c| c.product == l.product)
                .map(|c| LineChangeView {
                    version: c.version,
                    change: c.change,
                    previous_limit_cents: c.previous_limit_cents,
                    limit_cents: c.limit_cents,
                    by: c.by,
                    by_name: c.by_name.clone(),
                    at: c.at,
                    decision_id: c.decision_id.clone(),
                    reasons: c.reasons.clone(),
                })
                .collect(),
            product: l.product,
            limit_cents: l.limit_cents,
            status: l.status,
            version: l.version,
            granted_limit_cents: l.granted_limit_cents,
            grant_decision_id: l.grant_decision_id,
            grant_grade: l.grant_grade,
            opened_at: l.opened_at,
            changed_at: l.changed_at,
            last_increase_at: l.last_increase_at,
        })
        .collect();
    let exposure: i64 = lines
        .iter()
        .filter(|l| l.status == "active")
        .map(|l| l.limit_cents)
        .sum();
    let pd = assessments.last().map_or(0.0, |a| a.probability_of_default);
    let lgd = policy.loss_given_default();
    let company_name = cases.cases.iter().find_map(|c| c.company_name.clone());
    let open_cases = cases
        .cases
        .iter()
        .filter(|c| CaseStatus::parse(&c.status).is_ok_and(|s| s.is_open()))
        .map(|c| OpenCaseView {
            decision_id: c.decision_id.clone(),
            product: Product::parse(&c.product).unwrap_or(Product::Bnpl),
            amount_cents: c.amount_cents,
            status: CaseStatus::parse(&c.status).unwrap_or(CaseStatus::InReview),
            referrals: c
                .referrals
                .split(',')
                .filter_map(|r| Referral::parse(r).ok())
                .collect(),
            decided_at: c.decided_at,
        })
        .collect();
    Ok(Some(CompanyView {
        mode: world.to_owned(),
        siren: siren.to_owned(),
        company_name,
        exposure_cents: exposure,
        expected_loss_cents: (exposure as f64 * pd * lgd).round() as i64,
        loss_given_default: lgd,
        lines,
        assessments: assessments
            .into_iter()
            .map(|a| AssessmentView {
                decision_id: a.decision_id,
                at: a.at,
                product: a.product,
                score: a.score,
                grade: a.grade,
                probability_of_default: a.probability_of_default,
                outcome: a.outcome,
                origin: a.origin,
            })
            .collect(),
        monitoring,
        open_cases,
    }))
}

//! Monitoring of granted companies. A grant (an automated approval, or a person's approval or
//! counter-offer) enrols its company; the scheduler re-gathers the sources of each company due
//! and re-decides the original application under the engine in force. The check is a decision
//! like any other: recorded in the audit trail with its snapshots, and replayable.
//!
//! It is compared with the decision the company was last seen with (the previous check, or the
//! grant). A material change (grade down, a new or worse collective proceeding, a proposed
//! limit now below the one granted) opens a review case in the credit managers' queue and
//! sends `company.risk_changed`, in the same transaction. A source that answered before and
//! fails now sends `monitoring.source_failed`, and the company is checked again sooner.

use crate::cases::Origin;
use crate::decisions::{self, DecisionError, Engine};
use crate::events::{self, RiskChange};
use crate::sources::gather::Gatherer;
use crate::sources::SourceError;
use crate::store::{CaseRow, MonitoredCompany, MonitoringWrite, Store};
use aval_core::case::Case;
use aval_core::vocabulary::{CaseStatus, Referral};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

/// How long a scheduler holds a company it is checking; after a crash it is checked again once
/// this has passed.
pub const LEASE: Duration = Duration::minutes(5);

/// Companies checked per round.
const BATCH: i64 = 16;

/// What a check found.
#[derive(Debug, Clone, PartialEq)]
pub enum CheckResult {
    /// Re-decided; nothing material changed.
    Unchanged { decision_id: String },
    /// Re-decided; the changes, the review case and the event are recorded.
    RiskChanged {
        decision_id: String,
        changes: Vec<RiskChange>,
    },
    /// A source that answered before did not answer; nothing was decided.
    SourceFailed { sources: Vec<(String, String)> },
}

impl CheckResult {
    pub fn label(&self) -> &'static str {
        match self {
            CheckResult::Unchanged { .. } => "unchanged",
            CheckResult::RiskChanged { .. } => "risk_changed",
            CheckResult::SourceFailed { .. } => "source_failed",
        }
    }
}

/// A failure that says the source could not be asked, as opposed to an answer ("not found",
/// "not requested").
fn is_failure(e: &SourceError) -> bool {
    !matches!(e, SourceError::NotFound | SourceError::NotRequested { .. })
}

/// Higher is riskier: the grade's upper PD bound under the policy, or its position in the
/// alphabet for a grade the policy no longer has.
fn grade_rank(engine: &Engine, grade: &str) -> f64 {
    engine
        .policy
        .grades
        .get(grade)
        .copied()
        .unwrap_or_else(|| f64::from(grade.bytes().next().unwrap_or(b'A')))
}

/// The material changes from the decision `p` to the decision `n`, for a grant of
/// `granted_cents`.
pub fn changes(
    engine: &Engine,
    p: &crate::engine::Decision,
    n: &crate::engine::Decision,
    granted_cents: i64,
) -> Vec<RiskChange> {
    let mut found = Vec::new();
    if grade_rank(engine, &n.grade) > grade_rank(engine, &p.grade) {
        found.push(RiskChange::GradeDown {
            from: p.grade.clone(),
            to: n.grade.clone(),
        });
    }
    let proceeding =
        |d: &crate::engine::Decision| d.features.get("lg_proceeding").unwrap_or(0.0).round() as i64;
    if proceeding(n) > proceeding(p) {
        found.push(RiskChange::Proceeding {
            from: proceeding(p),
            to: proceeding(n),
        });
    }
    let was_below = p.proposed_limit_cents < granted_cents;
    if n.proposed_limit_cents < granted_cents
        && !(was_below && p.proposed_limit_cents <= n.proposed_limit_cents)
    {
        found.push(RiskChange::LimitBelowGranted {
            granted_cents,
            proposed_cents: n.proposed_limit_cents,
        });
    }
    found
}

/// Checks one company now and records the result.
pub async fn check(
    store: &Arc<dyn Store>,
    gatherer: &Gatherer,
    engine: &Engine,
    m: &MonitoredCompany,
    every: Duration,
    now: DateTime<Utc>,
) -> Result<CheckResult, DecisionError> {
    engine.register(store.as_ref()).await?;
    let grant = decisions::load(store.as_ref(), &m.decision_id).await?;
    let previous = match &m.last_decision_id {
        Some(id) => decisions::load(store.as_ref(), id).await?,
        None => grant.clone(),
    };
    let origin = Origin {
        monitoring_of: Some(m.decision_id.clone()),
        ..Origin::default()
    };
    let evaluated =
        decisions::evaluate(gatherer, engine, grant.request.clone(), origin, now, true).await;
    let new = &evaluated.recorded;
    // A source the previous decision had and this one lacks: the comparison would be unfair.
    let failed: Vec<(String, String)> = new
        .sources
        .iter()
        .filter_map(|o| {
            let e = o.missing.as_ref().filter(|e| is_failure(e))?;
            let had = previous
                .sources
                .iter()
                .any(|p| p.source == o.source && p.missing.is_none());
            had.then(|| (o.source.as_str().to_owned(), e.to_string()))
        })
        .collect();
    if !failed.is_empty() {
        let next_check = now + every.min(Duration::hours(1));
        let write = MonitoringWrite::Checked {
            world: m.world.clone(),
            siren: m.siren.clone(),
            result: "source_failed".into(),
            decision_id: None,
            at: now,
            next_check,
        };
        let event = events::source_failed(m, now, &failed, next_check);
        store
            .finish_monitoring_check(&m.world, &write, &[event])
            .await?;
        return Ok(CheckResult::SourceFailed { sources: failed });
    }
    let found = changes(
        engine,
        &previous.decision,
        &new.decision,
        m.granted_limit_cents,
    );
    let mut evaluated = evaluated;
    if !found.is_empty() {
        evaluated.recorded.origin.monitoring_review = Some(crate::cases::MonitoringReview {
            previous_decision_id: previous.id.clone(),
            granted_limit_cents: m.granted_limit_cents,
            changes: found.clone(),
        });
    }
    let new = &evaluated.recorded;
    let decision_id = new.id.clone();
    let (case, events, label) = if found.is_empty() {
        (None, Vec::new(), "unchanged")
    } else {
        let mut case = Case::opened_by(new, evaluated.company_name.clone(), &new.origin);
        case.status = CaseStatus::InReview;
        case.final_outcome = None;
        case.final_limit_cents = None;
        case.referrals.insert(0, Referral::RiskChanged);
        let event = events::risk_changed(m, &previous, new, &found);
        (Some(CaseRow::from(&case)), vec![event], "risk_changed")
    };
    let write = MonitoringWrite::Checked {
        world: m.world.clone(),
        siren: m.siren.clone(),
        result: label.into(),
        decision_id: Some(decision_id.clone()),
        at: now,
        next_check: now + every,
    };
    decisions::record(store, evaluated, case, events, Some(write), false).await?;
    Ok(if found.is_empty() {
        CheckResult::Unchanged { decision_id }
    } else {
        CheckResult::RiskChanged {
            decision_id,
            changes: found,
        }
    })
}

/// Checks the companies due, round after round, until the task is stopped. `wake` starts a
/// round at once (an admin's "check now").
pub async fn run(
    store: Arc<dyn Store>,
    gatherer: Arc<Gatherer>,
    every: Duration,
    poll: std::time::Duration,
    wake: Arc<tokio::sync::Notify>,
) {
    loop {
        let now = Utc::now();
        match store.claim_monitoring(now, now + LEASE, BATCH).await {
            Ok(due) if !due.is_empty() => {
                for m in &due {
                    match check(&store, &gatherer, Engine::current(), m, every, Utc::now()).await {
                        Ok(result) => {
                            tracing::info!(siren = %m.siren, world = %m.world, result = result.label(), "monitoring check")
                        }
                        // The lease runs out and the company is checked again.
                        Err(error) => {
                            tracing::error!(siren = %m.siren, %error, "monitoring check failed")
                        }
                    }
                }
                continue;
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "cannot read the companies due for monitoring"),
        }
        tokio::select! {
            _ = tokio::time::sleep(poll) => {}
            _ = wake.notified() => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::tests::{as_of, bnpl, sandbox_input_with};
    use crate::sources::sandbox::{Condition, Conditions};

    async fn decision(siren: &str, conditions: &[Condition]) -> crate::engine::Decision {
        let set = Conditions::default();
        for c in conditions {
            set.set(siren, *c, as_of() - Duration::hours(1));
        }
        let engine = Engine::current();
        let input = sandbox_input_with(siren, bnpl(20_000), Arc::new(set)).await;
        crate::engine::decide(&input, engine.model.as_ref(), &engine.policy)
    }

    #[tokio::test]
    async fn each_sandbox_deterioration_is_a_material_change_and_a_same_decision_is_none() {
        let engine = Engine::current();
        let before = decision("100000009", &[]).await;
        let granted = before.requested_cents;
        assert!(changes(engine, &before, &before, granted).is_empty());
        let proceeding = decision("100000009", &[Condition::Proceeding]).await;
        let found = changes(engine, &before, &proceeding, granted);
        assert!(
            found.contains(&RiskChange::Proceeding { from: 0, to: 2 }),
            "{found:?}"
        );
        let cash = decision("100000009", &[Condition::NegativeBalance]).await;
        let found = changes(engine, &before, &cash, granted);
        assert!(!found.is_empty(), "cash running out is material: {cash:?}");
        // Seen once, a change is not reported again by the next check.
        assert!(changes(engine, &proceeding, &proceeding, granted).is_empty());
    }

    #[tokio::test]
    async fn a_limit_below_the_grant_is_reported_once_unless_it_falls_further_and_grades_compare_by_risk(
    ) {
        let engine = Engine::current();
        let before = decision("100000009", &[]).await;
        let granted = 1_000_000;
        let with = |limit: i64, grade: &str| crate::engine::Decision {
            proposed_limit_cents: limit,
            grade: grade.to_owned(),
            ..before.clone()
        };
        let ok = with(1_500_000, &before.grade);
        let low = with(600_000, &before.grade);
        let lower = with(400_000, &before.grade);
        let limit = |found: Vec<RiskChange>| {
            found
                .into_iter()
                .any(|c| matches!(c, RiskChange::LimitBelowGranted { .. }))
        };
        assert!(!limit(changes(engine, &ok, &ok, granted)));
        assert!(limit(changes(engine, &ok, &low, granted)));
        assert!(
            !limit(changes(engine, &low, &low, granted)),
            "already known"
        );
        assert!(!limit(changes(
            engine,
            &low,
            &with(700_000, &before.grade),
            granted
        )));
        assert!(
            limit(changes(engine, &low, &lower, granted)),
            "fell further"
        );
        // Grades: the policy's PD bounds decide which is worse.
        let mut grades: Vec<(&String, &f64)> = engine.policy.grades.iter().collect();
        grades.sort_by(|a, b| a.1.total_cmp(b.1));
        let (best, worst) = (grades[0].0, grades[grades.len() - 1].0);
        assert_eq!(
            changes(
                engine,
                &with(1_500_000, best),
                &with(1_500_000, worst),
                granted
            ),
            vec![RiskChange::GradeDown {
                from: best.clone(),
                to: worst.clone()
            }]
        );
        assert!(changes(
            engine,
            &with(1_500_000, worst),
            &with(1_500_000, best),
            granted
        )
        .is_empty());
    }
}

//! Monitoring of granted companies. A grant (an automated approval, or a person's approval or
//! counter-offer) enrols its company; the scheduler re-gathers the sources of each company due
//! and re-decides the original application under the engine in force. The check is a decision
//! like any other: recorded in the audit trail with its snapshots, and replayable.
//!
//! It is compared with the decision the company was last seen with (the previous check, or the
//! grant). A material change (grade down, a new or worse collective proceeding, a proposed
//! limit now below the company's line) opens a review case in the credit managers' queue, with
//! the reduced limit the engine proposes, and sends `company.risk_changed`, in the same
//! transaction. A source that answered before and fails now sends `monitoring.source_failed`,
//! and the company is checked again sooner.
//!
//! Otherwise the company's line may grow (`aval_core::engine::increase`): the check's decision
//! is then the `credit_line_increase` decided on the same sources; within the engine's authority
//! the line is raised in the same transaction (conditional on the version read at the start of
//! the check) with `credit_limit.changed`, beyond it a case proposes the increase to a credit
//! manager. A check whose line moved on meanwhile records nothing and runs again.

use crate::cases::Origin;
use crate::decisions::{self, DecisionError, Engine};
use crate::events::{self, RiskChange};
use crate::sources::gather::Gatherer;
use crate::sources::SourceError;
use crate::store::{
    CaseRow, CreditLine, LineWrite, MonitoredCompany, MonitoringWrite, Store, StoreError,
};
use aval_core::case::Case;
use aval_core::engine::increase::{self, LineState, Verdict};
use aval_core::engine::reasons::Reason;
use aval_core::engine::Outcome;
use aval_core::record::{IncreaseVerdict, LineReview, ReasonText};
use aval_core::vocabulary::{CaseStatus, LineActor, LineChange, Product, Referral};
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
    /// Re-decided; nothing material changed and the line did not grow.
    Unchanged { decision_id: String },
    /// Re-decided; the changes, the review case and the event are recorded.
    RiskChanged {
        decision_id: String,
        changes: Vec<RiskChange>,
    },
    /// The line grew: the check's decision is the increase, applied with its event.
    Increased {
        decision_id: String,
        from_cents: i64,
        to_cents: i64,
    },
    /// The line would grow beyond the engine's authority: a case waits for a credit manager.
    IncreaseProposed { decision_id: String },
    /// The line changed while the check ran (a person's decision, another scheduler): nothing
    /// was recorded; the company is checked again at once.
    Superseded,
    /// A source that answered before did not answer; nothing was decided.
    SourceFailed { sources: Vec<(String, String)> },
}

impl CheckResult {
    pub fn label(&self) -> &'static str {
        match self {
            CheckResult::Unchanged { .. } => "unchanged",
            CheckResult::RiskChanged { .. } => "risk_changed",
            CheckResult::Increased { .. } => "increased",
            CheckResult::IncreaseProposed { .. } => "increase_proposed",
            CheckResult::Superseded => "superseded",
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

/// The line a check looks after: the active line of the monitored grant's product.
fn watched_line(lines: Vec<CreditLine>, product: Product) -> Option<CreditLine> {
    lines
        .into_iter()
        .find(|l| l.product == product && l.status == "active")
}

fn line_state(line: &CreditLine) -> LineState {
    LineState {
        product: line.product,
        limit_cents: line.limit_cents,
        granted_limit_cents: line.granted_limit_cents,
        grant_grade: line.grant_grade.clone(),
        last_increase_at: line.last_increase_at,
    }
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
    let product = grant.request.application.product;
    // Read before deciding: an increase applies only to the version read here.
    let (lines, _) = store.credit_lines(&m.world, &m.siren).await?;
    let line = watched_line(lines, product);
    let granted_cents = line
        .as_ref()
        .map_or(m.granted_limit_cents, |l| l.limit_cents);
    // What the new decision is compared with. When the last check decided an increase, its
    // proposed limit is an increase, not a limit for the product, and says nothing about the
    // line being below it.
    let mut compared = previous.decision.clone();
    if previous.request.application.product != product {
        compared.proposed_limit_cents = i64::MAX;
    }
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
        let write = checked(m, "source_failed", None, now, next_check);
        let event = events::source_failed(m, now, &failed, next_check);
        store
            .finish_monitoring_check(&m.world, &write, &[event])
            .await?;
        return Ok(CheckResult::SourceFailed { sources: failed });
    }
    let found = changes(engine, &compared, &new.decision, granted_cents);
    let mut evaluated = evaluated;
    if !found.is_empty() {
        let proposed = evaluated.recorded.decision.proposed_limit_cents;
        evaluated.recorded.origin.monitoring_review = Some(crate::cases::MonitoringReview {
            previous_decision_id: previous.id.clone(),
            granted_limit_cents: granted_cents,
            changes: found.clone(),
            proposed_limit_cents: (proposed < granted_cents).then_some(proposed),
        });
        let new = &evaluated.recorded;
        let decision_id = new.id.clone();
        let case = review_case(&evaluated, Referral::RiskChanged);
        let event = events::risk_changed(m, &previous, new, &found);
        let write = checked(m, "risk_changed", Some(&decision_id), now, now + every);
        decisions::record(
            store,
            evaluated,
            Some(case),
            vec![event],
            Some(write),
            Vec::new(),
            false,
        )
        .await?;
        return Ok(CheckResult::RiskChanged {
            decision_id,
            changes: found,
        });
    }
    let Some(line) = line else {
        return unchanged(store, evaluated, m, every, now).await;
    };
    let verdict = increase::consider(
        &engine.policy,
        &line_state(&line),
        &evaluated.recorded.decision,
        now,
    );
    let review = |verdict: IncreaseVerdict, new: Option<i64>, reasons: &[Reason]| LineReview {
        product: line.product,
        line_version: line.version,
        previous_limit_cents: line.limit_cents,
        new_limit_cents: new,
        verdict,
        reasons: reasons.iter().map(ReasonText::from).collect(),
    };
    let increase = match verdict {
        Verdict::Disabled => return unchanged(store, evaluated, m, every, now).await,
        Verdict::Blocked { reasons } => {
            evaluated.recorded.origin.line_review =
                Some(review(IncreaseVerdict::Blocked, None, &reasons));
            return unchanged(store, evaluated, m, every, now).await;
        }
        Verdict::Increase(i) => i,
    };
    let application = increase::application(&increase);
    let decided = evaluated.decide_for(engine, &application);
    if decided.outcome == Outcome::Decline {
        let codes: Vec<&str> = decided
            .reasons
            .iter()
            .take(2)
            .map(|r| r.code.as_str())
            .collect();
        let reasons = [aval_core::engine::reasons::reason(
            "IN17",
            Some(codes.join(", ")),
            None,
        )];
        evaluated.recorded.origin.line_review =
            Some(review(IncreaseVerdict::Blocked, None, &reasons));
        return unchanged(store, evaluated, m, every, now).await;
    }
    let automatic = increase.automatic && decided.outcome == Outcome::Approve;
    let mut reasons = increase.reasons.clone();
    reasons.extend(decided.reasons.iter().take(4).cloned());
    let verdict = if automatic {
        IncreaseVerdict::Applied
    } else {
        IncreaseVerdict::Proposed
    };
    let mut evaluated = evaluated.with_decision(application, decided);
    evaluated.recorded.origin.line_review =
        Some(review(verdict, Some(increase.new_limit_cents), &reasons));
    let decision_id = evaluated.recorded.id.clone();
    let written = if automatic {
        let write = checked(m, "increased", Some(&decision_id), now, now + every);
        let change = LineWrite {
            world: m.world.clone(),
            siren: m.siren.clone(),
            product: line.product,
            expected_version: Some(line.version),
            change: LineChange::Increased,
            limit_cents: increase.new_limit_cents,
            by: LineActor::Monitoring,
            by_user_id: None,
            by_name: None,
            decision_id: decision_id.clone(),
            grant_grade: None,
            at: now,
            reasons: reasons.iter().map(ReasonText::from).collect(),
        };
        decisions::record(
            store,
            evaluated,
            None,
            Vec::new(),
            Some(write),
            vec![change],
            false,
        )
        .await
    } else {
        let case = review_case(&evaluated, Referral::IncreaseProposed);
        let created = events::decision_created(&evaluated.recorded, &case_of(&case)?);
        let write = checked(m, "increase_proposed", Some(&decision_id), now, now + every);
        decisions::record(
            store,
            evaluated,
            Some(case),
            vec![created],
            Some(write),
            Vec::new(),
            false,
        )
        .await
    };
    match written {
        Ok(_) if automatic => Ok(CheckResult::Increased {
            decision_id,
            from_cents: increase.previous_limit_cents,
            to_cents: increase.new_limit_cents,
        }),
        Ok(_) => Ok(CheckResult::IncreaseProposed { decision_id }),
        Err(DecisionError::Store(StoreError::Superseded(why))) => {
            tracing::info!(siren = %m.siren, %why, "monitoring check superseded");
            let write = checked(m, "superseded", None, now, now);
            store.finish_monitoring_check(&m.world, &write, &[]).await?;
            Ok(CheckResult::Superseded)
        }
        Err(e) => Err(e),
    }
}

/// The end of a check, for the monitoring row.
fn checked(
    m: &MonitoredCompany,
    result: &str,
    decision_id: Option<&String>,
    at: DateTime<Utc>,
    next_check: DateTime<Utc>,
) -> MonitoringWrite {
    MonitoringWrite::Checked {
        world: m.world.clone(),
        siren: m.siren.clone(),
        result: result.into(),
        decision_id: decision_id.cloned(),
        at,
        next_check,
    }
}

/// Records a check that changes nothing.
async fn unchanged(
    store: &Arc<dyn Store>,
    evaluated: decisions::Evaluated,
    m: &MonitoredCompany,
    every: Duration,
    now: DateTime<Utc>,
) -> Result<CheckResult, DecisionError> {
    let decision_id = evaluated.recorded.id.clone();
    let write = checked(m, "unchanged", Some(&decision_id), now, now + every);
    decisions::record(
        store,
        evaluated,
        None,
        Vec::new(),
        Some(write),
        Vec::new(),
        false,
    )
    .await?;
    Ok(CheckResult::Unchanged { decision_id })
}

/// The case a check opens for a credit manager: in review whatever the engine decided, the
/// monitoring referral first.
fn review_case(evaluated: &decisions::Evaluated, referral: Referral) -> CaseRow {
    let new = &evaluated.recorded;
    let mut case = Case::opened_by(new, evaluated.company_name.clone(), &new.origin);
    case.status = CaseStatus::InReview;
    case.final_outcome = None;
    case.final_limit_cents = None;
    case.referrals.retain(|r| *r != referral);
    case.referrals.insert(0, referral);
    CaseRow::from(&case)
}

fn case_of(row: &CaseRow) -> Result<Case, DecisionError> {
    Case::try_from(row).map_err(DecisionError::Corrupt)
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

use super::*;
use aval_core::record::HumanDecision;

const RULES: CaseRules = CaseRules {
    four_eyes_above_cents: 5_000_000,
    monitor_every: None,
};

fn case(status: &str, automated: &str, amount_cents: i64) -> CaseRow {
    let now = Utc::now();
    CaseRow {
        decision_id: "dec_1".into(),
        world: "sandbox".into(),
        siren: "100000009".into(),
        company_name: Some("Test".into()),
        product: "bnpl".into(),
        amount_cents,
        automated_outcome: automated.into(),
        status: status.into(),
        final_outcome: (automated != "refer").then(|| automated.to_owned()),
        final_limit_cents: None,
        referrals: "uncertain_score".into(),
        score: 500,
        grade: "C".into(),
        probability_of_default: 0.05,
        proposed_limit_cents: amount_cents,
        coverage: 90,
        fraud: 0,
        decided_at: now,
        updated_at: now,
        latency_ms: 12,
        submitted_by: None,
        api_key_id: None,
        external_reference: None,
        claimed_by: None,
        claimed_by_name: None,
        claimed_at: None,
        pending_action: None,
        pending_by: None,
        overridden: false,
        events: 0,
        model_bins: None,
    }
}

fn manager(id: i64) -> Actor {
    Actor {
        user_id: id,
        username: format!("m{id}"),
        display_name: format!("Manager {id}"),
        role: Role::CreditManager,
    }
}

fn decision(outcome: HumanOutcome, limit: Option<i64>) -> CaseCommand {
    CaseCommand::Decide {
        decision: HumanDecision {
            outcome,
            limit_cents: limit,
            category: "relationship_history".into(),
            justification: "Customer for eight years, always paid on time.".into(),
        },
    }
}

fn apply(c: &CaseRow, who: &Actor, cmd: &CaseCommand) -> Result<CaseRow, CaseError> {
    transition(c, who, cmd, RULES, Utc::now()).map(|(row, _)| row)
}

#[test]
fn a_claimed_case_belongs_to_its_holder_until_released() {
    let (a, b) = (manager(1), manager(2));
    let c = apply(
        &case("in_review", "refer", 100_000),
        &a,
        &CaseCommand::Claim,
    )
    .unwrap();
    assert_eq!(c.claimed_by, Some(1));
    let err = apply(&c, &b, &CaseCommand::Claim).unwrap_err();
    assert!(err.to_string().contains("held by Manager 1"), "{err}");
    assert!(apply(&c, &b, &decision(HumanOutcome::Approve, None)).is_err());
    assert!(apply(&c, &b, &CaseCommand::Release).is_err());
    let c = apply(&c, &a, &CaseCommand::Release).unwrap();
    assert!(apply(&c, &b, &CaseCommand::Claim).is_ok());
}

#[test]
fn deciding_needs_the_claim_a_category_and_a_justification() {
    let a = manager(1);
    let open = case("in_review", "refer", 100_000);
    let err = apply(&open, &a, &decision(HumanOutcome::Approve, None)).unwrap_err();
    assert!(err.to_string().contains("claim"), "{err}");
    let held = apply(&open, &a, &CaseCommand::Claim).unwrap();
    let mut bad = HumanDecision {
        outcome: HumanOutcome::Approve,
        limit_cents: None,
        category: "because".into(),
        justification: "Long enough justification here.".into(),
    };
    let err = apply(
        &held,
        &a,
        &CaseCommand::Decide {
            decision: bad.clone(),
        },
    )
    .unwrap_err();
    assert!(matches!(err, CaseError::Invalid { ref field, .. } if field == "category"));
    bad.category = "other".into();
    bad.justification = "   too short   ".into();
    let err = apply(&held, &a, &CaseCommand::Decide { decision: bad }).unwrap_err();
    assert!(matches!(err, CaseError::Invalid { ref field, .. } if field == "justification"));
    let err = apply(&held, &a, &decision(HumanOutcome::CounterOffer, None)).unwrap_err();
    assert!(matches!(err, CaseError::Invalid { ref field, .. } if field == "limit"));
    let err = apply(
        &held,
        &a,
        &decision(HumanOutcome::CounterOffer, Some(100_000)),
    )
    .unwrap_err();
    assert!(matches!(err, CaseError::Invalid { ref field, .. } if field == "limit"));

    let (done, event) = transition(
        &held,
        &a,
        &decision(HumanOutcome::CounterOffer, Some(60_000)),
        RULES,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(done.status, "resolved");
    assert_eq!(done.final_outcome.as_deref(), Some("counter_offer"));
    assert_eq!(done.final_limit_cents, Some(60_000));
    assert_eq!(done.claimed_by, None, "the claim ends with the decision");
    assert!(
        !done.overridden,
        "a referred case has no automated outcome to override"
    );
    assert_eq!(event.kind(), "human_decision");
}

#[test]
fn above_the_four_eyes_amount_a_second_manager_confirms() {
    let (a, b) = (manager(1), manager(2));
    let big = case("in_review", "refer", 8_000_000);
    let held = apply(&big, &a, &CaseCommand::Claim).unwrap();
    let (proposed, event) = transition(
        &held,
        &a,
        &decision(HumanOutcome::Approve, None),
        RULES,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(event.kind(), "decision_proposed");
    assert_eq!(proposed.status, "awaiting_confirmation");
    assert_eq!(proposed.final_outcome, None, "nothing is granted yet");
    assert_eq!(proposed.pending_by, Some(1));

    let err = apply(&proposed, &a, &CaseCommand::Confirm).unwrap_err();
    assert!(
        err.to_string().contains("nobody confirms their own"),
        "{err}"
    );
    assert!(apply(&proposed, &b, &CaseCommand::Claim).is_err());
    let (confirmed, event) =
        transition(&proposed, &b, &CaseCommand::Confirm, RULES, Utc::now()).unwrap();
    assert_eq!(confirmed.status, "resolved");
    assert_eq!(confirmed.final_outcome.as_deref(), Some("approve"));
    assert_eq!(confirmed.final_limit_cents, Some(8_000_000));
    assert!(
        matches!(event, CaseEvent::DecisionConfirmed { proposed_by: 1, .. }),
        "{event:?}"
    );

    let rejected = apply(
        &proposed,
        &b,
        &CaseCommand::Reject {
            reason: "Guarantee missing.".into(),
        },
    )
    .unwrap();
    assert_eq!(rejected.status, "in_review");
    assert_eq!(rejected.pending_action, None);

    // A decline grants nothing: one manager is enough, whatever the amount.
    let held = apply(&big, &a, &CaseCommand::Claim).unwrap();
    let declined = apply(&held, &a, &decision(HumanOutcome::Decline, None)).unwrap();
    assert_eq!(declined.status, "resolved");
    assert_eq!(declined.final_limit_cents, Some(0));
    // A counter-offer under the amount needs no second manager either.
    let countered = apply(
        &held,
        &a,
        &decision(HumanOutcome::CounterOffer, Some(4_000_000)),
    )
    .unwrap();
    assert_eq!(countered.status, "resolved");
}

#[test]
fn overriding_an_automated_decision_is_marked() {
    let a = manager(1);
    let declined = case("decided", "decline", 100_000);
    let held = apply(&declined, &a, &CaseCommand::Claim).unwrap();
    let approved = apply(&held, &a, &decision(HumanOutcome::Approve, None)).unwrap();
    assert!(approved.overridden);
    let held = apply(&declined, &a, &CaseCommand::Claim).unwrap();
    let confirmed = apply(&held, &a, &decision(HumanOutcome::Decline, None)).unwrap();
    assert!(!confirmed.overridden, "the same outcome is not an override");
}

#[test]
fn only_credit_managers_act_and_notes_are_not_empty() {
    let rep = Actor {
        role: Role::SalesRep,
        ..manager(3)
    };
    let open = case("in_review", "refer", 100_000);
    assert!(matches!(
        apply(&open, &rep, &CaseCommand::Claim),
        Err(CaseError::Forbidden)
    ));
    let a = manager(1);
    let err = apply(&open, &a, &CaseCommand::Note { text: "  ".into() }).unwrap_err();
    assert!(matches!(err, CaseError::Invalid { ref field, .. } if field == "note"));
    let (noted, event) = transition(
        &open,
        &a,
        &CaseCommand::Note {
            text: " Called the CFO. ".into(),
        },
        RULES,
        Utc::now(),
    )
    .unwrap();
    assert_eq!(noted.status, "in_review");
    assert_eq!(
        event,
        CaseEvent::Note {
            text: "Called the CFO.".into()
        }
    );
    let record = EventRecord {
        event,
        by: a,
        at: Utc::now(),
    };
    let json = serde_json::to_value(&record).unwrap();
    assert_eq!(json["type"], "note");
    assert_eq!(json["by"]["user_id"], 1);
    let back: EventRecord = serde_json::from_value(json).unwrap();
    assert_eq!(back, record);
}

#[test]
fn a_case_row_reads_as_a_typed_case_and_writes_back_unchanged() {
    let mut row = case("awaiting_confirmation", "refer", 7_000_000);
    row.referrals = "uncertain_score,risk_changed".into();
    row.claimed_by = Some(3);
    row.claimed_by_name = Some("Manager 3".into());
    row.claimed_at = Some(row.decided_at);
    row.pending_action = serde_json::to_string(&HumanDecision {
        outcome: HumanOutcome::CounterOffer,
        limit_cents: Some(6_000_000),
        category: "guarantee".into(),
        justification: "A personal guarantee from the founder.".into(),
    })
    .ok();
    row.pending_by = Some(2);
    let typed = Case::try_from(&row).unwrap();
    assert_eq!(typed.status, CaseStatus::AwaitingConfirmation);
    assert_eq!(
        typed.referrals,
        [
            aval_core::vocabulary::Referral::UncertainScore,
            aval_core::vocabulary::Referral::RiskChanged
        ]
    );
    assert_eq!(typed.pending.as_ref().map(|p| p.by), Some(2));
    assert_eq!(CaseRow::from(&typed), row);
}

#[test]
fn a_stored_word_the_domain_does_not_know_names_its_column() {
    let mut row = case("in_review", "refer", 100_000);
    row.status = "pending".into();
    let err = Case::try_from(&row).unwrap_err();
    assert!(err.contains("status"), "{err}");
    let err = apply(&row, &manager(1), &CaseCommand::Claim).unwrap_err();
    assert!(err.to_string().contains("status"), "{err}");
}

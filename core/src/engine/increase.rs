//! Automatic increases of granted credit lines. On each monitoring check the company is decided
//! again; [`consider`] reads that decision and the line's state under the policy's
//! `[automatic_increase]` settings and says whether the line grows, by how much, whether the
//! engine may apply the increase itself, and why (or why not), each reason from the catalogue.
//!
//! The increase itself is then decided as a `credit_line_increase` application on the same
//! sources ([`application`]), so that it is recorded and replayed like any other decision.

use super::reasons::{euros, percent, reason, Reason};
use super::{round_down, share, Decision, Outcome};
use crate::engine::policy::Policy;
use crate::engine::Application;
use crate::vocabulary::Product;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// What the check needs to know of a line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineState {
    pub product: Product,
    pub limit_cents: i64,
    /// The amount of the grant the line rests on: the base of its ceiling.
    pub granted_limit_cents: i64,
    /// The grade at the grant.
    pub grant_grade: String,
    pub last_increase_at: Option<DateTime<Utc>>,
}

/// An increase the policy allows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Increase {
    /// Inflow growth (0.14 = +14 %).
    pub growth: f64,
    pub previous_limit_cents: i64,
    pub new_limit_cents: i64,
    /// Within the product's automatic authority: applied at once; otherwise proposed to a
    /// credit manager.
    pub automatic: bool,
    pub reasons: Vec<Reason>,
}

impl Increase {
    pub fn amount_cents(&self) -> i64 {
        self.new_limit_cents - self.previous_limit_cents
    }
}

/// The verdict on one line at one check.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// The policy has no automatic increases.
    Disabled,
    Increase(Increase),
    /// Each condition that stops the increase, as a reason.
    Blocked {
        reasons: Vec<Reason>,
    },
}

/// Whether `line` grows, given the company's decision at this check (`decision`, the grant's
/// application decided again).
pub fn consider(
    policy: &Policy,
    line: &LineState,
    decision: &Decision,
    now: DateTime<Utc>,
) -> Verdict {
    let Some(rules) = &policy.automatic_increase else {
        return Verdict::Disabled;
    };
    let mut blocked = Vec::new();
    if policy.grade_rank(&decision.grade) > policy.grade_rank(&line.grant_grade) {
        blocked.push(reason(
            "IN10",
            Some(decision.grade.clone()),
            Some(line.grant_grade.clone()),
        ));
    }
    if !decision.fraud_flags.is_empty() {
        let codes: Vec<&str> = decision
            .fraud_flags
            .iter()
            .map(|f| f.code.as_str())
            .collect();
        blocked.push(reason("IN11", Some(codes.join(", ")), None));
    }
    // 1 under a plan, 2 open; 3 is a past proceeding closed for insufficient assets.
    if matches!(decision.features.get("lg_proceeding"), Some(p) if p == 1.0 || p == 2.0) {
        blocked.push(reason("IN12", None, None));
    }
    if decision.coverage < policy.coverage.minimum {
        blocked.push(reason(
            "IN13",
            Some(format!("{} %", decision.coverage)),
            Some(format!("{} %", policy.coverage.minimum)),
        ));
    }
    if decision.outcome == Outcome::Decline {
        let codes: Vec<&str> = decision
            .reasons
            .iter()
            .take(2)
            .map(|r| r.code.as_str())
            .collect();
        blocked.push(reason("IN17", Some(codes.join(", ")), None));
    }
    if let Some(last) = line.last_increase_at {
        let next = last + Duration::days(i64::from(rules.cooldown_days));
        if now < next {
            blocked.push(reason(
                "IN14",
                Some(last.date_naive().to_string()),
                Some(next.date_naive().to_string()),
            ));
        }
    }
    let minimum = f64::from(rules.minimum_growth_pct) / 100.0;
    let growth = decision.features.get("cf_inflow_trend");
    match growth {
        Some(g) if g >= minimum => {}
        other => blocked.push(reason(
            "IN15",
            Some(other.map_or_else(|| "unknown".to_owned(), percent)),
            Some(percent(minimum)),
        )),
    }
    // Never beyond the share of the grant, nor beyond the limit the policy gives the product
    // today (the grant's application decided again): a line above it would be flagged as
    // "limit below the line" by the next check.
    let by_grant = round_down(
        share(line.granted_limit_cents, rules.ceiling_pct_of_grant),
        rules.round_to_eur,
    );
    let ceiling = match line.product {
        Product::CreditLineIncrease => by_grant,
        _ => by_grant.min(decision.proposed_limit_cents),
    };
    if line.limit_cents >= ceiling {
        blocked.push(reason("IN16", None, Some(euros(ceiling))));
    }
    let growth = growth.unwrap_or(0.0);
    let step_share = growth.min(f64::from(rules.max_step_pct) / 100.0);
    // Whole basis points, so that the amount does not depend on the last bits of the growth.
    let step_bp = (step_share * 10_000.0).floor().max(0.0) as i64;
    let step = round_down(
        i64::try_from(i128::from(line.limit_cents) * i128::from(step_bp) / 10_000)
            .unwrap_or(i64::MAX),
        rules.round_to_eur,
    );
    let new_limit = (line.limit_cents + step).min(ceiling);
    if blocked.is_empty() && new_limit <= line.limit_cents {
        // Growth enough, but the step rounds to nothing.
        blocked.push(reason(
            "IN15",
            Some(percent(growth)),
            Some(euros(i64::try_from(rules.round_to_eur).unwrap_or(0) * 100)),
        ));
    }
    if !blocked.is_empty() {
        return Verdict::Blocked { reasons: blocked };
    }
    let mut reasons = vec![reason(
        "IN01",
        Some(percent(growth)),
        Some(percent(minimum)),
    )];
    if growth > f64::from(rules.max_step_pct) / 100.0 {
        reasons.push(reason(
            "IN02",
            None,
            Some(format!("{} %", rules.max_step_pct)),
        ));
    }
    if line.limit_cents + step > ceiling {
        reasons.push(reason("IN03", None, Some(euros(ceiling))));
    }
    let authority = policy.authority_cents(line.product);
    let automatic = new_limit <= authority;
    if !automatic {
        reasons.push(reason(
            "IN04",
            Some(euros(new_limit)),
            Some(euros(authority)),
        ));
    }
    Verdict::Increase(Increase {
        growth,
        previous_limit_cents: line.limit_cents,
        new_limit_cents: new_limit,
        automatic,
        reasons,
    })
}

/// The `credit_line_increase` application an increase is decided as: the line today and the
/// increase asked.
pub fn application(increase: &Increase) -> Application {
    Application {
        product: Product::CreditLineIncrease,
        amount_cents: increase.amount_cents(),
        invoice_amount_cents: None,
        current_limit_cents: Some(increase.previous_limit_cents),
        iban_given: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::features::Features;

    fn policy() -> Policy {
        Policy::default_policy()
    }

    fn line(limit: i64) -> LineState {
        LineState {
            product: Product::Bnpl,
            limit_cents: limit,
            granted_limit_cents: 2_000_000,
            grant_grade: "C".into(),
            last_increase_at: None,
        }
    }

    fn decision(growth: Option<f64>) -> Decision {
        let mut features = Features::default();
        if let Some(g) = growth {
            features.set("cf_inflow_trend", Some(g));
        }
        features.set("lg_proceeding", Some(0.0));
        Decision {
            outcome: Outcome::Approve,
            probability_of_default: 0.015,
            log_odds: 0.0,
            score: 700,
            grade: "C".into(),
            requested_cents: 2_000_000,
            proposed_limit_cents: 100_000_000,
            reasons: Vec::new(),
            referrals: Vec::new(),
            fraud_flags: Vec::new(),
            contributions: Vec::new(),
            features,
            coverage: 100,
            missing_sources: Vec::new(),
            versions: crate::engine::Versions {
                engine: String::new(),
                model: String::new(),
                scorecard: String::new(),
                policy: String::new(),
            },
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn codes(v: &Verdict) -> Vec<String> {
        match v {
            Verdict::Blocked { reasons } => reasons.iter().map(|r| r.code.clone()).collect(),
            Verdict::Increase(i) => i.reasons.iter().map(|r| r.code.clone()).collect(),
            Verdict::Disabled => vec!["disabled".into()],
        }
    }

    #[test]
    fn growth_raises_the_line_by_the_growth_rounded_down_within_the_step() {
        let p = policy();
        let Verdict::Increase(i) = consider(&p, &line(2_000_000), &decision(Some(0.137)), now())
        else {
            panic!()
        };
        // 13.7 % of 20 000 € is 2 740 €, rounded down to 2 700 €.
        assert_eq!(
            (i.previous_limit_cents, i.new_limit_cents),
            (2_000_000, 2_270_000)
        );
        assert!(i.automatic);
        assert_eq!(codes(&Verdict::Increase(i.clone())), ["IN01"]);
        let a = application(&i);
        assert_eq!(a.product, Product::CreditLineIncrease);
        assert_eq!(
            (a.amount_cents, a.current_limit_cents),
            (270_000, Some(2_000_000))
        );
        // A strong growth is held to the step.
        let Verdict::Increase(i) = consider(&p, &line(2_000_000), &decision(Some(0.9)), now())
        else {
            panic!()
        };
        assert_eq!(i.new_limit_cents, 2_500_000);
        assert_eq!(codes(&Verdict::Increase(i)), ["IN01", "IN02"]);
    }

    #[test]
    fn each_condition_blocks_the_increase_with_its_reason() {
        let p = policy();
        let ok = decision(Some(0.3));
        let check = |l: &LineState, d: &Decision, code: &str| {
            let v = consider(&p, l, d, now());
            assert!(
                matches!(&v, Verdict::Blocked { .. }) && codes(&v).contains(&code.to_owned()),
                "{code}: {v:?}"
            );
        };
        check(
            &line(2_000_000),
            &Decision {
                grade: "E".into(),
                ..ok.clone()
            },
            "IN10",
        );
        let mut fraud = ok.clone();
        fraud.fraud_flags.push(crate::engine::FraudFlag {
            code: "FR03".into(),
            evidence: Vec::new(),
        });
        check(&line(2_000_000), &fraud, "IN11");
        let mut proceeding = ok.clone();
        proceeding.features.set("lg_proceeding", Some(2.0));
        check(&line(2_000_000), &proceeding, "IN12");
        check(
            &line(2_000_000),
            &Decision {
                coverage: 40,
                ..ok.clone()
            },
            "IN13",
        );
        check(
            &line(2_000_000),
            &Decision {
                outcome: Outcome::Decline,
                ..ok.clone()
            },
            "IN17",
        );
        let recent = LineState {
            last_increase_at: Some(now() - Duration::days(29)),
            ..line(2_000_000)
        };
        check(&recent, &ok, "IN14");
        check(&line(2_000_000), &decision(Some(0.03)), "IN15");
        check(&line(2_000_000), &decision(None), "IN15");
        check(&line(4_000_000), &ok, "IN16");
        // Once the cooldown has passed, the same line grows.
        let later = LineState {
            last_increase_at: Some(now() - Duration::days(30)),
            ..line(2_000_000)
        };
        assert!(matches!(
            consider(&p, &later, &ok, now()),
            Verdict::Increase(_)
        ));
    }

    #[test]
    fn the_ceiling_holds_and_a_new_limit_above_authority_is_proposed_not_applied() {
        let p = policy();
        // Ceiling: twice the 20 000 € grant.
        let Verdict::Increase(i) = consider(&p, &line(3_800_000), &decision(Some(0.2)), now())
        else {
            panic!()
        };
        assert_eq!(i.new_limit_cents, 4_000_000);
        assert!(codes(&Verdict::Increase(i)).contains(&"IN03".to_owned()));
        let big = LineState {
            limit_cents: 4_500_000,
            granted_limit_cents: 4_500_000,
            ..line(0)
        };
        let Verdict::Increase(i) = consider(&p, &big, &decision(Some(0.2)), now()) else {
            panic!()
        };
        assert_eq!(i.new_limit_cents, 5_400_000);
        assert!(!i.automatic, "above the 50 000 € BNPL authority");
        assert!(codes(&Verdict::Increase(i)).contains(&"IN04".to_owned()));
    }

    #[test]
    fn a_line_never_grows_beyond_the_limit_the_policy_gives_its_product_today() {
        let p = policy();
        let limited = Decision {
            proposed_limit_cents: 2_100_000,
            ..decision(Some(0.2))
        };
        let Verdict::Increase(i) = consider(&p, &line(2_000_000), &limited, now()) else {
            panic!()
        };
        assert_eq!(i.new_limit_cents, 2_100_000);
        assert!(codes(&Verdict::Increase(i)).contains(&"IN03".to_owned()));
        let at = consider(&p, &line(2_100_000), &limited, now());
        assert!(codes(&at).contains(&"IN16".to_owned()), "{at:?}");
    }

    #[test]
    fn without_the_policy_section_lines_never_grow_alone() {
        let mut p = policy();
        p.automatic_increase = None;
        assert_eq!(
            consider(&p, &line(2_000_000), &decision(Some(0.3)), now()),
            Verdict::Disabled
        );
    }
}

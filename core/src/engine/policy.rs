//! The credit policy as a versioned document (TOML), validated when loaded: every problem is
//! named with its key. The default policy is `policies/default.toml`, embedded in the binary.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The policy shipped with this version.
pub const DEFAULT_POLICY: &str = include_str!("../../../policies/default.toml");

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bands {
    pub approve_below_pd: f64,
    pub decline_from_pd: f64,
    pub decline_without_accounts: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coverage {
    pub minimum: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Knockouts {
    pub ceased_company: bool,
    pub open_collective_proceeding: bool,
    pub struck_off: bool,
    pub unknown_company: bool,
    pub failed_kyb: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Authority {
    pub bnpl_eur: u64,
    pub factoring_eur: u64,
    pub credit_line_increase_eur: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BnplLimit {
    pub share_of_monthly_inflows_pct: u32,
    pub share_of_equity_pct: u32,
    pub round_to_eur: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FactoringLimit {
    pub advance_rate_pct: u32,
    pub uncertain_debtor_share_pct: u32,
    pub round_to_eur: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreditLineLimit {
    pub max_increase_pct: u32,
    pub round_to_eur: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    pub bnpl: BnplLimit,
    pub factoring: FactoringLimit,
    pub credit_line_increase: CreditLineLimit,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fraud {
    pub young_company_days: u32,
    pub recent_connection_minutes: u32,
    pub large_request_eur: u64,
    pub repeated_applications_24h: u32,
    pub director_change_days: u32,
    pub new_account_days: u32,
}

/// Automatic increases of granted lines on monitoring checks (`engine::increase`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AutomaticIncrease {
    /// Inflow growth (last 30 days against the 60 before) below which a line does not grow.
    pub minimum_growth_pct: u32,
    /// The largest increase of one step, as a share of the line.
    pub max_step_pct: u32,
    /// The ceiling of a line, as a share of its grant (200: twice the amount granted).
    pub ceiling_pct_of_grant: u32,
    /// Days after an increase before the next one.
    pub cooldown_days: u32,
    pub round_to_eur: u64,
}

/// How the portfolio's expected loss is computed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Portfolio {
    /// Loss given default, as a share of the limit.
    pub loss_given_default_pct: u32,
}

/// The loss given default of a policy without a `[portfolio]` section: 45 %, the Basel
/// foundation approach's figure for senior unsecured claims.
pub const DEFAULT_LOSS_GIVEN_DEFAULT_PCT: u32 = 45;

/// A validated policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    pub version: String,
    pub bands: Bands,
    pub coverage: Coverage,
    pub knockouts: Knockouts,
    pub authority: Authority,
    pub limits: Limits,
    pub fraud: Fraud,
    /// Grade → upper PD bound; read in PD order.
    pub grades: BTreeMap<String, f64>,
    /// Absent from policies written before automatic increases: lines then never grow alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automatic_increase: Option<AutomaticIncrease>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portfolio: Option<Portfolio>,
}

/// A policy document that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the policy is not valid TOML or has an unknown or missing key: {0}")]
    Syntax(String),
    #[error("policy `{key}`: {problem}")]
    Invalid { key: String, problem: String },
}

fn invalid(key: &str, problem: impl Into<String>) -> PolicyError {
    PolicyError::Invalid {
        key: key.to_owned(),
        problem: problem.into(),
    }
}

impl Policy {
    /// Parses and validates a policy document.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let policy: Policy =
            toml::from_str(text).map_err(|e| PolicyError::Syntax(e.message().to_owned()))?;
        policy.validate()?;
        Ok(policy)
    }

    /// The policy shipped with the product.
    #[allow(
        clippy::expect_used,
        reason = "the document is embedded at compile time and parsed by the tests"
    )]
    pub fn default_policy() -> Policy {
        // The embedded document is checked by a test; failing here is a build defect.
        Policy::from_toml(DEFAULT_POLICY).expect("the embedded default policy is valid")
    }

    fn validate(&self) -> Result<(), PolicyError> {
        let version_ok = !self.version.trim().is_empty()
            && self.version.len() <= 64
            && self
                .version
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "-._".contains(c));
        if !version_ok {
            return Err(invalid(
                "version",
                "must be 1 to 64 letters, digits, '-', '.' or '_'",
            ));
        }
        let probability = |key: &str, v: f64| {
            if v.is_finite() && v > 0.0 && v <= 1.0 {
                Ok(())
            } else {
                Err(invalid(
                    key,
                    format!("must be a probability in (0, 1], got {v}"),
                ))
            }
        };
        probability("bands.approve_below_pd", self.bands.approve_below_pd)?;
        probability("bands.decline_from_pd", self.bands.decline_from_pd)?;
        if self.bands.approve_below_pd > self.bands.decline_from_pd {
            return Err(invalid(
                "bands.approve_below_pd",
                "must not exceed bands.decline_from_pd",
            ));
        }
        if self.coverage.minimum > 100 {
            return Err(invalid("coverage.minimum", "must be between 0 and 100"));
        }
        let pct = |key: &str, v: u32| {
            if v <= 100 {
                Ok(())
            } else {
                Err(invalid(key, format!("must be a percentage 0-100, got {v}")))
            }
        };
        pct(
            "limits.bnpl.share_of_monthly_inflows_pct",
            self.limits.bnpl.share_of_monthly_inflows_pct,
        )?;
        pct(
            "limits.bnpl.share_of_equity_pct",
            self.limits.bnpl.share_of_equity_pct,
        )?;
        pct(
            "limits.factoring.advance_rate_pct",
            self.limits.factoring.advance_rate_pct,
        )?;
        pct(
            "limits.factoring.uncertain_debtor_share_pct",
            self.limits.factoring.uncertain_debtor_share_pct,
        )?;
        if self.limits.credit_line_increase.max_increase_pct > 1000 {
            return Err(invalid(
                "limits.credit_line_increase.max_increase_pct",
                "must be at most 1000",
            ));
        }
        for (key, step) in [
            ("limits.bnpl.round_to_eur", self.limits.bnpl.round_to_eur),
            (
                "limits.factoring.round_to_eur",
                self.limits.factoring.round_to_eur,
            ),
            (
                "limits.credit_line_increase.round_to_eur",
                self.limits.credit_line_increase.round_to_eur,
            ),
        ] {
            if step == 0 {
                return Err(invalid(key, "must be at least 1"));
            }
        }
        let euros = |key: &str, v: u64| {
            if v <= 1_000_000_000 {
                Ok(())
            } else {
                Err(invalid(key, "must be at most 1000000000"))
            }
        };
        euros("authority.bnpl_eur", self.authority.bnpl_eur)?;
        euros("authority.factoring_eur", self.authority.factoring_eur)?;
        euros(
            "authority.credit_line_increase_eur",
            self.authority.credit_line_increase_eur,
        )?;
        euros("fraud.large_request_eur", self.fraud.large_request_eur)?;
        if self.fraud.repeated_applications_24h < 2 {
            return Err(invalid(
                "fraud.repeated_applications_24h",
                "must be at least 2",
            ));
        }
        if let Some(a) = &self.automatic_increase {
            pct(
                "automatic_increase.minimum_growth_pct",
                a.minimum_growth_pct,
            )?;
            if a.max_step_pct == 0
                || a.max_step_pct > self.limits.credit_line_increase.max_increase_pct
            {
                return Err(invalid(
                    "automatic_increase.max_step_pct",
                    format!(
                        "must be between 1 and limits.credit_line_increase.max_increase_pct ({})",
                        self.limits.credit_line_increase.max_increase_pct
                    ),
                ));
            }
            if !(100..=1000).contains(&a.ceiling_pct_of_grant) {
                return Err(invalid(
                    "automatic_increase.ceiling_pct_of_grant",
                    "must be between 100 and 1000",
                ));
            }
            if a.cooldown_days > 3650 {
                return Err(invalid(
                    "automatic_increase.cooldown_days",
                    "must be at most 3650",
                ));
            }
            if a.round_to_eur == 0 {
                return Err(invalid(
                    "automatic_increase.round_to_eur",
                    "must be at least 1",
                ));
            }
        }
        if let Some(p) = &self.portfolio {
            pct("portfolio.loss_given_default_pct", p.loss_given_default_pct)?;
        }
        if self.grades.is_empty() {
            return Err(invalid("grades", "must list at least one grade"));
        }
        let mut bounds: Vec<(&String, f64)> = self.grades.iter().map(|(g, b)| (g, *b)).collect();
        for (grade, bound) in &bounds {
            if grade.is_empty() || grade.len() > 3 {
                return Err(invalid(
                    "grades",
                    format!("grade {grade:?} must be 1 to 3 characters"),
                ));
            }
            probability(&format!("grades.{grade}"), *bound)?;
        }
        bounds.sort_by(|a, b| a.1.total_cmp(&b.1));
        if bounds.windows(2).any(|w| w[0].1 == w[1].1) {
            return Err(invalid("grades", "two grades have the same bound"));
        }
        if bounds.last().map(|b| b.1) != Some(1.0) {
            return Err(invalid("grades", "the worst grade must have the bound 1.0"));
        }
        Ok(())
    }

    /// The loss given default, as a share (0.45).
    pub fn loss_given_default(&self) -> f64 {
        f64::from(
            self.portfolio
                .as_ref()
                .map_or(DEFAULT_LOSS_GIVEN_DEFAULT_PCT, |p| p.loss_given_default_pct),
        ) / 100.0
    }

    /// Riskier grades rank higher: the grade's upper PD bound, or 1.0 for a grade this policy
    /// does not have.
    pub fn grade_rank(&self, grade: &str) -> f64 {
        self.grades.get(grade).copied().unwrap_or(1.0)
    }

    /// The largest amount the engine may grant on its own for a product, in cents.
    pub fn authority_cents(&self, product: crate::vocabulary::Product) -> i64 {
        use crate::vocabulary::Product;
        let eur = match product {
            Product::Bnpl => self.authority.bnpl_eur,
            Product::Factoring => self.authority.factoring_eur,
            Product::CreditLineIncrease => self.authority.credit_line_increase_eur,
        };
        i64::try_from(eur).unwrap_or(i64::MAX / 100) * 100
    }

    /// The grade of a probability of default.
    pub fn grade(&self, pd: f64) -> String {
        let mut bounds: Vec<(&String, f64)> = self.grades.iter().map(|(g, b)| (g, *b)).collect();
        bounds.sort_by(|a, b| a.1.total_cmp(&b.1));
        bounds
            .iter()
            .find(|(_, bound)| pd < *bound)
            .or(bounds.last())
            .map(|(g, _)| (*g).clone())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_policy_is_valid() {
        let p = Policy::default_policy();
        assert_eq!(p.version, "policy-2026.12-1");
        assert!(p.automatic_increase.is_some());
        assert!((p.loss_given_default() - 0.45).abs() < 1e-12);
        assert_eq!(p.grade(0.001), "A");
        assert_eq!(p.grade(0.015), "C");
        assert_eq!(p.grade(0.5), "G");
        assert_eq!(p.grade(1.0), "G");
    }

    fn with(replace: &str, by: &str) -> Result<Policy, PolicyError> {
        assert!(DEFAULT_POLICY.contains(replace), "{replace}");
        Policy::from_toml(&DEFAULT_POLICY.replacen(replace, by, 1))
    }

    #[test]
    fn a_bad_policy_is_refused_with_the_key_named() {
        let cases = [
            (
                "approve_below_pd = 0.03",
                "approve_below_pd = 0.5",
                "bands.approve_below_pd",
            ),
            (
                "decline_from_pd = 0.15",
                "decline_from_pd = 1.5",
                "bands.decline_from_pd",
            ),
            ("minimum = 60", "minimum = 160", "coverage.minimum"),
            (
                "advance_rate_pct = 80",
                "advance_rate_pct = 180",
                "limits.factoring.advance_rate_pct",
            ),
            (
                "round_to_eur = 100",
                "round_to_eur = 0",
                "limits.bnpl.round_to_eur",
            ),
            ("G = 1.0", "G = 0.9", "grades"),
            (
                "version = \"policy-2026.12-1\"",
                "version = \"a b\"",
                "version",
            ),
            (
                "repeated_applications_24h = 3",
                "repeated_applications_24h = 1",
                "fraud.repeated_applications_24h",
            ),
            (
                "max_step_pct = 25",
                "max_step_pct = 60",
                "automatic_increase.max_step_pct",
            ),
            (
                "ceiling_pct_of_grant = 200",
                "ceiling_pct_of_grant = 50",
                "automatic_increase.ceiling_pct_of_grant",
            ),
            (
                "loss_given_default_pct = 45",
                "loss_given_default_pct = 145",
                "portfolio.loss_given_default_pct",
            ),
        ];
        for (from, to, key) in cases {
            match with(from, to) {
                Err(PolicyError::Invalid { key: k, .. }) => assert_eq!(k, key, "{to}"),
                other => panic!("{to}: {other:?}"),
            }
        }
        let e = with("minimum = 60", "minimum = 60\nmaximum = 3").unwrap_err();
        assert!(e.to_string().contains("maximum"), "{e}");
        let e = with("ceased_company = true\n", "").unwrap_err();
        assert!(e.to_string().contains("ceased_company"), "{e}");
        assert!(Policy::from_toml("not toml [").is_err());
    }

    #[test]
    fn a_policy_written_before_automatic_increases_still_loads_and_never_increases() {
        let start = DEFAULT_POLICY.find("[automatic_increase]").unwrap();
        let end = DEFAULT_POLICY.find("[grades]").unwrap();
        let old = format!("{}{}", &DEFAULT_POLICY[..start], &DEFAULT_POLICY[end..]);
        let p = Policy::from_toml(&old).unwrap();
        assert!(p.automatic_increase.is_none() && p.portfolio.is_none());
        assert!((p.loss_given_default() - 0.45).abs() < 1e-12);
    }
}

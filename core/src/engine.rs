//! The decision engine: facts, model, policy and the decision time in, decision out. No I/O,
//! no clock, no randomness inside, so a decision can be replayed bit for bit.
//!
//! Everything adds up on the log-odds scale: the model's intercept and per-ratio contributions,
//! the expert scorecard's points (cash flow, legal signals) and the sector's offset. The
//! probability of default is the logistic of the sum; the score is that sum on a 0–1000 scale
//! (500 at even odds, 50 points for each doubling of the odds of not defaulting).

pub mod drift;
pub mod features;
pub mod increase;
pub mod model;
pub mod policy;
pub mod reasons;
pub mod scorecard;

use crate::sources::facts::Facts;
use crate::sources::SourceId;
use chrono::{DateTime, Utc};
use features::{Features, MODEL_RATIOS};
use model::Input;
use policy::Policy;
use reasons::{euros, percent, reason, Reason, ReasonKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Version of the engine's code, recorded with every decision.
pub const ENGINE_VERSION: &str = Generation::CURRENT.version();

/// The engine's code paths that change what a decision says: which features it computes from
/// the facts and how reasons are given. Each decision records its engine version, and a replay
/// under recorded versions runs the paths of that version, so an old decision replays bit for
/// bit after the engine has moved on (`docs/engine.md`, "Versions").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// `aval-engine-0.1.0+1`: nine accounting ratios, one reason code per ratio.
    First,
    /// `aval-engine-0.1.0+2`: every attribute the accounts yield (`sources::accounts`), zero
    /// denominators told apart from unknown values, reason codes by group of ratios.
    Second,
}

impl Generation {
    pub const CURRENT: Generation = Generation::Second;

    pub const fn version(self) -> &'static str {
        match self {
            Generation::First => "aval-engine-0.1.0+1",
            Generation::Second => "aval-engine-0.1.0+2",
        }
    }

    /// The generation that wrote a recorded engine version; `None` for a version this build
    /// does not know (a newer one).
    pub fn of(version: &str) -> Option<Generation> {
        [Generation::First, Generation::Second]
            .into_iter()
            .find(|g| g.version() == version)
    }
}

/// Score points per unit of log-odds: 50 points double the odds.
pub const POINTS_PER_LOG_ODDS: f64 = 50.0 / std::f64::consts::LN_2;
/// The score at even odds.
pub const SCORE_AT_EVEN_ODDS: f64 = 500.0;

pub use crate::vocabulary::{Outcome, Product, Referral};

/// What the lender asks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Application {
    pub product: Product,
    /// The amount asked, in cents: the purchase (BNPL), the advance (factoring) or the increase
    /// of the limit (credit-line increase).
    pub amount_cents: i64,
    /// Factoring: the invoice's amount.
    pub invoice_amount_cents: Option<i64>,
    /// Credit-line increase: the limit today.
    pub current_limit_cents: Option<i64>,
    /// Whether an IBAN was given (its check is in the facts).
    pub iban_given: bool,
}

/// Everything a decision depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecisionInput {
    pub application: Application,
    pub facts: Facts,
    /// Factoring: what the sources say about the paying customer.
    pub debtor_facts: Option<Facts>,
    /// Data coverage of the gathering (0–100).
    pub coverage: u32,
    /// Sources that did not answer, with the reason.
    pub missing_sources: Vec<(SourceId, String)>,
    pub decided_at: DateTime<Utc>,
}

/// The statistical part, seen by the engine: the model's intercept and one term per ratio.
pub trait PdModel: Send + Sync {
    fn version(&self) -> &str;
    fn terms(&self, inputs: &BTreeMap<String, Input>) -> ModelOutput;
    /// The median of an input over the training companies, the reference reasons name.
    fn reference(&self, _key: &str) -> Option<f64> {
        None
    }
    /// The log-odds of a company the model knows nothing about (the training default rate).
    fn prior_log_odds(&self) -> Option<f64> {
        None
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelOutput {
    pub intercept: f64,
    pub terms: Vec<ModelTerm>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelTerm {
    pub feature: String,
    pub value: Option<f64>,
    pub log_odds: f64,
    /// The bin or the path, for the reason's threshold.
    pub detail: String,
}

impl PdModel for model::Model {
    fn version(&self) -> &str {
        model::Model::version(self)
    }
    fn reference(&self, key: &str) -> Option<f64> {
        self.training_median(key)
    }
    fn prior_log_odds(&self) -> Option<f64> {
        Some(model::Model::prior_log_odds(self))
    }
    fn terms(&self, inputs: &BTreeMap<String, Input>) -> ModelOutput {
        let p = self.predict(inputs);
        ModelOutput {
            intercept: p.intercept,
            terms: p
                .contributions
                .into_iter()
                .map(|c| ModelTerm {
                    feature: c.feature,
                    value: c.value,
                    log_odds: c.log_odds,
                    detail: c.detail,
                })
                .collect(),
        }
    }
}

/// One term of the score, on both scales.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    pub feature: String,
    pub value: Option<f64>,
    /// The model's term or the scorecard's bin.
    pub detail: String,
    /// `model` (trained), `expert` (scorecard) or `base` (the intercept).
    pub origin: String,
    pub log_odds: f64,
    /// Score points (positive raises the score, i.e. lowers the risk).
    pub points: f64,
    pub code: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FraudFlag {
    pub code: String,
    pub evidence: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Versions {
    pub engine: String,
    pub model: String,
    pub scorecard: String,
    pub policy: String,
}

/// The automated decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    pub outcome: Outcome,
    pub probability_of_default: f64,
    pub log_odds: f64,
    /// 0–1000, higher is safer.
    pub score: u32,
    pub grade: String,
    pub requested_cents: i64,
    /// What the policy allows for this product; 0 when declined or when it cannot be computed.
    pub proposed_limit_cents: i64,
    /// Ranked: policy reasons first, then the top adverse (decline, referral) or favourable
    /// (approval) factors.
    pub reasons: Vec<Reason>,
    pub referrals: Vec<Referral>,
    pub fraud_flags: Vec<FraudFlag>,
    /// Every term of the score; they add up to `log_odds` (and to the score before rounding).
    pub contributions: Vec<Contribution>,
    pub features: Features,
    pub coverage: u32,
    pub missing_sources: Vec<(SourceId, String)>,
    pub versions: Versions,
}

/// The reason codes of each model ratio: (adverse, favourable).
fn ratio_codes(feature: &str) -> (&'static str, &'static str) {
    match feature {
        "x1_net_profit_to_total_assets" => ("PR01", "PR11"),
        "x2_total_liabilities_to_total_assets" => ("LV02", "LV12"),
        "x3_working_capital_to_total_assets" => ("WC01", "WC11"),
        "x4_current_assets_to_short_term_liabilities" => ("LQ01", "LQ11"),
        "x6_retained_earnings_to_total_assets" => ("RE01", "RE11"),
        "x7_ebit_to_total_assets" => ("EB01", "EB11"),
        "x8_book_equity_to_total_liabilities" => ("LV01", "LV11"),
        "x9_sales_to_total_assets" => ("AC01", "AC11"),
        _ => ("EQ01", "EQ11"),
    }
}

pub fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The risk part of a decision: features, terms, log-odds.
struct Risk {
    features: Features,
    contributions: Vec<Contribution>,
    log_odds: f64,
}

fn assess(
    facts: &Facts,
    decided_at: DateTime<Utc>,
    model: &dyn PdModel,
    generation: Generation,
) -> Risk {
    score_features(
        features::compute(facts, decided_at, generation),
        model,
        generation,
    )
}

/// The model's inputs of a generation: the first reads the nine ratios (a missing one is
/// unknown); the second every attribute, a zero denominator undefined and the rest unknown.
fn model_inputs(features: &Features, generation: Generation) -> BTreeMap<String, Input> {
    match generation {
        Generation::First => MODEL_RATIOS
            .iter()
            .map(|name| ((*name).to_owned(), Input::known(features.get(name))))
            .collect(),
        Generation::Second => crate::sources::accounts::ATTRIBUTES
            .iter()
            .filter_map(|a| features.feature(a.key))
            .map(|f| {
                let input = match (f.value, f.missing.as_deref()) {
                    (Some(v), _) => Input::known(Some(v)),
                    (None, Some("zero_denominator")) => Input::Undefined,
                    (None, _) => Input::Unknown,
                };
                (f.name.clone(), input)
            })
            .collect(),
    }
}

/// Whether the features hold no accounts at all.
fn without_accounts(features: &Features, generation: Generation) -> bool {
    match generation {
        Generation::First => MODEL_RATIOS.iter().all(|n| features.get(n).is_none()),
        Generation::Second => crate::sources::accounts::ATTRIBUTES.iter().all(|a| {
            features
                .feature(a.key)
                .is_none_or(|f| f.missing.as_deref() == Some("no_accounts"))
        }),
    }
}

/// The terms of the score for given features: the model's and the expert scorecard's.
fn score_features(features: Features, model: &dyn PdModel, generation: Generation) -> Risk {
    let inputs = model_inputs(&features, generation);
    let out = model.terms(&inputs);
    let mut contributions = vec![Contribution {
        feature: "intercept".into(),
        value: None,
        detail: "model intercept".into(),
        origin: "base".into(),
        log_odds: out.intercept,
        points: -POINTS_PER_LOG_ODDS * out.intercept,
        code: None,
    }];
    let no_accounts = without_accounts(&features, generation);
    for t in out.terms {
        let code = match generation {
            Generation::First => {
                let (adverse, favourable) = ratio_codes(&t.feature);
                match (t.value, t.log_odds > 0.0) {
                    (None, true) if no_accounts => Some("AC00"),
                    (None, _) => None,
                    (Some(_), true) => Some(adverse),
                    (Some(_), false) if t.log_odds < 0.0 => Some(favourable),
                    _ => None,
                }
            }
            Generation::Second => reasons::group_code(&t.feature, t.log_odds),
        };
        contributions.push(Contribution {
            feature: t.feature,
            value: t.value,
            detail: t.detail,
            origin: "model".into(),
            log_odds: t.log_odds,
            points: -POINTS_PER_LOG_ODDS * t.log_odds,
            code: code.map(str::to_owned),
        });
    }
    // Without any accounts every ratio is unknown and the trees give the average log-odds of
    // the training companies, which is not their default rate (the mean of log-odds lies below
    // the log-odds of the mean). A company the accounts say nothing about takes the training
    // default rate: the difference is a term of its own, AC00.
    if generation == Generation::Second && no_accounts {
        if let Some(prior) = model.prior_log_odds() {
            let log_odds = prior - out.intercept;
            contributions.push(Contribution {
                feature: "ac_no_accounts".into(),
                value: None,
                detail: "no accounts: the training companies' default rate instead of their \
                         average log-odds"
                    .into(),
                origin: "model".into(),
                log_odds,
                points: -POINTS_PER_LOG_ODDS * log_odds,
                code: (log_odds > 0.0).then(|| "AC00".to_owned()),
            });
        }
    }
    for p in scorecard::score(&features) {
        contributions.push(Contribution {
            feature: p.feature,
            value: p.value,
            detail: p.bin,
            origin: "expert".into(),
            log_odds: p.log_odds,
            points: -POINTS_PER_LOG_ODDS * p.log_odds,
            code: Some(p.code),
        });
    }
    let log_odds = contributions.iter().map(|c| c.log_odds).sum();
    Risk {
        features,
        contributions,
        log_odds,
    }
}

/// The reason for one scored contribution, with its value written for people.
pub(crate) fn scored_reason(c: &Contribution, facts: &Facts) -> Option<Reason> {
    let code = c.code.as_deref()?;
    let v = c.value;
    let value = match c.feature.as_str() {
        "cf_negative_days_90"
        | "cf_rejected_debits_90"
        | "cf_missed_tax_social_90"
        | "lg_company_age_days"
        | "lg_days_since_director_change" => v.map(|v| format!("{v:.0}")),
        "cf_runway_months" => v.map(|v| format!("{v:.1}")),
        "cf_inflow_trend" | "cf_inflow_concentration" | "sector_default_rate" => v.map(percent),
        "lg_proceeding" => Some(proceeding_text(facts)),
        f if MODEL_RATIOS.contains(&f) => v.map(|v| format!("{v:.2}")),
        _ => v.map(|v| format!("{v}")),
    };
    let mut r = reason(code, value, Some(c.detail.clone()));
    r.log_odds = Some(c.log_odds);
    r.points = Some(c.points);
    Some(r)
}

fn proceeding_text(facts: &Facts) -> String {
    use crate::sources::bodacc::ProceedingStatus as P;
    match facts.legal_events.as_ref().map(|e| &e.proceeding) {
        Some(P::Open { kind, since }) | Some(P::UnderPlan { kind, since }) => {
            format!("{kind:?}, {since}").to_lowercase()
        }
        Some(P::Closed { on, .. }) => format!("closed {on}"),
        _ => String::new(),
    }
}

fn round_down(cents: i64, step_eur: u64) -> i64 {
    let step = i64::try_from(step_eur)
        .unwrap_or(i64::MAX / 100)
        .saturating_mul(100);
    if cents <= 0 || step <= 0 {
        0
    } else {
        cents - cents % step
    }
}

fn share(cents: i64, pct: u32) -> i64 {
    i64::try_from(i128::from(cents) * i128::from(pct) / 100).unwrap_or(i64::MAX)
}

/// The limit the policy allows, or why it cannot be computed.
fn proposed_limit(
    input: &DecisionInput,
    features: &Features,
    policy: &Policy,
    debtor_pd: Option<(f64, bool)>,
    reasons: &mut Vec<Reason>,
) -> Result<i64, String> {
    let app = &input.application;
    match app.product {
        Product::Bnpl => {
            let l = &policy.limits.bnpl;
            let inflows = features
                .get("cf_monthly_inflows_cents")
                .map(|c| share(c.round() as i64, l.share_of_monthly_inflows_pct));
            let equity = features
                .get("ac_equity_cents")
                .map(|c| share((c.round() as i64).max(0), l.share_of_equity_pct));
            let limit = match (inflows, equity) {
                (Some(a), Some(b)) => a.min(b),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => return Err("no bank data and no accounts".into()),
            };
            Ok(round_down(limit, l.round_to_eur))
        }
        Product::Factoring => {
            let l = &policy.limits.factoring;
            let invoice = app
                .invoice_amount_cents
                .ok_or_else(|| "no invoice amount".to_owned())?;
            let advance = share(invoice, l.advance_rate_pct);
            let cut = match debtor_pd {
                None => return Err("nothing is known of the paying customer".into()),
                Some((_, true)) => 0,
                Some((pd, false)) if pd >= policy.bands.decline_from_pd => 0,
                Some((pd, false)) if pd >= policy.bands.approve_below_pd => {
                    l.uncertain_debtor_share_pct
                }
                Some(_) => 100,
            };
            if cut < 100 {
                let pd = debtor_pd.map(|(p, _)| percent(p)).unwrap_or_default();
                reasons.push(reason("LM03", Some(format!("PD {pd}, {cut} %")), None));
            }
            Ok(round_down(share(advance, cut), l.round_to_eur))
        }
        Product::CreditLineIncrease => {
            let l = &policy.limits.credit_line_increase;
            let current = app
                .current_limit_cents
                .ok_or_else(|| "no current limit".to_owned())?;
            let growth = features
                .get("cf_inflow_trend")
                .ok_or_else(|| "no inflow trend (bank history under 75 days)".to_owned())?;
            let pct = (growth.max(0.0) * 100.0)
                .floor()
                .min(f64::from(l.max_increase_pct)) as u32;
            Ok(round_down(share(current, pct), l.round_to_eur))
        }
    }
}

/// Decides with today's engine. The same input, model and policy always give the same decision.
pub fn decide(input: &DecisionInput, model: &dyn PdModel, policy: &Policy) -> Decision {
    decide_as(Generation::CURRENT, input, model, policy)
}

/// Decides with the code paths of an engine generation (replays of recorded decisions).
pub fn decide_as(
    generation: Generation,
    input: &DecisionInput,
    model: &dyn PdModel,
    policy: &Policy,
) -> Decision {
    let risk = assess(&input.facts, input.decided_at, model, generation);
    let features = &risk.features;
    let pd = logistic(risk.log_odds);
    let exact_score = SCORE_AT_EVEN_ODDS - POINTS_PER_LOG_ODDS * risk.log_odds;
    let score = exact_score.round().clamp(0.0, 1000.0) as u32;
    let app = &input.application;
    let mut policy_reasons: Vec<Reason> = Vec::new();
    let is = |name: &str, v: f64| features.get(name) == Some(v);

    // Knock-outs.
    let k = &policy.knockouts;
    let mut knocked_out = false;
    if k.unknown_company && is("lg_known_company", 0.0) {
        policy_reasons.push(reason("LG04", None, None));
        knocked_out = true;
    }
    if k.ceased_company && is("lg_active", 0.0) {
        let since = input
            .facts
            .legal_unit
            .as_ref()
            .and_then(|u| u.ceased_on)
            .map(|d| d.to_string());
        policy_reasons.push(reason("LG02", since, None));
        knocked_out = true;
    }
    if k.struck_off && is("lg_struck_off", 1.0) {
        policy_reasons.push(reason("LG03", None, None));
        knocked_out = true;
    }
    if k.open_collective_proceeding && is("lg_proceeding", 2.0) {
        policy_reasons.push(reason("LG10", Some(proceeding_text(&input.facts)), None));
        knocked_out = true;
    }
    if k.failed_kyb && app.iban_given && is("kyb_iban_connected", 0.0) {
        policy_reasons.push(reason("KY01", input.facts.kyb.iban.clone(), None));
        knocked_out = true;
    }

    // Fraud signals.
    let f = &policy.fraud;
    let mut fraud_flags = Vec::new();
    if is("kyb_name_match", 0.0) {
        let holder = input.facts.kyb.holder_name.clone().unwrap_or_default();
        fraud_flags.push(FraudFlag {
            code: "FR01".into(),
            evidence: vec![
                format!("account holder: {holder}"),
                format!(
                    "legal name: {}",
                    input.facts.kyb.legal_name.clone().unwrap_or_default()
                ),
            ],
        });
    }
    let age = features.get("lg_company_age_days");
    let minutes = features.get("fr_minutes_since_bank_connection");
    if let (Some(age), Some(minutes)) = (age, minutes) {
        let large =
            app.amount_cents >= i64::try_from(f.large_request_eur).unwrap_or(i64::MAX) * 100;
        if age < f64::from(f.young_company_days)
            && minutes < f64::from(f.recent_connection_minutes)
            && large
        {
            fraud_flags.push(FraudFlag {
                code: "FR02".into(),
                evidence: vec![
                    format!("company age: {age:.0} days"),
                    format!("bank connected {minutes:.0} minutes before the request"),
                    format!("amount: {}", euros(app.amount_cents)),
                ],
            });
        }
    }
    if let Some(n) = features.get("in_applications_24h") {
        if n >= f64::from(f.repeated_applications_24h) {
            fraud_flags.push(FraudFlag {
                code: "FR03".into(),
                evidence: vec![format!("{n:.0} applications in 24 hours")],
            });
        }
    }
    if let (Some(change), Some(history)) = (
        features.get("lg_days_since_director_change"),
        features.get("cf_history_days"),
    ) {
        if change < f64::from(f.director_change_days) && history < f64::from(f.new_account_days) {
            fraud_flags.push(FraudFlag {
                code: "FR04".into(),
                evidence: vec![
                    format!("directors changed {change:.0} days ago"),
                    format!("bank history of {history:.0} days"),
                ],
            });
        }
    }

    // The paying customer, for factoring.
    let debtor_pd = input.debtor_facts.as_ref().map(|d| {
        let r = assess(d, input.decided_at, model, generation);
        let dead = r.features.get("lg_active") == Some(0.0)
            || r.features.get("lg_known_company") == Some(0.0)
            || r.features.get("lg_proceeding") == Some(2.0);
        (logistic(r.log_odds), dead)
    });
    let limit = proposed_limit(input, features, policy, debtor_pd, &mut policy_reasons);

    // Outcome.
    let mut referrals = Vec::new();
    // Too little data makes the estimate unreliable: a person decides rather than the band.
    let low_coverage = input.coverage < policy.coverage.minimum;
    let no_accounts = without_accounts(features, generation);
    let thin_file = no_accounts && !policy.bands.decline_without_accounts;
    let outcome = if knocked_out {
        Outcome::Decline
    } else if pd >= policy.bands.decline_from_pd
        && !low_coverage
        && !thin_file
        && fraud_flags.is_empty()
    {
        policy_reasons.push(reason(
            "BD02",
            Some(percent(pd)),
            Some(percent(policy.bands.decline_from_pd)),
        ));
        Outcome::Decline
    } else {
        if low_coverage {
            referrals.push(Referral::LowCoverage);
            policy_reasons.push(reason(
                "DC01",
                Some(format!("{} %", input.coverage)),
                Some(format!("{} %", policy.coverage.minimum)),
            ));
        }
        if !fraud_flags.is_empty() {
            referrals.push(Referral::FraudSignal);
        }
        let authority = match app.product {
            Product::Bnpl => policy.authority.bnpl_eur,
            Product::Factoring => policy.authority.factoring_eur,
            Product::CreditLineIncrease => policy.authority.credit_line_increase_eur,
        };
        let authority_cents = i64::try_from(authority).unwrap_or(i64::MAX / 100) * 100;
        if app.amount_cents > authority_cents {
            referrals.push(Referral::AboveAuthority);
            policy_reasons.push(reason(
                "AU01",
                Some(euros(app.amount_cents)),
                Some(euros(authority_cents)),
            ));
        }
        if pd >= policy.bands.decline_from_pd && thin_file {
            referrals.push(Referral::ThinFile);
            policy_reasons.push(reason("DC02", Some(percent(pd)), None));
        } else if pd >= policy.bands.decline_from_pd {
            // Above the decline band, but too little data or a fraud signal: a person decides.
            referrals.push(Referral::UncertainScore);
            policy_reasons.push(reason(
                "BD02",
                Some(percent(pd)),
                Some(percent(policy.bands.decline_from_pd)),
            ));
        } else if pd >= policy.bands.approve_below_pd {
            referrals.push(Referral::UncertainScore);
            policy_reasons.push(reason(
                "BD01",
                Some(percent(pd)),
                Some(format!(
                    "{} – {}",
                    percent(policy.bands.approve_below_pd),
                    percent(policy.bands.decline_from_pd)
                )),
            ));
        }
        match &limit {
            Ok(l) if app.amount_cents > *l => {
                referrals.push(Referral::AboveLimit);
                policy_reasons.push(reason(
                    "LM01",
                    Some(euros(app.amount_cents)),
                    Some(euros(*l)),
                ));
            }
            Ok(_) => {}
            Err(why) => {
                referrals.push(Referral::AboveLimit);
                policy_reasons.push(reason("LM02", Some(why.clone()), None));
            }
        }
        if referrals.is_empty() {
            Outcome::Approve
        } else {
            Outcome::Refer
        }
    };
    referrals.sort();
    referrals.dedup();
    for flag in &fraud_flags {
        let value = match flag.code.as_str() {
            "FR01" => input.facts.kyb.holder_name.clone(),
            "FR02" => age.map(|a| format!("{a:.0}")),
            "FR03" => features
                .get("in_applications_24h")
                .map(|n| format!("{n:.0}")),
            _ => None,
        };
        policy_reasons.push(reason(&flag.code, value, None));
    }

    // Scored reasons: the top four adverse ones, or the top four favourable on approval.
    let scored_reasons = match generation {
        Generation::First => first_scored_reasons(&risk, outcome, &input.facts),
        Generation::Second => {
            reasons::grouped(&risk.contributions, features, model, outcome, &input.facts)
        }
    };
    let mut reasons = policy_reasons;
    reasons.extend(scored_reasons);
    debug_assert!(reasons
        .iter()
        .all(|r| r.kind != ReasonKind::Policy || r.log_odds.is_none()));

    Decision {
        outcome,
        probability_of_default: pd,
        log_odds: risk.log_odds,
        score,
        grade: policy.grade(pd),
        requested_cents: app.amount_cents,
        proposed_limit_cents: match (outcome, &limit) {
            (Outcome::Decline, _) | (_, Err(_)) => 0,
            (_, Ok(l)) => *l,
        },
        reasons,
        referrals,
        fraud_flags,
        contributions: risk.contributions,
        features: risk.features,
        coverage: input.coverage,
        missing_sources: input.missing_sources.clone(),
        versions: Versions {
            engine: generation.version().to_owned(),
            model: model.version().to_owned(),
            scorecard: scorecard::SCORECARD_VERSION.to_owned(),
            policy: policy.version.clone(),
        },
    }
}

/// The first generation's scored reasons: the four largest terms with a code in the outcome's
/// direction, one per ratio or signal.
fn first_scored_reasons(risk: &Risk, outcome: Outcome, facts: &Facts) -> Vec<Reason> {
    let mut scored: Vec<&Contribution> = risk
        .contributions
        .iter()
        .filter(|c| c.code.is_some())
        .filter(|c| match outcome {
            Outcome::Approve => c.log_odds < 0.0,
            _ => c.log_odds > 0.0,
        })
        .collect();
    scored.sort_by(|a, b| {
        b.log_odds
            .abs()
            .total_cmp(&a.log_odds.abs())
            .then_with(|| a.feature.cmp(&b.feature))
    });
    scored
        .into_iter()
        .filter_map(|c| scored_reason(c, facts))
        .take(4)
        .collect()
}

#[cfg(test)]
mod tests;

//! The expert scorecard: points on the log-odds scale for the cash-flow and legal signals, which
//! have no public labels to train on. These are expert judgement, not fitted, and the model card
//! says so. A positive number raises the probability of default.
//!
//! Each signal is a list of bins `(upper bound, points)` read in order: the first bin whose
//! bound is above the value applies. A missing value scores 0 (its absence lowers data coverage
//! instead).

use super::features::Features;
use serde::{Deserialize, Serialize};

/// Version of this table, recorded with every decision.
pub const SCORECARD_VERSION: &str = "expert-scorecard-2026.11-1";

/// One signal of the scorecard.
pub struct Signal {
    pub feature: &'static str,
    /// The reason code when the signal raises the risk, and when it lowers it.
    pub adverse_code: &'static str,
    pub favourable_code: &'static str,
    /// `(exclusive upper bound, log-odds points)`, ascending; the last bound is infinite.
    pub bins: &'static [(f64, f64)],
}

/// Whether more of a signal's value can only mean more risk (checked by a test).
pub const INCREASING: [&str; 4] = [
    "cf_negative_days_90",
    "cf_rejected_debits_90",
    "cf_missed_tax_social_90",
    "cf_inflow_concentration",
];

pub const SIGNALS: [Signal; 8] = [
    Signal {
        feature: "cf_negative_days_90",
        adverse_code: "CF01",
        favourable_code: "CF11",
        bins: &[
            (1.0, -0.25),
            (6.0, 0.0),
            (21.0, 0.6),
            (46.0, 1.2),
            (f64::INFINITY, 1.8),
        ],
    },
    Signal {
        feature: "cf_runway_months",
        adverse_code: "CF02",
        favourable_code: "CF12",
        bins: &[
            (0.0, 0.9),
            (1.0, 0.6),
            (3.0, 0.2),
            (6.0, -0.1),
            (f64::INFINITY, -0.3),
        ],
    },
    Signal {
        feature: "cf_inflow_trend",
        adverse_code: "CF03",
        favourable_code: "CF13",
        bins: &[(-0.3, 0.7), (-0.1, 0.3), (0.2, 0.0), (f64::INFINITY, -0.2)],
    },
    Signal {
        feature: "cf_rejected_debits_90",
        adverse_code: "CF04",
        favourable_code: "CF14",
        bins: &[(1.0, 0.0), (2.0, 0.4), (4.0, 0.8), (f64::INFINITY, 1.2)],
    },
    Signal {
        feature: "cf_missed_tax_social_90",
        adverse_code: "CF05",
        favourable_code: "CF15",
        bins: &[(1.0, 0.0), (f64::INFINITY, 1.0)],
    },
    Signal {
        feature: "cf_inflow_concentration",
        adverse_code: "CF06",
        favourable_code: "CF16",
        bins: &[(0.4, 0.0), (0.6, 0.2), (f64::INFINITY, 0.4)],
    },
    Signal {
        feature: "lg_company_age_days",
        adverse_code: "LG06",
        favourable_code: "LG16",
        bins: &[
            (365.0, 0.8),
            (3.0 * 365.0, 0.4),
            (10.0 * 365.0, 0.0),
            (f64::INFINITY, -0.2),
        ],
    },
    Signal {
        feature: "lg_days_since_director_change",
        adverse_code: "LG08",
        favourable_code: "LG08",
        bins: &[(183.0, 0.2), (f64::INFINITY, 0.0)],
    },
];

/// Points for the state of collective proceedings (`lg_proceeding`): none, under a plan, open,
/// closed for insufficient assets.
pub const PROCEEDING_POINTS: [f64; 4] = [0.0, 1.5, 3.0, 2.0];

/// The sector's reference default rate enters as its log-odds against this portfolio average.
pub const REFERENCE_SECTOR_RATE: f64 = 0.015;

/// One scorecard line for a decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Points {
    pub feature: String,
    pub value: Option<f64>,
    pub log_odds: f64,
    pub code: String,
    /// The bin, for example `6 ≤ x < 21`.
    pub bin: String,
}

fn bin_label(lower: f64, upper: f64) -> String {
    match (lower.is_finite(), upper.is_finite()) {
        (false, true) => format!("x < {upper}"),
        (true, false) => format!("x ≥ {lower}"),
        (true, true) => format!("{lower} ≤ x < {upper}"),
        (false, false) => "any".to_owned(),
    }
}

/// Points of one signal for a value.
pub fn points(signal: &Signal, value: f64) -> (f64, String) {
    let mut lower = f64::NEG_INFINITY;
    for (upper, pts) in signal.bins {
        if value < *upper {
            return (*pts, bin_label(lower, *upper));
        }
        lower = *upper;
    }
    (0.0, "none".to_owned())
}

/// The scorecard lines of a decision (missing values give no line).
pub fn score(features: &Features) -> Vec<Points> {
    let mut out = Vec::new();
    for signal in &SIGNALS {
        if let Some(v) = features.get(signal.feature) {
            let (log_odds, bin) = points(signal, v);
            if log_odds != 0.0 {
                out.push(Points {
                    feature: signal.feature.to_owned(),
                    value: Some(v),
                    log_odds,
                    code: if log_odds > 0.0 {
                        signal.adverse_code
                    } else {
                        signal.favourable_code
                    }
                    .to_owned(),
                    bin,
                });
            }
        }
    }
    if let Some(state) = features.get("lg_proceeding") {
        let index = (state.max(0.0) as usize).min(PROCEEDING_POINTS.len() - 1);
        let log_odds = PROCEEDING_POINTS[index];
        if log_odds != 0.0 {
            out.push(Points {
                feature: "lg_proceeding".into(),
                value: Some(state),
                log_odds,
                code: match index {
                    1 => "LG05",
                    3 => "LG09",
                    _ => "LG01",
                }
                .into(),
                bin: [
                    "none",
                    "under a plan",
                    "open",
                    "closed for insufficient assets",
                ][index]
                    .into(),
            });
        }
    }
    if let Some(rate) = features
        .get("sector_default_rate")
        .filter(|r| *r > 0.0 && *r < 1.0)
    {
        let logit = |p: f64| (p / (1.0 - p)).ln();
        let log_odds = logit(rate) - logit(REFERENCE_SECTOR_RATE);
        if log_odds != 0.0 {
            out.push(Points {
                feature: "sector_default_rate".into(),
                value: Some(rate),
                log_odds,
                code: if log_odds > 0.0 { "SE01" } else { "SE11" }.into(),
                bin: format!("logit({rate}) − logit({REFERENCE_SECTOR_RATE})"),
            });
        }
    }
    out
}

/// The scorecard as a Markdown section, for the model card: every signal, its bins and points.
pub fn markdown() -> String {
    let mut out = format!(
        "## Expert scorecard (expert judgement, not trained)\n\n\
         Version `{SCORECARD_VERSION}`. Bank cash-flow and legal signals have no public labels to \
         train on, so their points are set by expert judgement; they are not fitted and no \
         performance is claimed for them. They are added on the log-odds scale to the model's \
         intercept and contributions, so every decision's contributions add up to its score. \
         A positive number raises the probability of default; a missing signal scores 0 and \
         lowers the data coverage instead.\n\n\
         | signal | bin | log-odds points |\n|---|---|---|\n"
    );
    for s in &SIGNALS {
        let mut lower = f64::NEG_INFINITY;
        for (upper, pts) in s.bins {
            out.push_str(&format!(
                "| `{}` | {} | {pts:+.2} |\n",
                s.feature,
                bin_label(lower, *upper)
            ));
            lower = *upper;
        }
    }
    for (i, state) in [
        "none open",
        "under a plan",
        "open",
        "closed for insufficient assets",
    ]
    .iter()
    .enumerate()
    {
        out.push_str(&format!(
            "| `lg_proceeding` | {state} | {:+.2} |\n",
            PROCEEDING_POINTS[i]
        ));
    }
    out.push_str(&format!(
        "| `sector_default_rate` | any | logit(rate) − logit({REFERENCE_SECTOR_RATE}) |\n\n\
         The sector rates are the expert table `{}` (see `server/src/sources/sector.rs`).\n",
        crate::sources::sector::TABLE_VERSION
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_ascending_and_end_unbounded() {
        for s in &SIGNALS {
            assert!(s.bins.windows(2).all(|w| w[0].0 < w[1].0), "{}", s.feature);
            assert_eq!(s.bins.last().unwrap().0, f64::INFINITY, "{}", s.feature);
        }
    }

    #[test]
    fn signals_that_only_mean_risk_never_lower_the_points_as_they_grow() {
        for s in SIGNALS.iter().filter(|s| INCREASING.contains(&s.feature)) {
            assert!(s.bins.windows(2).all(|w| w[0].1 <= w[1].1), "{}", s.feature);
        }
        let runway = SIGNALS
            .iter()
            .find(|s| s.feature == "cf_runway_months")
            .unwrap();
        assert!(
            runway.bins.windows(2).all(|w| w[0].1 >= w[1].1),
            "more runway, less risk"
        );
    }

    #[test]
    fn a_value_falls_in_the_first_bin_above_it() {
        let s = &SIGNALS[0];
        assert_eq!(points(s, 0.0), (-0.25, "x < 1".to_owned()));
        assert_eq!(points(s, 41.0), (1.2, "21 ≤ x < 46".to_owned()));
        assert_eq!(points(s, 90.0), (1.8, "x ≥ 46".to_owned()));
    }
}

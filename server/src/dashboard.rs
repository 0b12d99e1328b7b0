//! The supervisors' dashboard: the database's grouped counts turned into rates, percentiles and
//! charts drawn with plotters. Pure: the same counts give the same page.

use crate::charts::{self, AxisText, Bars, Line};
use crate::store::dashboard::{DashboardCounts, DAY_MS, SCORE_BUCKET};
use app::components::format::{label, outcome, product};
use app::i18n::{Lang, Msg};
use app::model::{ChartView, DashboardView};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

pub const OUTCOMES: &[&str] = app::model::Outcome::WORDS;
pub const PRODUCTS: &[&str] = app::model::Product::WORDS;

/// Bands of time waited in the queue: (upper bound in hours, label).
const WAIT_BANDS: [(i64, &str); 5] = [
    (1, "< 1 h"),
    (4, "1–4 h"),
    (24, "4–24 h"),
    (72, "1–3 d"),
    (i64::MAX, "> 3 d"),
];

fn colour(outcome: &str) -> charts::RGBColor {
    match outcome {
        "approve" => charts::GREEN,
        "decline" => charts::RED,
        _ => charts::AMBER,
    }
}

/// The value at quantile `q` of a distribution given as (value, count), sorted by value.
pub fn quantile(sorted: &[(i64, i64)], q: f64) -> Option<i64> {
    let total: i64 = sorted.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return None;
    }
    // Nearest rank: the smallest value with at least q of the observations at or below it.
    let rank = ((q * total as f64).ceil() as i64).clamp(1, total);
    let mut seen = 0;
    for (value, n) in sorted {
        seen += n;
        if seen >= rank {
            return Some(*value);
        }
    }
    sorted.last().map(|(v, _)| *v)
}

fn share(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The labels of `count` days from `from` (`dd/mm`), for a chart's axis.
fn day_labels(from: NaiveDate, count: usize) -> Vec<String> {
    (0..count)
        .map(|i| {
            (from + chrono::Days::new(i as u64))
                .format("%d/%m")
                .to_string()
        })
        .collect()
}

fn day_of(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() / DAY_MS)
        .unwrap_or(0)
}

/// The dashboard for the `days` days ending with `now`'s day.
pub fn build(
    counts: &DashboardCounts,
    days: u32,
    now: DateTime<Utc>,
    service_target_hours: u32,
    lang: Lang,
) -> DashboardView {
    let to = now.date_naive();
    let from = to - chrono::Days::new(u64::from(days.max(1) - 1));
    let first_day = day_of(from);
    let day_count = usize::try_from(days.max(1)).unwrap_or(1);
    let day_labels = day_labels(from, day_count);
    let index = |day: i64| {
        usize::try_from(day - first_day)
            .ok()
            .filter(|i| *i < day_count)
    };
    let mut charts = Vec::new();
    let mut chart = |id: &str, msg: Msg, svg: String| {
        charts.push(ChartView {
            id: id.to_owned(),
            title: msg.text(lang).to_owned(),
            svg,
        })
    };
    let count_format = charts::count_axis;

    // Decisions per day, stacked by automated outcome.
    let mut per_day: BTreeMap<&str, Vec<f64>> = OUTCOMES
        .iter()
        .map(|o| (*o, vec![0.0; day_count]))
        .collect();
    for (day, o, n) in &counts.by_day {
        if let (Some(i), Some(v)) = (index(*day), per_day.get_mut(o.as_str())) {
            v[i] += *n as f64;
        }
    }
    let decisions: i64 = counts.by_day.iter().map(|(_, _, n)| n).sum();
    let labels: Vec<String> = OUTCOMES.iter().map(|o| label(o, outcome, lang)).collect();
    chart(
        "outcomes_per_day",
        Msg::ChartOutcomesPerDay,
        charts::bars(
            &day_labels,
            &OUTCOMES
                .iter()
                .zip(&labels)
                .map(|(o, name)| Bars {
                    name,
                    colour: colour(o),
                    values: per_day.remove(o).unwrap_or_default(),
                })
                .collect::<Vec<_>>(),
            true,
            None,
            &AxisText {
                title: Msg::ChartOutcomesPerDay.text(lang),
                x_axis: Msg::AxisDay.text(lang),
                y_axis: Msg::AxisDecisions.text(lang),
            },
            &count_format,
        ),
    );

    // Rates by product.
    #[derive(Default, Clone, Copy)]
    struct Tally {
        all: i64,
        auto_approved: i64,
        automatic: i64,
        overridden: i64,
        in_force: i64,
        approved_in_force: i64,
    }
    let mut tallies: BTreeMap<&str, Tally> =
        PRODUCTS.iter().map(|p| (*p, Tally::default())).collect();
    let mut total = Tally::default();
    for (p, automated, final_outcome, overridden, n) in &counts.by_product {
        for t in [tallies.get_mut(p.as_str()), Some(&mut total)]
            .into_iter()
            .flatten()
        {
            t.all += n;
            if automated == "approve" {
                t.auto_approved += n;
            }
            if automated != "refer" {
                t.automatic += n;
                if *overridden {
                    t.overridden += n;
                }
            }
            if !final_outcome.is_empty() {
                t.in_force += n;
                if final_outcome == "approve" || final_outcome == "counter_offer" {
                    t.approved_in_force += n;
                }
            }
        }
    }
    let pct = |v: Option<f64>| v.map_or(0.0, |v| v * 100.0);
    let product_labels: Vec<String> = PRODUCTS.iter().map(|p| label(p, product, lang)).collect();
    let rate_series = |f: &dyn Fn(&Tally) -> Option<f64>| -> Vec<f64> {
        PRODUCTS
            .iter()
            .map(|p| pct(tallies.get(p).and_then(f)))
            .collect()
    };
    chart(
        "rates_by_product",
        Msg::ChartRatesByProduct,
        charts::bars(
            &product_labels,
            &[
                Bars {
                    name: Msg::SeriesAutoApproval.text(lang),
                    colour: charts::BLUE,
                    values: rate_series(&|t| share(t.auto_approved, t.all)),
                },
                Bars {
                    name: Msg::SeriesApproval.text(lang),
                    colour: charts::GREEN,
                    values: rate_series(&|t| share(t.approved_in_force, t.in_force)),
                },
                Bars {
                    name: Msg::SeriesOverride.text(lang),
                    colour: charts::RED,
                    values: rate_series(&|t| share(t.overridden, t.automatic)),
                },
            ],
            false,
            Some(100.0),
            &AxisText {
                title: Msg::ChartRatesByProduct.text(lang),
                x_axis: Msg::AxisProduct.text(lang),
                y_axis: Msg::AxisRate.text(lang),
            },
            &|v| format!("{v:.0} %"),
        ),
    );

    // The queue now, by time waited.
    let mut waited = [0.0; WAIT_BANDS.len()];
    for (hours, n) in &counts.queue_hours {
        if let Some(band) = WAIT_BANDS.iter().position(|(upper, _)| hours < upper) {
            waited[band] += *n as f64;
        }
    }
    let queue_size: i64 = counts.queue_hours.iter().map(|(_, n)| n).sum();
    let target = i64::from(service_target_hours);
    let queue_over_target = counts
        .queue_hours
        .iter()
        .filter(|(h, _)| *h >= target)
        .map(|(_, n)| n)
        .sum();
    let queue_title = format!(
        "{} ({} {target} h)",
        Msg::ChartQueueAge.text(lang),
        match lang {
            Lang::En => "target",
            Lang::Fr => "objectif",
        }
    );
    chart(
        "queue_age",
        Msg::ChartQueueAge,
        charts::bars(
            &WAIT_BANDS
                .iter()
                .map(|(_, l)| (*l).to_owned())
                .collect::<Vec<_>>(),
            &[Bars {
                name: Msg::AxisCases.text(lang),
                colour: charts::AMBER,
                values: waited.to_vec(),
            }],
            false,
            None,
            &AxisText {
                title: &queue_title,
                x_axis: Msg::AxisWaited.text(lang),
                y_axis: Msg::AxisCases.text(lang),
            },
            &count_format,
        ),
    );

    // Latency percentiles, per day and over the period.
    let mut latency_by_day: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    let mut latency_all: BTreeMap<i64, i64> = BTreeMap::new();
    for (day, ms, n) in &counts.latency {
        latency_by_day.entry(*day).or_default().push((*ms, *n));
        *latency_all.entry(*ms).or_default() += n;
    }
    let mut p50 = vec![None; day_count];
    let mut p99 = vec![None; day_count];
    for (day, mut dist) in latency_by_day {
        if let Some(i) = index(day) {
            dist.sort_unstable();
            p50[i] = quantile(&dist, 0.50).map(|v| v as f64);
            p99[i] = quantile(&dist, 0.99).map(|v| v as f64);
        }
    }
    let all: Vec<(i64, i64)> = latency_all.into_iter().collect();
    chart(
        "latency",
        Msg::ChartLatency,
        charts::lines(
            &day_labels,
            &[
                Line {
                    name: "p50",
                    colour: charts::BLUE,
                    values: p50,
                },
                Line {
                    name: "p99",
                    colour: charts::RED,
                    values: p99,
                },
            ],
            &AxisText {
                title: Msg::ChartLatency.text(lang),
                x_axis: Msg::AxisDay.text(lang),
                y_axis: Msg::AxisMs.text(lang),
            },
            &|v| format!("{v:.0}"),
        ),
    );

    // Scores, stacked by automated outcome.
    let buckets = usize::try_from(1000 / SCORE_BUCKET + 1).unwrap_or(21);
    let mut per_bucket: BTreeMap<&str, Vec<f64>> =
        OUTCOMES.iter().map(|o| (*o, vec![0.0; buckets])).collect();
    for (bucket, o, n) in &counts.scores {
        let i = usize::try_from(bucket / SCORE_BUCKET)
            .unwrap_or(0)
            .min(buckets - 1);
        if let Some(v) = per_bucket.get_mut(o.as_str()) {
            v[i] += *n as f64;
        }
    }
    chart(
        "scores",
        Msg::ChartScores,
        charts::bars(
            &(0..buckets)
                .map(|i| (i as i64 * SCORE_BUCKET).to_string())
                .collect::<Vec<_>>(),
            &OUTCOMES
                .iter()
                .zip(&labels)
                .map(|(o, name)| Bars {
                    name,
                    colour: colour(o),
                    values: per_bucket.remove(o).unwrap_or_default(),
                })
                .collect::<Vec<_>>(),
            true,
            None,
            &AxisText {
                title: Msg::ChartScores.text(lang),
                x_axis: Msg::AxisScore.text(lang),
                y_axis: Msg::AxisDecisions.text(lang),
            },
            &count_format,
        ),
    );

    DashboardView {
        days,
        from,
        to,
        decisions,
        automatic_share: share(total.automatic, total.all),
        approval_rate: share(total.approved_in_force, total.in_force),
        override_rate: share(total.overridden, total.automatic),
        overrides: total.overridden,
        automatic_decisions: total.automatic,
        queue_size,
        queue_over_target,
        oldest_hours: counts.queue_hours.iter().map(|(h, _)| *h).max(),
        service_target_hours,
        latency_p50_ms: quantile(&all, 0.50),
        latency_p99_ms: quantile(&all, 0.99),
        charts,
        drift: None,
        portfolio: None,
    }
}

/// The portfolio section: the active lines by product and grade (`Lines::portfolio`) with
/// their expected loss under `lgd`, and the automatic increases among `changes` (the window's
/// line changes) per day from `from`, over `days` days.
pub fn portfolio(
    rows: &[crate::store::PortfolioRow],
    changes: &[crate::store::LineChangeRecord],
    referred: i64,
    lgd: f64,
    from: NaiveDate,
    days: u32,
    lang: Lang,
) -> app::model::PortfolioView {
    use aval_core::vocabulary::{LineActor, LineChange};
    let loss = |weighted: f64| (weighted * lgd).round() as i64;
    let rows: Vec<app::model::PortfolioRowView> = rows
        .iter()
        .map(|r| app::model::PortfolioRowView {
            product: r.product.as_str().to_owned(),
            grade: r.grade.clone(),
            lines: r.lines,
            exposure_cents: r.exposure_cents,
            expected_loss_cents: loss(r.pd_weighted_cents),
        })
        .collect();
    let increases: Vec<_> = changes
        .iter()
        .filter(|c| c.change == LineChange::Increased && c.by == LineActor::Monitoring)
        .collect();
    let day_count = usize::try_from(days.max(1)).unwrap_or(1);
    let first_day = day_of(from);
    let mut amounts = vec![0.0; day_count];
    for c in &increases {
        let day = c.at.timestamp_millis().div_euclid(DAY_MS);
        if let Some(v) = usize::try_from(day - first_day)
            .ok()
            .and_then(|i| amounts.get_mut(i))
        {
            *v += (c.limit_cents - c.previous_limit_cents.unwrap_or(0)) as f64;
        }
    }
    let day_labels = day_labels(from, day_count);
    let title = Msg::ChartAutomaticIncreases.text(lang);
    let svg = charts::bars(
        &day_labels,
        &[Bars {
            name: title,
            colour: charts::GREEN,
            values: amounts,
        }],
        true,
        None,
        &AxisText {
            title,
            x_axis: Msg::AxisDay.text(lang),
            y_axis: Msg::AxisAmount.text(lang),
        },
        &charts::euros_axis,
    );
    app::model::PortfolioView {
        lines: rows.iter().map(|r| r.lines).sum(),
        exposure_cents: rows.iter().map(|r| r.exposure_cents).sum(),
        expected_loss_cents: rows.iter().map(|r| r.expected_loss_cents).sum(),
        loss_given_default: lgd,
        automatic_increases: increases.len() as i64,
        automatic_increase_cents: increases
            .iter()
            .map(|c| c.limit_cents - c.previous_limit_cents.unwrap_or(0))
            .sum(),
        referred_increases: referred,
        rows,
        increases_chart: ChartView {
            id: "automatic_increases".into(),
            title: title.to_owned(),
            svg,
        },
    }
}

/// A company's probability of default over its assessments, oldest first, as a chart.
pub fn pd_chart(assessments: &[aval_core::company::AssessmentView], lang: Lang) -> ChartView {
    let labels: Vec<String> = assessments
        .iter()
        .map(|a| a.at.format("%d/%m %H:%M").to_string())
        .collect();
    let title = Msg::ChartCompanyPd.text(lang);
    let svg = charts::lines(
        &labels,
        &[Line {
            name: title,
            colour: charts::BLUE,
            values: assessments
                .iter()
                .map(|a| Some(a.probability_of_default * 100.0))
                .collect(),
        }],
        &AxisText {
            title,
            x_axis: Msg::AxisDecision.text(lang),
            y_axis: Msg::AxisPdPercent.text(lang),
        },
        &|v| format!("{v:.1} %"),
    );
    ChartView {
        id: "company_pd".into(),
        title: title.to_owned(),
        svg,
    }
}

/// The drift of `model` from the counts of its decisions' bins (`Store::drift_counts`): the
/// index of its score and of each input over the window and per calendar month, and the inputs
/// most often without a value. `None` when no decision of the model is in the window.
pub fn drift(
    counts: &[(i64, i64, String, i64)],
    model: &crate::engine::model::Model,
    lang: Lang,
) -> Option<app::model::DriftView> {
    use crate::engine::drift::{band, bin_index, psi, UNDEFINED, UNKNOWN};
    let keys: Vec<&str> = model.input_keys().collect();
    let decisions: i64 = counts
        .iter()
        .filter(|(_, position, _, _)| *position == 1)
        .map(|(_, _, _, n)| n)
        .sum();
    if decisions == 0 {
        return None;
    }
    let month_of = |day: i64| {
        DateTime::<Utc>::from_timestamp_millis(day * DAY_MS)
            .map(|t| t.format("%Y-%m").to_string())
            .unwrap_or_default()
    };
    let months: Vec<String> = {
        let mut m: Vec<String> = counts.iter().map(|(d, ..)| month_of(*d)).collect();
        m.sort();
        m.dedup();
        m
    };
    // (position, month or "" for the window) → counts per bin (10 deciles, undefined, unknown).
    let mut tallies: BTreeMap<(i64, String), [i64; 12]> = BTreeMap::new();
    for (day, position, bin, n) in counts {
        let Some(c) = bin.chars().next() else {
            continue;
        };
        let slot = bin_index(c).unwrap_or(11);
        for period in [String::new(), month_of(*day)] {
            tallies.entry((*position, period)).or_insert([0; 12])[slot] += n;
        }
    }
    let index = |position: i64, period: &str, expected: &[f64]| {
        tallies
            .get(&(position, period.to_owned()))
            .and_then(|t| psi(expected, &t[..11]))
    };
    let french = lang == Lang::Fr;
    let name = |key: &str| {
        crate::sources::accounts::attribute(key)
            .map(|a| {
                format!(
                    "{} ({})",
                    if french { a.name_fr } else { a.name_en },
                    a.attribute.replace("Attr", "X")
                )
            })
            .unwrap_or_else(|| key.to_owned())
    };
    let row = |position: i64, key: &str, label: String, expected: &[f64]| {
        let value = index(position, "", expected);
        app::model::DriftRow {
            key: key.to_owned(),
            label,
            psi: value,
            band: value.map(band).unwrap_or("stable").to_owned(),
            by_month: months
                .iter()
                .map(|m| index(position, m, expected))
                .collect(),
        }
    };
    let mut rows = Vec::new();
    if let Some(r) = model.score_reference() {
        rows.push(row(
            1,
            "score",
            Msg::DriftScore.text(lang).to_owned(),
            &r.shares,
        ));
    }
    let mut inputs: Vec<app::model::DriftRow> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, key)| {
            let r = model.input_reference(key)?;
            Some(row(i as i64 + 2, key, name(key), &r.shares))
        })
        .collect();
    inputs.sort_by(|a, b| {
        b.psi
            .unwrap_or(-1.0)
            .total_cmp(&a.psi.unwrap_or(-1.0))
            .then_with(|| a.key.cmp(&b.key))
    });
    rows.extend(inputs);
    let mut missing: Vec<app::model::MissingRow> = keys
        .iter()
        .enumerate()
        .filter_map(|(i, key)| {
            let t = tallies.get(&(i as i64 + 2, String::new()))?;
            let total: i64 = t.iter().sum();
            let undefined = t[bin_index(UNDEFINED).unwrap_or(10)];
            let unknown = t[11];
            debug_assert!(bin_index(UNKNOWN).is_none());
            (total > 0 && undefined + unknown > 0).then(|| app::model::MissingRow {
                key: (*key).to_owned(),
                label: name(key),
                unknown_share: unknown as f64 / total as f64,
                undefined_share: undefined as f64 / total as f64,
            })
        })
        .collect();
    missing.sort_by(|a, b| {
        (b.unknown_share + b.undefined_share)
            .total_cmp(&(a.unknown_share + a.undefined_share))
            .then_with(|| a.key.cmp(&b.key))
    });
    missing.truncate(10);
    Some(app::model::DriftView {
        model_version: model.version().to_owned(),
        decisions,
        months,
        rows,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_use_the_nearest_rank_of_the_counts() {
        let dist = [(10, 50), (20, 49), (900, 1)];
        assert_eq!(quantile(&dist, 0.5), Some(10));
        assert_eq!(quantile(&dist, 0.99), Some(20));
        assert_eq!(quantile(&dist, 1.0), Some(900));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    fn rates_queue_and_latency_come_from_the_counts() {
        let now = DateTime::parse_from_rfc3339("2026-11-20T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let today = now.timestamp_millis() / DAY_MS;
        let counts = DashboardCounts {
            by_day: vec![
                (today, "approve".into(), 6),
                (today - 1, "refer".into(), 2),
                (today - 1, "decline".into(), 2),
                (today - 40, "approve".into(), 99),
            ],
            by_product: vec![
                ("bnpl".into(), "approve".into(), "approve".into(), false, 5),
                ("bnpl".into(), "approve".into(), "decline".into(), true, 1),
                ("bnpl".into(), "refer".into(), "approve".into(), false, 1),
                ("bnpl".into(), "refer".into(), "".into(), false, 1),
                (
                    "factoring".into(),
                    "decline".into(),
                    "decline".into(),
                    false,
                    2,
                ),
            ],
            latency: vec![(today, 40, 9), (today, 300, 1), (today - 1, 60, 4)],
            scores: vec![
                (650, "approve".into(), 6),
                (400, "refer".into(), 2),
                (200, "decline".into(), 2),
            ],
            queue_hours: vec![(0, 1), (5, 2), (80, 1)],
        };
        let d = build(&counts, 7, now, 4, Lang::En);
        // The day 40 days back is outside the window's days but the totals are the counts'.
        assert_eq!(d.decisions, 109);
        assert_eq!(d.automatic_decisions, 8);
        assert_eq!(d.overrides, 1);
        assert_eq!(d.override_rate, Some(1.0 / 8.0));
        // In force: 5 + 1 (referred, approved) approved; 1 + 2 declined.
        assert_eq!(d.approval_rate, Some(6.0 / 9.0));
        assert_eq!(
            (d.queue_size, d.queue_over_target, d.oldest_hours),
            (4, 3, Some(80))
        );
        assert_eq!(d.latency_p50_ms, Some(40));
        assert_eq!(d.latency_p99_ms, Some(300));
        let ids: Vec<&str> = d.charts.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "outcomes_per_day",
                "rates_by_product",
                "queue_age",
                "latency",
                "scores"
            ]
        );
        assert!(d
            .charts
            .iter()
            .all(|c| c.svg.starts_with("<svg") && c.svg.contains(&c.title[..10])));
        assert_eq!(d.from.to_string(), "2026-11-14");
    }
}

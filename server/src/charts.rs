//! Charts drawn on the server with plotters, as SVG the pages embed: titled, with axes, units
//! and readable labels, in the interface language.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One step of a waterfall: a label and its signed contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub label: String,
    pub value: f64,
}

/// Texts of a waterfall chart.
pub struct WaterfallText<'a> {
    pub title: &'a str,
    pub y_axis: &'a str,
    pub start: &'a str,
    pub others: &'a str,
    pub total: &'a str,
}

const UP: RGBColor = RGBColor(23, 102, 58);
const DOWN: RGBColor = RGBColor(164, 38, 44);
const NEUTRAL: RGBColor = RGBColor(29, 63, 114);

/// How a score is built: the starting value, then each contribution (the `keep` largest by
/// size, the rest summed as one bar), then the total. Green bars raise it, red ones lower it.
pub fn waterfall(start: f64, steps: &[Step], keep: usize, text: &WaterfallText<'_>) -> String {
    let mut sorted: Vec<&Step> = steps.iter().collect();
    sorted.sort_by(|a, b| b.value.abs().total_cmp(&a.value.abs()));
    let mut bars: Vec<Step> = sorted.iter().take(keep).map(|s| (*s).clone()).collect();
    let rest: f64 = sorted.iter().skip(keep).map(|s| s.value).sum();
    if sorted.len() > keep {
        bars.push(Step {
            label: text.others.to_owned(),
            value: rest,
        });
    }
    // (label, from, to, colour) for every bar, the start and the total included.
    let mut drawn = vec![(text.start.to_owned(), 0.0, start, NEUTRAL)];
    let mut running = start;
    for b in &bars {
        let next = running + b.value;
        let colour = if b.value >= 0.0 { UP } else { DOWN };
        drawn.push((b.label.clone(), running, next, colour));
        running = next;
    }
    drawn.push((text.total.to_owned(), 0.0, running, NEUTRAL));

    let (lo, hi) = drawn
        .iter()
        .fold((0.0_f64, 0.0_f64), |(lo, hi), (_, a, b, _)| {
            (lo.min(*a).min(*b), hi.max(*a).max(*b))
        });
    let pad = ((hi - lo) * 0.08).max(1.0);
    let (width, height) = (760_u32, 420_u32);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        let drawing = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
            root.fill(&WHITE)?;
            let n = drawn.len();
            let labels: Vec<String> = drawn.iter().map(|d| d.0.clone()).collect();
            let mut chart = ChartBuilder::on(&root)
                .caption(text.title, ("sans-serif", 18))
                .margin(12)
                .x_label_area_size(110)
                .y_label_area_size(64)
                .build_cartesian_2d((0..n).into_segmented(), (lo - pad)..(hi + pad))?;
            let label_of = |v: &SegmentValue<usize>| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    labels.get(*i).cloned().unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            };
            chart
                .configure_mesh()
                .disable_x_mesh()
                .x_labels(n)
                .x_label_formatter(&label_of)
                .x_label_style(
                    TextStyle::from(
                        ("sans-serif", 12)
                            .into_font()
                            .transform(FontTransform::Rotate90),
                    )
                    .pos(Pos::new(HPos::Left, VPos::Center)),
                )
                .y_desc(text.y_axis)
                .y_label_formatter(&|v: &f64| format!("{v:.0}"))
                .draw()?;
            chart.draw_series(drawn.iter().enumerate().map(|(i, (_, from, to, colour))| {
                let (a, b) = if from <= to {
                    (*from, *to)
                } else {
                    (*to, *from)
                };
                let mut bar = Rectangle::new(
                    [(SegmentValue::Exact(i), b), (SegmentValue::Exact(i + 1), a)],
                    colour.filled(),
                );
                bar.set_margin(0, 0, 6, 6);
                bar
            }))?;
            chart.draw_series(drawn.iter().enumerate().map(|(i, (_, from, to, _))| {
                let delta = to - from;
                let shown = if i == 0 || i + 1 == n {
                    format!("{to:.0}")
                } else {
                    format!("{delta:+.0}")
                };
                Text::new(
                    shown,
                    (SegmentValue::CenterOf(i), from.max(*to) + pad * 0.25),
                    ("sans-serif", 12)
                        .into_font()
                        .color(&BLACK)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                )
            }))?;
            root.present()?;
            Ok(())
        })();
        if let Err(error) = drawing {
            tracing::warn!(%error, "a chart could not be drawn");
        }
    }
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text() -> WaterfallText<'static> {
        WaterfallText {
            title: "Score build-up",
            y_axis: "Score points",
            start: "Base",
            others: "Others",
            total: "Score",
        }
    }

    #[test]
    fn a_waterfall_has_its_title_axis_labels_and_one_bar_per_step() {
        let steps = vec![
            Step {
                label: "cf_negative_days_90".into(),
                value: -40.0,
            },
            Step {
                label: "x2_total_liabilities".into(),
                value: 25.0,
            },
            Step {
                label: "lg_company_age_days".into(),
                value: 12.0,
            },
            Step {
                label: "tiny".into(),
                value: 1.0,
            },
        ];
        let svg = waterfall(600.0, &steps, 3, &text());
        assert!(svg.starts_with("<svg"), "{svg}");
        for expected in [
            "Score build-up",
            "Score points",
            "Base",
            "cf_negative_days_90",
            "Others",
            "Score",
            "-40",
            "+25",
            "598",
        ] {
            assert!(svg.contains(expected), "{expected} missing");
        }
        // Start, three kept steps, the rest, the total: six bars in three colours.
        let bars = svg.matches("<rect").count();
        assert!(bars >= 6, "{bars} rectangles");
        assert!(
            svg.contains("#A4262C") || svg.contains("#a4262c"),
            "a falling bar"
        );
    }
}

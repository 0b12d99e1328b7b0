//! Charts drawn on the server with plotters, as SVG the pages embed: titled, with axes, units
//! and readable labels, in the interface language.

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
pub use plotters::style::RGBColor;

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

/// One line of a line chart: a name for the legend, a colour and a value per x position.
pub struct Line<'a> {
    pub name: &'a str,
    pub colour: RGBColor,
    /// `None` leaves a gap (no data that day).
    pub values: Vec<Option<f64>>,
}

/// Texts of a chart with a category or date axis.
pub struct AxisText<'a> {
    pub title: &'a str,
    pub x_axis: &'a str,
    pub y_axis: &'a str,
}

pub const BLUE: RGBColor = NEUTRAL;
pub const GREEN: RGBColor = UP;
pub const RED: RGBColor = DOWN;
pub const AMBER: RGBColor = RGBColor(176, 112, 0);
pub const GREY: RGBColor = RGBColor(110, 117, 128);

/// Size of the dashboard's and the case page's charts; they are drawn for about half a laptop
/// screen, so their text is sized to stay readable there.
const SIZE: (u32, u32) = (680, 400);
const FONT: &str = "sans-serif";
const CAPTION_PX: u32 = 20;
const LABEL_PX: u32 = 15;
/// At most this many category labels on an axis.
const MAX_X_LABELS: usize = 8;

/// A count for an axis: whole numbers only (the ticks between them stay unlabelled).
pub fn count_axis(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        String::new()
    }
}

/// Runs `draw` on a fresh SVG canvas; a drawing error is logged and leaves what was drawn.
fn svg(
    (width, height): (u32, u32),
    draw: impl FnOnce(
        &DrawingArea<SVGBackend<'_>, plotters::coord::Shift>,
    ) -> Result<(), Box<dyn std::error::Error>>,
) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, height)).into_drawing_area();
        let result = root
            .fill(&WHITE)
            .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)
            .and_then(|()| draw(&root))
            .and_then(|()| {
                root.present()
                    .map_err(|e| Box::new(e) as Box<dyn std::error::Error>)
            });
        if let Err(error) = result {
            tracing::warn!(%error, "a chart could not be drawn");
        }
    }
    out
}

/// The range a set of values needs, padded, and including zero when `with_zero`.
fn value_range(values: impl Iterator<Item = f64>, with_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() || !hi.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if with_zero {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    let pad = ((hi - lo) * 0.08).max(1.0);
    (
        lo - if lo < 0.0 || !with_zero { pad } else { 0.0 },
        hi + pad,
    )
}

/// Lines over labelled x positions (days, usually), with a legend when there is more than one
/// line and the zero line drawn when the values cross it. `y_format` writes the axis values.
pub fn lines(
    x_labels: &[String],
    lines: &[Line<'_>],
    text: &AxisText<'_>,
    y_format: &dyn Fn(f64) -> String,
) -> String {
    let n = x_labels.len().max(1);
    let (lo, hi) = value_range(
        lines
            .iter()
            .flat_map(|l| l.values.iter().flatten().copied()),
        true,
    );
    svg(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(text.title, (FONT, CAPTION_PX))
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(96)
            .build_cartesian_2d(0..n, lo..hi)?;
        let label_of = |i: &usize| x_labels.get(*i).cloned().unwrap_or_default();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(7.min(n))
            .x_label_formatter(&label_of)
            .x_desc(text.x_axis)
            .y_desc(text.y_axis)
            .y_label_formatter(&|v: &f64| y_format(*v))
            .label_style((FONT, LABEL_PX))
            .axis_desc_style((FONT, LABEL_PX))
            .draw()?;
        if lo < 0.0 {
            chart.draw_series(LineSeries::new([(0, 0.0), (n, 0.0)], BLACK.stroke_width(1)))?;
        }
        for line in lines {
            // Each run of consecutive known values is one path; gaps stay gaps.
            let mut runs: Vec<Vec<(usize, f64)>> = vec![Vec::new()];
            for (i, v) in line.values.iter().enumerate() {
                match v {
                    Some(v) => runs.last_mut().expect("one run").push((i, *v)),
                    None => runs.push(Vec::new()),
                }
            }
            let style = line.colour.stroke_width(2);
            let mut first = true;
            for run in runs.into_iter().filter(|r| !r.is_empty()) {
                // Points are marked when they are few enough to read one by one (and a day
                // alone, with no line to draw, stays visible).
                if n <= 31 || run.len() == 1 {
                    chart.draw_series(
                        run.iter()
                            .map(|(i, v)| Circle::new((*i, *v), 3, line.colour.filled())),
                    )?;
                }
                let series = chart.draw_series(LineSeries::new(run, style))?;
                if first && lines.len() > 1 {
                    let colour = line.colour;
                    series.label(line.name).legend(move |(x, y)| {
                        PathElement::new([(x, y), (x + 16, y)], colour.stroke_width(2))
                    });
                }
                first = false;
            }
        }
        if lines.len() > 1 {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK.mix(0.3))
                .label_font((FONT, LABEL_PX - 2))
                .position(SeriesLabelPosition::UpperLeft)
                .draw()?;
        }
        Ok(())
    })
}

/// One series of a bar chart: a legend name, a colour and a value per category.
pub struct Bars<'a> {
    pub name: &'a str,
    pub colour: RGBColor,
    pub values: Vec<f64>,
}

/// Bars per category, stacked (counts that add up) or side by side (rates to compare), with a
/// legend when there is more than one series. `y_format` writes the axis values; `y_max` fixes
/// the top of the axis (100 for percentages).
pub fn bars(
    categories: &[String],
    series: &[Bars<'_>],
    stacked: bool,
    y_max: Option<f64>,
    text: &AxisText<'_>,
    y_format: &dyn Fn(f64) -> String,
) -> String {
    let n = categories.len().max(1);
    let top = y_max.unwrap_or_else(|| {
        let highest = (0..n)
            .map(|i| {
                let at = series
                    .iter()
                    .map(|s| s.values.get(i).copied().unwrap_or(0.0));
                if stacked {
                    at.sum::<f64>()
                } else {
                    at.fold(0.0, f64::max)
                }
            })
            .fold(0.0, f64::max);
        (highest * 1.1).max(1.0)
    });
    // Every category is drawn; with many, one label in `every` is written, so none overlap.
    let every = n.div_ceil(MAX_X_LABELS);
    svg(SIZE, |root| {
        let mut chart = ChartBuilder::on(root)
            .caption(text.title, (FONT, CAPTION_PX))
            .margin(14)
            .x_label_area_size(56)
            .y_label_area_size(84)
            .build_cartesian_2d((0..n).into_segmented(), 0.0..top)?;
        let label_of = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) if i % every == 0 => {
                categories.get(*i).cloned().unwrap_or_default()
            }
            _ => String::new(),
        };
        let y_label = |v: &f64| y_format(*v);
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&label_of)
            .x_desc(text.x_axis)
            .y_desc(text.y_axis)
            .y_label_formatter(&y_label)
            .label_style((FONT, LABEL_PX))
            .axis_desc_style((FONT, LABEL_PX))
            .draw()?;
        let segment_px = chart.plotting_area().dim_in_pixel().0 as f64 / n as f64;
        let k = series.len().max(1);
        let gap = (segment_px * 0.15).clamp(1.0, 10.0);
        let width = ((segment_px - 2.0 * gap) / k as f64).max(1.0);
        let mut base = vec![0.0; n];
        for (j, s) in series.iter().enumerate() {
            let mut rects = Vec::with_capacity(n);
            for (i, v) in s.values.iter().enumerate().take(n) {
                let (from, to) = if stacked {
                    let from = base[i];
                    base[i] += v;
                    (from, base[i])
                } else {
                    (0.0, *v)
                };
                let mut bar = Rectangle::new(
                    [
                        (SegmentValue::Exact(i), to),
                        (SegmentValue::Exact(i + 1), from),
                    ],
                    s.colour.filled(),
                );
                if stacked {
                    bar.set_margin(0, 0, gap as u32, gap as u32);
                } else {
                    let left = gap + j as f64 * width;
                    let right = gap + (k - 1 - j) as f64 * width;
                    bar.set_margin(0, 0, left as u32, right as u32);
                }
                rects.push(bar);
            }
            let drawn = chart.draw_series(rects)?;
            if series.len() > 1 {
                let colour = s.colour;
                drawn.label(s.name).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 12, y + 5)], colour.filled())
                });
            }
        }
        if series.len() > 1 {
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.9))
                .border_style(BLACK.mix(0.3))
                .label_font((FONT, LABEL_PX - 2))
                .position(SeriesLabelPosition::UpperRight)
                .draw()?;
        }
        Ok(())
    })
}

/// Euros for an axis: `-12 k€`, `350 €`, `1.2 M€`.
pub fn euros_axis(cents: f64) -> String {
    let eur = cents / 100.0;
    let abs = eur.abs();
    if abs >= 1_000_000.0 {
        format!("{:.1} M€", eur / 1_000_000.0)
    } else if abs >= 10_000.0 {
        format!("{:.0} k€", eur / 1_000.0)
    } else if abs >= 1_000.0 {
        format!("{:.1} k€", eur / 1_000.0)
    } else {
        format!("{eur:.0} €")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_chart_has_its_title_axes_zero_line_and_gaps() {
        let labels: Vec<String> = (1..=5).map(|d| format!("0{d}/11")).collect();
        let svg = lines(
            &labels,
            &[Line {
                name: "balance",
                colour: BLUE,
                values: vec![
                    Some(150_000.0),
                    Some(-20_000.0),
                    None,
                    Some(90_000.0),
                    Some(120_000.0),
                ],
            }],
            &AxisText {
                title: "End-of-day balance",
                x_axis: "Day",
                y_axis: "Balance",
            },
            &euros_axis,
        );
        assert!(svg.starts_with("<svg"), "{svg}");
        for expected in ["End-of-day balance", "Day", "Balance", "01/11", "k€"] {
            assert!(svg.contains(expected), "{expected} missing");
        }
        // The gap splits the balance in two runs.
        let blue = svg
            .lines()
            .filter(|l| l.starts_with("<polyline") && l.to_uppercase().contains("#1D3F72"))
            .count();
        assert_eq!(blue, 2, "{svg}");
    }

    #[test]
    fn stacked_bars_add_up_and_grouped_bars_sit_side_by_side() {
        let days: Vec<String> = ["01/11", "02/11", "03/11"].map(String::from).to_vec();
        let text = AxisText {
            title: "Decisions per day",
            x_axis: "Day",
            y_axis: "Decisions",
        };
        let series = [
            Bars {
                name: "approve",
                colour: GREEN,
                values: vec![5.0, 0.0, 3.0],
            },
            Bars {
                name: "decline",
                colour: RED,
                values: vec![1.0, 2.0, 0.0],
            },
        ];
        let svg = bars(&days, &series, true, None, &text, &|v| format!("{v:.0}"));
        for expected in [
            "Decisions per day",
            "Day",
            "Decisions",
            "02/11",
            "approve",
            "decline",
        ] {
            assert!(svg.contains(expected), "{expected} missing");
        }
        let filled = |svg: &str, colour: &str| {
            svg.lines()
                .filter(|l| l.starts_with("<rect") && l.to_uppercase().contains(colour))
                .count()
        };
        // One rectangle per value, and one in the legend.
        assert_eq!(filled(&svg, "#17663A"), 4, "{svg}");
        let rates = bars(&days, &series, false, Some(100.0), &text, &|v| {
            format!("{v:.0} %")
        });
        assert!(rates.contains("100 %"), "the axis reaches the fixed top");
        assert_eq!(filled(&rates, "#A4262C"), 4);
    }

    #[test]
    fn axis_euros_are_short() {
        assert_eq!(euros_axis(-1_234_500.0), "-12 k€");
        assert_eq!(euros_axis(35_000.0), "350 €");
        assert_eq!(euros_axis(250_000_000.0), "2.5 M€");
        assert_eq!(euros_axis(150_000.0), "1.5 k€");
    }

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

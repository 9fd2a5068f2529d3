//! The TCO chart as SVG: monthly cloud TCO (bars), IDC TCO (line), the limit line
//! (limit × IDC TCO, dashed) and the what-if projection (dotted).
//!
//! Hand-written rather than drawn with `plotters`: its text layout needs a font backend
//! (and so fontconfig/freetype or a bundled font) even for SVG, while an SVG viewer lays
//! out `<text>` itself. Numbers are printed with fixed decimals, so the bytes are
//! deterministic.

use std::fmt::Write;

use crate::report::TcoReport;

const W: f64 = 860.0;
const H: f64 = 420.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 50.0;
const BOTTOM: f64 = 70.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&apos;")
}

/// 1, 2 or 5 × 10^k, so that about five ticks cover `max`.
fn tick_step(max: f64) -> f64 {
    let raw = (max / 5.0).max(f64::MIN_POSITIVE);
    let mag = 10f64.powf(raw.log10().floor());
    let n = raw / mag;
    let f = if n <= 1.0 {
        1.0
    } else if n <= 2.0 {
        2.0
    } else if n <= 5.0 {
        5.0
    } else {
        10.0
    };
    f * mag
}

fn short(x: f64) -> String {
    if x >= 1e6 {
        format!("{:.1}M", x / 1e6)
    } else if x >= 1e3 {
        format!("{:.0}k", x / 1e3)
    } else {
        format!("{x:.0}")
    }
}

/// The chart of `r`'s months as an SVG document.
pub fn svg(r: &TcoReport) -> String {
    let months = &r.months;
    let n = months.len().max(1) as f64;
    let max = months
        .iter()
        .flat_map(|m| [m.idc, m.cloud, m.projected.cloud])
        .fold(0.0f64, f64::max)
        .max(1.0);
    let step = tick_step(max * 1.05);
    let top_value = (max * 1.05 / step).ceil() * step;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let x_mid = |i: usize| LEFT + plot_w * (i as f64 + 0.5) / n;
    let y = |v: f64| TOP + plot_h * (1.0 - v / top_value);
    let band = plot_w / n;

    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W:.0}" height="{H:.0}" viewBox="0 0 {W:.0} {H:.0}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(
        s,
        r#"<title>Monthly TCO: cloud vs IDC, limit {:.0} % of IDC</title>"#,
        r.limit * 100.0
    );
    let _ = writeln!(
        s,
        r##"<rect x="0" y="0" width="{W:.0}" height="{H:.0}" fill="#ffffff"/>"##
    );
    let _ = writeln!(
        s,
        r#"<text x="{LEFT:.0}" y="24" font-size="15" font-weight="bold">TCO per month ({}): cloud must stay at or under {:.0} % of the IDC</text>"#,
        esc(&r.currency),
        r.limit * 100.0
    );
    // Grid and y axis.
    let mut v = 0.0;
    while v <= top_value + step / 2.0 {
        let yy = y(v);
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT:.1}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#dddddd"/>"##,
            W - RIGHT
        );
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT - 6.0,
            yy + 4.0,
            short(v)
        );
        v += step;
    }
    // Cloud TCO bars.
    let _ = writeln!(s, r#"<g id="cloud-bars">"#);
    for (i, m) in months.iter().enumerate() {
        let bw = band * 0.6;
        let fill = if m.pass { "#4c78a8" } else { "#e45756" };
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{bw:.1}" height="{:.1}" fill="{fill}"><title>{} cloud {:.2} ({:.2} %)</title></rect>"#,
            x_mid(i) - bw / 2.0,
            y(m.cloud),
            (y(0.0) - y(m.cloud)).max(0.0),
            esc(&m.month),
            m.cloud,
            m.ratio * 100.0
        );
    }
    let _ = writeln!(s, "</g>");
    let polyline = |id: &str, stroke: &str, dash: &str, value: &dyn Fn(usize) -> f64| {
        let points: Vec<String> = (0..months.len())
            .map(|i| format!("{:.1},{:.1}", x_mid(i), y(value(i))))
            .collect();
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(r#" stroke-dasharray="{dash}""#)
        };
        format!(
            r#"<polyline id="{id}" points="{}" fill="none" stroke="{stroke}" stroke-width="2"{dash}/>"#,
            points.join(" ")
        )
    };
    let _ = writeln!(
        s,
        "{}",
        polyline("idc-line", "#222222", "", &|i| months[i].idc)
    );
    let _ = writeln!(
        s,
        "{}",
        polyline("limit-line", "#e45756", "8 4", &|i| months[i].idc * r.limit)
    );
    let _ = writeln!(
        s,
        "{}",
        polyline("projected-line", "#54a24b", "2 3", &|i| months[i]
            .projected
            .cloud)
    );
    // X axis and month labels.
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#222222"/>"##,
        y(0.0),
        W - RIGHT,
        y(0.0)
    );
    for (i, m) in months.iter().enumerate() {
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            x_mid(i),
            y(0.0) + 16.0,
            esc(&m.month)
        );
    }
    // Legend.
    let ly = H - 22.0;
    let items: [(&str, &str, &str); 4] = [
        ("rect", "#4c78a8", "cloud TCO (red: over the limit)"),
        ("line", "#222222", "IDC TCO"),
        ("dash", "#e45756", "limit × IDC TCO"),
        ("dot", "#54a24b", "what-if projection"),
    ];
    let mut lx = LEFT;
    for (kind, color, label) in items {
        match kind {
            "rect" => {
                let _ = writeln!(
                    s,
                    r#"<rect x="{lx:.1}" y="{:.1}" width="14" height="10" fill="{color}"/>"#,
                    ly - 9.0
                );
            }
            _ => {
                let dash = match kind {
                    "dash" => r#" stroke-dasharray="8 4""#,
                    "dot" => r#" stroke-dasharray="2 3""#,
                    _ => "",
                };
                let _ = writeln!(
                    s,
                    r#"<line x1="{lx:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{color}" stroke-width="2"{dash}/>"#,
                    ly - 4.0,
                    lx + 14.0,
                    ly - 4.0
                );
            }
        }
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{ly:.1}">{}</text>"#,
            lx + 20.0,
            esc(label)
        );
        lx += 30.0 + label.len() as f64 * 6.5;
    }
    s.push_str("</svg>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round() {
        assert_eq!(tick_step(1000.0), 200.0);
        assert_eq!(tick_step(2_500_000.0), 500_000.0);
        assert_eq!(tick_step(60.0), 20.0);
    }
}

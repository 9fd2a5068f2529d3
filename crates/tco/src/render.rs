//! Renderers of a [`TcoReport`]: Markdown (also readable as plain text), CSV of the months.
//! Cost-center names come from tags, which anyone who can tag a resource controls: CSV
//! cells are guarded against formula injection and Markdown cells against breaking the
//! table.

use std::fmt::Write;

use crate::report::{CostCenter, TcoReport};

/// A CSV cell: quoted when needed, and prefixed with `'` when a spreadsheet would read it
/// as a formula (`=`, `+`, `-`, `@`, tab, CR); the findings CSV's own rule.
pub fn csv_cell(s: &str) -> String {
    audit_text::csv_field(s).into_owned()
}

/// A Markdown table cell, escaped as the findings report escapes its cells (`|`, markup,
/// HTML, line breaks and invisible characters).
pub fn md_cell(s: &str) -> String {
    audit_text::markdown_cell(s)
}

fn pct(x: f64) -> String {
    format!("{:.2} %", x * 100.0)
}

/// Money with thousands separators and 2 decimals: `1,234,567.89`.
pub fn amount(x: f64) -> String {
    let s = format!("{:.2}", x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if x < 0.0 && s.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{frac}")
}

fn verdict(pass: bool) -> &'static str {
    if pass { "pass" } else { "FAIL" }
}

fn cost_centers(out: &mut String, ccs: &[CostCenter], currency: &str) {
    let _ = writeln!(out, "| cost-center | {currency} | share of bill |");
    let _ = writeln!(out, "| --- | ---: | ---: |");
    for cc in ccs {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            md_cell(&cc.name),
            amount(cc.cost),
            pct(cc.share)
        );
    }
}

/// The summary as Markdown: verdict, months, IDC by category, cloud by category, top
/// cost-centers and the what-if projection.
pub fn markdown(r: &TcoReport) -> String {
    let g = &r.gated;
    let c = md_cell(&r.currency);
    let mut out = String::new();
    let _ = writeln!(out, "## TCO: cloud ÷ IDC\n");
    let _ = writeln!(
        out,
        "**{}**: period `{}` ({}..{}), cloud {} {c} ÷ IDC {} {c} = **{}** (limit {}), cost column `{}`.\n",
        verdict(g.pass),
        md_cell(&r.period),
        g.from,
        g.to,
        amount(g.cloud),
        amount(g.idc),
        pct(g.ratio),
        pct(r.limit),
        r.cost_column,
    );
    let _ = writeln!(out, "Gated: {}.\n", md_cell(&g.basis));
    let _ = writeln!(
        out,
        "| month | IDC {c} | cloud {c} | bill {c} | ratio | verdict | projected ratio |"
    );
    let _ = writeln!(out, "| --- | ---: | ---: | ---: | ---: | --- | ---: |");
    for m in &r.months {
        let _ = writeln!(
            out,
            "| {}{} | {} | {} | {} | {} | {} | {} |",
            m.month,
            if m.complete {
                ""
            } else {
                " (not ended, not gated)"
            },
            amount(m.idc),
            amount(m.cloud),
            amount(m.cloud_bill),
            pct(m.ratio),
            verdict(m.pass),
            pct(m.projected.ratio)
        );
    }
    let _ = writeln!(out, "\n### IDC per month by category\n");
    let _ = writeln!(out, "| category | {c} |");
    let _ = writeln!(out, "| --- | ---: |");
    for (k, v) in &r.idc.by_category {
        let _ = writeln!(out, "| {} | {} |", md_cell(k), amount(*v));
    }
    let _ = writeln!(out, "| **total** | **{}** |", amount(r.idc.monthly));
    let _ = writeln!(
        out,
        "\n### Cloud bill of the gated period by service category\n"
    );
    let _ = writeln!(out, "| service category | {c} |");
    let _ = writeln!(out, "| --- | ---: |");
    for (k, v) in &g.by_category {
        let _ = writeln!(out, "| {} | {} |", md_cell(k), amount(*v));
    }
    for (k, v) in &r.cloud_extras {
        let _ = writeln!(
            out,
            "| off the bill: {} | {} |",
            md_cell(k),
            amount(*v * f64::from(g.months))
        );
    }
    let _ = writeln!(
        out,
        "\n### Top cost-centers of the gated period\n\nUntagged spend: {} of the bill (tag `{}`).\n",
        pct(g.untagged_share),
        md_cell(&r.tag_key)
    );
    cost_centers(&mut out, &g.top_cost_centers, &c);
    let p = &g.projected;
    let _ = writeln!(out, "\n### What-if\n");
    let _ = writeln!(out, "| | {c} |");
    let _ = writeln!(out, "| --- | ---: |");
    let _ = writeln!(out, "| actual cloud TCO | {} |", amount(g.cloud));
    let _ = writeln!(
        out,
        "| commitment on {} of steady compute at {} off | -{} |",
        pct(r.what_if.commitment_share.0),
        pct(r.what_if.commitment_discount.0),
        amount(p.commitment_saving)
    );
    let _ = writeln!(
        out,
        "| spot for {} of training compute at {} off | -{} |",
        pct(r.what_if.spot_share.0),
        pct(r.what_if.spot_discount.0),
        amount(p.spot_saving)
    );
    let _ = writeln!(
        out,
        "| cold tier for {} of storage at {} of the price | -{} |",
        pct(r.what_if.cold_share.0),
        pct(r.what_if.cold_price_ratio.0),
        amount(p.tiering_saving)
    );
    let _ = writeln!(
        out,
        "| **projected cloud TCO** | **{}** |\n\nProjected ratio {} ({}) beside the actual {} ({}).",
        amount(p.cloud),
        pct(p.ratio),
        verdict(p.pass),
        pct(g.ratio),
        verdict(g.pass)
    );
    out
}

/// The months as CSV, one row per month, with the top cost-center of each.
pub fn months_csv(r: &TcoReport) -> String {
    let mut out = String::from(
        "month,currency,idc,cloud,cloud_bill,cloud_extras,ratio,pass,limit,untagged_share,top_cost_center,top_cost_center_cost,projected_cloud,projected_ratio,complete\n",
    );
    for m in &r.months {
        let (name, cost) = m
            .top_cost_centers
            .first()
            .map_or((String::new(), String::new()), |cc| {
                (cc.name.clone(), format!("{:.2}", cc.cost))
            });
        let _ = writeln!(
            out,
            "{},{},{:.2},{:.2},{:.2},{:.2},{:.4},{},{},{:.4},{},{},{:.2},{:.4},{}",
            csv_cell(&m.month),
            csv_cell(&r.currency),
            m.idc,
            m.cloud,
            m.cloud_bill,
            m.cloud_extras,
            m.ratio,
            m.pass,
            r.limit,
            m.untagged_share,
            csv_cell(&name),
            cost,
            m.projected.cloud,
            m.projected.ratio,
            m.complete
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_be_formulas() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("\tx"), "'\tx");
        assert_eq!(csv_cell("\rx"), "\"'\rx\"");
        assert_eq!(csv_cell("cv-train"), "cv-train");
    }

    #[test]
    fn markdown_cells_cannot_break_tables() {
        assert_eq!(md_cell("a|b\nc"), "a\\|b\\u{a}c");
        assert_eq!(md_cell("<script>"), "&lt;script&gt;");
    }

    #[test]
    fn amounts_are_grouped() {
        assert_eq!(amount(0.0), "0.00");
        assert_eq!(amount(960570.0), "960,570.00");
        assert_eq!(amount(1234567.891), "1,234,567.89");
        assert_eq!(amount(-1000.5), "-1,000.50");
        assert_eq!(amount(-0.001), "0.00");
    }
}

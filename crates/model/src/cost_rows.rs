//! Monthly cost rows as the collectors read them from a provider's bill (AWS Cost
//! Explorer, Baidu's billing API), and the FOCUS-shaped CSV they are written as, so that
//! `audit tco --costs` reads them like any FOCUS export. One writer for every provider.

/// The columns written, in order: a subset of FOCUS 1.x.
pub const COLUMNS: &[&str] = &[
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "ServiceName",
    "ServiceCategory",
    "Tags",
];

#[derive(Debug, Clone, PartialEq)]
pub struct CostRow {
    /// The month's first day, `YYYY-MM-DD`.
    pub start: String,
    /// The next month's first day.
    pub end: String,
    /// What the bill says for the month.
    pub billed: String,
    /// Commitments spread over the months they cover.
    pub effective: String,
    pub currency: String,
    pub service: String,
    /// `None`: spend that carries no value of the tag.
    pub tag_value: Option<String>,
}

/// The rows as CSV (RFC 4180), with [`COLUMNS`]; dates as FOCUS date-times; `category`
/// names each service's FOCUS `ServiceCategory`.
pub fn focus_csv(
    rows: &[CostRow],
    tag_key: &str,
    category: impl Fn(&str) -> &'static str,
) -> String {
    let mut out = COLUMNS.join(",");
    out.push('\n');
    for r in rows {
        let tags = match &r.tag_value {
            Some(v) => serde_json::json!({ tag_key: v }).to_string(),
            None => "{}".to_string(),
        };
        let fields = [
            format!("{}T00:00:00Z", r.start),
            format!("{}T00:00:00Z", r.end),
            r.billed.clone(),
            r.effective.clone(),
            r.currency.clone(),
            r.service.clone(),
            category(&r.service).to_string(),
            tags,
        ];
        let line: Vec<String> = fields
            .iter()
            .map(|f| audit_text::csv_quote(f).into_owned())
            .collect();
        out.push_str(&line.join(","));
        out.push('\n');
    }
    out
}

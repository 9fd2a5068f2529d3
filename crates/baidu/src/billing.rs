//! `collect --provider baidu --costs FILE`: the monthly resource bills of Baidu's billing
//! API, summed per month, service and cost-center tag into the FOCUS-named rows that
//! `audit tco --costs` reads (the same writer as the AWS Cost Explorer export).
//!
//! `GET /v1/bill/resource/month?month=YYYY-MM&productType=prepay|postpay&pageNo&pageSize`
//! on `billing.baidubce.com` (go services/billing/billing.go ResourceMonthBill; shape
//! go services/billing/model.go ResourceMonthBillResponse / ResourceMonthBill). Each
//! month is read for both product types (the parameter is required), page by page.

use std::collections::BTreeMap;

use audit_model::cost_rows::CostRow;
use serde_json::Value;

use crate::client::CallError;
use crate::collect::ClientSession;

/// The billing API's one host, whatever the region.
pub const BILLING_HOST: &str = "billing.baidubce.com";
const PATH: &str = "/v1/bill/resource/month";
/// The API's largest page (go billing.go: `pageSize` at most 100).
const PAGE_SIZE: u32 = 100;
/// GUESS: the bills carry no currency field (bce-api.md §13: NF); a mainland-China Baidu
/// account is billed in yuan.
pub const CURRENCY: &str = "CNY";

#[derive(Debug, thiserror::Error)]
#[error("billing: {operation} for {month} ({product}): {code}: {message}")]
pub struct BillingError {
    pub operation: &'static str,
    pub month: String,
    pub product: &'static str,
    pub code: String,
    pub message: String,
}

/// Sums in millionths of a yuan, so that the same bills give the same bytes.
type Micros = i128;

fn micros(v: &Value) -> Option<Micros> {
    let x = v.as_f64()?;
    x.is_finite().then(|| (x * 1e6).round() as Micros)
}

fn decimal(m: Micros) -> String {
    let sign = if m < 0 { "-" } else { "" };
    let m = m.abs();
    let (whole, frac) = (m / 1_000_000, m % 1_000_000);
    if frac == 0 {
        return format!("{sign}{whole}");
    }
    let frac = format!("{frac:06}");
    format!("{sign}{whole}.{}", frac.trim_end_matches('0'))
}

/// `key:value` pairs of a bill's `tag` string, separated by `,` or `;` (GUESS: the
/// string's format is NF; `=` is read as `:` too).
pub fn tag_value(tag: &str, key: &str) -> Option<String> {
    tag.split([',', ';']).find_map(|pair| {
        let (k, v) = pair.split_once([':', '='])?;
        (k.trim() == key && !v.trim().is_empty()).then(|| v.trim().to_string())
    })
}

/// FOCUS `ServiceCategory` of a Baidu `serviceType` code.
pub fn service_category(service: &str) -> &'static str {
    match service.to_ascii_uppercase().as_str() {
        "BCC" | "BBC" | "CCE" | "BCI" | "CFC" | "BAE" | "GPU" | "HPAS" => "Compute",
        "CDS" | "BOS" | "CFS" | "SNAPSHOT" | "BOSARCHIVE" => "Storage",
        "RDS" | "SCS" | "MONGODB" | "GAIADB" | "DTS" | "PALO" | "TSDB" => "Databases",
        "BLB" | "APPBLB" | "EIP" | "VPC" | "NAT" | "VPN" | "ET" | "CSN" | "CDN" | "DNS"
        | "PEERCONN" => "Networking",
        "BLS" | "BCM" | "BCT" => "Management and Governance",
        "KMS" | "WAF" | "BSS" | "CAS" | "DDOS" => "Security",
        "BML" | "BCE_BML" | "QIANFAN" | "AIHC" | "CFE" => "AI and Machine Learning",
        _ => "Other",
    }
}

/// The months from `start` (`YYYY-MM-01`) up to, not including, `end`.
pub fn months(start: &str, end: &str) -> Result<Vec<(String, String)>, String> {
    let parse =
        |s: &str| jiff::civil::Date::strptime("%Y-%m-%d", s).map_err(|e| format!("`{s}`: {e}"));
    let (mut m, end) = (parse(start)?, parse(end)?);
    let mut out = Vec::new();
    while m < end {
        let next = m
            .checked_add(jiff::Span::new().months(1))
            .map_err(|e| e.to_string())?;
        out.push((m.to_string(), next.to_string()));
        m = next;
    }
    Ok(out)
}

/// Every bill of the months from `start` to `end`, summed per month, service and value
/// of `tag_key`. `financePrice` (what is due after discounts) is the billed cost, and the
/// effective cost too: the API spreads no prepaid commitment over months (GUESS: a
/// prepaid bill is charged in the month it is bought).
pub async fn monthly_bills(
    session: &ClientSession,
    start: &str,
    end: &str,
    tag_key: &str,
) -> Result<Vec<CostRow>, BillingError> {
    let client = session.client();
    let mut sums: BTreeMap<(String, String, String, Option<String>), Micros> = BTreeMap::new();
    let periods = months(start, end).map_err(|message| BillingError {
        operation: "ResourceMonthBill",
        month: start.to_string(),
        product: "-",
        code: "InvalidPeriod".into(),
        message,
    })?;
    for (month_start, month_end) in &periods {
        let month = month_start[..7].to_string();
        for product in ["prepay", "postpay"] {
            let fail = |e: CallError| BillingError {
                operation: "ResourceMonthBill",
                month: month.clone(),
                product,
                code: e.code,
                message: e.message,
            };
            let mut page_no = 1u32;
            let mut seen = 0u64;
            loop {
                let q = [
                    ("month", month.clone()),
                    ("productType", product.to_string()),
                    ("pageNo", page_no.to_string()),
                    ("pageSize", PAGE_SIZE.to_string()),
                ];
                let page = client.get(BILLING_HOST, PATH, &q).await.map_err(fail)?;
                let bills = page.get("bills").and_then(Value::as_array).ok_or_else(|| {
                    fail(CallError {
                        code: "InvalidResponse".into(),
                        message: format!("{BILLING_HOST}{PATH}: no `bills` list"),
                    })
                })?;
                for b in bills {
                    let service = b
                        .get("serviceType")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    let amount = b.get("financePrice").and_then(micros).ok_or_else(|| {
                        fail(CallError {
                            code: "InvalidResponse".into(),
                            message: format!(
                                "{BILLING_HOST}{PATH}: a {} bill without a finite `financePrice`",
                                audit_text::quote(&service)
                            ),
                        })
                    })?;
                    let tag = b
                        .get("tag")
                        .and_then(Value::as_str)
                        .and_then(|t| tag_value(t, tag_key));
                    *sums
                        .entry((month_start.clone(), month_end.clone(), service, tag))
                        .or_default() += amount;
                }
                seen += bills.len() as u64;
                let total = page.get("totalCount").and_then(Value::as_u64).unwrap_or(0);
                if bills.is_empty() || seen >= total {
                    break;
                }
                page_no += 1;
            }
        }
    }
    Ok(sums
        .into_iter()
        .map(|((start, end, service, tag_value), m)| CostRow {
            start,
            end,
            billed: decimal(m),
            effective: decimal(m),
            currency: CURRENCY.into(),
            service,
            tag_value,
        })
        .collect())
}

/// The rows as FOCUS-named CSV, with Baidu's service categories.
pub fn focus_csv(rows: &[CostRow], tag_key: &str) -> String {
    audit_model::cost_rows::focus_csv(rows, tag_key, service_category)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_print_exactly_and_tags_are_read() {
        assert_eq!(decimal(1_000_500_000), "1000.5");
        assert_eq!(decimal(-2_500_000), "-2.5");
        assert_eq!(decimal(7), "0.000007");
        assert_eq!(micros(&serde_json::json!(0.1)), Some(100_000));
        assert_eq!(
            tag_value("owner:ml, cost-center:cc-4120", "cost-center").as_deref(),
            Some("cc-4120")
        );
        assert_eq!(
            tag_value("cost-center=cc-1;env:prod", "cost-center").as_deref(),
            Some("cc-1")
        );
        assert_eq!(tag_value("cost-center:", "cost-center"), None);
        assert_eq!(tag_value("", "cost-center"), None);
        assert_eq!(service_category("BCC"), "Compute");
        assert_eq!(service_category("bos"), "Storage");
        assert_eq!(service_category("NEWTHING"), "Other");
        assert_eq!(
            months("2026-09-01", "2026-11-01").unwrap(),
            [
                ("2026-09-01".to_string(), "2026-10-01".to_string()),
                ("2026-10-01".to_string(), "2026-11-01".to_string())
            ]
        );
    }
}

//! Cost Explorer: monthly cost by service and by the cost-center tag, written as a
//! FOCUS-shaped CSV so that `audit tco` reads it like any FOCUS export.

use aws_sdk_costexplorer::Client;
use aws_sdk_costexplorer::types::{
    DateInterval, Granularity, GroupDefinition, GroupDefinitionType,
};

use crate::{CollectError, Connection, gap};

pub use audit_model::cost_rows::{COLUMNS, CostRow};

/// Cost Explorer lives in one region per partition.
fn ce_region(partition: audit_model::Partition) -> &'static str {
    match partition {
        audit_model::Partition::AwsCn => "cn-northwest-1",
        _ => "us-east-1",
    }
}

/// Monthly cost from `start` (inclusive) to `end` (exclusive), both `YYYY-MM-DD`, grouped
/// by service and by the value of `tag_key`.
pub async fn cost_and_usage(
    conn: &Connection,
    start: &str,
    end: &str,
    tag_key: &str,
) -> Result<Vec<CostRow>, CollectError> {
    let client = Client::new(&conn.ctx.config(ce_region(conn.ctx.partition)));
    let period = DateInterval::builder()
        .start(start)
        .end(end)
        .build()
        .map_err(|e| CollectError::Usage(format!("cost period: {e}")))?;
    let mut rows = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let out = client
            .get_cost_and_usage()
            .time_period(period.clone())
            .granularity(Granularity::Monthly)
            .metrics("UnblendedCost")
            .metrics("AmortizedCost")
            .group_by(
                GroupDefinition::builder()
                    .r#type(GroupDefinitionType::Dimension)
                    .key("SERVICE")
                    .build(),
            )
            .group_by(
                GroupDefinition::builder()
                    .r#type(GroupDefinitionType::Tag)
                    .key(tag_key)
                    .build(),
            )
            .set_next_page_token(token.take())
            .send()
            .await
            .map_err(|e| {
                let (code, message) = gap::describe(&e);
                CollectError::Identity(format!("GetCostAndUsage failed: {code}: {message}"))
            })?;
        for result in out.results_by_time() {
            let Some(period) = result.time_period() else {
                continue;
            };
            for group in result.groups() {
                let keys = group.keys();
                let service = keys.first().cloned().unwrap_or_default();
                // Tag group keys read `key$value`; an empty value is untagged spend.
                let tag_value = keys
                    .get(1)
                    .and_then(|k| k.split_once('$'))
                    .map(|(_, v)| v.to_string())
                    .filter(|v| !v.is_empty());
                let metric = |name: &str| {
                    group.metrics().and_then(|m| m.get(name)).map(|v| {
                        (
                            v.amount().unwrap_or("0").to_string(),
                            v.unit().unwrap_or("").to_string(),
                        )
                    })
                };
                let (billed, unit) = metric("UnblendedCost").unwrap_or_default();
                let (effective, unit2) =
                    metric("AmortizedCost").unwrap_or_else(|| (billed.clone(), unit.clone()));
                if !unit.is_empty() && !unit2.is_empty() && unit != unit2 {
                    return Err(CollectError::Identity(format!(
                        "Cost Explorer answered in two currencies ({unit}, {unit2}) for `{service}`"
                    )));
                }
                rows.push(CostRow {
                    start: period.start().to_string(),
                    end: period.end().to_string(),
                    billed,
                    effective,
                    currency: unit,
                    service,
                    tag_value,
                });
            }
        }
        match out.next_page_token() {
            Some(t) if !t.is_empty() => token = Some(t.to_string()),
            _ => break,
        }
    }
    rows.sort_by(|a, b| {
        (&a.start, &a.service, &a.tag_value).cmp(&(&b.start, &b.service, &b.tag_value))
    });
    Ok(rows)
}

/// FOCUS ServiceCategory of an AWS service name, as far as this table knows; `Other`
/// beyond it.
pub fn service_category(service: &str) -> &'static str {
    let s = service.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| s.contains(w));
    if has(&[
        "sagemaker",
        "bedrock",
        "rekognition",
        "comprehend",
        "textract",
    ]) {
        "AI and Machine Learning"
    } else if has(&[
        "elastic compute cloud",
        "ec2",
        "lambda",
        "batch",
        "lightsail",
        "fargate",
        "kubernetes",
        "container",
        "ecs",
        "eks",
    ]) {
        "Compute"
    } else if has(&[
        "simple storage service",
        "s3",
        "efs",
        "elastic file",
        "fsx",
        "backup",
        "glacier",
    ]) {
        "Storage"
    } else if has(&[
        "rds",
        "relational database",
        "dynamodb",
        "elasticache",
        "redshift",
        "documentdb",
        "neptune",
        "opensearch",
    ]) {
        "Databases"
    } else if has(&[
        "cloudfront",
        "direct connect",
        "vpc",
        "route 53",
        "elastic load balancing",
        "transfer",
        "global accelerator",
        "vpn",
    ]) {
        "Networking"
    } else if has(&[
        "key management",
        "kms",
        "waf",
        "guardduty",
        "security hub",
        "shield",
        "secrets manager",
        "certificate",
        "inspector",
    ]) {
        "Security"
    } else if has(&[
        "cloudwatch",
        "cloudtrail",
        "config",
        "systems manager",
        "support",
    ]) {
        "Management and Governance"
    } else {
        "Other"
    }
}

/// The rows as CSV (RFC 4180), with [`COLUMNS`]; dates as FOCUS date-times.
pub fn focus_csv(rows: &[CostRow], tag_key: &str) -> String {
    audit_model::cost_rows::focus_csv(rows, tag_key, service_category)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_what_needs_quoting() {
        let rows = vec![CostRow {
            start: "2026-10-01".into(),
            end: "2026-11-01".into(),
            billed: "12.5".into(),
            effective: "10".into(),
            currency: "CNY".into(),
            service: "Amazon Elastic Compute Cloud - Compute".into(),
            tag_value: Some("cc, \"retail\"".into()),
        }];
        let csv = focus_csv(&rows, "cost-center");
        let line = csv.lines().nth(1).unwrap();
        assert_eq!(
            line,
            r#"2026-10-01T00:00:00Z,2026-11-01T00:00:00Z,12.5,10,CNY,Amazon Elastic Compute Cloud - Compute,Compute,"{""cost-center"":""cc, \""retail\""""}""#
        );
        assert_eq!(service_category("Amazon Simple Storage Service"), "Storage");
        assert_eq!(
            service_category("Amazon SageMaker"),
            "AI and Machine Learning"
        );
        assert_eq!(service_category("Tax"), "Other");
    }
}

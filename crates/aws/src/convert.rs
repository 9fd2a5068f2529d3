//! Small conversions from SDK shapes to snapshot values.

use std::collections::BTreeMap;

use jiff::Timestamp;

pub fn timestamp(t: &aws_smithy_types::DateTime) -> Timestamp {
    Timestamp::new(t.secs(), t.subsec_nanos() as i32).unwrap_or(Timestamp::UNIX_EPOCH)
}

pub fn tags<'a>(
    pairs: impl IntoIterator<Item = (Option<&'a str>, Option<&'a str>)>,
) -> BTreeMap<String, String> {
    pairs
        .into_iter()
        .filter_map(|(k, v)| Some((k?.to_string(), v.unwrap_or_default().to_string())))
        .collect()
}

/// The items sorted, each once: how lists of ids and names are written to a snapshot,
/// so that the same account gives the same bytes whatever order the API answered in.
pub fn sorted_unique(items: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut v: Vec<String> = items.into_iter().collect();
    v.sort();
    v.dedup();
    v
}

/// IAM hands policy documents back URL-encoded (RFC 3986).
pub fn policy_document(raw: &str) -> Result<serde_json::Value, String> {
    let decoded = percent_encoding::percent_decode_str(raw).decode_utf8_lossy();
    serde_json::from_str(&decoded)
        .or_else(|_| serde_json::from_str(raw))
        .map_err(|e| format!("policy document is not JSON: {e}"))
}

/// The resource type a tagging-API ARN names: `service` or `service:type`.
pub fn arn_resource_type(arn: &str) -> Option<(String, String)> {
    let mut parts = arn.splitn(6, ':');
    let (_, _, service, region, _, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let kind = resource.split(['/', ':']).next().unwrap_or(resource);
    let rtype = if kind.len() < resource.len() {
        format!("{service}:{kind}")
    } else {
        service.to_string()
    };
    Some((rtype, region.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_documents_are_decoded() {
        let raw = "%7B%22Statement%22%3A%5B%7B%22Action%22%3A%22%2A%22%7D%5D%7D";
        assert_eq!(
            policy_document(raw).unwrap(),
            serde_json::json!({"Statement": [{"Action": "*"}]})
        );
        // moto answers in the clear; a `%` in a clear document must not break it.
        let clear = r#"{"Sid":"100%"}"#;
        assert_eq!(policy_document(clear).unwrap()["Sid"], "100%");
        assert!(policy_document("{not json").is_err());
    }

    #[test]
    fn arn_types() {
        assert_eq!(
            arn_resource_type("arn:aws-cn:sqs:cn-north-1:1:events").unwrap(),
            ("sqs".into(), "cn-north-1".into())
        );
        assert_eq!(
            arn_resource_type("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/x/y")
                .unwrap()
                .0,
            "elasticloadbalancing:loadbalancer"
        );
        assert_eq!(
            arn_resource_type("arn:aws:rds:us-east-1:1:db:orders")
                .unwrap()
                .0,
            "rds:db"
        );
        assert!(arn_resource_type("not-an-arn").is_none());
    }
}

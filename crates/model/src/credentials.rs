//! Hard-coded credentials in configuration text (a function's environment, an
//! instance's user data), found while collecting: the caller keeps only where a match is
//! and its kind ([`SecretMatch`]), never the value.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One credential found: where it is and what it looks like, never the value.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecretMatch {
    /// `env NAME` (a variable's name) or `line N` (1-based) in user data.
    pub location: String,
    /// `aws-access-key-id`, `private-key`, `token` (a well-known token format) or
    /// `assignment` (a secret-named key given a literal value).
    pub kind: String,
}

/// Words that make a variable or key name a secret's: `DB_PASSWORD`, `api-key`, ...
const SECRET_WORDS: &[&str] = &[
    "password",
    "passwd",
    "pwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "api-key",
    "private_key",
    "privatekey",
    "access_key",
    "accesskey",
    "credential",
    "auth_key",
];

/// Name suffixes that make it a reference or a setting, not the secret itself.
const REFERENCE_SUFFIXES: &[&str] = &[
    "_arn", "_id", "_name", "_path", "_file", "_url", "_uri", "_ttl", "_ref", "_key_id", "_length",
    "_expiry",
];

fn has_secret_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|w| lower.contains(w))
        && !REFERENCE_SUFFIXES.iter().any(|s| lower.ends_with(s))
}

/// A value that points at a secret store or the environment, or is not a secret at all
/// (empty, a number, a boolean, a placeholder).
fn is_reference(value: &str) -> bool {
    let v = value.trim().trim_matches(|c| c == '"' || c == '\'');
    let lower = v.to_ascii_lowercase();
    v.chars().count() < 6
        || v.chars().all(|c| c.is_ascii_digit())
        || ["true", "false", "null", "none", "changeme"].contains(&lower.as_str())
        || v.starts_with('$')
        || v.starts_with("{{")
        || v.starts_with("<")
        || lower.starts_with("arn:")
        || lower.starts_with("ssm:")
        || lower.starts_with("secretsmanager:")
        || lower.starts_with("kms:")
        || lower.starts_with("vault:")
        || lower.starts_with("/run/secrets/")
        || v.chars().all(|c| c == '*' || c == 'x' || c == 'X')
}

/// Well-known credential formats found anywhere in `text`, by kind.
fn formats(text: &str) -> Option<&'static str> {
    let bytes = text.as_bytes();
    // AWS access key ids: a 4-letter prefix and 16 upper-case letters or digits, alone.
    for prefix in ["AKIA", "ASIA", "ABIA", "ACCA"] {
        for (at, _) in text.match_indices(prefix) {
            let tail = &bytes[at + 4..];
            let body = tail
                .iter()
                .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                .count();
            let before_ok = at == 0 || !bytes[at - 1].is_ascii_alphanumeric();
            if body == 16 && before_ok {
                return Some("aws-access-key-id");
            }
        }
    }
    if text.contains("-----BEGIN") && text.contains("PRIVATE KEY") {
        return Some("private-key");
    }
    // Tokens with a fixed prefix: GitHub, GitLab, Slack, Stripe live keys.
    for (prefix, min_body) in [
        ("ghp_", 30),
        ("gho_", 30),
        ("ghs_", 30),
        ("github_pat_", 30),
        ("glpat-", 20),
        ("xoxb-", 20),
        ("xoxp-", 20),
        ("sk_live_", 20),
    ] {
        for (at, _) in text.match_indices(prefix) {
            let body = bytes[at + prefix.len()..]
                .iter()
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'_' || **b == b'-')
                .count();
            if body >= min_body {
                return Some("token");
            }
        }
    }
    None
}

/// Scans a function's environment: one match at most per variable.
pub fn scan_environment<'a>(
    variables: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> Vec<SecretMatch> {
    let mut out: Vec<SecretMatch> = variables
        .into_iter()
        .filter_map(|(name, value)| {
            let kind = formats(value).or_else(|| {
                (has_secret_name(name) && !is_reference(value)).then_some("assignment")
            })?;
            Some(SecretMatch {
                location: format!("env {name}"),
                kind: kind.into(),
            })
        })
        .collect();
    out.sort();
    out
}

/// Scans user data (a shell script, cloud-config YAML, an env file): one match at most
/// per line. A private key block counts once, on the line that begins it.
pub fn scan_text(text: &str) -> Vec<SecretMatch> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let kind = formats(line)
            .or_else(|| line.contains("PRIVATE KEY-----").then_some("private-key"))
            .or_else(|| assignment(line).then_some("assignment"));
        if let Some(kind) = kind {
            if kind == "private-key" && !line.contains("BEGIN") {
                continue;
            }
            out.push(SecretMatch {
                location: format!("line {}", n + 1),
                kind: kind.into(),
            });
        }
    }
    out
}

/// `NAME=value`, `export NAME="value"`, `name: value`, `--password value`... with a
/// secret-named key and a literal value.
fn assignment(line: &str) -> bool {
    let line = line.trim();
    if line.starts_with('#') || line.starts_with("//") {
        return false;
    }
    let line = line
        .strip_prefix("export ")
        .unwrap_or(line)
        .trim_start_matches("- ");
    for sep in ['=', ':'] {
        if let Some((key, value)) = line.split_once(sep) {
            let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
            let key = key.rsplit([' ', '\t']).next().unwrap_or(key);
            let key_ok = !key.is_empty()
                && key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
            let value = value.split_whitespace().next().unwrap_or("");
            if key_ok && has_secret_name(key) && !is_reference(value) {
                return true;
            }
        }
    }
    // A flag followed by its value: `--password hunter22`, `-p` is too vague to judge.
    let words: Vec<&str> = line.split_whitespace().collect();
    words.windows(2).any(|w| {
        w[0].starts_with("--")
            && has_secret_name(w[0].trim_start_matches('-'))
            && !is_reference(w[1])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn environment_literals_are_found_and_references_are_not() {
        let env = [
            ("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE"),
            ("DB_PASSWORD", "hunter2-prod"),
            (
                "DB_SECRET_ARN",
                "arn:aws-cn:secretsmanager:cn-north-1:1:secret:db",
            ),
            ("API_TOKEN", "${TOKEN_FROM_VAULT}"),
            ("TOKEN_TTL", "3600"),
            ("LOG_LEVEL", "debug"),
            ("GITHUB", "ghp_0123456789abcdefghijABCDEFGHIJ012345"),
        ];
        let found = scan_environment(env);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|m| (m.location.as_str(), m.kind.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("env AWS_ACCESS_KEY_ID", "aws-access-key-id"),
                ("env DB_PASSWORD", "assignment"),
                ("env GITHUB", "token"),
            ]
        );
        let text = format!("{found:?}");
        assert!(
            !text.contains("hunter2") && !text.contains("AKIAIOSF"),
            "{text}"
        );
    }

    #[test]
    fn user_data_lines_are_found_by_number() {
        let script = "#!/bin/bash\n# password=documented-example\nexport DB_PASSWORD=\"s3cr3t-value\"\n\
            aws configure set aws_access_key_id AKIAIOSFODNN7EXAMPLE\n\
            -----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n\
            db_password: ${DB_PASSWORD}\nmysql --password Tr0ub4dor3 -h db\nPASSWORD_FILE=/run/secrets/db\n";
        let got: Vec<(String, String)> = scan_text(script)
            .into_iter()
            .map(|m| (m.location, m.kind))
            .collect();
        let want = [
            ("line 3", "assignment"),
            ("line 4", "aws-access-key-id"),
            ("line 5", "private-key"),
            ("line 9", "assignment"),
        ];
        assert_eq!(
            got,
            want.iter()
                .map(|(l, k)| (l.to_string(), k.to_string()))
                .collect::<Vec<_>>()
        );
    }

    #[test]
    fn an_access_key_id_must_stand_alone_and_be_whole() {
        assert_eq!(formats("xAKIAIOSFODNN7EXAMPLE"), None);
        assert_eq!(formats("AKIAIOSFODNN7EXAMP"), None);
        assert_eq!(
            formats("key=AKIAIOSFODNN7EXAMPLE"),
            Some("aws-access-key-id")
        );
    }
}

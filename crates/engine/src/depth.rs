//! A nesting limit for policy and schema text, checked before Cedar parses it. Cedar's
//! parser, validator and evaluator recurse once per level of nesting, so that a few
//! hundred nested parentheses in a `.cedar` file, or a couple of thousand nested record
//! types in the schema, overflow the stack and abort the process with no message. A rule
//! pack nests a handful of levels; this refuses anything past [`MAX_DEPTH`] at its place.

use audit_model::SourcePlace;

use crate::error::EngineError;
use crate::pack::SourceFile;

/// Brackets (`(`, `[`, `{`) open at once, and unary operators (`!`, `-`) in a row.
pub const MAX_DEPTH: usize = 64;

/// Refuses text that nests deeper than [`MAX_DEPTH`], at the place where it does. String
/// literals and `//` comments are skipped, as Cedar skips them.
pub fn check(file: &SourceFile) -> Result<(), EngineError> {
    let bytes = file.text.as_bytes();
    let mut depth = 0usize;
    let mut unary = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep(file, i, "brackets nested"));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            // `!=` and `->` are not unary operators.
            b'!' | b'-' if !matches!(bytes.get(i + 1), Some(b'=' | b'>')) => {
                unary += 1;
                if unary > MAX_DEPTH {
                    return Err(too_deep(file, i, "unary operators in a row"));
                }
            }
            _ => {}
        }
        if !matches!(b, b'!' | b'-' | b' ' | b'\t' | b'\r' | b'\n') {
            unary = 0;
        }
        i += 1;
    }
    Ok(())
}

fn too_deep(file: &SourceFile, offset: usize, what: &str) -> EngineError {
    EngineError::Policy {
        place: SourcePlace::at_offset(&file.path, &file.text, offset),
        message: format!(
            "more than {MAX_DEPTH} {what}: too deep to check safely (a rule needs a few)"
        ),
        rendered: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: String) -> SourceFile {
        SourceFile {
            path: "p.cedar".into(),
            text,
        }
    }

    #[test]
    fn deep_brackets_are_refused_at_their_place() {
        let text = format!(
            "forbid(principal, action, resource)\nwhen {{ {}true{} }};",
            "(".repeat(1000),
            ")".repeat(1000)
        );
        let err = check(&file(text)).unwrap_err().to_string();
        assert!(err.starts_with("invalid policy p.cedar:2:"), "{err}");
        assert!(err.contains("more than 64 brackets nested"), "{err}");
    }

    #[test]
    fn unary_runs_are_refused() {
        let text = format!(
            "forbid(principal, action, resource) when {{ {}true }};",
            "!".repeat(100)
        );
        assert!(check(&file(text)).is_err());
    }

    #[test]
    fn ordinary_policies_strings_and_comments_pass() {
        let text = r#"// ((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((
forbid(principal, action, resource) when { resource.name != "((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((((\"" && !(resource.a -> 1 == -1) };"#;
        assert!(check(&file(text.to_string())).is_ok());
    }
}

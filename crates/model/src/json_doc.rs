//! Reading a small JSON document (a findings file, a sign-off record, an attestation, a
//! TCO result): the whole input must be the one document, with nothing after it, and an
//! error says the line, the column and the JSON path.

use serde::de::DeserializeOwned;

#[derive(Debug)]
pub struct JsonDocError {
    pub line: usize,
    pub column: usize,
    /// What went wrong, with the JSON path when there is one: ``at `a.b`: ...``.
    pub message: String,
}

/// The document in `bytes` (a UTF-8 byte order mark is skipped); bytes after it other
/// than whitespace are an error, so that nothing can be hidden behind a valid record.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, JsonDocError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let inner = e.inner();
        JsonDocError {
            line: inner.line(),
            column: inner.column(),
            message: format!("at `{}`: {inner}", e.path()),
        }
    })?;
    de.end().map_err(|e| JsonDocError {
        line: e.line(),
        column: e.column(),
        message: format!("text after the end of the document: {e}"),
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_bytes_after_the_document() {
        let ok: Result<serde_json::Value, _> = parse(b"{\"x\": 1}\n  ");
        assert!(ok.is_ok());
        let err = parse::<serde_json::Value>(b"{\"x\": 1}\nGARBAGE {\"x\":1}").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.starts_with("text after the end"),
            "{}",
            err.message
        );
    }

    #[test]
    fn names_the_path_of_a_wrong_value() {
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct D {
            a: Vec<u32>,
        }
        let err = parse::<D>(b"{\"a\": [1, \"x\"]}").unwrap_err();
        assert!(err.message.starts_with("at `a[1]`:"), "{}", err.message);
    }
}

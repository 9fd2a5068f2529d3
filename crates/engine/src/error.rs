//! Errors of the engine. Each names the file and, where there is one, the place in it.

use std::fmt;
use std::path::{Path, PathBuf};

use audit_model::SnapshotError;

/// A file and a 1-based line and column in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePlace {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl SourcePlace {
    pub fn file_only(file: &Path) -> Self {
        SourcePlace {
            file: file.to_path_buf(),
            line: None,
            column: None,
        }
    }

    /// The place of byte `offset` in `text`.
    pub fn at_offset(file: &Path, text: &str, offset: usize) -> Self {
        let offset = offset.min(text.len());
        let before = text.get(..offset).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
            before[nl + 1..].chars().count()
        }) + 1;
        SourcePlace {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
        }
    }
}

impl fmt::Display for SourcePlace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid config {place}: {message}")]
    Config { place: SourcePlace, message: String },
    /// Another input file that does not validate: waivers, a baseline, a findings file.
    #[error("invalid {what} {place}: {message}")]
    Input {
        what: &'static str,
        place: SourcePlace,
        message: String,
    },
    /// A policy, schema or rule-pack error; `rendered` is Cedar's diagnostic with the
    /// source excerpt.
    #[error("invalid policy {place}: {message}")]
    Policy {
        place: SourcePlace,
        message: String,
        rendered: Option<String>,
    },
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    /// A rule that could not be evaluated: the result would be incomplete.
    #[error("evaluation failed: {0}")]
    Evaluation(String),
}

impl EngineError {
    /// Whether the error is in the user's input (snapshot, config, policy) rather than in
    /// reading it or in running.
    pub fn is_invalid_input(&self) -> bool {
        match self {
            EngineError::Config { .. } | EngineError::Policy { .. } | EngineError::Input { .. } => {
                true
            }
            EngineError::Snapshot(SnapshotError::Invalid { .. }) => true,
            EngineError::Io { .. }
            | EngineError::Snapshot(SnapshotError::Io { .. })
            | EngineError::Evaluation(_) => false,
        }
    }
}

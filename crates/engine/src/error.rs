//! Errors of the engine. Each names the file and, where there is one, the place in it.

use std::path::PathBuf;

use audit_model::{ErrorKind, SnapshotError};

pub use audit_model::SourcePlace;

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
    /// Whether the error is in the user's input (snapshot, config, policy) or in reading
    /// it or in running.
    pub fn kind(&self) -> ErrorKind {
        match self {
            EngineError::Config { .. }
            | EngineError::Policy { .. }
            | EngineError::Input { .. }
            | EngineError::Snapshot(SnapshotError::Invalid { .. }) => ErrorKind::InvalidInput,
            EngineError::Io { .. }
            | EngineError::Snapshot(SnapshotError::Io { .. })
            | EngineError::Evaluation(_) => ErrorKind::Runtime,
        }
    }
}

//! Errors of the engine. Each names the file and, where there is one, the place in it.

use std::path::{Path, PathBuf};

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

/// Reads a text input file: a read failure is [`EngineError::Io`], text that is not UTF-8
/// is invalid input at the place of the first bad byte (`what` names the kind of file).
pub(crate) fn read_input(path: &Path, what: &'static str) -> Result<String, EngineError> {
    audit_model::read_text(path).map_err(|e| match e {
        audit_model::TextError::Io(source) => EngineError::Io {
            path: path.to_path_buf(),
            source,
        },
        audit_model::TextError::NotUtf8 { place, byte } => EngineError::Input {
            what,
            place,
            message: audit_model::TextError::not_utf8_message(byte),
        },
    })
}

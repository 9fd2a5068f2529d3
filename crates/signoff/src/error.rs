//! Errors of the sign-off. Each names the file and, where there is one, the place in it.

use std::path::PathBuf;

/// A file and a 1-based line and column in it: the model's, shared with the engine.
pub use audit_model::SourcePlace as Place;

#[derive(Debug, thiserror::Error)]
pub enum SignoffError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// An input file that does not validate: the checklist, a TCO result, an attestation,
    /// a sign-off record.
    #[error("invalid {what} {place}: {message}")]
    Input {
        what: &'static str,
        place: Place,
        message: String,
    },
    /// A bad argument: an unknown item, a blank name.
    #[error("{0}")]
    Usage(String),
    /// `ssh-keygen` could not sign.
    #[error("ssh signing failed: {0}")]
    Ssh(String),
}

impl SignoffError {
    /// Whether the error is in the user's input files or in reading them, in the
    /// arguments or in running.
    pub fn kind(&self) -> audit_model::ErrorKind {
        match self {
            SignoffError::Input { .. } => audit_model::ErrorKind::InvalidInput,
            SignoffError::Read { .. }
            | SignoffError::Write { .. }
            | SignoffError::Usage(_)
            | SignoffError::Ssh(_) => audit_model::ErrorKind::Runtime,
        }
    }

    pub(crate) fn input(what: &'static str, place: Place, message: impl Into<String>) -> Self {
        SignoffError::Input {
            what,
            place,
            message: message.into(),
        }
    }
}

/// Reads a text input file: a read failure is [`SignoffError::Read`], text that is not
/// UTF-8 is invalid input at the place of the first bad byte.
pub(crate) fn read_input(
    path: &std::path::Path,
    what: &'static str,
) -> Result<String, SignoffError> {
    audit_model::read_text(path).map_err(|e| match e {
        audit_model::TextError::Io(source) => SignoffError::Read {
            path: path.to_path_buf(),
            source,
        },
        audit_model::TextError::NotUtf8 { place, byte } => {
            SignoffError::input(what, place, audit_model::TextError::not_utf8_message(byte))
        }
    })
}

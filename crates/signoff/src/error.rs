//! Errors of the sign-off. Each names the file and, where there is one, the place in it.

use std::fmt;
use std::path::{Path, PathBuf};

/// A file and a 1-based line and column in it. (The engine has its own; this crate stays
/// free of the engine and its Cedar dependency.)
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl Place {
    pub fn file_only(file: &Path) -> Self {
        Place {
            file: file.to_path_buf(),
            line: None,
            column: None,
        }
    }

    pub fn at(file: &Path, line: usize, column: usize) -> Self {
        Place {
            file: file.to_path_buf(),
            line: Some(line),
            column: Some(column),
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
        Place::at(file, line, column)
    }
}

impl fmt::Display for Place {
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
    /// Whether the error is in the user's input files rather than in reading them, in the
    /// arguments or in running.
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, SignoffError::Input { .. })
    }

    pub(crate) fn input(what: &'static str, place: Place, message: impl Into<String>) -> Self {
        SignoffError::Input {
            what,
            place,
            message: message.into(),
        }
    }
}

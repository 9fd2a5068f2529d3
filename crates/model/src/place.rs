//! Where in an input file something is: the file, and a 1-based line and column. The
//! engine's and the sign-off's errors both name places with it.

use std::fmt;
use std::path::{Path, PathBuf};

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

    pub fn at(file: &Path, line: usize, column: usize) -> Self {
        SourcePlace {
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
        SourcePlace::at(file, line, column)
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

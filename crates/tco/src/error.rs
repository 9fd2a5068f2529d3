//! One error type for the whole crate. Every variant about user input names the file and
//! the place in it (line:column for TOML, column and row for CSV and cost data), so that
//! the CLI can print it as is and map it to an exit code with [`TcoError::kind`].

use std::path::PathBuf;

pub use audit_model::ErrorKind;

#[derive(Debug, thiserror::Error)]
pub enum TcoError {
    #[error("cannot read `{path}`: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("cannot write `{path}`: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },

    /// A text input (assumptions, a CSV) is not UTF-8, or a CSV row is malformed: its
    /// quoting, its field count. `place` is the line and column.
    #[error("{place}: {message}")]
    Text {
        place: audit_model::SourcePlace,
        message: String,
    },

    /// The assumptions (TOML) do not validate.
    #[error("{path}:{line}:{column}: {message}")]
    Assumptions {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    /// The IDC inventory (CSV) does not validate. `row` is the 1-based data row (the header
    /// is row 0); `None` when the error is about the header or the whole file.
    #[error("{path}: {}{message}", place(column.as_deref(), *row))]
    Inventory {
        path: PathBuf,
        column: Option<String>,
        row: Option<u64>,
        message: String,
    },

    /// A cost file lacks a column the gate needs.
    #[error(
        "{path}: missing required column `{column}` (accepted names: {accepted}; found: {found})"
    )]
    MissingColumn {
        path: PathBuf,
        column: String,
        accepted: String,
        found: String,
    },

    /// Two columns of a cost file mean the same FOCUS column.
    #[error("{path}: columns `{first}` and `{second}` both mean `{column}`")]
    AmbiguousColumn {
        path: PathBuf,
        column: String,
        first: String,
        second: String,
    },

    /// A cost-file column has the wrong type or a value that is not allowed. `row` is the
    /// 1-based data row when it is known (for CSV, line = row + 1).
    #[error("{path}: {}{message}", place(Some(column.as_str()), *row))]
    CostValue {
        path: PathBuf,
        column: String,
        row: Option<u64>,
        message: String,
    },

    /// A currency other than the assumptions' one, or two currencies in the cost data.
    #[error("{path}: column `{column}`: {message}; nothing is converted between currencies")]
    Currency {
        path: PathBuf,
        column: String,
        message: String,
    },

    /// The gated period has no cost rows (or a month inside it has none).
    #[error("{message}")]
    EmptyPeriod { message: String },

    /// A cost file of a kind this build does not read.
    #[error("{path}: unsupported cost file type: expected `.csv` or `.parquet`")]
    UnsupportedFile { path: PathBuf },

    /// An option given by the caller (the CLI's flags) is not valid.
    #[error("invalid option: {0}")]
    Usage(String),

    /// Polars failed on a file in a way that the checks above did not explain.
    #[error("{path}: {source}")]
    Polars {
        path: PathBuf,
        source: polars::error::PolarsError,
    },
}

fn place(column: Option<&str>, row: Option<u64>) -> String {
    match (column, row) {
        (Some(c), Some(r)) => format!("column `{c}`, row {r}: "),
        (Some(c), None) => format!("column `{c}`: "),
        (None, Some(r)) => format!("row {r}: "),
        (None, None) => String::new(),
    }
}

impl TcoError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            TcoError::Read { .. }
            | TcoError::Write { .. }
            | TcoError::Usage(_)
            | TcoError::Polars { .. } => ErrorKind::Runtime,
            TcoError::Assumptions { .. }
            | TcoError::Text { .. }
            | TcoError::Inventory { .. }
            | TcoError::MissingColumn { .. }
            | TcoError::AmbiguousColumn { .. }
            | TcoError::CostValue { .. }
            | TcoError::Currency { .. }
            | TcoError::EmptyPeriod { .. }
            | TcoError::UnsupportedFile { .. } => ErrorKind::InvalidInput,
        }
    }

    /// The CLI's exit code for this error (see the project's exit-code table).
    pub fn exit_code(&self) -> i32 {
        i32::from(self.kind().exit_code())
    }
}

/// Reads a text input file: a read failure is [`TcoError::Read`], text that is not UTF-8
/// is invalid input at the place of the first bad byte.
pub(crate) fn read_input(path: &std::path::Path) -> Result<String, TcoError> {
    audit_model::read_text(path).map_err(|e| match e {
        audit_model::TextError::Io(source) => TcoError::Read {
            path: path.to_path_buf(),
            source,
        },
        audit_model::TextError::NotUtf8 { place, byte } => TcoError::Text {
            place,
            message: audit_model::TextError::not_utf8_message(byte),
        },
    })
}

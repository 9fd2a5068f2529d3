//! What kind of failure an error is, said once by each crate's error type and mapped to
//! the documented exit codes in one place.

/// What the CLI does with an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The user's input does not validate (snapshot, config, policy, schema, waivers,
    /// checklist, cost data, ...): the user must fix a file. Exit 3.
    InvalidInput,
    /// Bad flags, an unreadable file, a failing API or tool: exit 2.
    Runtime,
}

impl ErrorKind {
    /// The process exit code of the kind (the README's exit-code table).
    pub fn exit_code(self) -> u8 {
        match self {
            ErrorKind::InvalidInput => 3,
            ErrorKind::Runtime => 2,
        }
    }

    /// A stable name for machine-readable output (`--error-format json`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::InvalidInput => "invalid-input",
            ErrorKind::Runtime => "runtime",
        }
    }
}

//! The one error type of the binary. Each crate's error says what kind it is
//! ([`audit_model::ErrorKind`]); [`Failure::exit`] is the one place that turns a kind into
//! the documented exit code, and `main` the one place that prints an error.

use audit_model::ErrorKind;

use crate::exit::Exit;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum Failure {
    #[error(transparent)]
    #[diagnostic(code(audit::engine))]
    Engine(#[from] audit_engine::EngineError),
    #[error(transparent)]
    #[diagnostic(code(audit::signoff))]
    Signoff(#[from] audit_signoff::SignoffError),
    #[error(transparent)]
    #[diagnostic(code(audit::tco))]
    Tco(#[from] audit_tco::TcoError),
    #[error(transparent)]
    #[diagnostic(code(audit::collect))]
    Collect(#[from] audit_aws::CollectError),
    #[error(transparent)]
    #[diagnostic(code(audit::collect))]
    CollectBaidu(#[from] audit_baidu::collect::CollectError),
    /// Bad flags, or a failure while running: exit 2.
    #[error("{0}")]
    #[diagnostic(code(audit::usage))]
    Usage(String),
    /// Inputs that do not fit together (two accounts in one diff, an edited record): exit 3.
    #[error("{0}")]
    #[diagnostic(code(audit::invalid_input))]
    Invalid(String),
}

impl From<audit_model::SnapshotError> for Failure {
    fn from(e: audit_model::SnapshotError) -> Self {
        Failure::Engine(e.into())
    }
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure::Usage(message.into())
    }

    pub fn invalid(message: impl Into<String>) -> Self {
        Failure::Invalid(message.into())
    }

    pub fn kind(&self) -> ErrorKind {
        match self {
            Failure::Engine(e) => e.kind(),
            Failure::Signoff(e) => e.kind(),
            Failure::Tco(e) => e.kind(),
            Failure::Collect(e) => e.kind(),
            Failure::CollectBaidu(e) => e.kind(),
            Failure::Usage(_) => ErrorKind::Runtime,
            Failure::Invalid(_) => ErrorKind::InvalidInput,
        }
    }

    pub fn exit(&self) -> Exit {
        match self.kind() {
            ErrorKind::InvalidInput => Exit::Invalid,
            ErrorKind::Runtime => Exit::Error,
        }
    }

    /// Cedar's own diagnostic of a policy error, with the excerpt of the policy text.
    fn rendered(&self) -> Option<&str> {
        match self {
            Failure::Engine(audit_engine::EngineError::Policy {
                rendered: Some(r), ..
            }) => Some(r.trim_end()),
            _ => None,
        }
    }

    /// The error as people read it: `error: ...`, then Cedar's excerpt if there is one.
    pub fn human(&self) -> String {
        match self.rendered() {
            Some(r) => format!("error: {}\n\n{}", self.message(), audit_text::lines(r)),
            None => format!("error: {}", self.message()),
        }
    }

    /// The message, terminal-safe and cut: whatever a crate or a library quoted from the
    /// input cannot drive the terminal or flood the log.
    fn message(&self) -> String {
        audit_text::message(&self.to_string())
    }

    /// The error as one JSON object for CI (`--error-format json`): the message, the kind,
    /// the exit code and, for a policy error, Cedar's excerpt.
    pub fn json(&self) -> String {
        let mut doc = serde_json::json!({
            "error": self.message(),
            "kind": self.kind().as_str(),
            "exit_code": self.exit() as u8,
        });
        if let Some(r) = self.rendered() {
            doc["diagnostic"] = audit_text::lines(r).into();
        }
        doc.to_string()
    }
}

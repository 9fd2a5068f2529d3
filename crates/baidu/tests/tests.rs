//! The integration tests of audit-baidu, one binary (as the root package does). Both
//! need the official Python SDK: `$AUDIT_PYTHON` names the interpreter of a virtual
//! environment that `tests/moto/setup` made (it installs `bce-python-sdk` beside moto).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod differential;
mod server;

use std::path::PathBuf;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `$AUDIT_PYTHON`, required: a test that cannot reach the official SDK fails, it never
/// passes by skipping.
pub fn python() -> PathBuf {
    match std::env::var_os("AUDIT_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => panic!(
            "AUDIT_PYTHON is not set: these tests compare with the official Python SDK. \
             Run `AUDIT_VENV=/some/venv tests/moto/setup` (installs bce-python-sdk), then \
             `AUDIT_PYTHON=/some/venv/bin/python cargo test -p audit-baidu`"
        ),
    }
}

//! The integration tests of audit-baidu, one binary (as the root package does). Both
//! need the official Python SDK: the interpreter of a virtual environment that
//! `tests/moto/setup` made (it installs `bce-python-sdk` beside moto), see [`python`].

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod collect;
mod differential;
mod server;

use std::path::PathBuf;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `$AUDIT_PYTHON`, else the `.venv` that `tests/moto/setup` makes by default (as the root
/// package's moto tests do, so that the README's `tests/moto/setup && cargo test
/// --workspace` runs these too). Without either the tests fail: they never pass by skipping.
pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("AUDIT_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let venv = repo().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "AUDIT_PYTHON is not set and there is no .venv: these tests compare with the official \
         Python SDK (bce-python-sdk). Run `tests/moto/setup` (or `AUDIT_VENV=DIR tests/moto/setup` \
         and set AUDIT_PYTHON=DIR/bin/python), then `cargo test -p audit-baidu`"
    );
    venv
}

//! Baidu AI Cloud (BCE) for audit. For now the foundation of the collector: the
//! `bce-auth-v1` request signer ([`Signer`]), checked against Baidu's published test
//! vector and, case by case, against the official Python SDK (`bce-python-sdk`).
//!
//! The collector itself (credentials, `--endpoint-url`, the BCE REST reads into a
//! snapshot) is still to come: see NOTES.md beside this crate.

mod sign;

pub use sign::{
    DEFAULT_EXPIRATION_SECS, Request, Signer, canonical_headers, canonical_query, canonical_uri,
    timestamp_from_unix, uri_encode,
};

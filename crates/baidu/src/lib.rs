//! Baidu AI Cloud (BCE) for audit: the `bce-auth-v1` request signer ([`Signer`]),
//! checked against Baidu's published test vector and, case by case, against the official
//! Python SDK (`bce-python-sdk`); the credentials the way Baidu's tools take them; and
//! the read-only collector of an account into a snapshot ([`collect`]).
//!
//! NOTES.md beside this crate lists what Baidu's documents leave open and what was
//! guessed.

pub mod billing;
pub mod client;
pub mod collect;
pub mod credentials;
pub mod regions;
mod sign;

pub use sign::{
    DEFAULT_EXPIRATION_SECS, Request, Signer, canonical_headers, canonical_query, canonical_uri,
    timestamp_from_unix, uri_encode,
};

//! The pre-cutover checklist sign-off: the checklist and its validation, each item's state
//! from the judged findings, the TCO result and people's attestations, the sign-off record
//! with the SHA-256 of every input, and its verification. Nothing here prints.

pub mod attest;
pub mod checklist;
pub mod error;
pub mod evaluate;
pub mod hash;
pub mod record;
pub mod tco;

pub use checklist::{Checklist, Item, Phase};
pub use error::{Place, SignoffError};
pub use evaluate::{GateFacts, ItemResult, State, evaluate, ready};
pub use record::{Record, Statement};
pub use tco::TcoResult;

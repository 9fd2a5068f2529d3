//! One integration-test binary (`autotests = false`), so that the tests link once.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
mod moto;

mod bad_input;
mod baidu;
mod cli;
mod collect;
mod differential;
mod fuzz;
mod hostile;
mod iam_policy;
mod realistic;
mod report;
mod rules;
mod schema;
mod signoff;
mod tco;

//! One integration-test binary, so that Polars links once.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// `&[path.clone()]` reads better than `std::slice::from_ref(&path)` in a test.
#![allow(clippy::cloned_ref_to_slice_refs)]

mod bad_input;
mod common;
mod contract;
mod fixture;
mod hand;
mod render_chart;

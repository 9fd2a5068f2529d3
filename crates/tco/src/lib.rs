//! The TCO gate of `audit`: is the cloud's total cost of ownership at or under a share
//! (70 % by default) of the data centre's?
//!
//! - [`Assumptions`] (`policies/tco.toml`) and [`IdcInventory`] (`fixtures/idc/inventory.csv`)
//!   make the IDC baseline, an explicit model ([`idc`]);
//! - [`focus`] reads cloud costs from FOCUS exports (CSV, Parquet) lazily with Polars;
//! - [`compute`] joins them into a [`TcoReport`], whose JSON is a contract;
//! - [`render`] and [`chart`] turn a report into text, Markdown, CSV and SVG;
//! - [`generate`] writes synthetic FOCUS files for tests, fixtures and benchmarks.
//!
//! Nothing here prints; the CLI does.

pub mod assumptions;
pub mod chart;
pub mod csv_check;
pub mod error;
pub mod focus;
pub mod generate;
pub mod idc;
pub mod inventory;
pub mod render;
pub mod report;
pub mod source;

pub use assumptions::{Assumptions, Category, WhatIf, WhatIfOverrides};
pub use error::{ErrorKind, TcoError};
pub use focus::CostColumn;
pub use inventory::IdcInventory;
pub use report::{Options, Period, TcoReport, compute, run};

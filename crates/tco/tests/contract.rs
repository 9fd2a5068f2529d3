//! The `tco.json` this crate writes is the one the sign-off reads: the contract types of
//! `audit-model` parse it, field for field.

use audit_model::tco_result::{TCO_VERSION, TcoSummary};
use audit_tco::Options;

use crate::common::*;

#[test]
fn the_written_document_is_the_contract_the_signoff_reads() {
    let case = Case::new();
    let costs = case.file("costs.csv", &format!("{HEADER}\n{COSTS}"));
    let report = case.run(&[costs.clone()], &Options::default()).unwrap();
    let json = report.to_json();
    let read: TcoSummary = serde_json::from_str(&json).unwrap();
    assert_eq!(read.tco_version, TCO_VERSION);
    assert_eq!(read.limit, report.limit);
    assert_eq!(read.currency.as_deref(), Some(report.currency.as_str()));
    assert_eq!(read.period.as_deref(), Some(report.period.as_str()));
    assert_eq!(read.gated.ratio, report.gated.ratio);
    assert_eq!(read.gated.pass, report.gated.pass);
    assert_eq!(read.gated.from.as_deref(), Some(report.gated.from.as_str()));
    assert_eq!(read.gated.to.as_deref(), Some(report.gated.to.as_str()));
    assert_eq!(read.inputs, report.inputs);
    // The cost file, beside the assumptions and the inventory it was judged with.
    assert!(
        read.inputs
            .iter()
            .any(|i| i.path == costs.display().to_string() && i.sha256.len() == 64),
        "{:?}",
        read.inputs
    );
}

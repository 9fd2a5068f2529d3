//! The Cedar engine and the hand-written reference must agree, finding for finding,
//! on every fixture and on a large synthetic snapshot.

use crate::common::*;

fn assert_same(path: &std::path::Path) -> usize {
    let (config, rules) = builtin();
    let a = cedar(path, &config, &rules);
    let b = reference(path, &config, &rules);
    assert_eq!(a.resources, b.resources, "{}", path.display());
    let only_cedar: Vec<_> = pairs(&a).difference(&pairs(&b)).cloned().collect();
    let only_reference: Vec<_> = pairs(&b).difference(&pairs(&a)).cloned().collect();
    assert!(
        only_cedar.is_empty() && only_reference.is_empty(),
        "{}: only Cedar {only_cedar:?}; only reference {only_reference:?}",
        path.display()
    );
    assert_eq!(a.findings, b.findings, "{}", path.display());
    a.findings.len()
}

#[test]
fn cedar_and_reference_agree_on_every_fixture() {
    let mut files = Vec::new();
    for dir in ["rules", "realistic", "clean"] {
        collect(&fixture(dir), &mut files);
    }
    assert!(files.len() >= 60, "found only {} fixtures", files.len());
    let total: usize = files.iter().map(|f| assert_same(f)).sum();
    assert!(total > 60, "fixtures gave only {total} findings");
}

fn collect(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() && !path.ends_with("expected") {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "json")
            && !path.to_string_lossy().ends_with(".expected.json")
        {
            out.push(path);
        }
    }
}

#[test]
fn cedar_and_reference_agree_on_a_synthetic_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("synthetic.json");
    let path_str = path.to_str().unwrap();
    let out = audit(&[
        "bench",
        "generate",
        "--resources",
        "20000",
        "--out",
        path_str,
        "--seed",
        "7",
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let findings = assert_same(&path);
    assert!(
        findings > 1000,
        "only {findings} findings in 20000 synthetic resources"
    );
}

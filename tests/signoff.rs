//! `audit signoff`: status, attest, sign and verify, through the binary, in a tempdir.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::common::*;

const AT: &str = "2026-11-21T09:00:00Z";
const CHECKLIST: &str = "policies/cutover-checklist.toml";
const TCO_PASS: &str = "fixtures/signoff/tco-pass.json";
const TCO_OVER: &str = "fixtures/signoff/tco-over.json";

fn signoff(args: &[&str]) -> Output {
    audit(&[&["signoff"][..], args].concat())
}

fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

/// SHA-256 by coreutils, not by the code under test.
fn sha256sum(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().unwrap();
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap()[..64].to_string()
}

/// The checklist's items as the TOML says: id → (blocking, manual, rule patterns, tco).
struct ItemSpec {
    blocking: bool,
    manual: bool,
    patterns: Vec<String>,
    tco: bool,
}

fn checklist_items() -> BTreeMap<String, ItemSpec> {
    let text = std::fs::read_to_string(repo().join(CHECKLIST)).unwrap();
    let doc: toml::Value = toml::from_str(&text).unwrap();
    doc["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            let auto = item.get("auto");
            let spec = ItemSpec {
                blocking: item["blocking"].as_bool().unwrap(),
                manual: item.get("manual").is_some(),
                patterns: auto
                    .and_then(|a| a.get("rules"))
                    .map(|r| {
                        r.as_array()
                            .unwrap()
                            .iter()
                            .map(|p| p.as_str().unwrap().to_string())
                            .collect()
                    })
                    .unwrap_or_default(),
                tco: auto
                    .and_then(|a| a.get("tco"))
                    .is_some_and(|t| t.as_bool().unwrap()),
            };
            (item["id"].as_str().unwrap().to_string(), spec)
        })
        .collect()
}

/// The hand-worked findings of the realistic aws-cn account.
fn expected_findings() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixture("realistic/aws-cn.expected.json")).unwrap();
    let list: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    list.iter()
        .map(|v| {
            (
                v["rule_id"].as_str().unwrap().to_string(),
                v["resource_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The checklist only uses exact ids and `prefix-*` globs.
fn pattern_matches(pattern: &str, rule: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => rule.starts_with(prefix),
        None => pattern == rule,
    }
}

fn states(doc: &serde_json::Value) -> BTreeMap<String, (String, String)> {
    doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_string(),
                (
                    i["state"].as_str().unwrap().to_string(),
                    i["reason"].as_str().unwrap().to_string(),
                ),
            )
        })
        .collect()
}

fn status_json(args: &[&str]) -> (i32, serde_json::Value) {
    let out = signoff(&[&["status", "--format", "json"][..], args].concat());
    let doc = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&out), stderr(&out)));
    (code(&out), doc)
}

fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let key = dir.join(name);
    let out = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let mut fields = public.split_whitespace();
    let key_type = fields.next().unwrap();
    let key_data = fields.next().unwrap();
    (key, format!("{key_type} {key_data}"))
}

fn records(state: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_str().unwrap();
            name.starts_with("signoff-") && name.ends_with(".json")
        })
        .collect();
    found.sort();
    found
}

/// The whole flow on the realistic account: failing items, a refused sign-off; then the
/// findings waived, the TCO under its limit and every manual item attested, two signers
/// with SSH keys; the record verifies, and stops verifying when a byte of the snapshot,
/// a signer's line or the statement changes.
#[test]
fn refuse_then_sign_verify_and_detect_tampering() {
    let tmp = tempfile::tempdir().unwrap();
    let snapshot = tmp.path().join("aws-cn.json");
    std::fs::copy(fixture("realistic/aws-cn.json"), &snapshot).unwrap();
    let state = tmp.path().join("state");
    let no_waivers = tmp.path().join("no-waivers.toml");
    std::fs::write(&no_waivers, "").unwrap();
    let items = checklist_items();
    let expected = expected_findings();
    let failing_rules: BTreeSet<&str> = expected.iter().map(|(r, _)| r.as_str()).collect();

    // 1. Before: findings open, the TCO over its limit, nothing attested.
    let base = [
        "--snapshot",
        s(&snapshot),
        "--dir",
        s(&state),
        "--checklist",
        CHECKLIST,
    ];
    let before = [&base[..], &["--waivers", s(&no_waivers), "--tco", TCO_OVER]].concat();
    let (c, doc) = status_json(&before);
    assert_eq!(c, 1, "{doc}");
    assert_eq!(doc["ready"], false);
    let got = states(&doc);
    assert_eq!(got.len(), items.len());
    for (id, spec) in &items {
        let want = if spec.manual {
            "pending"
        } else if spec.tco
            || spec
                .patterns
                .iter()
                .any(|p| failing_rules.iter().any(|r| pattern_matches(p, r)))
        {
            "fail"
        } else {
            "pass"
        };
        assert_eq!(got[id].0, want, "{id}: {}", got[id].1);
    }
    assert!(
        got["constraint-tco"].1.contains("82 %"),
        "{:?}",
        got["constraint-tco"]
    );
    assert_eq!(
        got["constraint-data-residency"].0, "pass",
        "aws-cn has no residency finding"
    );
    // The table says the same.
    let table = signoff(&[&["status"][..], &before[..]].concat());
    assert_eq!(code(&table), 1);
    assert!(stdout(&table).contains("NOT READY"), "{}", stdout(&table));

    // 2. Sign refuses, naming every blocking item that is not pass.
    let sign_args = [
        &[
            "sign",
            "--by",
            "alice@example.cn",
            "--role",
            "CISO",
            "--at",
            AT,
        ][..],
        &before[..],
    ]
    .concat();
    let out = signoff(&sign_args);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.starts_with("refusing to sign"), "{err}");
    for (id, spec) in &items {
        let listed = err.contains(&format!("  {id} ("));
        assert_eq!(
            listed,
            spec.blocking && got[id].0 != "pass",
            "{id} in:\n{err}"
        );
    }
    assert!(
        !state.exists() || records(&state).is_empty(),
        "nothing written"
    );

    // 3. Waive every documented finding; attest every manual item.
    let waivers = tmp.path().join("waivers.toml");
    let mut text = String::new();
    for (rule, resource) in &expected {
        text.push_str(&format!(
            "[[waiver]]\nrule = \"{rule}\"\nresource = \"{resource}\"\nreason = \"accepted for cutover\"\n\
             owner = \"secops@example.cn\"\nticket = \"MIG-1\"\nexpires = 2026-12-31\n\n"
        ));
    }
    std::fs::write(&waivers, text).unwrap();
    let attest = |item: &str, by: &str, note: &str| {
        signoff(&[
            "attest",
            item,
            "--by",
            by,
            "--evidence",
            &format!("https://jira.example.cn/MIG/{item}"),
            "--note",
            note,
            "--at",
            "2026-11-20T16:00:00Z",
            "--dir",
            s(&state),
            "--checklist",
            CHECKLIST,
        ])
    };
    let manual: Vec<&String> = items
        .iter()
        .filter(|(_, s)| s.manual)
        .map(|(id, _)| id)
        .collect();
    assert!(manual.len() >= 10);
    for id in &manual {
        let out = attest(id, "wang.fang@example.cn", "done in the rehearsal");
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    // Re-attesting adds one; the latest counts. A hostile note cannot break the Markdown.
    let out = attest(
        "after-dr-drill",
        "li.wei@example.cn",
        "failover 14 min\n| forged | row |",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).starts_with(&format!(
        "attestation {} of `after-dr-drill`",
        manual.len() + 1
    )));
    // Unknown and automated items cannot be attested.
    let out = attest("no-such-item", "x", "y");
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains("no item `no-such-item`"),
        "{}",
        stderr(&out)
    );
    let out = attest("constraint-tco", "x", "y");
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("automated"), "{}", stderr(&out));

    // 4. Ready: every item passes.
    let after = [&base[..], &["--waivers", s(&waivers), "--tco", TCO_PASS]].concat();
    let (c, doc) = status_json(&after);
    assert_eq!(c, 0, "{doc}");
    assert_eq!(doc["ready"], true);
    for (id, (state_, reason)) in states(&doc) {
        assert_eq!(state_, "pass", "{id}: {reason}");
    }
    let dr = states(&doc)["after-dr-drill"].1.clone();
    assert!(dr.starts_with("attested by li.wei@example.cn"), "{dr}");

    // 5. Two people sign with their SSH keys; both sign the same record.
    let (alice_key, alice_pub) = keygen(tmp.path(), "alice");
    let (bob_key, bob_pub) = keygen(tmp.path(), "bob");
    let sign = |by: &str, role: &str, key: &Path, at: &str| {
        signoff(
            &[
                &[
                    "sign",
                    "--by",
                    by,
                    "--role",
                    role,
                    "--ssh-key",
                    s(key),
                    "--at",
                    at,
                ][..],
                &after[..],
            ]
            .concat(),
        )
    };
    let out = sign("alice@example.cn", "CISO", &alice_key, AT);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("with an SSH signature"),
        "{}",
        stdout(&out)
    );
    let out = sign(
        "bob@example.cn",
        "migration lead",
        &bob_key,
        "2026-11-21T09:05:00Z",
    );
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    let out = sign(
        "bob@example.cn",
        "migration lead",
        &bob_key,
        "2026-11-21T09:06:00Z",
    );
    assert_eq!(code(&out), 2, "no one signs twice");
    let found = records(&state);
    assert_eq!(found.len(), 1, "{found:?}");
    let record_path = found[0].clone();
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record_path).unwrap()).unwrap();
    let signers: Vec<(&str, &str)> = record["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["by"].as_str().unwrap(), s["at"].as_str().unwrap()))
        .collect();
    assert_eq!(
        signers,
        [
            ("alice@example.cn", AT),
            ("bob@example.cn", "2026-11-21T09:05:00Z")
        ]
    );
    assert_eq!(
        record["statement"]["tool"]["version"],
        env!("CARGO_PKG_VERSION")
    );
    // Every input with the hash coreutils gives.
    let files = record["statement"]["files"].as_array().unwrap();
    let hash_of = |role: &str, path: &str| {
        files
            .iter()
            .find(|f| f["role"] == role && f["path"] == path)
            .unwrap_or_else(|| panic!("no {role} {path} in {files:?}"))["sha256"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert_eq!(hash_of("snapshot", s(&snapshot)), sha256sum(&snapshot));
    assert_eq!(
        hash_of("checklist", CHECKLIST),
        sha256sum(&repo().join(CHECKLIST))
    );
    assert_eq!(hash_of("waivers", s(&waivers)), sha256sum(&waivers));
    assert_eq!(hash_of("tco", TCO_PASS), sha256sum(&repo().join(TCO_PASS)));
    for input in [
        "fixtures/signoff/idc-inventory.csv",
        "fixtures/signoff/cloud-costs.csv",
    ] {
        assert_eq!(hash_of("cost-input", input), sha256sum(&repo().join(input)));
    }
    let policies = files.iter().filter(|f| f["role"] == "policy").count();
    let cedar_files = std::fs::read_dir(repo().join("policies"))
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("cedar".as_ref()))
        .count();
    assert_eq!(
        policies,
        cedar_files + 2,
        "schema, the rule files, audit.toml"
    );
    let attestation_files = files.iter().filter(|f| f["role"] == "attestation").count();
    assert_eq!(attestation_files, manual.len() + 1);
    assert_eq!(
        record["statement"]["attestations"]
            .as_array()
            .unwrap()
            .len(),
        manual.len() + 1
    );
    // The Markdown record, with the hostile note escaped inside its cell.
    let md = std::fs::read_to_string(record_path.with_extension("md")).unwrap();
    assert!(
        md.contains("| alice<!-- -->@example.cn | CISO | 2026-11-21T09:00:00Z | yes |"),
        "{md}"
    );
    assert!(
        md.contains("failover 14 min\\u{a}\\| forged \\| row \\|"),
        "{md}"
    );
    assert!(!md.lines().any(|l| l.starts_with("| forged")));

    // 6. Verify: every hash and both signatures.
    let allowed = tmp.path().join("allowed_signers");
    std::fs::write(
        &allowed,
        format!("alice@example.cn {alice_pub}\nbob@example.cn {bob_pub}\n"),
    )
    .unwrap();
    let verify = |record: &Path, allowed: Option<&Path>| {
        let mut args = vec!["verify", s(record)];
        if let Some(a) = allowed {
            args.extend(["--allowed-signers", s(a)]);
        }
        signoff(&args)
    };
    let out = verify(&record_path, Some(&allowed));
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out)
            .contains("signature of alice@example.cn (CISO) at 2026-11-21T09:00:00Z: valid")
    );
    assert!(stdout(&out).ends_with("VERIFIED\n"), "{}", stdout(&out));
    // Keys swapped: neither signature is valid.
    let swapped = tmp.path().join("swapped_signers");
    std::fs::write(
        &swapped,
        format!("alice@example.cn {bob_pub}\nbob@example.cn {alice_pub}\n"),
    )
    .unwrap();
    let out = verify(&record_path, Some(&swapped));
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert_eq!(
        stdout(&out).matches(": INVALID: ").count(),
        2,
        "{}",
        stdout(&out)
    );

    // 7. One byte of the snapshot changed: verify names it; restored, it verifies again.
    let original = std::fs::read(&snapshot).unwrap();
    let mut changed = original.clone();
    let at = changed.iter().position(|b| *b == b'7').unwrap();
    changed[at] = b'8';
    std::fs::write(&snapshot, &changed).unwrap();
    let out = verify(&record_path, None);
    assert_eq!(code(&out), 1);
    let text = stdout(&out);
    assert!(
        text.contains(&format!("CHANGED snapshot `{}`", s(&snapshot))),
        "{text}"
    );
    assert_eq!(text.matches("CHANGED").count(), 1, "{text}");
    std::fs::write(&snapshot, &original).unwrap();
    assert_eq!(code(&verify(&record_path, None)), 0);

    // 7b. Bytes after the record's JSON: refused at their place, not ignored.
    let appended = tmp.path().join("appended.json");
    let mut bytes = std::fs::read(&record_path).unwrap();
    bytes.extend_from_slice(b"GARBAGE {\"x\":1}");
    std::fs::write(&appended, &bytes).unwrap();
    let out = verify(&appended, None);
    assert_eq!(code(&out), 3, "{}", stdout(&out));
    assert!(
        stderr(&out).contains("appended.json:") && stderr(&out).contains("text after the end"),
        "{}",
        stderr(&out)
    );

    // 8. A signer's line changed in the record: only the SSH signature can tell.
    let tampered = tmp.path().join("tampered.json");
    let mut doc = record.clone();
    doc["signatures"][0]["role"] = "CEO".into();
    std::fs::write(&tampered, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    assert_eq!(
        code(&verify(&tampered, None)),
        0,
        "without keys, nothing to see"
    );
    let out = verify(&tampered, Some(&allowed));
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out)
            .contains("signature of alice@example.cn (CEO) at 2026-11-21T09:00:00Z: INVALID"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains(
            "signature of bob@example.cn (migration lead) at 2026-11-21T09:05:00Z: valid"
        )
    );

    // 9. The statement changed (an attestation's link): the digest and both signatures.
    let mut doc = record.clone();
    doc["statement"]["attestations"][0]["evidence"] = "https://evil.example/forged".into();
    std::fs::write(&tampered, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    let out = verify(&tampered, Some(&allowed));
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("statement: EDITED"),
        "{}",
        stdout(&out)
    );
    assert_eq!(
        stdout(&out).matches(": INVALID: ").count(),
        2,
        "{}",
        stdout(&out)
    );
    // Even with the stated digest forged to match, the signatures do not.
    let mut doc = record.clone();
    doc["statement"]["attestations"][0]["evidence"] = "https://evil.example/forged".into();
    let forged_digest = verify(&tampered, None);
    let computed = stdout(&forged_digest)
        .split("its content hashes to ")
        .nth(1)
        .unwrap()[..64]
        .to_string();
    doc["statement_sha256"] = computed.into();
    std::fs::write(&tampered, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
    assert_eq!(
        code(&verify(&tampered, None)),
        0,
        "a consistent forgery fools the hashes alone"
    );
    let out = verify(&tampered, Some(&allowed));
    assert_eq!(code(&out), 1);
    assert_eq!(
        stdout(&out).matches(": INVALID: ").count(),
        2,
        "{}",
        stdout(&out)
    );
}

#[test]
fn signing_without_ssh_is_recorded_but_fails_a_signature_check() {
    let tmp = tempfile::tempdir().unwrap();
    let checklist = tmp.path().join("checklist.toml");
    std::fs::write(
        &checklist,
        "[[item]]\nid = \"residency\"\nphase = \"constraint\"\ntext = \"data stays home\"\n\
         blocking = true\nauto = { rules = [\"residency-*\"] }\n\n\
         [[item]]\nid = \"tco\"\nphase = \"constraint\"\ntext = \"TCO\"\nblocking = false\n\
         auto = { tco = true }\n",
    )
    .unwrap();
    let state = tmp.path().join("state");
    let args = [
        "sign",
        "--by",
        "li",
        "--role",
        "CTO",
        "--snapshot",
        "fixtures/clean/aws-cn.json",
        "--checklist",
        s(&checklist),
        "--dir",
        s(&state),
        "--waivers",
        s(&checklist),
    ];
    // The checklist is no waivers file: refused as such.
    let out = signoff(&args);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let empty = tmp.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let mut args = args.to_vec();
    let last = args.len() - 1;
    args[last] = s(&empty);
    // Someone else is signing (or crashed while signing): wait, do not lose a signature.
    std::fs::create_dir_all(&state).unwrap();
    std::fs::write(state.join("signoff.lock"), "").unwrap();
    let out = signoff(&args);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("someone is signing right now"),
        "{}",
        stderr(&out)
    );
    assert!(records(&state).is_empty());
    std::fs::remove_file(state.join("signoff.lock")).unwrap();
    // The clock comes from AUDIT_NOW when --at is not given.
    let out = Command::new(env!("CARGO_BIN_EXE_audit"))
        .arg("signoff")
        .args(&args)
        .current_dir(repo())
        .env("AUDIT_NOW", "2026-11-22T10:00:00Z")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    // The non-blocking TCO item is pending and said so.
    assert!(
        stdout(&out).contains("non-blocking tco (pending): no TCO result given"),
        "{}",
        stdout(&out)
    );
    let record = records(&state).pop().unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    assert!(!state.join("signoff.lock").exists(), "released");
    assert_eq!(doc["signatures"][0]["at"], "2026-11-22T10:00:00Z");
    assert!(doc["signatures"][0].get("ssh_signature").is_none());
    let out = signoff(&["verify", s(&record)]);
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    assert!(stdout(&out).contains("not checked (no --allowed-signers); not signed with SSH"));
    let allowed = tmp.path().join("allowed");
    std::fs::write(&allowed, "").unwrap();
    let out = signoff(&["verify", s(&record), "--allowed-signers", s(&allowed)]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains("MISSING: not signed with SSH"),
        "{}",
        stdout(&out)
    );
    // A signed record that lost an input names it.
    std::fs::remove_file(&checklist).unwrap();
    let out = signoff(&["verify", s(&record)]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains(&format!("MISSING checklist `{}`", s(&checklist))),
        "{}",
        stdout(&out)
    );
    // Not a record at all.
    let out = signoff(&["verify", s(&empty)]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
}

#[test]
fn checklist_errors_name_the_place_and_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let item = |body: &str| {
        format!("[[item]]\nid = \"x\"\nphase = \"before\"\ntext = \"t\"\nblocking = true\n{body}\n")
    };
    let cases = [
        (
            item("manual = true\nsigned = true"),
            7,
            1,
            "unknown field `signed`",
        ),
        (
            item("auto = { rules = [\"iam-root-mfa\"] }"),
            6,
            19,
            "unknown rule id `iam-root-mfa`",
        ),
        (
            item("auto = { rules = [\"dns-*\"] }"),
            6,
            19,
            "`dns-*` in item `x` matches no rule",
        ),
        (item("auto = { rules = [] }"), 6, 8, "bound to nothing"),
        (
            format!("{}\n{}", item("manual = true"), item("manual = true")),
            9,
            6,
            "duplicate item id `x`",
        ),
    ];
    for (i, (text, line, column, message)) in cases.iter().enumerate() {
        let path = tmp.path().join(format!("c{i}.toml"));
        std::fs::write(&path, text).unwrap();
        let out = signoff(&[
            "status",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--checklist",
            s(&path),
            "--dir",
            s(tmp.path()),
        ]);
        assert_eq!(code(&out), 3, "{text}\n{}", stderr(&out));
        let want = format!("error: invalid checklist {}:{line}:{column}: ", s(&path));
        assert!(
            stderr(&out).starts_with(&want) && stderr(&out).contains(message),
            "want {want}{message}, got {}",
            stderr(&out)
        );
    }
    // attest validates the checklist too.
    let path = tmp.path().join("c0.toml");
    let out = signoff(&[
        "attest",
        "x",
        "--by",
        "a",
        "--evidence",
        "b",
        "--note",
        "c",
        "--checklist",
        s(&path),
        "--dir",
        s(tmp.path()),
    ]);
    assert_eq!(code(&out), 3, "{}", stderr(&out));
    let out = signoff(&[
        "status",
        "--snapshot",
        "fixtures/clean/aws-cn.json",
        "--checklist",
        "fixtures/no-such.toml",
    ]);
    assert_eq!(code(&out), 2);
}

#[test]
fn attestations_are_append_only_and_survive_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path();
    let attest = |by: &str| {
        signoff(&[
            "attest",
            "constraint-private-routing",
            "--by",
            by,
            "--evidence",
            "https://wiki.example.cn/network-design",
            "--note",
            "IDC prefixes routed over the dedicated line only",
            "--at",
            AT,
            "--dir",
            s(state),
        ])
    };
    assert_eq!(code(&attest("a")), 0);
    let dir = state.join("attestations");
    let first = std::fs::read(dir.join("000001.json")).unwrap();
    assert_eq!(code(&attest("b")), 0);
    assert_eq!(
        std::fs::read(dir.join("000001.json")).unwrap(),
        first,
        "never rewritten"
    );
    let second: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("000002.json")).unwrap()).unwrap();
    assert_eq!(
        (second["seq"].as_u64(), second["by"].as_str()),
        (Some(2), Some("b"))
    );

    // A crash while writing the third left its temp file behind, half written.
    std::fs::write(dir.join(".attest-Xy12ab.tmp"), &first[..first.len() / 2]).unwrap();
    let status = |_: ()| {
        status_json(&[
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--dir",
            s(state),
        ])
    };
    let (_, doc) = status(());
    let routing = &states(&doc)["constraint-private-routing"];
    assert_eq!(routing.0, "pass");
    assert!(routing.1.starts_with("attested by b "), "{routing:?}");
    assert_eq!(code(&attest("c")), 0);
    let names: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        names.contains("000003.json") && names.contains(".attest-Xy12ab.tmp"),
        "{names:?}"
    );
    assert_eq!(
        names.len(),
        4,
        "no temp file of a finished attestation remains: {names:?}"
    );

    // A damaged attestation is an error that names it, never a silently shorter history.
    let third = std::fs::read(dir.join("000003.json")).unwrap();
    std::fs::write(dir.join("000003.json"), &third[..third.len() - 10]).unwrap();
    let out = signoff(&[
        "status",
        "--snapshot",
        "fixtures/clean/aws-cn.json",
        "--dir",
        s(state),
    ]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains(&format!(
            "invalid attestation {}",
            s(&dir.join("000003.json"))
        )),
        "{}",
        stderr(&out)
    );
    std::fs::remove_file(dir.join("000003.json")).unwrap();
    std::fs::remove_file(dir.join("000002.json")).unwrap();
    std::fs::write(dir.join("000003.json"), &third).unwrap();
    let out = signoff(&[
        "status",
        "--snapshot",
        "fixtures/clean/aws-cn.json",
        "--dir",
        s(state),
    ]);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("attestation 2 is missing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tco_results_are_read_strictly_and_stale_costs_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let status = |tco: &Path| {
        signoff(&[
            "status",
            "--format",
            "json",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--dir",
            s(tmp.path()),
            "--tco",
            s(tco),
        ])
    };
    let tco = tmp.path().join("tco.json");
    let costs = tmp.path().join("costs.csv");
    std::fs::copy(fixture("signoff/cloud-costs.csv"), &costs).unwrap();
    let write = |version: u32, sha: &str| {
        std::fs::write(
            &tco,
            format!(
                r#"{{"tco_version": {version}, "limit": 0.7, "gated": {{"ratio": 0.5, "pass": true}},
                   "inputs": [{{"path": "{}", "sha256": "{sha}"}}]}}"#,
                s(&costs)
            ),
        )
        .unwrap();
    };
    write(1, &sha256sum(&costs));
    let out = status(&tco);
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(states(&doc)["constraint-tco"].0, "pass", "{doc}");
    // The cost data changed after `audit tco` ran.
    std::fs::write(&costs, "BillingPeriodStart,BilledCost\n2026-10-01,1\n").unwrap();
    let doc: serde_json::Value = serde_json::from_str(&stdout(&status(&tco))).unwrap();
    let (state, reason) = &states(&doc)["constraint-tco"];
    assert_eq!(state, "fail");
    assert!(
        reason.contains(&format!("cost input `{}` changed", s(&costs))),
        "{reason}"
    );
    write(2, &sha256sum(&costs));
    let out = status(&tco);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains("unsupported tco_version 2"),
        "{}",
        stderr(&out)
    );
    std::fs::write(
        &tco,
        r#"{"tco_version": 1, "limit": 0.7, "gated": {"ratio": 0.5}, "inputs": []}"#,
    )
    .unwrap();
    let out = status(&tco);
    assert_eq!(code(&out), 3);
    assert!(
        stderr(&out).contains(&format!("invalid TCO result {}:1:", s(&tco)))
            && stderr(&out).contains("pass"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn status_is_deterministic_and_gaps_fail_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let args = [
        "--snapshot",
        "fixtures/realistic/aws-cn.json",
        "--dir",
        s(tmp.path()),
        "--tco",
        TCO_PASS,
    ];
    let one = signoff(&[&["status"][..], &args[..]].concat());
    let two = signoff(&[&["status", "--workers", "1"][..], &args[..]].concat());
    assert_eq!(one.stdout, two.stdout);
    assert!(!one.stdout.is_empty());
    let gappy = edited_fixture(&tmp, "clean/aws-cn.json", "gappy.json", |doc| {
        doc["gaps"] = serde_json::json!([{
            "service": "ec2", "region": "cn-north-1", "operation": "DescribeSecurityGroups",
            "error_code": "AccessDenied", "message": "denied"
        }]);
    });
    let (c, doc) = status_json(&["--snapshot", &gappy, "--dir", s(tmp.path())]);
    assert_eq!(c, 4);
    let (state, reason) = &states(&doc)["constraint-security-groups"];
    assert_eq!(state, "fail");
    assert!(reason.contains("1 coverage gap(s)"), "{reason}");
    // A rule switched off cannot prove an item.
    let config = tmp.path().join("mine.toml");
    std::fs::write(
        &config,
        "[rules]\ndisabled = [\"residency-resource-abroad\"]\n",
    )
    .unwrap();
    let (_, doc) = status_json(&[
        "--snapshot",
        "fixtures/clean/aws-cn.json",
        "--dir",
        s(tmp.path()),
        "--config",
        s(&config),
    ]);
    let (state, reason) = &states(&doc)["constraint-data-residency"];
    assert_eq!(state, "fail");
    assert!(
        reason.contains("`residency-resource-abroad` disabled"),
        "{reason}"
    );
}

#[test]
fn a_rule_pack_from_disk_is_hashed_file_by_file() {
    let tmp = tempfile::tempdir().unwrap();
    let pack = tmp.path().join("pack");
    std::fs::create_dir(&pack).unwrap();
    for entry in std::fs::read_dir(repo().join("policies")).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            std::fs::copy(&path, pack.join(path.file_name().unwrap())).unwrap();
        }
    }
    let checklist = tmp.path().join("checklist.toml");
    std::fs::write(
        &checklist,
        "[[item]]\nid = \"iam\"\nphase = \"before\"\ntext = \"least privilege\"\n\
         blocking = true\nauto = { rules = [\"iam-*\"] }\n",
    )
    .unwrap();
    let state = tmp.path().join("state");
    let out = signoff(&[
        "sign",
        "--by",
        "li",
        "--role",
        "CTO",
        "--at",
        AT,
        "--snapshot",
        "fixtures/clean/aws-cn.json",
        "--policies",
        s(&pack),
        "--checklist",
        s(&checklist),
        "--dir",
        s(&state),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let record = records(&state).pop().unwrap();
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&record).unwrap()).unwrap();
    let policies: Vec<&serde_json::Value> = doc["statement"]["files"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["role"] == "policy")
        .collect();
    // Every .cedar file, the config and the schema of the pack.
    let cedar_files = std::fs::read_dir(&pack)
        .unwrap()
        .filter(|e| e.as_ref().unwrap().path().extension() == Some("cedar".as_ref()))
        .count();
    assert!(cedar_files >= 7, "{cedar_files}");
    assert_eq!(policies.len(), cedar_files + 2);
    let iam = pack.join("iam.cedar");
    let entry = policies.iter().find(|f| f["path"] == s(&iam)).unwrap();
    assert_eq!(entry["sha256"], sha256sum(&iam));
    assert!(
        entry.get("builtin").is_none(),
        "read from disk, not built in"
    );
    assert_eq!(code(&signoff(&["verify", s(&record)])), 0);
    let mut text = std::fs::read_to_string(&iam).unwrap();
    text.push_str("\n// edited after the sign-off\n");
    std::fs::write(&iam, text).unwrap();
    let out = signoff(&["verify", s(&record)]);
    assert_eq!(code(&out), 1);
    assert!(
        stdout(&out).contains(&format!("CHANGED policy `{}`", s(&iam))),
        "{}",
        stdout(&out)
    );
}

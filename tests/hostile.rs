//! The reproducers of the hostile-input review (issue 12), each as a regression test:
//! deep nesting, raw control characters in error messages, invalid UTF-8 and malformed
//! CSV in every text input, FOCUS dates and incomplete months, autolinks in Markdown,
//! and temp files left by a killed `report`.

use std::path::Path;

use crate::common::*;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Exit 3, one `error:` line naming `place`, no panic, no raw control byte.
fn refused_at(out: &std::process::Output, place: &str, message: &str) {
    let err = stderr(out);
    assert_eq!(code(out), 3, "stderr: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(place) && err.contains(message),
        "want `{place}` and `{message}` in: {err}"
    );
    assert!(
        !out.stderr.iter().any(|b| *b == 0x1b || *b == 0x07),
        "raw control byte in: {err:?}"
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let p = entry.unwrap().path();
        let target = to.join(p.file_name().unwrap());
        if p.is_dir() {
            copy_tree(&p, &target);
        } else {
            std::fs::copy(&p, target).unwrap();
        }
    }
}

/// A copy of the built-in rule pack to edit.
fn copy_policies(dir: &Path) -> std::path::PathBuf {
    let to = dir.join("policies");
    copy_tree(&repo().join("policies"), &to);
    to
}

/// Reproducer 1: 1,000 nested parentheses in a rule, 2,000 nested records in the
/// schema. They used to overflow the stack (SIGABRT, no message).
#[test]
fn deep_nesting_in_a_policy_or_the_schema_is_refused_at_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let pack = copy_policies(dir.path());
    let logs = pack.join("logs.cedar");
    let text = std::fs::read_to_string(&logs).unwrap();
    let at = text.find("when {").unwrap() + 6;
    let deep = format!(
        "{}{}true{} && {}",
        &text[..at],
        "(".repeat(1000),
        ")".repeat(1000),
        &text[at..]
    );
    std::fs::write(&logs, deep).unwrap();
    for args in [
        vec!["policies", "validate", s(&pack)],
        vec![
            "check",
            "--snapshot",
            "fixtures/clean/aws-cn.json",
            "--policies",
            s(&pack),
        ],
    ] {
        let out = audit(&args);
        refused_at(&out, "logs.cedar:", "more than 64 brackets nested");
    }
    std::fs::write(&logs, &text).unwrap();

    let schema = pack.join("schema.cedarschema");
    let original = std::fs::read_to_string(&schema).unwrap();
    let nested = format!(
        "{original}\ntype Deep = {}{};\n",
        "{ a: ".repeat(2000),
        " Bool }".repeat(2000)
    );
    std::fs::write(&schema, nested).unwrap();
    let out = audit(&["policies", "validate", s(&pack)]);
    refused_at(&out, "schema.cedarschema:", "more than 64 brackets nested");
}

/// Reproducer 2: input quoted in an error message is escaped and cut: an unknown type
/// made of terminal escapes, a megabyte-long waiver rule id.
#[test]
fn error_messages_never_carry_raw_control_characters_or_a_megabyte() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = edited_fixture(&dir, "clean/aws-cn.json", "escape.json", |doc| {
        doc["resources"][0]["type"] = "\u{1b}]0;PWNED\u{7}\u{1b}[41m".into();
    });
    let out = audit(&["check", "--snapshot", &snapshot]);
    refused_at(&out, "escape.json", "\\u{1b}]0;PWNED\\u{7}");

    let waivers = dir.path().join("waivers.toml");
    // `\u001b` is TOML's escape: the rule id holds a real ESC.
    let long_id = format!("x\\u001b[2J{}", "a".repeat(1 << 20));
    std::fs::write(
        &waivers,
        format!(
            "[[waiver]]\nrule = \"{long_id}\"\nresource = \"r\"\nreason = \"r\"\nowner = \"o\"\nticket = \"t\"\nexpires = 2099-01-01\n"
        ),
    )
    .unwrap();
    let out = audit(&[
        "check",
        "--snapshot",
        "fixtures/clean/aws-cn.json",
        "--waivers",
        s(&waivers),
    ]);
    refused_at(&out, "waivers.toml:2:", "characters)");
    assert!(
        out.stderr.len() < 4096,
        "a rejected megabyte is echoed: {} bytes",
        out.stderr.len()
    );
}

/// Reproducer 4: invalid UTF-8 in each text input is exit 3 with the line and column,
/// not exit 2 "stream did not contain valid UTF-8".
#[test]
fn invalid_utf8_in_every_text_input_is_exit_3_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    let bad = |name: &str, text: &str| {
        let path = dir.path().join(name);
        let mut bytes = text.as_bytes().to_vec();
        bytes.extend_from_slice(b"\xff\xfe\n");
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let clean = "fixtures/clean/aws-cn.json";

    let config = bad("config.toml", "# a comment\nx = ");
    let out = audit(&["check", "--snapshot", clean, "--config", s(&config)]);
    refused_at(&out, "config.toml:2:5", "not UTF-8 text (byte 0xFF)");

    let waivers = bad("waivers.toml", "\n\n# w");
    let out = audit(&["check", "--snapshot", clean, "--waivers", s(&waivers)]);
    refused_at(&out, "waivers.toml:3:4", "not UTF-8");

    let checklist = bad("checklist.toml", "[[item]]\nid = \"");
    let out = audit(&[
        "signoff",
        "status",
        "--snapshot",
        clean,
        "--checklist",
        s(&checklist),
        "--dir",
        s(dir.path()),
    ]);
    refused_at(&out, "checklist.toml:2:7", "not UTF-8");

    let assumptions = bad("tco.toml", "currency = \"CNY\"\n#");
    let out = audit(&[
        "tco",
        "--assumptions",
        s(&assumptions),
        "--costs",
        "fixtures/costs/focus-2026.csv",
        "--out",
        s(&dir.path().join("t1")),
    ]);
    refused_at(&out, "tco.toml:2:2", "not UTF-8");

    let mut csv = std::fs::read("fixtures/costs/focus-2026.csv").unwrap();
    csv.truncate(csv.iter().position(|b| *b == b'\n').unwrap() + 1);
    csv.extend_from_slice(
        b"2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,CNY,1,1,1,Usage,EC2,Compute,cn-north-1,i-1,\"{\"\"cost-center\"\":\"\"\xff\"\"}\"\n",
    );
    let costs = dir.path().join("costs.csv");
    std::fs::write(&costs, csv).unwrap();
    let out = audit(&[
        "tco",
        "--costs",
        s(&costs),
        "--out",
        s(&dir.path().join("t2")),
    ]);
    refused_at(&out, "costs.csv:2:", "not UTF-8");

    let pack = copy_policies(dir.path());
    let mut cedar = std::fs::read(pack.join("logs.cedar")).unwrap();
    cedar.extend_from_slice(b"\n// \xc3\x28\n");
    std::fs::write(pack.join("logs.cedar"), cedar).unwrap();
    let out = audit(&["policies", "validate", s(&pack)]);
    refused_at(&out, "logs.cedar:", "not UTF-8 text (byte 0xC3)");
}

fn tco_on(dir: &Path, name: &str, body: &str, extra: &[&str]) -> std::process::Output {
    let header = std::fs::read_to_string(fixture("costs/focus-2026.csv")).unwrap();
    let header = header.lines().next().unwrap();
    let path = dir.join(name);
    std::fs::write(&path, format!("{header}\n{body}")).unwrap();
    let out_dir = dir.join(format!("{name}.out"));
    let mut args = vec!["tco", "--costs", s(&path), "--out", s(&out_dir)];
    args.extend_from_slice(extra);
    audit(&args)
}

const ROW: &str =
    "2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,CNY,1,1,1,Usage,EC2,Compute,cn-north-1,i-1,{}";

/// Reproducers 5 and 8: bad quoting, ragged rows, all exit 3 with the line and row.
#[test]
fn focus_rows_with_bad_quoting_or_the_wrong_field_count_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "short.csv",
            format!("{ROW}\n2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,CNY,1,1,1,Usage,EC2,Compute,cn-north-1,i-1\n"),
            ":3:",
            "row 2 has 11 fields, the header has 12",
        ),
        (
            "long.csv",
            format!("{ROW},extra\n"),
            ":2:",
            "row 1 has 13 fields, the header has 12",
        ),
        (
            "stray-quote.csv",
            format!("{ROW}\n2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,CNY,1,1,1,Usage,EC\"2,Compute,cn-north-1,i-1,{{}}\n"),
            ":3:",
            "row 2: a quote inside an unquoted field",
        ),
        (
            "after-quote.csv",
            "2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,CNY,1,1,1,Usage,\"EC2\"x,Compute,cn-north-1,i-1,{}\n".to_string(),
            ":2:",
            "text after the closing quote",
        ),
        (
            "unclosed.csv",
            format!("{ROW}\n2026-11-01T00:00:00Z,2026-11-02T00:00:00Z,CNY,1,1,1,Usage,\"EC2,Compute\n"),
            ":3:",
            "a quoted field that is never closed",
        ),
    ];
    for (name, body, place, message) in cases {
        let out = tco_on(dir.path(), name, &body, &[]);
        refused_at(&out, &format!("{name}{place}"), message);
        assert!(
            !dir.path().join(format!("{name}.out/tco.json")).exists(),
            "{name}: a result was written"
        );
    }
}

/// Reproducer 6: dates are real dates, and one row in a new month does not make that
/// month the gated period.
#[test]
fn focus_dates_are_real_and_only_complete_months_are_gated() {
    let dir = tempfile::tempdir().unwrap();
    for (date, name) in [
        ("2026-02-30", "feb30.csv"),
        ("2026-04-31T00:00:00Z", "apr31.csv"),
        ("2026-02-3x", "feb3x.csv"),
    ] {
        let row = format!(
            "{date},2026-03-01T00:00:00Z,CNY,1,1,1,Usage,EC2,Compute,cn-north-1,i-1,{{}}\n"
        );
        let out = tco_on(dir.path(), name, &row, &[]);
        refused_at(&out, name, "not a real date");
        assert!(stderr(&out).contains("row 1"), "{}", stderr(&out));
    }
    // A real date followed by anything but an ISO 8601 time is refused too, at the field.
    for (start, end, name) in [
        (
            "2026-02-01Tgarbage",
            "2026-03-01T00:00:00Z",
            "start-tail.csv",
        ),
        (
            "2026-02-01T00:00:00Z",
            "2026-03-01T25:00:00Z",
            "end-tail.csv",
        ),
    ] {
        let row = format!("{start},{end},CNY,1,1,1,Usage,EC2,Compute,cn-north-1,i-1,{{}}\n");
        let out = tco_on(dir.path(), name, &row, &[]);
        refused_at(&out, name, "is not an ISO 8601 date or date and time");
        assert!(stderr(&out).contains("row 1"), "{}", stderr(&out));
    }

    // The bundled bill fails a 50 % limit in its latest month...
    let out_dir = dir.path().join("base");
    let base = audit(&[
        "tco",
        "--costs",
        "fixtures/costs/focus-2026.csv",
        "--limit",
        "0.5",
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(code(&base), 1, "{}", stderr(&base));
    // ...and still does with one row of a month that has barely started appended.
    let mut bill = std::fs::read_to_string(repo().join("fixtures/costs/focus-2026.csv")).unwrap();
    bill.push_str(
        "2026-12-01T00:00:00Z,2026-12-02T00:00:00Z,CNY,1.00,1.00,1.00,Usage,Amazon Elastic Compute Cloud,Compute,cn-northwest-1,i-1,{}\n",
    );
    let appended = dir.path().join("appended.csv");
    std::fs::write(&appended, bill).unwrap();
    let out_dir = dir.path().join("appended");
    let out = audit(&[
        "tco",
        "--costs",
        s(&appended),
        "--limit",
        "0.5",
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(
        code(&out),
        1,
        "the half-started month passed: {}",
        stdout(&out)
    );
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("tco.json")).unwrap()).unwrap();
    assert_eq!(doc["gated"]["from"], "2026-11");
    assert_eq!(doc["gated"]["to"], "2026-11");
    assert_eq!(doc["covered_until"], "2026-12-01");
    let basis = doc["gated"]["basis"].as_str().unwrap();
    assert!(
        basis.contains("latest complete month") && basis.contains("2026-12 has not ended"),
        "{basis}"
    );
    let months = doc["months"].as_array().unwrap();
    let last = months.last().unwrap();
    assert_eq!(
        (last["month"].as_str(), last["complete"].as_bool()),
        (Some("2026-12"), Some(false))
    );
    // Asking for the open month by name is refused, not judged on one day.
    let out = audit(&[
        "tco",
        "--costs",
        s(&appended),
        "--period",
        "2026-12",
        "--out",
        s(&dir.path().join("open")),
    ]);
    refused_at(&out, "2026-12", "has not ended in the cost data");
}

/// The Python interpreter of the test environment (tests/moto/setup installs cmarkgfm).
fn gfm_to_html(markdown: &Path) -> String {
    let out = std::process::Command::new(crate::moto::python())
        .args([
            "-c",
            "import sys, cmarkgfm\n\
             from cmarkgfm.cmark import Options\n\
             print(cmarkgfm.github_flavored_markdown_to_html(open(sys.argv[1], encoding='utf-8').read(), options=Options.CMARK_OPT_UNSAFE))",
            s(markdown),
        ])
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "cmark-gfm: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Reproducer 3: ids and tags that look like URLs, `www.` names and addresses render as
/// the literal text, and as no link, in GitHub-flavoured Markdown (cmark-gfm, the
/// renderer GitHub uses, with its autolink extension).
#[test]
fn urls_in_ids_and_tags_do_not_become_links_in_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = edited_fixture(&dir, "hostile/aws-cn.json", "links.json", |doc| {
        let resources = doc["resources"].as_array_mut().unwrap();
        let bucket = resources
            .iter()
            .find(|r| r["type"] == "s3_bucket")
            .unwrap()
            .clone();
        // Untagged, so that each has a finding and is shown.
        for id in [
            "www.evil.example",
            "https://evil.example/login?next=x_y_z",
            "mallory@evil.example",
        ] {
            let mut extra = bucket.clone();
            extra["id"] = id.into();
            extra["tags"] = serde_json::json!({});
            resources.push(extra);
        }
    });
    let out_dir = dir.path().join("out");
    let out = audit(&["report", "--snapshot", &snapshot, "--out", s(&out_dir)]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let md_path = out_dir.join("audit-report.md");
    let md = std::fs::read_to_string(&md_path).unwrap();
    assert!(md.contains("www&#46;evil.example"), "the name is shown");
    let html = gfm_to_html(&md_path);
    for needle in [
        "href=\"http://evil",
        "href=\"https://evil",
        "href=\"mailto:",
        "href=\"http://www.evil",
    ] {
        assert!(!html.contains(needle), "`{needle}` in the rendered report");
    }
    // The text reads as it is, escapes included.
    for id in [
        "www.evil.example",
        "https://evil.example/login?next=x_y_z",
        "mallory<!-- -->@evil.example",
    ] {
        assert!(html.contains(id), "`{id}` is not shown as it is");
    }
}

/// A `report` killed before its rename leaves `.NAME.audit-tmp-PID-...`; the next run
/// removes those of dead processes, and nothing else.
#[test]
fn report_removes_its_own_stale_temp_files_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(&out_dir).unwrap();
    // pid_max is at most 2^22 on Linux: this process cannot exist.
    let stale = out_dir.join(".audit-report.md.audit-tmp-99999999-abc123");
    let live = out_dir.join(format!(
        ".audit-report.md.audit-tmp-{}-def456",
        std::process::id()
    ));
    let foreign = out_dir.join(".tmpAbCdEf");
    for p in [&stale, &live, &foreign] {
        std::fs::write(p, "partial").unwrap();
    }
    let out = audit(&[
        "report",
        "--snapshot",
        "fixtures/clean/aws-cn.json",
        "--out",
        s(&out_dir),
    ]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(!stale.exists(), "a dead run's temp file stays");
    assert!(live.exists(), "a live run's temp file was removed");
    assert!(foreign.exists(), "a file that is not ours was removed");
    let leftovers: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".audit-tmp-") && !n.contains("def456"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

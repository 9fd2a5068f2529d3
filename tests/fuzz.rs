//! Mutation fuzzing of every loader, in process, on stable Rust.
//!
//! cargo-fuzz needs a nightly compiler and AFL++ an instrumented build of the whole
//! dependency tree (the AWS SDK and Polars included), neither of which fits this
//! project's machine and build budget. This is a small seeded mutation fuzzer instead:
//! each target starts from the files in `fixtures/` and `policies/` (and the reproducers
//! of issue 12), applies 1 to 4 random mutations per run (bit flips, interesting bytes,
//! dictionary tokens such as deep nesting, escapes and impossible dates, deletions,
//! duplications and splices between seeds), and feeds the loader. Every run must end in
//! either a value or an error that
//!
//! - is invalid input (exit 3), never a runtime failure (exit 2) or a panic;
//! - names the file (every message of a loader says where);
//! - prints, as the binary prints it, as one line with no control or deceptive
//!   character and no more than about 2,000 characters.
//!
//! A stack overflow aborts the test process, so it fails the run too.
//!
//! `AUDIT_FUZZ_ITERATIONS` (runs per target, default 2,000: a few seconds in CI) and
//! `AUDIT_FUZZ_SEED` choose the run; a failure prints the seed, the iteration and the
//! input (as `fuzz-failure-TARGET.bin` in the temp folder) to reproduce it. The long run
//! of the README: `AUDIT_FUZZ_ITERATIONS=1000000 cargo test --release --test tests fuzz`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use audit_model::ErrorKind;

use crate::common::*;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const BYTES: &[u8] = b"\x00\xff\x1b\x07\"\\{}[](),\n\r\t:=-09.#@`|<>\xc3\x80\xe2\xfe";

fn tokens() -> Vec<Vec<u8>> {
    let mut t: Vec<Vec<u8>> = [
        "\u{1b}]0;PWNED\u{7}\u{1b}[41m",
        "\u{202e}",
        "\"\"",
        "\\u0000",
        "\\ud800",
        "1e999",
        "-1",
        "18446744073709551616",
        "NaN",
        "null",
        "true",
        "[]",
        "{}",
        "2026-02-30",
        "2026-12-01T00:00:00Z",
        "0.0.0.0/0",
        "10.0.0.0/33",
        "global",
        "cn-north-1",
        "\"type\": \"account\"",
        "\"id\": \"x\"",
        "[[waiver]]",
        "[[item]]",
        "forbid(principal, action, resource) when { true };",
        "@id(\"x\")",
        "http://evil.example",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    for open in ["(", "[", "{", "!", "-", "[{\"a\":"] {
        t.push(open.repeat(3000).into_bytes());
    }
    t.push(b"\xef\xbb\xbf".to_vec());
    t
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], tokens: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..=rng.below(4) {
        let len = input.len();
        let at = rng.below(len + 1);
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                input[i] = BYTES[rng.below(BYTES.len())];
            }
            2 => {
                let t = &tokens[rng.below(tokens.len())];
                input.splice(at..at, t.iter().copied());
            }
            3 if len > 0 => {
                let end = (at + 1 + rng.below(64)).min(len);
                input.drain(at.min(end)..end);
            }
            4 if len > 0 => {
                let end = (at + 1 + rng.below(256)).min(len);
                let chunk: Vec<u8> = input[at.min(end)..end].to_vec();
                let to = rng.below(input.len() + 1);
                input.splice(to..to, chunk);
            }
            5 => {
                let other = &seeds[rng.below(seeds.len())];
                let from = rng.below(other.len() + 1);
                input.truncate(at);
                input.extend_from_slice(&other[from..]);
            }
            _ => {
                let i = rng.below(len + 1);
                input.insert(i, BYTES[rng.below(BYTES.len())]);
            }
        }
    }
}

fn iterations() -> usize {
    if let Some(n) = ITERATIONS.with(std::cell::Cell::get) {
        return n;
    }
    std::env::var("AUDIT_FUZZ_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000)
}

fn seed() -> u64 {
    std::env::var("AUDIT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x005e_ed0f_a0d1)
}

/// What one run of a loader ended in.
enum End {
    Ok,
    Err { kind: ErrorKind, message: String },
}

fn end<T, E: std::fmt::Display>(r: Result<T, E>, kind: impl Fn(&E) -> ErrorKind) -> End {
    match r {
        Ok(_) => End::Ok,
        Err(e) => End::Err {
            kind: kind(&e),
            message: e.to_string(),
        },
    }
}

/// Runs `target` over mutations of `seeds`; panics (with the reproducer saved) on the
/// first run that panics, fails at run time or names no file. Returns (runs, refused).
fn fuzz(
    name: &str,
    seed_files: &[PathBuf],
    path: &Path,
    target: impl Fn(&[u8]) -> End,
) -> (usize, usize) {
    let seeds: Vec<Vec<u8>> = seed_files
        .iter()
        .map(|p| std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())))
        .collect();
    assert!(!seeds.is_empty(), "{name}: no seeds");
    let tokens = tokens();
    let mut rng = Rng(seed()
        ^ name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }));
    let shown = path.display().to_string();
    let mut refused = 0;
    let n = iterations();
    for i in 0..n {
        let mut input = seeds[i % seeds.len()].clone();
        // Every seed also runs as it is, first.
        if i >= seeds.len() {
            mutate(&mut rng, &seeds, &tokens, &mut input);
        }
        let result = catch_unwind(AssertUnwindSafe(|| target(&input)));
        let problem = match &result {
            Err(_) => Some("panicked".to_string()),
            Ok(End::Err { kind, message }) => {
                refused += 1;
                if *kind != ErrorKind::InvalidInput {
                    Some(format!("not invalid input ({kind:?}): {message}"))
                } else if !message.contains(&shown) {
                    Some(format!("the message names no file: {message}"))
                } else {
                    // What the binary prints of it: one safe line, cut.
                    let printed = audit_text::message(message);
                    if printed
                        .chars()
                        .any(|c| c.is_control() || audit_text::is_deceptive(c))
                    {
                        Some(format!(
                            "a raw control character would be printed: {printed:?}"
                        ))
                    } else if printed.chars().count() > audit_text::MESSAGE_MAX_CHARS + 100 {
                        Some(format!(
                            "a message of {} characters",
                            printed.chars().count()
                        ))
                    } else {
                        None
                    }
                }
            }
            Ok(End::Ok) => None,
        };
        if let Some(problem) = problem {
            let saved = std::env::temp_dir().join(format!("fuzz-failure-{name}.bin"));
            let _ = std::fs::write(&saved, &input);
            panic!(
                "fuzz {name}: run {i} (AUDIT_FUZZ_SEED={}) {problem}; input saved as {}",
                seed(),
                saved.display()
            );
        }
    }
    eprintln!("fuzz {name}: {n} runs, {refused} refused, 0 failures");
    (n, refused)
}

fn files(dir: &str, ext: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(ext))
        .collect();
    out.sort();
    out
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Most mutations must be refused, or the fuzzer is not reaching the checks; some must
/// pass, or it is not reaching past the parser.
fn reaches_both(name: &str, (runs, refused): (usize, usize)) {
    assert!(refused > 0, "{name}: no mutation was refused");
    assert!(refused < runs, "{name}: nothing loaded, not even the seeds");
}

#[test]
fn fuzz_snapshot() {
    let mut seeds = files("fixtures/clean", ".json");
    seeds.extend(files("fixtures/bad", ".json"));
    seeds.extend(files("fixtures/hostile", ".json"));
    let path = Path::new("fuzz/snapshot.json");
    let r = fuzz("snapshot", &seeds, path, |b| {
        end(
            audit_model::read::stream_slice(
                path,
                b,
                &mut |_: &audit_model::Early, _: audit_model::Resource| Ok(()),
            ),
            |_| ErrorKind::InvalidInput,
        )
    });
    reaches_both("snapshot", r);
}

#[test]
fn fuzz_config_waivers_and_pack() {
    let (_, rules) = builtin();
    let default = repo().join("policies/audit.toml");
    let default_text = std::fs::read_to_string(&default).unwrap();
    let mut seeds = vec![default.clone()];
    seeds.extend(files("fixtures/bad", ".toml"));
    let path = Path::new("fuzz/audit.toml");
    let r = fuzz("config", &seeds, path, |b| {
        let t = text(b);
        end(
            audit_engine::config::load((&default, &default_text), Some((path, &t))),
            audit_engine::EngineError::kind,
        )
    });
    reaches_both("config", r);

    let path = Path::new("fuzz/waivers.toml");
    let r = fuzz(
        "waivers",
        &[repo().join("policies/waivers.toml")],
        path,
        |b| {
            end(
                audit_engine::waivers::parse_waivers(path, &text(b), &rules),
                audit_engine::EngineError::kind,
            )
        },
    );
    assert!(r.1 > 0, "waivers: no mutation was refused");

    // The pack: one of its files mutated per run. Cedar validation costs about a
    // millisecond, so this target runs a tenth as often.
    let pack = audit_engine::Pack::builtin().unwrap();
    let mut seeds: Vec<PathBuf> = files("policies", ".cedar");
    seeds.push(repo().join("policies/schema.cedarschema"));
    assert_eq!(
        seeds.len(),
        pack.policies.len() + 1,
        "one seed per pack file"
    );
    // An error may name any file of the pack (a mutated schema fails a policy that uses
    // it): each names the pack's folder.
    let root = Path::new("policies");
    let r = fuzz_every(10, "pack", &seeds, root, |k, b| {
        let mut p = pack.clone();
        let t = text(b);
        let file = if k == p.policies.len() {
            &mut p.schema
        } else {
            &mut p.policies[k]
        };
        file.path = root.join("fuzzed.cedar");
        file.text = t;
        end(
            audit_engine::load(&p, None),
            audit_engine::EngineError::kind,
        )
    });
    reaches_both("pack", r);
}

/// [`fuzz`] with a run count of iterations / `divisor`, and the run number passed on.
fn fuzz_every(
    divisor: usize,
    name: &str,
    seeds: &[PathBuf],
    path: &Path,
    target: impl Fn(usize, &[u8]) -> End,
) -> (usize, usize) {
    // Run i starts from seeds[i % len]: the target is told which.
    let counter = std::cell::Cell::new(0usize);
    let n = (iterations() / divisor).max(50);
    with_iterations(n, || {
        fuzz(name, seeds, path, |b| {
            let i = counter.get();
            counter.set(i + 1);
            target(i % seeds.len(), b)
        })
    })
}

thread_local! {
    static ITERATIONS: std::cell::Cell<Option<usize>> = const { std::cell::Cell::new(None) };
}

fn with_iterations<T>(n: usize, f: impl FnOnce() -> T) -> T {
    ITERATIONS.with(|c| c.set(Some(n)));
    let out = f();
    ITERATIONS.with(|c| c.set(None));
    out
}

#[test]
fn fuzz_checklist_and_signoff_documents() {
    let (_, rules) = builtin();
    let ids: Vec<String> = rules.rules.iter().map(|r| r.id.clone()).collect();
    let path = Path::new("fuzz/checklist.toml");
    let r = fuzz(
        "checklist",
        &[repo().join("policies/cutover-checklist.toml")],
        path,
        |b| {
            end(
                audit_signoff::checklist::parse(path, &text(b), &ids),
                audit_signoff::SignoffError::kind,
            )
        },
    );
    reaches_both("checklist", r);

    let path = Path::new("fuzz/tco.json");
    let r = fuzz(
        "tco-result",
        &files("fixtures/signoff", ".json"),
        path,
        |b| {
            end(
                audit_signoff::tco::parse(path, b),
                audit_signoff::SignoffError::kind,
            )
        },
    );
    reaches_both("tco-result", r);

    let record = signed_record();
    let path = Path::new("fuzz/signoff-record.json");
    let r = fuzz("signoff-record", &[record], path, |b| {
        end(
            audit_signoff::record::Record::parse(path, b),
            audit_signoff::SignoffError::kind,
        )
    });
    reaches_both("signoff-record", r);
}

/// A real sign-off record, made by the binary (no SSH key: the signature is empty).
fn signed_record() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("audit-fuzz-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let empty = dir.join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let checklist = dir.join("checklist.toml");
    std::fs::write(
        &checklist,
        "[[item]]\nid = \"residency\"\nphase = \"constraint\"\ntext = \"data stays home\"\n\
         blocking = true\nauto = { rules = [\"residency-*\"] }\n",
    )
    .unwrap();
    let state = dir.join("state");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_audit"))
        .args([
            "signoff",
            "sign",
            "--by",
            "li",
            "--role",
            "CTO",
            "--snapshot",
        ])
        .arg(fixture("clean/aws-cn.json"))
        .arg("--checklist")
        .arg(&checklist)
        .arg("--dir")
        .arg(&state)
        .arg("--waivers")
        .arg(&empty)
        .current_dir(repo())
        .env("AUDIT_NOW", "2026-11-22T10:00:00Z")
        .output()
        .unwrap();
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    std::fs::read_dir(&state)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "json"))
        .expect("a record")
}

#[test]
fn fuzz_tco_inputs() {
    let path = Path::new("fuzz/tco.toml");
    let r = fuzz(
        "assumptions",
        &[repo().join("policies/tco.toml")],
        path,
        |b| {
            end(
                audit_tco::assumptions::Assumptions::parse(path, &text(b)),
                audit_tco::TcoError::kind,
            )
        },
    );
    reaches_both("assumptions", r);

    let path = Path::new("fuzz/inventory.csv");
    let r = fuzz(
        "inventory",
        &[
            repo().join("fixtures/idc/inventory.csv"),
            repo().join("fixtures/signoff/idc-inventory.csv"),
        ],
        path,
        |b| {
            end(
                audit_tco::inventory::IdcInventory::parse(path, b),
                audit_tco::TcoError::kind,
            )
        },
    );
    reaches_both("inventory", r);

    // The strict CSV pass in memory, on the head of the bundled bill.
    let dir = tempfile::tempdir().unwrap();
    let bill = std::fs::read_to_string(repo().join("fixtures/costs/focus-2026.csv")).unwrap();
    let head: String = bill.lines().take(40).map(|l| format!("{l}\n")).collect();
    let head_path = dir.path().join("head.csv");
    std::fs::write(&head_path, &head).unwrap();
    let seeds = vec![
        head_path.clone(),
        repo().join("fixtures/signoff/cloud-costs.csv"),
    ];
    let path = Path::new("fuzz/costs.csv");
    let r = fuzz("focus-csv-rows", &seeds, path, |b| {
        end(
            audit_tco::csv_check::check_reader(path, b),
            audit_tco::TcoError::kind,
        )
    });
    reaches_both("focus-csv-rows", r);

    // The whole FOCUS read (Polars) through a file: about a millisecond a run.
    let file = dir.path().join("costs.csv");
    let options = audit_tco::focus::ReadOptions {
        cost_column: audit_tco::CostColumn::EffectiveCost,
        tag_key: "cost-center".into(),
        currency: "CNY".into(),
    };
    let r = fuzz_every(20, "focus-csv", &seeds, &file, |_, b| {
        std::fs::write(&file, b).unwrap();
        end(
            audit_tco::focus::read(&file, &options),
            audit_tco::TcoError::kind,
        )
    });
    reaches_both("focus-csv", r);
}

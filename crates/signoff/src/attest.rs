//! Attestations: a person's word, with a link to proof, that a manual item is done.
//!
//! Nothing is lost: each attestation is one file, `attestations/NNNNNN.json`, numbered in
//! sequence, never rewritten. A new one is written to a temp file in the same folder,
//! synced, then linked into its final name only if that name is free (`renameat2` with
//! `RENAME_NOREPLACE`, or link + unlink), and the folder is synced. A crash at any point
//! leaves either no new file or a whole one; a leftover temp file is not an attestation
//! and is ignored. Two people attesting at the same moment cannot take the same number:
//! the one who loses the race takes the next. Re-attesting an item adds a file; the
//! latest (highest number) counts, and the history stays.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::checklist::Checklist;
use crate::error::{Place, SignoffError};
use crate::hash::sha256_hex;

/// The attestation document version this build reads and writes.
pub const ATTESTATION_VERSION: u32 = 1;

/// The folder of attestations inside the sign-off state folder.
pub const ATTESTATIONS_DIR: &str = "attestations";

/// Temp files start with this; they are never read as attestations.
const TEMP_PREFIX: &str = ".attest-";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attestation {
    pub attestation_version: u32,
    /// Its number in the sequence, from 1; also its file name.
    pub seq: u64,
    pub item: String,
    pub by: String,
    /// A link to the proof (a ticket, a test report, a runbook).
    pub evidence: String,
    pub note: String,
    /// RFC 3339, UTC.
    pub at: String,
}

/// An attestation as stored: where, and the SHA-256 of its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub attestation: Attestation,
    pub path: PathBuf,
    pub sha256: String,
}

/// What a person attests; the store gives it its number.
#[derive(Debug, Clone)]
pub struct NewAttestation {
    pub item: String,
    pub by: String,
    pub evidence: String,
    pub note: String,
    pub at: jiff::Timestamp,
}

pub fn dir(state_dir: &Path) -> PathBuf {
    state_dir.join(ATTESTATIONS_DIR)
}

fn file_name(seq: u64) -> String {
    format!("{seq:06}.json")
}

/// The sequence number of an attestation file name (`000042.json`), or `None` for any
/// other file (temp files included).
fn seq_of(name: &str) -> Option<u64> {
    let digits = name.strip_suffix(".json")?;
    if digits.len() < 6 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Every attestation in `state_dir`, in sequence. The sequence must be whole (1, 2, ...):
/// a missing number means the history was cut, which is an error, not a smaller history.
pub fn load(state_dir: &Path) -> Result<Vec<Stored>, SignoffError> {
    let dir = dir(state_dir);
    let read_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SignoffError::Read { path, source }
    };
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(read_err(&dir)(e)),
    };
    let mut files: Vec<(u64, PathBuf)> = Vec::new();
    for entry in entries {
        let entry = entry.map_err(read_err(&dir))?;
        let name = entry.file_name();
        if let Some(seq) = name.to_str().and_then(seq_of) {
            files.push((seq, entry.path()));
        }
    }
    files.sort();
    let mut out = Vec::with_capacity(files.len());
    for (i, (seq, path)) in files.into_iter().enumerate() {
        let expected = i as u64 + 1;
        if seq != expected {
            return Err(SignoffError::input(
                "attestations",
                Place::file_only(&dir.join(file_name(expected))),
                format!(
                    "attestation {expected} is missing (the next is {seq}): the history is not whole"
                ),
            ));
        }
        let bytes = std::fs::read(&path).map_err(read_err(&path))?;
        let attestation = parse(&path, &bytes)?;
        if attestation.seq != seq {
            return Err(SignoffError::input(
                "attestation",
                Place::file_only(&path),
                format!("it says it is number {}, its name {seq}", attestation.seq),
            ));
        }
        out.push(Stored {
            attestation,
            sha256: sha256_hex(&bytes),
            path,
        });
    }
    Ok(out)
}

/// One attestation file's bytes, validated; `path` names them in errors.
pub fn parse(path: &Path, bytes: &[u8]) -> Result<Attestation, SignoffError> {
    let invalid = |line: usize, column: usize, message: String| {
        SignoffError::input("attestation", Place::at(path, line, column), message)
    };
    let a: Attestation =
        audit_model::json_doc::parse(bytes).map_err(|e| invalid(e.line, e.column, e.message))?;
    if a.attestation_version != ATTESTATION_VERSION {
        return Err(SignoffError::input(
            "attestation",
            Place::file_only(path),
            format!(
                "unsupported attestation_version {}: this build reads version {ATTESTATION_VERSION}",
                a.attestation_version
            ),
        ));
    }
    if a.at.parse::<jiff::Timestamp>().is_err() {
        return Err(SignoffError::input(
            "attestation",
            Place::file_only(path),
            format!("`at` is not an RFC 3339 time: `{}`", a.at),
        ));
    }
    Ok(a)
}

/// Checks what a person attests: the item exists and is manual, the fields are not blank
/// and the one-line fields are one line.
pub fn validate(new: &NewAttestation, checklist: &Checklist) -> Result<(), SignoffError> {
    let usage = |m: String| Err(SignoffError::Usage(m));
    match checklist.item(&new.item) {
        None => {
            return usage(format!(
                "no item `{}` in the checklist `{}`",
                new.item,
                checklist.path.display()
            ));
        }
        Some(item) if !item.is_manual() => {
            return usage(format!(
                "item `{}` is automated: the gate proves it, nobody attests it",
                new.item
            ));
        }
        Some(_) => {}
    }
    for (flag, value) in [("--by", &new.by), ("--evidence", &new.evidence)] {
        if value.trim().is_empty() {
            return usage(format!("`{flag}` must not be blank"));
        }
        if value.chars().any(char::is_control) {
            return usage(format!(
                "`{flag}` must be one line without control characters"
            ));
        }
    }
    Ok(())
}

/// Adds an attestation with the next free number, atomically; returns it as stored.
pub fn append(state_dir: &Path, new: &NewAttestation) -> Result<Stored, SignoffError> {
    use std::io::Write as _;
    let dir = dir(state_dir);
    let write_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SignoffError::Write { path, source }
    };
    std::fs::create_dir_all(&dir).map_err(write_err(&dir))?;
    let at = new
        .at
        .round(jiff::Unit::Second)
        .map_err(|e| SignoffError::Usage(format!("bad time: {e}")))?
        .to_string();
    // A few rounds: each lost race means someone else took the number.
    for _ in 0..64 {
        let seq = load(state_dir)?.len() as u64 + 1;
        let attestation = Attestation {
            attestation_version: ATTESTATION_VERSION,
            seq,
            item: new.item.clone(),
            by: new.by.trim().to_string(),
            evidence: new.evidence.trim().to_string(),
            note: new.note.clone(),
            at: at.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&attestation)
            .map_err(|e| SignoffError::Usage(format!("cannot encode the attestation: {e}")))?;
        bytes.push(b'\n');
        let path = dir.join(file_name(seq));
        let mut tmp = tempfile::Builder::new()
            .prefix(TEMP_PREFIX)
            .suffix(".tmp")
            .tempfile_in(&dir)
            .map_err(write_err(&dir))?;
        tmp.write_all(&bytes)
            .and_then(|()| tmp.as_file().sync_all())
            .map_err(write_err(tmp.path()))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            tmp.as_file()
                .set_permissions(std::fs::Permissions::from_mode(0o644))
                .map_err(write_err(tmp.path()))?;
        }
        match tmp.persist_noclobber(&path) {
            Ok(_) => {
                sync_dir(&dir).map_err(write_err(&dir))?;
                return Ok(Stored {
                    attestation,
                    sha256: sha256_hex(&bytes),
                    path,
                });
            }
            Err(e) if e.error.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(write_err(&path)(e.error)),
        }
    }
    Err(SignoffError::Write {
        path: dir,
        source: std::io::Error::other("too many attestations written at the same time"),
    })
}

/// Makes the new name durable: without it a power cut could lose the rename.
fn sync_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// The latest attestation of each item (the highest number wins).
pub fn latest<'a>(stored: &'a [Stored], item: &str) -> Option<&'a Stored> {
    stored.iter().rev().find(|s| s.attestation.item == item)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checklist() -> Checklist {
        let text = "[[item]]\nid = \"dr-drill\"\nphase = \"after\"\ntext = \"t\"\nblocking = true\nmanual = true\n\
                    [[item]]\nid = \"residency\"\nphase = \"after\"\ntext = \"t\"\nblocking = true\nauto = { rules = [\"r\"] }\n";
        crate::checklist::parse(Path::new("c.toml"), text, &["r".to_string()]).unwrap()
    }

    fn new(item: &str, by: &str, at: &str) -> NewAttestation {
        NewAttestation {
            item: item.into(),
            by: by.into(),
            evidence: "https://jira.example.cn/DR-7".into(),
            note: "restored in 12 min".into(),
            at: at.parse().unwrap(),
        }
    }

    #[test]
    fn appends_in_sequence_and_the_latest_wins() {
        let state = tempfile::tempdir().unwrap();
        assert!(load(state.path()).unwrap().is_empty());
        let a = append(state.path(), &new("dr-drill", "li", "2026-11-20T08:00:00Z")).unwrap();
        let b = append(
            state.path(),
            &new("dr-drill", "wang", "2026-11-20T09:00:00Z"),
        )
        .unwrap();
        assert_eq!(a.path.file_name().unwrap(), "000001.json");
        assert_eq!(b.path.file_name().unwrap(), "000002.json");
        let all = load(state.path()).unwrap();
        assert_eq!(all, [a.clone(), b.clone()]);
        assert_eq!(latest(&all, "dr-drill").unwrap().attestation.by, "wang");
        assert!(latest(&all, "other").is_none());
        // The first file is untouched by the second attestation.
        assert_eq!(
            crate::hash::sha256_file(&a.path).unwrap(),
            a.sha256,
            "never rewritten"
        );
    }

    #[test]
    fn a_crash_mid_write_leaves_the_previous_state_whole() {
        let state = tempfile::tempdir().unwrap();
        let first = append(state.path(), &new("dr-drill", "li", "2026-11-20T08:00:00Z")).unwrap();
        // What a crash between writing the temp file and linking it leaves behind.
        std::fs::write(
            dir(state.path()).join(".attest-crash1.tmp"),
            b"{\"attestation_version\": 1, \"seq\": 2, \"item\": \"dr-dr",
        )
        .unwrap();
        // Other files a person may drop in the folder are not attestations either.
        std::fs::write(dir(state.path()).join("README"), b"notes").unwrap();
        assert_eq!(load(state.path()).unwrap(), std::slice::from_ref(&first));
        let second = append(
            state.path(),
            &new("dr-drill", "wang", "2026-11-20T09:00:00Z"),
        )
        .unwrap();
        assert_eq!(second.attestation.seq, 2);
        assert_eq!(load(state.path()).unwrap(), [first, second]);
    }

    #[test]
    fn a_damaged_or_cut_history_is_an_error_not_a_smaller_history() {
        let state = tempfile::tempdir().unwrap();
        for by in ["a", "b", "c"] {
            append(state.path(), &new("dr-drill", by, "2026-11-20T08:00:00Z")).unwrap();
        }
        let d = dir(state.path());
        // A half-written file under a final name (e.g. copied by hand, not by audit).
        let text = std::fs::read_to_string(d.join("000002.json")).unwrap();
        std::fs::write(d.join("000002.json"), &text[..text.len() / 2]).unwrap();
        let err = load(state.path()).unwrap_err();
        assert_eq!(err.kind(), audit_model::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("000002.json:"), "{err}");
        std::fs::remove_file(d.join("000002.json")).unwrap();
        let err = load(state.path()).unwrap_err().to_string();
        assert!(err.contains("attestation 2 is missing"), "{err}");
        // Nor can a file claim another number than its name.
        std::fs::write(
            d.join("000002.json"),
            text.replace("\"seq\": 2", "\"seq\": 7"),
        )
        .unwrap();
        let err = load(state.path()).unwrap_err().to_string();
        assert!(err.contains("number 7"), "{err}");
    }

    #[test]
    fn racing_writers_never_share_a_number() {
        let state = tempfile::tempdir().unwrap();
        std::thread::scope(|s| {
            for t in 0..4 {
                let path = state.path();
                s.spawn(move || {
                    for _ in 0..5 {
                        append(
                            path,
                            &new("dr-drill", &format!("t{t}"), "2026-11-20T08:00:00Z"),
                        )
                        .unwrap();
                    }
                });
            }
        });
        let all = load(state.path()).unwrap();
        assert_eq!(all.len(), 20);
        for t in 0..4 {
            let mine = all
                .iter()
                .filter(|s| s.attestation.by == format!("t{t}"))
                .count();
            assert_eq!(mine, 5);
        }
    }

    #[test]
    fn only_manual_items_of_the_checklist_can_be_attested() {
        let c = checklist();
        let at = "2026-11-20T08:00:00Z";
        assert!(validate(&new("dr-drill", "li", at), &c).is_ok());
        let err = validate(&new("nope", "li", at), &c)
            .unwrap_err()
            .to_string();
        assert!(err.contains("no item `nope`"), "{err}");
        let err = validate(&new("residency", "li", at), &c)
            .unwrap_err()
            .to_string();
        assert!(err.contains("automated"), "{err}");
        let err = validate(&new("dr-drill", " ", at), &c)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`--by` must not be blank"), "{err}");
        let mut bad = new("dr-drill", "li", at);
        bad.evidence = "https://x\n[click](evil)".into();
        assert!(
            validate(&bad, &c)
                .unwrap_err()
                .to_string()
                .contains("one line")
        );
    }
}

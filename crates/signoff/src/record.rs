//! The sign-off record: what was signed (the statement: every input file's SHA-256, each
//! item's result and evidence, the attestations) and who signed it, when, and optionally
//! with an SSH signature. `verify` recomputes every hash from the files.
//!
//! The statement's digest is the SHA-256 of its compact JSON as this crate writes it. It
//! holds no floating-point numbers (ratios are kept as text), so reading a record back and
//! writing the statement again gives the very same bytes.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use crate::attest::Attestation;
use crate::error::{Place, SignoffError};
use crate::evaluate::ItemResult;
use crate::hash::{sha256_file, sha256_hex};

/// The record format this build reads and writes.
pub const RECORD_VERSION: u32 = 1;

/// The `ssh-keygen -Y` namespace of sign-off signatures, so that a signature made for
/// something else (a git commit, a file) can never pass as a sign-off.
pub const SSH_NAMESPACE: &str = "audit-signoff";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Record {
    pub record_version: u32,
    /// SHA-256 of the statement's compact JSON.
    pub statement_sha256: String,
    pub statement: Statement,
    /// In the order they signed.
    pub signatures: Vec<Signature>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    pub tool: ToolInfo,
    pub checklist: String,
    pub snapshot: SnapshotInfo,
    pub gate: GateInfo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tco: Option<TcoInfo>,
    /// Every input, sorted by role and path.
    pub files: Vec<HashedFile>,
    /// In checklist order (phase, then id).
    pub items: Vec<ItemResult>,
    /// The whole history, in sequence.
    pub attestations: Vec<Attestation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolInfo {
    pub name: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotInfo {
    pub path: String,
    pub account_id: String,
    pub partition: String,
    pub collected_at: String,
    pub resources: u64,
    pub gaps: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateInfo {
    pub fail_on: String,
    pub allow_incomplete: bool,
    pub findings: u64,
    pub open: u64,
    pub waived: u64,
    pub baselined: u64,
    pub expired_waivers: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TcoInfo {
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    pub ratio: String,
    pub limit: String,
    pub pass: bool,
}

/// What an input file is to the sign-off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Snapshot,
    Checklist,
    Policy,
    Config,
    Waivers,
    Baseline,
    Tco,
    CostInput,
    Attestation,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Snapshot => "snapshot",
            Role::Checklist => "checklist",
            Role::Policy => "policy",
            Role::Config => "config",
            Role::Waivers => "waivers",
            Role::Baseline => "baseline",
            Role::Tco => "tco",
            Role::CostInput => "cost-input",
            Role::Attestation => "attestation",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashedFile {
    pub role: Role,
    /// As given on the command line (relative paths are relative to where audit ran).
    pub path: String,
    pub sha256: String,
    /// Built into the binary (the built-in rule pack): `verify` compares it with the
    /// verifying binary's copy.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub builtin: bool,
}

impl HashedFile {
    pub fn of(role: Role, path: &Path) -> Result<HashedFile, SignoffError> {
        let sha256 = sha256_file(path).map_err(|source| SignoffError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Ok(HashedFile {
            role,
            path: path.display().to_string(),
            sha256,
            builtin: false,
        })
    }

    pub fn builtin(role: Role, path: &str, bytes: &[u8]) -> HashedFile {
        HashedFile {
            role,
            path: path.to_string(),
            sha256: sha256_hex(bytes),
            builtin: true,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    pub by: String,
    pub role: String,
    /// RFC 3339, UTC.
    pub at: String,
    /// `ssh-keygen -Y sign` output (armored) over [`signed_message`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ssh_signature: Option<String>,
}

impl Statement {
    pub fn digest(&self) -> Result<String, SignoffError> {
        serde_json::to_vec(self)
            .map(|bytes| sha256_hex(&bytes))
            .map_err(|e| SignoffError::Usage(format!("cannot encode the statement: {e}")))
    }
}

impl Record {
    /// Where the record of a statement lives in the state folder: one record per
    /// statement, so that people signing the same inputs sign the same record and a
    /// sign-off on other inputs never replaces an earlier one.
    pub fn path_in(state_dir: &Path, statement_sha256: &str) -> PathBuf {
        let short = statement_sha256.get(..12).unwrap_or(statement_sha256);
        state_dir.join(format!("signoff-{short}.json"))
    }

    pub fn load(path: &Path) -> Result<Record, SignoffError> {
        let bytes = std::fs::read(path).map_err(|source| SignoffError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Record::parse(path, &bytes)
    }

    /// [`Record::load`] over bytes already read; `path` only names them in errors.
    pub fn parse(path: &Path, bytes: &[u8]) -> Result<Record, SignoffError> {
        let record: Record = audit_model::json_doc::parse(bytes).map_err(|e| {
            SignoffError::input(
                "sign-off record",
                Place::at(path, e.line, e.column),
                e.message,
            )
        })?;
        if record.record_version != RECORD_VERSION {
            return Err(SignoffError::input(
                "sign-off record",
                Place::file_only(path),
                format!(
                    "unsupported record_version {}: this build reads version {RECORD_VERSION}",
                    record.record_version
                ),
            ));
        }
        Ok(record)
    }
}

/// Held while a record is read, signed and written, so that two people signing the same
/// record at once cannot lose a signature (the later write would drop the earlier one).
/// Like git's `index.lock`: created exclusively, removed when dropped; one left by a crash
/// must be deleted by hand, which the error says.
#[derive(Debug)]
pub struct SignLock {
    path: PathBuf,
}

impl SignLock {
    pub const FILE: &'static str = "signoff.lock";

    pub fn acquire(state_dir: &Path) -> Result<SignLock, SignoffError> {
        let write_err = |path: &Path, source| SignoffError::Write {
            path: path.to_path_buf(),
            source,
        };
        std::fs::create_dir_all(state_dir).map_err(|e| write_err(state_dir, e))?;
        let path = state_dir.join(Self::FILE);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(_) => Ok(SignLock { path }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                Err(SignoffError::Usage(format!(
                    "`{}` exists: someone is signing right now, or a sign-off crashed \
                     (then delete the file)",
                    path.display()
                )))
            }
            Err(e) => Err(write_err(&path, e)),
        }
    }
}

impl Drop for SignLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The bytes a signer signs: the statement's digest and the signer's own line, so that
/// neither the evidence nor the name, role or time can change under the signature.
pub fn signed_message(statement_sha256: &str, signature: &Signature) -> Vec<u8> {
    // A struct, not a `json!` map: its field order is fixed whatever serde_json's features.
    #[derive(Serialize)]
    struct Message<'a> {
        namespace: &'a str,
        statement_sha256: &'a str,
        by: &'a str,
        role: &'a str,
        at: &'a str,
    }
    let message = Message {
        namespace: SSH_NAMESPACE,
        statement_sha256,
        by: &signature.by,
        role: &signature.role,
        at: &signature.at,
    };
    let mut bytes = serde_json::to_vec(&message).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Signs `message` with the SSH key at `key` (`ssh-keygen -Y sign`, as git does); returns
/// the armored signature.
pub fn ssh_sign(key: &Path, message: &[u8]) -> Result<String, SignoffError> {
    let tmp = tempfile::tempdir().map_err(|e| SignoffError::Ssh(e.to_string()))?;
    let msg = tmp.path().join("message");
    std::fs::write(&msg, message).map_err(|e| SignoffError::Ssh(e.to_string()))?;
    let out = Command::new("ssh-keygen")
        .args(["-Y", "sign", "-n", SSH_NAMESPACE, "-f"])
        .arg(key)
        .arg(&msg)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| SignoffError::Ssh(format!("cannot run `ssh-keygen`: {e}")))?;
    if !out.status.success() {
        return Err(SignoffError::Ssh(format!(
            "`ssh-keygen -Y sign -f {}` failed: {}",
            key.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    std::fs::read_to_string(tmp.path().join("message.sig"))
        .map_err(|e| SignoffError::Ssh(format!("no signature written: {e}")))
}

/// Checks a signature with `ssh-keygen -Y verify` against an allowed-signers file
/// (`PRINCIPAL KEYTYPE KEY` lines, as for git): the signer's name is the principal.
pub fn ssh_verify(
    allowed_signers: &Path,
    principal: &str,
    signature: &str,
    message: &[u8],
) -> Result<(), String> {
    use std::io::Write as _;
    let tmp = tempfile::tempdir().map_err(|e| e.to_string())?;
    let sig = tmp.path().join("message.sig");
    std::fs::write(&sig, signature).map_err(|e| e.to_string())?;
    let mut child = Command::new("ssh-keygen")
        .args(["-Y", "verify", "-n", SSH_NAMESPACE, "-f"])
        .arg(allowed_signers)
        .arg("-I")
        .arg(principal)
        .arg("-s")
        .arg(&sig)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `ssh-keygen`: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(message).map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() {
        Ok(())
    } else {
        let said = String::from_utf8_lossy(&out.stderr);
        let said = said.trim();
        Err(if said.is_empty() {
            String::from_utf8_lossy(&out.stdout).trim().to_string()
        } else {
            said.to_string()
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileState {
    Same,
    Changed { now: String },
    Unreadable { error: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileCheck {
    pub file: HashedFile,
    pub state: FileState,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureState {
    Valid,
    Invalid(String),
    /// Signed without an SSH key, while signatures were asked to be checked.
    Unsigned,
    /// No allowed-signers file given.
    NotChecked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The statement's digest as recomputed now.
    pub statement_sha256: String,
    /// Whether it equals the digest the record states.
    pub statement_intact: bool,
    pub files: Vec<FileCheck>,
    pub signatures: Vec<(Signature, SignatureState)>,
}

impl Verification {
    pub fn ok(&self) -> bool {
        self.statement_intact
            && self.files.iter().all(|f| f.state == FileState::Same)
            && self
                .signatures
                .iter()
                .all(|(_, s)| matches!(s, SignatureState::Valid | SignatureState::NotChecked))
    }
}

/// Recomputes every hash of `record` from the files (built-in files from `builtin`, which
/// gives the verifying binary's copy by path), and checks each SSH signature against
/// `allowed_signers` when given.
pub fn verify(
    record: &Record,
    builtin: &dyn Fn(&str) -> Option<Vec<u8>>,
    allowed_signers: Option<&Path>,
) -> Result<Verification, SignoffError> {
    let statement_sha256 = record.statement.digest()?;
    let files = record
        .statement
        .files
        .iter()
        .map(|file| {
            let now = if file.builtin {
                builtin(&file.path)
                    .map(|bytes| sha256_hex(&bytes))
                    .ok_or_else(|| "not built into this binary".to_string())
            } else {
                sha256_file(Path::new(&file.path)).map_err(|e| e.to_string())
            };
            let state = match now {
                Ok(now) if now == file.sha256 => FileState::Same,
                Ok(now) => FileState::Changed { now },
                Err(error) => FileState::Unreadable { error },
            };
            FileCheck {
                file: file.clone(),
                state,
            }
        })
        .collect();
    let signatures = record
        .signatures
        .iter()
        .map(|s| {
            let state = match (allowed_signers, &s.ssh_signature) {
                (None, _) => SignatureState::NotChecked,
                (Some(_), None) => SignatureState::Unsigned,
                (Some(allowed), Some(sig)) => {
                    // The digest recomputed now, not the one the record states.
                    match ssh_verify(allowed, &s.by, sig, &signed_message(&statement_sha256, s)) {
                        Ok(()) => SignatureState::Valid,
                        Err(e) => SignatureState::Invalid(e),
                    }
                }
            };
            (s.clone(), state)
        })
        .collect();
    Ok(Verification {
        statement_intact: statement_sha256 == record.statement_sha256,
        statement_sha256,
        files,
        signatures,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::{Evidence, Kind, State, TcoEvidence};

    pub fn statement() -> Statement {
        Statement {
            tool: ToolInfo {
                name: "audit".into(),
                version: "0.1.0".into(),
            },
            checklist: "c.toml".into(),
            snapshot: SnapshotInfo {
                path: "s.json".into(),
                account_id: "210987654321".into(),
                partition: "aws-cn".into(),
                collected_at: "2026-11-20T02:00:00Z".into(),
                resources: 67,
                gaps: 0,
            },
            gate: GateInfo {
                fail_on: "low".into(),
                allow_incomplete: false,
                findings: 39,
                open: 0,
                waived: 39,
                baselined: 0,
                expired_waivers: 0,
            },
            tco: Some(TcoInfo {
                path: "t.json".into(),
                currency: Some("CNY".into()),
                period: None,
                from: None,
                to: None,
                ratio: "0.1".into(),
                limit: "0.7".into(),
                pass: true,
            }),
            files: vec![],
            items: vec![ItemResult {
                id: "tco".into(),
                phase: crate::checklist::Phase::Constraint,
                text: "TCO \"quoted\" 中文".into(),
                blocking: true,
                kind: Kind::Auto,
                state: State::Pass,
                reason: "fine".into(),
                evidence: Evidence {
                    tco: Some(TcoEvidence {
                        ratio: "0.30000000000000004".into(),
                        limit: "0.7".into(),
                        pass: true,
                    }),
                    ..Evidence::default()
                },
            }],
            attestations: vec![],
        }
    }

    #[test]
    fn a_record_reads_back_to_the_same_statement_digest() {
        let dir = tempfile::tempdir().unwrap();
        let input = dir.path().join("in.txt");
        std::fs::write(&input, "x").unwrap();
        let mut st = statement();
        st.files
            .push(HashedFile::of(Role::Snapshot, &input).unwrap());
        st.files.push(HashedFile::builtin(
            Role::Policy,
            "policies/a.cedar",
            b"forbid",
        ));
        let digest = st.digest().unwrap();
        let record = Record {
            record_version: RECORD_VERSION,
            statement_sha256: digest.clone(),
            statement: st,
            signatures: vec![Signature {
                by: "li".into(),
                role: "CISO".into(),
                at: "2026-11-20T09:00:00Z".into(),
                ssh_signature: None,
            }],
        };
        let path = dir.path().join("r.json");
        std::fs::write(&path, serde_json::to_string_pretty(&record).unwrap()).unwrap();
        let back = Record::load(&path).unwrap();
        assert_eq!(back, record);
        assert_eq!(back.statement.digest().unwrap(), digest);

        let builtin = |p: &str| (p == "policies/a.cedar").then(|| b"forbid".to_vec());
        let v = verify(&back, &builtin, None).unwrap();
        assert!(v.ok(), "{v:?}");
        assert_eq!(v.signatures[0].1, SignatureState::NotChecked);

        // A changed input, a changed built-in file and an edited statement are each seen.
        std::fs::write(&input, "y").unwrap();
        let other = |_: &str| Some(b"permit".to_vec());
        let mut edited = back.clone();
        edited.statement.items[0].state = State::Fail;
        let v = verify(&edited, &other, None).unwrap();
        assert!(!v.ok());
        assert!(!v.statement_intact);
        assert!(
            v.files
                .iter()
                .all(|f| matches!(f.state, FileState::Changed { .. }))
        );
        std::fs::remove_file(&input).unwrap();
        let v = verify(&back, &builtin, None).unwrap();
        assert!(matches!(v.files[0].state, FileState::Unreadable { .. }));
    }

    #[test]
    fn unknown_fields_and_versions_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let record = Record {
            record_version: RECORD_VERSION,
            statement_sha256: String::new(),
            statement: statement(),
            signatures: vec![],
        };
        let mut value = serde_json::to_value(&record).unwrap();
        value["statement"]["extra"] = true.into();
        let path = dir.path().join("r.json");
        std::fs::write(&path, serde_json::to_string_pretty(&value).unwrap()).unwrap();
        let err = Record::load(&path).unwrap_err();
        assert_eq!(err.kind(), audit_model::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("unknown field `extra`"), "{err}");
        let mut value = serde_json::to_value(&record).unwrap();
        value["record_version"] = 9.into();
        std::fs::write(&path, value.to_string()).unwrap();
        let err = Record::load(&path).unwrap_err().to_string();
        assert!(err.contains("unsupported record_version 9"), "{err}");
    }

    #[test]
    fn the_signed_message_binds_the_signer() {
        let s = Signature {
            by: "li".into(),
            role: "CISO".into(),
            at: "2026-11-20T09:00:00Z".into(),
            ssh_signature: None,
        };
        let m = signed_message("ab", &s);
        assert_eq!(
            String::from_utf8(m.clone()).unwrap(),
            "{\"namespace\":\"audit-signoff\",\"statement_sha256\":\"ab\",\"by\":\"li\",\"role\":\"CISO\",\"at\":\"2026-11-20T09:00:00Z\"}\n"
        );
        let other = Signature {
            role: "CTO".into(),
            ..s
        };
        assert_ne!(signed_message("ab", &other), m);
        assert_ne!(signed_message("ac", &other), signed_message("ab", &other));
    }
}

//! The AWS API emulator for the collector tests: moto in server mode on 127.0.0.1,
//! seeded once per test process by tests/moto/seed.py.
//!
//! `AUDIT_MOTO_URL` names a running server (`.ci/run` starts one); otherwise the tests
//! start their own from the virtual environment that `tests/moto/setup` makes
//! (`AUDIT_PYTHON` overrides its interpreter). Either way the server is reset and seeded
//! here, and nothing is sent anywhere but the loopback address.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Output, Stdio};
use std::sync::{Mutex, OnceLock};

use crate::common::repo;

pub struct Moto {
    pub url: String,
    pub manifest: serde_json::Value,
    /// Keeps the seeded manifest's folder alive.
    _dir: tempfile::TempDir,
}

/// Servers and proxies started by this process: their stdin is held open, and when the
/// process ends the pipes close and they stop.
static CHILDREN: Mutex<Vec<(Child, ChildStdin)>> = Mutex::new(Vec::new());

pub fn python() -> PathBuf {
    if let Some(p) = std::env::var_os("AUDIT_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the collector tests need moto: run `tests/moto/setup` (or set AUDIT_MOTO_URL / AUDIT_PYTHON)"
    );
    venv
}

/// Starts a helper script that prints its port on the first line and runs until its
/// stdin closes.
pub fn start_script(script: &str, args: &[&str]) -> u16 {
    let mut child = Command::new(python())
        .arg(repo().join("tests/moto").join(script))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap_or_else(|e| panic!("start {script}: {e}"));
    let stdin = child.stdin.take().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port: u16 = line
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("{script} printed `{line}` instead of a port"));
    CHILDREN.lock().unwrap().push((child, stdin));
    port
}

pub fn moto() -> &'static Moto {
    static MOTO: OnceLock<Moto> = OnceLock::new();
    MOTO.get_or_init(|| {
        let url = match std::env::var("AUDIT_MOTO_URL") {
            Ok(url) => url,
            Err(_) => format!("http://127.0.0.1:{}", start_script("serve.py", &[])),
        };
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "the emulator must be on the loopback address, not `{url}`"
        );
        let reset = Command::new(python())
            .args([
                "-c",
                "import sys, urllib.request; urllib.request.urlopen(urllib.request.Request(sys.argv[1] + '/moto-api/reset', method='POST'))",
                &url,
            ])
            .output()
            .unwrap();
        assert!(reset.status.success(), "reset moto: {}", String::from_utf8_lossy(&reset.stderr));
        let dir = tempfile::tempdir().unwrap();
        let manifest_path = dir.path().join("manifest.json");
        let seed = Command::new(python())
            .arg(repo().join("tests/moto/seed.py"))
            .arg(&url)
            .arg(&manifest_path)
            .output()
            .unwrap();
        assert!(
            seed.status.success(),
            "seed.py failed: {}",
            String::from_utf8_lossy(&seed.stderr)
        );
        let manifest = serde_json::from_str(&std::fs::read_to_string(&manifest_path).unwrap()).unwrap();
        Moto {
            url,
            manifest,
            _dir: dir,
        }
    })
}

/// A `Command` for `audit` that can reach only the given endpoint, with the emulator's
/// test credentials and none of the machine's AWS configuration.
pub fn audit_cmd() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_audit"));
    cmd.current_dir(repo()).env("NO_COLOR", "1");
    for var in [
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_REGION",
        "AWS_DEFAULT_REGION",
        "AWS_SESSION_TOKEN",
        "AWS_ROLE_ARN",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_ENDPOINT_URL",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env(
            "AWS_SECRET_ACCESS_KEY",
            "testing-secret-never-in-a-snapshot",
        )
        // Never ask the instance metadata service (169.254.169.254) for credentials.
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", "/nonexistent/audit-test-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/audit-test-credentials",
        );
    cmd
}

pub fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run audit")
}

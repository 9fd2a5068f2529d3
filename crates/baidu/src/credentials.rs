//! Where the access key comes from, the way Baidu's own tools take it (see the README's
//! Baidu section for the sources of each name): `--profile NAME` reads that section of
//! the credentials file; otherwise the environment variables, then the file's default
//! section. The secret and the session token never reach a snapshot, a log line or a
//! `Debug` print.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use crate::sign::Signer;

/// The environment variables of Baidu's Terraform provider (`access_key`, `secret_key`
/// and `region` of `baiducloud`, read from these by `schema.EnvDefaultFunc`).
pub const ENV_ACCESS_KEY: &str = "BAIDUCLOUD_ACCESS_KEY";
pub const ENV_SECRET_KEY: &str = "BAIDUCLOUD_SECRET_KEY";
/// An STS session token beside a temporary key pair. GUESS: our name; the Terraform
/// provider takes STS through `assume_role`, not the environment (NOTES.md).
pub const ENV_SECURITY_TOKEN: &str = "BAIDUCLOUD_SECURITY_TOKEN";
/// Overrides where the credentials file is.
pub const ENV_CREDENTIALS_FILE: &str = "BAIDUCLOUD_CREDENTIALS_FILE";
/// The credentials file below the home folder. GUESS: modelled on the BCE CLI's, whose
/// format was not found in the sources (NOTES.md).
pub const CREDENTIALS_FILE: &str = ".bce/credentials";
/// The section read when no profile is named.
pub const DEFAULT_PROFILE: &str = "defaults";

#[derive(Clone)]
pub struct Credentials {
    pub access_key: String,
    secret_key: String,
    security_token: Option<String>,
    /// Where they came from, for messages: `environment`, or `FILE [section]`.
    pub source: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("access_key", &self.access_key)
            .field("secret_key", &"<redacted>")
            .field(
                "security_token",
                &self.security_token.as_ref().map(|_| "<redacted>"),
            )
            .field("source", &self.source)
            .finish()
    }
}

impl Credentials {
    pub fn new(access_key: &str, secret_key: &str, security_token: Option<&str>) -> Self {
        Credentials {
            access_key: access_key.to_string(),
            secret_key: secret_key.to_string(),
            security_token: security_token.map(str::to_string),
            source: "given".into(),
        }
    }

    pub fn is_sts(&self) -> bool {
        self.security_token.is_some()
    }

    pub fn signer(&self) -> Signer {
        let s = Signer::new(&self.access_key, &self.secret_key);
        match &self.security_token {
            Some(t) => s.with_security_token(t),
            None => s,
        }
    }
}

/// Finds the credentials. `env` reads a variable (the process environment in the
/// binary, a map in tests); `home` is the home folder.
pub fn resolve(
    profile: Option<&str>,
    env: &dyn Fn(&str) -> Option<String>,
    home: Option<&Path>,
) -> Result<Credentials, String> {
    let value = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    let file = value(ENV_CREDENTIALS_FILE)
        .map(PathBuf::from)
        .or_else(|| home.map(|h| h.join(CREDENTIALS_FILE)));
    if let Some(name) = profile {
        let Some(path) = file else {
            return Err(format!(
                "--profile {name}: no credentials file (no home folder; set {ENV_CREDENTIALS_FILE})"
            ));
        };
        return from_file(&path, name)?.ok_or_else(|| {
            format!(
                "--profile {name}: no section [{name}] in {}",
                path.display()
            )
        });
    }
    match (value(ENV_ACCESS_KEY), value(ENV_SECRET_KEY)) {
        (Some(ak), Some(sk)) => {
            return Ok(Credentials {
                access_key: ak.trim().to_string(),
                secret_key: sk.trim().to_string(),
                security_token: value(ENV_SECURITY_TOKEN).map(|t| t.trim().to_string()),
                source: "environment".into(),
            });
        }
        (Some(_), None) => {
            return Err(format!(
                "{ENV_ACCESS_KEY} is set but {ENV_SECRET_KEY} is not"
            ));
        }
        (None, Some(_)) => {
            return Err(format!(
                "{ENV_SECRET_KEY} is set but {ENV_ACCESS_KEY} is not"
            ));
        }
        (None, None) => {}
    }
    if let Some(path) = &file
        && path.exists()
        && let Some(c) = from_file(path, DEFAULT_PROFILE)?
    {
        return Ok(c);
    }
    Err(format!(
        "no Baidu credentials: set {ENV_ACCESS_KEY} and {ENV_SECRET_KEY} (and {ENV_SECURITY_TOKEN} for STS), or write them to ~/{CREDENTIALS_FILE} under [{DEFAULT_PROFILE}] (or a section named by --profile)"
    ))
}

/// The section `profile` of an INI credentials file, or `None` when it has none.
/// Keys (any case): `ak` or `access_key_id`, `sk` or `secret_access_key`, and
/// `sts_token` or `session_token` for STS credentials.
fn from_file(path: &Path, profile: &str) -> Result<Option<Credentials>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the credentials file {}: {e}", path.display()))?;
    let sections = parse_ini(&text).map_err(|(line, msg)| {
        format!("invalid credentials file {}:{line}: {msg}", path.display())
    })?;
    let Some(section) = sections.get(profile) else {
        return Ok(None);
    };
    let get = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| section.get(*n))
            .filter(|v| !v.is_empty())
            .cloned()
    };
    let where_ = format!("{} [{profile}]", path.display());
    let ak = get(&["ak", "access_key_id"])
        .ok_or_else(|| format!("{where_} has no `ak` (access key id)"))?;
    let sk = get(&["sk", "secret_access_key"])
        .ok_or_else(|| format!("{where_} has no `sk` (secret access key)"))?;
    Ok(Some(Credentials {
        access_key: ak,
        secret_key: sk,
        security_token: get(&["sts_token", "session_token", "security_token"]),
        source: where_,
    }))
}

type Sections = BTreeMap<String, BTreeMap<String, String>>;

/// `[section]` headers and `key = value` lines; `#` and `;` start comments. Keys are
/// lower-cased. An error gives the line; it never quotes a value (it may be a secret).
fn parse_ini(text: &str) -> Result<Sections, (usize, String)> {
    let mut out = Sections::new();
    let mut current: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(name) = line.strip_prefix('[') {
            let name = name
                .strip_suffix(']')
                .ok_or((i + 1, "a section header without its `]`".to_string()))?
                .trim();
            out.entry(name.to_string()).or_default();
            current = Some(name.to_string());
            continue;
        }
        let (k, v) = line
            .split_once('=')
            .or_else(|| line.split_once(':'))
            .ok_or((i + 1, "expected `key = value`".to_string()))?;
        let section = current
            .as_ref()
            .ok_or((i + 1, "a key before any [section]".to_string()))?;
        out.entry(section.clone())
            .or_default()
            .insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: BTreeMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn environment_first_then_the_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".bce")).unwrap();
        std::fs::write(
            dir.path().join(CREDENTIALS_FILE),
            "# comment\n[defaults]\nak = AKFILE\nsk = SKFILE\n\n[prod]\nAK = AKPROD\nSK = SKPROD\nsts_token = TOKEN\n",
        )
        .unwrap();
        let e = env(&[(ENV_ACCESS_KEY, "AKENV"), (ENV_SECRET_KEY, "SKENV")]);
        let c = resolve(None, &e, Some(dir.path())).unwrap();
        assert_eq!(
            (c.access_key.as_str(), c.source.as_str()),
            ("AKENV", "environment")
        );
        assert!(!c.is_sts());

        let c = resolve(None, &env(&[]), Some(dir.path())).unwrap();
        assert_eq!(c.access_key, "AKFILE");
        assert!(c.source.ends_with("credentials [defaults]"), "{}", c.source);

        let c = resolve(Some("prod"), &e, Some(dir.path())).unwrap();
        assert_eq!(c.access_key, "AKPROD");
        assert!(c.is_sts());

        let err = resolve(Some("nope"), &e, Some(dir.path())).unwrap_err();
        assert!(err.contains("no section [nope]"), "{err}");
    }

    #[test]
    fn half_set_and_missing_credentials_are_named_and_secrets_never_shown() {
        let err = resolve(None, &env(&[(ENV_ACCESS_KEY, "AK")]), None).unwrap_err();
        assert!(err.contains(ENV_SECRET_KEY), "{err}");
        let err = resolve(None, &env(&[]), None).unwrap_err();
        assert!(err.starts_with("no Baidu credentials"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("c");
        std::fs::write(&f, "[defaults]\nak = AK\nsk SECRETVALUE\n").unwrap();
        let e = env(&[(ENV_CREDENTIALS_FILE, f.to_str().unwrap())]);
        let err = resolve(None, &e, None).unwrap_err();
        assert!(err.contains(":3: expected `key = value`"), "{err}");
        assert!(!err.contains("SECRETVALUE"), "{err}");

        let c = Credentials::new("AK", "SECRET", Some("TOKEN"));
        let shown = format!("{c:?} {:?}", c.signer());
        assert!(
            !shown.contains("SECRET") && !shown.contains("TOKEN"),
            "{shown}"
        );
    }
}

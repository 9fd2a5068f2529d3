//! A rule pack: the Cedar schema, the rule files, the rule docs and the default config.
//! The repository's `policies/` is built into the binary; `--policies DIR` reads another.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::error::EngineError;

mod builtin {
    include!(concat!(env!("OUT_DIR"), "/builtin_pack.rs"));
}

pub const SCHEMA_FILE: &str = "schema.cedarschema";
pub const DEFAULTS_FILE: &str = "audit.toml";

/// A file's display path and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    pub path: PathBuf,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Pack {
    /// Where the pack came from, for messages (`policies` for the built-in one).
    pub root: PathBuf,
    pub schema: SourceFile,
    /// `*.cedar` files, sorted by name.
    pub policies: Vec<SourceFile>,
    pub defaults: SourceFile,
    /// Rule docs by rule id (`docs/ID.md`).
    pub docs: BTreeMap<String, String>,
}

impl Pack {
    pub fn builtin() -> Result<Pack, EngineError> {
        let root = PathBuf::from("policies");
        Pack::from_files(
            &root,
            builtin::FILES
                .iter()
                .map(|(rel, text)| (rel.to_string(), text.to_string())),
        )
    }

    pub fn from_dir(dir: &Path) -> Result<Pack, EngineError> {
        let mut files = Vec::new();
        read_tree(dir, dir, &mut files)?;
        Pack::from_files(dir, files)
    }

    fn from_files(
        root: &Path,
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Pack, EngineError> {
        let mut schema = None;
        let mut defaults = None;
        let mut policies = Vec::new();
        let mut docs = BTreeMap::new();
        for (rel, text) in files {
            let file = SourceFile {
                path: root.join(&rel),
                text,
            };
            if rel == SCHEMA_FILE {
                schema = Some(file);
            } else if rel == DEFAULTS_FILE {
                defaults = Some(file);
            } else if let Some(id) = rel
                .strip_prefix("docs/")
                .and_then(|r| r.strip_suffix(".md"))
            {
                docs.insert(id.to_string(), file.text);
            } else if rel.ends_with(".cedar") && !rel.contains('/') {
                policies.push(file);
            }
        }
        policies.sort_by(|a, b| a.path.cmp(&b.path));
        let missing = |name: &str| EngineError::Policy {
            place: crate::error::SourcePlace::file_only(&root.join(name)),
            message: format!("the rule pack has no `{name}`"),
            rendered: None,
        };
        Ok(Pack {
            root: root.to_path_buf(),
            schema: schema.ok_or_else(|| missing(SCHEMA_FILE))?,
            defaults: defaults.ok_or_else(|| missing(DEFAULTS_FILE))?,
            policies,
            docs,
        })
    }
}

fn read_tree(
    root: &Path,
    dir: &Path,
    files: &mut Vec<(String, String)>,
) -> Result<(), EngineError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| EngineError::Io { path, source }
    };
    for entry in std::fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            read_tree(root, &path, files)?;
            continue;
        }
        let wanted = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("cedar" | "cedarschema" | "toml" | "md")
        );
        if let (true, Ok(rel)) = (wanted, path.strip_prefix(root)) {
            let text = crate::error::read_input(&path, "policy")?;
            files.push((rel.to_string_lossy().replace('\\', "/"), text));
        }
    }
    Ok(())
}

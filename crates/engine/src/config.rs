//! Rule parameters: the rule pack's `audit.toml` holds the defaults; a user's file
//! overrides any key. Unknown keys, wrong types and unknown rule ids are errors that name
//! the file, the line and the column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use audit_model::Severity;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{EngineError, SourcePlace};

/// The resolved parameters every rule sees.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub domestic_regions: Vec<String>,
    pub regulated_data_classes: Vec<String>,
    pub mandatory_tags: Vec<String>,
    pub min_log_retention_days: u32,
    pub max_access_key_age_days: u32,
    pub max_access_key_unused_days: u32,
    pub min_password_length: u32,
    pub admin_ports: Vec<u16>,
    pub plaintext_ports: Vec<u16>,
    pub min_backup_retention_days: u32,
    /// Rule ids switched off, with where they were named.
    pub disabled_rules: Vec<Named>,
    /// Severity per rule id, with where it was named.
    pub severity_overrides: Vec<(Named, Severity)>,
}

/// A rule id named in a config file, with its place for error messages.
#[derive(Debug, Clone, PartialEq)]
pub struct Named {
    pub id: String,
    pub place: SourcePlace,
}

impl Config {
    /// Ports that the network rules judge: admin and plaintext ports.
    pub fn ports_of_interest(&self) -> Vec<u16> {
        let mut ports: Vec<u16> = self
            .admin_ports
            .iter()
            .chain(&self.plaintext_ports)
            .copied()
            .collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    residency: Option<Residency>,
    tags: Option<Tags>,
    logs: Option<Logs>,
    iam: Option<Iam>,
    network: Option<Network>,
    data: Option<Data>,
    rules: Option<Rules>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Residency {
    domestic_regions: Option<Vec<String>>,
    regulated_data_classes: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Tags {
    mandatory: Option<Vec<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Logs {
    min_retention_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Iam {
    max_access_key_age_days: Option<u32>,
    max_access_key_unused_days: Option<u32>,
    min_password_length: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Network {
    admin_ports: Option<Vec<Spanned<u16>>>,
    plaintext_ports: Option<Vec<Spanned<u16>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Data {
    min_backup_retention_days: Option<u32>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Rules {
    disabled: Option<Vec<Spanned<String>>>,
    severity: Option<BTreeMap<Spanned<String>, Spanned<String>>>,
}

/// One parsed config file and its text, for error places.
struct Layer<'a> {
    file: &'a Path,
    text: &'a str,
    parsed: File,
}

impl<'a> Layer<'a> {
    fn parse(file: &'a Path, text: &'a str) -> Result<Self, EngineError> {
        let parsed: File = toml::from_str(text).map_err(|e| {
            let place = SourcePlace::at_offset(file, text, e.span().map_or(0, |s| s.start));
            EngineError::Config {
                place,
                message: e.message().to_string(),
            }
        })?;
        Ok(Layer { file, text, parsed })
    }

    fn place(&self, span: std::ops::Range<usize>) -> SourcePlace {
        SourcePlace::at_offset(self.file, self.text, span.start)
    }
}

/// Loads the defaults, then applies the user's file over them.
pub fn load(defaults: (&Path, &str), user: Option<(&Path, &str)>) -> Result<Config, EngineError> {
    let base = Layer::parse(defaults.0, defaults.1)?;
    let over = user.map(|(f, t)| Layer::parse(f, t)).transpose()?;
    let layers: Vec<&Layer> = std::iter::once(&base).chain(over.as_ref()).collect();

    // The last layer that sets a key wins; `pick!` also says which layer that was.
    macro_rules! pick {
        ($section:ident . $key:ident) => {{
            layers
                .iter()
                .rev()
                .find_map(|layer| {
                    let value = layer.parsed.$section.as_ref().and_then(|s| s.$key.clone());
                    value.map(|v| (v, *layer))
                })
                .ok_or_else(|| EngineError::Config {
                    place: SourcePlace::file_only(defaults.0),
                    message: format!(
                        "missing key `{}.{}` in the defaults",
                        stringify!($section),
                        stringify!($key)
                    ),
                })?
        }};
    }

    let ports = |key: &str, (values, layer): (Vec<Spanned<u16>>, &Layer)| {
        values
            .into_iter()
            .map(|p| match *p.get_ref() {
                0 => Err(EngineError::Config {
                    place: layer.place(p.span()),
                    message: format!("`network.{key}`: 0 is not a port (expected 1 to 65535)"),
                }),
                port => Ok(port),
            })
            .collect::<Result<Vec<u16>, EngineError>>()
    };
    let admin_ports = ports("admin_ports", pick!(network.admin_ports))?;
    let plaintext_ports = ports("plaintext_ports", pick!(network.plaintext_ports))?;

    let mut disabled_rules = Vec::new();
    let mut severity_overrides = Vec::new();
    for layer in &layers {
        let Some(rules) = &layer.parsed.rules else {
            continue;
        };
        for id in rules.disabled.iter().flatten() {
            disabled_rules.push(Named {
                id: id.get_ref().clone(),
                place: layer.place(id.span()),
            });
        }
        for (id, severity) in rules.severity.iter().flatten() {
            let parsed: Severity =
                severity
                    .get_ref()
                    .parse()
                    .map_err(|message| EngineError::Config {
                        place: layer.place(severity.span()),
                        message: format!("`rules.severity.{}`: {message}", id.get_ref()),
                    })?;
            severity_overrides.push((
                Named {
                    id: id.get_ref().clone(),
                    place: layer.place(id.span()),
                },
                parsed,
            ));
        }
    }

    Ok(Config {
        domestic_regions: pick!(residency.domestic_regions).0,
        regulated_data_classes: pick!(residency.regulated_data_classes)
            .0
            .into_iter()
            .map(|c| c.trim().to_lowercase())
            .collect(),
        mandatory_tags: pick!(tags.mandatory).0,
        min_log_retention_days: pick!(logs.min_retention_days).0,
        max_access_key_age_days: pick!(iam.max_access_key_age_days).0,
        max_access_key_unused_days: pick!(iam.max_access_key_unused_days).0,
        min_password_length: pick!(iam.min_password_length).0,
        admin_ports,
        plaintext_ports,
        min_backup_retention_days: pick!(data.min_backup_retention_days).0,
        disabled_rules,
        severity_overrides,
    })
}

/// Reads a user config file; a missing or unreadable file is a usage error.
pub fn read_user_file(path: &Path) -> Result<(PathBuf, String), EngineError> {
    let text = std::fs::read_to_string(path).map_err(|source| EngineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((path.to_path_buf(), text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEFAULTS: &str = include_str!("../../../policies/audit.toml");

    fn load_with(user: &str) -> Result<Config, EngineError> {
        load(
            (Path::new("policies/audit.toml"), DEFAULTS),
            Some((Path::new("mine.toml"), user)),
        )
    }

    #[test]
    fn user_keys_override_defaults_and_the_rest_stays() {
        let c = load_with("[iam]\nmin_password_length = 20\n").unwrap();
        assert_eq!(c.min_password_length, 20);
        assert_eq!(c.max_access_key_age_days, 90);
        assert_eq!(c.min_log_retention_days, 180);
        assert!(c.domestic_regions.contains(&"cn-northwest-1".to_string()));
        assert!(!c.domestic_regions.contains(&"hkg".to_string()));
        assert_eq!(
            c.mandatory_tags,
            ["owner", "cost-center", "env", "data-class"]
        );
    }

    #[test]
    fn errors_name_the_file_line_and_column() {
        let err = load_with("[network]\nadmin_ports = [22, 0]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("mine.toml:2:20"), "{err}");
        let err = load_with("\n\n[iam]\nmax_key_age = 3\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mine.toml:4:1") && err.contains("max_key_age"),
            "{err}"
        );
        let err = load_with("[rules.severity]\nx = \"severe\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mine.toml:2:5") && err.contains("unknown severity"),
            "{err}"
        );
        let err = load_with("[logs]\nmin_retention_days = -1\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("mine.toml:2:"), "{err}");
    }

    #[test]
    fn ports_of_interest_are_sorted_and_unique() {
        let c = load_with("[network]\nplaintext_ports = [80, 22]\n").unwrap();
        let ports = c.ports_of_interest();
        assert!(ports.windows(2).all(|w| w[0] < w[1]));
        assert!(ports.contains(&80) && ports.contains(&3389));
    }
}

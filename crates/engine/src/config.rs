//! Rule parameters: the rule pack's `audit.toml` holds the defaults; a user's file
//! overrides any key. Unknown keys, wrong types and unknown rule ids are errors that name
//! the file, the line and the column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use audit_model::Severity;
use cedar_policy::RestrictedExpression;
use serde::Deserialize;
use toml::Spanned;

use crate::error::{EngineError, SourcePlace};

/// Declares every rule parameter once: its `[section]` and key in `audit.toml`, the
/// field of [`Config`] it fills (also its name in the Cedar request context, `Params`
/// in the schema) and its type. From this one list come the TOML sections (unknown keys
/// and wrong types are errors with file, line and column), the layering of the user's
/// file over the defaults, and the Cedar context. A new parameter is one line here, its
/// default in `policies/audit.toml` and its attribute in `Params`.
macro_rules! params {
    ($([$section:ident] $($key:ident => $field:ident: $ty:ty),+ ;)+) => {
        /// The resolved parameters every rule sees.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Config {
            $($(pub $field: $ty,)+)+
            /// Rule ids switched off, with where they were named.
            pub disabled_rules: Vec<Named>,
            /// Severity per rule id, with where it was named.
            pub severity_overrides: Vec<(Named, Severity)>,
        }

        mod sections {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[allow(non_camel_case_types)]
                #[derive(Debug, Default, serde::Deserialize)]
                #[serde(deny_unknown_fields)]
                pub struct $section {
                    $(pub $key: Option<<$ty as Param>::Raw>,)+
                }
            )+
        }

        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct File {
            $($section: Option<sections::$section>,)+
            rules: Option<Rules>,
        }

        /// The last layer that sets each parameter wins.
        fn resolve(
            layers: &[&Layer],
            defaults: &Path,
            disabled_rules: Vec<Named>,
            severity_overrides: Vec<(Named, Severity)>,
        ) -> Result<Config, EngineError> {
            Ok(Config {
                $($($field: {
                    let key = concat!(stringify!($section), ".", stringify!($key));
                    let (raw, layer) = layers
                        .iter()
                        .rev()
                        .find_map(|layer| {
                            let value = layer.parsed.$section.as_ref().and_then(|s| s.$key.clone());
                            value.map(|v| (v, *layer))
                        })
                        .ok_or_else(|| EngineError::Config {
                            place: SourcePlace::file_only(defaults),
                            message: format!("missing key `{key}` in the defaults"),
                        })?;
                    <$ty as Param>::resolve(raw, layer, key)?
                },)+)+
                disabled_rules,
                severity_overrides,
            })
        }

        impl Config {
            /// Every parameter as a Cedar value, named as in the context (`Params`).
            pub fn cedar_params(&self) -> Vec<(&'static str, RestrictedExpression)> {
                vec![$($((stringify!($field), Param::to_cedar(&self.$field)),)+)+]
            }
        }
    };
}

params! {
    [residency]
    domestic_regions => domestic_regions: Vec<String>,
    regulated_data_classes => regulated_data_classes: Lowercase;
    [tags]
    mandatory => mandatory_tags: Vec<String>,
    resource_types => tagged_types: SnapshotTypes;
    [logs]
    min_retention_days => min_log_retention_days: u32;
    [iam]
    max_access_key_age_days => max_access_key_age_days: u32,
    max_access_key_unused_days => max_access_key_unused_days: u32,
    min_password_length => min_password_length: u32;
    [network]
    admin_ports => admin_ports: Ports,
    plaintext_ports => plaintext_ports: Ports;
    [data]
    min_backup_retention_days => min_backup_retention_days: u32;
    [availability]
    production_env_values => production_env_values: Lowercase;
    [transit]
    min_tls_version => min_tls_version: TlsVersion;
}

/// A parameter's type: what the TOML file holds, how it is checked, and its Cedar value.
trait Param: Sized {
    type Raw: serde::de::DeserializeOwned + Clone + std::fmt::Debug;
    fn resolve(raw: Self::Raw, layer: &Layer, key: &str) -> Result<Self, EngineError>;
    fn to_cedar(&self) -> RestrictedExpression;
}

impl Param for u32 {
    type Raw = u32;
    fn resolve(raw: u32, _: &Layer, _: &str) -> Result<u32, EngineError> {
        Ok(raw)
    }
    fn to_cedar(&self) -> RestrictedExpression {
        RestrictedExpression::new_long(i64::from(*self))
    }
}

fn string_set<'a>(items: impl Iterator<Item = &'a String>) -> RestrictedExpression {
    RestrictedExpression::new_set(items.map(|s| RestrictedExpression::new_string(s.clone())))
}

impl Param for Vec<String> {
    type Raw = Vec<String>;
    fn resolve(raw: Vec<String>, _: &Layer, _: &str) -> Result<Self, EngineError> {
        Ok(raw)
    }
    fn to_cedar(&self) -> RestrictedExpression {
        string_set(self.iter())
    }
}

/// Tag values (`data-class`, `env`), compared trimmed and in lower case.
#[derive(Debug, Clone, PartialEq)]
pub struct Lowercase(pub Vec<String>);

impl std::ops::Deref for Lowercase {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.0
    }
}

impl Param for Lowercase {
    type Raw = Vec<String>;
    fn resolve(raw: Vec<String>, _: &Layer, _: &str) -> Result<Self, EngineError> {
        Ok(Lowercase(
            raw.into_iter().map(|c| c.trim().to_lowercase()).collect(),
        ))
    }
    fn to_cedar(&self) -> RestrictedExpression {
        string_set(self.0.iter())
    }
}

/// TCP/UDP ports, 1 to 65535.
#[derive(Debug, Clone, PartialEq)]
pub struct Ports(pub Vec<u16>);

impl std::ops::Deref for Ports {
    type Target = Vec<u16>;
    fn deref(&self) -> &Vec<u16> {
        &self.0
    }
}

impl Param for Ports {
    type Raw = Vec<Spanned<u16>>;
    fn resolve(raw: Vec<Spanned<u16>>, layer: &Layer, key: &str) -> Result<Self, EngineError> {
        raw.into_iter()
            .map(|p| match *p.get_ref() {
                0 => Err(EngineError::Config {
                    place: layer.place(p.span()),
                    message: format!("`{key}`: 0 is not a port (expected 1 to 65535)"),
                }),
                port => Ok(port),
            })
            .collect::<Result<Vec<u16>, EngineError>>()
            .map(Ports)
    }
    fn to_cedar(&self) -> RestrictedExpression {
        RestrictedExpression::new_set(
            self.0
                .iter()
                .map(|p| RestrictedExpression::new_long(i64::from(*p))),
        )
    }
}

/// Snapshot resource types that can carry tags, e.g. `rds_instance`.
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotTypes(pub Vec<String>);

impl std::ops::Deref for SnapshotTypes {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.0
    }
}

impl Param for SnapshotTypes {
    type Raw = Vec<Spanned<String>>;
    fn resolve(raw: Vec<Spanned<String>>, layer: &Layer, key: &str) -> Result<Self, EngineError> {
        raw.into_iter()
            .map(|t| {
                let name = t.get_ref();
                let message = if audit_model::UNTAGGABLE_TYPES.contains(&name.as_str()) {
                    format!("`{key}`: a `{name}` cannot carry tags")
                } else if !audit_model::TYPE_NAMES.contains(&name.as_str()) {
                    format!(
                        "`{key}`: unknown resource type {}; known: {}",
                        audit_text::quote(name),
                        audit_model::TYPE_NAMES
                            .iter()
                            .filter(|t| !audit_model::UNTAGGABLE_TYPES.contains(t))
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else {
                    return Ok(t.into_inner());
                };
                Err(EngineError::Config {
                    place: layer.place(t.span()),
                    message,
                })
            })
            .collect::<Result<Vec<String>, EngineError>>()
            .map(SnapshotTypes)
    }
    fn to_cedar(&self) -> RestrictedExpression {
        string_set(self.0.iter())
    }
}

/// A TLS version (`"1.0"` to `"1.3"`), held as 10 × the version as the rules compare it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TlsVersion(pub i64);

impl Param for TlsVersion {
    type Raw = Spanned<String>;
    fn resolve(raw: Spanned<String>, layer: &Layer, key: &str) -> Result<Self, EngineError> {
        let rank = match raw.get_ref().as_str() {
            "1.0" => 10,
            "1.1" => 11,
            "1.2" => 12,
            "1.3" => 13,
            other => {
                return Err(EngineError::Config {
                    place: layer.place(raw.span()),
                    message: format!(
                        "`{key}`: {} is not a TLS version (expected \"1.0\", \"1.1\", \"1.2\" or \"1.3\")",
                        audit_text::quote(other)
                    ),
                });
            }
        };
        Ok(TlsVersion(rank))
    }
    fn to_cedar(&self) -> RestrictedExpression {
        RestrictedExpression::new_long(self.0)
    }
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
            .chain(self.plaintext_ports.iter())
            .copied()
            .collect();
        ports.sort_unstable();
        ports.dedup();
        ports
    }
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

    resolve(&layers, defaults.0, disabled_rules, severity_overrides)
}

/// Reads a user config file; a missing or unreadable file is a usage error.
pub fn read_user_file(path: &Path) -> Result<(PathBuf, String), EngineError> {
    let text = crate::error::read_input(path, "config")?;
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
    fn tagged_types_default_to_every_taggable_type_and_can_be_narrowed() {
        let all = load_with("").unwrap();
        let taggable: Vec<&str> = audit_model::TYPE_NAMES
            .iter()
            .filter(|t| !audit_model::UNTAGGABLE_TYPES.contains(t))
            .copied()
            .collect();
        let mut got: Vec<&str> = all.tagged_types.iter().map(String::as_str).collect();
        got.sort_unstable();
        let mut want = taggable.clone();
        want.sort_unstable();
        assert_eq!(got, want, "the default must name every taggable type");
        let narrow =
            load_with("[tags]\nresource_types = [\"ec2_instance\", \"rds_instance\"]\n").unwrap();
        assert_eq!(*narrow.tagged_types, ["ec2_instance", "rds_instance"]);
        let err = load_with("[tags]\nresource_types = [\"ec2\"]\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mine.toml:2:19") && err.contains("unknown resource type `ec2`"),
            "{err}"
        );
        let err = load_with("[tags]\nresource_types = [\"account\"]\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot carry tags"), "{err}");
    }

    #[test]
    fn tls_versions_are_checked() {
        assert_eq!(load_with("").unwrap().min_tls_version, TlsVersion(12));
        let c = load_with("[transit]\nmin_tls_version = \"1.3\"\n").unwrap();
        assert_eq!(c.min_tls_version, TlsVersion(13));
        let err = load_with("[transit]\nmin_tls_version = \"1.2.1\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("mine.toml:2:19") && err.contains("not a TLS version"),
            "{err}"
        );
    }

    #[test]
    fn ports_of_interest_are_sorted_and_unique() {
        let c = load_with("[network]\nplaintext_ports = [80, 22]\n").unwrap();
        let ports = c.ports_of_interest();
        assert!(ports.windows(2).all(|w| w[0] < w[1]));
        assert!(ports.contains(&80) && ports.contains(&3389));
    }
}

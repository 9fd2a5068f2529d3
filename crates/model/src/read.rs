//! Reading snapshots: streamed resource by resource, with errors that name the file, the
//! line and column, and the JSON path of the offending value.

use std::collections::HashSet;
use std::fmt;
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};

use crate::resource::Resource;
use crate::snapshot::{Gap, Header, Partition, Provider, SCHEMA_VERSION, Snapshot, Tool};

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("cannot read snapshot `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("invalid snapshot `{path}`: line {line}, column {column}{}: {message}", at(.json_path))]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        /// Where in the document, e.g. `resources[3].properties.encrypted`.
        json_path: Option<String>,
        message: String,
    },
}

fn at(path: &Option<String>) -> String {
    match path {
        Some(p) if p != "." => format!(", at `{p}`"),
        _ => String::new(),
    }
}

/// The header fields a consumer needs before it can judge a resource.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Early {
    pub partition: Partition,
    pub collected_at: Timestamp,
}

/// Reads a snapshot file and hands each resource to `sink` as soon as it is parsed, so
/// that the resources are never all in memory at once. `sink` sees the resources in file
/// order. Resources that come before `partition` and `collected_at` in the file are held
/// back until those are known. Returns the header.
///
/// A `sink` error stops the read and is reported at the resource's place in the file.
pub fn stream_snapshot<F>(path: &Path, mut sink: F) -> Result<Header, SnapshotError>
where
    F: FnMut(&Early, Resource) -> Result<(), String>,
{
    let bytes = std::fs::read(path).map_err(|source| SnapshotError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    stream_slice(path, &bytes, &mut sink)
}

/// [`stream_snapshot`] over bytes already in memory; `path` only names them in errors.
pub fn stream_slice<F>(path: &Path, bytes: &[u8], sink: &mut F) -> Result<Header, SnapshotError>
where
    F: FnMut(&Early, Resource) -> Result<(), String>,
{
    // A UTF-8 byte order mark (some Windows editors write one) is not JSON; skip it.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let result = SnapshotSeed { sink }
        .deserialize(&mut de)
        .and_then(|header| de.end().map(|()| header));
    result.map_err(|error| {
        // Parse again with path tracking to say where the error is; only on the error
        // path, so that reading a good snapshot pays nothing for it.
        let json_path = locate(bytes, &error);
        SnapshotError::Invalid {
            path: path.to_path_buf(),
            line: error.line(),
            column: error.column(),
            json_path,
            message: strip_position(&error),
        }
    })
}

/// Reads a whole snapshot into memory.
pub fn read_snapshot(path: &Path) -> Result<Snapshot, SnapshotError> {
    let mut resources = Vec::new();
    let header = stream_snapshot(path, |_, resource| {
        resources.push(resource);
        Ok(())
    })?;
    Ok(Snapshot { header, resources })
}

fn locate(bytes: &[u8], original: &serde_json::Error) -> Option<String> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let mut track = serde_path_to_error::Track::new();
    let mut ignore = |_: &Early, _: Resource| Ok(());
    let seed = SnapshotSeed { sink: &mut ignore };
    let tracked = serde_path_to_error::Deserializer::new(&mut de, &mut track);
    match seed.deserialize(tracked) {
        Err(e) if e.line() == original.line() && e.column() == original.column() => {
            Some(track.path().to_string())
        }
        _ => None,
    }
}

/// serde_json appends " at line L column C"; the error names the place itself.
fn strip_position(error: &serde_json::Error) -> String {
    let text = error.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum Field {
    SchemaVersion,
    Provider,
    Partition,
    AccountId,
    Regions,
    CollectedAt,
    Tool,
    Gaps,
    Resources,
}

struct SnapshotSeed<'a, F> {
    sink: &'a mut F,
}

impl<'de, F> DeserializeSeed<'de> for SnapshotSeed<'_, F>
where
    F: FnMut(&Early, Resource) -> Result<(), String>,
{
    type Value = Header;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Header, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, F> Visitor<'de> for SnapshotSeed<'_, F>
where
    F: FnMut(&Early, Resource) -> Result<(), String>,
{
    type Value = Header;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header, A::Error> {
        let mut schema_version: Option<u32> = None;
        let mut provider: Option<Provider> = None;
        let mut partition: Option<Partition> = None;
        let mut account_id: Option<String> = None;
        let mut regions: Option<Vec<String>> = None;
        let mut collected_at: Option<Timestamp> = None;
        let mut tool: Option<Tool> = None;
        let mut gaps: Option<Vec<Gap>> = None;
        let mut held_back: Vec<Resource> = Vec::new();
        let mut ids: HashSet<Box<str>> = HashSet::new();
        let mut saw_resources = false;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::SchemaVersion => {
                    let v: u32 = map.next_value()?;
                    if v != SCHEMA_VERSION {
                        return Err(de::Error::custom(format_args!(
                            "unsupported schema_version {v}: this build of audit reads version {SCHEMA_VERSION}"
                        )));
                    }
                    once(&mut schema_version, "schema_version", v)?;
                }
                Field::Provider => once(&mut provider, "provider", map.next_value()?)?,
                Field::Partition => once(&mut partition, "partition", map.next_value()?)?,
                Field::AccountId => once(&mut account_id, "account_id", map.next_value()?)?,
                Field::Regions => once(&mut regions, "regions", map.next_value()?)?,
                Field::CollectedAt => once(&mut collected_at, "collected_at", map.next_value()?)?,
                Field::Tool => once(&mut tool, "tool", map.next_value()?)?,
                Field::Gaps => once(&mut gaps, "gaps", map.next_value()?)?,
                Field::Resources => {
                    if saw_resources {
                        return Err(de::Error::duplicate_field("resources"));
                    }
                    saw_resources = true;
                    let early = match (partition, collected_at) {
                        (Some(partition), Some(collected_at)) if schema_version.is_some() => {
                            Some(Early {
                                partition,
                                collected_at,
                            })
                        }
                        _ => None,
                    };
                    map.next_value_seed(ResourcesSeed {
                        early,
                        held_back: &mut held_back,
                        ids: &mut ids,
                        sink: &mut *self.sink,
                    })?;
                }
            }
        }
        let header = Header {
            schema_version: schema_version
                .ok_or_else(|| de::Error::missing_field("schema_version"))?,
            provider: provider.ok_or_else(|| de::Error::missing_field("provider"))?,
            partition: partition.ok_or_else(|| de::Error::missing_field("partition"))?,
            account_id: account_id.ok_or_else(|| de::Error::missing_field("account_id"))?,
            regions: regions.ok_or_else(|| de::Error::missing_field("regions"))?,
            collected_at: collected_at.ok_or_else(|| de::Error::missing_field("collected_at"))?,
            tool: tool.ok_or_else(|| de::Error::missing_field("tool"))?,
            gaps: gaps.ok_or_else(|| de::Error::missing_field("gaps"))?,
        };
        if !saw_resources {
            return Err(de::Error::missing_field("resources"));
        }
        let early = Early {
            partition: header.partition,
            collected_at: header.collected_at,
        };
        for resource in held_back {
            (self.sink)(&early, resource).map_err(de::Error::custom)?;
        }
        Ok(header)
    }
}

fn once<T, E: de::Error>(slot: &mut Option<T>, name: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(name));
    }
    *slot = Some(value);
    Ok(())
}

struct ResourcesSeed<'a, F> {
    early: Option<Early>,
    held_back: &'a mut Vec<Resource>,
    ids: &'a mut HashSet<Box<str>>,
    sink: &'a mut F,
}

impl<'de, F> DeserializeSeed<'de> for ResourcesSeed<'_, F>
where
    F: FnMut(&Early, Resource) -> Result<(), String>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de, F> Visitor<'de> for ResourcesSeed<'_, F>
where
    F: FnMut(&Early, Resource) -> Result<(), String>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of resources")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(resource) = seq.next_element::<Resource>()? {
            if !self.ids.insert(resource.id.as_str().into()) {
                return Err(de::Error::custom(format_args!(
                    "duplicate resource id {}",
                    audit_text::quote(&resource.id)
                )));
            }
            match &self.early {
                Some(early) => (self.sink)(early, resource).map_err(de::Error::custom)?,
                None => self.held_back.push(resource),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESOURCE: &str = r#"{"id": "arn:aws-cn:s3:::b", "type": "s3_bucket", "region": "cn-north-1", "tags": {},
        "properties": {"name": "b", "encryption": null, "public_access_block": null, "lifecycle_rules": 0}}"#;

    fn header_fields() -> String {
        r#""schema_version": 1, "provider": "aws", "partition": "aws-cn", "account_id": "1",
        "regions": ["cn-north-1"], "collected_at": "2026-11-20T02:00:00Z",
        "tool": {"name": "audit", "version": "0"}, "gaps": []"#
            .to_string()
    }

    fn stream(text: &str) -> Result<(Header, Vec<Resource>), SnapshotError> {
        let mut seen = Vec::new();
        let header = stream_slice(Path::new("s.json"), text.as_bytes(), &mut |_: &Early, r| {
            seen.push(r);
            Ok(())
        })?;
        Ok((header, seen))
    }

    #[test]
    fn resources_before_the_header_are_held_back_not_lost() {
        let text = format!(r#"{{"resources": [{RESOURCE}], {}}}"#, header_fields());
        let (header, resources) = stream(&text).unwrap();
        assert_eq!(header.account_id, "1");
        assert_eq!(resources.len(), 1);
        assert_eq!(resources[0].type_name(), "s3_bucket");
    }

    #[test]
    fn properties_before_type_are_buffered_and_checked() {
        let r = r#"{"properties": {"name": "b", "encryption": null, "public_access_block": null, "lifecycle_rules": 0},
            "id": "x", "type": "s3_bucket", "region": "cn-north-1", "tags": {}}"#;
        let (_, resources) =
            stream(&format!(r#"{{{}, "resources": [{r}]}}"#, header_fields())).unwrap();
        assert_eq!(resources[0].id, "x");
        let bad = r.replace(r#""lifecycle_rules": 0"#, r#""lifecycle_rules": "many""#);
        let err = stream(&format!(r#"{{{}, "resources": [{bad}]}}"#, header_fields())).unwrap_err();
        assert!(err.to_string().contains("invalid type"), "{err}");
    }

    #[test]
    fn missing_header_field_and_sink_errors_are_reported() {
        let text = format!(
            r#"{{{}, "resources": []}}"#,
            header_fields().replace(r#""account_id": "1","#, "")
        );
        let err = stream(&text).unwrap_err().to_string();
        assert!(err.contains("missing field `account_id`"), "{err}");

        let text = format!(r#"{{{}, "resources": [{RESOURCE}]}}"#, header_fields());
        let err = stream_slice(Path::new("s.json"), text.as_bytes(), &mut |_: &Early, _| {
            Err("judge failed".to_string())
        })
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("s.json") && err.contains("judge failed"),
            "{err}"
        );
    }

    #[test]
    fn round_trip_through_serialize() {
        let text = format!(r#"{{{}, "resources": [{RESOURCE}]}}"#, header_fields());
        let (header, resources) = stream(&text).unwrap();
        let snapshot = Snapshot { header, resources };
        let again = serde_json::to_string(&snapshot).unwrap();
        let (h2, r2) = stream(&again).unwrap();
        assert_eq!(h2, snapshot.header);
        assert_eq!(r2, snapshot.resources);
    }
}

//! Serde types shared by every part of audit: the snapshot (the contract between
//! collection and judgement) and findings.

pub mod cost_rows;
pub mod credentials;
pub mod error_kind;
pub mod finding;
pub mod gate;
pub mod json_doc;
pub mod place;
pub mod progress;
pub mod read;
pub mod resource;
pub mod snapshot;
pub mod tco_result;
pub mod text_file;

pub use error_kind::ErrorKind;
pub use finding::{FINDINGS_DOC_VERSION, Finding, Severity, merge_sorted, sort_findings};
pub use place::SourcePlace;
pub use read::{Early, SnapshotError, read_snapshot, stream_snapshot};
pub use resource::{GLOBAL_REGION, Kind, Resource, TYPE_NAMES, UNTAGGABLE_TYPES};
pub use snapshot::{Gap, GapCode, Header, Partition, Provider, SCHEMA_VERSION, Snapshot, Tool};
pub use text_file::{TextError, read_text};

/// The JSON Schema of snapshot format [`SCHEMA_VERSION`] (checked in as
/// `docs/snapshot.schema.json`).
pub fn snapshot_json_schema() -> serde_json::Value {
    use schemars::{JsonSchema, SchemaGenerator, generate::SchemaSettings};
    let mut generator = SchemaGenerator::new(SchemaSettings::draft2020_12());
    let mut root = Header::json_schema(&mut generator).to_value();
    let resource = generator.subschema_for::<Resource>().to_value();
    let defs = generator.take_definitions(true);
    if let Some(obj) = root.as_object_mut() {
        obj.insert(
            "$schema".into(),
            "https://json-schema.org/draft/2020-12/schema".into(),
        );
        obj.insert("title".into(), "audit snapshot".into());
        if let Some(props) = obj.get_mut("properties").and_then(|p| p.as_object_mut()) {
            props.insert(
                "schema_version".into(),
                serde_json::json!({ "const": SCHEMA_VERSION }),
            );
            props.insert(
                "resources".into(),
                serde_json::json!({ "type": "array", "items": resource }),
            );
        }
        if let Some(req) = obj.get_mut("required").and_then(|r| r.as_array_mut()) {
            req.push("resources".into());
        }
        obj.insert("$defs".into(), serde_json::Value::Object(defs));
    }
    root
}

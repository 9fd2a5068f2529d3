//! The IDC estate (`fixtures/idc/inventory.csv`): one row per asset class with its count.
//! Prices live in the assumptions, so that the inventory is the facts and the TOML the
//! opinions. Columns: `asset_class,count,description`, all required, no others.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;

use crate::error::TcoError;

pub const INVENTORY_COLUMNS: [&str; 3] = ["asset_class", "count", "description"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InventoryRow {
    pub asset_class: String,
    pub count: u64,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdcInventory {
    /// The file this was read from, for the report's `inputs`.
    #[serde(skip)]
    pub source: crate::source::Source,
    pub rows: Vec<InventoryRow>,
}

impl IdcInventory {
    pub fn load(path: &Path) -> Result<IdcInventory, TcoError> {
        let bytes = std::fs::read(path).map_err(|source| TcoError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        IdcInventory::parse(path, &bytes)
    }

    pub fn parse(path: &Path, bytes: &[u8]) -> Result<IdcInventory, TcoError> {
        let err = |column: Option<&str>, row: Option<u64>, message: String| TcoError::Inventory {
            path: path.to_path_buf(),
            column: column.map(str::to_string),
            row,
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes);
        let headers = reader
            .headers()
            .map_err(|e| err(None, None, format!("cannot read the header: {e}")))?
            .clone();
        let names: Vec<&str> = headers.iter().map(str::trim).collect();
        for name in &names {
            if !INVENTORY_COLUMNS.contains(name) {
                return Err(err(
                    Some(name),
                    Some(0),
                    format!(
                        "unknown column; expected exactly {}",
                        INVENTORY_COLUMNS.join(", ")
                    ),
                ));
            }
        }
        let index = |name: &str| -> Result<usize, TcoError> {
            let mut hits = names.iter().enumerate().filter(|(_, n)| **n == name);
            match (hits.next(), hits.next()) {
                (Some((i, _)), None) => Ok(i),
                (None, _) => Err(err(Some(name), Some(0), "missing column".into())),
                (Some(_), Some(_)) => Err(err(Some(name), Some(0), "duplicate column".into())),
            }
        };
        let (i_class, i_count, i_desc) = (
            index("asset_class")?,
            index("count")?,
            index("description")?,
        );
        let mut rows = Vec::new();
        let mut seen = BTreeSet::new();
        for (n, record) in reader.records().enumerate() {
            let row = n as u64 + 1;
            let record = record.map_err(|e| err(None, Some(row), format!("malformed CSV: {e}")))?;
            let field = |i: usize| record.get(i).unwrap_or("").trim().to_string();
            let asset_class = field(i_class);
            if asset_class.is_empty() {
                return Err(err(
                    Some("asset_class"),
                    Some(row),
                    "empty asset class".into(),
                ));
            }
            if !seen.insert(asset_class.clone()) {
                return Err(err(
                    Some("asset_class"),
                    Some(row),
                    format!("asset class `{asset_class}` appears twice"),
                ));
            }
            let raw = field(i_count);
            let count = raw.parse::<u64>().map_err(|_| {
                err(
                    Some("count"),
                    Some(row),
                    format!("expected a whole number of 0 or more, found `{raw}`"),
                )
            })?;
            rows.push(InventoryRow {
                asset_class,
                count,
                description: field(i_desc),
            });
        }
        if rows.is_empty() {
            return Err(err(None, None, "no asset rows".into()));
        }
        Ok(IdcInventory {
            source: crate::source::Source::of_bytes(path, bytes),
            rows,
        })
    }
}

//! An input file as the report lists it: its path as given and its SHA-256, so that a
//! sign-off can prove which inputs a TCO result was computed from.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::TcoError;
use audit_model::tco_result::TcoInput as Input;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    /// 64 lowercase hex digits.
    pub sha256: String,
}

impl Source {
    pub fn of_bytes(path: &Path, bytes: &[u8]) -> Source {
        Source {
            path: path.to_path_buf(),
            sha256: hex(&Sha256::digest(bytes)),
        }
    }

    /// Hash a file of any size in constant memory.
    pub fn of_file(path: &Path) -> Result<Source, TcoError> {
        let read_err = |source| TcoError::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut file = std::fs::File::open(path).map_err(read_err)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1 << 20];
        loop {
            let n = file.read(&mut buf).map_err(read_err)?;
            if n == 0 {
                break;
            }
            hasher.update(buf.get(..n).unwrap_or_default());
        }
        Ok(Source {
            path: path.to_path_buf(),
            sha256: hex(&hasher.finalize()),
        })
    }

    pub fn input(&self) -> Input {
        Input {
            path: self.path.display().to_string(),
            sha256: self.sha256.clone(),
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(64), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

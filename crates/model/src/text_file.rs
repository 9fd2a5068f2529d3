//! Reading a text input file (config, waivers, checklist, assumptions, a policy file, a
//! CSV): UTF-8 or a refusal that says where the first bad byte is, so that every loader
//! answers invalid text the same way, as invalid input at a place, not as a read error.

use std::path::Path;

use crate::SourcePlace;

#[derive(Debug)]
pub enum TextError {
    /// The file could not be read at all.
    Io(std::io::Error),
    /// The file is not UTF-8: `place` is the line and column of the first bad byte.
    NotUtf8 { place: SourcePlace, byte: u8 },
}

impl TextError {
    /// The message for a [`TextError::NotUtf8`], without the place (the caller's error
    /// type puts the place where its messages put it).
    pub fn not_utf8_message(byte: u8) -> String {
        format!("not UTF-8 text (byte 0x{byte:02X}); save the file as UTF-8")
    }
}

/// The file's text, with a UTF-8 byte order mark removed.
pub fn read_text(path: &Path) -> Result<String, TextError> {
    let bytes = std::fs::read(path).map_err(TextError::Io)?;
    text_of(path, bytes)
}

/// [`read_text`] over bytes already read; `path` only names them in errors.
pub fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, TextError> {
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(e) => {
            let good = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let byte = bytes.get(good).copied().unwrap_or(0);
            // The prefix up to the first bad byte is valid UTF-8 by definition.
            let before = std::str::from_utf8(&bytes[..good]).unwrap_or("");
            Err(TextError::NotUtf8 {
                place: SourcePlace::at_offset(path, before, before.len()),
                byte,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_line_and_column_of_the_first_bad_byte() {
        let p = Path::new("x.toml");
        let err = text_of(p, b"a = 1\nbc\xffd\n".to_vec());
        match err {
            Err(TextError::NotUtf8 { place, byte }) => {
                assert_eq!(place.to_string(), "x.toml:2:3");
                assert_eq!(byte, 0xff);
            }
            other => panic!("expected NotUtf8, got {other:?}"),
        }
    }

    #[test]
    fn strips_a_byte_order_mark_and_keeps_the_rest() {
        let text = text_of(Path::new("x"), b"\xEF\xBB\xBFk = 'v'".to_vec());
        assert_eq!(text.ok().as_deref(), Some("k = 'v'"));
    }
}

//! A strict pass over a CSV cost file before Polars reads it: UTF-8, RFC 4180 quoting and
//! the header's field count on every row. Polars is lenient (a ragged row is padded or
//! cut, a stray quote is text) and its errors speak of chunks and row offsets; this pass
//! names the line, the column and the data row instead, so that a malformed file is
//! invalid input (exit 3) and never silently read differently from what it says.

use std::io::Read;
use std::path::Path;

use audit_model::SourcePlace;

use crate::error::TcoError;

#[derive(Clone, Copy, PartialEq)]
enum State {
    FieldStart,
    Unquoted,
    Quoted,
    /// A quote inside a quoted field: the closing quote, or the first of a doubled one.
    QuoteInQuoted,
    /// A carriage return; only a line feed may follow.
    Cr,
}

struct Scanner<'a> {
    path: &'a Path,
    state: State,
    /// 1-based line and column of the byte being looked at.
    line: usize,
    column: usize,
    /// Where the open quoted field began, for an unclosed quote.
    quote_line: usize,
    fields: usize,
    /// The header's field count, once the header is read.
    expected: Option<usize>,
    /// Data rows seen (the header is row 0).
    row: u64,
    /// Bytes in the current record, so that blank lines are skipped as Polars skips them.
    record_bytes: usize,
}

impl Scanner<'_> {
    fn error(&self, message: String) -> TcoError {
        TcoError::Text {
            place: SourcePlace::at(self.path, self.line, self.column),
            message,
        }
    }

    fn row_name(&self) -> String {
        if self.expected.is_none() {
            "the header".to_string()
        } else {
            format!("row {}", self.row + 1)
        }
    }

    fn end_record(&mut self) -> Result<(), TcoError> {
        if self.record_bytes == 0 {
            return Ok(());
        }
        let fields = self.fields + 1;
        match self.expected {
            None => self.expected = Some(fields),
            Some(want) if want != fields => {
                return Err(self.error(format!(
                    "{} has {fields} fields, the header has {want}",
                    self.row_name()
                )));
            }
            Some(_) => self.row += 1,
        }
        self.fields = 0;
        self.record_bytes = 0;
        Ok(())
    }

    fn byte(&mut self, b: u8) -> Result<(), TcoError> {
        use State::*;
        if self.state != Cr {
            self.record_bytes += 1;
        }
        match (self.state, b) {
            (Cr, b'\n') => {
                self.state = FieldStart;
            }
            (Cr, _) => {
                return Err(self.error(
                    "a carriage return that does not end a line (only CRLF or LF end a row)".into(),
                ));
            }
            (Quoted, b'"') => self.state = QuoteInQuoted,
            (Quoted, _) => {}
            (QuoteInQuoted, b'"') => self.state = Quoted,
            (Unquoted, b'"') => {
                return Err(self.error(format!(
                    "{}: a quote inside an unquoted field (quote the whole field and double the quote)",
                    self.row_name()
                )));
            }
            (QuoteInQuoted, b',' | b'\n' | b'\r')
            | (FieldStart | Unquoted, b',' | b'\n' | b'\r') => match b {
                b',' => {
                    self.fields += 1;
                    self.state = FieldStart;
                }
                b'\n' => {
                    self.record_bytes -= 1;
                    self.end_record()?;
                    self.state = FieldStart;
                }
                _ => {
                    self.record_bytes -= 1;
                    self.end_record()?;
                    self.state = Cr;
                }
            },
            (QuoteInQuoted, _) => {
                return Err(self.error(format!(
                    "{}: text after the closing quote of a field",
                    self.row_name()
                )));
            }
            (FieldStart, b'"') => {
                self.state = Quoted;
                self.quote_line = self.line;
            }
            (FieldStart | Unquoted, _) => self.state = Unquoted,
        }
        if b == b'\n' {
            self.line += 1;
            self.column = 1;
        } else if b & 0xC0 != 0x80 {
            // Columns count characters: a UTF-8 continuation byte is not a new one.
            self.column += 1;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), TcoError> {
        match self.state {
            State::Quoted => Err(TcoError::Text {
                place: SourcePlace::at(self.path, self.quote_line, 1),
                message: format!(
                    "{}: a quoted field that is never closed (it opens on line {})",
                    self.row_name(),
                    self.quote_line
                ),
            }),
            State::Cr => Ok(()),
            _ => self.end_record(),
        }
    }
}

/// Checks the whole file; returns the number of data rows.
pub fn check(path: &Path) -> Result<u64, TcoError> {
    let file = std::fs::File::open(path).map_err(|source| TcoError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    check_reader(path, file)
}

/// [`check`] over any reader; `path` only names it in errors.
pub fn check_reader(path: &Path, mut file: impl Read) -> Result<u64, TcoError> {
    let read_err = |source| TcoError::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut s = Scanner {
        path,
        state: State::FieldStart,
        line: 1,
        column: 1,
        quote_line: 1,
        fields: 0,
        expected: None,
        row: 0,
        record_bytes: 0,
    };
    let mut buf = vec![0u8; 1 << 20];
    // Bytes of a UTF-8 character cut by the end of the previous read.
    let mut carry = 0usize;
    let mut first = true;
    loop {
        let n = file.read(&mut buf[carry..]).map_err(read_err)?;
        let end = carry + n;
        if n == 0 {
            if carry > 0 {
                return Err(s.error(audit_model::TextError::not_utf8_message(buf[0])));
            }
            break;
        }
        let mut chunk = &buf[..end];
        if first {
            chunk = chunk.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(chunk);
            first = false;
        }
        let valid = match std::str::from_utf8(chunk) {
            Ok(_) => chunk.len(),
            Err(e) => {
                let upto = e.valid_up_to();
                if e.error_len().is_some() {
                    for &b in &chunk[..upto] {
                        s.byte(b)?;
                    }
                    return Err(s.error(audit_model::TextError::not_utf8_message(chunk[upto])));
                }
                upto
            }
        };
        for &b in &chunk[..valid] {
            s.byte(b)?;
        }
        let rest = chunk.len() - valid;
        let start = end - rest;
        buf.copy_within(start..end, 0);
        carry = rest;
    }
    s.finish()?;
    Ok(s.row)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &[u8]) -> Result<u64, String> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.csv");
        std::fs::write(&p, text).unwrap();
        check(&p).map_err(|e| {
            let s = e.to_string();
            s[s.find("c.csv").unwrap()..].to_string()
        })
    }

    #[test]
    fn accepts_rfc4180() {
        assert_eq!(run(b"a,b\n1,2\n\"x,\"\"y\"\"\nz\",3\r\n\n4,\n"), Ok(3));
        assert_eq!(run(b"\xEF\xBB\xBFa,b\n1,2"), Ok(1));
        assert_eq!(run("a,b\n\u{e9}t\u{e9},2\n".as_bytes()), Ok(1));
    }

    #[test]
    fn ragged_rows_name_the_row_and_line() {
        assert_eq!(
            run(b"a,b\n1,2\n3\n"),
            Err("c.csv:3:2: row 2 has 1 fields, the header has 2".into())
        );
        assert_eq!(
            run(b"a,b\n1,2,3\n"),
            Err("c.csv:2:6: row 1 has 3 fields, the header has 2".into())
        );
    }

    #[test]
    fn bad_quoting_is_refused() {
        assert!(
            run(b"a,b\n1,x\"y\n")
                .unwrap_err()
                .starts_with("c.csv:2:4: row 1: a quote inside")
        );
        assert!(
            run(b"a,b\n1,\"x\"y\n")
                .unwrap_err()
                .starts_with("c.csv:2:6: row 1: text after")
        );
        assert!(
            run(b"a,b\n1,\"x\n2,3\n")
                .unwrap_err()
                .starts_with("c.csv:2:1: row 1: a quoted field that is never closed")
        );
    }

    #[test]
    fn invalid_utf8_names_the_place() {
        assert_eq!(
            run(b"a,b\n1,\xff\n"),
            Err("c.csv:2:3: not UTF-8 text (byte 0xFF); save the file as UTF-8".into())
        );
    }
}

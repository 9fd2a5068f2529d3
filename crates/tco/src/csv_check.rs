//! A strict pass over a CSV cost file before Polars reads it: UTF-8, RFC 4180 quoting and
//! the header's field count on every row. Polars is lenient (a ragged row is padded or
//! cut, a stray quote is text) and its errors speak of chunks and row offsets; this pass
//! names the line, the column and the data row instead, so that a malformed file is
//! invalid input (exit 3) and never silently read differently from what it says.
//!
//! The period columns (`ChargePeriodStart` and the others of [`crate::focus`]) are checked
//! here too, past their date: the Polars read takes the date from the first ten
//! characters and checks that it is a real one, and this pass refuses what follows it
//! unless it is an ISO 8601 time (`2026-10-01Tgarbage` would otherwise be read as
//! 2026-10-01).

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
    /// Per field index, whether it is a period column (known once the header is read).
    period: Vec<bool>,
    /// The header's names, while the header is read.
    names: Vec<Vec<u8>>,
    /// Whether the current field's bytes are kept in `field` (header, period columns).
    keep: bool,
    field: Vec<u8>,
    /// Line and column where the current field began.
    field_at: (usize, usize),
}

/// The longest period value checked in full (a date, a time with nanoseconds and a zone
/// fit in 35 characters); a longer one is refused.
const MAX_PERIOD_TEXT: usize = 64;

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
        self.end_field()?;
        let fields = self.fields + 1;
        match self.expected {
            None => {
                self.expected = Some(fields);
                let period: Vec<String> = crate::focus::MONTH_COLUMNS
                    .iter()
                    .chain(crate::focus::CHARGE_END_COLUMNS)
                    .chain(crate::focus::BILLING_END_COLUMNS)
                    .map(|n| crate::focus::normalise(n))
                    .collect();
                self.period = std::mem::take(&mut self.names)
                    .iter()
                    .map(|n| period.contains(&crate::focus::normalise(&String::from_utf8_lossy(n))))
                    .collect();
            }
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
        self.start_field();
        Ok(())
    }

    /// Called when a field begins (after a separator or a line end).
    fn start_field(&mut self) {
        self.keep = self.expected.is_none() || self.period.get(self.fields) == Some(&true);
        self.field.clear();
    }

    /// Called when a field ends: keeps a header name, checks a period value.
    fn end_field(&mut self) -> Result<(), TcoError> {
        if !self.keep {
            return Ok(());
        }
        if self.expected.is_none() {
            self.names.push(std::mem::take(&mut self.field));
            return Ok(());
        }
        if self.field.len() > MAX_PERIOD_TEXT || !period_text_ok(&self.field) {
            let (line, column) = self.field_at;
            let text = String::from_utf8_lossy(&self.field);
            return Err(TcoError::Text {
                place: SourcePlace::at(self.path, line, column),
                message: format!(
                    "{}: {} is not an ISO 8601 date or date and time (YYYY-MM-DD, or \
                     YYYY-MM-DDTHH:MM:SS with an optional fraction and zone)",
                    self.row_name(),
                    audit_text::quote(&text)
                ),
            });
        }
        Ok(())
    }

    fn keep_byte(&mut self, b: u8) {
        if self.keep && self.field.len() <= MAX_PERIOD_TEXT {
            self.field.push(b);
        }
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
            (Quoted, _) => self.keep_byte(b),
            (QuoteInQuoted, b'"') => {
                self.keep_byte(b);
                self.state = Quoted;
            }
            (Unquoted, b'"') => {
                return Err(self.error(format!(
                    "{}: a quote inside an unquoted field (quote the whole field and double the quote)",
                    self.row_name()
                )));
            }
            (QuoteInQuoted, b',' | b'\n' | b'\r')
            | (FieldStart | Unquoted, b',' | b'\n' | b'\r') => match b {
                b',' => {
                    self.end_field()?;
                    self.fields += 1;
                    self.state = FieldStart;
                    self.start_field();
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
                self.field_at = (self.line, self.column);
            }
            (FieldStart, _) => {
                self.field_at = (self.line, self.column);
                self.keep_byte(b);
                self.state = Unquoted;
            }
            (Unquoted, _) => self.keep_byte(b),
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
        period: Vec::new(),
        names: Vec::new(),
        keep: true,
        field: Vec::new(),
        field_at: (1, 1),
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

/// Whether a period value is empty (left to the reader, which refuses a missing start),
/// shorter than a date (the reader refuses it as no real date), a date, or a date then
/// an ISO 8601 time: `T` or a space, `HH:MM` or `HH:MM:SS`, an optional fraction of up
/// to nine digits, then an optional `Z` or offset (`+08:00`, `+0800`, `+08`). Whether
/// the date itself is a real one is the reader's check.
fn period_text_ok(v: &[u8]) -> bool {
    if v.len() <= 10 {
        return true;
    }
    let digits = |s: &[u8], max: u32| -> bool {
        s.len() == 2
            && s.iter().all(u8::is_ascii_digit)
            && u32::from(s[0] - b'0') * 10 + u32::from(s[1] - b'0') <= max
    };
    let t = &v[10..];
    if !matches!(t[0], b'T' | b't' | b' ') || t.len() < 6 {
        return false;
    }
    if !(digits(&t[1..3], 23) && t[3] == b':' && digits(&t[4..6], 59)) {
        return false;
    }
    let mut rest = &t[6..];
    if let [b':', a, b, tail @ ..] = rest {
        if !digits(&[*a, *b], 60) {
            return false;
        }
        rest = tail;
        if let [b'.' | b',', tail @ ..] = rest {
            let n = tail.iter().take_while(|c| c.is_ascii_digit()).count();
            if n == 0 || n > 9 {
                return false;
            }
            rest = &tail[n..];
        }
    }
    match rest {
        [] | [b'Z' | b'z'] => true,
        [b'+' | b'-', h @ ..] => match h {
            [a, b] => digits(&[*a, *b], 23),
            [a, b, c, d] => digits(&[*a, *b], 23) && digits(&[*c, *d], 59),
            [a, b, b':', c, d] => digits(&[*a, *b], 23) && digits(&[*c, *d], 59),
            _ => false,
        },
        _ => false,
    }
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
    fn period_values_past_the_date_are_iso_8601_times() {
        for ok in [
            "2026-10-01",
            "2026-10-01T00:00:00Z",
            "2026-10-01 00:00:00",
            "2026-10-01T23:59:60.123456789+08:00",
            "2026-10-01T00:00-0530",
            "2026-10-01T00:00:00,5+08",
            "2026-13-45",
        ] {
            assert!(period_text_ok(ok.as_bytes()), "{ok}");
        }
        for bad in [
            "2026-10-01Tgarbage",
            "2026-10-01T24:00:00Z",
            "2026-10-01T00:60",
            "2026-10-01T00:00:00ZZ",
            "2026-10-01T00:00:00.Z",
            "2026-10-01T00:00:00.1234567890Z",
            "2026-10-01T00:00:00+8",
            "2026-10-01x",
            "2026-10-01T",
        ] {
            assert!(!period_text_ok(bad.as_bytes()), "{bad}");
        }
    }

    #[test]
    fn a_garbage_time_names_the_row_and_field() {
        let csv = b"BillingCurrency,\"ChargePeriodStart\",Tags\nCNY,2026-10-01T00:00:00Z,x\n\
                    CNY,\"2026-10-01Tgarbage\",\"a,b\"\n";
        assert_eq!(
            run(csv),
            Err(
                "c.csv:3:5: row 2: `2026-10-01Tgarbage` is not an ISO 8601 date or date and \
                 time (YYYY-MM-DD, or YYYY-MM-DDTHH:MM:SS with an optional fraction and zone)"
                    .into()
            )
        );
        // Other columns may hold anything.
        assert_eq!(run(b"Tags,ChargePeriodEnd\nTgarbage,\n"), Ok(1));
    }

    #[test]
    fn invalid_utf8_names_the_place() {
        assert_eq!(
            run(b"a,b\n1,\xff\n"),
            Err("c.csv:2:3: not UTF-8 text (byte 0xFF); save the file as UTF-8".into())
        );
    }
}

//! One home for making attacker-controlled text (tag values, names, ids, file contents)
//! safe to show. Every renderer and every error message goes through these functions,
//! so that no output can drive a terminal, break a table or hide what it shows.
//!
//! - [`terminal_safe`]: for a terminal (tables, progress, plain text);
//! - [`quote`]: user input inside an error message: backticked, terminal-safe, and cut;
//! - [`markdown_cell`]: a Markdown table cell or inline text;
//! - [`csv_field`]: a CSV field for a spreadsheet (formula guard, RFC 4180 quoting);
//! - [`csv_quote`]: a CSV field of a data file, RFC 4180 quoting only.

use std::borrow::Cow;

/// Characters that are not control characters but still rearrange or hide text: the
/// Arabic letter mark, the bidirectional overrides and isolates (a "Trojan Source" name
/// reads backwards), the zero-width characters, the line and paragraph separators and
/// the byte order mark.
pub fn is_deceptive(c: char) -> bool {
    matches!(c,
        '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}'
        | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
}

/// Control and deceptive characters: shown as their `\u{..}` escape everywhere.
fn shown_escaped(c: char) -> bool {
    c.is_control() || is_deceptive(c)
}

/// For a terminal: control and deceptive characters (ANSI escapes, line breaks, bidi
/// overrides) shown as `\u{..}`, so a tag value can neither break a table row, nor drive
/// the terminal, nor reorder what the reader sees.
pub fn terminal_safe(s: &str) -> String {
    if !s.chars().any(shown_escaped) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if shown_escaped(c) {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}

/// How many characters of one piece of user input an error message shows at most.
pub const QUOTE_MAX_CHARS: usize = 200;

/// User input inside an error message: in backticks, terminal-safe, and cut after
/// [`QUOTE_MAX_CHARS`] characters with the full length said, so that no message can
/// drive a terminal or flood a log with a rejected megabyte.
pub fn quote(s: &str) -> String {
    let total = s.chars().count();
    if total <= QUOTE_MAX_CHARS {
        return format!("`{}`", terminal_safe(s));
    }
    let head: String = s.chars().take(QUOTE_MAX_CHARS).collect();
    format!("`{}`... ({total} characters)", terminal_safe(&head))
}

/// How many characters of an error message are shown at most.
pub const MESSAGE_MAX_CHARS: usize = 2000;

/// A whole error message, the last line of defence for what a library wrote into it
/// (serde and Cedar quote rejected values as they came): one line, terminal-safe, cut
/// after [`MESSAGE_MAX_CHARS`] characters as shown (escapes count) with the full length said.
pub fn message(s: &str) -> String {
    let safe = terminal_safe(s);
    if safe.chars().count() <= MESSAGE_MAX_CHARS {
        return safe;
    }
    // Cut what is shown, escapes included (2,000 ESC characters would show as 12,000),
    // and never inside an escape.
    let mut out = String::new();
    let mut shown = 0;
    for c in s.chars() {
        let piece: String = if shown_escaped(c) {
            c.escape_unicode().collect()
        } else {
            c.to_string()
        };
        let len = piece.chars().count();
        if shown + len > MESSAGE_MAX_CHARS {
            break;
        }
        out.push_str(&piece);
        shown += len;
    }
    let total = s.chars().count();
    format!("{out}... (message cut: {total} characters)")
}

/// Text of several lines (an excerpt of a policy file): each line terminal-safe, line
/// breaks kept, each line cut like a [`message`].
pub fn lines(s: &str) -> String {
    s.split('\n').map(message).collect::<Vec<_>>().join("\n")
}

/// Makes untrusted text safe inside a Markdown table cell and inline in a sentence or a
/// heading, so it shows as the literal text it is:
///
/// - `\`, `|`, `` ` ``, `*`, `_`, `[`, `]`, `#` and `~` are backslash-escaped (no code
///   span, emphasis, link, image, heading, strikethrough, and no `|` that ends a cell);
/// - `&`, `<` and `>` become `&amp;`, `&lt;` and `&gt;` (no HTML, no entity, no autolink
///   in angle brackets);
/// - control characters (CR, LF, ESC, ...), the Unicode line and paragraph separators,
///   bidirectional overrides and zero-width characters are shown as their escape
///   (`\u{a}`), so a line break can never split a table row and no text can hide or
///   reorder what is around it.
///
/// - no text becomes a link by GitHub's and GitLab's autolinking, which would also drop
///   the escapes inside it: the `:` of `://` is written `&#58;`, the `.` of `www.` is
///   `&#46;` (entities render as the character but are not matched), and an `@` is
///   preceded by an empty HTML comment, `<!-- -->@` (an email autolink is matched across
///   entities, not across a comment). Checked with cmark-gfm in the tests.
///
/// The escaping is reversible: a backslash of the input is always doubled, so `\u{a}` in
/// the output can only come from a control character.
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for (i, c) in s.char_indices() {
        match c {
            ':' if s[i + 1..].starts_with("//") => out.push_str("&#58;"),
            '.' if i >= 3
                && s.get(i - 3..i)
                    .is_some_and(|w| w.eq_ignore_ascii_case("www")) =>
            {
                out.push_str("&#46;")
            }
            '@' => out.push_str("<!-- -->@"),
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if shown_escaped(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// A first character that makes a spreadsheet read the field as a formula (OWASP "CSV
/// injection").
fn is_formula(s: &str) -> bool {
    s.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

/// A CSV field for a spreadsheet: prefixed with `'` when a spreadsheet would read it as a
/// formula (first character `=`, `+`, `-`, `@`, TAB or CR), and quoted as RFC 4180 wants
/// when it holds `,`, `"`, CR or LF.
pub fn csv_field(s: &str) -> Cow<'_, str> {
    let formula = is_formula(s);
    let quote = s.contains([',', '"', '\r', '\n']);
    if !formula && !quote {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 3);
    if quote {
        out.push('"');
    }
    if formula {
        out.push('\'');
    }
    for c in s.chars() {
        if c == '"' {
            out.push('"');
        }
        out.push(c);
    }
    if quote {
        out.push('"');
    }
    Cow::Owned(out)
}

/// A CSV field of a data file that programs read back (a FOCUS bill): RFC 4180 quoting
/// only, the value itself unchanged.
pub fn csv_quote(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_safe_escapes_controls_and_bidi_overrides() {
        assert_eq!(terminal_safe("plain ascii"), "plain ascii");
        assert_eq!(terminal_safe("a\u{1b}[31m"), "a\\u{1b}[31m");
        assert_eq!(terminal_safe("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(terminal_safe("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(terminal_safe("中文 ok"), "中文 ok");
    }

    #[test]
    fn quote_backticks_escapes_and_cuts() {
        assert_eq!(quote("ec2"), "`ec2`");
        assert_eq!(quote("\u{1b}]0;PWNED\u{7}"), "`\\u{1b}]0;PWNED\\u{7}`");
        let long = "é".repeat(QUOTE_MAX_CHARS + 50);
        let q = quote(&long);
        assert!(q.ends_with(&format!("... ({} characters)", QUOTE_MAX_CHARS + 50)));
        assert_eq!(q.matches('é').count(), QUOTE_MAX_CHARS);
        // A cut never splits an escape: the head is cut first, then escaped.
        let controls = "\u{1b}".repeat(QUOTE_MAX_CHARS * 2);
        assert!(!quote(&controls).contains('\u{1b}'));
    }

    #[test]
    fn message_is_one_safe_line_and_cut() {
        assert_eq!(message("bad `x`"), "bad `x`");
        assert_eq!(
            message("a\nfake line\u{1b}[2J"),
            "a\\u{a}fake line\\u{1b}[2J"
        );
        let long = "x".repeat(MESSAGE_MAX_CHARS * 3);
        let m = message(&long);
        assert!(m.len() < MESSAGE_MAX_CHARS + 100, "{}", m.len());
        assert!(
            m.ends_with(&format!(
                "(message cut: {} characters)",
                MESSAGE_MAX_CHARS * 3
            )),
            "{m}"
        );
        assert_eq!(lines("one\n\u{1b}two"), "one\n\\u{1b}two");
        // Escapes count as shown: a run of ESC is cut at the same width, between escapes.
        let escapes = "\u{1b}".repeat(MESSAGE_MAX_CHARS);
        let m = message(&escapes);
        assert!(
            m.chars().count() <= MESSAGE_MAX_CHARS + 40,
            "{}",
            m.chars().count()
        );
        assert!(
            m.contains("\\u{1b}... (message cut: 2000 characters)"),
            "{m}"
        );
    }

    #[test]
    fn markdown_cell_escapes_markdown_html_and_line_breaks() {
        assert_eq!(markdown_cell("a|b"), "a\\|b");
        assert_eq!(markdown_cell("<img src=x>"), "&lt;img src=x&gt;");
        assert_eq!(markdown_cell("x\ny"), "x\\u{a}y");
        assert_eq!(markdown_cell("[a](b)"), "\\[a\\](b)");
        assert_eq!(markdown_cell("\u{61c}"), "\\u{61c}");
        assert_eq!(
            markdown_cell("http://x.io WWW.y.io a@b.io"),
            "http&#58;//x.io WWW&#46;y.io a<!-- -->@b.io"
        );
        assert_eq!(markdown_cell("arn:aws:s3:::b"), "arn:aws:s3:::b");
    }

    #[test]
    fn csv_field_guards_formulas_and_quotes() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("-2,\"x\""), "\"'-2,\"\"x\"\"\"");
        assert_eq!(csv_quote("-2"), "-2");
        assert_eq!(csv_quote("a\"b"), "\"a\"\"b\"");
    }
}

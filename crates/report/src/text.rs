//! Making attacker-controlled strings (names, tags, ids) safe to show.

/// For a terminal: control characters (ANSI escapes, line breaks) shown as `\u{..}`, so a
/// tag value can neither break a table row nor drive the terminal.
pub fn terminal_safe(s: &str) -> String {
    if !s.chars().any(char::is_control) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

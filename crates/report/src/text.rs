//! Making attacker-controlled strings (names, tags, ids) safe to show.

/// Characters that are not control characters but still rearrange or hide text: the
/// bidirectional overrides and isolates (a "Trojan Source" name reads backwards), the
/// zero-width characters and the line and paragraph separators.
pub fn is_deceptive(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// For a terminal: control and deceptive characters (ANSI escapes, line breaks, bidi
/// overrides) shown as `\u{..}`, so a tag value can neither break a table row, nor drive
/// the terminal, nor reorder what the reader sees.
pub fn terminal_safe(s: &str) -> String {
    if !s.chars().any(|c| c.is_control() || is_deceptive(c)) {
        return s.to_string();
    }
    s.chars()
        .map(|c| {
            if c.is_control() || is_deceptive(c) {
                c.escape_unicode().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_controls_and_bidi_overrides() {
        assert_eq!(terminal_safe("plain ascii"), "plain ascii");
        assert_eq!(terminal_safe("a\u{1b}[31m"), "a\\u{1b}[31m");
        assert_eq!(terminal_safe("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(terminal_safe("zero\u{200b}width"), "zero\\u{200b}width");
        assert_eq!(terminal_safe("中文 ok"), "中文 ok");
    }
}

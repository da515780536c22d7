//! LG49x: the health of suppressions, and the inline `livegate: allow` syntax.

use std::sync::LazyLock;

use regex::Regex;

/// One inline suppression comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineAllow {
    /// 1-based line the comment is on; it covers this line and the next.
    pub line: usize,
    pub codes: Vec<String>,
    pub reason: Option<String>,
    /// Byte offset of the comment in its line, for reporting.
    pub column: usize,
}

static INLINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"livegate:\s*allow\s+((?:LG\d{3}[\s,]*)+)(?:--\s*(.*))?").expect("inline allow regex")
});

/// Every inline allow in a file's text.
pub fn inline_allows(text: &str) -> Vec<InlineAllow> {
    if memchr::memmem::find(text.as_bytes(), b"livegate:").is_none() {
        return Vec::new();
    }
    let mut found = Vec::new();
    for (index, line) in text.split('\n').enumerate() {
        let Some(caps) = INLINE.captures(line) else {
            continue;
        };
        let codes = caps[1]
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|code| !code.is_empty())
            .map(str::to_owned)
            .collect();
        let reason = caps
            .get(2)
            .map(|m| {
                m.as_str()
                    .trim()
                    .trim_end_matches(['*', '/', '>', '-'])
                    .trim()
                    .to_owned()
            })
            .filter(|reason| !reason.is_empty());
        found.push(InlineAllow {
            line: index + 1,
            codes,
            reason,
            column: caps.get(0).map_or(0, |m| m.start()),
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_codes_and_reason() {
        let text = "a\nINSERT 4111111111111111 -- livegate: allow LG431, LG433 -- demo tenant card\n";
        let allows = inline_allows(text);
        assert_eq!(allows.len(), 1);
        assert_eq!(allows[0].line, 2);
        assert_eq!(allows[0].codes, ["LG431", "LG433"]);
        assert_eq!(allows[0].reason.as_deref(), Some("demo tenant card"));
    }

    #[test]
    fn missing_reason_is_none_and_comment_closers_are_not_a_reason() {
        assert_eq!(inline_allows("x # livegate: allow LG431\n")[0].reason, None);
        assert_eq!(inline_allows("/* livegate: allow LG431 -- */")[0].reason, None);
        assert_eq!(
            inline_allows("<!-- livegate: allow LG433 -- public docs link -->")[0]
                .reason
                .as_deref(),
            Some("public docs link")
        );
    }

    #[test]
    fn text_without_marker_has_no_allows() {
        assert!(inline_allows("livegate allow LG431 -- no colon").is_empty());
        assert!(inline_allows("nothing here").is_empty());
    }
}

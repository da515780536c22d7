//! What leaves the process: every secret in play scrubbed, and text from a
//! repository or an API answer made inert (terminal controls, bidi
//! controls, workflow commands). Secrets register themselves when they are
//! read (`github::secret::Secret::new`), so the exits — report rendering,
//! `--emit` and `--output` files, snapshots, request bodies, the binary's
//! stdout and stderr, live diagnostics — can scrub without being told what
//! to look for.

use std::fmt::Write as _;
use std::sync::{LazyLock, RwLock};

/// What a scrubbed secret is replaced with.
pub const REDACTED: &str = "<redacted>";

/// Secrets shorter than this are not scrubbed: replacing every occurrence of
/// a three-letter string would mangle reports, and no real credential is
/// that short.
const MIN_SECRET_LEN: usize = 8;

static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Credential shapes scrubbed even when livegate never saw the value: a
/// GitHub App installation token fetched inside the HTTP library, the App's
/// JWT, any GitHub token a server or a repository file echoes.
static CREDENTIAL_SHAPES: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(
        r"\b(?:gh[pousr]_[A-Za-z0-9_]{16,}|github_pat_[A-Za-z0-9_]{22,}|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,})",
    )
    .expect("the credential pattern compiles")
});

/// Remembers a secret for every later `scrub`. A PEM key is also remembered
/// line by line, so that a fragment of it is scrubbed too.
pub fn register_secret(value: &str) {
    let mut parts: Vec<&str> = vec![value.trim()];
    if value.contains("-----BEGIN") {
        parts.extend(value.lines().map(str::trim).filter(|l| !l.starts_with("-----")));
    }
    let mut secrets = SECRETS.write().unwrap_or_else(std::sync::PoisonError::into_inner);
    for part in parts {
        if part.len() >= MIN_SECRET_LEN && !secrets.iter().any(|s| s == part) {
            secrets.push(part.to_owned());
        }
    }
    // Longest first, so that a whole key is replaced before its lines.
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// The text with every registered secret and every credential-shaped string
/// replaced by `<redacted>`.
pub fn scrub(text: &str) -> String {
    let mut out = text.to_owned();
    let secrets = SECRETS.read().unwrap_or_else(std::sync::PoisonError::into_inner);
    for secret in secrets.iter() {
        if out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    match CREDENTIAL_SHAPES.replace_all(&out, REDACTED) {
        std::borrow::Cow::Borrowed(_) => out,
        std::borrow::Cow::Owned(replaced) => replaced,
    }
}

/// Unicode controls that reorder how text is displayed (Trojan Source):
/// embeddings and overrides, isolates, and the implicit marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
}

/// Whether a character may not be printed as it is: C0 and C1 controls,
/// DEL, and bidi controls.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

/// How an unprintable character is shown: `\u{1b}` for a control,
/// `<U+202E>` for a bidi control.
pub fn escaped(c: char, out: &mut String) {
    if is_bidi_control(c) {
        let _ = write!(out, "<U+{:04X}>", u32::from(c));
    } else {
        let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
    }
}

/// Text from a repository or an API made safe for one line of output: tabs
/// become spaces, every other control (line breaks included) and every bidi
/// control is shown escaped.
pub fn inline(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\t' {
            out.push(' ');
        } else if needs_escape(c) {
            escaped(c, &mut out);
        } else {
            out.push(c);
        }
    }
    out
}

/// Several lines of output that embed untrusted text: line breaks are kept,
/// every other control is escaped, and no line can start a GitHub workflow
/// command (`::`), which the runner would execute from stdout or stderr.
pub fn block(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.trim_start().starts_with("::") {
            out.push_str("| ");
        }
        out.push_str(&inline(line));
    }
    out
}

/// Live diagnostics: like `block`, but a carriage return (a progress line
/// redrawn in place) is kept.
pub fn progress(text: &str) -> String {
    text.split('\r').map(block).collect::<Vec<_>>().join("\r")
}

/// A JSON document with C1 and bidi controls written as `\uXXXX` escapes:
/// the same value, but nothing in it can reorder or drive a terminal that
/// shows it. (serde_json already escapes C0 controls.)
pub fn json_escapes(text: String) -> String {
    if !text.chars().any(needs_escape) {
        return text;
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        // Outside strings a JSON document holds only ASCII, so every such
        // character is inside a string, where an escape means the same.
        if needs_escape(c) && !matches!(c, '\n' | '\r' | '\t') {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registered_secrets_and_credential_shapes_are_scrubbed() {
        register_secret("s3cr3t-value-for-the-test");
        assert_eq!(
            scrub("Authorization: Bearer s3cr3t-value-for-the-test"),
            "Authorization: Bearer <redacted>"
        );
        assert_eq!(
            scrub("token ghs_16C7e42F292c6912E7710c838347Ae178B4a here"),
            "token <redacted> here"
        );
        register_secret("abc");
        assert_eq!(scrub("abc"), "abc", "too short to scrub safely");
    }

    #[test]
    fn a_pem_key_is_scrubbed_whole_and_line_by_line() {
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEAtestlineone\nAAAAtestlinetwo0123\n-----END RSA PRIVATE KEY-----\n";
        register_secret(pem);
        assert_eq!(scrub(pem), "<redacted>\n");
        assert_eq!(scrub("near AAAAtestlinetwo0123 x"), "near <redacted> x");
    }

    #[test]
    fn controls_and_bidi_are_shown_escaped() {
        assert_eq!(inline("a\u{1b}[2J\u{7}b\tc\n"), "a\\u{1b}[2J\\u{7}b c\\u{a}");
        assert_eq!(inline("x\u{202e}y\u{2066}\u{9b}"), "x<U+202E>y<U+2066>\\u{9b}");
        assert_eq!(
            block("ok\n::error::x\n  ::set-output"),
            "ok\n| ::error::x\n|   ::set-output"
        );
        assert_eq!(progress("\r50%\u{1b}"), "\r50%\\u{1b}");
        assert_eq!(json_escapes("{\"a\":\"\u{202e}\"}".to_owned()), "{\"a\":\"\\u202e\"}");
    }
}

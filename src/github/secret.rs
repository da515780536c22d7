//! Tokens and keys: a type that never shows its content through Debug or
//! Display, so no error message, log line or report can print it.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The only way to the value: named so that every use is easy to audit.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Removes every occurrence of the secret from text that came from elsewhere
/// (an HTTP error body echoing a header, a library's error message).
pub fn scrub(text: &str, secret: Option<&Secret>) -> String {
    match secret {
        Some(secret) if secret.expose().len() >= 4 => text.replace(secret.expose(), "<redacted>"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = Secret::new("ghp_canary1234567890");
        assert!(!format!("{secret:?}").contains("canary"));
        assert!(!format!("{secret}").contains("canary"));
        assert!(!format!("{:?}", Some(&secret)).contains("canary"));
        assert_eq!(
            scrub("Bearer ghp_canary1234567890 failed", Some(&secret)),
            "Bearer <redacted> failed"
        );
    }
}

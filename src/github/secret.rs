//! Tokens and keys: a type that never shows its content through Debug or
//! Display, and that registers its value with `sanitize`, so that every
//! exit of the process scrubs it wherever it turns up (an error body
//! echoing a header, a library's error message).

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        crate::sanitize::register_secret(&value);
        Secret(value)
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
            crate::sanitize::scrub("Bearer ghp_canary1234567890 failed"),
            "Bearer <redacted> failed"
        );
    }
}

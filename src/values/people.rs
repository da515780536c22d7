//! Literal test values: documentation credentials, payment test keys and
//! sandbox endpoints, placeholder people.

use std::sync::LazyLock;

use regex::Regex;

use super::{word_bounded, ValueKind, ValueMatch};

const AWS_EXAMPLES: &[(&str, &str)] = &[
    (
        "AKIAIOSFODNN7EXAMPLE",
        "the access key ID AWS prints in its documentation",
    ),
    (
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        "the secret access key AWS prints in its documentation",
    ),
];

/// Sandbox *settings* (`environment: sandbox`) are configuration rules
/// (LG452); here only values that can sit in data.
/// Payment test keys: a prefix alone is what a library compares against
/// (`key.starts_with("sk_test_")`), so a key body of at least 10 characters
/// is required.
static PAYMENT_KEY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b(?:sk|pk|rk)_test_[A-Za-z0-9]{10,}").expect("payment key pattern"));
static SANDBOX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bapi(?:-m|-3t)?\.sandbox\.paypal\.com\b").expect("sandbox pattern"));

pub(super) fn credentials(line: &str, out: &mut Vec<ValueMatch>) {
    for (literal, reason) in AWS_EXAMPLES {
        let mut from = 0;
        while let Some(pos) = line[from..].find(literal) {
            let start = from + pos;
            let end = start + literal.len();
            if word_bounded(line, start, end) {
                out.push(ValueMatch::new(ValueKind::ExampleCredential, line, start, end, *reason));
            }
            from = end;
        }
    }
    if line.contains("_test_") {
        for m in PAYMENT_KEY.find_iter(line) {
            out.push(ValueMatch::new(
                ValueKind::PaymentTestKey,
                line,
                m.start(),
                m.end(),
                "a Stripe test-mode key: it only works against the sandbox",
            ));
        }
    }
    for m in SANDBOX.find_iter(line) {
        out.push(ValueMatch::new(
            ValueKind::PaymentTestKey,
            line,
            m.start(),
            m.end(),
            "PayPal's sandbox API host: payments there are never charged",
        ));
    }
}

static PLACEHOLDER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(?:john|jane)[ ._]doe|(?:joe|fred)[ ._]bloggs|test user|lorem ipsum)\b")
        .expect("placeholder pattern")
});

pub(super) fn placeholders(line: &str, out: &mut Vec<ValueMatch>) {
    for m in PLACEHOLDER.find_iter(line) {
        let reason = if m.as_str().to_ascii_lowercase().starts_with("lorem") {
            "filler text"
        } else {
            "a placeholder name (weak signal: real people have it too)"
        };
        out.push(ValueMatch::new(
            ValueKind::PlaceholderPerson,
            line,
            m.start(),
            m.end(),
            reason,
        ));
    }
}

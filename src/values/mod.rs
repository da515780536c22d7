//! Reserved and well-known test values (../shared/reference/test-values.md).
//!
//! Each detector finds candidates with a loose pattern, then parses and
//! validates them: IP addresses with `std::net`, phone numbers after
//! normalising, card numbers by list and Luhn, NHS numbers by their check
//! digit. A candidate that does not parse is not reported.

mod identity;
mod network;
mod people;

#[cfg(test)]
mod tests;

/// What kind of reserved value was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ValueKind {
    PaymentCard,
    DocumentationIp,
    ReservedDomain,
    FictionalPhone,
    NationalId,
    BankAccount,
    ExampleCredential,
    PaymentTestKey,
    MacAddress,
    AsNumber,
    PlaceholderPerson,
}

impl ValueKind {
    /// A short human label, used at the start of finding messages.
    pub fn label(self) -> &'static str {
        match self {
            ValueKind::PaymentCard => "test payment card",
            ValueKind::DocumentationIp => "documentation IP address",
            ValueKind::ReservedDomain => "reserved domain",
            ValueKind::FictionalPhone => "fictional phone number",
            ValueKind::NationalId => "never-issued identity number",
            ValueKind::BankAccount => "example IBAN",
            ValueKind::ExampleCredential => "documentation credential",
            ValueKind::PaymentTestKey => "payment test key",
            ValueKind::MacAddress => "documentation MAC address",
            ValueKind::AsNumber => "documentation AS number",
            ValueKind::PlaceholderPerson => "placeholder person",
        }
    }

    /// Stronger kinds win when two matches overlap (an e-mail address at
    /// example.com whose local part is `jane.doe`).
    fn strength(self) -> u8 {
        match self {
            ValueKind::PlaceholderPerson => 0,
            ValueKind::AsNumber | ValueKind::FictionalPhone => 1,
            _ => 2,
        }
    }
}

/// One reserved value inside a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueMatch {
    pub kind: ValueKind,
    /// Byte offset of the value in the line.
    pub start: usize,
    /// Byte offset just past the value.
    pub end: usize,
    /// The value as written.
    pub text: String,
    /// Why it is reserved, with the source (an RFC, a processor's list).
    pub reason: String,
}

impl ValueMatch {
    fn new(kind: ValueKind, line: &str, start: usize, end: usize, reason: impl Into<String>) -> ValueMatch {
        ValueMatch {
            kind,
            start,
            end,
            text: line[start..end].to_owned(),
            reason: reason.into(),
        }
    }
}

/// Every reserved value in one line, in order, without overlaps.
pub fn find_in_line(line: &str) -> Vec<ValueMatch> {
    // A cheap gate: every detector needs a digit, an '@'-less domain word or
    // a letter run; lines without digits and without the few words the
    // text detectors need are common (code, prose) and skipped fast.
    let mut found = Vec::new();
    let has_digit = line.bytes().any(|b| b.is_ascii_digit());
    if has_digit {
        identity::payment_cards(line, &mut found);
        identity::phones(line, &mut found);
        identity::national_ids(line, &mut found);
        identity::ibans(line, &mut found);
        network::ipv4(line, &mut found);
        network::macs(line, &mut found);
        network::as_numbers(line, &mut found);
    }
    if line.contains(':') {
        network::ipv6(line, &mut found);
    }
    if line.contains('.') {
        network::domains(line, &mut found);
    }
    people::credentials(line, &mut found);
    people::placeholders(line, &mut found);
    resolve_overlaps(found)
}

/// Sorts by position and keeps, among overlapping matches, the strongest
/// kind and then the longest.
fn resolve_overlaps(mut found: Vec<ValueMatch>) -> Vec<ValueMatch> {
    found.sort_by(|a, b| {
        a.start
            .cmp(&b.start)
            .then(b.kind.strength().cmp(&a.kind.strength()))
            .then((b.end - b.start).cmp(&(a.end - a.start)))
    });
    let mut kept: Vec<ValueMatch> = Vec::with_capacity(found.len());
    for candidate in found {
        match kept.last_mut() {
            Some(last) if candidate.start < last.end => {
                let better = candidate.kind.strength() > last.kind.strength()
                    || (candidate.kind.strength() == last.kind.strength()
                        && candidate.end - candidate.start > last.end - last.start);
                if better {
                    *last = candidate;
                }
            }
            _ => kept.push(candidate),
        }
    }
    kept
}

/// True when the byte before `start` and the byte at `end` do not continue
/// a word: letters, digits and `_` on either side mean the match is part of
/// something longer.
fn word_bounded(line: &str, start: usize, end: usize) -> bool {
    let bytes = line.as_bytes();
    let before = start.checked_sub(1).map(|i| bytes[i]);
    let after = bytes.get(end).copied();
    let continues = |b: Option<u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
    !continues(before) && !continues(after)
}

/// Digits only, from a candidate written with spaces, dashes, dots or
/// parentheses.
fn digits_of(text: &str) -> String {
    text.chars().filter(char::is_ascii_digit).collect()
}

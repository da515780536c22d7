//! Numbers that identify people and accounts: test cards, drama phone
//! numbers, never-issued identity numbers, textbook IBANs.

use std::sync::LazyLock;

use regex::Regex;

use super::{digits_of, word_bounded, ValueKind, ValueMatch};

/// Processor test cards (Stripe and Braintree lists).
const TEST_CARDS: &[&str] = &[
    "4111111111111111",
    "4242424242424242",
    "4012888888881881",
    "4000056655665556",
    "5555555555554444",
    "5105105105105100",
    "2223003122003222",
    "378282246310005",
    "371449635398431",
    "6011111111111117",
    "6011000990139424",
    "30569309025904",
    "3530111333300000",
    "6200000000000005",
];

/// Digit groups of 13 to 19 digits, separated by single spaces or dashes.
static CARD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\d(?:[ -]?\d){12,18}").expect("card pattern"));

pub(super) fn luhn_valid(digits: &str) -> bool {
    let mut sum = 0;
    for (i, c) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    !digits.is_empty() && sum % 10 == 0
}

pub(super) fn payment_cards(line: &str, out: &mut Vec<ValueMatch>) {
    for m in CARD.find_iter(line) {
        if !word_bounded(line, m.start(), m.end()) {
            continue;
        }
        let text = m.as_str();
        let digits = digits_of(text);
        // Separators must be used consistently: "4111 1111 1111 1111" or
        // "4111-1111-…", not a run of unrelated numbers.
        let has_space = text.contains(' ');
        let has_dash = text.contains('-');
        if has_space && has_dash {
            continue;
        }
        if TEST_CARDS.contains(&digits.as_str()) && luhn_valid(&digits) {
            out.push(ValueMatch::new(
                ValueKind::PaymentCard,
                line,
                m.start(),
                m.end(),
                "a payment processor's published test card (Stripe/Braintree lists)",
            ));
        }
    }
}

/// UK numbers written nationally (0…) or internationally (+44 / 0044, with
/// an optional "(0)"), with spaces, dashes or parentheses between groups.
static UK_PHONE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\+44|\b0044)[ -]?(?:\(0\)[ -]?)?\(?\d[\d ()-]{7,14}\d|\(?\b0\d[\d ()-]{7,14}\d").expect("uk phone")
});

/// Ofcom drama ranges: an 8-digit national prefix followed by 3 free digits.
const UK_DRAMA_PREFIXES: &[&str] = &[
    "01632960", "07700900", "02079460", "01134960", "01144960", "01154960", "01164960", "01174960", "01184960",
    "01214960", "01314960", "01414960", "01514960", "01614960", "01914980", "02920180", "08081570", "09098790",
    "03069990",
];

/// US: optional +1, area code, then 555-01xx.
static US_PHONE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:\+?1[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-])?555[ .-]01\d{2}").expect("us phone"));

pub(super) fn phones(line: &str, out: &mut Vec<ValueMatch>) {
    for m in UK_PHONE.find_iter(line) {
        let (start, end) = (m.start(), m.end());
        if line[end..].starts_with(|c: char| c.is_ascii_alphanumeric())
            || line[..start].ends_with(|c: char| c.is_ascii_digit())
        {
            continue;
        }
        let text = m.as_str();
        let mut digits = digits_of(text);
        if text.starts_with("+44") || text.starts_with("0044") {
            let rest = if text.starts_with("+44") {
                &digits[2..]
            } else {
                &digits[4..]
            };
            // "(0)" after the country code is the trunk prefix written out;
            // "+44 020 …" is a common misspelling of the same number.
            let rest = rest.strip_prefix('0').unwrap_or(rest);
            digits = format!("0{rest}");
        }
        if digits.len() == 11 && UK_DRAMA_PREFIXES.iter().any(|p| digits.starts_with(p)) {
            out.push(ValueMatch::new(
                ValueKind::FictionalPhone,
                line,
                start,
                end,
                "an Ofcom range reserved for drama, never assigned",
            ));
        }
    }
    for m in US_PHONE.find_iter(line) {
        let (start, end) = (m.start(), m.end());
        let before = line[..start].chars().next_back();
        let after = line[end..].chars().next();
        if before.is_some_and(|c| c.is_ascii_alphanumeric()) || after.is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        out.push(ValueMatch::new(
            ValueKind::FictionalPhone,
            line,
            start,
            end,
            "NANP 555-0100 to 555-0199 is reserved for fiction",
        ));
    }
}

static NINO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b([A-Z]{2}) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])\b").expect("nino"));
static NINO_CONTEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bnino\b|national[ _-]?insurance|\bni[ _-]?(?:no|num|number)\b").expect("ctx"));
static NHS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b999[ -]?\d{3}[ -]?\d{4}\b").expect("nhs"));
static SSN: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\b(\d{3})-(\d{2})-(\d{4})\b").expect("ssn"));
static SSN_CONTEXT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)\bssn\b|social[ _-]?security|\btax[ _-]?id").expect("ctx"));

const NEVER_ISSUED_NI_PREFIXES: &[&str] = &["BG", "GB", "KN", "NK", "NT", "TN", "ZZ"];

/// Modulus 11 check used by NHS numbers: weights 10 down to 2.
pub(super) fn nhs_check_valid(digits: &str) -> bool {
    let d: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    if d.len() != 10 {
        return false;
    }
    let sum: u32 = d[..9]
        .iter()
        .zip((2..=10).rev())
        .map(|(digit, weight)| digit * weight)
        .sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[9]
}

pub(super) fn national_ids(line: &str, out: &mut Vec<ValueMatch>) {
    let ni_context = NINO_CONTEXT.is_match(line);
    for caps in NINO.captures_iter(line) {
        let whole = caps.get(0).expect("match");
        let prefix = &caps[1];
        let (first, second) = (prefix.as_bytes()[0], prefix.as_bytes()[1]);
        let reason = if prefix == "QQ" {
            Some("the QQ prefix is HMRC's example National Insurance number")
        } else if NEVER_ISSUED_NI_PREFIXES.contains(&prefix) {
            Some("a National Insurance prefix HMRC never issues")
        } else if ni_context && (b"DFIQUV".contains(&first) || b"DFIQUVO".contains(&second)) {
            // Letters that never appear: only called test data where the
            // line says it is a National Insurance number, since the shape
            // alone (2 letters, 6 digits, A-D) also fits product codes.
            Some("letters that never appear in an issued National Insurance number")
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(ValueMatch::new(
                ValueKind::NationalId,
                line,
                whole.start(),
                whole.end(),
                reason,
            ));
        }
    }
    for m in NHS.find_iter(line) {
        let digits = digits_of(m.as_str());
        if nhs_check_valid(&digits) {
            out.push(ValueMatch::new(
                ValueKind::NationalId,
                line,
                m.start(),
                m.end(),
                "NHS numbers starting 999 are never issued (synthetic range), check digit valid",
            ));
        }
    }
    let ssn_context = SSN_CONTEXT.is_match(line);
    for caps in SSN.captures_iter(line) {
        let whole = caps.get(0).expect("match");
        let (area, group, serial) = (&caps[1], &caps[2], &caps[3]);
        let reason = if whole.as_str() == "078-05-1120" || whole.as_str() == "219-09-9999" {
            Some("a Social Security number the SSA published as a sample")
        } else if area.starts_with('9') {
            // 9xx is the ITIN range: real taxpayer numbers, not test data.
            None
        } else if ssn_context && (area == "000" || area == "666" || group == "00" || serial == "0000") {
            Some("area 000/666, group 00 or serial 0000 are never issued")
        } else {
            None
        };
        if let Some(reason) = reason {
            out.push(ValueMatch::new(
                ValueKind::NationalId,
                line,
                whole.start(),
                whole.end(),
                reason,
            ));
        }
    }
}

/// Textbook IBANs, compared without spaces.
const EXAMPLE_IBANS: &[&str] = &[
    "GB82WEST12345698765432",
    "GB29NWBK60161331926819",
    "DE89370400440532013000",
];

static IBAN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,3})?\b").expect("iban"));

pub(super) fn ibans(line: &str, out: &mut Vec<ValueMatch>) {
    for m in IBAN.find_iter(line) {
        let compact: String = m.as_str().chars().filter(|c| *c != ' ').collect();
        if EXAMPLE_IBANS.contains(&compact.as_str()) {
            out.push(ValueMatch::new(
                ValueKind::BankAccount,
                line,
                m.start(),
                m.end(),
                "an IBAN printed as an example in the standards and registry documentation",
            ));
        }
    }
}

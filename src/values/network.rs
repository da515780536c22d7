//! Network identifiers reserved for documentation: IP ranges, MAC ranges,
//! AS numbers, and reserved domain names.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::Regex;

use super::{ValueKind, ValueMatch};

static IPV4: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d{1,3}(?:\.\d{1,3}){3}(?:/\d{1,2})?").expect("ipv4 pattern"));

/// (network, prefix length, source)
const IPV4_RANGES: &[([u8; 4], u8, &str)] = &[
    ([192, 0, 2, 0], 24, "TEST-NET-1, reserved for documentation (RFC 5737)"),
    (
        [198, 51, 100, 0],
        24,
        "TEST-NET-2, reserved for documentation (RFC 5737)",
    ),
    (
        [203, 0, 113, 0],
        24,
        "TEST-NET-3, reserved for documentation (RFC 5737)",
    ),
    (
        [233, 252, 0, 0],
        24,
        "MCAST-TEST-NET, reserved for documentation (RFC 6676)",
    ),
];

fn before_is(line: &str, start: usize, pred: impl Fn(char) -> bool) -> bool {
    line[..start].chars().next_back().is_some_and(pred)
}

fn after_is(line: &str, end: usize, pred: impl Fn(char) -> bool) -> bool {
    line[end..].chars().next().is_some_and(pred)
}

/// Splits "addr/len" into the address text and an optional prefix length.
fn split_prefix(text: &str) -> (&str, Option<u8>) {
    match text.split_once('/') {
        Some((addr, len)) => (addr, len.parse().ok()),
        None => (text, None),
    }
}

pub(super) fn ipv4(line: &str, out: &mut Vec<ValueMatch>) {
    for m in IPV4.find_iter(line) {
        let (start, end) = (m.start(), m.end());
        // Part of a longer dotted run (a version string, an OID) is not an
        // address.
        if before_is(line, start, |c| c.is_ascii_alphanumeric() || c == '.' || c == '_')
            || after_is(line, end, |c| c.is_ascii_alphanumeric() || c == '_')
            || line[end..].starts_with('.') && after_is(line, end + 1, |c| c.is_ascii_digit())
        {
            continue;
        }
        let (addr, prefix) = split_prefix(m.as_str());
        let Ok(addr) = addr.parse::<Ipv4Addr>() else { continue };
        let addr = u32::from(addr);
        for (net, len, reason) in IPV4_RANGES {
            let mask = u32::MAX << (32 - u32::from(*len));
            // A CIDR wider than the reserved range is not the range.
            if addr & mask == u32::from(Ipv4Addr::from(*net)) && prefix.is_none_or(|p| p >= *len) {
                out.push(ValueMatch::new(ValueKind::DocumentationIp, line, start, end, *reason));
            }
        }
    }
}

static IPV6: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,7}(?:/\d{1,3})?").expect("ipv6 pattern"));

pub(super) fn ipv6(line: &str, out: &mut Vec<ValueMatch>) {
    for m in IPV6.find_iter(line) {
        let (start, end) = (m.start(), m.end());
        if before_is(line, start, |c| c.is_ascii_alphanumeric() || c == ':' || c == '_')
            || after_is(line, end, |c| c.is_ascii_alphanumeric() || c == '_')
        {
            continue;
        }
        let (addr, prefix) = split_prefix(m.as_str());
        let Ok(parsed) = addr.parse::<Ipv6Addr>() else { continue };
        let s = parsed.segments();
        let reason = if s[0] == 0x2001 && s[1] == 0x0db8 && prefix.is_none_or(|p| p >= 32) {
            "2001:db8::/32, reserved for documentation (RFC 3849)"
        } else if s[0] == 0x3fff && s[1] & 0xf000 == 0 && prefix.is_none_or(|p| p >= 20) {
            "3fff::/20, reserved for documentation (RFC 9637)"
        } else {
            continue;
        };
        out.push(ValueMatch::new(ValueKind::DocumentationIp, line, start, end, reason));
    }
}

static MAC: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i)[0-9a-f]{2}(?:[:-][0-9a-f]{2}){5}").expect("mac pattern"));

pub(super) fn macs(line: &str, out: &mut Vec<ValueMatch>) {
    for m in MAC.find_iter(line) {
        let (start, end) = (m.start(), m.end());
        let text = m.as_str();
        let hexish = |c: char| c.is_ascii_hexdigit() || c == ':' || c == '-';
        if before_is(line, start, hexish) || after_is(line, end, hexish) {
            continue;
        }
        let separator = text.as_bytes()[2];
        if text.bytes().skip(2).step_by(3).any(|b| b != separator) {
            continue;
        }
        let bytes: Vec<u8> = text
            .split([':', '-'])
            .filter_map(|h| u8::from_str_radix(h, 16).ok())
            .collect();
        let reason = match bytes[..] {
            [0x00, 0x00, 0x5e, 0x00, 0x53, _] => "00-00-5E-00-53-xx, unicast MAC reserved for documentation (RFC 7042)",
            [0x01, 0x00, 0x5e, 0x90, 0x10, _] => {
                "01-00-5E-90-10-xx, multicast MAC reserved for documentation (RFC 7042)"
            }
            _ => continue,
        };
        out.push(ValueMatch::new(ValueKind::MacAddress, line, start, end, reason));
    }
}

/// An AS number only counts where the line says it is one: "AS64500",
/// "asn: 64500", "remote-as 64500".
static AS_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b(?:asn?|as[_-]?number|(?:remote|local|peer)[_-]as|peer[_-]?asn|bgp[_-]?asn)["']?\s*[:=]?\s*["']?(\d{5})\b"#,
    )
    .expect("as pattern")
});

pub(super) fn as_numbers(line: &str, out: &mut Vec<ValueMatch>) {
    for caps in AS_NUMBER.captures_iter(line) {
        let number = caps.get(1).expect("group");
        let Ok(value) = number.as_str().parse::<u32>() else {
            continue;
        };
        if (64496..=64511).contains(&value) || (65536..=65551).contains(&value) {
            out.push(ValueMatch::new(
                ValueKind::AsNumber,
                line,
                number.start(),
                number.end(),
                "an AS number reserved for documentation (RFC 5398)",
            ));
        }
    }
}

/// example.com/.net/.org and their subdomains, with an optional e-mail
/// local part in front.
static EXAMPLE_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)(?:[a-z0-9._%+-]+@)?(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*example\.(?:com|net|org)")
        .expect("domain pattern")
});

/// Reserved top-level domains count only inside an e-mail address or a URL:
/// `config.test` alone is more often a file name than a host.
static RESERVED_TLD_EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[a-z0-9._%+-]+@(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:test|example|invalid|localhost)")
        .expect("tld email pattern")
});
static RESERVED_TLD_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b[a-z][a-z0-9+.-]*://(?:[^\s/@]+@)?((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:test|example|invalid|localhost))",
    )
    .expect("tld url pattern")
});

/// A domain match ends cleanly: not followed by more name (`example.com.au`,
/// `example.company`).
fn domain_ends(line: &str, end: usize) -> bool {
    if after_is(line, end, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return false;
    }
    !(line[end..].starts_with('.') && after_is(line, end + 1, |c| c.is_ascii_alphanumeric()))
}

pub(super) fn domains(line: &str, out: &mut Vec<ValueMatch>) {
    for m in EXAMPLE_DOMAIN.find_iter(line) {
        let (start, end) = (m.start(), m.end());
        if before_is(line, start, |c| c.is_ascii_alphanumeric() || c == '-' || c == '_') || !domain_ends(line, end) {
            continue;
        }
        out.push(ValueMatch::new(
            ValueKind::ReservedDomain,
            line,
            start,
            end,
            "example.com/.net/.org are reserved for documentation (RFC 2606)",
        ));
    }
    for m in RESERVED_TLD_EMAIL.find_iter(line) {
        if domain_ends(line, m.end()) && !before_is(line, m.start(), |c| c.is_ascii_alphanumeric()) {
            out.push(ValueMatch::new(
                ValueKind::ReservedDomain,
                line,
                m.start(),
                m.end(),
                "an address under a reserved top-level domain (RFC 2606, RFC 6761)",
            ));
        }
    }
    for caps in RESERVED_TLD_URL.captures_iter(line) {
        let host = caps.get(1).expect("host group");
        if domain_ends(line, host.end()) {
            out.push(ValueMatch::new(
                ValueKind::ReservedDomain,
                line,
                host.start(),
                host.end(),
                "a URL under a reserved top-level domain (RFC 2606, RFC 6761)",
            ));
        }
    }
}

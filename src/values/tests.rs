use super::identity::{luhn_valid, nhs_check_valid};
use super::*;

fn kinds(line: &str) -> Vec<(ValueKind, String)> {
    find_in_line(line).into_iter().map(|m| (m.kind, m.text)).collect()
}

fn one(line: &str, kind: ValueKind, text: &str) {
    assert_eq!(kinds(line), [(kind, text.to_owned())], "line: {line}");
}

fn none(line: &str) {
    assert_eq!(kinds(line), [], "line: {line}");
}

#[test]
fn cards_by_list_and_luhn() {
    assert!(luhn_valid("4111111111111111"));
    assert!(!luhn_valid("4111111111111112"));
    one("card=4111111111111111", ValueKind::PaymentCard, "4111111111111111");
    one("'4111 1111 1111 1111'", ValueKind::PaymentCard, "4111 1111 1111 1111");
    one("4242-4242-4242-4242,", ValueKind::PaymentCard, "4242-4242-4242-4242");
    one("amex 378282246310005", ValueKind::PaymentCard, "378282246310005");
    // Luhn-valid but not a processor's test card: a real card, not ours to flag.
    none("4556737586899855");
    // Inside a longer number, or with mixed separators.
    none("id 94111111111111111");
    none("4111 1111-1111 1111");
}

#[test]
fn documentation_ipv4_is_parsed() {
    one("allowed: 203.0.113.7", ValueKind::DocumentationIp, "203.0.113.7");
    one("cidr 198.51.100.0/24;", ValueKind::DocumentationIp, "198.51.100.0/24");
    one("233.252.0.1", ValueKind::DocumentationIp, "233.252.0.1");
    none("192.0.2.300");
    none("192.0.20.1");
    // A wider CIDR that contains the range is not the range.
    none("192.0.0.0/16");
    // Part of a version string or an OID.
    none("v1.192.0.2.1");
    none("192.0.2.1.5");
}

#[test]
fn documentation_ipv6_is_parsed() {
    one("addr = 2001:db8::1", ValueKind::DocumentationIp, "2001:db8::1");
    one(
        "[2001:DB8:0:0:8:800:200C:417A]",
        ValueKind::DocumentationIp,
        "2001:DB8:0:0:8:800:200C:417A",
    );
    one("prefix 2001:db8::/32", ValueKind::DocumentationIp, "2001:db8::/32");
    one("3fff:fff::1", ValueKind::DocumentationIp, "3fff:fff::1");
    none("3fff:1000::1");
    none("2001:db9::1");
    none("2001:db8::/16");
    none("at 12:30:45");
}

#[test]
fn reserved_domains() {
    one(
        "email: 'jane@example.com'",
        ValueKind::ReservedDomain,
        "jane@example.com",
    );
    one(
        "https://api.example.org/v1",
        ValueKind::ReservedDomain,
        "api.example.org",
    );
    one("host=EXAMPLE.NET", ValueKind::ReservedDomain, "EXAMPLE.NET");
    one("ops@mail.invalid", ValueKind::ReservedDomain, "ops@mail.invalid");
    one(
        "url = \"http://shop.test:8080/\"",
        ValueKind::ReservedDomain,
        "shop.test",
    );
    one(
        "redirect https://app.localhost/cb",
        ValueKind::ReservedDomain,
        "app.localhost",
    );
    // Real domains that merely contain the word.
    none("myexample.com");
    none("example.com.au");
    none("example.company");
    none("see https://examples.com");
    // Reserved TLDs outside an address or URL are file names, not hosts.
    none("load config.test and settings.example");
    // A placeholder name inside an example.com address is one finding, the domain.
    one(
        "john.doe@example.com",
        ValueKind::ReservedDomain,
        "john.doe@example.com",
    );
}

#[test]
fn phones_after_normalising() {
    one("tel: 07700 900123", ValueKind::FictionalPhone, "07700 900123");
    one("+44 7700 900123", ValueKind::FictionalPhone, "+44 7700 900123");
    one("+44 (0)20 7946 0018", ValueKind::FictionalPhone, "+44 (0)20 7946 0018");
    one("0044 161 496 0999", ValueKind::FictionalPhone, "0044 161 496 0999");
    one("(0113) 496-0000", ValueKind::FictionalPhone, "(0113) 496-0000");
    one("0191 498 0123", ValueKind::FictionalPhone, "0191 498 0123");
    one("phone (555) 555-0142", ValueKind::FictionalPhone, "(555) 555-0142");
    one("call 212-555-0199 now", ValueKind::FictionalPhone, "212-555-0199");
    // Real numbers next to the ranges.
    none("07700 901123");
    none("020 7946 1000");
    none("212-555-0200");
    none("212-555-1234");
}

#[test]
fn national_identity_numbers() {
    one("QQ123456C", ValueKind::NationalId, "QQ123456C");
    one("ni: 'ZZ 12 34 56 A'", ValueKind::NationalId, "ZZ 12 34 56 A");
    // Letters never used are reported only when the line names the number.
    one("national_insurance = DA123456A", ValueKind::NationalId, "DA123456A");
    none("sku DA123456A");
    none("AB123456C");
    // NHS: 999 with a valid check digit; 9990000026 checks, 9990000027 does not.
    assert!(nhs_check_valid("9990000026"));
    assert!(!nhs_check_valid("9990000027"));
    one("nhs 999 000 0026", ValueKind::NationalId, "999 000 0026");
    none("nhs 999 000 0027");
    // SSN: published samples always, impossible numbers with context, never 9xx.
    one("078-05-1120", ValueKind::NationalId, "078-05-1120");
    one("ssn: 123-00-4567", ValueKind::NationalId, "123-00-4567");
    none("part 123-00-4567");
    none("ssn: 900-00-0000");
    none("ssn: 123-45-6789");
}

#[test]
fn ibans_credentials_and_sandboxes() {
    one(
        "GB82 WEST 1234 5698 7654 32",
        ValueKind::BankAccount,
        "GB82 WEST 1234 5698 7654 32",
    );
    one(
        "iban=GB29NWBK60161331926819",
        ValueKind::BankAccount,
        "GB29NWBK60161331926819",
    );
    none("GB33BUKB20201555555555");
    one(
        "key=AKIAIOSFODNN7EXAMPLE",
        ValueKind::ExampleCredential,
        "AKIAIOSFODNN7EXAMPLE",
    );
    none("AKIAIOSFODNN7EXAMPLES");
    one(
        "STRIPE_KEY=sk_test_4eC39HqLyjWDarjtT1zdp7dc",
        ValueKind::PaymentTestKey,
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc",
    );
    none("if key.starts_with(\"sk_test_\") {");
    one(
        "base: https://api.sandbox.paypal.com/v1",
        ValueKind::PaymentTestKey,
        "api.sandbox.paypal.com",
    );
    none("environment: sandbox");
}

#[test]
fn network_identifiers() {
    one("mac 00:00:5E:00:53:01", ValueKind::MacAddress, "00:00:5E:00:53:01");
    one("01-00-5e-90-10-ff", ValueKind::MacAddress, "01-00-5e-90-10-ff");
    none("00:00:5E:00:54:01");
    none("00:00:5E-00:53:01");
    one("remote-as 64500", ValueKind::AsNumber, "64500");
    one("\"asn\": 65551", ValueKind::AsNumber, "65551");
    one("peer AS64511", ValueKind::AsNumber, "64511");
    none("remote-as 64512");
    none("count 64500");
}

#[test]
fn placeholder_people() {
    one("name: 'Jane Doe'", ValueKind::PlaceholderPerson, "Jane Doe");
    one("Joe Bloggs", ValueKind::PlaceholderPerson, "Joe Bloggs");
    one(
        "Lorem ipsum dolor sit amet",
        ValueKind::PlaceholderPerson,
        "Lorem ipsum",
    );
    none("John Doerr");
}

#[test]
fn several_values_in_order_with_byte_offsets() {
    let line = "('é@example.com', '4111111111111111', '203.0.113.9')";
    let found = find_in_line(line);
    let got: Vec<_> = found.iter().map(|m| m.kind).collect();
    assert_eq!(
        got,
        [
            ValueKind::ReservedDomain,
            ValueKind::PaymentCard,
            ValueKind::DocumentationIp
        ]
    );
    for m in &found {
        assert_eq!(&line[m.start..m.end], m.text);
        assert!(!m.reason.is_empty());
    }
    // The non-ASCII local part is not part of the address pattern.
    assert_eq!(found[0].text, "example.com");
}

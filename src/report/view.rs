//! Views of a report beside the one-diagnostic-per-finding listing: counts
//! per check (`--statistics`) and findings grouped by check, one section per
//! check with its help once (the audit of many repositories). The human and
//! Markdown renderers draw on it; JSON gains a `statistics` field.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};
use serde_json::{json, Value};

use super::color::paint;
use super::count;
use super::finding::{Finding, Severity};
use crate::registry::CheckMeta;

/// How much of a report to show, and in which shape.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct View {
    /// `-q`: findings only, without the command's details (tables, counts)
    /// and the closing summary line; machine formats are unchanged.
    pub quiet: bool,
    /// `--statistics`: a table of counts per check instead of the findings
    /// (human, Markdown); a `statistics` field beside them in JSON.
    pub statistics: bool,
    /// One section per check listing its subjects, help printed once.
    pub grouped: bool,
}

/// How many findings one check produced at one severity.
#[derive(Debug, Clone)]
pub struct Statistic {
    pub check: &'static CheckMeta,
    pub severity: Severity,
    pub count: usize,
}

/// Counts per check and severity (a check may report at more than one
/// severity), most frequent first, then by severity and code.
pub fn statistics(findings: &[Finding]) -> Vec<Statistic> {
    let mut counts: BTreeMap<(&'static str, Severity), Statistic> = BTreeMap::new();
    for finding in findings {
        counts
            .entry((finding.code(), finding.severity))
            .or_insert(Statistic {
                check: finding.check,
                severity: finding.severity,
                count: 0,
            })
            .count += 1;
    }
    let mut rows: Vec<Statistic> = counts.into_values().collect();
    rows.sort_by(|a, b| (b.count, b.severity, a.check.code).cmp(&(a.count, a.severity, b.check.code)));
    rows
}

/// The `statistics` array of the JSON report.
pub fn statistics_json(findings: &[Finding]) -> Value {
    Value::Array(
        statistics(findings)
            .iter()
            .map(|s| {
                json!({
                    "code": s.check.code,
                    "id": s.check.id,
                    "severity": s.severity.as_str(),
                    "count": s.count,
                    "title": s.check.summary,
                })
            })
            .collect(),
    )
}

fn severity_style(severity: Severity) -> Style {
    let color = match severity {
        Severity::Error => AnsiColor::Red,
        Severity::Warning => AnsiColor::Yellow,
        Severity::Note => AnsiColor::Cyan,
    };
    Style::new().bold().fg_color(Some(color.into()))
}

/// The statistics as an aligned text table; `color` is the report's
/// decision (`report::color::use_color`), as for the per-finding listing.
pub fn statistics_human(findings: &[Finding], color: bool) -> String {
    let rows = statistics(findings);
    if rows.is_empty() {
        return String::new();
    }
    let width = rows.iter().map(|r| r.count.to_string().len()).max().unwrap_or(1).max(5);
    let mut out = format!("{:>width$}  code   severity  check\n", "count");
    for row in &rows {
        let severity = format!("{:<8}", row.severity.as_str());
        let _ = writeln!(
            out,
            "{:>width$}  {}  {}  {}: {}",
            row.count,
            row.check.code,
            paint(color, severity_style(row.severity), &severity),
            row.check.id,
            row.check.summary
        );
    }
    out.push('\n');
    out
}

/// What a finding is about: its location's path before any `#` (an audit
/// finding's `acme/api#visibility` is about `acme/api`).
fn subject(finding: &Finding) -> &str {
    let path = finding.location.path.as_str();
    path.split_once('#').map_or(path, |(subject, _)| subject)
}

/// The message without the subject it starts with, which the group's line
/// already names (`acme/api: push protection is disabled`).
fn evidence<'a>(finding: &'a Finding, subject: &str) -> &'a str {
    let message = finding.message.as_str();
    match message.strip_prefix(subject) {
        Some(rest) if rest.starts_with(": ") => &rest[2..],
        Some(rest) if rest.starts_with(' ') => &rest[1..],
        _ => message,
    }
}

/// One subject's findings of one check: what was seen, and any help that
/// differs from the group's.
pub struct Entry<'a> {
    pub subject: &'a str,
    pub evidence: Vec<String>,
    pub help: Vec<&'a str>,
}

/// The findings of one check at one severity.
pub struct Group<'a> {
    pub check: &'static CheckMeta,
    pub severity: Severity,
    pub findings: usize,
    /// The help most of its findings carry, printed once.
    pub help: &'a str,
    pub entries: Vec<Entry<'a>>,
}

/// Findings grouped by check and severity (errors first, then the largest
/// groups), each group's subjects in report order with their evidence joined.
pub fn groups(findings: &[Finding]) -> Vec<Group<'_>> {
    let mut by_check: BTreeMap<(&'static str, Severity), Vec<&Finding>> = BTreeMap::new();
    for finding in findings {
        by_check
            .entry((finding.code(), finding.severity))
            .or_default()
            .push(finding);
    }
    let mut groups: Vec<Group<'_>> = by_check
        .into_values()
        .map(|members| {
            let mut help_counts: BTreeMap<&str, usize> = BTreeMap::new();
            for f in &members {
                *help_counts.entry(f.remediation.as_ref()).or_default() += 1;
            }
            let help = help_counts
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map_or("", |(help, _)| *help);
            let mut entries: Vec<Entry<'_>> = Vec::new();
            for f in &members {
                let subject = subject(f);
                let own_help = Some(f.remediation.as_ref()).filter(|h| *h != help);
                match entries.iter_mut().find(|e| e.subject == subject) {
                    Some(entry) => {
                        entry.evidence.push(evidence(f, subject).to_owned());
                        entry.help.extend(own_help.filter(|h| !entry.help.contains(h)));
                    }
                    None => entries.push(Entry {
                        subject,
                        evidence: vec![evidence(f, subject).to_owned()],
                        help: own_help.into_iter().collect(),
                    }),
                }
            }
            Group {
                check: members[0].check,
                severity: members[0].severity,
                findings: members.len(),
                help,
                entries,
            }
        })
        .collect();
    groups
        .sort_by(|a, b| (b.severity, b.entries.len(), a.check.code).cmp(&(a.severity, a.entries.len(), b.check.code)));
    groups
}

/// What the subjects of a command's findings are called.
pub fn subject_words(command: &str) -> (&'static str, &'static str) {
    match command {
        "audit" => ("repository", "repositories"),
        _ => ("location", "locations"),
    }
}

pub fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

pub fn group_title(group: &Group<'_>, command: &str) -> String {
    let (one, many) = subject_words(command);
    let mut title = count(group.entries.len(), one, many);
    if group.findings != group.entries.len() {
        let _ = write!(title, ", {}", count(group.findings, "finding", "findings"));
    }
    title
}

/// The grouped human view: per check a header, its help once, then one line
/// per subject. Untrusted text is escaped as in the per-finding view;
/// `color` is the report's decision (`report::color::use_color`).
pub fn grouped_human(findings: &[Finding], command: &str, color: bool) -> String {
    let printable = crate::sanitize::inline;
    let mut out = String::new();
    for group in groups(findings) {
        let _ = writeln!(
            out,
            "{}{} {}",
            paint(color, severity_style(group.severity), group.severity.as_str()),
            paint(color, Style::new().bold(), &format!("[{}]", group.check.code)),
            paint(
                color,
                Style::new().bold(),
                &format!(
                    "{}: {} ({})",
                    group.check.id,
                    group.check.summary,
                    group_title(&group, command)
                )
            ),
        );
        let blue = Style::new().fg_color(Some(AnsiColor::Blue.into()));
        let _ = writeln!(out, "  {} {}", paint(color, blue, "= help:"), printable(group.help));
        for entry in &group.entries {
            let _ = writeln!(
                out,
                "  {} {}: {}",
                paint(color, blue, "-"),
                printable(entry.subject),
                printable(&entry.evidence.join("; "))
            );
            for help in &entry.help {
                let _ = writeln!(out, "      {} {}", paint(color, blue, "= help:"), printable(help));
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::registry::settings::{SECRET_SCANNING_OFF, VISIBILITY_NOT_ALLOWED};
    use crate::report::finding::Location;

    pub(crate) fn audit_findings() -> Vec<Finding> {
        let mut findings = Vec::new();
        for i in 0..3 {
            let repo = format!("acme/repo-{i}");
            findings.push(Finding::new(
                &SECRET_SCANNING_OFF,
                Location::file(&format!("{repo}#push protection")),
                format!("{repo}: push protection is disabled"),
            ));
            findings.push(Finding::new(
                &SECRET_SCANNING_OFF,
                Location::file(&format!("{repo}#secret scanning")),
                format!("{repo}: secret scanning is disabled"),
            ));
        }
        findings.push(Finding::new(
            &VISIBILITY_NOT_ALLOWED,
            Location::file("acme/repo-1#visibility"),
            "acme/repo-1 is public; [settings] visibility = \"private\" allows private",
        ));
        findings
    }

    #[test]
    fn statistics_count_per_check_most_frequent_first() {
        let rows = statistics(&audit_findings());
        let shown: Vec<(&str, usize)> = rows.iter().map(|r| (r.check.code, r.count)).collect();
        assert_eq!(
            shown,
            vec![(SECRET_SCANNING_OFF.code, 6), (VISIBILITY_NOT_ALLOWED.code, 1)]
        );
        let doc = statistics_json(&audit_findings());
        assert_eq!(doc[0]["count"], 6);
        assert_eq!(doc[0]["id"], SECRET_SCANNING_OFF.id);
        assert_eq!(doc[0]["severity"], SECRET_SCANNING_OFF.severity.as_str());
        assert_eq!(doc[1]["title"], VISIBILITY_NOT_ALLOWED.summary);
        let table = statistics_human(&audit_findings(), false);
        assert_eq!(table.lines().count(), 4, "{table}");
        assert!(
            table
                .lines()
                .nth(1)
                .unwrap_or_default()
                .trim_start()
                .starts_with("6  LG"),
            "{table}"
        );
    }

    #[test]
    fn a_check_at_two_severities_is_counted_twice() {
        let mut findings = audit_findings();
        findings[0].severity = Severity::Error;
        let rows = statistics(&findings);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows.iter().map(|r| r.count).sum::<usize>(), findings.len());
    }

    #[test]
    fn grouped_view_prints_help_once_and_one_line_per_subject() {
        let text = grouped_human(&audit_findings(), "audit", false);
        assert_eq!(text.matches(SECRET_SCANNING_OFF.fix).count(), 1, "{text}");
        assert!(
            text.contains("- acme/repo-2: push protection is disabled; secret scanning is disabled\n"),
            "{text}"
        );
        assert!(text.contains("(3 repositories, 6 findings)"), "{text}");
        // The error group comes first, whatever its size.
        assert!(
            text.starts_with(&format!("error[{}]", VISIBILITY_NOT_ALLOWED.code)),
            "{text}"
        );
        assert!(text.contains("- acme/repo-1: is public;"), "{text}");
    }

    #[test]
    fn a_specific_help_is_kept_beside_its_subject() {
        let mut findings = audit_findings();
        findings[2] = findings[2].clone().with_remediation("ask the owner of acme/repo-1");
        let text = grouped_human(&findings, "audit", false);
        assert!(
            text.contains("\n      = help: ask the owner of acme/repo-1\n"),
            "{text}"
        );
        assert_eq!(text.matches(SECRET_SCANNING_OFF.fix).count(), 1, "{text}");
    }

    #[test]
    fn views_are_coloured_only_when_the_report_is() {
        let findings = audit_findings();
        for text in [
            statistics_human(&findings, false),
            grouped_human(&findings, "audit", false),
        ] {
            assert!(!text.contains('\u{1b}'), "{text:?}");
        }
        for text in [
            statistics_human(&findings, true),
            grouped_human(&findings, "audit", true),
        ] {
            assert!(text.contains('\u{1b}'), "{text:?}");
        }
    }

    #[test]
    fn crafted_messages_are_escaped_in_the_grouped_view() {
        let findings = vec![Finding::new(
            &SECRET_SCANNING_OFF,
            Location::file("acme/x#secret scanning"),
            "acme/x: evil \u{1b}[2J name",
        )];
        let text = grouped_human(&findings, "audit", false);
        assert!(!text.contains('\u{1b}'), "{text:?}");
    }
}

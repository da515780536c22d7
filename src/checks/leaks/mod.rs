//! LG4xx: test material leaking into production. The scan engine hands each
//! check the classified path and, when the check asks for it, the file's text.

pub mod config;
pub mod content;
pub mod dependencies;
pub mod django;
pub mod docker_builds;
pub mod dockerfile;
pub mod guards;
pub mod libraries;
pub mod migrations;
pub mod packaging;
pub mod placement;
pub mod pom;
pub mod reference;
pub mod suppression;

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::sync::{LazyLock, OnceLock};

use regex::Regex;

use crate::classify::PathInfo;
use crate::registry::CheckMeta;
use crate::report::finding::{Finding, Location};
use crate::values::{self, ValueMatch};

/// What is known about the whole tree, beyond single files.
#[derive(Debug, Clone, Default)]
pub struct TreeFacts {
    /// Test directories that exist (repository-relative, no trailing slash),
    /// outermost only: `tests`, `src/test`, `spec`.
    pub test_dirs: BTreeSet<String>,
    /// Every file path in scope of the tree (not only the scanned ones).
    pub paths: BTreeSet<String>,
    /// `.dockerignore` and `.npmignore` files by path, with their text.
    pub ignore_files: BTreeMap<String, String>,
    /// Files that build Dockerfiles (workflows, compose files, Makefiles:
    /// `docker_builds::is_build_reference`) by path, with their text.
    pub build_files: BTreeMap<String, String>,
    /// The builds `build_files` describe, read once for all Dockerfiles
    /// (so `build_files` is filled before the first Dockerfile is judged).
    build_refs: OnceLock<Vec<docker_builds::BuildRef>>,
    /// Files that may select a Django settings module, and the settings
    /// modules themselves (`django::is_settings_selector`), by path, with
    /// their text; filled only when the tree has a settings module.
    pub settings_files: BTreeMap<String, String>,
    /// Seeds entry files (`guards::is_seed_entry`) by path, with their text;
    /// filled only when the tree has seed helpers in a seeds folder.
    pub seed_entries: BTreeMap<String, String>,
    /// What `settings_files` say, learned once for all settings modules.
    settings_selection: OnceLock<django::SettingsSelection>,
}

impl TreeFacts {
    /// Every build of a Dockerfile that the tree's build files describe.
    pub fn build_refs(&self) -> &[docker_builds::BuildRef] {
        self.build_refs.get_or_init(|| {
            self.build_files
                .iter()
                .flat_map(|(path, text)| docker_builds::build_refs(path, text))
                .collect()
        })
    }

    /// Which Django settings modules the tree selects.
    pub fn settings_selection(&self) -> &django::SettingsSelection {
        self.settings_selection
            .get_or_init(|| django::SettingsSelection::learn(&self.settings_files, &self.paths))
    }
}

/// The one line model of every scan mode: a line ends at `\n` (a `\r`
/// before it belongs to the ending); a lone `\r` is an ordinary character.
/// Finding line numbers and the `--diff` line diff both count with this, so
/// that a stray `\r` cannot shift one against the other. Each piece keeps
/// its `\n`.
pub fn split_lines(text: &str) -> std::str::SplitInclusive<'_, char> {
    text.split_inclusive('\n')
}

/// One file's text with lazily built helpers shared by every check.
pub struct FileFacts<'a> {
    pub info: &'a PathInfo,
    pub text: &'a str,
    line_starts: OnceLock<Vec<usize>>,
    values: OnceLock<Vec<(usize, ValueMatch)>>,
}

impl<'a> FileFacts<'a> {
    pub fn new(info: &'a PathInfo, text: &'a str) -> Self {
        FileFacts {
            info,
            text,
            line_starts: OnceLock::new(),
            values: OnceLock::new(),
        }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1))
                .collect()
        })
    }

    /// 1-based line number of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        let starts = self.line_starts();
        starts.partition_point(|&start| start <= offset).max(1)
    }

    /// The text of a 1-based line, without its line ending.
    pub fn line_text(&self, line: usize) -> &'a str {
        let starts = self.line_starts();
        let Some(&start) = starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = starts.get(line).map_or(self.text.len(), |&next| next - 1);
        self.text.get(start..end).unwrap_or("").trim_end_matches('\r')
    }

    /// A finding about the statement starting at a byte offset: line, column
    /// and snippet filled in, the span running to the end of the line (less
    /// trailing blanks). Use `finding_span` when the exact extent is known.
    pub fn finding_at(&self, meta: &'static CheckMeta, offset: usize, message: impl Into<String>) -> Finding {
        let line = self.line_of(offset);
        let start = self.line_starts()[line - 1];
        let end = start + self.line_text(line).trim_end().len();
        self.finding_span(meta, offset..end.max(offset), message)
    }

    /// A finding about the bytes `span` of the file (on one line; a longer
    /// span is cut at the end of its first line).
    pub fn finding_span(&self, meta: &'static CheckMeta, span: Range<usize>, message: impl Into<String>) -> Finding {
        let offset = span.start;
        let line = self.line_of(offset);
        let start = self.line_starts()[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        let text = self.line_text(line);
        let within = offset.saturating_sub(start);
        Finding::new(meta, Location::at(&self.info.path, line as u32, column as u32), message)
            .with_snippet_span(text, within..(span.end.saturating_sub(start)).min(text.len()))
    }

    /// Lines with their 1-based numbers.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &'a str)> {
        split_lines(self.text)
            .enumerate()
            .map(|(i, line)| (i + 1, line.trim_end_matches('\n').trim_end_matches('\r')))
    }

    /// Every reserved test value in the file, with its 1-based line number;
    /// computed once and shared by the content and config checks. Lines that
    /// are comments or documentation of an example are skipped.
    pub fn reserved_values(&self) -> &[(usize, ValueMatch)] {
        self.values.get_or_init(|| {
            let mut found = Vec::new();
            for (number, line) in self.lines() {
                if is_comment_line(line) {
                    continue;
                }
                let matches = values::find_in_line(line);
                if matches.is_empty() || is_example_context(line, &matches) {
                    continue;
                }
                found.extend(matches.into_iter().map(|value| (number, value)));
            }
            found
        })
    }

    /// A finding for a reserved value found by `reserved_values`.
    pub fn value_finding(&self, meta: &'static CheckMeta, line: usize, value: &ValueMatch, message: String) -> Finding {
        let text = self.line_text(line);
        let column = text.get(..value.start).map_or(1, |prefix| prefix.chars().count() + 1);
        Finding::new(meta, Location::at(&self.info.path, line as u32, column as u32), message)
            .with_snippet_span(text, value.start..value.end)
    }
}

/// Lines that only comment: values there document, they do not load data.
pub fn is_comment_line(line: &str) -> bool {
    let trimmed = line.trim_start();
    ["#", "//", "--", "/*", "*", "<!--", ";", "REM "]
        .iter()
        .any(|prefix| trimmed.starts_with(prefix))
}

/// Documentation contexts named in the reference's false-positive traps:
/// an OpenAPI or schema `example:`/`description:` key, an HTML or UI
/// `placeholder` attribute, "e.g.", a trailing comment that says the value
/// is an example, and bogon or documentation-range lists.
///
/// The words count only in those positions. An identifier that contains them
/// (`PLACEHOLDER_NI_NUMBER = "QQ123456C"`, `example_user`) is code that uses
/// the value, and a migration that writes it writes test data.
pub fn is_example_context(line: &str, matches: &[ValueMatch]) -> bool {
    let mut blanked = line.to_owned();
    for value in matches.iter().rev() {
        if blanked.is_char_boundary(value.start) && blanked.is_char_boundary(value.end) && value.end <= blanked.len() {
            blanked.replace_range(value.start..value.end, " ");
        }
    }
    let lower = blanked.to_ascii_lowercase();
    // "For example, QQ123456C": the hint text of GOV.UK-style forms, in
    // locale files and templates, shows the format with HMRC's example value.
    const ANYWHERE: &[&str] = &[
        "e.g.",
        "for example",
        "for instance",
        "bogon",
        "rfc 5737",
        "rfc5737",
        "rfc 3849",
        "rfc3849",
        "test-net",
    ];
    if ANYWHERE.iter().any(|word| lower.contains(word)) {
        return true;
    }
    if DOCUMENTATION_KEY.is_match(&lower) {
        return true;
    }
    // A trailing comment that calls the value an example documents it.
    trailing_comment(&lower).is_some_and(|comment| {
        ["example", "sample", "placeholder", "documentation"]
            .iter()
            .any(|word| comment.contains(word))
    })
}

/// `example:`, `"examples":`, `description =`, `placeholder="…"`, `hint:` (form hint text),
/// `:placeholder`, `<example>`: the word as a whole key, attribute or tag,
/// not as part of an identifier.
static DOCUMENTATION_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?:^|[^\w.-])["']?(?:examples?|x-examples?|description|placeholder|sample|hint)["']?\s*(?:[:=]|=>)|<(?:examples?|placeholder)\b|:placeholder\b|placeholdertext\s*[:=]"#,
    )
    .expect("documentation key regex")
});

/// The comment at the end of a line of code or data, if any: after ` #`,
/// ` //` or ` --`.
fn trailing_comment(line: &str) -> Option<&str> {
    [" #", " //", " --", "\t#", "\t//"]
        .iter()
        .filter_map(|marker| line.find(marker).map(|at| &line[at + marker.len()..]))
        .next()
}

/// A leak check. Each hook has a default that does nothing, so a check
/// implements only what it looks at.
pub trait LeakCheck: Sync {
    /// The codes this check can emit.
    fn codes(&self) -> &'static [&'static CheckMeta];

    /// Judges the path alone; never reads the file.
    fn check_path(&self, _tree: &TreeFacts, _path: &PathInfo, _out: &mut Vec<Finding>) {}

    /// Whether `check_content` needs this file's text.
    fn wants_content(&self, _path: &PathInfo) -> bool {
        false
    }

    fn check_content(&self, _tree: &TreeFacts, _file: &FileFacts<'_>, _out: &mut Vec<Finding>) {}
}

/// Every leak check, in code order.
pub fn checks() -> &'static [&'static dyn LeakCheck] {
    &[
        &placement::Placement,
        &migrations::MigrationLoads,
        &reference::References,
        &dependencies::TestDependencies,
        &libraries::TestLibraryUse,
        &content::ReservedValues,
        &packaging::Packaging,
        &config::ProductionConfig,
    ]
}

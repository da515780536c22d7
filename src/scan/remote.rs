//! Scanning a change known only through GitHub's API (a pull request's file
//! list and patches), when no local checkout holds the commits. Nothing is
//! executed; files are text reconstructed from the patch hunks, so line
//! numbers are exact and only the lines the change adds can carry findings.

use std::collections::BTreeSet;

use super::{apply_policy_allows, apply_severities, tree_facts, FileJudge, FileResult, ScanOutcome};
use crate::classify::{Classifier, Manifest, Role};
use crate::policy::Policy;
use crate::registry::verification::CONTENT_NOT_VERIFIABLE;
use crate::report::finding::sort_findings;

/// Codes whose judgement needs the whole tree (every test directory, the
/// ignore files), which a patch does not show. They are not reported from a
/// patch scan, and the caller says so.
pub const TREE_WIDE_CODES: &[&str] = &["LG442", "LG443"];

/// One changed file as the API describes it.
#[derive(Debug, Clone, Default)]
pub struct RemoteFile {
    pub path: String,
    /// The file is new at this path (added, copied, or renamed to it).
    pub placed: bool,
    /// The new side's text as far as the patch shows it (other lines empty),
    /// or the whole text. `None`: no content (removed, binary, unavailable).
    pub text: Option<String>,
    /// 1-based numbers of the lines the change adds.
    pub added: BTreeSet<u32>,
}

/// The new side of a unified-diff patch as GitHub returns it in a pull
/// request's file list: the text with lines outside the hunks left empty, and
/// the added line numbers. `None` when the patch is not a unified diff.
pub fn from_patch(patch: &str) -> Option<(String, BTreeSet<u32>)> {
    let mut lines: Vec<String> = Vec::new();
    let mut added = BTreeSet::new();
    let mut next: Option<usize> = None;
    for line in patch.split('\n') {
        if let Some(header) = line.strip_prefix("@@ ") {
            // @@ -a,b +c,d @@ optional section heading
            let plus = header.split_whitespace().find(|part| part.starts_with('+'))?;
            let start: usize = plus[1..].split(',').next()?.parse().ok()?;
            next = Some(start.max(1));
            continue;
        }
        let Some(number) = next else {
            if line.is_empty() {
                continue;
            }
            return None;
        };
        let (kind, content) = match line.as_bytes().first() {
            Some(b'+') => ('+', &line[1..]),
            Some(b' ') => (' ', &line[1..]),
            Some(b'-') | Some(b'\\') => continue,
            // A trailing empty element after the last newline.
            None => continue,
            Some(_) => return None,
        };
        if lines.len() < number {
            lines.resize(number, String::new());
        }
        lines[number - 1] = content.to_owned();
        if kind == '+' {
            added.insert(number as u32);
        }
        next = Some(number + 1);
    }
    next?;
    Some((lines.join("\n"), added))
}

/// Runs the leak checks on changed files known through the API: path checks
/// for files new at their path, content checks on the reconstructed text with
/// findings kept only on added lines. `all_paths` are the paths the change
/// shows (used as the tree's facts, which are therefore partial).
pub fn scan_remote(policy: &Policy, files: &[RemoteFile]) -> ScanOutcome {
    let classifier = Classifier::new(&policy.leaks);
    let judge = FileJudge {
        classifier: &classifier,
        max_file_size: policy.leaks.max_file_size,
    };
    let infos: Vec<_> = files.iter().map(|f| classifier.classify(&f.path)).collect();
    let mut facts = tree_facts(infos.iter());
    facts.paths = files.iter().map(|f| f.path.clone()).collect();
    let mut result = FileResult::default();
    for (file, info) in files.iter().zip(&infos) {
        result.stats.files_seen += 1;
        if classifier.is_excluded(&file.path) {
            result.stats.skipped_excluded += 1;
            continue;
        }
        if file.placed {
            judge.judge_path(&facts, info, &mut result.findings);
        }
        let Some(text) = &file.text else { continue };
        if !judge.wants_content(info) {
            continue;
        }
        let mut file_result = FileResult::default();
        judge.judge_content(&facts, info, text.as_bytes(), &mut file_result);
        // A patch's new side is not the whole pom: that it is not XML says
        // nothing, and its dependencies are read element by element.
        let partial_pom = info.role == Role::Manifest(Manifest::Pom);
        file_result.findings.retain(|finding| {
            if partial_pom && finding.code() == CONTENT_NOT_VERIFIABLE.code {
                return false;
            }
            finding.code().starts_with("LG9")
                || finding.location.line == 0 && file.placed
                || finding.location.line > 0 && file.added.contains(&finding.location.line)
        });
        result.stats.add(&file_result.stats);
        result.findings.extend(file_result.findings);
    }
    let mut findings = result.findings;
    findings.retain(|finding| !TREE_WIDE_CODES.contains(&finding.code()));
    let mut stats = result.stats;
    apply_severities(policy, &mut findings);
    let _unused = apply_policy_allows(policy, std::path::Path::new(""), &mut findings, &mut stats);
    sort_findings(&mut findings);
    ScanOutcome {
        unbaselined: findings.clone(),
        findings,
        stats,
        root: std::path::PathBuf::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_rebuild_the_new_side_with_exact_line_numbers() {
        let patch = "@@ -1,3 +1,4 @@\n context one\n-removed\n+added two\n+added three\n context four\n@@ -10,2 +11,2 @@ fn x()\n ten\n+twelve\n\\ No newline at end of file";
        let (text, added) = from_patch(patch).unwrap();
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines[0], "context one");
        assert_eq!(lines[1], "added two");
        assert_eq!(lines[2], "added three");
        assert_eq!(lines[3], "context four");
        assert_eq!(lines[4], "", "outside the hunks");
        assert_eq!(lines[10], "ten");
        assert_eq!(lines[11], "twelve");
        assert_eq!(added.into_iter().collect::<Vec<_>>(), [2, 3, 12]);
    }

    #[test]
    fn a_new_file_is_all_added_and_garbage_is_refused() {
        let (text, added) = from_patch("@@ -0,0 +1,2 @@\n+a\n+b").unwrap();
        assert_eq!(text, "a\nb");
        assert_eq!(added.len(), 2);
        assert!(from_patch("Binary files differ").is_none());
        assert!(from_patch("@@ nonsense @@\n+a").is_none());
        assert!(from_patch("").is_none());
    }

    /// A pull request's pom patch is not a whole XML document: no "could not
    /// verify", and a test library inserted mid-list is still found.
    #[test]
    fn a_pom_patch_is_read_by_its_dependency_elements() {
        let patch = "@@ -20,6 +20,10 @@\n     <dependency>\n       <groupId>org.postgresql</groupId>\n       <artifactId>postgresql</artifactId>\n     </dependency>\n+    <dependency>\n+      <groupId>org.mockito</groupId>\n+      <artifactId>mockito-core</artifactId>\n+    </dependency>\n     <dependency>\n       <groupId>io.dropwizard</groupId>\n";
        let (text, added) = from_patch(patch).unwrap();
        let file = RemoteFile {
            path: "pom.xml".to_owned(),
            placed: false,
            text: Some(text),
            added,
        };
        let policy = crate::policy::resolve(None).expect("default policy");
        let outcome = scan_remote(&policy, &[file]);
        let found: Vec<(&str, u32)> = outcome.findings.iter().map(|f| (f.code(), f.location.line)).collect();
        assert_eq!(found, [("LG424", 26)]);
    }
}

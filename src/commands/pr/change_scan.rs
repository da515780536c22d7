//! The change's own leak scan: the pull request's files run through the scan
//! engine, from a local clone that has both commits, else from the API.

use std::path::Path;

use super::collect::{read_file, Collected};
use super::PrSettings;
use crate::checks::review;
use crate::github::client::Client;
use crate::registry::verification::REVIEW_UNVERIFIABLE;
use crate::report::finding::{Finding, Location};
use crate::scan::remote::{self, RemoteFile};
use crate::scan::{ScanMode, ScanOptions};

/// Scans the change: from a local clone that has both commits (full
/// fidelity), else from the patches GitHub lists.
pub(super) fn leak_scan(client: &Client, settings: &PrSettings, collected: &Collected) -> (Vec<Finding>, String) {
    let base = &collected.pr.base.sha;
    let head = &collected.pr.head.sha;
    if has_commits(&settings.checkout, &[base, head]) {
        let options = ScanOptions {
            path: settings.checkout.clone(),
            mode: ScanMode::Diff {
                base: base.clone(),
                head: head.clone(),
                merge_base: true,
            },
            threads: 1,
            budget: crate::scan::DEFAULT_BUDGET,
        };
        match crate::scan::scan(&collected.policy, &options, None) {
            Ok(outcome) => {
                let how = format!(
                    "leak scan: local clone, {}...{} ({} changed, {} read)",
                    review::short(base),
                    review::short(head),
                    crate::report::count(outcome.stats.files_seen, "file", "files"),
                    outcome.stats.files_read
                );
                return (outcome.findings, how);
            }
            Err(err) => {
                let finding = Finding::new(
                    &REVIEW_UNVERIFIABLE,
                    Location::file(&format!("{}/{}#{}", settings.owner, settings.name, settings.number)),
                    format!("could not scan the change in the local clone: {err}"),
                );
                return (vec![finding], "leak scan: failed".to_owned());
            }
        }
    }
    let full = format!("{}/{}", settings.owner, settings.name);
    let mut files = Vec::new();
    let mut findings = Vec::new();
    let classifier = crate::classify::Classifier::new(&collected.policy.leaks);
    for entry in &collected.diff {
        if entry.status == "removed" {
            continue;
        }
        let placed = matches!(entry.status.as_str(), "added" | "renamed" | "copied");
        let mut file = RemoteFile {
            path: entry.filename.clone(),
            placed,
            ..RemoteFile::default()
        };
        match entry.patch.as_deref().and_then(remote::from_patch) {
            Some((text, added)) => {
                file.text = Some(text);
                file.added = added;
            }
            None if entry.patch.as_deref().is_some_and(|p| !p.is_empty()) => {
                findings.push(unscannable(
                    settings,
                    &entry.filename,
                    "its patch is not a unified diff",
                ));
            }
            None => {
                let info = classifier.classify(&entry.filename);
                let wants = crate::checks::leaks::checks().iter().any(|c| c.wants_content(&info));
                if wants && entry.status == "added" {
                    match read_file(client, &full, &entry.filename, head) {
                        Ok(Some(text)) => {
                            file.added = (1..=text.lines().count() as u32).collect();
                            file.text = Some(text);
                        }
                        Ok(None) => {
                            findings.push(unscannable(settings, &entry.filename, "it cannot be read at the head"))
                        }
                        Err(err) => findings.push(unscannable(settings, &entry.filename, &err.to_string())),
                    }
                } else if wants && entry.status != "renamed" {
                    findings.push(unscannable(
                        settings,
                        &entry.filename,
                        "GitHub gives no patch for it (binary, or over its diff size limit)",
                    ));
                }
            }
        }
        files.push(file);
    }
    let outcome = remote::scan_remote(&collected.policy, &files);
    findings.extend(outcome.findings);
    let how = format!(
        "leak scan: GitHub's patches of {} ({} read; tree-wide packaging checks {} need a checkout with both \
         commits)",
        crate::report::count(files.len(), "file", "files"),
        outcome.stats.files_read,
        remote::TREE_WIDE_CODES.join("/")
    );
    (findings, how)
}

pub(super) fn unscannable(settings: &PrSettings, path: &str, why: &str) -> Finding {
    Finding::new(
        &REVIEW_UNVERIFIABLE,
        Location::file(path),
        format!(
            "could not scan {path} of {}/{}#{} for leaks: {why}; run livegate pr in a clone that has both commits \
             (actions/checkout with fetch-depth: 0)",
            settings.owner, settings.name, settings.number
        ),
    )
}

pub(super) fn has_commits(path: &Path, shas: &[&String]) -> bool {
    let Ok(repo) = git2::Repository::discover(path) else {
        return false;
    };
    shas.iter().all(|sha| {
        git2::Oid::from_str(sha)
            .ok()
            .is_some_and(|oid| repo.find_commit(oid).is_ok())
    })
}

// --- Report -------------------------------------------------------------------

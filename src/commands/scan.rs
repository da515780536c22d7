//! `livegate scan`: the working tree, a range (`--diff`) or what is staged,
//! through the scan engine, into a report; `--baseline` and `--write-baseline`.

use crate::cli::ScanSettings;
use crate::report::{self, Report};
use crate::scan::{self, Baseline, ScanOptions};

use super::shared::{color_for, deliver, load_policy, repo_root, Outcome};

pub fn run(settings: &ScanSettings) -> Outcome {
    let root = repo_root(&settings.path);
    let mut policy = match load_policy(settings.policy.as_deref(), &root) {
        Ok(policy) => policy,
        Err(err) => return Outcome::error(err),
    };
    // The baseline file records findings with their snippets: scanning it
    // would report every baselined value a second time.
    for file in [&settings.baseline, &settings.write_baseline].into_iter().flatten() {
        let absolute = std::env::current_dir()
            .map(|cwd| cwd.join(file))
            .unwrap_or_else(|_| file.clone());
        let absolute = absolute.canonicalize().unwrap_or(absolute);
        let canonical_root = root.canonicalize().unwrap_or_else(|_| root.clone());
        if let Ok(relative) = absolute.strip_prefix(&canonical_root) {
            let relative = relative.to_string_lossy().replace('\\', "/");
            policy.leaks.exclude.push(globset::escape(&relative));
        }
    }
    let baseline = match settings.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(baseline) => baseline,
        Err(err) => return Outcome::error(err),
    };
    let options = ScanOptions {
        path: settings.path.clone(),
        mode: settings.mode.clone(),
        threads: settings.threads,
        budget: crate::scan::DEFAULT_BUDGET,
    };
    let outcome = match scan::scan(&policy, &options, baseline.as_ref()) {
        Ok(outcome) => outcome,
        Err(err) => return Outcome::error(err),
    };
    let mut stderr = String::new();
    if settings.verbose {
        stderr.push_str(&super::shared::policy_note(&policy));
        stderr.push_str(&skipped_note(&outcome.stats));
    }
    let mut baseline_written = None;
    if let Some(file) = &settings.write_baseline {
        let recorded = Baseline::of(&outcome.unbaselined);
        if let Err(err) = recorded.write(file) {
            return Outcome::error(err);
        }
        baseline_written = Some(recorded.findings.len());
        if !settings.view.quiet {
            stderr.push_str(&format!(
                "livegate: wrote {} to baseline {}\n",
                crate::report::count(recorded.findings.len(), "finding", "findings"),
                file.display()
            ));
        }
    }
    let report = Report {
        command: "scan",
        findings: &outcome.findings,
        stats: Some(&outcome.stats),
        fail_on: settings.fail_on,
        details: None,
        details_markdown: None,
        extra: None,
        view: settings.view,
        baseline_written,
    };
    let color = color_for(settings.color, settings.format, settings.output.is_some());
    let rendered = report::render(settings.format, &report, color);
    if let Err(err) = report::emit_all(&report, &settings.emit) {
        return Outcome::error(err);
    }
    // Writing the baseline is adoption: the report's verdict passes the run
    // that records findings unless something could not be verified.
    deliver(
        rendered,
        stderr,
        report.verdict().exit_code(),
        settings.output.as_deref(),
    )
}

/// `-v`: every count the scan kept, skipped or suppressed, one per line.
fn skipped_note(stats: &report::ScanStats) -> String {
    let counts = [
        ("file seen", "files seen", stats.files_seen as u64),
        ("file read", "files read", stats.files_read as u64),
        ("byte read", "bytes read", stats.bytes_read),
        ("skipped as binary", "skipped as binary", stats.skipped_binary as u64),
        (
            "skipped as too large",
            "skipped as too large",
            stats.skipped_large as u64,
        ),
        ("skipped symlink", "skipped symlinks", stats.skipped_symlinks as u64),
        (
            "excluded by the policy",
            "excluded by the policy",
            stats.skipped_excluded as u64,
        ),
        ("suppressed inline", "suppressed inline", stats.suppressed_inline as u64),
        (
            "suppressed by the policy",
            "suppressed by the policy",
            stats.suppressed_policy as u64,
        ),
        (
            "accepted by the baseline",
            "accepted by the baseline",
            stats.suppressed_baseline as u64,
        ),
    ];
    counts
        .iter()
        .map(|(one, many, n)| format!("livegate: scan: {n} {}\n", if *n == 1 { one } else { many }))
        .collect()
}

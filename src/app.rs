//! Runs a parsed command and returns what to print and the exit code; the
//! binary does the printing, so everything here is testable.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::{ColorChoice, Command, HookAction, ListFormat, PolicyAction, ScanSettings};
use crate::report::finding::{sort_findings, Finding, Severity};
use crate::report::{self, Format, Report};
use crate::scan::{self, Baseline, ScanOptions};
use crate::scan::{ScanMode, ScanStats};
use crate::{checks, docs, hook, policy};

/// Exit code for usage, configuration and runtime errors.
pub const EXIT_ERROR: i32 = 2;

/// What a command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub exit: i32,
}

impl Outcome {
    fn error(message: impl std::fmt::Display) -> Outcome {
        Outcome {
            stdout: String::new(),
            stderr: format!("error: {message}\n"),
            exit: EXIT_ERROR,
        }
    }
}

pub fn run(command: Command) -> Outcome {
    match command {
        Command::Scan(args) => match args.into_settings() {
            Ok(settings) => run_scan(&settings),
            Err(err) => Outcome::error(err),
        },
        Command::Protect(args) => run_protect(args),
        Command::Pr(args) => run_pr(args),
        Command::Audit(args) => run_audit(args),
        Command::Checks { format } => list_checks(format),
        Command::Explain { code } => match checks::lookup(&code) {
            Some(meta) => Outcome {
                stdout: docs::explain(meta),
                ..Outcome::default()
            },
            None => Outcome::error(format!("no check `{code}`; run `livegate checks` for the list")),
        },
        Command::Policy { action } => run_policy(action),
        Command::Hook { action } => run_hook(action),
        Command::GenDocs { dir, check } => gen_docs(&dir, check),
        Command::DebugPatterns => {
            let patterns = checks::leaks::reference::content_patterns()
                .into_iter()
                .chain(checks::leaks::config::content_patterns());
            // (?m) lets the multi-line patterns work line by line in other tools.
            let stdout = patterns.map(|p| format!("{}\n", p.replace("(?m)", ""))).collect();
            Outcome {
                stdout,
                ..Outcome::default()
            }
        }
    }
}

fn list_checks(format: ListFormat) -> Outcome {
    let stdout = match format {
        ListFormat::Human => {
            let width = checks::registry().iter().map(|m| m.id.len()).max().unwrap_or(0);
            checks::registry()
                .iter()
                .map(|m| {
                    format!(
                        "{}  {:<7}  {:<width$}  {}\n",
                        m.code,
                        m.severity.as_str(),
                        m.id,
                        m.summary
                    )
                })
                .collect()
        }
        ListFormat::Json => {
            let list: Vec<serde_json::Value> = checks::registry()
                .iter()
                .map(|m| serde_json::json!({"code": m.code, "id": m.id, "severity": m.severity.as_str(), "summary": m.summary}))
                .collect();
            format!("{}\n", serde_json::to_string_pretty(&list).unwrap_or_default())
        }
    };
    Outcome {
        stdout,
        ..Outcome::default()
    }
}

/// The repository root for a path: the git work tree containing it, else the path.
fn repo_root(path: &Path) -> PathBuf {
    git2::Repository::discover(path)
        .ok()
        .and_then(|repo| repo.workdir().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// The policy for a scan: --policy, else the repository's file, else the default preset.
fn load_policy(explicit: Option<&Path>, root: &Path) -> Result<policy::Policy, policy::PolicyError> {
    if let Some(file) = explicit {
        return policy::load_file(file);
    }
    match policy::find_policy_file(root)? {
        Some(file) => policy::load_file(&file),
        None => policy::resolve(None),
    }
}

fn run_scan(settings: &ScanSettings) -> Outcome {
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
    };
    let outcome = match scan::scan(&policy, &options, baseline.as_ref()) {
        Ok(outcome) => outcome,
        Err(err) => return Outcome::error(err),
    };
    let mut stderr = String::new();
    if let Some(file) = &settings.write_baseline {
        let recorded = Baseline::of(&outcome.unbaselined);
        if let Err(err) = recorded.write(file) {
            return Outcome::error(err);
        }
        stderr.push_str(&format!(
            "livegate: wrote {} finding(s) to baseline {}\n",
            recorded.findings.len(),
            file.display()
        ));
    }
    let report = Report {
        command: "scan",
        findings: &outcome.findings,
        stats: Some(&outcome.stats),
        fail_on: settings.fail_on,
        details: None,
        details_markdown: None,
        extra: None,
    };
    let color = color_for(settings.color, settings.format, settings.output.is_some());
    let rendered = report::render(settings.format, &report, color);
    if let Err(err) = report::emit_all(&report, &settings.emit) {
        return Outcome::error(err);
    }
    let verdict = report.verdict();
    // Writing the baseline is adoption: the run that records findings passes
    // unless something could not be verified.
    let exit = if settings.write_baseline.is_some() && verdict != report::Verdict::Unverified {
        0
    } else {
        verdict.exit_code()
    };
    deliver(rendered, stderr, exit, settings.output.as_deref())
}

fn run_policy(action: PolicyAction) -> Outcome {
    let cwd = PathBuf::from(".");
    match action {
        PolicyAction::Show { preset: Some(name), .. } => match policy::preset_text(&name) {
            Some(text) => Outcome {
                stdout: text.to_owned(),
                ..Outcome::default()
            },
            None => Outcome::error(format!(
                "--preset: unknown preset `{name}`; use one of {}",
                policy::preset_names().join(", ")
            )),
        },
        PolicyAction::Show { file, preset: None } => match load_policy(file.as_deref(), &repo_root(&cwd)) {
            Ok(policy) => {
                let header: String = policy.sources.iter().map(|s| format!("# from {s}\n")).collect();
                Outcome {
                    stdout: format!("{header}{}", policy::to_toml(&policy)),
                    ..Outcome::default()
                }
            }
            Err(err) => Outcome::error(err),
        },
        PolicyAction::Validate { file } => {
            let file = match file {
                Some(file) => file,
                None => match policy::find_policy_file(&repo_root(&cwd)) {
                    Ok(Some(file)) => file,
                    Ok(None) => {
                        return Outcome::error(format!(
                            "no policy file found ({}); give one as an argument",
                            policy::POLICY_LOCATIONS.join(" or ")
                        ))
                    }
                    Err(err) => return Outcome::error(err),
                },
            };
            match policy::load_file(&file) {
                Ok(policy) => Outcome {
                    stdout: format!("{}: ok (layers: {})\n", file.display(), policy.sources.join(" <- ")),
                    ..Outcome::default()
                },
                Err(err) => Outcome::error(err),
            }
        }
    }
}

fn gen_docs(dir: &Path, check: bool) -> Outcome {
    let mut stale = Vec::new();
    for (name, content) in docs::pages() {
        let path = dir.join(&name);
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
                stale.push(path.display().to_string());
            }
        } else if let Err(err) = std::fs::create_dir_all(dir).and_then(|()| std::fs::write(&path, content)) {
            return Outcome::error(format!("{}: cannot write: {err}", path.display()));
        }
    }
    if stale.is_empty() {
        Outcome::default()
    } else {
        Outcome::error(format!(
            "stale docs: {}; run `cargo run -- gen-docs {}`",
            stale.join(", "),
            dir.display()
        ))
    }
}

fn run_hook(action: HookAction) -> Outcome {
    let repo = match git2::Repository::discover(".") {
        Ok(repo) => repo,
        Err(err) => return Outcome::error(hook::HookError::NoRepository(err.message().to_owned())),
    };
    match action {
        HookAction::Install { force } => {
            let binary = std::env::current_exe().unwrap_or_else(|_| PathBuf::from("livegate"));
            match hook::install(&repo, &binary, force) {
                Ok(hook::Installed::Fresh(path)) => Outcome {
                    stdout: format!("installed {}\n", path.display()),
                    ..Outcome::default()
                },
                Ok(hook::Installed::Updated(path)) => Outcome {
                    stdout: format!("updated {}\n", path.display()),
                    ..Outcome::default()
                },
                Ok(hook::Installed::Chained { hook, chained }) => Outcome {
                    stdout: format!(
                        "installed {}; the previous hook was moved to {} and runs first\n",
                        hook.display(),
                        chained.display()
                    ),
                    ..Outcome::default()
                },
                Err(err) => Outcome::error(err),
            }
        }
        HookAction::Uninstall => match hook::uninstall(&repo) {
            Ok(hook::Uninstalled::Removed(path)) => Outcome {
                stdout: format!("removed {}\n", path.display()),
                ..Outcome::default()
            },
            Ok(hook::Uninstalled::Restored(path)) => Outcome {
                stdout: format!("removed livegate's hook; restored the previous {}\n", path.display()),
                ..Outcome::default()
            },
            Ok(hook::Uninstalled::NotInstalled) => Outcome {
                stdout: "no pre-push hook installed\n".to_owned(),
                ..Outcome::default()
            },
            Err(err) => Outcome::error(err),
        },
        HookAction::PrePush { from_env: true, .. } => {
            match hook::update_from_env(&repo, |name| std::env::var(name).ok()) {
                Ok((remote, update)) => pre_push(&repo, &remote, &update.to_line()),
                Err(err) => Outcome::error(err),
            }
        }
        HookAction::PrePush { remote, url: _, .. } => {
            let mut input = String::new();
            if let Err(err) = std::io::Read::read_to_string(&mut std::io::stdin(), &mut input) {
                return Outcome::error(format!("cannot read the pre-push input: {err}"));
            }
            pre_push(&repo, &remote.unwrap_or_default(), &input)
        }
    }
}

/// Judges a push: refuses direct pushes to protected branches, and scans what
/// each pushed ref adds. Everything goes to stderr, as git shows hook output.
pub fn pre_push(repo: &git2::Repository, remote: &str, input: &str) -> Outcome {
    let root = repo
        .workdir()
        .map_or_else(|| repo.path().to_path_buf(), Path::to_path_buf);
    let policy = match load_policy(None, &root) {
        Ok(policy) => policy,
        Err(err) => return Outcome::error(err),
    };
    let updates = match hook::parse_input(input) {
        Ok(updates) => updates,
        Err(err) => return Outcome::error(err),
    };
    let rules = hook::BranchRules::new(&policy, hook::remote_default_branch(repo, remote));
    let mut refused = Vec::new();
    let mut findings: Vec<Finding> = Vec::new();
    let mut stats = ScanStats::default();
    for update in &updates {
        if let Some(pattern) = update.remote_branch().and_then(|branch| rules.protecting(branch)) {
            let what = if update.is_delete() {
                "deleting"
            } else {
                "pushing directly to"
            };
            refused.push(format!(
                "livegate: {what} protected branch `{}` on {remote} is refused (policy [branches] patterns: `{pattern}`).\n  Push a branch and open a pull request instead: git push {remote} HEAD:refs/heads/<your-branch>\n  Emergency only: git push --no-verify skips this hook.",
                update.remote_branch().unwrap_or_default()
            ));
        }
        if update.is_delete() {
            continue;
        }
        let range = match hook::pushed_range(repo, remote, update) {
            Ok(Some(range)) => range,
            Ok(None) => continue,
            Err(err) => {
                return Outcome::error(format!(
                    "cannot work out what {} adds: {}",
                    update.local_ref,
                    err.message()
                ));
            }
        };
        let options = ScanOptions {
            path: root.clone(),
            mode: ScanMode::Push {
                base: range.0,
                head: range.1,
            },
            threads: 1,
        };
        match scan::scan(&policy, &options, None) {
            Ok(outcome) => {
                findings.extend(outcome.findings);
                stats.files_seen += outcome.stats.files_seen;
                stats.files_read += outcome.stats.files_read;
            }
            Err(err) => return Outcome::error(err),
        }
    }
    sort_findings(&mut findings);
    findings.dedup_by(|a, b| a.location == b.location && a.code() == b.code() && a.message == b.message);
    let report = Report {
        command: "pre-push",
        findings: &findings,
        stats: Some(&stats),
        fail_on: Severity::Error,
        details: None,
        details_markdown: None,
        extra: None,
    };
    let verdict = report.verdict();
    let mut stderr = if findings.is_empty() {
        String::new()
    } else {
        report::render(Format::Human, &report, false)
    };
    for message in &refused {
        stderr.push_str(message);
        stderr.push('\n');
    }
    let exit = if verdict == report::Verdict::Unverified {
        verdict.exit_code()
    } else if !refused.is_empty() {
        1
    } else {
        verdict.exit_code()
    };
    if exit == 1 && refused.is_empty() {
        stderr.push_str("livegate: push refused: the commits add test data to production paths (see above). Fix them, or `git push --no-verify` to skip.\n");
    }
    Outcome {
        stdout: String::new(),
        stderr,
        exit,
    }
}

/// Client options from the shared GitHub flags and the environment.
/// Seconds an online command may spend talking to GitHub, unless --budget says.
const DEFAULT_BUDGET: u64 = 300;
/// An organisation audit makes thousands of requests: an hour by default.
const DEFAULT_AUDIT_BUDGET: u64 = 3600;

pub fn client_options(args: &crate::cli::GitHubArgs) -> Result<crate::github::client::ClientOptions, String> {
    use crate::github::client::{Auth, ClientOptions, DEFAULT_API_URL};
    use crate::github::secret::Secret;
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let api_url = args
        .api_url
        .clone()
        .or_else(|| env("GITHUB_API_URL"))
        .unwrap_or_else(|| DEFAULT_API_URL.to_owned());
    let api_url = api_url.trim_end_matches('/').to_owned();
    if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
        return Err(format!("--api-url / GITHUB_API_URL: `{api_url}` is not an http(s) URL"));
    }
    let auth = match (args.app_id, &args.app_key, args.installation_id) {
        (Some(app_id), Some(key), Some(installation_id)) => {
            let pem = std::fs::read_to_string(key)
                .map_err(|err| format!("--app-key {}: cannot read: {err}", key.display()))?;
            Auth::App {
                app_id,
                private_key_pem: Secret::new(pem),
                installation_id,
            }
        }
        _ => match crate::protect::token_from(args.token_file.as_ref(), env)? {
            Some(token) => Auth::Token(token),
            None => Auth::None,
        },
    };
    let cache_dir = if args.no_cache {
        None
    } else {
        args.cache_dir.clone().or_else(crate::github::cache::default_dir)
    };
    Ok(ClientOptions {
        api_url,
        auth,
        cache_dir,
        request_timeout: std::time::Duration::from_secs(args.timeout.max(1)),
        budget: std::time::Duration::from_secs(args.budget.unwrap_or(DEFAULT_BUDGET).max(1)),
        retries: args.retries,
        max_rate_limit_wait: std::time::Duration::from_secs(args.max_rate_limit_wait),
        verbose: args.verbose,
        ..ClientOptions::default()
    })
}

fn run_protect(args: crate::cli::ProtectArgs) -> Outcome {
    let (owner, name) = match crate::cli::parse_repo("--repo", &args.repo) {
        Ok(parts) => parts,
        Err(err) => return Outcome::error(err),
    };
    let (format, client) = match online_setup(&args.report, &args.github) {
        Ok(setup) => setup,
        Err(err) => return Outcome::error(err),
    };
    let root = repo_root(Path::new("."));
    let policy = match load_policy(args.policy.as_deref(), &root) {
        Ok(policy) => policy,
        Err(err) => return Outcome::error(err),
    };
    let branches_policy = policy.merged.branches.clone().unwrap_or_default();
    let color = color_for(args.report.color, format, args.report.output.is_some());
    let settings = crate::protect::ProtectSettings {
        owner,
        name,
        branches: args.branches,
        policy: args.policy,
        format,
        output: args.report.output.clone(),
        emit: args.report.emit.clone(),
        fail_on: args.report.fail_on.severity(),
        color,
        client,
    };
    let (rendered, exit) = match crate::protect::run(&settings, &branches_policy) {
        Ok(done) => done,
        Err(err) => return Outcome::error(err),
    };
    deliver(rendered, String::new(), exit, args.report.output.as_deref())
}

/// The pull request to judge: from the flags, else from the Actions event.
fn pr_target(args: &crate::cli::PrArgs) -> Result<(String, String, u64), String> {
    let (full, number) = match (&args.repo, args.number) {
        (Some(repo), Some(number)) => (repo.clone(), number),
        _ => {
            let path = std::env::var_os("GITHUB_EVENT_PATH").ok_or(
                "no pull request given: pass --repo OWNER/NAME --number N, or run in GitHub Actions \
                 (GITHUB_EVENT_PATH names the event payload)",
            )?;
            let name = std::env::var("GITHUB_EVENT_NAME").unwrap_or_default();
            let text = std::fs::read_to_string(&path)
                .map_err(|err| format!("GITHUB_EVENT_PATH {}: cannot read: {err}", Path::new(&path).display()))?;
            let payload: serde_json::Value = serde_json::from_str(&text)
                .map_err(|err| format!("GITHUB_EVENT_PATH {}: not JSON ({err})", Path::new(&path).display()))?;
            crate::pr::from_event(&name, &payload).map_err(|err| format!("GITHUB_EVENT_PATH ({name} event): {err}"))?
        }
    };
    let (owner, name) = crate::cli::parse_repo("--repo", &full).map_err(|e| e.to_string())?;
    if number == 0 {
        return Err("--number: pull request numbers start at 1".to_owned());
    }
    Ok((owner, name, number))
}

fn color_for(choice: ColorChoice, format: Format, to_file: bool) -> bool {
    format == Format::Human
        && !to_file
        && match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
        }
}

fn run_pr(args: crate::cli::PrArgs) -> Outcome {
    let (owner, name, number) = match pr_target(&args) {
        Ok(target) => target,
        Err(err) => return Outcome::error(err),
    };
    let (format, client) = match online_setup(&args.report, &args.github) {
        Ok(setup) => setup,
        Err(err) => return Outcome::error(err),
    };
    let env = |key: &str| std::env::var(key).ok().filter(|v| !v.is_empty());
    let target_url = match (env("GITHUB_SERVER_URL"), env("GITHUB_REPOSITORY"), env("GITHUB_RUN_ID")) {
        (Some(server), Some(repo), Some(run)) => Some(format!("{server}/{repo}/actions/runs/{run}")),
        _ => None,
    };
    let settings = crate::pr::PrSettings {
        owner,
        name,
        number,
        policy: args.policy.clone(),
        checkout: args.checkout.clone(),
        format,
        fail_on: args.report.fail_on.severity(),
        color: color_for(args.report.color, format, args.report.output.is_some()),
        status: args.status,
        target_url,
        emit: args.report.emit.clone(),
        client,
    };
    let (rendered, summary, log, exit) = match crate::pr::run(&settings) {
        Ok(done) => done,
        Err(err) => return Outcome::error(err),
    };
    let mut stderr: String = log.iter().map(|line| format!("livegate: {line}\n")).collect();
    let summary_file = args.summary.clone().or_else(|| {
        (format == Format::Github)
            .then(|| std::env::var_os("GITHUB_STEP_SUMMARY").map(PathBuf::from))
            .flatten()
    });
    if let Some(file) = summary_file {
        let appended = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&file)
            .and_then(|mut f| std::io::Write::write_all(&mut f, summary.as_bytes()));
        if let Err(err) = appended {
            stderr.push_str(&format!(
                "livegate: --summary {}: cannot write: {err}\n",
                file.display()
            ));
        }
    }
    deliver(rendered, stderr, exit, args.report.output.as_deref())
}

fn run_audit(args: crate::cli::AuditArgs) -> Outcome {
    if args.repos.is_empty() && args.org.is_none() {
        return Outcome::error("nothing to audit: pass --repo OWNER/NAME (repeatable) or --org ORG");
    }
    if let Some(repo) = &args.issue_repo {
        if let Err(err) = crate::cli::parse_repo("--issue-repo", repo) {
            return Outcome::error(err);
        }
    }
    for repo in &args.repos {
        if let Err(err) = crate::cli::parse_repo("--repo", repo) {
            return Outcome::error(err);
        }
    }
    let mut properties = Vec::new();
    for text in &args.property {
        match text.split_once('=') {
            Some((key, value)) if !key.trim().is_empty() => {
                properties.push((key.trim().to_owned(), value.trim().to_owned()))
            }
            _ => {
                return Outcome::error(format!(
                    "--property `{text}`: expected KEY=VALUE (e.g. classification=sensitive)"
                ))
            }
        }
    }
    for glob in args.include.iter().chain(&args.exclude) {
        if let Err(err) = crate::policy::compile_glob(glob) {
            return Outcome::error(format!("--include/--exclude `{glob}`: {err}"));
        }
    }
    let (format, mut client) = match online_setup(&args.report, &args.github) {
        Ok(setup) => setup,
        Err(err) => return Outcome::error(err),
    };
    if args.github.budget.is_none() {
        client.budget = std::time::Duration::from_secs(DEFAULT_AUDIT_BUDGET);
    }
    let root = repo_root(Path::new("."));
    let policy = match load_policy(args.policy.as_deref(), &root) {
        Ok(policy) => policy,
        Err(err) => return Outcome::error(err),
    };
    let settings = crate::audit::AuditSettings {
        repos: args.repos.clone(),
        org: args.org.clone(),
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        topics: args.topic.clone(),
        properties,
        include_archived: args.include_archived,
        snapshot: args.snapshot.clone(),
        baseline: args.baseline.clone(),
        allow_unknown: args.allow_unknown,
        issue_repo: args.issue_repo.clone(),
        concurrency: usize::from(args.concurrency),
        protection: args.protection,
        format,
        fail_on: args.report.fail_on.severity(),
        color: color_for(args.report.color, format, args.report.output.is_some()),
        emit: args.report.emit.clone(),
        client,
    };
    let section = policy.merged.settings.clone().unwrap_or_default();
    let branches = policy.merged.branches.clone().unwrap_or_default();
    let run = match crate::audit::run(&settings, &section, &branches) {
        Ok(run) => run,
        Err(err) => return Outcome::error(err),
    };
    deliver(run.rendered, String::new(), run.exit, args.report.output.as_deref())
}

/// The output format and the GitHub client options of an online command.
fn online_setup(
    report: &crate::cli::ReportArgs,
    github: &crate::cli::GitHubArgs,
) -> Result<(Format, crate::github::client::ClientOptions), String> {
    let format =
        Format::parse(&report.format).ok_or_else(|| format!("--format: unknown format `{}`", report.format))?;
    Ok((format, client_options(github)?))
}

/// The report to `--output FILE`, or to standard output.
fn deliver(rendered: String, stderr: String, exit: i32, output: Option<&Path>) -> Outcome {
    match output {
        Some(file) => match std::fs::write(file, rendered) {
            Ok(()) => Outcome {
                stdout: String::new(),
                stderr,
                exit,
            },
            Err(err) => Outcome::error(format!("--output {}: cannot write: {err}", file.display())),
        },
        None => Outcome {
            stdout: rendered,
            stderr,
            exit,
        },
    }
}

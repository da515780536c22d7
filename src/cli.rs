//! Command-line arguments (clap), converted once into `Settings` so that
//! nothing below this module sees clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::report::finding::Severity;
use crate::report::{Emit, Format};
use crate::scan::ScanMode;

#[derive(Debug, Parser)]
#[command(
    name = "livegate",
    version,
    about = "Guards the way into production: finds test data leaking into production paths, checks branch protection, gates pull requests on real review, and audits repository and organisation settings."
)]
pub struct Cli {
    #[command(flatten)]
    pub verbosity: Verbosity,
    #[command(subcommand)]
    pub command: Command,
}

/// `-q` and `-v`, accepted by every command (before or after its name).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct Verbosity {
    /// Only findings and errors: no progress, no details tables or summary line (machine formats are unchanged).
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,
    /// Say more on standard error: every request to GitHub with its status and remaining quota, the policy in use, what a scan skipped.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// How an audit's human and Markdown reports are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    /// `code` when more than `GROUP_BY_CODE_ABOVE` repositories were audited, else `repo`.
    Auto,
    /// One section per check: its help once, then each repository with what was seen.
    Code,
    /// One diagnostic per finding, in repository order.
    Repo,
}

/// Above this many audited repositories, `--group-by auto` groups by check.
pub const GROUP_BY_CODE_ABOVE: usize = 10;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find test fixtures and test data leaking into production paths (offline).
    Scan(ScanArgs),
    /// List every check: code, id, default severity, summary.
    Checks {
        #[arg(long, value_enum, default_value_t = ListFormat::Human)]
        format: ListFormat,
    },
    /// Explain a check: what it detects, why it matters, how to fix and suppress it.
    Explain {
        /// A check code (LG412) or id (test-file-in-production).
        code: String,
    },
    /// Check that deploying branches are protected as the policy says (classic protection and rulesets, merged).
    Protect(ProtectArgs),
    /// Audit repository and organisation settings against the policy, with a snapshot and drift against a previous one.
    Audit(AuditArgs),
    /// Gate a pull request on real review (policy from the base branch, read through the API).
    Pr(PrArgs),
    /// Run the livegate GitHub App: a webhook server whose check run `livegate/review` is the unforgeable review gate.
    Serve(ServeArgs),
    /// Prove that everything about to be deployed to an environment reached the branch through reviewed pull requests.
    Deploy(DeployArgs),
    /// Install, remove or run the git pre-push hook.
    Hook {
        #[command(subcommand)]
        action: HookAction,
    },
    /// Show or validate the effective policy.
    Policy {
        #[command(subcommand)]
        action: PolicyAction,
    },
    /// Print a shell completion script: `livegate completions bash > ~/.local/share/bash-completion/completions/livegate`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the content patterns the scan uses, one per line (for the benchmark).
    #[command(hide = true)]
    DebugPatterns,
    /// Regenerate docs/ pages from the check registry (with --check: fail if stale).
    #[command(hide = true)]
    GenDocs {
        dir: PathBuf,
        #[arg(long)]
        check: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum HookAction {
    /// Write .git/hooks/pre-push (honours core.hooksPath).
    Install {
        /// Install over a hook livegate did not write; that hook is kept and runs first.
        #[arg(long)]
        force: bool,
    },
    /// Remove livegate's pre-push hook and restore the one it replaced.
    Uninstall,
    /// Run as git's pre-push hook: reads `<local ref> <local sha> <remote ref> <remote sha>` lines on stdin.
    PrePush {
        /// The remote's name (git passes it).
        #[arg(required_unless_present = "from_env")]
        remote: Option<String>,
        /// The remote's URL (git passes it).
        url: Option<String>,
        /// Take the push from pre-commit's PRE_COMMIT_* variables (`stages: [pre-push]`), not arguments and stdin.
        #[arg(long, conflicts_with_all = ["remote", "url"])]
        from_env: bool,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum PolicyAction {
    /// Print the effective policy after presets, as TOML.
    Show {
        /// A policy file; default: .github/livegate.toml or livegate.toml in the current repository.
        file: Option<PathBuf>,
        /// Show a preset as shipped (baseline, standard, strict) instead.
        #[arg(long, conflicts_with = "file")]
        preset: Option<String>,
    },
    /// Check a policy file; errors name file:line:col.
    Validate {
        /// A policy file; default: .github/livegate.toml or livegate.toml in the current repository.
        file: Option<PathBuf>,
    },
    /// Print the policy file's JSON Schema (for editors: Taplo / Even Better TOML).
    Schema,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The repository (or a directory in it) to scan.
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Only what changed between two revisions: BASE..HEAD, or BASE...HEAD from their merge base.
    #[arg(long, value_name = "BASE..HEAD", conflicts_with = "staged")]
    pub diff: Option<String>,
    /// Only what is staged in the index (for pre-commit).
    #[arg(long)]
    pub staged: bool,
    #[command(flatten)]
    pub output: OutputArgs,
    /// Policy file; default: .github/livegate.toml or livegate.toml at the repository root, else the standard preset.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// Accept the findings recorded in FILE: only new findings are reported.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record the current findings in FILE (adopt livegate on a legacy repository).
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Worker threads for the walk, 1 to 256 (default: available cores).
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=256))]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub look: LookArgs,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
}

/// How to reach GitHub; shared by every online command.
#[derive(Debug, Args)]
pub struct GitHubArgs {
    /// API base URL (GitHub Enterprise Server: https://HOST/api/v3); default: $GITHUB_API_URL, else https://api.github.com.
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// Allow a plain http:// API URL on another host than this machine: the token and the answers the verdict rests on travel unencrypted.
    #[arg(long)]
    pub allow_insecure_http: bool,
    /// Read the token from FILE instead of $GITHUB_TOKEN / $GH_TOKEN.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// Authenticate as a GitHub App (with --app-key and --installation-id).
    #[arg(long, value_name = "ID", requires_all = ["app_key", "installation_id"])]
    pub app_id: Option<u64>,
    /// The App's private key (PEM file).
    #[arg(long, value_name = "FILE")]
    pub app_key: Option<PathBuf>,
    /// The App installation to act as.
    #[arg(long, value_name = "ID")]
    pub installation_id: Option<u64>,
    /// Where ETags and cached answers are kept (default: the user cache directory).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,
    /// Do not use or write the ETag cache.
    #[arg(long)]
    pub no_cache: bool,
    /// Seconds one request may take, answer included (1 to 3600).
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
    /// Seconds the whole command may take talking to GitHub, 1 to 86400 [default: 300; audit: 3600].
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub budget: Option<u64>,
    /// Longest rate-limit pause to sit out, 0 to 86400 (every request waits for it); longer ones fail with exit 3.
    #[arg(long, value_name = "SECONDS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=86400))]
    pub max_rate_limit_wait: u64,
    /// Retries after a 5xx, a timeout or a connection error (0 to 10).
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(0..=10))]
    pub retries: u32,
}

/// Which report, where it goes and when it fails; shared by scan and the
/// online commands.
#[derive(Debug, Args)]
pub struct OutputArgs {
    #[arg(long, default_value = "human", value_parser = clap::builder::PossibleValuesParser::new(Format::NAMES))]
    pub format: String,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Also write the report in another form: KIND=FILE, KIND one of human, json, sarif, github, markdown, outputs (repeatable).
    #[arg(long = "emit", value_name = "KIND=FILE", value_parser = Emit::parse)]
    pub emit: Vec<Emit>,
    /// Fail (exit 1) on findings at or above this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
}

/// How the report looks; shared like `OutputArgs` (scan declares a few
/// flags of its own between the two, which is why they are two).
#[derive(Debug, Args)]
pub struct LookArgs {
    /// Colour the human report: auto colours a terminal unless NO_COLOR (not empty) or CLICOLOR=0 is set, and
    /// colours any output when CLICOLOR_FORCE (not empty, not 0) or FORCE_COLOR (not empty) is; the flag wins.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Count findings per check (code, count, severity, title) instead of listing them; JSON gains a `statistics` field.
    #[arg(long)]
    pub statistics: bool,
}

/// How an online command reports; shared by protect, pr, audit and deploy.
#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub output: OutputArgs,
    #[command(flatten)]
    pub look: LookArgs,
}

#[derive(Debug, Args)]
pub struct ProtectArgs {
    /// The repository: OWNER/NAME.
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: String,
    /// A branch to check (repeatable); default: the policy's [branches] patterns, else the default branch.
    #[arg(long = "branch", value_name = "NAME")]
    pub branches: Vec<String>,
    /// Policy file; default: .github/livegate.toml or livegate.toml in the current repository, else the standard preset.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub github: GitHubArgs,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// A repository to audit: OWNER/NAME (repeatable).
    #[arg(long = "repo", value_name = "OWNER/NAME")]
    pub repos: Vec<String>,
    /// Audit an organisation: its settings and its repositories (filtered by the flags below).
    #[arg(long, value_name = "ORG")]
    pub org: Option<String>,
    /// Only repositories whose name matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub include: Vec<String>,
    /// Skip repositories whose name matches GLOB (repeatable).
    #[arg(long, value_name = "GLOB")]
    pub exclude: Vec<String>,
    /// Only repositories with this topic (repeatable: all must be present).
    #[arg(long, value_name = "TOPIC")]
    pub topic: Vec<String>,
    /// Only repositories whose custom property KEY has VALUE (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub property: Vec<String>,
    /// Audit archived repositories too.
    #[arg(long)]
    pub include_archived: bool,
    /// Write everything observed to FILE (versioned JSON, stable order, written atomically).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Compare with a previous snapshot and report every change (loosening ones as errors).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Report settings the token cannot read as notes instead of failing with exit 3.
    #[arg(long)]
    pub allow_unknown: bool,
    /// Keep one tracking issue per audited repository in OWNER/NAME: opened, updated, closed when clean.
    #[arg(long, value_name = "OWNER/NAME")]
    pub issue_repo: Option<String>,
    /// Also check each repository's deploying branches as `livegate protect` does (the policy's [branches]).
    #[arg(long)]
    pub protection: bool,
    /// Human and Markdown layout: by check (help once, the repositories under it) or one diagnostic per finding; auto groups by check above 10 repositories.
    #[arg(long, value_enum, default_value_t = GroupBy::Auto)]
    pub group_by: GroupBy,
    /// Repositories audited at the same time (1 to 64), each with one request in flight.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub concurrency: u16,
    /// Policy file; default: .github/livegate.toml or livegate.toml in the current repository, else the standard preset.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub github: GitHubArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on for webhooks and health checks.
    #[arg(long, value_name = "ADDR", env = "LIVEGATE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The GitHub App's id.
    #[arg(long, value_name = "ID", env = "LIVEGATE_APP_ID")]
    pub app_id: u64,
    /// The GitHub App's private key (PEM file).
    #[arg(long, value_name = "FILE", env = "LIVEGATE_APP_KEY")]
    pub app_key: PathBuf,
    /// The webhook secret (prefer --webhook-secret-file or the environment: arguments are visible to other users).
    #[arg(
        long,
        value_name = "SECRET",
        env = "LIVEGATE_WEBHOOK_SECRET",
        hide_env_values = true,
        conflicts_with = "webhook_secret_file"
    )]
    pub webhook_secret: Option<String>,
    /// Read the webhook secret from FILE.
    #[arg(long, value_name = "FILE", env = "LIVEGATE_WEBHOOK_SECRET_FILE")]
    pub webhook_secret_file: Option<PathBuf>,
    /// The SQLite file that holds the queue of accepted events (created if missing).
    #[arg(long, value_name = "FILE", env = "LIVEGATE_DB", default_value = "livegate-serve.db")]
    pub db: PathBuf,
    /// API base URL (GitHub Enterprise Server: https://HOST/api/v3); default: $GITHUB_API_URL, else https://api.github.com.
    #[arg(long, value_name = "URL")]
    pub api_url: Option<String>,
    /// How many events are judged at once.
    #[arg(long, value_name = "N", env = "LIVEGATE_WORKERS", default_value_t = 4)]
    pub workers: usize,
    /// Seconds before one request to GitHub times out.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub timeout: u64,
    /// Seconds one event's evaluation may spend talking to GitHub.
    #[arg(long, value_name = "SECONDS", default_value_t = 120)]
    pub budget: u64,
}

#[derive(Debug, Args)]
pub struct PrArgs {
    /// The repository: OWNER/NAME (default: from $GITHUB_EVENT_PATH in GitHub Actions).
    #[arg(long, value_name = "OWNER/NAME", requires = "number")]
    pub repo: Option<String>,
    /// The pull request number (default: from $GITHUB_EVENT_PATH).
    #[arg(long, value_name = "N", requires = "repo")]
    pub number: Option<u64>,
    /// A local policy file instead of the base branch's. Never point this into the pull request's checkout.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// A clone to take the change's content from when it has both commits (default: .); else GitHub's patches are used.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub checkout: PathBuf,
    /// Post the verdict as the commit status `livegate/review` on the head commit (needs statuses: write).
    #[arg(long)]
    pub status: bool,
    /// Also append the Markdown summary to FILE (default with --format github: $GITHUB_STEP_SUMMARY).
    #[arg(long, value_name = "FILE")]
    pub summary: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub github: GitHubArgs,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The repository: OWNER/NAME (default: $GITHUB_REPOSITORY).
    #[arg(long, value_name = "OWNER/NAME")]
    pub repo: Option<String>,
    /// The environment being deployed to (its successful deployments give the baseline).
    #[arg(long, value_name = "NAME")]
    pub environment: String,
    /// The commit about to be deployed (default: $GITHUB_SHA).
    #[arg(long, value_name = "SHA")]
    pub to: Option<String>,
    /// The branch that deploys (default: the branch of $GITHUB_REF).
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// The commit the environment runs now, instead of (or checked against) its latest successful deployment.
    #[arg(long, value_name = "SHA")]
    pub from: Option<String>,
    /// The attestation a previous `livegate deploy --attest` wrote: the range starts at its subject.
    #[arg(long, value_name = "FILE")]
    pub previous_attestation: Option<PathBuf>,
    /// No deployment yet: the whole history up to --to counts (capped by --max-commits).
    #[arg(long)]
    pub first_deploy: bool,
    /// Fail (exit 3) rather than judge more landing commits than this.
    #[arg(long, value_name = "N", default_value_t = 5000)]
    pub max_commits: usize,
    /// Write an in-toto attestation (SLSA verification summary and livegate's evidence) to FILE.
    #[arg(long, value_name = "FILE")]
    pub attest: Option<PathBuf>,
    /// A clone with the range's history (fetch-depth: 0), for the commit walk and the leak scan.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub checkout: PathBuf,
    /// Policy file; default: the one at the baseline commit (.github/livegate.toml), else the standard preset.
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    #[command(flatten)]
    pub report: ReportArgs,
    #[command(flatten)]
    pub github: GitHubArgs,
}

/// Splits OWNER/NAME, naming the flag when it is malformed.
pub fn parse_repo(flag: &'static str, text: &str) -> Result<(String, String), UsageError> {
    let valid = |part: &str| {
        !part.is_empty()
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    match text.split_once('/') {
        Some((owner, name)) if valid(owner) && valid(name) => Ok((owner.to_owned(), name.to_owned())),
        _ => Err(UsageError {
            flag,
            message: format!("`{text}` is not OWNER/NAME (e.g. acme/api)"),
        }),
    }
}

impl FailOn {
    pub fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Note => Severity::Note,
        }
    }
}

/// A usage problem, naming the flag.
#[derive(Debug, thiserror::Error)]
#[error("{flag}: {message}")]
pub struct UsageError {
    pub flag: &'static str,
    pub message: String,
}

/// Validated scan settings.
#[derive(Debug, Clone)]
pub struct ScanSettings {
    pub path: PathBuf,
    pub mode: ScanMode,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub emit: Vec<Emit>,
    pub fail_on: Severity,
    pub policy: Option<PathBuf>,
    pub baseline: Option<PathBuf>,
    pub write_baseline: Option<PathBuf>,
    pub threads: usize,
    pub color: ColorChoice,
    pub view: crate::report::view::View,
    pub verbose: bool,
}

/// `--statistics` counts findings for a reader (human, Markdown, JSON); the
/// SARIF and workflow-command formats are read finding by finding.
pub fn check_statistics(statistics: bool, format: Format) -> Result<(), UsageError> {
    if statistics && matches!(format, Format::Sarif | Format::Github) {
        return Err(UsageError {
            flag: "--statistics",
            message: "applies to --format human, markdown or json; for SARIF or GitHub annotations drop \
                      --statistics (or add --emit json=FILE --statistics for the counts)"
                .to_owned(),
        });
    }
    Ok(())
}

impl ScanArgs {
    pub fn into_settings(self, verbosity: Verbosity) -> Result<ScanSettings, UsageError> {
        let mode = match (&self.diff, self.staged) {
            (Some(range), _) => parse_range(range)?,
            (None, true) => ScanMode::Staged,
            (None, false) => ScanMode::Tree,
        };
        let format = Format::parse(&self.output.format).ok_or_else(|| UsageError {
            flag: "--format",
            message: format!(
                "unknown format `{}`; use one of {}",
                self.output.format,
                Format::NAMES.join(", ")
            ),
        })?;
        check_statistics(self.look.statistics, format)?;
        if self.baseline.is_some() && self.baseline == self.write_baseline {
            return Err(UsageError {
                flag: "--write-baseline",
                message: "is the same file as --baseline; write the new baseline elsewhere, then replace the old one"
                    .to_owned(),
            });
        }
        let threads = self
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, usize::from));
        Ok(ScanSettings {
            path: self.path,
            mode,
            format,
            output: self.output.output,
            emit: self.output.emit,
            fail_on: match self.output.fail_on {
                FailOn::Error => Severity::Error,
                FailOn::Warning => Severity::Warning,
                FailOn::Note => Severity::Note,
            },
            policy: self.policy,
            baseline: self.baseline,
            write_baseline: self.write_baseline,
            threads,
            color: self.look.color,
            view: crate::report::view::View {
                quiet: verbosity.quiet,
                statistics: self.look.statistics,
                grouped: false,
            },
            verbose: verbosity.verbose,
        })
    }
}

fn parse_range(range: &str) -> Result<ScanMode, UsageError> {
    let usage = |message: String| UsageError {
        flag: "--diff",
        message,
    };
    let (base, head, merge_base) = if let Some((base, head)) = range.split_once("...") {
        (base, head, true)
    } else if let Some((base, head)) = range.split_once("..") {
        (base, head, false)
    } else {
        return Err(usage(format!(
            "`{range}` is not a range; write BASE..HEAD, e.g. origin/main..HEAD"
        )));
    };
    if base.is_empty() || head.is_empty() || head.contains("..") {
        return Err(usage(format!(
            "`{range}` needs both ends; write BASE..HEAD, e.g. origin/main..HEAD"
        )));
    }
    Ok(ScanMode::Diff {
        base: base.to_owned(),
        head: head.to_owned(),
        merge_base,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_parse_with_two_and_three_dots() {
        assert_eq!(
            parse_range("origin/main..HEAD").ok().map(|m| format!("{m:?}")),
            Some(format!(
                "{:?}",
                ScanMode::Diff {
                    base: "origin/main".into(),
                    head: "HEAD".into(),
                    merge_base: false
                }
            ))
        );
        assert!(matches!(
            parse_range("a...b"),
            Ok(ScanMode::Diff { merge_base: true, .. })
        ));
    }

    #[test]
    fn bad_ranges_name_the_flag() {
        for bad in ["main", "..HEAD", "main..", "a..b..c"] {
            let err = parse_range(bad).err().map(|e| e.to_string()).unwrap_or_default();
            assert!(err.starts_with("--diff: "), "{bad}: {err}");
        }
    }
}

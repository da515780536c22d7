//! What every command shares: the outcome it returns, where the repository
//! and its policy are, colour, the GitHub client options of the online
//! commands, and delivering a report to a file or standard output.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::cli::{ColorChoice, GitHubArgs, ReportArgs, Verbosity};
use crate::github::client::ClientOptions;
use crate::github::secret::Secret;
use crate::policy;
use crate::report::color::{use_color, ColorWhen};
use crate::report::view::View;
use crate::report::Format;

/// What a command produced.
#[derive(Debug, Default)]
pub struct Outcome {
    pub stdout: String,
    pub stderr: String,
    pub exit: i32,
}

impl Outcome {
    pub fn error(message: impl std::fmt::Display) -> Outcome {
        Outcome {
            stdout: String::new(),
            stderr: format!("error: {message}\n"),
            exit: crate::exit::ERROR,
        }
    }
}

/// The repository root for a path: the git work tree containing it, else the path.
pub fn repo_root(path: &Path) -> PathBuf {
    git2::Repository::discover(path)
        .ok()
        .and_then(|repo| repo.workdir().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

/// The policy for a scan: --policy, else the repository's file, else the default preset.
pub fn load_policy(explicit: Option<&Path>, root: &Path) -> Result<policy::Policy, policy::PolicyError> {
    if let Some(file) = explicit {
        return policy::load_file(file);
    }
    match policy::find_policy_file(root)? {
        Some(file) => policy::load_file(&file),
        None => policy::resolve(None),
    }
}

/// `-v`: which files make up the policy, for standard error.
pub fn policy_note(policy: &policy::Policy) -> String {
    format!("livegate: policy: {}\n", policy.sources.join(" + "))
}

/// Whether the report is coloured: only the human format on standard
/// output, then `--color`, the colour variables and the terminal decide
/// (`report::color::use_color`).
pub fn color_for(choice: ColorChoice, format: Format, to_file: bool) -> bool {
    let when = match choice {
        ColorChoice::Auto => ColorWhen::Auto,
        ColorChoice::Always => ColorWhen::Always,
        ColorChoice::Never => ColorWhen::Never,
    };
    format == Format::Human
        && !to_file
        && use_color(when, std::io::stdout().is_terminal(), |name: &str| {
            std::env::var_os(name)
        })
}

/// The output format and the GitHub client options of an online command.
/// `-v` turns on the client's request log.
pub fn online_setup(
    report: &ReportArgs,
    github: &GitHubArgs,
    verbosity: Verbosity,
) -> Result<(Format, ClientOptions), String> {
    let format = Format::parse(&report.output.format)
        .ok_or_else(|| format!("--format: unknown format `{}`", report.output.format))?;
    crate::cli::check_statistics(report.look.statistics, format).map_err(|err| err.to_string())?;
    let mut options = client_options(github)?;
    options.verbose = verbosity.verbose;
    Ok((format, options))
}

/// The report's view from the shared report flags and `-q`.
pub fn view(report: &ReportArgs, verbosity: Verbosity) -> View {
    View {
        quiet: verbosity.quiet,
        statistics: report.look.statistics,
        grouped: false,
    }
}

/// The report to `--output FILE`, or to standard output.
pub fn deliver(rendered: String, stderr: String, exit: i32, output: Option<&Path>) -> Outcome {
    match output {
        Some(file) => match std::fs::write(file, crate::sanitize::scrub(&rendered)) {
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

/// Seconds an online command may spend talking to GitHub, unless --budget says.
pub const DEFAULT_BUDGET: u64 = 300;
/// An organisation audit makes thousands of requests: an hour by default.
pub const DEFAULT_AUDIT_BUDGET: u64 = 3600;

/// Client options from the shared GitHub flags and the environment.
pub fn client_options(args: &GitHubArgs) -> Result<ClientOptions, String> {
    use crate::github::client::{Auth, ClientOptions, DEFAULT_API_URL};
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let (api_url, source) = match (&args.api_url, env("GITHUB_API_URL")) {
        (Some(url), _) => (url.clone(), "--api-url"),
        (None, Some(url)) => (url, "GITHUB_API_URL"),
        (None, None) => (DEFAULT_API_URL.to_owned(), "--api-url"),
    };
    let api_url = api_url.trim_end_matches('/').to_owned();
    if !(api_url.starts_with("https://") || api_url.starts_with("http://")) {
        return Err(format!("{source}: `{api_url}` is not an http(s) URL"));
    }
    if api_url.starts_with("http://") && !args.allow_insecure_http && !is_loopback_url(&api_url) {
        return Err(format!(
            "{source}: `{api_url}` is plain http to another host: the token and the answers the verdict rests on \
             would travel unencrypted, readable and forgeable on the way; use https, or pass --allow-insecure-http \
             if the network between here and that host is trusted"
        ));
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
        _ => match token_from(args.token_file.as_ref(), env)? {
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
        // The flags' ranges (cli.rs) keep these far from overflowing.
        request_timeout: std::time::Duration::from_secs(args.timeout),
        budget: std::time::Duration::from_secs(args.budget.unwrap_or(DEFAULT_BUDGET)),
        retries: args.retries,
        max_rate_limit_wait: std::time::Duration::from_secs(args.max_rate_limit_wait),
        ..ClientOptions::default()
    })
}

/// Whether an http(s) URL points at this machine: localhost, 127.0.0.0/8 or ::1.
fn is_loopback_url(url: &str) -> bool {
    let Some(host) = url
        .parse::<http::Uri>()
        .ok()
        .and_then(|uri| uri.host().map(str::to_owned))
    else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost") || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// A token as a Secret, refused when it is not one line of printable ASCII:
/// a line break or control character would otherwise make an invalid HTTP
/// header (and a panic inside the HTTP library). The message names where the
/// token came from, never the token.
fn checked_token(source: &str, token: &str) -> Result<Secret, String> {
    if let Some((at, c)) = token.char_indices().find(|(_, c)| !c.is_ascii_graphic()) {
        let what = if c.is_control() {
            "a control character"
        } else if c == ' ' {
            "a space"
        } else {
            "a non-ASCII character"
        };
        return Err(format!(
            "{source}: the token contains {what} (U+{:04X}) at byte {at}; a GitHub token is one line of printable \
             ASCII, so check how it was stored (two values in one secret, a pasted line break)",
            u32::from(c)
        ));
    }
    Ok(Secret::new(token))
}

/// Token from --token-file, else GITHUB_TOKEN, else GH_TOKEN.
pub fn token_from(file: Option<&PathBuf>, env: impl Fn(&str) -> Option<String>) -> Result<Option<Secret>, String> {
    if let Some(file) = file {
        let text = std::fs::read_to_string(file)
            .map_err(|err| format!("--token-file {}: cannot read: {err}", file.display()))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(format!("--token-file {}: the file is empty", file.display()));
        }
        return checked_token(&format!("--token-file {}", file.display()), token).map(Some);
    }
    for name in ["GITHUB_TOKEN", "GH_TOKEN"] {
        if let Some(token) = env(name).filter(|t| !t.trim().is_empty()) {
            return checked_token(name, token.trim()).map(Some);
        }
    }
    Ok(None)
}

//! `livegate checks`, `explain`, `completions`, `gen-docs` (docs/ pages and
//! man pages) and the hidden `debug-patterns`: what the registry and the CLI
//! definition say, rendered.

use std::path::Path;

use crate::checks;
use crate::cli::ListFormat;
use crate::{docs, registry};

use super::shared::Outcome;

/// The version of `livegate checks --format json`.
pub const CHECKS_JSON_VERSION: u32 = 1;

pub fn list(format: ListFormat) -> Outcome {
    let stdout = match format {
        ListFormat::Human => {
            let width = registry::registry().iter().map(|m| m.id.len()).max().unwrap_or(0);
            registry::registry()
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
            let list: Vec<serde_json::Value> = registry::registry()
                .iter()
                .map(|m| serde_json::json!({"code": m.code, "id": m.id, "severity": m.severity.as_str(), "summary": m.summary}))
                .collect();
            // Versioned: a consumer can tell a layout it does not know.
            let document = serde_json::json!({"livegate_checks": CHECKS_JSON_VERSION, "checks": list});
            format!("{}\n", serde_json::to_string_pretty(&document).unwrap_or_default())
        }
    };
    Outcome {
        stdout,
        ..Outcome::default()
    }
}

pub fn explain(code: &str) -> Outcome {
    match registry::lookup(code) {
        Some(meta) => Outcome {
            stdout: docs::explain(meta),
            ..Outcome::default()
        },
        None => Outcome::error(format!("no check `{code}`; run `livegate checks` for the list")),
    }
}

/// The content patterns of the leak checks, for benchmarking them in other tools.
pub fn debug_patterns() -> Outcome {
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

/// A completion script for `shell`, from the same clap definition as the parser.
pub fn completions(shell: clap_complete::Shell) -> Outcome {
    let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "livegate", &mut script);
    Outcome {
        stdout: String::from_utf8_lossy(&script).into_owned(),
        ..Outcome::default()
    }
}

/// Man pages: `man/livegate.1` and one per visible subcommand
/// (`man/livegate-scan.1`, …), rendered from the clap definition.
fn man_pages() -> Vec<(String, String)> {
    let command = <crate::cli::Cli as clap::CommandFactory>::command();
    let mut pages = Vec::new();
    let mut render = |name: String, command: clap::Command| {
        let mut out = Vec::new();
        // Rendering into memory cannot fail.
        let _ = clap_mangen::Man::new(command).render(&mut out);
        pages.push((format!("man/{name}.1"), String::from_utf8_lossy(&out).into_owned()));
    };
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        let name = format!("livegate-{}", sub.get_name());
        let bin = format!("livegate {}", sub.get_name());
        render(name.clone(), sub.clone().display_name(name).bin_name(bin));
    }
    render("livegate".to_owned(), command);
    pages
}

pub fn gen_docs(dir: &Path, check: bool) -> Outcome {
    let mut stale = Vec::new();
    for (name, content) in docs::pages().into_iter().chain(man_pages()) {
        let path = dir.join(&name);
        if check {
            if std::fs::read_to_string(&path).ok().as_deref() != Some(content.as_str()) {
                stale.push(path.display().to_string());
            }
        } else if let Err(err) =
            std::fs::create_dir_all(path.parent().unwrap_or(dir)).and_then(|()| std::fs::write(&path, content))
        {
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

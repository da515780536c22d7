//! `livegate checks`, `explain`, `gen-docs` and the hidden `debug-patterns`:
//! what the registry says about every check.

use std::path::Path;

use crate::checks;
use crate::cli::ListFormat;
use crate::{docs, registry};

use super::shared::Outcome;

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
            format!("{}\n", serde_json::to_string_pretty(&list).unwrap_or_default())
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

pub fn gen_docs(dir: &Path, check: bool) -> Outcome {
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

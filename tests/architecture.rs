//! The layout rules of ARCHITECTURE.md, checked on the source: no import
//! cycle among the top-level modules of `src/` or among the modules of any
//! folder, lower layers that import nothing from the layers above them, and
//! checks that do no I/O.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A module path such as `["commands", "audit", "spool"]`.
type ModPath = Vec<String>;

/// Module paths of the source files under `src/` with their text.
fn source_files(root: &Path) -> Vec<(ModPath, String)> {
    fn walk(dir: &Path, root: &Path, out: &mut Vec<(ModPath, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|err| panic!("{}: {err}", dir.display()))
            .map(|e| e.expect("directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, root, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(root).expect("under src");
                let mut parts: Vec<String> = relative
                    .iter()
                    .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_owned())
                    .collect();
                if matches!(parts.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                    parts.pop();
                }
                let text = std::fs::read_to_string(&path).expect("readable source");
                out.push((parts, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(root, root, &mut out);
    out
}

/// The text without comments and without inline `mod name { … }` blocks
/// (their `super` is the file itself, and they are tests).
fn code_of(text: &str) -> String {
    let without_comments: String = text
        .lines()
        .map(|line| match line.find("//") {
            Some(at) => &line[..at],
            None => line,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let bytes = without_comments.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let rest = &without_comments[i..];
        let at_word_start = i == 0 || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'_');
        if at_word_start && rest.starts_with("mod ") {
            let head_end = rest.find(['{', ';']).unwrap_or(rest.len());
            if rest[head_end..].starts_with('{') {
                let mut depth = 0usize;
                let mut j = i + head_end;
                while j < bytes.len() {
                    match bytes[j] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    j += 1;
                }
                i = j + 1;
                continue;
            }
        }
        let ch = rest.chars().next().expect("non-empty");
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

/// Expands a `use` tree (`crate::{a::{b, c}, d}`) into its paths.
fn expand_use(tree: &str) -> Vec<String> {
    let tree = tree.trim();
    let Some(open) = tree.find('{') else {
        return vec![tree.split(" as ").next().unwrap_or(tree).trim().to_owned()];
    };
    let prefix = tree[..open].trim();
    let close = tree.rfind('}').filter(|&close| close > open).unwrap_or(tree.len());
    let inner = &tree[open + 1..close];
    let mut parts = Vec::new();
    let mut depth = 0;
    let mut start = 0;
    for (at, ch) in inner.char_indices() {
        match ch {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&inner[start..at]);
                start = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&inner[start..]);
    parts
        .into_iter()
        .filter(|p| !p.trim().is_empty())
        .flat_map(expand_use)
        .map(|p| {
            if p == "self" {
                prefix.trim_end_matches("::").to_owned()
            } else {
                format!("{prefix}{p}")
            }
        })
        .collect()
}

/// Every path the module refers to through `crate::` or `super::`, resolved
/// to an absolute module path (items included; callers keep what is a module).
fn references(module: &ModPath, text: &str) -> Vec<ModPath> {
    let code = code_of(text);
    let mut paths = Vec::new();
    // `use` trees, braces and all: statements that start a line.
    let mut statement: Option<String> = None;
    for line in code.lines() {
        let trimmed = line.trim_start();
        if statement.is_none() {
            let after_pub = trimmed
                .strip_prefix("pub ")
                .or_else(|| trimmed.strip_prefix("pub(crate) "))
                .or_else(|| trimmed.strip_prefix("pub(super) "))
                .unwrap_or(trimmed);
            if let Some(tree) = after_pub.strip_prefix("use ") {
                statement = Some(String::new());
                statement.as_mut().expect("just set").push_str(tree);
            } else {
                continue;
            }
        } else if let Some(open) = statement.as_mut() {
            open.push(' ');
            open.push_str(trimmed);
        }
        if let Some(done) = statement.as_ref().filter(|s| s.contains(';')) {
            let tree = &done[..done.find(';').expect("contains ;")];
            paths.extend(expand_use(tree));
            statement = None;
        }
    }
    // Paths written inline in code.
    for anchor in ["crate::", "super::"] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(anchor) {
            let tail = &rest[at..];
            let end = tail
                .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .unwrap_or(tail.len());
            paths.push(tail[..end].to_owned());
            rest = &tail[anchor.len()..];
        }
    }
    let mut resolved = Vec::new();
    for path in paths {
        let path = path.trim_start_matches('$').trim_start_matches("::");
        let segments: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
        let mut base: ModPath = match segments.first() {
            Some(&"crate") => Vec::new(),
            Some(&"super") => module.clone(),
            _ => continue,
        };
        let mut rest = &segments[..];
        if rest.first() == Some(&"crate") {
            rest = &rest[1..];
        }
        while rest.first() == Some(&"super") {
            base.pop();
            rest = &rest[1..];
        }
        base.extend(rest.iter().map(|s| (*s).to_owned()));
        resolved.push(base);
    }
    resolved
}

/// For every folder (the crate root included), the edges among its direct
/// submodules: `a → b` when anything inside `a` refers to anything inside `b`.
fn folder_graphs(files: &[(ModPath, String)]) -> BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>> {
    let modules: BTreeSet<ModPath> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graphs: BTreeMap<ModPath, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (module, text) in files {
        for target in references(module, text) {
            let common = module.iter().zip(&target).take_while(|(a, b)| a == b).count();
            if module.len() <= common || target.len() <= common {
                continue;
            }
            let folder = module[..common].to_vec();
            let mut child = folder.clone();
            child.push(target[common].clone());
            if !modules.contains(&child) {
                continue; // an item of the folder's own module, not a sibling
            }
            graphs
                .entry(folder)
                .or_default()
                .entry(module[common].clone())
                .or_default()
                .insert(target[common].clone());
        }
    }
    graphs
}

/// The cycles of a graph, one per strongly connected component of two or more.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = graph.keys().chain(graph.values().flatten()).collect();
    let reaches = |from: &String, to: &String| -> bool {
        let mut seen = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(node) = stack.pop() {
            for next in graph.get(node).into_iter().flatten() {
                if next == to {
                    return true;
                }
                if seen.insert(next) {
                    stack.push(next);
                }
            }
        }
        false
    };
    let mut done = BTreeSet::new();
    let mut found = Vec::new();
    for node in &nodes {
        if done.contains(*node) || !reaches(node, node) {
            continue;
        }
        let component: Vec<String> = nodes
            .iter()
            .filter(|other| *other == node || (reaches(node, other) && reaches(other, node)))
            .map(|s| (*s).clone())
            .collect();
        done.extend(component.iter().cloned());
        found.push(component);
    }
    found
}

fn cycle_report(files: &[(ModPath, String)]) -> Vec<String> {
    let mut report = Vec::new();
    for (folder, graph) in folder_graphs(files) {
        for cycle in cycles(&graph) {
            let place = if folder.is_empty() {
                "src/".to_owned()
            } else {
                format!("src/{}/", folder.join("/"))
            };
            let edges: Vec<String> = cycle
                .iter()
                .flat_map(|a| {
                    graph[a]
                        .iter()
                        .filter(|b| cycle.contains(b))
                        .map(move |b| format!("{a} → {b}"))
                })
                .collect();
            report.push(format!(
                "import cycle among the modules of {place}: {}",
                edges.join(", ")
            ));
        }
    }
    report
}

fn src_files() -> Vec<(ModPath, String)> {
    source_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

#[test]
fn no_import_cycle_in_src_or_in_any_folder() {
    let report = cycle_report(&src_files());
    assert!(
        report.is_empty(),
        "{}\nImports run downhill only (see ARCHITECTURE.md): move the shared piece to the lower module.",
        report.join("\n")
    );
}

#[test]
fn the_cycle_check_finds_cycles_at_the_top_and_inside_a_folder() {
    let file = |path: &str, text: &str| (path.split('/').map(str::to_owned).collect::<ModPath>(), text.to_owned());
    let files = vec![
        file("report", "use crate::checks::Thing;"),
        file(
            "checks",
            "pub mod settings;\nuse crate::{report::{self, Finding}, values};",
        ),
        file("checks/settings", "fn f() { super::super::report::render(); }"),
        file("values", ""),
        file("commands", "pub mod audit;"),
        file("commands/audit", "pub mod drift;\npub mod spool;"),
        file("commands/audit/drift", "use super::spool::load;"),
        file(
            "commands/audit/spool",
            "fn v() -> u32 { super::drift::VERSION }\n#[cfg(test)]\nmod tests { use super::super::drift; }",
        ),
    ];
    let report = cycle_report(&files);
    assert_eq!(report.len(), 2, "{report:?}");
    assert!(
        report[0].contains("src/:") && report[0].contains("checks → report") && report[0].contains("report → checks")
    );
    assert!(report[1].contains("src/commands/audit/:") && report[1].contains("drift → spool"));
    // Downhill only: no cycle.
    let downhill = vec![file("report", ""), file("checks", "use crate::report::Finding;")];
    assert!(cycle_report(&downhill).is_empty());
}

/// The modules that make up a layer, and what they may not import.
#[test]
fn lower_layers_import_nothing_from_commands_checks_or_collectors() {
    let files = src_files();
    let lower = [
        "registry", "exit", "facts", "policy", "report", "values", "classify", "docs", "diag", "sanitize",
    ];
    let upper = ["commands", "checks", "scan", "github", "cli"];
    let mut wrong = Vec::new();
    for (module, text) in &files {
        let Some(top) = module.first() else { continue };
        if !lower.contains(&top.as_str()) {
            continue;
        }
        for target in references(module, text) {
            if let Some(first) = target.first().filter(|t| upper.contains(&t.as_str())) {
                wrong.push(format!(
                    "src/{} imports {first}::{}",
                    module.join("/"),
                    target[1..].join("::")
                ));
            }
        }
    }
    wrong.sort();
    wrong.dedup();
    assert!(wrong.is_empty(), "lower layers reach up:\n{}", wrong.join("\n"));
}

#[test]
fn checks_do_no_io_and_read_no_clock() {
    let forbidden = [
        "std::fs",
        "std::net",
        "std::process",
        "std::env",
        "std::io::",
        "SystemTime",
        "Instant::now",
        "git2::",
        "crate::github",
        "crate::commands",
        "crate::scan",
        "tokio",
        "octocrab",
    ];
    let mut wrong = Vec::new();
    for (module, text) in src_files() {
        if module.first().map(String::as_str) != Some("checks") || module.last().map(String::as_str) == Some("tests") {
            continue;
        }
        let code = code_of(&text);
        for word in forbidden {
            if code.contains(word) {
                wrong.push(format!("src/{}: {word}", module.join("/")));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "checks must be pure functions of policy and facts:\n{}",
        wrong.join("\n")
    );
}

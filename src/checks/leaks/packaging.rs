//! LG44x packaging: build and package definitions that carry tests into artifacts.

use std::sync::LazyLock;

use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;

use super::{FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, Manifest, PathInfo, Role};
use crate::registry::leaks::{
    CARGO_PACKAGE_INCLUDES_TEST_DATA, DOCKERFILE_COPIES_TESTS, DOCKER_CONTEXT_INCLUDES_TESTS,
    MAVEN_TEST_JAR_AT_RUNTIME, NPM_PACKAGE_INCLUDES_TESTS, PYTHON_PACKAGE_INCLUDES_TESTS,
};
use crate::registry::CheckMeta;
use crate::report::finding::Finding;

/// Packaging definitions.
pub struct Packaging;

impl LeakCheck for Packaging {
    fn codes(&self) -> &'static [&'static CheckMeta] {
        &[
            &DOCKERFILE_COPIES_TESTS,
            &DOCKER_CONTEXT_INCLUDES_TESTS,
            &NPM_PACKAGE_INCLUDES_TESTS,
            &PYTHON_PACKAGE_INCLUDES_TESTS,
            &CARGO_PACKAGE_INCLUDES_TEST_DATA,
            &MAVEN_TEST_JAR_AT_RUNTIME,
        ]
    }

    fn wants_content(&self, path: &PathInfo) -> bool {
        path.area == Area::Production
            && matches!(
                path.role,
                Role::Dockerfile
                    | Role::Manifest(Manifest::PackageJson)
                    | Role::Manifest(Manifest::SetupPy)
                    | Role::Manifest(Manifest::SetupCfg)
                    | Role::Manifest(Manifest::PyProject)
                    | Role::Manifest(Manifest::CargoToml)
                    | Role::Manifest(Manifest::Pom)
            )
    }

    fn check_content(&self, tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
        match file.info.role {
            Role::Dockerfile => dockerfile(tree, file, out),
            Role::Manifest(Manifest::PackageJson) => npm_files(tree, file, out),
            Role::Manifest(Manifest::SetupPy | Manifest::SetupCfg | Manifest::PyProject) => {
                python_packages(tree, file, out)
            }
            Role::Manifest(Manifest::CargoToml) => cargo_include(file, out),
            Role::Manifest(Manifest::Pom) => maven_test_jars(file, out),
            _ => {}
        }
    }
}

/// Directory names that hold tests or test data, wherever they appear.
const TEST_DIR_NAMES: &[&str] = &[
    "test",
    "tests",
    "spec",
    "specs",
    "__tests__",
    "__mocks__",
    "testdata",
    "test-data",
    "test_data",
    "fixtures",
    "fixture",
    "e2e",
    "integration-tests",
    "integration_tests",
];

/// Why a path written in a build or package definition names test
/// material, if it does: a test directory segment, or a test file name
/// (`*.test.js`, `*_test.go`, `*.spec.ts`, `test_*.py`).
pub fn test_path_reason(path: &str) -> Option<String> {
    let cleaned = path
        .trim()
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    let segments: Vec<&str> = cleaned
        .split('/')
        .filter(|s| !s.is_empty() && *s != "**" && *s != "*")
        .collect();
    for (i, segment) in segments.iter().enumerate() {
        let lower = segment.to_ascii_lowercase();
        if TEST_DIR_NAMES.contains(&lower.as_str()) {
            return Some(format!("`{}` is a test directory", segments[..=i].join("/")));
        }
        if i + 1 == segments.len() && segment.contains('.') {
            let words: Vec<&str> = lower.split(['.', '_', '-']).collect();
            let stem_words = &words[..words.len() - 1];
            if stem_words.iter().skip(1).any(|w| *w == "test" || *w == "spec") || lower.starts_with("test_") {
                return Some(format!("`{segment}` is a test file"));
            }
        }
    }
    None
}

/// A Dockerfile instruction after joining continuation lines.
struct Instruction<'a> {
    /// Byte offset of the instruction's first character.
    offset: usize,
    keyword: String,
    args: String,
    _text: &'a str,
}

fn instructions(text: &str) -> Vec<Instruction<'_>> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let line_offset = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') || (trimmed.is_empty() && pending.is_none()) {
            continue;
        }
        let (body, continues) = match trimmed.strip_suffix('\\') {
            Some(body) => (body, true),
            None => (trimmed, false),
        };
        let (start, mut joined) = match pending.take() {
            Some((start, joined)) => (start, joined),
            None => (line_offset + (line.len() - trimmed.len()), String::new()),
        };
        joined.push_str(body);
        joined.push(' ');
        if continues {
            pending = Some((start, joined));
            continue;
        }
        let joined = joined.trim().to_owned();
        let (keyword, args) = joined.split_once(char::is_whitespace).unwrap_or((&joined, ""));
        out.push(Instruction {
            offset: start,
            keyword: keyword.to_ascii_uppercase(),
            args: args.trim().to_owned(),
            _text: text,
        });
    }
    out
}

/// Splits COPY/ADD arguments into flags, sources and destination. Handles
/// the JSON (exec) form.
fn copy_operands(args: &str) -> (Vec<String>, Vec<String>) {
    let mut words: Vec<String> = Vec::new();
    let mut flags = Vec::new();
    let mut rest = args.trim();
    while rest.starts_with("--") {
        let (flag, tail) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        flags.push(flag.to_owned());
        rest = tail.trim_start();
    }
    if rest.starts_with('[') {
        if let Ok(list) = serde_json::from_str::<Vec<String>>(rest) {
            words = list;
        }
    } else {
        words = rest.split_whitespace().map(str::to_owned).collect();
    }
    if words.len() < 2 {
        return (flags, Vec::new());
    }
    words.pop();
    (flags, words)
}

fn dockerfile(tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
    let all = instructions(file.text);
    let Some(last_from) = all.iter().rposition(|i| i.keyword == "FROM") else {
        return;
    };
    let dir = file.info.path.rsplit_once('/').map_or("", |(dir, _)| dir);
    for instruction in &all[last_from + 1..] {
        if instruction.keyword == "ENV" {
            final_stage_env(file, instruction, out);
            continue;
        }
        if instruction.keyword != "COPY" && instruction.keyword != "ADD" {
            continue;
        }
        let (flags, sources) = copy_operands(&instruction.args);
        let from_stage = flags.iter().find_map(|f| f.strip_prefix("--from="));
        for source in &sources {
            if source.contains("://") {
                continue;
            }
            if let Some(reason) = test_path_reason(source) {
                let whence = from_stage.map_or(String::new(), |stage| format!(" (from stage `{stage}`)"));
                out.push(file.finding_at(
                    &DOCKERFILE_COPIES_TESTS,
                    instruction.offset,
                    format!(
                        "the final stage {} `{source}`{whence} into the image: {reason}",
                        instruction.keyword
                    ),
                ));
            } else if from_stage.is_none() && matches!(source.as_str(), "." | "./" | "*" | "./*") {
                context_copy(tree, file, dir, instruction, out);
            }
        }
    }
}

/// `ENV` in the final stage is configuration every container of the image
/// starts with: the debug and test switches of production configuration
/// (LG451/LG452) apply to it. Both forms: `ENV A=1 B="x y"` and the legacy
/// `ENV A 1`.
fn final_stage_env(file: &FileFacts<'_>, instruction: &Instruction<'_>, out: &mut Vec<Finding>) {
    let args = instruction.args.trim();
    let pairs: Vec<(String, String)> = match args.split_once(char::is_whitespace) {
        Some((key, value)) if !key.contains('=') => vec![(key.to_owned(), value.trim().to_owned())],
        _ => env_pairs(args),
    };
    for (key, value) in pairs {
        let setting = format!("{key}={value}");
        if let Some((meta, message)) = super::config::judge_setting(&setting) {
            out.push(file.finding_at(
                meta,
                instruction.offset,
                format!("the final image sets `{setting}`: {message} in every container started from it"),
            ));
        }
    }
}

/// `A=1 B="x y" C='z'` into pairs, quotes removed.
fn env_pairs(args: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut rest = args.trim_start();
    while let Some((key, tail)) = rest.split_once('=') {
        let (value, after) = match tail.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let body = &tail[1..];
                let end = body.find(quote).unwrap_or(body.len());
                (&body[..end], body.get(end + 1..).unwrap_or(""))
            }
            _ => tail.split_once(char::is_whitespace).unwrap_or((tail, "")),
        };
        pairs.push((key.trim().to_owned(), value.to_owned()));
        rest = after.trim_start();
    }
    pairs
}

/// `COPY . .`: which existing test directories does the context let in?
fn context_copy(
    tree: &TreeFacts,
    file: &FileFacts<'_>,
    dir: &str,
    instruction: &Instruction<'_>,
    out: &mut Vec<Finding>,
) {
    let own_ignore = |d: &str| {
        let name = file.info.file_name();
        let candidates = [join(d, &format!("{name}.dockerignore")), join(d, ".dockerignore")];
        candidates.into_iter().find(|c| tree.ignore_files.contains_key(c))
    };
    let under = |context: &str| -> Vec<&String> {
        tree.test_dirs
            .iter()
            .filter(|t| context.is_empty() || t.starts_with(&format!("{context}/")))
            .collect()
    };
    // The build context is the Dockerfile's directory when that directory
    // is set up as one (its own .dockerignore, or tests inside it);
    // otherwise the repository root (`docker build -f docker/Dockerfile .`).
    let context = if dir.is_empty() || own_ignore(dir).is_some() || !under(dir).is_empty() {
        dir
    } else {
        ""
    };
    let ignore_path = own_ignore(context);
    let patterns = ignore_path
        .as_ref()
        .map(|p| DockerIgnore::parse(&tree.ignore_files[p]))
        .unwrap_or_default();
    let leaking: Vec<&str> = under(context)
        .into_iter()
        .map(|t| t.strip_prefix(&format!("{context}/")).unwrap_or(t))
        .filter(|relative| !patterns.excludes_dir(relative))
        .collect();
    if leaking.is_empty() {
        return;
    }
    let ignore_note = match &ignore_path {
        Some(path) => format!("{path} does not exclude"),
        None => "there is no .dockerignore, so the context includes".to_owned(),
    };
    out.push(file.finding_at(
        &DOCKER_CONTEXT_INCLUDES_TESTS,
        instruction.offset,
        format!(
            "the final stage copies the whole build context ({}) and {ignore_note} {}",
            if context.is_empty() {
                "the repository root".to_owned()
            } else {
                format!("`{context}/`")
            },
            leaking.iter().map(|d| format!("`{d}/`")).collect::<Vec<_>>().join(", ")
        ),
    ));
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_owned()
    } else {
        format!("{dir}/{name}")
    }
}

/// .dockerignore patterns: Go `filepath.Match` plus `**`, `!` re-includes,
/// last match wins.
#[derive(Default)]
pub(super) struct DockerIgnore {
    rules: Vec<(GlobMatcher, bool)>,
}

impl DockerIgnore {
    pub(super) fn parse(text: &str) -> DockerIgnore {
        let mut rules = Vec::new();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (negated, pattern) = match line.strip_prefix('!') {
                Some(p) => (true, p.trim()),
                None => (false, line),
            };
            let pattern = pattern
                .trim_start_matches("./")
                .trim_start_matches('/')
                .trim_end_matches('/');
            if let Ok(glob) = GlobBuilder::new(pattern).literal_separator(true).build() {
                rules.push((glob.compile_matcher(), negated));
            }
        }
        DockerIgnore { rules }
    }

    pub(super) fn ignored(&self, path: &str) -> bool {
        let mut ignored = false;
        for (glob, negated) in &self.rules {
            // A pattern that matches a parent directory excludes everything below it.
            let hit = glob.is_match(path) || path.match_indices('/').any(|(i, _)| glob.is_match(&path[..i]));
            if hit {
                ignored = !negated;
            }
        }
        ignored
    }

    /// The directory is excluded, or everything in it is (`tests/*`).
    fn excludes_dir(&self, dir: &str) -> bool {
        self.ignored(dir) || self.ignored(&format!("{dir}/livegate-probe"))
    }
}

/// Finds where a JSON string value sits in the text, after a key.
fn offset_of_string(text: &str, after: usize, value: &str) -> usize {
    let quoted = serde_json::to_string(value).unwrap_or_else(|_| format!("\"{value}\""));
    text.get(after..)
        .and_then(|rest| rest.find(&quoted))
        .map_or(after, |i| after + i)
}

fn npm_files(tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
    let Ok(manifest) = serde_json::from_str::<serde_json::Value>(file.text) else {
        return;
    };
    if manifest.get("private").and_then(|p| p.as_bool()) == Some(true) {
        return;
    }
    let Some(files) = manifest.get("files").and_then(|f| f.as_array()) else {
        return;
    };
    let entries: Vec<&str> = files.iter().filter_map(|f| f.as_str()).collect();
    let key = file.text.find("\"files\"").unwrap_or(0);
    let dir = file.info.path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let negations: Vec<GlobMatcher> = entries
        .iter()
        .filter_map(|e| e.strip_prefix('!'))
        .filter_map(|p| GlobBuilder::new(p.trim_start_matches("./")).build().ok())
        .map(|g| g.compile_matcher())
        .collect();
    let negated = |path: &str| {
        negations
            .iter()
            .any(|g| g.is_match(path) || g.is_match(format!("{path}/x")))
    };
    for entry in &entries {
        if entry.starts_with('!') {
            continue;
        }
        let offset = offset_of_string(file.text, key, entry);
        if let Some(reason) = test_path_reason(entry) {
            if !negated(entry.trim_start_matches("./").trim_end_matches('/')) {
                out.push(file.finding_at(
                    &NPM_PACKAGE_INCLUDES_TESTS,
                    offset,
                    format!("package.json `files` publishes `{entry}`: {reason}"),
                ));
            }
            continue;
        }
        // A published directory that contains a test directory.
        let published = entry
            .trim_start_matches("./")
            .trim_end_matches('/')
            .trim_end_matches("/**");
        if published.contains('*') || published.is_empty() {
            continue;
        }
        let prefix = format!("{}/", join(dir, published));
        let inside: Vec<&str> = tree
            .test_dirs
            .iter()
            .filter(|t| t.starts_with(&prefix))
            .map(|t| t.strip_prefix(&format!("{dir}/")).unwrap_or(t))
            .filter(|t| !negated(t))
            .collect();
        if !inside.is_empty() {
            out.push(file.finding_at(
                &NPM_PACKAGE_INCLUDES_TESTS,
                offset,
                format!(
                    "package.json `files` publishes `{entry}`, which contains {}",
                    inside.iter().map(|t| format!("`{t}/`")).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
    }
}

static FIND_PACKAGES: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bfind_(?:namespace_)?packages\s*\(([^)]*)\)").expect("find_packages"));

fn python_packages(tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
    let dir = file.info.path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let Some(package) = ["tests", "test"]
        .into_iter()
        .find(|p| tree.paths.contains(&join(dir, &format!("{p}/__init__.py"))))
    else {
        return;
    };
    let excludes_tests = |text: &str| text.contains("test");
    match file.info.role {
        Role::Manifest(Manifest::SetupPy) => {
            for caps in FIND_PACKAGES.captures_iter(file.text) {
                let args = &caps[1];
                // `where=` elsewhere or an `include=` list does not pick up the top-level package.
                let elsewhere =
                    args.contains("where") || args.contains("include") || args.trim_start().starts_with(['"', '\'']);
                if !elsewhere && !excludes_tests(args) {
                    let whole = caps.get(0).expect("match");
                    out.push(file.finding_at(
                        &PYTHON_PACKAGE_INCLUDES_TESTS,
                        whole.start(),
                        format!(
                            "`{}` packages the top-level `{package}` package ({package}/__init__.py exists)",
                            whole.as_str()
                        ),
                    ));
                }
            }
        }
        Role::Manifest(Manifest::SetupCfg) => {
            let Some(find) = file.text.find("find:") else { return };
            let line_start = file.text[..find].rfind('\n').map_or(0, |i| i + 1);
            if !file.text[line_start..find].trim_start().starts_with("packages") {
                return;
            }
            let section = section_text(file.text, "[options.packages.find]");
            let elsewhere = section.is_some_and(|s| s.contains("where") || s.contains("include"));
            if !elsewhere && !section.is_some_and(|s| s.contains("exclude") && excludes_tests(s)) {
                out.push(file.finding_at(
                    &PYTHON_PACKAGE_INCLUDES_TESTS,
                    find,
                    format!(
                        "`packages = find:` packages the top-level `{package}` package ({package}/__init__.py exists)"
                    ),
                ));
            }
        }
        Role::Manifest(Manifest::PyProject) => {
            let Ok(doc) = file.text.parse::<toml::Table>() else {
                return;
            };
            let find = doc
                .get("tool")
                .and_then(|t| t.get("setuptools"))
                .and_then(|t| t.get("packages"))
                .and_then(|p| p.get("find"));
            let Some(find) = find.and_then(|f| f.as_table()) else {
                return;
            };
            let wheres_elsewhere = find
                .get("where")
                .and_then(|w| w.as_array())
                .is_some_and(|w| w.iter().all(|d| d.as_str().is_some_and(|d| d != "." && !d.is_empty())));
            let excluded = find
                .get("exclude")
                .and_then(|e| e.as_array())
                .is_some_and(|e| e.iter().any(|p| p.as_str().is_some_and(excludes_tests)));
            if !wheres_elsewhere && !find.contains_key("include") && !excluded {
                let offset = file.text.find("[tool.setuptools.packages.find]").unwrap_or(0);
                out.push(file.finding_at(
                    &PYTHON_PACKAGE_INCLUDES_TESTS,
                    offset,
                    format!(
                        "`[tool.setuptools.packages.find]` without an exclude packages the top-level `{package}` package"
                    ),
                ));
            }
        }
        _ => {}
    }
}

/// The text of an INI section, up to the next header.
fn section_text<'a>(text: &'a str, header: &str) -> Option<&'a str> {
    let start = text.find(header)? + header.len();
    let rest = &text[start..];
    let end = rest.find("\n[").unwrap_or(rest.len());
    Some(&rest[..end])
}

fn cargo_include(file: &FileFacts<'_>, out: &mut Vec<Finding>) {
    let Ok(doc) = file.text.parse::<toml::Table>() else {
        return;
    };
    let Some(include) = doc
        .get("package")
        .and_then(|p| p.get("include"))
        .and_then(|i| i.as_array())
    else {
        return;
    };
    let key = file.text.find("include").unwrap_or(0);
    for entry in include.iter().filter_map(|e| e.as_str()) {
        let lower = entry.to_ascii_lowercase();
        let data = lower
            .split('/')
            .any(|s| matches!(s, "fixtures" | "fixture" | "testdata" | "test-data" | "test_data"));
        if data {
            out.push(file.finding_at(
                &CARGO_PACKAGE_INCLUDES_TEST_DATA,
                offset_of_string(file.text, key, entry),
                format!("Cargo `include` publishes `{entry}` with the crate"),
            ));
        }
    }
}

static DEPENDENCY_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<dependency>(.*?)</dependency>").expect("dependency block"));
static DEPENDENCY_MANAGEMENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?s)<dependencyManagement>.*?</dependencyManagement>").expect("management"));
static XML_COMMENT: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"(?s)<!--.*?-->").expect("comment"));

/// The text of `<tag>…</tag>` inside a block, trimmed.
pub fn xml_value<'a>(block: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let start = block.find(&open)? + open.len();
    let end = block[start..].find(&format!("</{tag}>"))? + start;
    Some(block[start..end].trim())
}

/// The pom's text with comments and `<dependencyManagement>` blanked out
/// (same length, so offsets stay true): only declared dependencies count.
pub fn pom_dependencies_text(text: &str) -> String {
    let mut blanked = text.to_owned();
    for re in [&*XML_COMMENT, &*DEPENDENCY_MANAGEMENT] {
        let ranges: Vec<(usize, usize)> = re.find_iter(&blanked).map(|m| (m.start(), m.end())).collect();
        for (start, end) in ranges {
            let spaces: String = blanked[start..end]
                .chars()
                .map(|c| if c == '\n' { '\n' } else { ' ' })
                .collect();
            // Multi-byte characters become one space each: re-pad to keep the byte length.
            let pad = (end - start).saturating_sub(spaces.len());
            blanked.replace_range(start..end, &format!("{spaces}{}", " ".repeat(pad)));
        }
    }
    blanked
}

/// Every `<dependency>` block of a pom (outside comments and dependency
/// management), with its byte offset.
pub fn pom_dependencies(text: &str) -> Vec<(usize, String)> {
    let blanked = pom_dependencies_text(text);
    DEPENDENCY_BLOCK
        .captures_iter(&blanked)
        .map(|c| (c.get(0).expect("m").start(), c[1].to_owned()))
        .collect()
}

/// Offset of `<tag>` inside the dependency block that starts at
/// `block_offset`, or the block's own offset. Findings point at the line
/// that names what is wrong (the artifactId, the test-jar type) rather than
/// at `<dependency>`: when a block is inserted between two others, a line
/// diff matches the new `<dependency>` line with its neighbour's, and only
/// the lines in between count as added.
pub fn pom_tag_offset(text: &str, block_offset: usize, tag: &str) -> usize {
    let Some(rest) = text.get(block_offset..) else {
        return block_offset;
    };
    let end = rest.find("</dependency>").unwrap_or(rest.len());
    rest[..end]
        .find(&format!("<{tag}>"))
        .map_or(block_offset, |at| block_offset + at)
}

fn maven_test_jars(file: &FileFacts<'_>, out: &mut Vec<Finding>) {
    for (offset, block) in pom_dependencies(file.text) {
        let test_jar =
            xml_value(&block, "type") == Some("test-jar") || xml_value(&block, "classifier") == Some("tests");
        let scope = xml_value(&block, "scope");
        if test_jar && scope != Some("test") {
            let artifact = xml_value(&block, "artifactId").unwrap_or("?");
            let tag = if xml_value(&block, "type") == Some("test-jar") {
                "type"
            } else {
                "classifier"
            };
            out.push(file.finding_at(
                &MAVEN_TEST_JAR_AT_RUNTIME,
                pom_tag_offset(file.text, offset, tag),
                format!(
                    "the test-jar of `{artifact}` is a dependency in scope `{}`, so its test classes ship",
                    scope.unwrap_or("compile (default)")
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Classifier;
    use crate::policy::LeakPolicy;

    fn tree(paths: &[&str], test_dirs: &[&str], ignores: &[(&str, &str)]) -> TreeFacts {
        TreeFacts {
            test_dirs: test_dirs.iter().map(|s| s.to_string()).collect(),
            paths: paths.iter().map(|s| s.to_string()).collect(),
            ignore_files: ignores.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect(),
        }
    }

    fn scan_with(tree: &TreeFacts, path: &str, text: &str) -> Vec<(&'static str, u32)> {
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let mut out = Vec::new();
        assert!(Packaging.wants_content(&info), "{path} not wanted: {info:?}");
        Packaging.check_content(tree, &FileFacts::new(&info, text), &mut out);
        out.iter().map(|f| (f.code(), f.location.line)).collect()
    }

    fn scan(path: &str, text: &str) -> Vec<(&'static str, u32)> {
        scan_with(&TreeFacts::default(), path, text)
    }

    #[test]
    fn test_paths_are_recognised() {
        assert!(test_path_reason("tests/").is_some());
        assert!(test_path_reason("./src/__tests__/a.js").is_some());
        assert!(test_path_reason("lib/util.test.js").is_some());
        assert!(test_path_reason("pkg/server_test.go").is_some());
        assert!(test_path_reason("test_app.py").is_some());
        assert!(test_path_reason("src/").is_none());
        assert!(test_path_reason("contest/latest.json").is_none());
        assert!(test_path_reason("testing.md").is_none());
    }

    #[test]
    fn final_stage_copy_of_tests_is_lg441() {
        let multi = "FROM python:3.12 AS test\nCOPY tests/ /app/tests/\nRUN pytest\n\nFROM python:3.12-slim\n\
                     COPY app/ /app/\nCOPY --chown=app:app \\\n     tests/fixtures /app/fixtures\n";
        assert_eq!(scan("Dockerfile", multi), [("LG441", 7)]);
        assert_eq!(
            scan("Dockerfile", "FROM x\nCOPY --from=test /app/tests /srv/tests\n"),
            [("LG441", 2)]
        );
        assert_eq!(
            scan("Dockerfile", "FROM x\nCOPY [\"spec/data.json\", \"/srv/\"]\n"),
            [("LG441", 2)]
        );
        assert!(scan(
            "Dockerfile",
            "FROM x AS build\nCOPY tests tests\nFROM y\nCOPY --from=build /out /app\n"
        )
        .is_empty());
        assert!(scan("Dockerfile", "# COPY tests /x\nFROM y\nCOPY src /app\n").is_empty());
    }

    #[test]
    fn final_stage_env_switching_on_test_tools_or_debug() {
        let df = "FROM golang:1.22 AS build\nENV DEBUG=true\nRUN go build ./...\n\nFROM alpine:3.20\n\
                  # needed by the QA team\nENV ENABLE_TEST_TOOLS=true\nENV PORT=8080 LOG_LEVEL=info\n\
                  ENV NODE_ENV test\nENV A=\"x y\" FLASK_DEBUG='1'\nENV TEST_ON_BORROW=true\n";
        assert_eq!(scan("Dockerfile", df), [("LG452", 7), ("LG452", 9), ("LG451", 10)]);
        assert!(scan("Dockerfile", "FROM alpine\nENV ENABLE_TEST_TOOLS=false DEBUG=0\n").is_empty());
    }

    #[test]
    fn context_copy_against_dockerignore_is_lg442() {
        let df = "FROM node:20\nWORKDIR /app\nCOPY . .\n";
        let none = tree(&[], &["tests", "src/__tests__"], &[]);
        assert_eq!(scan_with(&none, "Dockerfile", df), [("LG442", 3)]);
        let partial = tree(
            &[],
            &["tests", "src/__tests__"],
            &[(".dockerignore", "node_modules\ntests/\n")],
        );
        assert_eq!(scan_with(&partial, "Dockerfile", df), [("LG442", 3)]);
        let covered = tree(
            &[],
            &["tests", "src/__tests__"],
            &[(".dockerignore", "# tests\ntests/*\n**/__tests__\n")],
        );
        assert!(scan_with(&covered, "Dockerfile", df).is_empty());
        let reincluded = tree(&[], &["tests"], &[(".dockerignore", "tests\n!tests\n")]);
        assert_eq!(scan_with(&reincluded, "Dockerfile", df), [("LG442", 3)]);
        // A service directory with its own context: tests elsewhere do not count.
        let service = tree(&[], &["api/tests", "web/tests"], &[("api/.dockerignore", "tests\n")]);
        assert!(scan_with(&service, "api/Dockerfile", df).is_empty());
        assert_eq!(scan_with(&service, "web/Dockerfile", df), [("LG442", 3)]);
    }

    #[test]
    fn npm_files_publishing_tests_is_lg443() {
        let pkg = "{\n  \"name\": \"acme\",\n  \"files\": [\n    \"lib\",\n    \"test/fixtures\"\n  ]\n}\n";
        assert_eq!(scan("package.json", pkg), [("LG443", 5)]);
        let private = pkg.replace("\"name\": \"acme\",", "\"name\": \"acme\", \"private\": true,");
        assert!(scan("package.json", &private).is_empty());
        let contains = "{\"name\": \"a\",\n\"files\": [\"lib\"]}\n";
        let t = tree(&[], &["lib/__tests__"], &[]);
        assert_eq!(scan_with(&t, "package.json", contains), [("LG443", 2)]);
        let negated = "{\"name\": \"a\",\n\"files\": [\"lib\", \"!lib/__tests__\"]}\n";
        assert!(scan_with(&t, "package.json", negated).is_empty());
    }

    #[test]
    fn python_packaging_of_top_level_tests_is_lg444() {
        let t = tree(&["tests/__init__.py", "acme/__init__.py"], &["tests"], &[]);
        assert_eq!(
            scan_with(
                &t,
                "setup.py",
                "from setuptools import setup, find_packages\n\nsetup(\n  packages=find_packages(),\n)\n"
            ),
            [("LG444", 4)]
        );
        assert!(scan_with(
            &t,
            "setup.py",
            "setup(packages=find_packages(exclude=['tests', 'tests.*']))"
        )
        .is_empty());
        assert!(scan_with(&t, "setup.py", "setup(packages=find_packages(where='src'))").is_empty());
        assert!(scan_with(&TreeFacts::default(), "setup.py", "setup(packages=find_packages())").is_empty());
        assert_eq!(
            scan_with(&t, "setup.cfg", "[options]\npackages = find:\n"),
            [("LG444", 2)]
        );
        assert!(scan_with(
            &t,
            "setup.cfg",
            "[options]\npackages = find:\n[options.packages.find]\nexclude = tests*\n"
        )
        .is_empty());
        assert_eq!(
            scan_with(
                &t,
                "pyproject.toml",
                "[project]\nname='a'\n[tool.setuptools.packages.find]\nwhere = ['.']\n"
            ),
            [("LG444", 3)]
        );
        assert!(scan_with(
            &t,
            "pyproject.toml",
            "[tool.setuptools.packages.find]\nexclude = ['tests*']\n"
        )
        .is_empty());
        // Automatic discovery excludes tests by itself.
        assert!(scan_with(&t, "pyproject.toml", "[project]\nname='a'\n").is_empty());
    }

    #[test]
    fn cargo_include_and_maven_test_jars() {
        assert_eq!(
            scan(
                "Cargo.toml",
                "[package]\nname = \"a\"\ninclude = [\n  \"src/**\",\n  \"tests/fixtures/**\",\n]\n"
            ),
            [("LG445", 5)]
        );
        assert!(scan("Cargo.toml", "[package]\nname = \"a\"\ninclude = [\"src/**\"]\n").is_empty());
        let pom = "<project>\n<dependencies>\n  <dependency>\n    <artifactId>core</artifactId>\n    <type>test-jar</type>\n  </dependency>\n  <dependency>\n    <artifactId>util</artifactId>\n    <classifier>tests</classifier>\n    <scope>test</scope>\n  </dependency>\n  <!-- <dependency><artifactId>x</artifactId><type>test-jar</type></dependency> -->\n</dependencies>\n</project>\n";
        assert_eq!(scan("pom.xml", pom), [("LG446", 5)]);
        let managed = "<dependencyManagement><dependencies><dependency><artifactId>core</artifactId><type>test-jar</type></dependency></dependencies></dependencyManagement>";
        assert!(scan("pom.xml", managed).is_empty());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        /// Dockerfile-shaped text: instructions, continuations, comments,
        /// exec form, stray carriage returns and multi-byte characters.
        fn dockerfile_text() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                Just("FROM alpine AS build".to_owned()),
                Just("FROM scratch".to_owned()),
                Just("COPY . .".to_owned()),
                Just("COPY --from=build tests/ /app/tests".to_owned()),
                Just("ADD [\"tests/fixtures\", \"/data\"]".to_owned()),
                Just("COPY [\"unterminated".to_owned()),
                Just("COPY --chown=1 \\".to_owned()),
                Just("# COPY tests /t".to_owned()),
                Just("\\".to_owned()),
                Just("é🦀".to_owned()),
                "\\PC{0,20}",
            ];
            let ending = prop_oneof![Just("\n"), Just("\r\n"), Just("\r"), Just(" \\\n"), Just("")];
            prop::collection::vec((piece, ending), 0..12)
                .prop_map(|parts| parts.into_iter().map(|(piece, end)| piece + end).collect())
        }

        proptest! {
            #[test]
            fn dockerfile_parsing_never_panics_and_points_inside_the_file(text in dockerfile_text()) {
                for instruction in instructions(&text) {
                    prop_assert!(instruction.offset <= text.len());
                    prop_assert!(text.is_char_boundary(instruction.offset));
                }
                let tree = tree(&["tests/a.py", "app/main.py"], &["tests"], &[]);
                let lines = text.split_inclusive('\n').count().max(1) as u32;
                for (_, line) in scan_with(&tree, "Dockerfile", &text) {
                    prop_assert!(line >= 1 && line <= lines, "line {} of {}", line, lines);
                }
            }
        }
    }
}

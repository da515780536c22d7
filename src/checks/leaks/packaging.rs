//! LG44x packaging: build and package definitions that carry tests into artifacts.

use std::sync::LazyLock;

use globset::{GlobBuilder, GlobMatcher};
use regex::Regex;

use super::docker_builds::{image_lineage, production_stages, BuildRef};
use super::dockerfile::{self, Instruction};
use super::{config, pom, FileFacts, LeakCheck, TreeFacts};
use crate::classify::{Area, Manifest, PathInfo, Role};
use crate::registry::leaks::{
    CARGO_PACKAGE_INCLUDES_TEST_DATA, DOCKERFILE_COPIES_TESTS, DOCKER_CONTEXT_INCLUDES_TESTS,
    MAVEN_TEST_JAR_AT_RUNTIME, NPM_PACKAGE_INCLUDES_TESTS, PYTHON_PACKAGE_INCLUDES_TESTS,
};
use crate::registry::verification::CONTENT_NOT_VERIFIABLE;
use crate::registry::{CheckMeta, Severity};
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
            &CONTENT_NOT_VERIFIABLE,
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
    "cypress",
    "mocks",
    "__fixtures__",
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

/// The production image's stages, with what makes them so, and the COPY,
/// ADD, ENV and RUN instructions in them judged.
fn dockerfile(tree: &TreeFacts, file: &FileFacts<'_>, out: &mut Vec<Finding>) {
    let parsed = dockerfile::parse(file.text);
    let stages = parsed.stages();
    let refs: Vec<BuildRef> = tree
        .build_refs()
        .iter()
        .filter(|build| build.dockerfile == file.info.path)
        .cloned()
        .collect();
    let mut judged: Vec<usize> = Vec::new();
    for production in production_stages(&parsed, &file.info.path, &refs) {
        let image = &stages[production.stage];
        for stage in image_lineage(&stages, production.stage) {
            let stage = &stages[stage];
            let whose = if stage.index == image.index {
                format!("production image: {}, {}", image.label(), production.evidence)
            } else {
                format!(
                    "in {}, a base of {}; production image: {}, {}",
                    stage.label(),
                    image.label(),
                    image.label(),
                    production.evidence
                )
            };
            let before = out.len();
            for at in stage.from + 1..stage.end {
                if judged.contains(&at) {
                    continue;
                }
                judged.push(at);
                judge_instruction(tree, file, &refs, &parsed.instructions[at], &whose, out);
            }
            if !production.certain {
                for finding in &mut out[before..] {
                    finding.severity = finding.severity.min(Severity::Warning);
                }
            }
        }
    }
}

/// Redirections and `tee` in shell commands: where a command writes.
static SHELL_WRITE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9&<>])>>?\s*([^\s;&|<>()]+)|\btee\s+(?:-a\s+)?([^\s;&|<>()]+)").expect("shell write")
});

/// Byte offset of the `line`th line (from 0) of a heredoc body in the file.
fn body_line_offset(text: &str, body_offset: usize, line: usize) -> usize {
    let rest = text.get(body_offset..).unwrap_or("");
    body_offset + rest.split_inclusive('\n').take(line).map(str::len).sum::<usize>()
}

fn judge_instruction(
    tree: &TreeFacts,
    file: &FileFacts<'_>,
    refs: &[BuildRef],
    instruction: &Instruction,
    whose: &str,
    out: &mut Vec<Finding>,
) {
    match instruction.keyword.as_str() {
        "COPY" | "ADD" => {
            let (flags, mut words) = instruction.flags_and_words();
            let Some(destination) = words.pop() else {
                return;
            };
            let from_stage = flags.iter().find_map(|f| f.strip_prefix("--from="));
            let whence = from_stage.map_or(String::new(), |stage| format!(" (from stage `{stage}`)"));
            for source in &words {
                if source.contains("://") {
                    continue;
                }
                if dockerfile::is_heredoc_marker(source) {
                    if let Some(reason) = test_path_reason(&destination) {
                        out.push(file.finding_at(
                            &DOCKERFILE_COPIES_TESTS,
                            instruction.offset,
                            format!(
                                "{} writes a heredoc to `{destination}` in the image: {reason} ({whose})",
                                instruction.keyword
                            ),
                        ));
                    }
                } else if let Some(reason) = test_path_reason(source) {
                    out.push(file.finding_at(
                        &DOCKERFILE_COPIES_TESTS,
                        instruction.offset,
                        format!(
                            "{} `{source}`{whence} into the image: {reason} ({whose})",
                            instruction.keyword
                        ),
                    ));
                } else if from_stage.is_none() && matches!(source.as_str(), "." | "./" | "*" | "./*") {
                    context_copy(tree, file, refs, instruction, whose, out);
                }
            }
        }
        "RUN" => {
            let mut writes: Vec<(usize, String)> = Vec::new();
            for caps in SHELL_WRITE.captures_iter(&instruction.args) {
                if let Some(target) = caps.get(1).or(caps.get(2)) {
                    writes.push((instruction.offset, target.as_str().to_owned()));
                }
            }
            for heredoc in &instruction.heredocs {
                for (line, text) in heredoc.body.lines().enumerate() {
                    for caps in SHELL_WRITE.captures_iter(text) {
                        if let Some(target) = caps.get(1).or(caps.get(2)) {
                            let offset = body_line_offset(file.text, heredoc.body_offset, line);
                            writes.push((offset, target.as_str().to_owned()));
                        }
                    }
                }
            }
            for (offset, target) in writes {
                let target = target.trim_matches(['"', '\'']);
                if let Some(reason) = test_path_reason(target) {
                    out.push(file.finding_at(
                        &DOCKERFILE_COPIES_TESTS,
                        offset,
                        format!("RUN writes `{target}` into the image: {reason} ({whose})"),
                    ));
                }
            }
        }
        "ENV" => {
            for (key, value) in env_settings(&instruction.args) {
                if let Some((meta, message)) = config::setting_rule(&format!("{key}={value}")) {
                    out.push(file.finding_at(
                        meta,
                        instruction.offset,
                        format!("{message} in the production image: `ENV {key}={value}` ({whose})"),
                    ));
                }
            }
        }
        _ => {}
    }
}

/// `ENV KEY=value OTHER="a b"` or the legacy `ENV KEY value`.
fn env_settings(args: &str) -> Vec<(String, String)> {
    let args = args.trim();
    let first = args.split_whitespace().next().unwrap_or("");
    if !first.contains('=') {
        let (key, value) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
        return vec![(key.to_owned(), value.trim().trim_matches(['"', '\'']).to_owned())];
    }
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut words = Vec::new();
    for c in args.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '"' | '\'') => quote = Some(c),
            (None, c) if c.is_whitespace() => words.extend((!word.is_empty()).then(|| std::mem::take(&mut word))),
            (None, c) => word.push(c),
        }
    }
    words.extend((!word.is_empty()).then_some(word));
    for word in words {
        if let Some((key, value)) = word.split_once('=') {
            out.push((key.to_owned(), value.to_owned()));
        }
    }
    out
}

/// `COPY . .`: which existing test directories does the context let in?
fn context_copy(
    tree: &TreeFacts,
    file: &FileFacts<'_>,
    refs: &[BuildRef],
    instruction: &Instruction,
    whose: &str,
    out: &mut Vec<Finding>,
) {
    let dir = file.info.path.rsplit_once('/').map_or("", |(dir, _)| dir);
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
    // The context a build names (compose `context:`, the workflow's
    // `context:` or the last word of `docker build`); without one, the
    // Dockerfile's directory when that directory is set up as one (its own
    // .dockerignore, or tests inside it), otherwise the repository root
    // (`docker build -f docker/Dockerfile .`).
    let named = refs
        .first()
        .map(|build| (build.context.as_str(), build.source.as_str()));
    let context = match named {
        Some((context, _)) => context,
        None if dir.is_empty() || own_ignore(dir).is_some() || !under(dir).is_empty() => dir,
        None => "",
    };
    let ignore_path = own_ignore(context);
    // `COPY --exclude=tests . .` (Dockerfile syntax 1.7) leaves them out too.
    let excluded_by_flags = DockerIgnore::parse(
        &instruction
            .flags_and_words()
            .0
            .iter()
            .filter_map(|flag| flag.strip_prefix("--exclude="))
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let patterns = ignore_path
        .as_ref()
        .map(|p| DockerIgnore::parse(&tree.ignore_files[p]))
        .unwrap_or_default();
    let leaking: Vec<&str> = under(context)
        .into_iter()
        .map(|t| t.strip_prefix(&format!("{context}/")).unwrap_or(t))
        .filter(|relative| !patterns.excludes_dir(relative) && !excluded_by_flags.excludes_dir(relative))
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
            "{} copies the whole build context ({}{}) and {ignore_note} {} ({whose})",
            instruction.keyword,
            if context.is_empty() {
                "the repository root".to_owned()
            } else {
                format!("`{context}/`")
            },
            named.map_or(String::new(), |(_, source)| format!(", as built by {source}")),
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

fn maven_test_jars(file: &FileFacts<'_>, out: &mut Vec<Finding>) {
    let pom = match pom::parse(file.text) {
        Ok(pom) => pom,
        Err(err) => {
            out.push(file.finding_at(
                &CONTENT_NOT_VERIFIABLE,
                err.offset,
                format!(
                    "this pom.xml is not well-formed XML ({}), so its dependencies (test libraries, \
                     test-jars on the runtime classpath) cannot all be checked: only the `<dependency>` \
                     elements that parse on their own were; fix the XML (Maven cannot read it either)",
                    err.message
                ),
            ));
            pom::parse_fragments(file.text)
        }
    };
    for dependency in &pom.dependencies {
        if dependency.section != pom::Section::Dependencies {
            continue;
        }
        let test_jar = dependency.get("type") == Some("test-jar") || dependency.get("classifier") == Some("tests");
        let scope = dependency.get("scope");
        if !test_jar || scope == Some("test") {
            continue;
        }
        let artifact = dependency.get("artifactId").unwrap_or("?");
        let tag = if dependency.get("type") == Some("test-jar") {
            "type"
        } else {
            "classifier"
        };
        let profile = dependency
            .profile
            .as_deref()
            .map_or(String::new(), |id| format!(" (in profile `{id}`)"));
        let mut finding = file.finding_at(
            &MAVEN_TEST_JAR_AT_RUNTIME,
            dependency.offset_of(tag),
            format!(
                "the test-jar of `{artifact}` is a dependency in scope `{}`{profile}, so its test classes ship",
                scope.unwrap_or("compile (default)")
            ),
        );
        if dependency
            .profile
            .as_deref()
            .is_some_and(pom::is_non_production_profile)
        {
            finding.severity = Severity::Note;
            finding
                .message
                .push_str(" when that profile is active; its name says tests or development");
        }
        out.push(finding);
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
            ..TreeFacts::default()
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

    /// Findings with their severity, given build files (workflows, compose).
    fn scan_built(builds: &[(&str, &str)], path: &str, text: &str) -> Vec<(&'static str, u32, Severity, String)> {
        let mut facts = tree(&[], &["tests", "spec", "integration-tests"], &[]);
        facts.build_files = builds.iter().map(|(p, t)| (p.to_string(), t.to_string())).collect();
        let info = Classifier::new(&LeakPolicy::default()).classify(path);
        let mut out = Vec::new();
        Packaging.check_content(&facts, &FileFacts::new(&info, text), &mut out);
        out.into_iter()
            .map(|f| (f.code(), f.location.line, f.severity, f.message))
            .collect()
    }

    fn codes_lines(found: &[(&'static str, u32, Severity, String)]) -> Vec<(&'static str, u32, Severity)> {
        found.iter().map(|(c, l, s, _)| (*c, *l, *s)).collect()
    }

    #[test]
    fn escape_directive_continuation_copying_tests_is_reported() {
        // Regression: with `# escape=`` the continued COPY was split at the
        // backslash rules and passed unreported.
        let windows = "# escape=`\nFROM mcr.microsoft.com/dotnet/aspnet:8.0\nWORKDIR C:\\app\nCOPY --chown=app `\n     tests/ C:\\app\\tests\\\nCOPY bin/ C:\\app\\\n";
        assert_eq!(scan("Dockerfile", windows), [("LG441", 4)]);
        // Without the directive the backtick is an ordinary character.
        assert!(scan("Dockerfile", "FROM x\nCOPY src/ /app `\nRUN echo tests/\n").is_empty());
        // A directive below a comment is itself a comment.
        let late = "# build me\n# escape=`\nFROM x\nCOPY a `\n  b\nCOPY tests/ /t\n";
        assert_eq!(scan("Dockerfile", late), [("LG441", 6)]);
    }

    #[test]
    fn heredocs_are_neither_instructions_nor_skipped() {
        // A heredoc body that looks like a COPY is shell text, not an instruction.
        let body = "# syntax=docker/dockerfile:1.7\nFROM python:3.12-slim\nRUN <<EOF\nset -e\nCOPY tests/ /app/tests\nEOF\nCOPY app/ /app/\n";
        assert!(scan("Dockerfile", body).is_empty());
        // Test data written into the image through a heredoc is reported.
        let writes = "FROM python:3.12-slim\nCOPY <<-EOF /app/tests/fixtures/users.json\n\t[{\"name\": \"x\"}]\n\tEOF\nRUN <<EOF\nmkdir -p /srv\ncat > /srv/spec/seed.sql <<'SQL'\nINSERT 1;\nSQL\nEOF\n";
        assert_eq!(scan("Dockerfile", writes), [("LG441", 2), ("LG441", 7)]);
        // A FROM inside a heredoc does not start a stage.
        let stage = "FROM node:20 AS build\nCOPY tests/ tests/\nRUN <<EOF\nFROM scratch\nEOF\n";
        assert_eq!(scan("Dockerfile", stage), [("LG441", 2)]);
    }

    #[test]
    fn node_production_stage_before_a_ci_test_stage() {
        // Shape of a TypeScript service: base, build, production, then a test stage CI builds.
        let df = "FROM node:22-alpine AS base\nWORKDIR /app\n\nFROM base AS build\nCOPY . .\nRUN npm ci && npm run build\n\nFROM base AS production\nCOPY --from=build --chown=appuser:appgroup \\\n        /app/dist ./dist\nCOPY --from=build --chown=appuser:appgroup \\\n        /app/integration-tests/db ./integration-tests/db\nCMD [\"npm\", \"start\"]\n\nFROM build AS test\nCOPY tests/ tests/\nRUN npm test\n";
        let found = scan_built(&[], "Dockerfile", df);
        assert_eq!(codes_lines(&found), [("LG441", 11, Severity::Error)]);
        assert!(
            found[0].3.contains("stage `production`, named for production"),
            "{}",
            found[0].3
        );
        // The CI workflow builds the test target: that is not the image.
        let ci = ".github/workflows/ci.yml";
        let workflow = "jobs:\n  test:\n    steps:\n      - run: docker build --target test -t app-test .\n";
        assert_eq!(
            codes_lines(&scan_built(&[(ci, workflow)], "Dockerfile", df)),
            [("LG441", 11, Severity::Error)]
        );
    }

    #[test]
    fn target_from_the_workflow_names_the_production_stage() {
        // Java/Gradle: the image CI pushes is `app`, not the last stage `ci`.
        let df = "FROM eclipse-temurin:21-jdk AS builder\nCOPY . .\nRUN ./gradlew assemble\n\nFROM eclipse-temurin:21-jre AS app\nCOPY --from=builder /build/libs/app.jar /app/app.jar\nCOPY src/test/resources/seed /app/seed\n\nFROM builder AS ci\nRUN ./gradlew check\n";
        let push = "jobs:\n  push:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          target: app\n          push: true\n";
        let found = scan_built(&[(".github/workflows/push.yml", push)], "Dockerfile", df);
        assert_eq!(codes_lines(&found), [("LG441", 7, Severity::Error)]);
        assert!(
            found[0].3.contains("`--target app` by .github/workflows/push.yml:7"),
            "{}",
            found[0].3
        );
        // Without the workflow the last non-test stage is a guess: a warning.
        assert_eq!(
            codes_lines(&scan_built(&[], "Dockerfile", df)),
            [("LG441", 7, Severity::Warning)]
        );
    }

    #[test]
    fn ruby_stage_built_from_a_stage_that_copies_spec() {
        // `FROM base`: what base copies is in the production image too.
        let df = "FROM ruby:3.3-slim AS base\nWORKDIR /app\nCOPY spec/support/seeds.rb ./db/seeds.rb\n\nFROM base AS build\nRUN bundle install\n\nFROM base AS release\nCOPY --from=build /usr/local/bundle /usr/local/bundle\nENV RAILS_ENV=test\n";
        let found = scan_built(&[], "Dockerfile", df);
        assert_eq!(
            codes_lines(&found),
            [("LG452", 10, Severity::Error), ("LG441", 3, Severity::Error)]
        );
        assert!(
            found[1].3.contains("in stage `base`, a base of stage `release`"),
            "{}",
            found[1].3
        );
        // The build stage is not in the image: its copies are not judged.
        let clean = "FROM ruby AS build\nCOPY spec spec\nRUN rspec\nFROM ruby AS release\nCOPY --from=build /app/lib /app/lib\n";
        assert!(scan_built(&[], "Dockerfile", clean).is_empty());
    }

    #[test]
    fn python_env_test_flag_and_compose_context() {
        // A test switch set with ENV in the image (covid-alert-server shape).
        let df =
            "FROM golang:1.22 AS builder\nRUN go build ./...\nFROM scratch\nENV USER=svc\nENV ENABLE_TEST_TOOLS=true\n";
        assert_eq!(
            codes_lines(&scan_built(&[], "Dockerfile", df)),
            [("LG452", 5, Severity::Error)]
        );
        assert!(scan_built(
            &[],
            "Dockerfile",
            "FROM x\nENV TEST_ON_BORROW=true NODE_ENV=production\n"
        )
        .is_empty());
        // A Dockerfile in a subfolder that compose builds with that folder as context.
        let df = "FROM python:3.12-slim AS runtime\nCOPY . /srv\n";
        let compose = "services:\n  api:\n    build:\n      context: ./api\n      target: runtime\n";
        let mut facts = tree(&[], &["api/tests", "web/tests"], &[("api/.dockerignore", "tests\n")]);
        facts
            .build_files
            .insert("docker-compose.yml".to_owned(), compose.to_owned());
        assert!(scan_with(&facts, "api/Dockerfile", df).is_empty());
        // Built from the repository root instead, the other service's tests come in.
        let root = "build:\n\tdocker build -f api/Dockerfile --target runtime .\n";
        let mut facts = tree(&[], &["api/tests", "web/tests"], &[("api/.dockerignore", "tests\n")]);
        facts.build_files.insert("Makefile".to_owned(), root.to_owned());
        assert_eq!(scan_with(&facts, "api/Dockerfile", df), [("LG442", 2)]);
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
        let flagged =
            "# syntax=docker/dockerfile:1.7-labs\nFROM node:20\nCOPY --exclude=tests --exclude=**/__tests__ . .\n";
        assert!(scan_with(&none, "Dockerfile", flagged).is_empty());
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
        let managed = "<project><dependencyManagement><dependencies><dependency><artifactId>core</artifactId><type>test-jar</type></dependency></dependencies></dependencyManagement></project>";
        assert!(scan("pom.xml", managed).is_empty());
        // A plugin's classpath is the build's, not the artifact's.
        let plugin = "<project><build><plugins><plugin><dependencies>\n<dependency><artifactId>core</artifactId><type>test-jar</type></dependency>\n</dependencies></plugin></plugins></build></project>";
        assert!(scan("pom.xml", plugin).is_empty());
    }

    #[test]
    fn maven_profiles_and_malformed_poms() {
        let profiles = "<project>\n<profiles>\n<profile><id>integration-tests</id><dependencies><dependency>\n<artifactId>core</artifactId>\n<type>test-jar</type>\n</dependency></dependencies></profile>\n<profile><id>release</id><dependencies><dependency>\n<artifactId>api</artifactId>\n<classifier>tests</classifier>\n</dependency></dependencies></profile>\n</profiles>\n</project>\n";
        let info = Classifier::new(&LeakPolicy::default()).classify("pom.xml");
        let mut out = Vec::new();
        Packaging.check_content(&TreeFacts::default(), &FileFacts::new(&info, profiles), &mut out);
        let found: Vec<(&str, u32, Severity)> = out.iter().map(|f| (f.code(), f.location.line, f.severity)).collect();
        assert_eq!(found, [("LG446", 5, Severity::Note), ("LG446", 9, Severity::Error)]);
        assert!(out[1].message.contains("in profile `release`"), "{}", out[1].message);
        // Not well-formed: could not verify, at the line of the problem.
        let broken = "<project>\n  <dependencies>\n    <dependency>\n      <artifactId>core</artifactId>\n  </dependencies>\n</project>\n";
        assert_eq!(scan("pom.xml", broken), [("LG904", 5)]);
        assert_eq!(scan("pom.xml", "<project><a>&undefined;</a></project>"), [("LG904", 1)]);
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
                for instruction in dockerfile::parse(&text).instructions {
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

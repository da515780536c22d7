//! Which stage of a Dockerfile becomes the production image. CI workflows,
//! compose files and Makefiles say how a Dockerfile is built (its file, its
//! context, its `--target`); stage names and the stage order say the rest.

use std::sync::LazyLock;

use regex::Regex;
use yaml_rust2::{Yaml, YamlLoader};

use super::dockerfile::{Dockerfile, Stage};

/// One place that builds a Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildRef {
    /// Where it is said, `path:line`.
    pub source: String,
    /// Repository-relative path of the Dockerfile built.
    pub dockerfile: String,
    /// Repository-relative build context ("" is the root).
    pub context: String,
    /// The `--target` stage, when one is named literally.
    pub target: Option<String>,
}

/// Files that may build a Dockerfile: GitHub workflows, GitLab and CircleCI
/// pipelines, compose files, Makefiles and Jenkinsfiles.
pub fn is_build_reference(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let lower = name.to_ascii_lowercase();
    let yaml = lower.ends_with(".yml") || lower.ends_with(".yaml");
    (yaml
        && (path.starts_with(".github/workflows/")
            || lower.starts_with("docker-compose")
            || lower.starts_with("compose")))
        || lower == ".gitlab-ci.yml"
        || path == ".circleci/config.yml"
        || matches!(name, "Makefile" | "makefile" | "GNUmakefile" | "Jenkinsfile")
        || lower.ends_with(".mk")
}

fn dir_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// `base` joined with a relative path, `.` and `..` resolved; `None` when the
/// path leaves the repository, is absolute or is not a literal.
fn resolve(base: &str, relative: &str) -> Option<String> {
    if relative.starts_with('/') || relative.contains('$') || relative.contains("{{") {
        return None;
    }
    let mut parts: Vec<&str> = base.split('/').filter(|p| !p.is_empty()).collect();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

fn literal(value: &str) -> Option<String> {
    let value = value.trim().trim_matches(['"', '\'']);
    (!value.is_empty() && !value.contains('$') && !value.contains("{{")).then(|| value.to_owned())
}

/// 1-based line of the first line that contains all the words.
fn line_of(text: &str, words: &[&str]) -> usize {
    text.lines()
        .position(|line| words.iter().all(|w| line.contains(w)))
        .map_or(1, |i| i + 1)
}

static DOCKER_BUILD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:docker|podman)\s+(?:buildx\s+build|image\s+build|build)\b([^\n]*)").expect("docker build")
});

static EXPRESSION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\$\{\{.*?\}\}").expect("expression"));

/// Options of `docker build` that take a value as the next word.
const VALUE_OPTIONS: &[&str] = &[
    "-t",
    "--tag",
    "--build-arg",
    "--platform",
    "--label",
    "--cache-from",
    "--cache-to",
    "--secret",
    "--ssh",
    "-o",
    "--output",
    "--network",
    "--progress",
    "--iidfile",
    "--build-context",
    "--add-host",
    "--shm-size",
    "--ulimit",
    "--metadata-file",
    "--builder",
    "--attest",
    "--annotation",
    "--allow",
    "--cgroup-parent",
    "-m",
    "--memory",
];

/// `docker build` command lines, continuations joined: file, context, target.
fn command_refs(path: &str, text: &str, base: &str, out: &mut Vec<BuildRef>) {
    for (line, logical) in logical_lines(text) {
        // `${{ expr }}` holds spaces; one word keeps the options aligned.
        let joined = EXPRESSION.replace_all(&logical, "$$EXPR");
        command_refs_in_line(path, line, &joined, base, out);
    }
}

/// Lines with shell continuations joined, each with its first line's number.
fn logical_lines(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(usize, String)> = None;
    for (index, line) in text.lines().enumerate() {
        let (body, continues) = match line.trim_end().strip_suffix('\\') {
            Some(body) => (body, true),
            None => (line, false),
        };
        let (_, joined) = pending.get_or_insert_with(|| (index + 1, String::new()));
        joined.push_str(body);
        joined.push(' ');
        if !continues {
            out.extend(pending.take());
        }
    }
    out.extend(pending);
    out
}

fn command_refs_in_line(path: &str, line: usize, joined: &str, base: &str, out: &mut Vec<BuildRef>) {
    for caps in DOCKER_BUILD.captures_iter(joined) {
        let command = caps.get(1).map_or("", |m| m.as_str());
        let command = command.split(['&', ';', '|', ')']).next().unwrap_or("");
        let words: Vec<&str> = command.split_whitespace().collect();
        let (mut file, mut target, mut context, mut target_dynamic) = (None, None, None, false);
        let mut i = 0;
        while let Some(&word) = words.get(i) {
            i += 1;
            let (option, inline) = match word.split_once('=') {
                Some((option, value)) if option.starts_with('-') => (option, Some(value)),
                _ => (word, None),
            };
            let value = inline.or_else(|| words.get(i).copied()).map(str::to_owned);
            let consumed = usize::from(inline.is_none());
            match option {
                "-f" | "--file" => {
                    file = value;
                    i += consumed;
                }
                "--target" => {
                    i += consumed;
                    target = value.as_deref().and_then(literal);
                    target_dynamic = target.is_none();
                }
                option if VALUE_OPTIONS.contains(&option) => i += consumed,
                option if option.starts_with('-') => {}
                positional => {
                    if context.is_none() {
                        context = Some(positional.trim_matches(['"', '\'']).to_owned());
                    }
                }
            }
        }
        if target_dynamic {
            continue;
        }
        let Some(context) = context.as_deref().and_then(|c| resolve(base, c)) else {
            continue;
        };
        let dockerfile = match file.as_deref().map(|f| f.trim_matches(['"', '\''])) {
            Some(file) => match resolve(base, file) {
                Some(file) => file,
                None => continue,
            },
            None => resolve(&context, "Dockerfile").unwrap_or_default(),
        };
        out.push(BuildRef {
            source: format!("{path}:{line}"),
            dockerfile,
            context,
            target,
        });
    }
}

fn get<'a>(map: &'a Yaml, key: &str) -> Option<&'a Yaml> {
    map.as_hash()?.get(&Yaml::String(key.to_owned()))
}

fn yaml_str(map: &Yaml, key: &str) -> Option<String> {
    get(map, key).and_then(Yaml::as_str).map(str::to_owned)
}

/// Compose `build:` sections and `docker/build-push-action` steps.
fn yaml_refs(path: &str, text: &str, node: &Yaml, out: &mut Vec<BuildRef>) {
    match node {
        Yaml::Hash(map) => {
            let compose = path.rsplit('/').next().is_some_and(|name| {
                let name = name.to_ascii_lowercase();
                name.starts_with("docker-compose") || name.starts_with("compose")
            });
            if let Some(build) = get(node, "build").filter(|_| compose) {
                let base = dir_of(path);
                let (context, dockerfile, target) = match build {
                    Yaml::String(context) => (Some(context.clone()), None, None),
                    Yaml::Hash(_) => (
                        Some(yaml_str(build, "context").unwrap_or_else(|| ".".to_owned())),
                        yaml_str(build, "dockerfile"),
                        yaml_str(build, "target"),
                    ),
                    _ => (None, None, None),
                };
                if let Some(context) = context.and_then(|c| resolve(base, &c)) {
                    let dockerfile = resolve(&context, dockerfile.as_deref().unwrap_or("Dockerfile"));
                    let target_ok = target.as_deref().is_none_or(|t| literal(t).is_some());
                    if let (Some(dockerfile), true) = (dockerfile, target_ok) {
                        let words: Vec<&str> = target.as_deref().map_or(vec!["build"], |t| vec!["target", t]);
                        out.push(BuildRef {
                            source: format!("{path}:{}", line_of(text, &words)),
                            dockerfile,
                            context,
                            target: target.as_deref().and_then(literal),
                        });
                    }
                }
            }
            let uses = yaml_str(node, "uses").unwrap_or_default();
            if uses.starts_with("docker/build-push-action") {
                if let Some(with) = get(node, "with") {
                    let context = yaml_str(with, "context").unwrap_or_else(|| ".".to_owned());
                    let target = yaml_str(with, "target");
                    let context = resolve("", &context);
                    let dockerfile = match yaml_str(with, "file") {
                        Some(file) => resolve("", &file),
                        None => context.as_deref().and_then(|c| resolve(c, "Dockerfile")),
                    };
                    let target_ok = target.as_deref().is_none_or(|t| literal(t).is_some());
                    if let (Some(context), Some(dockerfile), true) = (context, dockerfile, target_ok) {
                        let words: Vec<&str> = target
                            .as_deref()
                            .map_or(vec!["build-push-action"], |t| vec!["target", t]);
                        out.push(BuildRef {
                            source: format!("{path}:{}", line_of(text, &words)),
                            dockerfile,
                            context,
                            target: target.as_deref().and_then(literal),
                        });
                    }
                }
            }
            for value in map.values() {
                yaml_refs(path, text, value, out);
            }
        }
        Yaml::Array(items) => {
            for item in items {
                yaml_refs(path, text, item, out);
            }
        }
        _ => {}
    }
}

/// Every build of a Dockerfile that one reference file describes.
pub fn build_refs(path: &str, text: &str) -> Vec<BuildRef> {
    let mut out = Vec::new();
    let lower = path.to_ascii_lowercase();
    if lower.ends_with(".yml") || lower.ends_with(".yaml") {
        if let Ok(docs) = YamlLoader::load_from_str(text) {
            for doc in &docs {
                yaml_refs(path, text, doc, &mut out);
            }
        }
    }
    // Shell commands run from the repository root in CI, from the
    // Makefile's folder in make.
    let base = if is_makefile(path) { dir_of(path) } else { "" };
    command_refs(path, text, base, &mut out);
    out
}

fn is_makefile(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    matches!(name, "Makefile" | "makefile" | "GNUmakefile") || name.ends_with(".mk")
}

/// Stage names for CI checks and development, never the production image.
pub fn is_test_stage_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.split(['-', '_', '.']).any(|word| {
        matches!(
            word,
            "test"
                | "tests"
                | "testing"
                | "ci"
                | "lint"
                | "linting"
                | "check"
                | "checks"
                | "spec"
                | "specs"
                | "e2e"
                | "integration"
                | "unit"
                | "cypress"
                | "playwright"
                | "dev"
                | "development"
                | "debug"
                | "local"
                | "storybook"
                | "audit"
        )
    })
}

/// Names teams give the stage that ships.
const PRODUCTION_NAMES: &[&str] = &["production", "prod", "release", "runtime", "live"];

/// Why a stage is the production image, and how sure that is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductionStage {
    pub stage: usize,
    /// The evidence, for the finding's message.
    pub evidence: String,
    /// The evidence names the stage (a build target, a name, the last stage
    /// that is not a test stage); false when it is a guess past a test stage.
    pub certain: bool,
}

/// The stages that become production images.
pub fn production_stages(parsed: &Dockerfile, path: &str, refs: &[BuildRef]) -> Vec<ProductionStage> {
    let stages = parsed.stages();
    let Some(last) = stages.last() else {
        return Vec::new();
    };
    let mine: Vec<&BuildRef> = refs.iter().filter(|r| r.dockerfile == path).collect();
    let mut chosen: Vec<ProductionStage> = Vec::new();
    for build in &mine {
        let Some(target) = &build.target else {
            continue;
        };
        if is_test_stage_name(target) {
            continue;
        }
        if let Some(stage) = stages.iter().find(|s| s.is_named(target)) {
            if !chosen.iter().any(|c| c.stage == stage.index) {
                chosen.push(ProductionStage {
                    stage: stage.index,
                    evidence: format!("built with `--target {target}` by {}", build.source),
                    certain: true,
                });
            }
        }
    }
    if !chosen.is_empty() {
        return chosen;
    }
    if let Some(stage) = stages
        .iter()
        .rev()
        .find(|s| s.name.as_deref().is_some_and(|n| PRODUCTION_NAMES.contains(&n)))
    {
        return vec![ProductionStage {
            stage: stage.index,
            evidence: "named for production".to_owned(),
            certain: true,
        }];
    }
    if !last.name.as_deref().is_some_and(is_test_stage_name) {
        let how = match mine.iter().find(|r| r.target.is_none()) {
            Some(build) => format!("built without `--target` by {}", build.source),
            None => "no build names a `--target`".to_owned(),
        };
        return vec![ProductionStage {
            stage: last.index,
            evidence: format!("the last stage ({how})"),
            certain: true,
        }];
    }
    let test_stage = last.label();
    stages
        .iter()
        .rev()
        .find(|s| !s.name.as_deref().is_some_and(is_test_stage_name))
        .map(|stage| ProductionStage {
            stage: stage.index,
            evidence: format!(
                "the last stage that is not a test stage ({test_stage} is a CI test stage; \
                 missing link: no build names the production `--target`)"
            ),
            certain: false,
        })
        .into_iter()
        .collect()
}

/// The stages whose instructions end up in the image built from `stage`:
/// itself and the stages it is built `FROM`, nearest first.
pub fn image_lineage(stages: &[Stage], stage: usize) -> Vec<usize> {
    let mut lineage = vec![stage];
    let mut current = stage;
    while let Some(parent) = stages
        .iter()
        .take(current)
        .rev()
        .find(|s| s.is_named(&stages[current].base) && s.index < current)
    {
        if lineage.contains(&parent.index) {
            break;
        }
        lineage.push(parent.index);
        current = parent.index;
    }
    lineage
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checks::leaks::dockerfile::parse;

    #[test]
    fn build_references_are_recognised() {
        for path in [
            ".github/workflows/deploy.yml",
            "docker-compose.yml",
            "api/compose.prod.yaml",
            "Makefile",
            "build/docker.mk",
            ".gitlab-ci.yml",
        ] {
            assert!(is_build_reference(path), "{path}");
        }
        for path in ["config/app.yml", "helm/values.yaml", "Dockerfile", "docs/Makefile.md"] {
            assert!(!is_build_reference(path), "{path}");
        }
    }

    #[test]
    fn docker_build_commands_give_file_context_and_target() {
        let workflow = "jobs:\n  build:\n    steps:\n      - run: |\n          docker build \\\n            --tag app:${{ github.sha }} \\\n            -f docker/api/Dockerfile --target production \\\n            docker/api\n      - run: docker buildx build --target=test . && docker push x\n      - run: docker build --target \"$STAGE\" .\n";
        let refs = build_refs(".github/workflows/ci.yml", workflow);
        assert_eq!(refs.len(), 2, "{refs:?}");
        assert_eq!(refs[0].dockerfile, "docker/api/Dockerfile");
        assert_eq!(refs[0].context, "docker/api");
        assert_eq!(refs[0].target.as_deref(), Some("production"));
        assert_eq!(refs[0].source, ".github/workflows/ci.yml:5");
        assert_eq!(
            (refs[1].dockerfile.as_str(), refs[1].target.as_deref()),
            ("Dockerfile", Some("test"))
        );
        let makefile = "image:\n\tdocker build -t svc --target release .\n";
        let refs = build_refs("services/svc/Makefile", makefile);
        assert_eq!(refs[0].dockerfile, "services/svc/Dockerfile");
        assert_eq!(refs[0].source, "services/svc/Makefile:2");
    }

    #[test]
    fn compose_and_build_push_action() {
        let compose = "services:\n  web:\n    build:\n      context: ./web\n      dockerfile: docker/Dockerfile.prod\n      target: runtime\n  worker:\n    build: ../worker\n";
        let refs = build_refs("deploy/docker-compose.yml", compose);
        assert_eq!(refs.len(), 2, "{refs:?}");
        assert_eq!(refs[0].dockerfile, "deploy/web/docker/Dockerfile.prod");
        assert_eq!(refs[0].context, "deploy/web");
        assert_eq!(refs[0].target.as_deref(), Some("runtime"));
        assert_eq!(refs[0].source, "deploy/docker-compose.yml:6");
        assert_eq!(
            (refs[1].dockerfile.as_str(), refs[1].target.as_deref()),
            ("worker/Dockerfile", None)
        );
        let workflow = "jobs:\n  push:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: app\n          target: production\n          push: true\n";
        let refs = build_refs(".github/workflows/push.yml", workflow);
        assert_eq!(refs.len(), 1);
        assert_eq!(
            (
                refs[0].dockerfile.as_str(),
                refs[0].context.as_str(),
                refs[0].target.as_deref()
            ),
            ("app/Dockerfile", "app", Some("production"))
        );
        // Not YAML: nothing, and no panic.
        assert!(build_refs(".github/workflows/x.yml", "a: [\n").is_empty());
    }

    fn chosen(text: &str, refs: &[BuildRef]) -> Vec<(Option<String>, bool)> {
        let parsed = parse(text);
        let stages = parsed.stages();
        production_stages(&parsed, "Dockerfile", refs)
            .into_iter()
            .map(|p| (stages[p.stage].name.clone(), p.certain))
            .collect()
    }

    fn target(name: &str) -> BuildRef {
        BuildRef {
            source: ".github/workflows/ci.yml:3".to_owned(),
            dockerfile: "Dockerfile".to_owned(),
            context: String::new(),
            target: Some(name.to_owned()),
        }
    }

    #[test]
    fn production_stage_from_target_name_or_order() {
        let node = "FROM node:20 AS base\nFROM base AS build\nFROM base AS production\nFROM build AS test\n";
        assert_eq!(chosen(node, &[]), [(Some("production".to_owned()), true)]);
        // A CI target does not make a stage production; a production one does.
        let app = "FROM ruby AS build\nFROM ruby AS app\nFROM build AS ci\n";
        assert_eq!(chosen(app, &[target("ci")]), [(Some("app".to_owned()), false)]);
        assert_eq!(
            chosen(app, &[target("ci"), target("app")]),
            [(Some("app".to_owned()), true)]
        );
        // The last stage when it is not a test stage.
        assert_eq!(chosen("FROM a AS build\nFROM b\n", &[]), [(None, true)]);
        assert!(chosen("ARG X\n", &[]).is_empty());
    }

    #[test]
    fn lineage_follows_from_stages() {
        let parsed = parse("FROM node AS base\nFROM base AS deps\nFROM alpine AS other\nFROM deps AS production\n");
        assert_eq!(image_lineage(&parsed.stages(), 3), [3, 1, 0]);
        let parsed = parse("FROM self AS self\n");
        assert_eq!(image_lineage(&parsed.stages(), 0), [0]);
    }
}

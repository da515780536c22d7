//! Policy: the presets compiled into the binary, the repository's own file,
//! validation with file:line:col, and the effective policy the checks read.

pub mod model;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobBuilder};
use toml::Spanned;

use crate::registry;
use crate::registry::Severity;
pub use model::*;

/// Presets shipped in `policies/`, by name.
pub const PRESETS: &[(&str, &str)] = &[
    ("baseline", include_str!("../../policies/baseline.toml")),
    ("standard", include_str!("../../policies/standard.toml")),
    ("strict", include_str!("../../policies/strict.toml")),
];

/// The preset used when a repository has no policy file and names none.
pub const DEFAULT_PRESET: &str = "standard";

/// Where the repository policy is looked for, first match wins.
pub const POLICY_LOCATIONS: &[&str] = &[".github/livegate.toml", "livegate.toml"];

/// A policy problem, pointing at the exact place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyError {
    /// The file (or `preset:<name>`) the problem is in.
    pub origin: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "{}:{}:{}: {}", self.origin, self.line, self.column, self.message)?;
        } else {
            write!(f, "{}: {}", self.origin, self.message)?;
        }
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyError {}

/// A parsed policy file together with the text it came from, so that later
/// validation can still point at lines.
#[derive(Debug, Clone)]
pub struct SourcedPolicy {
    pub origin: String,
    pub text: String,
    pub file: PolicyFile,
}

/// The policy after presets, with where each part came from.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The merged file, for `policy show` and later commands.
    pub merged: PolicyFile,
    /// Files that contributed, preset first.
    pub sources: Vec<String>,
    pub leaks: LeakPolicy,
    pub deploy: DeployPolicy,
}

/// What `livegate deploy` needs of `[deploy]`, validated.
#[derive(Debug, Clone)]
pub struct DeployPolicy {
    pub require_github_signature: bool,
    pub accept: Vec<AcceptRule>,
}

impl Default for DeployPolicy {
    fn default() -> Self {
        DeployPolicy {
            require_github_signature: true,
            accept: Vec::new(),
        }
    }
}

/// The verdicts a `[[deploy.accept]]` entry may accept. A rewritten history
/// or test data is never accepted: the first is no longer the range that was
/// reviewed, the second has `[[leaks.allow]]`.
pub const ACCEPTABLE_VERDICTS: &[&str] = &[
    "direct-push",
    "merged-without-review",
    "stale-approval",
    "not-made-by-github",
];

/// A validated `[[deploy.accept]]` entry, with where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptRule {
    /// Full sha, lowercase.
    pub commit: String,
    pub reason: String,
    /// Out of `ACCEPTABLE_VERDICTS`.
    pub verdicts: Vec<String>,
    pub origin: String,
    pub line: usize,
}

impl AcceptRule {
    /// Whether two entries say the same thing, wherever they were written.
    pub fn same_as(&self, other: &AcceptRule) -> bool {
        self.commit == other.commit && self.reason == other.reason && self.verdicts == other.verdicts
    }
}

/// What the leak checks need, resolved and validated.
#[derive(Debug, Clone, Default)]
pub struct LeakPolicy {
    pub production: Vec<String>,
    pub test: Vec<String>,
    pub other: Vec<String>,
    pub exclude: Vec<String>,
    pub production_config: Vec<String>,
    pub migrations: Vec<String>,
    pub seeds: Vec<String>,
    pub max_file_size: u64,
    /// `None` turns a check off.
    pub severity: BTreeMap<String, Option<Severity>>,
    pub allow: Vec<AllowRule>,
}

pub const DEFAULT_MAX_FILE_SIZE: u64 = 2 * 1024 * 1024;

/// A validated `[[leaks.allow]]` entry, remembering where it was written so
/// that an unused one can be reported at its line.
#[derive(Debug, Clone)]
pub struct AllowRule {
    pub path: String,
    pub code: String,
    pub reason: String,
    pub origin: String,
    pub line: usize,
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn error_at<T>(source: &SourcedPolicy, spanned: &Spanned<T>, message: String, hint: Option<String>) -> PolicyError {
    let (line, column) = line_col(&source.text, spanned.span().start);
    PolicyError {
        origin: source.origin.clone(),
        line,
        column,
        message,
        hint,
    }
}

/// Parses one policy file, reporting syntax, unknown keys and wrong types at
/// their line and column.
pub fn parse(origin: &str, text: &str) -> Result<SourcedPolicy, PolicyError> {
    match toml::from_str::<PolicyFile>(text) {
        Ok(file) => Ok(SourcedPolicy {
            origin: origin.to_owned(),
            text: text.to_owned(),
            file,
        }),
        Err(err) => {
            let (line, column) = err.span().map_or((0, 0), |span| line_col(text, span.start));
            let message = err.message().trim().to_owned();
            let hint = if message.starts_with("unknown field") {
                Some("check the spelling; keys are kebab-case (see `livegate policy show` for every key)".to_owned())
            } else if message.starts_with("invalid type") {
                Some("see `livegate policy show` for the expected value of each key".to_owned())
            } else {
                None
            };
            Err(PolicyError {
                origin: origin.to_owned(),
                line,
                column,
                message,
                hint,
            })
        }
    }
}

/// Checks what the TOML types cannot: globs compile, codes exist, severities
/// are known, reasons are not empty, presets exist.
pub fn validate(source: &SourcedPolicy) -> Result<(), PolicyError> {
    let file = &source.file;
    if let Some(extends) = &file.extends {
        if preset_text(extends.get_ref()).is_none() {
            return Err(error_at(
                source,
                extends,
                format!("unknown preset `{}`", extends.get_ref()),
                Some(format!("use one of: {}", preset_names().join(", "))),
            ));
        }
    }
    if let Some(branches) = &file.branches {
        for pattern in branches.patterns.iter().flatten() {
            let text = pattern.get_ref();
            if text != "~DEFAULT_BRANCH" && text != "~ALL" {
                check_glob(source, pattern)?;
            }
        }
    }
    if let Some(review) = &file.review {
        for rule in review.rules.iter().flatten() {
            for path in &rule.paths {
                check_glob(source, path)?;
            }
            for team in &rule.teams {
                let valid = team
                    .get_ref()
                    .split_once('/')
                    .is_some_and(|(org, slug)| !org.is_empty() && !slug.is_empty() && !slug.contains('/'));
                if !valid {
                    return Err(error_at(
                        source,
                        team,
                        format!("team `{}` is not of the form ORG/TEAM-SLUG", team.get_ref()),
                        Some("write teams as \"acme/dba\"".to_owned()),
                    ));
                }
            }
        }
    }
    if let Some(settings) = &file.settings {
        for rule in settings.visibility_rules.iter().flatten() {
            if let Some(name) = &rule.name {
                check_glob(source, name)?;
            }
            if let Some(property) = &rule.property {
                let valid = property
                    .get_ref()
                    .split_once('=')
                    .is_some_and(|(key, _)| !key.trim().is_empty());
                if !valid {
                    return Err(error_at(
                        source,
                        property,
                        format!("property `{}` is not KEY=VALUE", property.get_ref()),
                        Some("write custom properties as \"classification=sensitive\"".to_owned()),
                    ));
                }
            }
        }
    }
    if let Some(leaks) = &file.leaks {
        for list in [
            &leaks.production,
            &leaks.test,
            &leaks.other,
            &leaks.exclude,
            &leaks.production_config,
            &leaks.migrations,
            &leaks.seeds,
        ] {
            for glob in list.iter().flatten() {
                check_glob(source, glob)?;
            }
        }
        for (code, severity) in leaks.severity.iter().flatten() {
            if registry::lookup(code).is_none_or(|meta| !meta.code.eq(code)) {
                return Err(error_at(
                    source,
                    severity,
                    format!("`{code}` in [leaks.severity] is not a check code"),
                    Some("run `livegate checks` for the list of codes (e.g. LG412)".to_owned()),
                ));
            }
            if registry::lookup(code).is_some_and(|meta| !meta.suppressible()) {
                return Err(error_at(
                    source,
                    severity,
                    format!("{code} in [leaks.severity]: \"could not verify\" findings (LG9xx) cannot be turned off or lowered"),
                    Some("remove the entry; fix what could not be verified instead (`livegate explain CODE` says how)".to_owned()),
                ));
            }
            let value = severity.get_ref().as_str();
            if value != "off" && Severity::parse(value).is_none() {
                return Err(error_at(
                    source,
                    severity,
                    format!("severity `{value}` for {code} is not one of error, warning, note, off"),
                    None,
                ));
            }
        }
        for entry in leaks.allow.iter().flatten() {
            check_glob(source, &entry.path)?;
            let code = entry.code.get_ref();
            if registry::lookup(code).is_none_or(|meta| meta.code != code) {
                return Err(error_at(
                    source,
                    &entry.code,
                    format!("`{code}` in [[leaks.allow]] is not a check code"),
                    Some("run `livegate checks` for the list of codes (e.g. LG431)".to_owned()),
                ));
            }
            if registry::lookup(code).is_some_and(|meta| !meta.suppressible()) {
                return Err(error_at(
                    source,
                    &entry.code,
                    format!("{code} in [[leaks.allow]]: \"could not verify\" findings (LG9xx) cannot be allowed"),
                    Some(
                        "remove the entry; to leave a path out of the scan altogether, add it to `[leaks] exclude`"
                            .to_owned(),
                    ),
                ));
            }
            if entry.reason.get_ref().trim().is_empty() {
                return Err(error_at(
                    source,
                    &entry.reason,
                    "an allow entry needs a reason".to_owned(),
                    Some("say why this finding is intended, e.g. reason = \"demo data shipped on purpose\"".to_owned()),
                ));
            }
        }
    }
    if let Some(deploy) = &file.deploy {
        for entry in deploy.accept.iter().flatten() {
            let commit = entry.commit.get_ref();
            if commit.len() != 40 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(error_at(
                    source,
                    &entry.commit,
                    format!("commit `{commit}` in [[deploy.accept]] is not a full 40-hex commit sha"),
                    Some(
                        "write the whole sha (`git rev-parse COMMIT`); a short sha or a ref could come to name \
                         another commit"
                            .to_owned(),
                    ),
                ));
            }
            if entry.reason.get_ref().trim().is_empty() {
                return Err(error_at(
                    source,
                    &entry.reason,
                    "an accept entry needs a reason".to_owned(),
                    Some(
                        "say who decided and why, e.g. reason = \"hotfix of incident 42, reviewed in #57\"".to_owned(),
                    ),
                ));
            }
            for verdict in entry.verdicts.iter().flatten() {
                let value = verdict.get_ref().as_str();
                if !ACCEPTABLE_VERDICTS.contains(&value) {
                    let never = matches!(value, "history-rewritten" | "test-data");
                    return Err(error_at(
                        source,
                        verdict,
                        if never {
                            format!(
                                "`{value}` can never be accepted: a rewritten history is not the range that was \
                                     reviewed, and test data is allowed with [[leaks.allow]]"
                            )
                        } else {
                            format!("`{value}` in [[deploy.accept]] verdicts is not an acceptable verdict")
                        },
                        Some(format!("use some of: {}", ACCEPTABLE_VERDICTS.join(", "))),
                    ));
                }
            }
        }
    }
    Ok(())
}

fn check_glob(source: &SourcedPolicy, glob: &Spanned<String>) -> Result<(), PolicyError> {
    compile_glob(glob.get_ref()).map(drop).map_err(|err| {
        error_at(
            source,
            glob,
            format!("invalid glob `{}`: {}", glob.get_ref(), err.kind()),
            Some("globs use `*` within a path segment and `**` across segments, e.g. \"src/**\"".to_owned()),
        )
    })
}

/// Compiles a policy glob the one way every command does: `/`-separated,
/// `*` not crossing `/`.
pub fn compile_glob(text: &str) -> Result<Glob, globset::Error> {
    GlobBuilder::new(text).literal_separator(true).build()
}

pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|(name, _)| *name).collect()
}

pub fn preset_text(name: &str) -> Option<&'static str> {
    PRESETS
        .iter()
        .find(|(preset, _)| *preset == name)
        .map(|(_, text)| *text)
}

/// Finds the repository's policy file, if any. Two candidates at once is an
/// error: it would be unclear which one gates.
pub fn find_policy_file(root: &Path) -> Result<Option<PathBuf>, PolicyError> {
    let found: Vec<PathBuf> = POLICY_LOCATIONS
        .iter()
        .map(|rel| root.join(rel))
        .filter(|path| path.is_file())
        .collect();
    match found.as_slice() {
        [] => Ok(None),
        [one] => Ok(Some(one.clone())),
        _ => Err(PolicyError {
            origin: root.display().to_string(),
            line: 0,
            column: 0,
            message: format!("found both {} and {}", POLICY_LOCATIONS[0], POLICY_LOCATIONS[1]),
            hint: Some("keep one policy file; livegate will not guess which one gates".to_owned()),
        }),
    }
}

/// Loads a policy file from disk and resolves it against its preset.
pub fn load_file(path: &Path) -> Result<Policy, PolicyError> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|err| PolicyError {
        origin: origin.clone(),
        line: 0,
        column: 0,
        message: format!("cannot read policy file: {err}"),
        hint: Some("check the path given with --policy".to_owned()),
    })?;
    resolve(Some(parse(&origin, &text)?))
}

/// The effective policy: the named (or default) preset with the repository
/// file layered over it.
pub fn resolve(repo: Option<SourcedPolicy>) -> Result<Policy, PolicyError> {
    let preset_name = repo
        .as_ref()
        .and_then(|source| source.file.extends.as_ref())
        .map_or(DEFAULT_PRESET.to_owned(), |name| name.get_ref().clone());
    if let Some(source) = &repo {
        validate(source)?;
    }
    let preset = load_preset(&preset_name)?;
    let mut sources = vec![preset.origin.clone()];
    let mut merged = preset.file.clone();
    let mut allow = allow_rules(&preset);
    if let Some(source) = &repo {
        merge(&mut merged, source.file.clone());
        allow.extend(allow_rules(source));
        sources.push(source.origin.clone());
    }
    merged.extends = None;
    let leaks = leak_policy(merged.leaks.as_ref(), allow);
    let mut deploy = DeployPolicy {
        accept: accept_rules(&preset),
        ..DeployPolicy::default()
    };
    if let Some(source) = &repo {
        deploy.accept.extend(accept_rules(source));
    }
    if let Some(required) = merged.deploy.as_ref().and_then(|d| d.require_github_signature) {
        deploy.require_github_signature = required;
    }
    Ok(Policy {
        merged,
        sources,
        leaks,
        deploy,
    })
}

/// Parses and validates a preset; a preset may not extend another.
pub fn load_preset(name: &str) -> Result<SourcedPolicy, PolicyError> {
    let text = preset_text(name).ok_or_else(|| PolicyError {
        origin: "--preset".to_owned(),
        line: 0,
        column: 0,
        message: format!("unknown preset `{name}`"),
        hint: Some(format!("use one of: {}", preset_names().join(", "))),
    })?;
    let source = parse(&format!("preset:{name}"), text)?;
    validate(&source)?;
    Ok(source)
}

fn allow_rules(source: &SourcedPolicy) -> Vec<AllowRule> {
    let entries = source.file.leaks.as_ref().and_then(|leaks| leaks.allow.as_ref());
    entries
        .into_iter()
        .flatten()
        .map(|entry| AllowRule {
            path: entry.path.get_ref().clone(),
            code: entry.code.get_ref().clone(),
            reason: entry.reason.get_ref().clone(),
            origin: source.origin.clone(),
            line: line_col(&source.text, entry.path.span().start).0,
        })
        .collect()
}

fn accept_rules(source: &SourcedPolicy) -> Vec<AcceptRule> {
    let entries = source.file.deploy.as_ref().and_then(|deploy| deploy.accept.as_ref());
    entries
        .into_iter()
        .flatten()
        .map(|entry| AcceptRule {
            commit: entry.commit.get_ref().to_ascii_lowercase(),
            reason: entry.reason.get_ref().trim().to_owned(),
            verdicts: match &entry.verdicts {
                Some(list) => list.iter().map(|v| v.get_ref().clone()).collect(),
                None => ACCEPTABLE_VERDICTS.iter().map(|v| (*v).to_owned()).collect(),
            },
            origin: source.origin.clone(),
            line: line_col(&source.text, entry.commit.span().start).0,
        })
        .collect()
}

/// Layers `over` onto `base`: a key the repository sets replaces the preset's.
fn merge(base: &mut PolicyFile, over: PolicyFile) {
    macro_rules! take {
        ($base:expr, $over:expr; $($field:ident),+) => {
            $( if $over.$field.is_some() { $base.$field = $over.$field; } )+
        };
    }
    if let Some(over) = over.branches {
        let base = base.branches.get_or_insert_with(Default::default);
        take!(base, over; patterns, required_approvals, dismiss_stale_reviews, require_code_owner_review,
            require_last_push_approval, required_status_checks, strict_status_checks, enforce_admins,
            allow_force_push, allow_deletion, require_linear_history, require_signed_commits,
            require_conversation_resolution);
    }
    if let Some(over) = over.review {
        let base = base.review.get_or_insert_with(Default::default);
        take!(base, over; required_approvals, min_permission, dismiss_stale, require_code_owner_review,
            require_last_push_approval, allow_committer_approval, count_bots, bots, rules);
    }
    if let Some(over) = over.leaks {
        let base = base.leaks.get_or_insert_with(Default::default);
        let mut allow = base.allow.take().unwrap_or_default();
        allow.extend(over.allow.clone().unwrap_or_default());
        let mut severity = base.severity.take().unwrap_or_default();
        severity.extend(over.severity.clone().unwrap_or_default());
        take!(base, over; production, test, other, exclude, production_config, migrations, seeds, max_file_size);
        base.allow = (!allow.is_empty()).then_some(allow);
        base.severity = (!severity.is_empty()).then_some(severity);
    }
    if let Some(over) = over.deploy {
        let base = base.deploy.get_or_insert_with(Default::default);
        let mut accept = base.accept.take().unwrap_or_default();
        accept.extend(over.accept.clone().unwrap_or_default());
        take!(base, over; require_github_signature);
        base.accept = (!accept.is_empty()).then_some(accept);
    }
    if let Some(over) = over.settings {
        let base = base.settings.get_or_insert_with(Default::default);
        take!(base, over; visibility, allow_forking, max_admins, outside_collaborators_max, team_permission_max,
            team_permission_exceptions,
            default_workflow_permissions, actions_can_approve_pull_requests, require_secret_scanning,
            require_push_protection, require_dependabot_alerts, require_codeowners, require_two_factor,
            base_permission_max, members_can_create_public_repositories, max_org_admins, visibility_rules);
    }
}

fn leak_policy(section: Option<&LeaksSection>, allow: Vec<AllowRule>) -> LeakPolicy {
    let strings = |list: Option<&Vec<Spanned<String>>>| -> Vec<String> {
        list.into_iter().flatten().map(|s| s.get_ref().clone()).collect()
    };
    let Some(section) = section else {
        return LeakPolicy {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            allow,
            ..LeakPolicy::default()
        };
    };
    let severity = section
        .severity
        .iter()
        .flatten()
        .map(|(code, value)| (code.clone(), Severity::parse(value.get_ref())))
        .collect();
    LeakPolicy {
        production: strings(section.production.as_ref()),
        test: strings(section.test.as_ref()),
        other: strings(section.other.as_ref()),
        exclude: strings(section.exclude.as_ref()),
        production_config: strings(section.production_config.as_ref()),
        migrations: strings(section.migrations.as_ref()),
        seeds: strings(section.seeds.as_ref()),
        max_file_size: section.max_file_size.unwrap_or(DEFAULT_MAX_FILE_SIZE),
        severity,
        allow,
    }
}

/// The merged policy as TOML, for `livegate policy show`.
pub fn to_toml(policy: &Policy) -> String {
    toml::to_string_pretty(&policy.merged).unwrap_or_else(|err| format!("# cannot render policy: {err}\n"))
}

#[cfg(test)]
mod tests;

/// The JSON Schema of a policy file, generated from the model, so that an
/// editor can complete and check `livegate.toml`. `schemas/livegate-policy.json`
/// is this text, kept in sync by a test.
pub fn json_schema() -> String {
    let mut schema = serde_json::to_value(schemars::schema_for!(model::PolicyFile)).unwrap_or_default();
    if let Some(object) = schema.as_object_mut() {
        object.insert(
            "title".to_owned(),
            serde_json::Value::String("livegate policy (.github/livegate.toml)".to_owned()),
        );
    }
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

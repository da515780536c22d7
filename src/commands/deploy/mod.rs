//! `livegate deploy`: proves, before a deployment, that every commit between
//! what an environment runs (the baseline D) and what is about to be deployed
//! (X) reached the deploying branch through a pull request that met the
//! `[review]` policy when it merged, that the history was not rewritten, and
//! that the range brings no test data. The local clone gives the history
//! (`history`) — without one, the compare API does — GitHub the deployments,
//! activity and, in batched GraphQL, the pull requests (`github::provenance`);
//! `checks::provenance` judges; `attest` writes the in-toto attestation.
//!
//! `evaluate` is the whole verdict without printing or files: the
//! deployment-protection-rule answer of `livegate serve` calls it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::{json, Value};

use crate::checks::provenance::{self, RangeJudgement};
use crate::checks::review::{short, ReviewPolicy};
use crate::facts::provenance::{RangeFacts, Rewrite};
use crate::facts::{Known, Unknown};
use crate::github::client::{ApiError, ApiStats, Client, ClientOptions};
use crate::github::provenance as collect;
use crate::policy;
use crate::registry::verification::PROVENANCE_UNVERIFIABLE;
use crate::report::finding::{Finding, Location, Severity};
use crate::report::{Format, Report, Verdict};

pub mod attest;
mod history;

use super::pr::{md_cell, md_table, read_file, reviewer_permissions, text_table};
use super::shared::{color_for, deliver, online_setup, Outcome};
use history::LocalHistory;

const DEPLOYMENTS_READ: &str = "Deployments: read (fine-grained token or GitHub App), or repo (classic token)";
const CONTENTS_READ: &str = "Contents: read (fine-grained token or GitHub App), or repo (classic token)";
const MEMBERS_READ: &str =
    "Members: read (organization permission of a fine-grained token or GitHub App), or read:org (classic token)";

/// Validated settings of one deploy check.
#[derive(Debug, Clone)]
pub struct DeploySettings {
    pub owner: String,
    pub name: String,
    pub environment: String,
    /// The commit to deploy, as given (a sha; a revision the clone resolves).
    pub to: String,
    /// The branch that deploys; `None`: the repository's default branch
    /// (a tag deploy without `--branch`).
    pub branch: Option<String>,
    /// The tag being deployed, when the deploy is of a tag: its commit must
    /// be reachable from the branch's tip.
    pub tag: Option<String>,
    pub from: Option<String>,
    pub previous_attestation: Option<PathBuf>,
    pub first_deploy: bool,
    pub max_commits: usize,
    pub checkout: PathBuf,
    pub policy: Option<PathBuf>,
    /// The web host for `resourceUri` (github.com, or the Enterprise host).
    pub server_host: String,
    pub client: ClientOptions,
}

/// The verdict on a deploy range, with everything the report and the
/// attestation show.
#[derive(Debug, Clone)]
pub struct DeployRun {
    pub repo: String,
    pub environment: String,
    pub branch: String,
    /// The tag being deployed, if the deploy is of a tag.
    pub tag: Option<String>,
    pub to: String,
    pub from: Option<String>,
    /// Where the baseline came from (each agreeing source).
    pub baseline_sources: Vec<String>,
    pub tip: Option<String>,
    pub judgement: Option<RangeJudgement>,
    pub rewrites: Vec<Rewrite>,
    pub findings: Vec<Finding>,
    pub verdict: Verdict,
    pub policy_uri: String,
    pub policy_toml: String,
    pub server_host: String,
    pub notes: Vec<String>,
    pub api: ApiStats,
    /// GraphQL queries sent, the summed `rateLimit.cost`, the last `remaining`.
    pub graphql: (usize, u64, Option<u64>),
}

impl DeployRun {
    fn new(settings: &DeploySettings) -> DeployRun {
        DeployRun {
            repo: format!("{}/{}", settings.owner, settings.name),
            environment: settings.environment.clone(),
            branch: settings.branch.clone().unwrap_or_default(),
            tag: settings.tag.clone(),
            to: settings.to.clone(),
            from: None,
            baseline_sources: Vec::new(),
            tip: None,
            judgement: None,
            rewrites: Vec::new(),
            findings: Vec::new(),
            verdict: Verdict::Unverified,
            policy_uri: String::new(),
            policy_toml: String::new(),
            server_host: settings.server_host.clone(),
            notes: Vec::new(),
            api: ApiStats::default(),
            graphql: (0, 0, None),
        }
    }

    /// Ends the run early: something the range depends on could not be read.
    fn unverified(mut self, client: &Client, unknown: Unknown) -> DeployRun {
        self.findings.push(Finding::new(
            &PROVENANCE_UNVERIFIABLE,
            Location::file(&self.repo),
            format!("could not verify: {} (grant {})", unknown.reason, unknown.permission),
        ));
        self.verdict = Verdict::Unverified;
        self.api = client.stats();
        self
    }

    /// The answer to a `deployment_protection_rule` event: `approved` only
    /// when the verdict passes, else `rejected` with a comment that names the
    /// first failing commits in the order they landed, then what else failed
    /// (a rewritten history, a range that could not be verified).
    pub fn protection_rule_answer(&self) -> (&'static str, String) {
        if self.verdict == Verdict::Pass {
            let commits: &[provenance::CommitJudgement] = self.judgement.as_ref().map_or(&[], |j| &j.commits);
            let accepted: Vec<String> = commits
                .iter()
                .filter_map(|c| {
                    let a = c.accepted.as_ref()?;
                    Some(format!("{} ({}: {})", short(&c.sha), a.instead_of.as_str(), a.reason))
                })
                .collect();
            let mut comment = format!(
                "livegate: {} up to {} reached {} through reviewed pull requests",
                crate::report::count(commits.len(), "commit", "commits"),
                short(&self.to),
                self.branch
            );
            if !accepted.is_empty() {
                let _ = write!(
                    comment,
                    "; accepted by the policy, not reviewed: {}",
                    accepted.join("; ")
                );
            }
            return ("approved", comment);
        }
        const SHOWN: usize = 5;
        let failing: Vec<&provenance::CommitJudgement> = self
            .judgement
            .iter()
            .flat_map(|j| &j.commits)
            .filter(|c| c.verdict != provenance::CommitVerdict::Reviewed)
            .collect();
        let mut lines: Vec<String> = failing
            .iter()
            .map(|c| {
                let pr = c.pull_request.map(|n| format!(" (#{n})")).unwrap_or_default();
                let reason = c.reasons.first().map(|r| format!(": {r}")).unwrap_or_default();
                format!("{}{pr} {}{reason}", short(&c.sha), c.verdict.as_str())
            })
            .collect();
        // Findings not about one landing commit (their message starts with its short sha).
        let commit_shas: Vec<&str> = failing.iter().map(|c| short(&c.sha)).collect();
        lines.extend(
            self.findings
                .iter()
                .filter(|f| !commit_shas.iter().any(|sha| f.message.starts_with(sha)))
                .map(|f| format!("{} {}", f.check.code, f.message)),
        );
        let mut comment = format!(
            "livegate: {} is not proven reviewed ({}):",
            short(&self.to),
            self.verdict.as_str()
        );
        for line in lines.iter().take(SHOWN) {
            let _ = write!(comment, "\n- {line}");
        }
        if lines.len() > SHOWN {
            let _ = write!(comment, "\n- … and {} more", lines.len() - SHOWN);
        }
        ("rejected", comment)
    }

    /// livegate's evidence predicate (documented in the README).
    pub fn evidence(&self) -> Value {
        json!({
            "repository": self.repo,
            "environment": self.environment,
            "branch": self.branch,
            "tag": self.tag,
            "from": self.from,
            "baselineSources": self.baseline_sources,
            "to": self.to,
            "branchTip": self.tip,
            "result": self.verdict.as_str(),
            "commits": self.judgement.as_ref().map(|j| &j.commits),
            "rewrites": self.rewrites,
            "findings": self.findings.iter().map(|f| json!({
                "code": f.check.code, "id": f.check.id, "location": f.location.to_string(), "message": f.message,
            })).collect::<Vec<_>>(),
            "notes": self.notes,
        })
    }
}

fn unknown_from(err: &ApiError, permission: &str) -> Unknown {
    Unknown {
        reason: err.to_string(),
        permission: permission.to_owned(),
    }
}

fn is_full_sha(text: &str) -> bool {
    text.len() == 40 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A revision to a full commit id: through the clone when it has it, else it
/// must be a full sha already.
fn full_sha(local: Option<&LocalHistory>, flag: &str, given: &str) -> Result<String, String> {
    if let Some(sha) = local.and_then(|l| l.resolve(given)) {
        return Ok(sha);
    }
    if is_full_sha(given) {
        return Ok(given.to_ascii_lowercase());
    }
    Err(format!(
        "{flag}: `{given}` is not a full commit sha, and the clone at --checkout does not resolve it"
    ))
}

/// The `[[deploy.accept]]` and `[[leaks.allow]]` entries of the policy at
/// `to` that the baseline's policy lacks, and which landing commits changed
/// the policy file (either location: moving it is a change too); `None`
/// when nothing was added. On a first deploy the policy was read at `to`:
/// its accept entries are all additions, taken out of `policy` until trusted.
#[allow(clippy::too_many_arguments)]
fn policy_additions(
    client: &Client,
    full: &str,
    policy: &mut policy::Policy,
    from: Option<&str>,
    to: &str,
    facts: &RangeFacts,
    remote: Option<&collect::RemoteRange>,
    file_at: &FileAt<'_>,
) -> Result<Option<provenance::PolicyAdditions>, AdditionsError> {
    let is_policy = |path: &str| policy::POLICY_LOCATIONS.contains(&path);
    let (accept, allow, origin) = match from {
        None => {
            let (from_file, preset): (Vec<_>, Vec<_>) = std::mem::take(&mut policy.deploy.accept)
                .into_iter()
                .partition(|e| !e.origin.starts_with("preset:"));
            policy.deploy.accept = preset;
            let origin = from_file.first().map(|e| e.origin.clone()).unwrap_or_default();
            (from_file, Vec::new(), origin)
        }
        Some(_) => {
            // Without a clone, the comparison's files say whether the policy
            // changed at all; reading it at `to` is then a request saved.
            if let Some(range) = remote {
                let listed_whole = range.files.len() < collect::MAX_COMPARE_FILES;
                if listed_whole && !range.files.iter().any(|f| is_policy(&f.filename)) {
                    return Ok(None);
                }
            }
            // GitHub failing to give the file is "could not verify"; only an
            // invalid policy is a usage error.
            let text = policy_text_at(file_at, to)
                .map_err(|err| AdditionsError::Unverified(unknown_from(&err, CONTENTS_READ)))?;
            let at_to = parse_policy_at(text, to).map_err(AdditionsError::Policy)?;
            let accept: Vec<policy::AcceptRule> = at_to
                .0
                .deploy
                .accept
                .into_iter()
                .filter(|e| !policy.deploy.accept.iter().any(|b| b.same_as(e)))
                .collect();
            let allow: Vec<policy::AllowRule> = at_to
                .0
                .leaks
                .allow
                .into_iter()
                .filter(|e| {
                    !policy
                        .leaks
                        .allow
                        .iter()
                        .any(|b| b.path == e.path && b.code == e.code && b.reason == e.reason)
                })
                .collect();
            (accept, allow, at_to.1)
        }
    };
    if accept.is_empty() && allow.is_empty() {
        return Ok(None);
    }
    let changed_by = match remote {
        None => Known::Known(
            facts
                .commits
                .iter()
                .filter(|c| c.paths.iter().any(|p| is_policy(p)))
                .map(|c| c.sha.clone())
                .collect(),
        ),
        Some(range) => {
            let owner = history::landed_with(&range.commits, &facts.commits);
            let mut changers: Vec<String> = Vec::new();
            let mut failed = None;
            for location in policy::POLICY_LOCATIONS {
                match collect::commits_touching(client, full, to, location) {
                    Ok(shas) => {
                        for sha in shas {
                            // Commits outside the range are the baseline's history.
                            if let Some(landing) = owner.get(&sha) {
                                if !changers.contains(landing) {
                                    changers.push(landing.clone());
                                }
                            }
                        }
                    }
                    Err(err) => {
                        failed = Some(unknown_from(&err, CONTENTS_READ));
                        break;
                    }
                }
            }
            match failed {
                Some(unknown) => Known::Unknown(unknown),
                None => Known::Known(changers),
            }
        }
    };
    Ok(Some(provenance::PolicyAdditions {
        origin,
        accept,
        allow,
        changed_by,
    }))
}

/// Why the additions of the policy at the commit deployed are not known.
enum AdditionsError {
    /// The policy there is invalid (exit 2, with file:line).
    Policy(String),
    /// GitHub did not give it (could not verify).
    Unverified(Unknown),
}

/// The first policy location a commit has, and its text.
fn policy_text_at(file_at: &FileAt<'_>, at: &str) -> Result<Option<(&'static str, String)>, ApiError> {
    for location in policy::POLICY_LOCATIONS {
        if let Some(text) = file_at(at, location)? {
            return Ok(Some((location, text)));
        }
    }
    Ok(None)
}

/// The policy from the file found at `at` (see `policy_text_at`), else the
/// standard preset, with where it came from (`FILE@SHA`).
fn parse_policy_at(text: Option<(&str, String)>, at: &str) -> Result<(policy::Policy, String), String> {
    match text {
        Some((location, text)) => {
            let origin = format!("{location}@{}", short(at));
            let parsed = policy::parse(&origin, &text).map_err(|e| e.to_string())?;
            Ok((policy::resolve(Some(parsed)).map_err(|e| e.to_string())?, origin))
        }
        None => Ok((
            policy::resolve(None).map_err(|e| e.to_string())?,
            "preset:standard".to_owned(),
        )),
    }
}

/// A file's text at a commit (`None`: not there), from the clone or the API.
type FileAt<'a> = dyn Fn(&str, &str) -> Result<Option<String>, ApiError> + 'a;

#[derive(Deserialize)]
struct Member {
    login: String,
}

/// The whole verdict on the range. `Err` is a usage or configuration problem
/// (exit 2): disagreeing baselines, an unreadable attestation or policy.
/// Everything GitHub or the clone could not tell is an LG9xx finding.
pub fn evaluate(client: &Client, settings: &DeploySettings) -> Result<DeployRun, String> {
    let full = format!("{}/{}", settings.owner, settings.name);
    let local = LocalHistory::open(&settings.checkout);
    let mut run = DeployRun::new(settings);
    let to = full_sha(local.as_ref(), "--to", &settings.to)?;
    run.to = to.clone();

    // The baseline: every source given must name the same commit.
    let deployed = match collect::latest_successful_deployment(client, &full, &settings.environment) {
        Ok(found) => found,
        Err(err) => return Ok(run.unverified(client, unknown_from(&err, DEPLOYMENTS_READ))),
    };
    let mut sources: Vec<(String, String)> = Vec::new();
    if let Some(found) = &deployed {
        sources.push((
            format!(
                "deployment {} to {}, the latest whose status is success",
                found.deployment_id, settings.environment
            ),
            found.sha.clone(),
        ));
    }
    if let Some(from) = &settings.from {
        sources.push(("--from".to_owned(), full_sha(local.as_ref(), "--from", from)?));
    }
    let mut previous = None;
    if let Some(path) = &settings.previous_attestation {
        let bytes = std::fs::read(path)
            .map_err(|err| format!("--previous-attestation {}: cannot read: {err}", path.display()))?;
        let sha = attest::previous_subject(path, &bytes)?;
        sources.push((format!("--previous-attestation {}", path.display()), sha));
        previous = Some((path.display().to_string(), bytes));
    }
    if let Some((first, rest)) = sources.split_first() {
        if let Some(other) = rest.iter().find(|(_, sha)| *sha != first.1) {
            return Err(format!(
                "the baselines disagree: {} is {}, but {} is {}; find out what {} runs, then pass the right --from",
                first.0, first.1, other.0, other.1, settings.environment
            ));
        }
    }
    let from = sources.first().map(|(_, sha)| sha.clone());
    run.baseline_sources = sources.iter().map(|(source, _)| source.clone()).collect();
    run.from = from.clone();
    if from.is_none() && !settings.first_deploy {
        return Ok(run.unverified(
            client,
            Unknown {
                reason: format!(
                    "no baseline: {full} has no deployment to `{}` whose latest status is success; pass --from SHA \
                     (what the environment runs), --previous-attestation FILE, or --first-deploy",
                    settings.environment
                ),
                permission: DEPLOYMENTS_READ.to_owned(),
            },
        ));
    }

    // A tag deploy without --branch is judged on the default branch.
    let branch = match &settings.branch {
        Some(branch) => branch.clone(),
        None => match collect::default_branch(client, &full) {
            Ok(branch) => {
                run.notes.push(format!(
                    "branch: {branch}, the repository's default branch (read from GitHub): the deploy is of tag {} \
                     and no --branch was given",
                    settings.tag.as_deref().unwrap_or("?")
                ));
                branch
            }
            Err(err) => return Ok(run.unverified(client, unknown_from(&err, CONTENTS_READ))),
        },
    };
    run.branch = branch.clone();
    let tip = match collect::branch_tip(client, &full, &branch) {
        Ok(tip) => tip,
        Err(err) => return Ok(run.unverified(client, unknown_from(&err, CONTENTS_READ))),
    };
    run.tip = Some(tip.clone());
    // The range's history: from the clone when it has both ends, else from
    // the compare API (which needs a baseline to compare with).
    let local = local.filter(|l| l.has(&to) && from.as_deref().is_none_or(|f| l.has(f)));
    let remote = match (&local, &from) {
        (Some(_), _) => None,
        (None, Some(from)) => match collect::compare_range(client, &full, from, &to) {
            Ok(range) => Some(range),
            Err(err) => return Ok(run.unverified(client, unknown_from(&err, CONTENTS_READ))),
        },
        (None, None) => {
            return Ok(run.unverified(
                client,
                Unknown {
                    reason: format!(
                        "a first deploy is judged from a clone with the whole history, and the one at --checkout {} \
                         lacks {}",
                        settings.checkout.display(),
                        short(&to)
                    ),
                    permission: "nothing: fetch the history (actions/checkout with fetch-depth: 0)".to_owned(),
                },
            ))
        }
    };
    if remote.is_some() {
        run.notes.push(format!(
            "no clone at --checkout {} has the range: its history comes from the compare API and the leak scan from \
             GitHub's patches",
            settings.checkout.display()
        ));
    }
    let file_at = |sha: &str, path: &str| -> Result<Option<String>, ApiError> {
        match &local {
            Some(local) => Ok(local.file_at(sha, path)),
            None => read_file(client, &full, path, sha),
        }
    };

    let mut facts = RangeFacts {
        repo: full.clone(),
        branch: branch.clone(),
        from: from.clone(),
        to: to.clone(),
        ..RangeFacts::default()
    };
    // Ancestry: the clone when it has both commits, else the compare API.
    let ancestor = |base: &str, head: &str| -> Result<bool, ApiError> {
        if base == head {
            return Ok(true);
        }
        if let Some(known) = local.as_ref().and_then(|l| l.is_ancestor(base, head)) {
            return Ok(known);
        }
        let status = match &remote {
            Some(range) if Some(base) == from.as_deref() && head == to => range.status.clone(),
            _ => collect::compare_status(client, &full, base, head)?,
        };
        Ok(status == "ahead" || status == "identical")
    };
    if let Some(from) = &from {
        match ancestor(from, &to) {
            Ok(true) => {}
            Ok(false) => facts.ancestry.push(format!(
                "the baseline {} ({}) is not an ancestor of {}: the history was rewritten since, or --to is not on {}",
                short(from),
                run.baseline_sources.join(", "),
                short(&to),
                branch
            )),
            Err(err) => return Ok(run.unverified(client, unknown_from(&err, CONTENTS_READ))),
        }
    }
    match ancestor(&to, &tip) {
        Ok(true) => {}
        Ok(false) => facts.ancestry.push(match &settings.tag {
            Some(tag) => format!(
                "tag {tag} ({}) is not reachable from {branch}'s tip {}: only commits on the branch that deploys are \
                 proven; tag a commit of {branch}, or pass --branch with the branch the tag was cut from",
                short(&to),
                short(&tip)
            ),
            None => format!(
                "{} is not on {branch}: the branch's tip {} does not contain it",
                short(&to),
                short(&tip)
            ),
        }),
        Err(err) => return Ok(run.unverified(client, unknown_from(&err, CONTENTS_READ))),
    }

    let landing = match (&local, &remote, &from) {
        (Some(local), _, _) => local.landing_commits(from.as_deref(), &to, settings.max_commits),
        (None, Some(range), Some(from)) => history::landing_from_comparison(
            &range.commits,
            from,
            range.merge_base.as_deref(),
            &to,
            settings.max_commits,
        ),
        _ => Err("no history to read".to_owned()),
    };
    facts.commits = match landing {
        Ok(commits) => commits,
        Err(why) => {
            return Ok(run.unverified(
                client,
                Unknown {
                    reason: format!("the history of {}: {why}", branch),
                    permission: "nothing".to_owned(),
                },
            ))
        }
    };

    if let Some(from) = &from {
        let since = deployed
            .as_ref()
            .map(|d| d.created_at.clone())
            .or_else(|| local.as_ref().and_then(|l| l.committed_at(from)))
            .unwrap_or_default();
        match collect::rewrites_since(client, &full, &branch, &since) {
            Ok(rewrites) => facts.rewrites = rewrites,
            Err(err) => facts.unknowns.push(unknown_from(&err, CONTENTS_READ)),
        }
        // Rules that changed in the window are reported, never decisive:
        // unreadable ones are a note, not a failure.
        match collect::rulesets_changed_since(client, &full, &since) {
            Ok(changes) => facts.control_changes = changes,
            Err(err) => run
                .notes
                .push(format!("ruleset changes since the baseline could not be read: {err}")),
        }
    }

    let shas: Vec<String> = facts.commits.iter().map(|c| c.sha.clone()).collect();
    let associations = match collect::associated_pull_requests(client, &settings.owner, &settings.name, &branch, &shas)
    {
        Ok(found) => found,
        Err(err) => {
            return Ok(run.unverified(
                client,
                unknown_from(
                    &err,
                    "Contents and Pull requests: read (fine-grained token or GitHub App), or repo (classic token)",
                ),
            ))
        }
    };
    run.graphql = (associations.queries, associations.cost, associations.remaining);
    for commit in &mut facts.commits {
        commit.pull_requests = associations.by_commit.get(&commit.sha).cloned().unwrap_or_default();
    }
    facts.pull_requests = associations.pull_requests;
    facts.unknowns.extend(associations.unknowns);
    // On a first deploy there is no baseline to read the policy from.
    let policy_at = from.as_deref().unwrap_or(&to);
    let (policy, policy_origin) = match &settings.policy {
        Some(file) => (
            policy::load_file(file).map_err(|e| format!("--policy: {e}"))?,
            file.display().to_string(),
        ),
        // GitHub not giving the file is "could not verify"; an invalid
        // policy is a configuration error (exit 2, at its line).
        None => match policy_text_at(&file_at, policy_at) {
            Ok(text) => parse_policy_at(text, policy_at)?,
            Err(err) => return Ok(run.unverified(client, unknown_from(&err, CONTENTS_READ))),
        },
    };
    if from.is_none() && settings.policy.is_none() {
        run.notes
            .push("first deploy: the policy was read at the commit being deployed".to_owned());
    }
    run.policy_uri = policy_origin;
    run.policy_toml = policy::to_toml(&policy);
    let section = policy.merged.review.clone().unwrap_or_default();
    let review_policy = ReviewPolicy::from_section(&section).map_err(|e| format!("[review]: {e}"))?;
    if review_policy.require_code_owner_review {
        let first_parents: BTreeMap<&str, &str> = remote
            .iter()
            .flat_map(|r| &r.commits)
            .filter_map(|(sha, parents, _)| Some((sha.as_str(), parents.first()?.as_str())))
            .collect();
        for pr in facts.pull_requests.values_mut() {
            let Some(merge) = pr.merge_commit.clone() else { continue };
            let base = match &local {
                Some(local) => local.first_parent(&merge),
                None => first_parents.get(merge.as_str()).map(|p| (*p).to_owned()),
            };
            let Some(base) = base else {
                pr.incomplete.push(Unknown {
                    reason: format!("#{}: the base of its merge {} is not known", pr.number, short(&merge)),
                    permission: CONTENTS_READ.to_owned(),
                });
                continue;
            };
            for path in history::CODEOWNERS_LOCATIONS {
                match file_at(&base, path) {
                    Ok(Some(text)) => {
                        pr.codeowners = Some(((*path).to_owned(), text));
                        break;
                    }
                    Ok(None) => {}
                    Err(err) => {
                        pr.incomplete.push(unknown_from(&err, CONTENTS_READ));
                        break;
                    }
                }
            }
        }
    }

    let mut logins = BTreeSet::new();
    for pr in facts.pull_requests.values() {
        for review in &pr.reviews {
            let counted = !review.is_bot
                || review_policy.count_bots
                || review_policy.bots.iter().any(|b| b.eq_ignore_ascii_case(&review.login));
            if counted && !review.login.eq_ignore_ascii_case(&pr.author) && review.state != "COMMENTED" {
                logins.insert(review.login.clone());
            }
        }
    }
    facts.permissions = reviewer_permissions(client, &full, &logins.into_iter().collect::<Vec<_>>());
    for team in provenance::teams_needed(&review_policy, &facts) {
        let Some((org, slug)) = team.split_once('/') else {
            continue;
        };
        let endpoint = format!("/orgs/{org}/teams/{slug}/members");
        let members = match client.get_all::<Member>(&endpoint) {
            Ok(list) => Known::Known(list.into_iter().map(|m| m.login).collect()),
            Err(err) => Known::Unknown(unknown_from(&err, MEMBERS_READ)),
        };
        facts.teams.insert(team, members);
    }

    // Entries the range adds to the policy count only when every commit that
    // changed the policy in it was reviewed under the baseline's policy.
    let mut policy = policy;
    let mut trust_findings = Vec::new();
    if settings.policy.is_none() {
        let additions = match policy_additions(
            client,
            &full,
            &mut policy,
            from.as_deref(),
            &to,
            &facts,
            remote.as_ref(),
            &file_at,
        ) {
            Ok(additions) => additions,
            Err(AdditionsError::Policy(err)) => return Err(err),
            Err(AdditionsError::Unverified(unknown)) => {
                facts.unknowns.push(unknown);
                None
            }
        };
        if let Some(additions) = additions {
            let first = provenance::judge(&review_policy, &policy.deploy, &facts);
            let (accept, allow, findings) = provenance::trusted_additions(&first, &policy.deploy, &additions);
            trust_findings = findings;
            if !accept.is_empty() || !allow.is_empty() {
                run.notes.push(format!(
                    "honoured: {} added in the range by reviewed commits ({})",
                    provenance::entries(accept.len(), allow.len()),
                    additions.origin
                ));
                run.policy_toml.push_str(&format!(
                    "\n# added in the range by reviewed commits ({})\n",
                    additions.origin
                ));
                for entry in &accept {
                    run.policy_toml.push_str(&format!(
                        "[[deploy.accept]]\ncommit = {:?}\nreason = {:?}\nverdicts = {:?}\n",
                        entry.commit, entry.reason, entry.verdicts
                    ));
                }
                for entry in &allow {
                    run.policy_toml.push_str(&format!(
                        "[[leaks.allow]]\npath = {:?}\ncode = {:?}\nreason = {:?}\n",
                        entry.path, entry.code, entry.reason
                    ));
                }
            }
            policy.deploy.accept.extend(accept);
            policy.leaks.allow.extend(allow);
        }
    }

    match &remote {
        None => test_data(settings, &policy, from.as_deref(), &to, &mut facts),
        Some(range) => test_data_from_patches(&policy, &range.files, &mut facts),
    }

    // Re-read what the verdict is about: a change while the check ran is a
    // range nobody checked.
    match collect::branch_tip(client, &full, &branch) {
        Ok(now) if now == tip => {}
        Ok(now) => facts.unknowns.push(Unknown {
            reason: format!(
                "{} moved from {} to {} while the check ran",
                branch,
                short(&tip),
                short(&now)
            ),
            permission: "nothing: run again".to_owned(),
        }),
        Err(err) => facts.unknowns.push(unknown_from(&err, CONTENTS_READ)),
    }
    match collect::latest_successful_deployment(client, &full, &settings.environment) {
        Ok(now) if now == deployed => {}
        Ok(now) => facts.unknowns.push(Unknown {
            reason: format!(
                "a deployment to {} was recorded while the check ran (now {})",
                settings.environment,
                now.map(|d| format!("deployment {} of {}", d.deployment_id, short(&d.sha)))
                    .unwrap_or_else(|| "none".to_owned())
            ),
            permission: "nothing: run again".to_owned(),
        }),
        Err(err) => facts.unknowns.push(unknown_from(&err, DEPLOYMENTS_READ)),
    }

    let judgement = provenance::judge(&review_policy, &policy.deploy, &facts);
    // In the order the commits landed, then what concerns the range: the
    // order is the history's (sorting by location would order by sha).
    run.findings = judgement.findings.clone();
    run.findings.extend(trust_findings);
    run.rewrites = facts.rewrites;
    run.judgement = Some(judgement);
    run.api = client.stats();
    let report = Report {
        command: "deploy",
        findings: &run.findings,
        stats: None,
        fail_on: Severity::Error,
        details: None,
        details_markdown: None,
        extra: None,
        view: crate::report::view::View::default(),
        baseline_written: None,
    };
    run.verdict = report.verdict();
    if previous.is_some() {
        run.notes.push("chained from the previous attestation".to_owned());
    }
    Ok(run)
}

/// The leak scan of the range (what `scan --diff FROM..TO` reports).
fn test_data(settings: &DeploySettings, policy: &policy::Policy, from: Option<&str>, to: &str, facts: &mut RangeFacts) {
    // A first deploy brings the whole tree: compare with the empty tree.
    const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
    let options = crate::scan::ScanOptions {
        path: settings.checkout.clone(),
        mode: crate::scan::ScanMode::Diff {
            base: from.unwrap_or(EMPTY_TREE).to_owned(),
            head: to.to_owned(),
            merge_base: false,
        },
        threads: 2,
        budget: crate::scan::DEFAULT_BUDGET,
    };
    match crate::scan::scan(policy, &options, None) {
        Ok(outcome) => {
            for finding in outcome.findings {
                if finding.check.code.starts_with("LG9") {
                    facts.unknowns.push(Unknown {
                        reason: format!("the leak scan of the range: {} {}", finding.location, finding.message),
                        permission: "nothing".to_owned(),
                    });
                } else {
                    facts.test_data.push((
                        finding.location.path.clone(),
                        finding.check.code.to_owned(),
                        finding.message,
                    ));
                }
            }
        }
        Err(err) => facts.unknowns.push(Unknown {
            reason: format!("the leak scan of the range: {err}"),
            permission: "nothing".to_owned(),
        }),
    }
}

/// The leak scan of the range from the patches of the compare API, when no
/// clone has it: a file that needs its content and has no patch (binary, too
/// large), or more files than GitHub lists, cannot be verified.
fn test_data_from_patches(policy: &policy::Policy, changed: &[collect::ChangedFile], facts: &mut RangeFacts) {
    use crate::scan::remote::{self, RemoteFile};
    let mut unscannable = |path: &str, why: &str| {
        facts.unknowns.push(Unknown {
            reason: format!("the leak scan of {path}: {why}; run in a clone with the range (fetch-depth: 0)"),
            permission: "nothing".to_owned(),
        })
    };
    if changed.len() >= collect::MAX_COMPARE_FILES {
        unscannable(
            "the range",
            &format!("GitHub lists at most {} changed files", collect::MAX_COMPARE_FILES),
        );
    }
    let classifier = crate::classify::Classifier::new(&policy.leaks);
    let mut files = Vec::new();
    for entry in changed.iter().filter(|f| f.status != "removed") {
        let mut file = RemoteFile {
            path: entry.filename.clone(),
            placed: matches!(entry.status.as_str(), "added" | "renamed" | "copied"),
            ..RemoteFile::default()
        };
        match entry.patch.as_deref().and_then(remote::from_patch) {
            Some((text, added)) => {
                file.text = Some(text);
                file.added = added;
            }
            None if entry.patch.as_deref().is_some_and(|p| !p.is_empty()) => {
                unscannable(&entry.filename, "its patch is not a unified diff")
            }
            None => {
                let info = classifier.classify(&entry.filename);
                let wants = crate::checks::leaks::checks().iter().any(|c| c.wants_content(&info));
                if wants && entry.status != "renamed" {
                    unscannable(
                        &entry.filename,
                        "GitHub gives no patch for it (binary, or over its diff size limit)",
                    );
                }
            }
        }
        files.push(file);
    }
    let outcome = remote::scan_remote(policy, &files);
    for finding in outcome.findings {
        if finding.check.code.starts_with("LG9") {
            unscannable(&finding.location.path, &finding.message);
        } else {
            facts.test_data.push((
                finding.location.path.clone(),
                finding.check.code.to_owned(),
                finding.message,
            ));
        }
    }
}

fn table(run: &DeployRun) -> (Vec<&'static str>, Vec<Vec<String>>) {
    let headers = vec![
        "sha",
        "PR",
        "method",
        "merged by",
        "approvers on head",
        "verdict",
        "reasons",
    ];
    let rows = run
        .judgement
        .iter()
        .flat_map(|j| &j.commits)
        .map(|c| {
            vec![
                short(&c.sha).to_owned(),
                c.pull_request
                    .map(|n| format!("#{n}"))
                    .unwrap_or_else(|| "-".to_owned()),
                c.merge_method.clone(),
                c.merged_by
                    .as_deref()
                    .map(|m| format!("@{m}"))
                    .unwrap_or_else(|| "-".to_owned()),
                if c.approvers_on_head.is_empty() {
                    "-".to_owned()
                } else {
                    c.approvers_on_head
                        .iter()
                        .map(|a| format!("@{a}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                c.verdict.as_str().to_owned(),
                c.reasons.join("; "),
            ]
        })
        .collect();
    (headers, rows)
}

fn header_lines(run: &DeployRun) -> Vec<String> {
    let mut lines = vec![format!(
        "{}: deploying {}{} from {} to {}",
        run.repo,
        short(&run.to),
        run.tag.as_deref().map(|t| format!(" (tag {t})")).unwrap_or_default(),
        run.branch,
        run.environment
    )];
    lines.push(match &run.from {
        Some(from) => format!("baseline: {} ({})", short(from), run.baseline_sources.join("; ")),
        None => "baseline: none (first deploy: the whole history counts)".to_owned(),
    });
    if !run.policy_uri.is_empty() {
        lines.push(format!("policy: {}", run.policy_uri));
    }
    if let Some(j) = &run.judgement {
        let reviewed = j
            .commits
            .iter()
            .filter(|c| c.verdict == provenance::CommitVerdict::Reviewed)
            .count();
        let accepted = j
            .commits
            .iter()
            .filter(|c| c.verdict == provenance::CommitVerdict::Accepted)
            .count();
        lines.push(format!(
            "{reviewed} of {} reviewed{}",
            crate::report::count(j.commits.len(), "landing commit", "landing commits"),
            if accepted > 0 {
                format!(", {accepted} accepted by the policy ([[deploy.accept]])")
            } else {
                String::new()
            }
        ));
    }
    lines.extend(run.notes.iter().map(|n| format!("note: {n}")));
    lines
}

fn details(run: &DeployRun) -> (String, String) {
    let (headers, rows) = table(run);
    let mut text = header_lines(run).join("\n") + "\n";
    let mut markdown = header_lines(run)
        .iter()
        .map(|l| md_cell(l))
        .collect::<Vec<_>>()
        .join("  \n")
        + "\n\n";
    if run.judgement.is_some() {
        if rows.is_empty() {
            text.push_str("  (no commits in the range)\n");
            markdown.push_str("No commits in the range.\n");
        } else {
            text.push_str(&text_table(&headers, &rows));
            markdown.push_str(&md_table(&headers, &rows));
        }
    }
    (text, markdown)
}

fn extra(run: &DeployRun) -> Value {
    json!({
        "api": {
            "requests": run.api.requests, "conditional_hits": run.api.conditional_hits, "retries": run.api.retries,
            "graphql": { "queries": run.graphql.0, "cost": run.graphql.1, "remaining": run.graphql.2 },
        },
        "deploy": run.evidence(),
    })
}

/// Renders the run: (report, Markdown summary, exit code); writes --emit files.
pub fn render(
    run: &DeployRun,
    format: Format,
    color: bool,
    view: crate::report::view::View,
    fail_on: Severity,
    emit: &[crate::report::Emit],
) -> Result<(String, String, i32), String> {
    let (text, markdown) = details(run);
    let extra = extra(run);
    let report = Report {
        command: "deploy",
        findings: &run.findings,
        stats: None,
        fail_on,
        details: Some(&text),
        details_markdown: Some(&markdown),
        extra: Some(&extra),
        view,
        baseline_written: None,
    };
    let rendered = crate::report::render(format, &report, color);
    // The step summary is the full record, whatever the terminal shows.
    let summary = crate::report::render(
        Format::Markdown,
        &Report {
            view: crate::report::view::View::default(),
            ..report
        },
        false,
    );
    crate::report::emit_all(&report, emit)?;
    Ok((rendered, summary, report.verdict().exit_code()))
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The web host of the API: github.com for api.github.com, the Enterprise host otherwise.
pub fn server_host(api_url: &str) -> String {
    if let Some(server) = env("GITHUB_SERVER_URL") {
        return server
            .trim_start_matches("https://")
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_owned();
    }
    let host = api_url
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches("/api/v3");
    if host == "api.github.com" {
        "github.com".to_owned()
    } else {
        host.to_owned()
    }
}

fn settings_from(args: &crate::cli::DeployArgs, client: ClientOptions) -> Result<DeploySettings, String> {
    let repo = args.repo.clone().or_else(|| env("GITHUB_REPOSITORY")).ok_or(
        "--repo: no repository given; pass --repo OWNER/NAME (or run in GitHub Actions, where GITHUB_REPOSITORY names it)",
    )?;
    let (owner, name) = crate::cli::parse_repo("--repo", &repo).map_err(|e| e.to_string())?;
    let to = args
        .to
        .clone()
        .or_else(|| env("GITHUB_SHA"))
        .ok_or("--to: no commit given; pass --to SHA (or run in GitHub Actions, where GITHUB_SHA names it)")?;
    // A tag deploy: --to names a tag (the clone has it), or Actions runs on a
    // tag push (GITHUB_REF refs/tags/NAME, GITHUB_SHA its commit).
    let git_ref = env("GITHUB_REF");
    let to_tag = args.to.as_deref().and_then(|to| {
        let name = to.strip_prefix("refs/tags/").unwrap_or(to);
        LocalHistory::open(&args.checkout)
            .is_some_and(|l| l.is_tag(name))
            .then(|| name.to_owned())
    });
    let tag = to_tag.or_else(|| {
        git_ref
            .as_deref()
            .and_then(|r| r.strip_prefix("refs/tags/"))
            .map(str::to_owned)
    });
    let branch =
        match (&args.branch, &git_ref) {
            (Some(branch), _) => Some(branch.clone()),
            (None, _) if tag.is_some() => None,
            (None, Some(git_ref)) => Some(git_ref.strip_prefix("refs/heads/").map(str::to_owned).ok_or(format!(
                "--branch: GITHUB_REF is `{git_ref}`, neither a branch nor a tag; pass --branch NAME (the branch that \
             deploys)"
            ))?),
            (None, None) => return Err(
                "--branch: no branch given; pass --branch NAME (or run in GitHub Actions, where GITHUB_REF names it)"
                    .to_owned(),
            ),
        };
    if args.environment.trim().is_empty() {
        return Err("--environment: empty; name the environment being deployed to".to_owned());
    }
    if args.max_commits == 0 {
        return Err("--max-commits: must be at least 1".to_owned());
    }
    Ok(DeploySettings {
        owner,
        name,
        environment: args.environment.clone(),
        to,
        branch,
        tag,
        from: args.from.clone(),
        previous_attestation: args.previous_attestation.clone(),
        first_deploy: args.first_deploy,
        max_commits: args.max_commits,
        checkout: args.checkout.clone(),
        policy: args.policy.clone(),
        server_host: server_host(&client.api_url),
        client,
    })
}

pub fn run(args: crate::cli::DeployArgs, verbosity: crate::cli::Verbosity) -> Outcome {
    let (format, client_options) = match online_setup(&args.report, &args.github, verbosity) {
        Ok(setup) => setup,
        Err(err) => return Outcome::error(err),
    };
    let settings = match settings_from(&args, client_options) {
        Ok(settings) => settings,
        Err(err) => return Outcome::error(err),
    };
    let scrub = crate::sanitize::scrub;
    let client = match Client::new(settings.client.clone()) {
        Ok(client) => client,
        Err(err) => return Outcome::error(scrub(&err.to_string())),
    };
    let run = match evaluate(&client, &settings) {
        Ok(run) => run,
        Err(err) => return Outcome::error(scrub(&err)),
    };
    let color = color_for(args.report.look.color, format, args.report.output.output.is_some());
    let view = super::shared::view(&args.report, verbosity);
    let (rendered, summary, exit) = match render(
        &run,
        format,
        color,
        view,
        args.report.output.fail_on.severity(),
        &args.report.output.emit,
    ) {
        Ok(done) => done,
        Err(err) => return Outcome::error(err),
    };
    let mut stderr = String::new();
    if let Some(file) = &args.attest {
        let previous = args
            .previous_attestation
            .as_ref()
            .and_then(|p| std::fs::read(p).ok().map(|bytes| (p.display().to_string(), bytes)));
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let text = scrub(&attest::bundle(&run, &attest::iso8601(now), previous.as_ref()));
        if let Err(err) = std::fs::write(file, text) {
            return Outcome::error(format!("--attest {}: cannot write: {err}", file.display()));
        }
    }
    if format == Format::Github {
        if let Some(file) = std::env::var_os("GITHUB_STEP_SUMMARY") {
            let appended = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&file)
                .and_then(|mut f| std::io::Write::write_all(&mut f, summary.as_bytes()));
            if let Err(err) = appended {
                stderr.push_str(&format!("livegate: GITHUB_STEP_SUMMARY: cannot write: {err}\n"));
            }
        }
    }
    deliver(scrub(&rendered), stderr, exit, args.report.output.output.as_deref())
}

//! Effective protection: classic branch protection and every active ruleset
//! rule that applies, merged setting by setting (the most restrictive wins),
//! remembering which source gave each value.

use serde::Serialize;

use crate::facts::protection::BranchFacts;
use crate::facts::Known;

/// Where a setting's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Source {
    None,
    Classic,
    Ruleset { id: u64, name: String, level: String },
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::None => f.write_str("-"),
            Source::Classic => f.write_str("classic protection"),
            Source::Ruleset { id, name, level } => write!(f, "{level} ruleset \"{name}\" ({id})"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Setting<T> {
    pub value: T,
    pub source: Source,
}

impl<T: Default> Default for Setting<T> {
    fn default() -> Self {
        Setting {
            value: T::default(),
            source: Source::None,
        }
    }
}

impl Setting<bool> {
    /// A requirement turned on by some source; the first source that turns it on is kept.
    fn enable(&mut self, on: bool, source: &Source) {
        if on && !self.value {
            self.value = true;
            self.source = source.clone();
        }
    }
}

impl Setting<u32> {
    fn raise(&mut self, value: u32, source: &Source) {
        if value > self.value {
            self.value = value;
            self.source = source.clone();
        }
    }
}

/// One actor that can bypass a ruleset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Bypass {
    pub source: Source,
    pub actor_type: String,
    pub actor_id: Option<u64>,
    /// `always`, or `pull_request` (only when merging a pull request).
    pub mode: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct EffectiveProtection {
    pub pull_request_required: Setting<bool>,
    pub required_approvals: Setting<u32>,
    pub dismiss_stale_reviews: Setting<bool>,
    pub code_owner_review: Setting<bool>,
    pub last_push_approval: Setting<bool>,
    pub conversation_resolution: Setting<bool>,
    pub status_checks: Vec<Setting<String>>,
    /// Required checks that some active source pins to an app: context →
    /// (app id, the source that pins it). Any other required check can be
    /// satisfied by a commit status that any token with `statuses: write`
    /// posts.
    pub pinned_checks: std::collections::BTreeMap<String, (u64, Source)>,
    pub strict_status_checks: Setting<bool>,
    pub force_push_blocked: Setting<bool>,
    pub deletion_blocked: Setting<bool>,
    pub linear_history: Setting<bool>,
    pub signed_commits: Setting<bool>,
    /// Classic "enforce for administrators"; `None` when classic protection is absent or unknown.
    pub classic_enforce_admins: Option<bool>,
    pub bypass: Vec<Bypass>,
    /// Rulesets whose bypass list the token cannot see: (source, permission to grant).
    pub bypass_unknown: Vec<(Source, String)>,
    /// Classic protection could not be read: the merge covers rulesets only.
    pub classic_unknown: Option<crate::facts::Unknown>,
    /// Anything protects the branch at all.
    pub protected: bool,
}

fn add_status_check(list: &mut Vec<Setting<String>>, context: String, source: &Source) {
    if !list.iter().any(|s| s.value == context) {
        list.push(Setting {
            value: context,
            source: source.clone(),
        });
    }
}

pub fn effective_protection(facts: &BranchFacts) -> EffectiveProtection {
    let mut eff = EffectiveProtection::default();
    match &facts.classic {
        Known::Known(Some(classic)) => {
            let source = Source::Classic;
            eff.protected = true;
            if let Some(reviews) = &classic.required_pull_request_reviews {
                eff.pull_request_required.enable(true, &source);
                eff.required_approvals
                    .raise(reviews.required_approving_review_count, &source);
                eff.dismiss_stale_reviews.enable(reviews.dismiss_stale_reviews, &source);
                eff.code_owner_review
                    .enable(reviews.require_code_owner_reviews, &source);
                eff.last_push_approval
                    .enable(reviews.require_last_push_approval, &source);
            }
            if let Some(checks) = &classic.required_status_checks {
                eff.strict_status_checks.enable(checks.strict, &source);
                for context in checks
                    .contexts
                    .iter()
                    .cloned()
                    .chain(checks.checks.iter().map(|c| c.context.clone()))
                {
                    add_status_check(&mut eff.status_checks, context, &source);
                }
                for check in &checks.checks {
                    if let Some(app) = check.app_id.and_then(|id| u64::try_from(id).ok()).filter(|id| *id > 0) {
                        eff.pinned_checks
                            .entry(check.context.clone())
                            .or_insert((app, source.clone()));
                    }
                }
            }
            let on = |flag: Option<crate::facts::protection::Enabled>| flag.is_some_and(|f| f.enabled);
            eff.conversation_resolution
                .enable(on(classic.required_conversation_resolution), &source);
            eff.linear_history.enable(on(classic.required_linear_history), &source);
            eff.signed_commits.enable(on(classic.required_signatures), &source);
            // Classic protection blocks force pushes and deletions unless they are allowed.
            eff.force_push_blocked.enable(!on(classic.allow_force_pushes), &source);
            eff.deletion_blocked.enable(!on(classic.allow_deletions), &source);
            eff.classic_enforce_admins = Some(on(classic.enforce_admins));
        }
        Known::Known(None) => {}
        Known::Unknown(unknown) => eff.classic_unknown = Some(unknown.clone()),
    }
    for rule in &facts.rules {
        let ruleset = rule.ruleset_id.and_then(|id| facts.rulesets.get(&id));
        let source = Source::Ruleset {
            id: rule.ruleset_id.unwrap_or_default(),
            name: ruleset.map_or_else(
                || format!("ruleset {}", rule.ruleset_id.unwrap_or_default()),
                |r| r.name.clone(),
            ),
            level: match rule
                .ruleset_source_type
                .as_deref()
                .or(ruleset.map(|r| r.source_type.as_str()))
            {
                Some("Organization") => "organization".to_owned(),
                Some("Enterprise") => "enterprise".to_owned(),
                _ => "repository".to_owned(),
            },
        };
        eff.protected = true;
        match rule.kind.as_str() {
            "pull_request" => {
                eff.pull_request_required.enable(true, &source);
                eff.required_approvals
                    .raise(rule.param_u32("required_approving_review_count").unwrap_or(0), &source);
                eff.dismiss_stale_reviews
                    .enable(rule.param_bool("dismiss_stale_reviews_on_push"), &source);
                eff.code_owner_review
                    .enable(rule.param_bool("require_code_owner_review"), &source);
                eff.last_push_approval
                    .enable(rule.param_bool("require_last_push_approval"), &source);
                eff.conversation_resolution
                    .enable(rule.param_bool("required_review_thread_resolution"), &source);
            }
            "required_status_checks" => {
                eff.strict_status_checks
                    .enable(rule.param_bool("strict_required_status_checks_policy"), &source);
                for (context, app) in rule.status_contexts() {
                    if let Some(app) = app {
                        eff.pinned_checks
                            .entry(context.clone())
                            .or_insert((app, source.clone()));
                    }
                    add_status_check(&mut eff.status_checks, context, &source);
                }
            }
            "non_fast_forward" => eff.force_push_blocked.enable(true, &source),
            "deletion" => eff.deletion_blocked.enable(true, &source),
            "required_linear_history" => eff.linear_history.enable(true, &source),
            "required_signatures" => eff.signed_commits.enable(true, &source),
            _ => {}
        }
    }
    for ruleset in facts.rulesets.values() {
        let source = Source::Ruleset {
            id: ruleset.id,
            name: ruleset.name.clone(),
            level: if ruleset.source_type == "Organization" {
                "organization"
            } else {
                "repository"
            }
            .to_owned(),
        };
        match &ruleset.bypass {
            Known::Known(actors) => eff
                .bypass
                .extend(actors.iter().map(|(actor_type, actor_id, mode)| Bypass {
                    source: source.clone(),
                    actor_type: actor_type.clone(),
                    actor_id: *actor_id,
                    mode: mode.clone(),
                })),
            Known::Unknown(unknown) => eff.bypass_unknown.push((source, unknown.permission.clone())),
        }
    }
    eff
}

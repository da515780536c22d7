//! Collects what protects a branch: classic protection, the active rules that
//! apply to it, and the rulesets those rules come from (for bypass actors).

use std::collections::BTreeMap;

use super::client::{ApiError, Client};
use super::models::{Repository, Ruleset};
use crate::facts::protection::{BranchFacts, BranchRule, ClassicProtection, RulesetFacts};
use crate::facts::{Known, Unknown, ADMIN_READ, RULESET_WRITE};

/// Repository-level facts shared by every branch.
#[derive(Debug, Clone)]
pub struct RepoFacts {
    /// Absent when it was not needed (explicit branches).
    pub repo: Option<Repository>,
    /// Branch rulesets in evaluate or disabled mode: they protect nothing.
    pub inactive_rulesets: Known<Vec<RulesetFacts>>,
}

/// Percent-encodes a branch name for a path, keeping `/` (GitHub accepts it).
pub fn encode_branch(branch: &str) -> String {
    let mut out = String::new();
    for byte in branch.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => out.push(byte as char),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

fn ruleset_facts(ruleset: &Ruleset, endpoint: &str) -> RulesetFacts {
    let bypass = match &ruleset.bypass_actors {
        Some(actors) => Known::Known(
            actors
                .iter()
                .map(|a| (a.actor_type.clone(), a.actor_id, a.bypass_mode.clone()))
                .collect(),
        ),
        None => Known::Unknown(Unknown {
            reason: format!("GET {endpoint} did not include bypass_actors (the token cannot manage this ruleset)"),
            permission: RULESET_WRITE.to_owned(),
        }),
    };
    RulesetFacts {
        id: ruleset.id,
        name: ruleset.name.clone(),
        source_type: ruleset.source_type.clone().unwrap_or_else(|| "Repository".to_owned()),
        source: ruleset.source.clone().unwrap_or_default(),
        enforcement: ruleset.enforcement.clone(),
        bypass,
    }
}

/// Collects the repository (when `need_repository`: its default branch is
/// needed to resolve `~DEFAULT_BRANCH`) and its inactive rulesets. With
/// explicit branches the repository call is skipped: the rulesets list
/// answers 404 for a repository that does not exist just the same.
pub fn collect_repo(client: &Client, owner: &str, name: &str, need_repository: bool) -> Result<RepoFacts, ApiError> {
    let repo = if need_repository {
        let endpoint = format!("/repos/{owner}/{name}");
        Some(client.get(&endpoint)?.json::<Repository>(&endpoint)?)
    } else {
        None
    };
    let list_endpoint = format!("/repos/{owner}/{name}/rulesets?includes_parents=true");
    let inactive_rulesets = match client.get_all::<Ruleset>(&list_endpoint) {
        Ok(list) => Known::Known(
            list.iter()
                .filter(|r| r.enforcement != "active" && r.target.as_deref().unwrap_or("branch") == "branch")
                .map(|r| ruleset_facts(r, &list_endpoint))
                .collect(),
        ),
        // Without the repository call, a 404 here is the "not found" answer.
        Err(err @ ApiError::NotFound { .. }) if repo.is_none() => return Err(err),
        Err(err @ (ApiError::Denied { .. } | ApiError::NotFound { .. })) => Known::Unknown(Unknown {
            reason: err.to_string(),
            permission: "Metadata: read".to_owned(),
        }),
        Err(err) => return Err(err),
    };
    Ok(RepoFacts {
        repo,
        inactive_rulesets,
    })
}

/// Collects one branch. `seen` caches ruleset details across branches, so a
/// ruleset is fetched once per run.
pub fn collect_branch(
    client: &Client,
    owner: &str,
    name: &str,
    branch: &str,
    seen: &mut BTreeMap<u64, RulesetFacts>,
) -> Result<BranchFacts, ApiError> {
    let encoded = encode_branch(branch);
    let protection_endpoint = format!("/repos/{owner}/{name}/branches/{encoded}/protection");
    let classic = match client.get(&protection_endpoint) {
        Ok(response) => Known::Known(Some(response.json::<ClassicProtection>(&protection_endpoint)?)),
        Err(ApiError::NotFound { message, .. }) if message == "Branch not protected" => Known::Known(None),
        // An admin asking about a branch that does not exist.
        Err(err @ ApiError::NotFound { .. }) if err.to_string().ends_with("Branch not found") => return Err(err),
        // Unauthenticated (a public repository read without a token), or
        // authenticated without admin: either way, unknown.
        Err(err @ (ApiError::NotFound { .. } | ApiError::Denied { .. } | ApiError::Unauthorized { .. })) => {
            Known::Unknown(Unknown {
                reason: format!("{err} (GitHub answers this way when the caller may not read branch protection)"),
                permission: ADMIN_READ.to_owned(),
            })
        }
        Err(err) => return Err(err),
    };
    let rules_endpoint = format!("/repos/{owner}/{name}/rules/branches/{encoded}");
    let rules: Vec<BranchRule> = client.get_all(&rules_endpoint)?;
    let mut rulesets = BTreeMap::new();
    for id in rules.iter().filter_map(|r| r.ruleset_id) {
        if rulesets.contains_key(&id) {
            continue;
        }
        if let Some(facts) = seen.get(&id) {
            rulesets.insert(id, facts.clone());
            continue;
        }
        let endpoint = format!("/repos/{owner}/{name}/rulesets/{id}?includes_parents=true");
        let facts = match client.get(&endpoint) {
            Ok(response) => ruleset_facts(&response.json::<Ruleset>(&endpoint)?, &endpoint),
            Err(err @ (ApiError::NotFound { .. } | ApiError::Denied { .. })) => {
                let rule = rules.iter().find(|r| r.ruleset_id == Some(id));
                RulesetFacts {
                    id,
                    name: format!("ruleset {id}"),
                    source_type: rule.and_then(|r| r.ruleset_source_type.clone()).unwrap_or_default(),
                    source: rule.and_then(|r| r.ruleset_source.clone()).unwrap_or_default(),
                    enforcement: "active".to_owned(),
                    bypass: Known::Unknown(Unknown {
                        reason: err.to_string(),
                        permission: RULESET_WRITE.to_owned(),
                    }),
                }
            }
            Err(err) => return Err(err),
        };
        seen.insert(id, facts.clone());
        rulesets.insert(id, facts);
    }
    Ok(BranchFacts {
        repo: format!("{owner}/{name}"),
        branch: branch.to_owned(),
        classic,
        rules,
        rulesets,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn branch_names_are_encoded_but_keep_slashes() {
        assert_eq!(encode_branch("release/1.0"), "release/1.0");
        assert_eq!(encode_branch("feat#1 x?"), "feat%231%20x%3F");
    }
}

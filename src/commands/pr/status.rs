//! `pr --status`: the verdict as the commit status `livegate/review`. Any
//! workflow with `statuses: write` can post this context too: it is advice,
//! not a gate (only the App's check run is).

use serde_json::json;

use super::{PrSettings, STATUS_CONTEXT};
use crate::github::client::Client;
use crate::report::finding::Finding;
use crate::report::Verdict;

/// Posts the verdict as the commit status `livegate/review` on the head.
pub(super) fn post_status(
    client: &Client,
    settings: &PrSettings,
    sha: &str,
    verdict: Verdict,
    findings: &[Finding],
) -> Result<(), String> {
    let (state, description) = match verdict {
        Verdict::Pass => ("success", "Review requirements met".to_owned()),
        Verdict::Fail => {
            let first = findings
                .iter()
                .find(|f| f.severity >= settings.fail_on)
                .map(|f| f.message.clone());
            (
                "failure",
                first.unwrap_or_else(|| "Review requirements not met".to_owned()),
            )
        }
        Verdict::Unverified => ("error", "Could not verify the review; see the run".to_owned()),
    };
    // GitHub truncates nothing: a description over 140 characters is refused.
    let description: String = if description.chars().count() > 140 {
        description.chars().take(139).collect::<String>() + "…"
    } else {
        description
    };
    let mut body = json!({ "state": state, "context": STATUS_CONTEXT, "description": description });
    if let Some(url) = &settings.target_url {
        body["target_url"] = json!(url);
    }
    let endpoint = format!("/repos/{}/{}/statuses/{sha}", settings.owner, settings.name);
    client.post(&endpoint, &body).map(|_| ()).map_err(|err| {
        format!("--status: {err}; the token needs Commit statuses: write (fine-grained) or repo:status (classic), or `statuses: write` in the workflow's permissions")
    })
}

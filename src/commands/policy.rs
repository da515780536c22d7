//! `livegate policy show|validate`: the effective policy and its layers.

use std::path::PathBuf;

use crate::cli::PolicyAction;
use crate::policy;

use super::shared::{load_policy, repo_root, Outcome};

pub fn run(action: PolicyAction) -> Outcome {
    let cwd = PathBuf::from(".");
    match action {
        PolicyAction::Schema => Outcome {
            stdout: policy::json_schema(),
            ..Outcome::default()
        },
        PolicyAction::Show { preset: Some(name), .. } => match policy::preset_text(&name) {
            Some(text) => Outcome {
                stdout: text.to_owned(),
                ..Outcome::default()
            },
            None => Outcome::error(format!(
                "--preset: unknown preset `{name}`; use one of {}",
                policy::preset_names().join(", ")
            )),
        },
        PolicyAction::Show { file, preset: None } => match load_policy(file.as_deref(), &repo_root(&cwd)) {
            Ok(policy) => {
                let header: String = policy.sources.iter().map(|s| format!("# from {s}\n")).collect();
                Outcome {
                    stdout: format!("{header}{}", policy::to_toml(&policy)),
                    ..Outcome::default()
                }
            }
            Err(err) => Outcome::error(err),
        },
        PolicyAction::Validate { file } => {
            let file = match file {
                Some(file) => file,
                None => match policy::find_policy_file(&repo_root(&cwd)) {
                    Ok(Some(file)) => file,
                    Ok(None) => {
                        return Outcome::error(format!(
                            "no policy file found ({}); give one as an argument",
                            policy::POLICY_LOCATIONS.join(" or ")
                        ))
                    }
                    Err(err) => return Outcome::error(err),
                },
            };
            match policy::load_file(&file) {
                Ok(policy) => Outcome {
                    stdout: format!("{}: ok (layers: {})\n", file.display(), policy.sources.join(" <- ")),
                    ..Outcome::default()
                },
                Err(err) => Outcome::error(err),
            }
        }
    }
}

//! What collectors observed. A setting that could not be read is not "off":
//! it is `Unknown`, with the reason and the permission that would reveal it.
//! Collectors (`github/`, `scan/`) produce facts; checks read them.

use serde::{Deserialize, Serialize};

pub mod protection;
pub mod provenance;
pub mod settings;

/// The permissions that reveal a setting, in fine-grained and classic wording.
pub const ADMIN_READ: &str =
    "Administration: read (fine-grained token or GitHub App), or admin on the repository (classic token)";
pub const METADATA_READ: &str = "Metadata: read (fine-grained token or GitHub App), or repo (classic token)";
pub const ORG_ADMIN_READ: &str =
    "organisation Administration: read (fine-grained token or GitHub App), or organisation owner with admin:org (classic token)";
pub const HOOKS_READ: &str =
    "Webhooks: read (fine-grained token or GitHub App), or admin on the repository (classic token)";

pub const RULESET_WRITE: &str = "write on the ruleset to see its bypass list: repository admin for repository rulesets, organization admin for organization rulesets";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    /// What went wrong, naming the endpoint.
    pub reason: String,
    /// The permission to grant, precisely (fine-grained and classic wording).
    pub permission: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "value", rename_all = "lowercase")]
pub enum Known<T> {
    Known(T),
    Unknown(Unknown),
}

impl<T> Known<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Known::Known(value) => Some(value),
            Known::Unknown(_) => None,
        }
    }

    pub fn unknown(&self) -> Option<&Unknown> {
        match self {
            Known::Known(_) => None,
            Known::Unknown(unknown) => Some(unknown),
        }
    }
}

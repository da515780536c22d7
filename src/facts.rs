//! What collectors observed. A setting that could not be read is not "off":
//! it is `Unknown`, with the reason and the permission that would reveal it.

use serde::{Deserialize, Serialize};

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

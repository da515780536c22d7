//! Everything that talks to GitHub: the client, its cache, the models of
//! endpoints octocrab does not type, and the collectors that turn answers
//! into facts (with Known/Unknown). Collectors never judge.

pub mod cache;
pub mod client;
pub mod models;
pub mod protection;
pub mod provenance;
pub mod secret;
pub mod settings;

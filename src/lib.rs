//! livegate guards the way into production. This library holds everything;
//! the binary only parses arguments, runs, prints and maps exit codes.

pub mod checks;
pub mod classify;
pub mod policy;
pub mod report;
pub mod scan;
pub mod values;
pub mod app;
pub mod cli;
pub mod docs;
pub mod hook;
pub mod github;

//! livegate guards the way into production. This library holds everything;
//! the binary only parses arguments, runs, prints and maps exit codes.

pub mod checks;
pub mod classify;
pub mod cli;
pub mod commands;
pub mod diag;
pub mod docs;
pub mod exit;
pub mod facts;
pub mod github;
pub mod policy;
pub mod registry;
pub mod report;
pub mod sanitize;
pub mod scan;
pub mod timestamp;
pub mod values;

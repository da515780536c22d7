//! livegate guards the way into production. This library holds everything;
//! the binary only parses arguments, runs, prints and maps exit codes.

pub mod app;
pub mod audit;
pub mod checks;
pub mod classify;
pub mod cli;
pub mod diag;
pub mod docs;
pub mod facts;
pub mod github;
pub mod hook;
pub mod policy;
pub mod pr;
pub mod protect;
pub mod report;
pub mod review;
pub mod scan;
pub mod values;

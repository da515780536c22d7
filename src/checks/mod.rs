//! The checks: pure functions of the policy and collected facts that return
//! findings. No I/O, no clock, no network: commands collect, checks judge.
//! Their metadata lives in `crate::registry`.

pub mod leaks;
pub mod protection;
pub mod provenance;
pub mod review;
pub mod settings;

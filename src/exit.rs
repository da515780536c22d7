//! The exit codes, in one place every layer may import.

/// Nothing at or above `--fail-on` was found, and everything was verified.
pub const PASS: i32 = 0;
/// Findings at or above `--fail-on`.
pub const FINDINGS: i32 = 1;
/// A usage, configuration or runtime error: nothing was judged.
pub const ERROR: i32 = 2;
/// Something the verdict depends on could not be verified (LG9xx): never a pass.
pub const UNVERIFIED: i32 = 3;

//! One module per command. Each collects facts, runs the checks and builds
//! the report; it returns what to print and the exit code, and the binary
//! does the printing, so everything here is testable.

pub mod audit;
pub mod catalog;
pub mod deploy;
pub mod hook;
pub mod policy;
pub mod pr;
pub mod protect;
pub mod scan;
pub mod serve;
pub mod shared;

use crate::cli::{Command, Verbosity};
pub use shared::Outcome;

/// Runs a parsed command. What it returns is the process's last word, so
/// it is scrubbed of secrets here, and its stderr (which embeds API and
/// repository text) made inert.
pub fn run(command: Command, verbosity: Verbosity) -> Outcome {
    let outcome = dispatch(command, verbosity);
    Outcome {
        stdout: crate::sanitize::scrub(&outcome.stdout),
        stderr: crate::sanitize::block(&crate::sanitize::scrub(&outcome.stderr)),
        exit: outcome.exit,
    }
}

fn dispatch(command: Command, verbosity: Verbosity) -> Outcome {
    match command {
        Command::Scan(args) => match args.into_settings(verbosity) {
            Ok(settings) => scan::run(&settings),
            Err(err) => Outcome::error(err),
        },
        Command::Protect(args) => protect::run(args, verbosity),
        Command::Pr(args) => pr::run(args, verbosity),
        Command::Serve(args) => serve::run(args, verbosity),
        Command::Audit(args) => audit::run(args, verbosity),
        Command::Deploy(args) => deploy::run(args, verbosity),
        Command::Checks { format } => catalog::list(format),
        Command::Explain { code } => catalog::explain(&code),
        Command::Policy { action } => policy::run(action),
        Command::Hook { action } => hook::run(action, verbosity),
        Command::GenDocs { dir, check } => catalog::gen_docs(&dir, check),
        Command::DebugPatterns => catalog::debug_patterns(),
        Command::Completions { shell } => catalog::completions(shell),
    }
}

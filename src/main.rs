//! The livegate binary: parse arguments, run, print, exit.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{IsTerminal, Write};

use clap::{CommandFactory, Parser};

/// Writes to standard error, ignoring a closed or broken one: nothing is
/// left to tell, and a panic would turn the exit code into 101.
fn to_stderr(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
}

fn main() {
    let cli = livegate::cli::Cli::parse();
    // clap checks the conflict only when both flags are given at the same
    // level (`-q scan -v` slips through): checked again here, as clap would.
    if cli.verbosity.quiet && cli.verbosity.verbose {
        livegate::cli::Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "the argument '--quiet' cannot be used with '--verbose'",
            )
            .exit();
    }
    // A bug must not exit 101 (which a caller may not read as a failure of
    // the gate) nor print untrusted text raw: it is reported, scrubbed and
    // escaped, and the run ends as an error (exit 2), never a pass.
    std::panic::set_hook(Box::new(|info| {
        let message = livegate::sanitize::block(&livegate::sanitize::scrub(&info.to_string()));
        to_stderr(&format!(
            "error: livegate hit an internal error, a bug (please report it): {message}\n"
        ));
    }));
    // Progress and --verbose lines, as they happen.
    let progress = if cli.verbosity.quiet {
        livegate::diag::ProgressMode::Hidden
    } else if std::io::stderr().is_terminal() {
        livegate::diag::ProgressMode::Bar
    } else {
        livegate::diag::ProgressMode::Lines
    };
    livegate::diag::install(Box::new(to_stderr), progress);
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        livegate::commands::run(cli.command, cli.verbosity)
    }))
    .unwrap_or_else(|_| livegate::commands::Outcome {
        stdout: String::new(),
        stderr: String::new(),
        exit: livegate::exit::ERROR,
    });
    // The report carries colour only when the command decided on it (see
    // `report::color`); anstream passes it through, or turns it into console
    // calls on a Windows console without ANSI support.
    let mut stdout = anstream::AutoStream::new(std::io::stdout().lock(), anstream::ColorChoice::Always);
    // A closed pipe (`livegate scan | head`) is not an error worth a panic.
    let _ = stdout
        .write_all(outcome.stdout.as_bytes())
        .and_then(|()| stdout.flush());
    to_stderr(&outcome.stderr);
    std::process::exit(outcome.exit);
}

//! The livegate binary: parse arguments, run, print, exit.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;

use clap::Parser;

fn main() {
    let cli = livegate::cli::Cli::parse();
    // Progress and --verbose lines, as they happen.
    livegate::diag::install(Box::new(|text| {
        let mut stderr = std::io::stderr().lock();
        let _ = stderr.write_all(text.as_bytes()).and_then(|()| stderr.flush());
    }));
    let outcome = livegate::commands::run(cli.command);
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`livegate scan | head`) is not an error worth a panic.
    let _ = stdout
        .write_all(outcome.stdout.as_bytes())
        .and_then(|()| stdout.flush());
    eprint!("{}", outcome.stderr);
    std::process::exit(outcome.exit);
}

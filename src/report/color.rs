//! When the human report is coloured, and the styles it is coloured with.
//!
//! The decision follows the conventions users set once for every tool:
//! `--color always|never` first, then `NO_COLOR` (no-color.org: only when
//! set and not empty), `CLICOLOR_FORCE` (set, not empty and not `0`) and
//! `FORCE_COLOR` (force-color.org: set and not empty), `CLICOLOR=0`, and
//! finally whether standard output is a terminal that is not `TERM=dumb`.

use std::ffi::OsString;

use anstyle::{AnsiColor, Effects, Style};

/// `--color`, as the report layer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Whether to colour, given the flag, whether the output is a terminal and
/// the environment (passed in so that every rule can be tested).
pub fn use_color(when: ColorWhen, is_terminal: bool, env: impl Fn(&str) -> Option<OsString>) -> bool {
    let set = |name: &str| env(name).filter(|value| !value.is_empty());
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            if set("NO_COLOR").is_some() {
                false
            } else if set("CLICOLOR_FORCE").is_some_and(|value| value != "0") || set("FORCE_COLOR").is_some() {
                true
            } else if env("CLICOLOR").is_some_and(|value| value == "0") {
                false
            } else {
                is_terminal && env("TERM").is_none_or(|term| term != "dumb")
            }
        }
    }
}

/// The verdict of a passing run.
pub const PASS: Style = AnsiColor::Green.on_default().effects(Effects::BOLD);
/// The verdict of a failing run; also the colour of error diagnostics.
pub const FAIL: Style = AnsiColor::Red.on_default().effects(Effects::BOLD);
/// The verdict of a run that could not verify something.
pub const UNVERIFIED: Style = AnsiColor::Magenta.on_default().effects(Effects::BOLD);

/// `text` in `style` when colouring, as is otherwise.
pub fn paint(on: bool, style: Style, text: &str) -> String {
    if on {
        format!("{style}{text}{style:#}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| OsString::from(v))
    }

    #[test]
    fn the_flag_wins_over_the_environment() {
        assert!(use_color(ColorWhen::Always, false, with(&[("NO_COLOR", "1")])));
        assert!(!use_color(ColorWhen::Never, true, with(&[("FORCE_COLOR", "1")])));
    }

    #[test]
    fn auto_follows_the_terminal_and_the_conventions() {
        let auto = |tty, vars: &[(&str, &str)]| use_color(ColorWhen::Auto, tty, with(vars));
        assert!(auto(true, &[]));
        assert!(!auto(false, &[]));
        assert!(!auto(true, &[("TERM", "dumb")]));
        // NO_COLOR counts only when not empty.
        assert!(!auto(true, &[("NO_COLOR", "1")]));
        assert!(auto(true, &[("NO_COLOR", "")]));
        // CLICOLOR=0 turns it off; other values leave the terminal to decide.
        assert!(!auto(true, &[("CLICOLOR", "0")]));
        assert!(!auto(false, &[("CLICOLOR", "1")]));
        // Forcing: CLICOLOR_FORCE unless empty or 0, FORCE_COLOR unless empty.
        assert!(auto(false, &[("CLICOLOR_FORCE", "1")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "0")]));
        assert!(!auto(false, &[("CLICOLOR_FORCE", "")]));
        assert!(auto(false, &[("FORCE_COLOR", "0")]));
        assert!(!auto(false, &[("FORCE_COLOR", "")]));
        assert!(auto(false, &[("FORCE_COLOR", "1"), ("CLICOLOR", "0")]));
        // Asked for none beats asked to force.
        assert!(!auto(false, &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
    }
}

//! Live diagnostics: `--verbose` request lines, progress, and the
//! structured log of `serve`. They cannot wait for the run to end, yet only
//! the binary prints; so the library hands them to a sink the binary
//! installs once, with how progress is shown. Without a sink (the library
//! used on its own, unit tests) they are dropped.

use std::fmt;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use indicatif::{HumanDuration, ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};

type Sink = Arc<dyn Fn(&str) + Send + Sync>;

/// How progress is shown: the binary decides from `-q` and whether
/// standard error is a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgressMode {
    /// `-q`, or no sink: nothing.
    Hidden,
    /// Standard error is not a terminal (CI logs, a file): a plain line now
    /// and then, never redrawn.
    Lines,
    /// A terminal: one line redrawn in place, cleared at the end.
    Bar,
}

struct Installed {
    sink: Sink,
    mode: ProgressMode,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

/// The bar on screen, if any: other diagnostics are written around it.
static ACTIVE_BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Installs where diagnostics go and how progress is shown; the first call wins.
pub fn install(sink: Box<dyn Fn(&str) + Send + Sync>, mode: ProgressMode) {
    let _ = INSTALLED.set(Installed {
        sink: Arc::from(sink),
        mode,
    });
}

/// Hands text (with its own line endings) to the sink, scrubbed of secrets
/// and with untrusted controls escaped.
pub fn emit(text: &str) {
    if let Some(installed) = INSTALLED.get() {
        let text = crate::sanitize::progress(&crate::sanitize::scrub(text));
        let bar = ACTIVE_BAR.lock().unwrap_or_else(|e| e.into_inner()).clone();
        match bar {
            // The bar's line is cleared, the text written, the bar redrawn
            // below it: a `-v` request line never lands in the middle.
            Some(bar) => bar.suspend(|| (installed.sink)(&text)),
            None => (installed.sink)(&text),
        }
    }
}

/// How much a line of the structured log matters: `-q` keeps warnings and
/// errors, the default adds info, `-v` adds debug (per-request detail).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Debug => "debug",
            Level::Info => "info",
            Level::Warn => "warn",
            Level::Error => "error",
        }
    }

    /// The least important level `-q` / `-v` let through.
    pub fn threshold(quiet: bool, verbose: bool) -> Level {
        match (quiet, verbose) {
            (true, _) => Level::Warn,
            (false, true) => Level::Debug,
            (false, false) => Level::Info,
        }
    }
}

/// The least important level the structured log writes; 0 while no command
/// has started one.
static LOG_THRESHOLD: AtomicU8 = AtomicU8::new(0);

/// Starts the structured log (one JSON object per line), writing lines at
/// `threshold` and above; from now on `--verbose` notes are debug lines of it.
pub fn start_log(threshold: Level) {
    LOG_THRESHOLD.store(threshold as u8, Ordering::SeqCst);
}

/// One line of the structured log, with its `level` and a `ts`; dropped
/// below the threshold, or when no log was started.
pub fn log(level: Level, mut line: serde_json::Value) {
    let threshold = LOG_THRESHOLD.load(Ordering::SeqCst);
    if threshold == 0 || (level as u8) < threshold {
        return;
    }
    line["level"] = serde_json::Value::from(level.as_str());
    line["ts"] = serde_json::Value::from(crate::timestamp::iso8601(crate::timestamp::now_secs()));
    emit(&format!("{line}\n"));
}

/// A `--verbose` note (a request to GitHub, a retry, a wait): a plain
/// `livegate: ` line, or, once a structured log is on, a debug line of it
/// naming the thread (a `serve` worker) that made the request.
pub fn note(text: &str) {
    if LOG_THRESHOLD.load(Ordering::SeqCst) == 0 {
        emit(&format!("livegate: {text}\n"));
    } else {
        let thread = std::thread::current();
        log(
            Level::Debug,
            serde_json::json!({"msg": "github", "detail": text, "thread": thread.name()}),
        );
    }
}

/// A terminal behind the sink, for indicatif: its cursor movements are
/// livegate's own escape sequences around livegate's own text (counts and
/// fixed words), so they go out as they are.
struct SinkTerminal {
    sink: Sink,
    width: u16,
}

impl fmt::Debug for SinkTerminal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SinkTerminal").field("width", &self.width).finish()
    }
}

impl TermLike for SinkTerminal {
    fn width(&self) -> u16 {
        self.width
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            (self.sink)(&format!("\x1b[{n}A"));
        }
        Ok(())
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            (self.sink)(&format!("\x1b[{n}B"));
        }
        Ok(())
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            (self.sink)(&format!("\x1b[{n}C"));
        }
        Ok(())
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        if n > 0 {
            (self.sink)(&format!("\x1b[{n}D"));
        }
        Ok(())
    }

    fn write_line(&self, s: &str) -> std::io::Result<()> {
        (self.sink)(&format!("{s}\n"));
        Ok(())
    }

    fn write_str(&self, s: &str) -> std::io::Result<()> {
        (self.sink)(s);
        Ok(())
    }

    fn clear_line(&self) -> std::io::Result<()> {
        (self.sink)("\r\x1b[2K");
        Ok(())
    }

    fn flush(&self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A plain line at most this often when nothing else calls for one.
const LINE_EVERY: Duration = Duration::from_secs(10);

/// Below this many items a run is short: plain lines only if it is slow.
const LINES_FROM: u64 = 20;

/// Plain progress lines: at each further tenth of a total of at least
/// `LINES_FROM`, or after `LINE_EVERY` without one; a closing line if any
/// was written. A short, quick run writes none.
struct Lines {
    sink: Sink,
    started: Instant,
    last_line: Instant,
    last_tenth: u64,
    written: bool,
}

/// Progress of a long run over items (repositories): a spinner while their
/// number is unknown, then a bar with elapsed time, rate and ETA; plain
/// lines without a terminal; nothing with `-q`. Only counts and fixed words
/// are shown, never names from the run.
pub struct Progress {
    prefix: &'static str,
    unit: &'static str,
    bar: Option<ProgressBar>,
    lines: Option<Lines>,
    done: u64,
    total: Option<u64>,
    /// Whether `bar` is the one `emit` writes around.
    active: bool,
}

impl Progress {
    /// Progress shown as the binary installed it. `waiting` says what
    /// happens while the total is unknown ("listing repositories").
    pub fn start(prefix: &'static str, unit: &'static str, waiting: &'static str) -> Progress {
        match INSTALLED.get() {
            Some(Installed {
                sink,
                mode: ProgressMode::Bar,
            }) => {
                let width = console::Term::stderr().size().1;
                let target = ProgressDrawTarget::term_like(Box::new(SinkTerminal {
                    sink: Arc::clone(sink),
                    width,
                }));
                let mut progress = Progress::with_bar(prefix, unit, waiting, target, true);
                progress.make_active();
                progress
            }
            Some(Installed {
                sink,
                mode: ProgressMode::Lines,
            }) => Progress::with_lines(prefix, unit, Arc::clone(sink)),
            _ => Progress {
                prefix,
                unit,
                bar: None,
                lines: None,
                done: 0,
                total: None,
                active: false,
            },
        }
    }

    fn with_bar(
        prefix: &'static str,
        unit: &'static str,
        waiting: &'static str,
        target: ProgressDrawTarget,
        tick: bool,
    ) -> Progress {
        let bar = ProgressBar::with_draw_target(None, target);
        let template = format!("{{prefix}} {{spinner}} {{msg}}: {{pos}} {unit} done, {{elapsed}}");
        if let Ok(style) = ProgressStyle::with_template(&template) {
            bar.set_style(style);
        }
        bar.set_prefix(prefix);
        bar.set_message(format!("{waiting}…"));
        if tick {
            bar.enable_steady_tick(Duration::from_millis(120));
        }
        Progress {
            prefix,
            unit,
            bar: Some(bar),
            lines: None,
            done: 0,
            total: None,
            active: false,
        }
    }

    fn with_lines(prefix: &'static str, unit: &'static str, sink: Sink) -> Progress {
        let now = Instant::now();
        Progress {
            prefix,
            unit,
            bar: None,
            lines: Some(Lines {
                sink,
                started: now,
                last_line: now,
                last_tenth: 0,
                written: false,
            }),
            done: 0,
            total: None,
            active: false,
        }
    }

    fn make_active(&mut self) {
        *ACTIVE_BAR.lock().unwrap_or_else(|e| e.into_inner()) = self.bar.clone();
        self.active = true;
    }

    /// The number of items is known now: the spinner becomes a bar.
    pub fn set_total(&mut self, total: u64) {
        if self.total == Some(total) {
            return;
        }
        self.total = Some(total);
        if let Some(bar) = &self.bar {
            bar.disable_steady_tick();
            // The bar takes what the counts leave of the line, so that it
            // never wraps (a wrapped line cannot be cleared in place).
            let template = format!(
                "{{prefix}} [{{wide_bar}}] {{pos}}/{{len}} {} · {{elapsed}} elapsed · {{rate}} · ETA {{eta}}",
                self.unit
            );
            if let Ok(style) = ProgressStyle::with_template(&template) {
                bar.set_style(
                    style
                        .with_key(
                            "rate",
                            |state: &indicatif::ProgressState, out: &mut dyn std::fmt::Write| {
                                let _ = write!(out, "{:.1}/s", state.per_sec());
                            },
                        )
                        .progress_chars("=> "),
                );
            }
            bar.set_length(total);
        }
    }

    /// One more item done.
    pub fn inc(&mut self) {
        self.done += 1;
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        let (prefix, unit, done, total) = (self.prefix, self.unit, self.done, self.total);
        if let Some(lines) = &mut self.lines {
            let now = Instant::now();
            let tenth = total.filter(|t| *t >= LINES_FROM).map_or(0, |t| done * 10 / t);
            if tenth > lines.last_tenth || now.duration_since(lines.last_line) >= LINE_EVERY {
                lines.last_tenth = tenth;
                lines.last_line = now;
                lines.written = true;
                (lines.sink)(&format!(
                    "{}\n",
                    line(prefix, unit, done, total, lines.started.elapsed())
                ));
            }
        }
    }

    /// The run is over (also what dropping it does, so that an early
    /// return clears the bar too).
    pub fn finish(self) {
        drop(self);
    }
}

impl Drop for Progress {
    /// The bar's line is cleared; plain output ends with how long it took.
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            if self.active {
                ACTIVE_BAR.lock().unwrap_or_else(|e| e.into_inner()).take();
            }
            bar.finish_and_clear();
        }
        if let Some(lines) = self.lines.as_ref().filter(|lines| lines.written) {
            let elapsed = lines.started.elapsed();
            (lines.sink)(&format!(
                "{}: {} {} in {}\n",
                self.prefix,
                self.done,
                self.unit,
                HumanDuration(elapsed)
            ));
        }
    }
}

/// One plain progress line: counts, share, rate, elapsed time and ETA.
fn line(prefix: &str, unit: &str, done: u64, total: Option<u64>, elapsed: Duration) -> String {
    let seconds = elapsed.as_secs_f64();
    let rate = if seconds > 0.0 { done as f64 / seconds } else { 0.0 };
    match total {
        Some(total) => {
            let left = total.saturating_sub(done);
            let eta = if rate > 0.0 {
                format!(", ETA {}", HumanDuration(Duration::from_secs_f64(left as f64 / rate)))
            } else {
                String::new()
            };
            format!(
                "{prefix}: {done}/{total} {unit} ({}%), {rate:.1}/s, {} elapsed{eta}",
                done * 100 / total.max(1),
                HumanDuration(elapsed)
            )
        }
        None => format!(
            "{prefix}: {done} {unit} done, still listing, {rate:.1}/s, {} elapsed",
            HumanDuration(elapsed)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn capture() -> (Sink, Arc<Mutex<String>>) {
        let seen = Arc::new(Mutex::new(String::new()));
        let into = Arc::clone(&seen);
        let sink: Sink = Arc::new(move |text: &str| into.lock().unwrap_or_else(|e| e.into_inner()).push_str(text));
        (sink, seen)
    }

    fn text(seen: &Arc<Mutex<String>>) -> String {
        seen.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    #[test]
    fn the_bar_shows_elapsed_rate_and_eta_and_clears_its_line() {
        let (sink, seen) = capture();
        let target = ProgressDrawTarget::term_like_with_hz(Box::new(SinkTerminal { sink, width: 120 }), 1);
        let mut progress = Progress::with_bar("livegate audit", "repositories", "listing repositories", target, false);
        if let Some(bar) = &progress.bar {
            bar.tick();
        }
        let listing = text(&seen);
        assert!(listing.contains("listing repositories…"), "{listing:?}");
        assert!(!listing.contains('+'), "no `25+` while listing: {listing:?}");
        progress.set_total(4);
        progress.inc();
        if let Some(bar) = &progress.bar {
            bar.tick();
        }
        let drawn = text(&seen);
        assert!(drawn.contains("1/4 repositories"), "{drawn:?}");
        assert!(drawn.contains("elapsed"), "{drawn:?}");
        assert!(drawn.contains("/s"), "{drawn:?}");
        assert!(drawn.contains("ETA"), "{drawn:?}");
        progress.finish();
        let after = text(&seen);
        assert!(
            after.ends_with("\r\x1b[2K"),
            "the line is cleared at the end: {after:?}"
        );
    }

    #[test]
    fn plain_lines_come_at_each_tenth_and_end_with_the_duration() {
        let (sink, seen) = capture();
        let mut progress = Progress::with_lines("livegate audit", "repositories", sink);
        progress.set_total(100);
        for _ in 0..100 {
            progress.inc();
        }
        progress.finish();
        let out = text(&seen);
        let lines: Vec<&str> = out.lines().collect();
        // Ten progress lines (10%, 20%, … 100%) and the closing one.
        assert_eq!(lines.len(), 10 + 1, "{out}");
        assert!(
            lines[0].starts_with("livegate audit: 10/100 repositories (10%), "),
            "{out}"
        );
        assert!(lines[0].contains("/s, ") && lines[0].contains("ETA"), "{out}");
        assert!(lines[10].starts_with("livegate audit: 100 repositories in "), "{out}");
        assert!(!out.contains('\r') && !out.contains('\x1b'), "no redraws: {out:?}");
    }

    #[test]
    fn a_short_quick_run_writes_no_plain_lines() {
        let (sink, seen) = capture();
        let mut progress = Progress::with_lines("livegate audit", "repositories", sink);
        progress.set_total(3);
        for _ in 0..3 {
            progress.inc();
        }
        progress.finish();
        assert_eq!(text(&seen), "");
    }

    #[test]
    fn a_line_emitted_under_the_bar_clears_it_first_and_the_bar_follows() {
        // The only test that installs the process-wide sink.
        let (sink, seen) = capture();
        let installed = Arc::clone(&sink);
        install(Box::new(move |text: &str| installed(text)), ProgressMode::Bar);
        // As `start` makes it in Bar mode, without the steady tick whose
        // timing a test cannot control.
        let target = ProgressDrawTarget::term_like_with_hz(Box::new(SinkTerminal { sink, width: 120 }), 1);
        let mut progress = Progress::with_bar("livegate audit", "repositories", "listing repositories", target, false);
        progress.make_active();
        progress.set_total(10);
        progress.inc();
        if let Some(bar) = &progress.bar {
            bar.tick();
        }
        let before = text(&seen).len();
        emit("livegate: GET /orgs/acme/repos -> 200\n");
        let after = text(&seen)[before..].to_owned();
        let line = after.find("livegate: GET").unwrap_or_else(|| panic!("{after:?}"));
        assert!(after[..line].contains("\x1b[2K"), "the bar is cleared first: {after:?}");
        assert!(after[line..].contains("1/10 repositories"), "then redrawn: {after:?}");
        progress.finish();
        assert!(ACTIVE_BAR.lock().unwrap_or_else(|e| e.into_inner()).is_none());
        emit("done\n");
        let all = text(&seen);
        let last_bar = all.rfind("1/10").unwrap_or(0);
        assert!(all[last_bar..].contains("\x1b[2K"), "cleared at the end: {all:?}");
        assert!(
            all.ends_with("\x1b[2Kdone\n") || all.ends_with("\x1b[1Adone\n"),
            "{all:?}"
        );
    }

    #[test]
    fn an_unknown_total_is_said_in_words() {
        let line = line("livegate audit", "repositories", 30, None, Duration::from_secs(3));
        assert_eq!(
            line,
            "livegate audit: 30 repositories done, still listing, 10.0/s, 3 seconds elapsed"
        );
    }
}

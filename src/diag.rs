//! Live diagnostics: `--verbose` request lines and the audit's progress.
//! They cannot wait for the run to end, yet only the binary prints; so the
//! library hands them to a sink the binary installs once. Without a sink
//! (the library used on its own, unit tests) they are dropped.

use std::sync::OnceLock;

type Sink = Box<dyn Fn(&str) + Send + Sync>;

static SINK: OnceLock<Sink> = OnceLock::new();

/// Installs where diagnostics go; the first call wins.
pub fn install(sink: Sink) {
    let _ = SINK.set(sink);
}

/// Hands text (with its own line endings, or a `\r` progress line) to the
/// sink, scrubbed of secrets and with untrusted controls escaped.
pub fn emit(text: &str) {
    if let Some(sink) = SINK.get() {
        sink(&crate::sanitize::progress(&crate::sanitize::scrub(text)));
    }
}

//! On-disk ETag cache: one JSON file per URL (and per credential, so that one
//! token's private answers are never served to another). A repeated run sends
//! conditional requests, and 304 answers cost no primary quota. A damaged
//! entry is detected by its checksum, deleted and fetched again.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::secret::Secret;

const VERSION: u32 = 1;

#[derive(Debug, Clone)]
pub struct CachedEntry {
    pub etag: String,
    pub body: Vec<u8>,
    pub next: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct OnDisk {
    version: u32,
    url: String,
    etag: String,
    next: Option<String>,
    body: String,
    sha256: String,
}

pub struct EtagCache {
    dir: PathBuf,
    identity: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

impl EtagCache {
    pub fn new(dir: PathBuf, secret: Option<&Secret>) -> EtagCache {
        // The identity is a hash of the credential: never the credential itself.
        let identity = secret.map_or_else(
            || "anonymous".to_owned(),
            |s| sha256(s.expose().as_bytes())[..16].to_owned(),
        );
        EtagCache { dir, identity }
    }

    fn file(&self, base: &str, endpoint: &str) -> PathBuf {
        let key = sha256(format!("{}\0{base}\0{endpoint}", self.identity).as_bytes());
        self.dir.join(&key[..2]).join(format!("{key}.json"))
    }

    pub fn load(&self, base: &str, endpoint: &str) -> Option<CachedEntry> {
        let path = self.file(base, endpoint);
        let text = std::fs::read_to_string(&path).ok()?;
        let entry: Option<OnDisk> = serde_json::from_str(&text).ok();
        match entry {
            Some(entry)
                if entry.version == VERSION
                    && entry.sha256 == sha256(entry.body.as_bytes())
                    && entry.url == endpoint =>
            {
                Some(CachedEntry {
                    etag: entry.etag,
                    body: entry.body.into_bytes(),
                    next: entry.next,
                })
            }
            _ => {
                // Damaged or foreign: forget it, the next answer rebuilds it.
                let _ = std::fs::remove_file(&path);
                None
            }
        }
    }

    /// Stores atomically (write a temporary file, then rename). Failures to
    /// cache are not errors: the next run just costs more quota.
    pub fn store(&self, base: &str, endpoint: &str, etag: &str, body: &[u8], next: Option<&str>) {
        let Ok(body) = std::str::from_utf8(body) else { return };
        // An answer that carries a secret (a server echoing the token) is
        // never written to disk.
        if crate::sanitize::scrub(body) != body {
            return;
        }
        let path = self.file(base, endpoint);
        let entry = OnDisk {
            version: VERSION,
            url: endpoint.to_owned(),
            etag: etag.to_owned(),
            next: next.map(str::to_owned),
            body: body.to_owned(),
            sha256: sha256(body.as_bytes()),
        };
        let Ok(text) = serde_json::to_string(&entry) else {
            return;
        };
        let _ = write_atomic(&path, &text);
    }
}

fn write_atomic(path: &Path, text: &str) -> std::io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, text)?;
    std::fs::rename(tmp, path)
}

/// The default cache directory, the platform's own: `$XDG_CACHE_HOME/livegate`
/// or `~/.cache/livegate` on Linux, `~/Library/Caches/livegate` on macOS,
/// `%LOCALAPPDATA%\livegate` on Windows. `None` (no cache) when the platform
/// names none.
pub fn default_dir() -> Option<PathBuf> {
    dirs::cache_dir().map(|dir| dir.join("livegate"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_corruption_detection() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EtagCache::new(dir.path().to_path_buf(), Some(&Secret::new("tok")));
        cache.store("http://x", "/repos/a/b", "\"abc\"", b"{\"a\":1}", None);
        let entry = cache.load("http://x", "/repos/a/b").unwrap();
        assert_eq!(
            (entry.etag.as_str(), entry.body.as_slice()),
            ("\"abc\"", &b"{\"a\":1}"[..])
        );
        // Another credential does not see it.
        let other = EtagCache::new(dir.path().to_path_buf(), Some(&Secret::new("other")));
        assert!(other.load("http://x", "/repos/a/b").is_none());
        // Tampering is detected and the entry dropped.
        let file = cache.file("http://x", "/repos/a/b");
        let text = std::fs::read_to_string(&file)
            .unwrap()
            .replace("{\\\"a\\\":1}", "{\\\"a\\\":2}");
        std::fs::write(&file, text).unwrap();
        assert!(cache.load("http://x", "/repos/a/b").is_none());
        assert!(!file.exists());
        std::fs::write(&file, "not json").unwrap();
        assert!(cache.load("http://x", "/repos/a/b").is_none());
    }

    #[test]
    fn the_credential_never_reaches_the_disk() {
        let dir = tempfile::tempdir().unwrap();
        let cache = EtagCache::new(dir.path().to_path_buf(), Some(&Secret::new("ghp_canary_secret_value")));
        cache.store("http://x", "/r", "\"e\"", b"{}", None);
        let file = cache.file("http://x", "/r");
        assert!(!std::fs::read_to_string(file).unwrap().contains("canary"));
    }
}

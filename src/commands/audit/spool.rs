//! Observed settings kept on disk while an audit runs. An organisation of
//! thousands of repositories would otherwise hold every repository's
//! collaborators, teams, keys and hooks in memory until the snapshot is
//! written; here memory holds, per repository, only its name, where its entry
//! sits in an anonymous temporary file, and its visibility (for "appeared"
//! and "gone" messages). The baseline is read the same way, one repository at
//! a time, and the snapshot is written from the spool in name order.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use serde::de::{DeserializeSeed, Error as _, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::facts::settings::{OrgSettings, RepoSettings, Snapshot, SNAPSHOT_VERSION};

struct Entry {
    offset: u64,
    len: usize,
    visibility: String,
    /// Kept from the baseline because the repository could not be audited.
    carried: bool,
}

/// Repository entries in a temporary file, indexed by full name.
pub struct Spool {
    file: File,
    end: u64,
    index: BTreeMap<String, Entry>,
}

impl Spool {
    /// An empty spool in an anonymous temporary file (gone when the process ends).
    pub fn new() -> Result<Spool, String> {
        let file = tempfile::tempfile()
            .map_err(|err| format!("cannot create a temporary file for the audit's observations: {err}"))?;
        Ok(Spool {
            file,
            end: 0,
            index: BTreeMap::new(),
        })
    }

    /// Adds (or replaces) a repository's entry.
    pub fn put(&mut self, repo: &RepoSettings) -> Result<(), String> {
        self.put_entry(repo, false)
    }

    /// Adds a baseline entry for a repository that could not be audited, so
    /// the next run still compares against its last known state.
    pub fn carry(&mut self, repo: &RepoSettings) -> Result<(), String> {
        self.put_entry(repo, true)
    }

    fn put_entry(&mut self, repo: &RepoSettings, carried: bool) -> Result<(), String> {
        let bytes = serde_json::to_vec(repo).map_err(|err| err.to_string())?;
        (&self.file)
            .seek(SeekFrom::Start(self.end))
            .and_then(|_| (&self.file).write_all(&bytes))
            .map_err(|err| format!("cannot write the audit's temporary file: {err}"))?;
        self.index.insert(
            repo.full_name.clone(),
            Entry {
                offset: self.end,
                len: bytes.len(),
                visibility: repo.visibility.clone(),
                carried,
            },
        );
        self.end += bytes.len() as u64;
        Ok(())
    }

    /// A repository's entry, read back from the file.
    pub fn get(&self, name: &str) -> Result<Option<RepoSettings>, String> {
        let Some(entry) = self.index.get(name) else {
            return Ok(None);
        };
        let mut bytes = vec![0; entry.len];
        (&self.file)
            .seek(SeekFrom::Start(entry.offset))
            .and_then(|_| (&self.file).read_exact(&mut bytes))
            .map_err(|err| format!("cannot read the audit's temporary file: {err}"))?;
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|err| format!("the audit's temporary file is corrupt ({err})"))
    }

    pub fn contains(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    pub fn visibility(&self, name: &str) -> Option<&str> {
        self.index.get(name).map(|e| e.visibility.as_str())
    }

    /// Every name, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    /// The names of repositories observed in this run (not carried over).
    pub fn observed(&self) -> impl Iterator<Item = &str> {
        self.index.iter().filter(|(_, e)| !e.carried).map(|(n, _)| n.as_str())
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }
}

/// A previous snapshot: its organisations in memory, its repositories spooled.
pub struct Baseline {
    pub organisations: Vec<OrgSettings>,
    pub repositories: Spool,
}

/// Reads a snapshot file one repository at a time.
pub fn load(path: &Path) -> Result<Baseline, String> {
    let shown = path.display();
    let file = File::open(path).map_err(|err| format!("--baseline {shown}: cannot read: {err}"))?;
    let mut repositories = Spool::new()?;
    let mut organisations = Vec::new();
    let version = Cell::new(None);
    let mut failure = None;
    let mut deserializer = serde_json::Deserializer::from_reader(std::io::BufReader::new(file));
    let parsed = SnapshotSeed {
        spool: &mut repositories,
        orgs: &mut organisations,
        version: &version,
        failure: &mut failure,
    }
    .deserialize(&mut deserializer)
    .and_then(|()| deserializer.end());
    let version_error = |v: u64| {
        format!(
            "--baseline {shown}: snapshot version {v}, this livegate reads version {SNAPSHOT_VERSION}; take a new \
             snapshot with --snapshot"
        )
    };
    if let Some(err) = failure {
        return Err(format!("--baseline {shown}: {err}"));
    }
    match (parsed, version.get()) {
        (_, Some(v)) if v != u64::from(SNAPSHOT_VERSION) => Err(version_error(v)),
        (Err(err), _) if err.is_syntax() || err.is_eof() || err.is_io() => Err(format!(
            "--baseline {shown}:{}:{}: not JSON: {err}",
            err.line(),
            err.column()
        )),
        (Err(err), _) => Err(format!(
            "--baseline {shown}:{}:{}: not a valid snapshot: {err}",
            err.line(),
            err.column()
        )),
        (Ok(()), None) => Err(format!(
            "--baseline {shown}: not a livegate snapshot (no `livegate_snapshot` version); pass a file written by \
             --snapshot"
        )),
        (Ok(()), Some(_)) => Ok(Baseline {
            organisations,
            repositories,
        }),
    }
}

struct SnapshotSeed<'a> {
    spool: &'a mut Spool,
    orgs: &'a mut Vec<OrgSettings>,
    version: &'a Cell<Option<u64>>,
    /// A spool failure (the disk, not the file's content).
    failure: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for SnapshotSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SnapshotSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a livegate snapshot object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "livegate_snapshot" => self.version.set(Some(map.next_value::<u64>()?)),
                "organisations" => *self.orgs = map.next_value()?,
                "repositories" => map.next_value_seed(RepositoriesSeed {
                    spool: &mut *self.spool,
                    failure: &mut *self.failure,
                })?,
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(())
    }
}

struct RepositoriesSeed<'a> {
    spool: &'a mut Spool,
    failure: &'a mut Option<String>,
}

impl<'de> DeserializeSeed<'de> for RepositoriesSeed<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for RepositoriesSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a list of repositories")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while let Some(repo) = seq.next_element::<RepoSettings>()? {
            if let Err(err) = self.spool.put(&repo) {
                *self.failure = Some(err.clone());
                return Err(A::Error::custom(err));
            }
        }
        Ok(())
    }
}

/// `text` with every line after the first indented by `prefix`: pretty JSON
/// nested in pretty JSON (a JSON string never holds a raw newline).
fn nested(text: &str, prefix: &str) -> String {
    text.replace('\n', &format!("\n{prefix}"))
}

/// Writes a snapshot atomically (a temporary file beside the target, flushed
/// to disk, then renamed over it), repositories in name order, in the same
/// layout as pretty-printing the whole document at once.
pub fn write(path: &Path, organisations: &[OrgSettings], repositories: &Spool) -> Result<(), String> {
    let shown = path.display();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| -> Result<(), String> {
        let io = |err: std::io::Error| err.to_string();
        let file = File::create(&temp).map_err(io)?;
        let mut out = BufWriter::new(file);
        let mut orgs = organisations.to_vec();
        orgs.sort_by(|a, b| a.login.cmp(&b.login));
        // Snapshots are cached by workflows that other workflows can
        // restore: scrubbed like every other file livegate writes.
        let orgs = crate::sanitize::scrub(&serde_json::to_string_pretty(&orgs).map_err(|err| err.to_string())?);
        write!(
            out,
            "{{\n  \"livegate_snapshot\": {SNAPSHOT_VERSION},\n  \"organisations\": {},\n  \"repositories\": ",
            nested(&orgs, "  ")
        )
        .map_err(io)?;
        if repositories.is_empty() {
            out.write_all(b"[]").map_err(io)?;
        } else {
            out.write_all(b"[\n").map_err(io)?;
            let total = repositories.len();
            for (i, name) in repositories.names().enumerate() {
                let repo = repositories
                    .get(name)?
                    .ok_or_else(|| format!("{name} vanished from the spool"))?;
                let text = crate::sanitize::scrub(&serde_json::to_string_pretty(&repo).map_err(|err| err.to_string())?);
                let separator = if i + 1 < total { ",\n" } else { "\n" };
                write!(out, "    {}{separator}", nested(&text, "    ")).map_err(io)?;
            }
            out.write_all(b"  ]").map_err(io)?;
        }
        out.write_all(b"\n}\n").map_err(io)?;
        let file = out.into_inner().map_err(|err| err.error().to_string())?;
        file.sync_all().map_err(io)?;
        std::fs::rename(&temp, path).map_err(io)
    })();
    result.map_err(|err| {
        let _ = std::fs::remove_file(&temp);
        format!("--snapshot {shown}: cannot write: {err}")
    })
}

impl Snapshot {
    /// Reads a whole snapshot into memory (the audit itself streams it).
    pub fn load(path: &Path) -> Result<Snapshot, String> {
        let baseline = load(path)?;
        let repositories = baseline
            .repositories
            .names()
            .map(|name| {
                baseline
                    .repositories
                    .get(name)?
                    .ok_or_else(|| format!("{name} vanished from the spool"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Snapshot::new(baseline.organisations, repositories))
    }

    /// Writes atomically: a crash never leaves a half-written snapshot.
    pub fn write(&self, path: &Path) -> Result<(), String> {
        let mut spool = Spool::new()?;
        for repo in &self.repositories {
            spool.put(repo)?;
        }
        write(path, &self.organisations, &spool)
    }
}

#!/usr/bin/env bash
# Real-world evaluation of `livegate scan` (see bench/realworld/README.md).
#
#   bench/realworld/run.sh CLONES_DIR [LIVEGATE_BIN]
#
# CLONES_DIR holds one git clone per manifest repository, named OWNER+NAME
# (e.g. CLONES_DIR/alphagov+forms-api), containing the pinned commit.
# LIVEGATE_BIN defaults to target/release/livegate of this repository, then
# to `livegate` on PATH.
#
# For each repository it makes a throwaway shared clone at the pinned commit
# (the clone in CLONES_DIR is only read), then
#   (a) scans the untouched tree (`scan PATH --format json --fail-on note`) and
#       matches every error finding against judgements.tsv (an error finding
#       not judged there is printed as UNJUDGED and counted as a false positive);
#   (b) for each of its patches in leaks/: applies it, commits it, runs
#       `livegate scan --diff <pinned>..HEAD --format json --fail-on note`
#       (what the pre-push hook and the pull-request gate run) and records
#       whether an expected code fired, and at what severity.
# Prints a per-leak table, the figures, and one machine-readable line that
# starts with `REALWORLD_SUMMARY ` followed by JSON.
# Needs git and python3 (standard library only).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ $# -lt 1 ]; then
  echo "usage: $0 CLONES_DIR [LIVEGATE_BIN]" >&2
  exit 2
fi
clones="$(cd "$1" && pwd)"
bin="${2:-}"
if [ -z "$bin" ]; then
  if [ -x "$here/../../target/release/livegate" ]; then
    bin="$here/../../target/release/livegate"
  else
    bin="$(command -v livegate || true)"
  fi
fi
if [ -z "$bin" ] || [ ! -x "$bin" ]; then
  echo "livegate binary not found: build it (cargo build --release) or pass LIVEGATE_BIN" >&2
  exit 2
fi
bin="$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")"
exec python3 "$here/realworld.py" "$here" "$clones" "$bin"

#!/usr/bin/env bash
# Peak memory of `livegate audit --org` with --snapshot (cold) and with
# --baseline and --snapshot (rerun) on the fake GitHub API, for organisations
# of 250 to 4,000 repositories and two concurrencies. Needs GNU time at
# /usr/bin/time. What should stay flat as the organisation grows: everything
# but the findings themselves (kept for the report) and one name per
# repository (the index of the on-disk spool).
#
#   bench/audit-memory.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --quiet --test audit_scale -- --ignored --nocapture memory_grows 2>&1 \
  | grep -E '^( +[0-9]|repos)'

#!/usr/bin/env bash
# Audits an organisation of 1,000 repositories on the fake GitHub API with
# 50 ms of latency injected into every request: cold (no cache), then an
# unchanged warm rerun with the ETag cache. Targets: under 60 s cold, at most
# 8 requests per repository cold, at least 80% of warm requests answered 304.
#
#   bench/audit-scale.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --quiet --test audit_scale -- --ignored --nocapture one_thousand 2>&1 \
  | grep -E '^( +[0-9]|repos)'

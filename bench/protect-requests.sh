#!/usr/bin/env bash
# Requests per branch checked by `livegate protect`, cold and on an unchanged
# warm rerun (ETag cache), against the fake GitHub API the tests use. The
# test also asserts the counts, so a regression fails `cargo test`.
#
#   bench/protect-requests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --quiet --test protect_requests -- --nocapture 2>&1 | grep -E '^( +[0-9]|branches)'

#!/usr/bin/env bash
# Requests of one `livegate deploy` over 1,000 landing commits from 300 pull
# requests (200 squash merges, 100 rebase merges of 8 commits, 5 reviewers),
# cold, against the fake GitHub API the tests use. The test also asserts the
# budget (at most 30), so a regression fails `cargo test`.
#
#   bench/deploy-requests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --quiet --test deploy_requests -- --nocapture 2>&1 | grep -E '^(commits|cold requests|  [A-Z])'

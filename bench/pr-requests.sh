#!/usr/bin/env bash
# Requests per `livegate pr` evaluation (300 changed files, 40 reviews, 10
# distinct reviewers), cold and on an unchanged warm rerun (ETag cache),
# against the fake GitHub API the tests use. The test also asserts the
# budget (at most 15 cold), so a regression fails `cargo test`.
#
#   bench/pr-requests.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --quiet --test pr_requests -- --nocapture 2>&1 | grep -E '^( +[0-9]|files|cold requests)'

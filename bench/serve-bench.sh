#!/usr/bin/env bash
# `livegate serve` against the fake GitHub the tests use, every request
# answered after 50 ms: latency from a signed webhook to the completed check
# run (p50/p99, one event at a time), intake (signed deliveries accepted and
# synced per second), sustained events per second while a burst of 200
# events for 20 pull requests drains, and the server's memory at rest and
# under load (Linux /proc).
#
#   bench/serve-bench.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo test --release --quiet --test serve benchmark_serve -- --ignored --nocapture 2>&1 \
    | grep -E '^(fake GitHub|memory|latency|burst|requests)'

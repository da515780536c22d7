#!/usr/bin/env bash
# Action step 1: which release binary fits this runner, where it goes, and a
# key for caching a build from the action's own source. Writes step outputs.
set -euo pipefail
case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
  Linux/X64) target=x86_64-unknown-linux-gnu ;;
  Linux/ARM64) target=aarch64-unknown-linux-gnu ;;
  macOS/X64) target=x86_64-apple-darwin ;;
  macOS/ARM64) target=aarch64-apple-darwin ;;
  Windows/X64) target=x86_64-pc-windows-msvc ;;
  *) target=unsupported ;;
esac
exe=""
if [ "${RUNNER_OS:-}" = Windows ]; then exe=".exe"; fi
root="${RUNNER_TEMP:?RUNNER_TEMP is not set}/livegate"
# The version install.sh will put in place: the version input, else the
# action's own (VERSION).
version="${INPUT_VERSION:-}"
version="${version#v}"
if [ -z "$version" ]; then
  version="$(tr -d ' \t\r\n' < "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}/VERSION")"
fi
# What decides the binary: the source a build would compile (lock file,
# manifest, src/, policies/) and the checksums that pin a download.
if command -v sha256sum >/dev/null 2>&1; then sum() { sha256sum; }; else sum() { shasum -a 256; }; fi
source_hash=$(cd "${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}" \
  && { find Cargo.toml Cargo.lock VERSION src policies checksums -type f 2>/dev/null || true; } | LC_ALL=C sort | xargs cat | sum | cut -c1-16)
{
  echo "target=$target"
  echo "exe=$exe"
  echo "root=$root"
  echo "bin=$root/bin/livegate$exe"
  echo "cache-key=livegate-${RUNNER_OS:-}-${RUNNER_ARCH:-}-$version-$source_hash"
} >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"

#!/usr/bin/env bash
# Action step 2: put a livegate binary on PATH. A prebuilt release binary is
# used only when it exists for this runner and matches its published SHA-256;
# otherwise livegate is built from the action's own source with cargo (the
# result is cached by the previous step's key). Never `curl | sh`, never an
# unverified download.
set -euo pipefail
bin="${LIVEGATE_BIN:?}"
root="${LIVEGATE_ROOT:?}"
target="${LIVEGATE_TARGET:?}"
version="${LIVEGATE_VERSION:-}"
version="${version#v}"
mkdir -p "$root/bin"

if [ -x "$bin" ]; then
  echo "livegate: using the cached binary $("$bin" --version)"
  echo "$root/bin" >> "$GITHUB_PATH"
  exit 0
fi

if command -v sha256sum >/dev/null 2>&1; then sum() { sha256sum "$1" | cut -d' ' -f1; }; else sum() { shasum -a 256 "$1" | cut -d' ' -f1; }; fi

if [ -n "$version" ] && [ "$target" != unsupported ]; then
  base="${LIVEGATE_RELEASE_URL:-}"
  if [ -z "$base" ]; then
    repo="${GITHUB_ACTION_REPOSITORY:-}"
    base="${GITHUB_SERVER_URL:-https://github.com}/${repo}/releases/download"
  fi
  asset="livegate-$version-$target.tar.gz"
  work="$(mktemp -d "${RUNNER_TEMP:?}/livegate-download.XXXXXX")"
  if curl -fsSL --retry 3 -o "$work/$asset" "$base/v$version/$asset"; then
    if ! curl -fsSL --retry 3 -o "$work/$asset.sha256" "$base/v$version/$asset.sha256"; then
      echo "::warning title=livegate::no published SHA-256 for $asset; refusing the unverified download and building from source"
    else
      expected="$(cut -d' ' -f1 < "$work/$asset.sha256" | tr -d '\r\n')"
      actual="$(sum "$work/$asset")"
      if [ "$expected" != "$actual" ]; then
        echo "::error title=livegate::checksum mismatch for $asset: published $expected, downloaded $actual. Refusing to run it."
        exit 1
      fi
      tar -xzf "$work/$asset" -C "$work"
      install -m 0755 "$work/livegate-$version-$target/livegate${LIVEGATE_EXE:-}" "$bin"
      echo "livegate: installed the verified release binary $("$bin" --version) (sha256 $actual)"
      echo "$root/bin" >> "$GITHUB_PATH"
      exit 0
    fi
  else
    echo "livegate: no release binary $asset for version $version; building from source"
  fi
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "::error title=livegate::cannot build livegate: cargo is not installed on this runner (use a runner with Rust, or set the version input to a release with a binary for $target)"
  exit 1
fi
echo "livegate: building from the action's source ($GITHUB_ACTION_PATH)"
cargo install --locked --quiet --path "$GITHUB_ACTION_PATH" --root "$root" \
  --target-dir "${RUNNER_TEMP:?}/livegate-target"
echo "$root/bin" >> "$GITHUB_PATH"

#!/usr/bin/env bash
# Action step 2: put a livegate binary on PATH.
#
# The version is the `version` input, or, when that is empty, the action's own
# version (the VERSION file at the ref the workflow pinned).
#
# A release binary is downloaded only when the action's repository, at that
# same ref, carries its SHA-256 (checksums/<version>.sha256). The sum comes
# from the pinned action, never from the release, whose assets can be
# replaced; a download that does not match it fails the step. When `gh` is on
# PATH, the download's build provenance is verified too (gh attestation
# verify against the action's repository), and a failure fails the step.
#
# Without a checked-in sum for this runner's target:
#   - the action's own version: livegate is built with cargo from the action's
#     own source, which is that version and is pinned by the same ref (a
#     notice says so);
#   - any other version: the step fails, since nothing it could install would
#     be both that version and verified;
#   - version `source`: always build from the action's own source.
# Never `curl | sh`, never an unverified download.
set -euo pipefail
bin="${LIVEGATE_BIN:?}"
root="${LIVEGATE_ROOT:?}"
target="${LIVEGATE_TARGET:?}"
exe="${LIVEGATE_EXE:-}"
action_path="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
temp="${RUNNER_TEMP:?RUNNER_TEMP is not set}"

fail() {
  echo "::error title=livegate::$*"
  exit 1
}

own_version="$(tr -d ' \t\r\n' < "$action_path/VERSION")" \
  || fail "the action has no VERSION file at $action_path"
version="${LIVEGATE_VERSION:-}"
version="${version#v}"
if [ -z "$version" ]; then version="$own_version"; fi
if ! [[ "$version" =~ ^[0-9A-Za-z][0-9A-Za-z.+-]*$ ]]; then
  fail "the version input \`$version\` is not a release version (e.g. 0.1.0) or \`source\`"
fi
mkdir -p "$root/bin"

if [ -x "$bin" ]; then
  echo "livegate: using the cached binary $("$bin" --version)"
  echo "$root/bin" >> "$GITHUB_PATH"
  exit 0
fi

build_from_source() {
  if ! command -v cargo >/dev/null 2>&1; then
    fail "cannot build livegate: cargo is not installed on this runner (use a runner with Rust, or pin the action at a ref whose checksums/ lists a release binary for $target)"
  fi
  echo "livegate: building livegate $own_version from the action's source ($action_path)"
  cargo install --locked --quiet --path "$action_path" --root "$root" \
    --target-dir "$temp/livegate-target"
  echo "$root/bin" >> "$GITHUB_PATH"
  exit 0
}

if [ "$version" = source ]; then
  build_from_source
fi

# The repository this action comes from: its releases hold the binaries and
# its attestations vouch for them. The runner sets GITHUB_ACTION_REPOSITORY
# for most steps but may leave it empty inside a composite action; the action
# path, `<work>/_actions/<owner>/<name>/<ref>` (with `\` on Windows), names it
# too.
action_repository() {
  local repo="${GITHUB_ACTION_REPOSITORY:-}"
  if [ -z "$repo" ]; then
    local path="${action_path//\\//}"
    case "$path" in
      */_actions/*/*/*)
        path="${path#*/_actions/}"
        local rest="${path#*/}"
        repo="${path%%/*}/${rest%%/*}"
        ;;
    esac
  fi
  if [[ "$repo" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]]; then
    printf '%s\n' "$repo"
  else
    return 1
  fi
}

asset="livegate-$version-$target.tar.gz"
sums="$action_path/checksums/$version.sha256"
expected=""
if [ "$target" != unsupported ] && [ -f "$sums" ]; then
  expected="$(awk -v a="$asset" '$2 == a || $2 == "*" a { print $1; exit }' "$sums" | tr -d '\r')"
fi
if [ -z "$expected" ]; then
  if [ "$target" = unsupported ]; then
    why="no release binary is built for this runner (${RUNNER_OS:-?}/${RUNNER_ARCH:-?})"
  else
    why="no SHA-256 for $asset is checked in to this action at this ref (checksums/$version.sha256)"
  fi
  if [ "$version" = "$own_version" ]; then
    echo "::notice title=livegate::$why: nothing is downloaded that the action's ref does not pin; building livegate $version from the action's own source instead"
    build_from_source
  fi
  fail "$why, so a download could not be verified, and building this action's source would give livegate $own_version, not $version. Pin the action at a ref that carries the sums for $version (or at v$version), or leave the version input empty for the action's own version."
fi
if ! [[ "$expected" =~ ^[0-9a-f]{64}$ ]]; then
  fail "checksums/$version.sha256 in the action lists \`$expected\` for $asset, which is not a SHA-256"
fi

repo="$(action_repository)" || fail "cannot tell which repository this action comes from (GITHUB_ACTION_REPOSITORY is empty and the action path \`$action_path\` is not <work>/_actions/<owner>/<name>/<ref>), so there is nowhere to download livegate $version from. Set the version input to \`source\` to build the action's source instead."

# From stdin: GNU sha256sum escapes a file name with `\` (every Windows path)
# by putting a `\` before the sum.
if command -v sha256sum >/dev/null 2>&1; then sum() { sha256sum < "$1" | cut -d' ' -f1; }; else sum() { shasum -a 256 < "$1" | cut -d' ' -f1; }; fi

url="${GITHUB_SERVER_URL:-https://github.com}/$repo/releases/download/v$version/$asset"
work="$(mktemp -d "$temp/livegate-download.XXXXXX")"
if ! curl -fsSL --retry 3 -o "$work/$asset" "$url"; then
  fail "could not download $url (its SHA-256 is checked in to the action, so the release should have it)"
fi
actual="$(sum "$work/$asset")"
if [ "$expected" != "$actual" ]; then
  fail "checksum mismatch for $asset from $url: the action's checksums/$version.sha256 pins $expected, the download is $actual. Refusing to run it."
fi
if command -v gh >/dev/null 2>&1; then
  # Relative names from inside the download folder: no drive letters.
  if ! (cd "$work" && gh attestation verify "$asset" --repo "$repo"); then
    fail "the build provenance of $asset does not verify (gh attestation verify --repo $repo). Refusing to run it."
  fi
  provenance="build provenance verified for $repo"
else
  echo "::notice title=livegate::gh is not installed on this runner: the build provenance of $asset was not checked (its SHA-256 matched the one checked in to the action)"
  provenance="build provenance not checked: no gh"
fi
# GNU tar reads `D:\...` as a remote host: extract by relative names.
(cd "$work" && tar -xzf "$asset")
install -m 0755 "$work/livegate-$version-$target/livegate$exe" "$bin"
echo "livegate: installed the verified release binary $("$bin" --version) (sha256 $actual, as pinned by the action's checksums/$version.sha256; $provenance)"
echo "$root/bin" >> "$GITHUB_PATH"

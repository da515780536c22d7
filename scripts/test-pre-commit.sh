#!/usr/bin/env bash
# Tests .pre-commit-hooks.yaml with the real pre-commit tool: a temp repository
# with a bare remote uses this repository's hooks, then real `git commit` and
# `git push` commands must pass or be refused.
#
# Tests COMMITTED code only: pre-commit clones this repository at
# `git rev-parse HEAD` and builds livegate from that commit, so uncommitted
# changes here are not tested. Commit first.
#
# VARIANT (the first argument) picks the hooks under test:
#   rust    `livegate`, `livegate-staged` (language: rust; `cargo install`)
#   python  `livegate-python`, `livegate-staged-python` (language: python; pip
#           builds the wheel with maturin, fetched from the package index)
#   wheel   a `repo: local` hook with language: python whose
#           additional_dependencies is a wheel built here from HEAD with the
#           maturin of target/ci-build: pre-commit compiles nothing
#
# Needs python3 (with venv), git and cargo. The first run installs a pinned
# pre-commit from the Python package index into a virtualenv under target/
# (network needed once); later runs reuse it. CARGO_TARGET_DIR defaults to this
# repository's target/, so pre-commit's `cargo install` reuses the compiled
# dependencies of an earlier release build. pre-commit's store is kept in
# target/pre-commit-home for the commit under test, so a rerun at the same
# commit skips the build; delete that directory to test the install again.
# Note: pre-commit runs `cargo install` without --locked, so it resolves
# dependencies afresh (the crate index must be reachable) rather than from Cargo.lock.
#
# Usage: scripts/test-pre-commit.sh [rust|python|wheel]   (default rust; exit 0: every check passed)
set -euo pipefail

variant=${1:-rust}
case $variant in
rust | python | wheel) ;;
*)
    echo "usage: $0 [rust|python|wheel]" >&2
    exit 2
    ;;
esac

PRE_COMMIT_VERSION=4.7.0

repo=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$repo/target}
[[ $target == /* ]] || target=$PWD/$target
venv=$repo/target/pre-commit-venv-$PRE_COMMIT_VERSION
store=$repo/target/pre-commit-home-$variant

fail() {
    printf '\nFAIL: %s\n' "$*" >&2
    if [[ -s ${PRE_COMMIT_HOME:-}/pre-commit.log ]]; then
        printf '\npre-commit logged an error (%s), last lines:\n' "$PRE_COMMIT_HOME/pre-commit.log" >&2
        tail -n 30 "$PRE_COMMIT_HOME/pre-commit.log" >&2
    fi
    exit 1
}
trap 'fail "line $LINENO: \`$BASH_COMMAND\` exited $?"' ERR
step() { printf '== %s\n' "$*"; }
ok() { printf '   ok: %s\n' "$*"; }

for tool in git cargo python3; do
    command -v "$tool" >/dev/null || fail "$tool is not on PATH"
done

# --- what is tested: the committed HEAD ---------------------------------------
rev=$(git -C "$repo" rev-parse HEAD) || fail "$repo is not a git repository with a commit"
git -C "$repo" cat-file -e "$rev:.pre-commit-hooks.yaml" 2>/dev/null ||
    fail "HEAD ($rev) has no .pre-commit-hooks.yaml. This script tests committed code only (pre-commit clones HEAD); commit first."
step "testing the $variant hooks of commit $rev"
if [[ -n $(git -C "$repo" status --porcelain --untracked-files=no) ]]; then
    echo "   note: this repository has uncommitted changes; they are NOT tested (pre-commit clones HEAD)"
fi

# --- pre-commit, pinned, in a virtualenv under target/ ------------------------
if [[ $("$venv/bin/pre-commit" --version 2>/dev/null) != "pre-commit $PRE_COMMIT_VERSION" ]]; then
    step "installing pre-commit $PRE_COMMIT_VERSION into ${venv#"$repo"/}"
    rm -rf "$venv"
    python3 -m venv "$venv" || fail "python3 -m venv failed (Debian: apt-get install python3-venv)"
    if ! "$venv/bin/pip" install --quiet --disable-pip-version-check --retries 2 --timeout 20 \
        "pre-commit==$PRE_COMMIT_VERSION"; then
        rm -rf "$venv"
        fail "could not install pre-commit==$PRE_COMMIT_VERSION from the Python package index. The first run needs the network (later runs reuse the virtualenv); this is not a livegate failure, but nothing was tested."
    fi
fi
pre_commit=$venv/bin/pre-commit
step "$("$pre_commit" --version)"

# --- a sandbox: temp dir, own git config, own pre-commit store ------------------
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_COMMON_DIR
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=$tmp/gitconfig
git config --global user.name "pre-commit test"
git config --global user.email "test@livegate.invalid"
git config --global init.defaultBranch main
# pre-commit's store (its clone of this repository and the built hook) is
# kept for the commit under test only: a new commit starts a fresh one.
if [[ $(cat "$store/livegate-rev" 2>/dev/null) != "$rev" ]]; then
    rm -rf "$store"
    mkdir -p "$store"
    echo "$rev" >"$store/livegate-rev"
fi
rm -f "$store/pre-commit.log"
export PRE_COMMIT_HOME=$store PRE_COMMIT_COLOR=never NO_COLOR=1
export CARGO_TARGET_DIR=$target
unset LIVEGATE_BIN
# Run from `cargo test`, this script inherits the package variables cargo sets
# for tests; the nested `cargo install` would see them change and rebuild
# every dependency whose build script watches them (ring does).
for name in $(compgen -e); do
    case $name in
    CARGO_MANIFEST_* | CARGO_PKG_* | CARGO_CRATE_* | CARGO_BIN_* | CARGO_PRIMARY_PACKAGE | CARGO_TARGET_TMPDIR | OUT_DIR) unset "$name" ;;
    esac
done

remote=$tmp/remote.git
work=$tmp/work
git init -q --bare "$remote"
git init -q "$work"
cd "$work"

case $variant in
rust | python)
    suffix=""
    [[ $variant == rust ]] || suffix="-$variant"
    cat >.pre-commit-config.yaml <<EOF
repos:
  - repo: $repo
    rev: $rev
    hooks:
      - id: livegate$suffix
      - id: livegate-staged$suffix
EOF
    ;;
wheel)
    # The wheel of the commit under test, built from a clean export of it
    # (kept in the store, which is per commit).
    wheels=$store/wheels
    if ! ls "$wheels"/livegate-*.whl >/dev/null 2>&1; then
        maturin=$repo/target/ci-build/bin/maturin
        [[ -x $maturin ]] || fail "$maturin is missing: .ci/run installs it (pip install -r .ci/build-requirements.txt into target/ci-build)"
        step "building the wheel of $rev with $("$maturin" --version)"
        mkdir -p "$tmp/export"
        git -C "$repo" archive "$rev" | tar -x -C "$tmp/export"
        "$maturin" build --release --locked --quiet --compatibility linux \
            --manifest-path "$tmp/export/Cargo.toml" --out "$wheels" ||
            fail "maturin could not build the wheel"
    fi
    wheel=$(ls "$wheels"/livegate-*.whl)
    cat >.pre-commit-config.yaml <<EOF
minimum_pre_commit_version: "3.2.0"
repos:
  - repo: local
    hooks:
      - id: livegate
        name: livegate (commits being pushed)
        entry: livegate hook pre-push --from-env
        language: python
        additional_dependencies: ["$wheel"]
        pass_filenames: false
        always_run: true
        stages: [pre-push]
      - id: livegate-staged
        name: livegate (staged changes)
        entry: livegate scan --staged
        language: python
        additional_dependencies: ["$wheel"]
        pass_filenames: false
        stages: [pre-commit]
EOF
    ;;
esac
mkdir -p src
echo "print('hello')" >src/app.py
git add -A
git commit -q -m "initial"
git remote add origin "$remote"
git push -q origin main
git remote set-head origin main

step "pre-commit install --hook-type pre-push --hook-type pre-commit"
"$pre_commit" install --hook-type pre-push --hook-type pre-commit >/dev/null

# Runs a command, keeping its combined output in $out and its exit code in $code.
run() {
    set +e
    out=$("$@" 2>&1)
    code=$?
    set -e
}
expect_success() { # description
    [[ $code -eq 0 ]] || fail "$1: expected success, exit $code. Output:
$out"
    ok "$1"
}
expect_refusal() { # description, text the output must contain
    [[ $code -ne 0 ]] || fail "$1: expected a refusal, but it succeeded. Output:
$out"
    [[ $out == *"$2"* ]] || fail "$1: refused (exit $code) but the output lacks \`$2\`. Output:
$out"
    ok "$1"
}
remote_has() { git --git-dir "$remote" rev-parse -q --verify "refs/heads/$1" >/dev/null; }

card_insert="INSERT INTO payment_cards (holder, number) VALUES ('Jo Bloggs', '4111 1111 1111 1111');"

# A clean commit (the staged hook runs) and push of a new branch. The first
# hook run for a commit makes pre-commit clone this repository at that commit
# and build livegate from it (a release build; for `wheel`, pip installs the
# wheel built above and compiles nothing).
step "clean commit and push of a new branch (the first run for a commit builds the hook)"
git checkout -q -b feature
echo "print('hello, world')" >src/app.py
git add src/app.py
run git commit -m "greet the world"
expect_success "git commit of a clean change (livegate-staged)"
[[ $out == *"livegate (staged changes)"*Passed* ]] || fail "the staged hook did not run. Output:
$out"
run git push origin feature
expect_success "git push of a clean new branch (livegate)"
[[ $out == *"livegate (commits being pushed)"*Passed* ]] || fail "the pre-push hook did not run. Output:
$out"
remote_has feature || fail "the remote has no branch feature after a successful push"

step "push of a commit that adds a migration seeding a test card"
git checkout -q -b seed-cards
mkdir -p migrations
echo "$card_insert" >migrations/0002_seed.sql
git add migrations/0002_seed.sql
git commit -q --no-verify -m "seed cards"
run git push origin seed-cards
expect_refusal "git push of a leaking commit is refused" "migrations/0002_seed.sql"
[[ $out == *"livegate: push refused"* ]] || fail "the refusal lacks livegate's message. Output:
$out"
! remote_has seed-cards || fail "the leaking branch reached the remote"
run git push --no-verify origin seed-cards
expect_success "git push --no-verify skips the hook"

step "push that adds the leak to an existing branch"
git checkout -q feature
mkdir -p migrations
echo "$card_insert" >migrations/0004_more.sql
git add migrations/0004_more.sql
git commit -q --no-verify -m "more cards"
run git push origin feature
expect_refusal "git push of a leaking commit to an existing branch is refused" "migrations/0004_more.sql"
git reset -q --hard origin/feature

step "push of a new history (a root commit: pre-commit sets no FROM/TO refs)"
git checkout -q --orphan fresh
git rm -q -r --cached .
mkdir -p migrations
echo "$card_insert" >migrations/0002_seed.sql
git add migrations/0002_seed.sql .pre-commit-config.yaml
git commit -q --no-verify -m "fresh start"
run git push origin fresh
expect_refusal "git push of a leaking new history is refused" "migrations/0002_seed.sql"
! remote_has fresh || fail "the leaking history reached the remote"
git clean -q -fdx -e .pre-commit-config.yaml

step "direct push to main"
git checkout -q main
echo "print('direct')" >src/app.py
git commit -q --no-verify -am "direct change"
run git push origin main
expect_refusal "git push directly to main is refused" "pushing directly to protected branch \`main\` on origin is refused"
[[ $(git --git-dir "$remote" rev-parse main) != $(git rev-parse main) ]] || fail "main reached the remote"

step "commit that stages a migration seeding a test card"
git checkout -q feature
before=$(git rev-parse HEAD)
mkdir -p migrations
echo "$card_insert" >migrations/0003_seed.sql
git add migrations/0003_seed.sql
run git commit -m "seed more cards"
expect_refusal "git commit of a staged leak is refused (livegate-staged)" "migrations/0003_seed.sql"
[[ $(git rev-parse HEAD) == "$before" ]] || fail "the leaking commit was made"

printf '\npre-commit hooks (%s): all checks passed (commit %s)\n' "$variant" "$rev"

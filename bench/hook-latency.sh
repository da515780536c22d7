#!/usr/bin/env bash
# Added latency of livegate's pre-push hook on a typical push: a new branch of
# 3 small commits, each appending a line to one production source file, pushed
# from a clone of REPO to a bare remote on the same disk.
#
# The same `git push` is timed with the hook installed and with
# `git push --no-verify` (the hook skipped), interleaved, RUNS times each after
# one warm-up of each; between runs the branch is deleted on the remote and
# from the clone's tracking refs, so every run pushes the same 3 commits as a
# new branch. Also timed: the hook command alone, fed the line git sends it.
#
# Usage: bench/hook-latency.sh [REPO] [RUNS]
#   REPO  a git repository to clone (shared, nothing is written to it);
#         default: this repository, which is small: pass a large one
#   RUNS  timed runs of each variant (default 15)
#   FILES (environment) three paths in REPO to change instead of the first
#         three production sources under a src/ directory
# Needs git, cargo and GNU date; builds the release binary.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
repo=$(cd "${1:-$here}" && pwd)
runs=${2:-15}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "RUNS must be a positive number, not \`$runs\`" >&2; exit 2; }
git -C "$repo" rev-parse --verify -q HEAD >/dev/null || { echo "$repo is not a git repository with a commit" >&2; exit 2; }

(cd "$here" && cargo build --release --quiet)
livegate=${CARGO_TARGET_DIR:-$here/target}/release/livegate
[[ -x $livegate ]] || { echo "no release binary at $livegate" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE LIVEGATE_BIN
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@livegate.invalid
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@livegate.invalid

remote=$tmp/remote.git
work=$tmp/work
git clone -q --bare --shared "$repo" "$remote"
git clone -q --shared "$remote" "$work"
cd "$work"
git config gc.auto 0
git checkout -q -b bench-push

# Three production source files (under a src/ directory, not tests), the same
# ones on every run; FILES="a b c" (paths in REPO) chooses them instead.
if [[ -n ${FILES:-} ]]; then
    read -r -a files <<<"$FILES"
    ((${#files[@]} == 3)) || { echo "FILES must name 3 files" >&2; exit 2; }
else
    mapfile -t files < <(git ls-files -- '*.js' '*.ts' '*.py' '*.rs' '*.go' '*.java' '*.rb' |
        grep -E '(^|/)src/' |
        grep -Eiv '(^|/)(test|tests|__tests__|spec|fixtures?|e2e)(/|$)|[._-](test|spec)\.' | head -n 3)
fi
if ((${#files[@]} < 3)); then
    files=(bench-a.txt bench-b.txt bench-c.txt)
fi
for i in 0 1 2; do
    echo "// livegate hook latency benchmark $i" >>"${files[$i]}"
    git add -- "${files[$i]}"
    git commit -q -m "bench change $i"
done
head=$(git rev-parse HEAD)

"$livegate" hook install >/dev/null

reset_remote() {
    git --git-dir "$remote" update-ref -d refs/heads/bench-push 2>/dev/null || true
    git update-ref -d refs/remotes/origin/bench-push 2>/dev/null || true
}
now_ns() { date +%s%N; }
# Times one push in ms; the push must succeed.
time_push() { # extra git push options...
    reset_remote
    local start end
    start=$(now_ns)
    git push -q "$@" origin bench-push 2>"$tmp/push.err" || {
        echo "git push $* failed:" >&2
        cat "$tmp/push.err" >&2
        exit 1
    }
    end=$(now_ns)
    echo $(((end - start) / 1000))
}
time_hook_alone() {
    reset_remote
    local start end
    start=$(now_ns)
    printf 'refs/heads/bench-push %s refs/heads/bench-push %s\n' "$head" "$(printf '0%.0s' {1..40})" |
        "$livegate" hook pre-push origin "$remote" || { echo "the hook refused the benchmark push" >&2; exit 1; }
    end=$(now_ns)
    echo $(((end - start) / 1000))
}
median_ms() { # microsecond samples on stdin
    sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m / 1000 }'
}

time_push >/dev/null
time_push --no-verify >/dev/null
time_hook_alone >/dev/null
: >"$tmp/with" && : >"$tmp/without" && : >"$tmp/alone"
for ((i = 0; i < runs; i++)); do
    time_push >>"$tmp/with"
    time_push --no-verify >>"$tmp/without"
    time_hook_alone >>"$tmp/alone"
done

with=$(median_ms <"$tmp/with")
without=$(median_ms <"$tmp/without")
alone=$(median_ms <"$tmp/alone")
added=$(awk -v a="$with" -v b="$without" 'BEGIN { printf "%.1f", a - b }')
tracked=$(git ls-files | wc -l)
cat <<EOF
repository: $(basename "$repo") at $(git -C "$repo" rev-parse --short HEAD), $tracked tracked files
push: new branch, 3 commits changing ${files[*]}
runs: $runs each (interleaved, after one warm-up)
git push without the hook (--no-verify), median: $without ms
git push with the hook, median:                  $with ms
added latency (difference of medians):           $added ms
the hook command alone (livegate hook pre-push), median: $alone ms
EOF

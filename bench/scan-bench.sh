#!/usr/bin/env bash
# Benchmark: livegate scan vs ripgrep on the same tree and content patterns,
# peak memory, and a --diff over a handful of changed files.
#
#   bench/scan-bench.sh /path/to/large/repo [runs]
#
# Needs: hyperfine, ripgrep, GNU time (apt-get install hyperfine ripgrep time).
set -euo pipefail
repo=${1:?usage: bench/scan-bench.sh REPO [RUNS]}
runs=${2:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
for tool in hyperfine rg /usr/bin/time git; do
  command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install hyperfine ripgrep time git" >&2; exit 2; }
done

cargo build --release --quiet --manifest-path "$here/Cargo.toml"
lg="$here/target/release/livegate"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$lg" debug-patterns > "$work/patterns.txt"

files=$(git -C "$repo" ls-files | wc -l)
echo "tree: $repo ($files tracked files, HEAD $(git -C "$repo" rev-parse --short HEAD))"
echo "patterns: $(wc -l < "$work/patterns.txt") regexes (livegate debug-patterns)"
echo

# ripgrep exits 1 when nothing matches; -i keeps hyperfine going either way.
hyperfine -N --warmup 2 --runs "$runs" -i --export-json "$work/full.json" \
  -n ripgrep "rg --no-messages --hidden -c -f $work/patterns.txt $repo" \
  -n livegate "$lg scan $repo --format json --output /dev/null"
python3 - "$work/full.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
rg, lg = r["ripgrep"]["median"], r["livegate"]["median"]
print(f"full scan: livegate {lg*1000:.0f} ms, ripgrep {rg*1000:.0f} ms (medians): ratio {lg/rg:.2f} (target <= 1.5)")
PY

/usr/bin/time -v "$lg" scan "$repo" --format json --output "$work/report.json" 2> "$work/time.txt" || true
python3 - "$work/report.json" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["stats"]
print(f"livegate saw {s['files_seen']} files and read {s['files_read']} ({s['bytes_read']/1048576:.1f} MiB); "
      f"skipped {s['skipped_binary']} binary, {s['skipped_large']} large, {s['skipped_symlinks']} symlinks; "
      "ripgrep reads every file")
PY
rss=$(awk -F: '/Maximum resident set size/ {gsub(/ /,"",$2); print $2}' "$work/time.txt")
echo "peak memory: $((rss / 1024)) MiB (target < 150 MiB)"

# --diff: a clone with one commit that changes five production files.
git clone -q --shared "$repo" "$work/clone"
mapfile -t picked < <(git -C "$work/clone" ls-files '*.js' '*.ts' '*.py' '*.go' '*.rs' '*.java' '*.rb' | grep -v -E '(^|/)(test|tests|spec|__tests__|fixtures|testdata|docs?)/' | head -n 5)
for f in "${picked[@]}"; do printf '\n// bench change\n' >> "$work/clone/$f"; done
git -C "$work/clone" -c user.name=bench -c user.email=bench@bench.invalid commit -qam "bench change"
hyperfine -N --warmup 3 --runs "$runs" -i --export-json "$work/diff.json" \
  -n diff "$lg scan $work/clone --diff HEAD~1..HEAD --format json --output /dev/null"
python3 - "$work/diff.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["results"][0]
print(f"--diff over 5 changed files: {d['median']*1000:.1f} ms median (target < 100 ms)")
PY

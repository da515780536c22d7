"""Driver of bench/realworld/run.sh; see README.md in this folder.

Usage: python3 realworld.py BENCH_DIR CLONES_DIR LIVEGATE_BIN
Standard library only.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

SEVERITY_RANK = {"note": 0, "warning": 1, "error": 2}


def read_tsv(path):
    rows = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#"):
                continue
            rows.append(line.split("\t"))
    return rows


def git(cwd, *args, check=True):
    env = dict(os.environ)
    env.update(
        GIT_AUTHOR_NAME="livegate bench",
        GIT_AUTHOR_EMAIL="bench@livegate.invalid",
        GIT_COMMITTER_NAME="livegate bench",
        GIT_COMMITTER_EMAIL="bench@livegate.invalid",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    return subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=check, capture_output=True, text=True
    )


def scan(binary, cwd, args):
    """Run livegate, return (exit code, findings or None, stderr)."""
    proc = subprocess.run(
        [binary, "scan", *args, "--format", "json", "--fail-on", "note", "--color", "never"],
        cwd=cwd,
        capture_output=True,
        text=True,
    )
    findings = None
    if proc.returncode in (0, 1):
        try:
            findings = json.loads(proc.stdout).get("findings", [])
        except json.JSONDecodeError:
            findings = None
    return proc.returncode, findings, proc.stderr.strip()


def loc(finding):
    location = finding.get("location") or {}
    return location.get("path") or "", int(location.get("line") or 0)


def code_matches(code, expected):
    if expected == ["any"]:
        # any leak check counts; the suppression family (LG49x) does not
        return code.startswith("LG4") and not code.startswith("LG49")
    return code in expected


def main():
    bench, clones, binary = sys.argv[1:4]
    manifest = read_tsv(os.path.join(bench, "manifest.tsv"))
    expected = read_tsv(os.path.join(bench, "expected.tsv"))
    judgements = {}
    for row in read_tsv(os.path.join(bench, "judgements.tsv")):
        repo, code, path, line, verdict = row[:5]
        judgements[(repo, code, path, line)] = (verdict, row[5] if len(row) > 5 else "")

    leaks_by_repo = {}
    for row in expected:
        patch, repo, codes, min_sev, kind = row[:5]
        leaks_by_repo.setdefault(repo, []).append(
            {"patch": patch, "codes": codes.split(","), "min": min_sev, "kind": kind}
        )

    error_rows = []  # (repo, code, path, line, verdict, reason)
    leak_rows = []  # dicts
    problems = []
    scanned = {}  # repo -> findings per severity on the untouched tree
    work = tempfile.mkdtemp(prefix="livegate-realworld-")
    try:
        for repo, sha, *_ in manifest:
            clone = os.path.join(clones, repo.replace("/", "+"))
            leaks = leaks_by_repo.get(repo, [])
            if not os.path.isdir(clone) or git(clone, "cat-file", "-e", sha + "^{commit}", check=False).returncode:
                problems.append(f"{repo}: no clone with {sha[:12]} at {clone}")
                for leak in leaks:
                    leak_rows.append(dict(leak, repo=repo, status="MISSING", got=[], sev=None))
                continue
            tree = os.path.join(work, repo.replace("/", "+"))
            subprocess.run(["git", "-c", "init.defaultBranch=main", "clone", "-q", "--shared", "--no-checkout", clone, tree], check=True)
            co = git(tree, "checkout", "-q", "--detach", sha, check=False)
            if co.returncode:
                problems.append(f"{repo}: checkout of {sha[:12]} failed: {co.stderr.strip()}")
                for leak in leaks:
                    leak_rows.append(dict(leak, repo=repo, status="MISSING", got=[], sev=None))
                shutil.rmtree(tree, ignore_errors=True)
                continue

            # (a) the untouched tree
            rc, findings, err = scan(binary, tree, ["."])
            if findings is None:
                problems.append(f"{repo}: full scan exited {rc}: {err}")
                findings = []
            scanned[repo] = {sev: sum(1 for f in findings if f.get("severity") == sev) for sev in SEVERITY_RANK}
            for f in findings:
                if f.get("severity") != "error":
                    continue
                path, line = loc(f)
                key = (repo, f.get("code", ""), path, str(line))
                verdict, reason = judgements.get(key, ("UNJUDGED", f.get("message", "")))
                error_rows.append((repo, f.get("code", ""), path, line, verdict, reason))

            # (b) each planted leak, scanned as the hook / PR gate scans it
            for leak in leaks:
                patch = os.path.join(bench, "leaks", leak["patch"])
                git(tree, "checkout", "-q", "--detach", sha)
                git(tree, "reset", "-q", "--hard", sha)
                git(tree, "clean", "-qfdx")
                applied = git(tree, "apply", "--index", patch, check=False)
                if applied.returncode:
                    problems.append(f"{leak['patch']}: does not apply: {applied.stderr.strip()}")
                    leak_rows.append(dict(leak, repo=repo, status="NOAPPLY", got=[], sev=None))
                    continue
                git(tree, "commit", "-q", "--no-verify", "-m", "planted leak " + leak["patch"])
                rc, findings, err = scan(binary, tree, ["--diff", f"{sha}..HEAD"])
                if findings is None:
                    problems.append(f"{leak['patch']}: diff scan exited {rc}: {err}")
                    leak_rows.append(dict(leak, repo=repo, status="SCANFAIL", got=[], sev=None))
                    continue
                got = sorted({f"{f.get('code')}/{f.get('severity')}" for f in findings})
                matching = [f for f in findings if code_matches(f.get("code", ""), leak["codes"])]
                sev = None
                if matching:
                    sev = max((f.get("severity", "note") for f in matching), key=lambda s: SEVERITY_RANK.get(s, 0))
                status = "MISSED" if sev is None else ("OK" if SEVERITY_RANK[sev] >= SEVERITY_RANK[leak["min"]] else "LOW")
                leak_rows.append(dict(leak, repo=repo, status=status, got=got, sev=sev))
            shutil.rmtree(tree, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    # report
    print("== planted leaks (scan --diff PINNED..HEAD --fail-on note)")
    print(f"{'patch':<72} {'expected':<20} {'min':<7} {'caught':<8} {'status':<8} all findings")
    for r in leak_rows:
        print(
            f"{r['patch']:<72} {','.join(r['codes']):<20} {r['min']:<7} {r['sev'] or '-':<8} {r['status']:<8} {' '.join(r['got']) or '-'}"
        )
    print()
    print("== error findings on the untouched repositories")
    for repo, code, path, line, verdict, reason in error_rows:
        print(f"{verdict:<9} {repo} {code} {path}:{line}  {reason}")
    if not error_rows:
        print("(none)")
    print()
    print("== per repository (untouched tree: findings by severity, error verdicts; planted leaks caught)")
    print(f"{'repository':<56} {'notes':>5} {'warns':>5} {'errors':>6} {'TP':>3} {'FP':>3} {'unj':>3}  leaks")
    for repo, _sha, *_ in manifest:
        counts = scanned.get(repo)
        rows = [r for r in error_rows if r[0] == repo]
        leaks_here = [r for r in leak_rows if r["repo"] == repo]
        caught_here = sum(1 for r in leaks_here if r["sev"] is not None)
        at_error_here = sum(1 for r in leaks_here if r["sev"] == "error")
        leak_text = f"{caught_here}/{len(leaks_here)} caught, {at_error_here} at error" if leaks_here else "none planted"
        if counts is None:
            print(f"{repo:<56} {'-':>5} {'-':>5} {'-':>6} {'-':>3} {'-':>3} {'-':>3}  {leak_text} (not scanned)")
            continue
        print(
            f"{repo:<56} {counts['note']:>5} {counts['warning']:>5} {counts['error']:>6} "
            f"{sum(1 for r in rows if r[4] == 'TP'):>3} {sum(1 for r in rows if r[4] == 'FP'):>3} "
            f"{sum(1 for r in rows if r[4] == 'UNJUDGED'):>3}  {leak_text}"
        )
    print()
    missed_kinds = {}
    for r in leak_rows:
        if r["sev"] is None:
            missed_kinds[r["kind"]] = missed_kinds.get(r["kind"], 0) + 1
    if missed_kinds:
        print("== missed kinds: " + ", ".join(f"{k} ({n})" for k, n in sorted(missed_kinds.items())))
    for p in problems:
        print("PROBLEM: " + p)

    leaks = len(leak_rows)
    caught = sum(1 for r in leak_rows if r["sev"] is not None)
    caught_error = sum(1 for r in leak_rows if r["sev"] == "error")
    meets = sum(1 for r in leak_rows if r["status"] == "OK")
    errors = len(error_rows)
    tp = sum(1 for r in error_rows if r[4] == "TP")
    fp = errors - tp
    unjudged = sum(1 for r in error_rows if r[4] == "UNJUDGED")

    def pct(a, b):
        return round(100.0 * a / b, 1) if b else None

    summary = {
        "repos": len(manifest),
        "leaks": leaks,
        "caught": caught,
        "caught_at_error": caught_error,
        "caught_at_expected_severity": meets,
        "recall_pct": pct(caught, leaks),
        "recall_at_error_pct": pct(caught_error, leaks),
        "error_findings": errors,
        "error_tp": tp,
        "error_fp": fp,
        "error_unjudged": unjudged,
        "error_precision_pct": pct(tp, errors),
        "problems": len(problems),
    }
    print()
    print(f"recall:           {caught}/{leaks} = {summary['recall_pct']}%  (expected leak caught at any severity)")
    print(f"recall at error:  {caught_error}/{leaks} = {summary['recall_at_error_pct']}%  ({meets} at or above the expected minimum severity)")
    print(
        f"error precision:  {tp}/{errors} = {summary['error_precision_pct']}%  (TP / error findings on untouched repositories; {unjudged} unjudged counted as FP)"
    )
    print("REALWORLD_SUMMARY " + json.dumps(summary, sort_keys=True))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

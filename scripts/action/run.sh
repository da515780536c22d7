#!/usr/bin/env bash
# Action step 3: run the command with annotations on stdout, the Markdown
# summary appended to the step summary, the outputs written, and the exit
# code passed on (0 pass, 1 findings, 2 error, 3 could not verify).
set -uo pipefail
command="${INPUT_COMMAND:?the command input is required (pr, protect, audit or scan)}"
case "$command" in
  pr|protect|audit|scan) ;;
  *) echo "::error title=livegate::command input \`$command\` is not one of pr, protect, audit, scan"; exit 2 ;;
esac
out="${RUNNER_TEMP:?}/livegate-$command-$$"
mkdir -p "$out"
args=("$command" --format github --fail-on "${INPUT_FAIL_ON:-error}"
  --emit "outputs=$out/outputs.txt" --emit "markdown=$out/summary.md")
if [ -n "${INPUT_POLICY:-}" ]; then args+=(--policy "$INPUT_POLICY"); fi
if [ -n "${INPUT_SARIF:-}" ]; then args+=(--emit "sarif=$INPUT_SARIF"); fi
# Extra arguments, split on whitespace (no shell evaluation).
read -r -a extra <<< "${INPUT_ARGS:-}"
case "$command" in
  protect|audit)
    if [[ " ${extra[*]-} " != *" --repo "* && " ${extra[*]-} " != *" --org "* ]]; then
      args+=(--repo "${GITHUB_REPOSITORY:?}")
    fi ;;
esac
livegate "${args[@]}" ${extra[@]+"${extra[@]}"}
code=$?
if [ -f "$out/summary.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
  cat "$out/summary.md" >> "$GITHUB_STEP_SUMMARY"
fi
if [ -f "$out/outputs.txt" ]; then
  cat "$out/outputs.txt" >> "$GITHUB_OUTPUT"
else
  printf 'result=error\nfindings=0\n' >> "$GITHUB_OUTPUT"
fi
if [ -n "${INPUT_SARIF:-}" ] && [ -f "$INPUT_SARIF" ]; then
  echo "sarif-file=$INPUT_SARIF" >> "$GITHUB_OUTPUT"
else
  echo "sarif-file=" >> "$GITHUB_OUTPUT"
fi
exit "$code"

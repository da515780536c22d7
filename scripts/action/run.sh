#!/usr/bin/env bash
# Action step 3: run the command with annotations on stdout, the Markdown
# summary appended to the step summary, the outputs written, and the exit
# code passed on (0 pass, 1 findings, 2 error, 3 could not verify).
set -uo pipefail
command="${INPUT_COMMAND:?the command input is required (pr, protect, audit, scan or deploy)}"
case "$command" in
  pr|protect|audit|scan|deploy) ;;
  *) echo "::error title=livegate::command input \`$command\` is not one of pr, protect, audit, scan, deploy"; exit 2 ;;
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
  deploy)
    if [ -z "${INPUT_ENVIRONMENT:-}" ]; then
      echo "::error title=livegate::the environment input is required for command: deploy (the environment being deployed to)"
      exit 2
    fi
    args+=(--environment "$INPUT_ENVIRONMENT")
    if [ -n "${INPUT_TO:-}" ]; then args+=(--to "$INPUT_TO"); fi
    if [ -n "${INPUT_FROM:-}" ]; then args+=(--from "$INPUT_FROM"); fi
    if [ -n "${INPUT_ATTEST:-}" ]; then args+=(--attest "$INPUT_ATTEST"); fi
    if [ -n "${INPUT_PREVIOUS_ATTESTATION:-}" ]; then
      args+=(--previous-attestation "$INPUT_PREVIOUS_ATTESTATION")
    fi ;;
esac
livegate "${args[@]}" ${extra[@]+"${extra[@]}"}
code=$?
# pr and deploy append their summary to the step summary themselves.
if [ "$command" != pr ] && [ "$command" != deploy ] && [ -f "$out/summary.md" ] && [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
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

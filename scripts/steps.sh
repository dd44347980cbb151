# Sourced by setup.sh and start.sh (run from the repo root): step headers, and
# steps whose output only matters when they fail.

STEP_LOG_DIR=.hangar/logs

if [[ -t 1 ]]; then
  step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
else
  step() { printf '\n==> %s\n' "$*"; }
fi

# run_quietly NAME COMMAND...: runs COMMAND with its output (stdout and stderr)
# kept in .hangar/logs/NAME.log, printing one line. If it fails, prints that
# output in full, where it is kept and the exit status, and returns the status
# (which stops a `set -e` script).
run_quietly() {
  local name=$1 log status=0 started=$SECONDS
  shift
  log=$STEP_LOG_DIR/$name.log
  mkdir -p -- "$STEP_LOG_DIR"
  printf '    output in %s ... ' "$log"
  # No stdin: a command waiting for an answer nobody can see would hang forever.
  "$@" </dev/null >"$log" 2>&1 || status=$?
  if ((status == 0)); then
    printf 'done (%ss)\n' "$((SECONDS - started))"
    return 0
  fi
  printf 'FAILED\n'
  {
    printf '\n%s exited with status %d after %ss. Its output:\n' "$*" "$status" "$((SECONDS - started))"
    printf -- '----------------------------------------------------------------\n'
    cat -- "$log"
    [[ ! -s $log || -z $(tail -c 1 -- "$log") ]] || printf '\n'
    printf -- '----------------------------------------------------------------\n'
    printf '(kept in %s)\n' "$log"
  } >&2
  return "$status"
}

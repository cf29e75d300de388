# Sourced by the benchmark scripts: `measure RUNS COMMAND...` runs COMMAND (whose output is
# thrown away; `check` exits 1 on data with failing reports) RUNS times and prints the
# fastest wall time in seconds and the most memory (peak resident set) any run took, in MB.
measure() {
  local runs=$1 best="" most=0
  shift
  for _ in $(seq "$runs"); do
    local out
    out=$({ /usr/bin/time -f "%e %M" "$@" >/dev/null || true; } 2>&1 | tail -1)
    local wall=${out% *} kb=${out#* }
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < $best)}"; then best=$wall; fi
    if [ "$kb" -gt "$most" ]; then most=$kb; fi
  done
  echo "$best $((most / 1024))"
}

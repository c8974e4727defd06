#!/usr/bin/env bash
# A/A check of the main job: the same commit's `make test-performance` run AA_RUNS times in a row on one fresh store,
# with PERF_FAIL_ON_REGRESSION=true, quiet or (AA_BUSY=true) each run under busy-machine. Unchanged code must give
# no REGRESSION in runs 2..N. Prints one line per run and a table; logs in target/aa-check/.
#   AA_RUNS=5 AA_BUSY=false PERF_TEST_SIZE=10000 scripts/aa-check.sh [make arguments, e.g. GROUPS=redis]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${AA_RUNS:-5}
busy=${AA_BUSY:-false}
size=${PERF_TEST_SIZE:-10000}
out=target/aa-check/$( [ "$busy" = true ] && echo busy || echo quiet )
rm -rf "$out" && mkdir -p "$out"
store="$PWD/$out/store.json"

wrap=()
if [ "$busy" = true ]; then
  for tool in "${BUSY_MACHINE:-}" /work/shared/tools/busy-machine ../shared/tools/busy-machine .ci/busy-machine; do
    if [ -n "$tool" ] && [ -x "$tool" ]; then wrap=("$tool" --); break; fi
  done
  [ ${#wrap[@]} -gt 0 ] || { echo "aa-check: busy-machine not found (../shared/tools or .ci)" >&2; exit 2; }
fi

printf 'A/A check: %s runs of PERF_TEST_SIZE=%s make test-performance %s, %s, commit %s, %s\n' "$runs" "$size" "$*" \
  "$( [ "$busy" = true ] && echo 'each under busy-machine' || echo quiet )" "$(git rev-parse --short=8 HEAD)" \
  "$(date -u +%Y-%m-%dT%H:%MZ)"
table="| run | exit | seconds | REGRESSION blocks | INCONCLUSIVE verdicts | load avg at end |"$'\n'"|---|---|---|---|---|---|"
total_reg=0
for i in $(seq "$runs"); do
  log="$out/run-$i.log"
  start=$(date +%s)
  "${wrap[@]}" env PERF_TEST_SIZE="$size" PERF_FAIL_ON_REGRESSION=true \
    make test-performance PERF_STORE="$store" PERF_TEST_SIZE="$size" "$@" >"$log" 2>&1
  status=$?
  secs=$(( $(date +%s) - start ))
  reg=$(grep -c 'PERFORMANCE REGRESSION DETECTED' "$log")
  inc=$(grep -o 'INCONCLUSIVE' target/perf-report/summary.txt 2>/dev/null | wc -l)
  load=$(cut -d' ' -f1 /proc/loadavg)
  [ "$i" -gt 1 ] && total_reg=$((total_reg + reg))
  echo "run $i: exit $status, ${secs}s, $reg REGRESSION blocks, $inc INCONCLUSIVE, load $load"
  table+=$'\n'"| $i | $status | $secs | $reg | $inc | $load |"
done
echo
echo "$table"
echo
echo "REGRESSION blocks in runs 2..$runs: $total_reg"
[ "$total_reg" -eq 0 ]

#!/bin/bash
# The validation of `PerfCli compare` (docs/verdict-validation.md): COMPARE_VALIDATION_RUNS comparisons per slowdown
# in COMPARE_VALIDATION_SLOWDOWNS (0: A/A), each of this commit (base: HEAD, in a git worktree) against this working
# tree, whose runs alone get PERF_VALIDATION_SLOWDOWN (--head-env): the base cannot see it. The suite is
# CompareValidationSuite (a CPU-and-memory workload and a PostgreSQL loader load, PERF_TEST_SIZE rows), one JVM per
# side and round, started with java directly (the build step writes each tree's class path); the two sides' JVMs take
# turns per iteration unless COMPARE_VALIDATION_ARGS says --interleave runs.
# One line per comparison and metric goes to target/compare-validation/results.tsv (COMPARE_VALIDATION_OUT), with the
# load average. Under the busy machine: ../shared/tools/busy-machine -- scripts/compare-validation.sh
set -eu
cd "$(dirname "$0")/.."
RUNS=${COMPARE_VALIDATION_RUNS:-20}
SLOWDOWNS=${COMPARE_VALIDATION_SLOWDOWNS:-0 10}
ARGS=${COMPARE_VALIDATION_ARGS:-}
# the suite's loader types to run (postgresql: the loader load, validation: the CPU-and-memory workload; default both)
GROUPS_RUN=${COMPARE_VALIDATION_GROUPS:-}
MVN=${MVN:-mvn -B}
export PERF_TEST_SIZE=${PERF_TEST_SIZE:-10000}
export PERF_LOG_LEVEL=${PERF_LOG_LEVEL:-WARN}
out=${COMPARE_VALIDATION_OUT:-target/compare-validation}
mkdir -p "$out"

# The CLI runs from a copy of its classes: the head's build step recompiles this tree while the comparison runs.
$MVN -q -pl perf-core -am compile org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
  -Dmdep.outputFile=target/cli-cp.txt -Dmdep.includeScope=runtime -Djacoco.skip=true
rm -rf "$out/cli" && mkdir -p "$out/cli" && cp -r perf-api/target/classes/. perf-core/target/classes/. "$out/cli/"
cli_cp="$out/cli:$(cat perf-core/target/cli-cp.txt)"

build="$MVN -q -pl perf-examples -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.9.0:build-classpath \
-Dmdep.outputFile=target/compare-cp.txt -Dmdep.includeScope=test -Djacoco.skip=true"
# COMPARE_VALIDATION_REUSE_BUILD=true (default): this tree is built once here; in each comparison the head's build
# step does nothing and the base's copies this tree's classes into its worktree (the same commit: A/A), rewriting the
# class path to its own copies. A build of both trees took 4-5 minutes each on the loaded machine of 2026-11-30;
# `make compare-performance` and CompareRunTest build both sides for real.
if [ "${COMPARE_VALIDATION_REUSE_BUILD:-true}" = true ]; then
  bash -c "$build"
  build="bash '$(pwd)/scripts/compare-validation-reuse-build.sh' '$(pwd)'"
fi
command='java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx1g -cp "perf-examples/target/test-classes:$(cat perf-examples/target/compare-cp.txt)" org.loadperf.examples.CompareValidationSuite '"$GROUPS_RUN"

results="$out/results.tsv"
[ -f "$results" ] || printf 'time\tslowdown\trun\tkey\tmetric\tstatus\tfails_build\tchange\tbound\tmde\trounds\tminutes\tload_before\tload_after\n' > "$results"
for i in $(seq 1 "$RUNS"); do
  for s in $SLOWDOWNS; do
    dir="$out/s$s-run$i"
    started=$(date -u +%H:%M:%S)
    # shellcheck disable=SC2086
    java -cp "$cli_cp" org.loadperf.core.cli.PerfCli compare --base HEAD --head worktree --build "$build" \
      --command "$command" --head-env "PERF_VALIDATION_SLOWDOWN=$s" --report-dir "$dir" $ARGS \
      > "$dir.log" 2>&1 || true
    # the rounds' store files (every iteration's figures), for analyses the table does not show
    if [ -d target/compare/stores ]; then mkdir -p "$dir" && cp -r target/compare/stores "$dir/stores"; fi
    if [ ! -f "$dir/compare.json" ]; then
      echo "slowdown $s run $i: no compare.json, see $dir.log" >&2; tail -5 "$dir.log" >&2; continue
    fi
    python3 - "$dir/compare.json" "$s" "$i" "$started" >> "$results" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
for c in j["comparisons"]:
    f = lambda v: "" if v is None else "%.2f" % v
    print("\t".join([sys.argv[4], sys.argv[2], sys.argv[3], c["key"], c["metric"], c["status"],
                     str(c["fails_build"]).lower(), f(c["regression_percent"]), f(c["lower_bound_percent"]),
                     f(c["min_detectable_percent"]), str(j["rounds"]), "%.1f" % (j["seconds"] / 60),
                     j["load_average_before"], j["load_average_after"]]))
PY
    echo "slowdown $s run $i: $(grep -c 'true' <(awk -F'\t' -v s="$s" -v i="$i" '$2==s && $3==i {print $7}' "$results")) failing, $(grep -m1 '^Compare' "$dir.log")"
  done
done

#!/bin/bash
# The build step of scripts/compare-validation.sh with COMPARE_VALIDATION_REUSE_BUILD=true, run by `compare` in each
# tree: the head (the tree built once by compare-validation.sh, "$1") does nothing; the base (a worktree of the same
# commit) gets copies of its classes and a class path that points to the copies.
set -eu
root=$1
[ "$PERF_COMPARE_SIDE" = base ] || exit 0
for m in perf-api perf-core perf-loader-postgres perf-loader-redis perf-loader-delta perf-examples; do
  mkdir -p "$m/target"
  for d in classes test-classes; do
    if [ -d "$root/$m/target/$d" ]; then cp -r "$root/$m/target/$d" "$m/target/"; fi
  done
done
sed "s#$root/#$PWD/#g" "$root/perf-examples/target/compare-cp.txt" > perf-examples/target/compare-cp.txt

#!/usr/bin/env bash
# Lists every test class that failed or erred in the modules' surefire reports (run from the project root) and
# exits 1 when there is one: `make test-performance` lets every module run its suites and reports them all here.
cd "$(dirname "$0")/.."
failed=0
for f in */target/surefire-reports/TEST-*.xml; do
  [ -f "$f" ] || continue
  head=$(grep -m1 '<testsuite' "$f")
  failures=$(sed -n 's/.* failures="\([0-9]*\)".*/\1/p' <<<"$head")
  errors=$(sed -n 's/.* errors="\([0-9]*\)".*/\1/p' <<<"$head")
  if [ "${failures:-0}" != 0 ] || [ "${errors:-0}" != 0 ]; then
    [ $failed = 1 ] || echo "FAILED (each module's own output above says why):"
    echo "  ${f%%/*}: $(basename "$f" .xml | sed 's/^TEST-//') (${failures:-0} failed, ${errors:-0} errors)"
    failed=1
  fi
done
exit $failed

#!/usr/bin/env bash
# A project of yours (perf-examples/downstream, the README's Quick start pom) must resolve the versions this build
# tests with (perf-loader-postgres's test class path). Maven takes each version from the POM nearest to the project,
# so a library that Arrow also names (Jackson) could otherwise arrive older than loadperf was built and tested with.
# Usage: scripts/same-dependencies.sh LOCAL_REPO (loadperf installed there; `make downstream-check` runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=${1:?the local repository loadperf is installed in}
mvn=${MVN:-mvn -B}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$mvn -q dependency:list -pl perf-loader-postgres -DincludeScope=test -DoutputFile="$tmp/build.txt" \
  -Dmaven.repo.local="$repo"
$mvn -q -f perf-examples/downstream/pom.xml dependency:list -DincludeScope=test -DoutputFile="$tmp/downstream.txt" \
  -Dmaven.repo.local="$repo"
# "   group:artifact:type[:classifier]:version:scope[ -- module name]" -> "group:artifact[:classifier] version"
versions() {
  sed -e 's/ -- .*$//' -e 's/^ *//' "$1" | awk -F: 'NF >= 5 {
    key = $1 ":" $2; if (NF == 6) key = key ":" $4; print key, $(NF - 1) }' | sort -u
}
if ! join <(versions "$tmp/build.txt") <(versions "$tmp/downstream.txt") \
    | awk '$2 != $3 { print "  " $1 ": this build tests " $2 ", a project of yours gets " $3; bad = 1 } END { exit bad }'
then
  echo "A project depending on loadperf resolves other versions than this build tests (above): name them in the" \
       "module's pom (as perf-core names Jackson's)." >&2
  exit 1
fi
echo "A project of yours resolves the versions this build tests ($(versions "$tmp/downstream.txt" | wc -l) artifacts)."

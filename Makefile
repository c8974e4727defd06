# loadperf: the guide's commands.
#   make test-performance                       every performance suite (embedded servers unless configured)
#   PERF_TEST_SIZE=10000 make test-performance  smaller dataset
#   make test-performance GROUPS=redis          one loader's suite, like `pytest -m redis`
#   make test-performance GROUPS=streaming      consecutive 1,000-row loads per loader (1,000 at 50,000 rows, 40 at 10,000)
#   make test                                   the tests (mvn -B verify; benchmarks excluded)
#   make validate-verdicts                      false alarms and detection power of the verdicts (README, "The validation")
#   make validate-verdicts-busy                 the same, quiet and under busy-machine, side by side
#   make validate-changepoints                  change points on real histories: 40 unchanged runs, 10% shifts
#   make validate-memory                        the memory verdicts against injected memory regressions (20 trials)
#   make aa-check / aa-check-busy               the main job 5 times on one store: unchanged code, no REGRESSION
#   make downstream-check                       the README's Quick start as a separate project on the installed artifacts
#   make compare-performance BASE=main          is this tree slower than main? both built side by side, run in rounds
# The run's summary is printed at the end; its reports are in target/perf-report/ (index.html, summary.md, ...).

MVN            ?= mvn -B
PERF_TEST_SIZE ?= 50000
GROUPS         ?= performance
PERF_STORE     ?= $(CURDIR)/performance_benchmarks.json
# One report for the whole run, whatever module measured what (see perf-core ReportWriter).
PERF_REPORT_DIR ?= $(CURDIR)/target/perf-report
PERF_RUN_ID    ?= make-$(shell date +%Y%m%dT%H%M%S)
PERF_LOG_LEVEL ?= WARN
export PERF_TEST_SIZE PERF_REPORT_DIR PERF_RUN_ID
# The busy-machine tool: the shared one where it exists, else the copy in .ci/ (a fresh clone has no ../shared).
BUSY_MACHINE   ?= $(firstword $(wildcard /work/shared/tools/busy-machine $(CURDIR)/../shared/tools/busy-machine) \
                    $(CURDIR)/.ci/busy-machine)
export BUSY_MACHINE

# Embedded PostgreSQL refuses to run as root; in a user namespace (unshare -U) it runs as "nobody" while the
# build keeps its files. Used only as root, without POSTGRES_HOST, where unshare is allowed.
AS_USER := $(shell if [ "$$(id -u)" = 0 ] && [ -z "$$POSTGRES_HOST" ] && unshare -U true 2>/dev/null; then echo "unshare -U"; fi)

.PHONY: test test-busy test-performance clean-baselines validate-verdicts validate-verdicts-busy validate-changepoints validate-memory aa-check aa-check-busy downstream-check \
        compare-performance compare-validation

test:
	$(AS_USER) $(MVN) verify

# The tests again while busy loops take the CPUs at random: no test may depend on the machine's speed.
test-busy:
	'$(BUSY_MACHINE)' -- $(MAKE) test

# Quiet by default (warnings and errors; PERF_LOG_LEVEL=INFO restores the loaders' detail). A module whose suite
# fails does not stop the next one: every failed test class is listed at the end, and the target fails.
test-performance:
	@if ! printf '%s' '$(PERF_TEST_SIZE)' | grep -Eq '^[0-9][0-9_,]*$$' \
	    || [ "$$(printf '%s' '$(PERF_TEST_SIZE)' | tr -d '_,')" -le 0 ]; then \
	  echo "PERF_TEST_SIZE must be a positive number of rows (e.g. 10000), got '$(PERF_TEST_SIZE)'" >&2; exit 2; fi
	@rm -f '$(PERF_REPORT_DIR)/summary.txt'; rm -rf */target/surefire-reports
	PERF_LOG_LEVEL=$(PERF_LOG_LEVEL) $(AS_USER) $(MVN) verify -Pperformance -Dgroups='$(GROUPS)' \
	  -Dperf.store='$(PERF_STORE)' -Dmaven.test.failure.ignore=true; status=$$?; \
	  if [ -f '$(PERF_REPORT_DIR)/summary.txt' ]; then cat '$(PERF_REPORT_DIR)/summary.txt'; fi; \
	  scripts/test-failures.sh || status=1; exit $$status

clean-baselines:
	rm -f '$(PERF_STORE)' '$(PERF_STORE).lock'

# A/A pairs and injected 5/10/20% slowdowns, each run a JVM of its own, as a user runs the suites: a CPU-and-memory
# workload and the PostgreSQL loader (POSTGRES_HOST, else an embedded server). The guide's default dataset size
# (PERF_TEST_SIZE=50000 unless given on the command line); under 30 minutes on a 2-core machine (README).
validate-verdicts:
	PERF_TEST_SIZE=$(if $(filter command line environment,$(origin PERF_TEST_SIZE)),$(PERF_TEST_SIZE),50000) \
	$(AS_USER) $(MVN) -q -pl perf-examples -am verify -Dtest=VerdictValidationBenchmark -Dgroups=validation \
	  -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true

# Change points on real histories: PERF_VALIDATION_HISTORY (40) unchanged runs, each a JVM, then 10% slowdowns
# continued from 5 points of that history (docs/verdict-validation.md); PERF_VALIDATION_BUSY as below.
validate-changepoints:
	PERF_TEST_SIZE=$(if $(filter command line environment,$(origin PERF_TEST_SIZE)),$(PERF_TEST_SIZE),10000) \
	$(AS_USER) $(MVN) -q -pl perf-examples -am verify -Dtest=ChangePointValidation -Dgroups=validation \
	  -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true

# The memory verdicts against injected memory regressions (a loader that keeps every batch, 50% larger buffers, 10%
# and 2% more allocation per row) and A/A, PERF_MEMORY_VALIDATION_RUNS (20) trials of separate JVMs; no server needed.
validate-memory:
	$(AS_USER) $(MVN) -q -pl perf-examples -am verify -Dtest=MemoryVerdictValidationBenchmark -Dgroups=validation \
	  -DexcludedGroups=none -Dsurefire.failIfNoSpecifiedTests=false -Djacoco.skip=true

# PERF_VALIDATION_BUSY=both: the validation above on the machine as it is, then with every child JVM under
# busy-machine (its speed moves 2x within seconds), side by side in one table (true: only under busy-machine).
validate-verdicts-busy:
	PERF_VALIDATION_BUSY=$${PERF_VALIDATION_BUSY:-both} $(MAKE) validate-verdicts

# The A/A check of the main job (docs/verdict-validation.md): AA_RUNS (5) runs of this commit's test-performance on
# one fresh store with PERF_FAIL_ON_REGRESSION=true; runs 2..N of unchanged code must show no REGRESSION.
aa-check:
	PERF_TEST_SIZE=$(if $(filter command line environment,$(origin PERF_TEST_SIZE)),$(PERF_TEST_SIZE),10000) \
	  scripts/aa-check.sh

aa-check-busy:
	AA_BUSY=true $(MAKE) aa-check

# The README's Quick start as a project of yours: loadperf installed into a private local repository (seeded from
# ~/.m2 when that exists; the shared one is never written), then perf-examples/downstream built against it alone.
# The dependency versions it resolves must be the ones this build tests (scripts/same-dependencies.sh). Its test
# loads into POSTGRES_HOST (default localhost:5432, database test, user postgres).
DOWNSTREAM_M2 ?= $(CURDIR)/target/downstream-m2
downstream-check:
	@if [ ! -d '$(DOWNSTREAM_M2)' ] && [ -d "$$HOME/.m2/repository" ]; then \
	  mkdir -p '$(DOWNSTREAM_M2)' && cp -r "$$HOME/.m2/repository/." '$(DOWNSTREAM_M2)/'; fi
	$(MVN) -q install -DskipTests -Dmaven.repo.local='$(DOWNSTREAM_M2)'
	MVN='$(MVN)' scripts/same-dependencies.sh '$(DOWNSTREAM_M2)'
	$(MVN) -f perf-examples/downstream/pom.xml test -Dmaven.repo.local='$(DOWNSTREAM_M2)' \
	  -Dperf.store='$(CURDIR)/target/downstream/performance_benchmarks.json'

# Base (a git ref) against this working tree: the base checked out into target/compare/base, both trees built by the
# reactor (nothing installed), their suites (GROUPS) run in rounds, both sides at once taking turns per iteration; the table
# is printed and written to target/perf-report/compare.md and compare.json. COMPARE_ARGS adds options
# (--head REF, --rounds-max N, --time-budget 30m, --interleave runs, --fail-on-regression; PerfCli compare --help).
BASE            ?=
COMPARE_ARGS    ?=
COMPARE_COMMAND ?= $(AS_USER) $(MVN) -q verify -Pperformance -Dgroups={groups} -Dmaven.test.failure.ignore=true \
                   -Djacoco.skip=true
COMPARE_BUILD   ?= $(MVN) -q -DskipTests -Djacoco.skip=true test-compile
compare-performance:
	@if [ -z '$(BASE)' ]; then echo "BASE=<git ref> is required, e.g. make compare-performance BASE=main" >&2; exit 2; fi
	$(MVN) -q -pl perf-core -am compile exec:java \
	  -Dexec.args="compare --base '$(BASE)' --groups '$(GROUPS)' --command '$(COMPARE_COMMAND)' \
	  --build '$(COMPARE_BUILD)' $(COMPARE_ARGS)"

# The validation of compare (docs/verdict-validation.md): A/A and injected slowdowns (COMPARE_VALIDATION_SLOWDOWNS,
# default "0 10"), COMPARE_VALIDATION_RUNS (20) comparisons each; loads into POSTGRES_HOST (a running server).
compare-validation:
	scripts/compare-validation.sh

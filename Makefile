# loadperf: the guide's commands.
#   make test-performance                       every performance suite (embedded servers unless configured)
#   PERF_TEST_SIZE=10000 make test-performance  smaller dataset
#   make test-performance GROUPS=redis          one loader's suite, like `pytest -m redis`
#   make test                                   the tests (mvn -B verify; benchmarks excluded)
#   make validate-verdicts                      false alarms and detection power of the verdicts (README, "The validation")
#   make validate-verdicts-busy                 the same, quiet and under busy-machine, side by side
#   make aa-check / aa-check-busy               the main job 5 times on one store: unchanged code, no REGRESSION
# The run's summary is printed at the end; its reports are in target/perf-report/ (index.html, summary.md, ...).

MVN            ?= mvn -B
PERF_TEST_SIZE ?= 50000
GROUPS         ?= performance
PERF_STORE     ?= $(CURDIR)/performance_benchmarks.json
# One report for the whole run, whatever module measured what (see perf-core ReportWriter).
PERF_REPORT_DIR ?= $(CURDIR)/target/perf-report
PERF_RUN_ID    ?= make-$(shell date +%Y%m%dT%H%M%S)
export PERF_TEST_SIZE PERF_REPORT_DIR PERF_RUN_ID
# The busy-machine tool: the shared one where it exists, else the copy in .ci/ (a fresh clone has no ../shared).
BUSY_MACHINE   ?= $(firstword $(wildcard /work/shared/tools/busy-machine $(CURDIR)/../shared/tools/busy-machine) \
                    $(CURDIR)/.ci/busy-machine)
export BUSY_MACHINE

# Embedded PostgreSQL refuses to run as root; in a user namespace (unshare -U) it runs as "nobody" while the
# build keeps its files. Used only as root, without POSTGRES_HOST, where unshare is allowed.
AS_USER := $(shell if [ "$$(id -u)" = 0 ] && [ -z "$$POSTGRES_HOST" ] && unshare -U true 2>/dev/null; then echo "unshare -U"; fi)

.PHONY: test test-busy test-performance clean-baselines validate-verdicts validate-verdicts-busy aa-check aa-check-busy

test:
	$(AS_USER) $(MVN) verify

# The tests again while busy loops take the CPUs at random: no test may depend on the machine's speed.
test-busy:
	'$(BUSY_MACHINE)' -- $(MAKE) test

test-performance:
	@rm -f '$(PERF_REPORT_DIR)/summary.txt'
	$(AS_USER) $(MVN) verify -Pperformance -Dgroups='$(GROUPS)' -Dperf.store='$(PERF_STORE)'; status=$$?; \
	  if [ -f '$(PERF_REPORT_DIR)/summary.txt' ]; then cat '$(PERF_REPORT_DIR)/summary.txt'; fi; exit $$status

clean-baselines:
	rm -f '$(PERF_STORE)' '$(PERF_STORE).lock'

# A/A pairs and injected 5/10/20% slowdowns, each run a JVM of its own, as a user runs the suites: a CPU-and-memory
# workload and the PostgreSQL loader (POSTGRES_HOST, else an embedded server). The guide's default dataset size
# (PERF_TEST_SIZE=50000 unless given on the command line); under 30 minutes on a 2-core machine (README).
validate-verdicts:
	PERF_TEST_SIZE=$(if $(filter command line environment,$(origin PERF_TEST_SIZE)),$(PERF_TEST_SIZE),50000) \
	$(AS_USER) $(MVN) -q -pl perf-examples -am verify -Dtest=VerdictValidationBenchmark -Dgroups=validation \
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

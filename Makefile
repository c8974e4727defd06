# loadperf: the guide's commands.
#   make test-performance                       every performance suite (embedded servers unless configured)
#   PERF_TEST_SIZE=10000 make test-performance  smaller dataset
#   make test-performance GROUPS=redis          one loader's suite, like `pytest -m redis`
#   make test                                   the tests (benchmarks excluded)

MVN            ?= mvn -B
PERF_TEST_SIZE ?= 50000
GROUPS         ?= performance
PERF_STORE     ?= $(CURDIR)/performance_benchmarks.json
export PERF_TEST_SIZE

# Embedded PostgreSQL refuses to run as root; in a user namespace (unshare -U) it runs as "nobody" while the
# build keeps its files. Used only as root, without POSTGRES_HOST, where unshare is allowed.
AS_USER := $(shell if [ "$$(id -u)" = 0 ] && [ -z "$$POSTGRES_HOST" ] && unshare -U true 2>/dev/null; then echo "unshare -U"; fi)

.PHONY: test test-performance clean-baselines

test:
	$(MVN) verify

test-performance:
	$(AS_USER) $(MVN) verify -Pperformance -Dgroups='$(GROUPS)' -Dperf.store='$(PERF_STORE)'

clean-baselines:
	rm -f '$(PERF_STORE)' '$(PERF_STORE).lock'

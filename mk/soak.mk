# The soak alone (it is also part of make test-long): SOAK_SECONDS of mixed traffic at 70% of the
# measured maximum against 2 workers on PostgreSQL. wrk is the load generator (Debian package).
SOAK_SECONDS ?= 600

.PHONY: soak wrk
wrk:
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)

soak: install wrk ## the soak only (SOAK_SECONDS=600 by default): no 5xx, p99 steady, RSS flat, no order lost; prints its figures
	@pg_isready -q -h 127.0.0.1 -p 5432 -t 5 || { echo "soak: PostgreSQL at 127.0.0.1:5432 does not answer (see README)" >&2; exit 1; }
	SOAK_SECONDS=$(SOAK_SECONDS) TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(TEST_LONG_DATABASE_URL)} \
		$(PYTEST) tests/long/test_soak.py -m slow -s -q -p no:cacheprovider --timeout=$$(( $(SOAK_SECONDS) + 900 ))

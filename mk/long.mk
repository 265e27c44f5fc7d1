# The long suites (not part of make test): soak, database and process faults, hostile input,
# attacks (tests/long/attacks), abuse limits, the webhook fault test. They need PostgreSQL (TEST_DATABASE_URL, default the
# local cluster), talk to 127.0.0.1 only, stop by themselves and print their figures.
TEST_LONG_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: test-long
test-long: install wrk ## the long suites on PostgreSQL (about 25 min): soak, DB/process faults, hostile input, attacks, limits
	@pg_isready -q -h 127.0.0.1 -p 5432 -t 5 || { echo "test-long: PostgreSQL at 127.0.0.1:5432 does not answer (see README)" >&2; exit 1; }
	TEST_DATABASE_URL=$${TEST_DATABASE_URL:-$(TEST_LONG_DATABASE_URL)} $(PYTEST) -m slow -s -q -p no:cacheprovider --timeout=3600

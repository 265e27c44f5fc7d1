# Webhooks: the delivery worker (several may run at once, on one database) and its benchmark.
# DATABASE_URL picks the database as for `make run`; HARBOR_WEBHOOKS_* tune the worker.
BENCH_WEBHOOK_EVENTS ?= 2000
BENCH_WEBHOOK_WORKERS ?= 1,3

.PHONY: worker bench-webhooks

worker: .venv/.synced migrate ## run the webhook delivery worker (SIGTERM drains it); start more for more throughput
	@exec $(PY) -m service.webhooks

bench-webhooks: .venv/.synced ## webhook throughput on PostgreSQL, 1 and 3 workers (TEST_DATABASE_URL); bench/results/webhooks.md
	$(PY) -m bench.bench_webhooks --events $(BENCH_WEBHOOK_EVENTS) --workers $(BENCH_WEBHOOK_WORKERS)

# Benchmarks, never part of `make test`: the HTTP comparison (bench/httpbench, bench/apps) and the
# quick ones. They run in their own environment (the lock's `bench` group), so a `uv sync` of
# .venv elsewhere cannot pull connexion or matplotlib from under a running benchmark.
# PostgreSQL: TEST_DATABASE_URL, else postgresql://postgres@127.0.0.1:5432/test (the benchmarks
# create and keep a `harbor_bench` database there, loaded once with 1,000,000 orders).
BENCH_VENV := var/bench/venv
BENCH_PY := $(BENCH_VENV)/bin/python
# Extra arguments for bench/httpbench/run.py, e.g. BENCH_ARGS="--rounds 5 --seconds 10".
BENCH_ARGS ?=
# Extra arguments for bench/bench_generate.py, e.g. BENCH_GENERATE_ARGS="--runs 5 --no-compare".
BENCH_GENERATE_ARGS ?=

# The `bench` group pins connexion, matplotlib and greenlet (SQLAlchemy's async ORM needs it).
$(BENCH_VENV)/.synced: pyproject.toml uv.lock clients/python/pyproject.toml mk/00-setup.mk | $(UV)
	UV_PROJECT_ENVIRONMENT=$(BENCH_VENV) $(UV) sync --frozen --group bench --quiet
	@touch $@

.PHONY: bench bench-http bench-versions bench-ratelimit bench-generate
bench-http: $(BENCH_VENV)/.synced ## Harbor vs hand-written FastAPI, connexion, Starlette under wrk: bench/results/http.md, http.png
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BENCH_PY) -m bench.httpbench.run $(BENCH_ARGS)

bench-versions: $(BENCH_VENV)/.synced ## what serving every version costs: in process (CPU, the middleware alone) and under wrk (req/s with and without Harbor-Version; var/bench-versions/http.md)
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(BENCH_PY) -m bench.bench_versions
	$(BENCH_PY) -m bench.httpbench.run --only harbor --versions --workers 1 --out var/bench-versions $(BENCH_ARGS)

bench-ratelimit: $(BENCH_VENV)/.synced ## what the shared rate limit (HARBOR_RATE_LIMIT_STORE=database) costs per request against the per-worker one
	$(BENCH_PY) -m bench.bench_ratelimit

bench: bench-http bench-versions bench-ratelimit ## every benchmark (about 17 min): bench-http, bench-versions, deep pages, the breaking gate, generation
	$(BENCH_PY) bench/bench_deep_pages.py
	@if [ -f bench/bench_breaking.py ]; then $(BENCH_PY) -m bench.bench_breaking; fi
	$(MAKE) --no-print-directory bench-generate

# GitHub's REST API comes from corpus/node_modules (@octokit/openapi, pinned in corpus/package.json).
bench-generate: $(BENCH_VENV)/.synced corpus/node_modules/.installed ## generation speed: the small specs, ours, GitHub's REST API, a no-op (median of several runs; bench/results/generate.md)
	$(BENCH_PY) bench/bench_generate.py $(BENCH_GENERATE_ARGS)

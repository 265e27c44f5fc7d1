# The generator over real-world specs (not part of make test).
# CORPUS_ARGS passes options to harbor_pipeline.corpus: --tool fastapi-codegen, --resume, --workers N ...
CORPUS_ARGS ?=

corpus/node_modules/.installed: corpus/package.json corpus/package-lock.json
	npm ci --prefix corpus --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

.PHONY: corpus
corpus: .venv/.synced corpus/node_modules/.installed ## generate+import+verify (server and Python client) over ~2,600 public specs; table in corpus/results/harbor.md (SAMPLE=N, CORPUS_ARGS=--resume)
	$(PY) -m harbor_pipeline.corpus $(if $(SAMPLE),--sample $(SAMPLE) --out var/corpus/sample.md) $(CORPUS_ARGS)

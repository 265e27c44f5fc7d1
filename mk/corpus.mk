# The generator over real-world specs (not part of make test).
corpus/node_modules/.installed: corpus/package.json corpus/package-lock.json
	npm ci --prefix corpus --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

.PHONY: corpus
corpus: .venv/.synced corpus/node_modules/.installed ## generate+import+verify over ~2,600 public specs; table in var/corpus/report.md (SAMPLE=N for a sample)
	$(PY) -m scripts.corpus $(if $(SAMPLE),--sample $(SAMPLE)) $(CORPUS_ARGS)

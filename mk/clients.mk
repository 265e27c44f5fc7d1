# The partner clients, generated from the spec: clients/python (httpx + Pydantic) and
# clients/typescript (openapi-typescript types + openapi-fetch), and the TypeScript client's tests.
CLIENT_PACKAGE := harbor-client
TSC := node_modules/.bin/tsc
TS_TEST_OUT := var/clients-ts
CLIENT_LANGS := python typescript

.PHONY: generate-clients generate-clients-check test-clients-ts
generate-clients: .venv/.synced node_modules/.installed ## generate clients/python and clients/typescript from the spec
	@for lang in $(CLIENT_LANGS); do \
	  $(HARBOR) client $(SPEC) clients/$$lang --lang $$lang --package-name $(CLIENT_PACKAGE) --cache-dir var/cache/codegen || exit $$?; \
	done

generate-clients-check: .venv/.synced node_modules/.installed ## fail when clients/ differs from a fresh generation
	@for lang in $(CLIENT_LANGS); do \
	  $(HARBOR) client $(SPEC) clients/$$lang --lang $$lang --package-name $(CLIENT_PACKAGE) --check || exit $$?; \
	done

test-clients-ts: .venv/.synced node_modules/.installed ## tsc --strict on the TypeScript client, then its node tests against a live server
	$(TSC) --noEmit --strict -p clients/typescript/tsconfig.json
	rm -rf $(TS_TEST_OUT)
	$(TSC) --strict -p tests/clients/ts/tsconfig.json --outDir $(TS_TEST_OUT)
	echo '{"type": "module"}' > $(TS_TEST_OUT)/package.json
	$(PY) -m tests.clients.live -- node --test $(TS_TEST_OUT)/tests/clients/ts/*.test.js

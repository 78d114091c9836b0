# One obvious way to build and test: `make dev` and `make test` (see README.md).
# Every other target is called by these two or by .ci/run.

CARGO ?= cargo
WASM_TARGET := wasm32-unknown-unknown
EXAMPLE_POLICY := tests/data/policies/rfc8461-example.txt

.PHONY: setup build dev test lint fmt-check clippy unit-tests sender-oracles bench clean venv bench-venv fuzz-tools fuzz-build fuzz fuzz-smoke worker-tools worker-build worker-test worker-load worker-email-load worker-bench npm npm-project npm-test bench-npm web web-test bench-web

## setup: the toolchain pieces a fresh machine lacks (idempotent, offline-safe once installed).
setup:
	@rustup target list --installed 2>/dev/null | grep -qx '$(WASM_TARGET)' || rustup target add $(WASM_TARGET)
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt
	@$(MAKE) --no-print-directory worker-tools
	@test -x /usr/bin/chromium || { apt-get update && apt-get install -y chromium; }

## build: everything, without running it (the CLI natively, the core for wasm32 as well).
build: setup npm web
	$(CARGO) build --workspace --exclude xtask --exclude mtasts-web --release
	$(CARGO) build -p mtasts --target $(WASM_TARGET) --release

## dev: build the Worker and the page and serve them with `wrangler dev` on http://127.0.0.1:8787
## with a local D1 and R2 (migrations applied first), a random operator token in .dev.vars
## (created when missing or weak; printed), offline, no login, in front of the stand-in for the
## internet (DoH 127.0.0.1:8053, policy hosts on 8443; scripts/dev.mjs). Ctrl-C stops it all.
dev: setup web worker-build
	@node scripts/dev-vars.mjs
	$(CARGO) build -p mtasts-standin
	$(WRANGLER) d1 migrations apply DB --local
	@echo
	@echo "  publish: curl -X PUT -H \"Authorization: Bearer \$$(sed -n 's/^API_TOKEN=//p' .dev.vars)\" --data-binary @$(EXAMPLE_POLICY) http://127.0.0.1:8787/api/domains/example.com/policy"
	@echo "  serve:   curl -H 'Host: mta-sts.example.com' http://127.0.0.1:8787/.well-known/mta-sts.txt"
	node scripts/dev.mjs </dev/null

## test: formatting, lints on every target, every test, and every fuzz target briefly.
test: setup lint unit-tests sender-oracles worker-test web-test npm-test fuzz-smoke

lint: fmt-check clippy

fmt-check:
	$(CARGO) fmt --all --check
	rustfmt --edition 2021 --check fuzz/src/*.rs fuzz/fuzz_targets/*.rs

clippy:
	$(CARGO) clippy --workspace --exclude mtasts-web --all-targets -- -D warnings
	$(CARGO) clippy -p mtasts --lib --target $(WASM_TARGET) -- -D warnings
	$(CARGO) clippy -p mtasts --lib --features dkim --target $(WASM_TARGET) -- -D warnings
	$(CARGO) clippy -p mtasts-worker --lib --target $(WASM_TARGET) -- -D warnings
	$(CARGO) clippy -p mtasts-fetch --all-targets --target $(WASM_TARGET) -- -D warnings
	$(CARGO) clippy -p mtasts-js --all-targets --target $(WASM_TARGET) -- -D warnings
	$(CARGO) clippy -p mtasts --lib --no-default-features --target $(WASM_TARGET) -- -D warnings
	$(CARGO) clippy -p mtasts-web --target $(WASM_TARGET) -- -D warnings
	$(CARGO) clippy -p mtasts-web --features tools --target $(WASM_TARGET) -- -D warnings

# xtask (build tooling) has no tests, and a debug build of it costs minutes: it is left out, and
# so is the web page, which only builds for wasm32 (`clippy` checks it there).
unit-tests:
	$(CARGO) test --workspace --exclude xtask --exclude mtasts-web

## sender-oracles: the `postfix-mta-sts-resolver` and `mailauth` sender profiles against the real
## code of those senders (postfix-mta-sts-resolver from target/venv, mailauth from node_modules),
## run unchanged on every scenario of tests/data/zones/ in a private network namespace where the
## stand-in serves DNS on 127.0.0.1:53 and the policy hosts on 127.0.0.1:443 (tests/senders/).
## Per-scenario results in target/tmp/sender-oracles/results.md.
sender-oracles: venv node_modules/.package-lock.json
	@# The CLI and the stand-in, built as `unit-tests` builds them (same features: nothing to redo).
	$(CARGO) test --workspace --exclude xtask --exclude mtasts-web --no-run
	node tests/senders/run.mjs

## bench: every row of the performance table, each against its anchor measured in the same run
## (not part of `make test`; no test asserts a time): the domain check against the stand-in with
## 50 ms added to every DoH and HTTPS answer (one domain; 100 domains --jobs 8 against the sum of
## single checks), policy serving against a minimal JS worker in the
## same workerd, npm lintReport against JSON.parse in the same Node, native report reading
## against parsedmarc (target/bench-venv) right before and after, the page's first load in Chromium;
## the criterion parse benchmarks; then the summary table (scripts/bench-summary.mjs) of every
## `BENCH` line in the logs of target/bench/.
BENCH_LOG = { $(1); echo $$? > target/bench/$(2).rc; } 2>&1 | tee target/bench/$(2).log; exit $$(cat target/bench/$(2).rc)
BENCH_PARTS := check check-many worker npm reports web

bench: bench-venv worker-build web npm-project
	@mkdir -p target/bench && rm -f target/bench/*.log
	$(CARGO) bench -p mtasts --bench parse
	@$(call BENCH_LOG,$(CARGO) bench -p mtasts-cli --bench check,check)
	@$(call BENCH_LOG,$(CARGO) bench -p mtasts-cli --bench check_many,check-many)
	@$(call BENCH_LOG,node scripts/worker-bench.mjs,worker)
	@$(call BENCH_LOG,$(MAKE) --no-print-directory bench-npm,npm)
	@$(call BENCH_LOG,node scripts/bench-reports.mjs,reports)
	@$(call BENCH_LOG,$(MAKE) --no-print-directory bench-web,web)
	@node scripts/bench-summary.mjs $(BENCH_PARTS:%=target/bench/%.log)

## node_modules: the repository's JavaScript tooling, exactly as package-lock.json pins it.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

## npm: the npm package `mtasts` (crates/mtasts-js) in dist/npm, packed as dist/mtasts-VERSION.tgz,
## by xtask (wasm-bindgen as a library, binaryen's wasm-opt from node_modules).
NPM_VERSION := $(shell sed -n 's/^version = "\(.*\)"$$/\1/p' Cargo.toml | head -n 1)
NPM_TARBALL := $(CURDIR)/dist/mtasts-$(NPM_VERSION).tgz
NPM_PROJECT := target/npm-test

npm: setup node_modules/.package-lock.json
	$(CARGO) run -q -p xtask --profile xtask -- npm

## npm-project: a scratch project with the tarball installed as a user installs it, and the
## package's tests and benchmark beside it.
npm-project: npm
	rm -rf $(NPM_PROJECT) && mkdir -p $(NPM_PROJECT) target/tmp
	cp -R crates/mtasts-js/tests/. crates/mtasts-js/bench/. $(NPM_PROJECT)/
	printf '{ "name": "mtasts-npm-test", "private": true, "type": "module" }\n' > $(NPM_PROJECT)/package.json
	cd $(NPM_PROJECT) && npm install --no-audit --no-fund --loglevel=error $(NPM_TARBALL)

## npm-test: the package's tests (node --test): the corpus against the CLI, the stand-in, fuzzing,
## the TypeScript declarations, the README's examples, a page in headless Chromium, a Worker.
npm-test: npm-project
	@# The CLI and the stand-in, built as `unit-tests` builds them (same features: nothing to redo).
	$(CARGO) test --workspace --exclude xtask --exclude mtasts-web --no-run
	cd $(NPM_PROJECT) && MTASTS_ROOT=$(CURDIR) TMPDIR=$(CURDIR)/target/tmp node --test *.test.mjs

## web: the web page (web/) in dist/web, the Worker's static assets, by xtask (the same
## wasm-bindgen and wasm-opt as `npm`); a no-op when nothing it is built from changed.
WEB_WASM := dist/web/mtasts_web_bg.wasm
WEB_SOURCES := $(shell find web crates/mtasts/src crates/mtasts-fetch/src -type f 2>/dev/null) \
	crates/mtasts/Cargo.toml crates/mtasts-fetch/Cargo.toml xtask/src/main.rs Cargo.toml Cargo.lock

web: $(WEB_WASM)

$(WEB_WASM): $(WEB_SOURCES) node_modules/.package-lock.json | setup
	$(CARGO) run -q -p xtask --profile xtask -- web
	touch $@

## bench-npm: lintReport on a 10 MB report against JSON.parse, the cold import, the tarball size.
bench-npm: npm-project
	cd $(NPM_PROJECT) && MTASTS_ROOT=$(CURDIR) node lint-report.mjs

## venv: the Python packages of tests/requirements.txt (independent implementations the tests run
## as oracles and producers, the benchmarks' anchors) in target/venv, exactly as pinned there.
VENV := $(CURDIR)/target/venv
VENV_PYTHON := $(VENV)/bin/python

venv: $(VENV)/.installed

$(VENV)/.installed: tests/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt
	touch $@

## bench-venv: the Python packages of `make bench` alone (tests/bench-requirements.txt: parsedmarc,
## the report-reading anchor) in target/bench-venv, so `make test` never installs them.
BENCH_VENV := $(CURDIR)/target/bench-venv

bench-venv: $(BENCH_VENV)/.installed

$(BENCH_VENV)/.installed: tests/bench-requirements.txt
	python3 -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/bench-requirements.txt
	touch $@

clean:
	$(CARGO) clean

## The Worker (worker/, wrangler.toml, migrations/): worker-build 0.8.7 from .tools/, kept offline
## by pointing it at our wasm-bindgen (xtask's `wbg`), npm's wasm-opt (binaryen 132, never
## Debian's) and npm's esbuild. wrangler's [build] runs `make worker-build`, a no-op when fresh.
TOOLS_BIN := $(CURDIR)/.tools/bin
WRANGLER := node_modules/.bin/wrangler
WORKER_JS := worker/build/index.js
WORKER_SOURCES := $(shell find worker/src crates/mtasts/src crates/mtasts-fetch/src -name '*.rs' 2>/dev/null) \
	worker/Cargo.toml crates/mtasts/Cargo.toml crates/mtasts-fetch/Cargo.toml Cargo.lock
export WRANGLER_SEND_METRICS := false
export CLOUDFLARE_CF_FETCH_ENABLED := false

worker-tools: node_modules/.package-lock.json $(TOOLS_BIN)/worker-build $(TOOLS_BIN)/wasm-bindgen

$(TOOLS_BIN)/worker-build:
	$(CARGO) install worker-build --version 0.8.7 --locked --root .tools

$(TOOLS_BIN)/wasm-bindgen: xtask/src/bin/wbg.rs xtask/Cargo.toml
	$(CARGO) build -p xtask --profile xtask --bin wbg
	mkdir -p $(TOOLS_BIN)
	ln -sfn ../../target/xtask/wbg $(TOOLS_BIN)/wasm-bindgen
	touch -h $@

worker-build: $(WORKER_JS)

$(WORKER_JS): $(WORKER_SOURCES) | worker-tools
	cd worker && WASM_BINDGEN_BIN=$(TOOLS_BIN)/wasm-bindgen \
		WASM_OPT_BIN=$(CURDIR)/node_modules/.bin/wasm-opt \
		ESBUILD_BIN=$(CURDIR)/node_modules/.bin/esbuild \
		CARGO_TARGET_DIR=$(CURDIR)/target \
		$(TOOLS_BIN)/worker-build --profile worker-release
	touch $@

## worker-test: the real Worker in workerd (wrangler dev, fresh local D1) over HTTP, and its
## e-mail handler through wrangler dev's local e-mail endpoint (report e-mails from tlsrpt-reporter,
## signed by dkimpy: the venv).
worker-test: worker-build web venv
	@# The CLI and the stand-in, built as `unit-tests` builds them (same features: nothing to redo).
	$(CARGO) test --workspace --exclude xtask --exclude mtasts-web --no-run
	node --test --test-concurrency=1 tests/worker/

## web-test: the page (dist/web) served by the real Worker in front of the stand-in, in headless
## Chromium (tests/web/run.mjs: one stand-in and one `wrangler dev` for every file): checks compared
## with the scenarios' expectations and the CLI, lint, generate, reports, keyboard, 375 px, dark,
## axe-core, no request leaving 127.0.0.1. Screenshots in target/web-screenshots/.
web-test: worker-build web
	@# The CLI and the stand-in, built as `unit-tests` builds them (same features: nothing to redo).
	$(CARGO) test --workspace --exclude xtask --exclude mtasts-web --no-run
	TMPDIR=$(CURDIR)/target/tmp node tests/web/run.mjs

## bench-web: bytes transferred on the first load of the page, and the time until the domain box
## takes input in headless Chromium (median of cold loads). Not part of `make test`.
bench-web: worker-build web
	$(CARGO) build -p mtasts-standin
	TMPDIR=$(CURDIR)/target/tmp node scripts/web-bench.mjs

## worker-load / worker-bench: the load test and the serving benchmark (not part of `make test`).
worker-load: worker-build web
	node scripts/worker-load.mjs

worker-bench: worker-build web
	node scripts/worker-bench.mjs

## worker-email-load: messages per second through POST /tlsrpt and through the e-mail handler
## (dkimpy-signed report e-mails, wrangler dev's local e-mail endpoint), 16 clients, one run.
worker-email-load: worker-build web venv
	$(CARGO) build -p mtasts-standin
	node scripts/email-load.mjs

## The fuzz targets (fuzz/, a cargo-fuzz project outside the workspace with its own Cargo.lock):
## one per parser of the core, each with an invariant beyond "no crash" (see each target's doc
## comment). libFuzzer with AddressSanitizer needs nightly: a pinned one from rustup, and
## cargo-fuzz pinned in .tools/. Built once into target/fuzz (all targets), then each run in turn
## on a corpus seeded from tests/data/ (fuzz/seeds.mjs, into the git-ignored fuzz/corpus/).
## A crash stops the run and leaves its input in fuzz/artifacts/<target>/; it becomes a
## regression test beside the parser. `make fuzz FUZZ_SECONDS=3600` runs each target an hour.
FUZZ_TOOLCHAIN := nightly-2026-10-15
CARGO_FUZZ_VERSION := 0.13.2
FUZZ_TARGETS := policy sts_rrset tlsrpt_rrset tlsa report cert_chain dns_answer mx_match generate
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 20
FUZZ := PATH="$(TOOLS_BIN):$$PATH" cargo +$(FUZZ_TOOLCHAIN) fuzz
FUZZ_TARGET_DIR := --target-dir $(CURDIR)/target/fuzz
# Inputs up to 64 KiB (a policy's and a TXT record's size, a small report), 2 GiB of memory at
# most (resident, as libFuzzer measures it), a single input taking over 10 s counts as a hang.
FUZZ_FLAGS := -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1

## fuzz-tools: the pinned nightly (minimal profile) and cargo-fuzz (idempotent).
fuzz-tools:
	@rustup toolchain list | grep -q '^$(FUZZ_TOOLCHAIN)' || rustup toolchain install $(FUZZ_TOOLCHAIN) --profile minimal
	@test "$$($(TOOLS_BIN)/cargo-fuzz --version 2>/dev/null)" = "cargo-fuzz $(CARGO_FUZZ_VERSION)" || \
		$(CARGO) install cargo-fuzz --version $(CARGO_FUZZ_VERSION) --locked --root .tools

## fuzz-build: every target, once, and the seed corpora.
fuzz-build: fuzz-tools
	$(FUZZ) build $(FUZZ_TARGET_DIR)
	node fuzz/seeds.mjs

## fuzz: each target for FUZZ_SECONDS (default 300). Not part of `make test`.
fuzz: fuzz-build
	@for target in $(FUZZ_TARGETS); do \
		echo "fuzz: $$target for $(FUZZ_SECONDS) s"; \
		$(FUZZ) run $(FUZZ_TARGET_DIR) $$target -- -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) || exit 1; \
	done

## fuzz-smoke: each target for FUZZ_SMOKE_SECONDS (default 20), as `make test` runs them.
fuzz-smoke: fuzz-build
	@for target in $(FUZZ_TARGETS); do \
		echo "fuzz-smoke: $$target for $(FUZZ_SMOKE_SECONDS) s"; \
		$(FUZZ) run $(FUZZ_TARGET_DIR) $$target -- -max_total_time=$(FUZZ_SMOKE_SECONDS) $(FUZZ_FLAGS) || exit 1; \
	done

# One obvious way to build and test: `make dev` and `make test` (see README.md).
# Every other target is called by these two or by .ci/run.

CARGO ?= cargo
WASM_TARGET := wasm32-unknown-unknown
EXAMPLE_POLICY := tests/data/policies/rfc8461-example.txt

.PHONY: setup build dev test lint fmt-check clippy unit-tests bench clean

## setup: the toolchain pieces a fresh machine lacks (idempotent, offline-safe once installed).
setup:
	@rustup target list --installed 2>/dev/null | grep -qx '$(WASM_TARGET)' || rustup target add $(WASM_TARGET)
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy
	@rustup component list --installed 2>/dev/null | grep -q '^rustfmt' || rustup component add rustfmt

## build: everything, without running it (the CLI natively, the core for wasm32 as well).
build: setup
	$(CARGO) build --workspace --release
	$(CARGO) build -p mtasts --target $(WASM_TARGET) --release

## dev: until the Worker lands, build the CLI and run it on an example policy and report.
dev: setup
	$(CARGO) build -p mtasts-cli --release
	./target/release/mtasts lint policy $(EXAMPLE_POLICY)
	./target/release/mtasts lint report tests/data/tlsrpt-reports/google-test.xmox.nl-2022-09-15.json.gz
	./target/release/mtasts match '*.example.net' mx1.example.net
	./target/release/mtasts generate example.com --mx mail.example.com --mode testing --rua mailto:tlsrpt@example.com
	@echo
	@echo "The CLI is at ./target/release/mtasts; try: ./target/release/mtasts --help"

## test: formatting, lints on every target, and every test.
test: setup lint unit-tests

lint: fmt-check clippy

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings
	$(CARGO) clippy -p mtasts --lib --target $(WASM_TARGET) -- -D warnings

unit-tests:
	$(CARGO) test --workspace

## bench: the criterion benchmarks, and the domain check against the stand-in with 50 ms added
## to every request (not part of `make test`).
bench:
	$(CARGO) bench -p mtasts --bench parse
	$(CARGO) bench -p mtasts-cli --bench check

clean:
	$(CARGO) clean

# CLP build and test entry points. `make start` builds and starts the daemon;
# `make test` runs every test (what CI runs).
GO      ?= go
BIN     := bin/clp
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/clp-proxy/clp/internal/cli.Version=$(VERSION)

.PHONY: build web start test testdeps vet cross bench clean

# The web UI is built into internal/ui/dist, which is committed so that a
# fresh clone builds without Node; `make web` rebuilds it.
web:
	cd web && npm ci && npm run build

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/clp

start: build
	./$(BIN) start

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

# Every test, with the race detector; fuzz seed corpora run as plain tests.
test: vet testdeps
	$(GO) test -race -count=1 -timeout 30m ./...

# What the tests need beyond Go: Debian's chromium for the browser tests,
# installed with apt-get when missing.
testdeps:
	@.ci/testdeps

# The daemon builds for every OS users run it on.
cross:
	@for os in linux darwin windows; do for arch in amd64 arm64; do \
		echo "build $$os/$$arch"; GOOS=$$os GOARCH=$$arch $(GO) build -o /dev/null ./cmd/clp || exit 1; \
	done; done

# Benchmark harness (cmd/clpbench): CLP against direct, a tuned stdlib proxy and
# nginx when installed. Never part of `make test`. Scale up or write BENCH.md with
# BENCHFLAGS, e.g. `make bench BENCHFLAGS='-rounds 5 -write BENCH.md'`.
BENCHFLAGS ?=
bench: build
	$(GO) build -o bin/clpbench ./cmd/clpbench
	./bin/clpbench -clp $(BIN) $(BENCHFLAGS)

clean:
	rm -rf bin

# zds: every target works on a fresh machine with Go and the module proxy.
GO      ?= go
PKGS    := ./...
FUZZTIME ?= 10s

.PHONY: all build run install test unit fuzz lint generate check-generated golden bench clean

all: lint test

## build: compile every package and example
build:
	$(GO) build $(PKGS)

## run: render the basic example's manifests, with its timing chain (no cluster needed)
run:
	$(GO) run ./cmd/zds render -f examples/basic/service.zds.yaml

## install: install the zds CLI
install:
	$(GO) install ./cmd/zds

## test: lint, every unit/wiring/golden test, and a short fuzz of the timing rules
test: lint unit fuzz

unit:
	$(GO) test -count=1 $(PKGS)

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzDerive$$' -fuzztime $(FUZZTIME) ./components/timing/

## lint: go vet and a gofmt check
lint:
	$(GO) vet $(PKGS)
	@unformatted="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi

## generate: rewrite every generated file
generate:
	$(GO) generate $(PKGS)

## check-generated: fail if generated files are stale
check-generated: generate
	@git diff --exit-code --stat || { echo "generated files are stale: run make generate and commit"; exit 1; }

## golden: rewrite golden files after an intended change (review the diff)
golden:
	$(GO) test ./examples/... ./components/... -update

## bench: component cost as a ratio to raw registrations, and the pure core
bench:
	$(GO) test -run '^$$' -bench . -benchtime 20x ./components/...

clean:
	$(GO) clean -testcache

# zds: every target works on a fresh machine with Go and the module proxy.
GO      ?= go
PKGS    := ./...
FUZZTIME ?= 10s

.PHONY: all build run install test unit fuzz e2e controlplane lint generate check-generated golden bench clean

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

## test: lint, every test (unit, wiring, golden, real control plane) and a short fuzz of the timing rules
test: lint controlplane unit fuzz

unit:
	$(GO) test -count=1 -timeout 40m $(PKGS)

## e2e: only the tests against the real control plane (tests/e2e)
e2e: controlplane
	$(GO) test -count=1 -timeout 40m -v ./tests/e2e/

## controlplane: build etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok
## from the Go module proxy into ~/.cache/zds (skipped when the cached build matches the pins)
controlplane:
	@bash tests/controlplane/build.sh >/dev/null

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
